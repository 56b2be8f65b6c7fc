/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * select_p2c.h - power of two choices: two distinct fresh candidates
 * drawn from the flow hash, the less loaded on the metric gets the
 * connection. Cheaper than a full minimum and kinder to a herd: between
 * two reports, new flows do not all pile onto the one least loaded device.
 */
#ifndef HAULER_POLICY_SELECT_P2C_H
#define HAULER_POLICY_SELECT_P2C_H

#include "select/select_min.h"

#define HAULER_P2C_SEED_A 0x2c01u
#define HAULER_P2C_SEED_B 0x2c02u

static __always_inline __u32 select_p2c(const struct policy_ctx *pc, __u32 m)
{
	__u32 usable = select_usable_mask(pc), fresh = select_fresh_mask(pc, usable);
	__u32 count, a, b, pa, pb, hb, pick;
	__u32 va, vb, wa, wb;

	pick = select_stale_draw(pc, usable, fresh);
	if (pick != HAULER_NO_CHOICE)
		return pick;
	fresh = select_not_busy(pc, fresh); /* busy: drawn only when all are */
	count = select_mask_count(fresh);
	if (!count)
		return select_hash(pc);
	a = select_rehash(pc, HAULER_P2C_SEED_A) % count;
	if (count == 1)
		return select_mask_nth(fresh, a);
	hb = select_rehash(pc, HAULER_P2C_SEED_B);
	b = (a + 1 + hb % (count - 1)) % count; /* any but a, uniformly */
	pa = select_mask_nth(fresh, a);
	pb = select_mask_nth(fresh, b);
	if (pa >= HAULER_DEVS_PER_SERVER || pb >= HAULER_DEVS_PER_SERVER)
		return HAULER_NO_CHOICE; /* cannot happen; bounds the index below */
	va = metric_value(&pc->cand[pa], m);
	vb = metric_value(&pc->cand[pb], m);
	if (va != vb)
		return va < vb ? pa : pb;
	/* A tie: by weight, as select_min's ties; with no weight, by a hash bit. */
	wa = pc->cand[pa].weight;
	wb = pc->cand[pb].weight;
	if (wa + wb)
		return select_rehash(pc, HAULER_TIE_SEED) % (wa + wb) < wa ? pa : pb;
	return (hb >> 31) ? pb : pa;
}

#endif
