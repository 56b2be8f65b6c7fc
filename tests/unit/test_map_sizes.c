// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_map_sizes - hauler up's --conns / --half-open: what is a size,
 * which sizes are refused, and that a refused one changes nothing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "error.h"
#include "map_sizes.h"

static void test_parse(void **state)
{
	__u32 n = 7;

	(void)state;
	assert_int_equal(map_sizes_parse("4096", "--conns", &n), 0);
	assert_int_equal(n, 4096);
	assert_int_equal(map_sizes_parse("512k", "--conns", &n), 0);
	assert_int_equal(n, 512000);
	assert_int_equal(map_sizes_parse("20M", "--conns", &n), 0);
	assert_int_equal(n, 20000000);
}

static void test_parse_refuses(void **state)
{
	const char *bad[] = {"", "x", "-5", "12q", "1kk", "5000M", "99999999999", "4 096"};
	size_t i;
	__u32 n;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = 7;
		assert_int_equal(map_sizes_parse(bad[i], "--conns", &n), -ERR_INPUT);
		assert_int_equal(n, 7);
		assert_non_null(strstr(err_msg(), "--conns"));
	}
}

static void test_bounds(void **state)
{
	struct table_sizes ts = {0, 0};

	(void)state;
	assert_int_equal(map_sizes_check(&ts), 0); /* defaults */
	ts.conns = 10000000;
	ts.half_open = 1000000;
	assert_int_equal(map_sizes_check(&ts), 0);
	ts.conns = HAULER_CONNS_MIN - 1;
	assert_int_equal(map_sizes_check(&ts), -ERR_INPUT);
	assert_non_null(strstr(err_msg(), "--conns"));
	ts.conns = HAULER_CONNS_MAX + 1;
	assert_int_equal(map_sizes_check(&ts), -ERR_INPUT);
	ts.conns = 0;
	ts.half_open = HAULER_HALF_OPEN_MIN - 1;
	assert_int_equal(map_sizes_check(&ts), -ERR_INPUT);
	assert_non_null(strstr(err_msg(), "--half-open"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse),
	    cmocka_unit_test(test_parse_refuses),
	    cmocka_unit_test(test_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
