/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * hauler_report_store.h - what an accepted agent report writes into its
 * device's dev_state: the last step of the receive path, shared by the
 * datapath (bpf/report.h, under the device's spin lock) and hauler-sim
 * (tools/sim/cluster.c), so that the simulated balancer keeps exactly
 * the fields, sequence and time the real one keeps and the policies'
 * staleness rule (select_dev_stale) sees the same state in both.
 *
 * The checks before it (length, header, device, source, tag, values,
 * freshness) are include/hauler_report.h's; this applies the last one,
 * the sequence, because it must be read and written under the same lock
 * as the fields.
 */
#ifndef HAULER_REPORT_STORE_H
#define HAULER_REPORT_STORE_H

#include "hauler_schema.h"
#include "hauler_report.h"
#include "hauler_assigned.h"

/*
 * Store the fields of r into st (the caller holds st's lock). new_now:
 * the device's new-connection counter now (HAULER_STAT_NEW, summed over
 * CPUs): the connections assigned before the report are the agent's now;
 * it is also the aggregate from now on (agg_reported), so that aggregate
 * mode restarts from the same exact figure.
 */
static __always_inline void report_store(struct dev_state *st, const struct hauler_report *r,
					 __u64 seq, __u64 now_ns, __u64 new_now)
{
	st->cmp = r->cmp;
	st->mem = r->mem;
	st->net = r->net;
	st->queue = r->queue;
	if (r->flags & HAULER_REPORT_F_LATENCY)
		st->latency_us = report_be32(r->latency_us);
	st->live_conns = report_be32(r->live_conns);
	st->new_base = (__u32)new_now; /* the agent's count now includes them */
	st->period_ms = report_be32(r->period_ms);
	st->version = r->version;
	st->busy = !!(r->flags & HAULER_REPORT_F_BUSY);
	st->updated_ns = now_ns;
	st->seq = seq;
	/* After new_base: a reader of the new aggregate finds its base. */
	agg_reported(st, now_ns, new_now);
}

/*
 * Apply the device's last `device resync` request (dev_resync: gen,
 * floor_s, read by the caller as one word) if it is not applied yet: the
 * sequence goes back to the clock of the request, and nothing else
 * changes. The caller holds st's lock: a request never lands between a
 * report's sequence check and its stores, nor overwrites a report (as a
 * read-then-write of the whole entry from user space would), and two
 * reports apply it once.
 */
static __always_inline void report_resync(struct dev_state *st, __u32 gen, __u32 floor_s)
{
	if (!gen || gen == st->resync_gen)
		return;
	st->seq = report_seq_floor(floor_s);
	st->resync_gen = gen;
}

/*
 * Apply a report that passed every other check to st at now_ns (the
 * balancer's monotonic clock; new_now as report_store): REPORT_REPLAY,
 * and st unchanged, unless its sequence is newer than the last one
 * applied; else REPORT_OK. The caller holds st's lock.
 */
static __always_inline int report_apply(struct dev_state *st, const struct hauler_report *r,
					__u64 now_ns, __u64 new_now)
{
	__u64 seq = report_be64(r->seq);

	if (seq <= st->seq)
		return REPORT_REPLAY;
	report_store(st, r, seq, now_ns, new_now);
	return REPORT_OK;
}

/*
 * The connections the datapath assigned to a device since its last
 * accepted report (what lc adds to the agent's live_conns): its
 * new-connection counter new_now (HAULER_STAT_NEW, per CPU, summed by the
 * reader) minus the counter at that report (st->new_base). The datapath
 * writes nothing shared per new connection: each CPU counts in its own
 * slot of the per-CPU stats, and a reader sums. Modulo 2^32; 0 when the
 * report is newer than the reader's sum (read before the report, its base
 * after).
 */
static __always_inline __u32 dev_assigned(const struct dev_state *st, __u64 new_now)
{
	__u32 d = (__u32)new_now - st->new_base;

	return (__s32)d < 0 ? 0 : d;
}

#endif
