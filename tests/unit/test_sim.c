// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_sim - hauler-sim's parts: the FIFO queue (Lindley's recursion and
 * busy time), the agent's report of a device (quantized by the agent's
 * own functions), the cluster built by the manager's model and Maglev,
 * the candidates' staleness, policies run through their select functions,
 * determinism by seed, and bad options refused. The datapath test
 * test_maglev checks the simulator's server tier against the XDP program.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <math.h>

#include "sim.h"
#include "sim_cli.h"
#include "agent.h"
#include "maglev.h"
#include "select/select.h"
#include "hauler_report_store.h"

/* This cmocka has no assert_double_equal. */
#define assert_near(a, b, eps) assert_true(fabs((double)(a) - (double)(b)) <= (eps))
#define EPS		       1e-9

static void test_queue_fifo(void **state)
{
	struct sim_queue q;

	(void)state;
	assert_int_equal(sim_queue_init(&q, 1, 0), 0);
	/* Idle: served at once. Busy: waits for the one before. */
	assert_near(sim_queue_add(&q, 0, 1), 1, EPS);
	assert_near(sim_queue_add(&q, 0.5, 1), 1.5, EPS);
	assert_near(sim_queue_add(&q, 1.0, 0.5), 1.5, EPS);
	/* Busy from 0 to 2.5; a new period at 4. */
	assert_near(sim_queue_busy(&q, 2), 2, EPS);
	assert_near(sim_queue_busy(&q, 3), 2.5, EPS);
	assert_int_equal(sim_queue_in_system(&q, 1.9), 2);
	assert_near(sim_queue_add(&q, 4, 1), 1, EPS);
	assert_near(sim_queue_busy(&q, 4.5), 3, EPS);
	assert_near(sim_queue_busy(&q, 9), 3.5, EPS);
	assert_int_equal(sim_queue_in_system(&q, 4.5), 1);
	assert_int_equal(sim_queue_in_system(&q, 5), 0);
	assert_near(q.last_resp, 1, EPS);
	sim_queue_free(&q);
	assert_int_not_equal(sim_queue_init(&q, 0, 0), 0); /* no service rate */
	sim_queue_free(&q);
}

/* A CPU-quota device (the rig's cgroups): full speed while the quota lasts. */
static void test_queue_quota(void **state)
{
	struct sim_queue q;

	(void)state;
	assert_int_equal(sim_queue_init(&q, 200, 1), 0);		/* fluid: 5 ms a request */
	assert_int_not_equal(sim_queue_set_quota(&q, 3e-3, 2.5e-3), 0); /* quota > period */
	assert_int_equal(sim_queue_set_quota(&q, 1e-3, 2.5e-3), 0);	/* 40% */
	/* 2 ms of work: 0..1 ms, throttled to 2.5, then 2.5..3.5. */
	assert_near(sim_queue_add(&q, 0, 5e-3), 3.5e-3, EPS);
	/* The next waits for it, finds the quota of [2.5, 5) used: 5..6, 7.5..8.5. */
	assert_near(sim_queue_add(&q, 0.5e-3, 5e-3), 8e-3, EPS);
	/* Busy time is the fluid account: 10 ms of 40% CPU for 4 ms of work. */
	assert_near(sim_queue_busy(&q, 0.1), 10e-3, EPS);
	assert_int_equal(sim_queue_in_system(&q, 8.4e-3), 1);
	assert_int_equal(sim_queue_in_system(&q, 8.5e-3), 0);
	/* Idle long enough: a fresh period, started mid-way (1.0 of [1.0, 1.0025)). */
	assert_near(sim_queue_add(&q, 1.0005, 2.5e-3), 1e-3, EPS);
	sim_queue_free(&q);
}

/*
 * Saturated, a quota device serves exactly its capacity: the quota used
 * in a period is carried however the period's start was computed (the
 * model before 2026-12-02 14:00 compared period starts as doubles, lost
 * the quota used when they differed in the last bit, and served 174.7/s
 * for 159/s). Also with the throttle enforced at the tick.
 */
static void test_queue_quota_capacity(void **state)
{
	double tick[] = {0, 4e-3}, fin = 0;
	struct sim_queue q;
	size_t k;
	int i;

	(void)state;
	for (k = 0; k < 2; k++) {
		assert_int_equal(sim_queue_init(&q, 159, 1), 0);
		assert_int_equal(sim_queue_set_quota(&q, 1e-3, 2.5e-3), 0);
		q.tick_s = tick[k];
		for (i = 0; i < 10000; i++)
			fin = i * 1e-4 + sim_queue_add(&q, i * 1e-4, 1 / 159.0);
		assert_near(10000 / fin, 159, 0.2);
		sim_queue_free(&q);
	}
}

/*
 * The throttle at the scheduler's tick (CFS bandwidth, HZ 250: 4 ms): a
 * device with runtime runs on to the tick after it is used up, and the
 * overrun is a debt the next periods' refills pay first.
 */
static void test_queue_quota_tick(void **state)
{
	struct sim_queue q;

	(void)state;
	assert_int_equal(sim_queue_init(&q, 200, 1), 0);
	assert_int_equal(sim_queue_set_quota(&q, 1e-3, 2.5e-3), 0); /* 40% */
	q.tick_s = 4e-3;
	/* 2 ms of work from 0: the 1 ms of runtime is used at 1 ms, noticed
	 * at the tick at 4 ms: done at 2 ms, 1 ms in debt. */
	assert_near(sim_queue_add(&q, 0, 5e-3), 2e-3, EPS);
	/* The next, at 2.1 ms: throttled; the refill at 2.5 ms leaves 0, the
	 * one at 5 ms 1 ms: 5..7 ms (the tick at 8 ms). */
	assert_near(sim_queue_add(&q, 2.1e-3, 5e-3), 7e-3 - 2.1e-3, EPS);
	/* Idle long enough: the runtime is back at the quota (not more). */
	assert_near(sim_queue_add(&q, 1.0, 5e-3), 2e-3, EPS);
	sim_queue_free(&q);
	/* Enforced at once (tick 0): 0..1, throttled to 2.5, 2.5..3.5. */
	assert_int_equal(sim_queue_init(&q, 200, 1), 0);
	assert_int_equal(sim_queue_set_quota(&q, 1e-3, 2.5e-3), 0);
	assert_near(sim_queue_add(&q, 0, 5e-3), 3.5e-3, EPS);
	sim_queue_free(&q);
}

/*
 * Two quota devices on one shared CPU (--shared-cpu, the rig's shape): a
 * request's work runs only in the CPU's time no earlier request claimed.
 */
static void test_queue_shared_cpu(void **state)
{
	struct sim_queue a, b, c;
	struct sim_cpu cpu, cpu2;
	double gap;

	(void)state;
	assert_int_equal(sim_cpu_init(&cpu, 0), 0);
	assert_int_not_equal(sim_cpu_init(&cpu2, -1e-3), 0); /* no negative overhead */
	sim_cpu_free(&cpu2);
	assert_int_equal(sim_queue_init(&a, 200, 1), 0);
	assert_int_equal(sim_queue_init(&b, 200, 1), 0);
	assert_int_equal(sim_queue_set_quota(&a, 1e-3, 2.5e-3), 0);
	assert_int_equal(sim_queue_set_quota(&b, 1e-3, 2.5e-3), 0);
	a.cpu = b.cpu = &cpu;
	/* a: 2 ms of work, 0..1 ms, throttled to 2.5, then 2.5..3.5, as alone. */
	assert_near(sim_queue_add(&a, 0, 5e-3), 3.5e-3, EPS);
	/* b at 0.2 ms: the CPU is a's until 1 ms: 1..2, then a's 2.5..3.5, 3.5..4.5
	 * (alone: 0.2..1.2 and 2.5..3.5, 3.3 ms). */
	assert_near(sim_queue_add(&b, 0.2e-3, 5e-3), 4.3e-3, EPS);
	/* The claims merged where they touch: [0, 2) and [2.5, 4.5) ms. */
	assert_int_equal(cpu.n, 2);
	assert_near(sim_cpu_next_free(&cpu, 0.5e-3, &gap), 2e-3, EPS);
	assert_near(gap, 2.5e-3, EPS);
	assert_near(sim_cpu_next_free(&cpu, 4.6e-3, &gap), 4.6e-3, EPS);
	assert_true(isinf(gap));
	sim_cpu_forget(&cpu, 2.2e-3);
	assert_int_equal(cpu.n, 1);
	/* Busy time (the agents' cmp) stays the fluid account. */
	assert_near(sim_queue_busy(&b, 0.1), 5e-3, EPS);
	sim_queue_free(&a);
	sim_queue_free(&b);
	sim_cpu_free(&cpu);
	/* A request's overhead (client, balancer) runs first: 0.5 ms, then 1 ms of work. */
	assert_int_equal(sim_cpu_init(&cpu, 0.5e-3), 0);
	assert_int_equal(sim_queue_init(&c, 1000, 1), 0);
	assert_int_equal(sim_queue_set_quota(&c, 1e-3, 1e-3), 0);
	c.cpu = &cpu;
	assert_near(sim_queue_add(&c, 0, 1e-3), 1.5e-3, EPS);
	sim_queue_free(&c);
	sim_cpu_free(&cpu);
}

/* Many requests: the queue grows past its first capacity and keeps order. */
static void test_queue_grows(void **state)
{
	struct sim_queue q;
	int i;

	(void)state;
	assert_int_equal(sim_queue_init(&q, 1, 1), 0);
	for (i = 0; i < 500; i++)
		assert_near(sim_queue_add(&q, 0, 0.01), 0.01 * (i + 1), 1e-6);
	assert_int_equal(sim_queue_in_system(&q, 0), 500);
	assert_int_equal(sim_queue_in_system(&q, 2.505), 250);
	sim_queue_free(&q);
}

/* The report: the agent's quantization of the window's busy share and queue fill. */
static void test_report_quantized(void **state)
{
	struct report_fields f;
	struct sockdiag_count n = {.accept_queue = 2, .backlog = 128};
	struct sim_queue q;
	double busy;

	(void)state;
	assert_int_equal(sim_queue_init(&q, 100, 1), 0);
	/* Busy 4.95 ms of the 10 ms window [0.01, 0.02]: 49.5% -> 50 (half up). */
	sim_queue_add(&q, 0.01505, 0.00495);
	busy = sim_queue_busy(&q, 0.02) - sim_queue_busy(&q, 0.01);
	assert_near(busy, 0.00495, 1e-12);
	sim_agent_report(&q, 0.02, 0.01, busy, 0.01, 128, &f);
	assert_int_equal(f.cmp, report_quantize(49.5));
	assert_int_equal(f.cmp, 50);
	/* Three in the system: two wait, 2/128 of the backlog, as the agent computes it. */
	sim_queue_add(&q, 0.0201, 0.01);
	sim_queue_add(&q, 0.0202, 0.01);
	sim_queue_add(&q, 0.0203, 0.01);
	sim_agent_report(&q, 0.021, 0.001, sim_queue_busy(&q, 0.021) - sim_queue_busy(&q, 0.020),
			 0.001, 128, &f);
	assert_int_equal(f.cmp, 90); /* busy 0.0201..0.021 */
	assert_int_equal(f.live_conns, 3);
	assert_int_equal(f.queue, report_quantize(sockdiag_queue_pct(&n)));
	assert_int_equal(f.queue, 2);
	assert_true(f.flags & HAULER_REPORT_F_LATENCY);
	assert_int_equal(f.latency_us, 4950); /* the newest finished request */
	/* Over 100% cannot be reported. */
	assert_int_equal(report_quantize(140), 100);
	sim_queue_free(&q);
}

/*
 * The reports between a device's checked ones (SIM_REPORT_CHECK_EVERY) are
 * packed without their tag: report_encode's bytes but the tag, and stored
 * alike by the datapath's report_apply.
 */
static void test_report_pack(void **state)
{
	struct report_fields f = {.device = 7, .cmp = 42, .latency_us = 1234, .seq = 99};
	struct hauler_report a, b;
	struct dev_state sa, sb;

	(void)state;
	f.flags = HAULER_REPORT_F_LATENCY;
	memset(&sa, 0, sizeof(sa));
	memset(&sb, 0, sizeof(sb));
	report_encode(&f, 0x1234, 0x5678, &a);
	report_pack(&f, &b);
	assert_true(a.tag != 0);
	assert_int_equal(b.tag, 0);
	assert_int_equal(report_apply(&sa, &a, 5, 0), REPORT_OK);
	assert_int_equal(report_apply(&sb, &b, 5, 0), REPORT_OK);
	assert_memory_equal(&sa, &sb, sizeof(sa));
	b.tag = a.tag;
	assert_memory_equal(&a, &b, sizeof(a));
}

/* The cluster's table is the manager's Maglev over its servers (names s0..). */
static void test_cluster_maglev(void **state)
{
	static __u16 want[HAULER_MAGLEV_MAX];
	struct maglev_server srv[8];
	struct sim_config cfg;
	struct sim_cluster c;
	int i;

	(void)state;
	sim_config_defaults(&cfg);
	cfg.servers = 8;
	cfg.table_size = 1009;
	assert_int_equal(sim_cluster_init(&c, &cfg), 0);
	memset(srv, 0, sizeof(srv));
	for (i = 0; i < 8; i++) {
		srv[i].index = i;
		snprintf(srv[i].name, sizeof(srv[i].name), "s%d", i);
		srv[i].weight = 1;
	}
	assert_int_equal(maglev_build(srv, 8, 1009, NULL, want), 0);
	assert_memory_equal(c.pool, want, 1009 * sizeof(want[0]));
	assert_int_equal(sim_cluster_server(&c, 1009 + 5), want[5]);
	/* Three devices a server, CPU first with the configured weights. */
	assert_int_equal(c.m->servers[3].dev_count, 3);
	assert_int_equal(c.m->devices[c.m->servers[3].dev[0]].kind, HAULER_KIND_CPU);
	assert_int_equal(c.m->devices[c.m->servers[3].dev[1]].weight, cfg.w_nic);
	sim_cluster_free(&c);
}

/* wrr through the manager's ring: weights 4:1:1 give the CPU two thirds. */
static void test_cluster_wrr_shares(void **state)
{
	struct sim_config cfg;
	struct sim_cluster c;
	int i, d, cpu = 0;

	(void)state;
	sim_config_defaults(&cfg);
	cfg.servers = 4;
	assert_int_equal(sim_cluster_init(&c, &cfg), 0);
	for (i = 0; i < 6000; i++) {
		d = sim_cluster_pick(&c, i * 1e-3);
		assert_true(d >= 0);
		cpu += c.m->devices[d].kind == HAULER_KIND_CPU;
	}
	/* Each server's ring is exact up to the turns in progress (two each). */
	assert_in_range(cpu, 4000 - 8, 4000 + 8);
	/* Weight 0 on the SmartNICs (6:0): they get nothing. */
	assert_int_equal(sim_cluster_set_weight(&c, HAULER_KIND_SMARTNIC, 0), 0);
	for (i = 0; i < 500; i++)
		assert_int_equal(c.m->devices[sim_cluster_pick(&c, 7 + i * 1e-3)].kind,
				 HAULER_KIND_CPU);
	sim_cluster_free(&c);
}

/* A device whose agent never reported is stale: prt then goes by weight. */
static void test_cluster_stale_and_reports(void **state)
{
	struct sim_config cfg;
	struct sim_cluster c;
	__u64 seq;
	int d;

	(void)state;
	sim_config_defaults(&cfg);
	cfg.servers = 1;
	snprintf(cfg.policy, sizeof(cfg.policy), "prt");
	snprintf(cfg.params, sizeof(cfg.params), "threshold 50");
	assert_int_equal(sim_cluster_init(&c, &cfg), 0);
	assert_int_equal(c.m->params[0].threshold, 50);
	c.dev[c.m->servers[0].dev[0]].reporting = 0; /* the CPU's agent is silent */
	d = sim_cluster_pick(&c, 0.5);
	assert_true(d >= 0);
	assert_int_equal(c.st[c.m->servers[0].dev[0]].updated_ns, 0);
	/* The others reported at their last tick before 0.5 s. */
	d = c.m->servers[0].dev[1];
	assert_true(c.st[d].updated_ns > 490000000ull && c.st[d].updated_ns <= 500000001ull);
	/* Version-2 reports with the agent's period: the K-missed-periods rule applies. */
	assert_int_equal(c.st[d].version, HAULER_REPORT_VERSION);
	assert_int_equal(c.st[d].period_ms, 10);
	/* Received through the datapath's report_apply: its sequence, which grows. */
	seq = c.st[d].seq;
	assert_true(seq > 0);
	assert_true(sim_cluster_pick(&c, 0.52) >= 0);
	assert_true(c.st[d].seq > seq && c.st[d].updated_ns > 510000000ull);
	/* Its first report was tagged and checked (report_decode), the second packed only. */
	assert_int_equal(c.dev[d].reports, 2);
	assert_false(select_dev_stale(&c.st[d], (__u64)(0.55e9), c.m->params[0].stale_ms,
				      c.m->params[0].stale_periods));
	/* Its agent falls silent: stale once K (stale-periods, 10) periods are missed. */
	c.dev[d].reporting = 0;
	assert_false(select_dev_stale(&c.st[d], c.st[d].updated_ns + 99000000ull,
				      c.m->params[0].stale_ms, c.m->params[0].stale_periods));
	assert_true(select_dev_stale(&c.st[d], c.st[d].updated_ns + 101000000ull,
				     c.m->params[0].stale_ms, c.m->params[0].stale_periods));
	sim_cluster_free(&c);
}

/*
 * The agent's cmp window (hauler-agent --window 50 at 10 ms reports, as
 * in the rig): a new sample every fifth tick, over the 50 ms since the
 * last; the value stands in the reports between.
 */
static void test_agent_window(void **state)
{
	struct sim_config cfg;
	struct sim_cluster c;
	int d;

	(void)state;
	assert_int_equal(sim_agent_window_ticks(0, 10), 1); /* the default: one period */
	assert_int_equal(sim_agent_window_ticks(10, 10), 1);
	assert_int_equal(sim_agent_window_ticks(50, 10), 5);
	assert_int_equal(sim_agent_window_ticks(45, 10), 5);
	sim_config_defaults(&cfg);
	cfg.servers = 1;
	cfg.nics = 0;
	cfg.mu_cpu = 100;
	cfg.fixed_service = 1;
	cfg.window_ms = 50;
	assert_int_equal(sim_cluster_init(&c, &cfg), 0);
	d = c.m->servers[0].dev[0];
	c.dev[d].next_tick = 0.01; /* ticks at 0.01, 0.02, ...: its window starts at 0 */
	sim_queue_add(&c.dev[d].q, 0.001, 0.02); /* busy 0.001 .. 0.021 */
	assert_true(sim_cluster_pick(&c, 0.0455) == d);
	assert_true(c.st[d].updated_ns > 39000000ull); /* reported at 0.04 ... */
	assert_int_equal(c.st[d].cmp, 0);	       /* ... before its first sample */
	assert_true(sim_cluster_pick(&c, 0.0505) == d);
	assert_int_equal(c.st[d].cmp, 40); /* 20 of the 50 ms */
	sim_queue_add(&c.dev[d].q, 0.0505, 0.01);
	assert_true(sim_cluster_pick(&c, 0.0705) == d);
	assert_true(c.st[d].updated_ns > 69000000ull);
	assert_int_equal(c.st[d].cmp, 40); /* the value stands until the next sample */
	assert_true(sim_cluster_pick(&c, 0.1205) == d);
	assert_int_equal(c.st[d].cmp, 20); /* sampled at 0.10: 10 of the 50 ms since 0.05 */
	/* Ticks skipped: the newest sample (0.35) over the 50 ms before it. */
	assert_true(sim_cluster_pick(&c, 0.2705) == d);
	assert_int_equal(c.st[d].cmp, 0);
	sim_queue_add(&c.dev[d].q, 0.2705, 0.04); /* busy 0.2705 .. 0.3105 */
	assert_true(sim_cluster_pick(&c, 0.3505) == d);
	assert_int_equal(c.st[d].cmp, 21); /* 10.5 of the 50 ms since 0.30 */
	sim_cluster_free(&c);
	/* A window out of range is refused. */
	cfg.window_ms = -1;
	assert_int_not_equal(sim_cluster_init(&c, &cfg), 0);
	sim_cluster_free(&c);
}

/* A sweep point's JSON: each run's P99 (seed, seed + 1, ...), whose mean is p99_s. */
static void test_sweep_runs(void **state)
{
	char *args[] = {"--servers", "2",      "--policies", "wrr",	   "--rates",
			"20",	     "--runs", "3",	     "--duration", "5"};
	double run[3], mean;
	struct sim_opts o;
	char *buf = NULL, *p;
	size_t len = 0;
	FILE *f;

	(void)state;
	sim_opts_defaults(&o);
	assert_int_equal(sim_opts_parse(&o, 10, args), 0);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(sim_sweep(&o, f), 0);
	fclose(f);
	p = strstr(buf, "\"p99_s\":");
	assert_non_null(p);
	mean = strtod(p + 8, NULL);
	p = strstr(buf, "\"p99_runs_s\":[");
	assert_non_null(p);
	assert_int_equal(sscanf(p + 14, "%lf,%lf,%lf]", &run[0], &run[1], &run[2]), 3);
	assert_true(mean > 0);
	assert_near((run[0] + run[1] + run[2]) / 3, mean, 1e-9 * mean);
	assert_true(run[0] != run[1] || run[1] != run[2]); /* different seeds */
	free(buf);
}

static void run_once(const char *policy, __u64 seed, struct sim_window *w)
{
	struct sim_config cfg;
	struct sim_cluster c;

	sim_config_defaults(&cfg);
	cfg.servers = 4;
	cfg.seed = seed;
	snprintf(cfg.policy, sizeof(cfg.policy), "%s", policy);
	assert_int_equal(sim_cluster_init(&c, &cfg), 0);
	assert_int_equal(sim_run(&c, 40, 1, 10, w), 0);
	sim_cluster_free(&c);
}

/* The same seed, the same run; every policy runs and serves every request. */
static void test_deterministic_and_policies(void **state)
{
	static const char *const names[] = {"hash", "wrr", "ecmp", "dwrr", "lur",
					    "jsq",  "lc",  "wlc",  "prt",  "p2c"};
	struct sim_window a, b;
	size_t i;

	(void)state;
	run_once("wrr", 7, &a);
	run_once("wrr", 7, &b);
	assert_memory_equal(&a, &b, sizeof(a));
	run_once("wrr", 8, &b);
	assert_true(a.p99 != b.p99);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		run_once(names[i], 3, &a);
		assert_true(a.requests > 300 && a.requests < 500); /* 40/s for 10 s */
		assert_int_equal(a.dropped, 0);
		assert_true(a.p99 >= a.p50 && a.p50 > 0);
		assert_true(a.cpu_util > 0 && a.cpu_util < 100);
	}
}

static void test_quantile(void **state)
{
	struct sim_samples s = {0};
	int i;

	(void)state;
	assert_near(sim_samples_quantile(&s, 0.99), 0, EPS);
	for (i = 100; i >= 1; i--)
		assert_int_equal(sim_samples_add(&s, i), 0);
	assert_near(sim_samples_quantile(&s, 0.99), 99, EPS);
	assert_near(sim_samples_quantile(&s, 0.5), 50, EPS);
	assert_near(sim_samples_quantile(&s, 1), 100, EPS);
	sim_samples_free(&s);
}

/* Bad options and configurations are refused with a message. */
/*
 * The reward experiment: at a low rate CPUs alone meet the SLO (+10) and
 * the SmartNICs' weight 1 leaves the CPUs under the threshold (-1), so
 * the label 6:0 is the reward's best: bound 1. One low rate and two
 * servers keep the run short.
 */
static void test_reward_experiment(void **state)
{
	char *args[] = {
	    "--experiment", "reward", "--servers",     "2", "--rates",	      "4",
	    "--turning",    "100",    "--learn-w-max", "1", "--iter-s",	      "2",
	    "--settle",	    "1",      "--eval-iters",  "3", "--learn-slo-us", "5000000"};
	char buf[4096] = "";
	struct sim_opts o;
	FILE *f = fmemopen(buf, sizeof(buf) - 1, "w");

	(void)state;
	assert_non_null(f);
	sim_opts_defaults(&o);
	assert_int_equal(sim_opts_parse(&o, sizeof(args) / sizeof(args[0]), args), 0);
	assert_int_equal(sim_learn(&o, f), 0);
	fclose(f);
	assert_non_null(strstr(buf, "\"mean_reward_by_weight\":[10,-1]"));
	assert_non_null(strstr(buf, "\"bound\":1}"));
}

static void test_bad_input(void **state)
{
	char *bad[][2] = {{"--servers", "0"},
			  {"--servers", "4097"},
			  {"--rates", "1,x"},
			  {"--runs", "1.5"},
			  {"--nope", "1"},
			  {"--learn-alpha", "2"},
			  {"--mu-cpu", "-1"},
			  {"--overload", "some"},
			  {"--readout", "0"},
			  {"--readout", "101"},
			  {"--eval-learn", "2"},
			  {"--quota-cpu", "3000/2500"},
			  {"--quota-nic", "1000"},
			  {"--learn-buckets", "0"},
			  {"--episodes", "2"},
			  {"--episodes", "-1"},
			  {"--shared-cpu", "2"},
			  {"--cpu-overhead-us", "-1"},
			  {"--agent-window-ms", "-1"},
			  {"--agent-window-ms", "60001"}};
	struct sim_config cfg;
	struct sim_cluster c;
	struct sim_opts o;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct sim_opts before;

		sim_opts_defaults(&o);
		before = o;
		assert_int_not_equal(sim_opts_parse(&o, 2, bad[i]), 0);
		/* Refused: nothing changed, the learner's parameters included. */
		assert_memory_equal(&o.lp, &before.lp, sizeof(o.lp));
		assert_memory_equal(&o.cfg, &before.cfg, sizeof(o.cfg));
		assert_int_equal(o.readout, before.readout);
		assert_int_equal(o.overload_kind, before.overload_kind);
		assert_int_equal(o.episodes, before.episodes);
	}
	sim_opts_defaults(&o);
	assert_int_not_equal(sim_opts_parse(&o, 1, (char *[]){"--servers"}), 0);
	sim_config_defaults(&cfg);
	snprintf(cfg.policy, sizeof(cfg.policy), "nosuch");
	assert_int_not_equal(sim_cluster_init(&c, &cfg), 0);
	sim_cluster_free(&c);
	/* A shared CPU without quota devices, an overhead without a shared CPU. */
	sim_config_defaults(&cfg);
	cfg.shared_cpu = 1;
	assert_int_not_equal(sim_cluster_init(&c, &cfg), 0);
	sim_cluster_free(&c);
	sim_config_defaults(&cfg);
	cfg.quota_cpu[0] = cfg.quota_cpu[1] = 1e-3;
	cfg.cpu_overhead_s = 1e-4;
	assert_int_not_equal(sim_cluster_init(&c, &cfg), 0);
	sim_cluster_free(&c);
	/* Several options: one bad one, and none of them is taken. */
	sim_opts_defaults(&o);
	assert_int_not_equal(
	    sim_opts_parse(&o, 4, (char *[]){"--servers", "8", "--shared-cpu", "3"}), 0);
	assert_int_equal(o.cfg.servers, 64);
	assert_int_equal(o.cfg.shared_cpu, 0);
	sim_config_defaults(&cfg);
	snprintf(cfg.params, sizeof(cfg.params), "threshold 80"); /* wrr takes none */
	assert_int_not_equal(sim_cluster_init(&c, &cfg), 0);
	sim_cluster_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_queue_fifo),
	    cmocka_unit_test(test_queue_grows),
	    cmocka_unit_test(test_queue_quota),
	    cmocka_unit_test(test_queue_quota_capacity),
	    cmocka_unit_test(test_queue_quota_tick),
	    cmocka_unit_test(test_queue_shared_cpu),
	    cmocka_unit_test(test_report_quantized),
	    cmocka_unit_test(test_report_pack),
	    cmocka_unit_test(test_cluster_maglev),
	    cmocka_unit_test(test_cluster_wrr_shares),
	    cmocka_unit_test(test_cluster_stale_and_reports),
	    cmocka_unit_test(test_agent_window),
	    cmocka_unit_test(test_sweep_runs),
	    cmocka_unit_test(test_deterministic_and_policies),
	    cmocka_unit_test(test_quantile),
	    cmocka_unit_test(test_reward_experiment),
	    cmocka_unit_test(test_bad_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
