/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
// parser.p4 - what the switch parses, as the host's bpf/pkt_parse.h does:
// Ethernet, one VLAN tag (802.1Q or 802.1ad), IPv4 or IPv6, TCP or UDP,
// and agent reports (EtherType HAULER_REPORT_ETHERTYPE, or UDP to the
// report port). The deparser puts the checksums right after nat.
#ifndef _HAULER_PARSER_P4_
#define _HAULER_PARSER_P4_

parser HaulerIngressParser(packet_in pkt, out headers_t hdr, out hauler_md_t md,
			   out ingress_intrinsic_metadata_t ig_intr_md)
{
	// The UDP port of reports: config.report_port, set by the control
	// plane (hauler export p4); empty means UDP reports are off.
	value_set<bit<16>>(1) report_port;
	// The L4 checksum minus addresses and ports: nat rewrites those, and
	// the deparser adds the new ones back (an incremental update).
	Checksum() l4_csum;

	state start {
		pkt.extract(ig_intr_md);
		// Port metadata, or on a resubmitted packet (conn.p4) the resubmit
		// data in its place, of the same size: hauler carries none.
		pkt.advance(PORT_METADATA_SIZE);
		md = { family = 0, ... }; // every field zero or false
		md.resubmitted = ig_intr_md.resubmit_flag;
		transition parse_ethernet;
	}

	state parse_ethernet {
		pkt.extract(hdr.ethernet);
		transition select(hdr.ethernet.ether_type) {
			ETHERTYPE_VLAN: parse_vlan;
			ETHERTYPE_QINQ: parse_vlan;
			ETHERTYPE_IPV4: parse_ipv4;
			ETHERTYPE_IPV6: parse_ipv6;
			HAULER_REPORT_ETHERTYPE: parse_report;
			default: accept;
		}
	}

	// One tag, then the EtherType that counts.
	state parse_vlan {
		pkt.extract(hdr.vlan);
		transition select(hdr.vlan.ether_type) {
			ETHERTYPE_IPV4: parse_ipv4;
			ETHERTYPE_IPV6: parse_ipv6;
			HAULER_REPORT_ETHERTYPE: parse_report;
			default: accept;
		}
	}

	state parse_ipv4 {
		pkt.extract(hdr.ipv4);
		md.family = 4;
		md.src = (bit<128>)hdr.ipv4.src_addr;
		md.dst = (bit<128>)hdr.ipv4.dst_addr;
		md.proto = hdr.ipv4.protocol;
		l4_csum.subtract({hdr.ipv4.src_addr, hdr.ipv4.dst_addr});
		// Options and fragments: no L4 header at a fixed place to balance on.
		transition select(hdr.ipv4.ihl, hdr.ipv4.flags[0:0], hdr.ipv4.frag_offset) {
			(5, 0, 0): parse_l4;
			(5, _, _): ipv4_fragment;
			default: ipv4_options;
		}
	}

	state ipv4_fragment {
		md.fragment = true;
		transition accept;
	}

	state ipv4_options {
		md.ipv4_options = true;
		transition accept;
	}

	state parse_ipv6 {
		pkt.extract(hdr.ipv6);
		md.family = 6;
		md.src = hdr.ipv6.src_addr;
		md.dst = hdr.ipv6.dst_addr;
		md.proto = hdr.ipv6.next_hdr;
		l4_csum.subtract({hdr.ipv6.src_addr, hdr.ipv6.dst_addr});
		transition select(hdr.ipv6.next_hdr) {
			0: ipv6_ext;  // hop-by-hop options
			43: ipv6_ext; // routing
			44: ipv4_fragment; // fragment header: a fragment as in IPv4
			60: ipv6_ext; // destination options
			default: parse_l4;
		}
	}

	state ipv6_ext {
		md.ipv6_ext = true;
		transition accept;
	}

	state parse_l4 {
		transition select(md.proto) {
			PROTO_TCP: parse_tcp;
			PROTO_UDP: parse_udp;
			default: accept;
		}
	}

	state parse_tcp {
		pkt.extract(hdr.tcp);
		md.l4 = true;
		md.sport = hdr.tcp.src_port;
		md.dport = hdr.tcp.dst_port;
		md.tcp_flags = hdr.tcp.flags;
		l4_csum.subtract({hdr.tcp.src_port, hdr.tcp.dst_port, hdr.tcp.checksum});
		l4_csum.subtract_all_and_deposit(md.l4_residual);
		transition accept;
	}

	state parse_udp {
		pkt.extract(hdr.udp);
		md.l4 = true;
		md.sport = hdr.udp.src_port;
		md.dport = hdr.udp.dst_port;
		l4_csum.subtract({hdr.udp.src_port, hdr.udp.dst_port, hdr.udp.checksum});
		l4_csum.subtract_all_and_deposit(md.l4_residual);
		transition select(hdr.udp.dst_port) {
			report_port: parse_report;
			default: accept;
		}
	}

	state parse_report {
		pkt.extract(hdr.report);
		md.is_report = true;
		transition accept;
	}
}

control HaulerIngressDeparser(packet_out pkt, inout headers_t hdr, in hauler_md_t md,
			      in ingress_intrinsic_metadata_for_deparser_t ig_dprsr_md)
{
	Checksum() ipv4_csum;
	Checksum() outer_csum;
	Checksum() tcp_csum;
	Checksum() udp_csum;
	Resubmit(RESUBMIT_REBIND) rebind;

	apply {
		if (ig_dprsr_md.resubmit_type == RESUBMIT_REBIND)
			rebind.emit();
		if (hdr.ipv4.isValid() && md.rewrite) {
			hdr.ipv4.checksum = ipv4_csum.update({
				hdr.ipv4.version, hdr.ipv4.ihl, hdr.ipv4.tos, hdr.ipv4.total_len,
				hdr.ipv4.id, hdr.ipv4.flags, hdr.ipv4.frag_offset, hdr.ipv4.ttl,
				hdr.ipv4.protocol, hdr.ipv4.src_addr, hdr.ipv4.dst_addr});
		}
		if (hdr.outer_ipv4.isValid()) {
			hdr.outer_ipv4.checksum = outer_csum.update({
				hdr.outer_ipv4.version, hdr.outer_ipv4.ihl, hdr.outer_ipv4.tos,
				hdr.outer_ipv4.total_len, hdr.outer_ipv4.id, hdr.outer_ipv4.flags,
				hdr.outer_ipv4.frag_offset, hdr.outer_ipv4.ttl, hdr.outer_ipv4.protocol,
				hdr.outer_ipv4.src_addr, hdr.outer_ipv4.dst_addr});
		}
		// The new addresses and ports added back to the residual.
		if (hdr.tcp.isValid() && md.rewrite) {
			hdr.tcp.checksum = tcp_csum.update({
				md.src, md.dst, hdr.tcp.src_port, hdr.tcp.dst_port, md.l4_residual});
		}
		// A zero UDP checksum over IPv4 means "none": it stays zero.
		if (hdr.udp.isValid() && md.rewrite && hdr.udp.checksum != 0) {
			hdr.udp.checksum = udp_csum.update({
				md.src, md.dst, hdr.udp.src_port, hdr.udp.dst_port, md.l4_residual});
		}
		pkt.emit(hdr);
	}
}

#endif // _HAULER_PARSER_P4_
