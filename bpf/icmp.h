/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * icmp.h - ICMP errors about VIP flows, and the balancer's own "too big".
 *
 * An ICMP error (RFC 792, RFC 4443) quotes the start of the packet it is
 * about. A router on the client's side that cannot deliver what a device
 * sent as the VIP (or needs it smaller) sends its error to the VIP: the
 * quoted packet's source is VIP:port, its destination the client. That
 * error belongs to the flow's device, not to this host, which holds no
 * socket for it: it goes to the device the flow is on (ipip: encapsulated
 * as the flow's packets are; nat: the VIP in the outer destination and in
 * the quoted source translated to the device, with every checksum kept
 * right). In nat mode a device (or a router on its side) answers packets
 * the balancer sent it from the client: those errors, quoting client ->
 * device, are translated back to the VIP for the client.
 *
 * The flow is found through the quoted header alone, in whichever
 * connection table is in use (bpf/ctconn.h, flow_device and reply_vip:
 * conns and half_open, or the compact table), and nothing is written: an error changes no entry and
 * no counter but its own. An error is believed only when it is addressed to the quoted packet's
 * source (where a real one goes) and the flow is held, and one for a nat client only when it came
 * from the balancer's next hop towards the quoted device, as a nat reply must (icmp_spoofed); the
 * device's own stack then checks the rest (TCP sequence numbers, RFC 5927).
 *
 * Second, when an encapsulated packet does not fit the route MTU towards
 * its device, the client is told (IPv4 with DF: "fragmentation needed",
 * IPv6: "packet too big"), with the MTU less the tunnel header, so that
 * path-MTU discovery works through the balancer. So is a client whose
 * encapsulated packet a router on the device's path could not carry: its
 * "too big", quoting the tunnel packet, becomes the client's. At most
 * HAULER_TOO_BIG_BURST answers of both kinds per CPU every
 * HAULER_TOO_BIG_WINDOW_NS.
 */
#ifndef HAULER_BPF_ICMP_H
#define HAULER_BPF_ICMP_H

#include "ctconn.h"
#include "forward.h"
#include "reset.h"
#include "ratelimit.h"
#include "clock.h"

#define HAULER_ICMP_HLEN	 8
#define HAULER_ICMP_QUOTE	 128 /* bytes of the oversized packet a too-big answer quotes */
#define HAULER_TOO_BIG_BURST	 50
#define HAULER_TOO_BIG_WINDOW_NS (50 * 1000000ULL) /* 50 per 50 ms: 1000/s per CPU */
#define HAULER_MAX_Q3_OFF	 (HAULER_MAX_L4_OFF + HAULER_ICMP_HLEN)

/*
 * The three ways of an ICMP error (to a device, to a client, from a
 * tunnel) are BPF global functions: the verifier checks each once, for
 * any arguments, apart from the program (inlined, the states that the
 * reply rules of both tables leave multiplied the paths of everything
 * after them, docs/performance.md). Their pointer arguments may be NULL
 * (checked); a packet pointer cannot be one (the ICMP header is found
 * again); at most five arguments. One may tail call (forwarding's
 * too-big) only while the frames above it hold under 256 bytes: the
 * program's own is small, and must stay so.
 */
#define ICMP_GLOBAL __attribute__((noinline))

/* Is this an ICMP error about a packet (one that quotes it)? */
static __always_inline int icmp_is_error(__u8 family, __u8 type)
{
	if (family == 4)
		return type == 3 || type == 11; /* destination unreachable, time exceeded */
	return type >= 1 && type <= 3;		/* unreachable, packet too big, time exceeded */
}

static __always_inline int addr_eq(const __u32 *a, const __u32 *b)
{
	return a[0] == b[0] && a[1] == b[1] && a[2] == b[2] && a[3] == b[3];
}

/*
 * Read the packet quoted at off (at most max) into q: its IP header by the
 * parser's rules (parse_ip; proto: its EtherType), then the ports, of
 * which an error carries at least the first 8 bytes. Returns PARSE_OK,
 * HAULER_STAT_icmp_malformed, or HAULER_STAT_icmp_unknown (not TCP or
 * UDP: no flow of ours; q's header fields are set).
 */
static __always_inline int icmp_quoted_at(struct xdp_md *ctx, __u32 off, __u32 max, __be16 proto,
					  struct pkt *q)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__be16 *ports;

	if (off > max)
		return HAULER_STAT_icmp_malformed;
	q->l3_off = off;
	if (parse_ip(data, end, off, proto, q) != PARSE_OK)
		return HAULER_STAT_icmp_malformed;
	if (q->flow.proto != IPPROTO_TCP && q->flow.proto != IPPROTO_UDP)
		return HAULER_STAT_icmp_unknown;
	off = q->l4_off;
	if (off > max + 60)
		return HAULER_STAT_icmp_malformed;
	ports = data + off;
	if ((void *)ports + 8 > end)
		return HAULER_STAT_icmp_malformed;
	q->flow.sport = ports[0];
	q->flow.dport = ports[1];
	return PARSE_OK;
}

/* The packet the ICMP error of p quotes, into q (icmp_quoted_at). */
static __always_inline int icmp_quoted(struct xdp_md *ctx, const struct pkt *p, struct pkt *q)
{
	return icmp_quoted_at(ctx, p->l4_off + HAULER_ICMP_HLEN, HAULER_MAX_Q3_OFF, p->eth_proto,
			      q);
}

/* The quoted TCP/UDP checksum, when the error carries it (TCP's is past the first 8 bytes). */
static __always_inline __u16 *quoted_l4sum(void *data, void *end, const struct pkt *q)
{
	__u32 off = q->l4_off;
	__u16 *sum;

	if (off > HAULER_MAX_Q3_OFF + 60)
		return NULL;
	sum = data + off + (q->flow.proto == IPPROTO_TCP ? 16 : 6);
	if ((void *)(sum + 1) > end)
		return NULL;
	if (q->flow.proto == IPPROTO_UDP && q->flow.family == 4 && !*sum)
		return NULL; /* no UDP checksum */
	return sum;
}

/*
 * Translate the ICMP error p, quoting q, between a VIP and a device: the
 * quoted packet's source (src) or destination becomes addr:port, and the
 * outer address on the other side (the error goes to the quoted packet's
 * source) too when it held the same address; a router's own address stays.
 * The quoted IPv4 header and TCP/UDP checksums (when quoted), the outer
 * IPv4 header checksum and the ICMP checksum (ICMPv6: its pseudo-header
 * too) are kept right.
 */
static __always_inline int icmp_nat(struct xdp_md *ctx, const struct pkt *p, const struct pkt *q,
				    const __u32 *addr, __u16 port, int src)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u32 l3 = p->l3_off, l4 = p->l4_off, q3 = q->l3_off, q4 = q->l4_off, dq, d;
	__u16 *isum, *qsum, *qport, old;

	if (l3 > HAULER_MAX_L3_OFF || l4 > HAULER_MAX_L4_OFF || q3 > HAULER_MAX_Q3_OFF ||
	    q4 > HAULER_MAX_Q3_OFF + 60)
		return -1;
	isum = data + l4 + 2;
	qport = data + q4 + (src ? 0 : 2);
	if ((void *)(isum + 1) > end || (void *)(qport + 1) > end)
		return -1;
	if (p->flow.family == 4) {
		struct iphdr *ip = data + l3, *qip = data + q3;
		__u32 *qa, *oa;

		if ((void *)(ip + 1) > end || (void *)(qip + 1) > end)
			return -1;
		qa = src ? &qip->saddr : &qip->daddr;
		oa = src ? &ip->daddr : &ip->saddr;
		dq = csum_delta4(*qa, addr[0]);
		if (*oa == *qa) {
			csum_apply(&ip->check, dq);
			*oa = addr[0];
		}
		old = qip->check;
		csum_apply(&qip->check, dq);
		d = dq + csum_delta2(old, qip->check);
		*qa = addr[0];
	} else {
		struct ipv6hdr *ip6 = data + l3, *qip6 = data + q3;
		__u32 *qa, *oa;

		if ((void *)(ip6 + 1) > end || (void *)(qip6 + 1) > end)
			return -1;
		qa = src ? (__u32 *)&qip6->saddr : (__u32 *)&qip6->daddr;
		oa = src ? (__u32 *)&ip6->daddr : (__u32 *)&ip6->saddr;
		dq = csum_delta16(qa, addr);
		d = dq;
		if (addr_eq(oa, qa)) {
			d += dq; /* the ICMPv6 pseudo-header */
			__builtin_memcpy(oa, addr, 16);
		}
		__builtin_memcpy(qa, addr, 16);
	}
	dq += csum_delta2(*qport, port);
	d += csum_delta2(*qport, port);
	qsum = quoted_l4sum(data, end, q);
	if (qsum) {
		old = *qsum;
		csum_apply(qsum, dq);
		if (q->flow.proto == IPPROTO_UDP && !*qsum)
			*qsum = 0xffff;
		d += csum_delta2(old, *qsum);
	}
	*qport = port;
	csum_apply(isum, d);
	return 0;
}

/*
 * An error about a packet a device sent as the VIP vi (the quoted source):
 * to the flow's device. Returns the verdict.
 */
ICMP_GLOBAL int icmp_to_device(struct xdp_md *ctx, const struct pkt *p, const struct pkt *q,
			       const struct vip_info *vi, const struct config *cfg)
{
	__u64 now = hauler_now();
	struct device_info *dev;
	struct pkt e;
	__u32 id = 0;

	if (!p || !q || !vi || !cfg)
		return XDP_PASS;
	e = *p;

	flow_reverse(&e.flow, &q->flow); /* the client's flow: client -> VIP */
	dev = flow_device(&e.flow, vi->vip_id, cfg, &id);
	if (!dev || dev->family != p->flow.family)
		goto unknown;
	if (!addr_eq(p->flow.dst, q->flow.src)) {
		stat_reason(HAULER_STAT_icmp_forged, ctx);
		return XDP_DROP;
	}
	if (vi->fwd_mode == HAULER_FWD_IPIP) {
		/* e: the ICMP packet, with the flow's key for the IPv6 flow label. */
		if (encap(ctx, &e, dev, cfg)) {
			stat_reason(HAULER_STAT_drop_encap, ctx);
			return XDP_DROP;
		}
	} else if (icmp_nat(ctx, p, q, dev->addr, dev->port, 1)) {
		stat_reason(HAULER_STAT_icmp_malformed, ctx);
		return XDP_PASS;
	}
	stat_reason(HAULER_STAT_icmp_to_device, ctx);
	return cached_xmit(ctx, p->l3_off, dev->family, dev->addr, nh_dev_slot(id), now);
unknown:
	stat_reason(HAULER_STAT_icmp_unknown, ctx);
	return XDP_PASS;
}

/*
 * An error about a packet the balancer sent a nat device from a client
 * (quoted: client -> device): back to the client, as from the VIP, where
 * the device's own reply would be translated (reply_vip): its flow held
 * on that device, or no state of it (the LRU tables' reply entry and
 * the client's gone in a flood, or a flow decided without state) when the
 * device has not failed its health check and the error goes to a host
 * the balancer forwards to (reply_forwarded: not an error about the
 * balancer's own packet, a health check's, which its socket must get as
 * sent). Where the reply would be refused as a gone device's
 * (CT_REPLY_GONE: its device deleted, its id given again, or its address
 * a deleted device's tombstone), an error to a host the balancer
 * forwards to is dropped, counted as that reply (conn_device_gone): the
 * kernel would forward it with the device's address. Anything else is
 * passed (icmp_unknown). Only from the device's side, as a nat reply
 * (reply_spoofed: the balancer's next hop towards the quoted device);
 * from anywhere else, a counted drop.
 */
ICMP_GLOBAL int icmp_to_client(struct xdp_md *ctx, const struct pkt *p, const struct pkt *q,
			       const struct config *cfg, __u64 now)
{
	struct device_info *dev = NULL;
	__u32 vip_id = 0, id = 0;
	struct dev_ref tomb;
	struct flow_key r;
	struct vip_key *vk;
	int st;

	if (!p || !q || !cfg)
		return XDP_PASS;
	flow_reverse(&r, &q->flow); /* the reply's key: device -> client */
	st = reply_vip(&r, cfg, now, &dev, &vip_id, &id, &tomb);
	/* No device at the source, but a deleted one's tombstone: as nat_return, ct_nat_return. */
	if (st == CT_REPLY_OTHER && !dev && hauler_dev_tomb_stands(&tomb, now))
		st = CT_REPLY_GONE;
	if (st == CT_REPLY_GONE || (st == CT_REPLY_NONE && !(dev->health & HAULER_HEALTH_FAILED))) {
		if (!reply_forwarded(ctx, p, now))
			goto unknown;
		if (st == CT_REPLY_GONE) {
			stat_reason(HAULER_STAT_conn_device_gone, ctx);
			return XDP_DROP;
		}
	} else if (st != CT_REPLY_FLOW) {
		goto unknown;
	}
	vk = bpf_map_lookup_elem(&vip_index, &vip_id);
	if (!vk || vk->family != p->flow.family)
		goto unknown;
	if (!addr_eq(p->flow.dst, q->flow.src)) {
		stat_reason(HAULER_STAT_icmp_forged, ctx);
		return XDP_DROP;
	}
	if (reply_spoofed(ctx, q->flow.family, q->flow.dst, id, HAULER_STAT_icmp_spoofed, now))
		return XDP_DROP;
	if (icmp_nat(ctx, p, q, vk->addr, vk->port, 0)) {
		stat_reason(HAULER_STAT_icmp_malformed, ctx);
		return XDP_PASS;
	}
	stat_reason(HAULER_STAT_icmp_to_client, ctx);
	return cached_xmit(ctx, p->l3_off, p->flow.family, p->flow.dst, nh_client_slot(p->flow.dst),
			   now);
unknown:
	stat_reason(HAULER_STAT_icmp_unknown, ctx);
	return XDP_PASS;
}

/* Per CPU: the too-big answers of the current window (bpf/ratelimit.h). */
HAULER_RATE_MAP(too_big_rate);

/* May another too-big answer go out now? */
static __always_inline int too_big_allowed(__u64 now)
{
	return rate_allowed(&too_big_rate, HAULER_TOO_BIG_BURST, HAULER_TOO_BIG_WINDOW_NS, now);
}

/*
 * Turn the router's error p (its ICMP header at icmp; quoting the tunnel
 * header t of an encapsulated packet, then the client's packet q) into
 * the error the client gets: the quoted tunnel header cut out, the IP
 * header rewritten from the VIP to the client, the MTU less the tunnel
 * header. The rest of the quote stays in place. The ICMP checksum is
 * updated for what changed (RFC 1624): its header words, the quoted
 * tunnel header gone (an even length at an even offset: the words after
 * it keep their place in the sum) and, ICMPv6, the pseudo-header. The
 * answer is shorter than the error: no amplification.
 */
static __always_inline int icmp_untunnel(struct xdp_md *ctx, const struct pkt *p, __u8 *icmp,
					 const struct pkt *t, const struct pkt *q, __u32 mtu)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u32 l3 = p->l3_off, t3 = t->l3_off, hlen, shift, len, d, oh[2], nh[2] = {0, 0};
	__u8 l2[ETH_HLEN + HAULER_VLAN_HLEN];
	__u16 check;

	hlen = p->flow.family == 4 ? sizeof(struct iphdr) : sizeof(struct ipv6hdr);
	if ((l3 != ETH_HLEN && l3 != ETH_HLEN + HAULER_VLAN_HLEN) || t3 > HAULER_MAX_Q3_OFF ||
	    q->l3_off != t3 + hlen || data + sizeof(l2) > end)
		return -1;
	/* What goes: the router's IP header beyond a plain one, and the tunnel header. */
	shift = q->l3_off - (l3 + hlen + HAULER_ICMP_HLEN);
	len = ip_tot_len(ctx, l3, p->flow.family);
	if (len < q->l3_off - l3 + sizeof(struct iphdr))
		return -1; /* the IP length does not even cover the quoted header */
	len -= shift;
	__builtin_memcpy(l2, data, sizeof(l2));
	__builtin_memcpy(oh, icmp, sizeof(oh));
	check = ((__u16 *)oh)[1];
	((__u16 *)oh)[1] = 0;
	if (p->flow.family == 4) {
		((__u8 *)nh)[0] = 3; /* destination unreachable */
		((__u8 *)nh)[1] = 4; /* fragmentation needed and DF set */
		((__be16 *)nh)[3] = bpf_htons(mtu);
	} else {
		((__u8 *)nh)[0] = 2; /* packet too big */
		nh[1] = bpf_htonl(mtu);
	}
	d = csum_fold(bpf_csum_diff(oh, sizeof(oh), nh, sizeof(nh), 0));
	if (p->flow.family == 4) {
		if (data + t3 + sizeof(struct iphdr) > end)
			return -1;
		d += csum_fold(bpf_csum_diff(data + t3, sizeof(struct iphdr), NULL, 0, 0));
	} else {
		if (data + t3 + sizeof(struct ipv6hdr) > end)
			return -1;
		d += csum_fold(bpf_csum_diff(data + t3, sizeof(struct ipv6hdr), NULL, 0, 0));
		/* The pseudo-header: router -> tunnel source becomes VIP -> client, and the length.
		 */
		d += csum_delta16(p->flow.src, q->flow.dst) +
		     csum_delta16(p->flow.dst, q->flow.src) +
		     csum_delta4(bpf_htonl(len - sizeof(struct ipv6hdr) + shift),
				 bpf_htonl(len - sizeof(struct ipv6hdr)));
	}
	csum_apply(&check, d);
	((__u16 *)nh)[1] = check;

	if (bpf_xdp_adjust_head(ctx, (int)shift))
		return -1;
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	if (data + sizeof(l2) > end)
		return -1;
	/* Untagged: 4 bytes of IP header too, rewritten below. */
	__builtin_memcpy(data, l2, sizeof(l2));
	icmp = ip_answer(data, end, l3, p->flow.family,
			 p->flow.family == 4 ? IPPROTO_ICMP : IPPROTO_ICMPV6, len - hlen,
			 q->flow.dst, q->flow.src, 0, HAULER_ICMP_HLEN);
	if (!icmp)
		return -1;
	__builtin_memcpy(icmp, nh, sizeof(nh));
	return 0;
}

/*
 * An error quoting a tunnel packet (t: IPIP / IP6IP6 from the balancer
 * to a device): "fragmentation needed" / "packet too big" from a router
 * on the device's path. The client's packet inside is looked up as the
 * flow's own; the client is told the MTU less the tunnel header (as the
 * balancer's own too-big, and under its rate limit). Believed only when
 * addressed to the tunnel's source, about a held ipip flow whose device
 * is the tunnel's destination, and from the device's side (reply_spoofed:
 * the balancer's next hop towards the device; else a counted drop,
 * icmp_spoofed, before it takes from the rate limit); other errors about
 * the tunnel are passed (icmp_unknown). p: the error, its ICMP header
 * checked by icmp_handle.
 */
ICMP_GLOBAL int icmp_from_tunnel(struct xdp_md *ctx, const struct pkt *p, const struct pkt *t)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u32 hlen, mtu, off;
	__u64 now = hauler_now();
	struct device_info *dev;
	struct vip_key vk = {};
	struct config *cfg;
	struct vip_info *vi;
	struct pkt q = {};
	__u8 *icmp;
	__u32 id = 0;
	int ret;

	if (!p || !t)
		return XDP_PASS;
	/* The ICMP header, as icmp_handle found it. */
	off = p->l4_off;
	if (off > HAULER_MAX_L4_OFF)
		return XDP_PASS;
	icmp = data + off;
	if ((void *)(icmp + HAULER_ICMP_HLEN) > end)
		return XDP_PASS;
	hlen = p->flow.family == 4 ? sizeof(struct iphdr) : sizeof(struct ipv6hdr);
	if (p->flow.family == 4 ? icmp[0] != 3 || icmp[1] != 4 : icmp[0] != 2)
		goto unknown;
	ret = icmp_quoted_at(ctx, t->l4_off, HAULER_MAX_Q3_OFF + 60, p->eth_proto, &q);
	if (ret != PARSE_OK) {
		stat_reason(ret, ctx);
		return XDP_PASS;
	}
	vi = vip_of(&q.flow, &vk);
	if (!vi || vi->fwd_mode != HAULER_FWD_IPIP || t->l4_off - t->l3_off != hlen)
		goto unknown;
	cfg = config_get();
	if (!cfg)
		goto unknown;
	dev = flow_device(&q.flow, vi->vip_id, cfg, &id);
	if (!dev || dev->family != p->flow.family || !addr_eq(dev->addr, t->flow.dst))
		goto unknown;
	if (!addr_eq(p->flow.dst, t->flow.src)) {
		stat_reason(HAULER_STAT_icmp_forged, ctx);
		return XDP_DROP;
	}
	if (reply_spoofed(ctx, p->flow.family, dev->addr, id, HAULER_STAT_icmp_spoofed, now))
		return XDP_DROP;
	mtu = p->flow.family == 4 ? bpf_ntohs(*(__be16 *)(icmp + 6))
				  : bpf_ntohl(*(__be32 *)(icmp + 4));
	if (mtu < (p->flow.family == 4 ? hlen + 68 : 1280) || mtu > 0xffff) {
		stat_reason(HAULER_STAT_icmp_malformed, ctx);
		return XDP_PASS;
	}
	if (!too_big_allowed(now)) {
		stat_reason(HAULER_STAT_too_big_limited, ctx);
		return XDP_DROP;
	}
	if (icmp_untunnel(ctx, p, icmp, t, &q, mtu - hlen)) {
		stat_reason(HAULER_STAT_icmp_malformed, ctx);
		return XDP_DROP;
	}
	stat_reason(HAULER_STAT_icmp_tunnel_too_big, ctx);
	return cached_xmit(ctx, p->l3_off, p->flow.family, q.flow.src, nh_client_slot(q.flow.src),
			   now);
unknown:
	stat_reason(HAULER_STAT_icmp_unknown, ctx);
	return XDP_PASS;
}

/* An ICMP or ICMPv6 packet (parse_packet said pass_not_l4): errors about our flows. */
static __always_inline int icmp_handle(struct xdp_md *ctx, const struct pkt *p)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct vip_key vk = {};
	struct vip_info *vi;
	struct config *cfg;
	struct pkt q = {};
	__u32 off = p->l4_off;
	__u8 *icmp;
	int ret;

	if (off > HAULER_MAX_L4_OFF)
		return XDP_PASS;
	icmp = data + off;
	if ((void *)(icmp + HAULER_ICMP_HLEN) > end) {
		stat_reason(HAULER_STAT_icmp_malformed, ctx);
		return XDP_PASS;
	}
	if (!icmp_is_error(p->flow.family, icmp[0])) {
		stat_reason(HAULER_STAT_pass_not_l4, ctx);
		return XDP_PASS;
	}
	ret = icmp_quoted(ctx, p, &q);
	if (ret == HAULER_STAT_icmp_unknown &&
	    q.flow.proto == (p->flow.family == 4 ? IPPROTO_IPIP : IPPROTO_IPV6))
		return icmp_from_tunnel(ctx, p, &q);
	if (ret != PARSE_OK) {
		stat_reason(ret, ctx);
		return XDP_PASS;
	}
	cfg = config_get();
	if (!cfg)
		return XDP_PASS;
	__builtin_memcpy(vk.addr, q.flow.src, 16);
	vk.port = q.flow.sport;
	vk.family = q.flow.family;
	vk.proto = q.flow.proto;
	vi = bpf_map_lookup_elem(&vips, &vk);
	if (vi)
		return icmp_to_device(ctx, p, &q, vi, cfg);
	if (cfg->nat_vips)
		return icmp_to_client(ctx, p, &q, cfg, hauler_now());
	stat_reason(HAULER_STAT_icmp_unknown, ctx);
	return XDP_PASS;
}

/* The route MTU towards the outer destination of the encapsulated packet at l3 (0: it fits). */
static __always_inline __u32 too_big_mtu(struct xdp_md *ctx, __u32 l3, __u8 family)
{
	struct bpf_fib_lookup fib = {};

	if (fib_params(ctx, l3, family, &fib))
		return 0;
	if (bpf_fib_lookup(ctx, &fib, sizeof(fib), 0) != BPF_FIB_LKUP_RET_FRAG_NEEDED)
		return 0;
	return fib.mtu_result;
}

/*
 * Turn the encapsulated packet (outer header at l3, the client's packet q
 * after it) into the ICMP error for its client: the outer header's place
 * becomes the error's IP header (the same size: the tunnel has the client
 * packet's family), 8 bytes are made in front for the ICMP header, and
 * the client's packet is quoted, HAULER_ICMP_QUOTE bytes of it. From the
 * VIP, back to the neighbour it came from (XDP_TX).
 */
static __always_inline int too_big_answer(struct xdp_md *ctx, __u32 l3, const struct pkt *q,
					  __u32 mtu)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u32 hlen = q->l3_off - l3, sum;
	__u64 flen;
	__u8 l2[ETH_HLEN + HAULER_VLAN_HLEN];
	__u8 *icmp;

	if ((l3 != ETH_HLEN && l3 != ETH_HLEN + HAULER_VLAN_HLEN) ||
	    (hlen != sizeof(struct iphdr) && hlen != sizeof(struct ipv6hdr)))
		return -1;
	/*
	 * The client's packet must be long enough to quote, and the answer
	 * no longer than what it answers (no amplification): a packet that
	 * was too big always is.
	 */
	if (data + l3 + hlen + HAULER_ICMP_HLEN + HAULER_ICMP_QUOTE > end ||
	    data + sizeof(l2) > end)
		return -1;
	/* Ethernet and the VLAN tag, if any (untagged: 4 bytes of IP header, rewritten below). */
	__builtin_memcpy(l2, data, sizeof(l2));
	if (bpf_xdp_adjust_head(ctx, -HAULER_ICMP_HLEN))
		return -1;
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	flen = frame_len(ctx);
	barrier_var(flen); /* a 64-bit difference: clang would subtract the pointers in 32 bits */
	if (bpf_xdp_adjust_tail(ctx, (int)(l3 + hlen + HAULER_ICMP_HLEN + HAULER_ICMP_QUOTE) -
					 (int)flen))
		return -1;
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	if (data + sizeof(l2) > end)
		return -1;
	/* Back to the neighbour the packet came from: the MACs swapped. */
	__builtin_memcpy(data, l2 + ETH_ALEN, ETH_ALEN);
	__builtin_memcpy(data + ETH_ALEN, l2, ETH_ALEN);
	__builtin_memcpy(data + 2 * ETH_ALEN, l2 + 2 * ETH_ALEN, sizeof(l2) - 2 * ETH_ALEN);
	icmp = ip_answer(data, end, l3, q->flow.family,
			 q->flow.family == 4 ? IPPROTO_ICMP : IPPROTO_ICMPV6,
			 HAULER_ICMP_HLEN + HAULER_ICMP_QUOTE, q->flow.dst, q->flow.src, 0,
			 HAULER_ICMP_HLEN + HAULER_ICMP_QUOTE);
	if (!icmp)
		return -1;
	/* Pseudo-header (ICMPv6 only): from the VIP to the client, length, next header. */
	sum = 0;
	if (q->flow.family == 4) {
		icmp[0] = 3; /* destination unreachable */
		icmp[1] = 4; /* fragmentation needed and DF set */
		*(__be16 *)(icmp + 4) = 0;
		*(__be16 *)(icmp + 6) = bpf_htons(mtu - sizeof(struct iphdr));
	} else {
		icmp[0] = 2; /* packet too big */
		icmp[1] = 0;
		*(__be32 *)(icmp + 4) = bpf_htonl(mtu - sizeof(struct ipv6hdr));
		sum = csum_words(q->flow.src, 16) + csum_words(q->flow.dst, 16) +
		      bpf_htons(HAULER_ICMP_HLEN + HAULER_ICMP_QUOTE) + bpf_htons(IPPROTO_ICMPV6);
	}
	*(__u16 *)(icmp + 2) = 0;
	sum = bpf_csum_diff(NULL, 0, (void *)icmp, HAULER_ICMP_HLEN + HAULER_ICMP_QUOTE, sum);
	*(__u16 *)(icmp + 2) = ~csum_fold(sum);
	return 0;
}

/*
 * An encapsulated packet (forward.h, too_big) above the route MTU towards
 * its device. IPv4 without DF may be fragmented: the kernel does it.
 * Anything else that cannot be answered (not a tunnel packet: nat mode
 * has no tunnel to blame, and an ICMP error is never answered with one)
 * is dropped as before, as drop_encap.
 */
static __always_inline int too_big_handle(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct pkt p = {}, q = {};
	__u32 mtu;

	if (parse_packet(ctx, &p) != HAULER_STAT_pass_not_l4 ||
	    p.flow.proto != (p.flow.family == 4 ? IPPROTO_IPIP : IPPROTO_IPV6))
		goto drop;
	q.l3_off = p.l4_off;
	if (parse_ip(data, end, p.l4_off, p.eth_proto, &q) != PARSE_OK ||
	    (q.flow.proto != IPPROTO_TCP && q.flow.proto != IPPROTO_UDP))
		goto drop;
	if (q.flow.family == 4) {
		struct iphdr *ip = data + q.l3_off;

		if (q.l3_off > HAULER_MAX_L4_OFF || (void *)(ip + 1) > end)
			goto drop;
		if (!(ip->frag_off & bpf_htons(HAULER_IP_DF))) {
			stat_reason(HAULER_STAT_too_big_fragment, ctx);
			return XDP_PASS;
		}
	}
	mtu = too_big_mtu(ctx, p.l3_off, p.flow.family);
	if (mtu <= q.l3_off - p.l3_off)
		goto drop; /* fits after all (a route changed), or no MTU to tell */
	if (!too_big_allowed(hauler_now())) {
		stat_reason(HAULER_STAT_too_big_limited, ctx);
		return XDP_DROP;
	}
	if (too_big_answer(ctx, p.l3_off, &q, mtu))
		goto drop;
	stat_reason(HAULER_STAT_too_big_sent, ctx);
	return XDP_TX;
drop:
	stat_reason(HAULER_STAT_drop_encap, ctx);
	return XDP_DROP;
}

#endif
