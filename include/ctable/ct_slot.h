/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ct_slot.h - one slot of the compact connection table (docs/architecture.md,
 * "The compact connection table"): a flow in 8 bytes, so that a bucket of
 * CT_SLOTS slots is one cache line and a slot is written by one atomic
 * compare-and-swap. Shared by the datapath, the manager, the benchmarks and
 * the tests, like include/select/.
 *
 *   bits 63..42  digest   CT_DIGEST_BITS of the flow's place hash (ct_place_flow), never 0
 *   bit  41      spilled  slot 0 only: the bucket's hint, not the flow's (CT_SPILLED)
 *   bits 40..26  device   device id the flow is bound to
 *   bits 25..20  gen      low 6 bits of devices.gen when it was bound
 *   bits 19..16  flags    CT_F_*
 *   bits 15..0   tick     coarse time of the last refresh, 2^CT_TICK_SHIFT ns units
 *
 * A slot of digest 0 is empty (a digest is never 0): 0, or CT_SPILLED
 * alone in slot 0. The full key is not kept: a digest match is taken as
 * the flow (the false-match rate is ct_false_match_rate). No VIP: the
 * device's server names it.
 */
#ifndef HAULER_CT_SLOT_H
#define HAULER_CT_SLOT_H

#include "hauler_schema.h"
#include "handshake.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

#define CT_F_HALF 1 /* half-open: not yet confirmed (conn.h, conn_confirms) */
#define CT_F_FIN  2 /* a FIN was seen: ends after the FIN grace */
#define CT_F_RST  4 /* a RST was seen: ends after the RST linger */
#define CT_F_UDP  8 /* a UDP flow: ends after the UDP timeout idle */

#define CT_DIGEST_SHIFT 42
#define CT_DEVICE_SHIFT 26
#define CT_DEVICE_MASK	0x7fff
#define CT_GEN_SHIFT	20
#define CT_FLAGS_SHIFT	16
#define CT_GEN_MASK	0x3f
#define CT_TICK_MASK	0xffff

/*
 * Slot 0's bit 41: a flow whose first bucket is this one was ever put in
 * its second (ct_table.h, ct_insert). Sticky: every write of the slot
 * keeps it (ct_swap), and a lookup reads the second bucket only when the
 * first's is set.
 */
#define CT_SPILLED (1ULL << 41)

_Static_assert(HAULER_MAX_DEVICES <= CT_DEVICE_MASK + 1, "a device id fits a slot's device bits");

/* Seconds an idle established TCP flow keeps its slot against an insert. */
#define CT_TCP_IDLE_S 1800
/* Seconds a half-open flow lives (it is evictable by any insert before). */
#define CT_HALF_OPEN_S 60
/* A half-open flow is kept from another new flow's insert (ct_crowded). */
#define CT_HALF_PROTECT_MS HAULER_HANDSHAKE_PROTECT_MS

static __always_inline __u64 ct_slot_make(__u32 digest, __u32 device, __u32 gen, __u32 flags,
					  __u32 tick)
{
	return (__u64)digest << CT_DIGEST_SHIFT |
	       (__u64)(device & CT_DEVICE_MASK) << CT_DEVICE_SHIFT |
	       (__u64)(gen & CT_GEN_MASK) << CT_GEN_SHIFT | (__u64)(flags & 0xf) << CT_FLAGS_SHIFT |
	       (tick & CT_TICK_MASK);
}

static __always_inline __u32 ct_slot_digest(__u64 s)
{
	return s >> CT_DIGEST_SHIFT;
}

/* Does the slot hold a flow (a digest; slot 0's CT_SPILLED alone is no flow)? */
static __always_inline int ct_slot_used(__u64 s)
{
	return (s >> CT_DIGEST_SHIFT) != 0;
}

static __always_inline __u32 ct_slot_device(__u64 s)
{
	return (s >> CT_DEVICE_SHIFT) & CT_DEVICE_MASK;
}

static __always_inline __u32 ct_slot_gen(__u64 s)
{
	return (s >> CT_GEN_SHIFT) & CT_GEN_MASK;
}

static __always_inline __u32 ct_slot_flags(__u64 s)
{
	return (s >> CT_FLAGS_SHIFT) & 0xf;
}

static __always_inline __u32 ct_slot_tick(__u64 s)
{
	return s & CT_TICK_MASK;
}

/* The same slot with another time and flags. */
static __always_inline __u64 ct_slot_with(__u64 s, __u32 flags, __u32 tick)
{
	s &= ~(((__u64)0xf << CT_FLAGS_SHIFT) | CT_TICK_MASK);
	return s | (__u64)(flags & 0xf) << CT_FLAGS_SHIFT | (tick & CT_TICK_MASK);
}

/* Does the slot's generation say it is this generation of its device? */
static __always_inline int ct_slot_gen_is(__u64 s, __u32 dev_gen)
{
	return ct_slot_gen(s) == (dev_gen & CT_GEN_MASK);
}

/* The coarse clock (ns) as a 16-bit tick. */
static __always_inline __u32 ct_tick(__u64 now_ns)
{
	return (now_ns >> HAULER_CT_TICK_SHIFT) & CT_TICK_MASK;
}

/*
 * A slot another CPU stamped after this one read its clock is a tick or
 * so ahead of it; up to this many ticks ahead (268 ms) is age 0, not an
 * age of 73 minutes that would end a live flow.
 */
#define CT_TICKS_AHEAD 4

/*
 * Ticks since the slot's time, modulo the 16-bit wrap (73 min): a slot
 * idle longer than that looks young again (docs/architecture.md).
 */
static __always_inline __u32 ct_slot_age(__u64 s, __u32 now_tick)
{
	__u32 age = (now_tick - ct_slot_tick(s)) & CT_TICK_MASK;

	return age > CT_TICK_MASK - CT_TICKS_AHEAD ? 0 : age;
}

/*
 * A duration in ms as ticks, rounded up, and +1: a slot stamped anywhere
 * within a tick is then never judged ended before ms have passed (at most
 * two ticks, 134 ms, after). 0 stays 0: ends at once.
 */
static __always_inline __u32 ct_ticks_of_ms(__u64 ms)
{
	__u64 t;

	if (!ms)
		return 0;
	t = ((ms * 1000000ULL) >> HAULER_CT_TICK_SHIFT) + 2;
	return t > CT_TICK_MASK / 2 ? CT_TICK_MASK / 2 : (__u32)t;
}

/* The lives of slots, in ticks, from the datapath's settings (config). */
struct ct_limits {
	__u32 rst;     /* after a RST */
	__u32 fin;     /* after a FIN */
	__u32 udp;     /* a UDP flow, idle */
	__u32 idle;    /* an established TCP flow, idle */
	__u32 half;    /* a half-open flow */
	__u32 protect; /* a half-open flow, against a new flow's insert (ct_crowded) */
};

static __always_inline void ct_limits_set(struct ct_limits *l, __u32 rst_ms, __u32 fin_ms,
					  __u32 udp_ms)
{
	l->rst = ct_ticks_of_ms(rst_ms);
	l->fin = ct_ticks_of_ms(fin_ms);
	l->udp = ct_ticks_of_ms(udp_ms);
	l->idle = ct_ticks_of_ms(CT_TCP_IDLE_S * 1000ULL);
	l->half = ct_ticks_of_ms(CT_HALF_OPEN_S * 1000ULL);
	l->protect = ct_ticks_of_ms(CT_HALF_PROTECT_MS);
}

/*
 * Has the slot's flow ended? As conn_expired (bpf/conn.h) for RST, FIN
 * and UDP; in addition an established TCP flow idle CT_TCP_IDLE_S and a
 * half-open one older than CT_HALF_OPEN_S (there is no LRU to take them).
 * Limit 0 ends at once.
 */
static __always_inline int ct_slot_ended(__u64 s, __u32 now_tick, const struct ct_limits *l)
{
	__u32 f = ct_slot_flags(s), age = ct_slot_age(s, now_tick), lim;

	if (f & CT_F_RST)
		lim = l->rst;
	else if (f & CT_F_FIN)
		lim = l->fin;
	else if (f & CT_F_UDP)
		lim = l->udp;
	else if (f & CT_F_HALF)
		lim = l->half;
	else
		lim = l->idle;
	return !lim || age > lim;
}

#endif
