/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ring.h - a server's round-robin ring: each device position holds as
 * many slots as its weight (reduced by the gcd, scaled down to fit
 * HAULER_RING_SLOTS), ordered by nginx's smooth weighted round robin so
 * a heavy device's turns are spread between the others'.
 */
#ifndef HAULER_RING_H
#define HAULER_RING_H

#include "hauler_schema.h"

/* weights[i]: weight of device position i (n <= HAULER_DEVS_PER_SERVER). Returns 0 or -1. */
int ring_build(const __u16 *weights, int n, struct ring *r);

#endif
