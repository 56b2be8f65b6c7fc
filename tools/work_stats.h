/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * work_stats.h - the plain arithmetic of the request workload: a seeded
 * random source, the Poisson arrival schedule, percentiles, and the
 * sliding window of recent latencies that workd reports its P99 from.
 * No I/O: the unit tests (tests/unit/test_workload.c) use it as is.
 */
#ifndef HAULER_WORK_STATS_H
#define HAULER_WORK_STATS_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/* A latency that never came (the request timed out): sorts last. */
#define WORK_LOST UINT64_MAX

/* splitmix64: small, seedable, good enough for arrival times. */
struct work_rng {
	uint64_t s;
};

static inline uint64_t work_rng_next(struct work_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in (0, 1]: never 0, so its logarithm is finite. */
static inline double work_rng_unit(struct work_rng *r)
{
	return ((double)(work_rng_next(r) >> 11) + 1.0) / 9007199254740992.0;
}

/*
 * The gap to the next arrival of a Poisson process of `rate` per second,
 * in ns: exponentially distributed with mean 1e9 / rate. Arrivals are
 * drawn ahead of time and never wait for replies (open loop).
 */
static inline uint64_t work_poisson_gap_ns(struct work_rng *r, double rate)
{
	return (uint64_t)(-log(work_rng_unit(r)) * 1e9 / rate);
}

static int work_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static inline void work_sort_u64(uint64_t *v, size_t n)
{
	qsort(v, n, sizeof(*v), work_cmp_u64);
}

/*
 * The q-quantile (0 < q <= 1) of n sorted values by the nearest-rank
 * rule: the smallest value with at least q*n values at or below it. With
 * lost requests sorted last as WORK_LOST, a percentile that falls among
 * them is WORK_LOST too (the tail is worse than any finite number). n = 0
 * gives WORK_LOST.
 */
static inline uint64_t work_percentile(const uint64_t *sorted, size_t n, double q)
{
	size_t rank;

	if (!n)
		return WORK_LOST;
	rank = (size_t)ceil(q * (double)n - 1e-9);
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return sorted[rank - 1];
}

/*
 * The last `cap` latencies (µs) a device served, for its running P99,
 * each with the time (ms, any clock) it was served at, so that the P99 can
 * also be taken over the last few hundred ms only (workd --window-ms).
 * A request the device lost (dropped unserved, or dropped by the kernel
 * because the receive queue was full) is in it too, as WORK_WINDOW_LOST:
 * infinitely late, as loadgen counts it, so that a P99 the losses reach
 * is not taken from the served requests alone.
 */
#define WORK_WINDOW_MAX	 4096
#define WORK_WINDOW_LOST UINT32_MAX
/*
 * What workd pushes to hauler-agent for a P99 that falls among lost
 * requests: the agent's largest latency (its LATENCY_UNREACHABLE, all
 * ones, means "no answer at all"), later than any target.
 */
#define WORK_LATE_US (UINT32_MAX - 1)

struct work_window {
	uint32_t v[WORK_WINDOW_MAX];
	uint64_t t_ms[WORK_WINDOW_MAX];
	size_t cap, n, next;
};

static inline void work_window_init(struct work_window *w, size_t cap)
{
	w->cap = cap < 1 ? 1 : cap > WORK_WINDOW_MAX ? WORK_WINDOW_MAX : cap;
	w->n = w->next = 0;
}

/* Add a latency served at t_ms (WORK_WINDOW_LOST: a lost request). */
static inline void work_window_add_at(struct work_window *w, uint32_t us, uint64_t t_ms)
{
	w->v[w->next] = us;
	w->t_ms[w->next] = t_ms;
	w->next = (w->next + 1) % w->cap;
	if (w->n < w->cap)
		w->n++;
}

static inline void work_window_add(struct work_window *w, uint32_t us)
{
	work_window_add_at(w, us, 0);
}

/* n requests lost at t_ms (more than the window holds: as many as it holds). */
static inline void work_window_lost_at(struct work_window *w, uint64_t n, uint64_t t_ms)
{
	if (n > w->cap)
		n = w->cap;
	while (n--)
		work_window_add_at(w, WORK_WINDOW_LOST, t_ms);
}

/*
 * The q-quantile of the window's latencies served (or lost) at or after
 * since_ms; WORK_WINDOW_LOST when it falls among the lost; 0 when there
 * are none.
 */
static inline uint32_t work_window_quantile_since(const struct work_window *w, double q,
						  uint64_t since_ms)
{
	uint64_t tmp[WORK_WINDOW_MAX];
	size_t i, k = 0;

	for (i = 0; i < w->n; i++)
		if (w->t_ms[i] >= since_ms)
			tmp[k++] = w->v[i];
	if (!k)
		return 0;
	work_sort_u64(tmp, k);
	return (uint32_t)work_percentile(tmp, k, q);
}

/* The window's q-quantile; 0 when it is empty. */
static inline uint32_t work_window_quantile(const struct work_window *w, double q)
{
	return work_window_quantile_since(w, q, 0);
}

/*
 * The P99 workd pushes, in µs, of the requests since since_ms: WORK_LATE_US
 * when it falls among lost requests (or is that late), 0 when there were
 * none (nothing to push).
 */
static inline uint32_t work_window_push_us(const struct work_window *w, uint64_t since_ms)
{
	uint32_t p99 = work_window_quantile_since(w, 0.99, since_ms);

	return p99 > WORK_LATE_US ? WORK_LATE_US : p99;
}

#endif
