// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * xdp_decap - the device side of ipip mode in the test topology. The test
 * kernel has no ipip/ip6_tunnel, so a device strips the outer IPv4 (IPIP)
 * or IPv6 (IP6IP6) header here and hands the inner packet, addressed to
 * the VIP on its loopback, to its own stack. Its reply then goes straight
 * to the client (direct server return).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Remove hlen bytes after the Ethernet header; the inner type is new_proto. */
static __always_inline int strip(struct xdp_md *ctx, int hlen, __u16 new_proto)
{
	struct ethhdr eth, *neth;
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;

	if (data + sizeof(eth) > end)
		return XDP_PASS;
	__builtin_memcpy(&eth, data, sizeof(eth));
	if (bpf_xdp_adjust_head(ctx, hlen))
		return XDP_DROP;
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	neth = data;
	if ((void *)(neth + 1) > end)
		return XDP_DROP;
	__builtin_memcpy(neth, &eth, sizeof(eth));
	neth->h_proto = bpf_htons(new_proto);
	return XDP_PASS;
}

SEC("xdp")
int xdp_decap(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > end)
		return XDP_PASS;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) > end || ip->protocol != IPPROTO_IPIP || ip->ihl != 5)
			return XDP_PASS;
		return strip(ctx, sizeof(*ip), ETH_P_IP);
	}
	if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > end || ip6->nexthdr != IPPROTO_IPV6)
			return XDP_PASS;
		return strip(ctx, sizeof(*ip6), ETH_P_IPV6);
	}
	return XDP_PASS;
}
