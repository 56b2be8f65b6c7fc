// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_select - the selection function of every policy, in user space,
 * against hand-computed cases: the least key, ties shared by the flow hash
 * (no device starved), stale devices taken by weight, unusable devices
 * never chosen, HAULER_NO_CHOICE when no device is usable; and the
 * parameter table include/select/params.def.
 *
 * Runs from the repository root (it lists the policy sources).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <glob.h>
#include <unistd.h>
#include <cmocka.h>

#include "select/select.h"
#include "select/select_load.h"
#include "select/select_rr.h"
#include "select/select_prt.h"
#include "select/select_p2c.h"
#include "select/select_spill.h"
#include "select/cand.h"

#define NO	 HAULER_NO_CHOICE
#define DEVS	 HAULER_DEVS_PER_SERVER
#define FLOWS	 4000		   /* flows per distribution check */
#define SHARE(x) ((x)*FLOWS / 100) /* x percent of FLOWS */

/* A server of n fresh, usable devices of weight 1 and no load. */
static struct policy_ctx server(unsigned int n)
{
	struct policy_ctx pc;
	unsigned int i;

	memset(&pc, 0, sizeof(pc));
	pc.n = n;
	for (i = 0; i < DEVS; i++) {
		pc.cand[i].id = 100 + i;
		pc.cand[i].weight = 1;
		pc.cand[i].usable = i < n;
	}
	return pc;
}

/* The i-th of a series of distinct flow hashes. */
static __u32 flow(unsigned int i)
{
	return i * 2654435761u + 12345;
}

typedef __u32 (*select_fn)(const struct policy_ctx *pc);

static __u32 lur_cmp(const struct policy_ctx *pc)
{
	return select_lur(pc, HAULER_METRIC_CMP);
}

static __u32 prt_default(const struct policy_ctx *pc)
{
	return select_prt(pc, HAULER_METRIC_CMP, 0);
}

static __u32 p2c_cmp(const struct policy_ctx *pc)
{
	return select_p2c(pc, HAULER_METRIC_CMP);
}

static __u32 p2c_latency(const struct policy_ctx *pc)
{
	return select_p2c(pc, HAULER_METRIC_LATENCY);
}

static __u32 ecmp_first(const struct policy_ctx *pc)
{
	return select_ecmp(pc, pc->hash);
}

static const struct {
	const char *name;
	select_fn fn;
	int load_aware;
} policies[] = {
    {"hash", select_hash, 0}, {"ecmp", ecmp_first, 0}, {"lur", lur_cmp, 1},
    {"jsq", select_jsq, 1},   {"lc", select_lc, 1},    {"wlc", select_wlc, 1},
    {"prt", prt_default, 1},  {"p2c", p2c_cmp, 1},
};
#define POLICIES (sizeof(policies) / sizeof(policies[0]))

/* Count, per position, how often fn picks it over FLOWS flows. */
static void tally(select_fn fn, struct policy_ctx *pc, unsigned int count[DEVS + 1])
{
	unsigned int i;
	__u32 c;

	memset(count, 0, sizeof(count[0]) * (DEVS + 1));
	for (i = 0; i < FLOWS; i++) {
		pc->hash = flow(i);
		c = fn(pc);
		count[c < DEVS ? c : DEVS]++;
	}
}

/* A small deterministic generator for the property tests. */
static __u32 rng_state = 2463534242u;
static __u32 rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

/* --- the building blocks ------------------------------------------------ */

static void test_bit_tricks(void **state)
{
	(void)state;
	assert_int_equal(select_lt(1, 2), 1);
	assert_int_equal(select_lt(2, 2), 0);
	assert_int_equal(select_lt(3, 2), 0);
	assert_int_equal(select_lt(0, (1ull << 62)), 1);
	assert_int_equal(select_nz(0), 0);
	assert_int_equal(select_nz(1), 1);
	assert_int_equal(select_nz(1ull << 63), 1);
	assert_int_equal(select_nz(~0ull), 1);
}

static void test_mask_nth_matches_naive(void **state)
{
	unsigned int mask, k, i, seen, want;

	(void)state;
	for (mask = 0; mask < (1u << DEVS); mask++) {
		assert_int_equal(select_mask_count(mask), __builtin_popcount(mask));
		for (k = 0; k <= DEVS; k++) {
			want = NO;
			for (i = 0, seen = 0; i < DEVS; i++)
				if ((mask >> i) & 1 && seen++ == k) {
					want = i;
					break;
				}
			assert_int_equal(select_mask_nth(mask, k), want);
		}
	}
}

static void test_present_and_usable_masks(void **state)
{
	struct policy_ctx pc = server(3);

	(void)state;
	assert_int_equal(select_present_mask(&pc), 0x7);
	pc.cand[5].usable = 1; /* beyond n: not a candidate */
	pc.cand[1].usable = 0;
	assert_int_equal(select_usable_mask(&pc), 0x5);
	pc.n = 200; /* a corrupt n is capped */
	assert_int_equal(select_present_mask(&pc), 0xff);
	pc.cand[2].stale = 1;
	pc.n = 3;
	assert_int_equal(select_fresh_mask(&pc, select_usable_mask(&pc)), 0x1);
}

static void test_key_compare(void **state)
{
	struct select_key a = {3, 4}, b = {2, 3}, c = {6, 8}, max = {~0u, 0};

	(void)state;
	assert_int_equal(select_key_less(&b, &a), 1); /* 2/3 < 3/4 */
	assert_int_equal(select_key_less(&a, &b), 0);
	assert_int_equal(select_key_equal(&a, &c), 1); /* 3/4 == 6/8 */
	assert_int_equal(select_key_less(&a, &c), 0);
	a.num = ~0u;
	a.den = 1;
	assert_int_equal(select_key_less(&a, &max), 1); /* the start value is above all */
	assert_int_equal(select_key_equal(&a, &max), 0);
}

/* --- every policy: the common rules -------------------------------------- */

static void test_no_usable_device(void **state)
{
	struct policy_ctx pc;
	unsigned int p, i;

	(void)state;
	for (p = 0; p < POLICIES; p++) {
		pc = server(0);
		assert_int_equal(policies[p].fn(&pc), NO);
		pc = server(4);
		for (i = 0; i < 4; i++)
			pc.cand[i].usable = 0; /* all drained or down */
		for (i = 0; i < 50; i++) {
			pc.hash = flow(i);
			assert_int_equal(policies[p].fn(&pc), NO);
		}
		pc.cand[2].stale = 1; /* stale and unusable: still nothing */
		assert_int_equal(policies[p].fn(&pc), NO);
	}
}

/* Random servers: a choice is always a usable candidate, or none iff none is. */
static void test_unusable_never_chosen(void **state)
{
	unsigned int p, round, i, usable;
	struct policy_ctx pc;
	__u32 c;

	(void)state;
	for (round = 0; round < 20000; round++) {
		pc = server(rng() % (DEVS + 1));
		usable = 0;
		for (i = 0; i < DEVS; i++) {
			struct policy_cand *d = &pc.cand[i];

			d->usable = rng() % 3 != 0;
			d->stale = rng() % 4 == 0;
			d->weight = rng() % 4 ? rng() % 10 : 0;
			d->cmp = rng() % 101;
			d->queue = rng() % 101;
			d->live_conns = rng() % 50;
			d->assigned = rng() % 50;
			if (i < pc.n && d->usable)
				usable++;
		}
		pc.hash = rng();
		for (p = 0; p < POLICIES; p++) {
			c = policies[p].fn(&pc);
			if (!usable) {
				assert_int_equal(c, NO);
				continue;
			}
			assert_true(c < pc.n);
			assert_true(pc.cand[c].usable);
		}
	}
}

/*
 * Unknown load: device 0 is stale and its old numbers say idle; device 1
 * is fresh and busy. Each load-aware policy must give device 0 its weight's
 * share (1 of 4), not everything.
 */
static void test_stale_taken_by_weight(void **state)
{
	unsigned int count[DEVS + 1], p;
	struct policy_ctx pc;

	(void)state;
	for (p = 0; p < POLICIES; p++) {
		if (!policies[p].load_aware)
			continue;
		pc = server(2);
		pc.cand[0].stale = 1;
		pc.cand[0].weight = 1;
		pc.cand[1].weight = 3;
		pc.cand[1].cmp = pc.cand[1].queue = 90;
		pc.cand[1].live_conns = 1000;
		tally(policies[p].fn, &pc, count);
		print_message("%s: stale weight 1 got %u, fresh weight 3 got %u of %u\n",
			      policies[p].name, count[0], count[1], FLOWS);
		assert_in_range(count[0], SHARE(20), SHARE(30));
		assert_int_equal(count[0] + count[1], FLOWS);
	}
}

/* All stale: shares by weight (1:3); all stale and weightless: even shares. */
static void test_all_stale(void **state)
{
	unsigned int count[DEVS + 1], p;
	struct policy_ctx pc;

	(void)state;
	for (p = 0; p < POLICIES; p++) {
		if (!policies[p].load_aware)
			continue;
		pc = server(2);
		pc.cand[0].stale = pc.cand[1].stale = 1;
		pc.cand[1].weight = 3;
		pc.cand[0].cmp = 99; /* old numbers, ignored */
		tally(policies[p].fn, &pc, count);
		assert_in_range(count[0], SHARE(20), SHARE(30));
		assert_int_equal(count[0] + count[1], FLOWS);

		pc.cand[0].weight = pc.cand[1].weight = 0;
		tally(policies[p].fn, &pc, count);
		assert_in_range(count[0], SHARE(45), SHARE(55));
		assert_int_equal(count[0] + count[1], FLOWS);
	}
}

/* A stale device of weight 0 takes nothing while a fresh device is usable. */
static void test_stale_weightless(void **state)
{
	unsigned int count[DEVS + 1], p;
	struct policy_ctx pc;

	(void)state;
	for (p = 0; p < POLICIES; p++) {
		if (!policies[p].load_aware)
			continue;
		pc = server(3);
		pc.cand[1].stale = 1;
		pc.cand[1].weight = 0;
		pc.cand[0].cmp = pc.cand[2].cmp = 50;
		tally(policies[p].fn, &pc, count);
		assert_int_equal(count[1], 0);
		assert_int_equal(count[0] + count[2], FLOWS);
	}
}

/* --- hash ------------------------------------------------------------------- */

static void test_hash(void **state)
{
	unsigned int count[DEVS + 1], i, k;
	struct policy_ctx pc = server(4);
	__u32 h;

	(void)state;
	pc.cand[2].usable = 0;
	/* The k-th usable device, k = hash % usable (the documented rule). */
	for (i = 0; i < 100; i++) {
		pc.hash = flow(i);
		h = hauler_hash_words(&pc.hash, 1, HAULER_SELECT_SEED);
		k = h % 3;
		assert_int_equal(select_hash(&pc), k < 2 ? k : 3);
	}
	tally(select_hash, &pc, count);
	assert_int_equal(count[2], 0);
	for (i = 0; i < 4; i++)
		if (i != 2)
			assert_in_range(count[i], SHARE(30), SHARE(37));
}

/* --- minimum finders ------------------------------------------------------- */

static void test_lur_metrics(void **state)
{
	struct policy_ctx pc = server(3);

	(void)state;
	pc.cand[0].cmp = 50, pc.cand[1].cmp = 20, pc.cand[2].cmp = 70;
	pc.cand[0].mem = 10, pc.cand[1].mem = 90, pc.cand[2].mem = 30;
	pc.cand[0].net = 40, pc.cand[1].net = 60, pc.cand[2].net = 5;
	assert_int_equal(select_lur(&pc, HAULER_METRIC_CMP), 1);
	assert_int_equal(select_lur(&pc, HAULER_METRIC_MEM), 0);
	assert_int_equal(select_lur(&pc, HAULER_METRIC_NET), 2);
	assert_int_equal(select_lur(&pc, 200), 1); /* unknown id reads cmp */
	pc.cand[1].usable = 0;			   /* the least is drained */
	assert_int_equal(select_lur(&pc, HAULER_METRIC_CMP), 0);
	pc.cand[2].usable = 0;
	assert_int_equal(select_lur(&pc, HAULER_METRIC_NET), 0);
}

/* Devices 1 and 2 tie at the minimum: each gets about half, no one else any. */
static void test_lur_tie_no_starvation(void **state)
{
	unsigned int count[DEVS + 1];
	struct policy_ctx pc = server(4);

	(void)state;
	pc.cand[0].cmp = 30, pc.cand[1].cmp = 10, pc.cand[2].cmp = 10, pc.cand[3].cmp = 40;
	tally(lur_cmp, &pc, count);
	assert_int_equal(count[0] + count[3] + count[DEVS], 0);
	assert_in_range(count[1], SHARE(45), SHARE(55));
	assert_in_range(count[2], SHARE(45), SHARE(55));

	/* All eight equal: each about an eighth. */
	pc = server(8);
	tally(lur_cmp, &pc, count);
	for (unsigned int i = 0; i < 8; i++)
		assert_in_range(count[i], SHARE(10), SHARE(15));
}

/*
 * A tie goes by weight: a device of weight 5 tied with one of weight 1 (a
 * server CPU and a 5x slower accelerator, both idle) gets five sixths of
 * the flows, for every minimum finder (lur, jsq, lc) and for p2c's two
 * choices; weight 0 gets none
 * of a tie while a weighted device is in it; with every tied weight 0
 * the shares are equal again.
 */
static __u32 jsq_fn(const struct policy_ctx *pc)
{
	return select_jsq(pc);
}

static __u32 lc_fn(const struct policy_ctx *pc)
{
	return select_lc(pc);
}

static void test_tie_by_weight(void **state)
{
	static const select_fn fns[] = {lur_cmp, jsq_fn, lc_fn, p2c_cmp};
	unsigned int count[DEVS + 1], f;
	struct policy_ctx pc;

	(void)state;
	for (f = 0; f < 4; f++) {
		if (fns[f] == p2c_cmp) { /* p2c: its two choices tie */
			pc = server(2);
			pc.cand[0].weight = 5, pc.cand[1].weight = 1;
			tally(p2c_cmp, &pc, count);
			assert_in_range(count[0], SHARE(80), SHARE(87));
			assert_in_range(count[1], SHARE(13), SHARE(20));
			pc.cand[0].weight = pc.cand[1].weight = 0;
			tally(p2c_cmp, &pc, count);
			assert_in_range(count[0], SHARE(45), SHARE(55));
			continue;
		}
		pc = server(3);
		pc.cand[0].weight = 5, pc.cand[1].weight = 1;
		pc.cand[2].cmp = 50, pc.cand[2].queue = 50, pc.cand[2].live_conns = 50;
		tally(fns[f], &pc, count);
		assert_int_equal(count[2] + count[DEVS], 0);
		assert_in_range(count[0], SHARE(80), SHARE(87));
		assert_in_range(count[1], SHARE(13), SHARE(20));

		pc.cand[1].weight = 0; /* weight 0: none of the tie */
		tally(fns[f], &pc, count);
		assert_int_equal(count[0], FLOWS);

		pc.cand[0].weight = 0; /* no tied weight: even shares */
		tally(fns[f], &pc, count);
		assert_int_equal(count[2] + count[DEVS], 0);
		assert_in_range(count[0], SHARE(45), SHARE(55));
		assert_in_range(count[1], SHARE(45), SHARE(55));
	}
}

static void test_jsq(void **state)
{
	struct policy_ctx pc = server(3);

	(void)state;
	pc.cand[0].queue = 12, pc.cand[1].queue = 3, pc.cand[2].queue = 7;
	pc.cand[1].cmp = 100; /* jsq looks at the queue only */
	assert_int_equal(select_jsq(&pc), 1);
	pc.cand[1].usable = 0;
	assert_int_equal(select_jsq(&pc), 2);
}

static void test_lc(void **state)
{
	struct policy_ctx pc = server(3);

	(void)state;
	/* live + assigned: 5, 4, 3 */
	pc.cand[0].live_conns = 5, pc.cand[0].assigned = 0;
	pc.cand[1].live_conns = 1, pc.cand[1].assigned = 3;
	pc.cand[2].live_conns = 2, pc.cand[2].assigned = 1;
	assert_int_equal(select_lc(&pc), 2);
	pc.cand[2].assigned = 2; /* 4 == 4: a tie of 1 and 2 */
	pc.hash = 0;
	assert_true(select_lc(&pc) == 1 || select_lc(&pc) == 2);
	/* A sum past 2^32 saturates; it must not wrap to look idle. */
	pc.cand[0].live_conns = 0xffffffffu, pc.cand[0].assigned = 5;
	assert_int_equal(metric_conns(&pc.cand[0]), 0xffffffffu);
	pc.cand[1].usable = pc.cand[2].usable = 0;
	assert_int_equal(select_lc(&pc), 0);
	pc.cand[1].usable = 1;
	assert_int_equal(select_lc(&pc), 1);
}

static void test_wlc(void **state)
{
	unsigned int count[DEVS + 1];
	struct policy_ctx pc = server(3);

	(void)state;
	/* 10/1 = 10, 30/4 = 7.5, 12/2 = 6 */
	pc.cand[0].live_conns = 10, pc.cand[0].weight = 1;
	pc.cand[1].live_conns = 30, pc.cand[1].weight = 4;
	pc.cand[2].live_conns = 12, pc.cand[2].weight = 2;
	assert_int_equal(select_wlc(&pc), 2);
	pc.cand[2].live_conns = 16; /* 8 > 7.5 */
	assert_int_equal(select_wlc(&pc), 1);
	pc.cand[2].live_conns = 15; /* 7.5 == 7.5: shared by weight, 4:2 */
	tally(select_wlc, &pc, count);
	assert_int_equal(count[0], 0);
	assert_in_range(count[1], SHARE(61), SHARE(72));
	assert_in_range(count[2], SHARE(28), SHARE(39));

	/* Weight 0 with no connections still loses to any weighted device. */
	pc = server(2);
	pc.cand[0].weight = 0;
	pc.cand[1].live_conns = 1000;
	tally(select_wlc, &pc, count);
	assert_int_equal(count[1], FLOWS);
	/* No fresh device has a weight: plain least connections. */
	pc.cand[1].weight = 0;
	assert_int_equal(select_wlc(&pc), 0);
}

/* --- round robin ------------------------------------------------------------ */

static void test_ecmp_walk(void **state)
{
	struct policy_ctx pc = server(4);
	static const __u32 walk[] = {0, 1, 3, 0, 1, 3, 0};
	__u32 pos;

	(void)state;
	pc.cand[2].usable = 0; /* drained: skipped, the others keep turns */
	for (pos = 0; pos < sizeof(walk) / sizeof(walk[0]); pos++)
		assert_int_equal(select_ecmp(&pc, pos), walk[pos]);
	/* Weight 0 holds no turn ... */
	pc.cand[1].weight = 0;
	assert_int_equal(select_ecmp(&pc, 0), 0);
	assert_int_equal(select_ecmp(&pc, 1), 3);
	assert_int_equal(select_ecmp(&pc, 2), 0);
	/* ... unless no usable device has a weight. */
	pc.cand[0].weight = pc.cand[3].weight = 0;
	assert_int_equal(select_ecmp(&pc, 1), 1);
	/* Equal shares whatever the weights. */
	pc = server(3);
	pc.cand[0].weight = 100;
	for (pos = 0; pos < 9; pos++)
		assert_int_equal(select_ecmp(&pc, pos), pos % 3);
	assert_int_equal(select_ecmp(&pc, 0xffffffffu), 0xffffffffu % 3);
}

/*
 * The hash choice among the usable devices {0, 2} (device 1 unusable),
 * computed apart from select_hash: MurmurHash3 of the flow hash with the
 * select seed (tests/unit/test_hash.c pins the hash to its published
 * vectors), then the (h mod 2)-th usable device.
 */
static __u32 hash_choice_0_2(__u32 flow_hash)
{
	return hauler_hash_words(&flow_hash, 1, HAULER_SELECT_SEED) % 2 ? 2 : 0;
}

static void test_wrr_ring(void **state)
{
	struct policy_ctx pc = server(3);
	struct ring r;
	__u32 pos, c, seen[3] = {};

	(void)state;
	memset(&r, 0, sizeof(r));
	r.len = 4;
	r.slot[0] = 0, r.slot[1] = 1, r.slot[2] = 1, r.slot[3] = 2;
	for (pos = 0; pos < 12; pos++)
		assert_int_equal(select_wrr(&pc, &r, pos), r.slot[pos % 4]);
	/*
	 * Device 1's slots go to the hash choice among the two usable ones
	 * (with a single usable device any choice would look right): both
	 * get some of them.
	 */
	pc.cand[1].usable = 0;
	for (pos = 0; pos < 64; pos++) {
		pc.hash = flow(pos);
		c = select_wrr(&pc, &r, pos);
		if (pos % 4 == 1 || pos % 4 == 2) {
			assert_int_equal(c, hash_choice_0_2(pc.hash));
			seen[c]++;
		} else {
			assert_int_equal(c, r.slot[pos % 4]);
		}
	}
	assert_int_equal(seen[1], 0);
	assert_true(seen[0] > 0 && seen[2] > 0);
	/* An empty ring: the hash choice, for every flow. */
	r.len = 0;
	memset(seen, 0, sizeof(seen));
	for (pos = 0; pos < 32; pos++) {
		pc.hash = flow(pos);
		c = select_wrr(&pc, &r, 0);
		assert_int_equal(c, hash_choice_0_2(pc.hash));
		seen[c]++;
	}
	assert_true(seen[0] > 0 && seen[2] > 0);
}

/* --- prt ---------------------------------------------------------------------- */

/* The CPU (rank 1) until it crosses the threshold, the GPU, and back. */
static void test_prt_threshold(void **state)
{
	struct policy_ctx pc = server(2);

	(void)state;
	pc.cand[0].weight = 10, pc.cand[0].kind = HAULER_KIND_CPU;
	pc.cand[1].weight = 5, pc.cand[1].kind = HAULER_KIND_GPU;
	pc.cand[1].cmp = 60;
	pc.cand[0].cmp = 50;
	assert_int_equal(select_prt(&pc, HAULER_METRIC_CMP, 80), 0);
	pc.cand[0].cmp = 80; /* not below 80 */
	assert_int_equal(select_prt(&pc, HAULER_METRIC_CMP, 80), 1);
	pc.cand[0].cmp = 79; /* below again: back to the CPU */
	assert_int_equal(select_prt(&pc, HAULER_METRIC_CMP, 80), 0);
	/* Both at or above: the least loaded. */
	pc.cand[0].cmp = 95, pc.cand[1].cmp = 85;
	assert_int_equal(select_prt(&pc, HAULER_METRIC_CMP, 80), 1);
	pc.cand[1].cmp = 99;
	assert_int_equal(select_prt(&pc, HAULER_METRIC_CMP, 80), 0);
	/* Threshold 0 is the default: fully utilized, 100. */
	pc.cand[0].cmp = 99, pc.cand[1].cmp = 0;
	assert_int_equal(select_prt(&pc, HAULER_METRIC_CMP, 0), 0);
	pc.cand[0].cmp = 100;
	assert_int_equal(select_prt(&pc, HAULER_METRIC_CMP, 0), 1);
	/* Another threshold, another metric. */
	pc.cand[0].cmp = 10, pc.cand[0].mem = 40, pc.cand[1].mem = 0;
	assert_int_equal(select_prt(&pc, HAULER_METRIC_MEM, 30), 1);
	assert_int_equal(select_prt(&pc, HAULER_METRIC_MEM, 50), 0);
	/* The top rank drained: the next rank below the threshold. */
	pc.cand[0].usable = 0;
	assert_int_equal(select_prt(&pc, HAULER_METRIC_MEM, 50), 1);
}

/* Three ranks; equal weights share a rank by the flow hash. */
static void test_prt_ranks_and_ties(void **state)
{
	unsigned int count[DEVS + 1];
	struct policy_ctx pc = server(4);

	(void)state;
	pc.cand[0].weight = 1, pc.cand[1].weight = 8, pc.cand[2].weight = 8;
	pc.cand[3].weight = 4;
	tally(prt_default, &pc, count);
	assert_int_equal(count[0] + count[3], 0);
	assert_in_range(count[1], SHARE(45), SHARE(55));
	assert_in_range(count[2], SHARE(45), SHARE(55));
	pc.cand[1].cmp = pc.cand[2].cmp = 100; /* rank 8 full: rank 4 */
	assert_int_equal(prt_default(&pc), 3);
	pc.cand[3].cmp = 100; /* rank 4 full too: rank 1 */
	assert_int_equal(prt_default(&pc), 0);
}

/*
 * The thesis's prt: the fastest device (highest capacity = weight) until
 * it is fully utilized, whatever order the devices were added in; back to
 * it at once when it drops below.
 */
static void test_prt_keeps_fastest_until_full(void **state)
{
	struct policy_ctx pc = server(3);
	__u32 sat;

	(void)state;
	pc.cand[0].weight = 1, pc.cand[0].kind = HAULER_KIND_CPU; /* added first, slowest */
	pc.cand[1].weight = 4, pc.cand[1].kind = HAULER_KIND_GPU; /* the fastest */
	pc.cand[2].weight = 2, pc.cand[2].kind = HAULER_KIND_FPGA;
	pc.cand[1].cmp = 95; /* busy, not full */
	assert_int_equal(select_prt(&pc, HAULER_METRIC_CMP, 0), 1);
	pc.cand[1].cmp = 99;
	assert_int_equal(select_prt_spill(&pc, HAULER_METRIC_CMP, 0, &sat), 1);
	assert_int_equal(sat, 0);
	pc.cand[1].cmp = 100; /* full: the next fastest */
	assert_int_equal(select_prt(&pc, HAULER_METRIC_CMP, 0), 2);
	pc.cand[2].cmp = 100;
	assert_int_equal(select_prt(&pc, HAULER_METRIC_CMP, 0), 0);
	pc.cand[1].cmp = 98; /* below again: back at once */
	assert_int_equal(select_prt(&pc, HAULER_METRIC_CMP, 0), 1);
}

/* prt metric latency threshold MS: the threshold is milliseconds, latency_us microseconds. */
static void test_prt_latency_ms(void **state)
{
	struct policy_ctx pc = server(2);
	__u32 sat;

	(void)state;
	pc.cand[0].weight = 10, pc.cand[1].weight = 5;
	pc.cand[0].latency_us = 149999, pc.cand[1].latency_us = 1000;
	assert_int_equal(select_prt(&pc, HAULER_METRIC_LATENCY, 150), 0);
	pc.cand[0].latency_us = 150000; /* 150 ms: not below 150 */
	assert_int_equal(select_prt(&pc, HAULER_METRIC_LATENCY, 150), 1);
	/* A threshold above 100 (the old 8-bit limit) is kept whole. */
	pc.cand[0].latency_us = 299000;
	assert_int_equal(select_prt(&pc, HAULER_METRIC_LATENCY, 300), 0);
	/* Both over: saturated, the least latency. */
	pc.cand[1].latency_us = 400000;
	assert_int_equal(select_prt_spill(&pc, HAULER_METRIC_LATENCY, 250, &sat), 0);
	assert_int_equal(sat, 1);
	/* conns: a count. */
	pc.cand[0].live_conns = 7, pc.cand[1].live_conns = 0;
	assert_int_equal(select_prt(&pc, HAULER_METRIC_CONNS, 8), 0);
	assert_int_equal(select_prt(&pc, HAULER_METRIC_CONNS, 7), 1);
}

/* Saturated: only when the fresh devices are all at or above the threshold. */
static void test_prt_saturated(void **state)
{
	struct policy_ctx pc = server(2);
	__u32 sat;

	(void)state;
	pc.cand[0].cmp = 100, pc.cand[1].cmp = 100;
	assert_int_not_equal(select_prt_spill(&pc, HAULER_METRIC_CMP, 0, &sat), NO);
	assert_int_equal(sat, 1);
	pc.cand[1].usable = 0; /* the other one drained: still saturated */
	assert_int_equal(select_prt_spill(&pc, HAULER_METRIC_CMP, 0, &sat), 0);
	assert_int_equal(sat, 1);
	pc.cand[0].stale = 1; /* load unknown: by weight, not saturated */
	assert_int_equal(select_prt_spill(&pc, HAULER_METRIC_CMP, 0, &sat), 0);
	assert_int_equal(sat, 0);
	pc.cand[0].usable = 0; /* nothing usable: no choice, not saturated */
	assert_int_equal(select_prt_spill(&pc, HAULER_METRIC_CMP, 0, &sat), NO);
	assert_int_equal(sat, 0);
}

/* --- weighted hash -------------------------------------------------------- */

/*
 * Issue 11: two CPU devices of weight 1 and two accelerators of weight 0
 * got 53/53/46/48 of 200. Weight 0 gets nothing; the rest by weight.
 */
static void test_hash_weighted(void **state)
{
	unsigned int count[DEVS + 1], i;
	struct policy_ctx pc = server(4);

	(void)state;
	pc.cand[2].weight = pc.cand[3].weight = 0;
	tally(select_hash, &pc, count);
	assert_int_equal(count[2] + count[3] + count[DEVS], 0);
	assert_in_range(count[0], SHARE(45), SHARE(55));
	assert_in_range(count[1], SHARE(45), SHARE(55));

	pc.cand[0].weight = 3, pc.cand[1].weight = 1;
	tally(select_hash, &pc, count);
	assert_in_range(count[0], SHARE(70), SHARE(80));
	assert_in_range(count[1], SHARE(20), SHARE(30));
	assert_int_equal(count[2] + count[3], 0);

	/* The weighted device drained: the one left with a weight takes all. */
	pc.cand[0].usable = 0;
	tally(select_hash, &pc, count);
	assert_int_equal(count[1], FLOWS);

	/* No usable device has a weight: every usable one equally. */
	pc = server(3);
	for (i = 0; i < 3; i++)
		pc.cand[i].weight = 0;
	tally(select_hash, &pc, count);
	for (i = 0; i < 3; i++)
		assert_in_range(count[i], SHARE(30), SHARE(37));
}

/*
 * Deterministic from the configuration: the choice is a function of the
 * flow and of the weights in dev[] order (what `hauler save` writes), not
 * of anything else; unit weights give exactly the old k-th device.
 */
static void test_hash_deterministic(void **state)
{
	struct policy_ctx a = server(4), b;
	unsigned int i;
	__u32 h;

	(void)state;
	a.cand[0].weight = 5, a.cand[1].weight = 0, a.cand[2].weight = 2, a.cand[3].weight = 1;
	b = a;
	b.cand[0].cmp = 90, b.cand[1].live_conns = 7; /* load does not matter */
	for (i = 0; i < 500; i++) {
		a.hash = b.hash = flow(i);
		assert_int_equal(select_hash(&a), select_hash(&b));
	}
	a = server(5);
	for (i = 0; i < 200; i++) {
		a.hash = flow(i);
		h = hauler_hash_words(&a.hash, 1, HAULER_SELECT_SEED);
		assert_int_equal(select_hash(&a), h % 5);
	}
}

/* --- multi-resource lur ---------------------------------------------------- */

/* lur on the max of cmp and mem: a device light on cmp but full on mem loses. */
static void test_lur_max_of(void **state)
{
	struct policy_ctx pc = server(3);
	struct policy_params p = {.metric = HAULER_METRIC_CMP};
	__u32 both = HAULER_METRIC_MAXOF | (1u << HAULER_METRIC_CMP) | (1u << HAULER_METRIC_MEM);

	(void)state;
	pc.cand[0].cmp = 10, pc.cand[0].mem = 90; /* max 90 */
	pc.cand[1].cmp = 50, pc.cand[1].mem = 40; /* max 50 */
	pc.cand[2].cmp = 60, pc.cand[2].mem = 20; /* max 60 */
	assert_int_equal(select_lur(&pc, HAULER_METRIC_CMP), 0);
	assert_int_equal(select_lur(&pc, HAULER_METRIC_MEM), 2);
	assert_int_equal(select_lur(&pc, both), 1);
	assert_int_equal(metric_value(&pc.cand[0], both), 90);
	/* net joins: device 1's net 70 makes it 70, device 2 wins with 60. */
	pc.cand[1].net = 70;
	assert_int_equal(select_lur(&pc, both | (1u << HAULER_METRIC_NET)), 2);
	/* The params form: metrics (the mask) over metric. */
	assert_int_equal(metric_spec(&p), HAULER_METRIC_CMP);
	p.metrics = (1u << HAULER_METRIC_CMP) | (1u << HAULER_METRIC_MEM);
	assert_int_equal(metric_spec(&p), both);
	/* Only utilizations combine: a latency bit is ignored. */
	p.metrics |= 1u << HAULER_METRIC_LATENCY;
	assert_int_equal(metric_spec(&p), both);
	/* prt on the max: over the threshold when either is. */
	pc.cand[0].weight = 9, pc.cand[2].weight = 2;
	assert_int_equal(select_prt(&pc, both, 80), 2); /* 0 is at 90: over */
	pc.cand[0].mem = 70;
	assert_int_equal(select_prt(&pc, both, 80), 0);
}

/* --- spill ---------------------------------------------------------------- */

/* The flow's Maglev preference: slots spread over the table, fixed per flow. */
static void test_spill_slots(void **state)
{
	unsigned int hits[7] = {}, i, k;
	__u32 s;

	(void)state;
	for (i = 0; i < 7000; i++)
		for (k = 1; k <= 3; k++) {
			s = select_spill_slot(flow(i), k, 7);
			assert_true(s < 7);
			assert_int_equal(s, select_spill_slot(flow(i), k, 7));
			if (k == 1)
				hits[s]++;
		}
	for (i = 0; i < 7; i++)
		assert_in_range(hits[i], 850, 1150);
	/* The probes of one flow differ from each other. */
	for (i = 0, k = 0; i < 1000; i++)
		k += select_spill_slot(flow(i), 1, 4093) != select_spill_slot(flow(i), 2, 4093);
	assert_true(k > 990);
}

/* --- p2c ----------------------------------------------------------------------- */

static void test_p2c(void **state)
{
	unsigned int count[DEVS + 1];
	struct policy_ctx pc = server(2);

	(void)state;
	/* Two devices: both are always the two choices; the less loaded wins. */
	pc.cand[0].cmp = 70, pc.cand[1].cmp = 30;
	tally(p2c_cmp, &pc, count);
	assert_int_equal(count[1], FLOWS);
	/* One device: it. */
	pc.n = 1;
	assert_int_equal(p2c_cmp(&pc), 0);
	/* Three: the busiest never wins a pair; the idlest wins 2 pairs of 3. */
	pc = server(3);
	pc.cand[0].cmp = 90, pc.cand[1].cmp = 10, pc.cand[2].cmp = 50;
	tally(p2c_cmp, &pc, count);
	assert_int_equal(count[0], 0);
	assert_in_range(count[1], SHARE(61), SHARE(72));
	assert_in_range(count[2], SHARE(28), SHARE(39));
	/* Another metric: now device 1 is the busiest. */
	pc.cand[0].latency_us = 5, pc.cand[1].latency_us = 900, pc.cand[2].latency_us = 50;
	tally(p2c_latency, &pc, count);
	assert_int_equal(count[1], 0);
	assert_in_range(count[0], SHARE(61), SHARE(72));
	/* A tie: both halves. */
	pc = server(2);
	tally(p2c_cmp, &pc, count);
	assert_in_range(count[0], SHARE(45), SHARE(55));
	assert_in_range(count[1], SHARE(45), SHARE(55));
}

/* --- params.def ---------------------------------------------------------------- */

#define POLICY_INFO(policy, doc) #policy,
#define POLICY_PARAM(policy, param, min, max, def, doc)
#define METRIC(name, id, doc)
static const char *const info_names[] = {
#include "select/params.def"
};
#undef POLICY_INFO
#undef POLICY_PARAM
#undef METRIC

struct param_row {
	const char *policy, *param;
	long long min, max, def;
};
#define POLICY_INFO(policy, doc)
#define POLICY_PARAM(policy, param, min, max, def, doc) {#policy, param, min, max, def},
#define METRIC(name, id, doc)
static const struct param_row param_rows[] = {
#include "select/params.def"
};
#undef POLICY_INFO
#undef POLICY_PARAM
#undef METRIC

struct metric_row {
	const char *name;
	int id;
};
#define POLICY_INFO(policy, doc)
#define POLICY_PARAM(policy, param, min, max, def, doc)
#define METRIC(name, id, doc) {#name, id},
static const struct metric_row metric_rows[] = {
#include "select/params.def"
};
#undef POLICY_INFO
#undef POLICY_PARAM
#undef METRIC

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static int info_has(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(info_names); i++)
		if (!strcmp(info_names[i], name))
			return 1;
	return 0;
}

static void test_params_table(void **state)
{
	size_t i, j;

	(void)state;
	for (i = 0; i < ARRAY_LEN(param_rows); i++) {
		const struct param_row *r = &param_rows[i];

		assert_true(!strcmp(r->policy, "POLICY_ANY") || info_has(r->policy));
		assert_true(r->min <= r->def && r->def <= r->max);
		if (!strcmp(r->param, "metric"))
			assert_true(r->max < HAULER_METRICS);
		for (j = 0; j < i; j++) /* one row per policy and parameter */
			assert_false(!strcmp(param_rows[j].policy, r->policy) &&
				     !strcmp(param_rows[j].param, r->param));
	}
	assert_int_equal(ARRAY_LEN(metric_rows), HAULER_METRICS);
	for (i = 0; i < ARRAY_LEN(metric_rows); i++)
		assert_int_equal(metric_rows[i].id, (int)i); /* ids in order, no gap */
	assert_string_equal(metric_rows[HAULER_METRIC_CMP].name, "cmp");
	assert_string_equal(metric_rows[HAULER_METRIC_QUEUE].name, "queue");
}

/*
 * A candidate in two halves, as the datapath builds it: its device
 * (select_cand_dev: usable for the flow's family only, and stale, its
 * load fields left as they were) and, for the policies that read it, its
 * load (select_cand_load). select_cand_fill, the manager's and the
 * simulator's, is the two in turn.
 */
static void test_cand_halves(void **state)
{
	struct device_info dev = {
	    .in_use = 1, .state = HAULER_STATE_UP, .family = 4, .weight = 7, .kind = 2};
	struct dev_state st = {.cmp = 40,
			       .mem = 50,
			       .net = 60,
			       .queue = 70,
			       .latency_us = 900,
			       .live_conns = 12,
			       .busy = 1,
			       .updated_ns = 1000000000ull};
	struct policy_cand c, d;

	(void)state;
	memset(&c, 0xaa, sizeof(c));
	select_cand_dev(&c, 5, &dev, 4);
	assert_int_equal(c.id, 5);
	assert_int_equal(c.weight, 7);
	assert_int_equal(c.kind, 2);
	assert_int_equal(c.usable, 1);
	assert_int_equal(c.stale, 1);
	assert_int_equal(c.cmp, 0xaa); /* not written: stale says it means nothing */
	assert_false(select_fresh_mask(&(struct policy_ctx){.n = 1, .cand = {c}}, 1) & 1);
	select_cand_dev(&d, 5, &dev, 6);
	assert_int_equal(d.usable, 0); /* an IPv4 device takes no IPv6 flow */

	select_cand_load(&c, &st, 0, 0, st.updated_ns + 1000, 3);
	/* Fresh (a microsecond old), every field the report's, assigned the caller's. */
	assert_true(!c.stale && c.busy == 1 && c.assigned == 3);
	assert_true(c.cmp == 40 && c.mem == 50 && c.net == 60 && c.queue == 70);
	assert_true(c.latency_us == 900 && c.live_conns == 12);

	memset(&d, 0x55, sizeof(d));
	select_cand_fill(&d, 5, &dev, &st, 4, 0, 0, st.updated_ns + 1000, 3);
	assert_memory_equal(&c, &d, sizeof(c));
}

/* Is word (length n) one of list's? */
static int word_in(const char *word, size_t n, const char *const *list, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (strlen(list[i]) == n && !strncmp(word, list[i], n))
			return 1;
	return 0;
}

/*
 * The policies declared HAULER_POLICY_NO_LOAD see their candidates' load
 * unfilled (policies/policy.h): each may read only id, usable, weight and
 * kind, through the choices that read nothing else (the hash choice, the
 * ecmp ring, the wrr walk). A load field, or another select_ or policy_
 * call, in one of them would read what an earlier decision left.
 */
static void test_no_load_policies(void **state)
{
	static const char *const allowed[] = {"select_hash", "select_ecmp", "policy_ring_walk",
					      "policy_ring_next"};
	static const char *const load[] = {"stale", "busy",	  "cmp",	"mem",	   "net",
					   "queue", "live_conns", "latency_us", "assigned"};
	char buf[4096];
	glob_t g;
	size_t i, n, declared = 0;

	(void)state;
	assert_int_equal(glob("policies/*.bpf.c", 0, NULL, &g), 0);
	for (i = 0; i < g.gl_pathc; i++) {
		FILE *f = fopen(g.gl_pathv[i], "r");
		const char *at;

		assert_non_null(f);
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = 0;
		at = strstr(buf, "HAULER_POLICY_NO_LOAD(");
		if (!at)
			continue;
		declared++;
		while (*at) {
			size_t len = 0;

			while (at[len] == '_' || (at[len] >= 'a' && at[len] <= 'z') ||
			       (at[len] >= 'A' && at[len] <= 'Z') ||
			       (at[len] >= '0' && at[len] <= '9'))
				len++;
			if (!len) {
				at++;
				continue;
			}
			if (word_in(at, len, load, ARRAY_LEN(load)) ||
			    ((!strncmp(at, "select_", 7) || !strncmp(at, "policy_", 7)) &&
			     !word_in(at, len, allowed, ARRAY_LEN(allowed))))
				fail_msg("%s is HAULER_POLICY_NO_LOAD but reads %.*s",
					 g.gl_pathv[i], (int)len, at);
			at += len;
		}
	}
	globfree(&g);
	assert_int_equal(declared, 4); /* hash, ecmp, wrr, dwrr */
}

/* Every policy source file has its POLICY_INFO, and every POLICY_INFO a file. */
static void test_params_cover_programs(void **state)
{
	char name[64];
	glob_t g;
	size_t i;

	(void)state;
	assert_int_equal(glob("policies/*.bpf.c", 0, NULL, &g), 0);
	for (i = 0; i < g.gl_pathc; i++) {
		const char *base = g.gl_pathv[i] + strlen("policies/");

		snprintf(name, sizeof(name), "%.*s", (int)(strlen(base) - strlen(".bpf.c")), base);
		if (!info_has(name))
			fail_msg("policies/%s.bpf.c has no POLICY_INFO in params.def", name);
	}
	for (i = 0; i < ARRAY_LEN(info_names); i++) {
		snprintf(name, sizeof(name), "policies/%s.bpf.c", info_names[i]);
		if (access(name, R_OK))
			fail_msg("params.def names %s, but there is no %s", info_names[i], name);
	}
	globfree(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bit_tricks),
	    cmocka_unit_test(test_cand_halves),
	    cmocka_unit_test(test_no_load_policies),
	    cmocka_unit_test(test_mask_nth_matches_naive),
	    cmocka_unit_test(test_present_and_usable_masks),
	    cmocka_unit_test(test_key_compare),
	    cmocka_unit_test(test_no_usable_device),
	    cmocka_unit_test(test_unusable_never_chosen),
	    cmocka_unit_test(test_stale_taken_by_weight),
	    cmocka_unit_test(test_all_stale),
	    cmocka_unit_test(test_stale_weightless),
	    cmocka_unit_test(test_hash),
	    cmocka_unit_test(test_lur_metrics),
	    cmocka_unit_test(test_lur_tie_no_starvation),
	    cmocka_unit_test(test_tie_by_weight),
	    cmocka_unit_test(test_jsq),
	    cmocka_unit_test(test_lc),
	    cmocka_unit_test(test_wlc),
	    cmocka_unit_test(test_ecmp_walk),
	    cmocka_unit_test(test_wrr_ring),
	    cmocka_unit_test(test_prt_threshold),
	    cmocka_unit_test(test_prt_ranks_and_ties),
	    cmocka_unit_test(test_prt_keeps_fastest_until_full),
	    cmocka_unit_test(test_prt_latency_ms),
	    cmocka_unit_test(test_prt_saturated),
	    cmocka_unit_test(test_hash_weighted),
	    cmocka_unit_test(test_hash_deterministic),
	    cmocka_unit_test(test_lur_max_of),
	    cmocka_unit_test(test_spill_slots),
	    cmocka_unit_test(test_p2c),
	    cmocka_unit_test(test_params_table),
	    cmocka_unit_test(test_params_cover_programs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
