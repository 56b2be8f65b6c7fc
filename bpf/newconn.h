/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * newconn.h - the end of every new connection, shared by the entry
 * program (built-in hash fallback) and every policy program: check the
 * choice, record it in the half-open table, count it, forward.
 */
#ifndef HAULER_BPF_NEWCONN_H
#define HAULER_BPF_NEWCONN_H

#include "xdp_maps.h"
#include "conn.h"
#include "forward.h"
#include "select/select.h"
#include "ct_prog.h"
#include "clock.h"

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

/* Device id to bind a decision to, or NULL (counted: drop it). */
static __always_inline struct device_info *bind_device(struct xdp_md *ctx, __u32 id)
{
	struct device_info *dev = bpf_map_lookup_elem(&devices, &id);

	if (!dev || !dev->in_use) {
		stat_reason(HAULER_STAT_drop_bad_device, ctx);
		return NULL;
	}
	return dev;
}

/*
 * The end of a decision, its state recorded (or refused): count it (a new
 * connection, record 1, or a stateless decision) and send the flow in pc
 * to device id. Shared by both tables' binds (conn_bind, hauler_ct_bind).
 */
static __always_inline int conn_bound(struct xdp_md *ctx, struct policy_ctx *pc,
				      const struct device_info *dev, __u32 id, int record,
				      const struct config *cfg, __u64 now)
{
	struct pkt p = {};

	if (!record) {
		stat_reason(HAULER_STAT_conn_stateless, ctx);
		goto send;
	}
	/*
	 * The device's per-CPU new-connection counter is also what lc reads
	 * (assigned since the last report, bpf/assigned.h): nothing shared
	 * between CPUs is written for a new connection.
	 */
	stat_reason(HAULER_STAT_conn_new, ctx);
	stat_add(HAULER_STAT_VIP(pc->vip_id & (HAULER_MAX_VIPS - 1), HAULER_STAT_NEW), 0);
	stat_add(HAULER_STAT_DEV(id & (HAULER_MAX_DEVICES - 1), HAULER_STAT_NEW), 0);
send:
	count_forward(ctx, pc->vip_id, id);

	p.flow = pc->flow;
	p.l3_off = pc->l3_off;
	p.l4_off = pc->l4_off;
	p.tcp_flags = pc->tcp_flags;
	return forward_to_device(ctx, &p, dev, id, pc->fwd_mode, cfg, now);
}

/*
 * Send the flow in pc to cand[choice]; with record, bind it there: a new
 * connection, recorded in half_open (conn.h: it moves to conns once
 * confirmed). Without, a stateless decision (a TCP segment without SYN
 * and no entry): forwarded, counted as conn_stateless, no client entry
 * (nat: the return entry, in half_open, so the device's answer goes back).
 * A choice that is not a usable candidate is replaced by the hash choice
 * (counted when it came from a policy): a policy can misjudge, never drop.
 * With the compact table in use the checked choice goes to hauler_ct_bind
 * (bpf/ct_prog.h), which records it there.
 */
static __always_inline int conn_bind(struct xdp_md *ctx, struct policy_ctx *pc, __u32 choice,
				     int from_policy, int record)
{
	struct config *cfg = config_get();
	struct device_info *dev;
	struct conn c = {};
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
	if (cfg->ct_buckets) {
		pc->choice = choice;
		pc->record = record;
		bpf_tail_call(ctx, &ct_prog, HAULER_CT_BIND);
		stat_reason(HAULER_STAT_drop_ct_prog, ctx);
		return XDP_DROP;
	}
	id = pc->cand[choice].id;
	dev = bind_device(ctx, id);
	if (!dev)
		return XDP_DROP;

	c.last_seen_ns = hauler_now();
	c.device = id;
	c.dev_gen = dev->gen;
	c.vip_id = pc->vip_id;
	c.fwd = pc->fwd_mode + 1; /* the fast path's VIP (conn_fast) */
	if (record && bpf_map_update_elem(&half_open, &pc->flow, &c, BPF_ANY))
		stat_reason(HAULER_STAT_conn_table_full, ctx);
	/*
	 * The NAT return entry, also for a stateless decision: the device's
	 * answer (its RST, or its data when it does hold the connection: a
	 * balancer restarted with an empty table) must go back as the VIP.
	 * In half_open, where junk can push out only junk; the device's
	 * data then confirms the flow (nat_return, conn_reply_confirms).
	 */
	if (pc->fwd_mode == HAULER_FWD_NAT) {
		struct flow_key r;

		reply_key(&r, &pc->flow, dev);
		c.flags = HAULER_CONN_REPLY;
		if (bpf_map_update_elem(&half_open, &r, &c, BPF_ANY))
			stat_reason(HAULER_STAT_conn_table_full, ctx);
	}
	return conn_bound(ctx, pc, dev, id, record, cfg, c.last_seen_ns);
}

/* A policy's (or the fallback's) choice for a new connection: bind it and send. */
static __always_inline int new_conn_finish(struct xdp_md *ctx, struct policy_ctx *pc, __u32 choice,
					   int from_policy)
{
	return conn_bind(ctx, pc, choice, from_policy, 1);
}

#endif
