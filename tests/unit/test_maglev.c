// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* test_maglev.c - the server tier's weighted, minimally disruptive Maglev. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "maglev.h"

#define M_SMALL 1009 /* prime >= 100 * 10 */
#define M_DEF	4093

static __u16 table[HAULER_MAGLEV_MAX], old[HAULER_MAGLEV_MAX], other[HAULER_MAGLEV_MAX];

/* n servers s0..s(n-1) at indices index0 + 3*i, all of weight w. */
static void make_servers(struct maglev_server *s, int n, int index0, __u32 w)
{
	int i;

	for (i = 0; i < n; i++) {
		memset(&s[i], 0, sizeof(s[i]));
		s[i].index = index0 + 3 * i;
		snprintf(s[i].name, sizeof(s[i].name), "s%d", i);
		s[i].weight = w;
	}
}

static int count_of(const __u16 *t, __u32 M, __u16 index)
{
	int c = 0;
	__u32 j;

	for (j = 0; j < M; j++)
		c += t[j] == index;
	return c;
}

static void assert_all_valid(const __u16 *t, __u32 M, const struct maglev_server *s, int n)
{
	__u32 j;
	int i;

	for (j = 0; j < M; j++) {
		for (i = 0; i < n; i++)
			if (t[j] == s[i].index)
				break;
		assert_true(i < n);
	}
}

static void test_equal_weights_balance(void **state)
{
	static const __u32 sizes[] = {M_SMALL, M_DEF};
	struct maglev_server s[10];
	size_t k;
	int n, i;

	(void)state;
	for (k = 0; k < 2; k++) {
		__u32 M = sizes[k];

		for (n = 2; n <= 10; n++) {
			int lo = M, hi = 0;

			make_servers(s, n, 5, 1);
			assert_int_equal(maglev_build(s, n, M, NULL, table), 0);
			assert_all_valid(table, M, s, n);
			for (i = 0; i < n; i++) {
				int c = count_of(table, M, s[i].index);
				double share = (double)c / M;

				assert_true(share > 1.0 / n - 0.01 && share < 1.0 / n + 0.01);
				lo = c < lo ? c : lo;
				hi = c > hi ? c : hi;
			}
			assert_true(hi - lo <= 1); /* exact +-1 slot balance */
		}
	}
}

static void test_weights_one_to_two(void **state)
{
	struct maglev_server s[2];
	int a, b;

	(void)state;
	make_servers(s, 2, 0, 1);
	s[1].weight = 2;
	assert_int_equal(maglev_build(s, 2, M_DEF, NULL, table), 0);
	a = count_of(table, M_DEF, s[0].index);
	b = count_of(table, M_DEF, s[1].index);
	assert_int_equal(a + b, M_DEF);
	assert_true(abs(3 * a - M_DEF) <= 3);	  /* M/3 +- 1 slot */
	assert_true(abs(3 * b - 2 * M_DEF) <= 3); /* 2M/3 +- 1 slot */
}

static void test_weight_zero_gets_nothing(void **state)
{
	struct maglev_server s[3];

	(void)state;
	make_servers(s, 3, 0, 4);
	s[1].weight = 0;
	assert_int_equal(maglev_build(s, 3, M_DEF, NULL, table), 0);
	assert_int_equal(count_of(table, M_DEF, s[1].index), 0);
	assert_int_equal(count_of(table, M_DEF, s[0].index) + count_of(table, M_DEF, s[2].index),
			 M_DEF);
}

static void test_remove_moves_only_its_slots(void **state)
{
	struct maglev_server s[6];
	__u32 j;
	int i;

	(void)state;
	make_servers(s, 6, 10, 1);
	assert_int_equal(maglev_build(s, 6, M_DEF, NULL, old), 0);
	/* Remove s2: the list closes up, as the model's list would. */
	for (i = 2; i < 5; i++)
		s[i] = s[i + 1];
	assert_int_equal(maglev_build(s, 5, M_DEF, old, table), 0);
	for (j = 0; j < M_DEF; j++) {
		if (old[j] != 10 + 3 * 2)
			assert_int_equal(table[j], old[j]);
		else
			assert_int_not_equal(table[j], 10 + 3 * 2);
	}
	assert_all_valid(table, M_DEF, s, 5);
	for (i = 0; i < 5; i++) {
		int c = count_of(table, M_DEF, s[i].index);

		assert_true(c == M_DEF / 5 || c == M_DEF / 5 + 1);
	}
}

static void test_add_moves_only_what_newcomer_takes(void **state)
{
	struct maglev_server s[5];
	__u32 j, moved = 0;
	int c;

	(void)state;
	make_servers(s, 5, 0, 1);
	assert_int_equal(maglev_build(s, 4, M_DEF, NULL, old), 0);
	assert_int_equal(maglev_build(s, 5, M_DEF, old, table), 0);
	for (j = 0; j < M_DEF; j++) {
		if (table[j] != old[j]) {
			assert_int_equal(table[j], s[4].index);
			moved++;
		}
	}
	c = count_of(table, M_DEF, s[4].index);
	assert_int_equal(moved, c);
	assert_true(c == M_DEF / 5 || c == M_DEF / 5 + 1);
}

static void test_weight_change_and_rebuild_is_stable(void **state)
{
	struct maglev_server s[4];
	__u32 j, moved = 0;

	(void)state;
	make_servers(s, 4, 0, 2);
	assert_int_equal(maglev_build(s, 4, M_DEF, NULL, old), 0);
	/* The same input again changes nothing. */
	assert_int_equal(maglev_build(s, 4, M_DEF, old, table), 0);
	assert_memory_equal(table, old, M_DEF * sizeof(__u16));
	/* Halving s0's weight moves only s0's surplus. */
	s[0].weight = 1;
	assert_int_equal(maglev_build(s, 4, M_DEF, old, table), 0);
	for (j = 0; j < M_DEF; j++) {
		if (table[j] != old[j]) {
			assert_int_equal(old[j], s[0].index);
			moved++;
		}
	}
	assert_int_equal(moved,
			 count_of(old, M_DEF, s[0].index) - count_of(table, M_DEF, s[0].index));
	assert_true(abs(7 * count_of(table, M_DEF, s[0].index) - M_DEF) <= 7);
}

static void test_old_matches_plain_when_empty(void **state)
{
	struct maglev_server s[3];
	__u32 j;

	(void)state;
	make_servers(s, 3, 1, 1);
	for (j = 0; j < M_DEF; j++)
		old[j] = HAULER_NO_SERVER;
	assert_int_equal(maglev_build(s, 3, M_DEF, NULL, table), 0);
	assert_int_equal(maglev_build(s, 3, M_DEF, old, other), 0);
	assert_memory_equal(table, other, M_DEF * sizeof(__u16));
}

static void test_empty_pool(void **state)
{
	struct maglev_server s[2];
	__u32 j;

	(void)state;
	assert_int_equal(maglev_build(NULL, 0, 7, NULL, table), 0);
	for (j = 0; j < 7; j++)
		assert_int_equal(table[j], HAULER_NO_SERVER);
	make_servers(s, 2, 0, 0); /* every weight 0 */
	assert_int_equal(maglev_build(s, 2, M_DEF, NULL, table), 0);
	for (j = 0; j < M_DEF; j++)
		assert_int_equal(table[j], HAULER_NO_SERVER);
}

static void test_bad_sizes(void **state)
{
	struct maglev_server s[1];

	(void)state;
	make_servers(s, 1, 0, 1);
	assert_int_equal(maglev_build(s, 1, 4094, NULL, table), -1);
	assert_int_equal(maglev_build(s, 1, 5, NULL, table), -1);
	assert_int_equal(maglev_build(s, 1, 32771, NULL, table), -1);
	assert_int_equal(maglev_build(s, 1, HAULER_MAGLEV_MAX, NULL, table), 0);
	assert_int_equal(count_of(table, HAULER_MAGLEV_MAX, 0), HAULER_MAGLEV_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_equal_weights_balance),
	    cmocka_unit_test(test_weights_one_to_two),
	    cmocka_unit_test(test_weight_zero_gets_nothing),
	    cmocka_unit_test(test_remove_moves_only_its_slots),
	    cmocka_unit_test(test_add_moves_only_what_newcomer_takes),
	    cmocka_unit_test(test_weight_change_and_rebuild_is_stable),
	    cmocka_unit_test(test_old_matches_plain_when_empty),
	    cmocka_unit_test(test_empty_pool),
	    cmocka_unit_test(test_bad_sizes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
