// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_threshold - hauler-agent's threshold mode (agent/threshold.c,
 * P4Mite): BUSY while a thresholded metric is at or above its threshold,
 * THRESHOLD on each crossing (up or down, not on the first sample), latency
 * compared in ms and kept when not measured; and the options that set it
 * up (--threshold ranges per metric, --rate 0, --confirm), where a bad
 * value is an error that changes nothing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>
#include <cmocka.h>

#include "hauler_report.h"
#include "agent.h"

#define T  HAULER_REPORT_F_THRESHOLD
#define B  HAULER_REPORT_F_BUSY
#define LT HAULER_REPORT_F_LATENCY

static int thresholds(const char *text, int threshold[AGENT_METRICS])
{
	struct agent_config cfg;
	int ret;

	config_defaults(&cfg);
	ret = config_set(&cfg, "threshold", text);
	memcpy(threshold, cfg.threshold, sizeof(cfg.threshold));
	return ret;
}

#define NOLAT 0xfffffffeu /* this sample has no latency measurement */

/* One sample of cmp and (unless NOLAT) latency. */
static __u8 sample(struct threshold_state *t, const int *th, __u8 cmp, __u32 lat_us)
{
	struct report_fields f;

	memset(&f, 0, sizeof(f));
	f.cmp = cmp;
	if (lat_us != NOLAT) {
		f.latency_us = lat_us;
		f.flags = LT;
	}
	return threshold_update(t, th, &f);
}

static void test_cmp_crossings(void **state)
{
	struct threshold_state t = {0};
	int th[AGENT_METRICS];

	(void)state;
	assert_int_equal(thresholds("cmp=80", th), 0);
	assert_int_equal(sample(&t, th, 90, NOLAT), B); /* first sample: busy, no crossing */
	assert_int_equal(sample(&t, th, 95, NOLAT), B);
	assert_int_equal(sample(&t, th, 79, NOLAT), T); /* down: available */
	assert_int_equal(sample(&t, th, 10, NOLAT), 0);
	assert_int_equal(sample(&t, th, 80, NOLAT), T | B); /* at the threshold is busy */
	assert_int_equal(sample(&t, th, 80, NOLAT), B);
}

/* latency=150 ms: P4Mite's VGG16 threshold. */
static void test_latency_crossings(void **state)
{
	struct threshold_state t = {0};
	int th[AGENT_METRICS];

	(void)state;
	assert_int_equal(thresholds("latency=150", th), 0);
	assert_int_equal(th[METRIC_LATENCY], 150);
	assert_int_equal(sample(&t, th, 100, 20000), 0); /* cmp is not thresholded */
	assert_int_equal(sample(&t, th, 0, 149999), 0);
	assert_int_equal(sample(&t, th, 0, 150000), T | B);
	/* No measurement in this sample: the state holds, no crossing. */
	assert_int_equal(sample(&t, th, 0, NOLAT), B);
	assert_int_equal(sample(&t, th, 0, 1000), T);
	assert_int_equal(sample(&t, th, 0, NOLAT), 0);
	/* Unreachable is above any threshold. */
	assert_int_equal(sample(&t, th, 0, LATENCY_UNREACHABLE), T | B);
}

/* Several metrics: busy while any is above; a crossing of any one reports. */
static void test_any_metric(void **state)
{
	struct threshold_state t = {0};
	int th[AGENT_METRICS];

	(void)state;
	assert_int_equal(thresholds("cmp=50,latency=100", th), 0);
	assert_int_equal(sample(&t, th, 60, 1000), B);
	assert_int_equal(sample(&t, th, 60, 200000), T | B); /* latency up, cmp still up */
	assert_int_equal(sample(&t, th, 10, 200000), T | B); /* cmp down, latency up */
	assert_int_equal(sample(&t, th, 10, 1000), T);
	assert_int_equal(threshold_any(th), 1);
	assert_int_equal(thresholds("", th), 0);
	assert_int_equal(threshold_any(th), 0);
}

/* Out of range for the metric, unknown, malformed: an error, nothing changes. */
static void test_bad_thresholds(void **state)
{
	const char *bad[] = {
	    "cmp=0",
	    "cmp=101",
	    "queue=-1",
	    "latency=0",
	    "latency=600001",
	    "latency=1.5",
	    "disk=5",
	    "cmp",
	    "cmp=",
	    "cmp=80,",
	    "cmp=80;mem=70",
	    "cmp=80,x=1",
	    "latency=99999999999999999999",
	};
	struct agent_config cfg;
	size_t i;

	(void)state;
	config_defaults(&cfg);
	assert_int_equal(config_set(&cfg, "threshold", "mem=70,latency=300"), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (config_set(&cfg, "threshold", bad[i]) != -1)
			fail_msg("threshold '%s' was accepted", bad[i]);
		assert_int_equal(cfg.threshold[METRIC_MEM], 70);
		assert_int_equal(cfg.threshold[METRIC_LATENCY], 300);
		assert_int_equal(cfg.threshold[METRIC_CMP], AGENT_NO_THRESHOLD);
	}
	assert_int_equal(config_set(&cfg, "threshold", "latency=600000,cmp=100,queue=1"), 0);
	assert_int_equal(cfg.threshold[METRIC_LATENCY], 600000);
	assert_int_equal(cfg.threshold[METRIC_MEM], AGENT_NO_THRESHOLD); /* replaced whole */
}

/* --rate 0 is trigger-only: it needs thresholds; a latency threshold a source. */
static void test_trigger_only_options(void **state)
{
	struct agent_config cfg;

	(void)state;
	config_defaults(&cfg);
	assert_int_equal(cfg.confirm_ms, 5);
	assert_int_equal(config_set(&cfg, "device", "3"), 0);
	assert_int_equal(config_set(&cfg, "dry-run", NULL), 0);
	assert_int_equal(config_set(&cfg, "rate", "0"), 0);
	assert_true(cfg.rate == 0);
	assert_int_equal(report_period_ms(cfg.rate), 0);
	assert_int_equal(config_check(&cfg), -1); /* no threshold */
	assert_int_equal(config_set(&cfg, "threshold", "latency=100"), 0);
	assert_int_equal(config_check(&cfg), -1); /* no latency source */
	assert_int_equal(config_set(&cfg, "latency-socket", "/tmp/hauler-test.sock"), 0);
	assert_int_equal(config_check(&cfg), 0);
	assert_int_equal(config_set(&cfg, "rate", "0.05"), -1);
	assert_int_equal(config_set(&cfg, "rate", "-1"), -1);
	assert_true(cfg.rate == 0);
	assert_int_equal(config_set(&cfg, "confirm", "0"), 0);
	assert_int_equal(config_set(&cfg, "confirm", "1001"), -1);
	assert_int_equal(config_set(&cfg, "confirm", "x"), -1);
	assert_int_equal(cfg.confirm_ms, 0);
}

/* --queue-capacity: in range, and only with a socket to push to. */
static void test_queue_capacity_options(void **state)
{
	struct agent_config cfg;

	(void)state;
	config_defaults(&cfg);
	assert_int_equal(config_set(&cfg, "device", "3"), 0);
	assert_int_equal(config_set(&cfg, "dry-run", NULL), 0);
	assert_int_equal(config_set(&cfg, "queue-capacity", "0"), -1);
	assert_int_equal(config_set(&cfg, "queue-capacity", "10000001"), -1);
	assert_int_equal(cfg.queue_capacity, 0);
	assert_int_equal(config_set(&cfg, "queue-capacity", "64"), 0);
	assert_int_equal(config_check(&cfg), -1); /* nowhere to push */
	assert_int_equal(config_set(&cfg, "latency-socket", "/tmp/hauler-test.sock"), 0);
	assert_int_equal(config_check(&cfg), 0);
	/* A queue threshold needs a queue: the port, or pushed requests. */
	assert_int_equal(config_set(&cfg, "threshold", "queue=50"), 0);
	assert_int_equal(config_check(&cfg), 0);
	cfg.queue_capacity = 0;
	assert_int_equal(config_check(&cfg), -1);
	assert_int_equal(config_set(&cfg, "proto", "sctp"), -1);
	assert_int_equal(cfg.proto, IPPROTO_TCP);
	assert_int_equal(config_set(&cfg, "proto", "udp"), 0);
	assert_int_equal(cfg.proto, IPPROTO_UDP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cmp_crossings),
	    cmocka_unit_test(test_latency_crossings),
	    cmocka_unit_test(test_any_metric),
	    cmocka_unit_test(test_bad_thresholds),
	    cmocka_unit_test(test_trigger_only_options),
	    cmocka_unit_test(test_queue_capacity_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
