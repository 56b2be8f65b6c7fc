// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* lur: least utilized resource, on the VIP's metric (cmp, mem or net). */
#include "policy.h"
#include "policy_maps.h"
#include "select/select_load.h"

HAULER_POLICY(lur)
{
	return select_lur(pc, policy_metric_filled(pc));
}
