// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sink - counts the frames that reach it and drops them. Attached to the
 * generator's end of the veth pair, it is also what lets the program on
 * the other end XDP_TX at all (a veth drops XDP_TX frames unless its peer
 * has an XDP program).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} sink_count SEC(".maps");

SEC("xdp")
int bench_sink(struct xdp_md *ctx)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&sink_count, &zero);

	if (n)
		(*n)++;
	return XDP_DROP;
}
