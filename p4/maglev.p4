/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
// maglev.p4 - the server tier: the VIP's weighted Maglev table as an
// exact-match table on (pool, bucket), then the server's ring.
//
// The host looks up slot hash % M of a table of prime size M. A Tofino
// pipeline cannot divide, so the switch looks up bucket hash & (B - 1),
// B the power of two at or above M, and the control plane (hauler export
// p4) writes bucket b with the host's slot b % M: the same weighted
// shares, up to (B - M) / M extra for the first slots. Both versions of a
// VIP's table are kept (pool = vip_id * 2 + version): the control plane
// writes the inactive one, then flips the version in the VIP's entry, so
// no packet sees a half-written table.
#ifndef _HAULER_MAGLEV_P4_
#define _HAULER_MAGLEV_P4_

// Entries: buckets of every VIP's two versions (64 VIPs x 2 x 4096 at
// the default table size; a VIP with a larger M needs a larger table).
#define HAULER_P4_MAGLEV_ENTRIES 524288

control ServerTier(inout hauler_md_t md)
{
	action set_server(bit<16> server)
	{
		md.server = server;
	}

	action empty_slot()
	{
		md.server = HAULER_NO_SERVER;
	}

	table maglev {
		key = {
			md.pool : exact;
			md.bucket : exact;
		}
		actions = { set_server; empty_slot; }
		const default_action = empty_slot;
		size = HAULER_P4_MAGLEV_ENTRIES;
	}

	// The server's active ring: its first cell in the rings register and
	// its length. The control plane flips ring versions as it does pools.
	action set_ring(bit<32> ring_base, bit<32> ring_len)
	{
		md.ring_base = ring_base;
		md.ring_len = ring_len;
	}

	action no_ring()
	{
		md.ring_base = 0;
		md.ring_len = 0;
	}

	table servers {
		key = { md.server : exact; }
		actions = { set_ring; no_ring; }
		const default_action = no_ring;
		size = HAULER_MAX_SERVERS;
	}

	apply {
		md.bucket = md.hash[15:0] & md.slot_mask;
		maglev.apply();
		if (md.server == HAULER_NO_SERVER)
			md.reason = HAULER_STAT_drop_no_server;
		else
			servers.apply();
	}
}

#endif // _HAULER_MAGLEV_P4_
