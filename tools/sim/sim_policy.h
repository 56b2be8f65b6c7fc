/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * sim_policy.h - the policies in the simulator: each calls the same
 * selection function with the same parameters as its program in
 * policies/NAME.bpf.c does.
 */
#ifndef HAULER_SIM_POLICY_H
#define HAULER_SIM_POLICY_H

#include "sim.h"
#include "policy_table.h"

/* The VIP's policy and parameters from cfg (checked by the manager's table). */
int sim_policy_choice(const struct sim_config *cfg, struct policy_choice *pc);
/* Is name a policy the simulator runs? */
int sim_policy_known(const char *name);
/* The position in pc->cand[] the VIP's policy picks. */
__u32 sim_policy_select(struct sim_cluster *c, const struct policy_ctx *pc);

#endif
