/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * newconn.h - the end of every new connection, shared by the entry
 * program (built-in hash fallback) and every policy program: check the
 * choice, record it in the connection table, count it, forward.
 */
#ifndef HAULER_BPF_NEWCONN_H
#define HAULER_BPF_NEWCONN_H

#include "xdp_maps.h"
#include "conn.h"
#include "forward.h"
#include "select/select.h"

static __always_inline struct policy_ctx *policy_ctx_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&scratch, &zero);
}

static __always_inline void count_forward(struct xdp_md *ctx, __u32 vip_id, __u32 dev_id)
{
	__u64 bytes = frame_len(ctx);

	stat_add(HAULER_STAT_VIP(vip_id & (HAULER_MAX_VIPS - 1), HAULER_STAT_FWD), bytes);
	stat_add(HAULER_STAT_DEV(dev_id & (HAULER_MAX_DEVICES - 1), HAULER_STAT_FWD), bytes);
}

/*
 * Bind the flow in pc to cand[choice] and send the packet there. A choice
 * that is not a usable candidate is replaced by the hash choice (counted
 * when it came from a policy): a policy can misjudge, never drop.
 */
static __always_inline int new_conn_finish(struct xdp_md *ctx, struct policy_ctx *pc, __u32 choice,
					   int from_policy)
{
	struct config *cfg = config_get();
	struct device_info *dev;
	struct dev_state *st;
	struct conn c = {};
	struct pkt p = {};
	__u32 id;

	if (!cfg)
		return XDP_PASS;
	if (choice >= HAULER_DEVS_PER_SERVER || choice >= pc->n || !pc->cand[choice].usable) {
		if (from_policy)
			stat_reason(HAULER_STAT_policy_bad_choice, ctx);
		choice = select_hash(pc);
		if (choice >= HAULER_DEVS_PER_SERVER) {
			stat_reason(HAULER_STAT_drop_no_device, ctx);
			return XDP_DROP;
		}
	}
	id = pc->cand[choice].id;
	dev = bpf_map_lookup_elem(&devices, &id);
	if (!dev || !dev->in_use) {
		stat_reason(HAULER_STAT_drop_bad_device, ctx);
		return XDP_DROP;
	}

	c.device = id;
	c.dev_gen = dev->gen;
	c.vip_id = pc->vip_id;
	c.last_seen_ns = bpf_ktime_get_coarse_ns();
	if (bpf_map_update_elem(&conns, &pc->flow, &c, BPF_ANY))
		stat_reason(HAULER_STAT_conn_table_full, ctx);
	if (pc->fwd_mode == HAULER_FWD_NAT) {
		struct flow_key r;

		reply_key(&r, &pc->flow, dev);
		c.flags = HAULER_CONN_REPLY;
		if (bpf_map_update_elem(&conns, &r, &c, BPF_ANY))
			stat_reason(HAULER_STAT_conn_table_full, ctx);
	}
	st = bpf_map_lookup_elem(&dev_state, &id);
	if (st)
		__sync_fetch_and_add(&st->assigned, 1);
	stat_reason(HAULER_STAT_conn_new, ctx);
	stat_add(HAULER_STAT_VIP(pc->vip_id & (HAULER_MAX_VIPS - 1), HAULER_STAT_NEW), 0);
	stat_add(HAULER_STAT_DEV(id & (HAULER_MAX_DEVICES - 1), HAULER_STAT_NEW), 0);
	count_forward(ctx, pc->vip_id, id);

	p.flow = pc->flow;
	p.l3_off = pc->l3_off;
	p.l4_off = pc->l4_off;
	p.tcp_flags = pc->tcp_flags;
	return forward_to_device(ctx, &p, dev, id, pc->fwd_mode, cfg, c.last_seen_ns);
}

#endif
