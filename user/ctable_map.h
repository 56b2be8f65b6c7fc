/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ctable_map.h - the pinned compact connection table (ctable) read and
 * changed from user space: hauler conns lists its slots, hauler status
 * counts them, the health daemon's on-down reset clears a device's. The
 * slot rules are include/ctable/ct_view.h's; here only the map.
 */
#ifndef HAULER_CTABLE_MAP_H
#define HAULER_CTABLE_MAP_H

#include "ctable/ct_view.h"
#include "model.h"

/* The view of model m's devices and config at now_ns (CLOCK_MONOTONIC). */
void ct_view_of_model(struct ct_view *v, const struct model *m, __u64 now_ns);

/*
 * Call fn over the n buckets of the ctable map fd, a chunk at a time
 * (first: the index of b[0]); a non-zero return of fn stops the walk and
 * is returned. Returns 0, fn's value, or -ERR_SYSTEM (recorded).
 */
typedef int (*ct_walk_fn)(void *arg, __u32 first, const struct ct_bucket *b, __u32 count);
int ct_map_walk(int fd, __u32 n, ct_walk_fn fn, void *arg);

/* Count the used slots of the ctable map fd of n buckets by state (c zeroed first). */
int ct_map_count(int fd, __u32 n, const struct ct_view *v, struct ct_counts *c);

/*
 * The on-down reset on the compact table: clear every slot of device id
 * in generation gen (ct_slot_of_device) from the ctable map fd of n
 * buckets. The map is mapped (BPF_F_MMAPABLE, schema 24) and each slot
 * cleared by a compare-and-swap against the walk's read of it, as the
 * datapath writes (ct_bucket_clear_device): no other slot is written, a
 * datapath write is never undone (docs/datapath.md, "The compact
 * table"). Returns the slots cleared, or -ERR_SYSTEM (recorded) when the
 * map cannot be mapped or read.
 */
long ct_map_reset_device(int fd, __u32 n, __u32 id, __u32 gen);

#endif
