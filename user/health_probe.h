/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * health_probe.h - the probes of `hauler daemon`: every device with a
 * check gets one probe each interval, on a non-blocking socket watched
 * by one epoll set, so a slow or dead device delays no other. Probes
 * leave from the daemon's own network namespace (the balancer's) to the
 * device's address and port (or the check's port).
 *
 *   tcp    connect; the handshake completing is a pass
 *   udp    send the request; any reply passes, or one holding `expect`
 *   http   GET PATH HTTP/1.0; a 2xx or 3xx status line passes
 *   agent  no packet: passes while the agent's last report is younger
 *          than agent-silence (any check may add that condition)
 *
 * Time is passed in (now, in CLOCK_MONOTONIC ns) and a probe's end is
 * judged by the caller's clock, so the engine runs the same on a clock a
 * test moves by hand.
 */
#ifndef HAULER_HEALTH_PROBE_H
#define HAULER_HEALTH_PROBE_H

#include "health.h"
#include "model.h"

#define HEALTH_REPLY_LEN 64 /* bytes of a reply kept: an HTTP status line, a UDP answer */

struct health_probe {
	int fd; /* -1: none in flight */
	__u8 phase;
	__u16 sent, got;
	__u64 started_ns, deadline_ns;
	char reply[HEALTH_REPLY_LEN];
};

/* Where one device's probes go. */
struct health_target {
	__u8 family;
	__u32 addr[4];
	__u16 port; /* network order */
};

/* A transition, for the daemon's log. */
struct health_event {
	__u16 dev;
	__s8 change; /* +1 up, -1 down */
	__u8 result; /* enum health_result that decided it */
};

#define HEALTH_EVENTS 64

struct health_engine {
	int epfd;
	struct health_check check[HAULER_MAX_DEVICES];
	struct health_target target[HAULER_MAX_DEVICES];
	struct health_status status[HAULER_MAX_DEVICES];
	struct health_probe probe[HAULER_MAX_DEVICES];
	__u64 due_ns[HAULER_MAX_DEVICES];    /* next probe (0: no check) */
	__u64 report_ns[HAULER_MAX_DEVICES]; /* the agent's latest report (0: none) */
	__u8 dirty[HAULER_MAX_DEVICES];	     /* status to publish */
	struct health_event events[HEALTH_EVENTS];
	int n_events, lost_events;
};

/* Returns 0 or -ERR_SYSTEM. The engine is large: allocate it. */
int health_engine_init(struct health_engine *e);
void health_engine_free(struct health_engine *e);
/*
 * Adopt m's checks and device addresses. A device whose check or target
 * changed starts afresh (its probe in flight is dropped): from saved[d]
 * when that belongs to the same check (a restarted daemon resumes),
 * else up with health = rise. report_ns[d] is dev_state.updated_ns.
 */
void health_engine_sync(struct health_engine *e, const struct model *m,
			const struct health_status *saved, const __u64 *report_ns, __u64 now);
/* Start every probe that is due at now. */
void health_engine_start(struct health_engine *e, __u64 now);
/*
 * Wait up to timeout_ms for probe sockets, then finish the probes that
 * are ready, at clock()'s time. Returns the number of sockets handled.
 */
int health_engine_poll(struct health_engine *e, int timeout_ms, __u64 (*clock)(void));
/* Fail every probe in flight whose deadline is past now. */
void health_engine_expire(struct health_engine *e, __u64 now);
/* The next time something is due: a probe to start or a deadline (0: nothing). */
__u64 health_engine_next(const struct health_engine *e);

/* The HTTP status of a status line ("HTTP/1.1 204 ..."), or -1. */
int health_http_status(const char *line, size_t len);

#endif
