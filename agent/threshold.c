// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * threshold.c - threshold mode (P4Mite): which thresholded metrics are at
 * or above their thresholds, and when that changes. The agent reports
 * BUSY while any is (the balancer treats the device as saturated) and
 * sends a report at once, flagged THRESHOLD, on every crossing, up or
 * down; main.c repeats it --confirm ms later (CONFIRM) in case the first
 * was lost.
 *
 * cmp, mem, net and queue compare their 0..100 report values with a
 * percentage; latency compares latency_us with a threshold in ms. A
 * latency that is not measured in this report (no probe answer yet, or
 * older than --latency-max-age) keeps its previous state: no measurement
 * is no news. An unreachable service (LATENCY_UNREACHABLE) is above any
 * threshold.
 */
#include <string.h>

#include "hauler_report.h"
#include "agent.h"

const struct threshold_metric threshold_metrics[AGENT_METRICS] = {
    [METRIC_CMP] = {"cmp", 1, 100, "%"},
    [METRIC_MEM] = {"mem", 1, 100, "%"},
    [METRIC_NET] = {"net", 1, 100, "%"},
    [METRIC_QUEUE] = {"queue", 1, 100, "%"},
    [METRIC_LATENCY] = {"latency", 1, AGENT_LATENCY_THRESHOLD_MAX_MS, " ms"},
};

int threshold_any(const int threshold[AGENT_METRICS])
{
	for (int m = 0; m < AGENT_METRICS; m++)
		if (threshold[m] != AGENT_NO_THRESHOLD)
			return 1;
	return 0;
}

/* 1: at or above; 0: below; -1: not measured in f (keep the last state). */
static int metric_above(const struct report_fields *f, int m, int threshold)
{
	if (m != METRIC_LATENCY)
		return (&f->cmp)[m] >= threshold;
	if (!(f->flags & HAULER_REPORT_F_LATENCY))
		return -1;
	return (__u64)f->latency_us >= (__u64)threshold * 1000;
}

__u8 threshold_update(struct threshold_state *t, const int threshold[AGENT_METRICS],
		      const struct report_fields *f)
{
	int crossed = 0, busy = 0;

	for (int m = 0; m < AGENT_METRICS; m++) {
		int above;

		if (threshold[m] == AGENT_NO_THRESHOLD)
			continue;
		above = metric_above(f, m, threshold[m]);
		if (above < 0)
			above = t->above[m];
		if (t->sampled && above != t->above[m])
			crossed = 1;
		t->above[m] = above;
		busy |= above;
	}
	t->sampled = 1;
	return (crossed ? HAULER_REPORT_F_THRESHOLD : 0) | (busy ? HAULER_REPORT_F_BUSY : 0);
}
