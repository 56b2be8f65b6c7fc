// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ecmp: round robin with equal weights. The server's ring pointer walks
 * its usable devices directly; no ring is needed.
 */
#include "policy.h"
#include "policy_maps.h"
#include "select/select_rr.h"

HAULER_POLICY_NO_LOAD(ecmp)
{
	__u32 pos;

	if (policy_ring_next(pc, &pos))
		return select_hash(pc);
	return select_ecmp(pc, pos);
}
