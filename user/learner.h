/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * learner.h - P4Wise's weight tuner: tabular Q-learning over the weight
 * of a VIP's accelerators (docs/learner.md). The same code runs in
 * `hauler learn` (live, on the pinned state) and in hauler-sim.
 *
 *  - state: the servers' average CPU utilization in `buckets` buckets,
 *    times whether the accelerators are in use (weight > 0): 2N states;
 *  - actions: the accelerators' weight +1, -1 or unchanged (all of them
 *    together; the CPUs keep their weight), between 0 and w-max;
 *  - reward (P4Wise's Algorithm 1): -10 when a device is over 100%
 *    (demand above capacity: learner_dev_over);
 *    +10 when only the CPUs are used and P99 is under the SLO; +10 when
 *    every device is used, P99 is under the SLO and the CPUs are over the
 *    threshold; -1 otherwise;
 *  - Q(s,a) += alpha * (r + gamma * max Q(s',.) - Q(s,a)), epsilon-greedy,
 *    Q starts at 0, the weight starts at w-start (0: PRT's 6:0);
 *  - an action never tried in the state it is in is taken before the
 *    greedy choice (learner_tried): a Q of 0 is no estimate.
 */
#ifndef HAULER_LEARNER_H
#define HAULER_LEARNER_H

#include <stdio.h>
#include <linux/types.h>

#define LEARNER_ACTIONS	    3 /* weight -1, unchanged, +1 */
#define LEARNER_MAX_BUCKETS 50
#define LEARNER_MAX_STATES  (2 * LEARNER_MAX_BUCKETS)

enum learner_action { LEARN_DOWN = 0, LEARN_KEEP = 1, LEARN_UP = 2 };

struct learner_params {
	__u32 buckets;	   /* N: utilization buckets */
	double alpha;	   /* learning rate, (0, 1] */
	double gamma;	   /* discount, [0, 1) */
	double epsilon;	   /* exploration, [0, 1] */
	__u32 slo_us;	   /* the P99 target */
	__u32 threshold;   /* server CPU utilization (%) that makes accelerators pay */
	__u32 w_cpu;	   /* the CPUs' weight (fixed) */
	__u32 w_max;	   /* the accelerators' highest weight */
	__u32 w_start;	   /* the accelerators' first weight (0: PRT, 6:0) */
	__u32 interval_ms; /* live: one iteration */
	__u64 seed;	   /* exploration draws */
};

/* One iteration's measurement. */
struct learner_obs {
	double cpu_util; /* mean CPU utilization of the VIP's servers, % */
	double p99_us;	 /* P99 response time */
	int overloaded;	 /* some device over 100% (learner_dev_over) */
};

/*
 * What an iteration saw of one device, to judge "a device over 100%":
 * its demand above what it can serve. hauler-sim knows the demand
 * (offered_pct); live, the agents' reports sampled during the iteration
 * stand for it (offered_pct below 0).
 */
struct learner_dev_obs {
	unsigned int samples; /* reports read in the iteration */
	unsigned int full;    /* of them at cmp 100 (a report saturates at 100) */
	unsigned int queued;  /* of them with requests waiting (queue above 0) */
	double queue_early;   /* mean queue (%) of the iteration's first half of samples */
	double queue_late;    /* ... and of its second half */
	double offered_pct;   /* arrivals / service rate, %; below 0: not known */
};

struct learner {
	struct learner_params p;
	double q[LEARNER_MAX_STATES][LEARNER_ACTIONS];
	__u32 weight;  /* the accelerators' weight now */
	int state;     /* -1: no iteration yet */
	int action;    /* the last action taken */
	double reward; /* the last reward */
	__u64 iter;    /* iterations so far */
	__u64 rng;     /* exploration generator state */
};

void learner_defaults(struct learner_params *p);
/*
 * Set one parameter by its name (buckets, alpha, gamma, epsilon, slo-us,
 * threshold, w-cpu, w-max, w-start, interval-ms, seed) from text. A bad
 * name or value is an error (err_msg) and leaves p as it was.
 */
int learner_param_set(struct learner_params *p, const char *name, const char *value);
/* Parse NAME VALUE pairs into p; all or nothing. Returns 0 or -ERR_INPUT. */
int learner_params_parse(struct learner_params *p, int argc, char **argv);
/* The parameters as NAME VALUE pairs (learner_params_parse reads them back). */
void learner_params_format(const struct learner_params *p, char *buf, size_t len);
/* Is p consistent (w-start <= w-max, ...)? Returns 0 or -ERR_INPUT. */
int learner_params_check(const struct learner_params *p);

/* A fresh learner: Q = 0, weight = w-start. Returns 0 or -ERR_INPUT. */
int learner_init(struct learner *l, const struct learner_params *p);
int learner_state(const struct learner_params *p, double cpu_util, __u32 weight);
int learner_reward(const struct learner_params *p, const struct learner_obs *o, __u32 weight);
/*
 * Is the device over 100% in the iteration? Its offered load above 100%
 * when known; otherwise busy (cmp 100) at every sample, or requests
 * waiting at every sample: it never caught up with its demand. A busy
 * share alone cannot tell: it stops at 100%, and a device that shares a
 * CPU (the rig's, under a cgroup quota) saturates below it. Unless its
 * queue drained (the second half's mean under 3/4 of the first's): then
 * it served more than arrived, working off what the weight before left
 * it, and its demand is below what it serves.
 */
int learner_dev_over(const struct learner_dev_obs *d);
/*
 * Has action a been tried in state s (its Q updated at least once)? An
 * untried action is taken before the greedy choice; `hauler learn show`
 * prints it "untried". The mark is the sign of a Q of 0 (+0.0: untried),
 * so a record stored before it loads, its zeros untried.
 */
int learner_tried(const struct learner *l, int s, int a);
/*
 * Count every action as tried, its Q as it stands (0 where never tried):
 * the greedy policy of the table as it was before the untried rule
 * (hauler-sim's frozen evaluation, --eval-learn 0, which learns nothing).
 */
void learner_mark_tried(struct learner *l);
/* Q(s,a) += alpha * (r + gamma * max Q(s',.) - Q(s,a)); marks a tried. */
void learner_update(struct learner *l, int s, int a, double r, int s_next);
/*
 * One iteration: o measured the weight now. Rewards the last action,
 * updates Q, picks the next action and returns the accelerators' new weight.
 */
__u32 learner_step(struct learner *l, const struct learner_obs *o);
/*
 * The next observation starts a new episode: the conditions changed in a
 * way the state does not see (hauler-sim's training moves to another
 * offered rate), so the last action is not credited with what follows.
 * The weight and the Q-table stay.
 */
void learner_episode_begin(struct learner *l);

/* Is l a learner learner_init and learner_step could have made? Returns 0 or -ERR_INPUT. */
int learner_check(const struct learner *l);
/* `hauler learn show`: state, Q-table, last action and reward. */
void learner_print(const struct learner *l, FILE *out);
struct json;
/* The Q-table as an array of states of [Q(-1), Q(keep), Q(+1)]; untried: null. */
void learner_json_q(const struct learner *l, struct json *j, const char *key);
const char *learner_action_name(int a);

#endif
