/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * clock.h - the datapath's clock: the coarse monotonic clock
 * (bpf_ktime_get_coarse_ns), read once a tick per CPU.
 *
 * The coarse clock only moves at a timer tick, yet reading it is a helper
 * call (a seqcount loop), about 4 ns of an established packet's 40. The
 * per-CPU memo keeps the last value read with the jiffies count it was
 * read at; bpf_jiffies64 is inlined by the JIT (one load), so a packet
 * pays the helper only when the tick moved since this CPU's last one.
 *
 * The memo can lag: jiffies is advanced before the coarse time is, so a
 * CPU that reads between the two keeps the older time until the next
 * tick (one tick late, 1-10 ms, on top of the coarse clock's own tick).
 * Every reader allows for a clock a little behind another CPU's stamps:
 * a compact slot a few ticks ahead is age 0 (ct_slot_age,
 * CT_TICKS_AHEAD: 268 ms), an LRU entry stamped ahead is age 0
 * (conn_age), a next-hop entry ahead is looked up again (nh_fresh).
 * Per CPU the memo never goes back.
 *
 * Private to each object that includes it (not pinned, not in the
 * schema): the entry object's, and the policies' that read the time
 * (policies/policy_maps.h, aggregate mode of lc and wlc).
 */
#ifndef HAULER_BPF_CLOCK_H
#define HAULER_BPF_CLOCK_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct clock_memo {
	__u64 jiffies; /* bpf_jiffies64 when ns was read */
	__u64 ns;      /* bpf_ktime_get_coarse_ns then */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct clock_memo);
} clock_memo SEC(".maps");

/* Now, coarse monotonic ns: this CPU's memo, read again when the tick moved. */
static __always_inline __u64 hauler_now(void)
{
	__u32 zero = 0;
	struct clock_memo *m = bpf_map_lookup_elem(&clock_memo, &zero);
	__u64 j = bpf_jiffies64();

	if (!m)
		return bpf_ktime_get_coarse_ns();
	if (m->jiffies != j) {
		m->jiffies = j;
		m->ns = bpf_ktime_get_coarse_ns();
	}
	return m->ns;
}

#endif
