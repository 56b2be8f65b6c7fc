/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * candidates.h - the device tier's input: a server's devices copied into
 * the policy context, by the entry program for the server Maglev chose
 * and by the spill program for the next server of the flow's preference
 * (fill_candidates); their load, by the policy programs that read it
 * (policy_load_fill).
 */
#ifndef HAULER_BPF_CANDIDATES_H
#define HAULER_BPF_CANDIDATES_H

#include "xdp_maps.h"
#include "conn.h"
#include "clock.h"
#include "select/cand.h"

/*
 * Copy the chosen server's devices into pc as policy candidates, their
 * configuration only (select_cand_dev): a policy that reads their load
 * has it filled first (policy_load_fill, by HAULER_POLICY), one that does
 * not (HAULER_POLICY_NO_LOAD: hash, ecmp, wrr, dwrr; the built-in hash)
 * does not pay a dev_state read per device (docs/performance.md, "The
 * candidates' load read by the policies that use it").
 */
static __always_inline void fill_candidates(struct policy_ctx *pc, const struct server_info *srv)
{
	__u32 i;

	pc->n = srv->dev_count > HAULER_DEVS_PER_SERVER ? HAULER_DEVS_PER_SERVER : srv->dev_count;
#pragma unroll
	for (i = 0; i < HAULER_DEVS_PER_SERVER; i++) {
		struct policy_cand *cand = &pc->cand[i];
		struct device_info *dev;
		__u32 id = srv->dev[i];

		cand->usable = 0;
		if (i >= pc->n)
			continue;
		dev = bpf_map_lookup_elem(&devices, &id);
		if (!dev)
			continue;
		select_cand_dev(cand, id, dev, pc->flow.family);
	}
}

/*
 * The candidates' load (select_cand_load) from dev_state, at the VIP's
 * staleness bound (policy_params of pc->slot; none: the defaults). assigned
 * stays 0: summed over CPUs only by the policies that read it
 * (policy_assigned_fill).
 */
static __always_inline void policy_load_fill(struct policy_ctx *pc)
{
	__u32 slot = pc->slot, i;
	const struct policy_params *params = bpf_map_lookup_elem(&policy_params, &slot);
	__u32 stale_ms = params ? params->stale_ms : 0;
	__u32 stale_periods = params ? params->stale_periods : 0;
	__u64 now = hauler_now();

#pragma unroll
	for (i = 0; i < HAULER_DEVS_PER_SERVER; i++) {
		struct policy_cand *cand = &pc->cand[i];
		struct dev_state *st;
		__u32 id = cand->id;

		if (i >= pc->n)
			break;
		st = bpf_map_lookup_elem(&dev_state, &id);
		if (st)
			select_cand_load(cand, st, stale_ms, stale_periods, now, 0);
	}
}

#endif
