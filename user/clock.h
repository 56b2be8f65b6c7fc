/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * clock.h - the manager's clock: CLOCK_MONOTONIC in ns, the base that
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

#endif
