// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * xdp_pass - attached to the bridge-side peer of the balancer's veth: a
 * frame sent with XDP_TX out of a veth is dropped unless its peer has an
 * XDP program (docs/architecture.md). This one lets everything through.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}
