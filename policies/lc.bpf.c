// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* lc: least connections (the agent's live count plus the datapath's since). */
#include "policy.h"
#include "policy_maps.h"
#include "select/select_load.h"

HAULER_POLICY(lc)
{
	policy_assigned_fill(pc);
	return select_lc(pc);
}
