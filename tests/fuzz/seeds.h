/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * seeds.h - the fuzzers' seed inputs, built by the datapath tests' frame
 * builder (tests/datapath/packet.c) and the agents' report encoder
 * (include/hauler_report.h), so they follow the formats as these change:
 * valid TCP, UDP, IPv4, IPv6, VLAN, IPIP/IP6IP6, ICMP, ARP, fragments,
 * extension headers, NAT replies and agent reports (UDP and raw Ethernet).
 * The AFL corpora (make fuzz) and the BPF mutation run
 * (tests/datapath/test_fuzz.c) start from these.
 */
#ifndef HAULER_FUZZ_SEEDS_H
#define HAULER_FUZZ_SEEDS_H

#include <stddef.h>
#include <linux/types.h>

#define FUZZ_SEED_MAX 256 /* bytes in a seed frame */

/* Where the seeds are addressed: the datapath harness's network, or any. */
struct fuzz_net {
	__u8 lb_mac[6], gw_mac[6], dev_mac[6];
	__u32 lb[2][4]; /* [0] IPv4 (in word 0), [1] IPv6; network order */
	__u32 vip[2][4];
	__u32 client[2][4];
	__u32 dev[2][4];   /* the device that reports and replies, per family */
	__u16 dev_id[2];   /* its id, per family */
	__u16 tcp_port;	   /* a nat-mode TCP VIP's port (host order) */
	__u16 udp_port;	   /* a nat-mode UDP VIP's port */
	__u16 ipip_port;   /* an ipip-mode TCP VIP's port */
	__u16 dev_port;	   /* the devices' service port */
	__u16 report_port; /* the balancer's report port */
	__u64 seq;	   /* sequence of the seed reports */
	__u64 (*k0)(__u16 dev), (*k1)(__u16 dev); /* report keys */
};

struct fuzz_frame {
	char name[32];
	size_t len;
	__u8 data[FUZZ_SEED_MAX];
};

/* Some network with the report target's keys (tests/fuzz/targets.h). */
void fuzz_net_default(struct fuzz_net *n);

/* The seed frames on net; returns how many (at most max). */
size_t fuzz_seed_frames(const struct fuzz_net *net, struct fuzz_frame *out, size_t max);

/* The report target's seeds: a mode byte, then a report (targets.h). */
size_t fuzz_seed_reports(struct fuzz_frame *out, size_t max);

/* The 40 bytes of a valid version-2 report of dev at seq, tagged with its key. */
void fuzz_report_bytes(const struct fuzz_net *net, __u16 dev, __u64 seq, __u8 flags, __u32 rnd,
		       __u8 wire[40]);

#endif
