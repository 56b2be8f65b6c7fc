/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * stats_read.h - read the per-CPU stats map: one slot summed over the
 * CPUs (hauler stats, the snapshot of the observers).
 */
#ifndef HAULER_STATS_READ_H
#define HAULER_STATS_READ_H

#include "hauler_schema.h"

struct stats_reader {
	int fd, ncpus;
	struct counter *percpu;
};

/* Returns 0 or -ERR_* (recorded); the reader holds no fd of its own. */
int stats_reader_init(struct stats_reader *r, int fd);
/* Sum one stats slot over the CPUs. */
int stats_reader_sum(struct stats_reader *r, __u32 key, struct counter *sum);
void stats_reader_free(struct stats_reader *r);

#endif
