/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * dwrr.h - dynamic weighted round robin (docs/policies.md, "dwrr"): the weight
 * of a device at time t is W(d,t) = W(d,0) * (1 - util(d,t)/100), where
 * W(d,0) is its static weight and util its load on the VIP's metric.
 *
 * Rules, so that the ring never misleads the datapath:
 *  - a device that is not usable (drained, down) holds no slot;
 *  - a stale device (select_dev_stale: no report within its staleness
 *    bound) counts with W(d,0): an old number says nothing about now;
 *  - a device its agent reports busy (P4Mite) counts as saturated;
 *  - util is the VIP's metric (cmp unless set; conns and latency read as cmp);
 *  - if every usable device would drop to 0 (all saturated), each keeps
 *    W(d,0): the server still takes connections, by its static shares.
 * Weights are W(d,0) * (100 - util), scaled down to fit 16 bits; ring_build
 * reduces them to at most HAULER_RING_SLOTS slots.
 */
#ifndef HAULER_DWRR_H
#define HAULER_DWRR_H

#include "hauler_schema.h"
#include "model.h"

struct dwrr_input {
	__u16 weight; /* W(d,0) */
	__u8 usable;  /* in use and up */
	__u8 stale;   /* select_dev_stale */
	__u32 util;   /* util(d,t); above 100 counts as 100 */
};

/* W(d,t) of n devices (n <= HAULER_DEVS_PER_SERVER) into w[]. */
void dwrr_weights(const struct dwrr_input *in, int n, __u16 *w);

/* Does VIP vip run dwrr? */
int dwrr_vip(const struct model *m, int vip);
/*
 * The dwrr ring of server s of m, from the devices' load in states[]
 * (indexed by device id) at monotonic time now_ns. Returns 0 or -1.
 */
int dwrr_server_ring(const struct model *m, int s, const struct dev_state *states, __u64 now_ns,
		     struct ring *ring);
/* The same for any group of m's devices: a server, or a VIP's flat group. */
int dwrr_group_ring(const struct model *m, const struct server_info *srv,
		    const struct dev_state *states, __u64 now_ns, struct ring *ring);

#endif
