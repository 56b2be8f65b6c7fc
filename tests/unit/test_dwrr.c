// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_dwrr.c - dynamic WRR without maps: W(d,t) = W(d,0) * (1 - util/100)
 * by hand-computed cases (stale, unusable, saturated, large weights), and
 * the ring the daemon would write for a server of a model.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "batch.h"
#include "dwrr.h"
#include "error.h"
#include "ring.h"

#define MS 1000000ull

static void test_weights_follow_utilization(void **state)
{
	const struct dwrr_input in[] = {
	    {.weight = 3, .usable = 1, .util = 0},   /* 3 * 100 */
	    {.weight = 3, .usable = 1, .util = 50},  /* 3 * 50 */
	    {.weight = 1, .usable = 1, .util = 75},  /* 1 * 25 */
	    {.weight = 2, .usable = 1, .util = 100}, /* saturated: 0 */
	    {.weight = 2, .usable = 1, .util = 250}, /* above 100 counts as 100 */
	};
	__u16 w[5];

	(void)state;
	dwrr_weights(in, 5, w);
	assert_int_equal(w[0], 300);
	assert_int_equal(w[1], 150);
	assert_int_equal(w[2], 25);
	assert_int_equal(w[3], 0);
	assert_int_equal(w[4], 0);
}

static void test_stale_uses_static_weight(void **state)
{
	/* A stale device's old 90% says nothing: it counts with W(d,0). */
	const struct dwrr_input in[] = {
	    {.weight = 2, .usable = 1, .stale = 1, .util = 90},
	    {.weight = 2, .usable = 1, .util = 50},
	};
	__u16 w[2];

	(void)state;
	dwrr_weights(in, 2, w);
	assert_int_equal(w[0], 200);
	assert_int_equal(w[1], 100);
}

static void test_unusable_holds_no_slot(void **state)
{
	const struct dwrr_input in[] = {
	    {.weight = 5, .usable = 0, .util = 0},
	    {.weight = 1, .usable = 1, .util = 10},
	    {.weight = 0, .usable = 1, .util = 0}, /* weight 0: no slot, as in wrr */
	};
	__u16 w[3];

	(void)state;
	dwrr_weights(in, 3, w);
	assert_int_equal(w[0], 0);
	assert_int_equal(w[1], 90);
	assert_int_equal(w[2], 0);
}

static void test_all_saturated_keeps_static_shares(void **state)
{
	/* Every usable device at 100%: never an empty ring, static shares. */
	const struct dwrr_input in[] = {
	    {.weight = 3, .usable = 1, .util = 100},
	    {.weight = 1, .usable = 1, .util = 100},
	    {.weight = 7, .usable = 0, .util = 0},
	};
	__u16 w[3];
	struct ring r;

	(void)state;
	dwrr_weights(in, 3, w);
	assert_int_equal(w[0], 3);
	assert_int_equal(w[1], 1);
	assert_int_equal(w[2], 0);
	assert_int_equal(ring_build(w, 3, &r), 0);
	assert_int_equal(r.len, 4);
}

static void test_large_weights_scale_down(void **state)
{
	/* 65535 * 100 does not fit 16 bits: scaled, proportions kept, none lost. */
	const struct dwrr_input in[] = {
	    {.weight = 65535, .usable = 1, .util = 0},
	    {.weight = 65535, .usable = 1, .util = 50},
	    {.weight = 1, .usable = 1, .util = 99},
	};
	__u16 w[3];

	(void)state;
	dwrr_weights(in, 3, w);
	assert_int_equal(w[0], 65535);
	assert_in_range(w[1], 32767, 32768);
	assert_int_equal(w[2], 1);
}

static const char *const config =
    "vip add 10.0.0.1:80/tcp policy dwrr stale-ms 200\n"
    "vip add 10.0.0.2:80/tcp policy wrr\n"
    "server add s1 vip 10.0.0.1:80/tcp\n"
    "device add cpu server s1 addr 10.1.0.1 port 80 weight 1\n"
    "device add gpu server s1 addr 10.1.0.2 port 80 weight 3\n"
    "device add old server s1 addr 10.1.0.3 port 80 weight 1 state drain\n";

static int slots_of(const struct ring *r, int pos)
{
	__u32 k;
	int n = 0;

	for (k = 0; k < r->len; k++)
		n += r->slot[k] == pos;
	return n;
}

static void test_server_ring_from_reports(void **state)
{
	struct dev_state *st = calloc(HAULER_MAX_DEVICES, sizeof(*st));
	struct model *m = malloc(sizeof(*m));
	__u64 now = 10000 * MS;
	struct ring r;
	int s;

	(void)state;
	assert_non_null(st);
	assert_non_null(m);
	model_init_empty(m);
	if (batch_apply_string(m, config, "test"))
		fail_msg("%s", err_msg());
	assert_true(dwrr_vip(m, 0));
	assert_false(dwrr_vip(m, 1));
	s = model_server_find(m, "s1");

	/* No reports yet: every device stale, the static 1:3 ring. */
	assert_int_equal(dwrr_server_ring(m, s, st, now, &r), 0);
	assert_int_equal(r.len, 4);
	assert_int_equal(slots_of(&r, 0), 1);
	assert_int_equal(slots_of(&r, 1), 3);
	assert_int_equal(slots_of(&r, 2), 0); /* drained */

	/* Fresh reports: cpu 20% -> 1*80, gpu 80% -> 3*20: 80:60 = 4:3. */
	st[0].cmp = 20;
	st[0].updated_ns = now - 10 * MS;
	st[1].cmp = 80;
	st[1].updated_ns = now - 10 * MS;
	assert_int_equal(dwrr_server_ring(m, s, st, now, &r), 0);
	assert_int_equal(r.len, 7);
	assert_int_equal(slots_of(&r, 0), 4);
	assert_int_equal(slots_of(&r, 1), 3);

	/*
	 * The gpu's report ages past stale-ms (200): back to W(d,0) = 3 * 100.
	 * 80 : 300 = 4 : 15 (exact counts: a ratio holds on an empty ring).
	 */
	st[1].updated_ns = now - 201 * MS;
	assert_int_equal(dwrr_server_ring(m, s, st, now, &r), 0);
	assert_int_equal(r.len, 19);
	assert_int_equal(slots_of(&r, 0), 4);
	assert_int_equal(slots_of(&r, 1), 15);

	/* The VIP's metric decides what util is. */
	if (batch_apply_string(m, "policy set 10.0.0.1:80/tcp dwrr metric mem\n", "test"))
		fail_msg("%s", err_msg());
	st[1].updated_ns = now;
	st[0].mem = 50;
	st[1].mem = 0;
	assert_int_equal(dwrr_server_ring(m, s, st, now, &r), 0);
	/* 1 * 50 : 3 * 100 = 1 : 6 */
	assert_int_equal(r.len, 7);
	assert_int_equal(slots_of(&r, 0), 1);
	assert_int_equal(slots_of(&r, 1), 6);
	free(st);
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_weights_follow_utilization),
	    cmocka_unit_test(test_stale_uses_static_weight),
	    cmocka_unit_test(test_unusable_holds_no_slot),
	    cmocka_unit_test(test_all_saturated_keeps_static_shares),
	    cmocka_unit_test(test_large_weights_scale_down),
	    cmocka_unit_test(test_server_ring_from_reports),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
