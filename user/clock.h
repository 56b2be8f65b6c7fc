/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * clock.h - the manager's clocks: CLOCK_MONOTONIC in ns, the base that
 * bpf_ktime_get_coarse_ns() counts on too, so report ages compare.
 */
#ifndef HAULER_CLOCK_H
#define HAULER_CLOCK_H

#include <time.h>
#include <linux/types.h>

static inline __u64 monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static inline __u64 realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/*
 * CLOCK_REALTIME - CLOCK_MONOTONIC: what the datapath adds to its ktime
 * to read the wall clock that agents' sequence numbers carry
 * (config.clock_offset_ns). Constant until the wall clock is stepped.
 */
static inline __u64 wall_offset_ns(void)
{
	__u64 mono = monotonic_ns();

	return realtime_ns() - mono;
}

#endif
