/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * packet.h - frame builders for the datapath tests (Ethernet with an
 * optional VLAN tag, IPv4 with options or IPv6 with one extension header,
 * TCP/UDP/ICMP with payload, checksums computed from scratch), and an
 * independent checker of every checksum in a frame.
 */
#ifndef HAULER_DP_PACKET_H
#define HAULER_DP_PACKET_H

#include <stddef.h>
#include <linux/types.h>

#define PKT_TCP_SEQ 0x01020304u
#define PKT_TCP_ACK 0x0a0b0c0du
#define PKT_DEV_ISN 0xfedcba98u /* a device's SYN-ACK sequence (frames.c nat_synack) */

#define TCPF_FIN 0x01
#define TCPF_SYN 0x02
#define TCPF_RST 0x04
#define TCPF_PSH 0x08
#define TCPF_ACK 0x10

struct frame_spec {
	__u8 dmac[6], smac[6];
	__u16 vlan_tpid; /* 0: untagged; 0x8100 or 0x88a8 */
	__u16 vlan_tci;
	__u8 family;	      /* 4 or 6 */
	__u32 src[4], dst[4]; /* network order, IPv4 in [0] */
	__u8 proto;	      /* IPPROTO_TCP, _UDP, _ICMP, _ICMPV6 */
	__u16 sport, dport;   /* host order */
	__u8 tcp_flags;
	__u32 tcp_seq, tcp_ack; /* host order; frame_spec_init: PKT_TCP_SEQ, PKT_TCP_ACK */
	__u8 tos;		/* IPv4 TOS / IPv6 traffic class */
	__u8 ttl;		/* 0: 64 */
	__u16 ip_id;
	__u16 frag_off;	 /* IPv4 flags and offset, host order */
	__u8 ip_opt_len; /* IPv4 options (NOPs then EOL), a multiple of 4 */
	int v6_ext;	 /* -1: none; else this extension header first (0, 43, 44, 60) */
	__u32 flow_label;
	const void *payload;
	__u16 payload_len;
	int udp_no_csum; /* IPv4 UDP with checksum 0 */
	/* ICMP/ICMPv6: 0 an echo request (id sport, sequence 1); else this type and code,
	 * icmp_info in bytes 4-7 (an error's MTU or 0) and the payload (a quoted packet). */
	__u8 icmp_type, icmp_code;
	__u32 icmp_info;
};

/* A spec with the usual defaults: no VLAN, no options, no extension header. */
void frame_spec_init(struct frame_spec *s, int family, __u8 proto);

/* Build the frame into buf; returns its length (0 when cap is too small). */
size_t frame_build(const struct frame_spec *s, __u8 *buf, size_t cap);

/* Offset of the L3 header and the end of the L4 header in a built frame. */
size_t frame_l3_off(const struct frame_spec *s);
size_t frame_l4_end(const struct frame_spec *s);

/* An ARP request frame. */
size_t frame_build_arp(const __u8 smac[6], __u32 sip, __u32 tip, __u8 *buf, size_t cap);

/*
 * Check every checksum of a frame from scratch: IPv4 header, TCP/UDP
 * (pseudo-header v4/v6), ICMP, and recursively an IPIP/IP6IP6 inner
 * packet; also that IP lengths agree with the frame. Returns 0 when all
 * hold, else -1 with the reason in why.
 */
int frame_check(const __u8 *f, size_t len, char *why, size_t whylen);

/* Internet checksum helpers (big-endian word sum, no folding). */
__u32 inet_sum(const void *data, size_t len, __u32 sum);
__u16 inet_fold(__u32 sum);

/* Big-endian stores into a frame being built. */
static inline void put16(__u8 *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static inline void put32(__u8 *p, __u32 v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

/* Print a frame in hex (for failing tests). */
void frame_dump(const char *title, const __u8 *f, size_t len);

#endif
