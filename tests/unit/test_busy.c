// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_busy - P4Mite's busy/available in the selection functions
 * (include/select/): a device whose agent reports BUSY is treated like a
 * saturated one by every load-aware policy, whatever its numbers say; it
 * takes new connections only when every fresh device is busy; a stale
 * device's busy is ignored (stale devices go by weight).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "select/select.h"
#include "select/select_load.h"
#include "select/select_prt.h"
#include "select/select_p2c.h"

#define DEVS  HAULER_DEVS_PER_SERVER
#define FLOWS 2000

static __u32 lur_cmp(const struct policy_ctx *pc)
{
	return select_lur(pc, HAULER_METRIC_CMP);
}

static __u32 prt_cmp(const struct policy_ctx *pc)
{
	return select_prt(pc, HAULER_METRIC_CMP, 80);
}

static __u32 p2c_cmp(const struct policy_ctx *pc)
{
	return select_p2c(pc, HAULER_METRIC_CMP);
}

static const struct {
	const char *name;
	__u32 (*fn)(const struct policy_ctx *pc);
} policies[] = {
    {"lur", lur_cmp},	 {"jsq", select_jsq}, {"lc", select_lc},
    {"wlc", select_wlc}, {"prt", prt_cmp},    {"p2c", p2c_cmp},
};
#define POLICIES (sizeof(policies) / sizeof(policies[0]))

/*
 * Three fresh devices of weight 1: 0 idle, 1 and 2 loaded (cmp 90, above
 * prt's threshold 80; the other metrics 50, 50 connections). Without a
 * busy flag, device 0 wins everywhere.
 */
static struct policy_ctx server(void)
{
	struct policy_ctx pc;
	unsigned int i;

	memset(&pc, 0, sizeof(pc));
	pc.n = 3;
	for (i = 0; i < 3; i++) {
		pc.cand[i].id = 10 + i;
		pc.cand[i].weight = 1;
		pc.cand[i].usable = 1;
		pc.cand[i].mem = pc.cand[i].net = pc.cand[i].queue = 50;
		pc.cand[i].cmp = 90;
		pc.cand[i].live_conns = 50;
	}
	pc.cand[0].cmp = pc.cand[0].mem = pc.cand[0].net = pc.cand[0].queue = 0;
	pc.cand[0].live_conns = 0;
	return pc;
}

static void tally(__u32 (*fn)(const struct policy_ctx *), struct policy_ctx *pc,
		  unsigned int count[DEVS])
{
	unsigned int i;
	__u32 c;

	memset(count, 0, DEVS * sizeof(count[0]));
	for (i = 0; i < FLOWS; i++) {
		pc->hash = i * 2654435761u + 99;
		c = fn(pc);
		assert_true(c < pc->n);
		count[c]++;
	}
}

static void test_masks(void **state)
{
	struct policy_ctx pc = server();

	(void)state;
	assert_int_equal(select_busy_mask(&pc), 0);
	assert_int_equal(select_not_busy(&pc, 0x7), 0x7);
	pc.cand[0].busy = 1;
	pc.cand[2].busy = 7; /* any non-zero byte */
	assert_int_equal(select_busy_mask(&pc), 0x5);
	assert_int_equal(select_not_busy(&pc, 0x7), 0x2);
	assert_int_equal(select_not_busy(&pc, 0x5), 0x5); /* all busy: all of them */
	assert_int_equal(select_not_busy(&pc, 0), 0);
}

/* Without the flag the idle device takes (nearly) everything: the control. */
static void test_idle_wins_without_busy(void **state)
{
	unsigned int count[DEVS], p;
	struct policy_ctx pc = server();

	(void)state;
	for (p = 0; p < POLICIES; p++) {
		tally(policies[p].fn, &pc, count);
		/* p2c sees device 0 in 2 of 3 pairs. */
		assert_true(count[0] >= FLOWS / 2);
	}
}

/* Busy: the idle-looking device gets nothing while another is available. */
static void test_busy_avoided(void **state)
{
	unsigned int count[DEVS], p;
	struct policy_ctx pc = server();

	(void)state;
	pc.cand[0].busy = 1;
	for (p = 0; p < POLICIES; p++) {
		tally(policies[p].fn, &pc, count);
		print_message("%s: busy idle %u, available %u + %u\n", policies[p].name, count[0],
			      count[1], count[2]);
		assert_int_equal(count[0], 0);
		assert_true(count[1] > FLOWS / 4 && count[2] > FLOWS / 4);
	}
}

/* All busy: the policy decides among them by its numbers, as if none were. */
static void test_all_busy(void **state)
{
	unsigned int count[DEVS], p;
	struct policy_ctx pc = server();

	(void)state;
	pc.cand[0].busy = pc.cand[1].busy = pc.cand[2].busy = 1;
	for (p = 0; p < POLICIES; p++) {
		tally(policies[p].fn, &pc, count);
		assert_int_equal(count[0] + count[1] + count[2], FLOWS);
		assert_true(count[0] >= FLOWS / 2);
	}
}

/* prt: a busy device is never "below the threshold", even with cmp 0. */
static void test_prt_busy_not_below(void **state)
{
	unsigned int count[DEVS];
	struct policy_ctx pc = server();

	(void)state;
	pc.cand[0].weight = 10; /* the highest rank, idle; 1 and 2 above 80 */
	tally(prt_cmp, &pc, count);
	assert_int_equal(count[0], FLOWS);
	pc.cand[0].busy = 1;
	/* Nothing below: the least loaded of the available ones, never the busy. */
	tally(prt_cmp, &pc, count);
	assert_int_equal(count[0], 0);
	assert_int_equal(count[1] + count[2], FLOWS);
}

/* A stale busy device goes by its weight (its flag is as old as its numbers). */
static void test_stale_busy_by_weight(void **state)
{
	unsigned int count[DEVS], p;
	struct policy_ctx pc = server();

	(void)state;
	pc.cand[0].busy = 1;
	pc.cand[0].stale = 1;
	pc.cand[0].weight = 2; /* half of the weights 2 + 1 + 1 */
	for (p = 0; p < POLICIES; p++) {
		tally(policies[p].fn, &pc, count);
		assert_in_range(count[0], FLOWS * 40 / 100, FLOWS * 60 / 100);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_masks),
	    cmocka_unit_test(test_idle_wins_without_busy),
	    cmocka_unit_test(test_busy_avoided),
	    cmocka_unit_test(test_all_busy),
	    cmocka_unit_test(test_prt_busy_not_below),
	    cmocka_unit_test(test_stale_busy_by_weight),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
