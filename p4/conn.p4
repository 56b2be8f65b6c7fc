/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
// conn.p4 - the connection table in the SilkRoad style: a digest of the
// flow in a register array instead of the flow key in a hash table.
//
// Cell hash mod 2^20 holds {digest, generation.device}: the digest is a
// second, independent CRC of the flow (never 0; 0 marks an empty cell).
// One register action per packet looks up and, on a miss, inserts the
// device the policy chose for this very packet (it was chosen before the
// lookup, so a new flow needs no second pass and no control-plane round
// trip):
//
//   digest matches       the flow's device            conn_hit
//   cell empty           insert the choice            conn_new
//   another flow's cell  forward by the choice, no    conn_table_full
//                        entry (the host's fallback when conns is full)
//
// Device generations (the host's conn.dev_gen): a cell records the
// generation of its device id (devices_at's gen) with the id; device_gens
// (id -> the id's generation now) is looked up after the cell. A cell
// whose id is no longer in use, or names a later generation (the id was
// given to another device, perhaps of another VIP), never sends the flow
// there: the packet goes to this packet's own policy choice, in its own
// VIP, counted conn_device_gone. A SYN or UDP packet is then resubmitted
// once, and its second pass overwrites the cell with the choice (a
// register is accessed once per pass); a TCP segment without SYN is sent
// on by the choice without an entry, and that device, which holds no such
// connection, answers with a RST (the host sends the RST itself).
//
// Endings (the host's CONN_RST / CONN_FIN and conn_expired): a RST or FIN
// no longer empties the cell at once. It marks the bucket in ends
// ({digest, tick of the last packet, kind}); each later packet of the
// flow extends the mark, so a spoofed RST cannot cut a live flow and a
// crossing RST still finds the cell. Once rst-linger (or fin-grace) has
// passed since the flow's last packet the cell has ended: a SYN or UDP
// packet of the same flow, or the packet of any other flow of the bucket,
// takes it over (conn_closed, then bound as new); a TCP segment without
// SYN of the ended flow stays on its device (conn_ended_kept). One mark
// per bucket: while one flow's mark runs, another flow's RST in that
// bucket (a flow without the cell) is not recorded. Idle UDP cells are
// still aged by the control plane (no per-flow timer without a packet).
// A version per pool keeps a pool update consistent (maglev.p4); the cell
// records the device itself, so no later pool or policy change moves a
// live flow.
#ifndef _HAULER_CONN_P4_
#define _HAULER_CONN_P4_

#define HAULER_P4_CONN_CELLS 1048576 // HAULER_MAX_CONNS

struct conn_cell_t {
	bit<32> sig;
	bit<32> device; // generation (31:16) and device id (15:0)
}

// A RST or FIN seen in a bucket: whose, and the tick of its flow's last
// packet since (bits 31:2) with its kind (bits 1:0). at 0: no mark.
struct conn_end_t {
	bit<32> sig;
	bit<32> at;
}

const bit<2> END_FIN = 1;
const bit<2> END_RST = 2;

// What a cell says, in bits 17:16 of the register action's result.
const bit<2> CONN_HIT = 0;
const bit<2> CONN_INSERTED = 1;
const bit<2> CONN_FULL = 2;
const bit<2> CONN_REPLACED = 3;

control ConnTable(inout hauler_md_t md, inout ingress_intrinsic_metadata_for_deparser_t ig_dprsr_md)
{
	Register<conn_cell_t, bit<32>>(HAULER_P4_CONN_CELLS) cells;
	Register<conn_end_t, bit<32>>(HAULER_P4_CONN_CELLS) ends;

	// config: rst-linger and fin-grace in ticks (one entry: the default
	// action, set by the control plane; the host's defaults, 1 s and 5 s).
	action set_timers(bit<32> rst_linger, bit<32> fin_grace)
	{
		md.rst_linger = rst_linger;
		md.fin_grace = fin_grace;
	}

	table timers {
		actions = { set_timers; }
		default_action = set_timers(15259, 76294);
		size = 1;
	}

	// device_gens: device id -> the generation of the id now (devices.gen).
	bit<16> gen_now = 0;

	action set_gen(bit<16> gen)
	{
		gen_now = gen;
	}

	action not_in_use() {}

	table device_gens {
		key = { md.device : exact; }
		actions = { set_gen; not_in_use; }
		const default_action = not_in_use;
		size = HAULER_MAX_DEVICES;
	}

	// Mark, extend or end the bucket's mark; returns the digest of a flow
	// whose linger ran out (its cell may be taken), else 0.
	RegisterAction<conn_end_t, bit<32>, bit<32>>(ends) end_track = {
		void apply(inout conn_end_t e, out bit<32> rv)
		{
			bit<32> limit = e.at[1:0] == END_RST ? md.rst_linger : md.fin_grace;
			bool over = e.at != 0 && md.now - e.at > limit;

			rv = 0;
			if (md.end_kind != 0 && (e.at == 0 || e.sig == md.sig || over)) {
				e.sig = md.sig;
				e.at = md.now[31:2] ++ md.end_kind;
			} else if (over) {
				rv = e.sig;
				if (e.sig != md.sig || md.new_flow) {
					e.sig = 0;
					e.at = 0;
				}
			} else if (e.at != 0 && e.sig == md.sig) {
				e.at = md.now[31:2] ++ e.at[1:0];
			}
		}
	};

	RegisterAction<conn_cell_t, bit<32>, bit<32>>(cells) lookup_or_insert = {
		void apply(inout conn_cell_t cell, out bit<32> rv)
		{
			bool ended = md.ended_sig != 0 && cell.sig == md.ended_sig;

			if (cell.sig == md.sig && !(ended && md.new_flow)) {
				rv = cell.device;
			} else if ((cell.sig == 0 || ended) && md.device != HAULER_NO_DEVICE &&
				   (md.proto != PROTO_TCP || (md.tcp_flags & TCP_RST) == 0)) {
				cell.sig = md.sig;
				cell.device = md.device_gen ++ md.device;
				rv = (bit<32>)(ended ? CONN_REPLACED : CONN_INSERTED) << 16;
			} else {
				rv = (bit<32>)CONN_FULL << 16;
			}
		}
	};

	// The second pass of a flow whose cell named a device gone.
	RegisterAction<conn_cell_t, bit<32>, bit<32>>(cells) rebind = {
		void apply(inout conn_cell_t cell, out bit<32> rv)
		{
			if (cell.sig == md.sig && md.device != HAULER_NO_DEVICE) {
				cell.device = md.device_gen ++ md.device;
				rv = (bit<32>)CONN_REPLACED << 16;
			} else {
				rv = (bit<32>)CONN_FULL << 16;
			}
		}
	};

	apply {
		bit<32> index = (bit<32>)md.hash[19:0];
		bit<32> r;

		timers.apply();
		md.new_flow = md.proto == PROTO_UDP ||
			      (md.tcp_flags & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_SYN;
		md.end_kind = 0;
		if (md.proto == PROTO_TCP && (md.tcp_flags & TCP_RST) != 0)
			md.end_kind = END_RST;
		else if (md.proto == PROTO_TCP && (md.tcp_flags & TCP_FIN) != 0)
			md.end_kind = END_FIN;
		md.ended_sig = end_track.execute(index);
		if (md.resubmitted == 1)
			r = rebind.execute(index);
		else
			r = lookup_or_insert.execute(index);
		md.conn_full = false;
		if (r[17:16] == CONN_HIT) {
			md.device = r[15:0];
			md.device_gen = r[31:16];
			if (!device_gens.apply().hit || gen_now != md.device_gen) {
				// Its device is gone: this packet's own choice, in its VIP.
				md.device = md.choice_device;
				md.reason = HAULER_STAT_conn_device_gone;
				if (md.device == HAULER_NO_DEVICE) {
					md.drop = true;
				} else if (md.new_flow) {
					// This pass is discarded; the second rebinds and forwards.
					ig_dprsr_md.resubmit_type = RESUBMIT_REBIND;
				}
			} else if (md.ended_sig == md.sig) {
				md.reason = HAULER_STAT_conn_ended_kept;
			} else {
				md.reason = HAULER_STAT_conn_hit;
			}
		} else if (r[17:16] == CONN_INSERTED) {
			md.reason = HAULER_STAT_conn_new;
		} else if (r[17:16] == CONN_REPLACED) {
			md.reason = HAULER_STAT_conn_closed; // an ended or gone flow's cell, now this one's
		} else if (md.device == HAULER_NO_DEVICE) {
			// No entry and nothing to choose.
			md.drop = true;
			if (md.server == HAULER_NO_SERVER)
				md.reason = HAULER_STAT_drop_no_server;
			else
				md.reason = HAULER_STAT_drop_no_device;
		} else if (md.end_kind == END_RST) {
			md.reason = HAULER_STAT_conn_stateless; // a RST of a flow without entry
		} else {
			md.conn_full = true;
			md.reason = HAULER_STAT_conn_table_full;
		}
	}
}

#endif // _HAULER_CONN_P4_
