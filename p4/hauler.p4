/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
// hauler.p4 - hauler's datapath for a Tofino switch (TNA), the twin of
// bpf/hauler_xdp.bpf.c. One control per concern, in the order a packet
// meets them (docs/p4.md):
//
//   HaulerIngressParser  Ethernet, one VLAN tag, IPv4/IPv6, TCP/UDP, reports
//   Report               a report's checks; DeviceLoad stores its load
//   FlowHash, Vip        the flow's hashes; VIP or nat reply
//   ServerTier           weighted Maglev: (pool, bucket) -> server, its ring
//   DeviceLoad           the server's eight devices and their load
//   Policy               MinFinder, Ring and the VIP's policy -> a device
//   ConnTable            digests in registers: a live flow keeps its device
//   Forward, Rewrite     nat / ipip to the device
//   NextHop, Stats       where it leaves; counters named as in the schema
//
// Constants, counter indexes, the report header and the rings register
// come from include/hauler_schema.p4, generated from include/schema.def.
#include <core.p4>
#if __TARGET_TOFINO__ == 2
#include <t2na.p4>
#else
#include <tna.p4>
#endif

#include "include/hauler_schema.p4"
#include "headers.p4"
#include "parser.p4"
#include "report.p4"
#include "vip.p4"
#include "maglev.p4"
#include "load.p4"
#include "select.p4"
#include "conn.p4"
#include "forward.p4"
#include "stats.p4"

control HaulerIngress(inout headers_t hdr, inout hauler_md_t md,
		      in ingress_intrinsic_metadata_t ig_intr_md,
		      in ingress_intrinsic_metadata_from_parser_t ig_prsr_md,
		      inout ingress_intrinsic_metadata_for_deparser_t ig_dprsr_md,
		      inout ingress_intrinsic_metadata_for_tm_t ig_tm_md)
{
	Report() report;
	FlowHash() flow_hash;
	Vip() vip;
	ServerTier() server_tier;
	DeviceLoad() load;
	Policy() policy;
	ConnTable() conns;
	Forward() forward;
	Rewrite() rewrite;
	NextHop() next_hop;
	Stats() stats;

	apply {
		md.is_vip = false;
		md.rewrite = false;
		md.drop = false;
		md.report_ok = false;
		md.server = HAULER_NO_SERVER;
		md.device = HAULER_NO_DEVICE;
		md.vip_id = 0;
		md.policy = HAULER_SW_POLICY_HASH;
		md.now = ig_prsr_md.global_tstamp[47:16];

		if (md.is_report) {
			report.apply(hdr, md, ig_intr_md);
			load.apply(hdr, md); // an accepted report's load into its registers
		} else if (md.family == 0) {
			md.reason = HAULER_STAT_pass_not_ip;
		} else if (md.fragment) {
			md.reason = HAULER_STAT_pass_fragment;
		} else if (md.ipv6_ext) {
			md.reason = HAULER_STAT_pass_ipv6_ext;
		} else if (md.ipv4_options) {
			md.reason = HAULER_STAT_ipv4_options; // passed here: see docs/p4.md
		} else if (!md.l4) {
			md.reason = HAULER_STAT_pass_not_l4;
		} else {
			flow_hash.apply(md, ig_prsr_md);
			vip.apply(hdr, md);
			if (md.is_vip) {
				server_tier.apply(md);
				load.apply(hdr, md);
				policy.apply(md);
				conns.apply(md, ig_dprsr_md);
				if (!md.drop)
					forward.apply(hdr, md);
			}
			rewrite.apply(hdr, md);
		}
		if (!md.drop)
			next_hop.apply(hdr, md, ig_tm_md);
		stats.apply(md);
		if (md.drop)
			ig_dprsr_md.drop_ctl = 1;
		ig_tm_md.bypass_egress = 1;
	}
}

parser HaulerEgressParser(packet_in pkt, out egress_headers_t hdr, out egress_md_t md,
			  out egress_intrinsic_metadata_t eg_intr_md)
{
	state start {
		pkt.extract(eg_intr_md);
		transition accept;
	}
}

control HaulerEgress(inout egress_headers_t hdr, inout egress_md_t md,
		     in egress_intrinsic_metadata_t eg_intr_md,
		     in egress_intrinsic_metadata_from_parser_t eg_prsr_md,
		     inout egress_intrinsic_metadata_for_deparser_t eg_dprsr_md,
		     inout egress_intrinsic_metadata_for_output_port_t eg_oport_md)
{
	apply {}
}

control HaulerEgressDeparser(packet_out pkt, inout egress_headers_t hdr, in egress_md_t md,
			     in egress_intrinsic_metadata_for_deparser_t eg_dprsr_md)
{
	apply {
		pkt.emit(hdr);
	}
}

Pipeline(HaulerIngressParser(), HaulerIngress(), HaulerIngressDeparser(), HaulerEgressParser(),
	 HaulerEgress(), HaulerEgressDeparser()) pipe;

Switch(pipe) main;
