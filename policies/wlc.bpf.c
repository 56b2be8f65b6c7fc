// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* wlc: least connections relative to the device's static weight. */
#include "policy.h"
#include "policy_maps.h"
#include "select/select_load.h"

HAULER_POLICY(wlc)
{
	policy_assigned_fill(pc);
	return select_wlc(pc);
}
