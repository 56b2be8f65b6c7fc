/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * policy_call.h - the tail call into a VIP's policy, policy_progs[slot].
 *
 * The kernel JITs a tail call whose key the verifier knows, the same
 * constant on every path to the call, as a direct jump that it patches
 * whenever the slot changes (a poke descriptor; prog_array_map_poke_run):
 * a policy swap stays one atomic map update. A key it cannot know is an
 * indirect jump, through a retpoline on a CPU that needs one (about 10 ns
 * more here, docs/performance.md). So the first HAULER_POLICY_DIRECT slots (include/schema.def)
 * (VIP ids, handed out lowest first: the first VIPs) have a call site
 * each; the others share the indirect call.
 */
#ifndef HAULER_BPF_POLICY_CALL_H
#define HAULER_BPF_POLICY_CALL_H

#include "xdp_maps.h"

/*
 * bpf_tail_call(ctx, &policy_progs, k) for a constant k, written as asm:
 * clang merges equal calls of the switch below into one call with a
 * variable key. "memory": the policy reads the scratch written before.
 */
#define POLICY_CALL_CONST(ctx, k)                                                                  \
	asm volatile(                                                                              \
	    "r1 = %[c]\n\tr2 = %[map] ll\n\tr3 = %[key]\n\tcall %[fn]"                             \
	    :                                                                                      \
	    : [c] "r"(ctx), [map] "i"(&policy_progs), [key] "i"(k), [fn] "i"(BPF_FUNC_tail_call)   \
	    : "r0", "r1", "r2", "r3", "r4", "r5", "memory")

#define POLICY_CASE(ctx, k)                                                                        \
	case k:                                                                                    \
		POLICY_CALL_CONST(ctx, k);                                                         \
		break

_Static_assert(HAULER_POLICY_DIRECT == 8, "policy_tail_call: one case per direct slot");

/* Into the policy of slot; returns only when the slot is empty (or the call fails). */
static __always_inline void policy_tail_call(struct xdp_md *ctx, __u32 slot)
{
	switch (slot) {
		POLICY_CASE(ctx, 0);
		POLICY_CASE(ctx, 1);
		POLICY_CASE(ctx, 2);
		POLICY_CASE(ctx, 3);
		POLICY_CASE(ctx, 4);
		POLICY_CASE(ctx, 5);
		POLICY_CASE(ctx, 6);
		POLICY_CASE(ctx, 7);
	default:
		bpf_tail_call(ctx, &policy_progs, slot);
	}
}

#endif
