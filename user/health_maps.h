/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * health_maps.h - where health checks live between commands: two
 * manager-owned maps pinned beside the others (like policy_intervals),
 * which the datapath never reads.
 *
 *   PIN/health_checks  ARRAY device id -> struct health_check  (what the
 *                      operator set: `hauler device set NAME check ...`)
 *   PIN/health_state   ARRAY device id -> struct health_status (what
 *                      `hauler daemon` found: shown by device show, stats)
 *
 * The result itself reaches the datapath as devices.health, written by
 * the daemon through the manager's ordinary commit (model_maps.h).
 */
#ifndef HAULER_HEALTH_MAPS_H
#define HAULER_HEALTH_MAPS_H

#include "health.h"
#include "model.h"

#define HEALTH_CHECKS_PIN "health_checks"
#define HEALTH_STATE_PIN  "health_state"

/* m->checks from PIN/health_checks (all none when it does not exist). */
int health_checks_read(const char *pin, struct model *m);
/* Write the checks that changed (creating the map on first need). */
int health_checks_commit(const char *pin, const struct model *base, const struct model *cur);

/* HAULER_MAX_DEVICES statuses from PIN/health_state (all zero when it does not exist). */
int health_states_read(const char *pin, struct health_status *out);
/* Write status[d] for each d with dirty[d] set, then clear dirty[d]. */
int health_states_write(const char *pin, const struct health_status *status, __u8 *dirty);

#endif
