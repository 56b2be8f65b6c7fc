// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sink - counts the frames that reach it and drops them. Attached to the
 * generator's end of the veth pair, it is also what lets the program on
 * the other end XDP_TX at all (a veth drops XDP_TX frames unless its peer
 * has an XDP program). It also counts the frames of the generator's
 * length and those 20 bytes longer (an IPv4 outer header: ipip), so a
 * run can check what left the balancer encapsulated.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "bench.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} sink_count SEC(".maps");

/* Frames of length BENCH_GEN_LEN (SINK_LEN_PLAIN), of BENCH_GEN_LEN + 20 (SINK_LEN_IPIP). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SINK_LENS);
	__type(key, __u32);
	__type(value, __u64);
} sink_len SEC(".maps");

SEC("xdp")
int bench_sink(struct xdp_md *ctx)
{
	__u32 zero = 0, len = ctx->data_end - ctx->data, k;
	__u64 *n = bpf_map_lookup_elem(&sink_count, &zero);

	if (n)
		(*n)++;
	k = len == BENCH_GEN_LEN	? SINK_LEN_PLAIN
	    : len == BENCH_GEN_LEN + 20 ? SINK_LEN_IPIP
					: SINK_LENS;
	n = bpf_map_lookup_elem(&sink_len, &k);
	if (n)
		(*n)++;
	return XDP_DROP;
}
