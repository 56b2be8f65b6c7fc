/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
// vip.p4 - is the packet for a VIP, or a nat reply of one? The vips table
// is the host's vips map plus the VIP's policy_params: the policy is an
// action parameter, so swapping a VIP's policy is one entry modify (the
// switch's form of the host's tail-call swap). Live connections do not
// move: the connection table is read before the policy's choice is used.
#ifndef _HAULER_VIP_P4_
#define _HAULER_VIP_P4_

control Vip(inout headers_t hdr, inout hauler_md_t md)
{
	action set_vip(bit<16> vip_id, bit<8> fwd_mode, bit<16> pool, bit<16> slot_mask,
		       bit<8> policy, bit<8> metric, bit<8> threshold, bit<32> stale_ticks)
	{
		md.is_vip = true;
		md.vip_id = vip_id;
		md.fwd_mode = fwd_mode;
		md.pool = pool;
		md.slot_mask = slot_mask;
		md.policy = policy;
		md.metric = metric;
		md.threshold = threshold;
		md.stale_ticks = stale_ticks;
	}

	action not_vip()
	{
		md.is_vip = false;
	}

	// IPv4 addresses in the low 32 bits of the 128-bit key, as in vip_key.
	table vips {
		key = {
			md.family : exact;
			md.dst : exact;
			md.dport : exact;
			md.proto : exact;
		}
		actions = { set_vip; not_vip; }
		const default_action = not_vip;
		size = HAULER_MAX_VIPS;
	}

	// nat return path. A device (address, port) serves one VIP, so the
	// reply's source maps to its VIP without a per-flow entry: the host
	// keeps one (keyed by the reply) because it learns flows in XDP.
	action reply_from(bit<128> vip_addr, bit<16> vip_port)
	{
		md.src = vip_addr; // Forward writes md's addresses and ports back
		md.sport = vip_port;
		md.rewrite = true;
		md.reason = HAULER_STAT_nat_reply;
	}

	action no_reply() {}

	table nat_replies {
		key = {
			md.family : exact;
			md.src : exact;
			md.sport : exact;
			md.proto : exact;
		}
		actions = { reply_from; no_reply; }
		const default_action = no_reply;
		size = HAULER_MAX_DEVICES;
	}

	apply {
		if (!vips.apply().hit) {
			if (!nat_replies.apply().hit)
				md.reason = HAULER_STAT_pass_not_vip;
		}
	}
}

// The flow's two hashes and the time. The host hashes the flow key with
// MurmurHash3; a Tofino hash unit computes CRCs, so the switch's flow
// hash differs and a flow's server on the switch is not its server on
// the host (each datapath is consistent with itself).
control FlowHash(inout hauler_md_t md, in ingress_intrinsic_metadata_from_parser_t ig_prsr_md)
{
	Hash<bit<32>>(HashAlgorithm_t.CRC32) flow_crc32;
	CRCPolynomial<bit<32>>(0x1EDC6F41, true, false, false, 0xFFFFFFFF, 0xFFFFFFFF) crc32c;
	Hash<bit<32>>(HashAlgorithm_t.CUSTOM, crc32c) flow_crc32c;

	apply {
		md.hash = flow_crc32.get({md.src, md.dst, md.sport, md.dport, md.family, md.proto});
		md.sig = flow_crc32c.get({md.src, md.dst, md.sport, md.dport, md.family, md.proto});
		if (md.sig == 0)
			md.sig = 1; // 0 marks an empty connection cell
		md.now = ig_prsr_md.global_tstamp[47:16];
	}
}

#endif // _HAULER_VIP_P4_
