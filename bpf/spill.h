/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * spill.h - spill-over between servers. A policy that finds every device
 * of its server unusable (HAULER_NO_CHOICE) or saturated (pc->saturated)
 * tail calls the entry object's spill program, when the VIP allows spills
 * (policy_params.spill) and some are left. The spill program picks the
 * next server of the flow's Maglev preference (select_spill.h), refills
 * the candidates and tail calls the VIP's policy again; with no other
 * server it binds the policy's own choice (pc->choice). A tail call
 * cannot return, so the choice travels in pc and the signal is the call.
 */
#ifndef HAULER_BPF_SPILL_H
#define HAULER_BPF_SPILL_H

#include "xdp_maps.h"
#include "prog_array.h"

/* Spills a new connection of the VIP may make (policy_params.spill, capped). */
static __always_inline __u32 spill_budget(const struct policy_params *params)
{
	if (!params)
		return 0;
	return params->spill < HAULER_SPILL_MAX ? params->spill : HAULER_SPILL_MAX;
}

#ifndef HAULER_SPILL_OWNER
/*
 * The spill program's one-slot table. The entry object defines it with
 * its program in slot 0 (bpf/hauler_xdp.bpf.c); policy objects share it
 * (bpf/prog_array.h).
 */
HAULER_PROG_ARRAY_SHARED(spill_prog, 1);

/*
 * After a policy chose (pc->choice): on to the next server when the
 * server has nothing usable or is saturated and a spill is left. Returns
 * only when it does not spill (or the tail call fails): then the caller
 * binds pc->choice.
 */
static __always_inline void policy_spill(struct xdp_md *ctx, struct policy_ctx *pc)
{
	if (!pc->spill_left || (pc->choice != HAULER_NO_CHOICE && !pc->saturated))
		return;
	bpf_tail_call(ctx, &spill_prog, 0);
}
#endif /* HAULER_SPILL_OWNER */

#endif
