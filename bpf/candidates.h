/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * candidates.h - the device tier's input: a server's devices copied into
 * the policy context, by the entry program for the server Maglev chose
 * and by the spill program for the next server of the flow's preference.
 */
#ifndef HAULER_BPF_CANDIDATES_H
#define HAULER_BPF_CANDIDATES_H

#include "xdp_maps.h"
#include "conn.h"
#include "select/cand.h"

/*
 * Copy the chosen server's devices into pc as policy candidates; params
 * (the VIP's, NULL: defaults) give the staleness bound (select_dev_stale).
 */
static __always_inline void fill_candidates(struct policy_ctx *pc, const struct server_info *srv,
					    const struct policy_params *params, __u64 now)
{
	__u32 stale_ms = params ? params->stale_ms : 0;
	__u32 stale_periods = params ? params->stale_periods : 0;
	__u32 i;

	pc->n = srv->dev_count > HAULER_DEVS_PER_SERVER ? HAULER_DEVS_PER_SERVER : srv->dev_count;
#pragma unroll
	for (i = 0; i < HAULER_DEVS_PER_SERVER; i++) {
		struct policy_cand *cand = &pc->cand[i];
		struct device_info *dev;
		struct dev_state *st;
		__u32 id = srv->dev[i];

		cand->usable = 0;
		if (i >= pc->n)
			continue;
		dev = bpf_map_lookup_elem(&devices, &id);
		st = bpf_map_lookup_elem(&dev_state, &id);
		if (!dev || !st)
			continue;
		/* assigned: summed over CPUs only by the policies that read it */
		select_cand_fill(cand, id, dev, st, pc->flow.family, stale_ms, stale_periods, now,
				 0);
	}
}

#endif
