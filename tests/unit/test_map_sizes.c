// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_map_sizes - hauler up's --conns / --half-open / --vips /
 * --servers / --devices: what is a size, which sizes are refused, that a
 * refused one changes nothing, and that the model allocates up to the
 * counts and no further.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "batch.h"
#include "error.h"
#include "map_sizes.h"
#include "model.h"

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
	struct table_sizes ts = {0};

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

/* Each count: 1 and the ceiling taken, 0, ceiling + 1 and junk refused, the target untouched. */
static void test_counts(void **state)
{
	const struct {
		const char *opt;
		__u32 max;
	} c[] = {{"--vips", HAULER_MAX_VIPS},
		 {"--servers", HAULER_MAX_SERVERS},
		 {"--devices", HAULER_MAX_DEVICES}};
	const char *bad[] = {"0", "-1", "x", "1.5", "", "9999999999"};
	char text[32];
	size_t i, j;
	__u32 n;

	(void)state;
	/* At least Katran's defaults (512 VIPs, 4096 reals). */
	assert_true(HAULER_MAX_VIPS >= 512 && HAULER_MAX_DEVICES >= 4096);
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		assert_int_equal(map_sizes_parse_count("1", c[i].opt, c[i].max, &n), 0);
		assert_int_equal(n, 1);
		snprintf(text, sizeof(text), "%u", c[i].max);
		assert_int_equal(map_sizes_parse_count(text, c[i].opt, c[i].max, &n), 0);
		assert_int_equal(n, c[i].max);
		snprintf(text, sizeof(text), "%u", c[i].max + 1);
		n = 7;
		assert_int_equal(map_sizes_parse_count(text, c[i].opt, c[i].max, &n), -ERR_INPUT);
		assert_int_equal(n, 7);
		assert_non_null(strstr(err_msg(), c[i].opt));
		for (j = 0; j < sizeof(bad) / sizeof(bad[0]); j++) {
			assert_int_equal(map_sizes_parse_count(bad[j], c[i].opt, c[i].max, &n),
					 -ERR_INPUT);
			assert_int_equal(n, 7);
		}
	}
}

static void test_counts_check(void **state)
{
	struct table_sizes ts = {0};

	(void)state;
	ts.vips = HAULER_MAX_VIPS;
	ts.servers = HAULER_MAX_SERVERS;
	ts.devices = HAULER_MAX_DEVICES;
	assert_int_equal(map_sizes_check(&ts), 0);
	ts.vips = HAULER_MAX_VIPS + 1;
	assert_int_equal(map_sizes_check(&ts), -ERR_INPUT);
	assert_non_null(strstr(err_msg(), "--vips"));
	ts.vips = 0;
	ts.servers = HAULER_MAX_SERVERS + 1;
	assert_int_equal(map_sizes_check(&ts), -ERR_INPUT);
	assert_non_null(strstr(err_msg(), "--servers"));
	ts.servers = 0;
	ts.devices = HAULER_MAX_DEVICES + 1;
	assert_int_equal(map_sizes_check(&ts), -ERR_INPUT);
	assert_non_null(strstr(err_msg(), "--devices"));
}

/* A re-up asking for other counts than the pinned ones: refused, naming the option. */
static void test_compare(void **state)
{
	struct table_sizes have = {.conns = 4096, .vips = 64, .servers = 256, .devices = 2048};
	struct table_sizes want = {0};

	(void)state;
	assert_int_equal(map_sizes_compare(&have, &want), 0); /* nothing asked: the pins */
	want = have;
	assert_int_equal(map_sizes_compare(&have, &want), 0);
	want.vips = 512;
	assert_int_equal(map_sizes_compare(&have, &want), -ERR_INPUT);
	assert_non_null(strstr(err_msg(), "--vips"));
	want.vips = 0;
	want.servers = 4096;
	assert_int_equal(map_sizes_compare(&have, &want), -ERR_INPUT);
	assert_non_null(strstr(err_msg(), "--servers"));
	want.servers = 0;
	want.devices = 4096;
	assert_int_equal(map_sizes_compare(&have, &want), -ERR_INPUT);
	assert_non_null(strstr(err_msg(), "--devices"));
	want.devices = 0;
	want.conns = 8192;
	assert_int_equal(map_sizes_compare(&have, &want), -ERR_INPUT);
	assert_non_null(strstr(err_msg(), "--conns"));
}

/*
 * The connection table of an up: the one asked for; else the running
 * balancer's (a re-up without --table keeps it: a compact one has
 * ctable sized above 1, an LRU one, or pins of a version without the
 * compact table, have not); else the compact table (TABLE_DEFAULT).
 * Asking a running balancer for the other table is refused, as is
 * --half-open with the compact table.
 */
static void test_table(void **state)
{
	struct table_sizes none = {0}, lru = {.conns = 4096, .ctable = 1, .half_open = 512};
	struct table_sizes old = {.conns = 4096, .half_open = 512};
	struct table_sizes compact = {.conns = HAULER_CONNS_MIN, .ctable = 218454};
	struct table_sizes want = {0};

	(void)state;
	assert_int_equal(TABLE_DEFAULT, TABLE_COMPACT);
	assert_int_equal(map_sizes_table(&none, 0), TABLE_COMPACT);
	assert_int_equal(map_sizes_table(&none, TABLE_LRU), TABLE_LRU);
	assert_int_equal(map_sizes_table(&lru, 0), TABLE_LRU);
	assert_int_equal(map_sizes_table(&old, 0), TABLE_LRU);
	assert_int_equal(map_sizes_table(&compact, 0), TABLE_COMPACT);
	assert_int_equal(map_sizes_table(&compact, TABLE_COMPACT), TABLE_COMPACT);
	assert_int_equal(map_sizes_same_table(&none, TABLE_LRU), 0);
	assert_int_equal(map_sizes_same_table(&lru, 0), 0);
	assert_int_equal(map_sizes_same_table(&compact, 0), 0);
	assert_int_equal(map_sizes_same_table(&lru, TABLE_LRU), 0);
	assert_int_equal(map_sizes_same_table(&lru, TABLE_COMPACT), -ERR_INPUT);
	assert_non_null(strstr(err_msg(), "uses the lru table"));
	assert_int_equal(map_sizes_same_table(&compact, TABLE_LRU), -ERR_INPUT);
	assert_non_null(strstr(err_msg(), "uses the compact table"));
	assert_int_equal(map_sizes_table_check(&want, TABLE_COMPACT), 0);
	want.half_open = 4096;
	assert_int_equal(map_sizes_table_check(&want, TABLE_LRU), 0);
	assert_int_equal(map_sizes_table_check(&want, TABLE_COMPACT), -ERR_INPUT);
	assert_non_null(strstr(err_msg(), "--half-open"));
	/* The default's size: --conns' default at CT_FILL_PCT. */
	want = none;
	map_sizes_compact(&want, 0);
	assert_int_equal(want.ctable, 218454);
	assert_int_equal(want.conns, HAULER_CONNS_MIN);
	assert_int_equal(want.half_open, HAULER_HALF_OPEN_MIN);
}

/*
 * The model allocates ids up to its counts (Katran's 512 VIPs and 4096
 * reals here): the next one is refused and changes nothing.
 */
static void test_model_counts(void **state)
{
	struct model *m = calloc(1, sizeof(*m)), *was = calloc(1, sizeof(*was));
	char line[128];
	int i;

	(void)state;
	assert_non_null(m);
	assert_non_null(was);
	model_init_empty(m);
	assert_int_equal(m->lim.vips, HAULER_VIPS_DEFAULT);
	assert_int_equal(m->lim.servers, HAULER_SERVERS_DEFAULT);
	assert_int_equal(m->lim.devices, HAULER_DEVICES_DEFAULT);
	m->lim.vips = 512;
	m->lim.servers = 513;
	m->lim.devices = 4096;
	for (i = 0; i < 512; i++) {
		snprintf(line, sizeof(line), "vip add 10.%d.%d.1:80/tcp\n", i / 256, i % 256);
		assert_int_equal(batch_apply_string(m, line, "t"), 0);
		snprintf(line, sizeof(line), "server add s%d vip 10.%d.%d.1:80/tcp\n", i, i / 256,
			 i % 256);
		assert_int_equal(batch_apply_string(m, line, "t"), 0);
	}
	for (i = 0; i < 4096; i++) {
		snprintf(line, sizeof(line),
			 "device add d%d server s%d addr 10.200.%d.%d port 80\n", i, i / 8, i / 256,
			 i % 256);
		assert_int_equal(batch_apply_string(m, line, "t"), 0);
	}
	/* A 513th server with room, so a 4097th device fails on the count alone. */
	assert_int_equal(batch_apply_string(m, "server add spare vip 10.0.0.1:80/tcp\n", "t"), 0);
	assert_int_equal(m->vips[511].info.vip_id, 511);
	assert_true(m->devices[4095].in_use);
	/* The flat group of the last VIP: right after the servers. */
	assert_int_equal(model_flat_index(m, 511), 513 + 511);
	*was = *m;
	assert_int_not_equal(batch_apply_string(m, "vip add 10.9.9.9:80/tcp\n", "t"), 0);
	assert_non_null(strstr(err_msg(), "too many VIPs"));
	assert_int_not_equal(batch_apply_string(m, "server add sx vip 10.0.0.1:80/tcp\n", "t"), 0);
	assert_non_null(strstr(err_msg(), "too many servers"));
	assert_int_not_equal(
	    batch_apply_string(m, "device add dx server spare addr 10.201.0.1 port 80\n", "t"), 0);
	assert_non_null(strstr(err_msg(), "too many devices"));
	assert_memory_equal(m, was, sizeof(*m));
	free(m);
	free(was);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse),	 cmocka_unit_test(test_parse_refuses),
	    cmocka_unit_test(test_bounds),	 cmocka_unit_test(test_counts),
	    cmocka_unit_test(test_counts_check), cmocka_unit_test(test_compare),
	    cmocka_unit_test(test_model_counts), cmocka_unit_test(test_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
