// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* run.c - Poisson arrivals through the cluster, and what a window measured (see sim.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

void sim_rng_seed(struct sim_rng *r, __u64 seed)
{
	r->s = seed * 0x9e3779b97f4a7c15ull + 0x632be59bd9b4e019ull;
}

__u64 sim_rng_next(struct sim_rng *r)
{
	__u64 z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

double sim_rng_unit(struct sim_rng *r)
{
	return ((double)(sim_rng_next(r) >> 11) + 0.5) / 9007199254740992.0;
}

double sim_rng_exp(struct sim_rng *r, double rate)
{
	return -log(sim_rng_unit(r)) / rate;
}

int sim_samples_add(struct sim_samples *s, double x)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 4096;
		double *v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return -1;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = x;
	return 0;
}

/* Quickselect: the k-th smallest of v[0..n-1] (reorders v). */
static double select_kth(double *v, size_t n, size_t k)
{
	size_t lo = 0, hi = n - 1;

	while (lo < hi) {
		double pivot = v[lo + (hi - lo) / 2], t;
		size_t i = lo, j = hi;

		while (i <= j) {
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i <= j) {
				t = v[i];
				v[i] = v[j];
				v[j] = t;
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			return v[k];
	}
	return v[k];
}

double sim_samples_quantile(struct sim_samples *s, double q)
{
	size_t k;

	if (!s->n)
		return 0;
	k = (size_t)ceil(q * (double)s->n) - 1; /* nearest rank */
	if (k >= s->n)
		k = s->n - 1;
	return select_kth(s->v, s->n, k);
}

void sim_samples_free(struct sim_samples *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static void mark_all(struct sim_cluster *c, double t)
{
	int d;

	for (d = 0; d < HAULER_MAX_DEVICES; d++)
		if (c->m->devices[d].in_use)
			sim_queue_mark(&c->dev[d].q, t);
}

/* Busy shares and offered loads of the devices over [start, end]. */
static void measure(struct sim_cluster *c, double start, double end, struct sim_window *w)
{
	double len = end - start, sum = 0, sum2 = 0, nic = 0, u, offered;
	double arr_cpu = 0, cap_cpu = 0, arr_nic = 0, cap_nic = 0;
	int d, ncpu = 0, nnic = 0;

	for (d = 0; d < HAULER_MAX_DEVICES; d++) {
		struct sim_queue *q = &c->dev[d].q;

		if (!c->m->devices[d].in_use)
			continue;
		u = 100.0 * (sim_queue_busy(q, end) - q->busy_mark) / len;
		offered = 100.0 * (double)q->arrivals / (q->mu * len);
		if (offered > w->max_offered)
			w->max_offered = offered;
		if (c->m->devices[d].kind == HAULER_KIND_CPU) {
			arr_cpu += (double)q->arrivals;
			cap_cpu += q->mu * len;
			sum += u;
			sum2 += u * u;
			ncpu++;
		} else {
			arr_nic += (double)q->arrivals;
			cap_nic += q->mu * len;
			nic += u;
			nnic++;
		}
	}
	w->cpu_util = ncpu ? sum / ncpu : 0;
	w->cpu_util_var = ncpu ? sum2 / ncpu - w->cpu_util * w->cpu_util : 0;
	if (w->cpu_util_var < 0)
		w->cpu_util_var = 0;
	w->nic_util = nnic ? nic / nnic : 0;
	w->cpu_offered = cap_cpu > 0 ? 100.0 * arr_cpu / cap_cpu : 0;
	w->nic_offered = cap_nic > 0 ? 100.0 * arr_nic / cap_nic : 0;
}

int sim_run(struct sim_cluster *c, double rate, double warmup, double duration,
	    struct sim_window *w)
{
	struct sim_samples s = {0};
	double t = c->now, start = c->now + warmup, end = start + duration, sum = 0, svc;
	unsigned long nic = 0;
	int marked = 0, d, ret = 0;

	memset(w, 0, sizeof(*w));
	if (!(rate > 0) || !(duration > 0) || warmup < 0)
		return -1;
	for (;;) {
		t += sim_rng_exp(&c->rng, rate);
		if (!marked && t >= start) {
			mark_all(c, start);
			marked = 1;
		}
		if (t > end)
			break;
		d = sim_cluster_pick(c, t);
		if (d < 0) {
			w->dropped += t >= start;
			continue;
		}
		svc = c->cfg.fixed_service ? 1.0 / c->dev[d].q.mu
					   : sim_rng_exp(&c->rng, c->dev[d].q.mu);
		svc = sim_queue_add(&c->dev[d].q, t, svc);
		if (t < start)
			continue;
		nic += c->m->devices[d].kind != HAULER_KIND_CPU;
		sum += svc;
		if (sim_samples_add(&s, svc))
			ret = -1;
	}
	c->now = end;
	measure(c, start, end, w);
	w->requests = s.n;
	w->mean = s.n ? sum / s.n : 0;
	w->nic_share = s.n ? (double)nic / s.n : 0;
	w->p50 = sim_samples_quantile(&s, 0.50);
	w->p99 = sim_samples_quantile(&s, 0.99);
	sim_samples_free(&s);
	return ret;
}
