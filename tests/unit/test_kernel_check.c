// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* test_kernel_check.c - hauler up's check of the kernel's BPF helpers (user/kernel_check.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <linux/bpf.h>

#include "kernel_check.h"
#include "error.h"

static int missing; /* the helper the fake kernel lacks (0: none) */

static int fake_probe(int func)
{
	return func != missing;
}

static int unsure_probe(int func)
{
	(void)func;
	return -95; /* -EOPNOTSUPP: cannot tell */
}

static void test_every_helper_there(void **state)
{
	(void)state;
	missing = 0;
	assert_int_equal(kernel_check(fake_probe), 0);
	assert_int_equal(kernel_check(unsure_probe), 0);
}

/* The newest helper missing: named, with its version and the minimum. */
static void test_missing_helper_named(void **state)
{
	(void)state;
	missing = BPF_FUNC_map_lookup_percpu_elem;
	assert_int_equal(kernel_check(fake_probe), -ERR_SYSTEM);
	assert_non_null(
	    strstr(err_msg(), "lacks the BPF helper bpf_map_lookup_percpu_elem (Linux 5.19)"));
	assert_non_null(strstr(err_msg(), "hauler needs Linux " HAULER_KERNEL_MIN " or later"));
	missing = BPF_FUNC_loop;
	assert_int_equal(kernel_check(fake_probe), -ERR_SYSTEM);
	assert_non_null(strstr(err_msg(), "bpf_loop (Linux 5.17)"));
}

/* This machine's kernel (6.18 here) has them all. */
static void test_running_kernel(void **state)
{
	(void)state;
	assert_int_equal(kernel_check_running(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_helper_there),
	    cmocka_unit_test(test_missing_helper_named),
	    cmocka_unit_test(test_running_kernel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
