/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ctconn.h - the compact connection table in the datapath (docs/datapath.md,
 * "The compact table"; the slot and bucket logic is include/ctable/). Used
 * only by the entry object's hauler_ct and hauler_ct_bind programs
 * (bpf/ct_prog.h): a flow in one 8-byte slot of the ctable array map; a
 * nat reply has no slot of its own: its source names the device
 * (dev_hints, else dev_addrs), whose entry names the VIP, which gives the client's flow
 * and so its slot (ct_reply_device, ct_reply_flow; the device's rules are
 * include/hauler_reply.h's, shared with hauler conns --flow). The rules are
 * conn.h's (half-open until confirmed, device generation, FIN and RST
 * lingers, UDP idle timeout); what differs is said where it does.
 */
#ifndef HAULER_BPF_CTCONN_H
#define HAULER_BPF_CTCONN_H

#include "conn.h"
#include "stats.h"
#include "ratelimit.h"
#include "ctable/ct_table.h"

/* Where a flow may live: its two buckets (b1 NULL: one) and its digest. */
struct ct_ref {
	struct ct_bucket *b0, *b1;
	__u32 digest;
	__u32 bucket[2];
};

/* A slot found: its bucket, index and the value read; the lookup's ct_found.empty. */
struct ct_hit {
	struct ct_bucket *b;
	__u64 s;
	int i;
	__u32 empty;
};

/* The buckets of place pl: 0, or -1 when the map lacks them. */
static __always_inline int ct_ref_at(struct ct_ref *r, const struct ct_place *pl)
{
	__u32 b0 = pl->bucket[0], b1 = pl->bucket[1];

	r->digest = pl->digest;
	r->bucket[0] = b0;
	r->bucket[1] = b1;
	r->b0 = bpf_map_lookup_elem(&ctable, &b0);
	r->b1 = b1 == b0 ? NULL : bpf_map_lookup_elem(&ctable, &b1);
	return r->b0 ? 0 : -1;
}

/* The buckets of flow k in the table in use: 0, or -1 when the map lacks them. */
static __always_inline int ct_ref_of(struct ct_ref *r, const struct flow_key *k,
				     const struct config *cfg)
{
	struct ct_place pl;

	ct_place_flow(&pl, k, cfg->flow_seed, cfg->ct_buckets);
	return ct_ref_at(r, &pl);
}

/*
 * The place of the flow being decided, kept by hauler_ct for
 * hauler_ct_bind: the insert of a new connection then does not hash the
 * key twice more (issue 16: a new compact flow's time). A memo of
 * ct_place_flow for one flow, seed and size, taken only when all three
 * are the insert's, so it is never wrong, only unused (a packet's tail
 * calls run on one CPU, one after the other; the next decision on the
 * CPU overwrites it). Private to the entry object: not pinned, not in
 * the schema.
 */
struct ct_hint {
	struct flow_key flow;
	__u32 seed, buckets;
	struct ct_place pl;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ct_hint);
} ct_hint SEC(".maps");

/* Keep r, the place of flow k, for the insert of its decision. */
static __always_inline void ct_hint_keep(const struct ct_ref *r, const struct flow_key *k,
					 const struct config *cfg)
{
	__u32 zero = 0;
	struct ct_hint *h = bpf_map_lookup_elem(&ct_hint, &zero);

	if (!h)
		return;
	h->flow = *k;
	h->seed = cfg->flow_seed;
	h->buckets = cfg->ct_buckets;
	h->pl.digest = r->digest;
	h->pl.bucket[0] = r->bucket[0];
	h->pl.bucket[1] = r->bucket[1];
}

/* Two flow keys alike (five 8-byte words). */
static __always_inline int flow_key_same(const struct flow_key *a, const struct flow_key *b)
{
	const __u64 *x = (const void *)a, *y = (const void *)b;

	return x[0] == y[0] && x[1] == y[1] && x[2] == y[2] && x[3] == y[3] && x[4] == y[4];
}

/* ct_ref_of, from the kept place when it is flow k's in this table (ct_hint_keep). */
static __always_inline int ct_ref_hinted(struct ct_ref *r, const struct flow_key *k,
					 const struct config *cfg)
{
	__u32 zero = 0;
	struct ct_hint *h = bpf_map_lookup_elem(&ct_hint, &zero);

	if (!h || h->seed != cfg->flow_seed || h->buckets != cfg->ct_buckets ||
	    !flow_key_same(&h->flow, k))
		return ct_ref_of(r, k, cfg);
	return ct_ref_at(r, &h->pl);
}

/* The skip+1-th slot holding r's digest: 0 (h filled) or -1 (h->empty set). */
static __always_inline int ct_find(const struct ct_ref *r, __u32 skip, struct ct_hit *h)
{
	struct ct_found f = {};
	int i;

	i = ct_lookup(r->b0, r->b1, r->digest, skip, &f);
	h->empty = f.empty;
	if (i < 0)
		return -1;
	h->b = f.which ? r->b1 : r->b0;
	h->s = f.s;
	h->i = i;
	return h->b ? 0 : -1;
}

/*
 * A lookup's result carried to another program (ct_pass): looked, the
 * lookup (ct_find, skip 0) ran; hit, it found a slot (which bucket, index,
 * value); empty, the empty slots it passed. Values, not pointers: the
 * taker finds the bucket again (ct_ref_at).
 */
struct ct_seen {
	__u64 s;
	__s32 i;
	__u8 looked, hit, which, empty;
};

/* Keep h, a lookup in r's buckets (looked: it ran), in *seen. */
static __always_inline void ct_seen_keep(struct ct_seen *seen, int looked, const struct ct_ref *r,
					 const struct ct_hit *h)
{
	seen->looked = looked;
	seen->hit = h->b != NULL;
	seen->which = h->b && h->b == r->b1;
	seen->empty = h->empty;
	seen->s = h->s;
	seen->i = h->i;
}

/*
 * ct_find's answer from *seen when it holds one for r (0: h filled, -1:
 * a miss, h->empty set), without reading the buckets again; else ct_find.
 * The slot's value is as the other program read it: a write against it
 * that another CPU overtook since loses, as one against a fresh read may;
 * a miss may since be another CPU's insert of the flow, as after any
 * lookup before an insert (ct_insert looks again when it loses a race).
 */
static __always_inline int ct_find_seen(const struct ct_ref *r, const struct ct_seen *seen,
					struct ct_hit *h)
{
	if (!seen->looked)
		return ct_find(r, 0, h);
	h->empty = seen->empty;
	if (!seen->hit)
		return -1;
	h->b = seen->which ? r->b1 : r->b0;
	h->s = seen->s;
	h->i = seen->i;
	return h->b ? 0 : -1;
}

/*
 * Is there no room for a new flow's half-open slot in r's buckets
 * (ct_crowded), h the flow's lookup? Asked only when the lookup passed
 * no empty slot: a new flow in a table below its fill pays nothing more.
 */
static __always_inline int ct_no_room(const struct ct_ref *r, const struct ct_hit *h,
				      const struct config *cfg, __u64 now)
{
	struct ct_limits l;

	if (!r->b0 || h->empty)
		return 0;
	ct_limits_set(&l, cfg->rst_linger_ms, cfg->fin_grace_ms, cfg->udp_timeout_ms);
	return ct_crowded(r->b0, r->b1, ct_tick(now), &l);
}

/* The slot's device, or NULL when it is gone (not in use, another generation). */
static __always_inline struct device_info *ct_device(__u64 s)
{
	struct device_info *dev;
	__u32 id = ct_slot_device(s);

	dev = bpf_map_lookup_elem(&devices, &id);
	if (!dev || !dev->in_use || !ct_slot_gen_is(s, dev->gen))
		return NULL;
	return dev;
}

/*
 * The VIP a device serves (HAULER_NO_SERVER: none): its entry's, written
 * by the manager's commit with the rest of it (device_info.fwd set; 0: its
 * server or VIP is not in use). Schema 13 refuses the pins of a manager
 * that did not write them, so there is no other source to ask.
 */
static __always_inline __u32 ct_device_vip(const struct device_info *dev)
{
	return dev->fwd ? dev->vip_id : HAULER_NO_SERVER;
}

/* The key of the VIP a device serves (ct_device_vip); NULL: none. */
static __always_inline const struct vip_key *ct_device_vip_key(const struct device_info *dev)
{
	return dev->fwd ? &dev->vip : NULL;
}

/*
 * The slot of a client flow of VIP vip_id, h the first slot under its
 * digest (ct_find with skip 0): 0 (h filled; *dev its device, NULL when
 * gone) or -1. A slot whose device serves another VIP is another VIP's
 * flow under the same digest (a false match the slot can tell): looked
 * past, once. A slot of a gone device is taken as the flow's (its VIP is
 * unknown then).
 */
static __always_inline int ct_flow_of(const struct ct_ref *r, __u32 vip_id, struct ct_hit *h,
				      struct device_info **dev)
{
	*dev = ct_device(h->s);
	if (!*dev || ct_device_vip(*dev) == vip_id)
		return 0;
	if (ct_find(r, 1, h))
		return -1;
	*dev = ct_device(h->s);
	if (!*dev || ct_device_vip(*dev) == vip_id)
		return 0;
	return -1;
}

/* ct_flow_of with the first slot yet to read: 0 (h filled, *dev its device or NULL) or -1. */
static __always_inline int ct_find_flow(const struct ct_ref *r, __u32 vip_id, struct ct_hit *h,
					struct device_info **dev)
{
	if (ct_find(r, 0, h))
		return -1;
	return ct_flow_of(r, vip_id, h, dev);
}

/* Empty the slot h found (if it still holds what was read). */
static __always_inline void ct_clear(struct ct_hit *h)
{
	ct_update(h->b, h->i, h->s, 0);
}

/* Write v into the slot h found, unless it is what was read. */
static __always_inline int ct_put(struct ct_hit *h, __u64 v)
{
	if (v == h->s)
		return 1;
	return ct_update(h->b, h->i, h->s, v);
}

/* conn_touch_ns in ticks: how stale a slot's time may get before it is written. */
static __always_inline __u32 ct_touch_ticks(const struct config *cfg, __u8 proto)
{
	return conn_touch_ns(cfg, proto) >> HAULER_CT_TICK_SHIFT;
}

/* The flags a slot of proto starts with. */
static __always_inline __u32 ct_proto_flags(__u8 proto)
{
	return proto == IPPROTO_UDP ? CT_F_UDP : 0;
}

/*
 * conn_track on a slot: what this packet makes of it (s itself when
 * nothing changes). A RST or FIN marks it and restamps it; after either,
 * every packet restamps it; otherwise at most once a touch interval.
 */
static __always_inline __u64 ct_track(__u64 s, __u8 proto, __u8 tcp_flags, const struct config *cfg,
				      __u32 tick)
{
	__u32 f = ct_slot_flags(s);

	if (proto == IPPROTO_TCP && (tcp_flags & (TCP_FLAG_RST_BIT | TCP_FLAG_FIN_BIT)))
		return ct_slot_with(s, f | (tcp_flags & TCP_FLAG_RST_BIT ? CT_F_RST : CT_F_FIN),
				    tick);
	if ((f & (CT_F_FIN | CT_F_RST)) || ct_slot_age(s, tick) > ct_touch_ticks(cfg, proto))
		return ct_slot_with(s, f, tick);
	return s;
}

/*
 * conn_confirms on a half-open slot: TCP, tcp_confirms (in nat mode a
 * slot has no room for the SYN-ACK's sequence: the client's segments do
 * not confirm, the device's data does, ct_nat_return); UDP, a packet more
 * than a touch interval after the flow's first (a half-open slot's time
 * is its creation: half-open hits write nothing).
 */
static __always_inline int ct_confirms(__u64 s, __u8 proto, __u8 tcp_flags, __u8 fwd_mode,
				       const struct config *cfg, __u32 tick)
{
	if (proto == IPPROTO_TCP)
		return tcp_confirms(tcp_flags, fwd_mode, 0);
	return ct_slot_age(s, tick) > ct_touch_ticks(cfg, proto);
}

/* A slot confirmed: half-open no more, stamped now, FIN kept as conn_promote does. */
static __always_inline __u64 ct_promoted(__u64 s, __u8 proto, __u8 tcp_flags, __u32 tick)
{
	__u32 f = ct_proto_flags(proto);

	if (proto == IPPROTO_TCP && (tcp_flags & TCP_FLAG_FIN_BIT))
		f |= CT_F_FIN;
	return ct_slot_with(s, f, tick);
}

/*
 * The maps a nat reply's device is found in (include/hauler_reply.h):
 * the datapath reads them themselves, src is NULL.
 */
struct ct_src;

static __always_inline struct device_info *ct_src_device(struct ct_src *src, const __u32 *id)
{
	return bpf_map_lookup_elem(&devices, id);
}

static __always_inline struct dev_hint *ct_src_hint(struct ct_src *src, const __u32 *i)
{
	return bpf_map_lookup_elem(&dev_hints, i);
}

static __always_inline struct dev_ref *ct_src_addr(struct ct_src *src, const struct dev_addr *a)
{
	return bpf_map_lookup_elem(&dev_addrs, a);
}

#include "hauler_reply.h"

/* ct_dev_hint_in on the maps. */
static __always_inline __u32 ct_dev_hint(const struct flow_key *k)
{
	return ct_dev_hint_in(NULL, k);
}

/* ct_reply_device_in on the maps. */
static __always_inline struct device_info *ct_reply_device(const struct flow_key *k, __u32 hint,
							   __u32 *id, struct dev_ref *tomb)
{
	return ct_reply_device_in(NULL, k, hint, id, tomb);
}

/* ct_reply_bound_in on the maps. */
static __always_inline int ct_reply_bound(const struct flow_key *k, struct device_info *fd,
					  __u32 sid, struct device_info **dev, __u32 *id)
{
	return ct_reply_bound_in(NULL, k, fd, sid, dev, id);
}

/*
 * The entry of a NAT reply: c, its conns entry (looked up first thing,
 * hauler_xdp), or in half_open while the flow is half-open (a device's
 * SYN-ACK). *half says which.
 */
static __always_inline struct conn *reply_entry(const struct flow_key *k, struct conn *c, int *half)
{
	*half = 0;
	if (c)
		return c;
	*half = 1;
	return bpf_map_lookup_elem(&half_open, k);
}

/*
 * A nat reply k without its reply entry (a SYN flood pushed it out of
 * half_open within the handshake's round trip, or the LRU took it from
 * conns), known as the compact table knows every reply (ct_reply_flow):
 * its source names a nat device (dev_hints, else dev_addrs:
 * ct_reply_device), whose VIP gives the client's key *f, looked up in
 * conns, then half_open (*fc; *half: which). CT_REPLY_FLOW: *fc is bound
 * to a live device at the reply's source (*dev, *id: it); CT_REPLY_NONE:
 * no entry of that VIP's flow (decided without state and its return entry
 * gone too, or ended); CT_REPLY_GONE: *fc's device is gone (deleted, or
 * its id given again: ct_reply_bound); CT_REPLY_OTHER: no nat device's
 * reply (*dev NULL: *tomb, the tombstone at the source if any, as
 * ct_reply_device found it), or the flow is a device's elsewhere. Reads
 * only.
 */
static __always_inline int reply_flow_entry(const struct flow_key *k, struct flow_key *f,
					    struct device_info **dev, __u32 *id, struct conn **fc,
					    int *half, struct dev_ref *tomb)
{
	struct conn *e;

	*dev = ct_reply_device(k, ct_dev_hint(k), id, tomb);
	if (!*dev)
		return CT_REPLY_OTHER;
	client_key(f, k, &(*dev)->vip);
	e = reply_entry(f, bpf_map_lookup_elem(&conns, f), half);
	/* Another VIP's entry under the key is a dead one (established() ends it). */
	if (!e || e->vip_id != (*dev)->vip_id || (e->flags & HAULER_CONN_REPLY))
		return CT_REPLY_NONE;
	*fc = e;
	return ct_reply_bound(k, conn_device(e), e->device, dev, id);
}

/*
 * The client's flow of nat reply k from device *dev (*id, ct_reply_device):
 * its key (client -> the device's VIP) in *f, its place in *r, its slot
 * in *h, and what that slot says of the reply (CT_REPLY_*). A slot under
 * the digest that another VIP's device holds is looked past (ct_flow_of).
 * The slot's device must be at the reply's source: *dev and *id become
 * it (a device of the same VIP at the same address, or the one the key
 * named).
 */
static __always_inline int ct_reply_flow(const struct flow_key *k, struct device_info **dev,
					 __u32 *id, const struct config *cfg, struct flow_key *f,
					 struct ct_ref *r, struct ct_hit *h)
{
	struct device_info *fd = NULL;

	client_key(f, k, &(*dev)->vip);
	if (ct_ref_of(r, f, cfg))
		return CT_REPLY_OTHER;
	if (ct_find_flow(r, (*dev)->vip_id, h, &fd))
		return CT_REPLY_NONE;
	return ct_reply_bound(k, fd, ct_slot_device(h->s), dev, id);
}

/*
 * Has the UDP flow of compact-table slot s ended (ct_slot_ended, at tick
 * under limits l)? As conn_udp_ended for an LRU entry: its nat reply, or
 * an ICMP error about it, is passed as it came (ct_nat_return, reply_vip).
 */
static __always_inline int ct_udp_ended(__u64 s, __u8 proto, __u32 tick, const struct ct_limits *l)
{
	return proto == IPPROTO_UDP && ct_slot_ended(s, tick, l);
}

/*
 * Both tables, for the readers that only ask (ICMP errors, bpf/icmp.h):
 * the device a client's flow k to VIP vip_id is held on, in the table in
 * use (conns, then half_open; or the compact table), and its id in *id;
 * NULL when no live entry holds it (none, its device gone, another
 * VIP's). Nothing is written.
 */
static __always_inline struct device_info *flow_device(const struct flow_key *k, __u32 vip_id,
						       const struct config *cfg, __u32 *id)
{
	struct device_info *dev = NULL;
	struct ct_hit h = {};
	struct ct_ref r;
	struct conn *c;

	if (cfg->ct_buckets) {
		if (ct_ref_of(&r, k, cfg) || ct_find_flow(&r, vip_id, &h, &dev) || !dev)
			return NULL;
		*id = ct_slot_device(h.s);
		return dev;
	}
	c = bpf_map_lookup_elem(&conns, k);
	if (!c)
		c = bpf_map_lookup_elem(&half_open, k);
	if (!c || c->vip_id != vip_id)
		return NULL;
	*id = c->device;
	return conn_device(c);
}

/*
 * Both tables, as flow_device, by a nat reply's rules (nat_return,
 * ct_nat_return): what the state says of the nat flow whose reply key is
 * k (device -> client), CT_REPLY_*. CT_REPLY_FLOW: held, its device *dev
 * live (*id: its id; *vip_id: the flow's VIP); CT_REPLY_NONE: no state of
 * the flow, *dev the nat device at k's source (reply_flow_entry; the LRU
 * tables' reply entry gone with the client's, or the flow decided without
 * state): the caller takes it only where a reply would be translated
 * (not to the balancer itself, reply_forwarded; not from a device that
 * failed its health check); CT_REPLY_GONE: its device is gone;
 * CT_REPLY_OTHER: not such a reply (*dev as the caller set it, NULL,
 * where no device is at k's source: *tomb, a deleted one's tombstone
 * there if any, for the caller to ask whether it stands; zero where the
 * reply entry decided), a UDP flow that ended (both tables:
 * conn_udp_ended, ct_udp_ended), or (LRU) a reply entry an on-down reset
 * marked (HAULER_CONN_RESET: its reply refused, then passed). The LRU
 * tables' reply entry decides while it is there; without it, the
 * client's entry (reply_flow_entry), as nat_return. Nothing is written.
 */
static __always_inline int reply_vip(const struct flow_key *k, const struct config *cfg, __u64 now,
				     struct device_info **dev, __u32 *vip_id, __u32 *id,
				     struct dev_ref *tomb)
{
	struct conn *c = NULL, *fc;
	struct ct_hit h = {};
	struct ct_limits l;
	struct flow_key f;
	struct ct_ref r;
	int st, half, ended;

	tomb->id = 0;
	tomb->gone_until_s = 0;
	if (cfg->ct_buckets) {
		/* As ct_nat_return: its flow's slot, or none (decided without state). */
		*dev = ct_reply_device(k, ct_dev_hint(k), id, tomb);
		if (!*dev)
			return CT_REPLY_OTHER;
		st = ct_reply_flow(k, dev, id, cfg, &f, &r, &h);
		ct_limits_set(&l, cfg->rst_linger_ms, cfg->fin_grace_ms, cfg->udp_timeout_ms);
		ended = st == CT_REPLY_FLOW && ct_udp_ended(h.s, k->proto, ct_tick(now), &l);
	} else {
		c = reply_entry(k, bpf_map_lookup_elem(&conns, k), &half);
		if (c) {
			/* A client's entry: no reply's, but the source may be a tombstone's. */
			if (!(c->flags & HAULER_CONN_REPLY)) {
				ct_reply_ref_in(NULL, k, tomb);
				return CT_REPLY_OTHER;
			}
			*vip_id = c->vip_id;
			*id = c->device;
			*dev = conn_device(c);
			if (!*dev)
				return CT_REPLY_GONE;
			/* As nat_return: an on-down reset's flow, refused, then passed. */
			if (c->flags & HAULER_CONN_RESET)
				return CT_REPLY_OTHER;
			fc = c;
			st = CT_REPLY_FLOW;
		} else {
			st = reply_flow_entry(k, &f, dev, id, &fc, &half, tomb);
		}
		ended = st == CT_REPLY_FLOW && conn_udp_ended(fc, k->proto, cfg, now);
	}
	/* As nat_return and ct_nat_return: nothing for a UDP flow that ended. */
	if (ended)
		return CT_REPLY_OTHER;
	/* A reply entry's VIP is its own (above). */
	if (!c && (st == CT_REPLY_FLOW || st == CT_REPLY_NONE))
		*vip_id = (*dev)->vip_id;
	return st;
}

/*
 * The confirmation budget of the modes that never see the device's answer
 * (ipip, dsr; docs/datapath.md, "Forged handshakes in ipip mode"): there
 * the client's handshake ACK alone confirms a TCP flow, and a blind
 * spoofer who sends SYN then ACK per made-up flow can do the same. At
 * most config.confirm_burst such confirmations (config set confirm-budget;
 * 0: CONFIRM_BURST_DEFAULT, 512) per CPU every CONFIRM_WINDOW_MS (100 ms)
 * move flows into the established table, so a flood of forged handshakes
 * pushes out established flows at that rate, not at line rate. A flow over
 * the budget stays half-open (it is forwarded all the same) and its next
 * ACK tries again. nat flows are confirmed by what a spoofer cannot forge
 * (the SYN-ACK's sequence, the device's data), UDP by time: neither takes
 * from the budget.
 */
HAULER_RATE_MAP(confirm_rate);

/* May this packet's confirmation (fwd_mode, proto) go now? Counted when not. */
static __always_inline int confirm_allowed(struct xdp_md *ctx, __u8 fwd_mode, __u8 proto,
					   const struct config *cfg, __u64 now)
{
	__u32 burst = cfg->confirm_burst ? cfg->confirm_burst : HAULER_CONFIRM_BURST_DEFAULT;

	if (fwd_mode == HAULER_FWD_NAT || proto != IPPROTO_TCP)
		return 1;
	if (rate_allowed(&confirm_rate, burst, HAULER_CONFIRM_WINDOW_MS * 1000000ULL, now))
		return 1;
	stat_reason(HAULER_STAT_conn_confirm_limited, ctx);
	return 0;
}

#endif
