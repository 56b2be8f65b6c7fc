/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * select_load.h - the minimum-finder policies: lur, jsq, lc, wlc. Each
 * builds one key per candidate and lets select_least decide (stale
 * candidates by weight, ties by the flow hash).
 */
#ifndef HAULER_POLICY_SELECT_LOAD_H
#define HAULER_POLICY_SELECT_LOAD_H

#include "select/select_min.h"

/* lur: the least utilized on metric spec m: cmp, mem or net, or the max of several. */
static __always_inline __u32 select_lur(const struct policy_ctx *pc, __u32 m)
{
	struct select_key key[HAULER_DEVS_PER_SERVER];

	select_keys_metric(pc, m, key);
	return select_least(pc, key, ~0u);
}

/* jsq: the shortest pending-request queue (TCP accept, UDP receive: docs/agent.md). */
static __always_inline __u32 select_jsq(const struct policy_ctx *pc)
{
	return select_lur(pc, HAULER_METRIC_QUEUE);
}

/* lc: the fewest connections (metric_conns: live_conns + assigned). */
static __always_inline __u32 select_lc(const struct policy_ctx *pc)
{
	return select_lur(pc, HAULER_METRIC_CONNS);
}

/*
 * wlc: the fewest connections per unit of weight, compared as
 * conns_a * weight_b < conns_b * weight_a. Devices of weight 0 are
 * chosen only when no fresh device has a weight (then as plain lc).
 */
static __always_inline __u32 select_wlc(const struct policy_ctx *pc)
{
	struct select_key key[HAULER_DEVS_PER_SERVER];
	__u32 i, w;

	HAULER_UNROLL
	for (i = 0; i < HAULER_DEVS_PER_SERVER; i++) {
		w = pc->cand[i].weight;
		key[i].num = metric_conns(&pc->cand[i]);
		key[i].den = w + 1 - select_nz(w); /* weight 0 counts as 1 */
	}
	return select_least(pc, key, select_weighted_mask(pc));
}

#endif
