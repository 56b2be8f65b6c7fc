// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * prt: prioritization. The highest-weight device whose metric is below
 * the VIP's threshold; the least loaded one when none is.
 */
#include "policy.h"
#include "policy_maps.h"
#include "select/select_prt.h"

HAULER_POLICY(prt)
{
	const struct policy_params *p = policy_params_get(pc);

	if (!p)
		return select_prt(pc, HAULER_METRIC_CMP, HAULER_PRT_THRESHOLD_DEFAULT);
	return select_prt(pc, p->metric, p->threshold);
}
