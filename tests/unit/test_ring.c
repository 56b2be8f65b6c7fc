// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* test_ring.c - smooth weighted round-robin rings. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "ring.h"

static void assert_ring(const __u16 *w, int n, const __u8 *want, __u32 len)
{
	struct ring r;

	assert_int_equal(ring_build(w, n, &r), 0);
	assert_int_equal(r.len, len);
	assert_memory_equal(r.slot, want, len);
}

static int slots_of(const struct ring *r, int pos)
{
	__u32 i;
	int c = 0;

	for (i = 0; i < r->len; i++)
		c += r->slot[i] == pos;
	return c;
}

static void test_one_two(void **state)
{
	static const __u16 w[] = {1, 2};
	static const __u8 want[] = {1, 0, 1};

	(void)state;
	assert_ring(w, 2, want, 3);
}

static void test_five_one_one(void **state)
{
	/* nginx's example: a a b a c a a */
	static const __u16 w[] = {5, 1, 1};
	static const __u8 want[] = {0, 0, 1, 0, 2, 0, 0};

	(void)state;
	assert_ring(w, 3, want, 7);
}

static void test_equal_weights_alternate(void **state)
{
	static const __u16 w[] = {3, 3, 3};
	static const __u8 want[] = {0, 1, 2};

	(void)state;
	assert_ring(w, 3, want, 3); /* gcd 3: one slot each */
}

static void test_gcd_reduction(void **state)
{
	static const __u16 w[] = {20, 40};
	static const __u8 want[] = {1, 0, 1};
	static const __u16 w2[] = {6, 4, 2};
	static const __u8 want2[] = {0, 1, 0, 2, 1, 0};

	(void)state;
	assert_ring(w, 2, want, 3);
	assert_ring(w2, 3, want2, 6); /* {3,2,1} */
}

static void test_zero_weights(void **state)
{
	static const __u16 w[] = {0, 3, 0};
	static const __u8 want[] = {1};
	static const __u16 none[] = {0, 0, 0, 0};
	static const __u16 w2[] = {2, 0, 1};
	static const __u8 want2[] = {0, 2, 0};
	struct ring r;

	(void)state;
	assert_ring(w, 3, want, 1);
	assert_ring(w2, 3, want2, 3);
	assert_int_equal(ring_build(none, 4, &r), 0);
	assert_int_equal(r.len, 0);
	assert_int_equal(ring_build(NULL, 0, &r), 0);
	assert_int_equal(r.len, 0);
}

static void test_scaling_above_slots(void **state)
{
	static const __u16 w[] = {1000, 1};
	static const __u16 big[] = {65535, 1, 30000, 7, 2, 65534, 3, 1};
	struct ring r;
	__u32 i;

	(void)state;
	assert_int_equal(ring_build(w, 2, &r), 0);
	assert_int_equal(r.len, HAULER_RING_SLOTS);
	assert_int_equal(slots_of(&r, 0), HAULER_RING_SLOTS - 1);
	assert_int_equal(slots_of(&r, 1), 1); /* never scaled away */

	assert_int_equal(ring_build(big, 8, &r), 0);
	assert_true(r.len <= HAULER_RING_SLOTS && r.len > 200);
	for (i = 0; i < 8; i++) {
		double share = (double)big[i] * HAULER_RING_SLOTS / 161083; /* sum of big[] */

		/* At least one slot each; otherwise within 3 slots of the exact share (rounding 5
		 * small ones up costs the big ones). */
		assert_true(slots_of(&r, i) >= 1);
		assert_true(share < 1 ||
			    (slots_of(&r, i) > share - 3 && slots_of(&r, i) < share + 3));
	}
	/* Smooth: the two heaviest never take more than two turns in a row. */
	for (i = 2; i < r.len; i++)
		assert_false(r.slot[i] == r.slot[i - 1] && r.slot[i] == r.slot[i - 2] &&
			     r.slot[i] == 0);
}

static void test_interleave_spreads_heavy_device(void **state)
{
	static const __u16 w[] = {4, 4, 1};
	struct ring r;
	__u32 i;

	(void)state;
	assert_int_equal(ring_build(w, 3, &r), 0);
	assert_int_equal(r.len, 9);
	assert_int_equal(slots_of(&r, 0), 4);
	assert_int_equal(slots_of(&r, 1), 4);
	assert_int_equal(slots_of(&r, 2), 1);
	for (i = 1; i < r.len; i++)
		assert_int_not_equal(r.slot[i], r.slot[i - 1]);
}

static void test_too_many_devices(void **state)
{
	__u16 w[HAULER_DEVS_PER_SERVER + 1] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
	struct ring r;

	(void)state;
	assert_int_equal(ring_build(w, HAULER_DEVS_PER_SERVER + 1, &r), -1);
	assert_int_equal(ring_build(w, HAULER_DEVS_PER_SERVER, &r), 0);
	assert_int_equal(r.len, HAULER_DEVS_PER_SERVER);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_one_two),
	    cmocka_unit_test(test_five_one_one),
	    cmocka_unit_test(test_equal_weights_alternate),
	    cmocka_unit_test(test_gcd_reduction),
	    cmocka_unit_test(test_zero_weights),
	    cmocka_unit_test(test_scaling_above_slots),
	    cmocka_unit_test(test_interleave_spreads_heavy_device),
	    cmocka_unit_test(test_too_many_devices),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
