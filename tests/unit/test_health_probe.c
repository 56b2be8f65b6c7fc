// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_health_probe.c - the daemon's probes against sockets of the test
 * on 127.0.0.1: tcp, udp and http passes and failures, deadlines, agent
 * silence, scheduling and re-configuration. The engine's clock is the
 * test's (fake_now): deadlines pass because the test says so, never
 * because time went by; real waits are only for loopback sockets to
 * become ready, under a generous cap.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "batch.h"
#include "error.h"
#include "health_probe.h"
#include "model.h"

#define MS	 1000000ull
#define T0	 (1000 * 1000 * MS) /* the fake clock starts at 1000 s */
#define WAIT_MS	 2000		    /* cap of one wait for a loopback socket */
#define MAX_POLL 20

static __u64 fake_now;

static __u64 fake_clock(void)
{
	return fake_now;
}

struct fixture {
	struct model *m;
	struct health_engine *e;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->m = malloc(sizeof(*f->m));
	f->e = malloc(sizeof(*f->e));
	assert_non_null(f->m);
	assert_non_null(f->e);
	model_init_empty(f->m);
	assert_int_equal(batch_apply_string(f->m,
					    "vip add 127.0.0.1:80/tcp\n"
					    "server add s1 vip 127.0.0.1:80/tcp\n"
					    "device add d0 server s1 addr 127.0.0.1 port 1\n"
					    "device add d1 server s1 addr 127.0.0.1 port 1\n",
					    "fixture"),
			 0);
	assert_int_equal(health_engine_init(f->e), 0);
	fake_now = T0;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	health_engine_free(f->e);
	free(f->e);
	free(f->m);
	free(f);
	return 0;
}

/* A socket of the test on 127.0.0.1, its port in *port (network order). */
static int test_socket(int type, int listening, __u16 *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	if (listening)
		assert_int_equal(listen(fd, 8), 0);
	*port = a.sin_port;
	return fd;
}

/* A port nobody listens on: bound, read, closed. */
static __u16 closed_port(int type)
{
	__u16 port;

	close(test_socket(type, 0, &port));
	return port;
}

/* Give device d this check (text after `check`) on port. */
static void set_check(struct fixture *f, int d, const char *check, __u16 port)
{
	char line[256];

	snprintf(line, sizeof(line), "device set d%d check %s port %u\n", d, check, ntohs(port));
	if (batch_apply_string(f->m, line, "test"))
		fail_msg("%s: %s", line, err_msg());
	health_engine_sync(f->e, f->m, NULL, NULL, fake_now);
}

/* Start what is due now (the fixture's first probes are due within 16 ms). */
static void start(struct fixture *f)
{
	fake_now += 20 * MS;
	health_engine_start(f->e, fake_now);
}

/* Poll until device d has had `probes` results; returns the latest. */
static enum health_result result_after(struct fixture *f, int d, __u32 probes)
{
	int i;

	for (i = 0; i < MAX_POLL && f->e->status[d].probes < probes; i++)
		health_engine_poll(f->e, WAIT_MS, fake_clock);
	assert_int_equal(f->e->status[d].probes, probes);
	return f->e->status[d].last;
}

static void test_http_status_line(void **state)
{
	(void)state;
	assert_int_equal(health_http_status("HTTP/1.1 200 OK\r\n", 17), 200);
	assert_int_equal(health_http_status("HTTP/1.0 302\r\n", 14), 302);
	assert_int_equal(health_http_status("HTTP/1.1 503", 12), 503);
	assert_int_equal(health_http_status("HTTP/2 200 OK\r\n", 15), -1);
	assert_int_equal(health_http_status("HTTP/1.1 20x OK", 15), -1);
	assert_int_equal(health_http_status("HTTP/1.1 2000 OK", 16), -1);
	assert_int_equal(health_http_status("HTTP/1.1 20", 11), -1);
	assert_int_equal(health_http_status("s1cpu\0\0\0\0\0\0\0\0\0\0\0", 16), -1);
}

static void test_tcp(void **state)
{
	struct fixture *f = *state;
	__u16 port;
	int lfd = test_socket(SOCK_STREAM, 1, &port);

	set_check(f, 0, "tcp interval 1000 timeout 500", port);
	set_check(f, 1, "tcp interval 1000 timeout 500", closed_port(SOCK_STREAM));
	start(f);
	assert_int_equal(result_after(f, 0, 1), HEALTH_R_OK);
	assert_int_equal(result_after(f, 1, 1), HEALTH_R_REFUSED);
	assert_int_equal(f->e->status[0].up, 1);
	assert_int_equal(f->e->status[1].up, 0); /* the first failure takes it down */
	/* The transition is an event for the daemon's log. */
	assert_int_equal(f->e->n_events, 1);
	assert_int_equal(f->e->events[0].dev, 1);
	assert_int_equal(f->e->events[0].change, -1);
	assert_int_equal(f->e->events[0].result, HEALTH_R_REFUSED);
	assert_true(f->e->dirty[0] && f->e->dirty[1]);
	close(lfd);
}

static void test_udp(void **state)
{
	struct fixture *f = *state;
	struct sockaddr_in from;
	socklen_t len = sizeof(from);
	char buf[64];
	__u16 port;
	int sfd = test_socket(SOCK_DGRAM, 0, &port);
	ssize_t n;

	set_check(f, 0, "udp send ping expect pong interval 1000 timeout 500", port);
	set_check(f, 1, "udp send ping interval 1000 timeout 500", closed_port(SOCK_DGRAM));
	start(f);
	n = recvfrom(sfd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len);
	assert_int_equal(n, 4);
	assert_memory_equal(buf, "ping", 4);
	assert_int_equal(sendto(sfd, "<pong>", 6, 0, (struct sockaddr *)&from, len), 6);
	assert_int_equal(result_after(f, 0, 1), HEALTH_R_OK);
	assert_int_equal(result_after(f, 1, 1), HEALTH_R_REFUSED); /* ICMP port unreachable */

	/* The next interval: a reply without "pong" is a bad reply. */
	fake_now += 1000 * MS;
	health_engine_start(f->e, fake_now);
	len = sizeof(from);
	assert_int_equal(recvfrom(sfd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len), 4);
	assert_int_equal(sendto(sfd, "pang", 4, 0, (struct sockaddr *)&from, len), 4);
	assert_int_equal(result_after(f, 0, 2), HEALTH_R_BAD_REPLY);
	close(sfd);
}

/* Accept the probe's connection, check its request, answer with reply. */
static void http_answer(int lfd, const char *reply)
{
	char req[512];
	int fd = accept(lfd, NULL, NULL);
	ssize_t n;

	assert_true(fd >= 0);
	n = recv(fd, req, sizeof(req) - 1, 0);
	assert_true(n > 0);
	req[n] = '\0';
	assert_non_null(strstr(req, "GET /hz HTTP/1.0\r\n"));
	assert_non_null(strstr(req, "\r\nHost: 127.0.0.1:"));
	assert_non_null(strstr(req, "\r\n\r\n"));
	if (reply[0])
		assert_int_equal(send(fd, reply, strlen(reply), 0), (ssize_t)strlen(reply));
	close(fd);
}

static void test_http(void **state)
{
	static const struct {
		const char *reply;
		enum health_result want;
	} cases[] = {
	    {"HTTP/1.1 204 No Content\r\n\r\n", HEALTH_R_OK},
	    {"HTTP/1.0 301 Moved\r\nLocation: /x\r\n\r\n", HEALTH_R_OK},
	    {"HTTP/1.1 503 Service Unavailable\r\n\r\n", HEALTH_R_BAD_REPLY},
	    {"s1cpu", HEALTH_R_BAD_REPLY}, /* not HTTP: echod's banner */
	    {"", HEALTH_R_CLOSED},
	};
	struct fixture *f = *state;
	__u16 port;
	int lfd = test_socket(SOCK_STREAM, 1, &port);
	size_t i;

	set_check(f, 0, "http /hz interval 1000 timeout 500", port);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (i)
			fake_now += 1000 * MS;
		else
			fake_now += 20 * MS;
		health_engine_start(f->e, fake_now);
		/* Connected: the probe sends its request at the next poll. */
		health_engine_poll(f->e, WAIT_MS, fake_clock);
		http_answer(lfd, cases[i].reply);
		if (result_after(f, 0, i + 1) != cases[i].want)
			fail_msg("reply '%s': %s", cases[i].reply,
				 health_result_names[f->e->status[0].last]);
	}
	close(lfd);
}

/* A device that does not answer fails at its deadline, on the engine's clock. */
static void test_timeout_and_schedule(void **state)
{
	struct fixture *f = *state;
	__u16 port, tport;
	int sfd = test_socket(SOCK_DGRAM, 0, &port), lfd = test_socket(SOCK_STREAM, 1, &tport);
	__u64 started;

	set_check(f, 0, "udp send ping interval 1000 timeout 300", port);
	set_check(f, 1, "tcp interval 1000 timeout 300", tport);
	start(f);
	started = fake_now;
	assert_true(f->e->probe[0].fd >= 0);
	assert_int_equal(health_engine_next(f->e), started + 300 * MS); /* the deadlines */
	/* The silent device does not hold up the other one. */
	assert_int_equal(result_after(f, 1, 1), HEALTH_R_OK);
	assert_int_equal(f->e->status[0].probes, 0);
	fake_now = started + 299 * MS;
	health_engine_expire(f->e, fake_now);
	assert_int_equal(f->e->status[0].probes, 0);
	fake_now = started + 300 * MS;
	health_engine_expire(f->e, fake_now);
	assert_int_equal(f->e->status[0].last, HEALTH_R_TIMEOUT);
	assert_int_equal(f->e->status[0].last_ms, 300);
	assert_int_equal(f->e->probe[0].fd, -1);
	/* One probe per interval, counted from the start of the last. */
	assert_int_equal(health_engine_next(f->e), started + 1000 * MS);
	fake_now = started + 999 * MS;
	health_engine_start(f->e, fake_now);
	assert_int_equal(f->e->probe[0].fd, -1);
	assert_int_equal(f->e->probe[1].fd, -1);
	fake_now = started + 1000 * MS;
	health_engine_start(f->e, fake_now);
	assert_true(f->e->probe[0].fd >= 0);
	close(sfd);
	close(lfd);
}

/* agent: passes while the report is younger than agent-silence; others too. */
static void test_agent_silence(void **state)
{
	struct fixture *f = *state;
	__u64 reports[HAULER_MAX_DEVICES] = {};
	__u16 port;
	int lfd = test_socket(SOCK_STREAM, 1, &port);

	assert_int_equal(batch_apply_string(f->m,
					    "device set d0 check agent agent-silence 500 fall 1 "
					    "interval 100\n",
					    "test"),
			 0);
	reports[0] = reports[1] = T0;
	health_engine_sync(f->e, f->m, NULL, reports, fake_now);
	set_check(f, 1, "tcp interval 100 timeout 50 agent-silence 500", port);
	health_engine_sync(f->e, f->m, NULL, reports, fake_now);
	start(f);					     /* 20 ms after the report */
	assert_int_equal(f->e->status[0].last, HEALTH_R_OK); /* no socket: at once */
	assert_int_equal(result_after(f, 1, 1), HEALTH_R_OK);
	fake_now = T0 + 600 * MS;
	health_engine_start(f->e, fake_now);
	assert_int_equal(f->e->status[0].last, HEALTH_R_SILENT);
	assert_int_equal(result_after(f, 1, 2),
			 HEALTH_R_SILENT); /* it answered; the agent did not */
	assert_int_equal(f->e->status[0].up, 0);
	/* Never reported: silent. */
	reports[0] = 0;
	health_engine_sync(f->e, f->m, NULL, reports, fake_now);
	fake_now += 100 * MS;
	health_engine_start(f->e, fake_now);
	assert_int_equal(f->e->status[0].last, HEALTH_R_SILENT);
	close(lfd);
}

/* A changed check starts afresh; the same one keeps its state; saved is resumed. */
static void test_sync(void **state)
{
	struct fixture *f = *state;
	struct health_status *saved = calloc(HAULER_MAX_DEVICES, sizeof(*saved));
	__u16 port = closed_port(SOCK_STREAM);

	assert_non_null(saved);
	set_check(f, 0, "tcp interval 1000 timeout 500", port);
	start(f);
	assert_int_equal(result_after(f, 0, 1), HEALTH_R_REFUSED);
	assert_int_equal(f->e->status[0].up, 0);
	health_engine_sync(f->e, f->m, NULL, NULL, fake_now); /* unchanged */
	assert_int_equal(f->e->status[0].up, 0);
	assert_int_equal(f->e->status[0].probes, 1);
	saved[0] = f->e->status[0];

	set_check(f, 0, "tcp interval 1000 timeout 500 fall 5", port);
	assert_int_equal(f->e->status[0].up, 1);
	assert_int_equal(f->e->status[0].probes, 0);
	assert_int_equal(f->e->status[0].health, 2); /* rise */

	/* A new engine (a restarted daemon) resumes a status of the same check. */
	set_check(f, 0, "tcp interval 1000 timeout 500", port);
	health_engine_free(f->e);
	assert_int_equal(health_engine_init(f->e), 0);
	health_engine_sync(f->e, f->m, saved, NULL, fake_now);
	assert_int_equal(f->e->status[0].up, 0);
	assert_int_equal(f->e->status[0].downs, 1);

	/* check none (or a deleted device): nothing left to run or show. */
	assert_int_equal(batch_apply_string(f->m, "device set d0 check none\n", "test"), 0);
	health_engine_sync(f->e, f->m, NULL, NULL, fake_now);
	assert_int_equal(f->e->check[0].type, HEALTH_NONE);
	assert_int_equal(f->e->status[0].probes, 0);
	assert_int_equal(health_engine_next(f->e), 0);
	free(saved);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_http_status_line),
	    cmocka_unit_test_setup_teardown(test_tcp, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_udp, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_http, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_timeout_and_schedule, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_agent_silence, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sync, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
