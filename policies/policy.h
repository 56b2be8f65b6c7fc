/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * policy.h - the interface of a policy program (docs/policies.md).
 *
 * The entry program has parsed the packet, chosen a server and written
 * everything a policy needs into the per-CPU `scratch` map: the flow,
 * its hash, and the server's devices as candidates (usable, weight,
 * kind); the macro adds their load (stale, busy, utilizations, ...)
 * before the choice. A policy only chooses:
 *
 *	HAULER_POLICY(name)
 *	{
 *		return select_something(pc);   // position in pc->cand[]
 *	}
 *
 * The macro turns that into an XDP program which records the choice in
 * the connection table and forwards the packet (new_conn_finish). A
 * choice that is not usable is replaced by the hash choice and counted.
 * When the server has no usable device (HAULER_NO_CHOICE) or the policy
 * set pc->saturated, and the VIP allows it, the connection spills to the
 * next server first (bpf/spill.h): the program runs again on its devices.
 */
#ifndef HAULER_POLICY_H
#define HAULER_POLICY_H

#include "newconn.h"
#include "spill.h"
#include "candidates.h"

/*
 * A policy that reads its candidates' load (cand[].stale, busy, the
 * utilizations, queue, live_conns, latency_us): the macro fills it from
 * dev_state before the choice (policy_load_fill). Every policy but those
 * below, and every custom one unless it says otherwise.
 */
#define HAULER_POLICY(name) HAULER_POLICY_PROG(name, policy_load_fill(pc))

/*
 * A policy that reads only a candidate's id, usable, weight and kind
 * (hash, ecmp, wrr, dwrr): no dev_state read per device, no load copied
 * (about 20 ns of a new connection with four devices, docs/performance.md).
 * Its candidates are stale (load unknown); their other load fields hold
 * whatever an earlier decision on this CPU left: it must not read them.
 */
#define HAULER_POLICY_NO_LOAD(name) HAULER_POLICY_PROG(name, (void)0)

#define HAULER_POLICY_PROG(name, load)                                                             \
	static __always_inline __u32 name##_select(struct xdp_md *ctx, struct policy_ctx *pc);     \
	SEC("xdp") int policy_##name(struct xdp_md *ctx)                                           \
	{                                                                                          \
		struct policy_ctx *pc = policy_ctx_get();                                          \
                                                                                                   \
		if (!pc)                                                                           \
			return XDP_PASS;                                                           \
		load;                                                                              \
		pc->choice = name##_select(ctx, pc);                                               \
		policy_spill(ctx, pc);                                                             \
		return new_conn_finish(ctx, pc, pc->choice, 1);                                    \
	}                                                                                          \
	char LICENSE[] SEC("license") = "Dual BSD/GPL";                                            \
	static __always_inline __u32 name##_select(struct xdp_md *ctx, struct policy_ctx *pc)

#endif
