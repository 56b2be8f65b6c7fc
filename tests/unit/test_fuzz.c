// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_fuzz - the AFL targets (tests/fuzz/targets.h) without AFL: every
 * seed of both corpora, then a fixed number of deterministic mutations of
 * them, through the parser and the report decoder with their invariants;
 * and each check shown to fail on a result broken on purpose. `make fuzz`
 * runs the same targets under AFL++ for as long as it is given.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "hauler_report.h"
#include "seeds.h"
#include "targets.h"

#define MAX_SEEDS 64
#define MUTATIONS 200000 /* per target: a second or two */

static struct fuzz_frame frames[MAX_SEEDS], reports[MAX_SEEDS];
static size_t nframes, nreports;

static int setup(void **state)
{
	struct fuzz_net net;

	(void)state;
	fuzz_net_default(&net);
	nframes = fuzz_seed_frames(&net, frames, MAX_SEEDS);
	nreports = fuzz_seed_reports(reports, MAX_SEEDS);
	return nframes >= 30 && nreports >= 8 ? 0 : -1;
}

static __u32 rng = 2463534242u;

static __u32 rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

/* Flip, set or cut: AFL's havoc in miniature, deterministic. */
static size_t mutate(__u8 *b, size_t len, size_t cap)
{
	int n = 1 + rnd() % 4;

	while (n--) {
		size_t o = rnd() % len;

		switch (rnd() % 5) {
		case 0:
			b[o] ^= 1 << (rnd() % 8);
			break;
		case 1:
			b[o] = rnd();
			break;
		case 2:
			len = 1 + rnd() % len;
			break;
		case 3:
			if (len < cap)
				b[len++] = rnd();
			break;
		default:
			b[o] =
			    (__u8[]){0, 0xff, 0x45, 0x60, 6, 17, 44, 0x81, 0x86, 0x08}[rnd() % 10];
			break;
		}
	}
	return len;
}

static void run_target(int (*target)(const uint8_t *, size_t), const struct fuzz_frame *seeds,
		       size_t n, const char *what)
{
	__u8 buf[FUZZ_SEED_MAX + 64];
	size_t i, len;
	int r;

	for (i = 0; i < n; i++) {
		r = target(seeds[i].data, seeds[i].len);
		if (r)
			fail_msg("%s seed %s: %s", what, seeds[i].name, fuzz_result_name(r));
	}
	for (i = 0; i < MUTATIONS; i++) {
		const struct fuzz_frame *s = &seeds[rnd() % n];

		memcpy(buf, s->data, s->len);
		len = mutate(buf, s->len, sizeof(buf));
		r = target(buf, len);
		if (r)
			fail_msg("%s mutation %zu of seed %s: %s", what, i, s->name,
				 fuzz_result_name(r));
	}
}

static void test_parse_corpus(void **state)
{
	(void)state;
	run_target(fuzz_parse, frames, nframes, "parse");
}

static void test_report_corpus(void **state)
{
	(void)state;
	run_target(fuzz_report, reports, nreports, "report");
}

/* The seeds are what their names say: the parser finds reports in the report seeds only. */
static void test_seeds_are_valid(void **state)
{
	size_t i;
	int reps = 0;

	(void)state;
	for (i = 0; i < nframes; i++) {
		int off = fuzz_report_offset(frames[i].data, frames[i].len);

		if (strstr(frames[i].name, "report")) {
			struct fuzz_net net;
			struct dev_key keys[FUZZ_REPORT_DEVS] = {};
			struct report_fields f;
			__u16 d;

			fuzz_net_default(&net);
			for (d = 0; d < FUZZ_REPORT_DEVS; d++) {
				keys[d].k0 = fuzz_report_k0(d);
				keys[d].k1 = fuzz_report_k1(d);
			}
			assert_true(off > 0);
			assert_int_equal(report_decode(frames[i].data + off, HAULER_REPORT_LEN,
						       keys, FUZZ_REPORT_DEVS, NULL, &f),
					 REPORT_OK);
			reps++;
		} else {
			assert_int_equal(off, -1);
		}
	}
	assert_int_equal(reps, 4); /* UDP v4 and v6, raw, raw with VLAN */
}

/* Each check of the parser's result fails when the result is wrong. */
static void test_parse_checks_fail(void **state)
{
	size_t i;
	int seen_v4 = 0;

	(void)state;
	for (i = 0; i < nframes; i++) {
		const struct fuzz_frame *f = &frames[i];

		if (!strstr(f->name, "tcp_syn"))
			continue;
		assert_int_equal(fuzz_parse_tampered(f->data, f->len, FUZZ_TAMPER_PORT),
				 FUZZ_BUG_FLOW);
		assert_int_equal(fuzz_parse_tampered(f->data, f->len, FUZZ_TAMPER_L4_OFF),
				 FUZZ_BUG_OFFSETS);
		assert_int_equal(fuzz_parse_tampered(f->data, f->len, FUZZ_TAMPER_FAMILY),
				 FUZZ_BUG_CLASS);
		assert_int_equal(fuzz_parse_tampered(f->data, f->len, FUZZ_TAMPER_REASON),
				 FUZZ_BUG_CLASS);
		if (!strncmp(f->name, "v4", 2)) {
			assert_int_equal(fuzz_parse_tampered(f->data, f->len, FUZZ_TAMPER_ADDR),
					 FUZZ_BUG_FLOW);
			seen_v4 = 1;
		}
	}
	assert_true(seen_v4);
}

static void test_report_checks_fail(void **state)
{
	(void)state;
	assert_string_equal(reports[0].name, "v2");
	assert_int_equal(fuzz_report(reports[0].data, reports[0].len), FUZZ_OK);
	assert_int_equal(fuzz_report_tampered(reports[0].data, reports[0].len), FUZZ_BUG_REPORT_RT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_seeds_are_valid),    cmocka_unit_test(test_parse_checks_fail),
	    cmocka_unit_test(test_report_checks_fail), cmocka_unit_test(test_parse_corpus),
	    cmocka_unit_test(test_report_corpus),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
