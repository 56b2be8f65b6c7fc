/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
// load.p4 - the devices of the chosen server and their load.
//
// The host keeps dev_state per device id and reads a server's devices one
// by one. A Tofino pipeline reads a register once per packet, and a new
// flow needs all eight of its server's devices at once: so the switch
// keeps the load per (server, position), one set of registers per
// position, and a report is written where its device sits (the
// report_devices entry names the server and the position).
//
// Per position: the device (devices_at: server -> device id, its
// generation, usable, prt rank), and three registers indexed by server: the four 8-bit loads
// packed cmp.mem.net.queue as the host keeps them, the connections the
// agent counted, and the time of the last accepted report.
#ifndef _HAULER_LOAD_P4_
#define _HAULER_LOAD_P4_

control DeviceSlot(in headers_t hdr, in hauler_md_t md, in bit<32> stamp, out cand_t c)(bit<8> pos)
{
	Register<bit<32>, bit<16>>(HAULER_MAX_SERVERS, 0) util;
	Register<bit<32>, bit<16>>(HAULER_MAX_SERVERS, 0) conns;
	Register<bit<32>, bit<16>>(HAULER_MAX_SERVERS, 0) seen;

	RegisterAction<bit<32>, bit<16>, bit<32>>(util) util_read = {
		void apply(inout bit<32> v, out bit<32> rv) { rv = v; }
	};
	RegisterAction<bit<32>, bit<16>, bit<32>>(util) util_write = {
		void apply(inout bit<32> v)
		{
			v = hdr.report.cmp ++ hdr.report.mem ++ hdr.report.net ++ hdr.report.queue;
		}
	};
	RegisterAction<bit<32>, bit<16>, bit<32>>(conns) conns_read = {
		void apply(inout bit<32> v, out bit<32> rv) { rv = v; }
	};
	RegisterAction<bit<32>, bit<16>, bit<32>>(conns) conns_write = {
		void apply(inout bit<32> v) { v = hdr.report.live_conns; }
	};
	RegisterAction<bit<32>, bit<16>, bit<32>>(seen) seen_read = {
		void apply(inout bit<32> v, out bit<32> rv) { rv = v; }
	};
	RegisterAction<bit<32>, bit<16>, bit<32>>(seen) seen_write = {
		void apply(inout bit<32> v) { v = stamp; } // never 0: 0 is "no report"
	};

	action set_device(bit<16> id, bit<16> gen, bool usable, bit<8> rank)
	{
		c.id = id;
		c.gen = gen;
		c.usable = usable;
		c.rank = rank;
	}

	action no_device()
	{
		c.id = HAULER_NO_DEVICE;
		c.gen = 0;
		c.usable = false;
		c.rank = 0xff;
	}

	table devices_at {
		key = { md.server : exact; }
		actions = { set_device; no_device; }
		const default_action = no_device;
		size = HAULER_MAX_SERVERS;
	}

	apply {
		c.id = HAULER_NO_DEVICE;
		c.gen = 0;
		c.usable = false;
		c.stale = true;
		c.rank = 0xff;
		c.key = KEY_NONE;
		if (md.report_ok) {
			if (md.report_pos == pos) {
				util_write.execute(md.report_server);
				conns_write.execute(md.report_server);
				seen_write.execute(md.report_server);
			}
		} else if (md.is_vip && md.server != HAULER_NO_SERVER) {
			devices_at.apply();
			bit<32> packed = util_read.execute(md.server);
			bit<32> live = conns_read.execute(md.server);
			bit<32> at = seen_read.execute(md.server);
			bit<32> load;

			c.stale = at == 0 || md.now - at > md.stale_ticks;
			if (md.metric == HAULER_METRIC_MEM)
				load = (bit<32>)packed[23:16];
			else if (md.metric == HAULER_METRIC_NET)
				load = (bit<32>)packed[15:8];
			else if (md.metric == HAULER_METRIC_QUEUE)
				load = (bit<32>)packed[7:0];
			else if (md.metric == HAULER_METRIC_CONNS)
				load = live == KEY_NONE ? KEY_NONE - 1 : live;
			else
				load = (bit<32>)packed[31:24]; // cmp, and what the switch cannot read
			// prt: ranks below the threshold first, then the least loaded.
			if (!c.usable || c.stale)
				c.key = KEY_NONE;
			else if (md.policy == HAULER_SW_POLICY_PRT)
				c.key = load < (bit<32>)md.threshold ? (bit<32>)c.rank : 0x100 + load;
			else
				c.key = load;
		}
	}
}

control DeviceLoad(in headers_t hdr, inout hauler_md_t md)
{
	DeviceSlot(0) slot0;
	DeviceSlot(1) slot1;
	DeviceSlot(2) slot2;
	DeviceSlot(3) slot3;
	DeviceSlot(4) slot4;
	DeviceSlot(5) slot5;
	DeviceSlot(6) slot6;
	DeviceSlot(7) slot7;

	apply {
		slot0.apply(hdr, md, md.now | 1, md.c0);
		slot1.apply(hdr, md, md.now | 1, md.c1);
		slot2.apply(hdr, md, md.now | 1, md.c2);
		slot3.apply(hdr, md, md.now | 1, md.c3);
		slot4.apply(hdr, md, md.now | 1, md.c4);
		slot5.apply(hdr, md, md.now | 1, md.c5);
		slot6.apply(hdr, md, md.now | 1, md.c6);
		slot7.apply(hdr, md, md.now | 1, md.c7);
		md.usable_mask = (md.c7.usable ? 8w0x80 : 0) | (md.c6.usable ? 8w0x40 : 0) |
				 (md.c5.usable ? 8w0x20 : 0) | (md.c4.usable ? 8w0x10 : 0) |
				 (md.c3.usable ? 8w0x08 : 0) | (md.c2.usable ? 8w0x04 : 0) |
				 (md.c1.usable ? 8w0x02 : 0) | (md.c0.usable ? 8w0x01 : 0);
		md.stale_mask = (md.c7.stale ? 8w0x80 : 0) | (md.c6.stale ? 8w0x40 : 0) |
				(md.c5.stale ? 8w0x20 : 0) | (md.c4.stale ? 8w0x10 : 0) |
				(md.c3.stale ? 8w0x08 : 0) | (md.c2.stale ? 8w0x04 : 0) |
				(md.c1.stale ? 8w0x02 : 0) | (md.c0.stale ? 8w0x01 : 0);
	}
}

#endif // _HAULER_LOAD_P4_
