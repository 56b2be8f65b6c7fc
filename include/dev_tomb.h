/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * dev_tomb.h - tombstones in dev_addrs (docs/datapath.md, "A deleted nat
 * device's address"). When a nat device's dev_addrs key leaves with no
 * other device to keep it (the device deleted, moved, its server or VIP
 * gone), the key stays, its value a tombstone: dev_ref.gone_until_s set
 * to the second of the monotonic clock (the datapath's coarse clock, the
 * manager's CLOCK_MONOTONIC) until which a flow of that device may still
 * live in the compact table. A segment from that address, port and
 * protocol is then known for a gone device's late reply (an echo in
 * flight, a retransmission, a FIN) and refused as the LRU tables refuse
 * a reply whose entry names a gone device, instead of passed to the
 * kernel, which would forward it untranslated.
 *
 * A tombstone names no device: its id (the deleted device's) is kept for
 * the record and never looked up, so the id given again (device add takes
 * the lowest free id) cannot make a tombstone a device's; a device added
 * at the tombstone's address takes the key (mapw_device writes over it).
 * Its dev_hints entry stays non-zero while it stands, so that the datapath
 * looks the source up. The manager removes it (user/map_write.c: expired
 * ones whenever a tombstone is written or room is needed, the one that
 * ends first when dev_addrs, sized for the devices, is full; and hauler
 * daemon, every 10 s); the datapath ignores one past its time, so
 * removal is housekeeping only.
 * One definition for the datapath, the manager and the tests.
 */
#ifndef HAULER_DEV_TOMB_H
#define HAULER_DEV_TOMB_H

#include "hauler_schema.h"
#include "ctable/ct_slot.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/* Seconds a tombstone stands past the longest life of its flows: clocks a tick apart, rounding. */
#define HAULER_TOMB_SLACK_S 5

/* Is r a tombstone (a deleted nat device's address), not a live device's key? */
static __always_inline int hauler_dev_ref_tomb(const struct dev_ref *r)
{
	return r->gone_until_s != 0;
}

/* Does tombstone r stand at now_ns (monotonic ns)? 0 for a live device's key. */
static __always_inline int hauler_dev_tomb_stands(const struct dev_ref *r, __u64 now_ns)
{
	return r->gone_until_s && now_ns < (__u64)r->gone_until_s * 1000000000ULL;
}

/*
 * Seconds a tombstone stands: the longest a compact-table slot of the
 * deleted device's flows may live after the deletion (no packet of the
 * device refreshes its slots after it: the client's next packet finds the
 * slot gone and removes it), by the table's own rules (ct_limits_set,
 * ct_slot_ended: an established TCP flow idle, a half-open one, after a
 * FIN or RST, a UDP flow idle; each capped as ct_ticks_of_ms caps it),
 * rounded up, plus HAULER_TOMB_SLACK_S.
 */
static __always_inline __u32 hauler_dev_tomb_life_s(const struct config *cfg)
{
	struct ct_limits l;
	__u32 t;

	ct_limits_set(&l, cfg->rst_linger_ms, cfg->fin_grace_ms, cfg->udp_timeout_ms);
	t = l.idle;
	if (l.half > t)
		t = l.half;
	if (l.fin > t)
		t = l.fin;
	if (l.rst > t)
		t = l.rst;
	if (l.udp > t)
		t = l.udp;
	return (((__u64)t << HAULER_CT_TICK_SHIFT) + 999999999ULL) / 1000000000ULL +
	       HAULER_TOMB_SLACK_S;
}

/*
 * The tombstone of device id's key, the device gone at now_s (monotonic
 * seconds), standing life_s (hauler_dev_tomb_life_s): never 0 (0 is a
 * live key), never wrapped past the clock's 32-bit seconds.
 */
static __always_inline struct dev_ref hauler_dev_tomb(__u32 id, __u32 now_s, __u32 life_s)
{
	struct dev_ref r = {.id = id};
	__u64 until = (__u64)now_s + life_s;

	r.gone_until_s = until > 0xffffffffULL ? 0xffffffffU : until ? (__u32)until : 1;
	return r;
}

/* Which of two tombstones goes first when room is needed: the one that ends first. */
static __always_inline int hauler_dev_tomb_before(const struct dev_ref *a, const struct dev_ref *b)
{
	return a->gone_until_s < b->gone_until_s;
}

#endif
