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

/* 1 for the metrics that are a utilization 0..100 (cmp, mem, net, queue). */
static __always_inline int metric_is_percent(__u32 m)
{
	return m <= HAULER_METRIC_QUEUE;
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

/* The value of metric m for candidate c; an unknown id reads as cmp. */
static __always_inline __u32 metric_value(const struct policy_cand *c, __u32 m)
{
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
