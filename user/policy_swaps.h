/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * policy_swaps.h - how often each VIP's policy program was swapped: a
 * manager-owned map pinned at PIN/policy_swaps (ARRAY, policy slot ->
 * __u64), which the datapath never reads. model_commit counts a swap
 * when a VIP's slot gets another program (policy set to another name, or
 * its custom policy loaded again); a new VIP starts at 0. The metrics
 * export it (hauler_vip_policy_swaps_total).
 */
#ifndef HAULER_POLICY_SWAPS_H
#define HAULER_POLICY_SWAPS_H

#include "model.h"

#define POLICY_SWAPS_PIN "policy_swaps"

/* HAULER_MAX_VIPS counts into out (all 0 when the map does not exist yet). */
int policy_swaps_read(const char *pin, __u64 *out);
/* After a commit's program swaps: count them (created on first need). */
int policy_swaps_commit(const char *pin, const struct model *base, const struct model *cur);

#endif
