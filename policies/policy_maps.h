/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * policy_maps.h - what a policy program may read besides its policy_ctx:
 * its VIP's parameters and its server's round-robin ring and pointer.
 * BPF only; the selection logic itself stays in the plain select_*.h.
 */
#ifndef HAULER_POLICY_MAPS_H
#define HAULER_POLICY_MAPS_H

#include "xdp_maps.h"
#include "select/select.h"
#include "select/metric.h"
#include "assigned.h"
#include "clock.h"

/* The VIP's parameters (policy_params[slot]), or NULL. */
static __always_inline const struct policy_params *policy_params_get(const struct policy_ctx *pc)
{
	__u32 slot = pc->slot;

	return bpf_map_lookup_elem(&policy_params, &slot);
}

/* The metric spec the VIP's parameters name (metric_spec); cmp when none. */
static __always_inline __u32 policy_metric(const struct policy_ctx *pc)
{
	const struct policy_params *p = policy_params_get(pc);

	return p ? metric_spec(p) : HAULER_METRIC_CMP;
}

/*
 * Fill each candidate's assigned (connections given to it since its last
 * report, dev_assigned): its new-connection count less the base the
 * report stored. The count is the per-CPU counters summed (one lookup per
 * CPU and candidate) or, where config.assigned_us is set (hauler up: more
 * possible CPUs than config.assigned_cpus), the device's aggregate plus
 * this CPU's own since (dev_new_count: a few lookups per candidate,
 * whatever the CPUs). Only the policies that read it (lc, wlc, a conns
 * metric) pay; the others leave it 0 (fill_candidates).
 */
static __always_inline void policy_assigned_fill(struct policy_ctx *pc)
{
	__u32 i, zero = 0;
	struct config *cfg = bpf_map_lookup_elem(&config, &zero);
	__u64 interval = cfg ? (__u64)cfg->assigned_us * 1000 : 0, now = 0;

	if (interval)
		now = hauler_now();
#pragma unroll
	for (i = 0; i < HAULER_DEVS_PER_SERVER; i++) {
		struct policy_cand *cand = &pc->cand[i];
		struct dev_state *st;
		__u32 id = cand->id;
		__u64 count;

		if (i >= pc->n)
			break;
		st = bpf_map_lookup_elem(&dev_state, &id);
		if (!st)
			continue;
		if (!interval)
			count = dev_new_sum(id);
		else if (dev_agg_claim(st, now, interval))
			count = dev_new_count(st, id, 1, dev_new_sum_call(id));
		else
			count = dev_new_count(st, id, 0, 0);
		/* The count read before the base: a report stores its base first. */
		__asm__ __volatile__("" ::: "memory");
		cand->assigned = dev_assigned(st, count);
	}
}

/* The metric spec the VIP's parameters name, its candidates' assigned filled when it is conns. */
static __always_inline __u32 policy_metric_filled(struct policy_ctx *pc)
{
	__u32 m = policy_metric(pc);

	if (m == HAULER_METRIC_CONNS)
		policy_assigned_fill(pc);
	return m;
}

/*
 * Advance the server's ring pointer: this CPU's own (ring_pos is per CPU),
 * so a new connection writes nothing another CPU writes. Each CPU walks
 * the ring from its own pointer: wrr's proportions hold exactly per CPU,
 * hence over all CPUs to within one ring's length per CPU.
 */
static __always_inline int policy_ring_next(const struct policy_ctx *pc, __u32 *pos)
{
	__u32 key = pc->server;
	struct ring_pos *rp;

	rp = bpf_map_lookup_elem(&ring_pos, &key);
	if (!rp)
		return -1;
	*pos = rp->next++;
	return 0;
}

/*
 * wrr and dwrr: the slot of the server's active ring (of two versions,
 * hauler_ring_key) at the pointer. The hash choice when the
 * server, ring or pointer cannot be read.
 */
static __always_inline __u32 policy_ring_walk(const struct policy_ctx *pc)
{
	struct server_info *srv;
	struct ring *r;
	__u32 key = pc->server, pos;

	srv = bpf_map_lookup_elem(&servers, &key);
	if (!srv)
		return select_hash(pc);
	key = hauler_ring_key(pc->server, srv->ring_version);
	r = bpf_map_lookup_elem(&rings, &key);
	if (!r || policy_ring_next(pc, &pos))
		return select_hash(pc);
	return select_wrr(pc, r, pos);
}

#endif
