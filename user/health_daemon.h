/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * health_daemon.h - the health checks' part of `hauler daemon`. Each
 * daemon pass (maps open, model loaded) calls health_daemon_pass: the
 * probes adopt the model's checks, a device whose state changed gets its
 * devices.health bit through the manager's ordinary commit (Maglev pools
 * follow), the status is published for show and stats. Between passes
 * health_daemon_run runs the probes, and returns early when a device
 * changed state, so the next pass applies it without delay.
 */
#ifndef HAULER_HEALTH_DAEMON_H
#define HAULER_HEALTH_DAEMON_H

#include <signal.h>

#include "health_probe.h"
#include "pinned_maps.h"

struct health_daemon {
	struct health_engine *e;
	struct model *cur, *live;
	struct health_status *saved; /* as a previous daemon left it; NULL once adopted */
	__u64 report_ns[HAULER_MAX_DEVICES];
	unsigned long conns_reset; /* entries removed (or slots cleared) by on-down reset */
};

int health_daemon_init(struct health_daemon *hd, const char *pin);
void health_daemon_free(struct health_daemon *hd);
/*
 * m: the model as the pass loaded it (checks included); states: dev_state.
 * m takes the committed health bits. Returns 0 or -ERR_*.
 */
int health_daemon_pass(struct health_daemon *hd, const struct hauler_maps *maps, const char *pin,
		       struct model *m, const struct dev_state *states, __u64 now);
/* Run the probes until until_ns, a state change, or *stop. */
void health_daemon_run(struct health_daemon *hd, __u64 until_ns, volatile sig_atomic_t *stop);
/*
 * Remove from the connection table fd (conns or half_open) every entry of
 * device id d in its generation gen; returns how many.
 */
unsigned long health_conns_reset(int fd, __u32 d, __u16 gen);
/*
 * The on-down reset of device id d in its generation gen in the table in
 * use (cfg->ct_buckets): conns and half_open (health_conns_reset), or
 * the compact table's slots (ct_map_reset_device). Returns how many, or
 * -ERR_SYSTEM (recorded) when the compact table cannot be mapped or read.
 */
long health_device_reset(const struct hauler_maps *maps, const struct config *cfg, __u32 d,
			 __u16 gen);
/* Devices with a check now. */
int health_daemon_checked(const struct health_daemon *hd);

#endif
