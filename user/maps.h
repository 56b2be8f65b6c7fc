/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * maps.h - the pinned maps of a running balancer, one fd per map of
 * include/schema.def, opened from the pin directory.
 */
#ifndef HAULER_MAPS_H
#define HAULER_MAPS_H

#define HAULER_PIN_DEFAULT "/sys/fs/bpf/hauler"

struct hauler_maps {
#define SCHEMA_MAP(name, type, key, value, max, doc) int name;
#include "schema_each.h"
};

/* Open every map pinned under pin. Fails with a clear error when one is missing. */
int maps_open(struct hauler_maps *maps, const char *pin);
void maps_close(struct hauler_maps *maps);

#endif
