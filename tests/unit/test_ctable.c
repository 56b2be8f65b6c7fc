// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_ctable - the compact connection table's slot and bucket logic
 * (include/ctable/), in plain memory: packing, time and expiry, hit and
 * miss, a digest collision, full buckets (junk evicts only junk), lost
 * races, the fill the table is sized for, the first-bucket threshold
 * (hints filled and churned), the false-match rate against the computed
 * one, and the bytes per connection; what its readers in
 * user space make of a slot (ct_view.h: state, counts, a device's slots
 * dropped by the on-down reset); a nat reply's device by its source and
 * what its flow's binding says of it (hauler_reply.h, over maps in
 * memory, as hauler conns --flow reads the pinned ones); dev_addrs'
 * tombstones (dev_tomb.h: how long one stands, its value, which goes
 * first).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <cmocka.h>
#include "ctable/ct_view.h"
#include "dev_tomb.h"
#include "ct_fill.h"

/* The maps a nat reply's device is found in (hauler_reply.h), in memory. */
struct ct_src {
	struct device_info dev[4];
	struct dev_hint hint[HAULER_DEV_HINTS];
	struct dev_addr key;
	struct dev_ref ref;
	int has_key;
	int addr_reads; /* dev_addrs lookups */
};

static struct device_info *ct_src_device(struct ct_src *src, const __u32 *id)
{
	return *id < 4 ? &src->dev[*id] : NULL;
}

static struct dev_hint *ct_src_hint(struct ct_src *src, const __u32 *i)
{
	return &src->hint[*i];
}

static struct dev_ref *ct_src_addr(struct ct_src *src, const struct dev_addr *a)
{
	src->addr_reads++;
	return src->has_key && !memcmp(a, &src->key, sizeof(*a)) ? &src->ref : NULL;
}

#include "hauler_reply.h"

#define SEED 0x5eed1234u

/* A TCP flow to 10.0.0.1:80 from a client numbered i (as tools/ct_fill's). */
static struct flow_key flow(__u32 i)
{
	return ct_fill_flow(i);
}

static struct ct_limits limits(void)
{
	struct ct_limits l;

	ct_limits_set(&l, 1000, 10000, 30000);
	return l;
}

static void test_slot_pack(void **state)
{
	__u64 s = ct_slot_make(0x3abcde, 2047, 0x25, CT_F_HALF | CT_F_UDP, 0xfedc);

	(void)state;
	assert_int_equal(ct_slot_digest(s), 0x3abcde);
	assert_int_equal(ct_slot_device(s), 2047);
	assert_int_equal(ct_slot_gen(s), 0x25);
	assert_int_equal(ct_slot_flags(s), CT_F_HALF | CT_F_UDP);
	assert_int_equal(ct_slot_tick(s), 0xfedc);
	assert_true(ct_slot_gen_is(s, 0x25 + 0x40)); /* 6 bits of the generation */
	assert_false(ct_slot_gen_is(s, 0x26));
	s = ct_slot_with(s, CT_F_FIN, 7);
	assert_int_equal(ct_slot_digest(s), 0x3abcde);
	assert_int_equal(ct_slot_device(s), 2047);
	assert_int_equal(ct_slot_gen(s), 0x25);
	assert_int_equal(ct_slot_flags(s), CT_F_FIN);
	assert_int_equal(ct_slot_tick(s), 7);
	/* The widest digest fills the top bits; nothing spills into the device. */
	s = ct_slot_make((1u << HAULER_CT_DIGEST_BITS) - 1, 0, 0, 0, 0);
	assert_int_equal(ct_slot_device(s), 0);
	assert_int_equal(ct_slot_digest(s), (1u << HAULER_CT_DIGEST_BITS) - 1);
}

static void test_ticks_and_expiry(void **state)
{
	struct ct_limits l = limits();
	__u64 s;

	(void)state;
	assert_int_equal(ct_tick(1ULL << HAULER_CT_TICK_SHIFT), 1);
	assert_int_equal(ct_tick(0x10000ULL << HAULER_CT_TICK_SHIFT), 0); /* 16-bit wrap */
	assert_int_equal(ct_ticks_of_ms(0), 0);
	/* Never early: a tick is 67.1 ms; 1000 ms is 14.9 ticks, so 16 after rounding. */
	assert_int_equal(ct_ticks_of_ms(1000), 16);
	assert_true(ct_ticks_of_ms(1000) * 67108864ULL > 1000000000ULL);

	s = ct_slot_make(1, 1, 0, CT_F_RST, 100);
	assert_false(ct_slot_ended(s, 100 + l.rst, &l));
	assert_true(ct_slot_ended(s, 101 + l.rst, &l));
	s = ct_slot_make(1, 1, 0, CT_F_FIN, 100);
	assert_false(ct_slot_ended(s, 100 + l.fin, &l));
	assert_true(ct_slot_ended(s, 101 + l.fin, &l));
	s = ct_slot_make(1, 1, 0, CT_F_UDP | CT_F_HALF, 100);
	assert_false(ct_slot_ended(s, 100 + l.udp, &l));
	assert_true(ct_slot_ended(s, 101 + l.udp, &l));
	s = ct_slot_make(1, 1, 0, CT_F_HALF, 100);
	assert_false(ct_slot_ended(s, 100 + l.half, &l));
	assert_true(ct_slot_ended(s, 101 + l.half, &l));
	/* An established TCP flow ends only after the idle time, across the wrap. */
	s = ct_slot_make(1, 1, 0, 0, 0xfff0);
	assert_false(ct_slot_ended(s, 0x10, &l));
	assert_true(ct_slot_ended(s, (0xfff0 + l.idle + 1) & 0xffff, &l));
	/*
	 * Stamped by another CPU after this one read the clock: a few ticks
	 * ahead is age 0, not 73 minutes (no live flow ended); further ahead
	 * is the wrap of a slot idle that long.
	 */
	s = ct_slot_make(1, 1, 0, CT_F_UDP, 101);
	assert_int_equal(ct_slot_age(s, 100), 0);
	assert_false(ct_slot_ended(s, 100, &l));
	s = ct_slot_make(1, 1, 0, CT_F_UDP, 0x2);
	assert_int_equal(ct_slot_age(s, 0xfffe), 0);
	assert_int_equal(
	    ct_slot_age(ct_slot_make(1, 1, 0, CT_F_UDP, 100 + CT_TICKS_AHEAD + 1), 100),
	    CT_TICK_MASK - CT_TICKS_AHEAD);
	assert_true(
	    ct_slot_ended(ct_slot_make(1, 1, 0, CT_F_UDP, 100 + CT_TICKS_AHEAD + 1), 100, &l));
	/* A RST linger of 0 ends at once. */
	ct_limits_set(&l, 0, 10000, 30000);
	assert_true(ct_slot_ended(ct_slot_make(1, 1, 0, CT_F_RST, 5), 5, &l));
}

static void test_place(void **state)
{
	struct ct_place p, q;
	__u32 i, n = 1000;

	(void)state;
	for (i = 0; i < 10000; i++) {
		struct flow_key f = flow(i);

		/* Its flow hash, from the same hash: the one a new flow's Maglev lookup takes. */
		assert_int_equal(ct_place_flow(&p, &f, SEED, n), hauler_flow_hash(&f, SEED));
		assert_true(p.bucket[0] < n && p.bucket[1] < n);
		assert_true(p.digest && p.digest < (1u << HAULER_CT_DIGEST_BITS));
		ct_place_flow(&q, &f, SEED, n);
		assert_memory_equal(&p, &q, sizeof(p));
	}
	/* Another seed, another place: the seed is secret (config.flow_seed). */
	{
		struct flow_key f = flow(7);

		ct_place_flow(&p, &f, SEED, 1u << 20);
		ct_place_flow(&q, &f, SEED + 1, 1u << 20);
		assert_true(p.digest != q.digest || p.bucket[0] != q.bucket[0]);
	}
}

static void test_hit_and_miss(void **state)
{
	struct ct_limits l = limits();
	__u32 n = 64, i;
	struct ct_bucket *t = calloc(n, sizeof(*t));
	__u64 v;

	(void)state;
	for (i = 0; i < 100; i++) {
		struct flow_key f = flow(i);

		assert_int_equal(ct_mem_insert(t, n, &f, SEED, ct_slot_make(0, i, 3, 0, 9), 9, &l),
				 CT_INSERTED);
	}
	for (i = 0; i < 100; i++) {
		struct flow_key f = flow(i);

		assert_true(ct_mem_lookup(t, n, &f, SEED, &v) >= 0);
		assert_int_equal(ct_slot_device(v), i);
		assert_int_equal(ct_slot_gen(v), 3);
	}
	for (i = 1000; i < 1100; i++) {
		struct flow_key f = flow(i);

		assert_int_equal(ct_mem_lookup(t, n, &f, SEED, &v), -1);
	}
	free(t);
}

/* Two flows of one table with one digest and one first bucket (a collision). */
static void colliding_pair(__u32 n, struct flow_key *a, struct flow_key *b)
{
	static __u32 seen[1u << 16];
	struct ct_place p;
	__u32 i;

	memset(seen, 0, sizeof(seen));
	for (i = 1;; i++) {
		struct flow_key f = flow(i);
		__u32 h;

		ct_place_flow(&p, &f, SEED, n);
		h = p.digest & 0xffff;
		if (seen[h]) {
			struct ct_place q;

			*a = flow(seen[h]);
			ct_place_flow(&q, a, SEED, n);
			if (q.digest == p.digest) {
				*b = f;
				return;
			}
		}
		seen[h] = i;
	}
}

/*
 * A digest collision: the table cannot tell the flows apart, so the
 * second finds the first's slot (a false match, whose cost the caller
 * bounds). A caller that can tell (another VIP's device) looks past it
 * with skip 1, inserts, and finds its own slot from then on.
 */
static void test_digest_collision(void **state)
{
	struct ct_limits l = limits();
	struct ct_bucket t[1] = {};
	struct ct_found fd = {};
	struct flow_key a, b;
	struct ct_place pa;
	__u64 v, found;
	int i;

	(void)state;
	colliding_pair(1, &a, &b);
	assert_int_equal(ct_mem_insert(t, 1, &a, SEED, ct_slot_make(0, 11, 0, 0, 1), 1, &l),
			 CT_INSERTED);
	assert_true(ct_mem_lookup(t, 1, &b, SEED, &v) >= 0);
	assert_int_equal(ct_slot_device(v), 11); /* b sees a's device */
	ct_place_flow(&pa, &a, SEED, 1);
	assert_int_equal(ct_lookup(t, NULL, pa.digest, 1, &fd), -1);
	/* Told apart: b inserted beside a, found with skip 1. */
	assert_int_equal(ct_insert(t, NULL, ct_slot_make(pa.digest, 22, 0, 0, 1), 1, &l, &found),
			 CT_INSERTED);
	i = ct_lookup(t, NULL, pa.digest, 1, &fd);
	assert_true(i >= 0);
	assert_int_equal(ct_slot_device(fd.s), 22);
	assert_int_equal(fd.which, 0);
}

/* Fill the one bucket of t with 8 slots of flags f (ages: slot i is i ticks old at 100). */
static void fill_bucket(struct ct_bucket *t, __u32 flags)
{
	int i;

	for (i = 0; i < HAULER_CT_SLOTS; i++)
		t->slot[i] = ct_slot_make(100 + i, i, 0, flags, 100 - i);
}

static void test_full_bucket(void **state)
{
	struct ct_limits l = limits();
	struct ct_bucket t[1];
	__u64 found = 0, val = ct_slot_make(999, 50, 0, CT_F_HALF, 100);

	(void)state;
	/* Live established flows only: a new one is refused, nothing evicted. */
	fill_bucket(t, 0);
	assert_int_equal(ct_insert(t, NULL, val, 100, &l, &found), CT_FULL);
	for (int i = 0; i < HAULER_CT_SLOTS; i++)
		assert_int_equal(ct_slot_digest(t->slot[i]), 100 + i);
	/* Half-open flows: the oldest goes (slot 7, 7 ticks old). */
	fill_bucket(t, CT_F_HALF);
	t->slot[3] = ct_slot_with(t->slot[3], 0, 100); /* one established */
	assert_int_equal(ct_insert(t, NULL, val, 100, &l, &found), CT_INSERTED);
	assert_int_equal(ct_slot_digest(t->slot[7]), 999);
	assert_int_equal(ct_slot_digest(t->slot[3]), 103);
	/* *found: what the slot held; a half-open flow is no open connection. */
	assert_int_equal(ct_slot_digest(found), 107);
	assert_false(ct_evicts_open(found));
	/* An ended flow goes before any half-open one; an empty slot before both. */
	fill_bucket(t, CT_F_HALF);
	t->slot[2] = ct_slot_make(102, 2, 0, CT_F_RST, 100 - l.rst - 1);
	assert_int_equal(ct_insert(t, NULL, val, 100, &l, &found), CT_INSERTED);
	assert_int_equal(ct_slot_digest(t->slot[2]), 999);
	assert_int_equal(ct_slot_digest(found), 102);
	assert_false(ct_evicts_open(found));
	/* An established TCP flow idle past its limit: an open connection evicted. */
	fill_bucket(t, 0);
	t->slot[4] = ct_slot_make(104, 4, 0, 0, (100 - l.idle - 1) & CT_TICK_MASK);
	assert_int_equal(ct_insert(t, NULL, val, 100, &l, &found), CT_INSERTED);
	assert_int_equal(ct_slot_digest(t->slot[4]), 999);
	assert_int_equal(ct_slot_digest(found), 104);
	assert_true(ct_evicts_open(found));
	assert_false(ct_evicts_open(ct_slot_with(found, CT_F_UDP, 1)));
	assert_false(ct_evicts_open(ct_slot_with(found, CT_F_FIN, 1)));
	fill_bucket(t, CT_F_HALF);
	t->slot[2] = ct_slot_make(102, 2, 0, CT_F_RST, 100 - l.rst - 1);
	t->slot[5] = 0;
	assert_int_equal(ct_insert(t, NULL, val, 100, &l, &found), CT_INSERTED);
	assert_int_equal(ct_slot_digest(t->slot[5]), 999);
	assert_int_equal(ct_slot_digest(t->slot[2]), 102);
	assert_int_equal(found, 0);
	assert_false(ct_evicts_open(found));
}

/* The second bucket takes what the first cannot; the better victim wins. */
static void test_two_buckets(void **state)
{
	struct ct_limits l = limits();
	struct ct_bucket b0, b1 = {};
	__u64 found, val = ct_slot_make(999, 50, 0, 0, 100);
	struct ct_found fd = {};

	(void)state;
	fill_bucket(&b0, 0);
	assert_int_equal(ct_insert(&b0, &b1, val, 100, &l, &found), CT_INSERTED);
	assert_int_equal(ct_lookup(&b0, &b1, 999, 0, &fd), 0);
	assert_int_equal(fd.which, 1);
	/* b0 holds only half-open flows, b1 an empty slot: the empty slot wins. */
	fill_bucket(&b0, CT_F_HALF);
	fill_bucket(&b1, 0);
	b1.slot[6] = 0;
	assert_int_equal(ct_insert(&b0, &b1, val, 100, &l, &found), CT_INSERTED);
	assert_int_equal(ct_slot_digest(b1.slot[6]), 999);
}

/*
 * b0 takes a flow while it holds fewer than CT_FIRST_HOLDS, without a look
 * at b1 (b1 all empty still loses); from then on the emptier bucket does,
 * and a flow put in b1 sets b0's hint first.
 */
static void test_first_bucket(void **state)
{
	struct ct_limits l = limits();
	struct ct_bucket b0 = {}, b1 = {};
	__u64 found = 0;
	int i;

	(void)state;
	for (i = 0; i < CT_FIRST_HOLDS; i++)
		assert_int_equal(
		    ct_insert(&b0, &b1, ct_slot_make(100 + i, 1, 0, 0, 100), 100, &l, &found),
		    CT_INSERTED);
	for (i = 0; i < HAULER_CT_SLOTS; i++)
		assert_int_equal(b1.slot[i], 0);
	assert_false(b0.slot[0] & CT_SPILLED);
	/* b0 half full, b1 empty: b1 is the emptier; b0's hint is set, its flow kept. */
	assert_int_equal(ct_insert(&b0, &b1, ct_slot_make(999, 2, 0, 0, 100), 100, &l, &found),
			 CT_INSERTED);
	assert_int_equal(ct_slot_digest(b1.slot[0]), 999);
	assert_true(b0.slot[0] & CT_SPILLED);
	assert_int_equal(ct_slot_digest(b0.slot[0]), 100);
	assert_int_equal(ct_slot_device(b0.slot[0]), 1);
}

/*
 * A flow put in b1 is found while b0's slots end, are cleared and are
 * taken again: the hint is sticky (every write keeps it, ct_swap), and a
 * cleared slot 0 holding only the hint is empty. Without the hint a miss
 * in b0 reads no further.
 */
static void test_spilled_found(void **state)
{
	struct ct_limits l = limits();
	struct ct_bucket b0, b1 = {}, out;
	__u64 found = 0;
	struct ct_found fd = {};
	int i;

	(void)state;
	fill_bucket(&b0, 0);
	assert_int_equal(ct_insert(&b0, &b1, ct_slot_make(999, 50, 0, 0, 100), 100, &l, &found),
			 CT_INSERTED);
	assert_true(b0.slot[0] & CT_SPILLED);
	for (i = 0; i < HAULER_CT_SLOTS; i++)
		assert_true(ct_update(&b0, i, b0.slot[i], 0));
	assert_int_equal(b0.slot[0], CT_SPILLED);
	assert_false(ct_slot_used(b0.slot[0]));
	assert_int_equal(ct_lookup(&b0, &b1, 999, 0, &fd), 0);
	assert_int_equal(fd.which, 1);
	/* An emptied b0 takes new flows (slot 0 first, as empty): the hint stays. */
	for (i = 0; i < 3; i++)
		assert_int_equal(
		    ct_insert(&b0, &b1, ct_slot_make(300 + i, 7, 1, 0, 100), 100, &l, &found),
		    CT_INSERTED);
	assert_int_equal(ct_slot_digest(b0.slot[0]), 300);
	assert_false(ct_evicts_open(found));
	assert_true(b0.slot[0] & CT_SPILLED);
	assert_int_equal(ct_lookup(&b0, &b1, 999, 0, &fd), 0);
	assert_int_equal(fd.which, 1);
	/* A flow's refresh and the on-down reset keep it too. */
	assert_true(ct_update(&b0, 0, b0.slot[0], ct_slot_make(300, 7, 1, CT_F_FIN, 101)));
	assert_true(b0.slot[0] & CT_SPILLED);
	assert_int_equal(ct_bucket_drop(&b0, 7, 1, &out), 3);
	assert_int_equal(out.slot[0], CT_SPILLED);
	/* No hint: b1 is not read. */
	b0.slot[0] &= ~CT_SPILLED;
	assert_int_equal(ct_lookup(&b0, &b1, 999, 0, &fd), -1);
	assert_int_equal(fd.empty, HAULER_CT_SLOTS - 3);
}

/*
 * ct_crowded: a new flow's buckets have room when either holds an empty
 * or ended slot, or a half-open one at least l.protect ticks old (a
 * handshake over); half-open slots younger than that, or live established
 * flows only, leave it none. Of two half-open victims the insert takes
 * the older (ct_pair_pick), the one ct_crowded judged.
 */
static void test_crowded(void **state)
{
	struct ct_limits l = limits();
	__u32 now = 1000, young = now - 1;
	__u64 found = 0, val = ct_slot_make(999, 50, 0, CT_F_HALF, now);
	struct ct_bucket b0, b1;
	struct ct_found fd = {};
	int i;

	(void)state;
	assert_true(l.protect > 8 && l.protect < l.half);
	/* Live established flows only: crowded (the insert would be refused). */
	fill_bucket(&b0, 0);
	fill_bucket(&b1, 0);
	assert_true(ct_crowded(&b0, &b1, 100, &l));
	assert_true(ct_crowded(&b0, NULL, 100, &l));
	/*
	 * An empty slot in either bucket: room. A lookup sees b1's empty slot
	 * only behind b0's hint (it reads b1 only then): without, ct_no_room
	 * asks ct_crowded, which reads both.
	 */
	b1.slot[4] = 0;
	assert_false(ct_crowded(&b0, &b1, 100, &l));
	assert_int_equal(ct_lookup(&b0, &b1, 999, 0, &fd), -1);
	assert_int_equal(fd.empty, 0);
	b0.slot[0] |= CT_SPILLED;
	assert_int_equal(ct_lookup(&b0, &b1, 999, 0, &fd), -1);
	assert_int_equal(fd.empty, 1);
	/* Half-open flows all younger than protect: crowded. */
	for (i = 0; i < HAULER_CT_SLOTS; i++) {
		b0.slot[i] = ct_slot_make(100 + i, i, 0, CT_F_HALF, young - i);
		b1.slot[i] = ct_slot_make(200 + i, i, 0, CT_F_HALF, young - 8 - i);
	}
	assert_true(ct_crowded(&b0, &b1, now, &l));
	assert_int_equal(ct_lookup(&b0, &b1, 999, 0, &fd), -1);
	assert_int_equal(fd.empty, 0);
	/* One of them older than protect, in b1: room, and the insert takes that one. */
	b1.slot[5] = ct_slot_make(205, 5, 0, CT_F_HALF, now - l.protect - 1);
	assert_false(ct_crowded(&b0, &b1, now, &l));
	assert_int_equal(ct_insert(&b0, &b1, val, now, &l, &found), CT_INSERTED);
	assert_int_equal(ct_slot_digest(found), 205);
	assert_int_equal(ct_slot_digest(b1.slot[5]), 999);
	/* A tick short of protect is still protected; an ended slot is room. */
	b1.slot[5] = ct_slot_make(205, 5, 0, CT_F_HALF, now - l.protect + 1);
	assert_true(ct_crowded(&b0, &b1, now, &l));
	b0.slot[2] = ct_slot_make(102, 2, 0, CT_F_RST, now - l.rst - 1);
	assert_false(ct_crowded(&b0, &b1, now, &l));
	/* The older half-open victim of the pair goes, whichever bucket holds it. */
	for (i = 0; i < HAULER_CT_SLOTS; i++) {
		b0.slot[i] = ct_slot_make(100 + i, i, 0, CT_F_HALF, now - 100 - i);
		b1.slot[i] = ct_slot_make(200 + i, i, 0, CT_F_HALF, now - 100 - i);
	}
	b1.slot[1] = ct_slot_make(201, 1, 0, CT_F_HALF, now - 300);
	assert_int_equal(ct_insert(&b0, &b1, val, now, &l, &found), CT_INSERTED);
	assert_int_equal(ct_slot_digest(found), 201);
	b0.slot[6] = ct_slot_make(106, 6, 0, CT_F_HALF, now - 400);
	assert_int_equal(ct_insert(&b0, &b1, val, now, &l, &found), CT_INSERTED);
	assert_int_equal(ct_slot_digest(found), 106);
}

/*
 * The LRU tables' limit (include/handshake.h): half_open's entries over
 * the windows in HAULER_HANDSHAKE_PROTECT_MS and the CPUs, at least 1.
 * With the default 131,072 entries on 2 CPUs, 2,184 new connections a
 * CPU per 100 ms: 43,680 a second fill the table in 3 s.
 */
static void test_half_open_burst(void **state)
{
	(void)state;
	assert_int_equal(HAULER_HANDSHAKE_PROTECT_MS / HAULER_NEW_WINDOW_MS, 30);
	assert_int_equal(hauler_half_open_burst(HAULER_MAX_HALF_OPEN, 2), 2184);
	assert_int_equal(hauler_half_open_burst(HAULER_MAX_HALF_OPEN, 1), 4369);
	assert_int_equal(hauler_half_open_burst(HAULER_MAX_HALF_OPEN, 0), 4369);
	assert_int_equal(hauler_half_open_burst(256, 2), 4);
	assert_int_equal(hauler_half_open_burst(16, 64), 1);
	assert_int_equal(CT_HALF_PROTECT_MS, HAULER_HANDSHAKE_PROTECT_MS);
}

/* A write against a stale read loses and changes nothing. */
static void test_lost_race(void **state)
{
	struct ct_bucket t[1] = {};
	__u64 a = ct_slot_make(5, 1, 0, 0, 1), b = ct_slot_make(6, 2, 0, 0, 1);

	(void)state;
	t->slot[0] = b; /* another CPU took the slot after we read it empty */
	assert_false(ct_update(t, 0, 0, a));
	assert_int_equal(t->slot[0], b);
	assert_true(ct_update(t, 0, b, ct_slot_with(b, CT_F_FIN, 2)));
	assert_int_equal(ct_slot_flags(t->slot[0]), CT_F_FIN);
	assert_false(ct_update(t, HAULER_CT_SLOTS, 0, a)); /* out of range: refused */
}

/*
 * A table sized for n holds n established flows (CT_FILL_PCT of its
 * slots): refusals stay under 0.01%, and every flow held is found with
 * its own device.
 */
static void test_sized_fill(void **state)
{
	struct ct_limits l = limits();
	__u32 n = 200000, i, refused = 0, wrong = 0;
	__u32 nb = ct_buckets_for(n);
	struct ct_bucket *t = calloc(nb, sizeof(*t));
	__u64 v;

	(void)state;
	assert_non_null(t);
	for (i = 0; i < n; i++) {
		struct flow_key f = flow(i);

		if (ct_mem_insert(t, nb, &f, SEED, ct_slot_make(0, i & CT_DEVICE_MASK, 0, 0, 1), 1,
				  &l) != CT_INSERTED)
			refused++;
	}
	print_message("ctable: %u flows in %u buckets, %u refused\n", n, nb, refused);
	assert_true(refused <= n / 10000);
	for (i = 0; i < n; i++) {
		struct flow_key f = flow(i);

		if (ct_mem_lookup(t, nb, &f, SEED, &v) < 0 ||
		    ct_slot_device(v) != (i & CT_DEVICE_MASK))
			wrong++;
	}
	/* Refused flows, and the rare false match of a flow on another's slot. */
	assert_true(wrong <= refused + 2);
	free(t);
}

/*
 * A table a tenth full (the rate bench's 100,000 flows in a table for
 * 1M): nearly every flow is in its first bucket and nearly no bucket has
 * the hint, so a lookup, a hit or a miss, reads one bucket.
 */
static void test_low_fill(void **state)
{
	struct ct_limits l = limits();
	__u32 n = 10000, nb = ct_buckets_for(10 * n), i, second = 0;
	struct ct_bucket *t = calloc(nb, sizeof(*t));
	struct ct_found fd = {};
	struct ct_place p;
	__u64 found;

	(void)state;
	assert_non_null(t);
	for (i = 0; i < n; i++) {
		struct flow_key f = flow(i);
		struct ct_bucket *b0, *b1;

		ct_place_flow(&p, &f, SEED, nb);
		ct_mem_buckets(t, &p, &b0, &b1);
		assert_int_equal(
		    ct_insert(b0, b1, ct_slot_make(p.digest, 1, 0, 0, 1), 1, &l, &found),
		    CT_INSERTED);
	}
	for (i = 0; i < n; i++) {
		struct flow_key f = flow(i);
		struct ct_bucket *b0, *b1;

		ct_place_flow(&p, &f, SEED, nb);
		ct_mem_buckets(t, &p, &b0, &b1);
		assert_true(ct_lookup(b0, b1, p.digest, 0, &fd) >= 0);
		second += fd.which;
	}
	print_message("ctable: %u flows at 7.5%%: %u in b1, %.5f of buckets hinted\n", n, second,
		      ct_mem_spilled(t, nb));
	assert_true(second <= n / 1000);
	assert_true(ct_mem_spilled(t, nb) < 0.001);
	free(t);
}

/* The place of flow id in s. */
static struct ct_place fill_at(struct ct_fill *s, __u32 id)
{
	struct ct_bucket *b0, *b1;
	struct ct_place p;

	ct_fill_place(s, id, &p, &b0, &b1);
	return p;
}

/* Put flow id of s in its bucket which (1: b1, b0's hint set first) and in its live set. */
static void fill_put(struct ct_fill *s, __u32 id, __u32 which)
{
	struct ct_place p = fill_at(s, id);
	struct ct_bucket *b = &s->t[p.bucket[which]];
	int i = 0;

	if (which)
		assert_true(ct_mark_spilled(&s->t[p.bucket[0]]));
	while (i < HAULER_CT_SLOTS && ct_slot_used(b->slot[i]))
		i++;
	assert_true(
	    ct_swap(b, i, b->slot[i & (HAULER_CT_SLOTS - 1)], ct_slot_make(p.digest, 1, 0, 0, 1)));
	s->live[s->count++] = id;
}

/* The last flow of s's live set goes (its slot cleared, the hint kept). */
static void fill_gone(struct ct_fill *s)
{
	struct ct_bucket *b0, *b1;
	struct ct_found f = {};
	struct ct_place p;
	int i;

	ct_fill_place(s, s->live[--s->count], &p, &b0, &b1);
	i = ct_lookup(b0, b1, p.digest, 0, &f);
	assert_true(i >= 0 && ct_update(f.which ? b1 : b0, i, f.s, 0));
}

/* The first flow id from id on with two buckets, b0 bucket (want) or not, b1 not not_b1. */
static __u32 fill_find(struct ct_fill *s, __u32 id, __u32 bucket, int want, __u32 not_b1)
{
	struct ct_place p;

	for (;; id++) {
		p = fill_at(s, id);
		if (p.bucket[1] != p.bucket[0] && (p.bucket[0] == bucket) == want &&
		    p.bucket[1] != not_b1)
			return id;
	}
}

/* s's figures: shares hinted, needed, in b1; a new flow's second reads, sticky and perfect. */
static void fill_check(struct ct_fill *s, double hinted, double needed, double second, double syn,
		       double syn_need)
{
	struct ct_fill_stats st;

	ct_fill_stats(s, &st);
	print_message("ctable: %.3f hinted, %.3f needed, %.3f in b1, syn %.2f / %.2f\n", st.hinted,
		      st.needed, st.second, st.syn_lines, st.syn_need);
	assert_true(st.hinted == hinted && st.needed == needed && st.second == second);
	assert_true(st.miss_lines == 1 + hinted && st.need_lines == 1 + needed);
	assert_true(st.syn_lines == 1 + syn && st.syn_need == 1 + syn_need);
}

/*
 * The hint a perfect one (one that could be cleared) would keep
 * (ct_fill_stats, needed): the buckets that are b0 of a live flow in its
 * b1, each once, while one is. In 4 buckets: flows a and b of one b0,
 * each in its own b1, and c in its b0, another one, whose hint is set as
 * if by a flow gone (stale). A new flow's insert reads b1 also when its
 * b0 holds the threshold's flows (threshold 1: c's b0, not needed).
 */
static void test_fill_needed(void **state)
{
	struct ct_fill s;
	struct ct_place pa;
	__u32 a, b, c;

	(void)state;
	assert_int_equal(ct_fill_init(&s, 4, 3, CT_FIRST_HOLDS), 0);
	a = fill_find(&s, 0, 4, 0, 4);
	pa = fill_at(&s, a);
	b = fill_find(&s, a + 1, pa.bucket[0], 1, pa.bucket[1]);
	c = fill_find(&s, 0, pa.bucket[0], 0, 4);
	fill_put(&s, c, 0);
	fill_put(&s, a, 1);
	fill_put(&s, b, 1);
	assert_true(ct_mark_spilled(&s.t[fill_at(&s, c).bucket[0]]));
	fill_check(&s, 0.5, 0.25, 2.0 / 3, 0.5, 0.25);
	/* b goes: a keeps its b0's hint needed; a goes: none is, both stay set. */
	fill_gone(&s);
	fill_check(&s, 0.5, 0.25, 0.5, 0.5, 0.25);
	fill_gone(&s);
	fill_check(&s, 0.5, 0, 0, 0.5, 0);
	s.holds = 1;
	fill_check(&s, 0.5, 0, 0, 0.5, 0.25);
	ct_fill_free(&s);
}

/* A table for 100,000 flows filled to 60% of its slots with first-bucket threshold holds. */
static void first_holds_fill(struct ct_fill *s, __u32 holds, struct ct_fill_stats *st)
{
	__u32 nb = ct_buckets_for(100000), count = nb * HAULER_CT_SLOTS * 6 / 10;

	assert_int_equal(ct_fill_init(s, nb, count, holds), 0);
	ct_fill_to(s, count);
	ct_fill_stats(s, st);
	print_message(
	    "ctable: holds %u, 60%% full: %.3f hinted, %.3f needed, %.3f in b1, %llu refused\n",
	    holds, st->hinted, st->needed, st->second, (unsigned long long)s->refused);
}

/*
 * The first-bucket threshold (tools/ct_fill.c, docs/performance.md): the
 * higher it is, the fewer buckets carry the hint when a table is filled;
 * CT_FIRST_HOLDS at 60% refuses nothing and leaves under 60% of buckets
 * hinted. Under churn (a random flow goes, a new one comes, five times
 * the table's flows) the sticky hint spreads to nearly every bucket: a
 * miss then reads two buckets whatever the threshold. A hint that could
 * be cleared (needed: ct_fill_stats) would still be set on about 80 %.
 */
static void test_first_holds(void **state)
{
	struct ct_fill_stats st, lo, hi;
	struct ct_fill s;
	__u32 count;

	(void)state;
	first_holds_fill(&s, 0, &lo);
	ct_fill_free(&s);
	first_holds_fill(&s, HAULER_CT_SLOTS, &hi);
	ct_fill_free(&s);
	first_holds_fill(&s, CT_FIRST_HOLDS, &st);
	assert_int_equal(s.refused, 0);
	assert_true(st.hinted > 0.3 && st.hinted < 0.6);
	assert_true(st.second < 0.25);
	assert_true(hi.hinted < st.hinted - 0.2 && st.hinted < lo.hinted - 0.1);
	assert_true(hi.second < st.second && st.second < lo.second);
	/* Filled once, no flow has gone: every hint is still needed. */
	assert_true(st.needed == st.hinted && lo.needed == lo.hinted && hi.needed == hi.hinted);

	count = s.count;
	s.refused = s.inserts = 0;
	ct_fill_churn(&s, count, 5ULL * count);
	ct_fill_stats(&s, &st);
	print_message(
	    "ctable: after 5 turnovers: %.3f hinted, %.3f needed, %.3f in b1, %llu of %llu "
	    "refused\n",
	    st.hinted, st.needed, st.second, (unsigned long long)s.refused,
	    (unsigned long long)s.inserts);
	assert_true(st.hinted > 0.95);
	/* A perfect hint would still be set on about 4 buckets in 5. */
	assert_true(st.needed <= st.hinted && st.needed > 0.7 && st.needed < 0.9);
	assert_true(s.refused <= s.inserts / 10000);
	ct_fill_free(&s);
}

/*
 * Look up absent flows in a table filled to fill with digests of bits
 * bits, a share spilled of its buckets with the hint set.
 */
static double false_matches(__u32 bits, __u32 lookups, double *fill, double *spilled)
{
	__u32 n = 100000, nb = ct_buckets_for(n), i, used = 0, hits = 0;
	struct ct_bucket *t = calloc(nb, sizeof(*t));
	struct ct_limits l = limits();
	struct ct_found fd = {};
	struct ct_place p;
	__u64 found;

	assert_non_null(t);
	for (i = 0; i < n; i++) {
		struct flow_key f = flow(i);
		struct ct_bucket *b0, *b1;

		ct_place_bits(&p, &f, SEED, nb, bits);
		ct_mem_buckets(t, &p, &b0, &b1);
		if (ct_insert(b0, b1, ct_slot_make(p.digest, 1, 0, 0, 1), 1, &l, &found) ==
		    CT_INSERTED)
			used++;
	}
	for (i = 0; i < lookups; i++) {
		struct flow_key f = flow(n + 1 + i);
		struct ct_bucket *b0, *b1;

		ct_place_bits(&p, &f, SEED, nb, bits);
		ct_mem_buckets(t, &p, &b0, &b1);
		if (ct_lookup(b0, b1, p.digest, 0, &fd) >= 0)
			hits++;
	}
	*spilled = ct_mem_spilled(t, nb);
	free(t);
	*fill = (double)used / ((double)nb * HAULER_CT_SLOTS);
	return (double)hits / lookups;
}

/*
 * The false-match rate is what ct_false_match_rate computes: measured
 * with 10-bit digests (about 1% of lookups, countable), then bounded with
 * the real 22 bits (computed 1.7 per million at the sized fill, 60 %).
 */
static void test_false_match_rate(void **state)
{
	double fill, spilled, got, want;

	(void)state;
	got = false_matches(10, 400000, &fill, &spilled);
	want = ct_false_match_rate(fill, spilled, 10);
	print_message("ctable: 10-bit digests, fill %.3f, %.3f hinted: false matches %.5f, "
		      "computed %.5f\n",
		      fill, spilled, got, want);
	/* Filled as sized: CT_FILL_PCT of the slots, less what was refused. */
	assert_true(fill > HAULER_CT_FILL_PCT / 100.0 - 0.05 &&
		    fill < HAULER_CT_FILL_PCT / 100.0 + 0.01);
	/* A miss reads b1 only behind a hint: fewer slots than both buckets' (16). */
	assert_true(spilled > 0.2 && spilled < 0.9);
	assert_true(got > want * 0.85 && got < want * 1.15);
	assert_true(got < ct_false_match_rate(fill, 1.0, 10) * 0.95);

	got = false_matches(HAULER_CT_DIGEST_BITS, 2000000, &fill, &spilled);
	want = ct_false_match_rate(fill, spilled, HAULER_CT_DIGEST_BITS);
	print_message("ctable: %d-bit digests: false matches %.2e, computed %.2e\n",
		      HAULER_CT_DIGEST_BITS, got, want);
	assert_true(want < 4e-6);
	assert_true(got < 10 * want + 5.0 / 2000000);
}

/* The target: 10 million connections in 256 MB, <= 26 bytes each, nat included. */
static void test_memory(void **state)
{
	(void)state;
	assert_int_equal(sizeof(struct ct_bucket), 64);
	print_message("ctable: 1M: %llu bytes (%.1f B/conn), 10M: %llu bytes (%.1f B/conn)\n",
		      ct_table_bytes(1000000), ct_table_bytes(1000000) / 1e6,
		      ct_table_bytes(10000000), ct_table_bytes(10000000) / 1e7);
	assert_true(ct_table_bytes(10000000) <= 256ULL << 20);
	assert_true(ct_table_bytes(10000000) <= 26ULL * 10000000);
	/* 4 flows at 60 % take 7 slots (one bucket), 5 take 9 (two). */
	assert_int_equal(ct_buckets_for(4), 1);
	assert_int_equal(ct_buckets_for(5), 2);
}

/* The readers' table: flows of known states, devices and ages, in 64 buckets. */
#define VIEW_BUCKETS 64
#define VIEW_NOW     1000 /* ticks */

static struct ct_bucket view_table[VIEW_BUCKETS];
static struct ct_view view;
static __u32 view_flows;

/* count flows of device dev, generation gen, flags, last seen ago ticks before VIEW_NOW. */
static void view_put(int count, __u32 dev, __u32 gen, __u32 flags, __u32 ago)
{
	struct ct_limits l = limits();

	while (count--) {
		struct flow_key f = flow(view_flows++);

		assert_int_equal(ct_mem_insert(view_table, VIEW_BUCKETS, &f, SEED,
					       ct_slot_make(0, dev, gen, flags, VIEW_NOW - ago),
					       VIEW_NOW, &l),
				 CT_INSERTED);
	}
}

static void view_build(void)
{
	struct config cfg = {.rst_linger_ms = 1000, .fin_grace_ms = 10000, .udp_timeout_ms = 30000};
	struct ct_limits l = limits();

	memset(view_table, 0, sizeof(view_table));
	view_flows = 0;
	ct_view_set(&view, &cfg, ((__u64)VIEW_NOW << HAULER_CT_TICK_SHIFT) + 12345);
	assert_memory_equal(&view.l, &l, sizeof(l)); /* the datapath's limits of that config */
	assert_int_equal(view.now_tick, VIEW_NOW);
	ct_view_device(&view, 1, 3);
	ct_view_device(&view, 2, 5);
	/* device 3 is not in use */
	view_put(10, 1, 3, 0, 0);		  /* established: open */
	view_put(2, 1, 3 + 64, 0, 5);		  /* gen 67 is gen 3 to 6 bits: open */
	view_put(4, 2, 5, CT_F_HALF, 10);	  /* half-open */
	view_put(3, 1, 3, CT_F_FIN, 2);		  /* within the FIN grace: open */
	view_put(1, 2, 5, CT_F_UDP, 3);		  /* a live UDP flow: open */
	view_put(2, 1, 3, CT_F_FIN, l.fin + 1);	  /* ended */
	view_put(2, 2, 5, CT_F_RST, l.rst + 1);	  /* ended */
	view_put(2, 1, 3, CT_F_UDP, l.udp + 1);	  /* ended */
	view_put(1, 2, 5, CT_F_HALF, l.half + 1); /* ended */
	view_put(1, 1, 3, 0, l.idle + 1);	  /* idle: ended */
	view_put(2, 3, 0, 0, 0);		  /* device not in use: gone */
	view_put(1, 1, 4, CT_F_HALF, 0);	  /* another generation of id 1: gone */
}

static void test_view_counts(void **state)
{
	struct ct_counts c = {};
	char buf[32];
	__u64 s;

	(void)state;
	view_build();
	ct_count_buckets(&view, view_table, VIEW_BUCKETS, &c);
	assert_int_equal(c.n[CT_S_OPEN], 10 + 2 + 3 + 1);
	assert_int_equal(c.n[CT_S_HALF], 4);
	assert_int_equal(c.n[CT_S_ENDED], 2 + 2 + 2 + 1 + 1);
	assert_int_equal(c.n[CT_S_GONE], 2 + 1);
	assert_int_equal(c.n[CT_S_EMPTY], VIEW_BUCKETS * HAULER_CT_SLOTS - view_flows);
	/* Counted in two parts, the same. */
	memset(&c, 0, sizeof(c));
	ct_count_buckets(&view, view_table, 10, &c);
	ct_count_buckets(&view, view_table + 10, VIEW_BUCKETS - 10, &c);
	assert_int_equal(c.n[CT_S_OPEN] + c.n[CT_S_HALF], 20);

	/* The words and the age hauler conns prints. */
	s = ct_slot_make(7, 1, 3, 0, VIEW_NOW - 15);
	assert_string_equal(ct_slot_text(&view, s, buf, sizeof(buf)), "established");
	assert_int_equal(ct_slot_age_ms(&view, s), (15ULL << HAULER_CT_TICK_SHIFT) / 1000000);
	s = ct_slot_make(7, 2, 5, CT_F_HALF | CT_F_UDP, VIEW_NOW);
	assert_string_equal(ct_slot_text(&view, s, buf, sizeof(buf)), "half-open");
	assert_int_equal(ct_slot_state(&view, s), CT_S_HALF);
	s = ct_slot_make(7, 1, 3, CT_F_FIN, VIEW_NOW - view.l.fin - 1);
	assert_string_equal(ct_slot_text(&view, s, buf, sizeof(buf)), "fin,ended");
	s = ct_slot_make(7, 1, 3, CT_F_FIN | CT_F_RST, VIEW_NOW);
	assert_string_equal(ct_slot_text(&view, s, buf, sizeof(buf)), "rst");
	s = ct_slot_make(7, 3, 0, 0, VIEW_NOW);
	assert_string_equal(ct_slot_text(&view, s, buf, sizeof(buf)), "established,gone");
	assert_int_equal(ct_slot_state(&view, 0), CT_S_EMPTY);
}

static void test_view_drop_device(void **state)
{
	struct ct_bucket out;
	int b, k, n = 0;

	(void)state;
	view_build();
	for (b = 0; b < VIEW_BUCKETS; b++) {
		int d = ct_bucket_drop(&view_table[b], 1, 3, &out);

		n += d;
		for (k = 0; k < HAULER_CT_SLOTS; k++) {
			__u64 s = view_table[b].slot[k];

			/* Device 1's slots of generation 3 (and 67) go; the rest stay as they were.
			 */
			if (s && ct_slot_device(s) == 1 && ct_slot_gen(s) == 3)
				assert_true(out.slot[k] == 0);
			else
				assert_true(out.slot[k] == s);
		}
		if (!d)
			assert_memory_equal(&out, &view_table[b], sizeof(out));
	}
	/* 10 + 2 + 3 + 2 (FIN, ended) + 2 (UDP, ended) + 1 (idle): not gen 4's. */
	assert_int_equal(n, 20);
}

/* Device id of a nat VIP (vk) at 10.0.2.last:8080. */
static void reply_dev(struct ct_src *src, __u32 id, __u8 last, const struct vip_key *vk, __u8 fwd)
{
	struct device_info *d = &src->dev[id];

	memset(d, 0, sizeof(*d));
	d->in_use = 1;
	d->gen = 5;
	d->family = 4;
	d->addr[0] = htonl(0x0a000200u + last);
	d->port = htons(8080);
	hauler_device_vip_set(d, vk, 3, fwd);
}

static void test_reply_device(void **state)
{
	static struct ct_src src;
	struct vip_key vk = {.family = 4, .proto = IPPROTO_TCP, .port = htons(80)};
	struct device_info *dev = NULL;
	struct flow_key k = flow(7), r, f;
	struct dev_ref tomb;
	__u32 id = 99, i;

	(void)state;
	memset(&src, 0, sizeof(src));
	vk.addr[0] = k.dst[0];
	reply_dev(&src, 1, 1, &vk, HAULER_FWD_NAT);
	reply_dev(&src, 2, 2, &vk, HAULER_FWD_NAT);
	/* The reply of client k's flow on device 1, and back to the client's flow. */
	reply_key(&r, &k, &src.dev[1]);
	client_key(&f, &r, &src.dev[1].vip);
	assert_memory_equal(&f, &k, sizeof(f));
	i = hauler_dev_hint_at(r.src, r.sport, r.family, r.proto);
	/* No hint: no device there, whatever dev_addrs holds. */
	src.has_key = hauler_dev_addr_of(&src.key, &src.dev[1]);
	src.ref.id = 1;
	assert_int_equal(ct_dev_hint_in(&src, &r), 0);
	assert_null(ct_reply_device_in(&src, &r, ct_dev_hint_in(&src, &r), &id, &tomb));
	/* The hint names it: one lookup. */
	src.has_key = 0;
	src.hint[i].dev1 = 2;
	assert_ptr_equal(ct_reply_device_in(&src, &r, ct_dev_hint_in(&src, &r), &id, &tomb),
			 &src.dev[1]);
	assert_int_equal(id, 1);
	/* The hint names another address's device: dev_addrs names it. */
	src.hint[i].dev1 = 3;
	assert_null(ct_reply_device_in(&src, &r, ct_dev_hint_in(&src, &r), &id, &tomb));
	src.has_key = 1;
	assert_ptr_equal(ct_reply_device_in(&src, &r, ct_dev_hint_in(&src, &r), &id, &tomb),
			 &src.dev[1]);
	assert_int_equal(id, 1);
	/* A key not yet deleted, its device moved: checked, none. */
	src.ref.id = 2;
	assert_null(ct_reply_device_in(&src, &r, ct_dev_hint_in(&src, &r), &id, &tomb));
	/* Of another protocol, or an ipip VIP's device: none. */
	src.hint[i].dev1 = 2;
	r.proto = IPPROTO_UDP;
	assert_null(ct_reply_device_in(&src, &r, ct_dev_hint_in(&src, &r), &id, &tomb));
	r.proto = IPPROTO_TCP;
	reply_dev(&src, 1, 1, &vk, HAULER_FWD_IPIP);
	assert_null(ct_reply_device_in(&src, &r, ct_dev_hint_in(&src, &r), &id, &tomb));
	reply_dev(&src, 1, 1, &vk, HAULER_FWD_NAT);
	/*
	 * The flow's binding: on a device at the source, elsewhere; gone,
	 * whichever device the id or the address names now (the flow is over).
	 */
	assert_int_equal(ct_reply_bound_in(&src, &r, &src.dev[1], 1, &dev, &id), CT_REPLY_FLOW);
	assert_ptr_equal(dev, &src.dev[1]);
	assert_int_equal(ct_reply_bound_in(&src, &r, &src.dev[2], 2, &dev, &id), CT_REPLY_OTHER);
	assert_int_equal(id, 2);
	assert_int_equal(ct_reply_bound_in(&src, &r, NULL, 1, &dev, &id), CT_REPLY_GONE);
	assert_int_equal(ct_reply_bound_in(&src, &r, NULL, 2, &dev, &id), CT_REPLY_GONE);
	assert_int_equal(id, 2);
	/*
	 * Device 1 deleted, its key a tombstone (the hint still naming it):
	 * no device, whatever the id names now; the tombstone found in the
	 * same, only, dev_addrs lookup, standing until its second.
	 */
	src.dev[1].in_use = 0;
	src.has_key = 1;
	src.ref = hauler_dev_tomb(1, 100, 1806);
	src.hint[i].dev1 = 2;
	src.addr_reads = 0;
	assert_null(ct_reply_device_in(&src, &r, ct_dev_hint_in(&src, &r), &id, &tomb));
	assert_int_equal(src.addr_reads, 1);
	assert_int_equal(tomb.id, 1);
	assert_int_equal(tomb.gone_until_s, 1906);
	assert_true(hauler_dev_tomb_stands(&tomb, 1905999999999ULL));
	assert_false(hauler_dev_tomb_stands(&tomb, 1906000000000ULL));
	reply_dev(&src, 1, 9, &vk, HAULER_FWD_NAT); /* the id given again elsewhere */
	assert_null(ct_reply_device_in(&src, &r, ct_dev_hint_in(&src, &r), &id, &tomb));
	assert_int_equal(tomb.gone_until_s, 1906);
	/* No hint: no lookup, no tombstone (the manager keeps the hint while one is there). */
	src.hint[i].dev1 = 0;
	assert_null(ct_reply_device_in(&src, &r, ct_dev_hint_in(&src, &r), &id, &tomb));
	assert_int_equal(tomb.gone_until_s, 0);
	/* A live key (device 1 back at the source, the hint another's): no tombstone. */
	reply_dev(&src, 1, 1, &vk, HAULER_FWD_NAT);
	src.hint[i].dev1 = 3;
	src.ref.gone_until_s = 0;
	assert_ptr_equal(ct_reply_device_in(&src, &r, ct_dev_hint_in(&src, &r), &id, &tomb),
			 &src.dev[1]);
	assert_int_equal(tomb.gone_until_s, 0);
	src.has_key = 0;
	src.addr_reads = 0;
	assert_null(ct_reply_device_in(&src, &r, ct_dev_hint_in(&src, &r), &id, &tomb));
	assert_int_equal(src.addr_reads, 1);
	assert_int_equal(tomb.gone_until_s, 0);
}

/* Seconds of n ticks, rounded up. */
static __u64 ticks_s(__u64 n)
{
	return ((n << HAULER_CT_TICK_SHIFT) + 999999999ULL) / 1000000000ULL;
}

/*
 * A tombstone stands as long as a slot of the deleted device's flows may
 * live (the longest of ct_limits_set's lives, as ct_slot_ended reads
 * them), plus the slack: an idle established TCP flow's 30 minutes by
 * default; a longer FIN grace or UDP timeout, up to ct_ticks_of_ms's cap.
 * Its value is never 0 (a live key), saturates instead of wrapping; it
 * stands until its second and not at it; the one that ends first goes
 * first.
 */
static void test_dev_tomb(void **state)
{
	struct config cfg = {.rst_linger_ms = 5000, .fin_grace_ms = 30000, .udp_timeout_ms = 30000};
	__u32 idle = ticks_s(ct_ticks_of_ms(CT_TCP_IDLE_S * 1000ULL)) + HAULER_TOMB_SLACK_S;
	struct dev_ref a, b, live = {.id = 3};

	(void)state;
	assert_true(idle >= CT_TCP_IDLE_S + HAULER_TOMB_SLACK_S);
	assert_true(idle <= CT_TCP_IDLE_S + HAULER_TOMB_SLACK_S + 1);
	assert_int_equal(hauler_dev_tomb_life_s(&cfg), idle);
	cfg.udp_timeout_ms = 2000 * 1000;
	assert_int_equal(hauler_dev_tomb_life_s(&cfg),
			 ticks_s(ct_ticks_of_ms(2000 * 1000ULL)) + HAULER_TOMB_SLACK_S);
	cfg.udp_timeout_ms = 0;
	cfg.fin_grace_ms = 0xffffffffu; /* capped as the table caps it: 36 minutes */
	assert_int_equal(hauler_dev_tomb_life_s(&cfg),
			 ticks_s(CT_TICK_MASK / 2) + HAULER_TOMB_SLACK_S);
	assert_true(hauler_dev_tomb_life_s(&cfg) < 2300);

	a = hauler_dev_tomb(7, 1000, 1805);
	assert_int_equal(a.id, 7);
	assert_int_equal(a.gone_until_s, 2805);
	assert_true(hauler_dev_ref_tomb(&a));
	assert_false(hauler_dev_ref_tomb(&live));
	assert_false(hauler_dev_tomb_stands(&live, 0));
	assert_true(hauler_dev_tomb_stands(&a, 2804999999999ULL));
	assert_false(hauler_dev_tomb_stands(&a, 2805000000000ULL));
	b = hauler_dev_tomb(8, 0, 0);
	assert_int_equal(b.gone_until_s, 1);
	assert_false(hauler_dev_tomb_stands(&b, 1000000000ULL));
	b = hauler_dev_tomb(8, 0xfffffff0u, 1805);
	assert_int_equal(b.gone_until_s, 0xffffffffu);
	assert_true(hauler_dev_tomb_before(&a, &b));
	assert_false(hauler_dev_tomb_before(&b, &a));
	assert_false(hauler_dev_tomb_before(&a, &a));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_slot_pack),
	    cmocka_unit_test(test_ticks_and_expiry),
	    cmocka_unit_test(test_place),
	    cmocka_unit_test(test_hit_and_miss),
	    cmocka_unit_test(test_digest_collision),
	    cmocka_unit_test(test_full_bucket),
	    cmocka_unit_test(test_two_buckets),
	    cmocka_unit_test(test_first_bucket),
	    cmocka_unit_test(test_spilled_found),
	    cmocka_unit_test(test_crowded),
	    cmocka_unit_test(test_half_open_burst),
	    cmocka_unit_test(test_lost_race),
	    cmocka_unit_test(test_sized_fill),
	    cmocka_unit_test(test_low_fill),
	    cmocka_unit_test(test_first_holds),
	    cmocka_unit_test(test_fill_needed),
	    cmocka_unit_test(test_false_match_rate),
	    cmocka_unit_test(test_memory),
	    cmocka_unit_test(test_view_counts),
	    cmocka_unit_test(test_view_drop_device),
	    cmocka_unit_test(test_reply_device),
	    cmocka_unit_test(test_dev_tomb),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
