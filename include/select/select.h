/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * select.h - how each policy picks a device: plain C over the plain
 * policy_ctx of include/hauler_schema.h, compiled into the BPF policy
 * programs and into user space (unit tests, simulator) alike.
 *
 * Every function returns a position in pc->cand[] whose candidate is
 * usable, or HAULER_NO_CHOICE when the server has none.
 *
 * The verifier walks every branch: a branch on a value it knows (a mask
 * built bit by bit under ifs) splits its states for good, and eight
 * candidates then make thousands of paths. So candidate sets are bit
 * masks computed without branches, and positions come out of arithmetic
 * on them (select_mask_nth), not out of `if (...) return i`.
 */
#ifndef HAULER_POLICY_SELECT_H
#define HAULER_POLICY_SELECT_H

#include "hauler_schema.h"
#include "hauler_hash.h"

#define HAULER_SELECT_SEED 0x5e1ec7u /* decorrelates from the server tier */

/*
 * Loops over the candidates are unrolled: the verifier then sees constant
 * offsets into cand[]. gcc (user space: tests, simulator) spells it its way.
 */
#ifdef __clang__
#define HAULER_UNROLL _Pragma("unroll")
#else
#define HAULER_UNROLL _Pragma("GCC unroll 8")
#endif

/*
 * Hide a value from the compiler: clang would turn the bit tricks below
 * back into compares, and compares on BPF are branches.
 */
#ifdef __bpf__
#define select_opaque(x) barrier_var(x)
#else
#define select_opaque(x) ((void)0)
#endif

/* 1 when a < b, for a, b below 2^63, without a branch. */
static __always_inline __u32 select_lt(__u64 a, __u64 b)
{
	__u64 d = a - b;

	select_opaque(d);
	return d >> 63;
}

/* 1 when x != 0, without a branch. */
static __always_inline __u32 select_nz(__u64 x)
{
	__u64 t = x | -x;

	select_opaque(t);
	return t >> 63;
}

/*
 * Staleness, the one rule (the entry program's candidates, `hauler device
 * show`, dwrr's rebuild and the simulator all call these): how long a
 * device's last report stays good. stale_ms and stale_periods are the
 * VIP's policy_params (0: the defaults).
 *
 *  - version-2 report with a period P (periodic agent): K = stale_periods
 *    missed periods, K * P;
 *  - version-2 report with period 0 (the agent reports only on threshold
 *    crossings, P4Mite): its state holds until the next report, never
 *    stale by age (a dead agent is for health checks to find);
 *  - version-1 report (no period known): stale_ms, as before periods.
 *
 * Returns the bound in ns; ~0 for "never by age".
 */
#define HAULER_SELECT_NS_PER_MS 1000000ull

static __always_inline __u64 select_stale_ns(const struct dev_state *st, __u32 stale_ms,
					     __u32 stale_periods)
{
	if (st->version < 2)
		return (__u64)(stale_ms ? stale_ms : HAULER_STALE_MS_DEFAULT) *
		       HAULER_SELECT_NS_PER_MS;
	if (!st->period_ms)
		return ~0ull;
	return (__u64)(stale_periods ? stale_periods : HAULER_STALE_PERIODS_DEFAULT) *
	       st->period_ms * HAULER_SELECT_NS_PER_MS;
}

/*
 * 1 when the device's load is unknown at now (ns, CLOCK_MONOTONIC as
 * bpf_ktime): never reported, or its last report is older than the bound.
 * A report stamped a tick ahead of the coarse clock is fresh.
 */
static __always_inline __u32 select_dev_stale(const struct dev_state *st, __u64 now, __u32 stale_ms,
					      __u32 stale_periods)
{
	if (!st->updated_ns)
		return 1;
	return now > st->updated_ns &&
	       now - st->updated_ns > select_stale_ns(st, stale_ms, stale_periods);
}

/*
 * May the device take new connections? In use, up by the operator's
 * state, and not failed by its health check (hauler daemon). The entry
 * program's candidates, the manager's Maglev weights and dwrr's rings
 * all ask this one question.
 */
static __always_inline int select_device_usable(const struct device_info *dev)
{
	return dev->in_use && dev->state == HAULER_STATE_UP && dev->health != HAULER_HEALTH_FAILED;
}

/* Bit i set for each cand[i] that exists (i < n). */
static __always_inline __u32 select_present_mask(const struct policy_ctx *pc)
{
	__u32 n = pc->n;

	n = n > HAULER_DEVS_PER_SERVER ? HAULER_DEVS_PER_SERVER : n;
	return (1u << n) - 1;
}

/* Bit i set: cand[i] exists and may take new connections. */
static __always_inline __u32 select_usable_mask(const struct policy_ctx *pc)
{
	__u32 i, mask = 0;

	HAULER_UNROLL
	for (i = 0; i < HAULER_DEVS_PER_SERVER; i++)
		mask |= select_nz(pc->cand[i].usable) << i;
	return mask & select_present_mask(pc);
}

/* Bit i set: cand[i].field is not zero (field is a member name). */
#define SELECT_NZ_MASK(pc, field)                                                                  \
	({                                                                                         \
		__u32 i_, m_ = 0;                                                                  \
		HAULER_UNROLL                                                                      \
		for (i_ = 0; i_ < HAULER_DEVS_PER_SERVER; i_++)                                    \
			m_ |= select_nz((pc)->cand[i_].field) << i_;                               \
		m_;                                                                                \
	})

/*
 * Busy (P4Mite): an agent in threshold mode reports BUSY while a metric is
 * at or above its threshold. A busy device is treated like a saturated
 * one: the load-aware policies choose among the devices that are not busy,
 * and take a busy one only when every fresh device is busy. (A stale
 * device's busy is as old as its numbers: stale wins.)
 */
static __always_inline __u32 select_busy_mask(const struct policy_ctx *pc)
{
	return SELECT_NZ_MASK(pc, busy);
}

/* Of the candidates in fresh, those not busy; all of fresh when every one is busy. */
static __always_inline __u32 select_not_busy(const struct policy_ctx *pc, __u32 fresh)
{
	__u32 avail = fresh & ~select_busy_mask(pc);

	return avail ? avail : fresh;
}

static __always_inline __u32 select_mask_count(__u32 mask)
{
	__u32 i, count = 0;

	HAULER_UNROLL
	for (i = 0; i < HAULER_DEVS_PER_SERVER; i++)
		count += (mask >> i) & 1;
	return count;
}

/*
 * The position of the k-th (from 0) set bit of mask: the number of
 * positions i whose bits 0..i hold k or fewer set bits. k must be below
 * the count of mask; otherwise HAULER_NO_CHOICE.
 */
static __always_inline __u32 select_mask_nth(__u32 mask, __u32 k)
{
	__u32 i, seen = 0, pos = 0;

	HAULER_UNROLL
	for (i = 0; i < HAULER_DEVS_PER_SERVER; i++) {
		seen += (mask >> i) & 1;
		pos += 1 - select_lt(k, seen); /* seen <= k */
	}
	return pos < HAULER_DEVS_PER_SERVER ? pos : HAULER_NO_CHOICE;
}

/* Bit i set: cand[i] has a positive static weight. */
static __always_inline __u32 select_weighted_mask(const struct policy_ctx *pc)
{
	return SELECT_NZ_MASK(pc, weight);
}

/*
 * A weighted draw: the candidate of mask that r falls on when the
 * candidates' weights are laid end to end in cand[] order, so each is
 * drawn with probability weight / (sum of mask's weights).
 * HAULER_NO_CHOICE when mask holds no weight.
 */
static __always_inline __u32 select_weighted_draw(const struct policy_ctx *pc, __u32 mask, __u32 r)
{
	__u32 i, total = 0, acc = 0, pick = 0;

	HAULER_UNROLL
	for (i = 0; i < HAULER_DEVS_PER_SERVER; i++)
		total += pc->cand[i].weight * ((mask >> i) & 1);
	if (!total)
		return HAULER_NO_CHOICE;
	r %= total;
	/* The drawn one is the first whose running sum passes r. */
	HAULER_UNROLL
	for (i = 0; i < HAULER_DEVS_PER_SERVER; i++) {
		acc += pc->cand[i].weight * ((mask >> i) & 1);
		pick += 1 - select_lt(r, acc); /* acc <= r */
	}
	return pick < HAULER_DEVS_PER_SERVER ? pick : HAULER_NO_CHOICE;
}

/*
 * hash: a usable device drawn from the flow hash with probability weight
 * / (sum of the usable devices' weights); weight 0 gets nothing while a
 * usable device has a weight, and with none weighted every usable device
 * is equally likely (the k-th, k = hash mod count). With equal weights
 * that is the same k-th device. Stateless and deterministic from the
 * configuration (weights and dev[] order, which `hauler save` keeps);
 * also the built-in fallback when a VIP has no policy or a policy fails.
 */
static __always_inline __u32 select_hash(const struct policy_ctx *pc)
{
	__u32 usable = select_usable_mask(pc), weighted = usable & select_weighted_mask(pc);
	__u32 h = hauler_hash_words(&pc->hash, 1, HAULER_SELECT_SEED), count;

	if (weighted)
		return select_weighted_draw(pc, weighted, h);
	count = select_mask_count(usable);
	if (!count)
		return HAULER_NO_CHOICE;
	return select_mask_nth(usable, h % count);
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
