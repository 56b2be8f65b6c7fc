// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * example_lat: an example of a custom policy (docs/policies.md, "Writing
 * a policy"): the device with the lowest reported service latency. It is
 * built by `make` like any policy; a policy of your own is the same file
 * under another name, loaded with `hauler policy load NAME FILE.o`.
 *
 * A policy reads pc (the flow, its hash, the server's candidates) and
 * returns a position in pc->cand[] or HAULER_NO_CHOICE; HAULER_POLICY
 * records the choice and forwards the packet.
 */
#include "policy.h"
#include "select/select_min.h"

HAULER_POLICY(example_lat)
{
	struct select_key key[HAULER_DEVS_PER_SERVER];
	__u32 i;

	HAULER_UNROLL
	for (i = 0; i < HAULER_DEVS_PER_SERVER; i++) {
		key[i].num = pc->cand[i].latency_us;
		key[i].den = 1;
	}
	/* Stale devices by weight, ties by the flow hash, like the built-ins. */
	return select_least(pc, key, ~0u);
}
