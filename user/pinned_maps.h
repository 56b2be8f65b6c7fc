/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * maps.h - the pinned maps of a running balancer, one fd per map of
 * include/schema.def, opened from the pin directory.
 */
#ifndef HAULER_MAPS_H
#define HAULER_MAPS_H

#include <linux/types.h>

#define HAULER_PIN_DEFAULT "/sys/fs/bpf/hauler"

struct hauler_maps {
#define SCHEMA_MAP(name, type, key, value, max, doc) int name;
#include "schema_each.h"
};

/* Open every map pinned under pin. Fails with a clear error when one is missing. */
int maps_open(struct hauler_maps *maps, const char *pin);
void maps_close(struct hauler_maps *maps);
/*
 * Read entries 0..count-1 of an ARRAY map into values (count * size
 * bytes): one batch call where the kernel has it, else one lookup each.
 * Returns 0 or -errno.
 */
int maps_read_array(int fd, __u32 count, void *values, __u32 size);

#endif
