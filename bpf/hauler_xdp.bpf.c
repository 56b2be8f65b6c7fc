// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * hauler_xdp - the entry program (docs/architecture.md, "The packet walk"):
 * parse, VIP lookup, connection table, then for a new connection the
 * server tier (weighted Maglev table built by the manager) and the device
 * tier (tail call into the VIP's policy; built-in hash when that fails).
 */
#define HAULER_ICMP_OWNER /* icmp_prog holds this object's ICMP programs */
#define HAULER_CT_OWNER	  /* ct_prog holds this object's compact-table programs */
#include "newconn.h"
#include "ctconn.h"
#include "candidates.h"
#define HAULER_SPILL_OWNER
#include "spill.h"
#include "policy_call.h"
#include "select/select_spill.h"
#include "report.h"
#include "reset.h"
#include "icmp.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

int hauler_report(struct xdp_md *ctx);

/*
 * Agent reports run in their own program (SipHash wants more stack than the
 * entry program can spare), reached through this table (bpf/prog_array.h).
 * Not in the schema: it is private to this object.
 */
HAULER_PROG_ARRAY_OWNED(report_prog, 1, [0] = (void *)&hauler_report);

int hauler_spill(struct xdp_md *ctx);

/* The spill program, for the policies' tail call (bpf/spill.h). */
HAULER_PROG_ARRAY_OWNED(spill_prog, 1, [0] = (void *)&hauler_spill);

static __always_inline int to_report_prog(struct xdp_md *ctx)
{
	bpf_tail_call(ctx, &report_prog, 0);
	stat_reason(HAULER_STAT_report_bad_len, ctx); /* unreachable once loaded */
	return XDP_DROP;
}

/* New connections recorded in the LRU's half_open, per CPU (half_open_crowded). */
HAULER_RATE_MAP(new_rate);

/*
 * Until when (coarse ns) every CPU gives new connections the hash choice:
 * set by a CPU past its rate. A flood on one CPU cycles the half_open
 * that all share, so a handshake on a quiet CPU, given its policy's
 * choice, would lose its entry as surely (one real connection of 40 in a
 * CI run). Written at most twice a window by a crowded CPU, read by all;
 * private to the object, not pinned.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} crowded_until SEC(".maps");

#define NEW_WINDOW_NS (HAULER_NEW_WINDOW_MS * 1000000ULL)

/*
 * LRU tables: has this CPU recorded more new connections in this window
 * than config.half_open_burst, the rate at which half_open would push out
 * handshakes younger than HAULER_HANDSHAKE_PROTECT_MS, or has any CPU in
 * the last window? Then a new connection gets the hash choice, not its
 * VIP's policy: if the flood pushes its entry out before its ACK, the
 * ACK, decided without state, goes to the same device
 * (include/handshake.h). The compact table decides this per bucket pair
 * instead (ct_crowded).
 */
static __always_inline int half_open_crowded(const struct config *cfg, __u64 now)
{
	__u32 zero = 0;
	__u64 *until;
	int over;

	if (cfg->ct_buckets || !cfg->half_open_burst)
		return 0;
	/* Counted even while crowded: a flooded CPU keeps the others crowded. */
	over = !rate_allowed(&new_rate, cfg->half_open_burst, NEW_WINDOW_NS, now);
	until = bpf_map_lookup_elem(&crowded_until, &zero);
	if (!until)
		return over;
	if (!over)
		return (__s64)(*until - now) > 0;
	if ((__s64)(*until - now) < (__s64)(NEW_WINDOW_NS / 2))
		*until = now + NEW_WINDOW_NS;
	return 1;
}

/*
 * A flow with no entry: the server tier, then the device tier. A new
 * connection (stateless 0) goes through the VIP's policy, which records
 * it in half_open (new_conn_finish). A TCP packet without SYN (stateless
 * 1) is a connection this balancer never saw open, or lost: it is sent
 * by the built-in hash choice and no client entry is made (nat: only the
 * return entry, in half_open), so a flood of made-up mid-flow segments
 * can push out nothing established. hash: the flow's (hauler_flow_hash
 * with config.flow_seed). The hash choice, not the
 * policy, because a load-aware policy answers differently from packet to
 * packet: the hash choice sends every packet of the flow to one device
 * while the pool and the devices' states stay as they are. So too a new
 * connection past the LRU's rate (half_open_crowded): recorded, by the
 * hash choice (conn_crowded).
 */
static __always_inline int no_entry(struct xdp_md *ctx, const struct pkt *p,
				    const struct vip_info *vi, const struct config *cfg, __u64 now,
				    int stateless, __u32 hash)
{
	struct policy_params *params;
	struct server_info *srv;
	struct policy_ctx *pc;
	struct pool *pool;
	__u32 key, slot, server;

	key = hauler_pool_key(vi->vip_id & (HAULER_MAX_VIPS - 1), vi->pool_version);
	pool = bpf_map_lookup_elem(&pools, &key);
	if (!pool || !vi->table_size || vi->table_size > HAULER_MAGLEV_MAX) {
		stat_reason(HAULER_STAT_drop_no_server, ctx);
		return XDP_DROP;
	}
	slot = hash % vi->table_size;
	barrier_var(slot); /* keep the check below: the verifier needs it */
	if (slot >= HAULER_MAGLEV_MAX)
		return XDP_DROP;
	server = pool->server[slot];
	srv = bpf_map_lookup_elem(&servers, &server);
	if (!srv || !srv->in_use) {
		stat_reason(HAULER_STAT_drop_no_server, ctx);
		return XDP_DROP;
	}

	pc = policy_ctx_get();
	if (!pc)
		return XDP_PASS;
	pc->flow = p->flow;
	pc->hash = hash;
	pc->server = server;
	pc->vip_id = vi->vip_id;
	pc->slot = vi->policy_slot;
	pc->fwd_mode = vi->fwd_mode;
	pc->l3_off = p->l3_off;
	pc->l4_off = p->l4_off;
	pc->tcp_flags = p->tcp_flags;
	pc->choice = HAULER_NO_CHOICE;
	pc->saturated = 0;
	pc->first_server = server;
	pc->spills = 0;
	key = vi->policy_slot;
	params = bpf_map_lookup_elem(&policy_params, &key);
	pc->spill_left = spill_budget(params);
	fill_candidates(pc, srv);
	if (!stateless && half_open_crowded(cfg, now)) {
		stat_reason(HAULER_STAT_conn_crowded, ctx); /* recorded, by the hash choice */
	} else if (!stateless) {
		policy_tail_call(ctx, vi->policy_slot);
		/* Empty slot or failed tail call: the built-in hash, never a drop. */
		stat_reason(HAULER_STAT_policy_fallback, ctx);
	}
	/* One inlined copy of conn_bind for both: the verifier's cost is per copy. */
	return conn_bind(ctx, pc, select_hash(pc), 0, !stateless);
}

#define CONN_GONE (-2) /* the flow's device is gone */

/*
 * A packet of a known connection, its entry c in conns (half 0) or in
 * half_open (half 1): its state noted; 0 when it goes to its device
 * (*devp, the caller sends it: hit_forward), else CONN_GONE. A half-open flow moves to
 * conns on the packet that confirms it (conn_confirms); an RST ends it at
 * once (no established flow to protect from a spoofed one). Half-open hits
 * write nothing else: junk costs no writes.
 */
static __always_inline int established(struct xdp_md *ctx, const struct pkt *p, struct conn *c,
				       struct device_info **devp, const struct vip_info *vi,
				       const struct config *cfg, __u64 now, int half)
{
	struct device_info *dev = *devp;
	int track;

	/*
	 * Ids are reused: a connection follows its device id only while the
	 * id names the same device (generation) of the same VIP. dev: the
	 * fast path's, already checked (conn_fast), else NULL.
	 */
	if (!dev)
		dev = conn_device(c);
	if (!dev || c->vip_id != vi->vip_id)
		return CONN_GONE;
	*devp = dev;
	if (half) {
		if (p->flow.proto == IPPROTO_TCP && (p->tcp_flags & TCP_FLAG_RST_BIT)) {
			conn_forget(&half_open, c, &p->flow);
			stat_reason(HAULER_STAT_conn_closed, ctx);
		} else if (conn_confirms(c, &p->flow, p->tcp_flags, vi->fwd_mode,
					 p->flow.proto == IPPROTO_TCP ? tcp_seq_field(ctx, p, 1)
								      : 0,
					 cfg, now) &&
			   confirm_allowed(ctx, vi->fwd_mode, p->flow.proto, cfg, now) &&
			   !conn_promote(c, &p->flow, dev, vi->fwd_mode, p->tcp_flags, now)) {
			stat_reason(HAULER_STAT_conn_promoted, ctx);
		}
	} else {
		track = conn_track(c, &p->flow, p->tcp_flags, cfg, now);
		if (track && vi->fwd_mode == HAULER_FWD_NAT) {
			/* The return path lives as long as the flow (and a crossing RST finds it).
			 */
			struct flow_key r;
			struct conn *rc;

			reply_key(&r, &p->flow, dev);
			rc = bpf_map_lookup_elem(&conns, &r);
			if (rc)
				rc->last_seen_ns = now;
		}
	}
	return 0;
}

/* An established packet, its device dev (id) checked: counted and sent (hit_forward). */
static __always_inline int hit_forward(struct xdp_md *ctx, const struct pkt *p,
				       const struct device_info *dev, __u32 id,
				       const struct vip_info *vi, const struct config *cfg,
				       __u64 now)
{
	stat_reason(HAULER_STAT_conn_hit, ctx);
	count_forward(ctx, vi->vip_id, id);
	return forward_to_device(ctx, p, dev, id, vi->fwd_mode, cfg, now);
}

/*
 * The flow's device was deleted, or its id now names another device or
 * VIP: the connection ends, its state already removed. TCP: a RST answers
 * the client (a RST is just dropped; a SYN is a new connection on the
 * same ports). UDP has no connection to end. Returns the verdict, or -1:
 * decide anew in the VIP.
 */
static __always_inline int gone_verdict(struct xdp_md *ctx, const struct pkt *p)
{
	__u8 f = p->tcp_flags;

	stat_reason(HAULER_STAT_conn_device_gone, ctx);
	stat_reason(HAULER_STAT_conn_closed, ctx);
	if (p->flow.proto != IPPROTO_TCP ||
	    (f & (TCP_FLAG_SYN_BIT | TCP_FLAG_ACK_BIT | TCP_FLAG_RST_BIT)) == TCP_FLAG_SYN_BIT)
		return -1; /* decide anew */
	if (f & TCP_FLAG_RST_BIT)
		return XDP_DROP;
	return send_reset(ctx, p);
}

/* gone_verdict for an entry c of map (conns or half_open), which is removed. */
static __always_inline int device_gone(struct xdp_md *ctx, const struct pkt *p, struct conn *c,
				       void *map)
{
	conn_forget(map, c, &p->flow);
	return gone_verdict(ctx, p);
}

/* A device's packet of a flow that is over: a TCP segment gets a RST, the rest is dropped. */
static __always_inline int reset_or_drop(struct xdp_md *ctx, const struct pkt *p)
{
	if (p->flow.proto != IPPROTO_TCP || (p->tcp_flags & TCP_FLAG_RST_BIT))
		return XDP_DROP;
	return send_reset(ctx, p);
}

/*
 * A reply of a gone device's NAT flow (the device was deleted, or its id
 * is another device's now), its state removed: the flow is over. Not
 * passed on untranslated: a TCP segment is answered with a RST (so the
 * device's end closes too), anything else is dropped.
 */
static __always_inline int reply_gone_verdict(struct xdp_md *ctx, const struct pkt *p)
{
	stat_reason(HAULER_STAT_conn_device_gone, ctx);
	return reset_or_drop(ctx, p);
}

/*
 * A reply of a NAT flow that a health check's on-down reset ended
 * (CONN_RESET): the device still holds the connection. A TCP segment is
 * answered with a RST so that it closes; nothing is passed on (the kernel
 * would forward it with the device's address).
 */
static __always_inline int reply_refused(struct xdp_md *ctx, const struct pkt *p)
{
	stat_reason(HAULER_STAT_conn_reset_reply, ctx);
	return reset_or_drop(ctx, p);
}

/*
 * The reply entry (key r) of a live nat flow, written again from its
 * client's entry fc, in fc's table (map): the device's answers then take
 * the usual path, its SYN-ACK noted (conn_note_synack), its data
 * confirming. An entry another CPU wrote meanwhile is kept. Returns the
 * entry, or NULL when the table refused it.
 */
static __always_inline struct conn *reply_entry_again(void *map, const struct flow_key *r,
						      const struct conn *fc)
{
	struct conn rc = *fc;

	rc.flags = HAULER_CONN_REPLY | (fc->flags & HAULER_CONN_SYNACK);
	rc.synack_ack = 0;
	bpf_map_update_elem(map, r, &rc, BPF_NOEXIST);
	return bpf_map_lookup_elem(map, r);
}

/* A nat reply, its state done: from the VIP vk to the client. */
static __always_inline int nat_reply_send(struct xdp_md *ctx, const struct pkt *p,
					  const struct vip_key *vk, __u64 now)
{
	if (nat_rewrite(ctx, p, vk->addr, vk->port, 0)) {
		stat_reason(HAULER_STAT_pass_malformed, ctx);
		return XDP_PASS;
	}
	stat_reason(HAULER_STAT_nat_reply, ctx);
	return cached_xmit(ctx, p->l3_off, p->flow.family, p->flow.dst, nh_client_slot(p->flow.dst),
			   now);
}

/*
 * Not addressed to a VIP: a device's reply to a NAT flow, or not ours. cc:
 * the packet's conns entry (its own key), already looked up. A reply
 * without its entry is known from the device table (reply_flow_entry),
 * by the compact table's rules (ct_nat_return), so that a flood that
 * cycles half_open within a round trip loses no handshake's SYN-ACK: with
 * the client's entry on that device, the reply entry is written again
 * from it; with none, the reply is translated from the device's entry
 * and the device's data gives the flow its entries, established; a
 * device that failed its health check (its entries removed by the
 * on-down reset) is refused; a flow of a device elsewhere, or an answer
 * to the balancer itself (reply_forwarded), is passed.
 */
static __always_inline int nat_return(struct xdp_md *ctx, const struct pkt *p, struct conn *cc,
				      const struct config *cfg, __u64 now)
{
	struct dev_ref tomb = {}; /* a tombstone at the source, as reply_flow_entry found it */
	int half, st = CT_REPLY_FLOW;
	struct device_info *dev = NULL;
	const struct vip_key *vk;
	struct conn *c, *fc;
	struct flow_key f;
	__u32 vip_id, id;
	void *map;

	if (!cfg->nat_vips)
		goto not_reply;
	c = reply_entry(&p->flow, cc, &half);
	if (c && !(c->flags & HAULER_CONN_REPLY))
		goto not_reply;
	if (c)
		id = c->device;
	else
		st = reply_flow_entry(&p->flow, &f, &dev, &id, &fc, &half, &tomb);
	/* From a deleted device's address (its tombstone): refused as ct_nat_return does. */
	if (st == CT_REPLY_OTHER && !c && !dev && hauler_dev_tomb_stands(&tomb, now) &&
	    reply_forwarded(ctx, p, now))
		return reply_gone_verdict(ctx, p);
	if (st == CT_REPLY_OTHER || (st == CT_REPLY_NONE && !reply_forwarded(ctx, p, now)))
		goto not_reply;
	if (reply_spoofed(ctx, p->flow.family, p->flow.src, id, HAULER_STAT_nat_reply_spoofed, now))
		return XDP_DROP;
	map = half ? (void *)&half_open : (void *)&conns;
	if (st == CT_REPLY_GONE)
		goto gone;
	if (st == CT_REPLY_NONE) {
		/* As the compact table's reply without a slot (ct_nat_return). */
		if (dev->health & HAULER_HEALTH_FAILED)
			goto refused;
		if (reply_confirms(p->flow.proto, p->tcp_flags,
				   p->flow.proto == IPPROTO_TCP ? tcp_payload_len(ctx, p) : 0)) {
			struct conn t = {
			    .device = id,
			    .dev_gen = dev->gen,
			    .vip_id = dev->vip_id,
			    .fwd = HAULER_FWD_NAT + 1,
			};

			/* The device's data: the flow exists. */
			if (!conn_promote_reply(&t, &p->flow, &f, now))
				stat_reason(HAULER_STAT_conn_promoted, ctx);
		}
		vk = &dev->vip;
		goto send;
	}
	if (!c) {
		if (conn_udp_ended(fc, p->flow.proto, cfg, now))
			goto pass; /* nothing written for a flow that ended */
		c = reply_entry_again(map, &p->flow, fc);
		if (!c)
			goto pass;
	}
	if (!conn_device(c)) {
		bpf_map_delete_elem(map, &p->flow);
		goto gone;
	}
	if (c->flags & HAULER_CONN_RESET) {
		/* Its flow was reset (health, on-down reset): the device must close it too. */
		if (!conn_expired(c, p->flow.proto, cfg, now))
			goto refused;
		bpf_map_delete_elem(map, &p->flow);
		goto not_reply;
	}
	vip_id = c->vip_id;
	vk = bpf_map_lookup_elem(&vip_index, &vip_id);
	if (!vk || vk->family != p->flow.family)
		goto pass;
	/*
	 * A TCP reply is translated while its entry is there (it goes with
	 * the flow's: replaced by a new connection's, or taken by the LRU),
	 * so the device's crossing RST and last ACKs reach the client.
	 */
	if (conn_udp_ended(c, p->flow.proto, cfg, now))
		goto pass;
	client_key(&f, &p->flow, vk);
	if (half &&
	    conn_reply_confirms(c, p->flow.proto, p->tcp_flags,
				p->flow.proto == IPPROTO_TCP ? tcp_payload_len(ctx, p) : 0)) {
		/* The device's data: the flow exists. */
		if (!conn_promote_reply(c, &p->flow, &f, now))
			stat_reason(HAULER_STAT_conn_promoted, ctx);
	} else if (half && p->flow.proto == IPPROTO_TCP && (p->tcp_flags & TCP_FLAG_RST_BIT)) {
		/* The device refused a half-open flow: both its entries go at once. */
		bpf_map_delete_elem(&half_open, &p->flow);
		bpf_map_delete_elem(&half_open, &f);
		stat_reason(HAULER_STAT_conn_closed, ctx);
	} else if (half) {
		if (p->flow.proto == IPPROTO_TCP &&
		    (p->tcp_flags & (TCP_FLAG_SYN_BIT | TCP_FLAG_ACK_BIT | TCP_FLAG_RST_BIT)) ==
			(TCP_FLAG_SYN_BIT | TCP_FLAG_ACK_BIT)) {
			fc = bpf_map_lookup_elem(&half_open, &f);
			if (fc && fc->device == c->device && fc->dev_gen == c->dev_gen)
				conn_note_synack(c, fc, tcp_seq_field(ctx, p, 0));
		}
		conn_track(c, &p->flow, p->tcp_flags, cfg, now);
	} else {
		conn_track(c, &p->flow, p->tcp_flags, cfg, now);
		if (p->flow.proto == IPPROTO_TCP &&
		    (p->tcp_flags & (TCP_FLAG_RST_BIT | TCP_FLAG_FIN_BIT))) {
			/* The device's RST or FIN ends the client's entry too (after the linger).
			 */
			fc = bpf_map_lookup_elem(&conns, &f);
			if (fc)
				conn_track(fc, &f, p->tcp_flags, cfg, now);
		}
	}
send:
	return nat_reply_send(ctx, p, vk, now);
gone:
	/* Its device was deleted, or the id is another device's now: the flow is over. */
	return reply_gone_verdict(ctx, p);
refused:
	return reply_refused(ctx, p);
not_reply:
	/* Agent reports: UDP to the report port that is neither VIP nor NAT reply. */
	if (p->flow.proto == IPPROTO_UDP && cfg->report_port && p->flow.dport == cfg->report_port)
		return to_report_prog(ctx);
pass:
	stat_reason(HAULER_STAT_pass_not_vip, ctx);
	return XDP_PASS;
}

/*
 * Does this SYN leave the lingering entry of an ended flow (closing: its
 * FIN or RST was seen) bound to dev? The client opens a new connection on
 * the old one's ports (the ports came round again). On a device that may
 * take no new connection (select_device_usable: failed its health check,
 * drained or down) it is decided anew; on a usable device it goes on to
 * it as before (the device's TCP takes a SYN on a closing connection's
 * ports). A live entry, and a half-open one (a retransmitted SYN), stays
 * with its device whatever the device's state (on-down keep).
 */
static __always_inline int syn_leaves(const struct pkt *p, const struct device_info *dev,
				      int closing)
{
	return closing && dev && p->flow.proto == IPPROTO_TCP &&
	       (p->tcp_flags & (TCP_FLAG_SYN_BIT | TCP_FLAG_ACK_BIT | TCP_FLAG_RST_BIT)) ==
		   TCP_FLAG_SYN_BIT &&
	       !select_device_usable(dev);
}

/* syn_leaves for entry c of map (conns or half_open): removed; returns c or NULL. */
static __always_inline struct conn *conn_syn_check(struct xdp_md *ctx, const struct pkt *p,
						   struct conn *c, void *map)
{
	if (!c || !syn_leaves(p, conn_device(c), c->flags & (HAULER_CONN_FIN | HAULER_CONN_RST)))
		return c;
	conn_forget(map, c, &p->flow);
	stat_reason(HAULER_STAT_conn_closed, ctx);
	return NULL;
}

/*
 * The fast path (issue 16: one lookup finds flow and VIP): can the conns
 * entry c, found by the packet's own key, be forwarded without looking up
 * vips? It can when it is a plain established entry (no flag: not a reply,
 * no FIN, RST or on-down reset, not ended) that records its VIP's mode
 * (conn.fwd), and its device is still in use, of the same generation, and
 * serves the entry's VIP: the VIP its entry records (ct_device_vip,
 * written by the manager's commit; the servers lookup this took before
 * is gone, one array lookup fewer). The entry was made for a packet to that VIP
 * under this very key, and a VIP is deleted only with its servers and
 * devices (a device given again gets a new generation), so the VIP is
 * still there: vi is filled from the entry (vip_id, fwd_mode; the rest,
 * which only a new decision reads, zero), *devp the device. Anything
 * else takes the full path, the vips lookup first, as before.
 */
static __always_inline int conn_fast(const struct conn *c, const struct pkt *p,
				     const struct config *cfg, __u64 now, struct vip_info *vi,
				     struct device_info **devp)
{
	struct device_info *dev;

	if (!c || c->flags || !c->fwd || conn_expired(c, p->flow.proto, cfg, now))
		return 0;
	dev = conn_device(c);
	if (!dev || ct_device_vip(dev) != c->vip_id)
		return 0;
	__builtin_memset(vi, 0, sizeof(*vi));
	vi->vip_id = c->vip_id;
	vi->fwd_mode = c->fwd - 1;
	*devp = dev;
	return 1;
}

/*
 * The compact table's fast path (conn_fast's, for conns): can h, the
 * first slot under the packet's digest, be forwarded without looking up
 * vips? It can when it is a plain established slot (no half-open, FIN or
 * RST flag; its UDP flag the packet's protocol's) that has not ended,
 * its device is in use and of the slot's generation, its entry records
 * its VIP (device_info.fwd, vip_id and vip, written by the manager's
 * commit; 0: not written) and the packet is addressed to that VIP: a
 * digest alone names no VIP; the destination tells a false match from
 * the flow.
 * vi is filled from the device (vip_id, fwd_mode; the rest, which only a
 * new decision reads, zero), *dev is the slot's device. One lookup, the
 * device's; anything else takes the full path, the vips lookup first.
 */
static __always_inline int ct_fast(const struct ct_hit *h, const struct pkt *p,
				   const struct config *cfg, __u64 now, struct vip_info *vi,
				   struct device_info **dev)
{
	struct device_info *d;
	struct ct_limits l;

	if (ct_slot_flags(h->s) != ct_proto_flags(p->flow.proto))
		return 0;
	/* A plain slot's life: established TCP idle, or UDP (no FIN or RST linger). */
	ct_limits_set(&l, 0, 0, cfg->udp_timeout_ms);
	if (ct_slot_ended(h->s, ct_tick(now), &l))
		return 0;
	d = ct_device(h->s);
	if (!d || !d->fwd || !vip_key_is(&d->vip, &p->flow))
		return 0;
	__builtin_memset(vi, 0, sizeof(*vi));
	vi->vip_id = d->vip_id;
	vi->fwd_mode = d->fwd - 1;
	*dev = d;
	return 1;
}

/*
 * What the entry program hands to hauler_ct with the frame: the parse,
 * the flow's place in the compact table and the clock, so that neither
 * is done twice. Per CPU, written just before the tail call (nothing
 * runs between them on that CPU), taken once by hauler_ct (which clears
 * p.flow.family, and without a pass does the work itself: a re-up's
 * window, when the old entry program calls this object's hauler_ct).
 * Private to this object (not pinned, not in the schema), like nh_cache.
 */
struct ct_pass {
	struct pkt p;
	struct ct_place pl;
	__u32 flow_hash; /* hauler_flow_hash, from the place's hash (ct_place_flow) */
	/*
	 * The source's dev_hints entry: 0, no device's nor tombstone's (or
	 * asked: neither is at the source); CT_HINT_UNREAD: unread;
	 * CT_HINT_TOMB: asked (ct_reply_device), no device's, a tombstone's
	 * standing at now.
	 */
	__u32 dev_hint;
	__u64 now;
	/* The entry program's lookup of the flow's slot: hauler_ct does not read the buckets again.
	 */
	struct ct_seen seen;
};

/* ct_pass.dev_hint of a packet whose entry was not read (a SYN alone: no reply's fast path). */
#define CT_HINT_UNREAD 0xffffffffu
/* ct_pass.dev_hint of a source that is no device's but a standing tombstone's (asked once). */
#define CT_HINT_TOMB 0xfffffffeu

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ct_pass);
} ct_pass SEC(".maps");

/* A TCP segment that cannot open a connection: no SYN, or SYN with ACK. */
static __always_inline int mid_flow(const struct pkt *p)
{
	return p->flow.proto == IPPROTO_TCP &&
	       (p->tcp_flags & (TCP_FLAG_SYN_BIT | TCP_FLAG_ACK_BIT)) != TCP_FLAG_SYN_BIT;
}

/* A TCP SYN alone: a client's opening, never a device's answer (a SYN-ACK). */
static __always_inline int syn_alone(const struct pkt *p)
{
	return p->flow.proto == IPPROTO_TCP && !mid_flow(p);
}

/*
 * The nat reply's fast path (ct_nat_return's, for its plainest case): is
 * p a reply (not a SYN alone: a device's first answer is a SYN-ACK) from
 * device d (id *id, ct_reply_device) whose client's flow has a plain
 * established slot bound to a device at its source (ct_reply_flow), not
 * ended, that this packet leaves as it is (ct_track)? *dev, *id: that
 * device. No vips lookup: the device's entry names the VIP, and a VIP is
 * never a nat client.
 */
static __always_inline int ct_reply_fast(const struct pkt *p, const struct config *cfg, __u64 now,
					 struct device_info *d, struct device_info **dev, __u32 *id)
{
	struct ct_limits l;
	struct ct_hit h = {};
	struct flow_key f;
	struct ct_ref r;

	if (ct_reply_flow(&p->flow, &d, id, cfg, &f, &r, &h) != CT_REPLY_FLOW ||
	    ct_slot_flags(h.s) != ct_proto_flags(p->flow.proto))
		return 0;
	ct_limits_set(&l, 0, 0, cfg->udp_timeout_ms);
	if (ct_slot_ended(h.s, ct_tick(now), &l) ||
	    ct_track(h.s, p->flow.proto, p->tcp_flags, cfg, ct_tick(now)) != h.s)
		return 0;
	*dev = d;
	return 1;
}

#define CT_FAST_NONE  0 /* hauler_ct's */
#define CT_FAST_FLOW  1 /* a client's packet to its device */
#define CT_FAST_REPLY 2 /* a device's nat reply to its client */

/*
 * The compact table's established packets in the entry program itself (no
 * tail call into hauler_ct, no second parse): ct_fast's slot, or
 * ct_reply_fast's, when this packet writes nothing to it (ct_track:
 * neither FIN nor RST, the slot's time not yet a touch interval old).
 * CT_FAST_FLOW: forward it to *dev (id *id) as vi says; CT_FAST_REPLY:
 * translate it back to the VIP of *dev (id *id); CT_FAST_NONE:
 * hauler_ct's, which takes over with what was done (ct_pass filled).
 */
static __always_inline int ct_hit_fast(const struct pkt *p, const struct config *cfg, __u64 now,
				       struct vip_info *vi, struct device_info **dev, __u32 *id)
{
	struct dev_ref tomb = {};
	__u32 zero = 0, hint = 0;
	struct device_info *d;
	struct ct_hit h = {};
	struct ct_pass *cp;
	struct ct_place pl;
	struct ct_ref r;
	__u32 flow_hash;
	int looked;

	/*
	 * From a source under a device's dev_hints entry: a reply first,
	 * which then skips its own slot's miss; a client's packet there pays
	 * the device check (and a dev_addrs miss), and goes on below. A
	 * source there that is no device's goes to hauler_ct with what that
	 * one dev_addrs lookup said: a standing tombstone (CT_HINT_TOMB), or
	 * nothing (0), for ct_nat_return not to ask again.
	 * A SYN alone is no reply's fast path: its entry is left unread (a
	 * cache miss for a new flow's SYN), for hauler_ct to read if it is
	 * to no VIP.
	 */
	if (cfg->nat_vips)
		hint = syn_alone(p) ? CT_HINT_UNREAD : ct_dev_hint(&p->flow);
	if (hint && hint != CT_HINT_UNREAD) {
		d = ct_reply_device(&p->flow, hint, id, &tomb);
		if (!d)
			hint = hauler_dev_tomb_stands(&tomb, now) ? CT_HINT_TOMB : 0;
		else if (ct_reply_fast(p, cfg, now, d, dev, id))
			return CT_FAST_REPLY;
	}
	flow_hash = ct_place_flow(&pl, &p->flow, cfg->flow_seed, cfg->ct_buckets);
	looked = !ct_ref_at(&r, &pl);
	if (looked && !ct_find(&r, 0, &h) &&
	    ct_track(h.s, p->flow.proto, p->tcp_flags, cfg, ct_tick(now)) == h.s) {
		*id = ct_slot_device(h.s);
		if (ct_fast(&h, p, cfg, now, vi, dev))
			return CT_FAST_FLOW;
	}
	cp = bpf_map_lookup_elem(&ct_pass, &zero);
	if (cp) {
		cp->p = *p;
		cp->pl = pl;
		cp->flow_hash = flow_hash;
		cp->dev_hint = hint;
		cp->now = now;
		ct_seen_keep(&cp->seen, looked, &r, &h);
	}
	return CT_FAST_NONE;
}

SEC("xdp")
int hauler_xdp(struct xdp_md *ctx)
{
	struct device_info *dev = NULL;
	struct vip_key vk = {};
	struct vip_info *vi, v;
	struct config *cfg;
	struct pkt p = {};
	struct conn *c;
	int ret, half = 0;
	__u32 id;
	__u64 now;

	ret = parse_packet(ctx, &p);
	if (ret == HAULER_STAT_pass_not_ip && p.eth_proto == bpf_htons(HAULER_REPORT_ETHERTYPE))
		return to_report_prog(ctx);
	if (ret == HAULER_STAT_pass_not_l4 &&
	    p.flow.proto == (p.flow.family == 4 ? IPPROTO_ICMP : IPPROTO_ICMPV6))
		bpf_tail_call(ctx, &icmp_prog, HAULER_ICMP_ERROR); /* passed when it fails */
	if (ret != PARSE_OK) {
		stat_reason(ret, ctx);
		return XDP_PASS;
	}
	if (p.ipv4_options)
		stat_reason(HAULER_STAT_ipv4_options, ctx);
	cfg = config_get();
	if (!cfg)
		return XDP_PASS;
	now = hauler_now();
	if (cfg->ct_buckets) {
		/* The compact table: established packets go from here, the rest in hauler_ct. */
		ret = ct_hit_fast(&p, cfg, now, &v, &dev, &id);
		if (ret == CT_FAST_FLOW)
			goto forward;
		if (ret == CT_FAST_REPLY && dev) {
			if (reply_spoofed(ctx, p.flow.family, p.flow.src, id,
					  HAULER_STAT_nat_reply_spoofed, now))
				return XDP_DROP;
			return nat_reply_send(ctx, &p, &dev->vip, now);
		}
		bpf_tail_call(ctx, &ct_prog, HAULER_CT_PATH); /* bpf/ct_prog.h */
		stat_reason(HAULER_STAT_drop_ct_prog, ctx);
		return XDP_DROP;
	}

	/* The flow first: an established one needs nothing more (conn_fast). */
	c = bpf_map_lookup_elem(&conns, &p.flow);
	if (conn_fast(c, &p, cfg, now, &v, &dev))
		goto found;
	vi = vip_of(&p.flow, &vk);
	if (!vi)
		return nat_return(ctx, &p, c, cfg, now);
	v = *vi;

	/* conns first, else half_open; an ended entry is removed and looked past. */
	if (c && conn_expired(c, p.flow.proto, cfg, now)) {
		/*
		 * An ended entry: a SYN (a new connection on the same ports) or
		 * a UDP datagram is decided anew. Any other TCP segment belongs
		 * to the old connection (a half-closed flow idle past the grace,
		 * a live one whose RST was spoofed, a late retransmission): it
		 * stays on its device, never moved mid-flow.
		 */
		if (p.flow.proto == IPPROTO_UDP ||
		    (p.tcp_flags & (TCP_FLAG_SYN_BIT | TCP_FLAG_ACK_BIT)) == TCP_FLAG_SYN_BIT) {
			conn_forget(&conns, c, &p.flow);
			stat_reason(HAULER_STAT_conn_closed, ctx);
			c = NULL;
		} else {
			stat_reason(HAULER_STAT_conn_ended_kept, ctx);
		}
	}
	c = conn_syn_check(ctx, &p, c, &conns);
	if (!c) {
		half = 1;
		c = bpf_map_lookup_elem(&half_open, &p.flow);
		if (c && conn_expired(c, p.flow.proto, cfg, now)) {
			conn_forget(&half_open, c, &p.flow);
			stat_reason(HAULER_STAT_conn_closed, ctx);
			c = NULL;
		}
		c = conn_syn_check(ctx, &p, c, &half_open);
	}
found:
	if (c) {
		/* One inlined copy for both tables (the verifier's cost is per copy). */
		if (!established(ctx, &p, c, &dev, &v, cfg, now, half)) {
			id = c->device;
			goto forward;
		}
		ret = device_gone(ctx, &p, c, half ? (void *)&half_open : (void *)&conns);
		if (ret >= 0)
			return ret;
	}
	return no_entry(ctx, &p, &v, cfg, now, mid_flow(&p),
			hauler_flow_hash(&p.flow, cfg->flow_seed));
forward:
	/* One copy for every established packet, either table. */
	return hit_forward(ctx, &p, dev, id, &v, cfg, now);
}

/*
 * hauler_report: an agent report, over UDP to the report port or as a raw
 * Ethernet frame of hauler's EtherType. Parsed again here (cheap) so the
 * entry program passes nothing but the frame.
 */
SEC("xdp")
int hauler_report(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u64 now = hauler_now();
	struct pkt p = {};
	struct udphdr *udp;
	__u32 off;
	int ret;

	ret = parse_packet(ctx, &p);
	if (ret == HAULER_STAT_pass_not_ip && p.eth_proto == bpf_htons(HAULER_REPORT_ETHERTYPE))
		return report_handle(ctx, p.l3_off, NULL, 0, now);
	if (ret != PARSE_OK || p.flow.proto != IPPROTO_UDP)
		return XDP_PASS;
	off = p.l4_off;
	if (off > HAULER_MAX_L4_OFF)
		return XDP_DROP;
	udp = data + off;
	if ((void *)(udp + 1) > end || udp->len != bpf_htons(sizeof(*udp) + HAULER_REPORT_LEN)) {
		stat_reason(HAULER_STAT_report_bad_len, ctx);
		return XDP_DROP;
	}
	return report_handle(ctx, off + sizeof(*udp), p.flow.src, p.flow.family, now);
}

/* Server s may take a spill: in use, of the VIP, neither just tried nor the first. */
static __always_inline int spill_ok(const struct policy_ctx *pc, const struct vip_info *vi, __u32 s)
{
	struct server_info *srv;

	if (s == pc->server || s == pc->first_server)
		return 0;
	srv = bpf_map_lookup_elem(&servers, &s);
	return srv && srv->in_use && srv->vip_id == vi->vip_id;
}

/*
 * Where a spill goes: the server the one just tried names (spill_to,
 * `hauler server set NAME spill-to OTHER`), else the next server of the
 * flow's Maglev preference (select_spill.h) that is neither the server
 * just tried nor the first choice; HAULER_NO_SERVER when
 * HAULER_SPILL_PROBES slots name none. pc->spills counts the slots used,
 * so a second spill goes on where the first stopped.
 */
static __always_inline __u32 spill_next_server(struct policy_ctx *pc, const struct vip_info *vi)
{
	struct server_info *cur;
	struct pool *pool;
	__u32 key = pc->server, i, slot, s;

	cur = bpf_map_lookup_elem(&servers, &key);
	if (cur && cur->spill_to) {
		s = cur->spill_to - 1;
		if (spill_ok(pc, vi, s))
			return s;
	}

	key = (vi->vip_id & (HAULER_MAX_VIPS - 1)) * 2 + (vi->pool_version & 1);
	pool = bpf_map_lookup_elem(&pools, &key);
	if (!pool || !vi->table_size || vi->table_size > HAULER_MAGLEV_MAX)
		return HAULER_NO_SERVER;
	for (i = 0; i < HAULER_SPILL_PROBES; i++) {
		pc->spills++;
		slot = select_spill_slot(pc->hash, pc->spills, vi->table_size);
		barrier_var(slot);
		if (slot >= HAULER_MAGLEV_MAX)
			break;
		s = pool->server[slot];
		if (spill_ok(pc, vi, s))
			return s;
	}
	return HAULER_NO_SERVER;
}

/*
 * hauler_spill: reached from a policy whose server is unusable or
 * saturated (bpf/spill.h). Moves the new connection to the next server of
 * its Maglev preference and runs the VIP's policy there; with no other
 * server, binds the policy's own choice.
 */
SEC("xdp")
int hauler_spill(struct xdp_md *ctx)
{
	struct policy_ctx *pc = policy_ctx_get();
	struct server_info *srv;
	struct vip_info *vi = NULL;
	struct vip_key *vk;
	__u32 key, server = HAULER_NO_SERVER;

	if (!pc)
		return XDP_PASS;
	key = pc->vip_id;
	vk = bpf_map_lookup_elem(&vip_index, &key);
	if (vk)
		vi = bpf_map_lookup_elem(&vips, vk);
	if (vi && pc->spill_left)
		server = spill_next_server(pc, vi);
	srv = bpf_map_lookup_elem(&servers, &server);
	if (server == HAULER_NO_SERVER || !srv) {
		stat_reason(HAULER_STAT_spill_none, ctx);
		return new_conn_finish(ctx, pc, pc->choice, 1);
	}
	stat_reason(HAULER_STAT_spill, ctx);
	pc->spill_left--;
	pc->server = server;
	pc->saturated = 0;
	pc->choice = HAULER_NO_CHOICE;
	fill_candidates(pc, srv);
	policy_tail_call(ctx, pc->slot);
	stat_reason(HAULER_STAT_policy_fallback, ctx);
	return new_conn_finish(ctx, pc, select_hash(pc), 0);
}

/*
 * hauler_icmp: an ICMP or ICMPv6 packet, from the entry program. Errors
 * about VIP flows go to their device, or back to their client (bpf/icmp.h).
 */
SEC("xdp")
int hauler_icmp(struct xdp_md *ctx)
{
	struct pkt p = {};

	if (parse_packet(ctx, &p) != HAULER_STAT_pass_not_l4)
		return XDP_PASS;
	return icmp_handle(ctx, &p);
}

/*
 * hauler_too_big: an encapsulated packet above the route MTU, from the
 * forwarding code (forward.h, too_big) of this object or a policy's.
 */
SEC("xdp")
int hauler_too_big(struct xdp_md *ctx)
{
	return too_big_handle(ctx);
}

/*
 * The compact table (bpf/ctconn.h, docs/datapath.md "The compact table"):
 * a packet of a flow found in slot h of VIP vi, its device dev. As
 * established() with one table: a half-open slot is confirmed in place
 * (the flag cleared), a RST on it removes it at once; an established slot
 * is tracked (conn_track's rules). A nat flow has no reply slot to keep.
 */
static __always_inline int ct_established(struct xdp_md *ctx, const struct pkt *p, struct ct_hit *h,
					  struct device_info *dev, const struct vip_info *vi,
					  const struct config *cfg, __u64 now)
{
	__u32 id = ct_slot_device(h->s), tick = ct_tick(now);
	__u8 proto = p->flow.proto, fl = p->tcp_flags;
	__u64 v;

	if (ct_slot_flags(h->s) & CT_F_HALF) {
		if (proto == IPPROTO_TCP && (fl & TCP_FLAG_RST_BIT)) {
			ct_clear(h);
			stat_reason(HAULER_STAT_conn_closed, ctx);
		} else if (ct_confirms(h->s, proto, fl, vi->fwd_mode, cfg, tick) &&
			   confirm_allowed(ctx, vi->fwd_mode, proto, cfg, now) &&
			   ct_put(h, ct_promoted(h->s, proto, fl, tick))) {
			stat_reason(HAULER_STAT_conn_promoted, ctx);
		}
	} else {
		v = ct_track(h->s, proto, fl, cfg, tick);
		if (v != h->s)
			ct_put(h, v); /* lost: another CPU wrote it first, as fresh */
	}
	stat_reason(HAULER_STAT_conn_hit, ctx);
	count_forward(ctx, vi->vip_id, id);
	return forward_to_device(ctx, p, dev, id, vi->fwd_mode, cfg, now);
}

/*
 * A packet for VIP vi, compact table: its flow's slot, else a new
 * decision (no_entry, by flow_hash: the place's, ct_place_flow, so the
 * key is not hashed again). found: h holds the first slot under the
 * packet's digest (r: its buckets). Returns a verdict, or sets *devp (NULL on
 * entry) when h is the flow's established slot, to be forwarded by the
 * caller (ct_established); the return value then means nothing. An out
 * parameter, not a return code: a verdict may be a helper's unknown
 * value (bpf_redirect), which the verifier would follow into either.
 */
static __always_inline int ct_vip(struct xdp_md *ctx, const struct pkt *p, const struct ct_ref *r,
				  int found, struct ct_hit *h, struct device_info **devp,
				  const struct vip_info *vi, const struct config *cfg, __u64 now,
				  __u32 flow_hash)
{
	struct device_info *dev = NULL;
	struct ct_limits l;
	int ret, stateless;

	if (!found || ct_flow_of(r, vi->vip_id, h, &dev))
		goto decide;
	ct_limits_set(&l, cfg->rst_linger_ms, cfg->fin_grace_ms, cfg->udp_timeout_ms);
	if (ct_slot_ended(h->s, ct_tick(now), &l)) {
		/*
		 * As with conns: a SYN or a UDP datagram is decided anew, any
		 * other TCP segment stays with the old connection's device,
		 * a half-open one's too (a nat flow whose device sent no data
		 * in CT_HALF_OPEN_S, an upload to a silent server, is confirmed
		 * by nothing else; decided without state it would move under
		 * any policy but hash). The slot is left as it is: ended, the
		 * first an insert takes, and the device's data confirms it.
		 */
		if (mid_flow(p)) {
			stat_reason(HAULER_STAT_conn_ended_kept, ctx);
		} else {
			ct_clear(h);
			stat_reason(HAULER_STAT_conn_closed, ctx);
			goto decide;
		}
	}
	if (syn_leaves(p, dev, ct_slot_flags(h->s) & (CT_F_FIN | CT_F_RST))) {
		ct_clear(h);
		stat_reason(HAULER_STAT_conn_closed, ctx);
		goto decide;
	}
	if (dev) {
		*devp = dev;
		return 0;
	}
	ct_clear(h);
	ret = gone_verdict(ctx, p);
	if (ret >= 0)
		return ret;
decide:
	stateless = mid_flow(p);
	if (!stateless && ct_no_room(r, h, cfg, now)) {
		stat_reason(HAULER_STAT_conn_crowded, ctx);
		stateless = 1;
	}
	/* For hauler_ct_bind's insert: none for a flow without state. */
	if (r->b0 && !stateless)
		ct_hint_keep(r, &p->flow, cfg);
	return no_entry(ctx, p, vi, cfg, now, stateless, flow_hash);
}

/*
 * Not addressed to a VIP, compact table: a device's reply to a nat flow,
 * or not ours. A reply has no slot of its own: its source names the
 * device (ct_reply_device), the device's VIP the client's flow, whose
 * slot (ct_reply_flow) must be a device's at the reply's source (that
 * device, or one of its VIP sharing its address), of its generation. A
 * flow without a slot (decided without state, conn_stateless, or its
 * slot gone) is translated from the device's entry alone, and the
 * device's data, which it sends only on a connection it holds, gives it
 * its slot, established, unless it is addressed to the balancer itself
 * (reply_forwarded: a health check's answer, passed as it came); a
 * device that failed its health check gets no slot back and its reply is
 * refused (reply_refused: the on-down reset cleared its slots,
 * user/ctable_map.c). A flow of a device elsewhere: passed, as a packet
 * of no flow. A UDP reply after its flow ended: passed. From the address
 * of a deleted nat device whose flows may still live (a dev_addrs
 * tombstone standing: found here by ct_reply_device, or by the entry
 * program's, hint CT_HINT_TOMB), to a host the balancer forwards to: the
 * late reply of a flow whose device is gone, refused as the LRU path
 * refuses one whose reply entry names a gone device (reply_gone_verdict:
 * a TCP segment answered with a RST to the device, anything else
 * dropped, conn_device_gone); nothing is written.
 */
static __always_inline int ct_nat_return(struct xdp_md *ctx, const struct pkt *p,
					 const struct config *cfg, __u64 now, __u32 hint)
{
	__u8 proto = p->flow.proto, fl = p->tcp_flags;
	__u32 id = 0, tick = ct_tick(now);
	struct device_info *dev;
	struct dev_ref tomb = {};
	struct ct_hit h = {};
	struct ct_limits l;
	struct flow_key f;
	struct ct_ref r;
	int st, confirms;
	__u64 found;

	if (!cfg->nat_vips || !hint) /* hint: what the entry program's ct_hit_fast found */
		goto not_reply;
	dev = hint == CT_HINT_TOMB ? NULL : ct_reply_device(&p->flow, hint, &id, &tomb);
	if (!dev) {
		if ((hint == CT_HINT_TOMB || hauler_dev_tomb_stands(&tomb, now)) &&
		    reply_forwarded(ctx, p, now))
			return reply_gone_verdict(ctx, p);
		goto not_reply;
	}
	st = ct_reply_flow(&p->flow, &dev, &id, cfg, &f, &r, &h);
	if (st == CT_REPLY_OTHER || (st == CT_REPLY_NONE && !reply_forwarded(ctx, p, now)))
		goto not_reply;
	if (reply_spoofed(ctx, p->flow.family, p->flow.src, id, HAULER_STAT_nat_reply_spoofed, now))
		return XDP_DROP;
	if (st == CT_REPLY_GONE) {
		ct_clear(&h);
		return reply_gone_verdict(ctx, p);
	}
	ct_limits_set(&l, cfg->rst_linger_ms, cfg->fin_grace_ms, cfg->udp_timeout_ms);
	confirms = reply_confirms(proto, fl, proto == IPPROTO_TCP ? tcp_payload_len(ctx, p) : 0);
	if (st == CT_REPLY_NONE) {
		/*
		 * A device that failed its health check gets no slot back from
		 * its reply: its slots are gone by the on-down reset (or by
		 * their own end), and its client's next packet goes elsewhere.
		 * As the LRU path's CONN_RESET mark: a TCP segment gets a RST so
		 * that the device closes too; nothing reaches the client.
		 */
		if (dev->health & HAULER_HEALTH_FAILED)
			return reply_refused(ctx, p);
		/* The device's data: the flow exists, and gets its slot. */
		if (confirms &&
		    ct_insert(r.b0, r.b1,
			      ct_slot_make(r.digest, id, dev->gen, ct_proto_flags(proto), tick),
			      tick, &l, &found) == CT_INSERTED) {
			stat_reason(HAULER_STAT_conn_promoted, ctx);
			if (ct_evicts_open(found))
				stat_reason(HAULER_STAT_conn_evicted, ctx);
		}
		return nat_reply_send(ctx, p, &dev->vip, now);
	}
	if (ct_udp_ended(h.s, proto, tick, &l))
		goto pass;
	if (!(ct_slot_flags(h.s) & CT_F_HALF)) {
		/* A TCP reply goes while the flow's slot is there: its RST or FIN marks it. */
		ct_put(&h, ct_track(h.s, proto, fl, cfg, tick));
	} else if (confirms) {
		/* conn_reply_confirms without the SYN-ACK check: a slot has no room for its ack. */
		ct_put(&h, ct_slot_with(h.s, ct_proto_flags(proto), tick));
		stat_reason(HAULER_STAT_conn_promoted, ctx);
	} else if (proto == IPPROTO_TCP && (fl & TCP_FLAG_RST_BIT)) {
		/* The device refused a half-open flow: its slot goes at once. */
		ct_clear(&h);
		stat_reason(HAULER_STAT_conn_closed, ctx);
	}
	return nat_reply_send(ctx, p, &dev->vip, now);
not_reply:
	if (proto == IPPROTO_UDP && cfg->report_port && p->flow.dport == cfg->report_port)
		return to_report_prog(ctx);
pass:
	stat_reason(HAULER_STAT_pass_not_vip, ctx);
	return XDP_PASS;
}

/*
 * hauler_ct: the entry program's path when the compact table is in use
 * (config.ct_buckets) and the packet is no established flow's that it
 * sent itself (ct_hit_fast), reached by tail call with the parse, the
 * flow's place, the clock and the lookup of its slot in ct_pass (the
 * buckets are not read again: ct_find_seen). An established slot is
 * forwarded at once (ct_fast: a packet that writes to its slot); the
 * full path reuses what was read.
 */
SEC("xdp")
int hauler_ct(struct xdp_md *ctx)
{
	struct device_info *dev = NULL;
	struct vip_key vk = {};
	struct vip_info *vi, v;
	struct ct_hit h = {};
	struct config *cfg;
	struct ct_pass *cp;
	struct ct_place pl;
	struct pkt p;
	struct ct_ref r;
	int ref, found, ret;
	__u32 zero = 0, hint;
	__u64 now;

	cp = bpf_map_lookup_elem(&ct_pass, &zero);
	cfg = config_get();
	if (!cp || !cfg || !cfg->ct_buckets)
		return XDP_PASS;
	p = cp->p;
	pl = cp->pl;
	hint = cp->dev_hint;
	now = cp->now;
	/*
	 * Taken: the next packet finds no pass unless this object's entry
	 * program writes one. A re-up fills the pinned ct_prog with this
	 * program when it loads the new object, before it attaches the new
	 * entry program: until then (and on a CPU still in the old one) the
	 * old entry program calls here with its own ct_pass, not this one.
	 * Then the parse, the place and the clock are done again here;
	 * without them the packet went to the kernel as no flow's.
	 */
	cp->p.flow.family = 0;
	if (!p.flow.family) {
		__builtin_memset(&p, 0, sizeof(p));
		if (parse_packet(ctx, &p) != PARSE_OK)
			return XDP_PASS;
		cp->flow_hash = ct_place_flow(&pl, &p.flow, cfg->flow_seed, cfg->ct_buckets);
		hint = cfg->nat_vips ? ct_dev_hint(&p.flow) : 0;
		now = hauler_now();
		cp->seen.looked = 0;
	}
	ref = !ct_ref_at(&r, &pl);
	found = ref && !ct_find_seen(&r, &cp->seen, &h);
	if (found && ct_fast(&h, &p, cfg, now, &v, &dev))
		goto hit;
	vi = vip_of(&p.flow, &vk);
	if (!vi) {
		if (hint == CT_HINT_UNREAD)
			hint = ct_dev_hint(&p.flow);
		return ct_nat_return(ctx, &p, cfg, now, hint);
	}
	v = *vi;
	ret = ct_vip(ctx, &p, &r, found, &h, &dev, &v, cfg, now, cp->flow_hash);
	if (!dev)
		return ret;
hit:
	/* One inlined copy for both ways in (the verifier's cost is per copy). */
	return ct_established(ctx, &p, &h, dev, &v, cfg, now);
}

/*
 * hauler_ct_bind: the end of a decision with the compact table in use,
 * from conn_bind (the entry program's fallback or any policy), the
 * checked choice in the policy_ctx. A new connection (pc->record) gets a
 * half-open slot, its only one: a nat reply is known by its device
 * (ct_nat_return). A full bucket pair (live established flows only) refuses the insert:
 * the flow is forwarded without state (conn_table_full).
 */
SEC("xdp")
int hauler_ct_bind(struct xdp_md *ctx)
{
	struct policy_ctx *pc = policy_ctx_get();
	struct config *cfg = config_get();
	struct device_info *dev, *won;
	struct ct_limits l;
	struct ct_ref r;
	__u32 choice, id, tick, flags;
	__u64 now, found = 0;
	int ret;

	if (!pc || !cfg || !cfg->ct_buckets)
		return XDP_PASS;
	choice = pc->choice;
	if (choice >= HAULER_DEVS_PER_SERVER) {
		stat_reason(HAULER_STAT_drop_no_device, ctx);
		return XDP_DROP;
	}
	id = pc->cand[choice].id;
	dev = bind_device(ctx, id);
	if (!dev)
		return XDP_DROP;
	now = hauler_now();
	tick = ct_tick(now);
	ct_limits_set(&l, cfg->rst_linger_ms, cfg->fin_grace_ms, cfg->udp_timeout_ms);
	flags = CT_F_HALF | ct_proto_flags(pc->flow.proto);
	if (pc->record) {
		ret = ct_ref_hinted(&r, &pc->flow, cfg)
			  ? CT_FULL
			  : ct_insert(r.b0, r.b1, ct_slot_make(r.digest, id, dev->gen, flags, tick),
				      tick, &l, &found);
		if (ret == CT_FOUND) {
			/* Another CPU inserted this new flow first: its choice stands. */
			won = ct_device(found);
			if (won && ct_device_vip(won) == pc->vip_id) {
				dev = won;
				id = ct_slot_device(found);
			}
		} else if (ret != CT_INSERTED) {
			stat_reason(HAULER_STAT_conn_table_full, ctx);
		} else if (ct_evicts_open(found)) {
			stat_reason(HAULER_STAT_conn_evicted, ctx);
		}
	}
	/* A fresh ctx: clang 14 may otherwise keep &ctx->data_end spilled, which the verifier
	 * refuses. */
	asm volatile("" : "+r"(ctx));
	return conn_bound(ctx, pc, dev, id, pc->record, cfg, now);
}
