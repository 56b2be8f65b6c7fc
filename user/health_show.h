/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * health_show.h - a device's health as `hauler device show` and `hauler
 * stats` print it, text and JSON alike.
 */
#ifndef HAULER_HEALTH_SHOW_H
#define HAULER_HEALTH_SHOW_H

#include "health.h"
#include "json.h"
#include "model.h"

/*
 * One word for device d: "-" (no check), "pending" (no result of this
 * check yet), "up", "down" (the check failed; the datapath flag
 * follows at the daemon's next pass), or "failed" (the datapath takes
 * it out: devices.health).
 */
const char *health_word(const struct model *m, int d, const struct health_status *st);
/* "ok 120ms ago" or "-": the latest result of d's check and its age at now (ns). */
void health_last_text(const struct model *m, int d, const struct health_status *st, __u64 now,
		      char *buf, size_t len);
/* Transitions of d's current check (0 when st belongs to another). */
void health_counts(const struct model *m, int d, const struct health_status *st, __u32 *downs,
		   __u32 *ups);
/* The member "health" of device d: null without a check, else an object. */
void health_json(struct json *j, const struct model *m, int d, const struct health_status *st,
		 __u64 now);

#endif
