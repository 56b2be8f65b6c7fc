// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * queue.c - a device as a FIFO queue with one server, and what its agent
 * reports about it (see sim.h).
 *
 * Busy time: the server is busy in one period [bp_start, busy_until)
 * that the newest requests extend, and was busy busy_before seconds
 * before it. A request arriving after busy_until opens a new period.
 * Reports are computed only for ticks after the newest arrival's period
 * started (sim_device_catch_up in cluster.c keeps to that), where this
 * closed form holds.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
/* The agent's own rule for the queue metric (agent/sockdiag.c). */
#include "agent.h"

#define QUEUE_CAP0 64

int sim_queue_init(struct sim_queue *q, double mu, int fixed)
{
	memset(q, 0, sizeof(*q));
	if (!(mu > 0))
		return -1;
	q->mu = mu;
	q->fixed = fixed;
	q->cap = QUEUE_CAP0;
	q->fin = malloc(q->cap * sizeof(*q->fin));
	q->resp = malloc(q->cap * sizeof(*q->resp));
	return q->fin && q->resp ? 0 : -1;
}

void sim_queue_free(struct sim_queue *q)
{
	free(q->fin);
	free(q->resp);
	q->fin = q->resp = NULL;
}

int sim_queue_set_quota(struct sim_queue *q, double quota_s, double period_s)
{
	if (!(quota_s > 0) || !(period_s >= quota_s))
		return -1;
	q->quota_s = quota_s;
	q->period_s = period_s;
	return 0;
}

/*
 * When work seconds of CPU started at t are done under the quota: the
 * periods are aligned at multiples of period_s; in each the device runs
 * until the quota is used, then is throttled until the next one.
 */
static double quota_finish(struct sim_queue *q, double t, double work)
{
	double ps = floor(t / q->period_s) * q->period_s, used, can;

	if (ps + q->period_s <= t) /* rounding */
		ps += q->period_s;
	used = ps == q->per_start ? q->per_used : 0;
	for (;;) {
		can = fmax(0, fmin(q->quota_s - used, ps + q->period_s - t));
		if (work <= can) {
			t += work;
			used += work;
			break;
		}
		work -= can;
		/* Throttled (or at the period's end): the next period, a fresh quota. */
		ps += q->period_s;
		t = ps;
		used = 0;
	}
	q->per_start = ps;
	q->per_used = used;
	return t;
}

double sim_queue_busy(const struct sim_queue *q, double t)
{
	double in = t - q->bp_start;

	if (in <= 0)
		return q->busy_before;
	if (t > q->busy_until)
		in = q->busy_until - q->bp_start;
	return q->busy_before + in;
}

static int queue_grow(struct sim_queue *q)
{
	unsigned int cap = q->cap * 2, i;
	double *fin = malloc(cap * sizeof(*fin)), *resp = malloc(cap * sizeof(*resp));

	if (!fin || !resp) {
		free(fin);
		free(resp);
		return -1;
	}
	for (i = 0; i < q->len; i++) {
		fin[i] = q->fin[(q->head + i) % q->cap];
		resp[i] = q->resp[(q->head + i) % q->cap];
	}
	free(q->fin);
	free(q->resp);
	q->fin = fin;
	q->resp = resp;
	q->head = 0;
	q->cap = cap;
	return 0;
}

double sim_queue_add(struct sim_queue *q, double t, double s)
{
	double start, end;
	unsigned int tail;

	if (t >= q->busy_until) { /* idle: a new busy period */
		q->busy_before += q->busy_until - q->bp_start;
		q->bp_start = t;
		start = t;
	} else {
		start = q->busy_until;
	}
	end = start + s;
	q->busy_until = end;
	if (q->quota_s > 0) { /* s is the fluid time; the work at full speed is s * share */
		end = quota_finish(q, fmax(t, q->real_until), s * q->quota_s / q->period_s);
		q->real_until = end;
	}
	q->work += s;
	q->arrivals++;
	sim_queue_in_system(q, t);
	if (q->len == q->cap && queue_grow(q))
		return end - t; /* not tracked for reports; its time still counts */
	tail = (q->head + q->len) % q->cap;
	q->fin[tail] = end;
	q->resp[tail] = end - t;
	q->len++;
	return end - t;
}

unsigned int sim_queue_in_system(struct sim_queue *q, double t)
{
	while (q->len && q->fin[q->head] <= t) {
		q->last_resp = q->resp[q->head];
		q->head = (q->head + 1) % q->cap;
		q->len--;
	}
	return q->len;
}

void sim_queue_mark(struct sim_queue *q, double t)
{
	q->work = 0;
	q->arrivals = 0;
	q->busy_mark = sim_queue_busy(q, t);
}

double sim_agent_report(struct sim_queue *q, double t, double period, double busy_prev,
			__u32 backlog, struct report_fields *f)
{
	double busy_now = sim_queue_busy(q, t), busy = busy_now - busy_prev;
	unsigned int in = sim_queue_in_system(q, t);
	struct sockdiag_count n = {
	    .accept_queue = in ? in - 1 : 0, /* waiting, not in service */
	    .backlog = backlog,
	    .listeners = 1,
	    .established = in,
	};
	double us = q->last_resp * 1e6 + 0.5; /* rounded */

	memset(f, 0, sizeof(*f));
	/* A periodic agent's version-2 report: its period lets the balancer's
	 * staleness rule (K missed periods) judge it, as for a real agent. */
	f->version = HAULER_REPORT_VERSION;
	f->period_ms = (__u32)(period * 1e3 + 0.5);
	f->cmp = report_quantize(100.0 * busy / period);
	f->queue = report_quantize(sockdiag_queue_pct(&n));
	f->live_conns = in;
	if (q->last_resp > 0) {
		f->flags |= HAULER_REPORT_F_LATENCY;
		f->latency_us = us < LATENCY_UNREACHABLE - 1 ? (__u32)us : LATENCY_UNREACHABLE - 1;
	}
	return busy_now;
}
