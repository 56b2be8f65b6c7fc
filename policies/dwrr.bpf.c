// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * dwrr: dynamic weighted round robin. The walk is wrr's; what differs is
 * the ring: while a VIP runs dwrr, the manager rebuilds each server's
 * ring from W(d,t) = W(d,0) * (1 - util(d,t)) and flips ring_version. The
 * program has its own name so that `hauler policy set VIP dwrr` says so.
 */
#include "policy.h"
#include "policy_maps.h"

HAULER_POLICY_NO_LOAD(dwrr)
{
	return policy_ring_walk(pc);
}
