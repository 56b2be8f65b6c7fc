// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ring.c - smooth weighted round-robin rings (see ring.h). */
#include <string.h>

#include "ring.h"

static __u32 gcd(__u32 a, __u32 b)
{
	while (b) {
		__u32 t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/* Scale w[] down so it sums to at most HAULER_RING_SLOTS, keeping each non-zero >= 1. */
static void scale_down(__u32 *w, int n, __u32 sum)
{
	__u32 total = 0;
	int i;

	for (i = 0; i < n; i++) {
		if (!w[i])
			continue;
		w[i] = (__u64)w[i] * HAULER_RING_SLOTS / sum;
		if (!w[i])
			w[i] = 1;
		total += w[i];
	}
	/* Rounding small weights up to 1 can overshoot: trim the largest. */
	while (total > HAULER_RING_SLOTS) {
		int big = 0;

		for (i = 1; i < n; i++)
			if (w[i] > w[big])
				big = i;
		w[big]--;
		total--;
	}
}

int ring_build(const __u16 *weights, int n, struct ring *r)
{
	__u32 w[HAULER_DEVS_PER_SERVER], g = 0, sum = 0, k;
	int cur[HAULER_DEVS_PER_SERVER] = {0};
	int i;

	memset(r, 0, sizeof(*r));
	if (n < 0 || n > HAULER_DEVS_PER_SERVER)
		return -1;
	for (i = 0; i < n; i++)
		g = gcd(g, weights[i]);
	if (!g)
		return 0; /* every weight is 0: an empty ring */
	for (i = 0; i < n; i++) {
		w[i] = weights[i] / g;
		sum += w[i];
	}
	if (sum > HAULER_RING_SLOTS) {
		scale_down(w, n, sum);
		for (sum = 0, i = 0; i < n; i++)
			sum += w[i];
	}
	/* nginx: add each weight, take the largest, subtract the total from it. */
	for (k = 0; k < sum; k++) {
		int best = -1;

		for (i = 0; i < n; i++) {
			if (!w[i])
				continue;
			cur[i] += w[i];
			if (best < 0 || cur[i] > cur[best])
				best = i;
		}
		cur[best] -= sum;
		r->slot[k] = best;
	}
	r->len = sum;
	return 0;
}
