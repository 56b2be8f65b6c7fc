// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_workload.c - the plain logic of the request workload (workd,
 * loadgen): wire format, Poisson schedule, percentiles, the P99 window,
 * both command lines and loadgen's summary and JSON.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "../../tools/loadgen_result.h"
#include "../../tools/work_args.h"

static void test_proto_roundtrip(void **state)
{
	struct work_req q = {.seq = 0x01020304, .sent_ns = 0x1122334455667788ull}, q2;
	struct work_resp r = {.seq = 7, .sent_ns = 99, .service_us = 2000, .queue_us = 5}, r2;
	uint8_t b[WORK_RESP_LEN];

	(void)state;
	work_req_encode(b, &q);
	assert_int_equal(b[0], 'H');
	assert_int_equal(b[4], 0x01); /* network byte order */
	assert_int_equal(work_req_decode(b, WORK_REQ_LEN, &q2), 0);
	assert_int_equal(q2.seq, q.seq);
	assert_true(q2.sent_ns == q.sent_ns);
	snprintf(r.name, sizeof(r.name), "s1acc");
	work_resp_encode(b, &r);
	assert_int_equal(work_resp_decode(b, WORK_RESP_LEN, &r2), 0);
	assert_string_equal(r2.name, "s1acc");
	assert_int_equal(r2.service_us, 2000);
	assert_int_equal(r2.queue_us, 5);
	assert_int_equal(r2.seq, 7);
}

static void test_proto_refuses(void **state)
{
	struct work_req q = {.seq = 1}, q2 = {.seq = 42};
	struct work_resp r = {.seq = 1}, r2 = {.seq = 42};
	uint8_t b[WORK_RESP_LEN];

	(void)state;
	work_req_encode(b, &q);
	assert_int_equal(work_req_decode(b, WORK_REQ_LEN - 1, &q2), -1);
	assert_int_equal(work_req_decode(b, WORK_REQ_LEN + 1, &q2), -1);
	b[0] ^= 1;
	assert_int_equal(work_req_decode(b, WORK_REQ_LEN, &q2), -1);
	assert_int_equal(q2.seq, 42); /* untouched */
	work_resp_encode(b, &r);
	assert_int_equal(work_resp_decode(b, WORK_REQ_LEN, &r2), -1);
	b[3] ^= 0x80;
	assert_int_equal(work_resp_decode(b, WORK_RESP_LEN, &r2), -1);
	assert_int_equal(r2.seq, 42);
	/* A name of 16 characters fills the field, no terminator on the wire. */
	memset(r.name, 'x', WORK_NAME_LEN);
	r.name[WORK_NAME_LEN] = '\0';
	work_resp_encode(b, &r);
	assert_int_equal(work_resp_decode(b, WORK_RESP_LEN, &r2), 0);
	assert_int_equal(strlen(r2.name), WORK_NAME_LEN);
}

static void test_percentile(void **state)
{
	uint64_t v[100];

	(void)state;
	for (int i = 0; i < 100; i++)
		v[i] = (uint64_t)(i + 1); /* 1..100 */
	assert_int_equal(work_percentile(v, 100, 0.5), 50);
	assert_int_equal(work_percentile(v, 100, 0.99), 99);
	assert_int_equal(work_percentile(v, 100, 0.999), 100);
	assert_int_equal(work_percentile(v, 100, 1.0), 100);
	assert_int_equal(work_percentile(v, 1, 0.99), 1);
	assert_true(work_percentile(v, 0, 0.5) == WORK_LOST);
	/* Two lost of 100: P99 falls among them, P50 does not. */
	v[98] = v[99] = WORK_LOST;
	assert_true(work_percentile(v, 100, 0.99) == WORK_LOST);
	assert_int_equal(work_percentile(v, 100, 0.98), 98);
	/* 10 values: P99 is the largest (rank ceil(9.9) = 10). */
	assert_int_equal(work_percentile(v, 10, 0.99), 10);
	assert_int_equal(work_percentile(v, 10, 0.9), 9);
}

static void test_sort(void **state)
{
	uint64_t v[] = {5, WORK_LOST, 1, 3, 2};

	(void)state;
	work_sort_u64(v, 5);
	assert_int_equal(v[0], 1);
	assert_int_equal(v[3], 5);
	assert_true(v[4] == WORK_LOST);
}

static void test_poisson(void **state)
{
	struct work_rng a = {.s = 7}, b = {.s = 7}, c = {.s = 8};
	double sum = 0, sumsq = 0, mean, var;
	int n = 200000, diff = 0;

	(void)state;
	for (int i = 0; i < 100; i++) {
		uint64_t x = work_poisson_gap_ns(&a, 100), y = work_poisson_gap_ns(&b, 100);

		assert_true(x == y); /* the same seed, the same schedule */
		diff += work_poisson_gap_ns(&c, 100) != x;
	}
	assert_true(diff > 90);
	/* Exponential gaps: mean 1/rate and standard deviation 1/rate (10 ms). */
	for (int i = 0; i < n; i++) {
		double g = (double)work_poisson_gap_ns(&a, 100) / 1e6;

		sum += g;
		sumsq += g * g;
	}
	mean = sum / n;
	var = sumsq / n - mean * mean;
	assert_true(mean > 9.8 && mean < 10.2);
	assert_true(var > 96 && var < 104);
	for (int i = 0; i < 1000; i++) {
		double u = work_rng_unit(&a);

		assert_true(u > 0 && u <= 1);
	}
}

static void test_window(void **state)
{
	static struct work_window w;

	(void)state;
	work_window_init(&w, 100);
	assert_int_equal(work_window_quantile(&w, 0.99), 0);
	for (uint32_t i = 1; i <= 100; i++)
		work_window_add(&w, i);
	assert_int_equal(work_window_quantile(&w, 0.99), 99);
	/* 100 more of 1000: the old values have left the window. */
	for (int i = 0; i < 100; i++)
		work_window_add(&w, 1000);
	assert_int_equal(work_window_quantile(&w, 0.5), 1000);
	work_window_init(&w, 0);
	assert_int_equal(w.cap, 1);
	work_window_init(&w, 1u << 20);
	assert_int_equal(w.cap, WORK_WINDOW_MAX);
}

/* --window-ms: only the latencies served since a time count; none: 0 (nothing to push). */
static void test_window_by_time(void **state)
{
	static struct work_window w;

	(void)state;
	work_window_init(&w, 200);
	for (uint32_t i = 0; i < 100; i++)
		work_window_add_at(&w, 5000, 1000 + i); /* an old, slow stretch */
	for (uint32_t i = 0; i < 50; i++)
		work_window_add_at(&w, 10 + i, 2000 + i);
	assert_int_equal(work_window_quantile(&w, 0.99), 5000);
	assert_int_equal(work_window_quantile_since(&w, 0.99, 2000), 59);
	assert_int_equal(work_window_quantile_since(&w, 0.5, 2040), 54);
	assert_int_equal(work_window_quantile_since(&w, 0.99, 2050), 0);
}

/*
 * Lost requests (dropped unserved, or by a full receive queue) count as
 * infinitely late: a P99 they reach is WORK_LATE_US, not the served
 * requests' P99; fewer than 1% leave it to the served ones.
 */
static void test_window_lost(void **state)
{
	static struct work_window w;

	(void)state;
	work_window_init(&w, 200);
	for (uint32_t i = 0; i < 98; i++)
		work_window_add_at(&w, 1000 + i, 5000);
	work_window_lost_at(&w, 2, 5000);
	/* 2 of 100 lost: the P99 (the 99th) is among them. */
	assert_int_equal(work_window_quantile(&w, 0.99), WORK_WINDOW_LOST);
	assert_int_equal(work_window_push_us(&w, 0), WORK_LATE_US);
	assert_int_equal(work_window_quantile(&w, 0.5), 1049);
	/* 1 of 200 lost: under 1%, the P99 is a served request's. */
	work_window_init(&w, 200);
	for (uint32_t i = 0; i < 199; i++)
		work_window_add_at(&w, 10 + i, 5000);
	work_window_lost_at(&w, 1, 5000);
	assert_int_equal(work_window_push_us(&w, 0), 207);
	/* Only losses in the last 500 ms (none served): still pushed, and late. */
	work_window_lost_at(&w, 3, 6000);
	assert_int_equal(work_window_push_us(&w, 5500), WORK_LATE_US);
	/* Losses age out of --window-ms like served requests. */
	for (uint32_t i = 0; i < 10; i++)
		work_window_add_at(&w, 300, 7000);
	assert_int_equal(work_window_push_us(&w, 6500), 300);
	/* More losses than the window holds fill it, no more. */
	work_window_lost_at(&w, 1000000, 8000);
	assert_int_equal(w.n, 200);
	assert_int_equal(work_window_quantile(&w, 0.01), WORK_WINDOW_LOST);
	/* A served latency that late (it cannot be sent as more) is pushed as WORK_LATE_US. */
	work_window_init(&w, 10);
	work_window_add_at(&w, UINT32_MAX, 1);
	assert_int_equal(work_window_push_us(&w, 0), WORK_LATE_US);
	/* WORK_LATE_US is below hauler-agent's "unreachable" (all ones): a value it takes. */
	assert_true(WORK_LATE_US < UINT32_MAX);
}

#define ARGV(...)    ((char *[]){"prog", __VA_ARGS__, NULL})
#define ARGC(...)    ((int)(sizeof((char *[]){"prog", __VA_ARGS__}) / sizeof(char *)))
#define WORKD(...)   workd_parse_args(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), &wo, err, sizeof(err))
#define LOADGEN(...) loadgen_parse_args(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), &lo, err, sizeof(err))
/* A valid UDP command line plus the options under test. */
#define LOADGEN1(...) LOADGEN("--udp", "10.0.0.1:9000", "--rate", "1", __VA_ARGS__)

static void test_workd_args(void **state)
{
	struct workd_opts wo;
	char err[256];

	(void)state;
	assert_int_equal(WORKD("--name", "s1cpu", "--udp", "9000", "--tcp", "9000", "--iters",
			       "300", "--latency-socket", "/run/x.sock"),
			 0);
	assert_string_equal(wo.name, "s1cpu");
	assert_int_equal(wo.n_udp, 1);
	assert_int_equal(wo.tcp[0], 9000);
	assert_int_equal(wo.iters, 300);
	assert_int_equal(wo.work_us, 2000); /* defaults */
	assert_int_equal(wo.interval_ms, 100);
	assert_int_equal(wo.window, 200);
	assert_string_equal(wo.latency_socket, "/run/x.sock");
	assert_int_equal(WORKD("--calibrate", "--work-us", "500"), 0);
	assert_true(wo.calibrate);

	assert_int_equal(WORKD("--udp", "9000"), -1);
	assert_string_equal(err, "--name is required");
	assert_int_equal(WORKD("--name", "x"), -1);
	assert_string_equal(err, "give at least one --udp or --tcp port");
	assert_int_equal(WORKD("--name", "x", "--udp", "0"), -1);
	assert_string_equal(err, "--udp: '0' is not a port 1..65535");
	assert_int_equal(WORKD("--name", "x", "--udp", "1", "--work-us", "-5"), -1);
	assert_string_equal(err, "--work-us: '-5' is not 1..10000000");
	assert_int_equal(WORKD("--name", "x", "--udp", "1", "--iters", "3x"), -1);
	/* Work by CPU time: 1..10 s of it, not with a repetition count. */
	assert_int_equal(WORKD("--name", "x", "--udp", "1", "--cpu-us", "4000"), 0);
	assert_int_equal(wo.cpu_us, 4000);
	assert_int_equal(wo.iters, 0);
	assert_int_equal(WORKD("--name", "x", "--udp", "1", "--cpu-us", "0"), -1);
	assert_string_equal(err, "--cpu-us: '0' is not 1..10000000");
	assert_int_equal(WORKD("--name", "x", "--udp", "1", "--cpu-us", "20000000"), -1);
	assert_int_equal(WORKD("--name", "x", "--udp", "1", "--cpu-us", "2000", "--iters", "300"),
			 -1);
	assert_string_equal(err, "--cpu-us and --iters: give one");
	assert_int_equal(WORKD("--name", "x", "--udp", "1", "--window", "5000"), -1);
	assert_int_equal(WORKD("--name", "x", "--udp", "1", "--rcvbuf", "1"), -1);
	assert_int_equal(WORKD("--name", "x", "--udp", "1", "--latency-interval", "0"), -1);
	assert_int_equal(WORKD("--name", "x", "--udp", "1", "--drop-after-ms", "x"), -1);
	assert_string_equal(err, "--drop-after-ms: 'x' is not 0..3600000");
	assert_int_equal(WORKD("--name", "x", "--udp", "1", "--drop-after-ms", "250"), 0);
	assert_int_equal(wo.drop_after_ms, 250);
	assert_int_equal(WORKD("--name", "x", "--udp", "1", "--window-ms", "600001"), -1);
	assert_string_equal(err, "--window-ms: '600001' is not 0..600000");
	assert_int_equal(WORKD("--name", "x", "--udp", "1", "--window-ms", "500"), 0);
	assert_int_equal(wo.window_ms, 500);
	assert_int_equal(WORKD("--name", "0123456789abcdefg", "--udp", "1"), -1);
	assert_string_equal(err, "--name: 1..16 characters");
	assert_int_equal(WORKD("--name", "x", "--udp", "1", "--frobnicate"), -1);
	assert_string_equal(err, "unknown or incomplete option '--frobnicate'");
	assert_int_equal(WORKD("--name", "x", "--udp", "1", "extra"), -1);
	assert_string_equal(err, "unexpected argument 'extra'");
	assert_int_equal(WORKD("--name", "x", "--udp"), -1);
	assert_int_equal(WORKD("--name", "x", "--udp", "1", "--udp", "2", "--udp", "3", "--udp",
			       "4", "--udp", "5", "--udp", "6", "--udp", "7", "--udp", "8", "--udp",
			       "9"),
			 -1);
	assert_string_equal(err, "at most 8 ports of each kind");
}

static void test_loadgen_args(void **state)
{
	struct loadgen_opts lo;
	char err[256];

	(void)state;
	assert_int_equal(LOADGEN("--udp", "10.0.0.1:9000", "--rate", "150.5", "--duration", "3",
				 "--warmup", "0.5", "--ports", "20000-29999", "--json", "--label",
				 "wrr"),
			 0);
	assert_true(lo.udp);
	assert_true(lo.json);
	assert_true(lo.rate > 150.4 && lo.rate < 150.6);
	assert_int_equal(lo.port_lo, 20000);
	assert_int_equal(lo.port_hi, 29999);
	assert_int_equal(lo.timeout_ms, 0); /* probed */
	assert_int_equal(lo.probe, 20);
	assert_string_equal(lo.label, "wrr");
	assert_int_equal(LOADGEN("--tcp", "[fd00::1]:80", "--rate", "1", "--count", "250",
				 "--timeout-ms", "5000"),
			 0);
	assert_false(lo.udp);
	assert_int_equal(lo.target.ss.ss_family, AF_INET6);
	assert_int_equal(lo.count, 250);

	assert_int_equal(LOADGEN("--rate", "1", "--count", "1"), -1);
	assert_string_equal(err, "give a target: --udp or --tcp ADDR:PORT");
	assert_int_equal(LOADGEN("--udp", "10.0.0.1:9000", "--tcp", "10.0.0.1:9000", "--rate", "1",
				 "--count", "1"),
			 -1);
	assert_int_equal(LOADGEN("--udp", "10.0.0.1", "--rate", "1", "--count", "1"), -1);
	assert_string_equal(err, "--udp: '10.0.0.1' is not ADDR:PORT or [ADDR6]:PORT");
	assert_int_equal(LOADGEN("--udp", "host:80", "--rate", "1", "--count", "1"), -1);
	assert_int_equal(LOADGEN("--udp", "10.0.0.1:9000", "--count", "1"), -1);
	assert_string_equal(err, "--rate is required");
	assert_int_equal(LOADGEN("--udp", "10.0.0.1:9000", "--rate", "0", "--count", "1"), -1);
	assert_string_equal(err, "--rate: '0' is not 0.01..100000 per second");
	assert_int_equal(LOADGEN("--udp", "10.0.0.1:9000", "--rate", "nan", "--count", "1"), -1);
	assert_int_equal(LOADGEN("--udp", "10.0.0.1:9000", "--rate", "1"), -1);
	assert_string_equal(err, "give one of --duration and --count");
	assert_int_equal(LOADGEN1("--count", "5", "--duration", "1"), -1);
	assert_int_equal(LOADGEN1("--duration", "1", "--warmup", "1"), -1);
	assert_string_equal(err, "--warmup must be shorter than --duration");
	assert_int_equal(LOADGEN1("--count", "1", "--ports", "30000-20000"), -1);
	assert_string_equal(err, "--ports: '30000-20000' is not LO-HI within 1024..65535");
	assert_int_equal(LOADGEN1("--count", "1", "--ports", "80-90"), -1);
	assert_int_equal(LOADGEN1("--count", "1", "--ports", "20000"), -1);
	assert_int_equal(LOADGEN("--tcp", "10.0.0.1:9000", "--rate", "1", "--count", "1", "--ports",
				 "20000-20010"),
			 -1);
	assert_string_equal(err, "--ports applies to --udp only");
	assert_int_equal(LOADGEN1("--count", "1", "--timeout-ms", "0"), -1);
	assert_int_equal(LOADGEN1("--count", "1", "--bogus"), -1);
	assert_string_equal(err, "unknown or incomplete option '--bogus'");
}

/* Records: 100 counted arrivals 10 ms apart, latency 1..100 ms, 2 lost. */
static size_t make_recs(struct lg_rec *r)
{
	size_t n = 0;

	r[n++] = (struct lg_rec){.sched_ns = 0, .done_ns = 1, .lat_ns = 1, .counted = false};
	for (int i = 0; i < 100; i++) {
		uint64_t t = 1000000000ull + (uint64_t)i * 10000000ull;
		uint64_t lat = (uint64_t)(i + 1) * 1000000ull;

		r[n++] = (struct lg_rec){.sched_ns = t,
					 .done_ns = t + lat,
					 .lat_ns = i >= 98 ? WORK_LOST : lat,
					 .counted = true};
	}
	return n;
}

static void test_summarize(void **state)
{
	struct lg_rec r[128];
	struct lg_result res;
	size_t n = make_recs(r);

	(void)state;
	assert_int_equal(lg_summarize(r, n, &res), 0);
	assert_int_equal(res.sent, 101);
	assert_int_equal(res.counted, 100);
	assert_int_equal(res.ok, 98);
	assert_int_equal(res.lost, 2);
	assert_true(res.p50 == 50000000ull);
	assert_true(res.p99 == WORK_LOST);
	assert_true(res.mean == 49500000ull); /* (1 + ... + 98) / 98 ms */
	assert_true(res.span_s > 0.989 && res.span_s < 0.991);
	assert_true(res.offered > 99.9 && res.offered < 100.1);
	assert_true(res.throughput > 97.9 && res.throughput < 98.1);
	/*
	 * Served while arrivals ran (1.00 to 1.99 s): the 90 replies of
	 * i <= 89 (t + (i + 1) ms <= 1.99 s), not the warm-up one at 1 ns.
	 */
	assert_true(res.served_rate > 90.8 && res.served_rate < 91.0);
	/* The batch ends with the last request's end: 990 + 100 ms. */
	assert_true(res.fct_ns == 1090000000ull);
	assert_int_equal(lg_summarize(r, 0, &res), 0);
	assert_int_equal(res.counted, 0);
	assert_true(res.p99 == WORK_LOST);
}

static void test_json(void **state)
{
	struct lg_rec r[128];
	struct lg_result res;
	struct lg_devs devs = {0};
	struct lg_meta m = {.label = "wrr \"x\"",
			    .proto = "udp",
			    .target = "10.1.100.1:9000",
			    .rate = 100,
			    .timeout_ns = 250000000ull,
			    .unloaded_ns = WORK_LOST};
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int d;

	(void)state;
	lg_summarize(r, make_recs(r), &res);
	d = lg_dev_index(&devs, "s1cpu");
	assert_int_equal(d, 0);
	assert_int_equal(lg_dev_index(&devs, "s1acc"), 1);
	assert_int_equal(lg_dev_index(&devs, "s1cpu"), 0);
	devs.d[d].n = 2;
	devs.d[d].service_us = 4000;
	devs.d[d].queue_us = 1000;
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	lg_json(f, &m, &res, &devs);
	fclose(f);
	assert_non_null(strstr(buf, "{\"label\":\"wrr \\\"x\\\"\",\"proto\":\"udp\""));
	assert_non_null(strstr(buf, "\"counted\":100,\"ok\":98,\"lost\":2,\"loss_pct\":2.000"));
	assert_non_null(
	    strstr(buf, "\"throughput\":98.000,\"served_rate\":90.909,\"span_s\":0.990"));
	assert_non_null(strstr(buf, "\"p50_ms\":50.000,\"p99_ms\":null"));
	assert_non_null(strstr(buf, "\"timeout_ms\":250.000,\"unloaded_ms\":null"));
	assert_non_null(strstr(
	    buf, "\"by_device\":{\"s1cpu\":{\"n\":2,\"service_ms\":2.000,\"queue_ms\":0.500},"
		 "\"s1acc\":{\"n\":0,"));
	assert_int_equal(buf[len - 1], '\n');
	assert_int_equal(buf[len - 2], '}');
	free(buf);
	for (int i = 2; i < LG_MAX_DEVS; i++) {
		char name[8];

		snprintf(name, sizeof(name), "d%d", i);
		assert_int_equal(lg_dev_index(&devs, name), i);
	}
	assert_int_equal(lg_dev_index(&devs, "one-too-many"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_proto_roundtrip), cmocka_unit_test(test_proto_refuses),
	    cmocka_unit_test(test_percentile),	    cmocka_unit_test(test_sort),
	    cmocka_unit_test(test_poisson),	    cmocka_unit_test(test_window),
	    cmocka_unit_test(test_window_by_time),  cmocka_unit_test(test_window_lost),
	    cmocka_unit_test(test_workd_args),	    cmocka_unit_test(test_loadgen_args),
	    cmocka_unit_test(test_summarize),	    cmocka_unit_test(test_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
