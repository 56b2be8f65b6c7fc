/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * conn.h - the connection tables: a flow's device is decided once and
 * kept. TCP RST and FIN end an entry after a short linger; UDP entries
 * end after an idle timeout. An ended TCP entry is decided anew only by a
 * SYN. NAT flows have a second entry keyed by the reply, for the return
 * path.
 *
 * Two tables (docs/datapath.md, "Connections"): a new flow is recorded in
 * half_open, and moves to conns only on evidence that its client exists
 * (TCP: the handshake ACK, in nat mode one that acknowledges the device's
 * SYN-ACK; UDP: a packet a while after its first). Junk
 * (spoofed SYNs, one-off datagrams) fills and evicts half_open only; a
 * TCP packet without SYN that finds no entry is forwarded by the hash
 * choice without a client entry (nat: the return entry only, in half_open).
 */
#ifndef HAULER_BPF_CONN_H
#define HAULER_BPF_CONN_H

#include "xdp_maps.h"
#include "pkt_parse.h"

#define HAULER_NS_PER_MS 1000000ULL
#define HAULER_TOUCH_NS	 1000000000ULL /* refresh last_seen at most once a second */

static __always_inline struct config *config_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&config, &zero);
}

/*
 * ns since the entry's last packet; 0 when it was stamped ahead of now:
 * by another CPU whose clock (bpf/clock.h, a per-CPU memo) had moved on.
 */
static __always_inline __u64 conn_age(const struct conn *c, __u64 now)
{
	return now > c->last_seen_ns ? now - c->last_seen_ns : 0;
}

/*
 * Has the entry ended? After a RST, rst-linger ms after its last packet;
 * after a FIN, fin-grace ms after its last packet (every packet after
 * either extends it); a UDP entry after udp-timeout ms idle. An
 * established TCP entry does not age (the LRU takes it).
 */
static __always_inline int conn_expired(const struct conn *c, __u8 proto, const struct config *cfg,
					__u64 now)
{
	__u64 age = conn_age(c, now);

	if (c->flags & HAULER_CONN_RST)
		return age > cfg->rst_linger_ms * HAULER_NS_PER_MS;
	if (c->flags & HAULER_CONN_FIN)
		return age > cfg->fin_grace_ms * HAULER_NS_PER_MS;
	if (proto == IPPROTO_UDP)
		return age > cfg->udp_timeout_ms * HAULER_NS_PER_MS;
	return 0;
}

/*
 * Has the UDP flow of entry c ended (conn_expired)? A nat reply of such a
 * flow, or an ICMP error about it, is passed as it came (nat_return,
 * reply_vip): TCP is translated while its entry is there.
 */
static __always_inline int conn_udp_ended(const struct conn *c, __u8 proto,
					  const struct config *cfg, __u64 now)
{
	return proto == IPPROTO_UDP && conn_expired(c, proto, cfg, now);
}

/* The flow key of the other direction of f. */
static __always_inline void flow_reverse(struct flow_key *r, const struct flow_key *f)
{
	flow_key_set(r, f, f->dst, f->dport, f->src, f->sport);
}

/* The VIP flow f is addressed to (vk: its key), or NULL. */
static __always_inline struct vip_info *vip_of(const struct flow_key *f, struct vip_key *vk)
{
	__builtin_memcpy(vk->addr, f->dst, 16);
	vk->port = f->dport;
	vk->family = f->family;
	vk->proto = f->proto;
	return bpf_map_lookup_elem(&vips, vk);
}

/* Is flow f addressed to the VIP vk (the key vip_of would look up)? */
static __always_inline int vip_key_is(const struct vip_key *vk, const struct flow_key *f)
{
	return vk->port == f->dport && vk->family == f->family && vk->proto == f->proto &&
	       vk->addr[0] == f->dst[0] && vk->addr[1] == f->dst[1] && vk->addr[2] == f->dst[2] &&
	       vk->addr[3] == f->dst[3];
}

/*
 * The device entry c is bound to, or NULL when that device is gone:
 * deleted, or its id given to another device since (another generation).
 */
static __always_inline struct device_info *conn_device(const struct conn *c)
{
	struct device_info *dev;
	__u32 id = c->device;

	dev = bpf_map_lookup_elem(&devices, &id);
	if (!dev || !dev->in_use || dev->gen != c->dev_gen)
		return NULL;
	return dev;
}

/*
 * Remove an ended flow's entry in map, and its NAT return entry if it has one.
 * The return entry's key is the device's address: with the device gone it
 * is unknown (the id may name another device now, whose entry this must
 * not touch); that entry is inert (nat_return checks the generation) and
 * the LRU takes it.
 */
static __always_inline void conn_forget(void *map, const struct conn *c, const struct flow_key *key)
{
	struct device_info *dev = conn_device(c);
	struct flow_key r;

	if (dev) {
		reply_key(&r, key, dev);
		bpf_map_delete_elem(map, &r);
	}
	bpf_map_delete_elem(map, key);
}

#define CONN_TRACK_TOUCHED 1 /* last_seen was refreshed */

/*
 * How stale last_seen may get before it is written again: at most a
 * second (fewer writes on the fast path), and well inside the UDP timeout
 * so a busy UDP flow never expires.
 */
static __always_inline __u64 conn_touch_ns(const struct config *cfg, __u8 proto)
{
	__u64 half = cfg->udp_timeout_ms * (HAULER_NS_PER_MS / 2);

	if (proto == IPPROTO_UDP && half < HAULER_TOUCH_NS)
		return half;
	return HAULER_TOUCH_NS;
}

/*
 * Note what this packet says about the connection's life. A RST or FIN
 * marks the entry, which then ends after a linger (conn_expired): a
 * crossing RST or the last ACKs still find it, and a spoofed RST cannot
 * cut a live flow, whose next packets keep the entry. Returns
 * CONN_TRACK_TOUCHED when last_seen was refreshed.
 */
static __always_inline int conn_track(struct conn *c, const struct flow_key *key, __u8 tcp_flags,
				      const struct config *cfg, __u64 now)
{
	if (key->proto == IPPROTO_TCP && (tcp_flags & (TCP_FLAG_RST_BIT | TCP_FLAG_FIN_BIT))) {
		c->flags |= tcp_flags & TCP_FLAG_RST_BIT ? HAULER_CONN_RST : HAULER_CONN_FIN;
		c->last_seen_ns = now;
		return CONN_TRACK_TOUCHED;
	}
	if ((c->flags & (HAULER_CONN_FIN | HAULER_CONN_RST)) ||
	    conn_age(c, now) > conn_touch_ns(cfg, key->proto)) {
		/* After a FIN or RST every packet extends the linger: live flows live on. */
		c->last_seen_ns = now;
		return CONN_TRACK_TOUCHED;
	}
	return 0;
}

/* A TCP segment with ACK and without SYN or RST: what confirms a flow. */
static __always_inline int tcp_ack_only(__u8 tcp_flags)
{
	return (tcp_flags & (TCP_FLAG_ACK_BIT | TCP_FLAG_SYN_BIT | TCP_FLAG_RST_BIT)) ==
	       TCP_FLAG_ACK_BIT;
}

/*
 * The TCP rule of conn_confirms, shared by both tables: a client's
 * segment confirms a half-open flow when it is an ACK without SYN or RST
 * and, in nat mode, acknowledges the device's SYN-ACK (acked: the table
 * noted that SYN-ACK and the segment acknowledges it; the compact table
 * has no room to note it, so there a client's segment never confirms a
 * nat flow and the device's data does, reply_confirms).
 */
static __always_inline int tcp_confirms(__u8 tcp_flags, __u8 fwd_mode, int acked)
{
	if (!tcp_ack_only(tcp_flags))
		return 0;
	return fwd_mode != HAULER_FWD_NAT || acked;
}

/*
 * Does this packet of a half-open flow confirm it? TCP: the client's
 * handshake ACK, or any later segment (ACK without SYN or RST; a FIN is
 * kept, conn_promote). In nat mode the balancer sees the device's SYN-ACK
 * (nat_return notes its sequence, CONN_SYNACK): the segment must
 * acknowledge it (ack, its acknowledgment number), which a spoofer who
 * never received it cannot do: SYN then ACK from a made-up source, each
 * sent twice, would otherwise confirm junk that pushes live flows out of
 * conns. ipip and dsr never see the answer: an ACK suffices. UDP: a packet that comes
 * more than a touch interval (at most a second) after the flow's first
 * one: a flood that sends each spoofed flow once, or a few times in a
 * row, never confirms one. A half-open entry's last_seen is its creation
 * time (half-open hits write nothing). A packet the caller would refresh
 * anyway (conn_touch_ns) is the same test: UDP that lives past it.
 */
static __always_inline int conn_confirms(const struct conn *h, const struct flow_key *key,
					 __u8 tcp_flags, __u8 fwd_mode, __u32 ack,
					 const struct config *cfg, __u64 now)
{
	if (key->proto == IPPROTO_TCP)
		return tcp_confirms(tcp_flags, fwd_mode,
				    (h->flags & HAULER_CONN_SYNACK) && ack == h->synack_ack);
	return conn_age(h, now) > conn_touch_ns(cfg, key->proto);
}

/*
 * Does this packet of a device (a NAT reply of a half-open flow,
 * payload: its TCP payload's length) confirm the flow? Both tables. A TCP segment
 * with ACK, without SYN or RST, that carries data: a device sends data
 * only on a connection it holds, one whose SYN-ACK was acknowledged,
 * which a spoofer who never received the SYN-ACK cannot do. A bare ACK
 * proves nothing: a device holding a spoofed SYN (SYN-RECEIVED) answers
 * an out-of-window segment with one, and the forged ACK of a flood that
 * pushed the SYN's half-open entry out reaches it without state. While
 * the balancer saw the handshake pending (after the device's SYN-ACK,
 * CONN_SYNACK) only the client's ACK of the SYN-ACK confirms
 * (conn_confirms).
 */
static __always_inline int reply_confirms(__u8 proto, __u8 tcp_flags, __u32 payload)
{
	return proto == IPPROTO_TCP && tcp_ack_only(tcp_flags) && payload;
}

/* reply_confirms for a half-open conns entry h (the rule above, its last sentence). */
static __always_inline int conn_reply_confirms(const struct conn *h, __u8 proto, __u8 tcp_flags,
					       __u32 payload)
{
	return !(h->flags & HAULER_CONN_SYNACK) && reply_confirms(proto, tcp_flags, payload);
}

/*
 * The device's SYN-ACK (seq, its sequence number) of a half-open nat flow
 * passes: note in the client's entry fc the acknowledgment that will
 * confirm the flow, and mark both entries (h: the reply's).
 */
static __always_inline void conn_note_synack(struct conn *h, struct conn *fc, __u32 seq)
{
	fc->synack_ack = seq + 1;
	fc->flags |= HAULER_CONN_SYNACK;
	h->flags |= HAULER_CONN_SYNACK;
}

/*
 * Move a NAT flow confirmed by its device's reply (entry h, keyed r) from
 * half_open to conns: the client's entry f (which a stateless decision
 * never wrote) is made from the reply's. Returns 0, or -1 when conns
 * refused it.
 */
static __always_inline int conn_promote_reply(const struct conn *h, const struct flow_key *r,
					      const struct flow_key *f, __u64 now)
{
	struct conn c = *h;

	c.last_seen_ns = now;
	c.synack_ack = 0;
	c.flags = 0;
	if (bpf_map_update_elem(&conns, f, &c, BPF_ANY))
		return -1;
	c.flags = HAULER_CONN_REPLY;
	bpf_map_update_elem(&conns, r, &c, BPF_ANY);
	bpf_map_delete_elem(&half_open, f);
	bpf_map_delete_elem(&half_open, r);
	return 0;
}

/*
 * Move a confirmed flow from half_open to conns: both entries of a NAT
 * flow. conns is written before half_open is cleared, so another CPU
 * finds the flow in one table or the other at every moment. h is copied
 * first: the delete frees it. Returns 0, or -1 when conns refused it
 * (the flow then stays half-open).
 */
static __always_inline int conn_promote(const struct conn *h, const struct flow_key *key,
					const struct device_info *dev, __u8 fwd_mode,
					__u8 tcp_flags, __u64 now)
{
	struct conn c = *h;
	struct flow_key r;

	c.last_seen_ns = now;
	c.synack_ack = 0;
	/* A FIN on the confirming segment starts the grace, as conn_track would. */
	c.flags = key->proto == IPPROTO_TCP && (tcp_flags & TCP_FLAG_FIN_BIT) ? HAULER_CONN_FIN : 0;
	if (bpf_map_update_elem(&conns, key, &c, BPF_ANY))
		return -1;
	if (fwd_mode == HAULER_FWD_NAT) {
		reply_key(&r, key, dev);
		c.flags = HAULER_CONN_REPLY;
		bpf_map_update_elem(&conns, &r, &c, BPF_ANY);
		bpf_map_delete_elem(&half_open, &r);
	}
	bpf_map_delete_elem(&half_open, key);
	return 0;
}

#endif
