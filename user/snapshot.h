/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * snapshot.h - one reading of a running balancer for the observers
 * (`hauler metrics`, the exporter, `hauler top`): the configuration
 * (the model), every datapath counter summed over the CPUs, the devices'
 * reports and health, the learners and the manager's policy swap counts.
 * The reading opens the pins afresh and keeps nothing open, so an
 * observer never holds up `hauler down` or `up`.
 */
#ifndef HAULER_SNAPSHOT_H
#define HAULER_SNAPSHOT_H

#include "health.h"
#include "learner.h"
#include "model.h"

struct snapshot {
	struct model m;
	struct counter reasons[HAULER_STAT_REASONS];
	struct counter vip_fwd[HAULER_MAX_VIPS], vip_new[HAULER_MAX_VIPS];
	struct counter dev_fwd[HAULER_MAX_DEVICES], dev_new[HAULER_MAX_DEVICES];
	struct dev_state states[HAULER_MAX_DEVICES];
	struct health_status health[HAULER_MAX_DEVICES];
	__u64 swaps[HAULER_MAX_VIPS];	/* policy program swaps, by VIP id (policy_swaps.h) */
	__u8 learning[HAULER_MAX_VIPS]; /* 1: a learner is stored for the VIP */
	struct learner learners[HAULER_MAX_VIPS];
	__u64 now_ns; /* CLOCK_MONOTONIC of the reading (the datapath's clock) */
};

/* The counter names of include/schema.def, in STAT_* order. */
extern const char *const snapshot_reason_names[HAULER_STAT_REASONS];

/* Read everything under pin into s. Returns 0 or -ERR_* (recorded). */
int snapshot_read(struct snapshot *s, const char *pin);

/* What a device's last report says at time now, as every observer shows it. */
struct report_view {
	const struct dev_state *st;
	int key_set, never, stale;
	__u64 age_ms;
	__u64 stale_after_ms; /* ~0: never stale by age (trigger-only agent) */
	const char *mode;     /* "periodic", "trigger" (crossings only), "v1" (no period) */
	__u32 assigned;	      /* connections given it since its last report (dev_assigned) */
};

/* new_now: the device's new-connection counter (HAULER_STAT_NEW) summed over CPUs. */
void report_view(const struct model *m, int d, const struct dev_state *st, __u64 now, __u64 new_now,
		 struct report_view *r);

#endif
