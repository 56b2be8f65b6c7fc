/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
// report.p4 - agent reports on the switch: the host's checks
// (include/hauler_report.h) in the host's order, with what a Tofino
// pipeline can compute in one pass in place of SipHash-2-4:
//
//   length, magic and version  as the host
//   device                     the report_devices table (device id -> its
//                              server, position, port, address, tag key)
//   source                     the ingress port the device is cabled to,
//                              and its address: a report is taken only
//                              from where the device is (the real guard)
//   tag                        tag_mode 1: a keyed CRC (CRC-32 and CRC-32C
//                              of key || bytes 0..31), checked against the
//                              tag; tag_mode 0: SipHash-tagged reports are
//                              taken on the source check alone
//   values                     as the host
//   sequence                   the low 32 bits, compared as serial numbers
//                              (RFC 1982) in a per-device register
//
// Why not SipHash: its 4+2 rounds are about 90 dependent 64-bit
// add-rotate-xor steps; a Tofino stage does 32-bit ALU work on a few
// fields, so one report would need a dozen recirculations. A keyed CRC is
// affine in the message: whoever sees one tagged report can forge others,
// so it only stops senders that never saw a report. docs/p4.md says more.
//
// An accepted report sets md.report_ok, report_server and report_pos; the
// DeviceLoad control writes the load into the position's registers.
#ifndef _HAULER_REPORT_P4_
#define _HAULER_REPORT_P4_

const bit<9> ANY_PORT = 0x1ff;

control Report(inout headers_t hdr, inout hauler_md_t md,
	       in ingress_intrinsic_metadata_t ig_intr_md)
{
	bit<32> k0 = 0;
	bit<32> k1 = 0;
	bit<32> k2 = 0;
	bit<32> k3 = 0;
	bit<9> port = ANY_PORT;
	bit<128> addr = 0;
	bit<8> tag_mode = 0;

	// Last accepted sequence (low 32 bits) per device id.
	Register<bit<32>, bit<16>>(HAULER_MAX_DEVICES, 0) report_seq;
	RegisterAction<bit<32>, bit<16>, bit<1>>(report_seq) seq_advance = {
		void apply(inout bit<32> last, out bit<1> newer)
		{
			newer = 0;
			// 0: no report accepted yet (the control plane zeroes a new device's cell)
			if (last == 0 || (int<32>)(hdr.report.seq[31:0] - last) > 0) {
				last = hdr.report.seq[31:0];
				newer = 1;
			}
		}
	};

	CRCPolynomial<bit<32>>(0x04C11DB7, true, false, false, 0xFFFFFFFF, 0xFFFFFFFF) crc32;
	CRCPolynomial<bit<32>>(0x1EDC6F41, true, false, false, 0xFFFFFFFF, 0xFFFFFFFF) crc32c;
	Hash<bit<32>>(HashAlgorithm_t.CUSTOM, crc32) tag_lo;
	Hash<bit<32>>(HashAlgorithm_t.CUSTOM, crc32c) tag_hi;

	action known(bit<16> server, bit<8> pos, bit<9> ingress_port, bit<128> src,
		     bit<8> mode, bit<32> key0, bit<32> key1, bit<32> key2, bit<32> key3)
	{
		md.report_server = server;
		md.report_pos = pos;
		port = ingress_port;
		addr = src;
		tag_mode = mode;
		k0 = key0;
		k1 = key1;
		k2 = key2;
		k3 = key3;
	}

	action unknown() {}

	// Device id -> where its reports may come from and its key. A device
	// without a key has no entry (its reports are refused, as on the host).
	table report_devices {
		key = { hdr.report.device : exact; }
		actions = { known; unknown; }
		const default_action = unknown;
		size = HAULER_MAX_DEVICES;
	}

	bool tag_good = false;

	action check_tag()
	{
		bit<32> lo = tag_lo.get({k0, k1, k2, k3, hdr.report.magic, hdr.report.version,
					hdr.report.flags, hdr.report.device, hdr.report.seq,
					hdr.report.cmp, hdr.report.mem, hdr.report.net,
					hdr.report.queue, hdr.report.latency_us,
					hdr.report.live_conns, hdr.report.period_ms});
		bit<32> hi = tag_hi.get({k0, k1, k2, k3, hdr.report.magic, hdr.report.version,
					hdr.report.flags, hdr.report.device, hdr.report.seq,
					hdr.report.cmp, hdr.report.mem, hdr.report.net,
					hdr.report.queue, hdr.report.latency_us,
					hdr.report.live_conns, hdr.report.period_ms});
		tag_good = hdr.report.tag == hi ++ lo;
	}

	apply {
		md.report_ok = false;
		if (hdr.udp.isValid() && hdr.udp.length != 8 + HAULER_REPORT_BYTES) {
			md.reason = HAULER_STAT_report_bad_len;
		} else if (hdr.report.magic != HAULER_REPORT_MAGIC ||
			   (hdr.report.version != HAULER_REPORT_VERSION &&
			    hdr.report.version != HAULER_REPORT_VERSION_1)) {
			md.reason = HAULER_STAT_report_bad_magic;
		} else if (report_devices.apply().hit) {
			check_tag();
			if ((port != ANY_PORT && port != ig_intr_md.ingress_port) ||
			    (hdr.udp.isValid() && addr != md.src)) {
				md.reason = HAULER_STAT_report_bad_source;
			} else if (tag_mode == 1 && !tag_good) {
				md.reason = HAULER_STAT_report_bad_tag;
			} else if (hdr.report.cmp > 100 || hdr.report.mem > 100 ||
				   hdr.report.net > 100 || hdr.report.queue > 100 ||
				   hdr.report.period_ms > HAULER_REPORT_MAX_PERIOD_MS ||
				   (hdr.report.flags & ~((bit<8>)HAULER_REPORT_F_ALL)) != 0 ||
				   (hdr.report.version == HAULER_REPORT_VERSION_1 &&
				    (hdr.report.period_ms != 0 ||
				     (hdr.report.flags & ~((bit<8>)HAULER_REPORT_F_ALL_V1)) != 0))) {
				md.reason = HAULER_STAT_report_bad_value;
			} else if (seq_advance.execute(hdr.report.device) == 0) {
				md.reason = HAULER_STAT_report_replay;
			} else {
				md.reason = HAULER_STAT_report_ok;
				md.report_ok = true;
			}
		} else {
			md.reason = HAULER_STAT_report_unknown_device;
		}
		md.drop = true; // a report ends here, accepted or not
	}
}

#endif // _HAULER_REPORT_P4_
