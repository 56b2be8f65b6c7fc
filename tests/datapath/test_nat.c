// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_nat.c - nat mode: a VIP packet leaves with the device's address
 * and port, MACs from the neighbour table, checksums right and nothing
 * else changed; the device's reply leaves with the VIP as its source.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <cmocka.h>
#include "frames.h"
#include "hauler_nexthop.h"

static const struct dp_case *param(void **state)
{
	return *state;
}

/* Send the first packet of the flow in (nat VIP, one device): forwarded. */
static size_t forward_first(const struct frame_spec *in)
{
	struct frame_spec e;
	__u8 frame[DP_FRAME_MAX], want[DP_FRAME_MAX];
	size_t len = build(in, frame), wlen;
	struct dp_out out;

	spec_nat_expected(&e, in, 0);
	wlen = build(&e, want);
	assert_int_equal(dp_run(frame, len, &out), 0);
	assert_int_equal(out.verdict, XDP_TX);
	assert_frame_equal(want, wlen, &out);
	assert_frame_valid(&out);
	return len;
}

static void test_forward(void **state)
{
	const struct dp_case *c = param(state);
	struct frame_spec in;
	struct flow_key fk, rk;
	struct conn conn;
	struct dp_addr dev = dp_dev_addr(c->family, 0);
	size_t len;

	dp_simple_vip(c->family, c->proto, HAULER_FWD_NAT, 1);
	spec_to_vip(&in, c->family, c->proto, c->vlan);
	len = forward_first(&in);

	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 1);
	assert_int_equal(dp_stat(HAULER_STAT_fwd_tx), 1);
	assert_int_equal(dp_stat(HAULER_STAT_policy_fallback), 1);
	assert_int_equal(dp_stat(HAULER_STAT_VIP(DP_VIP_ID, HAULER_STAT_FWD)), 1);
	assert_int_equal(dp_stat_bytes(HAULER_STAT_VIP(DP_VIP_ID, HAULER_STAT_FWD)), len);
	assert_int_equal(dp_stat(HAULER_STAT_VIP(DP_VIP_ID, HAULER_STAT_NEW)), 1);
	assert_int_equal(dp_stat(HAULER_STAT_DEV(DP_DEV_ID(0), HAULER_STAT_FWD)), 1);
	assert_int_equal(dp_stat(HAULER_STAT_DEV(DP_DEV_ID(0), HAULER_STAT_NEW)), 1);
	assert_int_equal(dp_dev_assigned(DP_DEV_ID(0)), 1);

	/* Two entries: the flow, and its reply (device -> client). */
	assert_int_equal(dp_conn_count(), 2);
	fk = spec_flow(&in);
	assert_int_equal(dp_conn_get(&fk, &conn), 0);
	assert_int_equal(conn.device, DP_DEV_ID(0));
	assert_int_equal(conn.vip_id, DP_VIP_ID);
	assert_int_equal(conn.flags, 0);
	assert_true(conn.last_seen_ns > 0);
	memset(&rk, 0, sizeof(rk));
	memcpy(rk.src, dev.a, 16);
	memcpy(rk.dst, in.src, 16);
	rk.sport = htons(DP_DEV_PORT);
	rk.dport = htons(in.sport);
	rk.family = c->family;
	rk.proto = c->proto;
	assert_int_equal(dp_conn_get(&rk, &conn), 0);
	assert_int_equal(conn.device, DP_DEV_ID(0));
	assert_int_equal(conn.vip_id, DP_VIP_ID);
	assert_int_equal(conn.flags, HAULER_CONN_REPLY);

	/* The second packet is the same flow: the same output, a hit. */
	forward_first(&in);
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 1);
	assert_int_equal(dp_stat(HAULER_STAT_conn_hit), 1);
	assert_int_equal(dp_stat(HAULER_STAT_fwd_tx), 2);
	assert_int_equal(dp_conn_count(), 2);
}

static void test_reply(void **state)
{
	const struct dp_case *c = param(state);
	struct frame_spec in, r, e;
	__u8 frame[DP_FRAME_MAX], want[DP_FRAME_MAX];
	size_t len, wlen;
	struct dp_out out;

	dp_simple_vip(c->family, c->proto, HAULER_FWD_NAT, 1);
	spec_to_vip(&in, c->family, c->proto, c->vlan);
	forward_first(&in);

	spec_reply(&r, &in, 0);
	spec_reply_expected(&e, &r, &in);
	len = build(&r, frame);
	wlen = build(&e, want);
	assert_int_equal(dp_run(frame, len, &out), 0);
	assert_int_equal(out.verdict, XDP_TX);
	assert_frame_equal(want, wlen, &out);
	assert_frame_valid(&out);
	assert_int_equal(dp_stat(HAULER_STAT_nat_reply), 1);
	assert_int_equal(dp_stat(HAULER_STAT_fwd_tx), 2);
	assert_int_equal(dp_stat(HAULER_STAT_pass_not_vip), 0);
	assert_int_equal(dp_conn_count(), 2);
}

/* Send frame on interface ifindex: dropped as it was, counted as a spoofed reply. */
static void expect_spoofed(const __u8 *frame, size_t len, int ifindex, __u64 n)
{
	struct dp_out out;

	assert_int_equal(dp_run_in(frame, len, ifindex, &out), 0);
	assert_int_equal(out.verdict, XDP_DROP);
	assert_int_equal(dp_stat(HAULER_STAT_nat_reply_spoofed), n);
}

/*
 * A packet from the device's address:port to the client of a held flow
 * that comes from elsewhere than the balancer's next hop towards that
 * device (from the clients' router's MAC; in on another interface): a
 * counted drop that writes nothing, not even a RST's mark. The device's
 * own reply then goes back as usual.
 */
static void test_reply_spoofed(void **state)
{
	const struct dp_case *c = param(state);
	struct flow_key fk, rk;
	struct frame_spec in, r, e;
	struct conn cf, cr, now;
	__u8 frame[DP_FRAME_MAX], want[DP_FRAME_MAX];
	__u64 reasons;
	size_t len;

	dp_simple_vip(c->family, c->proto, HAULER_FWD_NAT, 1);
	spec_to_vip(&in, c->family, c->proto, c->vlan);
	forward_first(&in);
	spec_reply(&r, &in, 0);
	fk = spec_flow(&in);
	rk = spec_flow(&r);
	assert_int_equal(dp_conn_get(&fk, &cf), 0);
	assert_int_equal(dp_conn_get(&rk, &cr), 0);
	reasons = dp_reason_sum();

	r.tcp_flags = TCPF_RST | TCPF_ACK;
	memcpy(r.smac, dp_gw_mac, 6);
	len = build(&r, frame);
	expect_spoofed(frame, len, dp_ifindex, 1);
	dp_dev_mac(0, r.smac);
	len = build(&r, frame);
	expect_spoofed(frame, len, dp_ifindex2, 2);
	assert_int_equal(dp_stat(HAULER_STAT_nat_reply), 0);
	assert_int_equal(dp_reason_sum(), reasons + 2); /* nothing but the two drops */
	assert_int_equal(dp_conn_count(), 2);
	assert_int_equal(dp_conn_get(&fk, &now), 0);
	assert_memory_equal(&now, &cf, sizeof(now));
	assert_int_equal(dp_conn_get(&rk, &now), 0);
	assert_memory_equal(&now, &cr, sizeof(now));

	r.tcp_flags = in.tcp_flags;
	spec_reply_expected(&e, &r, &in);
	run_expect(frame, build(&r, frame), XDP_TX, want, build(&e, want));
	assert_int_equal(dp_stat(HAULER_STAT_nat_reply), 1);
}

/*
 * A reply that matches no flow held, from a nat device's address and port
 * (dev_hints, dev_addrs): translated from the device's entry alone, as on
 * the compact table (its SYN, no data from a device, writes nothing). From
 * another port of the device's address it is not ours, nor is the
 * device's answer to the balancer itself: passed untouched.
 */
static void test_reply_no_flow(void **state)
{
	const struct dp_case *c = param(state);
	struct frame_spec in, r, e;
	__u8 frame[DP_FRAME_MAX], want[DP_FRAME_MAX];
	size_t len;

	dp_simple_vip(c->family, c->proto, HAULER_FWD_NAT, 1);
	spec_to_vip(&in, c->family, c->proto, c->vlan);
	spec_reply(&r, &in, 0);
	spec_reply_expected(&e, &r, &in);
	run_expect(frame, build(&r, frame), XDP_TX, want, build(&e, want));
	assert_int_equal(dp_stat(HAULER_STAT_nat_reply), 1);
	assert_int_equal(dp_stat(HAULER_STAT_fwd_tx), 1);
	assert_int_equal(dp_reason_sum(), 2);
	assert_int_equal(dp_conn_count(), 0);

	r.sport = DP_DEV_PORT + 1;
	len = build(&r, frame);
	run_expect(frame, len, XDP_PASS, frame, len);
	assert_int_equal(dp_stat(HAULER_STAT_pass_not_vip), 1);
	reply_to_balancer(&in, 0);
	assert_int_equal(dp_stat(HAULER_STAT_nat_reply), 1);
	assert_int_equal(dp_conn_count(), 0);
}

/*
 * A nat device deleted while its flow lives, on the LRU tables: its late
 * segment finds the flow's reply entry (its device gone: refused, the
 * entry removed); the next (a retransmission, the RST lost) finds none,
 * and its address is a dev_addrs tombstone: refused all the same, as on
 * the compact table (test_ctable.c, test_tomb_reply), nothing written and
 * nothing passed to the kernel. Its answer to the balancer itself is
 * passed as it came.
 */
static void test_reply_tomb(void **state)
{
	const struct dp_case *c = param(state);
	int tcp = c->proto == IPPROTO_TCP, conns;
	struct frame_spec in, r;

	dp_simple_vip(c->family, c->proto, HAULER_FWD_NAT, 1);
	spec_to_vip(&in, c->family, c->proto, c->vlan);
	forward_first(&in);
	dp_del_device(DP_DEV_ID(0));
	spec_reply(&r, &in, 0);
	r.tcp_flags = TCPF_ACK;
	expect_refused_reply(&r);
	conns = dp_conn_count();
	expect_refused_reply(&r);
	expect_refused_reply(&r);
	assert_int_equal(dp_conn_count(), conns);
	assert_int_equal(dp_stat(HAULER_STAT_conn_device_gone), 3);
	assert_int_equal(dp_stat(HAULER_STAT_reset_sent), tcp ? 3 : 0);
	assert_int_equal(dp_stat(HAULER_STAT_nat_reply), 0);
	assert_int_equal(dp_stat(HAULER_STAT_pass_not_vip), 0);
	reply_to_balancer(&in, 0);
}

/*
 * A client may use any source port, the agent report port included: the
 * device's reply to it is a NAT reply like any other.
 */
static void test_reply_to_report_port(void **state)
{
	const struct dp_case *c = param(state);
	struct frame_spec in, r, e;
	__u8 frame[DP_FRAME_MAX], want[DP_FRAME_MAX];
	size_t len, wlen;

	dp_simple_vip(c->family, IPPROTO_UDP, HAULER_FWD_NAT, 1);
	spec_to_vip(&in, c->family, IPPROTO_UDP, c->vlan);
	in.sport = HAULER_REPORT_PORT;
	forward_first(&in);
	spec_reply(&r, &in, 0);
	spec_reply_expected(&e, &r, &in);
	len = build(&r, frame);
	wlen = build(&e, want);
	run_expect(frame, len, XDP_TX, want, wlen);
	assert_int_equal(dp_stat(HAULER_STAT_nat_reply), 1);
}

/* With no VIP in nat mode the return path is not looked at. */
static void test_reply_without_nat_vips(void **state)
{
	const struct dp_case *c = param(state);
	struct frame_spec in, r;
	__u8 frame[DP_FRAME_MAX];
	size_t len;

	dp_simple_vip(c->family, c->proto, HAULER_FWD_NAT, 1);
	spec_to_vip(&in, c->family, c->proto, c->vlan);
	forward_first(&in);
	dp_set_config(0, 5000, 30000);

	spec_reply(&r, &in, 0);
	len = build(&r, frame);
	run_expect(frame, len, XDP_PASS, frame, len);
	assert_int_equal(dp_stat(HAULER_STAT_pass_not_vip), 1);
	assert_int_equal(dp_stat(HAULER_STAT_nat_reply), 0);
}

/* IPv4 options are kept and counted; the rewrite is right around them. */
static void test_ipv4_options(void **state)
{
	const struct dp_case *c = param(state);
	struct frame_spec in;

	dp_simple_vip(4, c->proto, HAULER_FWD_NAT, 1);
	spec_to_vip(&in, 4, c->proto, c->vlan);
	in.ip_opt_len = 12;
	forward_first(&in);
	assert_int_equal(dp_stat(HAULER_STAT_ipv4_options), 1);
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 1);
}

/* A zero UDP checksum over IPv4 means none: it stays zero. */
static void test_udp_zero_checksum(void **state)
{
	struct frame_spec in, r;
	__u8 frame[DP_FRAME_MAX], want[DP_FRAME_MAX];
	struct frame_spec e;
	size_t len, wlen;
	struct dp_out out;

	(void)state;
	dp_simple_vip(4, IPPROTO_UDP, HAULER_FWD_NAT, 1);
	spec_to_vip(&in, 4, IPPROTO_UDP, 0);
	in.udp_no_csum = 1;
	forward_first(&in);

	spec_reply(&r, &in, 0);
	spec_reply_expected(&e, &r, &in);
	len = build(&r, frame);
	wlen = build(&e, want);
	assert_int_equal(dp_run(frame, len, &out), 0);
	assert_int_equal(out.verdict, XDP_TX);
	assert_frame_equal(want, wlen, &out);
}

static __u16 get16(const __u8 *p)
{
	return (__u16)(p[0] << 8 | p[1]);
}

/* Where the checksums of a frame built from s lie. */
static size_t ip_csum_off(const struct frame_spec *s)
{
	return frame_l3_off(s) + 10;
}

static size_t l4_csum_off(const struct frame_spec *s)
{
	return frame_l4_end(s) - (s->proto == IPPROTO_TCP ? 4 : 2);
}

/*
 * The checksum of the frame of s as summed, before UDP's "0 is sent as
 * 0xffff" (a sum of real data never folds to 0, so 0xffff on the wire
 * can only be that).
 */
static __u16 l4_csum_raw(const struct frame_spec *s, const __u8 *f)
{
	__u16 v = get16(f + l4_csum_off(s));

	return s->proto == IPPROTO_UDP && v == 0xffff ? 0 : v;
}

/*
 * Tune the IPv4 id and the first payload word (both left alone by a NAT
 * rewrite) so that the frame of *target (a spec derived from *tune after
 * the tuning) gets the checksums at the edge: a word equal to the
 * checksum computed with it 0 makes the sum 0xffff, whose checksum is
 * 0x0000 (TCP, IPv4 header) and for UDP 0, sent as 0xffff.
 */
static void tune_to_edge(struct frame_spec *tune, __u8 *payload,
			 void (*derive)(struct frame_spec *t, const struct frame_spec *from,
					const void *arg),
			 const void *arg, struct frame_spec *target)
{
	__u8 f[DP_FRAME_MAX];

	tune->ip_id = 0;
	put16(payload, 0);
	tune->payload = payload;
	derive(target, tune, arg);
	build(target, f);
	if (tune->family == 4)
		tune->ip_id = get16(f + ip_csum_off(target));
	put16(payload, l4_csum_raw(target, f));
	derive(target, tune, arg);
	build(target, f);
	/* The frame is at the edge, or this test tests nothing. */
	if (target->family == 4)
		assert_int_equal(get16(f + ip_csum_off(target)), 0x0000);
	assert_int_equal(get16(f + l4_csum_off(target)),
			 target->proto == IPPROTO_UDP ? 0xffff : 0x0000);
}

static void derive_same(struct frame_spec *t, const struct frame_spec *from, const void *arg)
{
	(void)arg;
	*t = *from;
}

static void derive_nat(struct frame_spec *t, const struct frame_spec *from, const void *arg)
{
	(void)arg;
	spec_nat_expected(t, from, 0);
}

static void derive_reply(struct frame_spec *t, const struct frame_spec *from, const void *arg)
{
	spec_reply_expected(t, from, arg);
}

/*
 * The folding edges of the incremental checksum updates, on purpose:
 * a forwarded frame whose new checksums are 0x0000 (TCP, IPv4 header;
 * an update that folds to 0xffff instead is wrong) and 0xffff for UDP
 * (a computed 0 is sent as 0xffff: 0 would mean "no checksum"); an
 * incoming frame that carries those values; and a NAT reply rewritten
 * to them. Each output is compared byte for byte with one built from
 * scratch.
 */
static void test_checksum_edges(void **state)
{
	const struct dp_case *c = param(state);
	__u8 pay_out[24] = "..edge of the fold 0123", pay_in[24] = "..edge of the fold 4567";
	__u8 pay_rep[24] = "..edge of the fold 89ab";
	__u8 frame[DP_FRAME_MAX], want[DP_FRAME_MAX];
	struct frame_spec in, e, r;
	size_t len, wlen;

	dp_simple_vip(c->family, c->proto, HAULER_FWD_NAT, 1);

	/* Forwarded, coming out at the edge. */
	spec_to_vip(&in, c->family, c->proto, c->vlan);
	in.payload_len = sizeof(pay_out);
	tune_to_edge(&in, pay_out, derive_nat, NULL, &e);
	forward_first(&in);

	/* Forwarded, coming in at the edge (another flow). */
	spec_to_vip(&in, c->family, c->proto, c->vlan);
	in.sport = 40001;
	in.payload_len = sizeof(pay_in);
	tune_to_edge(&in, pay_in, derive_same, NULL, &e);
	forward_first(&in);

	/* The device's reply to that flow, rewritten to the VIP at the edge. */
	spec_reply(&r, &in, 0);
	r.payload_len = sizeof(pay_rep);
	tune_to_edge(&r, pay_rep, derive_reply, &in, &e);
	len = build(&r, frame);
	wlen = build(&e, want);
	run_expect(frame, len, XDP_TX, want, wlen);
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 2);
	assert_int_equal(dp_stat(HAULER_STAT_nat_reply), 1);
}

/* The next hop is not resolved: the kernel gets the rewritten packet. */
static void test_no_neighbour_passes(void **state)
{
	const struct dp_case *c = param(state);
	struct dp_addr far = dp_unresolved_addr(c->family);
	struct frame_spec in, e;
	__u8 frame[DP_FRAME_MAX], want[DP_FRAME_MAX];
	size_t len, wlen;
	__u16 dev = DP_DEV_ID(0);

	dp_add_vip(c->family, c->proto, dp_vip_port(c->proto), DP_VIP_ID, HAULER_FWD_NAT, DP_SLOT,
		   DP_TABLE);
	dp_fill_pool(DP_VIP_ID, 0, DP_TABLE, DP_SERVER);
	dp_add_device_at(dev, c->family, &far, DP_SERVER, 0, HAULER_STATE_UP);
	dp_add_server(DP_SERVER, DP_VIP_ID, &dev, 1);

	spec_to_vip(&in, c->family, c->proto, c->vlan);
	e = in;
	memcpy(e.dst, far.a, 16);
	e.dport = DP_DEV_PORT;
	len = build(&in, frame);
	wlen = build(&e, want);
	run_expect(frame, len, XDP_PASS, want, wlen);
	assert_int_equal(dp_stat(HAULER_STAT_pass_no_neigh), 1);
	assert_int_equal(dp_stat(HAULER_STAT_fwd_tx), 0);
}

/* No route to the device: passed to the kernel, counted. */
static void test_no_route_passes(void **state)
{
	const struct dp_case *c = param(state);
	struct dp_addr far = dp_unroutable_addr(c->family);
	struct frame_spec in;
	__u8 frame[DP_FRAME_MAX];
	struct dp_out out;
	size_t len;
	__u16 dev = DP_DEV_ID(0);

	dp_add_vip(c->family, c->proto, dp_vip_port(c->proto), DP_VIP_ID, HAULER_FWD_NAT, DP_SLOT,
		   DP_TABLE);
	dp_fill_pool(DP_VIP_ID, 0, DP_TABLE, DP_SERVER);
	dp_add_device_at(dev, c->family, &far, DP_SERVER, 0, HAULER_STATE_UP);
	dp_add_server(DP_SERVER, DP_VIP_ID, &dev, 1);

	spec_to_vip(&in, c->family, c->proto, c->vlan);
	len = build(&in, frame);
	assert_int_equal(dp_run(frame, len, &out), 0);
	assert_int_equal(out.verdict, XDP_PASS);
	assert_int_equal(dp_stat(HAULER_STAT_pass_fib_fail), 1);
	assert_int_equal(dp_stat(HAULER_STAT_fwd_tx), 0);
}

/*
 * A RST from the device is translated and marks both entries of the flow,
 * which end after rst-linger: the client's crossing RST or last segments
 * still find them; past the linger the client's SYN is a new connection.
 */
static void test_reply_rst_ends_flow(void **state)
{
	const struct dp_case *c = param(state);
	struct frame_spec in, r, e;
	__u8 frame[DP_FRAME_MAX], want[DP_FRAME_MAX];
	struct flow_key fk;
	struct conn conn;
	size_t len, wlen;

	dp_simple_vip(c->family, IPPROTO_TCP, HAULER_FWD_NAT, 1);
	spec_to_vip(&in, c->family, IPPROTO_TCP, c->vlan);
	in.tcp_flags = TCPF_SYN;
	forward_first(&in);
	nat_synack(&in, 0);
	/* The handshake ACK: the flow is established (conns). */
	in.tcp_flags = TCPF_ACK;
	forward_first(&in);
	assert_int_equal(dp_conn_count_in(DP_CONNS), 2);

	spec_reply(&r, &in, 0);
	r.tcp_flags = TCPF_RST | TCPF_ACK;
	spec_reply_expected(&e, &r, &in);
	len = build(&r, frame);
	wlen = build(&e, want);
	run_expect(frame, len, XDP_TX, want, wlen);
	assert_int_equal(dp_stat(HAULER_STAT_nat_reply), 2); /* the SYN-ACK and this */
	assert_int_equal(dp_conn_count(), 2);
	fk = spec_flow(&in);
	assert_int_equal(dp_conn_get(&fk, &conn), 0);
	assert_int_equal(conn.flags & HAULER_CONN_RST, HAULER_CONN_RST);

	/* The client's crossing RST is forwarded, rewritten. */
	in.tcp_flags = TCPF_RST;
	assert_int_equal(send_nat_flow(&in), 0);
	assert_int_equal(dp_stat(HAULER_STAT_conn_closed), 0);

	/* Past the linger a SYN on the same ports is a new connection. */
	conn.last_seen_ns -= 2000 * 1000000ull;
	assert_int_equal(bpf_map_update_elem(dp_map("conns"), &fk, &conn, BPF_EXIST), 0);
	in.tcp_flags = TCPF_SYN;
	assert_int_equal(send_nat_flow(&in), 0);
	assert_int_equal(dp_stat(HAULER_STAT_conn_closed), 1);
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 2);
}

/*
 * A nat VIP whose one device is behind the second interface (the remote
 * device): the client's frame to the VIP (*len bytes), and the frame that
 * goes out to the device (*e, *wlen bytes: the device's address and port,
 * MACs of that interface and the device).
 */
static void remote_device_frames(const struct dp_case *c, __u8 *frame, size_t *len,
				 struct frame_spec *e, __u8 *want, size_t *wlen)
{
	struct dp_addr far = dp_remote_dev_addr(c->family);
	__u16 dev = DP_DEV_ID(0);
	struct frame_spec in;

	dp_add_vip(c->family, c->proto, dp_vip_port(c->proto), DP_VIP_ID, HAULER_FWD_NAT, DP_SLOT,
		   DP_TABLE);
	dp_fill_pool(DP_VIP_ID, 0, DP_TABLE, DP_SERVER);
	dp_add_device_at(dev, c->family, &far, DP_SERVER, 0, HAULER_STATE_UP);
	dp_add_server(DP_SERVER, DP_VIP_ID, &dev, 1);

	spec_to_vip(&in, c->family, c->proto, c->vlan);
	*e = in;
	memcpy(e->dst, far.a, 16);
	e->dport = DP_DEV_PORT;
	memcpy(e->dmac, dp_remote_dev_mac, 6);
	memcpy(e->smac, dp_lb2_mac, 6);
	*len = build(&in, frame);
	*wlen = build(e, want);
}

/*
 * A device behind another interface: bpf_redirect there, MACs of that
 * interface and the device. A tagged frame stays on its VLAN (XDP_TX).
 */
static void test_redirect(void **state)
{
	const struct dp_case *c = param(state);
	__u8 frame[DP_FRAME_MAX], want[DP_FRAME_MAX];
	struct frame_spec e;
	size_t len, wlen;
	struct dp_out out;

	remote_device_frames(c, frame, &len, &e, want, &wlen);
	assert_int_equal(dp_run(frame, len, &out), 0);
	assert_frame_equal(want, wlen, &out);
	assert_frame_valid(&out);
	if (c->vlan) {
		assert_int_equal(out.verdict, XDP_TX);
		assert_int_equal(dp_stat(HAULER_STAT_fwd_tx), 1);
	} else {
		assert_int_equal(out.verdict, XDP_REDIRECT);
		assert_int_equal(dp_stat(HAULER_STAT_fwd_redirect), 1);
	}
}

/* This CPU's next-hop cache entry of device id (the entry object's nh_cache): read or write. */
static void nh_entry_at(__u32 id, int cpu, struct nh_entry *e, int write)
{
	int n = libbpf_num_possible_cpus(), fd = dp_map("nh_cache");
	struct nh_entry *all = calloc(n, sizeof(*all));

	assert_non_null(all);
	assert_true(cpu < n);
	assert_int_equal(bpf_map_lookup_elem(fd, &id, all), 0);
	if (write) {
		all[cpu] = *e;
		assert_int_equal(bpf_map_update_elem(fd, &id, all, BPF_ANY), 0);
	} else {
		*e = all[cpu];
	}
	free(all);
}

/*
 * The device's entry in this CPU's cache made to say next hop dmac via
 * smac (a neighbour change the cache has not looked up yet), route MTU
 * mtu, its time left as the last lookup wrote it; then frame in. 1: the
 * cached answer was used (out), 0: the entry had aged meanwhile (a
 * loaded machine) and was looked up again, which the caller checks.
 */
static int run_with_entry(__u32 dev, int cpu, const __u8 *dmac, const __u8 *smac, __u16 mtu,
			  const __u8 *frame, size_t len, struct dp_out *out)
{
	struct nh_entry nh;

	nh_entry_at(dev, cpu, &nh, 0);
	assert_true(nh.resolved_ns != 0);
	memcpy(nh.dmac, dmac, 6);
	memcpy(nh.smac, smac, 6);
	nh.mtu = mtu;
	nh_entry_at(dev, cpu, &nh, 1);
	assert_int_equal(dp_run(frame, len, out), 0);
	nh_entry_at(dev, cpu, &nh, 0);
	return !memcmp(nh.dmac, dmac, 6);
}

/*
 * The next hop of a device from this CPU's cache (bpf/nexthop.h) while
 * its entry is fresh: the frame gets the entry's two MACs in frame order
 * (nh_send_cached), goes out of the entry's interface (a redirect; a
 * tagged frame XDP_TX), and one above the entry's route MTU is refused (a
 * nat packet: a counted drop). An entry older than HAULER_NH_MAX_AGE_NS
 * is looked up again: the neighbour table's MACs are back, fresh.
 */
static void test_next_hop_cached(void **state)
{
	static const __u8 mac_d[6] = {0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0x01};
	static const __u8 mac_s[6] = {0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0x02};
	const struct dp_case *c = param(state);
	__u8 frame[DP_FRAME_MAX], want[DP_FRAME_MAX], poisoned[DP_FRAME_MAX];
	int cpu, tries, cached = 0, verdict = c->vlan ? XDP_TX : XDP_REDIRECT;
	__u16 dev = DP_DEV_ID(0);
	struct frame_spec e;
	struct nh_entry nh;
	struct dp_out out;
	size_t len, wlen;

	remote_device_frames(c, frame, &len, &e, want, &wlen);
	memcpy(e.dmac, mac_d, 6);
	memcpy(e.smac, mac_s, 6);
	build(&e, poisoned);

	cpu = dp_pin_cpu();			       /* the cache is per CPU */
	assert_int_equal(dp_run(frame, len, &out), 0); /* the FIB's answer, kept */
	assert_frame_equal(want, wlen, &out);
	nh_entry_at(dev, cpu, &nh, 0);
	assert_memory_equal(nh.dmac, dp_remote_dev_mac, 6);
	assert_memory_equal(nh.smac, dp_lb2_mac, 6);
	assert_int_equal(nh.ifindex, dp_ifindex2);

	/* Fresh: the cached MACs go out, whatever the neighbour table says now. */
	for (tries = 0; tries < 50 && !cached; tries++) {
		cached = run_with_entry(dev, cpu, mac_d, mac_s, nh.mtu, frame, len, &out);
		assert_int_equal(out.verdict, verdict);
		assert_frame_equal(cached ? poisoned : want, wlen, &out);
	}
	assert_true(cached);
	assert_int_equal(dp_stat(verdict == XDP_TX ? HAULER_STAT_fwd_tx : HAULER_STAT_fwd_redirect),
			 tries + 1);

	/* Fresh, its route MTU below the packet: refused (nat grows nothing: a drop). */
	for (tries = 0, cached = 0; tries < 50 && !cached; tries++) {
		cached = run_with_entry(dev, cpu, mac_d, mac_s, 20, frame, len, &out);
		assert_int_equal(out.verdict, cached ? XDP_DROP : verdict);
	}
	assert_true(cached);
	assert_int_equal(dp_stat(HAULER_STAT_drop_encap), 1);

	/* Aged: looked up again, the neighbour table's MACs back. */
	nh_entry_at(dev, cpu, &nh, 0);
	nh.resolved_ns = 1;
	nh_entry_at(dev, cpu, &nh, 1);
	assert_int_equal(dp_run(frame, len, &out), 0);
	assert_int_equal(out.verdict, verdict);
	assert_frame_equal(want, wlen, &out);
	nh_entry_at(dev, cpu, &nh, 0);
	assert_memory_equal(nh.dmac, dp_remote_dev_mac, 6);
	assert_true(nh.resolved_ns > 1);
	dp_unpin_cpu();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    DP_CASE_MATRIX(test_forward),
	    DP_CASE_MATRIX(test_reply),
	    DP_CASE_MATRIX(test_reply_spoofed),
	    DP_CASE_MATRIX(test_reply_no_flow),
	    DP_CASE_MATRIX(test_reply_tomb),
	    DP_CASE_MATRIX(test_reply_without_nat_vips),
	    DP_CASE_MATRIX(test_checksum_edges),
	    DP_CASE_MATRIX(test_no_neighbour_passes),
	    DP_CASE_MATRIX(test_no_route_passes),
	    DP_CASE_MATRIX(test_redirect),
	    DP_CASE_MATRIX(test_next_hop_cached),
	    {"test_ipv4_options tcp", test_ipv4_options, dp_reset, NULL,
	     DP_CASE(4, IPPROTO_TCP, 0)},
	    {"test_ipv4_options udp vlan", test_ipv4_options, dp_reset, NULL,
	     DP_CASE(4, IPPROTO_UDP, 1)},
	    cmocka_unit_test_setup(test_udp_zero_checksum, dp_reset),
	    {"test_reply_to_report_port v4", test_reply_to_report_port, dp_reset, NULL,
	     DP_CASE(4, IPPROTO_UDP, 0)},
	    {"test_reply_to_report_port v6 vlan", test_reply_to_report_port, dp_reset, NULL,
	     DP_CASE(6, IPPROTO_UDP, 1)},
	    {"test_reply_rst_ends_flow v4", test_reply_rst_ends_flow, dp_reset, NULL,
	     DP_CASE(4, IPPROTO_TCP, 0)},
	    {"test_reply_rst_ends_flow v6 vlan", test_reply_rst_ends_flow, dp_reset, NULL,
	     DP_CASE(6, IPPROTO_TCP, 1)},
	};

	return cmocka_run_group_tests(tests, dp_setup, dp_teardown);
}
