// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* learner.c - P4Wise's Q-learning weight tuner (see learner.h). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "learner.h"
#include "args.h"
#include "error.h"
#include "json.h"

#define REWARD_OVER	-10
#define REWARD_GOOD	10
#define REWARD_OTHER	-1
#define LEARNER_W_LIMIT 1000 /* a device weight is 16 bits; rings scale anyway */
/* A queue that fell to under this share of itself over an iteration drained. */
#define LEARNER_DRAINED 0.75

void learner_defaults(struct learner_params *p)
{
	memset(p, 0, sizeof(*p));
	p->buckets = 10;
	p->alpha = 0.5;
	p->gamma = 0.5;
	p->epsilon = 0.1;
	p->slo_us = 1000000;
	p->threshold = 60;
	p->w_cpu = 6;
	p->w_max = 6;
	p->w_start = 0;
	p->interval_ms = 1000;
	p->seed = 1;
}

/* A real number in [min, max] (open at an end when the flag says so). */
static int parse_real(const char *s, double min, int min_open, double max, int max_open,
		      const char *what, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = s && *s ? strtod(s, &end) : NAN;
	if (!s || !*s || errno || *end || !isfinite(v) || v < min || (min_open && v == min) ||
	    v > max || (max_open && v == max))
		return err_set(ERR_INPUT, "bad %s '%s' (%s%g..%g%s)", what, s ? s : "",
			       min_open ? "above " : "", min, max,
			       max_open ? ", not included" : "");
	*out = v;
	return 0;
}

int learner_params_check(const struct learner_params *p)
{
	if (p->buckets < 1 || p->buckets > LEARNER_MAX_BUCKETS)
		return err_set(ERR_INPUT, "buckets %u: 1..%u", p->buckets, LEARNER_MAX_BUCKETS);
	if (!(p->alpha > 0 && p->alpha <= 1) || !(p->gamma >= 0 && p->gamma < 1) ||
	    !(p->epsilon >= 0 && p->epsilon <= 1))
		return err_set(ERR_INPUT, "alpha (0..1], gamma [0..1), epsilon [0..1]");
	if (!p->slo_us || p->threshold < 1 || p->threshold > 100)
		return err_set(ERR_INPUT, "slo-us above 0, threshold 1..100");
	if (!p->w_cpu || p->w_cpu > LEARNER_W_LIMIT || !p->w_max || p->w_max > LEARNER_W_LIMIT)
		return err_set(ERR_INPUT, "w-cpu and w-max 1..%u", LEARNER_W_LIMIT);
	if (p->w_start > p->w_max)
		return err_set(ERR_INPUT, "w-start %u is above w-max %u", p->w_start, p->w_max);
	if (p->interval_ms < 10 || p->interval_ms > 3600000)
		return err_set(ERR_INPUT, "interval-ms 10..3600000");
	return 0;
}

int learner_param_set(struct learner_params *p, const char *name, const char *value)
{
	struct learner_params n = *p;
	__u32 u;
	int ret;

	if (!strcmp(name, "alpha"))
		ret = parse_real(value, 0, 1, 1, 0, name, &n.alpha);
	else if (!strcmp(name, "gamma"))
		ret = parse_real(value, 0, 0, 1, 1, name, &n.gamma);
	else if (!strcmp(name, "epsilon"))
		ret = parse_real(value, 0, 0, 1, 0, name, &n.epsilon);
	else if (!strcmp(name, "buckets"))
		ret = parse_u32(value, 1, LEARNER_MAX_BUCKETS, name, &n.buckets);
	else if (!strcmp(name, "slo-us"))
		ret = parse_u32(value, 1, 0xffffffffu - 1, name, &n.slo_us);
	else if (!strcmp(name, "threshold"))
		ret = parse_u32(value, 1, 100, name, &n.threshold);
	else if (!strcmp(name, "w-cpu"))
		ret = parse_u32(value, 1, LEARNER_W_LIMIT, name, &n.w_cpu);
	else if (!strcmp(name, "w-max"))
		ret = parse_u32(value, 1, LEARNER_W_LIMIT, name, &n.w_max);
	else if (!strcmp(name, "w-start"))
		ret = parse_u32(value, 0, LEARNER_W_LIMIT, name, &n.w_start);
	else if (!strcmp(name, "interval-ms"))
		ret = parse_u32(value, 10, 3600000, name, &n.interval_ms);
	else if (!strcmp(name, "seed")) {
		ret = parse_u32(value, 0, 0xffffffffu, name, &u);
		n.seed = u;
	} else
		ret = err_set(ERR_INPUT,
			      "unknown learner parameter '%s' (buckets alpha gamma epsilon slo-us "
			      "threshold w-cpu w-max w-start interval-ms seed)",
			      name);
	if (ret)
		return ret;
	*p = n;
	return 0;
}

int learner_params_parse(struct learner_params *p, int argc, char **argv)
{
	struct learner_params n = *p;
	int i, ret;

	for (i = 0; i < argc; i += 2) {
		if (i + 1 >= argc)
			return err_set(ERR_INPUT, "learner parameter '%s' needs a value", argv[i]);
		ret = learner_param_set(&n, argv[i], argv[i + 1]);
		if (ret)
			return ret;
	}
	ret = learner_params_check(&n);
	if (ret)
		return ret;
	*p = n;
	return 0;
}

void learner_params_format(const struct learner_params *p, char *buf, size_t len)
{
	snprintf(buf, len,
		 "buckets %u alpha %g gamma %g epsilon %g slo-us %u threshold %u w-cpu %u "
		 "w-max %u w-start %u interval-ms %u seed %llu",
		 p->buckets, p->alpha, p->gamma, p->epsilon, p->slo_us, p->threshold, p->w_cpu,
		 p->w_max, p->w_start, p->interval_ms, (unsigned long long)p->seed);
}

int learner_init(struct learner *l, const struct learner_params *p)
{
	int ret = learner_params_check(p);

	if (ret)
		return ret;
	memset(l, 0, sizeof(*l));
	l->p = *p;
	l->weight = p->w_start;
	l->state = -1;
	l->action = LEARN_KEEP;
	l->rng = p->seed * 0x9e3779b97f4a7c15ull + 1;
	return 0;
}

int learner_state(const struct learner_params *p, double cpu_util, __u32 weight)
{
	int b;

	if (!(cpu_util > 0))
		cpu_util = 0;
	/* Bucket b holds [100 b / N, 100 (b + 1) / N); 100% and above the last. */
	b = (int)(cpu_util * p->buckets / 100.0);
	if (b >= (int)p->buckets)
		b = p->buckets - 1;
	return b + (weight ? (int)p->buckets : 0);
}

int learner_reward(const struct learner_params *p, const struct learner_obs *o, __u32 weight)
{
	int slo_met = o->p99_us < p->slo_us;

	if (o->overloaded)
		return REWARD_OVER;
	if (!weight && slo_met)
		return REWARD_GOOD;
	if (weight && slo_met && o->cpu_util > p->threshold)
		return REWARD_GOOD;
	return REWARD_OTHER;
}

int learner_dev_over(const struct learner_dev_obs *d)
{
	if (d->offered_pct >= 0)
		return d->offered_pct > 100;
	if (d->queue_late < LEARNER_DRAINED * d->queue_early)
		return 0; /* catching up: the backlog of the weight before */
	return d->samples && (d->full >= d->samples || d->queued >= d->samples);
}

/*
 * An action never tried in a state holds Q = +0.0, as learner_init (or a
 * record stored before the untried rule) left it; learner_update never
 * leaves +0.0 behind: a value that comes out 0 is stored as -0.0, equal to
 * 0 in every comparison and sum. So the mark takes no room in the stored
 * record, and an old record's zeros read as untried (docs/learner.md).
 */
int learner_tried(const struct learner *l, int s, int a)
{
	return l->q[s][a] != 0 || signbit(l->q[s][a]);
}

void learner_mark_tried(struct learner *l)
{
	int s, a;

	for (s = 0; s < LEARNER_MAX_STATES; s++)
		for (a = 0; a < LEARNER_ACTIONS; a++)
			if (!learner_tried(l, s, a))
				l->q[s][a] = -0.0;
}

void learner_update(struct learner *l, int s, int a, double r, int s_next)
{
	double best = l->q[s_next][0], q;
	int i;

	for (i = 1; i < LEARNER_ACTIONS; i++)
		if (l->q[s_next][i] > best)
			best = l->q[s_next][i];
	q = l->q[s][a] + l->p.alpha * (r + l->p.gamma * best - l->q[s][a]);
	l->q[s][a] = q == 0 ? -0.0 : q; /* tried: never +0.0 (learner_tried) */
}

/* xorshift64*: the exploration draws, reproducible from the seed. */
static __u64 learner_rand(struct learner *l)
{
	l->rng ^= l->rng >> 12;
	l->rng ^= l->rng << 25;
	l->rng ^= l->rng >> 27;
	return l->rng * 0x2545f4914f6cdd1dull;
}

/*
 * epsilon-greedy, except that an action never tried in s goes first: its
 * Q of 0 is no estimate, and below actions that earned a little it would
 * wait until they had lost it all (docs/learner.md). Equal best values,
 * and the untried ones, are drawn at random.
 */
static int choose(struct learner *l, int s)
{
	int best[LEARNER_ACTIONS], n = 0, a;

	if ((double)(learner_rand(l) >> 11) / 9007199254740992.0 < l->p.epsilon)
		return (int)(learner_rand(l) % LEARNER_ACTIONS);
	for (a = 0; a < LEARNER_ACTIONS; a++)
		if (!learner_tried(l, s, a))
			best[n++] = a;
	if (n)
		return best[learner_rand(l) % n];
	for (a = 0; a < LEARNER_ACTIONS; a++) {
		if (n && l->q[s][a] < l->q[s][best[0]])
			continue;
		if (n && l->q[s][a] > l->q[s][best[0]])
			n = 0;
		best[n++] = a;
	}
	return best[learner_rand(l) % n];
}

__u32 learner_step(struct learner *l, const struct learner_obs *o)
{
	int s = learner_state(&l->p, o->cpu_util, l->weight);

	l->reward = learner_reward(&l->p, o, l->weight);
	if (l->state >= 0)
		learner_update(l, l->state, l->action, l->reward, s);
	l->state = s;
	l->action = choose(l, s);
	if (l->action == LEARN_UP && l->weight < l->p.w_max)
		l->weight++;
	else if (l->action == LEARN_DOWN && l->weight > 0)
		l->weight--;
	l->iter++;
	return l->weight;
}

void learner_episode_begin(struct learner *l)
{
	l->state = -1; /* learner_step updates nothing for the first observation */
}

int learner_check(const struct learner *l)
{
	int s, a, ret = learner_params_check(&l->p);

	if (ret)
		return ret;
	if (l->weight > l->p.w_max || l->state < -1 || l->state >= 2 * (int)l->p.buckets ||
	    l->action < 0 || l->action >= LEARNER_ACTIONS || !isfinite(l->reward))
		return err_set(ERR_INPUT, "learner record out of range");
	for (s = 0; s < LEARNER_MAX_STATES; s++)
		for (a = 0; a < LEARNER_ACTIONS; a++)
			if (!isfinite(l->q[s][a]))
				return err_set(ERR_INPUT, "learner Q-table holds a non-number");
	return 0;
}

const char *learner_action_name(int a)
{
	static const char *const names[] = {"-1", "keep", "+1"};

	return a >= 0 && a < LEARNER_ACTIONS ? names[a] : "?";
}

void learner_json_q(const struct learner *l, struct json *j, const char *key)
{
	__u32 s;
	int a;

	json_array_begin(j, key);
	for (s = 0; s < 2 * l->p.buckets; s++) {
		json_array_begin(j, NULL);
		for (a = 0; a < LEARNER_ACTIONS; a++)
			if (learner_tried(l, s, a))
				json_double(j, NULL, l->q[s][a] + 0.0); /* + 0.0: no "-0" */
			else
				json_null(j, NULL); /* never tried */
		json_array_end(j);
	}
	json_array_end(j);
}

void learner_print(const struct learner *l, FILE *out)
{
	char params[256];
	__u32 b;
	int a;

	learner_params_format(&l->p, params, sizeof(params));
	fprintf(out, "params: %s\n", params);
	fprintf(out, "iterations %llu  weights cpu:accelerator %u:%u\n",
		(unsigned long long)l->iter, l->p.w_cpu, l->weight);
	if (l->state < 0)
		fprintf(out, "state -  last action -  last reward -\n");
	else
		fprintf(
		    out,
		    "state %d (cpu %u..%u%%, accelerators %s)  last action %s  last reward %g\n",
		    l->state, (l->state % l->p.buckets) * 100 / l->p.buckets,
		    (l->state % l->p.buckets + 1) * 100 / l->p.buckets,
		    l->state >= (int)l->p.buckets ? "in use" : "unused",
		    learner_action_name(l->action), l->reward);
	fprintf(out, "%-6s %-10s %-6s %9s %9s %9s\n", "state", "cpu %", "accel", "Q(-1)", "Q(keep)",
		"Q(+1)");
	for (b = 0; b < 2 * l->p.buckets; b++) {
		fprintf(out, "%-6u %3u..%-5u %-6s", b, (b % l->p.buckets) * 100 / l->p.buckets,
			(b % l->p.buckets + 1) * 100 / l->p.buckets,
			b >= l->p.buckets ? "used" : "-");
		for (a = 0; a < LEARNER_ACTIONS; a++)
			if (learner_tried(l, b, a))
				fprintf(out, " %9.3f", l->q[b][a] + 0.0); /* + 0.0: no "-0.000" */
			else
				fprintf(out, " %9s", "untried");
		fputc('\n', out);
	}
}
