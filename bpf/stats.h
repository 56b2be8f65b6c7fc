/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* stats.h - per-CPU counters: per reason, per VIP, per device. */
#ifndef HAULER_BPF_STATS_H
#define HAULER_BPF_STATS_H

#include "xdp_maps.h"

static __always_inline void stat_add(__u32 idx, __u64 bytes)
{
	struct counter *c = bpf_map_lookup_elem(&stats, &idx);

	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
}

/*
 * Frame length, computed on 64-bit pointers: done on the 32-bit ctx fields,
 * clang may spill a packet pointer in 4 bytes, which the verifier refuses.
 */
static __always_inline __u64 frame_len(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;

	return end - data;
}

static __always_inline void stat_reason(__u32 reason, struct xdp_md *ctx)
{
	stat_add(reason, frame_len(ctx));
}

#endif
