/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * select_rr.h - round robin with equal weights (ecmp). wrr and dwrr walk
 * the manager's ring (select_wrr in select.h); ecmp needs no ring: the
 * server's pointer walks its usable devices directly.
 */
#ifndef HAULER_POLICY_SELECT_RR_H
#define HAULER_POLICY_SELECT_RR_H

#include "select/select_min.h"

/*
 * ecmp: the (pos mod count)-th usable device of positive weight, one slot
 * each whatever the weight; weight 0 holds no slot, as in a ring. When no
 * usable device has a weight, every usable device takes a turn.
 */
static __always_inline __u32 select_ecmp(const struct policy_ctx *pc, __u32 pos)
{
	__u32 usable = select_usable_mask(pc), weighted = select_weighted_mask(pc), count;

	if (usable & weighted)
		usable &= weighted;
	count = select_mask_count(usable);
	if (!count)
		return HAULER_NO_CHOICE;
	return select_mask_nth(usable, pos % count);
}

#endif
