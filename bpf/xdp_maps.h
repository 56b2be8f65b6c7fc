/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * maps.h - hauler's maps, declared from include/schema.def. Every map is
 * pinned by name, so the entry program and every policy object share one
 * set of maps under the manager's pin directory.
 */
#ifndef HAULER_BPF_MAPS_H
#define HAULER_BPF_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "hauler_schema.h"
#include "hauler_keys.h"

#define SCHEMA_KEY_u32	    __u32
#define SCHEMA_KEY_vip_key  struct vip_key
#define SCHEMA_KEY_flow_key struct flow_key
#define SCHEMA_KEY_dev_addr struct dev_addr
#define SCHEMA_VAL_u32	    __u32
#define SCHEMA_VAL(v)	    struct v

#define SCHEMA_MAP_GENERIC(name, mtype, kt, vt, max)                                               \
	struct {                                                                                   \
		__uint(type, BPF_MAP_TYPE_##mtype);                                                \
		__uint(max_entries, max);                                                          \
		__type(key, SCHEMA_KEY_##kt);                                                      \
		__type(value, SCHEMA_VAL(vt));                                                     \
		__uint(pinning, LIBBPF_PIN_BY_NAME);                                               \
	} name SEC(".maps");
#define SCHEMA_MAP_HASH(n, k, v, m)	    SCHEMA_MAP_GENERIC(n, HASH, k, v, m)
#define SCHEMA_MAP_LRU_HASH(n, k, v, m)	    SCHEMA_MAP_GENERIC(n, LRU_HASH, k, v, m)
#define SCHEMA_MAP_ARRAY(n, k, v, m)	    SCHEMA_MAP_GENERIC(n, ARRAY, k, v, m)
#define SCHEMA_MAP_PERCPU_ARRAY(n, k, v, m) SCHEMA_MAP_GENERIC(n, PERCPU_ARRAY, k, v, m)
/*
 * An array whose values start at a page boundary (BPF_F_MMAPABLE), so a
 * 64-byte value is one cache line: a plain array's values start where
 * struct bpf_array ends (312 bytes here, 56 bytes into a cache line), and
 * each 64-byte value then spans two lines. The compact table's buckets.
 */
#define SCHEMA_MAP_ARRAY_MMAPABLE(n, k, v, m)                                                      \
	struct {                                                                                   \
		__uint(type, BPF_MAP_TYPE_ARRAY);                                                  \
		__uint(max_entries, m);                                                            \
		__uint(map_flags, BPF_F_MMAPABLE);                                                 \
		__type(key, SCHEMA_KEY_##k);                                                       \
		__type(value, SCHEMA_VAL(v));                                                      \
		__uint(pinning, LIBBPF_PIN_BY_NAME);                                               \
	} n SEC(".maps");
/* A PROG_ARRAY takes no BTF types: sizes only. */
#define SCHEMA_MAP_PROG_ARRAY(n, k, v, m)                                                          \
	struct {                                                                                   \
		__uint(type, BPF_MAP_TYPE_PROG_ARRAY);                                             \
		__uint(max_entries, m);                                                            \
		__uint(key_size, sizeof(__u32));                                                   \
		__uint(value_size, sizeof(__u32));                                                 \
		__uint(pinning, LIBBPF_PIN_BY_NAME);                                               \
	} n SEC(".maps");

#define SCHEMA_MAP(name, mtype, key, value, max, doc) SCHEMA_MAP_##mtype(name, key, value, max)
#include "schema_each.h"

#endif
