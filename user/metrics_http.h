/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * metrics_http.h - the Prometheus endpoint: libmicrohttpd serves
 * GET /metrics on ADDR:PORT from a thread of its own; every scrape reads
 * the pinned state afresh (snapshot.h), so the exporter holds nothing
 * between scrapes. `hauler exporter` runs it alone, `hauler daemon
 * --metrics` beside its passes.
 */
#ifndef HAULER_METRICS_HTTP_H
#define HAULER_METRICS_HTTP_H

#include <linux/types.h>

struct metrics_http;

/* "ADDR:PORT" or "[ADDR6]:PORT". Returns 0 or -ERR_INPUT (recorded). */
int metrics_listen_parse(const char *text, __u8 *family, __u32 addr[4], __u16 *port);
/*
 * Serve the metrics of pin on listen (metrics_listen_parse's form).
 * daemon: 1 when hauler daemon serves them (its ring updates are
 * exported, metrics_http_ring_updates). NULL: error recorded.
 */
struct metrics_http *metrics_http_start(const char *listen, const char *pin, int daemon);
/* The daemon's count of ring swaps, for the next scrapes. */
void metrics_http_ring_updates(struct metrics_http *h, __u64 total);
void metrics_http_stop(struct metrics_http *h);

#endif
