/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * select_min.h - P4Hauler's minimum finder and the three rules every
 * load-aware policy shares (docs/policies.md):
 *
 *  - usable: a candidate that is not usable (drained, down, not in use,
 *    wrong family) is never chosen;
 *  - unknown load: a stale candidate gets its static weight's share of
 *    new connections, whatever its old numbers say (select_stale_draw);
 *  - ties: among candidates with equal least keys the flow hash draws one
 *    by weight (each its weight's share; uniformly when none of them has a
 *    weight), so no weighted device of a tie is starved and a slow device
 *    does not get as many of the ties as a fast one.
 *
 * Keys are 32-bit fractions num/den (den >= 1) compared by 64-bit
 * cross-multiplication: plain metrics have den 1; wlc divides connections
 * by weight without dividing.
 */
#ifndef HAULER_POLICY_SELECT_MIN_H
#define HAULER_POLICY_SELECT_MIN_H

#include "select/select.h"
#include "select/metric.h"

#define HAULER_TIE_SEED	 0x71e5eedu /* tie-break among equal minima */
#define HAULER_DRAW_SEED 0xd7a3u    /* the weighted draw for stale candidates */

/* A second, independent hash of the flow for one use (by seed). */
static __always_inline __u32 select_rehash(const struct policy_ctx *pc, __u32 seed)
{
	return hauler_hash_words(&pc->hash, 1, seed);
}

/* Bit i set: cand[i] is usable and its load is known (not stale). */
static __always_inline __u32 select_fresh_mask(const struct policy_ctx *pc, __u32 usable)
{
	__u32 i, stale = 0;

	HAULER_UNROLL
	for (i = 0; i < HAULER_DEVS_PER_SERVER; i++)
		stale |= select_nz(pc->cand[i].stale) << i;
	return usable & ~stale;
}

/*
 * Unknown load. The flow hash draws one usable candidate with probability
 * weight / (sum of usable weights): the share it would have under wrr. A
 * stale candidate drawn gets the connection; a fresh one drawn means the
 * policy decides among the fresh candidates by their numbers. Returns the
 * stale candidate drawn, or HAULER_NO_CHOICE (nothing stale, all weights
 * 0, or the draw named a fresh candidate).
 */
static __always_inline __u32 select_stale_draw(const struct policy_ctx *pc, __u32 usable,
					       __u32 fresh)
{
	__u32 pick;

	if (usable == fresh)
		return HAULER_NO_CHOICE;
	pick = select_weighted_draw(pc, usable, select_rehash(pc, HAULER_DRAW_SEED));
	if (pick < HAULER_DEVS_PER_SERVER && !((fresh >> pick) & 1))
		return pick;
	return HAULER_NO_CHOICE;
}

/* A key: num/den, den >= 1 (den 0 only in the start value of select_min). */
struct select_key {
	__u32 num;
	__u32 den;
};

static __always_inline __u32 select_key_less(const struct select_key *a, const struct select_key *b)
{
	return select_lt((__u64)a->num * b->den, (__u64)b->num * a->den);
}

static __always_inline __u32 select_key_equal(const struct select_key *a,
					      const struct select_key *b)
{
	return 1 - select_nz((__u64)a->num * b->den - (__u64)b->num * a->den);
}

/*
 * The minimum finder: the candidate of mask with the least key; among
 * equal least keys the flow hash draws one with probability weight / (the
 * tied weights' sum), uniformly when the tied weights are all 0.
 * HAULER_NO_CHOICE when mask is empty. key[] holds HAULER_DEVS_PER_SERVER
 * entries.
 *
 * Why by weight: ties are the common case at low load (every device at
 * cmp 0, queue 0, no connections), and a uniform draw gave a device of a
 * fifth of the capacity half of them: in the request rig (docs/results.md)
 * lur and jsq sent 30-40% of a light load to such an accelerator, whose
 * queue then set the P99.
 */
static __always_inline __u32 select_min(const struct policy_ctx *pc, const struct select_key *key,
					__u32 mask)
{
	struct select_key best = {~0u, 0}; /* above every key: x/y < ~0/0 */
	__u32 i, ties = 0, count, k = 0;

	if (!mask)
		return HAULER_NO_CHOICE;
#ifdef __bpf__
	/* Keys stay in memory, read when needed: in registers they spill. */
	asm volatile("" : : "r"(key) : "memory");
#endif
	HAULER_UNROLL
	for (i = 0; i < HAULER_DEVS_PER_SERVER; i++)
		if (((mask >> i) & 1) & select_key_less(&key[i], &best))
			best = key[i];
	HAULER_UNROLL
	for (i = 0; i < HAULER_DEVS_PER_SERVER; i++)
		ties |= (((mask >> i) & 1) & select_key_equal(&key[i], &best)) << i;
	count = select_mask_count(ties);
	if (count > 1) {
		__u32 r = select_rehash(pc, HAULER_TIE_SEED), pick;

		pick = select_weighted_draw(pc, ties, r);
		if (pick != HAULER_NO_CHOICE)
			return pick;
		k = r % count;
	}
	return select_mask_nth(ties, k);
}

#define SELECT_KEYS_FIELD(key, pc, field)                                                          \
	do {                                                                                       \
		__u32 i_;                                                                          \
		HAULER_UNROLL                                                                      \
		for (i_ = 0; i_ < HAULER_DEVS_PER_SERVER; i_++) {                                  \
			(key)[i_].num = (pc)->cand[i_].field;                                      \
			(key)[i_].den = 1;                                                         \
		}                                                                                  \
	} while (0)

/*
 * key[i] = metric spec m of cand[i] (metric.h). One switch outside the
 * loop: inside, the verifier would branch on m once per candidate.
 */
static __always_inline void select_keys_metric(const struct policy_ctx *pc, __u32 m,
					       struct select_key *key)
{
	__u32 i;

	if (m & HAULER_METRIC_MAXOF) {
		HAULER_UNROLL
		for (i = 0; i < HAULER_DEVS_PER_SERVER; i++) {
			key[i].num = metric_max_of(&pc->cand[i], m);
			key[i].den = 1;
		}
		return;
	}
	switch (m) {
#define KEYS_CASE(id, field)                                                                       \
	case id:                                                                                   \
		SELECT_KEYS_FIELD(key, pc, field);                                                 \
		break;
		HAULER_METRIC_FIELDS(KEYS_CASE)
#undef KEYS_CASE
	case HAULER_METRIC_CONNS:
		HAULER_UNROLL
		for (i = 0; i < HAULER_DEVS_PER_SERVER; i++) {
			key[i].num = metric_conns(&pc->cand[i]);
			key[i].den = 1;
		}
		break;
	default:
		SELECT_KEYS_FIELD(key, pc, cmp);
	}
}

/*
 * The frame of a minimum-finder policy: stale candidates by weight, else
 * (busy ones only when all fresh ones are busy, select_not_busy) the least
 * key among the fresh ones of prefer (among all fresh ones when
 * none of prefer is fresh); with no fresh candidate and no weight to
 * draw by, the hash choice among the usable.
 */
static __always_inline __u32 select_least(const struct policy_ctx *pc, const struct select_key *key,
					  __u32 prefer)
{
	__u32 usable = select_usable_mask(pc), fresh = select_fresh_mask(pc, usable), pick;

	pick = select_stale_draw(pc, usable, fresh);
	if (pick != HAULER_NO_CHOICE)
		return pick;
	if (!fresh)
		return select_hash(pc);
	fresh = select_not_busy(pc, fresh);
	if (fresh & prefer)
		fresh &= prefer;
	return select_min(pc, key, fresh);
}

#endif
