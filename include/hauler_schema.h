/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * hauler_schema.h - C form of include/schema.def, for BPF and user space.
 * Nothing is written here by hand but the mapping of widths to C types.
 */
#ifndef HAULER_SCHEMA_H
#define HAULER_SCHEMA_H

#include <linux/types.h>
#include <linux/bpf.h> /* struct bpf_spin_lock (SCHEMA_LOCK) */

#define SCHEMA_TYPE_8  __u8
#define SCHEMA_TYPE_16 __u16
#define SCHEMA_TYPE_32 __u32
#define SCHEMA_TYPE_64 __u64

#define SCHEMA_CONST(name, value, doc) HAULER_##name = (value),
enum hauler_const {
#include "schema_each.h"
};

/* clang-format cannot tell that these two open and close a struct. */
/* clang-format off */
#define SCHEMA_STRUCT(name, doc)	   struct name {
#define SCHEMA_END(name)		   };
#define SCHEMA_FIELD(s, f, bits, doc)	   SCHEMA_TYPE_##bits f;
#define SCHEMA_ARRAY(s, f, bits, n, doc)   SCHEMA_TYPE_##bits f[n];
#define SCHEMA_STRUCT_NEST(s, f, t, doc)   struct t f;
#define SCHEMA_ARRAY_NEST(s, f, t, n, doc) struct t f[n];
#define SCHEMA_LOCK(s, f, doc)		   struct bpf_spin_lock f;
/* clang-format on */
#include "schema_each.h"

#define SCHEMA_COUNTER(name, doc) HAULER_STAT_##name,
enum hauler_stat_reason {
#include "schema_each.h"
	HAULER_STAT_REASONS
};

/* Layout of the stats map: reasons, then two counters per VIP and per device. */
#define HAULER_STAT_REASON_SLOTS    64
#define HAULER_STAT_VIP(vip, which) (HAULER_STAT_REASON_SLOTS + (vip)*2 + (which))
#define HAULER_STAT_DEV(dev, which)                                                                \
	(HAULER_STAT_REASON_SLOTS + HAULER_MAX_VIPS * 2 + (dev)*2 + (which))
#define HAULER_STAT_FWD	  0 /* packets/bytes forwarded */
#define HAULER_STAT_NEW	  1 /* new connections (packets field) */
#define HAULER_STAT_SLOTS (HAULER_STAT_DEV(HAULER_MAX_DEVICES, 0))

/* The literal sizes in schema.def must agree with its constants. */
_Static_assert(HAULER_STAT_REASONS <= HAULER_STAT_REASON_SLOTS, "too many counters");
_Static_assert(HAULER_STAT_SLOTS == 17472, "stats max_entries in schema.def");
_Static_assert(sizeof(((struct pool *)0)->server) == 2 * HAULER_MAGLEV_MAX, "pool size");
_Static_assert(sizeof(((struct ring *)0)->slot) == HAULER_RING_SLOTS, "ring size");
_Static_assert(sizeof(((struct server_info *)0)->dev) == 2 * HAULER_DEVS_PER_SERVER, "dev[]");
_Static_assert(sizeof(((struct device_info *)0)->name) == HAULER_NAME_LEN, "name");
_Static_assert(sizeof(struct flow_key) == 40, "flow_key has no holes");
_Static_assert(sizeof(struct vip_key) == 20, "vip_key has no holes");
_Static_assert(sizeof(struct conn) == 24, "conn has no holes");
_Static_assert(sizeof(struct bpf_spin_lock) == 4, "SCHEMA_LOCK is a 32-bit word");
_Static_assert(sizeof(struct device_info) == 72, "device_info has no holes");
_Static_assert(sizeof(struct dev_state) == 64, "dev_state has no holes");
_Static_assert(sizeof(struct dev_own) == 16, "dev_own has no holes");
_Static_assert(sizeof(((struct policy_ctx *)0)->cand) / sizeof(struct policy_cand) ==
		   HAULER_DEVS_PER_SERVER,
	       "cand[]");

#endif
