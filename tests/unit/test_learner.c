// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_learner - P4Wise's learner (user/learner.c): the defaults, every
 * parameter's validation (a bad value changes nothing), the state
 * buckets, each case of the reward (Algorithm 1) and of "a device over
 * 100%" (from the demand, or from sampled reports), the Q-update's
 * arithmetic, the step's bookkeeping and bounds, untried actions taken
 * first (and their mark, stored and printed), determinism by seed,
 * and the pinned store (root: a private bpffs folder) including records
 * that must be refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <unistd.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <cmocka.h>
#include <math.h>

#include "learner.h"
#include "learner_store.h"
#include "error.h"

/* This cmocka has no assert_double_equal. */
#define assert_near(a, b, eps) assert_true(fabs((double)(a) - (double)(b)) <= (eps))
#define EPS		       1e-12

static void test_defaults(void **state)
{
	struct learner_params p;

	(void)state;
	learner_defaults(&p);
	assert_int_equal(p.buckets, 10);
	assert_near(p.alpha, 0.5, EPS);
	assert_near(p.gamma, 0.5, EPS);
	assert_near(p.epsilon, 0.1, EPS);
	assert_int_equal(p.threshold, 60);
	assert_int_equal(p.w_cpu, 6);
	assert_int_equal(p.w_start, 0); /* PRT: 6:0 */
	assert_int_equal(learner_params_check(&p), 0);
}

static void test_params_valid(void **state)
{
	char *args[] = {"alpha",  "0.3",  "gamma",	 "0",	"epsilon", "1", "buckets", "20",
			"slo-us", "5000", "threshold",	 "70",	"w-max",   "3", "w-start", "2",
			"w-cpu",  "12",	  "interval-ms", "250", "seed",	   "9"};
	struct learner_params p;
	char text[256];
	struct learner_params q;

	(void)state;
	learner_defaults(&p);
	assert_int_equal(learner_params_parse(&p, 22, args), 0);
	assert_near(p.alpha, 0.3, EPS);
	assert_near(p.gamma, 0, EPS);
	assert_near(p.epsilon, 1, EPS);
	assert_int_equal(p.buckets, 20);
	assert_int_equal(p.slo_us, 5000);
	assert_int_equal(p.threshold, 70);
	assert_int_equal(p.w_max, 3);
	assert_int_equal(p.w_start, 2);
	assert_int_equal(p.w_cpu, 12);
	assert_int_equal(p.interval_ms, 250);
	assert_int_equal(p.seed, 9);
	/* What format writes, parse reads back. */
	learner_params_format(&p, text, sizeof(text));
	learner_defaults(&q);
	{
		char *argv[32], *save = NULL, *w;
		int argc = 0;

		for (w = strtok_r(text, " ", &save); w; w = strtok_r(NULL, " ", &save))
			argv[argc++] = w;
		assert_int_equal(learner_params_parse(&q, argc, argv), 0);
	}
	assert_memory_equal(&p, &q, sizeof(p));
}

static void test_params_invalid(void **state)
{
	static char *bad[][2] = {
	    {"alpha", "0"},	  {"alpha", "1.5"},  {"alpha", "x"},	 {"alpha", "0.5x"},
	    {"alpha", "nan"},	  {"gamma", "1"},    {"gamma", "-0.1"},	 {"epsilon", "1.01"},
	    {"buckets", "0"},	  {"buckets", "51"}, {"threshold", "0"}, {"threshold", "101"},
	    {"slo-us", "0"},	  {"w-max", "0"},    {"w-cpu", "0"},	 {"w-start", "7"},
	    {"interval-ms", "5"}, {"nosuch", "1"},   {"seed", "-1"},	 {"alpha", ""},
	};
	struct learner_params p, before;
	size_t i;

	(void)state;
	learner_defaults(&p);
	before = p;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err_clear();
		assert_int_not_equal(learner_params_parse(&p, 2, bad[i]), 0);
		assert_true(strlen(err_msg()) > 5);
		assert_memory_equal(&p, &before, sizeof(p));
	}
	/* All or nothing: a good value before a bad one is not kept either. */
	assert_int_not_equal(learner_params_parse(&p, 4, (char *[]){"alpha", "0.3", "gamma", "2"}),
			     0);
	assert_memory_equal(&p, &before, sizeof(p));
	assert_int_not_equal(learner_params_parse(&p, 1, (char *[]){"alpha"}), 0);
	assert_memory_equal(&p, &before, sizeof(p));
	/* A learner is not made from inconsistent parameters. */
	{
		struct learner l;

		p.w_start = p.w_max + 1;
		assert_int_not_equal(learner_init(&l, &p), 0);
	}
}

static void test_state(void **state)
{
	struct learner_params p;

	(void)state;
	learner_defaults(&p);
	assert_int_equal(learner_state(&p, 0, 0), 0);
	assert_int_equal(learner_state(&p, 9.99, 0), 0);
	assert_int_equal(learner_state(&p, 10, 0), 1);
	assert_int_equal(learner_state(&p, 65, 0), 6);
	assert_int_equal(learner_state(&p, 100, 0), 9);
	assert_int_equal(learner_state(&p, 180, 0), 9);
	assert_int_equal(learner_state(&p, -3, 0), 0);
	assert_int_equal(learner_state(&p, NAN, 0), 0);
	assert_int_equal(learner_state(&p, 0, 1), 10);
	assert_int_equal(learner_state(&p, 65, 4), 16);
	p.buckets = 4;
	assert_int_equal(learner_state(&p, 74, 0), 2);
	assert_int_equal(learner_state(&p, 75, 2), 7);
}

static void test_reward(void **state)
{
	struct learner_params p;
	struct learner_obs o;

	(void)state;
	learner_defaults(&p);
	p.slo_us = 1000;
	/* Over 100% anywhere: -10, whatever else holds. */
	o = (struct learner_obs){.cpu_util = 90, .p99_us = 10, .overloaded = 1};
	assert_int_equal(learner_reward(&p, &o, 0), -10);
	assert_int_equal(learner_reward(&p, &o, 3), -10);
	/* CPUs only, P99 under the SLO: +10 at any utilization. */
	o = (struct learner_obs){.cpu_util = 5, .p99_us = 999};
	assert_int_equal(learner_reward(&p, &o, 0), 10);
	/* CPUs only, P99 at or over the SLO: -1. */
	o.p99_us = 1000;
	assert_int_equal(learner_reward(&p, &o, 0), -1);
	/* All devices, P99 under the SLO, CPUs over the threshold: +10. */
	o = (struct learner_obs){.cpu_util = 61, .p99_us = 500};
	assert_int_equal(learner_reward(&p, &o, 1), 10);
	/* ... at the threshold, not over it: -1. */
	o.cpu_util = 60;
	assert_int_equal(learner_reward(&p, &o, 1), -1);
	/* ... over it but missing the SLO: -1. */
	o = (struct learner_obs){.cpu_util = 95, .p99_us = 2000};
	assert_int_equal(learner_reward(&p, &o, 2), -1);
}

static void test_dev_over(void **state)
{
	struct learner_dev_obs d;

	(void)state;
	/* The demand known (hauler-sim): over 100% only above it. */
	d = (struct learner_dev_obs){.offered_pct = 100};
	assert_int_equal(learner_dev_over(&d), 0);
	d.offered_pct = 100.5;
	assert_int_equal(learner_dev_over(&d), 1);
	/* ... it rules over the samples, either way. */
	d = (struct learner_dev_obs){.samples = 10, .full = 10, .queued = 10, .offered_pct = 80};
	assert_int_equal(learner_dev_over(&d), 0);
	d = (struct learner_dev_obs){.samples = 10, .offered_pct = 130};
	assert_int_equal(learner_dev_over(&d), 1);
	/* Live (demand unknown): no sample, nothing to judge. */
	d = (struct learner_dev_obs){.offered_pct = -1};
	assert_int_equal(learner_dev_over(&d), 0);
	/* Busy at every sample: over. */
	d = (struct learner_dev_obs){.samples = 10, .full = 10, .offered_pct = -1};
	assert_int_equal(learner_dev_over(&d), 1);
	/*
	 * A quota-limited device's bursts: cmp 100 in most 50 ms windows but
	 * idle in one, and requests waiting in some: it kept up. Not over.
	 */
	d = (struct learner_dev_obs){.samples = 10, .full = 9, .queued = 3, .offered_pct = -1};
	assert_int_equal(learner_dev_over(&d), 0);
	/*
	 * A saturated device whose busy share stops below 100% (the rig's
	 * server CPU reads 88-93% beside the others on its CPU), requests
	 * waiting at every sample: over.
	 */
	d = (struct learner_dev_obs){.samples = 10, .full = 1, .queued = 10, .offered_pct = -1};
	assert_int_equal(learner_dev_over(&d), 1);
	/* ... one sample without a queue: it caught up once. Not over. */
	d.queued = 9;
	assert_int_equal(learner_dev_over(&d), 0);
	/* Busy and queued samples do not add up: each must hold throughout. */
	d = (struct learner_dev_obs){.samples = 10, .full = 5, .queued = 5, .offered_pct = -1};
	assert_int_equal(learner_dev_over(&d), 0);
	/*
	 * Requests waiting at every sample, but fewer in the second half:
	 * the backlog the weight before left it (the rig's server CPU after
	 * the accelerator came in at 180/s), worked off. It serves more than
	 * arrives: not over, busy or not.
	 */
	d = (struct learner_dev_obs){
	    .samples = 10, .queued = 10, .queue_early = 8, .queue_late = 4, .offered_pct = -1};
	assert_int_equal(learner_dev_over(&d), 0);
	d.full = 10;
	assert_int_equal(learner_dev_over(&d), 0);
	/* A queue that holds (noise around a level) or grows: over. */
	d = (struct learner_dev_obs){
	    .samples = 10, .queued = 10, .queue_early = 8, .queue_late = 7, .offered_pct = -1};
	assert_int_equal(learner_dev_over(&d), 1);
	d.queue_late = 6; /* 3/4 of the first half's: not drained */
	assert_int_equal(learner_dev_over(&d), 1);
	d.queue_late = 20;
	assert_int_equal(learner_dev_over(&d), 1);
	/* Busy throughout without a queue to read (no --port): over. */
	d = (struct learner_dev_obs){.samples = 10, .full = 10, .offered_pct = -1};
	assert_int_equal(learner_dev_over(&d), 1);
	/* The demand known (hauler-sim) rules over a draining queue. */
	d = (struct learner_dev_obs){
	    .samples = 10, .queued = 10, .queue_early = 8, .offered_pct = 120};
	assert_int_equal(learner_dev_over(&d), 1);
	/* The judgement feeds Algorithm 1's -10, with the SLO met or not. */
	{
		struct learner_params p;
		struct learner_obs o = {.cpu_util = 90, .p99_us = 10};

		learner_defaults(&p);
		d = (struct learner_dev_obs){.samples = 10, .queued = 10, .offered_pct = -1};
		o.overloaded = learner_dev_over(&d);
		assert_int_equal(learner_reward(&p, &o, 0), -10);
		d.queued = 0;
		o.overloaded = learner_dev_over(&d);
		assert_int_equal(learner_reward(&p, &o, 0), 10);
	}
}

static void test_q_update(void **state)
{
	struct learner_params p;
	struct learner l;

	(void)state;
	learner_defaults(&p);
	assert_int_equal(learner_init(&l, &p), 0);
	l.q[3][LEARN_UP] = 2;
	l.q[7][0] = 1;
	l.q[7][1] = 3;
	l.q[7][2] = -1;
	/* 2 + 0.5 * (10 + 0.5 * 3 - 2) */
	learner_update(&l, 3, LEARN_UP, 10, 7);
	assert_near(l.q[3][LEARN_UP], 6.75, EPS);
	/* A negative reward into a zero row: 0 + 0.5 * (-10 + 0) */
	learner_update(&l, 0, LEARN_DOWN, -10, 1);
	assert_near(l.q[0][LEARN_DOWN], -5, EPS);
	/* alpha 0.3, gamma 0.5: 0 + 0.3 * (-1 + 0.5 * 6.75) */
	l.p.alpha = 0.3;
	learner_update(&l, 5, LEARN_KEEP, -1, 3);
	assert_near(l.q[5][LEARN_KEEP], 0.3 * (-1 + 0.5 * 6.75), EPS);
}

/* A step rewards and updates the previous (state, action), then moves the weight. */
static void test_step(void **state)
{
	struct learner_params p;
	struct learner l;
	struct learner_obs o = {.cpu_util = 35, .p99_us = 10};
	int s0, a0, i;
	__u32 w;

	(void)state;
	learner_defaults(&p);
	p.epsilon = 0;
	assert_int_equal(learner_init(&l, &p), 0);
	assert_int_equal(l.weight, 0);
	w = learner_step(&l, &o); /* no previous action: nothing updated */
	for (i = 0; i < LEARNER_MAX_STATES * LEARNER_ACTIONS; i++)
		assert_near(l.q[i / LEARNER_ACTIONS][i % LEARNER_ACTIONS], 0, EPS);
	assert_int_equal(l.state, 3);
	assert_near(l.reward, 10, EPS);
	s0 = l.state;
	a0 = l.action;
	assert_int_equal(w, a0 == LEARN_UP ? 1 : 0);
	o.overloaded = 1;
	learner_step(&l, &o);
	assert_near(l.reward, -10, EPS);
	assert_near(l.q[s0][a0], 0.5 * -10, EPS);
	assert_int_equal(l.iter, 2);
	/* Pure exploration keeps the weight within 0..w-max. */
	l.p.epsilon = 1;
	l.p.w_max = 2;
	for (i = 0; i < 2000; i++) {
		w = learner_step(&l, &o);
		assert_true(w <= 2);
	}
}

/*
 * A new episode: the first observation after it credits nothing (the last
 * action was taken under other conditions); the weight, the Q-table and
 * the steps after it are as before.
 */
static void test_episode(void **state)
{
	struct learner_params p;
	struct learner l, before;
	struct learner_obs o = {.cpu_util = 35, .p99_us = 10};
	double best;
	int s0, a0;

	(void)state;
	learner_defaults(&p);
	p.epsilon = 0;
	assert_int_equal(learner_init(&l, &p), 0);
	learner_step(&l, &o);
	l.q[2][LEARN_DOWN] = 4;
	before = l;
	learner_episode_begin(&l);
	assert_int_equal(l.state, -1);
	assert_int_equal(l.weight, before.weight);
	assert_memory_equal(l.q, before.q, sizeof(l.q));
	assert_int_equal(learner_check(&l), 0);
	o.overloaded = 1; /* would be -10 for the last action: not credited */
	learner_step(&l, &o);
	assert_memory_equal(l.q, before.q, sizeof(l.q));
	assert_near(l.reward, -10, EPS);
	assert_int_equal(l.state, 3);
	/* The next step credits the action the new episode took. */
	s0 = l.state;
	a0 = l.action;
	learner_step(&l, &o);
	best = fmax(fmax(before.q[l.state][0], before.q[l.state][1]), before.q[l.state][2]);
	assert_near(l.q[s0][a0], before.q[s0][a0] + 0.5 * (-10 + 0.5 * best - before.q[s0][a0]),
		    EPS);
}

/* Greedy with a learned preference: the best action is taken. */
static void test_greedy(void **state)
{
	struct learner_params p;
	struct learner l;
	struct learner_obs o = {.cpu_util = 55, .p99_us = 10};

	(void)state;
	learner_defaults(&p);
	p.epsilon = 0;
	p.w_start = 3;
	assert_int_equal(learner_init(&l, &p), 0);
	learner_mark_tried(&l); /* every action tried: the greedy choice alone */
	l.q[learner_state(&p, 55, 3)][LEARN_DOWN] = 1;
	assert_int_equal(learner_step(&l, &o), 2);
	l.q[learner_state(&p, 55, 2)][LEARN_UP] = 1;
	assert_int_equal(learner_step(&l, &o), 3);
}

/*
 * The rig's learner after its sweep of 2026-12-03 21:04 UTC (docs/learner.md,
 * "Untried actions"): in state 9 (CPU 90-100%, weights 5:0) keep had
 * earned 15.3 and -1 (a no-op at 5:0) 1.19, +1 was never tried. When the
 * SLO starts to miss there (-1 an iteration), the learner must try +1 at
 * once; without the untried rule it took -1 and keep until both had
 * fallen below 0: 11 iterations, longer than a 5 s run of the sweep.
 */
static void test_untried_first(void **state)
{
	/* The parameters its `learn show` gave (measured: no exploration). */
	char *rig[] = {"epsilon", "0",	   "slo-us", "125000",	    "w-cpu",
		       "5",	  "w-max", "1",	     "interval-ms", "500"};
	struct learner_params p;
	struct learner l;
	struct learner_obs miss = {.cpu_util = 95, .p99_us = 200000};
	int i;

	(void)state;
	learner_defaults(&p);
	assert_int_equal(learner_params_parse(&p, 10, rig), 0);
	assert_int_equal(learner_init(&l, &p), 0);
	assert_int_equal(learner_state(&p, 95, 0), 9);
	l.q[9][LEARN_DOWN] = 1.187;
	l.q[9][LEARN_KEEP] = 15.325;
	/* Q(+1) is +0.0, as learner_init left it: untried. */
	assert_false(learner_tried(&l, 9, LEARN_UP));
	assert_true(learner_tried(&l, 9, LEARN_KEEP));
	for (i = 1; i <= 2 && l.weight == 0; i++)
		learner_step(&l, &miss);
	assert_int_equal(l.weight, 1);
	assert_int_equal(l.action, LEARN_UP);
	assert_int_equal(i - 1, 1); /* the first iteration in state 9 */
}

/*
 * Without exploration (epsilon 0) and rewards that make the first action
 * tried look best, every state the learner is in has each of its actions
 * tried within its first three visits, in some order.
 */
static void test_untried_every_action(void **state)
{
	struct learner_params p;
	struct learner l;
	struct learner_obs o;
	int first[LEARNER_MAX_STATES][LEARNER_ACTIONS], visits[LEARNER_MAX_STATES] = {0};
	int i, s, a, seen;

	(void)state;
	learner_defaults(&p);
	p.epsilon = 0;
	p.w_max = 3;
	p.w_start = 1;
	assert_int_equal(learner_init(&l, &p), 0);
	for (i = 0; i < 600; i++) {
		/* Always under the SLO and over the threshold: +10 at any weight. */
		o = (struct learner_obs){.cpu_util = 61 + (i * 7) % 39, .p99_us = 10};
		learner_step(&l, &o);
		if (visits[l.state] < LEARNER_ACTIONS)
			first[l.state][visits[l.state]] = l.action;
		visits[l.state]++;
	}
	for (s = 0, seen = 0; s < LEARNER_MAX_STATES; s++) {
		if (visits[s] < LEARNER_ACTIONS)
			continue;
		seen++;
		assert_int_not_equal(first[s][0], first[s][1]);
		assert_int_not_equal(first[s][0], first[s][2]);
		assert_int_not_equal(first[s][1], first[s][2]);
		for (a = 0; a < LEARNER_ACTIONS; a++)
			assert_true(learner_tried(&l, s, a));
	}
	assert_true(seen >= 4);
}

/*
 * The untried mark: an update that comes out exactly 0 leaves the action
 * tried (-0.0), learner_mark_tried marks the rest, and `learn show`
 * prints untried values as such and a tried 0 as 0.000.
 */
static void test_untried_mark(void **state)
{
	struct learner_params p;
	struct learner l;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	learner_defaults(&p);
	assert_int_equal(learner_init(&l, &p), 0);
	assert_false(learner_tried(&l, 3, LEARN_KEEP));
	l.q[4][LEARN_UP] = 2;
	/* 0 + 0.5 * (-1 + 0.5 * 2) = 0 */
	learner_update(&l, 3, LEARN_KEEP, -1, 4);
	assert_true(l.q[3][LEARN_KEEP] == 0);
	assert_true(learner_tried(&l, 3, LEARN_KEEP));
	assert_false(learner_tried(&l, 3, LEARN_UP));
	f = open_memstream(&text, &len);
	assert_non_null(f);
	learner_print(&l, f);
	fclose(f);
	assert_non_null(strstr(text, "\n3       30..40    -        untried     0.000   untried\n"));
	assert_null(strstr(text, "-0.000"));
	free(text);
	learner_mark_tried(&l);
	assert_true(learner_tried(&l, 3, LEARN_UP));
	assert_true(l.q[3][LEARN_UP] == 0);
	assert_int_equal(learner_check(&l), 0);
}

static void test_deterministic(void **state)
{
	struct learner_params p;
	struct learner a, b;
	struct learner_obs o;
	int i, differ = 0;

	(void)state;
	learner_defaults(&p);
	p.seed = 42;
	assert_int_equal(learner_init(&a, &p), 0);
	assert_int_equal(learner_init(&b, &p), 0);
	for (i = 0; i < 300; i++) {
		o = (struct learner_obs){.cpu_util = (i * 37) % 100, .p99_us = 900 + i % 300};
		assert_int_equal(learner_step(&a, &o), learner_step(&b, &o));
	}
	assert_memory_equal(&a, &b, sizeof(a));
	p.seed = 43;
	assert_int_equal(learner_init(&b, &p), 0);
	for (i = 0; i < 300; i++) {
		o = (struct learner_obs){.cpu_util = (i * 37) % 100, .p99_us = 900 + i % 300};
		learner_step(&b, &o);
	}
	differ = memcmp(&a.q, &b.q, sizeof(a.q)) != 0;
	assert_true(differ);
}

static void test_check(void **state)
{
	struct learner_params p;
	struct learner l;

	(void)state;
	learner_defaults(&p);
	assert_int_equal(learner_init(&l, &p), 0);
	assert_int_equal(learner_check(&l), 0);
	l.weight = p.w_max + 1;
	assert_int_not_equal(learner_check(&l), 0);
	l.weight = 0;
	l.q[4][1] = NAN;
	assert_int_not_equal(learner_check(&l), 0);
	l.q[4][1] = 0;
	l.state = 20; /* 2N = 20 states: 0..19 */
	assert_int_not_equal(learner_check(&l), 0);
}

/*
 * The pinned store, on a bpffs of its own: mounted in a private mount
 * namespace (root), so nothing reaches the host's mounts. Skipped without
 * the privileges to do that.
 */
static char pin[64];
static int have_pin;

static int store_setup(void **state)
{
	(void)state;
	have_pin = 0;
	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return 0;
	snprintf(pin, sizeof(pin), "/tmp/hlr-learner-XXXXXX");
	if (!mkdtemp(pin))
		return -1;
	if (mount("bpf", pin, "bpf", 0, "mode=0700")) {
		rmdir(pin);
		return -1;
	}
	have_pin = 1;
	return 0;
}

static int store_teardown(void **state)
{
	char path[128];

	(void)state;
	if (!have_pin)
		return 0;
	snprintf(path, sizeof(path), "%s/%s", pin, LEARNERS_PIN);
	unlink(path);
	umount2(pin, MNT_DETACH);
	return rmdir(pin);
}

static void test_store(void **state)
{
	struct vip_key k1 = {.addr = {0x0a020010}, .port = 80, .family = 4, .proto = 6}, k2 = k1;
	struct learner_params p;
	struct learner l, back;
	struct learner_record r;
	char path[128];
	__u32 id = 5;
	int fd;

	(void)state;
	if (!have_pin)
		skip(); /* not root: no bpffs of our own */
	k2.port = 81;
	learner_defaults(&p);
	assert_int_equal(learner_init(&l, &p), 0);
	/* Nothing stored yet. */
	assert_int_equal(learner_store_load(pin, id, &k1, &back), 0);
	l.q[3][2] = 7.25;
	l.q[3][1] = -0.0; /* tried, 0 */
	l.weight = 2;
	l.iter = 123;
	assert_int_equal(learner_store_save(pin, id, &k1, &l), 0);
	memset(&back, 0, sizeof(back));
	assert_int_equal(learner_store_load(pin, id, &k1, &back), 1);
	assert_memory_equal(&back, &l, sizeof(l));
	/* The untried mark goes through the store; 0s stored before it read as untried. */
	assert_true(learner_tried(&back, 3, 1));
	assert_false(learner_tried(&back, 3, 0));
	/* Another VIP in the slot: not its learner. */
	assert_int_equal(learner_store_load(pin, id, &k2, &back), 0);
	/* A record that does not check is refused, and l is left alone. */
	snprintf(path, sizeof(path), "%s/%s", pin, LEARNERS_PIN);
	fd = bpf_obj_get(path);
	assert_true(fd >= 0);
	assert_int_equal(bpf_map_lookup_elem(fd, &id, &r), 0);
	r.l.weight = 99;
	assert_int_equal(bpf_map_update_elem(fd, &id, &r, BPF_ANY), 0);
	memset(&back, 0, sizeof(back));
	assert_true(learner_store_load(pin, id, &k1, &back) < 0);
	assert_int_equal(back.iter, 0);
	r.l.weight = 1;
	r.version = 77;
	assert_int_equal(bpf_map_update_elem(fd, &id, &r, BPF_ANY), 0);
	assert_true(learner_store_load(pin, id, &k1, &back) < 0);
	close(fd);
	/* Reset forgets it. */
	assert_int_equal(learner_store_reset(pin, id), 0);
	assert_int_equal(learner_store_load(pin, id, &k1, &back), 0);
	assert_int_not_equal(learner_store_save(pin, HAULER_MAX_VIPS, &k1, &l), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_params_valid),
	    cmocka_unit_test(test_params_invalid),
	    cmocka_unit_test(test_state),
	    cmocka_unit_test(test_reward),
	    cmocka_unit_test(test_dev_over),
	    cmocka_unit_test(test_q_update),
	    cmocka_unit_test(test_step),
	    cmocka_unit_test(test_episode),
	    cmocka_unit_test(test_greedy),
	    cmocka_unit_test(test_untried_first),
	    cmocka_unit_test(test_untried_every_action),
	    cmocka_unit_test(test_untried_mark),
	    cmocka_unit_test(test_deterministic),
	    cmocka_unit_test(test_check),
	    cmocka_unit_test_setup_teardown(test_store, store_setup, store_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
