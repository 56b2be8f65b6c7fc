/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * select.h - how each policy picks a device: plain C over the plain
 * policy_ctx of include/hauler_schema.h, compiled into the BPF policy
 * programs and into user space (unit tests, simulator) alike.
 *
 * Every function returns a position in pc->cand[] whose candidate is
 * usable, or HAULER_NO_CHOICE when the server has none.
 */
#ifndef HAULER_POLICY_SELECT_H
#define HAULER_POLICY_SELECT_H

#include "hauler_schema.h"
#include "hauler_hash.h"

#define HAULER_SELECT_SEED 0x5e1ec7u /* decorrelates from the server tier */

static __always_inline __u32 select_usable_count(const struct policy_ctx *pc)
{
	__u32 i, count = 0;

#pragma unroll
	for (i = 0; i < HAULER_DEVS_PER_SERVER; i++)
		if (i < pc->n && pc->cand[i].usable)
			count++;
	return count;
}

/*
 * hash: the k-th usable device, k from the flow hash. Stateless, and the
 * built-in fallback when a VIP has no policy or a policy fails.
 */
static __always_inline __u32 select_hash(const struct policy_ctx *pc)
{
	__u32 usable = select_usable_count(pc), k, i;

	if (!usable)
		return HAULER_NO_CHOICE;
	k = hauler_hash_words(&pc->hash, 1, HAULER_SELECT_SEED) % usable;
#pragma unroll
	for (i = 0; i < HAULER_DEVS_PER_SERVER; i++) {
		if (i < pc->n && pc->cand[i].usable) {
			if (!k)
				return i;
			k--;
		}
	}
	return HAULER_NO_CHOICE;
}

/*
 * wrr: the ring slot at the server's pointer names the device. A slot
 * whose device cannot take connections (drained, down) hands the flow
 * to the hash choice, so the others share that device's turn.
 */
static __always_inline __u32 select_wrr(const struct policy_ctx *pc, const struct ring *r,
					__u32 pos)
{
	__u32 len = r->len, idx, s;

	if (!len || len > HAULER_RING_SLOTS)
		return select_hash(pc);
	idx = pos % len;
#ifdef __bpf__
	barrier_var(idx); /* keep the bound for the verifier */
#endif
	if (idx >= HAULER_RING_SLOTS)
		return select_hash(pc);
	s = r->slot[idx];
	if (s < pc->n && s < HAULER_DEVS_PER_SERVER && pc->cand[s].usable)
		return s;
	return select_hash(pc);
}

#endif
