/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * forward.h - sending a packet to its device: NAT rewrite (and the return
 * path back to the VIP), IPIP/IP6IP6 encapsulation, and the next hop from
 * the kernel's FIB (cached per destination, nexthop.h). An unresolved
 * neighbour goes to the kernel, which resolves it; nothing is dropped for
 * want of a next hop.
 */
#ifndef HAULER_BPF_FORWARD_H
#define HAULER_BPF_FORWARD_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "pkt_parse.h"
#include "csum.h"
#include "stats.h"
#include "hauler_hash.h"
#include "nexthop.h"
#include "icmp_prog.h"

#ifndef AF_INET
#define AF_INET	 2
#define AF_INET6 10
#endif

/*
 * The packet at hand does not fit the route's MTU (only encapsulation
 * grows one): the ICMP program answers the client with "fragmentation
 * needed" / "packet too big" (bpf/icmp.h). Returns only when the tail
 * call fails: a counted drop, as before there was an answer.
 */
static __always_inline int too_big(struct xdp_md *ctx)
{
	bpf_tail_call(ctx, &icmp_prog, HAULER_ICMP_TOO_BIG);
	stat_reason(HAULER_STAT_drop_encap, ctx);
	return XDP_DROP;
}

/*
 * Rewrite one end of the flow (the destination when dst, else the source)
 * to addr:port, with the IPv4 header and TCP/UDP checksums kept right.
 */
static __always_inline int nat_rewrite(struct xdp_md *ctx, const struct pkt *p, const __u32 *addr,
				       __u16 port, int dst)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u32 l3 = p->l3_off, l4 = p->l4_off, delta;
	__u16 *l4port, *l4sum;

	if (l3 > HAULER_MAX_L3_OFF || l4 > HAULER_MAX_L4_OFF)
		return -1;
	if (p->flow.proto == IPPROTO_TCP) {
		struct tcphdr *tcp = data + l4;

		if ((void *)(tcp + 1) > end)
			return -1;
		l4port = dst ? &tcp->dest : &tcp->source;
		l4sum = &tcp->check;
	} else {
		struct udphdr *udp = data + l4;

		if ((void *)(udp + 1) > end)
			return -1;
		l4port = dst ? &udp->dest : &udp->source;
		l4sum = &udp->check;
	}

	if (p->flow.family == 4) {
		struct iphdr *ip = data + l3;
		__u32 *field;

		if ((void *)(ip + 1) > end)
			return -1;
		field = dst ? &ip->daddr : &ip->saddr;
		delta = csum_delta4(*field, addr[0]);
		csum_apply(&ip->check, delta);
		*field = addr[0];
	} else {
		struct ipv6hdr *ip6 = data + l3;
		__u32 *field;

		if ((void *)(ip6 + 1) > end)
			return -1;
		field = dst ? (__u32 *)&ip6->daddr : (__u32 *)&ip6->saddr;
		delta = csum_delta16(field, addr);
		__builtin_memcpy(field, addr, 16);
	}
	delta += csum_delta2(*l4port, port);
	/* A zero UDP checksum over IPv4 means "none": leave it so. */
	if (p->flow.proto == IPPROTO_TCP || *l4sum || p->flow.family == 6) {
		csum_apply(l4sum, delta);
		if (p->flow.proto == IPPROTO_UDP && *l4sum == 0)
			*l4sum = 0xffff;
	}
	*l4port = port;
	return 0;
}

/* Prepend an outer IPv4 (IPIP) or IPv6 (IP6IP6) header addressed to dev. */
static __always_inline int encap(struct xdp_md *ctx, const struct pkt *p,
				 const struct device_info *dev, const struct config *cfg)
{
	int hlen = p->flow.family == 4 ? sizeof(struct iphdr) : sizeof(struct ipv6hdr);
	void *data, *end;
	__u32 l3 = p->l3_off;

	if (l3 != ETH_HLEN && l3 != ETH_HLEN + HAULER_VLAN_HLEN)
		return -1;
	if (bpf_xdp_adjust_head(ctx, -hlen))
		return -1;
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	if (p->flow.family == 4) {
		struct iphdr *outer, *inner;

		if (data + l3 + 2 * sizeof(struct iphdr) > end)
			return -1;
		/* Move the L2 header (and its VLAN tag) to the new start; no overlap. */
		__builtin_memcpy(data, data + sizeof(struct iphdr), ETH_HLEN);
		if (l3 > ETH_HLEN)
			__builtin_memcpy(data + ETH_HLEN, data + sizeof(struct iphdr) + ETH_HLEN,
					 HAULER_VLAN_HLEN);
		outer = data + l3;
		inner = (void *)(outer + 1);
		outer->version = 4;
		outer->ihl = 5;
		outer->tos = inner->tos;
		outer->tot_len = bpf_htons(bpf_ntohs(inner->tot_len) + sizeof(struct iphdr));
		outer->id = 0;
		outer->frag_off = inner->frag_off & bpf_htons(HAULER_IP_DF);
		outer->ttl = 64;
		outer->protocol = IPPROTO_IPIP;
		outer->saddr = cfg->tunnel_src4 ? cfg->tunnel_src4 : inner->daddr;
		outer->daddr = dev->addr[0];
		outer->check = 0;
		outer->check = csum_ipv4_header((__u16 *)outer);
	} else {
		struct ipv6hdr *outer, *inner;

		if (data + l3 + 2 * sizeof(struct ipv6hdr) > end)
			return -1;
		__builtin_memcpy(data, data + sizeof(struct ipv6hdr), ETH_HLEN);
		if (l3 > ETH_HLEN)
			__builtin_memcpy(data + ETH_HLEN, data + sizeof(struct ipv6hdr) + ETH_HLEN,
					 HAULER_VLAN_HLEN);
		outer = data + l3;
		inner = (void *)(outer + 1);
		/* A hash of the flow in the flow label gives ECMP paths entropy. */
		*(__be32 *)outer =
		    bpf_htonl(0x60000000 | (hauler_flow_label(&p->flow, cfg->flow_seed) & 0xfffff));
		outer->payload_len = bpf_htons(bpf_ntohs(inner->payload_len) + sizeof(*inner));
		outer->nexthdr = IPPROTO_IPV6;
		outer->hop_limit = 64;
		if (cfg->tunnel_src[0] | cfg->tunnel_src[1] | cfg->tunnel_src[2] |
		    cfg->tunnel_src[3])
			__builtin_memcpy(&outer->saddr, cfg->tunnel_src, 16);
		else
			outer->saddr = inner->daddr;
		__builtin_memcpy(&outer->daddr, dev->addr, 16);
	}
	return 0;
}

/*
 * Send the frame, its MACs written: XDP_TX when the next hop is out of the
 * interface it came in on (ingress) or the frame is tagged, else a
 * redirect to ifindex.
 */
static __always_inline int nh_verdict(struct xdp_md *ctx, __u32 l3, __u32 ifindex, __u32 ingress)
{
	if (ifindex == ingress || l3 > ETH_HLEN) {
		stat_reason(HAULER_STAT_fwd_tx, ctx);
		return XDP_TX;
	}
	stat_reason(HAULER_STAT_fwd_redirect, ctx);
	return bpf_redirect(ifindex, 0);
}

/* Put the next hop's MACs on the frame and send it (nh_verdict). */
static __always_inline int nh_send(struct xdp_md *ctx, __u32 l3, const __u8 *dmac, const __u8 *smac,
				   __u32 ifindex)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > end)
		return XDP_DROP;
	__builtin_memcpy(eth->h_dest, dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, smac, ETH_ALEN);
	return nh_verdict(ctx, l3, ifindex, ctx->ingress_ifindex);
}

/*
 * nh_send from a fresh cache entry: both MACs in three word stores (the
 * header is reached unaligned; the verifier allows that where the
 * architecture does, as every one hauler builds for). ingress: the
 * packet's ingress ifindex, read once by the caller.
 */
static __always_inline int nh_send_cached(struct xdp_md *ctx, __u32 l3, const struct nh_entry *nh,
					  __u32 ingress)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u32 *w = data;

	if (data + ETH_HLEN > end)
		return XDP_DROP;
	w[0] = nh->macs[0];
	w[1] = nh->macs[1];
	w[2] = nh->macs[2];
	return nh_verdict(ctx, l3, nh->ifindex, ingress);
}

/*
 * The FIB lookup's question for the IP packet at l3 (addresses, protocol,
 * length, IPv6 flow label; the ingress interface). Returns -1 when the
 * header is not in the packet. Shared by forwarding and the too-big answer.
 */
static __always_inline int fib_params(struct xdp_md *ctx, __u32 l3, __u8 family,
				      struct bpf_fib_lookup *fib)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;

	if (l3 > HAULER_MAX_L3_OFF)
		return -1;
	if (family == 4) {
		struct iphdr *ip = data + l3;

		if ((void *)(ip + 1) > end)
			return -1;
		fib->family = AF_INET;
		fib->tos = ip->tos;
		fib->l4_protocol = ip->protocol;
		fib->tot_len = bpf_ntohs(ip->tot_len);
		fib->ipv4_src = ip->saddr;
		fib->ipv4_dst = ip->daddr;
	} else {
		struct ipv6hdr *ip6 = data + l3;

		if ((void *)(ip6 + 1) > end)
			return -1;
		fib->family = AF_INET6;
		fib->flowinfo = *(__be32 *)ip6 & bpf_htonl(0x0fffffff);
		fib->l4_protocol = ip6->nexthdr;
		fib->tot_len = bpf_ntohs(ip6->payload_len) + sizeof(*ip6);
		__builtin_memcpy(fib->ipv6_src, &ip6->saddr, 16);
		__builtin_memcpy(fib->ipv6_dst, &ip6->daddr, 16);
	}
	fib->ifindex = ctx->ingress_ifindex;
	return 0;
}

/* Start a lookup for nh (may be NULL): marked empty first, nh_fill marks it fresh once whole. */
static __always_inline void nh_claim(struct nh_entry *nh, const __u32 *addr, __u8 family)
{
	if (!nh)
		return;
	nh->resolved_ns = 0;
	barrier();
	__builtin_memcpy(nh->addr, addr, 16);
	nh->family = family;
}

/* A successful FIB answer into nh (may be NULL), claimed before the lookup. */
static __always_inline void nh_fill(struct xdp_md *ctx, struct nh_entry *nh,
				    const struct bpf_fib_lookup *fib, __u64 now)
{
	if (!nh)
		return;
	/*
	 * On success the kernel (6.x) also returns the route MTU in
	 * mtu_result; 0 is 65536 cut to 16 bits: no limit on IP.
	 */
	nh->ingress = ctx->ingress_ifindex;
	nh->ifindex = fib->ifindex;
	nh->mtu = fib->mtu_result ? fib->mtu_result : 0xffff;
	__builtin_memcpy(nh->dmac, fib->dmac, ETH_ALEN);
	__builtin_memcpy(nh->smac, fib->smac, ETH_ALEN);
	barrier(); /* the entry is whole before it is marked fresh */
	nh->resolved_ns = now;
}

/*
 * Find the next hop of the IP packet at l3 and send it: XDP_TX out of the
 * interface it came in on, or a redirect to another. A tagged frame stays
 * on its VLAN (one-armed on the tagged segment). A successful answer is
 * written to nh when there is one (the destination's cache entry).
 */
static __always_inline int fib_xmit(struct xdp_md *ctx, __u32 l3, __u8 family, struct nh_entry *nh,
				    __u64 now)
{
	struct bpf_fib_lookup fib = {};
	int rc;

	if (fib_params(ctx, l3, family, &fib))
		return XDP_DROP;

	rc = bpf_fib_lookup(ctx, &fib, sizeof(fib), 0);
	if (rc == BPF_FIB_LKUP_RET_FRAG_NEEDED)
		return too_big(ctx); /* only encapsulation grows a packet */
	if (rc == BPF_FIB_LKUP_RET_NO_NEIGH) {
		stat_reason(HAULER_STAT_pass_no_neigh, ctx);
		return XDP_PASS;
	}
	if (rc != BPF_FIB_LKUP_RET_SUCCESS) {
		stat_reason(HAULER_STAT_pass_fib_fail, ctx);
		return XDP_PASS;
	}
	nh_fill(ctx, nh, &fib, now);
	return nh_send(ctx, l3, fib.dmac, fib.smac, fib.ifindex);
}

/* Length of the IP packet at l3 as the FIB's MTU check counts it; 0: truncated. */
static __always_inline __u32 ip_tot_len(struct xdp_md *ctx, __u32 l3, __u8 family)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;

	if (l3 > HAULER_MAX_L3_OFF)
		return 0;
	if (family == 4) {
		struct iphdr *ip = data + l3;

		if ((void *)(ip + 1) > end)
			return 0;
		return bpf_ntohs(ip->tot_len);
	} else {
		struct ipv6hdr *ip6 = data + l3;

		if ((void *)(ip6 + 1) > end)
			return 0;
		return bpf_ntohs(ip6->payload_len) + sizeof(*ip6);
	}
}

/*
 * The payload of the TCP segment p found (the IP length less the IP and
 * TCP headers: Ethernet padding is none of it); 0 when the headers are
 * cut short or claim more than the IP length.
 */
static __always_inline __u32 tcp_payload_len(struct xdp_md *ctx, const struct pkt *p)
{
	__u32 len = ip_tot_len(ctx, p->l3_off, p->flow.family), hl;
	struct tcphdr *tcp = tcp_header(ctx, p);

	if (!tcp)
		return 0;
	hl = p->l4_off - p->l3_off + tcp->doff * 4;
	return len > hl ? len - hl : 0;
}

/*
 * Send the packet at l3 to addr, its IP destination, with the next hop
 * in nh (nexthop.h) when that entry is fresh for addr, else by a FIB
 * lookup that refreshes the entry. nh may be NULL: a lookup.
 */
static __always_inline int cached_xmit(struct xdp_md *ctx, __u32 l3, __u8 family, const __u32 *addr,
				       struct nh_entry *nh, __u64 now)
{
	__u32 len, ingress = ctx->ingress_ifindex; /* a ctx field read is three loads: once */

	if (!nh || !nh_fresh(nh, addr, family, ingress, now))
		goto lookup;
	len = ip_tot_len(ctx, l3, family);
	if (!len)
		return XDP_DROP;
	if (len > nh->mtu)
		return too_big(ctx); /* what the FIB answers above the route MTU */
	return nh_send_cached(ctx, l3, nh, ingress);
lookup:
	nh_claim(nh, addr, family);
	return fib_xmit(ctx, l3, family, nh, now);
}

/*
 * Is addr, the destination of the IP packet at l3, a host the balancer
 * forwards to rather than the balancer itself? Asked of a nat reply that
 * no state of the flow vouches for (both tables: nat_return,
 * ct_nat_return): a device's answer to the balancer's own socket (a
 * health check of the device's service port, hauler daemon) must reach
 * that socket as the device sent it. nh: addr's cache entry, which only a
 * successful lookup fills; fresh, it answers, else a FIB lookup fills it
 * for the send that follows. A local address is not forwarded
 * (BPF_FIB_LKUP_RET_NOT_FWDED), nor anything where forwarding is off.
 */
static __always_inline int forwarded_to(struct xdp_md *ctx, __u32 l3, __u8 family,
					const __u32 *addr, struct nh_entry *nh, __u64 now)
{
	struct bpf_fib_lookup fib = {};
	int rc;

	if (nh && nh_fresh(nh, addr, family, ctx->ingress_ifindex, now))
		return 1;
	if (fib_params(ctx, l3, family, &fib))
		return 0;
	nh_claim(nh, addr, family);
	rc = bpf_fib_lookup(ctx, &fib, sizeof(fib), 0);
	if (rc == BPF_FIB_LKUP_RET_SUCCESS)
		nh_fill(ctx, nh, &fib, now);
	return rc == BPF_FIB_LKUP_RET_SUCCESS || rc == BPF_FIB_LKUP_RET_NO_NEIGH ||
	       rc == BPF_FIB_LKUP_RET_FRAG_NEEDED;
}

/*
 * Does nat reply p, that no state of its flow vouches for (CT_REPLY_NONE),
 * go to a host the balancer forwards to (forwarded_to)? Else it is the
 * balancer's own traffic with the device, passed as it came. p may be an
 * ICMP error about the flow (icmp_to_client): its destination is the
 * quoted packet's source, the client, as a reply's.
 */
static __always_inline int reply_forwarded(struct xdp_md *ctx, const struct pkt *p, __u64 now)
{
	return forwarded_to(ctx, p->l3_off, p->flow.family, p->flow.dst,
			    nh_client_slot(p->flow.dst), now);
}

/*
 * Did this packet, from addr, come from the balancer's next hop towards
 * addr: in on the interface the balancer sends addr's packets out of,
 * from the neighbour it sends them to (its MAC the frame's source)? nh:
 * addr's cache entry, used when fresh, else filled by a FIB lookup. A
 * nat device's replies must (nat_return): a host elsewhere (the clients'
 * side) that sends from a device's address is not believed. Asymmetric
 * routing on the devices' side (a reply through another router than the
 * one towards the device) fails the check. 0 when the FIB has no answer.
 */
static __always_inline int from_next_hop(struct xdp_md *ctx, __u8 family, const __u32 *addr,
					 struct nh_entry *nh, __u64 now)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct bpf_fib_lookup fib = {};
	const __u8 *mac, *src;
	__u32 ifindex;

	if (data + ETH_HLEN > end)
		return 0;
	if (nh && nh_fresh(nh, addr, family, ctx->ingress_ifindex, now)) {
		mac = nh->dmac;
		ifindex = nh->ifindex;
	} else {
		nh_claim(nh, addr, family);
		fib.family = family == 4 ? AF_INET : AF_INET6;
		if (family == 4)
			fib.ipv4_dst = addr[0];
		else
			__builtin_memcpy(fib.ipv6_dst, addr, 16);
		fib.ifindex = ctx->ingress_ifindex;
		if (bpf_fib_lookup(ctx, &fib, sizeof(fib), 0) != BPF_FIB_LKUP_RET_SUCCESS)
			return 0;
		nh_fill(ctx, nh, &fib, now);
		mac = fib.dmac;
		ifindex = fib.ifindex;
	}
	if (ifindex != ctx->ingress_ifindex)
		return 0;
	src = data + ETH_ALEN;
	return src[0] == mac[0] && src[1] == mac[1] && src[2] == mac[2] && src[3] == mac[3] &&
	       src[4] == mac[4] && src[5] == mac[5];
}

/*
 * A packet of a held nat flow from its device's side (a reply, bound to
 * device id at addr; or an ICMP error about it, bpf/icmp.h) that did not
 * come from the balancer's next hop towards that device (from_next_hop):
 * counted as reason, and the caller drops it before it writes anything.
 */
static __always_inline int reply_spoofed(struct xdp_md *ctx, __u8 family, const __u32 *addr,
					 __u32 id, __u32 reason, __u64 now)
{
	if (from_next_hop(ctx, family, addr, nh_dev_slot(id), now))
		return 0;
	stat_reason(reason, ctx);
	return 1;
}

/* Send a VIP packet to dev in the VIP's forwarding mode. */
static __always_inline int forward_to_device(struct xdp_md *ctx, const struct pkt *p,
					     const struct device_info *dev, __u32 dev_id, __u8 mode,
					     const struct config *cfg, __u64 now)
{
	if (dev->family != p->flow.family) {
		stat_reason(HAULER_STAT_drop_bad_device, ctx);
		return XDP_DROP;
	}
	if (mode == HAULER_FWD_IPIP) {
		if (encap(ctx, p, dev, cfg)) {
			stat_reason(HAULER_STAT_drop_encap, ctx);
			return XDP_DROP;
		}
	} else if (nat_rewrite(ctx, p, dev->addr, dev->port, 1)) {
		stat_reason(HAULER_STAT_pass_malformed, ctx);
		return XDP_PASS;
	}
	return cached_xmit(ctx, p->l3_off, dev->family, dev->addr, nh_dev_slot(dev_id), now);
}

#endif
