/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
// conn.p4 - the connection table in the SilkRoad style: a digest of the
// flow in a register array instead of the flow key in a hash table.
//
// Cell hash mod 2^20 holds {digest, device}: the digest is a second,
// independent CRC of the flow (never 0; 0 marks an empty cell). One
// register action per packet looks up and, on a miss, inserts the device
// the policy chose for this very packet (it was chosen before the lookup,
// so a new flow needs no second pass and no control-plane round trip):
//
//   digest matches       the flow's device            conn_hit
//   cell empty           insert the choice            conn_new
//   another flow's cell  forward by the choice, no    conn_table_full
//                        entry (the host's fallback when conns is full)
//
// A TCP RST empties its cell. There are no per-flow timers in a pipeline:
// FIN and idle UDP entries are aged by the control plane, which reads and
// clears cells (the host does it per packet with last_seen_ns). A version
// per pool keeps a pool update consistent (maglev.p4); the cell records
// the device itself, so no later pool or policy change moves a live flow.
#ifndef _HAULER_CONN_P4_
#define _HAULER_CONN_P4_

#define HAULER_P4_CONN_CELLS 1048576 // HAULER_MAX_CONNS

struct conn_cell_t {
	bit<32> sig;
	bit<32> device;
}

// What a cell says, in bits 17:16 of the register action's result.
const bit<2> CONN_HIT = 0;
const bit<2> CONN_INSERTED = 1;
const bit<2> CONN_FULL = 2;
const bit<2> CONN_MISS = 3;

control ConnTable(inout hauler_md_t md)
{
	Register<conn_cell_t, bit<32>>(HAULER_P4_CONN_CELLS) cells;

	RegisterAction<conn_cell_t, bit<32>, bit<32>>(cells) lookup_or_insert = {
		void apply(inout conn_cell_t cell, out bit<32> rv)
		{
			if (cell.sig == md.sig) {
				rv = cell.device;
			} else if (cell.sig == 0 && md.device != HAULER_NO_DEVICE) {
				cell.sig = md.sig;
				cell.device = (bit<32>)md.device;
				rv = (bit<32>)CONN_INSERTED << 16 | (bit<32>)md.device;
			} else {
				rv = (bit<32>)CONN_FULL << 16;
			}
		}
	};

	RegisterAction<conn_cell_t, bit<32>, bit<32>>(cells) remove = {
		void apply(inout conn_cell_t cell, out bit<32> rv)
		{
			if (cell.sig == md.sig) {
				rv = cell.device;
				cell.sig = 0;
				cell.device = 0;
			} else {
				rv = (bit<32>)CONN_MISS << 16;
			}
		}
	};

	apply {
		bit<32> index = (bit<32>)md.hash[19:0];
		bit<32> r;

		if ((md.tcp_flags & TCP_RST) != 0 && md.proto == PROTO_TCP)
			r = remove.execute(index);
		else
			r = lookup_or_insert.execute(index);
		md.conn_full = false;
		if (r[17:16] == CONN_HIT) {
			md.device = r[15:0];
			md.reason = HAULER_STAT_conn_hit;
		} else if (r[17:16] == CONN_INSERTED) {
			md.reason = HAULER_STAT_conn_new;
		} else if (md.device == HAULER_NO_DEVICE) {
			// No entry and nothing to choose.
			md.drop = true;
			if (md.server == HAULER_NO_SERVER)
				md.reason = HAULER_STAT_drop_no_server;
			else
				md.reason = HAULER_STAT_drop_no_device;
		} else if (r[17:16] == CONN_FULL) {
			md.conn_full = true;
			md.reason = HAULER_STAT_conn_table_full;
		} else {
			md.reason = HAULER_STAT_conn_closed; // RST of a flow without entry
		}
	}
}

#endif // _HAULER_CONN_P4_
