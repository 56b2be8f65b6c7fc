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
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim_cli.h"
#include "error.h"
#include "json.h"

#define LEARNER_W_MAX_TABLE 8 /* reward: weights 0..8 at most */

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

/*
 * One learner iteration at rate; returns the accelerators' weight in force
 * after it, and (p99, when not NULL) the iteration's P99 in seconds.
 */
static int episode_step_p99(struct episode *e, const struct sim_opts *o, double rate, __u32 *weight,
			    double *p99)
{
	struct learner_dev_obs dev = {0};
	struct learner_obs obs;
	struct sim_window w;
	__u32 before = e->l.weight, after;

	if (sim_run(&e->c, rate, 0, o->iter_s, &w))
		return err_set(ERR_SYSTEM, "simulation failed");
	obs.cpu_util = w.cpu_util;
	obs.p99_us = w.p99 * 1e6;
	/*
	 * "A device over 100%" (learner_dev_over, which live estimates from
	 * the reports): any device offered more than it serves in the
	 * iteration, or (--overload kind) the devices of a kind together. The
	 * first is the text of Algorithm 1, but its maximum over hundreds of
	 * devices grows with their number from Poisson noise alone.
	 */
	dev.offered_pct = o->overload_kind ? fmax(w.cpu_offered, w.nic_offered) : w.max_offered;
	obs.overloaded = learner_dev_over(&dev);
	after = learner_step(&e->l, &obs);
	if (o->trace)
		fprintf(stderr,
			"trace rate %g weight %u cpu %.1f p99 %.3f over %d state %d reward %g "
			"action %s -> %u\n",
			rate, before, obs.cpu_util, w.p99, obs.overloaded, e->l.state, e->l.reward,
			learner_action_name(e->l.action), after);
	if (after != before && sim_cluster_set_weight(&e->c, HAULER_KIND_SMARTNIC, after))
		return err_set(ERR_SYSTEM, "ring rebuild failed");
	e->iters++;
	*weight = after;
	if (p99)
		*p99 = w.p99;
	return 0;
}

static int episode_step(struct episode *e, const struct sim_opts *o, double rate, __u32 *weight)
{
	return episode_step_p99(e, o, rate, weight, NULL);
}

/*
 * The weight read out after iteration i: the one held most often over the
 * last k iterations (held[] is a ring of the weights in force; equal
 * counts go to the newest). k = 1: the weight in force.
 */
static __u32 readout(const __u32 *held, int i, int k)
{
	int cnt[LEARNER_W_MAX_TABLE + 2] = {0}, n, best = -1, b;
	__u32 w, pick = held[i % SIM_READOUT_MAX];

	for (n = 0; n < k && n <= i; n++) {
		w = held[(i - n) % SIM_READOUT_MAX];
		b = w <= LEARNER_W_MAX_TABLE ? (int)w : LEARNER_W_MAX_TABLE + 1;
		if (++cnt[b] > best) {
			best = cnt[b];
			pick = w;
		}
	}
	return pick;
}

static __u32 label(double rate, double turning)
{
	return rate >= turning ? 1 : 0;
}

static int accuracy(const struct sim_opts *o, struct json *j)
{
	static double q[LEARNER_MAX_STATES][LEARNER_ACTIONS];
	__u32 held[SIM_READOUT_MAX];
	struct episode e;
	unsigned long hits_all = 0, n_all = 0;
	double rate = o->rates[0];
	__u32 w;
	int i, r, ret;

	ret = episode_init(&e, o, o->cfg.nics);
	for (i = 0; !ret && i < o->train_iters; i++) {
		if (i % o->hold == 0) {
			rate = o->rates[sim_rng_next(&e.rng) % o->nrates];
			if (o->episodes)
				learner_episode_begin(&e.l);
			fprintf(stderr, "\rlearn %d servers: training %d/%d   ", o->cfg.servers, i,
				o->train_iters);
		}
		ret = episode_step(&e, o, rate, &w);
	}
	learner_json_q(&e.l, j, "q_trained"); /* the trained Q-table */
	if (o->eval_epsilon >= 0)
		e.l.p.epsilon = o->eval_epsilon;
	/* Frozen: trying an action teaches nothing; greedy on the table as it is. */
	if (!o->eval_learn)
		learner_mark_tried(&e.l);
	json_array_begin(j, "rates");
	for (r = 0; !ret && r < o->nrates; r++) {
		unsigned long hits = 0, hist[4] = {0};
		double p99 = 0, p99_sum = 0;

		fprintf(stderr, "\rlearn %d servers: rate %g (%d/%d)            ", o->cfg.servers,
			o->rates[r], r + 1, o->nrates);
		if (o->episodes)
			learner_episode_begin(&e.l);
		for (i = 0; !ret && i < o->settle + o->eval_iters; i++) {
			/* Frozen (--eval-learn 0): the trained greedy policy, Q unchanged. */
			if (!o->eval_learn)
				memcpy(q, e.l.q, sizeof(q));
			ret = episode_step_p99(&e, o, o->rates[r], &w, &p99);
			if (!o->eval_learn)
				memcpy(e.l.q, q, sizeof(q));
			held[i % SIM_READOUT_MAX] = w;
			if (i < o->settle)
				continue;
			p99_sum += p99;
			w = readout(held, i, o->readout);
			hits += w == label(o->rates[r], o->turning);
			hist[w < 3 ? w : 3]++;
		}
		hits_all += hits;
		n_all += o->eval_iters;
		json_object_begin(j, NULL);
		json_double(j, "rate", o->rates[r]);
		json_uint(j, "label", label(o->rates[r], o->turning));
		json_double(j, "accuracy", (double)hits / o->eval_iters);
		/* What the learned weights gave: the mean of the measured iterations' P99. */
		json_double(j, "p99_s", p99_sum / o->eval_iters);
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

/*
 * What Algorithm 1 itself prefers: every weight 0..w-max held at every
 * rate (settle iterations, then eval-iters iterations rewarded by
 * learner_reward). A learner can only find the label where the label's
 * weight earns the highest mean reward; where weights tie, it has nothing
 * to choose by. bound: the accuracy of always taking a best weight (ties
 * shared): what a learner that follows this reward at each rate reaches.
 */
static int reward_table(const struct sim_opts *o, struct json *j)
{
	double bound = 0, mean[LEARNER_W_MAX_TABLE + 1];
	__u32 nw = o->lp.w_max < LEARNER_W_MAX_TABLE ? o->lp.w_max : LEARNER_W_MAX_TABLE, wt;
	int i, r, ret = 0;

	json_array_begin(j, "rates");
	for (r = 0; !ret && r < o->nrates; r++) {
		double best = -1e9;
		int nbest = 0, lab_best = 0;

		for (wt = 0; !ret && wt <= nw; wt++) {
			struct sim_opts one = *o;
			struct episode e;
			__u32 w;
			long sum = 0;

			fprintf(stderr, "\rreward %d servers: rate %g weight %u   ", o->cfg.servers,
				o->rates[r], wt);
			one.lp.w_start = wt;
			one.lp.epsilon = 0;
			ret = episode_init(&e, &one, o->cfg.nics);
			for (i = 0; !ret && i < o->settle + o->eval_iters; i++) {
				e.l.weight = wt; /* held: the learner's choice is ignored */
				ret = episode_step(&e, &one, o->rates[r], &w);
				if (!ret && e.l.weight != wt)
					ret =
					    sim_cluster_set_weight(&e.c, HAULER_KIND_SMARTNIC, wt);
				if (i >= o->settle)
					sum += (long)e.l.reward;
			}
			sim_cluster_free(&e.c);
			mean[wt] = (double)sum / o->eval_iters;
			if (mean[wt] > best)
				best = mean[wt];
		}
		for (wt = 0; wt <= nw; wt++)
			if (mean[wt] == best) {
				nbest++;
				lab_best |= wt == label(o->rates[r], o->turning);
			}
		bound += lab_best ? 1.0 / nbest : 0;
		json_object_begin(j, NULL);
		json_double(j, "rate", o->rates[r]);
		json_uint(j, "label", label(o->rates[r], o->turning));
		json_array_begin(j, "mean_reward_by_weight");
		for (wt = 0; wt <= nw; wt++)
			json_double(j, NULL, mean[wt]);
		json_array_end(j);
		json_double(j, "label_best", lab_best ? 1.0 / nbest : 0);
		json_object_end(j);
	}
	json_array_end(j);
	fprintf(stderr, "\n");
	json_double(j, "bound", o->nrates ? bound / o->nrates : 0);
	return ret;
}

int sim_learn(const struct sim_opts *o, FILE *out)
{
	char params[256];
	struct json j;
	int ret;

	if (!o->nrates && strcmp(o->experiment, "adapt"))
		return err_set(ERR_INPUT, "learn %s needs --rates", o->experiment);
	if (strcmp(o->experiment, "accuracy") && strcmp(o->experiment, "adapt") &&
	    strcmp(o->experiment, "reward"))
		return err_set(ERR_INPUT, "unknown experiment '%s' (accuracy, adapt, reward)",
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
	json_string(&j, "overload", o->overload_kind ? "kind" : "any");
	json_uint(&j, "eval_learn", o->eval_learn);
	json_uint(&j, "episodes", o->episodes);
	if (!strcmp(o->experiment, "adapt"))
		ret = adapt(o, &j);
	else if (!strcmp(o->experiment, "reward"))
		ret = reward_table(o, &j);
	else
		ret = accuracy(o, &j);
	json_object_end(&j);
	json_finish(&j);
	return ret;
}
