// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * restore - the wrapper of the per-packet benchmark. BPF_PROG_TEST_RUN
 * with repeat > 1 runs a program again on the frame its last run rewrote;
 * this wrapper puts the original frame back (its length, then every byte)
 * and tail-calls the program under test, so every run sees the original
 * packet. Its own cost is measured by tail-calling bench_empty instead and
 * subtracted.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "bench.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bench_restore_cfg);
} restore_cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} target SEC(".maps");

SEC("xdp")
int bench_restore(struct xdp_md *ctx)
{
	struct bench_restore_cfg *cfg;
	__u32 zero = 0, i;
	void *data, *end;
	int delta;

	cfg = bpf_map_lookup_elem(&restore_cfg, &zero);
	if (!cfg)
		return XDP_ABORTED;
	delta = (int)(ctx->data_end - ctx->data) - (int)cfg->len;
	if (delta && bpf_xdp_adjust_head(ctx, delta))
		return XDP_ABORTED;
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	if (data + BENCH_FRAME_LEN > end)
		return XDP_ABORTED;
#pragma unroll
	for (i = 0; i < BENCH_FRAME_LEN / 8; i++)
		((__u64 *)data)[i] = ((const __u64 *)cfg->frame)[i];
	if (cfg->vary) {
		__u32 f = cfg->ctr++;

		/* Checksums stay stale: no program under test checks them. */
		*(__u16 *)(data + BENCH_VARY_SPORT) = bpf_htons(BENCH_FLOW_SPORT(f));
		*(__u16 *)(data + BENCH_VARY_SADDR_LO) = bpf_htons(BENCH_FLOW_ADDR_LO(f));
	}
	bpf_tail_call(ctx, &target, 0);
	return XDP_ABORTED;
}

/* The baseline target: the wrapper's cost alone. */
SEC("xdp")
int bench_empty(struct xdp_md *ctx)
{
	return XDP_TX;
}
