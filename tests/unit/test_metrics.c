// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_metrics.c - the Prometheus text of a snapshot (user/metrics.c)
 * without any map: every datapath counter of include/schema.def appears
 * exactly once, in the family of its prefix, with its value; VIP and
 * device samples carry their labels and values; every sample line is
 * well formed and follows its family's TYPE line; a balancer that cannot
 * be read says hauler_balancer_up 0; listen addresses parse or are
 * refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <regex.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "batch.h"
#include "error.h"
#include "metrics.h"
#include "metrics_http.h"

static struct snapshot *snap_of(const char *config)
{
	struct snapshot *s = calloc(1, sizeof(*s));

	assert_non_null(s);
	model_init_empty(&s->m);
	if (batch_apply_string(&s->m, config, "test"))
		fail_msg("batch: %s", err_msg());
	return s;
}

static char *text_of(const struct snapshot *s, const struct metrics_extra *x)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	assert_non_null(out);
	metrics_write(out, s, x);
	fclose(out);
	return text;
}

/* How many lines of text start with line (a whole sample: name, labels, value). */
static int count_lines(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p = text;
	int count = 0;

	while (p && *p) {
		if (!strncmp(p, line, n) && (p[n] == '\n' || p[n] == '\0'))
			count++;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return count;
}

static void has_once(const char *text, const char *line)
{
	int n = count_lines(text, line);

	if (n != 1)
		fail_msg("'%s' appears %d times", line, n);
}

#define CONFIG                                                                                     \
	"vip add 10.0.0.1:80/tcp mode nat policy wrr\n"                                            \
	"server add s1 vip 10.0.0.1:80/tcp\n"                                                      \
	"device add s1cpu server s1 addr 10.0.2.11 port 8080 kind cpu weight 3\n"                  \
	"device add s1gpu server s1 addr 10.0.2.12 port 8080 kind gpu\n"

static void test_counters_from_schema(void **state)
{
	struct snapshot *s = snap_of("");
	struct metrics_extra x = {};
	char line[160], *text;
	int i;

	(void)state;
	for (i = 0; i < HAULER_STAT_REASONS; i++) {
		s->reasons[i].packets = 1000 + i;
		s->reasons[i].bytes = 5000 + i;
	}
	text = text_of(s, &x);
	for (i = 0; i < HAULER_STAT_REASONS; i++) {
		const char *c = snapshot_reason_names[i];
		const char *family = !strncmp(c, "pass_", 5)	 ? "hauler_pass"
				     : !strncmp(c, "drop_", 5)	 ? "hauler_drop"
				     : !strncmp(c, "report_", 7) ? "hauler_report"
								 : "hauler_datapath";
		const char *label = !strcmp(family, "hauler_report")	 ? "result"
				    : !strcmp(family, "hauler_datapath") ? "counter"
									 : "reason";
		const char *value = strcmp(family, "hauler_datapath") ? strchr(c, '_') + 1 : c;

		snprintf(line, sizeof(line), "%s_packets_total{%s=\"%s\"} %d", family, label, value,
			 1000 + i);
		has_once(text, line);
		snprintf(line, sizeof(line), "%s_bytes_total{%s=\"%s\"} %d", family, label, value,
			 5000 + i);
		has_once(text, line);
	}
	has_once(text, "hauler_balancer_up 1");
	/* Not served by the daemon: no ring updates of its own. */
	assert_null(strstr(text, "hauler_daemon_ring_updates_total"));
	free(text);
	free(s);
}

static void test_vips_and_devices(void **state)
{
	struct snapshot *s = snap_of(CONFIG);
	struct metrics_extra x = {.daemon = 1, .ring_updates = 7};
	int cpu = model_device_find(&s->m, "s1cpu"), gpu = model_device_find(&s->m, "s1gpu");
	const char *dev = "{vip=\"10.0.0.1:80/tcp\",server=\"s1\",device=\"s1cpu\"";
	char line[256], *text;

	(void)state;
	s->vip_fwd[0] = (struct counter){.packets = 600, .bytes = 60000};
	s->vip_new[0].packets = 42;
	s->swaps[0] = 3;
	s->dev_fwd[cpu] = (struct counter){.packets = 500, .bytes = 50000};
	s->dev_new[cpu].packets = 40;
	s->dev_new[gpu].packets = 2;
	s->now_ns = 10000000000ull;
	s->states[cpu] = (struct dev_state){.cmp = 70,
					    .mem = 20,
					    .net = 5,
					    .queue = 1,
					    .latency_us = 1500,
					    .live_conns = 9,
					    .version = 2,
					    .period_ms = 100,
					    .updated_ns = 9500000000ull};
	s->m.devices[gpu].health = HAULER_HEALTH_FAILED;
	text = text_of(s, &x);
	has_once(text, "hauler_vip_packets_total{vip=\"10.0.0.1:80/tcp\"} 600");
	has_once(text, "hauler_vip_bytes_total{vip=\"10.0.0.1:80/tcp\"} 60000");
	has_once(text, "hauler_vip_new_connections_total{vip=\"10.0.0.1:80/tcp\"} 42");
	has_once(text, "hauler_vip_policy_swaps_total{vip=\"10.0.0.1:80/tcp\"} 3");
	has_once(text,
		 "hauler_vip_info{vip=\"10.0.0.1:80/tcp\",mode=\"nat\",policy=\"wrr\",id=\"0\"} 1");
#define DEV(fmt, ...) (snprintf(line, sizeof(line), fmt, __VA_ARGS__), has_once(text, line))
	DEV("hauler_device_packets_total%s} 500", dev);
	DEV("hauler_device_bytes_total%s} 50000", dev);
	DEV("hauler_device_new_connections_total%s} 40", dev);
	DEV("hauler_device_weight%s} 3", dev);
	DEV("hauler_device_load_percent%s,metric=\"cmp\"} 70", dev);
	DEV("hauler_device_load_percent%s,metric=\"queue\"} 1", dev);
	DEV("hauler_device_latency_seconds%s} 0.001500", dev);
	DEV("hauler_device_live_connections%s} 9", dev);
	DEV("hauler_device_report_age_seconds%s} 0.500", dev);
	DEV("hauler_device_stale%s} 0", dev);
	DEV("hauler_device_healthy%s} 1", dev);
	DEV("hauler_device_info%s,kind=\"cpu\",state=\"up\",addr=\"10.0.2.11\",port=\"8080\"} 1",
	    dev);
	/* The GPU never reported: stale, no age; its check failed. */
	DEV("hauler_device_stale{vip=\"10.0.0.1:80/tcp\",server=\"s1\",device=\"%s\"} 1", "s1gpu");
	DEV("hauler_device_healthy{vip=\"10.0.0.1:80/tcp\",server=\"s1\",device=\"%s\"} 0",
	    "s1gpu");
#undef DEV
	assert_null(strstr(text, "hauler_device_report_age_seconds{vip=\"10.0.0.1:80/tcp\","
				 "server=\"s1\",device=\"s1gpu\"}"));
	has_once(text, "hauler_daemon_ring_updates_total 7");
	/* No learner stored: no learner samples. */
	assert_null(strstr(text, "hauler_learner_iterations_total{"));
	free(text);
	free(s);
}

/* Every line a comment or `name{labels} value`, its family's TYPE before it. */
static void test_well_formed(void **state)
{
	struct snapshot *s = snap_of(CONFIG);
	struct metrics_extra x = {.daemon = 1};
	char *text, *line, *save = NULL, typed[128] = "";
	regex_t sample;
	int samples = 0;

	(void)state;
	s->learning[0] = 1;
	s->learners[0].iter = 12;
	s->learners[0].weight = 4;
	text = text_of(s, &x);
	assert_int_equal(regcomp(&sample,
				 "^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[a-z_]+=\"[^\"]*\""
				 "(,[a-z_]+=\"[^\"]*\")*\\})? -?[0-9.e+-]+$",
				 REG_EXTENDED),
			 0);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		regmatch_t m[2];

		if (!strncmp(line, "# TYPE ", 7)) {
			snprintf(typed, sizeof(typed), "%.*s", (int)strcspn(line + 7, " "),
				 line + 7);
			continue;
		}
		if (line[0] == '#')
			continue;
		if (regexec(&sample, line, 2, m, 0))
			fail_msg("malformed sample line '%s'", line);
		if ((size_t)(m[1].rm_eo - m[1].rm_so) != strlen(typed) ||
		    strncmp(line, typed, strlen(typed)))
			fail_msg("sample '%s' outside its family (last TYPE: %s)", line, typed);
		samples++;
	}
	regfree(&sample);
	assert_true(samples > HAULER_STAT_REASONS * 2);
	free(text);
	text = text_of(s, &x);
	has_once(text, "hauler_learner_iterations_total{vip=\"10.0.0.1:80/tcp\"} 12");
	has_once(text, "hauler_learner_weight{vip=\"10.0.0.1:80/tcp\"} 4");
	free(text);
	free(s);
}

static void test_down(void **state)
{
	struct metrics_extra x = {.scrape_errors = 2};
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	(void)state;
	assert_non_null(out);
	metrics_write_down(out, "cannot open /sys/fs/bpf/hauler/vips\nsecond line", &x);
	fclose(out);
	has_once(text, "hauler_balancer_up 0");
	has_once(text, "hauler_scrape_errors_total 2");
	has_once(text, "# hauler: cannot open /sys/fs/bpf/hauler/vips");
	assert_null(strstr(text, "second line"));
	free(text);
}

static void test_listen_parse(void **state)
{
	static const char *const bad[] = {
	    "",		"9100",	     "127.0.0.1",	 "127.0.0.1:0", "127.0.0.1:65536",
	    "::1:9100", "[::1]9100", "127.0.0.1:80/tcp", "host:9100"};
	__u32 addr[4];
	__u16 port;
	__u8 family;
	size_t i;

	(void)state;
	assert_int_equal(metrics_listen_parse("127.0.0.1:9477", &family, addr, &port), 0);
	assert_int_equal(family, 4);
	assert_int_equal(addr[0], htonl(0x7f000001));
	assert_int_equal(port, htons(9477));
	assert_int_equal(metrics_listen_parse("[::1]:9100", &family, addr, &port), 0);
	assert_int_equal(family, 6);
	assert_int_equal(port, htons(9100));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (!metrics_listen_parse(bad[i], &family, addr, &port))
			fail_msg("'%s' parsed as a listen address", bad[i]);
		assert_non_null(strstr(err_msg(), "bad listen address"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_counters_from_schema), cmocka_unit_test(test_vips_and_devices),
	    cmocka_unit_test(test_well_formed),		 cmocka_unit_test(test_down),
	    cmocka_unit_test(test_listen_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
