/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * reset.h - answer a TCP segment with a RST, from the address it was sent
 * to and back through the neighbour it came from (RFC 9293, 3.10.7.1).
 * This is how a flow whose device is gone ends: the client hears at once
 * instead of retransmitting into nothing, and no other device is handed a
 * stray segment of a connection it never had.
 */
#ifndef HAULER_BPF_RESET_H
#define HAULER_BPF_RESET_H

#include "forward.h"

#define HAULER_TCP_HLEN 20

/* Sum of the 16-bit words of n bytes at w (n even, a constant). */
static __always_inline __u32 csum_words(const void *w, int n)
{
	const __u16 *p = w;
	__u32 s = 0;
	int i;

#ifdef __clang__
#pragma unroll
#endif
	for (i = 0; i < n / 2; i++)
		s += p[i];
	return s;
}

/* The swapped Ethernet addresses: back to the neighbour the frame came from. */
static __always_inline int swap_macs(void *data, void *end)
{
	struct ethhdr *eth = data;
	__u8 mac[ETH_ALEN];

	if ((void *)(eth + 1) > end)
		return -1;
	__builtin_memcpy(mac, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, mac, ETH_ALEN);
	return 0;
}

/*
 * Write the IP header of an answer the balancer makes in place (l3 in
 * the frame [data, end)): from `from` to `to` (16 bytes, IPv4 in the
 * first 4), carrying payload bytes of protocol proto, TTL 64, IPv4
 * frag_off as given (network order). Returns where the payload starts,
 * or NULL when the header and need bytes after it are not in the frame.
 */
static __always_inline void *ip_answer(void *data, void *end, __u32 l3, __u8 family, __u8 proto,
				       __u16 payload, const __u32 *from, const __u32 *to,
				       __be16 frag_off, __u32 need)
{
	if (l3 > HAULER_MAX_L3_OFF)
		return NULL;
	if (family == 4) {
		struct iphdr *ip = data + l3;

		if ((void *)(ip + 1) + need > end)
			return NULL;
		*(__u16 *)ip = bpf_htons(0x4500);
		ip->tot_len = bpf_htons(sizeof(*ip) + payload);
		ip->id = 0;
		ip->frag_off = frag_off;
		ip->ttl = 64;
		ip->protocol = proto;
		ip->saddr = from[0];
		ip->daddr = to[0];
		ip->check = 0;
		ip->check = csum_ipv4_header((__u16 *)ip);
		return ip + 1;
	} else {
		struct ipv6hdr *ip6 = data + l3;

		if ((void *)(ip6 + 1) + need > end)
			return NULL;
		*(__be32 *)ip6 = bpf_htonl(0x60000000);
		ip6->payload_len = bpf_htons(payload);
		ip6->nexthdr = proto;
		ip6->hop_limit = 64;
		__builtin_memcpy(&ip6->saddr, from, 16);
		__builtin_memcpy(&ip6->daddr, to, 16);
		return ip6 + 1;
	}
}

/*
 * Turn the TCP segment of p into the RST that answers it and send it back
 * (XDP_TX). A segment with ACK gets <SEQ=its ACK><RST>; one without gets
 * <SEQ=0><ACK=its SEQ+length><RST,ACK>. Never called for a RST.
 */
static __always_inline int send_reset(struct xdp_md *ctx, const struct pkt *p)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u32 l3 = p->l3_off, l4 = p->l4_off, len, hlen, sum;
	__be32 seq, ack = 0;
	struct tcphdr *tcp;
	__u8 flags, in;

	if (l3 > HAULER_MAX_L3_OFF || l4 > HAULER_MAX_L4_OFF)
		return XDP_DROP;
	len = ip_tot_len(ctx, l3, p->flow.family);
	tcp = data + l4;
	if ((void *)(tcp + 1) > end || !len)
		return XDP_DROP;
	in = ((__u8 *)tcp)[13];
	if (in & TCP_FLAG_ACK_BIT) {
		seq = tcp->ack_seq;
		flags = TCP_FLAG_RST_BIT;
	} else {
		/* Segment length: the payload, plus SYN and FIN. */
		len =
		    tcp_payload_len(ctx, p) + !!(in & TCP_FLAG_SYN_BIT) + !!(in & TCP_FLAG_FIN_BIT);
		seq = 0;
		ack = bpf_htonl(bpf_ntohl(tcp->seq) + len);
		flags = TCP_FLAG_RST_BIT | TCP_FLAG_ACK_BIT;
	}

	hlen = p->flow.family == 4 ? sizeof(struct iphdr) : sizeof(struct ipv6hdr);
	if (bpf_xdp_adjust_tail(ctx, (int)(l3 + hlen + HAULER_TCP_HLEN) - (int)(end - data)))
		return XDP_DROP;
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	if (swap_macs(data, end))
		return XDP_DROP;
	/* Pseudo header: addresses (swapped: the VIP answers), protocol, TCP length. */
	sum = csum_words(p->flow.src, 16) + csum_words(p->flow.dst, 16) + bpf_htons(IPPROTO_TCP) +
	      bpf_htons(HAULER_TCP_HLEN);
	tcp = ip_answer(data, end, l3, p->flow.family, IPPROTO_TCP, HAULER_TCP_HLEN, p->flow.dst,
			p->flow.src, bpf_htons(HAULER_IP_DF), HAULER_TCP_HLEN);
	if (!tcp)
		return XDP_DROP;
	tcp->source = p->flow.dport;
	tcp->dest = p->flow.sport;
	tcp->seq = seq;
	tcp->ack_seq = ack;
	((__u8 *)tcp)[12] = (HAULER_TCP_HLEN / 4) << 4;
	((__u8 *)tcp)[13] = flags;
	tcp->window = 0;
	tcp->check = 0;
	tcp->urg_ptr = 0;
	tcp->check = ~csum_fold(sum + csum_words(tcp, HAULER_TCP_HLEN));
	stat_reason(HAULER_STAT_reset_sent, ctx);
	return XDP_TX;
}

#endif
