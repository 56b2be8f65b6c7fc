// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * prt: prioritization. The highest-capacity (weight) device whose metric
 * is below the VIP's threshold; when none is, the server is saturated:
 * spill to the next server (if the VIP allows), else the least loaded.
 */
#include "policy.h"
#include "policy_maps.h"
#include "select/select_prt.h"

HAULER_POLICY(prt)
{
	const struct policy_params *p = policy_params_get(pc);
	__u32 saturated, choice;

	if (!p)
		return select_prt(pc, HAULER_METRIC_CMP, HAULER_PRT_THRESHOLD_DEFAULT);
	if (metric_spec(p) == HAULER_METRIC_CONNS)
		policy_assigned_fill(pc);
	choice = select_prt_spill(pc, metric_spec(p), p->threshold, &saturated);
	pc->saturated = saturated;
	return choice;
}
