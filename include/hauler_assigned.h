/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * hauler_assigned.h - a device's new-connection count as lc, wlc and a
 * conns metric read it in aggregate mode (config.assigned_us set): the
 * rules, shared by the datapath (bpf/assigned.h, dev_new_count) and the
 * unit tests (tests/unit/test_report.c).
 *
 * The exact count is the device's per-CPU new-connection counter (stats,
 * HAULER_STAT_NEW) summed over every CPU: one lookup per CPU and
 * candidate, which grows with the machine. The aggregate keeps that sum
 * in the device's dev_state (agg: the sum's low 32 bits under a
 * generation), refreshed by whichever CPU first finds it older than the
 * interval (agg_ns, claimed by a compare-and-swap so that one CPU sums
 * and writes a device's aggregate per interval; a report writes it too,
 * exact). A reader adds its own CPU's connections since it first read that
 * aggregate (dev_own, per CPU: the word it read and its own slot of the
 * counter then), so a CPU counts its own choices at once and does not
 * send a burst to one device by itself. Cost: a few lookups per candidate,
 * none per CPU; one O(CPUs) sum per device and interval.
 *
 * The bound: the count never exceeds the exact one, and falls short of it
 * by at most the other CPUs' new connections to the device since the
 * aggregate was summed (one interval, plus a claim's own sum), and by this
 * CPU's own made between that sum and its first read of it (a packet in
 * flight on it then, or one decided without reading the count).
 * dev_assigned clamps below 0: an aggregate older than the base a report
 * stored (a refresh that raced the report) reads 0 until the next one.
 */
#ifndef HAULER_ASSIGNED_H
#define HAULER_ASSIGNED_H

#include "hauler_schema.h"

/* The aggregate word: sum's low 32 bits under generation gen. */
static __always_inline __u64 agg_word(__u32 gen, __u32 sum)
{
	return (__u64)gen << 32 | sum;
}

/* The sum an aggregate word holds. */
static __always_inline __u32 agg_word_sum(__u64 word)
{
	return (__u32)word;
}

/* The word that replaces old with sum: the next generation (a reader sees it is new). */
static __always_inline __u64 agg_word_next(__u64 old, __u64 sum)
{
	return agg_word((__u32)(old >> 32) + 1, (__u32)sum);
}

/*
 * Is an aggregate summed at at_ns due again at now (both coarse monotonic
 * ns), interval_ns later? Another CPU's clock may read a little behind
 * the stamp it wrote (bpf/clock.h): a stamp ahead is fresh, not due.
 */
static __always_inline int agg_due(__u64 at_ns, __u64 now, __u64 interval_ns)
{
	return (__s64)(now - at_ns) >= (__s64)interval_ns;
}

/*
 * The device's count as this CPU reads it: the aggregate word plus this
 * CPU's own connections since it first read that word. own: this CPU's
 * memo of the device (dev_own), updated when the word is another; mine:
 * this CPU's slot of the counter now. Modulo 2^32 as new_base; own's base
 * above mine (the counter zeroed for a new device) counts as none.
 */
static __always_inline __u32 agg_count(struct dev_own *own, __u64 word, __u64 mine)
{
	__u32 d;

	if (own->word != word) {
		own->word = word;
		own->base = (__u32)mine;
	}
	d = (__u32)mine - own->base;
	if ((__s32)d < 0)
		d = 0;
	return agg_word_sum(word) + d;
}

/*
 * config.assigned_us for hauler up: 0 (the exact sum) or the aggregate's
 * interval, by mode (ASSIGNED_*), the auto threshold cpus and the
 * interval asked for (0: their defaults) on a machine of possible CPUs.
 */
static __always_inline __u32 assigned_us_for(__u32 mode, __u32 cpus, __u32 interval_us,
					     __u32 possible)
{
	if (!cpus)
		cpus = HAULER_ASSIGNED_CPUS_DEFAULT;
	if (!interval_us)
		interval_us = HAULER_ASSIGNED_US_DEFAULT;
	if (mode == HAULER_ASSIGNED_EXACT)
		return 0;
	return mode == HAULER_ASSIGNED_AGGREGATE || possible > cpus ? interval_us : 0;
}

/*
 * A report's share (the caller holds st's lock): its exact sum new_now,
 * stored as the base, is also the aggregate from now_ns on. Readers count
 * again from it: assigned restarts at 0, as in exact mode.
 */
static __always_inline void agg_reported(struct dev_state *st, __u64 now_ns, __u64 new_now)
{
	__asm__ __volatile__("" ::: "memory"); /* the caller's new_base stored first */
	st->agg = agg_word_next(st->agg, new_now);
	st->agg_ns = now_ns;
}

#endif
