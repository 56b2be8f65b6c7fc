// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cmd_learn.c - hauler learn VIP [PARAMS] | show VIP | reset VIP: the
 * P4Wise learner (learner.h) on the live, pinned state (docs/learner.md).
 *
 * Every interval-ms is one iteration: dev_state is sampled ten times;
 * the VIP's CPU devices' mean cmp is the utilization, the highest fresh
 * latency_us of the devices in use at the iteration's end is the P99 (the
 * agents report what the application pushes to their latency socket:
 * its P99 over about one interval), and a device that reported cmp 100,
 * or requests waiting, in every sample counts as over 100%
 * (learner_dev_over).
 * The learner's new weights go through the manager's normal commit (the
 * same as `hauler device set NAME weight W`: new rings, one flip each),
 * and the learner is stored after every iteration (learner_store.h), so a
 * restarted `hauler learn` goes on where it stopped.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lock.h"
#include "cmd.h"
#include "log.h"
#include "error.h"
#include "json.h"
#include "args.h"
#include "learner.h"
#include "learner_store.h"
#include "model_maps.h"
#include "select/cand.h"
#include "hauler_report.h"

#define LEARN_SAMPLES 10
#define LEARN_USAGE                                                                                \
	"usage: hauler learn VIP [PARAMS] [--iterations N] [--settle N] | "                        \
	"hauler learn show VIP | hauler learn reset VIP"

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void sleep_ms(__u32 ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};

	nanosleep(&ts, NULL); /* a signal ends it early; the loop sees `stopping` */
}

/* The VIP's id in the loaded model, or -ERR_INPUT. */
static int find_vip(struct cmd_ctx *c, const char *text, struct vip_key *key)
{
	int id, ret;

	if (parse_vip(text, key))
		return -ERR_INPUT;
	ret = ctx_load(c);
	if (ret)
		return ret;
	id = model_vip_find(c->cur, key);
	if (id < 0)
		return err_set(ERR_INPUT, "no VIP %s", text);
	return id;
}

/* What one iteration saw of the VIP's devices. */
struct learn_sample {
	double cmp_sum[HAULER_MAX_DEVICES];
	int full[HAULER_MAX_DEVICES];		 /* samples at cmp 100 */
	int queued[HAULER_MAX_DEVICES];		 /* samples with requests waiting */
	double queue_sum[2][HAULER_MAX_DEVICES]; /* queue (%) summed: first, second half */
	__u32 latency[HAULER_MAX_DEVICES];	 /* at the newest sample; 0: none fresh */
	int samples;
};

static int vip_device(const struct model *m, int vip, int d)
{
	const struct device_info *dev = &m->devices[d];

	return dev->in_use && m->servers[dev->server].in_use &&
	       m->servers[dev->server].vip_id == vip;
}

static int take_sample(struct cmd_ctx *c, int vip, struct learn_sample *s, struct dev_state *st)
{
	const struct policy_params *p = &c->cur->params[c->cur->vips[vip].info.policy_slot];
	__u64 now;
	int d;

	if (maps_read_array_locked(c->maps.dev_state, HAULER_MAX_DEVICES, st, sizeof(*st)))
		return err_set(ERR_SYSTEM, "cannot read dev_state");
	now = now_ns();
	for (d = 0; d < HAULER_MAX_DEVICES; d++) {
		if (!vip_device(c->cur, vip, d))
			continue;
		s->cmp_sum[d] += st[d].cmp;
		s->full[d] += st[d].cmp >= HAULER_REPORT_MAX_PCT;
		s->queued[d] += st[d].queue > 0;
		s->queue_sum[s->samples >= LEARN_SAMPLES / 2][d] += st[d].queue;
		/*
		 * The latency of the newest sample only: the application's P99
		 * covers its recent requests, and those of the iteration's
		 * start were served partly before the weight in force now
		 * (the reward would go to the wrong weight).
		 */
		s->latency[d] = !select_dev_stale(&st[d], now, p->stale_ms, p->stale_periods)
				    ? st[d].latency_us
				    : 0;
	}
	s->samples++;
	return 0;
}

/*
 * The observation of an iteration at accelerator weight w; *over: the
 * first device over 100%, or -1. Returns 0, or 1 when no latency.
 */
static int observe(const struct model *m, int vip, const struct learn_sample *s, __u32 w,
		   struct learner_obs *o, int *over)
{
	double cpu = 0;
	int d, ncpu = 0, have_latency = 0;

	memset(o, 0, sizeof(*o));
	*over = -1;
	for (d = 0; d < HAULER_MAX_DEVICES; d++) {
		int is_cpu = m->devices[d].kind == HAULER_KIND_CPU;
		struct learner_dev_obs dev;

		if (!vip_device(m, vip, d) || !s->samples)
			continue;
		if (is_cpu) {
			cpu += s->cmp_sum[d] / s->samples;
			ncpu++;
		}
		dev = (struct learner_dev_obs){
		    .samples = s->samples,
		    .full = s->full[d],
		    .queued = s->queued[d],
		    .queue_early = s->queue_sum[0][d] / (LEARN_SAMPLES / 2),
		    .queue_late = s->queue_sum[1][d] / (LEARN_SAMPLES - LEARN_SAMPLES / 2),
		    .offered_pct = -1};
		if (learner_dev_over(&dev) && *over < 0)
			*over = d;
		if ((is_cpu || w) && s->latency[d]) {
			have_latency = 1;
			if (s->latency[d] > o->p99_us)
				o->p99_us = s->latency[d];
		}
	}
	o->overloaded = *over >= 0;
	o->cpu_util = ncpu ? cpu / ncpu : 0;
	if (!have_latency)
		o->p99_us = 1e300; /* unknown: never under the SLO */
	return !have_latency;
}

/* The learner's weights into cur: w-cpu on the CPUs, w on every accelerator. */
static void set_weights(struct model *m, int vip, const struct learner *l)
{
	int d;

	for (d = 0; d < HAULER_MAX_DEVICES; d++)
		if (vip_device(m, vip, d))
			m->devices[d].weight =
			    m->devices[d].kind == HAULER_KIND_CPU ? l->p.w_cpu : l->weight;
}

/*
 * Commit the learner's weights on the configuration as it is now, under
 * the writers' lock: read afresh, so a command given while the learner
 * sampled is kept, not overwritten by the model of the iteration's start.
 * The model stays loaded for the caller; the lock is dropped.
 */
static int commit_weights(struct cmd_ctx *c, const struct vip_key *key, const struct learner *l)
{
	int vip, ret;

	ctx_release(c);
	ret = c->dry_run ? 0 : ctx_lock(c);
	if (!ret)
		ret = ctx_load(c);
	if (!ret) {
		vip = model_vip_find(c->cur, key);
		if (vip < 0)
			ret = err_set(ERR_INPUT, "the VIP is gone");
	}
	if (!ret) {
		set_weights(c->cur, vip, l);
		ret = ctx_commit(c);
	}
	if (c->locked)
		lock_release(c->lock_fd);
	c->locked = 0;
	return ret;
}

/* Load the stored learner of the VIP, with params given on top; or a new one. */
static int learner_start(struct cmd_ctx *c, int vip, const struct vip_key *key, int argc,
			 char **argv, struct learner *l)
{
	struct learner_params p;
	int found, ret;

	found = learner_store_load(c->pin, vip, key, l);
	if (found < 0)
		return found;
	if (!found)
		learner_defaults(&p);
	else
		p = l->p;
	ret = learner_params_parse(&p, argc, argv);
	if (ret)
		return ret;
	if (!found)
		return learner_init(l, &p);
	if (p.buckets != l->p.buckets)
		return err_set(
		    ERR_INPUT,
		    "buckets %u differs from the stored learner's %u: hauler learn reset "
		    "VIP first",
		    p.buckets, l->p.buckets);
	l->p = p;
	if (l->weight > p.w_max)
		l->weight = p.w_max;
	return 0;
}

/*
 * One iteration: sample, observe, learn and commit. While *settle_left
 * (the iterations after a weight change, --settle) it only observes and
 * prints, and returns 1: the queues work off what the weight before left
 * them, and that is no measure of the new weight.
 */
static int learn_iteration(struct cmd_ctx *c, int vip, const struct vip_key *key, struct learner *l,
			   struct dev_state *st, int *warned, __u32 settle, __u32 *settle_left)
{
	struct learn_sample *s = calloc(1, sizeof(*s));
	struct learner_obs o;
	int i, ret = 0, none, over;
	__u32 before = l->weight;
	char over_name[HAULER_NAME_LEN + 16] = "";

	if (!s)
		return err_set(ERR_SYSTEM, "out of memory");
	for (i = 0; i < LEARN_SAMPLES && !ret && !stopping; i++) {
		sleep_ms(l->p.interval_ms / LEARN_SAMPLES);
		ret = take_sample(c, vip, s, st);
	}
	if (ret || stopping) {
		free(s);
		return ret;
	}
	none = observe(c->cur, vip, s, l->weight, &o, &over);
	free(s);
	if (over >= 0)
		snprintf(over_name, sizeof(over_name), " overloaded %.*s", HAULER_NAME_LEN,
			 c->cur->devices[over].name);
	if (none && !*warned) {
		log_warn("no device of the VIP reports a latency (hauler-agent --latency-socket): "
			 "the SLO counts as missed");
		*warned = 1;
	}
	if (*settle_left) {
		(*settle_left)--;
		printf("settle cpu %.1f%% p99 %.0f us%s weights %u:%u\n", o.cpu_util,
		       none ? -1.0 : o.p99_us, over_name, l->p.w_cpu, l->weight);
		fflush(stdout);
		return 1;
	}
	learner_step(l, &o);
	printf("iteration %llu cpu %.1f%% p99 %.0f us%s reward %g action %s weights %u:%u\n",
	       (unsigned long long)l->iter, o.cpu_util, none ? -1.0 : o.p99_us, over_name,
	       l->reward, learner_action_name(l->action), l->p.w_cpu, l->weight);
	fflush(stdout);
	if (l->weight != before) {
		ret = commit_weights(c, key, l);
		*settle_left = settle;
	}
	if (!ret && !c->dry_run)
		ret = learner_store_save(c->pin, vip, key, l);
	return ret;
}

static int learn_loop(struct cmd_ctx *c, int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = on_signal};
	struct dev_state *st = calloc(HAULER_MAX_DEVICES, sizeof(*st));
	__u32 iterations = 0, done = 0, settle = 0, settle_left = 0;
	struct vip_key key;
	struct learner l;
	int vip, ret = 0, warned = 0, end = argc;

	if (!st)
		return err_set(ERR_SYSTEM, "out of memory");
	/* The run's options, after the parameters: --iterations N, --settle N. */
	while (end >= 3 && !ret) {
		if (!strcmp(argv[end - 2], "--iterations"))
			ret = parse_u32(argv[end - 1], 1, 1000000000, "iterations", &iterations);
		else if (!strcmp(argv[end - 2], "--settle"))
			ret = parse_u32(argv[end - 1], 0, 1000, "settle", &settle);
		else
			break;
		end -= 2;
	}
	if (ret)
		goto out;
	vip = find_vip(c, argv[0], &key);
	ret = vip < 0 ? vip : learner_start(c, vip, &key, end - 1, argv + 1, &l);
	if (ret)
		goto out;
	/* Start from the learner's weights: w-start, or where it stopped. */
	ret = commit_weights(c, &key, &l);
	if (ret)
		goto out;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	printf("hauler learn: VIP %s from weights %u:%u, %llu iterations learned before\n", argv[0],
	       l.p.w_cpu, l.weight, (unsigned long long)l.iter);
	fflush(stdout);
	while (!stopping && (!iterations || done < iterations)) {
		/* Each iteration reads the configuration afresh: commands may change it. */
		ctx_release(c);
		vip = find_vip(c, argv[0], &key);
		ret = vip < 0
			  ? vip
			  : learn_iteration(c, vip, &key, &l, st, &warned, settle, &settle_left);
		if (ret == 1) {
			ret = 0;
			continue; /* settling: not an iteration of the learner */
		}
		if (ret)
			break;
		done++;
	}
out:
	free(st);
	return ret;
}

static void show_json(const struct learner *l, const char *vip, FILE *out)
{
	char params[256];
	struct json j;

	learner_params_format(&l->p, params, sizeof(params));
	json_init(&j, out);
	json_object_begin(&j, NULL);
	json_string(&j, "vip", vip);
	json_string(&j, "params", params);
	json_uint(&j, "iterations", l->iter);
	json_uint(&j, "weight_cpu", l->p.w_cpu);
	json_uint(&j, "weight_accelerators", l->weight);
	if (l->state < 0) {
		json_null(&j, "state");
		json_null(&j, "last_action");
		json_null(&j, "last_reward");
	} else {
		json_uint(&j, "state", l->state);
		json_string(&j, "last_action", learner_action_name(l->action));
		json_double(&j, "last_reward", l->reward);
	}
	learner_json_q(l, &j, "q");
	json_object_end(&j);
	json_finish(&j);
}

int learn_run(struct cmd_ctx *c, int argc, char **argv)
{
	struct vip_key key;
	struct learner l;
	int vip, found;

	if (argc < 1)
		return err_set(ERR_INPUT, LEARN_USAGE);
	if (strcmp(argv[0], "show") && strcmp(argv[0], "reset")) {
		log_set_prefix("hauler learn");
		return learn_loop(c, argc, argv);
	}
	if (argc != 2)
		return err_set(ERR_INPUT, LEARN_USAGE);
	vip = find_vip(c, argv[1], &key);
	if (vip < 0)
		return vip;
	if (!strcmp(argv[0], "reset"))
		return c->dry_run ? 0 : learner_store_reset(c->pin, vip);
	found = learner_store_load(c->pin, vip, &key, &l);
	if (found < 0)
		return found;
	if (!found)
		return err_set(ERR_INPUT, "VIP %s has no learner (hauler learn %s)", argv[1],
			       argv[1]);
	if (c->json)
		show_json(&l, argv[1], stdout);
	else
		learner_print(&l, stdout);
	return 0;
}
