// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* hash: a stateless choice among the usable devices, from the flow hash. */
#include "policy.h"

HAULER_POLICY_NO_LOAD(hash)
{
	return select_hash(pc);
}
