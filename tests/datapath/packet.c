// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* packet.c - frame builders for the datapath tests. */
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include "packet.h"

#define ETH_LEN	 14
#define VLAN_LEN 4
#define IP4_LEN	 20
#define IP6_LEN	 40
#define EXT_LEN	 8

void frame_spec_init(struct frame_spec *s, int family, __u8 proto)
{
	memset(s, 0, sizeof(*s));
	s->family = family;
	s->proto = proto;
	s->v6_ext = -1;
	s->sport = 40000;
	s->tcp_flags = TCPF_SYN; /* opens a connection; a segment without SYN finds none */
	s->tcp_seq = PKT_TCP_SEQ;
	s->tcp_ack = PKT_TCP_ACK;
}

static size_t l4_hdr_len(const struct frame_spec *s)
{
	switch (s->proto) {
	case IPPROTO_TCP:
		return 20;
	case IPPROTO_UDP:
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		return 8;
	}
	return 0;
}

size_t frame_l3_off(const struct frame_spec *s)
{
	return ETH_LEN + (s->vlan_tpid ? VLAN_LEN : 0);
}

static size_t l3_len(const struct frame_spec *s)
{
	if (s->family == 4)
		return IP4_LEN + s->ip_opt_len;
	return IP6_LEN + (s->v6_ext >= 0 ? EXT_LEN : 0);
}

size_t frame_l4_end(const struct frame_spec *s)
{
	return frame_l3_off(s) + l3_len(s) + l4_hdr_len(s);
}

/* Pseudo-header sum of the upper-layer packet (RFC 768, RFC 8200 8.1). */
static __u32 pseudo_sum(const struct frame_spec *s, size_t l4len)
{
	__u8 ph[40];

	if (s->family == 4) {
		memcpy(ph, &s->src[0], 4);
		memcpy(ph + 4, &s->dst[0], 4);
		ph[8] = 0;
		ph[9] = s->proto;
		put16(ph + 10, l4len);
		return inet_sum(ph, 12, 0);
	}
	memcpy(ph, s->src, 16);
	memcpy(ph + 16, s->dst, 16);
	put32(ph + 32, l4len);
	memset(ph + 36, 0, 3);
	ph[39] = s->proto;
	return inet_sum(ph, 40, 0);
}

size_t frame_build(const struct frame_spec *s, __u8 *buf, size_t cap)
{
	size_t l3 = frame_l3_off(s), l4 = l3 + l3_len(s);
	size_t l4len = l4_hdr_len(s) + s->payload_len, total = l4 + l4len;
	__u8 *ip = buf + l3, *th = buf + l4;
	__u16 sum;

	if (total > cap || !l4_hdr_len(s))
		return 0;
	memset(buf, 0, total);
	memcpy(buf, s->dmac, 6);
	memcpy(buf + 6, s->smac, 6);
	if (s->vlan_tpid) {
		put16(buf + 12, s->vlan_tpid);
		put16(buf + 14, s->vlan_tci);
	}
	put16(buf + l3 - 2, s->family == 4 ? 0x0800 : 0x86dd);

	if (s->family == 4) {
		size_t hl = IP4_LEN + s->ip_opt_len;

		ip[0] = 0x40 | (hl / 4);
		ip[1] = s->tos;
		put16(ip + 2, total - l3);
		put16(ip + 4, s->ip_id);
		put16(ip + 6, s->frag_off);
		ip[8] = s->ttl ? s->ttl : 64;
		ip[9] = s->proto;
		memcpy(ip + 12, &s->src[0], 4);
		memcpy(ip + 16, &s->dst[0], 4);
		/* Options: NOPs, the last byte EOL. */
		if (s->ip_opt_len) {
			memset(ip + IP4_LEN, 1, s->ip_opt_len);
			ip[hl - 1] = 0;
		}
		put16(ip + 10, inet_fold(inet_sum(ip, hl, 0)) ^ 0xffff);
	} else {
		put32(ip, 0x60000000u | ((__u32)s->tos << 20) | (s->flow_label & 0xfffff));
		put16(ip + 4, total - l3 - IP6_LEN);
		ip[6] = s->v6_ext >= 0 ? s->v6_ext : s->proto;
		ip[7] = s->ttl ? s->ttl : 64;
		memcpy(ip + 8, s->src, 16);
		memcpy(ip + 24, s->dst, 16);
		if (s->v6_ext >= 0) {
			__u8 *ext = ip + IP6_LEN;

			ext[0] = s->proto;
			if (s->v6_ext == 44) {
				/* Fragment header: offset 0, M set, an id. */
				put16(ext + 2, 1);
				put32(ext + 4, 0x12345678);
			} else if (s->v6_ext == 43) {
				/* Routing header type 0 with no segments left. */
				ext[2] = 0;
			} else {
				/* Hop-by-hop / destination options: one PadN of 4. */
				ext[2] = 1;
				ext[3] = 4;
			}
		}
	}

	put16(th, s->sport);
	if (s->proto == IPPROTO_TCP) {
		put16(th + 2, s->dport);
		put32(th + 4, s->tcp_seq);
		put32(th + 8, s->tcp_ack);
		th[12] = 5 << 4;
		th[13] = s->tcp_flags;
		put16(th + 14, 0xffff);
	} else if (s->proto == IPPROTO_UDP) {
		put16(th + 2, s->dport);
		put16(th + 4, l4len);
	} else if (s->icmp_type) {
		th[0] = s->icmp_type;
		th[1] = s->icmp_code;
		put32(th + 4, s->icmp_info);
	} else {
		/* ICMP echo request: id in sport's place, sequence 1. */
		th[0] = s->proto == IPPROTO_ICMP ? 8 : 128;
		th[1] = 0;
		put16(th + 4, s->sport);
		put16(th + 6, 1);
	}
	if (s->payload_len)
		memcpy(th + l4_hdr_len(s), s->payload, s->payload_len);

	if (s->proto == IPPROTO_ICMP) {
		put16(th + 2, inet_fold(inet_sum(th, l4len, 0)) ^ 0xffff);
		return total;
	}
	if (s->proto == IPPROTO_UDP && s->family == 4 && s->udp_no_csum)
		return total;
	sum = inet_fold(inet_sum(th, l4len, pseudo_sum(s, l4len))) ^ 0xffff;
	if (s->proto == IPPROTO_UDP && sum == 0)
		sum = 0xffff;
	put16(th + (s->proto == IPPROTO_TCP ? 16 : s->proto == IPPROTO_UDP ? 6 : 2), sum);
	return total;
}

size_t frame_build_arp(const __u8 smac[6], __u32 sip, __u32 tip, __u8 *buf, size_t cap)
{
	size_t total = ETH_LEN + 28;
	__u8 *a = buf + ETH_LEN;

	if (cap < total)
		return 0;
	memset(buf, 0xff, 6);
	memcpy(buf + 6, smac, 6);
	put16(buf + 12, 0x0806);
	put16(a, 1);
	put16(a + 2, 0x0800);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, 1);
	memcpy(a + 8, smac, 6);
	memcpy(a + 14, &sip, 4);
	memset(a + 18, 0, 6);
	memcpy(a + 24, &tip, 4);
	return total;
}

void frame_dump(const char *title, const __u8 *f, size_t len)
{
	size_t i;

	printf("%s (%zu bytes):", title, len);
	for (i = 0; i < len; i++)
		printf("%s%02x", i % 16 ? " " : "\n  ", f[i]);
	printf("\n");
}
