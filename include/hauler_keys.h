/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * hauler_keys.h - the map keys that hold more than an index: a VIP's two
 * Maglev tables and a server's two rings (the active one and the one the
 * manager fills before it flips the version), a device id's generation,
 * the VIP fields of a device's entry, and the flow keys of a nat flow's
 * two directions (client -> VIP, device -> client). One definition for the
 * datapath, the policies, the manager and the tests.
 */
#ifndef HAULER_KEYS_H
#define HAULER_KEYS_H

#include "hauler_schema.h"
#include "hauler_hash.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/* pools: version 0 or 1 of VIP vip_id's table (vip_info.pool_version). */
static __always_inline __u32 hauler_pool_key(__u32 vip_id, __u32 version)
{
	return vip_id * 2 + (version & 1);
}

/*
 * servers, rings, ring_pos: the flat group of VIP vip_id (vip_info.tier
 * TIER_FLAT), after the real servers. servers is the server count chosen
 * at hauler up (the servers map holds servers + VIPs entries). The
 * manager writes it from the VIP's devices and fills the VIP's pool with
 * it, so the entry program and every policy take it for a server of up
 * to DEVS_PER_SERVER devices.
 */
static __always_inline __u32 hauler_flat_group(__u32 servers, __u32 vip_id)
{
	return servers + vip_id;
}

_Static_assert(HAULER_SERVER_SLOTS == HAULER_MAX_SERVERS + HAULER_MAX_VIPS, "one flat group a VIP");

/*
 * devices.gen: a device id given to a new device takes the next
 * generation, and a connection remembers the generation it was bound to
 * (conn.dev_gen), so it never follows a reused id to another device.
 * 0 is skipped: it is the generation of a slot never used.
 */
static __always_inline __u16 hauler_dev_gen_next(__u16 gen)
{
	return gen == 0xffff ? 1 : gen + 1;
}

/*
 * devices.fwd, vip_id, vip: what a device's entry says of the VIP its
 * server belongs to (key k, id vip_id, fwd_mode), so that the compact
 * table's established packets and nat replies read one entry, not
 * servers, vip_index and vips. The manager writes them at every commit
 * with the rest of the entry; no VIP (k NULL): cleared, fwd 0.
 */
static __always_inline void hauler_device_vip_set(struct device_info *d, const struct vip_key *k,
						  __u16 vip_id, __u8 fwd_mode)
{
	__builtin_memset(&d->vip, 0, sizeof(d->vip));
	d->fwd = 0;
	d->vip_id = 0;
	if (!k)
		return;
	d->vip = *k;
	d->vip_id = vip_id;
	d->fwd = fwd_mode + 1;
}

/*
 * dev_addrs: the key of address addr (4 words, IPv4 in addr[0]), port
 * (network order), family and protocol proto: a device's, its VIP's
 * protocol (hauler_dev_addr_of), or a packet's source (the compact
 * table's nat reply: bpf/ctconn.h, ct_reply_device).
 */
static __always_inline void hauler_dev_addr_key(struct dev_addr *k, const __u32 *addr, __u16 port,
						__u8 family, __u8 proto)
{
	__builtin_memset(k, 0, sizeof(*k));
	k->addr[0] = addr[0];
	if (family == 6) {
		k->addr[1] = addr[1];
		k->addr[2] = addr[2];
		k->addr[3] = addr[3];
	}
	k->port = port;
	k->family = family;
	k->proto = proto;
}

/*
 * dev_hints: the entry of a dev_addrs key (hauler_dev_addr_key's fields;
 * hauler_dev_hint_index of the key itself), or of a packet's source: the words of the address
 * folded, the port and protocol beside them, mixed by MurmurHash3's finalizer and cut to
 * HAULER_DEV_HINTS (a power of two). Not seeded: an entry only names a device to check
 * (bpf/ctconn.h, ct_reply_device), and a source that meets another device's entry costs the
 * dev_addrs lookup it cost before dev_hints.
 */
static __always_inline __u32 hauler_dev_hint_at(const __u32 *addr, __u16 port, __u8 family,
						__u8 proto)
{
	__u32 h = addr[0];

	if (family == 6)
		h ^= hauler_rotl32(addr[1], 8) ^ hauler_rotl32(addr[2], 16) ^
		     hauler_rotl32(addr[3], 24);
	h ^= ((__u32)port << 16 | (__u32)proto << 8 | family) * 0x9e3779b1u;
	return hauler_hash_final(h, 0) & (HAULER_DEV_HINTS - 1);
}

static __always_inline __u32 hauler_dev_hint_index(const struct dev_addr *k)
{
	return hauler_dev_hint_at(k->addr, k->port, k->family, k->proto);
}

/*
 * The dev_addrs key of device entry d: 1, or 0 when it has none (not in
 * use, no VIP, a VIP not in nat mode: an ipip device may share a nat
 * device's address and port).
 */
static __always_inline int hauler_dev_addr_of(struct dev_addr *k, const struct device_info *d)
{
	if (!d->in_use || d->fwd != HAULER_FWD_NAT + 1)
		return 0;
	hauler_dev_addr_key(k, d->addr, d->port, d->family, d->vip.proto);
	return 1;
}

/* A flow key of family and protocol like f's: src:sport -> dst:dport. */
static __always_inline void flow_key_set(struct flow_key *k, const struct flow_key *f,
					 const __u32 *src, __u16 sport, const __u32 *dst,
					 __u16 dport)
{
	__builtin_memcpy(k->src, src, 16);
	__builtin_memcpy(k->dst, dst, 16);
	k->sport = sport;
	k->dport = dport;
	k->family = f->family;
	k->proto = f->proto;
	k->pad = 0;
}

/* The key of the reply to a NAT flow: device -> client. */
static __always_inline void reply_key(struct flow_key *r, const struct flow_key *f,
				      const struct device_info *dev)
{
	flow_key_set(r, f, dev->addr, dev->port, f->src, f->sport);
}

/* The inverse of reply_key: the client's flow to the VIP vk, from its reply r. */
static __always_inline void client_key(struct flow_key *f, const struct flow_key *r,
				       const struct vip_key *vk)
{
	flow_key_set(f, r, r->dst, r->dport, vk->addr, vk->port);
}

/* rings: version 0 or 1 of server's ring (server_info.ring_version). */
static __always_inline __u32 hauler_ring_key(__u32 server, __u32 version)
{
	return server * 2 + (version & 1);
}

#endif
