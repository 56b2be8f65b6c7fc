// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_health.c - device health checks without any map or socket: the
 * `check` options and their errors, what a check does to the model
 * (save, restore, Maglev weights), and the rise/fall state machine on a
 * clock the test moves by hand.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "batch.h"
#include "cmd.h"
#include "error.h"
#include "health.h"
#include "health_show.h"
#include "model.h"
#include "save_text.h"

static const char base_config[] = "vip add 10.0.0.1:80/tcp\n"
				  "server add s1 vip 10.0.0.1:80/tcp\n"
				  "device add d1 server s1 addr 10.0.1.1 port 8080\n"
				  "device add d2 server s1 addr 10.0.1.2 port 8080\n"
				  "server add s2 vip 10.0.0.1:80/tcp\n"
				  "device add d3 server s2 addr 10.0.2.1 port 8080\n";

static struct model *new_model(void)
{
	struct model *m = malloc(sizeof(*m));

	assert_non_null(m);
	model_init_empty(m);
	assert_int_equal(batch_apply_string(m, base_config, "base"), 0);
	return m;
}

/* Apply a batch; on failure the error message must contain `want`. */
static void apply(struct model *m, const char *text, const char *want)
{
	int ret = batch_apply_string(m, text, "test");

	if (want) {
		assert_int_not_equal(ret, 0);
		if (!strstr(err_msg(), want))
			fail_msg("error '%s' does not say '%s'", err_msg(), want);
	} else if (ret) {
		fail_msg("'%s': unexpected error: %s", text, err_msg());
	}
}

static const struct health_check *check_of(const struct model *m, const char *dev)
{
	int d = model_device_find(m, dev);

	assert_true(d >= 0);
	return &m->checks[d];
}

static void test_parse_defaults_and_options(void **state)
{
	struct model *m = new_model();
	const struct health_check *c;

	(void)state;
	apply(m, "device set d1 check tcp\n", NULL);
	c = check_of(m, "d1");
	assert_int_equal(c->type, HEALTH_TCP);
	assert_int_equal(c->interval_ms, HEALTH_INTERVAL_DEFAULT);
	assert_int_equal(c->timeout_ms, HEALTH_TIMEOUT_DEFAULT);
	assert_int_equal(c->rise, HEALTH_RISE_DEFAULT);
	assert_int_equal(c->fall, HEALTH_FALL_DEFAULT);
	assert_int_equal(c->on_down, HEALTH_KEEP);
	assert_int_equal(c->port, 0);

	/* A short interval shortens the default timeout with it. */
	apply(m,
	      "device set d1 weight 5 check tcp interval 300 rise 1 fall 4 on-down reset "
	      "port 81 agent-silence 900\n",
	      NULL);
	assert_int_equal(m->devices[model_device_find(m, "d1")].weight, 5);
	assert_int_equal(c->interval_ms, 300);
	assert_int_equal(c->timeout_ms, 300);
	assert_int_equal(c->rise, 1);
	assert_int_equal(c->fall, 4);
	assert_int_equal(c->on_down, HEALTH_RESET);
	assert_int_equal(c->port, htons(81));
	assert_int_equal(c->agent_ms, 900);

	apply(m, "device set d2 check http /healthz interval 1000 timeout 200\n", NULL);
	c = check_of(m, "d2");
	assert_int_equal(c->type, HEALTH_HTTP);
	assert_string_equal(c->path, "/healthz");
	assert_int_equal(c->timeout_ms, 200);
	apply(m, "device set d2 check http\n", NULL);
	assert_string_equal(c->path, "/");

	apply(m, "device set d3 check udp send ping expect-hex 706f6e67\n", NULL);
	c = check_of(m, "d3");
	assert_int_equal(c->type, HEALTH_UDP);
	assert_int_equal(c->send_len, 4);
	assert_memory_equal(c->send, "ping", 4);
	assert_int_equal(c->expect_len, 4);
	assert_memory_equal(c->expect, "pong", 4);
	apply(m, "device set d3 check agent agent-silence 500 interval 100\n", NULL);
	assert_int_equal(c->type, HEALTH_AGENT);
	assert_int_equal(c->agent_ms, 500);

	/* check on device add too; none clears it. */
	apply(m, "device add d4 server s2 addr 10.0.2.2 port 80 weight 2 check tcp fall 2\n", NULL);
	assert_int_equal(check_of(m, "d4")->fall, 2);
	apply(m, "device set d4 check none\n", NULL);
	assert_int_equal(check_of(m, "d4")->type, HEALTH_NONE);
	free(m);
}

/* Every bad check is an error that names the problem and changes nothing. */
static void test_parse_errors_change_nothing(void **state)
{
	static const struct {
		const char *line, *want;
	} bad[] = {
	    {"device set d1 check bogus\n", "bad probe type 'bogus' (none|tcp|udp|http|agent)"},
	    {"device set d1 check\n", "usage: hauler device set NAME"},
	    {"device set d1 weight 2 check\n", "check: missing type"},
	    {"device set d1 check tcp rise 0\n", "bad rise '0' (1..100)"},
	    {"device set d1 check tcp fall 0\n", "bad fall '0' (1..100)"},
	    {"device set d1 check tcp rise 101\n", "bad rise '101'"},
	    {"device set d1 check tcp interval 0\n", "bad interval '0' (10..3600000)"},
	    {"device set d1 check tcp timeout 0\n", "bad timeout '0'"},
	    {"device set d1 check tcp interval 500 timeout 501\n",
	     "timeout 501 ms is longer than interval 500 ms"},
	    {"device set d1 check tcp interval 100\n" /* default timeout fits */
	     "device set d1 check tcp timeout 3000\n",
	     "test:2: check: timeout 3000 ms is longer than interval 2000 ms"},
	    {"device set d1 check tcp interval\n", "'interval' needs a value"},
	    {"device set d1 check tcp frob 1\n", "unknown option 'frob'"},
	    {"device set d1 check tcp on-down maybe\n", "bad on-down 'maybe' (keep|reset)"},
	    {"device set d1 check tcp port 0\n", "bad port '0'"},
	    {"device set d1 check tcp send x\n", "check tcp: 'send' is for udp checks"},
	    {"device set d1 check http /x expect ok\n", "'expect' is for udp checks"},
	    {"device set d1 check udp\n", "check udp: needs send TEXT or send-hex HEX"},
	    {"device set d1 check udp send-hex 7g\n", "'7g' is not hex"},
	    {"device set d1 check udp send-hex abc\n", "send-hex wants 2 to 128 hex digits"},
	    {"device set d1 check udp send "
	     "01234567890123456789012345678901234567890123456789012345678901234\n",
	     "send wants 1 to 64 bytes"},
	    {"device set d1 check http healthz\n", "unknown option 'healthz'"},
	    {"device set d1 check http /a\x01z\n", "PATH has a space or control byte"},
	    {"device set d1 check agent\n", "check agent: needs agent-silence MS"},
	    {"device set d1 check agent agent-silence 100 port 80\n", "takes no port"},
	    {"device set d1 check none interval 100\n", "check none: takes no options"},
	    {"device set nosuch check tcp\n", "no device 'nosuch'"},
	    {"device set d1 weight 3 check tcp rise 0\n", "bad rise '0'"},
	    {"device add d9 server s1 addr 10.0.1.9 port 80 check tcp fall 0\n", "bad fall '0'"},
	};
	struct model *m = new_model(), *before = malloc(sizeof(*before));
	size_t i;

	(void)state;
	assert_non_null(before);
	apply(m, "device set d1 check tcp interval 1000\n", NULL);
	memcpy(before, m, sizeof(*m));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		apply(m, bad[i].line, bad[i].want);
		assert_memory_equal(m, before, sizeof(*m));
	}
	free(m);
	free(before);
}

static void test_save_restores_checks(void **state)
{
	struct model *m = new_model(), *restored = malloc(sizeof(*restored));
	char *text, *again;

	(void)state;
	assert_non_null(restored);
	apply(m,
	      "device set d1 check http /ready interval 500 timeout 100 rise 3 fall 1 "
	      "on-down reset port 8081\n"
	      "device set d3 check udp send ping expect pong agent-silence 3000\n",
	      NULL);
	text = save_text(m);
	assert_non_null(strstr(text, "device set d1 check http /ready interval 500 timeout 100 "
				     "rise 3 fall 1 on-down reset port 8081\n"));
	assert_non_null(strstr(text, "device set d3 check udp interval 2000 timeout 1000 rise 2 "
				     "fall 3 on-down keep agent-silence 3000 send-hex 70696e67 "
				     "expect-hex 706f6e67\n"));
	assert_null(strstr(text, "device set d2 check"));
	model_init_empty(restored);
	apply(restored, text, NULL);
	assert_memory_equal(restored->checks, m->checks, sizeof(m->checks));
	again = save_text(restored);
	assert_string_equal(text, again);
	free(text);
	free(again);
	free(m);
	free(restored);
}

/*
 * A check belongs to its device: a new check (or none) makes it healthy
 * again until the daemon says otherwise, and a deleted device takes its
 * check along, so a device that reuses the id starts without one.
 */
static void test_check_follows_device(void **state)
{
	struct model *m = new_model();
	int d1 = model_device_find(m, "d1"), d3 = model_device_find(m, "d3");

	(void)state;
	apply(m, "device set d1 check tcp\n", NULL);
	m->devices[d1].health = HAULER_HEALTH_FAILED; /* as the daemon would */
	apply(m, "device set d1 check tcp\n", NULL);  /* same check: nothing changes */
	assert_int_equal(m->devices[d1].health, HAULER_HEALTH_FAILED);
	apply(m, "device set d1 check tcp fall 5\n", NULL);
	assert_int_equal(m->devices[d1].health, 0);
	m->devices[d1].health = HAULER_HEALTH_FAILED;
	apply(m, "device set d1 check none\n", NULL);
	assert_int_equal(m->devices[d1].health, 0);

	apply(m, "device set d1 check tcp\ndevice del d1\n", NULL);
	assert_int_equal(m->checks[d1].type, HEALTH_NONE);
	apply(m, "device add d5 server s1 addr 10.0.1.5 port 80\n", NULL);
	assert_int_equal(model_device_find(m, "d5"), d1);
	assert_int_equal(m->checks[d1].type, HEALTH_NONE);
	apply(m, "device set d3 check tcp\nserver del s2\n", NULL);
	assert_int_equal(m->checks[d3].type, HEALTH_NONE);
	free(m);
}

/* A server whose every device failed its check leaves the Maglev pool. */
static void test_failed_server_leaves_pool(void **state)
{
	struct maglev_server s[HAULER_MAX_SERVERS];
	struct model *m = new_model();
	int d3 = model_device_find(m, "d3"), d1 = model_device_find(m, "d1");

	(void)state;
	assert_int_equal(model_pool_servers(m, 0, s), 2);
	assert_int_equal(s[1].weight, 1);
	m->devices[d1].health = HAULER_HEALTH_FAILED;
	m->devices[d3].health = HAULER_HEALTH_FAILED;
	assert_int_equal(model_pool_servers(m, 0, s), 2);
	assert_int_equal(s[0].weight, 1); /* d2 still serves s1 */
	assert_int_equal(s[1].weight, 0);
	m->devices[d3].health = 0;
	model_pool_servers(m, 0, s);
	assert_int_equal(s[1].weight, 1);
	free(m);
}

/* Feed results, one per interval of a hand-moved clock. */
static __u64 clock_ns;

static int feed(struct health_status *s, const struct health_check *c, enum health_result r)
{
	clock_ns += 1000000000ull;
	return health_status_feed(s, c, r, 3, clock_ns);
}

static void test_rise_fall(void **state)
{
	struct health_check c = {
	    .type = HEALTH_TCP, .rise = 2, .fall = 3, .interval_ms = 1000, .timeout_ms = 500};
	struct health_status s;
	int i;

	(void)state;
	health_status_init(&s, &c);
	assert_int_equal(s.up, 1);
	assert_int_equal(s.last, HEALTH_R_NONE);
	/* Like HAProxy's start: up, but the first failure takes it down. */
	assert_int_equal(feed(&s, &c, HEALTH_R_REFUSED), -1);
	assert_int_equal(s.up, 0);
	assert_int_equal(s.downs, 1);
	assert_int_equal(s.changed_ns, clock_ns);
	/* rise successes in a row; a failure in between starts over. */
	assert_int_equal(feed(&s, &c, HEALTH_R_OK), 0);
	assert_int_equal(feed(&s, &c, HEALTH_R_TIMEOUT), 0);
	assert_int_equal(feed(&s, &c, HEALTH_R_OK), 0);
	assert_int_equal(s.up, 0);
	assert_int_equal(feed(&s, &c, HEALTH_R_OK), 1);
	assert_int_equal(s.up, 1);
	assert_int_equal(s.ups, 1);
	/* Up: fall failures in a row; a success in between starts over. */
	assert_int_equal(feed(&s, &c, HEALTH_R_TIMEOUT), 0);
	assert_int_equal(feed(&s, &c, HEALTH_R_TIMEOUT), 0);
	assert_int_equal(feed(&s, &c, HEALTH_R_OK), 0);
	for (i = 0; i < 2; i++)
		assert_int_equal(feed(&s, &c, HEALTH_R_BAD_REPLY), 0);
	assert_int_equal(s.up, 1);
	assert_int_equal(feed(&s, &c, HEALTH_R_CLOSED), -1);
	assert_int_equal(s.up, 0);
	assert_int_equal(s.downs, 2);
	/* Staying down is no transition. */
	for (i = 0; i < 5; i++)
		assert_int_equal(feed(&s, &c, HEALTH_R_REFUSED), 0);
	assert_int_equal(s.downs, 2);
	assert_int_equal(s.probes, 16);
	assert_int_equal(s.failures, 12);
	assert_int_equal(s.last, HEALTH_R_REFUSED);
	assert_int_equal(s.last_ms, 3);
	assert_int_equal(s.last_ns, clock_ns);
}

static void test_rise_fall_of_one(void **state)
{
	struct health_check c = {.type = HEALTH_UDP, .rise = 1, .fall = 1};
	struct health_status s;

	(void)state;
	health_status_init(&s, &c);
	assert_int_equal(feed(&s, &c, HEALTH_R_OK), 0);
	assert_int_equal(feed(&s, &c, HEALTH_R_SILENT), -1);
	assert_int_equal(feed(&s, &c, HEALTH_R_OK), 1);
	assert_int_equal(feed(&s, &c, HEALTH_R_OK), 0);
	assert_int_equal(s.ups, 1);
	assert_int_equal(s.downs, 1);
}

/* A status knows the check it belongs to: any change of the check shows. */
static void test_check_sum(void **state)
{
	struct health_check a = {
	    .type = HEALTH_TCP, .rise = 2, .fall = 3, .interval_ms = 100, .timeout_ms = 100};
	struct health_check b = a;
	struct health_status s;

	(void)state;
	health_status_init(&s, &a);
	assert_int_equal(s.check_sum, health_check_sum(&b));
	b.fall = 4;
	assert_int_not_equal(s.check_sum, health_check_sum(&b));
	b = a;
	b.port = htons(1);
	assert_int_not_equal(s.check_sum, health_check_sum(&b));
}

/* What show and stats print for a device's health. */
static void test_health_words(void **state)
{
	struct model *m = new_model();
	int d = model_device_find(m, "d1");
	struct health_status st = {};
	__u32 downs, ups;
	char text[48];

	(void)state;
	assert_string_equal(health_word(m, d, &st), "-");
	apply(m, "device set d1 check tcp\n", NULL);
	assert_string_equal(health_word(m, d, &st), "pending");
	health_status_init(&st, &m->checks[d]);
	health_status_feed(&st, &m->checks[d], HEALTH_R_TIMEOUT, 1000, 5000000000ull);
	assert_string_equal(health_word(m, d, &st), "down");
	health_last_text(m, d, &st, 5250000000ull, text, sizeof(text));
	assert_string_equal(text, "timeout 250ms ago");
	m->devices[d].health = HAULER_HEALTH_FAILED;
	assert_string_equal(health_word(m, d, &st), "failed");
	health_counts(m, d, &st, &downs, &ups);
	assert_int_equal(downs, 1);
	/* A status of another check counts for nothing. */
	apply(m, "device set d1 check tcp fall 9\n", NULL);
	assert_string_equal(health_word(m, d, &st), "pending");
	health_counts(m, d, &st, &downs, &ups);
	assert_int_equal(downs, 0);
	health_last_text(m, d, &st, 5250000000ull, text, sizeof(text));
	assert_string_equal(text, "-");
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_defaults_and_options),
	    cmocka_unit_test(test_parse_errors_change_nothing),
	    cmocka_unit_test(test_save_restores_checks),
	    cmocka_unit_test(test_check_follows_device),
	    cmocka_unit_test(test_failed_server_leaves_pool),
	    cmocka_unit_test(test_rise_fall),
	    cmocka_unit_test(test_rise_fall_of_one),
	    cmocka_unit_test(test_check_sum),
	    cmocka_unit_test(test_health_words),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
