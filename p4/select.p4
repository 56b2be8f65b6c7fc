/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
// select.p4 - P4Hauler's two building blocks and the policies made of
// them, the switch's form of include/select/:
//
//   MinFinder  the least key of eight candidates, as a tournament of
//              seven unrolled comparisons (three levels, not a chain of
//              eight, so it spans fewer stages); equal keys are split by
//              one bit of the flow hash per comparison
//   Ring       a server's round-robin ring: slots in a register array,
//              a pointer per server advanced by each new flow
//
// and the policy of the VIP (md.policy, an entry of the vips table):
//
//   SW_POLICY_HASH   hash:  the (hash mod usable)-th usable device
//   SW_POLICY_RING   wrr:   the ring slot; ecmp: the same over a ring of
//                           equal weights (the control plane builds it)
//   SW_POLICY_LEAST  lur (cmp, mem, net), jsq (queue), lc (conns): least key
//   SW_POLICY_PRT    prt:   least key, keys ranking the devices below the
//                           threshold by weight before the others by load
//
// The host's rules hold: a device that is not usable is never chosen; a
// stale device gets its static weight's share (the ring slot names a
// stale device: it takes the flow, as the host's weighted draw does);
// with no fresh device, the hash choice.
#ifndef _HAULER_SELECT_P4_
#define _HAULER_SELECT_P4_

control MinOf2(in bit<32> ka, in bit<8> pa, in bit<32> kb, in bit<8> pb, in bit<1> coin,
	       out bit<32> k, out bit<8> p)
{
	apply {
		if (ka < kb || (ka == kb && coin == 0)) {
			k = ka;
			p = pa;
		} else {
			k = kb;
			p = pb;
		}
	}
}

control MinFinder(in hauler_md_t md, out bit<8> choice)
{
	MinOf2() m01;
	MinOf2() m23;
	MinOf2() m45;
	MinOf2() m67;
	MinOf2() m03;
	MinOf2() m47;
	MinOf2() m07;

	apply {
		bit<32> k01;
		bit<32> k23;
		bit<32> k45;
		bit<32> k67;
		bit<32> k03;
		bit<32> k47;
		bit<32> k07;
		bit<8> p01;
		bit<8> p23;
		bit<8> p45;
		bit<8> p67;
		bit<8> p03;
		bit<8> p47;
		bit<8> p07;

		m01.apply(md.c0.key, 0, md.c1.key, 1, md.hash[16:16], k01, p01);
		m23.apply(md.c2.key, 2, md.c3.key, 3, md.hash[17:17], k23, p23);
		m45.apply(md.c4.key, 4, md.c5.key, 5, md.hash[18:18], k45, p45);
		m67.apply(md.c6.key, 6, md.c7.key, 7, md.hash[19:19], k67, p67);
		m03.apply(k01, p01, k23, p23, md.hash[20:20], k03, p03);
		m47.apply(k45, p45, k67, p67, md.hash[21:21], k47, p47);
		m07.apply(k03, p03, k47, p47, md.hash[22:22], k07, p07);
		choice = k07 == KEY_NONE ? (bit<8>)HAULER_NO_CHOICE : p07;
	}
}

// The ring cells of all servers, both versions: cell (server * 2 +
// version) * RING_SLOTS + i, as the host's rings map (generated from the
// schema). The pointer is the host's ring_pos.
control Ring(in hauler_md_t md, out bit<8> pos)
{
	HAULER_REGISTER_RINGS_SLOT(ring_slots);
	RegisterAction<bit<8>, bit<32>, bit<8>>(ring_slots) slot_read = {
		void apply(inout bit<8> v, out bit<8> rv) { rv = v; }
	};
	Register<bit<32>, bit<16>>(HAULER_MAX_SERVERS, 0) ring_pos;
	// Each new flow takes the next turn; other packets only look.
	RegisterAction<bit<32>, bit<16>, bit<32>>(ring_pos) advance = {
		void apply(inout bit<32> next, out bit<32> rv)
		{
			rv = next;
			if (next + 1 >= md.ring_len)
				next = 0;
			else
				next = next + 1;
		}
	};
	RegisterAction<bit<32>, bit<16>, bit<32>>(ring_pos) peek = {
		void apply(inout bit<32> next, out bit<32> rv) { rv = next; }
	};

	apply {
		bit<32> turn;
		bool new_flow = md.proto == PROTO_UDP ||
				(md.tcp_flags & (TCP_SYN | TCP_ACK)) == TCP_SYN;

		pos = HAULER_NO_CHOICE;
		if (md.ring_len != 0) {
			if (new_flow)
				turn = advance.execute(md.server);
			else
				turn = peek.execute(md.server);
			if (turn >= md.ring_len) // the ring shrank since
				turn = 0;
			pos = slot_read.execute(md.ring_base + turn);
		}
	}
}

control Policy(inout hauler_md_t md)
{
	MinFinder() least;
	Ring() ring;
	bit<8> hashed = HAULER_NO_CHOICE;

	// The k-th usable device, k = hash mod (usable count), for every mask
	// and 16 values of 4 hash bits: 4096 constant entries the control
	// plane writes (a pipeline cannot take a remainder).
	action pick(bit<8> pos)
	{
		hashed = pos;
	}

	table pick_nth {
		key = {
			md.usable_mask : exact;
			md.hash[27:24] : exact @name("hash_bits");
		}
		actions = { pick; }
		default_action = pick(HAULER_NO_CHOICE);
		size = 4096;
	}

	apply {
		bit<8> slot;
		bit<8> min_choice;
		bool slot_usable;
		bool slot_stale;

		pick_nth.apply();
		ring.apply(md, slot);
		slot_usable = slot < 8 && ((md.usable_mask >> slot) & 1) == 1;
		slot_stale = slot < 8 && ((md.stale_mask >> slot) & 1) == 1;
		if (md.policy == HAULER_SW_POLICY_RING) {
			md.choice = slot_usable ? slot : hashed;
		} else if (md.policy == HAULER_SW_POLICY_LEAST || md.policy == HAULER_SW_POLICY_PRT) {
			least.apply(md, min_choice);
			if (slot_usable && slot_stale)
				md.choice = slot;
			else if (min_choice != HAULER_NO_CHOICE)
				md.choice = min_choice;
			else
				md.choice = hashed;
		} else {
			md.choice = hashed;
		}
		// The chosen position's device id.
		if (md.choice == 0) {
			md.device = md.c0.id;
			md.device_gen = md.c0.gen;
		} else if (md.choice == 1) {
			md.device = md.c1.id;
			md.device_gen = md.c1.gen;
		} else if (md.choice == 2) {
			md.device = md.c2.id;
			md.device_gen = md.c2.gen;
		} else if (md.choice == 3) {
			md.device = md.c3.id;
			md.device_gen = md.c3.gen;
		} else if (md.choice == 4) {
			md.device = md.c4.id;
			md.device_gen = md.c4.gen;
		} else if (md.choice == 5) {
			md.device = md.c5.id;
			md.device_gen = md.c5.gen;
		} else if (md.choice == 6) {
			md.device = md.c6.id;
			md.device_gen = md.c6.gen;
		} else if (md.choice == 7) {
			md.device = md.c7.id;
			md.device_gen = md.c7.gen;
		} else {
			md.device = HAULER_NO_DEVICE;
		}
		md.choice_device = md.device;
	}
}

#endif // _HAULER_SELECT_P4_
