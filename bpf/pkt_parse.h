/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * parse.h - Ethernet (one 802.1Q tag), IPv4, IPv6, TCP and UDP into a
 * flow key. Anything else is not ours: the caller passes it untouched.
 *
 * IP fragments are passed to the kernel (a non-first fragment has no
 * ports, so it cannot be matched to a VIP or a flow); IPv4 options are
 * parsed over and counted; IPv6 extension headers are passed.
 */
#ifndef HAULER_BPF_PARSE_H
#define HAULER_BPF_PARSE_H

#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include "hauler_schema.h"

#define HAULER_VLAN_HLEN 4
/* Bounds of the header offsets parse_packet finds, for the verifier. */
#define HAULER_MAX_L3_OFF (ETH_HLEN + HAULER_VLAN_HLEN)
#define HAULER_MAX_L4_OFF (HAULER_MAX_L3_OFF + 60)
#define HAULER_IP_MF	  0x2000
#define HAULER_IP_OFFSET  0x1fff
#define HAULER_IP_DF	  0x4000
#define TCP_FLAG_FIN_BIT  0x01
#define TCP_FLAG_SYN_BIT  0x02
#define TCP_FLAG_RST_BIT  0x04
#define TCP_FLAG_ACK_BIT  0x10

/* What the parser learns about a frame; offsets are from the frame start. */
struct pkt {
	struct flow_key flow;
	__u16 l3_off;
	__u16 l4_off;
	__u8 tcp_flags;
	__u8 ipv4_options;
	__be16 eth_proto; /* EtherType after the VLAN tag */
};

/* Not a counter: pass_not_ip is counter 0, so success cannot be 0. */
#define PARSE_OK HAULER_STAT_REASONS

/*
 * The IP header at off (its family from the EtherType proto): family,
 * addresses, ipv4_options, l4_off and, in flow.proto, the next protocol,
 * whatever it is. Returns PARSE_OK, or the HAULER_STAT_* pass reason.
 * Also reads the packet an ICMP error quotes (bpf/icmp.h): the same rules.
 */
static __always_inline int parse_ip(void *data, void *end, __u32 off, __be16 proto, struct pkt *p)
{
	__u8 l4proto;

	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = data + off;
		__u32 ihl;

		if ((void *)(ip + 1) > end)
			return HAULER_STAT_pass_malformed;
		ihl = ip->ihl * 4;
		if (ip->version != 4 || ihl < sizeof(*ip) || data + off + ihl > end ||
		    bpf_ntohs(ip->tot_len) < ihl)
			return HAULER_STAT_pass_malformed;
		if (ip->frag_off & bpf_htons(HAULER_IP_MF | HAULER_IP_OFFSET))
			return HAULER_STAT_pass_fragment;
		p->ipv4_options = ihl > sizeof(*ip);
		p->flow.family = 4;
		p->flow.src[0] = ip->saddr;
		p->flow.dst[0] = ip->daddr;
		l4proto = ip->protocol;
		off += ihl;
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = data + off;

		if ((void *)(ip6 + 1) > end)
			return HAULER_STAT_pass_malformed;
		if (ip6->version != 6)
			return HAULER_STAT_pass_malformed;
		l4proto = ip6->nexthdr;
		if (l4proto == 44) /* fragment header */
			return HAULER_STAT_pass_fragment;
		if (l4proto == 0 || l4proto == 43 || l4proto == 60 || l4proto == 51 ||
		    l4proto == 135 || l4proto == 139 || l4proto == 140)
			return HAULER_STAT_pass_ipv6_ext;
		p->flow.family = 6;
		__builtin_memcpy(p->flow.src, &ip6->saddr, 16);
		__builtin_memcpy(p->flow.dst, &ip6->daddr, 16);
		off += sizeof(*ip6);
	} else {
		return HAULER_STAT_pass_not_ip;
	}
	p->l4_off = off;
	p->flow.proto = l4proto;
	return PARSE_OK;
}

/*
 * Returns PARSE_OK for a TCP/UDP packet in *p, else the HAULER_STAT_* pass
 * reason. With pass_not_l4, flow.family and flow.proto name the IP packet's
 * protocol (ICMP errors are looked at, bpf/icmp.h).
 */
static __always_inline int parse_packet(struct xdp_md *ctx, struct pkt *p)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u16 proto, off = sizeof(*eth);
	int ret;

	if ((void *)(eth + 1) > end)
		return HAULER_STAT_pass_malformed;
	proto = eth->h_proto;
	if (proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD)) {
		__be16 *inner = data + off + 2;

		if ((void *)(inner + 1) > end)
			return HAULER_STAT_pass_malformed;
		proto = *inner;
		off += HAULER_VLAN_HLEN;
	}
	p->l3_off = off;
	p->eth_proto = proto;
	ret = parse_ip(data, end, off, proto, p);
	if (ret != PARSE_OK)
		return ret;
	off = p->l4_off;

	if (p->flow.proto == IPPROTO_TCP) {
		struct tcphdr *tcp = data + off;

		if ((void *)(tcp + 1) > end)
			return HAULER_STAT_pass_malformed;
		p->flow.sport = tcp->source;
		p->flow.dport = tcp->dest;
		p->tcp_flags = ((__u8 *)tcp)[13];
	} else if (p->flow.proto == IPPROTO_UDP) {
		struct udphdr *udp = data + off;

		if ((void *)(udp + 1) > end)
			return HAULER_STAT_pass_malformed;
		p->flow.sport = udp->source;
		p->flow.dport = udp->dest;
	} else {
		return HAULER_STAT_pass_not_l4;
	}
	return PARSE_OK;
}

/* The TCP header where parse_packet found it, or NULL (the bounds are for the verifier). */
static __always_inline struct tcphdr *tcp_header(struct xdp_md *ctx, const struct pkt *p)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u32 off = p->l4_off;
	struct tcphdr *tcp;

	if (off > HAULER_MAX_L4_OFF)
		return NULL;
	tcp = data + off;
	if ((void *)(tcp + 1) > end)
		return NULL;
	return tcp;
}

/*
 * The TCP segment's sequence number (ack 0) or acknowledgment number
 * (ack 1), host order, read where parse_packet found the header; 0 if
 * it is not there (the bounds are for the verifier).
 */
static __always_inline __u32 tcp_seq_field(struct xdp_md *ctx, const struct pkt *p, int ack)
{
	struct tcphdr *tcp = tcp_header(ctx, p);

	if (!tcp)
		return 0;
	return bpf_ntohl(ack ? tcp->ack_seq : tcp->seq);
}

#endif
