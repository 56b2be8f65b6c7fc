/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * nexthop.h - the next hop towards each device (and NAT client), cached
 * per CPU.
 *
 * bpf_fib_lookup costs about 75 ns a packet here, a third of an
 * established packet. Every packet to one device resolves to the same
 * next hop, so the answer is kept per device (slot = device id) for at
 * most HAULER_NH_MAX_AGE_NS and looked up again after that: a changed
 * neighbour or route is seen within that time, as a changed device
 * (another address or family) or another ingress interface is at once.
 * NAT return traffic goes to clients: their answers share a small
 * direct-mapped region (slot = hash of the address), checked the same
 * way. Only successful lookups are kept; an unresolved neighbour or a
 * missing route goes to the kernel on every packet, as without the cache.
 *
 * The lookup's route MTU is kept too, so a packet that would not fit
 * (encapsulation grows it) is still refused when the entry is fresh.
 *
 * The key is the destination only, not the whole packet: routing on the
 * source address or TOS (ip rule) is resolved once per destination and
 * age, not per packet.
 *
 * Private to each object (not pinned, not in the schema): a cache, and
 * each policy object keeps its own.
 */
#ifndef HAULER_BPF_NEXTHOP_H
#define HAULER_BPF_NEXTHOP_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "hauler_schema.h"
#include "hauler_nexthop.h" /* struct nh_entry */

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, HAULER_MAX_DEVICES + (1 << HAULER_NH_CLIENT_BITS));
	__type(key, __u32);
	__type(value, struct nh_entry);
} nh_cache SEC(".maps");

static __always_inline struct nh_entry *nh_dev_slot(__u32 dev_id)
{
	__u32 key = dev_id & (HAULER_MAX_DEVICES - 1);

	return bpf_map_lookup_elem(&nh_cache, &key);
}

/* A client's slot: direct-mapped by a hash of its address (a clash only costs a lookup). */
static __always_inline struct nh_entry *nh_client_slot(const __u32 *addr)
{
	__u32 key =
	    ((addr[0] ^ addr[1] ^ addr[2] ^ addr[3]) * 0x9e3779b1u) >> (32 - HAULER_NH_CLIENT_BITS);

	key += HAULER_MAX_DEVICES;
	return bpf_map_lookup_elem(&nh_cache, &key);
}

/* The entry answers for this device, ingress interface and time. */
static __always_inline int nh_fresh(const struct nh_entry *nh, const __u32 *addr, __u8 family,
				    __u32 ingress, __u64 now)
{
	return nh->resolved_ns && now - nh->resolved_ns < HAULER_NH_MAX_AGE_NS &&
	       nh->ingress == ingress && nh->family == family && nh->addr[0] == addr[0] &&
	       nh->addr[1] == addr[1] && nh->addr[2] == addr[2] && nh->addr[3] == addr[3];
}

#endif
