/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * select_prt.h - prioritization, as the thesis defines it: keep the
 * fastest device until it is fully utilized, then the next fastest, and
 * return to a faster one as soon as it is below the threshold again (the
 * choice is stateless). "Fastest" is the declared capacity: the device's
 * weight, the same number that sets its wrr share (docs/policies.md).
 * When every fresh device is at or above the threshold the server is
 * saturated: the policy says so, so that the connection can spill to the
 * next server; where it does not spill, the least loaded device takes it.
 */
#ifndef HAULER_POLICY_SELECT_PRT_H
#define HAULER_POLICY_SELECT_PRT_H

#include "select/select_min.h"

/*
 * prt on metric spec m (metric.h): "below" is load < threshold, the
 * threshold in the metric's unit (milliseconds for latency; 0: the
 * default). Equal weights share a rank: the flow hash picks among them.
 * Stale devices get their weight's share first (select_stale_draw).
 * *saturated is 1 when the choice was made among fresh devices none of
 * which is below the threshold (the least loaded of them is returned).
 */
static __always_inline __u32 select_prt_spill(const struct policy_ctx *pc, __u32 m, __u32 threshold,
					      __u32 *saturated)
{
	struct select_key rank[HAULER_DEVS_PER_SERVER], load[HAULER_DEVS_PER_SERVER];
	__u32 usable = select_usable_mask(pc), fresh = select_fresh_mask(pc, usable), below = 0, i;
	__u32 pick;
	__u64 limit;

	*saturated = 0;
	if (!threshold)
		threshold = HAULER_PRT_THRESHOLD_DEFAULT;
	limit = metric_threshold_native(m, threshold);
	pick = select_stale_draw(pc, usable, fresh);
	if (pick != HAULER_NO_CHOICE)
		return pick;
	if (!fresh)
		return select_hash(pc);
	select_keys_metric(pc, m, load);
	HAULER_UNROLL
	for (i = 0; i < HAULER_DEVS_PER_SERVER; i++) {
		rank[i].num = 0xffff - pc->cand[i].weight;
		rank[i].den = 1;
		below |= select_lt(load[i].num, limit) << i;
	}
	/* A busy device is saturated: never below, and last in the fallback. */
	fresh = select_not_busy(pc, fresh);
	below &= fresh & ~select_busy_mask(pc);
	if (below)
		return select_min(pc, rank, below);
	*saturated = 1;
	return select_min(pc, load, fresh);
}

/* prt without spill: the least loaded device when the server is saturated. */
static __always_inline __u32 select_prt(const struct policy_ctx *pc, __u32 m, __u32 threshold)
{
	__u32 saturated;

	return select_prt_spill(pc, m, threshold, &saturated);
}

#endif
