/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * health.h - a device's health check: what the operator configured
 * (`hauler device set NAME check ...`), and the rise/fall state machine
 * that turns probe results into up and down (HAProxy's semantics).
 *
 * Nothing here touches a socket or a map: the probes are in
 * health_probe.h, the pinned records in health_maps.h, and the daemon
 * (cmd_daemon.c) brings them together. Times are passed in, so the
 * state machine runs on any clock (the unit tests use their own).
 */
#ifndef HAULER_HEALTH_H
#define HAULER_HEALTH_H

#include <stddef.h>
#include <linux/types.h>

enum health_type {
	HEALTH_NONE,  /* no check: the device is never failed by one */
	HEALTH_TCP,   /* connect to addr:port */
	HEALTH_UDP,   /* send a datagram, wait for a reply */
	HEALTH_HTTP,  /* GET PATH, expect a 2xx or 3xx status */
	HEALTH_AGENT, /* no probe: only the agent's silence */
	HEALTH_TYPES
};

enum health_on_down {
	HEALTH_KEEP,  /* established connections continue */
	HEALTH_RESET, /* established connections are removed from the table */
};

#define HEALTH_PATH_LEN	  64
#define HEALTH_SEND_LEN	  64
#define HEALTH_EXPECT_LEN 32

/* Defaults and limits of the options. */
#define HEALTH_INTERVAL_DEFAULT 2000
#define HEALTH_TIMEOUT_DEFAULT	1000 /* or the interval, when shorter */
#define HEALTH_RISE_DEFAULT	2
#define HEALTH_FALL_DEFAULT	3
#define HEALTH_MS_MIN		10
#define HEALTH_MS_MAX		3600000
#define HEALTH_COUNT_MAX	100

/* One device's check, as configured; all zero is HEALTH_NONE. */
struct health_check {
	__u8 type;    /* enum health_type */
	__u8 on_down; /* enum health_on_down */
	__u8 rise, fall;
	__u32 interval_ms, timeout_ms;
	__u32 agent_ms; /* agent silent longer than this fails the check; 0: not checked */
	__u16 port;	/* network order; 0: the device's own port */
	__u8 send_len, expect_len;
	char path[HEALTH_PATH_LEN];	/* http: NUL-terminated, starts with '/' */
	__u8 send[HEALTH_SEND_LEN];	/* udp: the request */
	__u8 expect[HEALTH_EXPECT_LEN]; /* udp: bytes the reply must contain (none: any reply) */
};

extern const char *const health_type_names[HEALTH_TYPES];

/*
 * Parse the words after `check`: argv[0] is the type, the options follow.
 * Fills *out only when everything is valid; else -ERR_INPUT, out untouched.
 */
int health_parse(int argc, char **argv, struct health_check *out);
/* The words that recreate c (without `check`), as `hauler save` writes them. */
void health_format(const struct health_check *c, char *buf, size_t len);

/* The result of one probe. */
enum health_result {
	HEALTH_R_NONE,	    /* no probe yet */
	HEALTH_R_OK,	    /* passed */
	HEALTH_R_REFUSED,   /* connection refused (TCP RST, ICMP port unreachable) */
	HEALTH_R_TIMEOUT,   /* no answer within timeout-ms */
	HEALTH_R_UNREACH,   /* another socket error (no route, host unreachable, ...) */
	HEALTH_R_BAD_REPLY, /* an answer, but not the expected one (HTTP status, UDP bytes) */
	HEALTH_R_CLOSED,    /* the peer closed before answering */
	HEALTH_R_SILENT,    /* the agent's last report is older than agent-silence */
	HEALTH_R_ERROR,	    /* a local error (socket, out of descriptors) */
	HEALTH_RESULTS
};

extern const char *const health_result_names[HEALTH_RESULTS];

/*
 * A device's health as the daemon keeps and publishes it. `health` is
 * HAProxy's counter: 0 .. rise + fall - 1, up while it is >= rise. A
 * check starts up with health = rise, so its first failure takes it
 * down (as HAProxy starts a server); then `rise` successes in a row bring
 * it up, and once up only `fall` failures in a row take it down again.
 */
struct health_status {
	__u32 check_sum; /* health_check_sum() of the check this status belongs to */
	__u8 up;	 /* 1: passes (or not yet failed); 0: down */
	__u8 health;	 /* the counter above */
	__u8 last;	 /* enum health_result of the latest probe */
	__u8 pad;
	__u32 last_ms;	  /* how long the latest probe took */
	__u32 downs, ups; /* transitions since the check was set */
	__u32 probes, failures;
	__u64 last_ns;	  /* CLOCK_MONOTONIC of the latest result (0: none) */
	__u64 changed_ns; /* of the latest transition (0: none) */
};

/* A fingerprint of c: a status whose check_sum differs belongs to another check. */
__u32 health_check_sum(const struct health_check *c);
/* A fresh status for check c: up, health = rise, no counts. */
void health_status_init(struct health_status *s, const struct health_check *c);
/*
 * Feed one probe result at time now (ns). Returns +1 when the device
 * just came up, -1 when it just went down, 0 otherwise.
 */
int health_status_feed(struct health_status *s, const struct health_check *c, enum health_result r,
		       __u32 took_ms, __u64 now);

#endif
