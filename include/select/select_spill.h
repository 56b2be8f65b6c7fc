/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * select_spill.h - where a new connection goes when every device of the
 * server Maglev chose is unusable or saturated: the next server in that
 * flow's Maglev preference. The preference of a flow is the sequence of
 * Maglev table slots h_k mod M, h_k the flow hash re-mixed with seed
 * HAULER_SPILL_SEED + k, k = 1, 2, ...; the first slot (k = 0) is the
 * server tier's own choice (hash mod M). Each later slot names a server
 * with probability its table share (its Maglev weight); the first one
 * that is neither the chosen server nor the one just tried takes the
 * connection. Deterministic from the flow and the table, like Maglev.
 */
#ifndef HAULER_POLICY_SELECT_SPILL_H
#define HAULER_POLICY_SELECT_SPILL_H

#include "select/select.h"

#define HAULER_SPILL_SEED   0x5b111u
#define HAULER_SPILL_PROBES 16 /* table slots one spill looks at, at most */

/* Slot k (k >= 1) of the flow's Maglev preference in a table of size slots. */
static __always_inline __u32 select_spill_slot(__u32 hash, __u32 k, __u32 size)
{
	return hauler_hash_words(&hash, 1, HAULER_SPILL_SEED + k) % size;
}

#endif
