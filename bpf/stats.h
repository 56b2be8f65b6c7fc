/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* stats.h - per-CPU counters: per reason, per VIP, per device. */
#ifndef HAULER_BPF_STATS_H
#define HAULER_BPF_STATS_H

#include "maps.h"

static __always_inline void stat_add(__u32 idx, __u64 bytes)
{
	struct counter *c = bpf_map_lookup_elem(&stats, &idx);

	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
}

static __always_inline void stat_reason(__u32 reason, struct xdp_md *ctx)
{
	stat_add(reason, ctx->data_end - ctx->data);
}

#endif
