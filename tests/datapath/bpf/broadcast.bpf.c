// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * broadcast - a live-frames generator (BPF_PROG_TEST_RUN with
 * BPF_F_TEST_XDP_LIVE_FRAMES) that sends each frame to every entry of
 * broadcast_devs (bpf_redirect_map, BPF_F_BROADCAST). With the same veth
 * in every entry, one batch of the test run puts entries times the batch
 * into that veth's peer's ring, all before the peer's NAPI can run (the
 * batch runs with bottom halves off, and the NAPI is scheduled on the
 * same CPU): more than the ring holds, whatever the scheduler does
 * (tests/datapath/test_bench_veth.c). Three entries, not two: the ring
 * then takes a third of what is sent and refuses two thirds, so that the
 * frames taken and those refused (a veth counts both) differ.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, __u32);
} broadcast_devs SEC(".maps");

SEC("xdp")
int broadcast(struct xdp_md *ctx)
{
	(void)ctx;
	return bpf_redirect_map(&broadcast_devs, 0, BPF_F_BROADCAST);
}
