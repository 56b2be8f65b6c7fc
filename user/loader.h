/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * loader.h - bring the datapath up and down: load the entry program and
 * the built-in policies (libbpf skeletons), pin them and every map under
 * the pin directory, attach XDP through netlink (so forwarding outlives
 * the manager), and take it all away again.
 */
#ifndef HAULER_LOADER_H
#define HAULER_LOADER_H

#include "hauler_schema.h"
#include "map_sizes.h"

struct up_opts {
	const char *dev;
	__u32 xdp_flags; /* XDP_FLAGS_DRV_MODE or XDP_FLAGS_SKB_MODE */
	int have_tunnel4, have_tunnel6;
	__u32 tunnel4;
	__u32 tunnel6[4];
	struct table_sizes sizes; /* --conns, --half-open (0: default or pinned) */
	int table; /* --table: TABLE_LRU, TABLE_COMPACT; 0: as running (first up: TABLE_DEFAULT) */
	/* --assigned (mode + 1), --assigned-cpus, --assigned-interval (0: as running or default) */
	__u32 assigned_mode1, assigned_cpus, assigned_interval_us;
};

/* Route libbpf's messages to stderr only when debugging. */
void loader_set_debug(int debug);
int loader_debug(void);
/* 1 when pins of a balancer exist under pin. */
int loader_pins_exist(const char *pin);
int loader_up(const char *pin, const struct up_opts *opts);
int loader_down(const char *pin);
/* Id of the program attached to ifindex in the given mode (0: none). */
__u32 loader_attached_id(int ifindex, __u32 xdp_flags);
/* Id of the pinned entry program (0: none). */
__u32 loader_pinned_id(const char *pin);

#endif
