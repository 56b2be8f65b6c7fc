/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * cand.h - how a device's configuration and last report become a policy
 * candidate, and when a report is too old to trust. One rule for the
 * entry program (fill_candidates), the manager (dwrr) and the simulator
 * (tools/sim), so they never disagree on what a policy sees.
 */
#ifndef HAULER_POLICY_CAND_H
#define HAULER_POLICY_CAND_H

#include "select/select.h"

/*
 * Stale: never reported, or the last report is older than stale_ns at
 * now. A report stamped a tick ahead of the coarse clock is fresh.
 */
static __always_inline __u8 select_report_stale(__u64 updated_ns, __u64 now, __u64 stale_ns)
{
	return !updated_ns || (now > updated_ns && now - updated_ns > stale_ns);
}

/* cand = device id as a flow of this family sees it at now. */
static __always_inline void select_cand_fill(struct policy_cand *cand, __u32 id,
					     const struct device_info *dev,
					     const struct dev_state *st, __u8 family,
					     __u64 stale_ns, __u64 now)
{
	cand->id = id;
	cand->weight = dev->weight;
	cand->kind = dev->kind;
	cand->usable = select_device_usable(dev) && dev->family == family;
	cand->stale = select_report_stale(st->updated_ns, now, stale_ns);
	cand->cmp = st->cmp;
	cand->mem = st->mem;
	cand->net = st->net;
	cand->queue = st->queue;
	cand->live_conns = st->live_conns;
	cand->assigned = st->assigned;
	cand->latency_us = st->latency_us;
}

#endif
