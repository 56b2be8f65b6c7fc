// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_apply.c - hauler apply's difference (user/apply.c) between two
 * in-memory models: nothing for the same configuration, only what
 * changed otherwise, objects that stay keep their ids, an object whose
 * identity changed is deleted and added again, an invalid file is an
 * error naming its line, and applying the difference gives a model whose
 * difference to the wanted one is empty.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "apply.h"
#include "batch.h"
#include "error.h"
#include "model_of.h"
#include "model.h"
#include "save_text.h"

#define BASE                                                                                       \
	"vip add 10.0.0.1:80/tcp mode nat policy wrr\n"                                            \
	"server add s1 vip 10.0.0.1:80/tcp weight 1\n"                                             \
	"device add s1cpu server s1 addr 10.0.2.11 port 8080 kind cpu weight 3\n"                  \
	"device add s1gpu server s1 addr 10.0.2.12 port 8080 kind gpu weight 1\n"                  \
	"server add s2 vip 10.0.0.1:80/tcp weight 1\n"                                             \
	"device add s2cpu server s2 addr 10.0.2.21 port 8080 kind cpu weight 3\n"                  \
	"device key s2cpu 000102030405060708090a0b0c0d0e0f\n"                                      \
	"vip add [fd00::1]:53/udp mode ipip policy hash\n"                                         \
	"server add u1 vip [fd00::1]:53/udp\n"                                                     \
	"device add u1a server u1 addr fd00::11 port 53\n"

/* want from text against run, as hauler apply reads FILE. */
static struct model *want_of(const struct model *run, const char *text)
{
	struct model *w = malloc(sizeof(*w));
	FILE *in = fmemopen((void *)text, strlen(text), "r");

	assert_non_null(w);
	assert_non_null(in);
	if (apply_want(run, in, "want.conf", w))
		fail_msg("apply_want: %s", err_msg());
	fclose(in);
	return w;
}

/* The difference as text; *n its count of commands. The caller frees it. */
static char *diff_of(const struct model *run, const struct model *want, int *n)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	assert_non_null(out);
	*n = apply_diff(run, want, out);
	fclose(out);
	return text;
}

/* Apply the difference to run; then none must be left. Returns the difference. */
static char *apply_to(struct model *run, const struct model *want, int *n)
{
	char *diff = diff_of(run, want, n), *again;
	int left;

	if (batch_apply_string(run, diff, "diff"))
		fail_msg("difference does not apply: %s\n%s", err_msg(), diff);
	again = diff_of(run, want, &left);
	if (left)
		fail_msg("%d changes left after\n%s:\n%s", left, diff, again);
	free(again);
	return diff;
}

static void has(const char *text, const char *line)
{
	if (!strstr(text, line))
		fail_msg("missing '%s' in:\n%s", line, text);
}

/* A VIP that changes tier is kept (its live flows too): `vip set VIP tier`. */
static void test_tier_change(void **state)
{
	struct model *run = model_of(BASE), *want;
	char *diff;
	int n;

	(void)state;
	want =
	    want_of(run, "vip add 10.0.0.1:80/tcp mode nat policy wrr tier flat\n"
			 "server add s1 vip 10.0.0.1:80/tcp weight 1\n"
			 "device add s1cpu server s1 addr 10.0.2.11 port 8080 kind cpu weight 3\n"
			 "device add s1gpu server s1 addr 10.0.2.12 port 8080 kind gpu weight 1\n"
			 "server add s2 vip 10.0.0.1:80/tcp weight 1\n"
			 "device add s2cpu server s2 addr 10.0.2.21 port 8080 kind cpu weight 3\n"
			 "vip add [fd00::1]:53/udp mode ipip policy hash\n"
			 "server add u1 vip [fd00::1]:53/udp\n"
			 "device add u1a server u1 addr fd00::11 port 53\n");
	diff = apply_to(run, want, &n);
	assert_string_equal(diff, "vip set 10.0.0.1:80/tcp tier flat\n");
	assert_int_equal(n, 1);
	assert_int_equal(run->vips[0].info.tier, HAULER_TIER_FLAT);
	free(diff);
	free(run);
	free(want);
}

static void test_same_is_empty(void **state)
{
	struct model *run = model_of(BASE), *want;
	char *saved = save_text(run), *diff;
	int n;

	(void)state;
	/* What save writes applies as no change at all. */
	want = want_of(run, saved);
	diff = diff_of(run, want, &n);
	assert_int_equal(n, 0);
	assert_string_equal(diff, "");
	free(diff);
	free(saved);
	free(run);
	free(want);
}

static void test_changes_only(void **state)
{
	struct model *run = model_of(BASE), *want;
	int n, s1cpu = model_device_find(run, "s1cpu"), s2cpu = model_device_find(run, "s2cpu");
	int u1a = model_device_find(run, "u1a");
	char *diff;

	(void)state;
	want =
	    want_of(run, "vip add 10.0.0.1:80/tcp mode nat policy lur metric cmp,mem\n"
			 "server add s1 vip 10.0.0.1:80/tcp weight 2\n"
			 "device add s1cpu server s1 addr 10.0.2.11 port 8080 kind cpu weight 5\n"
			 "device add s1fpga server s1 addr 10.0.2.13 port 8080 kind fpga\n"
			 "device set s1fpga check tcp interval 1000\n"
			 "server add s2 vip 10.0.0.1:80/tcp weight 1\n"
			 "device add s2cpu server s2 addr 10.0.2.21 port 8080 kind cpu weight 3\n"
			 "server set s1 spill-to s2\n"
			 "vip add [fd00::1]:53/udp mode ipip policy hash\n"
			 "server add u1 vip [fd00::1]:53/udp\n"
			 "device add u1a server u1 addr fd00::11 port 53 state drain\n"
			 "config set fin-grace 2000 confirm-budget 64\n");
	diff = apply_to(run, want, &n);
	has(diff, "device del s1gpu\n");
	has(diff, "policy set 10.0.0.1:80/tcp lur metric cmp,mem\n");
	has(diff, "server set s1 weight 2\n");
	has(diff, "device set s1cpu weight 5 state up kind cpu\n");
	has(diff,
	    "device add s1fpga server s1 addr 10.0.2.13 port 8080 kind fpga weight 1 state up\n");
	has(diff, "device set s1fpga check tcp interval 1000");
	has(diff, "server set s1 spill-to s2\n");
	has(diff, "device set u1a weight 1 state drain kind cpu\n");
	has(diff, "config set fin-grace 2000 ");
	has(diff, " confirm-budget 64");
	/* Nothing else: s2, s2cpu (whose key FILE leaves out) and the VIPs stay. */
	assert_int_equal(n, 9);
	assert_null(strstr(diff, "vip add"));
	assert_null(strstr(diff, "s2cpu"));
	/* Objects that stayed kept their ids; s2cpu its key. */
	assert_int_equal(model_device_find(run, "s1cpu"), s1cpu);
	assert_int_equal(model_device_find(run, "s2cpu"), s2cpu);
	assert_int_equal(model_device_find(run, "u1a"), u1a);
	assert_true(run->keys[s2cpu].k0 || run->keys[s2cpu].k1);
	assert_int_equal(run->config.fin_grace_ms, 2000);
	assert_int_equal(run->config.confirm_burst, 64);
	free(diff);
	free(run);
	free(want);
}

static void test_identity_changes(void **state)
{
	struct model *run = model_of(BASE), *want;
	char *diff;
	int n;

	(void)state;
	/* The TCP VIP moves to ipip (deleted and added with its servers);
	 * u1a moves to another address; the UDP VIP's s2 is new. */
	want =
	    want_of(run, "vip add 10.0.0.1:80/tcp mode ipip policy wrr\n"
			 "server add s1 vip 10.0.0.1:80/tcp weight 1\n"
			 "device add s1cpu server s1 addr 10.0.2.11 port 8080 kind cpu weight 3\n"
			 "vip add [fd00::1]:53/udp mode ipip policy hash\n"
			 "server add u1 vip [fd00::1]:53/udp\n"
			 "device add u1a server u1 addr fd00::12 port 53\n"
			 "server add s2 vip [fd00::1]:53/udp\n"
			 "device add s2cpu server s2 addr fd00::21 port 53\n");
	diff = apply_to(run, want, &n);
	has(diff, "vip del 10.0.0.1:80/tcp\n");
	has(diff, "vip add 10.0.0.1:80/tcp mode ipip policy wrr table-size 4093\n");
	has(diff, "device del u1a\n");
	has(diff, "device add u1a server u1 addr fd00::12 port 53");
	has(diff, "server del s2\n");
	has(diff, "server add s2 vip [fd00::1]:53/udp weight 1\n");
	/* Deletions come before the additions that reuse their names. */
	assert_true(strstr(diff, "server del s2") < strstr(diff, "server add s2"));
	assert_true(strstr(diff, "device del s2cpu") < strstr(diff, "device add s2cpu"));
	free(diff);
	free(run);
	free(want);
}

static void test_empty_file_removes_all(void **state)
{
	struct model *run = model_of(BASE), *want = want_of(run, "# nothing\n");
	char *diff;
	int n, i;

	(void)state;
	diff = apply_to(run, want, &n);
	has(diff, "vip del 10.0.0.1:80/tcp\n");
	has(diff, "vip del [fd00::1]:53/udp\n");
	for (i = 0; i < HAULER_MAX_VIPS; i++)
		assert_false(run->vips[i].in_use);
	free(diff);
	free(run);
	free(want);
}

static void test_bad_file(void **state)
{
	struct model *run = model_of(BASE), *want = malloc(sizeof(*want));
	static const char *const bad[] = {
	    "vip add 10.0.0.1:80/tcp\nserver add s1 vip 10.0.0.9:80/tcp\n", /* unknown VIP */
	    "vip add 10.0.0.1:80/tcp policy nope\n",
	    "vip add 10.0.0.1:80/tcp\nvip show\n", /* not a change */
	    "hauler vip add 10.0.0.1:80/tcp\n",
	    "vip add 10.0.0.1:80/tcp\ndevice add d server nope addr 10.0.0.2 port 1\n",
	};
	char *before = save_text(run), *after;
	size_t i;

	(void)state;
	assert_non_null(want);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		FILE *in = fmemopen((void *)bad[i], strlen(bad[i]), "r");

		assert_int_not_equal(apply_want(run, in, "want.conf", want), 0);
		if (strncmp(err_msg(), "want.conf:", 10))
			fail_msg("error '%s' does not name the file and line", err_msg());
		fclose(in);
	}
	after = save_text(run);
	assert_string_equal(before, after);
	free(before);
	free(after);
	free(run);
	free(want);
}

static void test_keys(void **state)
{
	struct model *run = model_of(BASE), *want;
	char *diff;
	int n;

	(void)state;
	want = want_of(run, BASE "device key s1cpu 0f0e0d0c0b0a09080706050403020100\n");
	diff = apply_to(run, want, &n);
	assert_int_equal(n, 1);
	has(diff, "device key s1cpu 0f0e0d0c0b0a09080706050403020100\n");
	free(diff);
	free(run);
	free(want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_same_is_empty),    cmocka_unit_test(test_changes_only),
	    cmocka_unit_test(test_identity_changes), cmocka_unit_test(test_empty_file_removes_all),
	    cmocka_unit_test(test_bad_file),	     cmocka_unit_test(test_keys),
	    cmocka_unit_test(test_tier_change),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
