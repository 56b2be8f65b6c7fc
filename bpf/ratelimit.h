/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ratelimit.h - at most a burst of events per CPU in each window of time,
 * for the entry object's limits (bpf/icmp.h: too-big answers;
 * bpf/ctconn.h: ipip confirmations). The window lives in a per-CPU array
 * of one entry private to the object (not pinned, not in the schema).
 */
#ifndef HAULER_BPF_RATELIMIT_H
#define HAULER_BPF_RATELIMIT_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* The current window of a per-CPU limit. */
struct rate_window {
	__u64 start_ns;
	__u32 sent;
	__u32 pad;
};

/* A limit's map: one per-CPU window. */
#define HAULER_RATE_MAP(name)                                                                      \
	struct {                                                                                   \
		__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);                                           \
		__uint(max_entries, 1);                                                            \
		__type(key, __u32);                                                                \
		__type(value, struct rate_window);                                                 \
	} name SEC(".maps")

/*
 * May one more event go now, at most burst per window_ns on this CPU?
 * A window whose start lies ahead of now (only a test puts it there) does
 * not end: a test can fill it and see the limit whatever the time taken.
 */
static __always_inline int rate_allowed(void *map, __u32 burst, __u64 window_ns, __u64 now)
{
	struct rate_window *w;
	__u32 zero = 0;

	w = bpf_map_lookup_elem(map, &zero);
	if (!w)
		return 0;
	if ((__s64)(now - w->start_ns) >= (__s64)window_ns) {
		w->start_ns = now;
		w->sent = 0;
	}
	if (w->sent >= burst)
		return 0;
	w->sent++;
	return 1;
}

#endif
