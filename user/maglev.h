/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * maglev.h - the server tier's lookup table: weighted Maglev with
 * minimal disruption. Server i holds t_i = M * w_i / W slots (largest
 * remainder, so the targets sum to M). Given the table now in use, every
 * slot whose owner stays keeps it (up to the owner's target), so adding
 * or removing a server moves only the slots that must move.
 */
#ifndef HAULER_MAGLEV_H
#define HAULER_MAGLEV_H

#include "hauler_schema.h"

#define MAGLEV_SEED_OFFSET 0x6d61676cu /* "magl" */
#define MAGLEV_SEED_SKIP   0x65763162u /* "ev1b" */

struct maglev_server {
	__u16 index;		    /* value stored in the table */
	char name[HAULER_NAME_LEN]; /* NUL-terminated; seeds the permutation */
	__u32 weight;		    /* 0: no slots */
};

/*
 * Fill table[0..M-1] with server indices (HAULER_NO_SERVER when no server
 * has weight). old (M entries, or NULL) is the table in use. Returns 0,
 * or -1 when M is not a prime in 7..HAULER_MAGLEV_MAX, n is out of range
 * or memory runs out.
 */
int maglev_build(const struct maglev_server *s, int n, __u32 M, const __u16 *old, __u16 *table);

#endif
