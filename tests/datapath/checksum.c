// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * checksum.c - the Internet checksum computed from scratch (RFC 1071),
 * and a checker of every checksum in a frame. Deliberately shares nothing
 * with bpf/csum.h: the datapath's incremental updates are judged against
 * a full recomputation.
 */
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include "packet.h"

__u32 inet_sum(const void *data, size_t len, __u32 sum)
{
	const __u8 *p = data;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (__u32)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (__u32)p[len - 1] << 8;
	return sum;
}

__u16 inet_fold(__u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

static __u16 get16(const __u8 *p)
{
	return (__u16)(p[0] << 8 | p[1]);
}

#define FAIL(...)                                                                                  \
	do {                                                                                       \
		snprintf(why, whylen, __VA_ARGS__);                                                \
		return -1;                                                                         \
	} while (0)

/* Check the upper-layer packet l4[0..len) of protocol proto. */
static int check_l4(__u8 proto, const __u8 *l4, size_t len, __u32 pseudo, int family, char *why,
		    size_t whylen)
{
	switch (proto) {
	case IPPROTO_TCP:
		if (len < 20)
			FAIL("TCP header cut (%zu bytes)", len);
		if (inet_fold(inet_sum(l4, len, pseudo)) != 0xffff)
			FAIL("TCP checksum wrong (0x%04x)", get16(l4 + 16));
		return 0;
	case IPPROTO_UDP:
		if (len < 8)
			FAIL("UDP header cut (%zu bytes)", len);
		if (get16(l4 + 4) != len)
			FAIL("UDP length %u, packet %zu", get16(l4 + 4), len);
		if (family == 4 && get16(l4 + 6) == 0)
			return 0;
		if (get16(l4 + 6) == 0)
			FAIL("UDP checksum 0 over IPv6");
		if (inet_fold(inet_sum(l4, len, pseudo)) != 0xffff)
			FAIL("UDP checksum wrong (0x%04x)", get16(l4 + 6));
		return 0;
	case IPPROTO_ICMP:
		if (inet_fold(inet_sum(l4, len, 0)) != 0xffff)
			FAIL("ICMP checksum wrong");
		return 0;
	case IPPROTO_ICMPV6:
		if (inet_fold(inet_sum(l4, len, pseudo)) != 0xffff)
			FAIL("ICMPv6 checksum wrong");
		return 0;
	}
	return 0;
}

/* Check the IP packet ip[0..len) (len: what the frame holds from ip on). */
static int check_ip(const __u8 *ip, size_t len, char *why, size_t whylen, int depth)
{
	__u8 ph[40], proto;
	size_t hl, plen;
	__u32 pseudo;

	if (depth > 2)
		FAIL("too many nested IP headers");
	if (len < 1)
		FAIL("no IP header");
	if ((ip[0] >> 4) == 4) {
		if (len < 20)
			FAIL("IPv4 header cut");
		hl = (ip[0] & 0xf) * 4;
		plen = get16(ip + 2);
		if (hl < 20 || hl > len)
			FAIL("IPv4 IHL %zu", hl);
		if (plen < hl || plen > len)
			FAIL("IPv4 tot_len %zu, %zu bytes there", plen, len);
		if (inet_fold(inet_sum(ip, hl, 0)) != 0xffff)
			FAIL("IPv4 header checksum wrong (0x%04x)", get16(ip + 10));
		proto = ip[9];
		if (get16(ip + 6) & 0x3fff)
			return 0; /* a fragment: no whole L4 to check */
		memcpy(ph, ip + 12, 8);
		ph[8] = 0;
		ph[9] = proto;
		ph[10] = (plen - hl) >> 8;
		ph[11] = (plen - hl) & 0xff;
		pseudo = inet_sum(ph, 12, 0);
		if (proto == IPPROTO_IPIP || proto == IPPROTO_IPV6)
			return check_ip(ip + hl, plen - hl, why, whylen, depth + 1);
		return check_l4(proto, ip + hl, plen - hl, pseudo, 4, why, whylen);
	}
	if ((ip[0] >> 4) == 6) {
		if (len < 40)
			FAIL("IPv6 header cut");
		plen = get16(ip + 4);
		if (40 + plen > len)
			FAIL("IPv6 payload_len %zu, %zu bytes there", plen, len - 40);
		proto = ip[6];
		hl = 40;
		/* Walk the extension headers this test suite builds. */
		while (proto == 0 || proto == 43 || proto == 60 || proto == 44) {
			if (hl + 8 > 40 + plen)
				FAIL("IPv6 extension header cut");
			if (proto == 44 && (get16(ip + hl + 2) & 0xfff9))
				return 0;
			proto = ip[hl];
			hl += proto == 44 ? 8 : (ip[hl + 1] + 1) * 8;
		}
		memcpy(ph, ip + 8, 32);
		ph[32] = 0;
		ph[33] = 0;
		ph[34] = (40 + plen - hl) >> 8;
		ph[35] = (40 + plen - hl) & 0xff;
		memset(ph + 36, 0, 3);
		ph[39] = proto;
		pseudo = inet_sum(ph, 40, 0);
		if (proto == IPPROTO_IPIP || proto == IPPROTO_IPV6)
			return check_ip(ip + hl, 40 + plen - hl, why, whylen, depth + 1);
		return check_l4(proto, ip + hl, 40 + plen - hl, pseudo, 6, why, whylen);
	}
	FAIL("IP version %u", ip[0] >> 4);
}

int frame_check(const __u8 *f, size_t len, char *why, size_t whylen)
{
	size_t off = 12;
	__u16 type;

	if (len < 14)
		FAIL("frame shorter than Ethernet");
	type = get16(f + off);
	if (type == 0x8100 || type == 0x88a8) {
		off += 4;
		if (len < off + 2)
			FAIL("VLAN tag cut");
		type = get16(f + off);
	}
	off += 2;
	if (type != 0x0800 && type != 0x86dd)
		return 0;
	if ((type == 0x0800) != (len > off && (f[off] >> 4) == 4))
		FAIL("EtherType 0x%04x does not match the IP version", type);
	return check_ip(f + off, len - off, why, whylen, 0);
}
