/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
// forward.p4 - to the device: nat rewrites the destination (the deparser
// fixes the checksums), ipip puts an outer IPv4 header (IPv4 VIPs) or
// IPv6 header (IPv6 VIPs, the flow hash in the flow label) in front. Then
// the next hop of the new destination, or the switch's plain L2 table for
// what is not hauler's: the switch forwards what the host would pass.
#ifndef _HAULER_FORWARD_P4_
#define _HAULER_FORWARD_P4_

control Forward(inout headers_t hdr, inout hauler_md_t md)
{
	bit<8> dev_family = 0;
	bit<128> dev_addr = 0;
	bit<16> dev_port = 0;
	bit<32> tunnel_src4 = 0;
	bit<128> tunnel_src6 = 0;
	bit<16> mtu = 1500;

	// devices: device id -> its address (the host's devices map).
	action set_device(bit<8> family, bit<128> addr, bit<16> port)
	{
		dev_family = family;
		dev_addr = addr;
		dev_port = port;
	}

	action bad_device() {}

	table devices {
		key = { md.device : exact; }
		actions = { set_device; bad_device; }
		const default_action = bad_device;
		size = HAULER_MAX_DEVICES;
	}

	// config: the outer sources of ipip and the egress MTU (one entry: the
	// default action, set by the control plane).
	action set_tunnel(bit<32> src4, bit<128> src6, bit<16> link_mtu)
	{
		tunnel_src4 = src4;
		tunnel_src6 = src6;
		mtu = link_mtu;
	}

	table tunnel {
		actions = { set_tunnel; }
		default_action = set_tunnel(0, 0, 1500);
		size = 1;
	}

	action encap4()
	{
		hdr.outer_ipv4.setValid();
		hdr.outer_ipv4.version = 4;
		hdr.outer_ipv4.ihl = 5;
		hdr.outer_ipv4.tos = hdr.ipv4.tos;
		hdr.outer_ipv4.total_len = hdr.ipv4.total_len + 20;
		hdr.outer_ipv4.id = 0;
		hdr.outer_ipv4.flags = hdr.ipv4.flags & 3w2; // DF copied
		hdr.outer_ipv4.frag_offset = 0;
		hdr.outer_ipv4.ttl = 64;
		hdr.outer_ipv4.protocol = PROTO_IPIP;
		hdr.outer_ipv4.src_addr = tunnel_src4;
		hdr.outer_ipv4.dst_addr = dev_addr[31:0];
	}

	action encap6()
	{
		hdr.outer_ipv6.setValid();
		hdr.outer_ipv6.version = 6;
		hdr.outer_ipv6.traffic_class = hdr.ipv6.traffic_class;
		hdr.outer_ipv6.flow_label = md.hash[19:0]; // entropy for ECMP
		hdr.outer_ipv6.payload_len = hdr.ipv6.payload_len + 40;
		hdr.outer_ipv6.next_hdr = PROTO_IPV6;
		hdr.outer_ipv6.hop_limit = 64;
		hdr.outer_ipv6.src_addr = tunnel_src6;
		hdr.outer_ipv6.dst_addr = dev_addr;
	}

	apply {
		tunnel.apply();
		if (!devices.apply().hit || dev_family != md.family) {
			md.drop = true;
			md.reason = HAULER_STAT_drop_bad_device;
		} else if (md.fwd_mode == HAULER_FWD_IPIP) {
			if (md.family == 4 && hdr.ipv4.total_len + 20 <= mtu) {
				encap4();
			} else if (md.family == 6 && hdr.ipv6.payload_len + 80 <= mtu) {
				encap6();
			} else {
				md.drop = true;
				md.reason = HAULER_STAT_drop_encap;
			}
			md.dst = dev_addr; // routed to the device
		} else {
			md.dst = dev_addr;
			md.dport = dev_port;
			md.rewrite = true;
		}
	}
}

// md's addresses and ports into the packet (nat, nat replies).
control Rewrite(inout headers_t hdr, in hauler_md_t md)
{
	apply {
		if (!md.rewrite || hdr.outer_ipv4.isValid() || hdr.outer_ipv6.isValid())
			return;
		if (hdr.ipv4.isValid()) {
			hdr.ipv4.src_addr = md.src[31:0];
			hdr.ipv4.dst_addr = md.dst[31:0];
		}
		if (hdr.ipv6.isValid()) {
			hdr.ipv6.src_addr = md.src;
			hdr.ipv6.dst_addr = md.dst;
		}
		if (hdr.tcp.isValid()) {
			hdr.tcp.src_port = md.sport;
			hdr.tcp.dst_port = md.dport;
		}
		if (hdr.udp.isValid()) {
			hdr.udp.src_port = md.sport;
			hdr.udp.dst_port = md.dport;
		}
	}
}

// Where the packet leaves: the route to its (new) destination, else the
// L2 table. Routes are the operator's (the switch's routing), not hauler's.
control NextHop(inout headers_t hdr, inout hauler_md_t md,
		inout ingress_intrinsic_metadata_for_tm_t ig_tm_md)
{
	action route(PortId_t port, bit<48> smac, bit<48> dmac)
	{
		ig_tm_md.ucast_egress_port = port;
		hdr.ethernet.src_addr = smac;
		hdr.ethernet.dst_addr = dmac;
	}

	action no_route() {}

	table routes {
		key = {
			md.family : exact;
			md.dst : lpm;
		}
		actions = { route; no_route; }
		const default_action = no_route;
		size = 4096;
	}

	action to_port(PortId_t port)
	{
		ig_tm_md.ucast_egress_port = port;
	}

	action unknown_mac()
	{
		md.drop = true;
	}

	table l2 {
		key = { hdr.ethernet.dst_addr : exact; }
		actions = { to_port; unknown_mac; }
		default_action = unknown_mac;
		size = 4096;
	}

	apply {
		if (md.is_vip || md.rewrite) {
			if (!routes.apply().hit) {
				md.drop = true;
				md.reason = HAULER_STAT_pass_fib_fail;
			}
		} else {
			l2.apply();
		}
	}
}

#endif // _HAULER_FORWARD_P4_
