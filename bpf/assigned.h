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
 * only by those policies and by reports.
 */
#ifndef HAULER_BPF_ASSIGNED_H
#define HAULER_BPF_ASSIGNED_H

#include "xdp_maps.h"
#include "hauler_report_store.h"

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
 * Device id's new-connection counter, summed over CPUs: direct lookups
 * up to the first CPU id without a slot, the common case whole; bpf_loop
 * (a callback a CPU, about twice the cost) only past
 * HAULER_SUM_CPUS_DIRECT CPUs.
 */
static __always_inline __u64 dev_new_sum(__u32 id)
{
	struct dev_new_sum_ctx c = {
	    .key = HAULER_STAT_DEV(id & (HAULER_MAX_DEVICES - 1), HAULER_STAT_NEW),
	};
	struct counter *v;
	__u32 cpu;

	for (cpu = 0; cpu < HAULER_SUM_CPUS_DIRECT; cpu++) {
		v = bpf_map_lookup_percpu_elem(&stats, &c.key, cpu);
		if (!v)
			return c.sum; /* past the last CPU */
		c.sum += v->packets;
	}
	bpf_loop(HAULER_CPU_LIMIT - HAULER_SUM_CPUS_DIRECT, dev_new_sum_cpu, &c, 0);
	return c.sum;
}

#endif
