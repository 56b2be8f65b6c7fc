/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
// headers.p4 - the packet headers hauler's switch program parses, and the
// metadata its controls hand each other. The agent report's layout is not
// here: it is generated from include/schema.def (hauler_report_h in
// include/hauler_schema.p4), as the host's struct hauler_report is.
#ifndef _HAULER_HEADERS_P4_
#define _HAULER_HEADERS_P4_

const bit<16> ETHERTYPE_IPV4 = 0x0800;
const bit<16> ETHERTYPE_IPV6 = 0x86dd;
const bit<16> ETHERTYPE_VLAN = 0x8100;
const bit<16> ETHERTYPE_QINQ = 0x88a8;
const bit<8> PROTO_IPIP = 4;
const bit<8> PROTO_TCP = 6;
const bit<8> PROTO_UDP = 17;
const bit<8> PROTO_IPV6 = 41;
const bit<8> TCP_FIN = 0x01;
const bit<8> TCP_SYN = 0x02;
const bit<8> TCP_RST = 0x04;
const bit<8> TCP_ACK = 0x10;

// The resubmit type of a flow whose cell names a device gone (conn.p4).
const bit<3> RESUBMIT_REBIND = 1;

header ethernet_h {
	bit<48> dst_addr;
	bit<48> src_addr;
	bit<16> ether_type;
}

header vlan_h {
	bit<3> pcp;
	bit<1> dei;
	bit<12> vid;
	bit<16> ether_type;
}

header ipv4_h {
	bit<4> version;
	bit<4> ihl;
	bit<8> tos;
	bit<16> total_len;
	bit<16> id;
	bit<3> flags;
	bit<13> frag_offset;
	bit<8> ttl;
	bit<8> protocol;
	bit<16> checksum;
	bit<32> src_addr;
	bit<32> dst_addr;
}

header ipv6_h {
	bit<4> version;
	bit<8> traffic_class;
	bit<20> flow_label;
	bit<16> payload_len;
	bit<8> next_hdr;
	bit<8> hop_limit;
	bit<128> src_addr;
	bit<128> dst_addr;
}

header tcp_h {
	bit<16> src_port;
	bit<16> dst_port;
	bit<32> seq;
	bit<32> ack;
	bit<4> data_offset;
	bit<4> res;
	bit<8> flags;
	bit<16> window;
	bit<16> checksum;
	bit<16> urgent;
}

header udp_h {
	bit<16> src_port;
	bit<16> dst_port;
	bit<16> length;
	bit<16> checksum;
}

// In the order they leave the switch: the outer IP header of ipip mode
// goes between the L2 header and the packet's own IP header.
struct headers_t {
	ethernet_h ethernet;
	vlan_h vlan;
	ipv4_h outer_ipv4;
	ipv6_h outer_ipv6;
	ipv4_h ipv4;
	ipv6_h ipv6;
	tcp_h tcp;
	udp_h udp;
	hauler_report_h report;
}

// The switch's policies (SW_POLICY_* in include/schema.def): hauler's
// policies map onto these four and a metric (docs/p4.md).

// One candidate device of the chosen server, as the minimum finder sees it.
struct cand_t {
	bit<16> id;     // device id (HAULER_NO_DEVICE: no device at this position)
	bit<16> gen;    // the id's generation (devices.gen): what a new cell records
	bool usable;    // in use and up: may take new connections
	bool stale;     // no accepted report within the VIP's stale time
	bit<8> rank;    // prt: 0 for the highest weight
	bit<32> key;    // what the minimum finder compares (KEY_NONE: never)
}

const bit<32> KEY_NONE = 0xffffffff;

// Egress does nothing (every decision is made in ingress).
struct egress_headers_t {}
struct egress_md_t {}

struct hauler_md_t {
	// parser
	bit<8> family;          // 4 or 6; 0: not IP
	bit<128> src;           // IPv4 in the low 32 bits
	bit<128> dst;
	bit<8> proto;
	bit<16> sport;
	bit<16> dport;
	bool l4;                // TCP or UDP header parsed
	bool fragment;
	bool ipv6_ext;          // an extension header before TCP/UDP
	bool ipv4_options;
	bit<8> tcp_flags;
	bit<16> l4_residual;    // L4 checksum without the fields nat rewrites
	bool is_report;
	// vip
	bool is_vip;
	bit<16> vip_id;
	bit<8> fwd_mode;        // HAULER_FWD_*
	bit<8> policy;          // HAULER_SW_POLICY_*
	bit<8> metric;          // HAULER_METRIC_*
	bit<8> threshold;       // prt
	bit<32> stale_ticks;    // report age (ticks) after which a device is unknown
	bit<16> pool;           // vip_id * 2 + pool version: the active Maglev table
	bit<16> slot_mask;      // Maglev buckets - 1 (a power of two - 1)
	// hashes of the flow
	bit<32> hash;           // CRC-32 of the 5-tuple: server tier and policies
	bit<32> sig;            // CRC-32C of the 5-tuple: connection digest (never 0)
	bit<32> now;            // ticks of 65.536 us (global timestamp >> 16)
	// server tier
	bit<16> bucket;         // Maglev bucket: hash & slot_mask
	bit<16> server;         // HAULER_NO_SERVER: empty pool
	bit<32> ring_base;      // register cell of slot 0 of the server's active ring
	bit<32> ring_len;
	bit<8> ring_pos;        // device position the ring names
	cand_t c0;
	cand_t c1;
	cand_t c2;
	cand_t c3;
	cand_t c4;
	cand_t c5;
	cand_t c6;
	cand_t c7;
	bit<8> usable_mask;     // bit i: c<i>.usable
	bit<8> stale_mask;      // bit i: c<i>.stale
	bit<8> choice;          // position chosen; HAULER_NO_CHOICE: none
	// connection and forwarding
	bit<16> device;         // the flow's device
	bit<16> device_gen;     // the policy's choice: its generation; a cell: the one it recorded
	bit<16> choice_device;  // the policy's choice for this packet (kept when a cell overrides it)
	bit<1> resubmitted;     // second pass of a flow whose cell named a device gone
	bit<2> end_kind;        // END_FIN or END_RST: this packet is a FIN or RST (0: neither)
	bool new_flow;          // a TCP SYN or UDP: may take an ended flow's cell
	bit<32> rst_linger;     // ticks a RST'd cell lives after its last packet
	bit<32> fin_grace;      // ticks a FIN'd cell lives after its last packet
	bit<32> ended_sig;      // digest of the bucket's flow whose linger ran out (0: none)
	bool conn_full;
	bit<16> reason;         // HAULER_STAT_* of this packet
	bool drop;
	bool rewrite;           // nat: L4 checksum to update
	// reports
	bit<16> report_server;
	bit<8> report_pos;
	bool report_ok;
}

#endif // _HAULER_HEADERS_P4_
