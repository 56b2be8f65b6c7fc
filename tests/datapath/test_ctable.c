// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_ctable.c - the compact connection table in the datapath
 * (hauler_ct, hauler_ct_bind; docs/datapath.md, "The compact table"):
 * the same verdicts and output bytes as the LRU tables, the state in
 * 8-byte slots of ctable (nat: the flow's only; a reply is known by its
 * device's address, dev_addrs), the
 * half-open flag, promotion, lingers, expiry, a gone device, a full
 * bucket pair, a false match with another VIP's flow, and a counted drop
 * when its program is missing. conns and half_open stay empty.
 */
#include <sched.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <unistd.h>
#include <netinet/in.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <cmocka.h>
#include "hauler_keys.h"
#include "dev_tomb.h"
#include "frames.h"
#include "ctable_map.h"

static const struct dp_case *param(void **state)
{
	return *state;
}

/* The tick the datapath reads now (bpf_ktime_get_coarse_ns). */
static __u32 now_tick(void)
{
	struct timespec ts;

	assert_int_equal(clock_gettime(CLOCK_MONOTONIC_COARSE, &ts), 0);
	return ct_tick((__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec);
}

/*
 * Was slot s stamped just now? Within 100 ticks (6.7 s): a loaded
 * machine may take a while between the packet and the check; the slots
 * the tests age are older than that.
 */
static int fresh(__u64 s)
{
	return ct_slot_age(s, now_tick()) < 100;
}

/* No slot under k (a nat reply's key: the reply has none). */
static void no_slot(const struct flow_key *k)
{
	__u64 s;

	assert_int_equal(dp_ct_get(k, &s), -1);
}

/* The slot of k, which must be there. */
static __u64 slot_of(const struct flow_key *k)
{
	__u64 s = 0;

	assert_int_equal(dp_ct_get(k, &s), 0);
	return s;
}

/* Make k's slot look ms older: the test's clock (no sleep a loaded machine could overrun). */
static void age_slot(const struct flow_key *k, __u32 ms)
{
	__u64 s = slot_of(k);

	dp_ct_set(k, ct_slot_with(s, ct_slot_flags(s), ct_slot_tick(s) - ct_ticks_of_ms(ms)));
}

/* The key of the device's reply to the flow of in (device 0). */
static struct flow_key reply_of(const struct frame_spec *in)
{
	struct dp_addr dev = dp_dev_addr(in->family, 0), cli;

	memcpy(cli.a, in->src, 16);
	return dp_flow(in->family, in->proto, &dev, DP_DEV_PORT, &cli, in->sport);
}

/* Send in; expect it nat-forwarded to device dev_n, byte for byte. */
static void send_nat_to(const struct frame_spec *in, int dev_n)
{
	__u8 frame[DP_FRAME_MAX], want[DP_FRAME_MAX];
	struct frame_spec e;
	size_t len = build(in, frame), wlen;

	spec_nat_expected(&e, in, dev_n);
	wlen = build(&e, want);
	run_expect(frame, len, XDP_TX, want, wlen);
}

/* Send the device's reply to in; expect it translated back to the VIP. */
static void send_reply(const struct frame_spec *in, __u8 tcp_flags)
{
	__u8 frame[DP_FRAME_MAX], want[DP_FRAME_MAX];
	struct frame_spec r, e;
	size_t len, wlen;

	spec_reply(&r, in, 0);
	r.tcp_flags = tcp_flags;
	spec_reply_expected(&e, &r, in);
	len = build(&r, frame);
	wlen = build(&e, want);
	run_expect(frame, len, XDP_TX, want, wlen);
}

/* The flags a slot of proto starts with (ct_proto_flags in bpf/ctconn.h). */
static __u32 ct_proto_flags_test(__u8 proto)
{
	return proto == IPPROTO_UDP ? CT_F_UDP : 0;
}

/* Send s; expect the verdict. */
static void dp_run_ok(const struct frame_spec *s, int verdict)
{
	__u8 frame[DP_FRAME_MAX];
	size_t len = build(s, frame);
	struct dp_out out;

	assert_int_equal(dp_run(frame, len, &out), 0);
	assert_int_equal(out.verdict, verdict);
}

/* A nat VIP of n devices, the compact table in use. */
static void compact_vip(int family, __u8 proto, __u8 mode, int n)
{
	dp_simple_vip(family, proto, mode, n);
	dp_ct_use(1);
}

static void test_nat_flow(void **state)
{
	const struct dp_case *c = param(state);
	__u32 udp = c->proto == IPPROTO_UDP ? CT_F_UDP : 0;
	struct frame_spec in;
	struct flow_key fk, rk;
	__u64 s;

	compact_vip(c->family, c->proto, HAULER_FWD_NAT, 1);
	spec_to_vip(&in, c->family, c->proto, c->vlan);
	fk = spec_flow(&in);
	rk = reply_of(&in);

	/* The first packet: decided, one half-open slot (the flow's; its reply has none). */
	send_nat_to(&in, 0);
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 1);
	assert_int_equal(dp_stat(HAULER_STAT_policy_fallback), 1);
	assert_int_equal(dp_dev_assigned(DP_DEV_ID(0)), 1);
	assert_int_equal(dp_ct_count(), 1);
	assert_int_equal(dp_conn_count(), 0);
	s = slot_of(&fk);
	assert_int_equal(ct_slot_device(s), DP_DEV_ID(0));
	assert_int_equal(ct_slot_flags(s), CT_F_HALF | udp);
	assert_true(fresh(s));
	no_slot(&rk);

	/* The device's answer goes back as the VIP (a SYN-ACK confirms nothing). */
	send_reply(&in, TCPF_SYN | TCPF_ACK);
	assert_int_equal(dp_stat(HAULER_STAT_nat_reply), 1);
	assert_int_equal(ct_slot_flags(slot_of(&fk)) & CT_F_HALF, CT_F_HALF);
	assert_int_equal(dp_ct_count(), 1);

	/*
	 * The second packet: a hit. TCP: the client's ACK confirms nothing
	 * in nat mode (a slot has no room to check that it acknowledges the
	 * SYN-ACK); the device's data confirms the flow's slot.
	 */
	in.tcp_flags = TCPF_ACK;
	send_nat_to(&in, 0);
	assert_int_equal(dp_stat(HAULER_STAT_conn_hit), 1);
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 1);
	assert_int_equal(dp_ct_count(), 1);
	if (c->proto == IPPROTO_TCP) {
		assert_int_equal(dp_stat(HAULER_STAT_conn_promoted), 0);
		assert_int_equal(ct_slot_flags(slot_of(&fk)), CT_F_HALF);
		send_reply(&in, TCPF_ACK);
		assert_int_equal(dp_stat(HAULER_STAT_conn_promoted), 1);
		assert_int_equal(ct_slot_flags(slot_of(&fk)), 0);
		no_slot(&rk);
		/* The device's FIN marks the flow's slot; so does the client's. */
		send_reply(&in, TCPF_ACK | TCPF_FIN);
		assert_int_equal(ct_slot_flags(slot_of(&fk)), CT_F_FIN);
		in.tcp_flags = TCPF_ACK | TCPF_FIN;
		send_nat_to(&in, 0);
		assert_int_equal(ct_slot_flags(slot_of(&fk)), CT_F_FIN);
		assert_int_equal(dp_stat(HAULER_STAT_nat_reply), 3);
		assert_int_equal(dp_ct_count(), 1);
	} else {
		/* UDP within its first second: still half-open. */
		assert_int_equal(dp_stat(HAULER_STAT_conn_promoted), 0);
		assert_int_equal(ct_slot_flags(slot_of(&fk)), CT_F_HALF | CT_F_UDP);
	}
	assert_int_equal(dp_conn_count(), 0);
}

static int dev_addr_id(int family, int addr_n, __u8 proto);

static void test_ipip_flow(void **state)
{
	const struct dp_case *c = param(state);
	struct dp_addr src6 = dp_lb_addr(6), src4 = dp_lb_addr(4);
	__u8 frame[DP_FRAME_MAX], want[DP_FRAME_MAX + 64];
	struct frame_spec s;
	struct flow_key fk;
	size_t len, wlen;
	int i;

	compact_vip(c->family, c->proto, HAULER_FWD_IPIP, 1);
	dp_set_config(0, 5000, 30000);
	dp_set_tunnel_src(src4.a[0], &src6);
	spec_to_vip(&s, c->family, c->proto, c->vlan);
	fk = spec_flow(&s);
	for (i = 0; i < 2; i++) {
		len = build(&s, frame);
		wlen = expect_encap(&s, frame, len, 0, c->family == 4 ? src4.a : src6.a, &fk, want);
		run_expect(frame, len, XDP_TX, want, wlen);
		s.tcp_flags = TCPF_ACK;
	}
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 1);
	assert_int_equal(dp_stat(HAULER_STAT_conn_hit), 1);
	/* No reply slot: the device answers the client directly; no dev_addrs key either. */
	assert_int_equal(dp_ct_count(), 1);
	assert_int_equal(dev_addr_id(c->family, 0, c->proto), -1);
	assert_int_equal(ct_slot_device(slot_of(&fk)), DP_DEV_ID(0));
	assert_int_equal(dp_stat(HAULER_STAT_conn_promoted), c->proto == IPPROTO_TCP);
	assert_int_equal(dp_conn_count(), 0);
}

/* A nat VIP of one device, compact table; in: a client's packet of proto, fk its flow, rk its
 * reply's. */
static void nat_flow(int family, __u8 proto, struct frame_spec *in, struct flow_key *fk,
		     struct flow_key *rk)
{
	compact_vip(family, proto, HAULER_FWD_NAT, 1);
	spec_to_vip(in, family, proto, 0);
	*fk = spec_flow(in);
	*rk = reply_of(in);
}

/* UDP: a datagram more than a touch interval after the first confirms the flow. */
static void test_udp_confirm(void **state)
{
	const struct dp_case *c = param(state);
	struct frame_spec in;
	struct flow_key fk, rk;

	nat_flow(c->family, IPPROTO_UDP, &in, &fk, &rk);
	send_nat_to(&in, 0);
	age_slot(&fk, 10000);
	send_nat_to(&in, 0);
	assert_int_equal(dp_stat(HAULER_STAT_conn_promoted), 1);
	assert_int_equal(ct_slot_flags(slot_of(&fk)), CT_F_UDP);
	assert_true(fresh(slot_of(&fk)));
	no_slot(&rk);

	/* Idle past the UDP timeout: the next datagram is decided anew. */
	age_slot(&fk, 31000);
	send_nat_to(&in, 0);
	assert_int_equal(dp_stat(HAULER_STAT_conn_closed), 1);
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 2);
	assert_int_equal(ct_slot_flags(slot_of(&fk)), CT_F_HALF | CT_F_UDP);
	assert_int_equal(dp_ct_count(), 1);
}

/* The device's reply to in (flags) without payload, padded with pad bytes: translated back. */
static void reply_bare(const struct frame_spec *in, __u8 flags, size_t pad)
{
	__u8 frame[DP_FRAME_MAX], want[DP_FRAME_MAX];
	struct frame_spec r, e;
	size_t len, wlen;

	spec_reply(&r, in, 0);
	r.tcp_flags = flags;
	r.payload_len = 0;
	spec_reply_expected(&e, &r, in);
	len = build(&r, frame);
	wlen = build(&e, want);
	assert_true(len + pad <= sizeof(frame));
	memset(frame + len, 0, pad);
	memset(want + wlen, 0, pad);
	run_expect(frame, len + pad, XDP_TX, want, wlen + pad);
}

/*
 * A TCP segment without SYN and no slot: the hash choice, no slot at all
 * (nat too: its reply is known by its device); the device's answers go
 * back as the VIP, and its data (not its bare answer) confirms the flow
 * and gives the client its slot.
 */
static void test_stateless(void **state)
{
	const struct dp_case *c = param(state);
	struct frame_spec in;
	struct flow_key fk, rk;
	__u64 s;

	compact_vip(c->family, IPPROTO_TCP, HAULER_FWD_NAT, 1);
	spec_to_vip(&in, c->family, IPPROTO_TCP, 0);
	in.tcp_flags = TCPF_ACK;
	fk = spec_flow(&in);
	rk = reply_of(&in);
	send_nat_to(&in, 0);
	assert_int_equal(dp_stat(HAULER_STAT_conn_stateless), 1);
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 0);
	assert_int_equal(dp_ct_get(&fk, &s), -1);
	no_slot(&rk);
	assert_int_equal(dp_ct_count(), 0);

	/* The device's bare answers (a forged ACK's, say) confirm nothing; its data does. */
	reply_bare(&in, TCPF_ACK, 0);
	reply_bare(&in, TCPF_ACK, 6);
	assert_int_equal(dp_stat(HAULER_STAT_conn_promoted), 0);
	assert_int_equal(dp_stat(HAULER_STAT_nat_reply), 2);
	assert_int_equal(dp_ct_count(), 0);
	send_reply(&in, TCPF_ACK);
	assert_int_equal(dp_stat(HAULER_STAT_conn_promoted), 1);
	no_slot(&rk);
	s = slot_of(&fk);
	assert_int_equal(ct_slot_flags(s), 0);
	assert_int_equal(ct_slot_device(s), DP_DEV_ID(0));
	assert_int_equal(dp_ct_count(), 1);

	/* The client's next segment is a hit on its new slot. */
	send_nat_to(&in, 0);
	assert_int_equal(dp_stat(HAULER_STAT_conn_hit), 1);
	assert_int_equal(dp_stat(HAULER_STAT_conn_stateless), 1);
}

/*
 * nat, forged handshakes (test_flood.sh's floods): a spoofed SYN, the
 * device's SYN-ACK (which went to nobody), then the spoofer's ACKs, with
 * or without data, and the device's bare answers (Ethernet padding is no
 * payload) leave the flow's slot half-open: only the device's data, which it
 * sends only on a connection whose SYN-ACK was acknowledged, confirms the
 * flow (conn.h, reply_confirms, as with conns). (A forged ACK alone:
 * test_stateless.)
 */
static void test_nat_forged_handshake(void **state)
{
	const struct dp_case *c = param(state);
	struct frame_spec in;
	struct flow_key fk, rk;

	nat_flow(c->family, IPPROTO_TCP, &in, &fk, &rk);
	in.payload_len = 0;
	send_nat_to(&in, 0);
	reply_bare(&in, TCPF_SYN | TCPF_ACK, 0);
	in.tcp_flags = TCPF_ACK;
	send_nat_to(&in, 0);
	send_nat_to(&in, 0);
	in.tcp_flags = TCPF_ACK | TCPF_PSH;
	in.payload_len = 5;
	send_nat_to(&in, 0);
	reply_bare(&in, TCPF_ACK, 0);
	reply_bare(&in, TCPF_ACK, 6);
	reply_bare(&in, TCPF_ACK | TCPF_PSH, 0);
	assert_int_equal(dp_stat(HAULER_STAT_conn_promoted), 0);
	assert_int_equal(ct_slot_flags(slot_of(&fk)), CT_F_HALF);
	no_slot(&rk);
	assert_int_equal(dp_ct_count(), 1);

	/* The device's data: it holds the connection, the flow is confirmed. */
	send_reply(&in, TCPF_ACK | TCPF_PSH);
	assert_int_equal(dp_stat(HAULER_STAT_conn_promoted), 1);
	assert_int_equal(ct_slot_flags(slot_of(&fk)), 0);
	assert_int_equal(dp_ct_count(), 1);
}

/*
 * A nat flow whose device sends no data (an upload to a silent server)
 * stays half-open (the client's segments confirm nothing) and its slot
 * ends CT_HALF_OPEN_S (60 s) after the SYN. Its next segments stay on the
 * slot's device (conn_ended_kept, as an ended established slot's), the
 * slot untouched (ended: the first an insert takes); they were decided
 * without state, which moves the connection under any policy but hash.
 * The device's data then confirms it; a SYN on an ended half-open slot
 * is decided anew.
 */
static void test_half_open_ended(void **state)
{
	const struct dp_case *c = param(state);
	struct frame_spec in;
	struct flow_key fk, rk;
	__u64 s;

	nat_flow(c->family, IPPROTO_TCP, &in, &fk, &rk);
	in.payload_len = 0;
	send_nat_to(&in, 0);
	age_slot(&fk, (CT_HALF_OPEN_S + 1) * 1000);
	s = slot_of(&fk);
	in.tcp_flags = TCPF_ACK | TCPF_PSH;
	in.payload_len = 100;
	send_nat_to(&in, 0);
	send_nat_to(&in, 0);
	assert_int_equal(dp_stat(HAULER_STAT_conn_ended_kept), 2);
	assert_int_equal(dp_stat(HAULER_STAT_conn_stateless), 0);
	assert_int_equal(dp_stat(HAULER_STAT_conn_closed), 0);
	assert_int_equal(slot_of(&fk), s);
	send_reply(&in, TCPF_ACK | TCPF_PSH);
	assert_int_equal(dp_stat(HAULER_STAT_conn_promoted), 1);
	assert_int_equal(ct_slot_flags(slot_of(&fk)), 0);
	assert_true(fresh(slot_of(&fk)));
	/* Ended again, half-open: a SYN opens a new connection. */
	dp_ct_set(&fk, s);
	in.tcp_flags = TCPF_SYN;
	in.payload_len = 0;
	send_nat_to(&in, 0);
	assert_int_equal(dp_stat(HAULER_STAT_conn_closed), 1);
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 2);
	assert_true(fresh(slot_of(&fk)));
}

/*
 * A RST from the device's address to the client that comes from the
 * clients' router (not the balancer's next hop towards the device): a
 * counted drop, the flow's slot as it was (test_nat.c: test_reply_spoofed).
 */
static void test_reply_spoofed(void **state)
{
	const struct dp_case *c = param(state);
	__u8 frame[DP_FRAME_MAX];
	struct frame_spec in, r;
	struct flow_key fk, rk;
	struct dp_out out;
	__u64 sf;

	nat_flow(c->family, c->proto, &in, &fk, &rk);
	send_nat_to(&in, 0);
	sf = slot_of(&fk);
	spec_reply(&r, &in, 0);
	r.tcp_flags = TCPF_RST;
	memcpy(r.smac, dp_gw_mac, 6);
	assert_int_equal(dp_run(frame, build(&r, frame), &out), 0);
	assert_int_equal(out.verdict, XDP_DROP);
	assert_int_equal(dp_stat(HAULER_STAT_nat_reply_spoofed), 1);
	assert_int_equal(dp_stat(HAULER_STAT_nat_reply), 0);
	assert_true(slot_of(&fk) == sf);
	no_slot(&rk);
	assert_int_equal(dp_ct_count(), 1);
}

/*
 * ipip over the confirmation budget (spent here): the handshake ACK leaves
 * the slot half-open (conn_confirm_limited); once the budget allows, the
 * next ACK confirms it (test_flood.c: test_ipip_confirm_budget).
 */
static void test_ipip_confirm_budget(void **state)
{
	const struct dp_case *c = param(state);
	struct frame_spec in;
	struct flow_key fk;

	compact_vip(c->family, IPPROTO_TCP, HAULER_FWD_IPIP, 1);
	spec_to_vip(&in, c->family, IPPROTO_TCP, 0);
	fk = spec_flow(&in);
	dp_confirm_budget_spent(1);
	dp_run_ok(&in, XDP_TX);
	in.tcp_flags = TCPF_ACK;
	dp_run_ok(&in, XDP_TX);
	assert_int_equal(dp_stat(HAULER_STAT_conn_confirm_limited), 1);
	assert_int_equal(dp_stat(HAULER_STAT_conn_promoted), 0);
	assert_int_equal(ct_slot_flags(slot_of(&fk)), CT_F_HALF);
	dp_confirm_budget_spent(0);
	dp_run_ok(&in, XDP_TX);
	assert_int_equal(dp_stat(HAULER_STAT_conn_promoted), 1);
	assert_int_equal(ct_slot_flags(slot_of(&fk)), 0);
}

/* A RST on a half-open flow (the client's or the device's) removes its slot at once. */
static void test_rst_half_open(void **state)
{
	const struct dp_case *c = param(state);
	struct frame_spec in;
	int from_device;

	compact_vip(c->family, IPPROTO_TCP, HAULER_FWD_NAT, 1);
	for (from_device = 0; from_device < 2; from_device++) {
		spec_to_vip(&in, c->family, IPPROTO_TCP, 0);
		in.sport += from_device;
		send_nat_to(&in, 0);
		assert_int_equal(dp_ct_count(), 1);
		if (from_device) {
			send_reply(&in, TCPF_RST);
		} else {
			in.tcp_flags = TCPF_RST;
			send_nat_to(&in, 0);
		}
		assert_int_equal(dp_ct_count(), 0);
		assert_int_equal(dp_stat(HAULER_STAT_conn_closed), from_device + 1);
	}
}

/*
 * An established flow's RST lingers; past it a segment without SYN keeps
 * its device (conn_ended_kept), a SYN is a new connection.
 */
static void test_rst_linger(void **state)
{
	const struct dp_case *c = param(state);
	struct frame_spec in;
	struct flow_key fk, rk;

	compact_vip(c->family, IPPROTO_TCP, HAULER_FWD_NAT, 1);
	spec_to_vip(&in, c->family, IPPROTO_TCP, 0);
	fk = spec_flow(&in);
	rk = reply_of(&in);
	send_nat_to(&in, 0);
	send_reply(&in, TCPF_ACK); /* the device's data confirms the flow */
	in.tcp_flags = TCPF_RST;
	send_nat_to(&in, 0);
	assert_int_equal(ct_slot_flags(slot_of(&fk)), CT_F_RST);
	/* The device's crossing RST still finds the flow's slot. */
	send_reply(&in, TCPF_RST);
	assert_int_equal(dp_stat(HAULER_STAT_nat_reply), 2);
	assert_int_equal(ct_slot_flags(slot_of(&fk)), CT_F_RST);
	no_slot(&rk);

	age_slot(&fk, 1500);
	in.tcp_flags = TCPF_ACK;
	send_nat_to(&in, 0);
	assert_int_equal(dp_stat(HAULER_STAT_conn_ended_kept), 1);
	assert_int_equal(dp_stat(HAULER_STAT_conn_closed), 0);

	age_slot(&fk, 1500);
	in.tcp_flags = TCPF_SYN;
	send_nat_to(&in, 0);
	assert_int_equal(dp_stat(HAULER_STAT_conn_closed), 1);
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 2);
	assert_int_equal(ct_slot_flags(slot_of(&fk)), CT_F_HALF);
	no_slot(&rk);
	assert_int_equal(dp_ct_count(), 1);
}

/*
 * The flow's device gone (its id given to a new device): a TCP segment
 * is answered with a RST from the VIP and the slot goes; UDP is decided
 * anew on the new device; the gone device's reply is refused.
 */
static void test_device_gone(void **state)
{
	const struct dp_case *c = param(state);
	struct frame_spec in;
	struct flow_key fk;
	__u64 s;

	compact_vip(c->family, c->proto, HAULER_FWD_NAT, 1);
	spec_to_vip(&in, c->family, c->proto, 0);
	fk = spec_flow(&in);
	send_nat_to(&in, 0);
	in.tcp_flags = TCPF_ACK;
	send_nat_to(&in, 0);
	dp_del_device(DP_DEV_ID(0));
	dp_add_device(DP_DEV_ID(0), c->family, 0, DP_SERVER, 0, HAULER_STATE_UP);
	if (c->proto == IPPROTO_TCP) {
		expect_reset(&in);
		assert_int_equal(dp_stat(HAULER_STAT_reset_sent), 1);
		assert_int_equal(dp_ct_get(&fk, &s), -1);
	} else {
		send_nat_to(&in, 0);
		assert_int_equal(dp_stat(HAULER_STAT_conn_new), 2);
		s = slot_of(&fk);
		{
			struct device_info d;
			__u32 key = DP_DEV_ID(0);

			assert_int_equal(bpf_map_lookup_elem(dp_map("devices"), &key, &d), 0);
			assert_true(ct_slot_gen_is(s, d.gen));
		}
	}
	assert_int_equal(dp_stat(HAULER_STAT_conn_device_gone), 1);
	assert_int_equal(dp_stat(HAULER_STAT_conn_closed), 1);
}

/* A slot of flow k's digest with these fields, in bucket which at i. */
static void put_slot(const struct flow_key *k, int which, int i, __u32 digest, __u16 dev,
		     __u32 flags, __u32 tick)
{
	struct device_info d;
	__u32 key = dev;

	assert_int_equal(bpf_map_lookup_elem(dp_map("devices"), &key, &d), 0);
	dp_ct_put_at(k, which, i, ct_slot_make(digest, dev, d.gen, flags, tick));
}

/*
 * Both buckets of a new flow full of live established flows: no room
 * (ct_crowded), so the SYN is decided without state by the hash choice
 * (conn_crowded and conn_stateless; the policy slot is not asked:
 * policy_fallback stays 0) and nothing is pushed out. Half-open slots
 * older than CT_HALF_PROTECT_MS are pushed out instead, the oldest of
 * the pair first (here in the second bucket), and the flow goes through
 * the policy slot as any new one.
 */
static void test_full_buckets(void **state)
{
	const struct dp_case *c = param(state);
	__u32 tick = now_tick(), old = ct_ticks_of_ms(CT_HALF_PROTECT_MS) + 20;
	struct frame_spec in;
	struct ct_place p;
	struct flow_key fk;
	__u64 s;
	int i, w;

	compact_vip(c->family, c->proto, HAULER_FWD_IPIP, 1);
	spec_to_vip(&in, c->family, c->proto, 0);
	fk = spec_flow(&in);
	dp_ct_place(&fk, &p);
	assert_int_not_equal(p.bucket[0], p.bucket[1]);
	for (w = 0; w < 2; w++)
		for (i = 0; i < HAULER_CT_SLOTS; i++)
			put_slot(&fk, w, i, (p.digest + 1 + w * 8 + i) & 0x3fffff ?: 1,
				 DP_DEV_ID(0), ct_proto_flags_test(c->proto), tick);
	dp_run_ok(&in, XDP_TX);
	assert_int_equal(dp_stat(HAULER_STAT_conn_crowded), 1);
	assert_int_equal(dp_stat(HAULER_STAT_conn_stateless), 1);
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 0);
	assert_int_equal(dp_stat(HAULER_STAT_conn_table_full), 0);
	assert_int_equal(dp_stat(HAULER_STAT_policy_fallback), 0);
	assert_int_equal(dp_ct_get(&fk, &s), -1);
	assert_int_equal(dp_ct_count(), 16);

	/* Old half-open neighbours: the oldest of the pair goes (b1[5]). */
	for (w = 0; w < 2; w++)
		for (i = 0; i < HAULER_CT_SLOTS; i++)
			put_slot(&fk, w, i, (p.digest + 1 + w * 8 + i) & 0x3fffff ?: 1,
				 DP_DEV_ID(0), CT_F_HALF | ct_proto_flags_test(c->proto),
				 tick - old - (w == 1 && i == 5 ? 20 : 1));
	dp_run_ok(&in, XDP_TX);
	assert_int_equal(dp_stat(HAULER_STAT_conn_crowded), 1);
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 1);
	assert_int_equal(dp_stat(HAULER_STAT_policy_fallback), 1);
	s = slot_of(&fk);
	assert_int_equal(ct_slot_flags(s) & CT_F_HALF, CT_F_HALF);
	{
		struct ct_bucket b;

		assert_int_equal(bpf_map_lookup_elem(dp_map("ctable"), &p.bucket[1], &b), 0);
		assert_int_equal(ct_slot_digest(b.slot[5]), p.digest);
	}
	assert_int_equal(dp_ct_count(), 16);
	/* Only half-open flows were pushed out: no open connection evicted. */
	assert_int_equal(dp_stat(HAULER_STAT_conn_evicted), 0);
}

/* Bucket which of flow k's place p. */
static struct ct_bucket bucket_of(const struct ct_place *p, int which)
{
	struct ct_bucket b;

	assert_int_equal(bpf_map_lookup_elem(dp_map("ctable"), &p->bucket[which], &b), 0);
	return b;
}

/*
 * A new flow whose first bucket is full of live established flows goes
 * to its second, the first's hint set first (CT_SPILLED); its next
 * packets find it there through the hint, also once the first bucket's
 * flows are gone (their slots cleared, the hint kept). Without the hint
 * the program does not read the second bucket: the flow is new again.
 */
static void test_spilled_flow(void **state)
{
	const struct dp_case *c = param(state);
	struct frame_spec in;
	struct ct_place p;
	struct flow_key fk;
	struct ct_bucket b;
	int i;

	compact_vip(c->family, c->proto, HAULER_FWD_NAT, 1);
	spec_to_vip(&in, c->family, c->proto, 0);
	fk = spec_flow(&in);
	dp_ct_place(&fk, &p);
	assert_int_not_equal(p.bucket[0], p.bucket[1]);
	for (i = 0; i < HAULER_CT_SLOTS; i++)
		put_slot(&fk, 0, i, (p.digest + 1 + i) & 0x3fffff ?: 1, DP_DEV_ID(0),
			 ct_proto_flags_test(c->proto), now_tick());
	send_nat_to(&in, 0);
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 1);
	b = bucket_of(&p, 0);
	assert_true(b.slot[0] & CT_SPILLED);
	assert_int_equal(ct_slot_digest(b.slot[0]), (p.digest + 1) & 0x3fffff ?: 1);
	b = bucket_of(&p, 1);
	assert_int_equal(ct_slot_digest(b.slot[0]), p.digest);

	in.tcp_flags = TCPF_ACK;
	send_nat_to(&in, 0);
	assert_int_equal(dp_stat(HAULER_STAT_conn_hit), 1);
	/* The first bucket's flows gone: the hint alone stays in slot 0. */
	for (i = 0; i < HAULER_CT_SLOTS; i++)
		dp_ct_put_at(&fk, 0, i, i ? 0 : CT_SPILLED);
	send_nat_to(&in, 0);
	assert_int_equal(dp_stat(HAULER_STAT_conn_hit), 2);
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 1);
	assert_int_equal(dp_ct_count(), 1);
	/* No hint: b1 is not read, the flow is taken as new (into b0). */
	dp_ct_put_at(&fk, 0, 0, 0);
	send_nat_to(&in, 0);
	assert_int_equal(dp_stat(HAULER_STAT_conn_hit), 2);
	assert_int_equal(dp_stat(HAULER_STAT_conn_new) + dp_stat(HAULER_STAT_conn_stateless), 2);
}

/* The destination address of a forwarded frame (nat: the device's). */
static void out_dst(const struct dp_out *o, int family, __u8 *dst)
{
	size_t off = 14 + (family == 4 ? 16 : 24), len = family == 4 ? 4 : 16;

	assert_true(o->len >= off + len);
	memcpy(dst, o->data + off, len);
}

/*
 * A SYN flood that fills a new flow's buckets with handshakes younger
 * than CT_HALF_PROTECT_MS (tests/system/test_flood_compact.sh at table
 * scale): the real client's SYN takes none of their slots and is decided
 * by the hash choice without state (conn_crowded), and its next packet
 * (the handshake ACK; for UDP the next datagram), without state too,
 * goes to the same device of four. The junk is left as it was. Once the
 * junk is older than that, a new flow takes the oldest slot again.
 */
static void test_crowded_half_open(void **state)
{
	const struct dp_case *c = param(state);
	__u32 tick = now_tick(), pf = ct_proto_flags_test(c->proto);
	__u8 frame[DP_FRAME_MAX], d1[16], d2[16];
	struct ct_bucket before[2], after;
	struct dp_out out;
	struct frame_spec in;
	struct ct_place p;
	struct flow_key fk;
	size_t len;
	int i, w, crowded;

	compact_vip(c->family, c->proto, HAULER_FWD_NAT, 4);
	spec_to_vip(&in, c->family, c->proto, 0);
	fk = spec_flow(&in);
	dp_ct_place(&fk, &p);
	assert_int_not_equal(p.bucket[0], p.bucket[1]);
	for (w = 0; w < 2; w++) {
		for (i = 0; i < HAULER_CT_SLOTS; i++)
			put_slot(&fk, w, i, (p.digest + 1 + w * 8 + i) & 0x3fffff ?: 1,
				 DP_DEV_ID(i % 4), CT_F_HALF | pf, tick - 1 - i);
		assert_int_equal(bpf_map_lookup_elem(dp_map("ctable"), &p.bucket[w], &before[w]),
				 0);
	}
	len = build(&in, frame);
	assert_int_equal(dp_run(frame, len, &out), 0);
	assert_int_equal(out.verdict, XDP_TX);
	out_dst(&out, c->family, d1);
	assert_int_equal(dp_stat(HAULER_STAT_conn_crowded), 1);
	assert_int_equal(dp_stat(HAULER_STAT_conn_stateless), 1);
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 0);
	assert_int_equal(dp_stat(HAULER_STAT_policy_fallback), 0);
	no_slot(&fk);
	for (w = 0; w < 2; w++) {
		assert_int_equal(bpf_map_lookup_elem(dp_map("ctable"), &p.bucket[w], &after), 0);
		assert_memory_equal(&after, &before[w], sizeof(after));
	}

	/* The flow's next packet, without state: the same device. */
	if (c->proto == IPPROTO_TCP)
		in.tcp_flags = TCPF_ACK;
	len = build(&in, frame);
	assert_int_equal(dp_run(frame, len, &out), 0);
	assert_int_equal(out.verdict, XDP_TX);
	out_dst(&out, c->family, d2);
	assert_memory_equal(d1, d2, c->family == 4 ? 4 : 16);
	assert_int_equal(dp_stat(HAULER_STAT_conn_stateless), 2);
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 0);
	/* A datagram with no slot is a new flow again, and still finds no room. */
	crowded = c->proto == IPPROTO_TCP ? 1 : 2;
	assert_int_equal(dp_stat(HAULER_STAT_conn_crowded), crowded);

	/* The same junk past the protection: the new flow takes the oldest slot. */
	for (w = 0; w < 2; w++)
		for (i = 0; i < HAULER_CT_SLOTS; i++)
			put_slot(&fk, w, i, (p.digest + 1 + w * 8 + i) & 0x3fffff ?: 1,
				 DP_DEV_ID(i % 4), CT_F_HALF | pf,
				 tick - ct_ticks_of_ms(CT_HALF_PROTECT_MS) - 1 - i);
	spec_to_vip(&in, c->family, c->proto, 0);
	dp_run_ok(&in, XDP_TX);
	assert_int_equal(dp_stat(HAULER_STAT_conn_crowded), crowded);
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 1);
	assert_int_equal(ct_slot_flags(slot_of(&fk)) & CT_F_HALF, CT_F_HALF);
	assert_int_equal(dp_stat(HAULER_STAT_conn_evicted), 0);
}

/*
 * Both buckets of a new flow full of live established flows but one
 * slot, b0[2], whose flow has ended, with flags: the new flow takes that
 * slot (no refusal).
 */
static void fill_but_one(const struct flow_key *fk, const struct ct_place *p, __u8 proto,
			 __u32 flags, __u32 tick)
{
	int i, w;

	for (w = 0; w < 2; w++)
		for (i = 0; i < HAULER_CT_SLOTS; i++)
			put_slot(fk, w, i, (p->digest + 1 + w * 8 + i) & 0x3fffff ?: 1,
				 DP_DEV_ID(0),
				 w == 0 && i == 2 ? flags : ct_proto_flags_test(proto),
				 w == 0 && i == 2 ? tick - 30000 : tick);
}

/* The flow's slot is b0[2], and nothing was refused. */
static void took_slot_2(const struct flow_key *fk, const struct ct_place *p)
{
	struct ct_bucket b;

	assert_int_equal(bpf_map_lookup_elem(dp_map("ctable"), &p->bucket[0], &b), 0);
	assert_int_equal(ct_slot_digest(b.slot[2]), p->digest);
	assert_int_equal(ct_slot_flags(slot_of(fk)) & CT_F_HALF, CT_F_HALF);
	assert_int_equal(dp_stat(HAULER_STAT_conn_table_full), 0);
}

/*
 * conn_evicted: a new flow that can take only the slot of an established
 * TCP flow idle past CT_TCP_IDLE_S (30000 ticks, 33 min) evicts an open
 * connection, counted once. The same slot holding a flow that ended by
 * its own rule (a FIN, a RST, a UDP flow past its timeout) or a
 * half-open one is no open connection: not counted.
 */
static void test_evict_open(void **state)
{
	const struct dp_case *c = param(state);
	__u32 tick = now_tick(), pf = ct_proto_flags_test(c->proto);
	struct frame_spec in;
	struct ct_place p;
	struct flow_key fk;

	compact_vip(c->family, c->proto, HAULER_FWD_IPIP, 1);
	spec_to_vip(&in, c->family, c->proto, 0);
	fk = spec_flow(&in);
	dp_ct_place(&fk, &p);
	assert_int_not_equal(p.bucket[0], p.bucket[1]);
	assert_true(30000 > ct_ticks_of_ms(CT_TCP_IDLE_S * 1000ULL));

	/* An established flow idle 33 min: TCP, an open connection; UDP, ended. */
	fill_but_one(&fk, &p, c->proto, pf, tick);
	dp_run_ok(&in, XDP_TX);
	took_slot_2(&fk, &p);
	assert_int_equal(dp_stat(HAULER_STAT_conn_evicted), c->proto == IPPROTO_TCP ? 1 : 0);
	dp_stats_zero();

	/* Closed, half-open: the flows the table may push out without a count. */
	fill_but_one(&fk, &p, c->proto, pf | CT_F_FIN, tick);
	dp_run_ok(&in, XDP_TX);
	took_slot_2(&fk, &p);
	fill_but_one(&fk, &p, c->proto, pf | CT_F_RST, tick);
	dp_run_ok(&in, XDP_TX);
	took_slot_2(&fk, &p);
	fill_but_one(&fk, &p, c->proto, pf | CT_F_HALF, tick);
	dp_run_ok(&in, XDP_TX);
	took_slot_2(&fk, &p);
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 3);
	assert_int_equal(dp_stat(HAULER_STAT_conn_evicted), 0);
}

/*
 * The other insert: a nat flow without a slot whose device's data gives
 * it one (ct_nat_return), its buckets full but for the slot of an
 * established TCP flow idle past CT_TCP_IDLE_S: counted as conn_evicted
 * there too.
 */
static void test_evict_open_reply(void **state)
{
	const struct dp_case *c = param(state);
	struct frame_spec in;
	struct ct_place p;
	struct flow_key fk;

	compact_vip(c->family, IPPROTO_TCP, HAULER_FWD_NAT, 1);
	spec_to_vip(&in, c->family, IPPROTO_TCP, 0);
	fk = spec_flow(&in);
	dp_ct_place(&fk, &p);
	assert_int_not_equal(p.bucket[0], p.bucket[1]);
	fill_but_one(&fk, &p, IPPROTO_TCP, 0, now_tick());
	send_reply(&in, TCPF_ACK);
	assert_int_equal(dp_stat(HAULER_STAT_conn_promoted), 1);
	assert_int_equal(dp_stat(HAULER_STAT_conn_evicted), 1);
	{
		struct ct_bucket b;

		assert_int_equal(bpf_map_lookup_elem(dp_map("ctable"), &p.bucket[0], &b), 0);
		assert_int_equal(ct_slot_digest(b.slot[2]), p.digest);
		assert_int_equal(ct_slot_flags(b.slot[2]), 0);
	}
}

/*
 * A slot under the flow's digest bound to another VIP's device (a false
 * match the slot can tell): looked past; the flow gets its own slot and
 * keeps finding it.
 */
static void test_false_match(void **state)
{
	const struct dp_case *c = param(state);
	const __u16 other_dev = DP_DEV_ID(5);
	struct frame_spec in;
	struct ct_place p;
	struct flow_key fk;
	__u64 s;

	compact_vip(c->family, c->proto, HAULER_FWD_NAT, 1);
	dp_add_server(DP_SERVER + 1, DP_VIP_ID + 1, &other_dev, 1);
	dp_add_device(other_dev, c->family, 5, DP_SERVER + 1, 0, HAULER_STATE_UP);
	spec_to_vip(&in, c->family, c->proto, 0);
	fk = spec_flow(&in);
	dp_ct_place(&fk, &p);
	put_slot(&fk, 0, 0, p.digest, other_dev, ct_proto_flags_test(c->proto), now_tick());
	send_nat_to(&in, 0);
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 1);
	assert_int_equal(dp_stat(HAULER_STAT_conn_hit), 0);
	in.tcp_flags = TCPF_ACK;
	send_nat_to(&in, 0);
	assert_int_equal(dp_stat(HAULER_STAT_conn_hit), 1);
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 1);
	/* The other VIP's slot is untouched. */
	assert_int_equal(dp_ct_get(&fk, &s), 0);
	assert_int_equal(ct_slot_device(s), other_dev);
	assert_int_equal(dp_ct_count(), 2);
}

/*
 * The compact table's copy of test_conn's: a SYN on the ports of an ended
 * flow (its FIN seen) whose device failed its health check is decided
 * anew, to the other device.
 */
static void test_syn_leaves_failed_device(void **state)
{
	const struct dp_case *c = param(state);
	struct frame_spec in;
	struct flow_key fk;

	compact_vip(c->family, IPPROTO_TCP, HAULER_FWD_NAT, 2);
	spec_to_vip(&in, c->family, IPPROTO_TCP, 0);
	fk = spec_flow(&in);
	dp_set_device_health(DP_DEV_ID(1), HAULER_HEALTH_FAILED); /* the flow on device 0 */
	send_nat_to(&in, 0);
	in.tcp_flags = TCPF_ACK;
	send_nat_to(&in, 0);
	send_reply(&in, TCPF_ACK);
	dp_set_device_health(DP_DEV_ID(1), 0);
	in.tcp_flags = TCPF_FIN | TCPF_ACK;
	send_nat_to(&in, 0);
	assert_int_equal(ct_slot_flags(slot_of(&fk)), CT_F_FIN);
	in.tcp_flags = TCPF_SYN;
	send_nat_to(&in, 0); /* usable: the old flow's device */
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 1);

	dp_set_device_health(DP_DEV_ID(0), HAULER_HEALTH_FAILED);
	send_nat_to(&in, 1);
	assert_int_equal(dp_stat(HAULER_STAT_conn_closed), 1);
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 2);
	assert_int_equal(ct_slot_flags(slot_of(&fk)), CT_F_HALF);
}

/*
 * Open the nat flow of in on device 0 to an established slot (TCP: SYN,
 * ACK, the device's data; UDP: a later datagram). TCP counts one
 * nat_reply.
 */
static void open_established(struct frame_spec *in)
{
	struct flow_key fk = spec_flow(in);

	send_nat_to(in, 0);
	if (in->proto == IPPROTO_UDP)
		age_slot(&fk, 10000);
	in->tcp_flags = TCPF_ACK;
	send_nat_to(in, 0);
	if (in->proto == IPPROTO_TCP)
		send_reply(in, TCPF_ACK);
	assert_int_equal(ct_slot_flags(slot_of(&fk)), ct_proto_flags_test(in->proto));
}

/* A nat VIP of two devices, the flow of *in open and established on device 0: its key. */
static struct flow_key open_on_first_of_two(const struct dp_case *c, struct frame_spec *in)
{
	compact_vip(c->family, c->proto, HAULER_FWD_NAT, 2);
	spec_to_vip(in, c->family, c->proto, 0);
	dp_set_device_health(DP_DEV_ID(1), HAULER_HEALTH_FAILED); /* the flow on device 0 */
	open_established(in);
	dp_set_device_health(DP_DEV_ID(1), 0);
	return spec_flow(in);
}

/*
 * The health daemon's on-down reset on the compact table
 * (ct_map_reset_device, user/ctable_map.c): the failed device's slot is
 * cleared, and only once; the device's next reply gets no slot back (a
 * failed device's: a TCP segment is answered with a RST so that the
 * device closes too, a datagram is dropped; neither reaches the client,
 * conn_reset_reply, as the LRU path's CONN_RESET mark); the client's next
 * packet is decided anew, to the other device.
 */
static void test_health_reset(void **state)
{
	const struct dp_case *c = param(state);
	__u8 frame[DP_FRAME_MAX];
	struct device_info di;
	struct frame_spec in, r;
	struct flow_key fk;
	struct dp_out out;
	__u32 id = DP_DEV_ID(0);
	__u64 replies;

	fk = open_on_first_of_two(c, &in);
	dp_set_device_health(id, HAULER_HEALTH_FAILED);
	assert_int_equal(bpf_map_lookup_elem(dp_map("devices"), &id, &di), 0);
	/* Another generation of the id is not this device: its slot stays. */
	assert_int_equal(
	    ct_map_reset_device(dp_map("ctable"), dp_map_size("ctable"), id, di.gen + 1), 0);
	assert_int_equal(dp_ct_count(), 1);
	assert_int_equal(ct_map_reset_device(dp_map("ctable"), dp_map_size("ctable"), id, di.gen),
			 1);
	assert_int_equal(dp_ct_count(), 0);
	assert_int_equal(ct_map_reset_device(dp_map("ctable"), dp_map_size("ctable"), id, di.gen),
			 0);

	replies = dp_stat(HAULER_STAT_nat_reply);
	spec_reply(&r, &in, 0);
	r.tcp_flags = TCPF_ACK; /* the device's data: it would give a healthy device a slot */
	if (c->proto == IPPROTO_TCP) {
		expect_reset(&r);
	} else {
		assert_int_equal(dp_run(frame, build(&r, frame), &out), 0);
		assert_int_equal(out.verdict, XDP_DROP);
	}
	assert_int_equal(dp_stat(HAULER_STAT_conn_reset_reply), 1);
	assert_int_equal(dp_stat(HAULER_STAT_nat_reply), replies);
	assert_int_equal(dp_ct_count(), 0);

	in.tcp_flags = TCPF_ACK;
	send_nat_to(&in, 1);
	if (c->proto == IPPROTO_TCP)
		assert_int_equal(dp_stat(HAULER_STAT_conn_stateless), 1);
	else
		assert_int_equal(ct_slot_device(slot_of(&fk)), DP_DEV_ID(1));
}

/*
 * The fast path (ct_fast): an established slot whose device's entry
 * records its VIP (device_info.fwd, vip_id, vip, as the manager's commit
 * writes them) is forwarded without looking up vips, servers or
 * vip_index. The device's reply, under its own established reply slot,
 * is no client's packet: still translated back, from the device's entry
 * alone. A device entry without them (fwd 0: the manager writes that for
 * a device whose server or VIP is not in use) serves no VIP: its slots
 * are no flow's and its replies are not translated.
 */
static void test_fast_path(void **state)
{
	const struct dp_case *c = param(state);
	__u16 port = dp_vip_port(c->proto);
	struct server_info srv, none = {};
	__u32 key = DP_SERVER, id = DP_DEV_ID(0);
	struct device_info d;
	struct frame_spec in, r;

	compact_vip(c->family, c->proto, HAULER_FWD_NAT, 1);
	assert_int_equal(bpf_map_lookup_elem(dp_map("devices"), &id, &d), 0);
	assert_int_equal(d.fwd, HAULER_FWD_NAT + 1);
	assert_int_equal(d.vip_id, DP_VIP_ID);
	spec_to_vip(&in, c->family, c->proto, 0);
	open_established(&in);

	/*
	 * No vips entry, no server entry (states only this test makes): the
	 * flow goes all the same, and so does its device's reply.
	 */
	assert_int_equal(bpf_map_lookup_elem(dp_map("servers"), &key, &srv), 0);
	assert_int_equal(bpf_map_update_elem(dp_map("servers"), &key, &none, BPF_ANY), 0);
	dp_del_vip(c->family, c->proto, port);
	send_nat_to(&in, 0);
	assert_int_equal(dp_stat(HAULER_STAT_conn_hit), 2);
	send_reply(&in, TCPF_ACK);
	assert_int_equal(dp_stat(HAULER_STAT_nat_reply), c->proto == IPPROTO_TCP ? 2 : 1);
	assert_int_equal(bpf_map_update_elem(dp_map("servers"), &key, &srv, BPF_ANY), 0);

	/* A device entry without its VIP (fwd 0): the VIP gone too, passed. */
	hauler_device_vip_set(&d, NULL, 0, 0);
	assert_int_equal(bpf_map_update_elem(dp_map("devices"), &id, &d, BPF_ANY), 0);
	dp_run_ok(&in, XDP_PASS);
	assert_int_equal(dp_stat(HAULER_STAT_pass_not_vip), 1);
	/* The VIP back: the slot is not the flow's (its device serves no VIP), decided anew. */
	dp_add_vip(c->family, c->proto, port, DP_VIP_ID, HAULER_FWD_NAT, DP_SLOT, DP_TABLE);
	send_nat_to(&in, 0);
	assert_int_equal(dp_stat(HAULER_STAT_conn_hit), 2);
	assert_int_equal(
	    dp_stat(c->proto == IPPROTO_TCP ? HAULER_STAT_conn_stateless : HAULER_STAT_conn_new),
	    c->proto == IPPROTO_TCP ? 1 : 2);
	/* Its reply is no VIP's: passed untranslated. */
	spec_reply(&r, &in, 0);
	r.tcp_flags = TCPF_ACK;
	dp_run_ok(&r, XDP_PASS);
	assert_int_equal(dp_stat(HAULER_STAT_nat_reply), c->proto == IPPROTO_TCP ? 2 : 1);
	/* The fields written again (the manager's commit): the flow's slot and reply again. */
	dp_device_vip_sync(id);
	send_nat_to(&in, 0);
	assert_int_equal(dp_stat(HAULER_STAT_conn_hit), 3);
	send_reply(&in, TCPF_ACK);
	assert_int_equal(dp_stat(HAULER_STAT_nat_reply), c->proto == IPPROTO_TCP ? 3 : 2);
}

/*
 * Issue 12: a slot never follows its device id into another VIP, even
 * where its 6 generation bits cannot tell (the id given 64 times over;
 * made here at once by moving the device to another VIP's server with
 * its generation): the packet is not for that VIP, so the fast path
 * refuses it, and the full path looks past the slot (another VIP's
 * device) and decides the flow on its own VIP's device.
 */
static void test_fast_other_vip(void **state)
{
	const struct dp_case *c = param(state);
	const __u16 dev0 = DP_DEV_ID(0), dev1 = DP_DEV_ID(1);
	struct frame_spec in;
	struct device_info d;
	__u32 key = dev0;

	compact_vip(c->family, c->proto, HAULER_FWD_NAT, 1);
	spec_to_vip(&in, c->family, c->proto, 0);
	open_established(&in);

	dp_add_vip(c->family, c->proto, dp_vip_port(c->proto) + 1, DP_VIP_ID + 1, HAULER_FWD_NAT,
		   DP_SLOT + 1, DP_TABLE);
	dp_add_server(DP_SERVER + 1, DP_VIP_ID + 1, &dev0, 1);
	assert_int_equal(bpf_map_lookup_elem(dp_map("devices"), &key, &d), 0);
	d.server = DP_SERVER + 1;
	assert_int_equal(bpf_map_update_elem(dp_map("devices"), &key, &d, BPF_ANY), 0);
	dp_device_vip_sync(dev0); /* its VIP's fields, as the manager's commit writes them */
	assert_int_equal(bpf_map_lookup_elem(dp_map("devices"), &key, &d), 0);
	assert_int_equal(d.vip_id, DP_VIP_ID + 1);
	dp_add_device(dev1, c->family, 1, DP_SERVER, 0, HAULER_STATE_UP);
	dp_add_server(DP_SERVER, DP_VIP_ID, &dev1, 1);

	send_nat_to(&in, 1);
	assert_int_equal(dp_stat(HAULER_STAT_conn_hit), 1);
	/* TCP: no state for a segment without SYN; UDP: its new slot. */
	if (c->proto == IPPROTO_TCP)
		assert_int_equal(dp_stat(HAULER_STAT_conn_stateless), 1);
	else
		assert_int_equal(dp_stat(HAULER_STAT_conn_new), 2);
	/* The old slot stays (the other VIP's device's now), untouched. */
	assert_int_equal(dp_ct_count(), c->proto == IPPROTO_TCP ? 1 : 2);
}

/*
 * An established slot that this packet leaves as it is goes from the
 * entry program itself (ct_hit_fast: no tail call into hauler_ct), a
 * client's packet and its device's reply alike; a packet that writes to
 * its slot (a FIN; the slot's time a touch interval old) goes through
 * hauler_ct. Shown with hauler_ct's ct_prog slot emptied: the ones are
 * forwarded, the others are counted drops.
 */
static void test_fast_in_entry(void **state)
{
	const struct dp_case *c = param(state);
	__u32 key = 0; /* HAULER_CT_PATH (bpf/ct_prog.h) */
	struct frame_spec in, r;
	struct flow_key fk;
	__u64 drops = 0, s;
	int fd;

	compact_vip(c->family, c->proto, HAULER_FWD_NAT, 1);
	spec_to_vip(&in, c->family, c->proto, 0);
	open_established(&in);
	fk = spec_flow(&in);
	assert_int_equal(bpf_map_delete_elem(dp_map("ct_prog"), &key), 0);
	dp_stats_zero();
	send_nat_to(&in, 0);
	assert_int_equal(dp_stat(HAULER_STAT_conn_hit), 1);
	send_reply(&in, TCPF_ACK);
	assert_int_equal(dp_stat(HAULER_STAT_nat_reply), 1);
	/* A reply believed only from its device's next hop, here as in hauler_ct. */
	spec_reply(&r, &in, 0);
	r.tcp_flags = TCPF_ACK;
	memcpy(r.smac, dp_gw_mac, 6);
	dp_run_ok(&r, XDP_DROP);
	assert_int_equal(dp_stat(HAULER_STAT_nat_reply_spoofed), 1);
	assert_int_equal(dp_stat(HAULER_STAT_nat_reply), 1);
	assert_int_equal(dp_stat(HAULER_STAT_drop_ct_prog), drops);
	if (c->proto == IPPROTO_TCP) {
		/* The device's FIN marks its slot: hauler_ct's. */
		spec_reply(&r, &in, 0);
		r.tcp_flags = TCPF_ACK | TCPF_FIN;
		dp_run_ok(&r, XDP_DROP);
		assert_int_equal(dp_stat(HAULER_STAT_drop_ct_prog), ++drops);
	}

	s = slot_of(&fk);
	age_slot(&fk, 1500);
	dp_run_ok(&in, XDP_DROP);
	assert_int_equal(dp_stat(HAULER_STAT_drop_ct_prog), ++drops);
	if (c->proto == IPPROTO_TCP) {
		dp_ct_set(&fk, s);
		in.tcp_flags = TCPF_ACK | TCPF_FIN;
		dp_run_ok(&in, XDP_DROP);
		assert_int_equal(dp_stat(HAULER_STAT_drop_ct_prog), ++drops);
		assert_int_equal(slot_of(&fk), s);
	}
	fd = dp_ct_fd();
	assert_int_equal(bpf_map_update_elem(dp_map("ct_prog"), &key, &fd, BPF_ANY), 0);
	/* hauler_ct back: the FIN marks the slot, the old one is restamped. */
	send_nat_to(&in, 0);
	assert_int_equal(dp_stat(HAULER_STAT_conn_hit), 2);
	assert_true(fresh(slot_of(&fk)));
	if (c->proto == IPPROTO_TCP)
		assert_int_equal(ct_slot_flags(slot_of(&fk)), CT_F_FIN);
}

/* Run hauler_ct itself on s, as an entry program of another object reaches it; expect want. */
static void ct_run_expect(const struct frame_spec *s, int verdict, const struct frame_spec *want)
{
	__u8 frame[DP_FRAME_MAX], exp[DP_FRAME_MAX];
	size_t len = build(s, frame), wlen = build(want, exp);
	struct dp_out out = {};
	struct xdp_md ctx = {.data_end = len, .ingress_ifindex = dp_ifindex};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = len,
		    .data_out = out.data, .data_size_out = sizeof(out.data), .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = 1);

	assert_int_equal(bpf_prog_test_run_opts(dp_ct_fd(), &opts), 0);
	out.verdict = opts.retval;
	out.len = opts.data_size_out;
	assert_int_equal(out.verdict, verdict);
	assert_frame_equal(exp, wlen, &out);
}

/* The byte offset of member name in struct sname of the entry object (its BTF). */
static __u32 member_off(const char *sname, const char *name)
{
	const struct btf *btf = dp_entry_btf();
	int id = btf__find_by_name_kind(btf, sname, BTF_KIND_STRUCT), i;
	const struct btf_type *t;
	const struct btf_member *m;

	assert_true(id > 0);
	t = btf__type_by_id(btf, id);
	m = btf_members(t);
	for (i = 0; i < btf_vlen(t); i++, m++)
		if (!strcmp(btf__name_by_offset(btf, m->name_off), name))
			return btf_member_bit_offset(t, i) / 8;
	fail_msg("no %s in struct %s", name, sname);
	return 0;
}

/*
 * Give the pass the last packet left on this CPU (taken: its family
 * cleared) back to hauler_ct, its lookup made to say looked (1: ran,
 * as the entry program's) and hit as given.
 */
static void pass_again(int family, __u8 looked, __u8 hit)
{
	__u32 seen = member_off("ct_pass", "seen"), zero = 0, size;
	__u32 fam = member_off("ct_pass", "p") + member_off("pkt", "flow") +
		    member_off("flow_key", "family");
	int ncpu = libbpf_num_possible_cpus(), cpu = sched_getcpu(), fd = dp_map("ct_pass");
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	__u8 *v;

	assert_int_equal(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
	size = (info.value_size + 7) & ~7u;
	v = calloc(ncpu, size);
	assert_non_null(v);
	assert_true(cpu >= 0 && cpu < ncpu);
	assert_int_equal(bpf_map_lookup_elem(fd, &zero, v), 0);
	v[cpu * size + fam] = family; /* flow_key.family: 4 or 6 */
	v[cpu * size + seen + member_off("ct_seen", "looked")] = looked;
	v[cpu * size + seen + member_off("ct_seen", "hit")] = hit;
	assert_int_equal(bpf_map_update_elem(fd, &zero, v, BPF_ANY), 0);
	free(v);
}

/*
 * hauler_ct takes the entry program's lookup as it was (ct_find_seen)
 * and does not read the flow's buckets again: a pass that says the
 * lookup missed is a miss, though the flow's slot is there; one whose
 * lookup did not run (a re-up's) is looked up.
 */
static void test_ct_pass_seen(void **state)
{
	const struct dp_case *c = param(state);
	struct frame_spec in, e;
	struct flow_key fk, rk;
	cpu_set_t was, one;

	/* Every run on one CPU: ct_pass is per CPU. */
	assert_int_equal(sched_getaffinity(0, sizeof(was), &was), 0);
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu(), &one);
	assert_int_equal(sched_setaffinity(0, sizeof(one), &one), 0);
	nat_flow(c->family, c->proto, &in, &fk, &rk);
	send_nat_to(&in, 0);
	in.tcp_flags = TCPF_ACK;
	send_nat_to(&in, 0); /* half-open: hauler_ct's, the entry program's lookup passed */
	assert_int_equal(dp_stat(HAULER_STAT_conn_hit), 1);
	spec_nat_expected(&e, &in, 0);
	pass_again(c->family, 1, 0);
	ct_run_expect(&in, XDP_TX, &e);
	assert_int_equal(dp_stat(HAULER_STAT_conn_hit), 1);
	/* TCP: an ACK without a slot goes without state; UDP: a new flow, a slot beside. */
	assert_int_equal(dp_ct_count(), c->proto == IPPROTO_UDP ? 2 : 1);
	pass_again(c->family, 0, 0);
	ct_run_expect(&in, XDP_TX, &e);
	assert_int_equal(dp_stat(HAULER_STAT_conn_hit), 2);
	assert_int_equal(sched_setaffinity(0, sizeof(was), &was), 0);
}

/*
 * A re-up fills the pinned ct_prog with the new object's hauler_ct when
 * it loads it, before it attaches the new entry program: until then the
 * old entry program tail-calls the new hauler_ct, whose own ct_pass that
 * entry program never wrote. hauler_ct takes a pass once (the next packet
 * finds none unless its entry program writes one) and without one parses
 * the packet, places its flow and reads the clock itself: each packet is
 * handled as itself (the new flow decided, the device's reply translated),
 * never as no flow's (passed to the kernel, which forwarded the
 * connections' data untranslated across every re-up) nor as the previous
 * packet's.
 */
static void test_ct_without_pass(void **state)
{
	const struct dp_case *c = param(state);
	struct frame_spec in, e, r;
	struct flow_key fk, rk;

	nat_flow(c->family, c->proto, &in, &fk, &rk);
	spec_nat_expected(&e, &in, 0);
	ct_run_expect(&in, XDP_TX, &e);
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 1);
	assert_int_equal(ct_slot_device(slot_of(&fk)), DP_DEV_ID(0));
	/* A pass of the entry program, taken; then the device's reply alone. */
	send_nat_to(&in, 0);
	spec_reply(&r, &in, 0);
	r.tcp_flags = TCPF_ACK;
	spec_reply_expected(&e, &r, &in);
	ct_run_expect(&r, XDP_TX, &e);
	ct_run_expect(&r, XDP_TX, &e);
	assert_int_equal(dp_stat(HAULER_STAT_nat_reply), 2);
	assert_int_equal(dp_stat(HAULER_STAT_pass_not_vip), 0);
	assert_int_equal(ct_slot_device(slot_of(&fk)), DP_DEV_ID(0));
	assert_int_equal(dp_ct_count(), 1);
}

/* The dev_addrs key of device address n, port (host order) and proto. */
static struct dev_addr addr_key(int family, int addr_n, __u16 port, __u8 proto)
{
	struct dp_addr a = dp_dev_addr(family, addr_n);
	struct dev_addr k;

	hauler_dev_addr_key(&k, a.a, htons(port), family, proto);
	return k;
}

/* The id dev_addrs holds for the address of device n (dp_dev_addr) and proto, or -1 (or a
 * tombstone). */
static int dev_addr_id(int family, int addr_n, __u8 proto)
{
	struct dev_addr k = addr_key(family, addr_n, DP_DEV_PORT, proto);
	struct dev_ref ref;

	if (bpf_map_lookup_elem(dp_map("dev_addrs"), &k, &ref) || hauler_dev_ref_tomb(&ref))
		return -1;
	return ref.id;
}

/* The tombstone dev_addrs holds for the address of device n and proto (*ref), its id; -1: none. */
static int tomb_id(int family, int addr_n, __u8 proto, struct dev_ref *ref)
{
	struct dev_addr k = addr_key(family, addr_n, DP_DEV_PORT, proto);

	if (bpf_map_lookup_elem(dp_map("dev_addrs"), &k, ref) || !hauler_dev_ref_tomb(ref))
		return -1;
	return ref->id;
}

/* Monotonic seconds: the datapath's clock, as tombstones count it. */
static __u32 mono_s(void)
{
	struct timespec ts;

	assert_int_equal(clock_gettime(CLOCK_MONOTONIC, &ts), 0);
	return ts.tv_sec;
}

/* The dev_hints entry of device address n, port (host order) and proto. */
static __u32 *hint_at(int family, int addr_n, __u16 port, __u8 proto, __u32 *i)
{
	struct dp_addr a = dp_dev_addr(family, addr_n);

	*i = hauler_dev_hint_at(a.a, htons(port), family, proto);
	return i;
}

/* What dev_hints holds for device address n, port (host order) and proto: 1 + a device id, or 0. */
static __u32 hint_of(int family, int addr_n, __u16 port, __u8 proto)
{
	struct dev_hint h;
	__u32 i;

	assert_int_equal(
	    bpf_map_lookup_elem(dp_map("dev_hints"), hint_at(family, addr_n, port, proto, &i), &h),
	    0);
	return h.dev1;
}

static void hint_set(int family, int addr_n, __u8 proto, __u32 dev1)
{
	struct dev_hint h = {.dev1 = dev1};
	__u32 i;

	assert_int_equal(bpf_map_update_elem(dp_map("dev_hints"),
					     hint_at(family, addr_n, DP_DEV_PORT, proto, &i), &h,
					     BPF_ANY),
			 0);
}

/*
 * A client whose source port is a device's port, and whose source's
 * dev_hints entry names the device (as if its address were under the
 * device's: the entry program looks such a packet up as a reply first):
 * not a device, so its packets go on to its own slot, and its flow's
 * replies come back.
 */
static void test_client_from_device_port(void **state)
{
	const struct dp_case *c = param(state);
	struct dev_hint h = {.dev1 = DP_DEV_ID(0) + 1};
	struct frame_spec in;
	struct flow_key fk, rk;
	__u32 i;

	nat_flow(c->family, c->proto, &in, &fk, &rk);
	in.sport = DP_DEV_PORT;
	fk = spec_flow(&in);
	i = hauler_dev_hint_at(fk.src, fk.sport, fk.family, fk.proto);
	assert_int_equal(bpf_map_update_elem(dp_map("dev_hints"), &i, &h, BPF_ANY), 0);
	open_established(&in);
	send_nat_to(&in, 0);
	send_reply(&in, TCPF_ACK);
	assert_int_equal(dp_stat(HAULER_STAT_conn_hit), 2);
	assert_int_equal(dp_stat(HAULER_STAT_nat_reply), c->proto == IPPROTO_TCP ? 2 : 1);
	assert_int_equal(dp_stat(HAULER_STAT_pass_not_vip), 0);
	assert_int_equal(ct_slot_device(slot_of(&fk)), DP_DEV_ID(0));
	assert_int_equal(dp_ct_count(), 1);
}

/*
 * A SYN alone never takes the entry program's reply path (ct_reply_fast),
 * so the entry program does not read its source's dev_hints entry (a
 * cache miss a new flow's SYN would pay for nothing); hauler_ct reads it
 * when the SYN is to no VIP. A device's SYN alone to its client is then
 * a reply as any other (translated), and with the entry cleared it is
 * no reply (passed), as test_reply_hint_none's.
 */
static void test_reply_syn_alone(void **state)
{
	const struct dp_case *c = param(state);
	struct dev_hint none = {};
	struct frame_spec in, r;
	struct flow_key fk, rk;
	__u32 i;

	nat_flow(c->family, c->proto, &in, &fk, &rk);
	open_established(&in);
	dp_stats_zero();
	send_reply(&in, TCPF_SYN);
	assert_int_equal(dp_stat(HAULER_STAT_nat_reply), 1);
	assert_int_equal(dp_stat(HAULER_STAT_pass_not_vip), 0);
	i = hauler_dev_hint_at(rk.src, rk.sport, rk.family, rk.proto);
	assert_int_equal(bpf_map_update_elem(dp_map("dev_hints"), &i, &none, BPF_ANY), 0);
	spec_reply(&r, &in, 0);
	r.tcp_flags = TCPF_SYN;
	dp_run_ok(&r, XDP_PASS);
	assert_int_equal(dp_stat(HAULER_STAT_nat_reply), 1);
	assert_int_equal(dp_stat(HAULER_STAT_pass_not_vip), 1);
	assert_int_equal(ct_slot_device(slot_of(&fk)), DP_DEV_ID(0));
}

/* Device 0's reply to in from port sport (host order) with tcp_flags: passed. */
static void reply_port_passed(const struct frame_spec *in, __u16 sport, __u8 tcp_flags)
{
	struct frame_spec r;

	spec_reply(&r, in, 0);
	r.tcp_flags = tcp_flags;
	r.sport = sport;
	dp_run_ok(&r, XDP_PASS);
}

/*
 * dev_hints is the gate of the reply path: mapw_device writes a source's
 * entry before any dev_addrs key under it and clears it only when no key
 * is left, so a packet from a source whose entry is 0 is looked up in
 * dev_addrs nowhere (neither by the entry program nor by hauler_ct).
 * With the entry cleared under a device's key, the device's reply (a
 * plain ACK, and a FIN, which hauler_ct takes) is no reply: passed
 * untranslated and counted (pass_not_vip), nothing written. The entry
 * back, the same reply is translated.
 */
static void test_reply_hint_none(void **state)
{
	const struct dp_case *c = param(state);
	int tcp = c->proto == IPPROTO_TCP;
	struct frame_spec in;
	struct flow_key fk, rk;
	__u64 s, reasons;

	nat_flow(c->family, c->proto, &in, &fk, &rk);
	open_established(&in);
	assert_int_equal(dev_addr_id(c->family, 0, c->proto), DP_DEV_ID(0));
	hint_set(c->family, 0, c->proto, 0);
	s = slot_of(&fk);
	reasons = dp_reason_sum();
	reply_port_passed(&in, DP_DEV_PORT, TCPF_ACK);
	if (tcp)
		reply_port_passed(&in, DP_DEV_PORT, TCPF_ACK | TCPF_FIN); /* hauler_ct's */
	assert_int_equal(dp_stat(HAULER_STAT_pass_not_vip), tcp ? 2 : 1);
	assert_int_equal(dp_reason_sum(), reasons + (tcp ? 2 : 1));
	assert_int_equal(slot_of(&fk), s);
	assert_int_equal(dp_ct_count(), 1);

	hint_set(c->family, 0, c->proto, DP_DEV_ID(0) + 1);
	send_reply(&in, TCPF_ACK);
	assert_int_equal(dp_stat(HAULER_STAT_nat_reply), tcp ? 2 : 1);
}

/* Device n's reply to in (an ACK): passed untranslated (pass_not_vip), nothing else counted. */
static void reply_passed(const struct frame_spec *in, int dev_n)
{
	__u64 reasons = dp_reason_sum(), passed = dp_stat(HAULER_STAT_pass_not_vip);
	struct frame_spec r;

	spec_reply(&r, in, dev_n);
	r.tcp_flags = TCPF_ACK;
	dp_run_ok(&r, XDP_PASS);
	assert_int_equal(dp_stat(HAULER_STAT_pass_not_vip), passed + 1);
	assert_int_equal(dp_reason_sum(), reasons + 1);
}

/*
 * A nat reply has no slot of its own: the device's address (dev_addrs,
 * written with its entry, keyed with its VIP's protocol) names the
 * device, the device the VIP, the VIP the client's flow, whose one slot
 * is all the state there is. A reply within the touch interval writes
 * nothing.
 */
static void test_reply_no_slot(void **state)
{
	const struct dp_case *c = param(state);
	__u8 other = c->proto == IPPROTO_TCP ? IPPROTO_UDP : IPPROTO_TCP;
	struct frame_spec in;
	struct flow_key fk, rk;
	__u64 s;

	nat_flow(c->family, c->proto, &in, &fk, &rk);
	assert_int_equal(dev_addr_id(c->family, 0, c->proto), DP_DEV_ID(0));
	assert_int_equal(dev_addr_id(c->family, 0, other), -1);
	assert_int_equal(hint_of(c->family, 0, DP_DEV_PORT, c->proto), DP_DEV_ID(0) + 1);
	assert_int_equal(hint_of(c->family, 0, DP_DEV_PORT, other), 0);
	assert_int_equal(hint_of(c->family, 0, DP_DEV_PORT + 1, c->proto), 0);
	open_established(&in);
	assert_int_equal(dp_ct_count(), 1);
	no_slot(&rk);
	s = slot_of(&fk);
	send_reply(&in, TCPF_ACK);
	assert_int_equal(dp_stat(HAULER_STAT_nat_reply), c->proto == IPPROTO_TCP ? 2 : 1);
	assert_int_equal(slot_of(&fk), s);
	assert_int_equal(dp_ct_count(), 1);
	no_slot(&rk);
}

/*
 * A packet to a client from an address:port that is no device's (another
 * port of the device's address, an address of no device), or a device's
 * to the balancer itself (a health check's answer): not a reply, passed
 * untranslated, nothing written.
 */
static void test_reply_not_device(void **state)
{
	const struct dp_case *c = param(state);
	struct frame_spec in;
	struct flow_key fk, rk;
	__u64 s, reasons;

	nat_flow(c->family, c->proto, &in, &fk, &rk);
	open_established(&in);
	s = slot_of(&fk);
	reasons = dp_reason_sum();
	reply_port_passed(&in, DP_DEV_PORT + 1, TCPF_ACK);
	assert_int_equal(dp_stat(HAULER_STAT_pass_not_vip), 1);
	assert_int_equal(dp_reason_sum(), reasons + 1);
	reply_passed(&in, 3); /* no device has address 3 */
	reply_to_balancer(&in, 0);
	assert_int_equal(dp_stat(HAULER_STAT_nat_reply), c->proto == IPPROTO_TCP ? 1 : 0);
	assert_int_equal(slot_of(&fk), s);
	assert_int_equal(dp_ct_count(), 1);
}

/*
 * A reply from a device of the VIP whose client's flow is another
 * device's (device 1 answering device 0's flow): not that flow's reply.
 * Passed untranslated as before a reply had no slot (the other device's
 * reply key had none), nothing written; the flow's device still answers.
 */
static void test_reply_other_device(void **state)
{
	const struct dp_case *c = param(state);
	struct frame_spec in;
	struct flow_key fk;
	__u64 s;

	fk = open_on_first_of_two(c, &in);
	s = slot_of(&fk);
	assert_int_equal(ct_slot_device(s), DP_DEV_ID(0));
	reply_passed(&in, 1);
	assert_int_equal(slot_of(&fk), s);
	assert_int_equal(dp_ct_count(), 1);
	assert_int_equal(dp_stat(HAULER_STAT_nat_reply_spoofed), 0);
	send_reply(&in, TCPF_ACK);
	assert_int_equal(dp_stat(HAULER_STAT_nat_reply), c->proto == IPPROTO_TCP ? 2 : 1);
}

/*
 * A dev_hints entry that names another device than the reply's (two
 * addresses under one entry; an id past the table; a device of no nat
 * VIP): the reply's device is found in dev_addrs, the reply translated
 * and tracked as ever, and the entry left as it is.
 */
static void test_reply_hint_other(void **state)
{
	const struct dp_case *c = param(state);
	__u32 bad[] = {DP_DEV_ID(1) + 1, HAULER_MAX_DEVICES + 1, 0xffffffffu};
	struct frame_spec in;
	struct flow_key fk, rk;
	unsigned int n;
	__u64 s;

	nat_flow(c->family, c->proto, &in, &fk, &rk);
	open_established(&in);
	s = slot_of(&fk);
	for (n = 0; n < sizeof(bad) / sizeof(bad[0]); n++) {
		hint_set(c->family, 0, c->proto, bad[n]);
		send_reply(&in, TCPF_ACK);
		assert_int_equal(hint_of(c->family, 0, DP_DEV_PORT, c->proto), bad[n]);
		assert_int_equal(slot_of(&fk), s);
	}
	assert_int_equal(dp_stat(HAULER_STAT_nat_reply), (c->proto == IPPROTO_TCP) + n);
	assert_int_equal(dp_stat(HAULER_STAT_pass_not_vip), 0);
	assert_int_equal(dp_ct_count(), 1);
	no_slot(&rk);
}

/*
 * Two devices of one VIP at one address and port (the manager allows it:
 * a client port is one flow of the VIP): dev_addrs names one of them,
 * and the replies of flows on either are translated, each tracked on its
 * flow's slot; one deleted, the key names the other.
 */
static void test_reply_shared_address(void **state)
{
	const struct dp_case *c = param(state);
	struct dev_ref ref;
	struct frame_spec in;
	struct flow_key fk;
	int n;

	compact_vip(c->family, c->proto, HAULER_FWD_NAT, 2);
	dp_add_device(DP_DEV_ID(1), c->family, 0, DP_SERVER, 1, HAULER_STATE_UP);
	assert_true(dev_addr_id(c->family, 0, c->proto) == DP_DEV_ID(0) ||
		    dev_addr_id(c->family, 0, c->proto) == DP_DEV_ID(1));
	spec_to_vip(&in, c->family, c->proto, 0);
	for (n = 0; n < 2; n++) {
		in.sport += n;
		fk = spec_flow(&in);
		dp_set_device_health(DP_DEV_ID(1 - n), HAULER_HEALTH_FAILED);
		in.tcp_flags = TCPF_SYN;
		open_established(&in); /* device address 0 either way: send_nat_to's device 0 */
		dp_set_device_health(DP_DEV_ID(1 - n), 0);
		assert_int_equal(ct_slot_device(slot_of(&fk)), DP_DEV_ID(n));
		if (c->proto == IPPROTO_TCP) {
			send_reply(&in, TCPF_ACK | TCPF_FIN);
			assert_int_equal(ct_slot_flags(slot_of(&fk)), CT_F_FIN);
		} else {
			send_reply(&in, 0);
		}
	}
	assert_int_equal(dp_stat(HAULER_STAT_nat_reply), c->proto == IPPROTO_TCP ? 4 : 2);
	assert_int_equal(dp_stat(HAULER_STAT_pass_not_vip), 0);

	/* Device 0 deleted: the address is device 1's (mapw_device), its flow's replies still go.
	 */
	dp_del_device(DP_DEV_ID(0));
	assert_int_equal(dev_addr_id(c->family, 0, c->proto), DP_DEV_ID(1));
	assert_int_equal(hint_of(c->family, 0, DP_DEV_PORT, c->proto), DP_DEV_ID(1) + 1);
	send_reply(&in, TCPF_ACK);
	assert_int_equal(dp_stat(HAULER_STAT_nat_reply), c->proto == IPPROTO_TCP ? 5 : 3);
	/* Both deleted: the address is a tombstone of the last (test_tomb_reply). */
	dp_del_device(DP_DEV_ID(1));
	assert_int_equal(dev_addr_id(c->family, 0, c->proto), -1);
	assert_int_equal(tomb_id(c->family, 0, c->proto, &ref), DP_DEV_ID(1));
	assert_int_equal(hint_of(c->family, 0, DP_DEV_PORT, c->proto), DP_DEV_ID(1) + 1);
}

/*
 * Device n's segment (tcp_flags) to the client of in, from an address
 * whose device is gone: refused as the LRU path refuses a gone device's
 * reply (reply_gone_verdict): a TCP segment answered with a RST back to
 * the device, a RST or a datagram dropped; counted (conn_device_gone,
 * reset_sent); nothing translated, nothing passed to the kernel. The
 * table keeps its slots, less cleared (1: the flow's slot of the gone
 * device, found through a device now at that address).
 */
static void reply_gone(const struct frame_spec *in, int dev_n, __u8 tcp_flags, int cleared)
{
	__u64 gone = dp_stat(HAULER_STAT_conn_device_gone), sent = dp_stat(HAULER_STAT_reset_sent);
	__u64 nat = dp_stat(HAULER_STAT_nat_reply), passed = dp_stat(HAULER_STAT_pass_not_vip);
	int slots = dp_ct_count(), rst = in->proto == IPPROTO_TCP && !(tcp_flags & TCPF_RST);
	struct frame_spec r;

	spec_reply(&r, in, dev_n);
	r.tcp_flags = tcp_flags;
	expect_refused_reply(&r);
	assert_int_equal(dp_stat(HAULER_STAT_conn_device_gone), gone + 1);
	assert_int_equal(dp_stat(HAULER_STAT_reset_sent), sent + rst);
	assert_int_equal(dp_stat(HAULER_STAT_nat_reply), nat);
	assert_int_equal(dp_stat(HAULER_STAT_pass_not_vip), passed);
	assert_int_equal(dp_ct_count(), slots - cleared);
}

/*
 * dev_addrs follows the devices: a deleted device's address is a
 * tombstone (test_tomb_reply), its old flow's replies refused, and its id
 * given again, at another address, is known by that address only: the
 * tombstone, whose hint still names the id, names no device (the id's
 * device is elsewhere). The new device's packet to the old flow's client
 * finds the flow's slot of the id's earlier generation: the flow is over
 * (a TCP segment answered with a RST, anything else dropped), its slot
 * removed.
 */
static void test_dev_addrs_readd(void **state)
{
	const struct dp_case *c = param(state);
	struct frame_spec in, r;
	struct flow_key fk, rk;
	__u8 frame[DP_FRAME_MAX];
	struct dev_addr next;
	struct dev_ref ref;
	struct dp_out out;
	int fd, err;
	__u64 s;

	nat_flow(c->family, c->proto, &in, &fk, &rk);
	open_established(&in);
	s = slot_of(&fk);
	dp_del_device(DP_DEV_ID(0));
	assert_int_equal(dev_addr_id(c->family, 0, c->proto), -1);
	assert_int_equal(tomb_id(c->family, 0, c->proto, &ref), DP_DEV_ID(0));
	assert_int_equal(hint_of(c->family, 0, DP_DEV_PORT, c->proto), DP_DEV_ID(0) + 1);
	reply_gone(&in, 0, TCPF_ACK, 0);
	assert_int_equal(slot_of(&fk), s);

	dp_add_device(DP_DEV_ID(0), c->family, 6, DP_SERVER, 0, HAULER_STATE_UP);
	assert_int_equal(dev_addr_id(c->family, 6, c->proto), DP_DEV_ID(0));
	assert_int_equal(dev_addr_id(c->family, 0, c->proto), -1);
	assert_int_equal(tomb_id(c->family, 0, c->proto, &ref), DP_DEV_ID(0));
	assert_int_equal(hint_of(c->family, 6, DP_DEV_PORT, c->proto), DP_DEV_ID(0) + 1);
	assert_int_equal(hint_of(c->family, 0, DP_DEV_PORT, c->proto), DP_DEV_ID(0) + 1);
	reply_gone(&in, 0, TCPF_ACK, 0);
	assert_int_equal(slot_of(&fk), s);
	assert_int_equal(dp_stat(HAULER_STAT_nat_reply), c->proto == IPPROTO_TCP);

	spec_reply(&r, &in, 6);
	r.tcp_flags = TCPF_ACK;
	assert_int_equal(dp_run(frame, build(&r, frame), &out), 0);
	assert_int_equal(out.verdict, c->proto == IPPROTO_TCP ? XDP_TX : XDP_DROP);
	assert_int_equal(dp_stat(HAULER_STAT_conn_device_gone), 3);
	assert_int_equal(dp_stat(HAULER_STAT_reset_sent), c->proto == IPPROTO_TCP ? 3 : 0);
	no_slot(&fk);
	assert_int_equal(dp_ct_count(), 0);

	/* Deleted again: no live key of the id left behind, a tombstone at each address. */
	dp_del_device(DP_DEV_ID(0));
	assert_int_equal(dev_addr_id(c->family, 6, c->proto), -1);
	assert_int_equal(tomb_id(c->family, 6, c->proto, &ref), DP_DEV_ID(0));
	assert_int_equal(tomb_id(c->family, 0, c->proto, &ref), DP_DEV_ID(0));
	fd = dp_map("dev_addrs");
	for (err = bpf_map_get_next_key(fd, NULL, &next); !err;
	     err = bpf_map_get_next_key(fd, &next, &next)) {
		assert_int_equal(bpf_map_lookup_elem(fd, &next, &ref), 0);
		assert_true(ref.id != DP_DEV_ID(0) || hauler_dev_ref_tomb(&ref));
	}
}

/*
 * A nat device deleted while its flow lives (the compact table's gap
 * before tombstones: its late segments were passed to the kernel, which
 * forwarded them untranslated). Its address stays in dev_addrs as a
 * tombstone for as long as the table may keep its flows
 * (hauler_dev_tomb_life_s), the dev_hints entry still set: the device's
 * ACK, FIN and RST to its client are refused as the LRU path refuses a
 * gone device's (reply_gone), the flow's slot left as it was; a segment
 * to the balancer itself (a health check's late answer) and one from
 * another port are passed as they came. Past its time the tombstone is
 * ignored (passed again, as no device's), then swept with its hint.
 */
static void test_tomb_reply(void **state)
{
	const struct dp_case *c = param(state);
	int tcp = c->proto == IPPROTO_TCP;
	struct frame_spec in;
	struct flow_key fk, rk;
	struct dev_ref ref;
	struct dev_addr k;
	struct config cfg;
	__u32 zero = 0, life, t0;
	__u64 s;

	nat_flow(c->family, c->proto, &in, &fk, &rk);
	open_established(&in);
	s = slot_of(&fk);
	t0 = mono_s();
	dp_del_device(DP_DEV_ID(0));
	assert_int_equal(dev_addr_id(c->family, 0, c->proto), -1);
	assert_int_equal(tomb_id(c->family, 0, c->proto, &ref), DP_DEV_ID(0));
	assert_int_equal(bpf_map_lookup_elem(dp_map("config"), &zero, &cfg), 0);
	life = hauler_dev_tomb_life_s(&cfg);
	assert_in_range(ref.gone_until_s, t0 + life, mono_s() + life);
	assert_int_not_equal(hint_of(c->family, 0, DP_DEV_PORT, c->proto), 0);

	reply_gone(&in, 0, TCPF_ACK, 0);
	if (tcp) {
		reply_gone(&in, 0, TCPF_ACK | TCPF_FIN, 0);
		reply_gone(&in, 0, TCPF_RST, 0);
		reply_gone(&in, 0, TCPF_SYN | TCPF_ACK, 0);
		/* A SYN alone: its hint read by hauler_ct, not the entry program (CT_HINT_UNREAD).
		 */
		reply_gone(&in, 0, TCPF_SYN, 0);
	}
	assert_int_equal(dp_stat(HAULER_STAT_conn_device_gone), tcp ? 5 : 1);
	assert_int_equal(dp_stat(HAULER_STAT_reset_sent), tcp ? 4 : 0);
	assert_int_equal(slot_of(&fk), s);
	no_slot(&rk);
	reply_to_balancer(&in, 0);
	reply_port_passed(&in, DP_DEV_PORT + 1, TCPF_ACK);
	assert_int_equal(dp_stat(HAULER_STAT_pass_not_vip), 2);
	assert_int_equal(slot_of(&fk), s);

	/* Past its time (a second back: the datapath's coarse clock may lag): ignored, then swept.
	 */
	ref.gone_until_s = mono_s() - 1;
	k = addr_key(c->family, 0, DP_DEV_PORT, c->proto);
	assert_int_equal(bpf_map_update_elem(dp_map("dev_addrs"), &k, &ref, BPF_EXIST), 0);
	reply_passed(&in, 0);
	assert_int_equal(dp_stat(HAULER_STAT_conn_device_gone), tcp ? 5 : 1);
	assert_int_equal(dp_tombs_sweep(mono_s() + life, 0), 1);
	assert_int_equal(tomb_id(c->family, 0, c->proto, &ref), -1);
	assert_int_equal(hint_of(c->family, 0, DP_DEV_PORT, c->proto), 0);
	reply_passed(&in, 0);
	assert_int_equal(slot_of(&fk), s);
}

/*
 * A new device (another id) added at a tombstone's address takes the key
 * and the hint: its own flow's replies are translated. The deleted
 * device's late segment to its old flow now names the new device, whose
 * VIP finds the old flow's slot, of a gone device: refused all the same
 * (ct_reply_bound), the slot removed.
 */
static void test_tomb_new_device(void **state)
{
	const struct dp_case *c = param(state);
	__u16 devs[] = {DP_DEV_ID(3)};
	struct frame_spec in, in2;
	struct flow_key fk, rk, fk2;
	struct dev_ref ref;

	nat_flow(c->family, c->proto, &in, &fk, &rk);
	open_established(&in);
	dp_del_device(DP_DEV_ID(0));
	assert_int_equal(tomb_id(c->family, 0, c->proto, &ref), DP_DEV_ID(0));
	dp_add_device(DP_DEV_ID(3), c->family, 0, DP_SERVER, 0, HAULER_STATE_UP);
	dp_add_server(DP_SERVER, DP_VIP_ID, devs, 1);
	assert_int_equal(dev_addr_id(c->family, 0, c->proto), DP_DEV_ID(3));
	assert_int_equal(tomb_id(c->family, 0, c->proto, &ref), -1);
	assert_int_equal(hint_of(c->family, 0, DP_DEV_PORT, c->proto), DP_DEV_ID(3) + 1);

	in2 = in;
	in2.sport++;
	in2.tcp_flags = TCPF_SYN;
	fk2 = spec_flow(&in2);
	open_established(&in2);
	assert_int_equal(ct_slot_device(slot_of(&fk2)), DP_DEV_ID(3));
	send_reply(&in2, TCPF_ACK);
	assert_int_equal(dp_stat(HAULER_STAT_pass_not_vip), 0);

	reply_gone(&in, 0, TCPF_ACK, 1);
	no_slot(&fk);
	assert_int_equal(ct_slot_device(slot_of(&fk2)), DP_DEV_ID(3));
	send_reply(&in2, TCPF_ACK);
}

/*
 * dev_addrs is sized for the devices: tombstones fill it only up to the
 * room the devices leave, and never keep a device out. With the map full
 * of tombstones, a new device's key takes the room of the ones that
 * ended, else of the one that ends first (mapw_dev_tombs_sweep); the
 * others stay.
 */
static void test_tomb_full(void **state)
{
	const struct dp_case *c = param(state);
	__u32 size = dp_map_size("dev_addrs"), now = mono_s(), n;
	int fd = dp_map("dev_addrs");
	struct dev_ref ref, got;
	struct dev_addr k;

	compact_vip(c->family, c->proto, HAULER_FWD_NAT, 1);
	for (n = 0;; n++) {
		k = addr_key(c->family, 7, 10000 + n, c->proto);
		ref = hauler_dev_tomb(100 + n, now, 1000 + n);
		if (n == 5)
			ref.gone_until_s = now + 500; /* ends first */
		if (n == 9)
			ref.gone_until_s = now - 1; /* ended */
		if (bpf_map_update_elem(fd, &k, &ref, BPF_NOEXIST))
			break;
	}
	assert_int_equal(n + 1, size); /* device 0's key and n tombstones */

	dp_add_device(DP_DEV_ID(1), c->family, 1, DP_SERVER, 1, HAULER_STATE_UP);
	assert_int_equal(dev_addr_id(c->family, 1, c->proto), DP_DEV_ID(1));
	k = addr_key(c->family, 7, 10009, c->proto);
	assert_int_not_equal(bpf_map_lookup_elem(fd, &k, &got), 0);
	k = addr_key(c->family, 7, 10005, c->proto);
	assert_int_equal(bpf_map_lookup_elem(fd, &k, &got), 0);

	dp_add_device(DP_DEV_ID(2), c->family, 2, DP_SERVER, 2, HAULER_STATE_UP);
	assert_int_equal(dev_addr_id(c->family, 2, c->proto), DP_DEV_ID(2));
	assert_int_not_equal(bpf_map_lookup_elem(fd, &k, &got), 0);
	k = addr_key(c->family, 7, 10006, c->proto);
	assert_int_equal(bpf_map_lookup_elem(fd, &k, &got), 0);
	assert_int_equal(got.id, 106);
	assert_true(hauler_dev_ref_tomb(&got));
}

/*
 * A slot stamped ahead of this CPU's clock: another CPU, whose clock
 * (bpf/clock.h, read once a tick per CPU) had moved on, stamped it. Up to
 * CT_TICKS_AHEAD ticks ahead it is age 0: established, not ended, left as
 * it is (no write, no new decision), not a slot 73 minutes old.
 */
static void test_stamp_ahead(void **state)
{
	const struct dp_case *c = param(state);
	struct frame_spec in;
	struct flow_key fk;
	__u32 ahead, t0;
	__u64 s;

	compact_vip(c->family, c->proto, HAULER_FWD_NAT, 1);
	spec_to_vip(&in, c->family, c->proto, 0);
	open_established(&in);
	fk = spec_flow(&in);
	dp_stats_zero();
	/* Ahead of the datapath's own stamp (the test's clock may be a tick ahead of it). */
	t0 = ct_slot_tick(slot_of(&fk));
	for (ahead = 1; ahead <= CT_TICKS_AHEAD; ahead++) {
		s = slot_of(&fk);
		s = ct_slot_with(s, ct_slot_flags(s), t0 + ahead);
		dp_ct_set(&fk, s);
		send_nat_to(&in, 0);
		assert_int_equal(dp_stat(HAULER_STAT_conn_hit), ahead);
		assert_int_equal(slot_of(&fk), s);
	}
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 0);
	assert_int_equal(dp_stat(HAULER_STAT_conn_stateless), 0);
	assert_int_equal(dp_stat(HAULER_STAT_conn_closed), 0);
}

/* Its program missing (an emptied ct_prog slot): a counted drop, no state. */
static void test_prog_missing(void **state)
{
	const struct dp_case *c = param(state);
	__u32 key = 0; /* HAULER_CT_PATH (bpf/ct_prog.h) */
	struct frame_spec in;
	int fd;

	compact_vip(c->family, c->proto, HAULER_FWD_NAT, 1);
	spec_to_vip(&in, c->family, c->proto, 0);
	fd = dp_map("ct_prog");
	assert_int_equal(bpf_map_delete_elem(fd, &key), 0);
	dp_run_ok(&in, XDP_DROP);
	fd = dp_ct_fd();
	assert_int_equal(bpf_map_update_elem(dp_map("ct_prog"), &key, &fd, BPF_ANY), 0);
	assert_int_equal(dp_stat(HAULER_STAT_drop_ct_prog), 1);
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 0);
	assert_int_equal(dp_ct_count(), 0);
	assert_int_equal(dp_conn_count(), 0);
	/* Back in place: forwarded. */
	send_nat_to(&in, 0);
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 1);
}

/*
 * Every bucket is one cache line: ctable is made with BPF_F_MMAPABLE
 * (include/schema.def, ARRAY_MMAPABLE), whose values start at a page
 * boundary, where a plain array's start 56 bytes into a line and every
 * 64-byte bucket spans two (two cache misses a bucket for a new flow).
 * Bucket i is at i * 64 of the map's pages: a slot written through the
 * map is read back there.
 */
static void test_buckets_aligned(void **state)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), i;
	struct ct_bucket b = {};
	const struct ct_bucket *m;
	long page = sysconf(_SC_PAGESIZE);
	size_t size;
	int fd = dp_map("ctable");

	(void)state;
	assert_int_equal(sizeof(b), 64);
	assert_int_equal(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
	assert_true(info.map_flags & BPF_F_MMAPABLE);
	assert_true(info.max_entries > 3);
	size = ((size_t)info.max_entries * sizeof(b) + page - 1) / page * page;
	m = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	assert_true(m != MAP_FAILED);
	assert_int_equal((unsigned long)m % page, 0);
	for (i = 0; i < 4; i++) {
		b.slot[i * 2 + 1] = 0x5eed0000ull + i;
		assert_int_equal(bpf_map_update_elem(fd, &i, &b, BPF_ANY), 0);
		assert_true(m[i].slot[i * 2 + 1] == b.slot[i * 2 + 1]);
		b.slot[i * 2 + 1] = 0;
		assert_int_equal(bpf_map_update_elem(fd, &i, &b, BPF_ANY), 0);
	}
	assert_int_equal(munmap((void *)m, size), 0);
}

#define CASES(fn)                                                                                  \
	{#fn " v4 tcp", fn, dp_reset, NULL, DP_CASE(4, IPPROTO_TCP, 0)},                           \
	    {#fn " v4 udp", fn, dp_reset, NULL, DP_CASE(4, IPPROTO_UDP, 0)},                       \
	    {#fn " v6 tcp", fn, dp_reset, NULL, DP_CASE(6, IPPROTO_TCP, 0)},                       \
	{                                                                                          \
#fn " v6 udp", fn, dp_reset, NULL, DP_CASE(6, IPPROTO_UDP, 0)                      \
	}
#define CASES_TCP(fn)                                                                              \
	{#fn " v4", fn, dp_reset, NULL, DP_CASE(4, IPPROTO_TCP, 0)},                               \
	{                                                                                          \
#fn " v6", fn, dp_reset, NULL, DP_CASE(6, IPPROTO_TCP, 0)                          \
	}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    DP_CASE_MATRIX(test_nat_flow),
	    DP_CASE_MATRIX(test_ipip_flow),
	    CASES_TCP(test_udp_confirm),
	    CASES_TCP(test_stateless),
	    CASES_TCP(test_nat_forged_handshake),
	    CASES_TCP(test_half_open_ended),
	    CASES(test_reply_spoofed),
	    CASES(test_fast_in_entry),
	    CASES_TCP(test_ipip_confirm_budget),
	    CASES_TCP(test_rst_half_open),
	    CASES_TCP(test_rst_linger),
	    CASES_TCP(test_syn_leaves_failed_device),
	    CASES(test_health_reset),
	    CASES(test_device_gone),
	    CASES(test_full_buckets),
	    CASES(test_spilled_flow),
	    CASES(test_crowded_half_open),
	    CASES(test_evict_open),
	    CASES_TCP(test_evict_open_reply),
	    CASES(test_false_match),
	    CASES(test_prog_missing),
	    CASES(test_ct_without_pass),
	    CASES(test_ct_pass_seen),
	    CASES(test_fast_path),
	    CASES(test_fast_other_vip),
	    CASES(test_reply_no_slot),
	    CASES(test_reply_not_device),
	    CASES(test_reply_other_device),
	    CASES(test_reply_hint_other),
	    CASES(test_reply_hint_none),
	    CASES(test_reply_shared_address),
	    CASES(test_client_from_device_port),
	    CASES_TCP(test_reply_syn_alone),
	    CASES(test_dev_addrs_readd),
	    CASES(test_tomb_reply),
	    CASES(test_tomb_new_device),
	    CASES(test_tomb_full),
	    CASES(test_stamp_ahead),
	    {"test_buckets_aligned", test_buckets_aligned, dp_reset, NULL,
	     DP_CASE(4, IPPROTO_TCP, 0)},
	};

	return cmocka_run_group_tests(tests, dp_setup, dp_teardown);
}
