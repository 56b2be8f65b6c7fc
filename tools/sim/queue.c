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

/* Two arrays of QUEUE_CAP0 doubles (a queue's, a shared CPU's). */
static int alloc_pair(double **x, double **y, unsigned int *cap)
{
	*cap = QUEUE_CAP0;
	*x = malloc(QUEUE_CAP0 * sizeof(**x));
	*y = malloc(QUEUE_CAP0 * sizeof(**y));
	return *x && *y ? 0 : -1;
}

int sim_queue_init(struct sim_queue *q, double mu, int fixed)
{
	memset(q, 0, sizeof(*q));
	if (!(mu > 0))
		return -1;
	q->mu = mu;
	q->fixed = fixed;
	q->per_start = -1; /* no quota period yet: a full runtime */
	return alloc_pair(&q->fin, &q->resp, &q->cap);
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

int sim_cpu_init(struct sim_cpu *cpu, double overhead_s)
{
	memset(cpu, 0, sizeof(*cpu));
	if (!(overhead_s >= 0))
		return -1;
	cpu->overhead_s = overhead_s;
	return alloc_pair(&cpu->a, &cpu->b, &cpu->cap);
}

void sim_cpu_free(struct sim_cpu *cpu)
{
	free(cpu->a);
	free(cpu->b);
	memset(cpu, 0, sizeof(*cpu));
}

void sim_cpu_forget(struct sim_cpu *cpu, double t)
{
	unsigned int k = 0;

	while (k < cpu->n && cpu->b[k] <= t)
		k++;
	if (!k)
		return;
	memmove(cpu->a, cpu->a + k, (cpu->n - k) * sizeof(*cpu->a));
	memmove(cpu->b, cpu->b + k, (cpu->n - k) * sizeof(*cpu->b));
	cpu->n -= k;
}

/* The first claimed interval that ends after t (n: none). */
static unsigned int cpu_find(const struct sim_cpu *cpu, double t)
{
	unsigned int lo = 0, hi = cpu->n, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (cpu->b[mid] <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

double sim_cpu_next_free(const struct sim_cpu *cpu, double t, double *gap_end)
{
	unsigned int k = cpu_find(cpu, t);

	if (k < cpu->n && cpu->a[k] <= t) /* inside a claim: free at its end */
		t = cpu->b[k++];
	*gap_end = k < cpu->n ? cpu->a[k] : INFINITY;
	return t;
}

int sim_cpu_claim(struct sim_cpu *cpu, double t, double len)
{
	double e = t + len;
	unsigned int k;

	if (!(len > 0))
		return 0;
	k = cpu_find(cpu, t);		   /* the claims before k end at or before t */
	if (k > 0 && cpu->b[k - 1] == t) { /* extends the one before */
		cpu->b[k - 1] = e;
		if (k < cpu->n && cpu->a[k] <= e) { /* and touches the next: merge */
			cpu->b[k - 1] = cpu->b[k];
			memmove(cpu->a + k, cpu->a + k + 1, (cpu->n - k - 1) * sizeof(*cpu->a));
			memmove(cpu->b + k, cpu->b + k + 1, (cpu->n - k - 1) * sizeof(*cpu->b));
			cpu->n--;
		}
		return 0;
	}
	if (k < cpu->n && cpu->a[k] <= e) { /* ends where the next starts */
		cpu->a[k] = t;
		return 0;
	}
	if (cpu->n == cpu->cap) {
		unsigned int cap = cpu->cap * 2;
		double *a = realloc(cpu->a, cap * sizeof(*a)), *b;

		if (!a)
			return -1;
		cpu->a = a;
		b = realloc(cpu->b, cap * sizeof(*b));
		if (!b)
			return -1;
		cpu->b = b;
		cpu->cap = cap;
	}
	memmove(cpu->a + k + 1, cpu->a + k, (cpu->n - k) * sizeof(*cpu->a));
	memmove(cpu->b + k + 1, cpu->b + k, (cpu->n - k) * sizeof(*cpu->b));
	cpu->a[k] = t;
	cpu->b[k] = e;
	cpu->n++;
	return 0;
}

double sim_cpu_run(struct sim_cpu *cpu, double t, double len)
{
	double gap_end, can;

	while (len > 0) {
		t = sim_cpu_next_free(cpu, t, &gap_end);
		can = fmin(len, gap_end - t);
		if (sim_cpu_claim(cpu, t, can))
			return INFINITY;
		t += can;
		len -= can;
	}
	return t;
}

/* The start of the quota period that t lies in (periods at multiples of period_s). */
static double period_of(const struct sim_queue *q, double t)
{
	double ps = floor(t / q->period_s) * q->period_s;

	return ps + q->period_s <= t ? ps + q->period_s : ps; /* rounding */
}

/* The runtime balance after the refills of the periods from ps0 to ps: + quota each, at most quota.
 */
static double quota_refill(const struct sim_queue *q, double bal, double ps0, double ps)
{
	double n = floor((ps - ps0) / q->period_s + 0.5);

	return n > 0 ? fmin(bal + n * q->quota_s, q->quota_s) : bal;
}

/*
 * When work seconds of CPU started at t are done under the quota, as CFS
 * bandwidth control does it: the periods are aligned at multiples of
 * period_s, each refills the device's runtime by the quota (at most to
 * the quota); the device runs while it has runtime. The throttle is
 * enforced at the scheduler's tick (tick_s; 0: at once): a device that
 * has used its runtime runs on to the next tick, and the overrun is a
 * debt the next periods' refills pay before it runs again. On a shared
 * CPU it runs only in the CPU's free time, and claims what it uses.
 */
static double quota_finish(struct sim_queue *q, double t, double work)
{
	double ps = period_of(q, t), end, stop, can, gap_end = INFINITY;
	double bal = q->per_start >= 0 ? quota_refill(q, q->per_bal, q->per_start, ps) : q->quota_s;

	for (;;) {
		if (q->cpu)
			t = sim_cpu_next_free(q->cpu, t, &gap_end);
		end = ps + q->period_s;
		if (t >= end) { /* the CPU was taken past the period's end */
			double p = period_of(q, t);

			bal = quota_refill(q, bal, ps, p);
			ps = p;
			continue;
		}
		if (bal <= 1e-12) { /* throttled: the next period's refill */
			t = end;
			bal = quota_refill(q, bal, ps, end);
			ps = end;
			continue;
		}
		stop = t + bal;	   /* its runtime used up ... */
		if (q->tick_s > 0) /* ... noticed at the next tick */
			stop = fmax(stop, ceil(stop / q->tick_s - 1e-9) * q->tick_s);
		can = fmin(work, fmin(stop, fmin(end, gap_end)) - t);
		if (can > 0 && q->cpu && sim_cpu_claim(q->cpu, t, can))
			return INFINITY;
		t += fmax(can, 0);
		work -= fmax(can, 0);
		bal -= fmax(can, 0);
		if (work <= 1e-12)
			break;
		if (t >= stop) /* throttled */
			bal = fmin(bal, 0);
		/* else at the period's end (refilled above), or another's work took the CPU */
	}
	q->per_start = ps;
	q->per_bal = bal;
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
		if (q->cpu) { /* the request's overhead runs first, wherever it lands */
			sim_cpu_forget(q->cpu, t);
			sim_cpu_run(q->cpu, t, q->cpu->overhead_s);
		}
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

void sim_agent_report(struct sim_queue *q, double t, double period, double busy, double window,
		      __u32 backlog, struct report_fields *f)
{
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
	f->cmp = report_quantize(100.0 * busy / window);
	f->queue = report_quantize(sockdiag_queue_pct(&n));
	f->live_conns = in;
	if (q->last_resp > 0) {
		f->flags |= HAULER_REPORT_F_LATENCY;
		f->latency_us = us < LATENCY_UNREACHABLE - 1 ? (__u32)us : LATENCY_UNREACHABLE - 1;
	}
}

unsigned int sim_agent_window_ticks(double window_ms, double period_ms)
{
	/* The agent's ticks fall a little after their period; a window of
	 * whole periods is full at the tick that ends it. */
	double m = ceil(window_ms / period_ms - 1e-9);

	return m > 1 ? (unsigned int)m : 1;
}
