/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * handshake.h - how long a new connection's handshake is kept from the
 * junk of a flood, in either connection table (docs/datapath.md,
 * "Connections"): the compact table gives no new flow the slot of a
 * half-open one younger than this (ct_crowded); the LRU tables, whose
 * victims the kernel picks, count the new connections each CPU records
 * in half_open, and past the rate that would cycle the table within this
 * time a new connection gets the hash choice instead of its VIP's policy
 * (config.half_open_burst), so that a handshake whose entry is pushed out
 * still finds the same device without state; one CPU past that rate
 * crowds them all for a window (crowded_until, bpf/hauler_xdp.bpf.c),
 * since they share half_open.
 */
#ifndef HAULER_HANDSHAKE_H
#define HAULER_HANDSHAKE_H

#include <linux/types.h>

/* A round trip, or one SYN-ACK retransmission at the 1 s initial RTO. */
#define HAULER_HANDSHAKE_PROTECT_MS 3000
/* The LRU tables' count of new connections restarts every window, per CPU. */
#define HAULER_NEW_WINDOW_MS 100

/*
 * New connections one CPU may record in a window before the LRU's
 * half_open of entries entries, filled by cpus CPUs at that rate, would
 * push out a handshake younger than HAULER_HANDSHAKE_PROTECT_MS: at
 * least 1.
 */
static inline __u32 hauler_half_open_burst(__u32 entries, __u32 cpus)
{
	__u64 per = (__u64)(HAULER_HANDSHAKE_PROTECT_MS / HAULER_NEW_WINDOW_MS) * (cpus ? cpus : 1);
	__u64 b = entries / per;

	return b ? (__u32)b : 1;
}

#endif
