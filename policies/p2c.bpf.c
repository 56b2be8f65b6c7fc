// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* p2c: power of two choices on the VIP's metric. */
#include "policy.h"
#include "policy_maps.h"
#include "select/select_p2c.h"

HAULER_POLICY(p2c)
{
	return select_p2c(pc, policy_metric_filled(pc));
}
