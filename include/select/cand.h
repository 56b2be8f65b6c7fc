/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * cand.h - how a device's configuration and last report become a policy
 * candidate (when its report is too old to trust: select_dev_stale). One rule for the
 * datapath (fill_candidates, policy_load_fill), the manager (dwrr) and the simulator
 * (tools/sim), so they never disagree on what a policy sees.
 */
#ifndef HAULER_POLICY_CAND_H
#define HAULER_POLICY_CAND_H

#include "select/select.h"

/*
 * cand = device id as a flow of this family sees it, from its
 * configuration alone: whether it may take the flow, its weight and kind.
 * Its load is unknown (stale) until select_cand_load fills it. The load
 * fields are left as they were, not zeroed: stale 1 already says they
 * mean nothing (select_fresh_mask; a stale device's busy is ignored too),
 * and the nine stores were about 20 ns of a new connection with four
 * devices (docs/performance.md, "The candidates' load read by the
 * policies that use it").
 */
static __always_inline void select_cand_dev(struct policy_cand *cand, __u32 id,
					    const struct device_info *dev, __u8 family)
{
	cand->id = id;
	cand->weight = dev->weight;
	cand->kind = dev->kind;
	cand->usable = select_device_usable(dev) && dev->family == family;
	cand->stale = 1;
}

/*
 * cand's load, from its last report, at now: stale_ms and stale_periods
 * are the VIP's policy_params (the staleness rule is select_dev_stale in
 * select.h); assigned: the connections assigned to it since its last
 * report (dev_assigned, include/hauler_report_store.h). The datapath
 * passes 0 and leaves the sum over CPUs to the policies that read it
 * (policy_assigned_fill, policies/policy_maps.h).
 */
static __always_inline void select_cand_load(struct policy_cand *cand, const struct dev_state *st,
					     __u32 stale_ms, __u32 stale_periods, __u64 now,
					     __u32 assigned)
{
	cand->stale = select_dev_stale(st, now, stale_ms, stale_periods);
	cand->busy = st->busy;
	cand->cmp = st->cmp;
	cand->mem = st->mem;
	cand->net = st->net;
	cand->queue = st->queue;
	cand->live_conns = st->live_conns;
	cand->assigned = assigned;
	cand->latency_us = st->latency_us;
}

/* Both: cand as a policy sees device id with its last report (the manager, the simulator). */
static __always_inline void select_cand_fill(struct policy_cand *cand, __u32 id,
					     const struct device_info *dev,
					     const struct dev_state *st, __u8 family,
					     __u32 stale_ms, __u32 stale_periods, __u64 now,
					     __u32 assigned)
{
	select_cand_dev(cand, id, dev, family);
	select_cand_load(cand, st, stale_ms, stale_periods, now, assigned);
}

#endif
