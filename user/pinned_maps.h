/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * maps.h - the pinned maps of a running balancer, one fd per map of
 * include/schema.def, opened from the pin directory.
 */
#ifndef HAULER_MAPS_H
#define HAULER_MAPS_H

#include <linux/bpf.h>
#include <linux/types.h>

#define HAULER_PIN_DEFAULT "/sys/fs/bpf/hauler"

struct hauler_maps {
#define SCHEMA_MAP(name, type, key, value, max, doc) int name;
#include "schema_each.h"
};

/* Open every map pinned under pin. Fails with a clear error when one is missing. */
int maps_open(struct hauler_maps *maps, const char *pin);
void maps_close(struct hauler_maps *maps);
/* The schema's maps of a loaded object (tests, benchmarks); the object keeps the fds. */
struct bpf_object;
int maps_of_object(struct hauler_maps *maps, struct bpf_object *obj);
/*
 * Read entries 0..count-1 of an ARRAY map into values (count * size
 * bytes): one batch call where the kernel has it, else one lookup each.
 * Entries beyond a smaller map (sized at hauler up) read as zero.
 * Returns 0 or -errno.
 */
int maps_read_array(int fd, __u32 count, void *values, __u32 size);
/*
 * The same for a map whose value holds a spin lock (SCHEMA_LOCK:
 * dev_state): each entry is copied under its lock (BPF_F_LOCK), so it is
 * never caught half written by the datapath. The lock word reads as 0.
 */
int maps_read_array_locked(int fd, __u32 count, void *values, __u32 size);

/*
 * A map only the manager reads (not in the schema: the datapath never
 * sees it), pinned at PIN/name: open it, or with create make and pin it.
 * A pin whose key or value size differs is refused (another layout).
 * Returns the fd; -1 when it does not exist and create is 0; else
 * -ERR_SYSTEM (recorded).
 */
int maps_manager_open(const char *pin, const char *name, enum bpf_map_type type, __u32 key_size,
		      __u32 value_size, __u32 max, int create);

#endif
