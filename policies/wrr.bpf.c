// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * wrr: weighted round robin over the server's ring (built by the manager
 * from device weights); the pointer advances once per new connection.
 * The walk is policy_ring_walk, shared with dwrr.
 */
#include "policy.h"
#include "policy_maps.h"

HAULER_POLICY_NO_LOAD(wrr)
{
	return policy_ring_walk(pc);
}
