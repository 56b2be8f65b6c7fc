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
	case HAULER_METRIC_MEM:
		return c->mem;
	case HAULER_METRIC_NET:
		return c->net;
	case HAULER_METRIC_QUEUE:
		return c->queue;
	case HAULER_METRIC_CONNS:
		return metric_conns(c);
	case HAULER_METRIC_LATENCY:
		return c->latency_us;
	default:
		return c->cmp;
	}
}

#endif
