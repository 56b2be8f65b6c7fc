/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * metrics.h - a snapshot of the balancer in the Prometheus text
 * exposition format (version 0.0.4): what `hauler metrics` prints and the
 * exporter serves. The datapath's counters are named from
 * include/schema.def (one family per prefix of a counter's name: pass_,
 * drop_, report_, the rest); docs/operations.md lists the families.
 */
#ifndef HAULER_METRICS_H
#define HAULER_METRICS_H

#include <stdio.h>

#include "snapshot.h"

#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* What the process serving the metrics adds of its own. */
struct metrics_extra {
	int daemon;	     /* 1: served by hauler daemon (ring_updates is its own) */
	__u64 ring_updates;  /* dwrr ring swaps the daemon made */
	__u64 scrape_errors; /* readings that failed since the start */
};

void metrics_write(FILE *out, const struct snapshot *s, const struct metrics_extra *x);
/* No balancer to read (not up, or a failing map): hauler_balancer_up 0 and why. */
void metrics_write_down(FILE *out, const char *why, const struct metrics_extra *x);

#endif
