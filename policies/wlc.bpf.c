// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* wlc: least connections relative to the device's static weight. */
#include "policy.h"
#include "select/select_load.h"

HAULER_POLICY(wlc)
{
	return select_wlc(pc);
}
