// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* jsq: join the shortest queue (the least accept-queue fill). */
#include "policy.h"
#include "select/select_load.h"

HAULER_POLICY(jsq)
{
	return select_jsq(pc);
}
