// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * learn.c - the learner (user/learner.c) in the simulated cluster:
 * P4Wise's evaluation (docs/simulator.md).
 *
 *  accuracy  train one learner while the offered rate changes every
 *            `hold` iterations, then hold each rate of --rates and count
 *            the iterations whose weight is the label: 0 (6:0) below
 *            --turning, 1 (6:1) from it on;
 *  adapt     train at one rate with one SmartNIC per server, add a
 *            second at --add-at and follow the moving accuracy against
 *            the labels before (--turning-before) and after (--turning).
 *
 * One iteration: the cluster runs iter-s seconds at the weights in force;
 * the learner sees the CPUs' mean busy share (what averaging the agents'
 * reports over the iteration gives), the P99 of the iteration's requests
 * and whether a device was offered more than it can serve.
 */
#include <stdlib.h>
#include <string.h>

#include "sim_cli.h"
#include "error.h"
#include "json.h"

struct episode {
	struct sim_cluster c;
	struct learner l;
	struct sim_rng rng;
	unsigned long iters;
};

static int episode_init(struct episode *e, const struct sim_opts *o, int nics)
{
	struct sim_config cfg = o->cfg;
	int ret;

	memset(e, 0, sizeof(*e));
	snprintf(cfg.policy, sizeof(cfg.policy), "wrr");
	cfg.params[0] = '\0';
	cfg.nics = nics;
	cfg.w_cpu = o->lp.w_cpu;
	cfg.w_nic = o->lp.w_start;
	ret = learner_init(&e->l, &o->lp);
	if (!ret)
		ret = sim_cluster_init(&e->c, &cfg);
	sim_rng_seed(&e->rng, cfg.seed ^ 0x5eed);
	return ret;
}

/* One learner iteration at rate; returns the accelerators' weight in force after it. */
static int episode_step(struct episode *e, const struct sim_opts *o, double rate, __u32 *weight)
{
	struct learner_obs obs;
	struct sim_window w;
	__u32 before = e->l.weight, after;

	if (sim_run(&e->c, rate, 0, o->iter_s, &w))
		return err_set(ERR_SYSTEM, "simulation failed");
	obs.cpu_util = w.cpu_util;
	obs.p99_us = w.p99 * 1e6;
	obs.overloaded = w.max_offered > 100;
	after = learner_step(&e->l, &obs);
	if (after != before && sim_cluster_set_weight(&e->c, HAULER_KIND_SMARTNIC, after))
		return err_set(ERR_SYSTEM, "ring rebuild failed");
	e->iters++;
	*weight = after;
	return 0;
}

static __u32 label(double rate, double turning)
{
	return rate >= turning ? 1 : 0;
}

static int accuracy(const struct sim_opts *o, struct json *j)
{
	struct episode e;
	unsigned long hits_all = 0, n_all = 0;
	double rate = o->rates[0];
	__u32 w;
	int i, r, ret;

	ret = episode_init(&e, o, o->cfg.nics);
	for (i = 0; !ret && i < o->train_iters; i++) {
		if (i % o->hold == 0) {
			rate = o->rates[sim_rng_next(&e.rng) % o->nrates];
			fprintf(stderr, "\rlearn %d servers: training %d/%d   ", o->cfg.servers, i,
				o->train_iters);
		}
		ret = episode_step(&e, o, rate, &w);
	}
	if (o->eval_epsilon >= 0)
		e.l.p.epsilon = o->eval_epsilon;
	json_array_begin(j, "rates");
	for (r = 0; !ret && r < o->nrates; r++) {
		unsigned long hits = 0, hist[4] = {0};

		fprintf(stderr, "\rlearn %d servers: rate %g (%d/%d)            ", o->cfg.servers,
			o->rates[r], r + 1, o->nrates);
		for (i = 0; !ret && i < o->settle + o->eval_iters; i++) {
			ret = episode_step(&e, o, o->rates[r], &w);
			if (i < o->settle)
				continue;
			hits += w == label(o->rates[r], o->turning);
			hist[w < 3 ? w : 3]++;
		}
		hits_all += hits;
		n_all += o->eval_iters;
		json_object_begin(j, NULL);
		json_double(j, "rate", o->rates[r]);
		json_uint(j, "label", label(o->rates[r], o->turning));
		json_double(j, "accuracy", (double)hits / o->eval_iters);
		json_array_begin(j, "weights_0_1_2_more");
		for (i = 0; i < 4; i++)
			json_uint(j, NULL, hist[i]);
		json_array_end(j);
		json_object_end(j);
	}
	json_array_end(j);
	fprintf(stderr, "\n");
	json_double(j, "accuracy", n_all ? (double)hits_all / n_all : 0);
	json_uint(j, "iterations", e.iters);
	sim_cluster_free(&e.c);
	return ret;
}

static int adapt(const struct sim_opts *o, struct json *j)
{
	struct episode e;
	char *hit = calloc(o->total_iters + 1, 1);
	long recovered = -1;
	int i, k, sum = 0, ret;
	__u32 w;

	if (!hit)
		return err_set(ERR_SYSTEM, "out of memory");
	ret = episode_init(&e, o, o->cfg.nics);
	json_array_begin(j, "moving_accuracy");
	for (i = 0; !ret && i < o->total_iters; i++) {
		int after = i >= o->add_at;

		if (i == o->add_at)
			ret = sim_cluster_add_nic(&e.c, e.l.weight, e.c.now);
		if (!ret)
			ret = episode_step(&e, o, o->adapt_rate, &w);
		hit[i] = w == label(o->adapt_rate, after ? o->turning : o->turning_before);
		sum += hit[i] - (i >= o->window ? hit[i - o->window] : 0);
		k = i + 1 < o->window ? i + 1 : o->window;
		if (i % 10 == 9)
			json_double(j, NULL, (double)sum / k);
		/* Recovered: a whole window after the change at 90% or more. */
		if (recovered < 0 && i - o->add_at + 1 >= o->window && sum * 10 >= o->window * 9)
			recovered = i - o->add_at + 1;
		if (i % 50 == 0)
			fprintf(stderr, "\rlearn adapt %d servers: %d/%d   ", o->cfg.servers, i,
				o->total_iters);
	}
	fprintf(stderr, "\n");
	json_array_end(j);
	json_uint(j, "add_at", o->add_at);
	json_uint(j, "window", o->window);
	if (recovered >= 0)
		json_uint(j, "recovered_after", recovered);
	else
		json_null(j, "recovered_after");
	sim_cluster_free(&e.c);
	free(hit);
	return ret;
}

int sim_learn(const struct sim_opts *o, FILE *out)
{
	char params[256];
	struct json j;
	int ret;

	if (!o->nrates && !strcmp(o->experiment, "accuracy"))
		return err_set(ERR_INPUT, "learn accuracy needs --rates");
	if (strcmp(o->experiment, "accuracy") && strcmp(o->experiment, "adapt"))
		return err_set(ERR_INPUT, "unknown experiment '%s' (accuracy, adapt)",
			       o->experiment);
	if (!strcmp(o->experiment, "adapt") && !(o->adapt_rate > 0))
		return err_set(ERR_INPUT, "learn adapt needs --rate");
	json_init(&j, out);
	json_object_begin(&j, NULL);
	json_string(&j, "experiment", o->experiment);
	json_uint(&j, "servers", o->cfg.servers);
	json_uint(&j, "nics", o->cfg.nics);
	json_double(&j, "iter_s", o->iter_s);
	json_double(&j, "turning", o->turning);
	learner_params_format(&o->lp, params, sizeof(params));
	json_string(&j, "learner", params);
	ret = !strcmp(o->experiment, "adapt") ? adapt(o, &j) : accuracy(o, &j);
	json_object_end(&j);
	json_finish(&j);
	return ret;
}
