// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_stale - the staleness rule of include/select/select.h
 * (select_stale_ns, select_dev_stale), the one the datapath, `hauler
 * device show`, dwrr and the simulator use: K missed periods of the
 * agent's own period, never by age for a trigger-only agent, stale-ms for
 * a version-1 agent that states no period.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "select/select.h"

#define MS 1000000ull
#define T0 (1000 * 1000 * MS) /* a report time well above 0 */

static struct dev_state reported(__u8 version, __u32 period_ms)
{
	struct dev_state st;

	memset(&st, 0, sizeof(st));
	st.version = version;
	st.period_ms = period_ms;
	st.updated_ns = T0;
	return st;
}

static void test_never_reported(void **state)
{
	struct dev_state st = reported(2, 10);

	(void)state;
	st.updated_ns = 0;
	assert_int_equal(select_dev_stale(&st, T0, 0, 0), 1);
	assert_int_equal(select_dev_stale(&st, 0, 0, 0), 1);
	st.period_ms = 0; /* not even a trigger-only agent is known before its first report */
	assert_int_equal(select_dev_stale(&st, T0, 0, 0), 1);
}

/* Periodic agent: stale after K periods, K = stale-periods (default 10). */
static void test_k_missed_periods(void **state)
{
	struct dev_state st = reported(2, 10);

	(void)state;
	assert_true(select_stale_ns(&st, 0, 0) == HAULER_STALE_PERIODS_DEFAULT * 10 * MS);
	assert_int_equal(select_dev_stale(&st, T0 + 100 * MS, 0, 0), 0);
	assert_int_equal(select_dev_stale(&st, T0 + 100 * MS + 1, 0, 0), 1);
	/* K = 3: 30 ms. */
	assert_int_equal(select_dev_stale(&st, T0 + 30 * MS, 0, 3), 0);
	assert_int_equal(select_dev_stale(&st, T0 + 31 * MS, 0, 3), 1);
	/* stale-ms does not apply to an agent that states its period. */
	assert_int_equal(select_dev_stale(&st, T0 + 31 * MS, 5000, 3), 1);
	assert_int_equal(select_dev_stale(&st, T0 + 50 * MS, 1, 0), 0);
}

/*
 * A slow agent (one report every 2 s) stays fresh between its reports; under
 * the old fixed 100 ms it was stale 95 % of the time.
 */
static void test_slow_agent_is_fresh(void **state)
{
	struct dev_state st = reported(2, 2000);

	(void)state;
	assert_int_equal(select_dev_stale(&st, T0 + 1999 * MS, 0, 0), 0);
	assert_int_equal(select_dev_stale(&st, T0 + 19999 * MS, 0, 0), 0);
	assert_int_equal(select_dev_stale(&st, T0 + 20001 * MS, 0, 0), 1);
	/* The longest period and K: no overflow (1000 h, in ns, fits 64 bits). */
	st.period_ms = 3600000;
	assert_true(select_stale_ns(&st, 0, 1000) == 1000ull * 3600000 * MS);
	assert_int_equal(select_dev_stale(&st, T0 + 999ull * 3600000 * MS, 0, 1000), 0);
}

/* Trigger-only (period 0): the last state holds; never stale by age. */
static void test_trigger_only(void **state)
{
	struct dev_state st = reported(2, 0);

	(void)state;
	assert_true(select_stale_ns(&st, 0, 0) == ~0ull);
	assert_int_equal(select_dev_stale(&st, T0 + 3600000 * MS, 0, 0), 0);
	assert_int_equal(select_dev_stale(&st, ~0ull, 1, 1), 0);
}

/* Version 1 (no period known): stale-ms (default 100), as before periods. */
static void test_version1_stale_ms(void **state)
{
	struct dev_state st = reported(1, 0);

	(void)state;
	assert_true(select_stale_ns(&st, 0, 0) == HAULER_STALE_MS_DEFAULT * MS);
	assert_int_equal(select_dev_stale(&st, T0 + 100 * MS, 0, 0), 0);
	assert_int_equal(select_dev_stale(&st, T0 + 101 * MS, 0, 0), 1);
	assert_int_equal(select_dev_stale(&st, T0 + 101 * MS, 250, 1), 0);
	assert_int_equal(select_dev_stale(&st, T0 + 251 * MS, 250, 1), 1);
	/* version 0: an entry written before versions were stored reads as v1. */
	st.version = 0;
	assert_int_equal(select_dev_stale(&st, T0 + 101 * MS, 0, 0), 1);
}

/* A report stamped a tick ahead of the coarse clock is fresh, not "huge age". */
static void test_report_ahead_of_clock(void **state)
{
	struct dev_state st = reported(2, 10);

	(void)state;
	assert_int_equal(select_dev_stale(&st, T0 - 4 * MS, 0, 1), 0);
	st = reported(1, 0);
	assert_int_equal(select_dev_stale(&st, T0 - 4 * MS, 1, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_never_reported),
	    cmocka_unit_test(test_k_missed_periods),
	    cmocka_unit_test(test_slow_agent_is_fresh),
	    cmocka_unit_test(test_trigger_only),
	    cmocka_unit_test(test_version1_stale_ms),
	    cmocka_unit_test(test_report_ahead_of_clock),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
