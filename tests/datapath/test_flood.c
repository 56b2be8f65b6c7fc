// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_flood.c - state only for connections that exist: a SYN opens a
 * half-open entry, the handshake ACK moves it to conns, a TCP segment
 * without SYN and no entry is forwarded by the hash choice with no state
 * at all, a UDP flow is confirmed by a packet a second after its first.
 * Spoofed SYN and ACK floods, each flow sent once and twice, cycling the
 * (test-sized) half-open table several times, lose no established flow.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <cmocka.h>
#include "frames.h"

#define NS_PER_MS 1000000ull

struct flood_case {
	int family;
	__u8 proto;
	int compact; /* the compact connection table in use (dp_ct_use), not the LRU maps */
};

/* Make the entry of k (in whichever table holds it) look ms old. */
static void age_entry(const struct flow_key *k, __u64 ms)
{
	int fd = dp_map(dp_conn_map(k));
	struct timespec ts;
	struct conn c;

	assert_int_equal(clock_gettime(CLOCK_MONOTONIC_COARSE, &ts), 0);
	assert_int_equal(bpf_map_lookup_elem(fd, k, &c), 0);
	c.last_seen_ns = (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec - ms * NS_PER_MS;
	assert_int_equal(bpf_map_update_elem(fd, k, &c, BPF_EXIST), 0);
}

/* Move the entry of k's stamp ms ahead of the datapath's own (its last packet). */
static void stamp_ahead(const struct flow_key *k, __u64 ms)
{
	int fd = dp_map(dp_conn_map(k));
	struct conn c;

	assert_int_equal(bpf_map_lookup_elem(fd, k, &c), 0);
	c.last_seen_ns += ms * NS_PER_MS;
	assert_int_equal(bpf_map_update_elem(fd, k, &c, BPF_EXIST), 0);
}

/* A nat TCP VIP of 4 devices, and s a client's segment to it. */
static void nat_tcp_vip(const struct flood_case *c, struct frame_spec *s)
{
	dp_simple_vip(c->family, IPPROTO_TCP, HAULER_FWD_NAT, 4);
	spec_to_vip(s, c->family, IPPROTO_TCP, 0);
}

/* The NAT reply entry's key of s's flow, bound to device index n. */
static struct flow_key reply_flow(const struct frame_spec *s, int n)
{
	struct frame_spec r;

	spec_reply(&r, s, n);
	return spec_flow(&r);
}

/*
 * SYN: half-open (flow and reply); a SYN again follows it; the device's
 * SYN-ACK goes back, confirming nothing; so do an ACK that does not
 * acknowledge it (a spoofer's, who never saw it) and the device's bare
 * ACK to such a segment; the client's ACK of the SYN-ACK confirms it.
 */
static void test_syn_half_open_ack_confirms(void **state)
{
	const struct flood_case *c = *state;
	struct frame_spec s;
	struct flow_key fk, rk;
	struct conn conn;
	int n;

	nat_tcp_vip(c, &s);
	fk = spec_flow(&s);
	s.tcp_flags = TCPF_SYN;
	n = send_nat_flow(&s);
	rk = reply_flow(&s, n);
	assert_int_equal(dp_conn_table(&fk), DP_HALF_OPEN);
	assert_int_equal(dp_conn_table(&rk), DP_HALF_OPEN);
	assert_int_equal(dp_conn_count_in(DP_CONNS), 0);
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 1);

	/* A retransmitted SYN follows the entry and confirms nothing. */
	assert_int_equal(send_nat_flow(&s), n);
	assert_int_equal(dp_conn_table(&fk), DP_HALF_OPEN);
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 1);
	assert_int_equal(dp_stat(HAULER_STAT_conn_hit), 1);

	/* The device's SYN-ACK goes back, translated (reply_back checks the bytes). */
	nat_synack(&s, n);
	assert_int_equal(dp_conn_table(&fk), DP_HALF_OPEN);
	assert_int_equal(dp_conn_get(&fk, &conn), 0);
	assert_int_equal(conn.flags, HAULER_CONN_SYNACK);
	assert_int_equal(conn.synack_ack, PKT_DEV_ISN + 1);

	/* A spoofed ACK (wrong acknowledgment) and the device's bare ACK: still half-open. */
	s.tcp_flags = TCPF_ACK;
	s.tcp_ack = PKT_DEV_ISN;
	assert_int_equal(send_nat_flow(&s), n);
	s.tcp_ack = PKT_TCP_ACK;
	assert_int_equal(send_nat_flow(&s), n);
	reply_back(&s, n, TCPF_ACK);
	assert_int_equal(dp_conn_table(&fk), DP_HALF_OPEN);
	assert_int_equal(dp_conn_table(&rk), DP_HALF_OPEN);
	assert_int_equal(dp_stat(HAULER_STAT_conn_promoted), 0);

	/* The client's handshake ACK moves both entries to conns. */
	s.tcp_ack = PKT_DEV_ISN + 1;
	assert_int_equal(send_nat_flow(&s), n);
	assert_int_equal(dp_conn_table(&fk), DP_CONNS);
	assert_int_equal(dp_conn_table(&rk), DP_CONNS);
	assert_int_equal(dp_conn_count_in(DP_HALF_OPEN), 0);
	assert_int_equal(dp_stat(HAULER_STAT_conn_promoted), 1);
	assert_int_equal(dp_conn_get(&fk, &conn), 0);
	assert_int_equal(conn.flags, 0);
	assert_int_equal(conn.synack_ack, 0);
	assert_int_equal(send_nat_flow(&s), n);
	assert_int_equal(dp_stat(HAULER_STAT_conn_promoted), 1);
	assert_int_equal(dp_stat(HAULER_STAT_conn_hit), 5);
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 1);
}

/*
 * A segment without SYN that finds no entry: forwarded by the hash
 * choice, every time to the same device, whatever the VIP's policy (wrr
 * would move on with every decision), and nothing is written but the NAT
 * return entry, in half_open: no client entry, no ring step, no
 * assignment, no conn_new.
 */
static void test_mid_flow_miss_is_stateless(void **state)
{
	const struct flood_case *c = *state;
	const __u8 ring[] = {0, 1, 2, 3};
	const __u8 flags[] = {
	    TCPF_ACK, TCPF_ACK | TCPF_PSH, TCPF_SYN | TCPF_ACK, TCPF_FIN | TCPF_ACK, TCPF_RST,
	    TCPF_ACK};
	struct frame_spec s;
	int n, first = -1, i, d;

	dp_simple_vip(c->family, IPPROTO_TCP, HAULER_FWD_NAT, 4);
	dp_set_ring(DP_SERVER, 0, ring, 4);
	dp_set_policy(DP_SLOT, dp_wrr_fd());
	spec_to_vip(&s, c->family, IPPROTO_TCP, 0);
	for (i = 0; i < (int)sizeof(flags); i++) {
		s.tcp_flags = flags[i];
		n = send_nat(&s);
		if (first < 0)
			first = n;
		assert_int_equal(n, first);
	}
	assert_int_equal(dp_stat(HAULER_STAT_conn_stateless), sizeof(flags));
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 0);
	assert_int_equal(dp_stat(HAULER_STAT_policy_fallback), 0);
	assert_int_equal(dp_conn_count_in(DP_CONNS), 0);
	assert_int_equal(dp_conn_count_in(DP_HALF_OPEN), 1);
	{
		struct flow_key fk = spec_flow(&s), rk = reply_flow(&s, first);

		assert_int_equal(dp_conn_table(&fk), -1);
		assert_int_equal(dp_conn_table(&rk), DP_HALF_OPEN);
	}
	assert_int_equal(dp_get_ring_pos(DP_SERVER), 0);
	for (d = 0; d < 4; d++)
		assert_int_equal(dp_dev_assigned(DP_DEV_ID(d)), 0);
	assert_int_equal(dp_stat(HAULER_STAT_DEV(DP_DEV_ID(first), HAULER_STAT_FWD)),
			 sizeof(flags));

	/* A SYN of the same flow is a new connection, decided by the policy. */
	s.tcp_flags = TCPF_SYN;
	send_nat_flow(&s);
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 1);
	assert_int_equal(dp_get_ring_pos(DP_SERVER), 1);
}

/*
 * A flow decided without state (a balancer restarted with an empty
 * table, an entry lost): the device's answer goes back as the VIP; its
 * RST ends the return entry; its data (ACK, no SYN, a payload) confirms
 * the flow into conns, the client's entry made from the reply's.
 */
static void test_stateless_nat_reply(void **state)
{
	const struct flood_case *c = *state;
	struct frame_spec s;
	struct flow_key fk, rk;
	int n;

	nat_tcp_vip(c, &s);
	s.tcp_flags = TCPF_ACK;
	n = send_nat(&s);
	fk = spec_flow(&s);
	rk = reply_flow(&s, n);
	reply_back(&s, n, TCPF_RST);
	assert_int_equal(dp_conn_count(), 0);
	assert_int_equal(dp_stat(HAULER_STAT_conn_promoted), 0);

	/* A device that holds the connection answers with data: confirmed. */
	assert_int_equal(send_nat(&s), n);
	reply_back(&s, n, TCPF_ACK | TCPF_PSH);
	assert_int_equal(dp_conn_table(&fk), DP_CONNS);
	assert_int_equal(dp_conn_table(&rk), DP_CONNS);
	assert_int_equal(dp_conn_count_in(DP_HALF_OPEN), 0);
	assert_int_equal(dp_stat(HAULER_STAT_conn_promoted), 1);
	assert_int_equal(dp_stat(HAULER_STAT_nat_reply), 2);
	assert_int_equal(send_nat_flow(&s), n);
	assert_int_equal(dp_stat(HAULER_STAT_conn_stateless), 2);
	assert_int_equal(dp_stat(HAULER_STAT_conn_hit), 1);

	/* The device's SYN-ACK to a spoofed SYN confirms nothing. */
	s.sport++;
	s.tcp_flags = TCPF_SYN;
	n = send_nat_flow(&s);
	reply_back(&s, n, TCPF_SYN | TCPF_ACK);
	fk = spec_flow(&s);
	assert_int_equal(dp_conn_table(&fk), DP_HALF_OPEN);
	assert_int_equal(dp_stat(HAULER_STAT_conn_promoted), 1);
}

/* Device n's reply to s (flags) without payload, padded with pad bytes after the IP packet. */
static void reply_bare(const struct frame_spec *s, int n, __u8 flags, size_t pad)
{
	__u8 frame[DP_FRAME_MAX];
	struct frame_spec r;
	struct dp_out out;
	size_t len;

	spec_reply(&r, s, n);
	r.tcp_flags = flags;
	r.payload_len = 0;
	len = build(&r, frame);
	assert_true(len + pad <= sizeof(frame));
	memset(frame + len, 0, pad);
	assert_int_equal(dp_run(frame, len + pad, &out), 0);
	assert_int_equal(out.verdict, XDP_TX);
}

/*
 * The forged handshake a flood lets through: the spoofed SYN's half-open
 * client entry is pushed out, so the forged ACK goes on without state to
 * the device that holds the SYN, which answers it with a bare ACK (an
 * out-of-window segment in SYN-RECEIVED). A device's segment without
 * payload confirms nothing, Ethernet padding is no payload; its data (a
 * device sends data only on a connection whose SYN-ACK was acknowledged)
 * confirms the flow. The stateless flow of a forged ACK alone likewise.
 */
static void test_device_bare_ack_confirms_nothing(void **state)
{
	const struct flood_case *c = *state;
	struct frame_spec s;
	struct flow_key fk, rk;
	int n;

	nat_tcp_vip(c, &s);
	s.payload_len = 0;
	fk = spec_flow(&s);
	s.tcp_flags = TCPF_SYN;
	n = send_nat_flow(&s);
	rk = reply_flow(&s, n);
	/* The flood pushes the client's entry out; the SYN-ACK then finds only the reply's. */
	assert_int_equal(bpf_map_delete_elem(dp_map("half_open"), &fk), 0);
	nat_synack(&s, n);
	s.tcp_flags = TCPF_ACK;
	s.tcp_ack = PKT_TCP_ACK;
	assert_int_equal(send_nat(&s), n);
	assert_int_equal(dp_stat(HAULER_STAT_conn_stateless), 1);
	reply_bare(&s, n, TCPF_ACK, 0);
	reply_bare(&s, n, TCPF_ACK, 6);
	reply_bare(&s, n, TCPF_ACK | TCPF_PSH, 0);
	assert_int_equal(dp_conn_table(&fk), -1);
	assert_int_equal(dp_conn_table(&rk), DP_HALF_OPEN);
	assert_int_equal(dp_conn_count_in(DP_CONNS), 0);
	assert_int_equal(dp_stat(HAULER_STAT_conn_promoted), 0);

	/* The device's data: it holds the connection, the flow is confirmed. */
	s.payload_len = 5;
	reply_back(&s, n, TCPF_ACK | TCPF_PSH);
	assert_int_equal(dp_conn_table(&fk), DP_CONNS);
	assert_int_equal(dp_conn_table(&rk), DP_CONNS);
	assert_int_equal(dp_stat(HAULER_STAT_conn_promoted), 1);

	/* A forged ACK alone (no SYN before it): the same. */
	s.sport++;
	s.payload_len = 0;
	fk = spec_flow(&s);
	n = send_nat(&s);
	rk = reply_flow(&s, n);
	reply_bare(&s, n, TCPF_ACK, 0);
	reply_bare(&s, n, TCPF_ACK | TCPF_FIN, 0);
	assert_int_equal(dp_conn_table(&fk), -1);
	assert_int_equal(dp_conn_table(&rk), DP_HALF_OPEN);
	assert_int_equal(dp_stat(HAULER_STAT_conn_promoted), 1);
}

/* An RST ends a half-open flow: both entries. */
static void test_half_open_rst(void **state)
{
	const struct flood_case *c = *state;
	struct frame_spec s;
	int n;

	nat_tcp_vip(c, &s);
	s.tcp_flags = TCPF_SYN;
	n = send_nat_flow(&s);
	assert_int_equal(dp_conn_count_in(DP_HALF_OPEN), 2);
	s.tcp_flags = TCPF_RST;
	assert_int_equal(send_nat(&s), n);
	assert_int_equal(dp_conn_count(), 0);
	assert_int_equal(dp_stat(HAULER_STAT_conn_closed), 1);
	assert_int_equal(dp_stat(HAULER_STAT_conn_promoted), 0);
}

#define ESTABLISHED 16

/* s: the TCP segment (flags) of spoofed flow f to the VIP: the low 16 address bits and the port
 * from f. */
static void forged_flow(struct frame_spec *s, int family, __u32 f, __u8 flags)
{
	spec_to_vip(s, family, IPPROTO_TCP, 0);
	s->src[family == 4 ? 0 : 3] =
	    htonl((ntohl(s->src[family == 4 ? 0 : 3]) & ~0xffffu) | (f & 0xffff));
	s->sport = 1024 + (f >> 16);
	s->tcp_flags = flags;
}

/* Send flows base..base+count-1 (distinct client ports) with flags, each times times. */
static void flood(int family, __u8 flags, __u32 base, __u32 count, int times)
{
	__u8 frame[DP_FRAME_MAX];
	struct frame_spec s;
	struct dp_out out;
	__u32 i;
	int t;

	for (i = 0; i < count; i++) {
		forged_flow(&s, family, base + i, flags);
		for (t = 0; t < times; t++) {
			size_t len = build(&s, frame);

			assert_int_equal(dp_run(frame, len, &out), 0);
			assert_int_equal(out.verdict, XDP_TX);
		}
	}
}

/*
 * 16 established connections, then spoofed floods: SYNs (each flow once,
 * then each twice) cycling the half-open table three times each, and
 * ACKs (each once, each twice). Every established connection keeps its
 * entry and its device; the ACKs leave no state; the SYNs only half-open.
 */
static void test_flood_spares_established(void **state)
{
	const struct flood_case *c = *state;
	struct frame_spec s[ESTABLISHED];
	int dev[ESTABLISHED], i;
	__u64 stateless;

	dp_simple_vip(c->family, IPPROTO_TCP, HAULER_FWD_NAT, 4);
	for (i = 0; i < ESTABLISHED; i++) {
		spec_to_vip(&s[i], c->family, IPPROTO_TCP, 0);
		s[i].sport = 50000 + i;
		s[i].tcp_flags = TCPF_SYN;
		dev[i] = send_nat_flow(&s[i]);
		nat_synack(&s[i], dev[i]);
		s[i].tcp_flags = TCPF_ACK;
		assert_int_equal(send_nat_flow(&s[i]), dev[i]);
	}
	assert_int_equal(dp_conn_count_in(DP_CONNS), 2 * ESTABLISHED);

	flood(c->family, TCPF_SYN, 0, 3 * DP_HALF_OPEN_MAX, 1);
	flood(c->family, TCPF_SYN, 3 * DP_HALF_OPEN_MAX, 3 * DP_HALF_OPEN_MAX, 2);
	flood(c->family, TCPF_ACK, 6 * DP_HALF_OPEN_MAX, 2 * DP_HALF_OPEN_MAX, 1);
	flood(c->family, TCPF_ACK, 8 * DP_HALF_OPEN_MAX, 2 * DP_HALF_OPEN_MAX, 2);

	stateless = dp_stat(HAULER_STAT_conn_stateless);
	assert_int_equal(stateless, 6 * DP_HALF_OPEN_MAX);
	assert_int_equal(dp_stat(HAULER_STAT_conn_promoted), ESTABLISHED);
	assert_int_equal(dp_conn_count_in(DP_CONNS), 2 * ESTABLISHED);
	assert_true(dp_conn_count_in(DP_HALF_OPEN) <= DP_HALF_OPEN_MAX);
	for (i = 0; i < ESTABLISHED; i++) {
		struct flow_key k = spec_flow(&s[i]);

		assert_int_equal(dp_conn_table(&k), DP_CONNS);
		assert_int_equal(send_nat_flow(&s[i]), dev[i]);
	}
	assert_int_equal(dp_stat(HAULER_STAT_conn_stateless), stateless);
}

/*
 * UDP has no handshake: a flow is half-open until a packet comes more
 * than a second after its first one. Packets in a row confirm nothing.
 */
static void test_udp_confirmed_after_a_second(void **state)
{
	const struct flood_case *c = *state;
	struct frame_spec s;
	struct flow_key fk, rk;
	int n, i;

	dp_simple_vip(c->family, IPPROTO_UDP, HAULER_FWD_NAT, 4);
	spec_to_vip(&s, c->family, IPPROTO_UDP, 0);
	fk = spec_flow(&s);
	n = send_nat_flow(&s);
	rk = reply_flow(&s, n);
	for (i = 0; i < 5; i++)
		assert_int_equal(send_nat_flow(&s), n);
	assert_int_equal(dp_conn_table(&fk), DP_HALF_OPEN);
	assert_int_equal(dp_stat(HAULER_STAT_conn_promoted), 0);
	assert_int_equal(dp_stat(HAULER_STAT_conn_hit), 5);

	/*
	 * Stamped ahead of this CPU's clock (by another CPU, whose clock,
	 * read once a tick, had moved on): age 0, not 2^64 ns. Confirms
	 * nothing, and a half-open hit writes nothing.
	 */
	stamp_ahead(&fk, 200);
	assert_int_equal(send_nat_flow(&s), n);
	assert_int_equal(dp_conn_table(&fk), DP_HALF_OPEN);
	assert_int_equal(dp_stat(HAULER_STAT_conn_promoted), 0);

	age_entry(&fk, 1100);
	assert_int_equal(send_nat_flow(&s), n);
	assert_int_equal(dp_conn_table(&fk), DP_CONNS);
	assert_int_equal(dp_conn_table(&rk), DP_CONNS);
	assert_int_equal(dp_conn_count_in(DP_HALF_OPEN), 0);
	assert_int_equal(dp_stat(HAULER_STAT_conn_promoted), 1);
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 1);
}

/*
 * ipip: the balancer never sees the SYN-ACK, so the client's handshake
 * ACK alone confirms, as a spoofer's SYN-then-ACK would. Over the
 * confirmation budget (per CPU, spent here) such a flow is forwarded but
 * stays half-open (conn_confirm_limited): a flood of forged handshakes
 * fills conns no faster than the budget. Its next ACK, once the budget
 * allows, confirms it. (The compact table: test_ctable.c.)
 */
static void test_ipip_confirm_budget(void **state)
{
	const struct flood_case *c = *state;
	__u8 frame[DP_FRAME_MAX];
	struct frame_spec s;
	struct flow_key fk;
	struct dp_out out;
	int i;

	dp_simple_vip(c->family, IPPROTO_TCP, HAULER_FWD_IPIP, 4);
	spec_to_vip(&s, c->family, IPPROTO_TCP, 0);
	fk = spec_flow(&s);
	dp_confirm_budget_spent(1);
	for (i = 0; i < 3; i++) {
		s.tcp_flags = i ? TCPF_ACK : TCPF_SYN;
		assert_int_equal(dp_run(frame, build(&s, frame), &out), 0);
		assert_int_equal(out.verdict, XDP_TX);
	}
	assert_int_equal(dp_stat(HAULER_STAT_conn_confirm_limited), 2);
	assert_int_equal(dp_stat(HAULER_STAT_conn_promoted), 0);
	assert_int_equal(dp_stat(HAULER_STAT_conn_hit), 2);
	assert_int_equal(dp_conn_table(&fk), DP_HALF_OPEN);
	assert_int_equal(dp_conn_count_in(DP_CONNS), 0);

	dp_confirm_budget_spent(0);
	assert_int_equal(dp_run(frame, build(&s, frame), &out), 0);
	assert_int_equal(out.verdict, XDP_TX);
	assert_int_equal(dp_stat(HAULER_STAT_conn_promoted), 1);
	assert_int_equal(dp_stat(HAULER_STAT_conn_confirm_limited), 2);
	assert_int_equal(dp_conn_table(&fk), DP_CONNS);
}

#define NS_PER_S 1000000000ll

/* The device index (0..3) the ipip frame out is encapsulated to (fails for none). */
static int ipip_device(const struct dp_out *out, int family)
{
	size_t hl = family == 4 ? 20 : 40, alen = family == 4 ? 4 : 16;
	const __u8 *dst = out->data + 14 + (family == 4 ? 16 : 24);
	struct dp_addr a;
	int n;

	assert_true(out->len >= 14 + hl);
	for (n = 0; n < 4; n++) {
		a = dp_dev_addr(family, n);
		if (!memcmp(dst, a.a, alen))
			return n;
	}
	fail_msg("not encapsulated to a device");
	return -1;
}

/* Send s with flags to an ipip VIP of 4 devices: forwarded; the device's index. */
static int send_ipip(struct frame_spec *s, __u8 flags)
{
	__u8 frame[DP_FRAME_MAX];
	struct dp_out out;

	s->tcp_flags = flags;
	assert_int_equal(dp_run(frame, build(s, frame), &out), 0);
	assert_int_equal(out.verdict, XDP_TX);
	return ipip_device(&out, s->family);
}

/* Flow k in the table case c uses: 1 established, 0 half-open, -1 not held. */
static int flow_state(const struct flood_case *c, const struct flow_key *k)
{
	__u64 slot;

	if (c->compact)
		return dp_ct_get(k, &slot) ? -1 : !(ct_slot_flags(slot) & CT_F_HALF);
	switch (dp_conn_table(k)) {
	case DP_CONNS:
		return 1;
	case DP_HALF_OPEN:
		return 0;
	}
	return -1;
}

/* Forged handshakes (SYN, then ACK) of flows base..base+count-1 to an ipip VIP. */
static void forged_handshakes(int family, __u32 base, __u32 count)
{
	struct frame_spec s;
	__u32 f;

	for (f = base; f < base + count; f++) {
		forged_flow(&s, family, f, TCPF_SYN);
		send_ipip(&s, TCPF_SYN);
		send_ipip(&s, TCPF_ACK);
	}
}

/*
 * The budget is config.confirm_burst (config set confirm-budget), read on
 * every packet: set at run time it holds from the next one, raised in the
 * middle of a window it allows the difference, and 0 (a config written
 * without it) is HAULER_CONFIRM_BURST_DEFAULT. One CPU (pinned: the budget
 * is per CPU), in a window that does not end during the test.
 */
static void test_confirm_budget_config(void **state)
{
	const struct flood_case *c = *state;
	__u32 b = HAULER_CONFIRM_BURST_DEFAULT;

	dp_simple_vip(c->family, IPPROTO_TCP, HAULER_FWD_IPIP, 4);
	dp_pin_cpu();
	dp_set_confirm_burst(16);
	dp_confirm_window(3600 * NS_PER_S, 0);
	forged_handshakes(c->family, 0, 20);
	assert_int_equal(dp_stat(HAULER_STAT_conn_promoted), 16);
	assert_int_equal(dp_stat(HAULER_STAT_conn_confirm_limited), 4);

	dp_set_confirm_burst(24);
	forged_handshakes(c->family, 20, 10);
	assert_int_equal(dp_stat(HAULER_STAT_conn_promoted), 24);
	assert_int_equal(dp_stat(HAULER_STAT_conn_confirm_limited), 6);

	dp_set_confirm_burst(0);
	dp_confirm_window(3600 * NS_PER_S, 0);
	forged_handshakes(c->family, 30, b + 3);
	assert_int_equal(dp_stat(HAULER_STAT_conn_promoted), 24 + b);
	assert_int_equal(dp_stat(HAULER_STAT_conn_confirm_limited), 6 + 3);
	dp_unpin_cpu();
}

#define FLOOD_ESTABLISHED 16

/*
 * A flood of forged ipip handshakes (SYN, then ACK, per made-up flow) of
 * twice the budget and more, within one window (held open: whatever the
 * load, it does not end during the flood), on one CPU (pinned): the first
 * budget's worth are confirmed, every other one is counted
 * (conn_confirm_limited) and left half-open; the established flows made
 * before keep their entries and their devices. Once the window has ended
 * (its start put more than a window back, its budget spent), the half-open
 * flows' next ACKs find the budget refilled: a whole budget confirmed, more
 * only if the machine was slow enough for another window to end.
 */
static void test_ipip_forged_flood(void **state)
{
	const struct flood_case *c = *state;
	__u32 b = HAULER_CONFIRM_BURST_DEFAULT, forged = 2 * b + 40, f, promoted, limited;
	struct frame_spec est[FLOOD_ESTABLISHED], s;
	int dev[FLOOD_ESTABLISHED], i, cpu;
	struct flow_key k;

	dp_simple_vip(c->family, IPPROTO_TCP, HAULER_FWD_IPIP, 4);
	if (c->compact)
		dp_ct_use(1);
	for (i = 0; i < FLOOD_ESTABLISHED; i++) {
		spec_to_vip(&est[i], c->family, IPPROTO_TCP, 0);
		est[i].sport = 50000 + i;
		dev[i] = send_ipip(&est[i], TCPF_SYN);
		assert_int_equal(send_ipip(&est[i], TCPF_ACK), dev[i]);
		k = spec_flow(&est[i]);
		assert_int_equal(flow_state(c, &k), 1);
	}
	assert_int_equal(dp_stat(HAULER_STAT_conn_promoted), FLOOD_ESTABLISHED);

	cpu = dp_pin_cpu();
	dp_stats_zero();
	dp_confirm_window(3600 * NS_PER_S, 0);
	forged_handshakes(c->family, 0, forged);
	assert_int_equal(dp_stat(HAULER_STAT_conn_promoted), b);
	assert_int_equal(dp_stat(HAULER_STAT_conn_confirm_limited), forged - b);
	assert_int_equal(dp_confirm_sent(cpu), b);
	for (f = 0; f < forged; f++) {
		forged_flow(&s, c->family, f, TCPF_ACK);
		k = spec_flow(&s);
		assert_int_equal(flow_state(c, &k), f < b);
	}
	for (i = 0; i < FLOOD_ESTABLISHED; i++) {
		k = spec_flow(&est[i]);
		assert_int_equal(flow_state(c, &k), 1);
		assert_int_equal(send_ipip(&est[i], TCPF_ACK | TCPF_PSH), dev[i]);
	}
	assert_int_equal(dp_stat(HAULER_STAT_conn_confirm_limited), forged - b);

	/* The window ended: the next ACKs of the flows left half-open refill it. */
	dp_confirm_window(-10 * HAULER_CONFIRM_WINDOW_MS * 1000000ll, ~0u);
	dp_stats_zero();
	for (f = b; f < forged; f++) {
		forged_flow(&s, c->family, f, TCPF_ACK);
		send_ipip(&s, TCPF_ACK);
	}
	promoted = dp_stat(HAULER_STAT_conn_promoted);
	limited = dp_stat(HAULER_STAT_conn_confirm_limited);
	assert_int_equal(promoted + limited, forged - b);
	assert_true(promoted >= b);
	assert_true(dp_confirm_sent(cpu) >= 1 && dp_confirm_sent(cpu) <= b);
	for (i = 0; i < FLOOD_ESTABLISHED; i++)
		assert_int_equal(send_ipip(&est[i], TCPF_ACK), dev[i]);
	dp_unpin_cpu();
}

/*
 * LRU tables: past config.half_open_burst new connections in a CPU's
 * window (the rate at which half_open would push out handshakes younger
 * than 3 s; include/handshake.h) a new connection gets the hash choice,
 * not its VIP's policy (the policy slot is not asked: no
 * policy_fallback), is still recorded (conn_new) and counted
 * (conn_crowded); when the flood then pushes its entry out, its ACK,
 * decided without state, goes to the same device. The compact table
 * does not read the setting (it asks the flow's buckets: test_ctable.c).
 */
static void test_new_rate_crowded(void **state)
{
	const struct flood_case *c = *state;
	int dev[5], i, crowded = c->compact ? 0 : 2;
	struct frame_spec s[5];
	__s64 until;

	dp_simple_vip(c->family, IPPROTO_TCP, HAULER_FWD_NAT, 4);
	if (c->compact)
		dp_ct_use(1);
	dp_set_half_open_burst(3);
	dp_new_window(3600ll * 1000000000ll, 0); /* one window for the whole test */
	for (i = 0; i < 5; i++) {
		spec_to_vip(&s[i], c->family, IPPROTO_TCP, 0);
		s[i].sport = 40000 + i;
		s[i].tcp_flags = TCPF_SYN;
		dev[i] = send_nat(&s[i]);
		assert_true(dev[i] >= 0);
	}
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 5);
	assert_int_equal(dp_stat(HAULER_STAT_conn_crowded), crowded);
	assert_int_equal(dp_stat(HAULER_STAT_policy_fallback), 5 - crowded);
	if (c->compact) {
		assert_int_equal(dp_crowded_until(), 0);
		return;
	}
	for (i = 3; i < 5; i++) {
		struct flow_key k = spec_flow(&s[i]);

		assert_int_equal(dp_conn_table(&k), DP_HALF_OPEN);
		assert_int_equal(bpf_map_delete_elem(dp_map("half_open"), &k), 0);
		s[i].tcp_flags = TCPF_ACK;
		assert_int_equal(send_nat(&s[i]), dev[i]);
	}
	assert_int_equal(dp_stat(HAULER_STAT_conn_stateless), 2);
	/* The crowded CPU crowds every CPU for a window (test_other_cpu_crowded). */
	until = dp_crowded_until();
	assert_true(until > 0 && until <= HAULER_NEW_WINDOW_MS * 1000000ll);
	/* A window past its end, and none crowded since: the VIP's policy again. */
	dp_new_window(-1000000000ll, 3);
	dp_set_crowded_until(-1000000ll);
	s[0].sport = 41000;
	s[0].tcp_flags = TCPF_SYN;
	assert_true(send_nat(&s[0]) >= 0);
	assert_int_equal(dp_stat(HAULER_STAT_policy_fallback), 4);
	assert_int_equal(dp_stat(HAULER_STAT_conn_crowded), crowded);
}

/*
 * LRU tables: a flood on one CPU cycles the half_open that every CPU
 * shares, so a CPU past its rate crowds them all for a window
 * (crowded_until): a new connection on a CPU whose own window is empty
 * gets the hash choice too while another CPU is crowded (CI once lost one
 * real connection of 40 to a flood on the other CPU), and its policy's
 * once that has passed. Only a CPU past its rate moves the time on.
 */
static void test_other_cpu_crowded(void **state)
{
	const struct flood_case *c = *state;
	struct frame_spec s;
	int dev;

	dp_simple_vip(c->family, IPPROTO_TCP, HAULER_FWD_NAT, 4);
	dp_set_half_open_burst(3);
	dp_new_window(3600ll * 1000000000ll, 0); /* this CPU: nothing recorded yet */
	dp_set_crowded_until(3600ll * 1000000000ll);
	spec_to_vip(&s, c->family, IPPROTO_TCP, 0);
	s.sport = 42000;
	s.tcp_flags = TCPF_SYN;
	dev = send_nat(&s);
	assert_true(dev >= 0);
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 1);
	assert_int_equal(dp_stat(HAULER_STAT_conn_crowded), 1);
	assert_int_equal(dp_stat(HAULER_STAT_policy_fallback), 0);
	assert_true(dp_crowded_until() > 3599ll * 1000000000ll);
	/* Its entry pushed out, the ACK without state reaches the same device. */
	{
		struct flow_key k = spec_flow(&s);

		assert_int_equal(bpf_map_delete_elem(dp_map("half_open"), &k), 0);
	}
	s.tcp_flags = TCPF_ACK;
	assert_int_equal(send_nat(&s), dev);
	/* Crowded until a moment ago: the VIP's policy, and the time stays. */
	dp_set_crowded_until(-1000000ll);
	s.sport = 42001;
	s.tcp_flags = TCPF_SYN;
	assert_true(send_nat(&s) >= 0);
	assert_int_equal(dp_stat(HAULER_STAT_conn_crowded), 1);
	assert_int_equal(dp_stat(HAULER_STAT_policy_fallback), 1);
	assert_true(dp_crowded_until() < 0);
}

/* clang-format off */
#define CASE(fam, proto) (&(struct flood_case){ fam, proto, 0 })
#define TABLES(fn)                                                                                 \
	{ #fn " v4", fn, dp_reset, NULL, CASE(4, IPPROTO_TCP) },                                   \
		{ #fn " v6", fn, dp_reset, NULL, CASE(6, IPPROTO_TCP) },                           \
		{ #fn " v4 compact", fn, dp_reset, NULL,                                           \
		  (&(struct flood_case){ 4, IPPROTO_TCP, 1 }) },                                   \
		{ #fn " v6 compact", fn, dp_reset, NULL,                                           \
		  (&(struct flood_case){ 6, IPPROTO_TCP, 1 }) }
#define BOTH(fn, proto)                                                                            \
	{ #fn " v4", fn, dp_reset, NULL, CASE(4, proto) },                                         \
		{ #fn " v6", fn, dp_reset, NULL, CASE(6, proto) }
/* clang-format on */

int main(void)
{
	const struct CMUnitTest tests[] = {
	    BOTH(test_syn_half_open_ack_confirms, IPPROTO_TCP),
	    BOTH(test_mid_flow_miss_is_stateless, IPPROTO_TCP),
	    BOTH(test_half_open_rst, IPPROTO_TCP),
	    BOTH(test_stateless_nat_reply, IPPROTO_TCP),
	    BOTH(test_device_bare_ack_confirms_nothing, IPPROTO_TCP),
	    BOTH(test_flood_spares_established, IPPROTO_TCP),
	    BOTH(test_udp_confirmed_after_a_second, IPPROTO_UDP),
	    BOTH(test_ipip_confirm_budget, IPPROTO_TCP),
	    BOTH(test_confirm_budget_config, IPPROTO_TCP),
	    TABLES(test_ipip_forged_flood),
	    TABLES(test_new_rate_crowded),
	    BOTH(test_other_cpu_crowded, IPPROTO_TCP),
	};

	return cmocka_run_group_tests(tests, dp_setup, dp_teardown);
}
