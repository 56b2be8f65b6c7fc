/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * select_prt.h - prioritization: devices ranked by weight, highest
 * first; the connection goes to the highest-ranked device whose load is
 * below the threshold, and back to a higher one as soon as that drops
 * below it again (the choice is stateless). When no device is below, the
 * least loaded one takes it.
 */
#ifndef HAULER_POLICY_SELECT_PRT_H
#define HAULER_POLICY_SELECT_PRT_H

#include "select/select_min.h"

#define HAULER_PRT_THRESHOLD_DEFAULT 80 /* policy_params.threshold 0: not set */

/*
 * prt on metric m: "below" is metric < threshold (0 means the default).
 * Equal weights share a rank: the flow hash picks among them. Stale
 * devices get their weight's share first (select_stale_draw).
 */
static __always_inline __u32 select_prt(const struct policy_ctx *pc, __u32 m, __u32 threshold)
{
	struct select_key rank[HAULER_DEVS_PER_SERVER], load[HAULER_DEVS_PER_SERVER];
	__u32 usable = select_usable_mask(pc), fresh = select_fresh_mask(pc, usable), below = 0, i;
	__u32 pick;

	if (!threshold)
		threshold = HAULER_PRT_THRESHOLD_DEFAULT;
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
		below |= select_lt(load[i].num, threshold) << i;
	}
	/* A busy device is saturated: never below, and last in the fallback. */
	fresh = select_not_busy(pc, fresh);
	below &= fresh & ~select_busy_mask(pc);
	if (below)
		return select_min(pc, rank, below);
	return select_min(pc, load, fresh);
}

#endif
