/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * assigned.h - a device's connections assigned since its last report,
 * read where it is needed (issue 16: nothing written per new connection
 * is shared between CPUs). A new connection writes only its CPU's slot
 * of the per-CPU new-connection counter (stats, HAULER_STAT_NEW of the
 * device, conn_bound); a report stores the sum over CPUs as the device's
 * base (dev_state.new_base); a policy that reads the figure (lc, wlc, a
 * conns metric) sums again and subtracts (dev_assigned,
 * include/hauler_report_store.h). The sum is one lookup per CPU, paid
 * only by those policies and by reports: exact, but it grows with the
 * machine. Above config.assigned_cpus possible CPUs (hauler up sets
 * config.assigned_us) the policies read the aggregate instead
 * (dev_new_count, include/hauler_assigned.h): the sum kept in dev_state,
 * summed again by one CPU a device per interval, plus this CPU's own
 * connections since; reports still sum exactly.
 */
#ifndef HAULER_BPF_ASSIGNED_H
#define HAULER_BPF_ASSIGNED_H

#include "xdp_maps.h"
#include "hauler_report_store.h"
#include "hauler_assigned.h"

/* More CPUs than a kernel has: the sum stops at the first CPU id without a slot. */
#define HAULER_CPU_LIMIT 65536
/* CPUs summed by a plain loop; bpf_loop takes any beyond (dev_new_sum). */
#define HAULER_SUM_CPUS_DIRECT 128

struct dev_new_sum_ctx {
	__u32 key;
	__u64 sum;
};

static long dev_new_sum_cpu(__u32 i, void *data)
{
	struct dev_new_sum_ctx *c = data;
	struct counter *v = bpf_map_lookup_percpu_elem(&stats, &c->key, HAULER_SUM_CPUS_DIRECT + i);

	if (!v)
		return 1; /* past the last CPU */
	c->sum += v->packets;
	return 0;
}

/*
 * The possible CPUs, as the first sum that reached the end found them (0:
 * not yet), so that a sum stops at the last one instead of asking past
 * it: a lookup less per candidate. Fixed at boot, so any CPU that writes
 * it writes the same number. Private to each object (its .bss, not
 * pinned): written once, read by every sum.
 */
static volatile __u32 hauler_possible_cpus;

/*
 * Device id's new-connection counter, summed over CPUs: direct lookups
 * up to the last CPU (hauler_possible_cpus once known, else the first
 * CPU id without a slot), the common case whole; bpf_loop (a callback a
 * CPU, about twice the cost) only past HAULER_SUM_CPUS_DIRECT CPUs.
 */
static __always_inline __u64 dev_new_sum(__u32 id)
{
	struct dev_new_sum_ctx c = {
	    .key = HAULER_STAT_DEV(id & (HAULER_MAX_DEVICES - 1), HAULER_STAT_NEW),
	};
	__u32 cpu, n = hauler_possible_cpus ?: HAULER_CPU_LIMIT;
	struct counter *v;

	for (cpu = 0; cpu < HAULER_SUM_CPUS_DIRECT; cpu++) {
		if (cpu == n)
			return c.sum; /* the last CPU summed */
		v = bpf_map_lookup_percpu_elem(&stats, &c.key, cpu);
		if (!v) {
			hauler_possible_cpus = cpu;
			return c.sum; /* past the last CPU */
		}
		c.sum += v->packets;
	}
	bpf_loop(HAULER_CPU_LIMIT - HAULER_SUM_CPUS_DIRECT, dev_new_sum_cpu, &c, 0);
	return c.sum;
}

/*
 * The same sum as a call, for where it is rare (a report, an aggregate's
 * refresh): a global function, so the verifier walks its loop once per
 * object rather than once per call site and candidate, and the exact
 * mode's per-connection sum stays inline.
 */
__noinline __u64 dev_new_sum_call(__u32 id)
{
	return dev_new_sum(id);
}

/*
 * Aggregate mode (include/hauler_assigned.h): is st's aggregate
 * interval_ns older than now, and this CPU the one to sum it again? The
 * claim is the compare-and-swap of agg_ns, so one CPU sums a device per
 * interval; a CPU that loses it reads the aggregate as it is.
 */
static __always_inline int dev_agg_claim(struct dev_state *st, __u64 now, __u64 interval_ns)
{
	__u64 at = *(volatile __u64 *)&st->agg_ns;

	return agg_due(at, now, interval_ns) &&
	       __sync_val_compare_and_swap(&st->agg_ns, at, now) == at;
}

/*
 * Device id's new-connection count in aggregate mode: st's aggregate
 * (first replaced by sum, the exact sum, where this CPU claimed it,
 * dev_agg_claim) plus this CPU's own connections since it first read it.
 * No per-CPU lookup but this CPU's own. 0 when they cannot be read.
 */
static __always_inline __u32 dev_new_count(struct dev_state *st, __u32 id, int claimed, __u64 sum)
{
	__u32 key = HAULER_STAT_DEV(id & (HAULER_MAX_DEVICES - 1), HAULER_STAT_NEW);
	struct counter *mine;
	struct dev_own *own;

	if (claimed)
		*(volatile __u64 *)&st->agg = agg_word_next(st->agg, sum);
	own = bpf_map_lookup_elem(&dev_own, &id);
	mine = bpf_map_lookup_elem(&stats, &key);
	if (!own || !mine)
		return 0;
	return agg_count(own, *(volatile __u64 *)&st->agg, mine->packets);
}

#endif
