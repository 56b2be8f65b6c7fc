// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ct_fill - the compact table's first-bucket threshold (CT_FIRST_HOLDS)
 * simulated in plain memory (docs/performance.md, "A flow in its first
 * bucket"): for each threshold, a table sized for N flows filled to 30,
 * 60 and 75% of its slots, then churned at 60 and 75% (a random flow goes,
 * a new one comes) for T turnovers of the table. Prints, per case, the
 * refusals, the shares of hinted buckets, of buckets a hint that could be
 * cleared would need (b0 of a flow in its b1) and of flows in their second
 * bucket, and so the cache lines a hit and a miss read (the miss with the
 * sticky hint and with a perfect one), and those a new flow's miss and
 * insert read (its insert reads b1 too when b0 holds the threshold's
 * flows or more; sticky and perfect hint). CT_FIRST_HOLDS, the threshold in
 * use, is also filled to 45% and churned at every fill.
 *
 *   ct_fill [--flows N] [--turns T] [--holds K]...
 *
 * Defaults: N 1,000,000, T 5, thresholds 0 (pure two choices) and 3..8
 * (8: b0 until full). Deterministic: the same arguments print the same.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "ct_fill.h"

static unsigned long arg_ulong(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (end == s || *end) {
		fprintf(stderr, "ct_fill: bad number '%s'\n", s);
		exit(2);
	}
	return v;
}

static void row(struct ct_fill *s, __u32 holds, const char *phase, __u32 pct)
{
	struct ct_fill_stats st;

	ct_fill_stats(s, &st);
	printf("| %5u | %-9s | %3u%% | %9llu / %-10llu | %5.1f%% | %5.1f%% | %5.1f%% | %4.2f | "
	       "%4.2f | "
	       "%7.2f | %4.2f | %7.2f |\n",
	       holds, phase, pct, (unsigned long long)s->refused, (unsigned long long)s->inserts,
	       100 * st.hinted, 100 * st.needed, 100 * st.second, st.hit_lines, st.miss_lines,
	       st.need_lines, st.syn_lines, st.syn_need);
	fflush(stdout);
}

/*
 * One threshold: fills of 30, 60, 75%, churned at 60 and 75%; the one in
 * use also at 45%, and churned at every fill.
 */
static int run(__u32 n, __u32 turns, __u32 holds)
{
	static const __u32 fills[] = {30, 45, 60, 75};
	__u32 nb = ct_buckets_for(n), f, k, all = holds == CT_FIRST_HOLDS;
	struct ct_fill s;

	for (f = 0; f < sizeof(fills) / sizeof(fills[0]); f++) {
		__u32 count = (__u32)((__u64)nb * HAULER_CT_SLOTS * fills[f] / 100);
		char phase[16];

		if (fills[f] == 45 && !all)
			continue;
		if (ct_fill_init(&s, nb, count, holds)) {
			fprintf(stderr, "ct_fill: out of memory\n");
			return 1;
		}
		ct_fill_to(&s, count);
		row(&s, holds, "fill", fills[f]);
		for (k = 1; (all || fills[f] >= 60) && k <= turns; k++) {
			s.refused = s.inserts = 0;
			ct_fill_churn(&s, count, count);
			if (k == 1 || k == turns) {
				snprintf(phase, sizeof(phase), "churn x%u", k);
				row(&s, holds, phase, fills[f]);
			}
		}
		ct_fill_free(&s);
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"flows", required_argument, NULL, 'n'},
					     {"turns", required_argument, NULL, 't'},
					     {"holds", required_argument, NULL, 'k'},
					     {NULL, 0, NULL, 0}};
	__u32 holds[16], nholds = 0, n = 1000000, turns = 5, i;
	int opt;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'n':
			n = arg_ulong(optarg);
			break;
		case 't':
			turns = arg_ulong(optarg);
			break;
		case 'k':
			if (nholds == 16 || arg_ulong(optarg) > HAULER_CT_SLOTS)
				goto usage;
			holds[nholds++] = arg_ulong(optarg);
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc || !n || n > 100000000)
		goto usage;
	if (!nholds) {
		holds[nholds++] = 0;
		for (i = 3; i <= HAULER_CT_SLOTS; i++)
			holds[nholds++] = i;
	}
	printf("compact table for %u flows (%u buckets of %d), in use: CT_FIRST_HOLDS %d\n", n,
	       ct_buckets_for(n), HAULER_CT_SLOTS, CT_FIRST_HOLDS);
	printf("| holds | phase     | fill | refused / inserts      | hinted | needed | in b1  | "
	       "hit  | miss | perfect | syn  | perfect |\n");
	for (i = 0; i < nholds; i++)
		if (run(n, turns, holds[i]))
			return 1;
	return 0;
usage:
	fprintf(stderr, "usage: ct_fill [--flows N] [--turns T] [--holds K]... (K <= %d)\n",
		HAULER_CT_SLOTS);
	return 2;
}
