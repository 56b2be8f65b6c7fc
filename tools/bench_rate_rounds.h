/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * bench_rate_rounds.h - a rate case measured in interleaved rounds:
 * the floor, the LRU tables and (--compact) the compact table, one slice
 * of the case's packets each, round after round; each ratio and +ns is
 * the median over the rounds of that round's own pair.
 *
 * Why: this guest runs in a fast and a slow phase (the floor itself
 * 8 or 13 Mpps), which can change from one second to the next. A case
 * measured once, with its floor measured at another moment (the compact
 * table used to run a minute after the floor it was divided by), got
 * its ratio from two phases; a slice and the floor's slice beside it
 * share one (docs/performance.md, "Rounds").
 *
 * Included by bench_rate.c after its measure().
 */
#ifndef HAULER_BENCH_RATE_ROUNDS_H
#define HAULER_BENCH_RATE_ROUNDS_H

#define RATE_ROUNDS_MAX 15

/* The median of v[0..n-1] (n >= 1; v is reordered). */
static double rounds_median(double *v, int n)
{
	int i, j;

	for (i = 1; i < n; i++)
		for (j = i; j > 0 && v[j - 1] > v[j]; j--) {
			double t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Time a packet takes over the floor's, from the two rates (issue 16's +ns). */
static double rounds_extra(double mpps, double floor_mpps)
{
	return mpps > 0 && floor_mpps > 0 ? 1000 / mpps - 1000 / floor_mpps : 0;
}

/* Medians of one table's slices s against the floor's fl of the same rounds. */
static void rounds_pair(struct pair *p, const struct rate *s, const struct rate *fl, int n)
{
	double r[RATE_ROUNDS_MAX] = {0}, e[RATE_ROUNDS_MAX] = {0};
	int i;

	for (i = 0; i < n; i++) {
		r[i] = fl[i].mpps > 0 ? s[i].mpps / fl[i].mpps : 0;
		e[i] = rounds_extra(s[i].mpps, fl[i].mpps);
	}
	p->ratio = rounds_median(r, n);
	p->extra_lo = p->extra_hi = e[0];
	for (i = 1; i < n; i++) {
		p->extra_lo = e[i] < p->extra_lo ? e[i] : p->extra_lo;
		p->extra_hi = e[i] > p->extra_hi ? e[i] : p->extra_hi;
	}
	p->extra = rounds_median(e, n);
}

/* One slice of n packets on table ct (0: the LRU tables, 1: compact); warm: warm it up first. */
static struct rate rounds_slice(struct rate_bench *b, const struct flow_case *c, int ct,
				unsigned long n, int warm)
{
	struct rate r;

	bench_ct_use(&b->lb, ct);
	b->ct = ct;
	r = measure(b, b->lb.entry_fd, c->nflows, n, c->flags, warm);
	b->ct = 0;
	bench_ct_use(&b->lb, 0);
	return r;
}

/* The summary of rounds slices of one path: the median rate, the mean share delivered. */
static struct rate rounds_sum(const struct rate *s, int rounds)
{
	double v[RATE_ROUNDS_MAX] = {0};
	struct rate r = {};
	int i;

	for (i = 0; i < rounds; i++) {
		v[i] = s[i].mpps;
		r.delivered += s[i].delivered / rounds;
	}
	r.mpps = rounds_median(v, rounds);
	return r;
}

/*
 * Case c's rates: n packets in b->rounds slices a path, interleaved, each
 * table warmed up once (its first slice; a new-flow case's flows go on
 * accumulating from slice to slice, as in one run of n). Fills c->floor,
 * c->hauler, c->ct (median rates) and c->lru, c->cmp (the paired medians).
 */
static void rounds_measure(struct rate_bench *b, struct flow_case *c, unsigned long n)
{
	struct rate fl[RATE_ROUNDS_MAX] = {}, lru[RATE_ROUNDS_MAX] = {}, ct[RATE_ROUNDS_MAX] = {};
	int rounds = b->rounds, i;
	unsigned long slice = n / rounds;

	for (i = 0; i < rounds; i++) {
		fl[i] = measure(b, b->floor_fd, c->nflows, slice, c->flags, 0);
		lru[i] = rounds_slice(b, c, 0, slice, !i);
		if (b->compact)
			ct[i] = rounds_slice(b, c, 1, slice, !i);
	}
	c->floor = rounds_sum(fl, rounds);
	c->hauler = rounds_sum(lru, rounds);
	rounds_pair(&c->lru, lru, fl, rounds);
	if (b->compact) {
		c->ct = rounds_sum(ct, rounds);
		rounds_pair(&c->cmp, ct, fl, rounds);
	}
}

#endif
