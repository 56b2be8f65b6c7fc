/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * hauler_nexthop.h - an entry of the datapath's per-CPU next-hop cache
 * (bpf/nexthop.h, the map nh_cache), shared with the datapath tests that
 * look into it. Private to each BPF object: not pinned, not in the schema.
 */
#ifndef HAULER_NEXTHOP_H
#define HAULER_NEXTHOP_H

#include <linux/types.h>

#define HAULER_NH_MAX_AGE_NS  (100 * 1000000ULL) /* 100 ms */
#define HAULER_NH_CLIENT_BITS 10		 /* 1024 slots for NAT return traffic */

struct nh_entry {
	__u32 addr[4];	   /* destination the lookup was for */
	__u64 resolved_ns; /* coarse ktime of the lookup; 0: empty */
	__u32 ingress;	   /* ingress ifindex of the lookup */
	__u32 ifindex;	   /* egress ifindex */
	__u16 mtu;	   /* route MTU */
	__u8 family;
	__u8 pad;
	/*
	 * The frame's first 12 bytes as they go out (struct ethhdr's order:
	 * the next hop's MAC, then the egress interface's), so that a packet
	 * gets them in three word stores (nh_send_cached in bpf/forward.h),
	 * not twelve byte stores (two 6-byte copies to an unaligned header).
	 */
	union {
		struct {
			__u8 dmac[6];
			__u8 smac[6];
		};
		__u32 macs[3];
	};
	__u32 pad2;
};

#endif
