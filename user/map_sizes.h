/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * map_sizes.h - the tables' sizes, chosen at `hauler up` (--conns,
 * --half-open, --vips, --servers, --devices) rather than at compile time. The size lives in
 * the pinned map itself: every later load of an object that shares the
 * pins (a re-up, the policies, a custom policy, the tests and
 * benchmarks) takes the pinned map's size, so libbpf reuses it.
 */
#ifndef HAULER_MAP_SIZES_H
#define HAULER_MAP_SIZES_H

#include <linux/types.h>
#include "hauler_schema.h"

struct bpf_object;

/*
 * Entries of conns and half_open, buckets of ctable, and the VIP, server and device counts;
 * 0: the default (or the pinned size). The counts size every map indexed
 * by them (map_sizes.c: vips, vip_index, pools, policy_progs,
 * policy_params; servers, rings, ring_pos with one flat group a VIP after
 * the servers; devices, dev_state, dev_keys); the C arrays of the manager
 * and the stats layout take the ceilings HAULER_MAX_*.
 */
struct table_sizes {
	__u32 conns;
	__u32 ctable; /* buckets of the compact table (ctable; 1: unused, the LRU tables) */
	__u32 half_open;
	__u32 vips;
	__u32 servers;
	__u32 devices;
};

/* hauler up --table: which connection table the datapath uses (0: not given). */
#define TABLE_LRU     1 /* conns and half_open, kernel LRU hashes */
#define TABLE_COMPACT 2 /* ctable (include/ctable/), config.ct_buckets */
/* The table of a first up without --table. */
#define TABLE_DEFAULT TABLE_COMPACT

/*
 * The sizes of --table compact --conns N (0: the default's, or the
 * pinned table's when there is one, pinned_ctable): ctable holds N flows
 * (a nat connection takes one: its reply has no slot) at CT_FILL_PCT;
 * conns and half_open shrink to their least.
 */
void map_sizes_compact(struct table_sizes *ts, __u32 pinned_ctable);
/* -ERR_INPUT when the table asked for (TABLE_*, 0: any) is not the running balancer's (have). */
int map_sizes_same_table(const struct table_sizes *have, int table);
/*
 * The table an up uses, the pinned sizes have (all 0: nothing runs): the
 * one asked for (TABLE_*), else the running balancer's (a re-up keeps
 * it), else TABLE_DEFAULT.
 */
int map_sizes_table(const struct table_sizes *have, int table);
/*
 * -ERR_INPUT when ts asks the table (TABLE_*) for what it does not have:
 * --half-open with the compact table (its half-open flows share its slots).
 */
int map_sizes_table_check(const struct table_sizes *ts, int table);

/* Bounds of what `hauler up` accepts. */
#define HAULER_CONNS_MIN     1024
#define HAULER_CONNS_MAX     (64u << 20)
#define HAULER_HALF_OPEN_MIN 256

/* A size given as "N", "Nk" or "NM" (powers of ten); -ERR_INPUT with a message when bad. */
int map_sizes_parse(const char *text, const char *what, __u32 *out);
/* A count (--vips, --servers, --devices) 1..max; -ERR_INPUT with a message when bad. */
int map_sizes_parse_count(const char *text, const char *what, __u32 max, __u32 *out);
/* Sizes out of bounds (conns, half_open; vips, servers, devices 1..HAULER_MAX_*): -ERR_INPUT. */
int map_sizes_check(const struct table_sizes *ts);
/* Set the tables of obj (opened, not loaded) to ts; 0 fields keep the object's size. */
int map_sizes_set(struct bpf_object *obj, const struct table_sizes *ts);
/* The sizes of the tables pinned under pin (0 where not pinned). */
void map_sizes_pinned(const char *pin, struct table_sizes *ts);
/*
 * The VIP, server and device counts of loaded maps (their fds): what the
 * manager may allocate. -ERR_SYSTEM when a map is unreadable or its size
 * is beyond the ceilings.
 */
int map_sizes_of_maps(int vip_index, int servers, int devices, struct table_sizes *ts);
/* Sizes asked for (want) against those pinned (have): -ERR_INPUT, naming both, if any differs. */
int map_sizes_compare(const struct table_sizes *have, const struct table_sizes *want);
/*
 * Before loading obj with pin_root_path pin: give every map of obj that
 * is pinned there already the pinned map's max_entries, so that libbpf
 * reuses the pin instead of refusing it as another layout.
 */
int map_sizes_match_pins(struct bpf_object *obj);

#endif
