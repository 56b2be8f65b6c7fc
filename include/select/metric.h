/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * metric.h - the load metrics a policy can read from a candidate, by the
 * id stored in policy_params.metric. The names users type are in
 * params.def (METRIC lines); the ids are in include/schema.def.
 */
#ifndef HAULER_POLICY_METRIC_H
#define HAULER_POLICY_METRIC_H

#include "select/select.h"

/* The ids are HAULER_METRIC_* of include/schema.def. */
#define HAULER_METRICS (HAULER_METRIC_LATENCY + 1)

/*
 * The one metric -> field mapping: the metrics read straight from a field
 * of the same name in struct policy_cand and struct dev_state. cmp (the
 * default, also for an unknown id) and conns (computed: metric_conns) are
 * the others. Each switch on a metric id expands X(id, field) here.
 */
#define HAULER_METRIC_FIELDS(X)                                                                    \
	X(HAULER_METRIC_MEM, mem)                                                                  \
	X(HAULER_METRIC_NET, net)                                                                  \
	X(HAULER_METRIC_QUEUE, queue)                                                              \
	X(HAULER_METRIC_LATENCY, latency_us)

/*
 * A metric spec, what the selection functions take as "metric": a metric
 * id, or HAULER_METRIC_MAXOF | mask, the max of the utilizations whose
 * bits are set in mask (bit i: metric id i; only the percent metrics cmp,
 * mem, net and queue can be combined). policy_params holds both forms:
 * `metrics` (the mask, 0 when one metric) and `metric` (the id).
 */
#define HAULER_METRIC_MAXOF 0x100u
#define HAULER_METRIC_PERCENT                                                                      \
	((1u << HAULER_METRIC_CMP) | (1u << HAULER_METRIC_MEM) | (1u << HAULER_METRIC_NET) |       \
	 (1u << HAULER_METRIC_QUEUE))

static __always_inline __u32 metric_spec(const struct policy_params *p)
{
	__u32 mask = p->metrics & HAULER_METRIC_PERCENT;

	return mask ? HAULER_METRIC_MAXOF | mask : p->metric;
}

/* The larger of a and b, without a branch. */
static __always_inline __u32 metric_max(__u32 a, __u32 b)
{
	return a + ((b - a) & (0u - select_lt(a, b)));
}

/* The max of c's utilizations whose bits are set in mask (0 when none). */
static __always_inline __u32 metric_max_of(const struct policy_cand *c, __u32 mask)
{
	__u32 v = 0;

	v = metric_max(v, c->cmp & (0u - ((mask >> HAULER_METRIC_CMP) & 1)));
	v = metric_max(v, c->mem & (0u - ((mask >> HAULER_METRIC_MEM) & 1)));
	v = metric_max(v, c->net & (0u - ((mask >> HAULER_METRIC_NET) & 1)));
	return metric_max(v, c->queue & (0u - ((mask >> HAULER_METRIC_QUEUE) & 1)));
}

/*
 * A threshold as typed (the metric's threshold unit: percent, connections,
 * milliseconds for latency) in the unit the candidate's field holds
 * (latency_us: microseconds).
 */
static __always_inline __u64 metric_threshold_native(__u32 m, __u32 threshold)
{
	return m == HAULER_METRIC_LATENCY ? (__u64)threshold * 1000 : threshold;
}

/*
 * A device's connections: what its agent counted at its last report plus
 * what the datapath assigned to it since (see docs/policies.md, "lc"),
 * saturated at 2^32 - 1.
 */
static __always_inline __u32 metric_conns(const struct policy_cand *c)
{
	__u32 sum = c->live_conns + c->assigned;

	return sum | (0u - select_lt(sum, c->live_conns)); /* wrapped: all ones */
}

/* The value of metric spec m for candidate c; an unknown id reads as cmp. */
static __always_inline __u32 metric_value(const struct policy_cand *c, __u32 m)
{
	if (m & HAULER_METRIC_MAXOF)
		return metric_max_of(c, m);
	switch (m) {
#define METRIC_CASE(id, field)                                                                     \
	case id:                                                                                   \
		return c->field;
		HAULER_METRIC_FIELDS(METRIC_CASE)
#undef METRIC_CASE
	case HAULER_METRIC_CONNS:
		return metric_conns(c);
	default:
		return c->cmp;
	}
}

#endif
