/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
// stats.p4 - the host's stats map as switch counters, indexed by the
// same HAULER_STAT_* (generated from include/schema.def): one reason per
// packet, and per VIP and per device two counters each, forwarded
// (packets and bytes, index id * 2) and new connections (id * 2 + 1).
// fwd_tx, fwd_redirect and pass_no_neigh are XDP's and stay 0 here.
#ifndef _HAULER_STATS_P4_
#define _HAULER_STATS_P4_

control Stats(in hauler_md_t md)
{
	Counter<bit<64>, bit<16>>(HAULER_STAT_REASONS, CounterType_t.PACKETS_AND_BYTES) stats;
	Counter<bit<64>, bit<16>>(HAULER_MAX_VIPS * 2, CounterType_t.PACKETS_AND_BYTES) vip_stats;
	Counter<bit<64>, bit<16>>(HAULER_MAX_DEVICES * 2, CounterType_t.PACKETS_AND_BYTES) dev_stats;

	apply {
		stats.count(md.reason);
		if (md.is_vip && !md.drop) {
			bit<16> which = md.reason == HAULER_STAT_conn_new ? 16w1 : 16w0;

			vip_stats.count(md.vip_id << 1 | which);
			dev_stats.count(md.device << 1 | which);
		}
	}
}

#endif // _HAULER_STATS_P4_
