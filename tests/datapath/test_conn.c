// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_conn.c - the connection table: the first packet decides, the rest
 * follow it whatever the pool, weights or policy become; RST and FIN end
 * a flow after a linger (a later segment keeps its device, only a SYN is
 * decided anew), UDP after the idle timeout; a gone device's flows end.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <netinet/in.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <cmocka.h>
#include "frames.h"
#include "health_daemon.h"

#define OTHER_SERVER 4

struct conn_case {
	int family;
	__u8 proto;
};

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts))
		;
}

#define NS_PER_MS 1000000ull

/* Now as the datapath reads it (bpf_ktime_get_coarse_ns). */
static __u64 now_ns(void)
{
	struct timespec ts;

	assert_int_equal(clock_gettime(CLOCK_MONOTONIC_COARSE, &ts), 0);
	return (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/*
 * The test's clock: make the entry of k look last seen ms ago, as if that
 * much time had passed, so a test of "still alive after T" needs no sleep
 * that a loaded machine could overrun. Returns the stamp written.
 */
static __u64 age_entry(const struct flow_key *k, __u64 ms)
{
	int fd = dp_map(dp_conn_map(k));
	struct conn c;

	assert_int_equal(bpf_map_lookup_elem(fd, k, &c), 0);
	c.last_seen_ns = now_ns() - ms * NS_PER_MS;
	assert_int_equal(bpf_map_update_elem(fd, k, &c, BPF_EXIST), 0);
	return c.last_seen_ns;
}

/* last_seen of the entry of k. */
static __u64 last_seen(const struct flow_key *k)
{
	struct conn c;

	assert_int_equal(dp_conn_get(k, &c), 0);
	return c.last_seen_ns;
}

/*
 * A VIP whose pool is server 3 (devices 10, 11 at addresses 0, 1); a
 * second server 4 (devices 12, 13 at addresses 2, 3) stands by.
 */
static void two_servers(int family, __u8 proto)
{
	const __u16 other[] = {DP_DEV_ID(2), DP_DEV_ID(3)};

	dp_simple_vip(family, proto, HAULER_FWD_NAT, 2);
	dp_add_device(other[0], family, 2, OTHER_SERVER, 0, HAULER_STATE_UP);
	dp_add_device(other[1], family, 3, OTHER_SERVER, 1, HAULER_STATE_UP);
	dp_add_server(OTHER_SERVER, DP_VIP_ID, other, 2);
}

/* Send s; it must be forwarded (NAT, XDP_TX). Returns the device id it went to. */
static __u16 send_fwd(const struct frame_spec *s)
{
	__u8 frame[DP_FRAME_MAX], want[DP_FRAME_MAX];
	struct frame_spec e;
	struct dp_out out;
	size_t len = build(s, frame), wlen;
	int n;

	assert_int_equal(dp_run(frame, len, &out), 0);
	assert_int_equal(out.verdict, XDP_TX);
	n = out.data[5] - 0x14;
	assert_in_range(n, 0, DP_NDEVS - 1);
	/* Exactly the NAT of s to the device whose MAC it carries. */
	spec_nat_expected(&e, s, n);
	wlen = build(&e, want);
	assert_frame_equal(want, wlen, &out);
	return DP_DEV_ID(n);
}

/*
 * Open s's flow as a client does: TCP, a SYN (half-open), the device's
 * SYN-ACK and the handshake ACK that confirms it into conns; s is left an ACK segment of
 * the established flow. UDP: its first datagram. Returns the device.
 */
static __u16 open_flow(struct frame_spec *s)
{
	struct flow_key fk = spec_flow(s);
	__u16 dev;

	if (s->proto != IPPROTO_TCP)
		return send_fwd(s);
	s->tcp_flags = TCPF_SYN;
	dev = send_fwd(s);
	nat_synack(s, dev - DP_DEV_ID(0));
	s->tcp_flags = TCPF_ACK;
	assert_int_equal(send_fwd(s), dev);
	assert_string_equal(dp_conn_map(&fk), "conns");
	return dev;
}

static void test_new_then_established(void **state)
{
	const struct conn_case *c = *state;
	__u8 ring[] = {0, 1};
	struct frame_spec s;
	struct flow_key fk;
	struct conn conn;
	__u16 dev, other;

	two_servers(c->family, c->proto);
	spec_to_vip(&s, c->family, c->proto, 0);
	s.tcp_flags = TCPF_SYN;
	dev = send_fwd(&s);
	assert_in_range(dev, DP_DEV_ID(0), DP_DEV_ID(1));
	fk = spec_flow(&s);
	assert_int_equal(dp_conn_get(&fk, &conn), 0);
	assert_int_equal(conn.device, dev);
	assert_int_equal(conn.vip_id, DP_VIP_ID);
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 1);
	assert_int_equal(dp_stat(HAULER_STAT_conn_hit), 0);

	/* Change everything a new connection would consult. */
	other = dev == DP_DEV_ID(0) ? DP_DEV_ID(1) : DP_DEV_ID(0);
	dp_fill_pool(DP_VIP_ID, 0, DP_TABLE, OTHER_SERVER);
	dp_set_device_weight(dev, 0);
	dp_set_device_weight(other, 100);
	dp_set_ring(DP_SERVER, 0, ring, 2);
	dp_set_policy(DP_SLOT, dp_wrr_fd());

	s.tcp_flags = TCPF_ACK;
	assert_int_equal(send_fwd(&s), dev);
	assert_int_equal(send_fwd(&s), dev);
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 1);
	assert_int_equal(dp_stat(HAULER_STAT_conn_hit), 2);
	assert_int_equal(dp_stat(HAULER_STAT_DEV(dev, HAULER_STAT_FWD)), 3);
	assert_int_equal(dp_get_ring_pos(DP_SERVER), 0);
	assert_int_equal(dp_dev_assigned(dev), 1);

	/* A new flow does follow the new pool. */
	s.sport++;
	s.tcp_flags = TCPF_SYN;
	assert_in_range(send_fwd(&s), DP_DEV_ID(2), DP_DEV_ID(3));
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 2);
}

/* Drained, down or failed by its health check, a device keeps its established flows. */
static void test_drain_and_down_keep_flows(void **state)
{
	const struct conn_case *c = *state;
	struct frame_spec s;
	__u16 dev;

	two_servers(c->family, c->proto);
	spec_to_vip(&s, c->family, c->proto, 0);
	dev = send_fwd(&s);
	dp_set_device_state(dev, HAULER_STATE_DRAIN);
	assert_int_equal(send_fwd(&s), dev);
	dp_set_device_state(dev, HAULER_STATE_DOWN);
	assert_int_equal(send_fwd(&s), dev);
	dp_set_device_state(dev, HAULER_STATE_UP);
	dp_set_device_health(dev, HAULER_HEALTH_FAILED);
	assert_int_equal(send_fwd(&s), dev);
	assert_int_equal(dp_stat(HAULER_STAT_conn_hit), 3);
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 1);
}

/*
 * A SYN on the ports of an ended flow whose entry lingers (FIN or RST
 * seen; the client's ports came round again) is a new connection. To a
 * usable device it goes on to the old flow's device; a device that failed
 * its health check, or is drained, takes no new connection: decided anew
 * (docs/health.md). test_health.sh once saw that SYN reach a killed
 * server through such an entry and be refused. syn_elsewhere: s's SYN
 * goes to the pool's other device, not dev, and is recorded there.
 */
static __u16 syn_elsewhere(struct frame_spec *s, __u16 dev)
{
	__u16 now;

	s->tcp_flags = TCPF_SYN;
	now = send_fwd(s);
	assert_int_not_equal(now, dev);
	assert_in_range(now, DP_DEV_ID(0), DP_DEV_ID(1));
	assert_int_equal(conn_device(s), now);
	return now;
}

static void test_syn_leaves_unusable_device(void **state)
{
	const struct conn_case *c = *state;
	struct frame_spec s;
	__u16 dev, now;

	two_servers(c->family, IPPROTO_TCP);
	spec_to_vip(&s, c->family, IPPROTO_TCP, 0);
	dev = open_flow(&s);
	s.tcp_flags = TCPF_FIN | TCPF_ACK;
	assert_int_equal(send_fwd(&s), dev);
	s.tcp_flags = TCPF_SYN;
	assert_int_equal(send_fwd(&s), dev); /* usable: the old flow's device */
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 1);

	dp_set_device_health(dev, HAULER_HEALTH_FAILED);
	now = syn_elsewhere(&s, dev);
	assert_int_equal(dp_stat(HAULER_STAT_conn_closed), 1);
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 2);
	assert_int_equal(send_fwd(&s), now); /* its retransmission follows it */
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 2);

	/* Drained, after the client's RST: the same. */
	dp_set_device_health(dev, 0);
	s.sport = htons(ntohs(s.sport) + 1);
	dev = open_flow(&s);
	s.tcp_flags = TCPF_RST;
	assert_int_equal(send_fwd(&s), dev);
	dp_set_device_state(dev, HAULER_STATE_DRAIN);
	syn_elsewhere(&s, dev);
	assert_int_equal(dp_stat(HAULER_STAT_conn_closed), 2);
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 4);
}

/* Deleting the device decides its flows anew. */
static void test_deleted_device_redecides(void **state)
{
	const struct conn_case *c = *state;
	struct frame_spec s;
	__u16 dev, now;

	two_servers(c->family, c->proto);
	spec_to_vip(&s, c->family, c->proto, 0);
	dev = send_fwd(&s);
	dp_del_device(dev);
	now = send_fwd(&s);
	assert_int_not_equal(now, dev);
	assert_in_range(now, DP_DEV_ID(0), DP_DEV_ID(1));
	assert_int_equal(conn_device(&s), now);
	assert_int_equal(dp_stat(HAULER_STAT_conn_closed), 1);
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 2);
}

/* Send s and expect it passed as no VIP's (pass_not_vip). */
static void send_not_vip(const struct frame_spec *s)
{
	__u8 frame[DP_FRAME_MAX];
	__u64 before = dp_stat(HAULER_STAT_pass_not_vip);
	struct dp_out out;

	assert_int_equal(dp_run(frame, build(s, frame), &out), 0);
	assert_int_equal(out.verdict, XDP_PASS);
	assert_int_equal(dp_stat(HAULER_STAT_pass_not_vip), before + 1);
}

/*
 * The fast path (conn_fast): an established entry records its VIP's
 * forwarding mode (conn.fwd) and is forwarded without looking up vips. An
 * entry without it (an older version's table) takes the full path, which
 * needs the VIP. A VIP deleted as the manager deletes one (its devices
 * and servers go with it) takes its flows' fast path along: their packets
 * are no VIP's any more and are passed, as before there was a fast path.
 */
static void test_fast_path_and_deleted_vip(void **state)
{
	const struct conn_case *c = *state;
	__u16 port = dp_vip_port(c->proto), dev, i;
	struct frame_spec s;
	struct flow_key fk;
	struct conn conn;

	two_servers(c->family, c->proto);
	spec_to_vip(&s, c->family, c->proto, 0);
	dev = open_flow(&s);
	fk = spec_flow(&s);
	assert_int_equal(bpf_map_lookup_elem(dp_map("conns"), &fk, &conn), 0);
	assert_int_equal(conn.fwd, HAULER_FWD_NAT + 1);

	/* No vips entry (a state only this test makes): the flow goes all the same. */
	dp_del_vip(c->family, c->proto, port);
	assert_int_equal(send_fwd(&s), dev);
	/* An older version's entry (fwd 0) needs the VIP: without it, passed. */
	conn.fwd = 0;
	assert_int_equal(bpf_map_update_elem(dp_map("conns"), &fk, &conn, BPF_EXIST), 0);
	send_not_vip(&s);
	dp_add_vip(c->family, c->proto, port, DP_VIP_ID, HAULER_FWD_NAT, DP_SLOT, DP_TABLE);
	assert_int_equal(send_fwd(&s), dev);
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 1);

	/* The VIP deleted with its servers and devices: the fast entry is passed. */
	conn.fwd = HAULER_FWD_NAT + 1;
	assert_int_equal(bpf_map_update_elem(dp_map("conns"), &fk, &conn, BPF_EXIST), 0);
	for (i = 0; i < 4; i++)
		dp_del_device(DP_DEV_ID(i));
	dp_del_server(DP_SERVER);
	dp_del_server(OTHER_SERVER);
	dp_del_vip(c->family, c->proto, port);
	send_not_vip(&s);
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 1);
}

/* Rewrite device id's VIP fields: fwd (FWD_* + 1, 0: none) and vip_id. */
static void device_vip_fields(__u16 id, __u8 fwd, __u16 vip_id)
{
	struct device_info d;
	__u32 key = id;

	assert_int_equal(bpf_map_lookup_elem(dp_map("devices"), &key, &d), 0);
	d.fwd = fwd;
	d.vip_id = vip_id;
	assert_int_equal(bpf_map_update_elem(dp_map("devices"), &key, &d, BPF_EXIST), 0);
}

/*
 * conn_fast takes the entry's VIP from its device's entry (the VIP fields
 * the manager's commit writes), not from the device's server: a device
 * whose entry names no VIP (fwd 0) or another VIP sends its flows down
 * the full path, which needs the vips entry. With that entry gone (a
 * state only this test makes) the full path passes the packet, so the
 * verdict shows which path was taken.
 */
static void test_fast_path_reads_device_vip(void **state)
{
	const struct conn_case *c = *state;
	__u16 port = dp_vip_port(c->proto), dev;
	struct frame_spec s;

	two_servers(c->family, c->proto);
	spec_to_vip(&s, c->family, c->proto, 0);
	dev = open_flow(&s);
	dp_del_vip(c->family, c->proto, port);
	assert_int_equal(send_fwd(&s), dev); /* the fast path */

	device_vip_fields(dev, 0, DP_VIP_ID);
	send_not_vip(&s);
	device_vip_fields(dev, HAULER_FWD_NAT + 1, DP_VIP_ID + 1);
	send_not_vip(&s);
	device_vip_fields(dev, HAULER_FWD_NAT + 1, DP_VIP_ID);
	assert_int_equal(send_fwd(&s), dev);
	/* With the VIP back the full path forwards such a flow to its device. */
	dp_add_vip(c->family, c->proto, port, DP_VIP_ID, HAULER_FWD_NAT, DP_SLOT, DP_TABLE);
	device_vip_fields(dev, 0, DP_VIP_ID);
	assert_int_equal(send_fwd(&s), dev);
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 1);
}

/*
 * A client RST marks the entry, which ends rst-linger ms after its last
 * packet: the RST goes through, and the device's crossing RST finds the
 * return entry and is translated for the client. Past the linger a late
 * segment still goes to the flow's device; a SYN is decided anew.
 */
static void test_rst_lingers(void **state)
{
	const struct conn_case *c = *state;
	__u8 frame[DP_FRAME_MAX], want[DP_FRAME_MAX];
	struct frame_spec s, r, e;
	struct flow_key fk;
	struct conn conn;
	struct dp_out out;
	size_t wlen;
	__u16 dev;

	two_servers(c->family, IPPROTO_TCP);
	spec_to_vip(&s, c->family, IPPROTO_TCP, 0);
	fk = spec_flow(&s);
	dev = open_flow(&s);
	assert_int_equal(dp_conn_count(), 2);
	s.tcp_flags = TCPF_RST;
	assert_int_equal(send_fwd(&s), dev);
	assert_int_equal(dp_conn_count(), 2);
	assert_int_equal(dp_conn_get(&fk, &conn), 0);
	assert_int_equal(conn.flags & HAULER_CONN_RST, HAULER_CONN_RST);

	/* The device's RST crosses the client's: translated, not passed. */
	spec_reply(&r, &s, dev - DP_DEV_ID(0));
	r.tcp_flags = TCPF_RST | TCPF_ACK;
	spec_reply_expected(&e, &r, &s);
	wlen = build(&e, want);
	assert_int_equal(dp_run(frame, build(&r, frame), &out), 0);
	assert_int_equal(out.verdict, XDP_TX);
	assert_frame_equal(want, wlen, &out);
	assert_int_equal(dp_stat(HAULER_STAT_nat_reply), 2); /* the SYN-ACK and this */
	assert_int_equal(dp_stat(HAULER_STAT_conn_closed), 0);

	/* Past the linger, with the pool moved: a late segment keeps its device. */
	dp_fill_pool(DP_VIP_ID, 0, DP_TABLE, OTHER_SERVER);
	age_entry(&fk, 1500);
	s.tcp_flags = TCPF_ACK;
	assert_int_equal(send_fwd(&s), dev);
	assert_int_equal(dp_stat(HAULER_STAT_conn_ended_kept), 1);

	/* A SYN on the same ports past the linger is a new connection. */
	age_entry(&fk, 1500);
	s.tcp_flags = TCPF_SYN;
	assert_in_range(send_fwd(&s), DP_DEV_ID(2), DP_DEV_ID(3));
	assert_int_equal(dp_stat(HAULER_STAT_conn_closed), 1);
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 2);
}

/*
 * A RST cannot cut a live flow at once (one spoofed off-path, say): the
 * flow's next packets, both ways, keep the entry alive and on its device,
 * and a SYN within the linger is no new connection either.
 */
static void test_spoofed_rst_keeps_live_flow(void **state)
{
	const struct conn_case *c = *state;
	__u8 frame[DP_FRAME_MAX];
	struct frame_spec s, r;
	struct flow_key fk;
	struct dp_out out;
	__u64 before;
	__u16 dev;
	int i;

	two_servers(c->family, IPPROTO_TCP);
	spec_to_vip(&s, c->family, IPPROTO_TCP, 0);
	fk = spec_flow(&s);
	dev = open_flow(&s);
	s.tcp_flags = TCPF_RST;
	send_fwd(&s);
	dp_fill_pool(DP_VIP_ID, 0, DP_TABLE, OTHER_SERVER);
	s.tcp_flags = TCPF_ACK | TCPF_PSH;
	spec_reply(&r, &s, dev - DP_DEV_ID(0));
	for (i = 0; i < 3; i++) {
		before = age_entry(&fk, 600);
		assert_int_equal(send_fwd(&s), dev);
		if (last_seen(&fk) <= before)
			fail_msg("a packet after a RST did not extend the linger");
		assert_int_equal(dp_run(frame, build(&r, frame), &out), 0);
		assert_int_equal(out.verdict, XDP_TX);
	}
	s.tcp_flags = TCPF_SYN;
	assert_int_equal(send_fwd(&s), dev);
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 1);
	assert_int_equal(dp_stat(HAULER_STAT_conn_closed), 0);
	assert_int_equal(dp_stat(HAULER_STAT_conn_ended_kept), 0);
}

/* FIN marks the entry; after the grace the next SYN decides anew. */
static void test_fin_then_grace(void **state)
{
	const struct conn_case *c = *state;
	struct frame_spec s;
	struct conn conn;
	struct flow_key fk;
	__u16 dev, now;

	two_servers(c->family, IPPROTO_TCP);
	spec_to_vip(&s, c->family, IPPROTO_TCP, 0);
	fk = spec_flow(&s);
	dev = send_fwd(&s);
	nat_synack(&s, dev - DP_DEV_ID(0));
	s.tcp_flags = TCPF_FIN | TCPF_ACK;
	assert_int_equal(send_fwd(&s), dev);
	assert_int_equal(dp_conn_get(&fk, &conn), 0);
	assert_int_equal(conn.flags & HAULER_CONN_FIN, HAULER_CONN_FIN);
	assert_int_equal(conn.device, dev);

	/* Within the grace the flow keeps its device. */
	s.tcp_flags = TCPF_ACK;
	assert_int_equal(send_fwd(&s), dev);
	assert_int_equal(dp_stat(HAULER_STAT_conn_closed), 0);

	dp_set_config(1, 1, 30000);
	sleep_ms(30);
	dp_fill_pool(DP_VIP_ID, 0, DP_TABLE, OTHER_SERVER);
	/* Past the grace a segment of the old connection keeps its device ... */
	assert_int_equal(send_fwd(&s), dev);
	assert_int_equal(dp_stat(HAULER_STAT_conn_ended_kept), 1);
	/* ... and a SYN on the same ports is a new connection (half-open). */
	sleep_ms(30);
	s.tcp_flags = TCPF_SYN;
	now = send_fwd(&s);
	assert_in_range(now, DP_DEV_ID(2), DP_DEV_ID(3));
	assert_int_equal(dp_stat(HAULER_STAT_conn_closed), 1);
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 2);
	assert_int_equal(dp_conn_get(&fk, &conn), 0);
	assert_string_equal(dp_conn_map(&fk), "half_open");
	assert_int_equal(conn.device, now);
	assert_int_equal(conn.flags, 0);
}

/*
 * Every packet after a FIN extends the grace: a half-closed flow lives on,
 * also with a grace below the one-second refresh of last_seen. Grace
 * 1900 ms: the entry is made to look 960 ms old before each of 4 packets
 * (3.8 s in all, two graces): each must stamp it anew (read from the
 * entry; the machine has 940 ms to send one packet). Made to look 2 s
 * old, it has ended, but its next segment is still the old connection's:
 * kept on its device, never decided anew (only a SYN is).
 */
static void test_fin_half_closed_lives_on(void **state)
{
	const struct conn_case *c = *state;
	struct frame_spec s;
	struct flow_key fk;
	__u64 before;
	__u16 dev;
	int i;

	two_servers(c->family, IPPROTO_TCP);
	dp_set_config(1, 1900, 30000);
	spec_to_vip(&s, c->family, IPPROTO_TCP, 0);
	fk = spec_flow(&s);
	dev = send_fwd(&s);
	nat_synack(&s, dev - DP_DEV_ID(0));
	s.tcp_flags = TCPF_FIN | TCPF_ACK;
	send_fwd(&s);
	s.tcp_flags = TCPF_ACK;
	for (i = 0; i < 4; i++) {
		before = age_entry(&fk, 960);
		assert_int_equal(send_fwd(&s), dev);
		if (last_seen(&fk) <= before)
			fail_msg("a packet 960 ms after the last of a half-closed flow (grace "
				 "1900 ms) left last_seen as it was");
	}
	assert_int_equal(dp_stat(HAULER_STAT_conn_closed), 0);
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 1);
	/* Idle past the grace, the half-closed flow still keeps its device. */
	age_entry(&fk, 2000);
	dp_fill_pool(DP_VIP_ID, 0, DP_TABLE, OTHER_SERVER);
	assert_int_equal(send_fwd(&s), dev);
	assert_int_equal(dp_stat(HAULER_STAT_conn_ended_kept), 1);
	assert_int_equal(dp_stat(HAULER_STAT_conn_closed), 0);
}

/* An idle UDP entry ends after udp_timeout_ms. */
static void test_udp_idle_timeout(void **state)
{
	const struct conn_case *c = *state;
	struct frame_spec s;
	struct flow_key fk;
	struct conn conn;
	__u16 now;

	two_servers(c->family, IPPROTO_UDP);
	dp_set_config(1, 5000, 10);
	spec_to_vip(&s, c->family, IPPROTO_UDP, 0);
	fk = spec_flow(&s);
	send_fwd(&s);
	sleep_ms(40);
	dp_fill_pool(DP_VIP_ID, 0, DP_TABLE, OTHER_SERVER);
	now = send_fwd(&s);
	assert_in_range(now, DP_DEV_ID(2), DP_DEV_ID(3));
	assert_int_equal(dp_stat(HAULER_STAT_conn_closed), 1);
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 2);
	assert_int_equal(dp_conn_get(&fk, &conn), 0);
	assert_int_equal(conn.device, now);
}

/*
 * A UDP flow that keeps sending is never idle: it keeps its device, also
 * with a timeout below the one-second refresh of last_seen. With a
 * timeout of 1900 ms, a packet that finds the entry 960 ms old (past half
 * the timeout, short of the second) must stamp it anew; else the flow
 * would expire while busy. Stamped or not is read from the entry, so a
 * slow machine cannot make this pass or fail (it has 940 ms to send one
 * packet before the entry would really expire).
 */
static void test_udp_active_flow_stays(void **state)
{
	const struct conn_case *c = *state;
	struct frame_spec s;
	struct flow_key fk;
	__u64 before;
	__u16 dev;
	int i;

	two_servers(c->family, IPPROTO_UDP);
	dp_set_config(1, 5000, 1900);
	spec_to_vip(&s, c->family, IPPROTO_UDP, 0);
	fk = spec_flow(&s);
	dev = send_fwd(&s);
	dp_fill_pool(DP_VIP_ID, 0, DP_TABLE, OTHER_SERVER);
	for (i = 0; i < 5; i++) {
		before = age_entry(&fk, 960);
		assert_int_equal(send_fwd(&s), dev);
		if (last_seen(&fk) <= before)
			fail_msg("a packet 960 ms after the last (udp timeout 1900 ms) left "
				 "last_seen as it was: a busy flow would expire");
	}
	assert_int_equal(dp_stat(HAULER_STAT_conn_closed), 0);
}

/*
 * The return path of a NAT UDP flow lives as long as the flow: a client
 * that keeps sending keeps its reply entry too, however rarely the
 * device answers. Timeout 60 s: before each of 3 client packets both
 * entries are made to look 40 s old; each packet must stamp the reply
 * entry anew (120 s without a reply in all).
 */
static void test_udp_reply_lives_with_flow(void **state)
{
	const struct conn_case *c = *state;
	__u8 frame[DP_FRAME_MAX], want[DP_FRAME_MAX];
	struct frame_spec s, r, e;
	struct flow_key fk, rk;
	struct dp_out out;
	size_t len, wlen;
	__u16 dev;
	int i;

	two_servers(c->family, IPPROTO_UDP);
	dp_set_config(1, 5000, 60000);
	spec_to_vip(&s, c->family, IPPROTO_UDP, 0);
	fk = spec_flow(&s);
	dev = send_fwd(&s);
	spec_reply(&r, &s, dev - DP_DEV_ID(0));
	rk = spec_flow(&r);
	for (i = 0; i < 3; i++) {
		__u64 before = age_entry(&rk, 40000);

		age_entry(&fk, 40000);
		assert_int_equal(send_fwd(&s), dev);
		if (last_seen(&rk) <= before)
			fail_msg("a client packet left the reply entry's last_seen as it was");
	}
	assert_int_equal(dp_stat(HAULER_STAT_conn_closed), 0);

	spec_reply_expected(&e, &r, &s);
	len = build(&r, frame);
	wlen = build(&e, want);
	assert_int_equal(dp_run(frame, len, &out), 0);
	if (out.verdict != XDP_TX)
		fail_msg("the device's reply after 120 s of client traffic (udp timeout 60 s) "
			 "was not translated: verdict %d, pass_not_vip %llu",
			 out.verdict, (unsigned long long)dp_stat(HAULER_STAT_pass_not_vip));
	assert_frame_equal(want, wlen, &out);
	assert_int_equal(dp_stat(HAULER_STAT_nat_reply), 1);
}

/* TCP entries do not age: only RST, FIN or the LRU end them. */
static void test_tcp_does_not_age(void **state)
{
	const struct conn_case *c = *state;
	struct frame_spec s;
	__u16 dev;

	two_servers(c->family, IPPROTO_TCP);
	dp_set_config(1, 1, 1);
	spec_to_vip(&s, c->family, IPPROTO_TCP, 0);
	dev = send_fwd(&s);
	sleep_ms(30);
	dp_fill_pool(DP_VIP_ID, 0, DP_TABLE, OTHER_SERVER);
	assert_int_equal(send_fwd(&s), dev);
	assert_int_equal(dp_stat(HAULER_STAT_conn_closed), 0);
}

/*
 * A device deleted and its id reused for a server of another VIP (the
 * manager gives out the lowest free id): a flow still bound to the id
 * must not follow it to the other VIP's service. Its connection ends: a
 * TCP client is sent a RST; a UDP flow is decided anew in its own VIP.
 */
static void test_reused_device_id_not_followed(void **state)
{
	const struct conn_case *c = *state;
	const __u16 other_vip = 2, other_server = 5;
	struct frame_spec s;
	struct flow_key fk;
	struct conn conn;
	__u64 fwd;
	__u16 dev, keep, now;

	two_servers(c->family, c->proto);
	spec_to_vip(&s, c->family, c->proto, 0);
	fk = spec_flow(&s);
	dev = open_flow(&s);
	fwd = dp_stat(HAULER_STAT_DEV(dev, HAULER_STAT_FWD)); /* the flow's, before */
	keep = dev == DP_DEV_ID(0) ? DP_DEV_ID(1) : DP_DEV_ID(0);

	/* device del: the server keeps the other device; device add elsewhere. */
	dp_add_server(DP_SERVER, DP_VIP_ID, &keep, 1);
	dp_del_device(dev);
	dp_add_vip(c->family, c->proto, dp_vip_port(c->proto) + 1, other_vip, HAULER_FWD_NAT, 2,
		   DP_TABLE);
	dp_fill_pool(other_vip, 0, DP_TABLE, other_server);
	dp_add_device(dev, c->family, 4, other_server, 0, HAULER_STATE_UP);
	dp_add_server(other_server, other_vip, &dev, 1);

	if (c->proto == IPPROTO_TCP) {
		expect_reset(&s);
		assert_false(dp_conn_get(&fk, &conn) == 0);
		assert_int_equal(dp_stat(HAULER_STAT_reset_sent), 1);
		assert_int_equal(dp_stat(HAULER_STAT_DEV(dev, HAULER_STAT_FWD)), fwd);
	} else {
		/* send_fwd names the device by its address: the reused id is at address 4. */
		now = send_fwd(&s);
		if (now == DP_DEV_ID(4))
			fail_msg("the flow followed its reused device id %u to another VIP", dev);
		assert_true(now == keep || now == DP_DEV_ID(2) || now == DP_DEV_ID(3));
		assert_int_equal(dp_stat(HAULER_STAT_conn_new), 2);
	}
	assert_int_equal(dp_stat(HAULER_STAT_conn_device_gone), 1);
	assert_int_equal(dp_stat(HAULER_STAT_conn_closed), 1);
}

/*
 * The id reused within the same server, for a device at another address
 * (the server and VIP are the same: only the generation tells them
 * apart). The flow must not follow the id to the new device.
 */
static void test_reused_id_same_server_not_followed(void **state)
{
	const struct conn_case *c = *state;
	const __u16 ids[] = {DP_DEV_ID(0), DP_DEV_ID(1)};
	struct frame_spec s;
	__u64 hits;
	__u16 dev;

	two_servers(c->family, c->proto);
	spec_to_vip(&s, c->family, c->proto, 0);
	dev = open_flow(&s);
	hits = dp_stat(HAULER_STAT_conn_hit); /* the handshake ACK's */
	dp_del_device(dev);
	dp_add_device(dev, c->family, 4, DP_SERVER, dev - DP_DEV_ID(0), HAULER_STATE_UP);
	dp_add_server(DP_SERVER, DP_VIP_ID, ids, 2);

	if (c->proto == IPPROTO_TCP) {
		expect_reset(&s);
		assert_int_equal(dp_stat(HAULER_STAT_conn_new), 1);
	} else {
		send_fwd(&s); /* anew in the VIP: the new device may be chosen */
		assert_int_equal(dp_stat(HAULER_STAT_conn_new), 2);
	}
	assert_int_equal(dp_stat(HAULER_STAT_conn_device_gone), 1);
	assert_int_equal(dp_stat(HAULER_STAT_conn_hit), hits);
}

/* Delete device dev of two_servers and add it again: its id's next generation. */
static void renew_device(int family, __u16 dev)
{
	dp_del_device(dev);
	dp_add_device(dev, family, dev - DP_DEV_ID(0), DP_SERVER, dev - DP_DEV_ID(0),
		      HAULER_STATE_UP);
}

/*
 * A deleted device's TCP flow: a data segment is answered with a RST
 * (without ACK too: <ACK=SEQ+len>), a RST is dropped without an answer,
 * a SYN on the same ports is a new connection.
 */
static void test_gone_device_tcp_endings(void **state)
{
	const struct conn_case *c = *state;
	__u8 frame[DP_FRAME_MAX];
	struct frame_spec s;
	struct flow_key fk;
	struct conn conn;
	struct dp_out out;
	__u16 dev;

	two_servers(c->family, IPPROTO_TCP);
	spec_to_vip(&s, c->family, IPPROTO_TCP, 0);
	fk = spec_flow(&s);
	s.tcp_flags = TCPF_SYN;
	renew_device(c->family, send_fwd(&s));
	s.tcp_flags = TCPF_PSH;
	expect_reset(&s);
	assert_false(dp_conn_get(&fk, &conn) == 0);

	s.tcp_flags = TCPF_SYN;
	renew_device(c->family, send_fwd(&s));
	s.tcp_flags = TCPF_RST;
	assert_int_equal(dp_run(frame, build(&s, frame), &out), 0);
	assert_int_equal(out.verdict, XDP_DROP);
	assert_false(dp_conn_get(&fk, &conn) == 0);

	s.tcp_flags = TCPF_SYN;
	renew_device(c->family, send_fwd(&s));
	dev = send_fwd(&s);
	assert_int_equal(conn_device(&s), dev);
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 4);
	assert_int_equal(dp_stat(HAULER_STAT_conn_device_gone), 3);
	assert_int_equal(dp_stat(HAULER_STAT_reset_sent), 1);
}

/* Remove the entry of k, as the LRU takes one (a SYN flood cycling half_open, a full conns). */
static void evict(const struct flow_key *k)
{
	assert_int_equal(bpf_map_delete_elem(dp_map(dp_conn_map(k)), k), 0);
}

/*
 * two_servers, and the flow of s (c's family and protocol) opened
 * (open_flow): its device returned, r its device's reply (data, for TCP)
 * and *rk the reply's key.
 */
static __u16 open_nat_flow(const struct conn_case *c, struct frame_spec *s, struct frame_spec *r,
			   struct flow_key *rk)
{
	__u16 dev;

	two_servers(c->family, c->proto);
	spec_to_vip(s, c->family, c->proto, 0);
	dev = open_flow(s);
	spec_reply(r, s, dev - DP_DEV_ID(0));
	*rk = spec_flow(r);
	return dev;
}

/*
 * The return entry of a gone device is not followed: deleted and added
 * again at the same address (a new generation), the device's reply on
 * the old flow is not translated for the client: a TCP segment is
 * answered with a RST to the device, a datagram dropped; the entry goes.
 * The client's next segment is answered with a RST.
 */
static void test_gone_device_reply_not_translated(void **state)
{
	const struct conn_case *c = *state;
	struct frame_spec s, r;
	struct flow_key rk;
	struct conn conn;
	__u64 replies;
	__u16 dev;

	dev = open_nat_flow(c, &s, &r, &rk);
	replies = dp_stat(HAULER_STAT_nat_reply); /* the SYN-ACK's */
	renew_device(c->family, dev);
	expect_refused_reply(&r);
	assert_false(dp_conn_get(&rk, &conn) == 0);
	assert_int_equal(dp_stat(HAULER_STAT_nat_reply), replies);
	assert_int_equal(dp_stat(HAULER_STAT_conn_device_gone), 1);
	if (c->proto == IPPROTO_TCP)
		expect_reset(&s);
}

/*
 * A health check's on-down reset (user/health_daemon.c) ends a nat flow
 * while its device lives on: the client's entry goes, the return entry is
 * marked, and the device's next segments get a RST (so that it closes
 * too) and reach neither the client nor the kernel; UDP is dropped.
 * With the mark taken by the LRU too, the failed device's data gets no
 * entries back and is refused all the same, as on the compact table.
 * Past the RST linger the mark goes with the next packet.
 */
static void test_health_reset_refuses_replies(void **state)
{
	const struct conn_case *c = *state;
	__u8 frame[DP_FRAME_MAX];
	struct frame_spec s, r;
	struct flow_key fk, rk;
	struct device_info di;
	struct conn conn;
	struct dp_out out;
	const char *map;
	__u64 replies;
	__u32 id;

	id = open_nat_flow(c, &s, &r, &rk);
	fk = spec_flow(&s);
	replies = dp_stat(HAULER_STAT_nat_reply);
	dp_set_device_health(id, HAULER_HEALTH_FAILED);
	assert_int_equal(bpf_map_lookup_elem(dp_map("devices"), &id, &di), 0);
	assert_int_equal(health_conns_reset(dp_map("conns"), id, di.gen) +
			     health_conns_reset(dp_map("half_open"), id, di.gen),
			 2);
	assert_false(dp_conn_get(&fk, &conn) == 0);
	assert_int_equal(dp_conn_get(&rk, &conn), 0);
	assert_int_equal(conn.flags & HAULER_CONN_RESET, HAULER_CONN_RESET);
	/* Marked once: a second reset finds nothing more to end. */
	assert_int_equal(health_conns_reset(dp_map(dp_conn_map(&rk)), id, di.gen), 0);

	expect_refused_reply(&r);
	assert_int_equal(dp_stat(HAULER_STAT_conn_reset_reply), 1);
	assert_int_equal(dp_stat(HAULER_STAT_nat_reply), replies);
	assert_int_equal(dp_conn_get(&rk, &conn), 0);

	map = dp_conn_map(&rk);
	evict(&rk);
	expect_refused_reply(&r);
	assert_int_equal(dp_stat(HAULER_STAT_conn_reset_reply), 2);
	assert_int_equal(dp_stat(HAULER_STAT_nat_reply), replies);
	assert_int_equal(dp_conn_count(), 0);
	assert_int_equal(bpf_map_update_elem(dp_map(map), &rk, &conn, BPF_NOEXIST), 0);

	age_entry(&rk, 1500);
	assert_int_equal(dp_run(frame, build(&r, frame), &out), 0);
	assert_int_equal(out.verdict, XDP_PASS);
	assert_false(dp_conn_get(&rk, &conn) == 0);
	assert_int_equal(dp_stat(HAULER_STAT_conn_reset_reply), 2);
}

/* The other device of two_servers' first server than dev. */
static __u16 other_of(__u16 dev)
{
	return dev == DP_DEV_ID(0) ? DP_DEV_ID(1) : DP_DEV_ID(0);
}

/* Send r, a device's reply: passed untouched as no VIP's, nothing written. */
static void reply_passed(const struct frame_spec *r)
{
	__u8 frame[DP_FRAME_MAX];
	__u64 reasons = dp_reason_sum();
	int n = dp_conn_count();
	size_t len = build(r, frame);

	run_expect(frame, len, XDP_PASS, frame, len);
	assert_int_equal(dp_reason_sum(), reasons + 1);
	assert_int_equal(dp_stat(HAULER_STAT_pass_not_vip), 1);
	assert_int_equal(dp_conn_count(), n);
}

/* Send r, a device's reply, from the clients' side (the gateway's MAC): dropped, nothing written.
 */
static void reply_spoofed_dropped(const struct frame_spec *r)
{
	__u64 spoofed = dp_stat(HAULER_STAT_nat_reply_spoofed);
	int n = dp_conn_count();
	__u8 frame[DP_FRAME_MAX];
	struct frame_spec f = *r;
	struct dp_out out;

	memcpy(f.smac, dp_gw_mac, 6);
	assert_int_equal(dp_run(frame, build(&f, frame), &out), 0);
	assert_int_equal(out.verdict, XDP_DROP);
	assert_int_equal(dp_stat(HAULER_STAT_nat_reply_spoofed), spoofed + 1);
	assert_int_equal(dp_conn_count(), n);
}

/*
 * A SYN flood that cycles half_open within a round trip pushes a nat
 * handshake's reply entry out (docs/datapath.md, "Connections"): the
 * device's SYN-ACK is translated all the same, from the device table
 * and the client's half-open entry, which names that device
 * (reply_flow_entry); the reply entry is written again, the SYN-ACK
 * noted, and the client's ACK of it confirms the flow. An established
 * flow whose reply entry the LRU took from conns: the device's data goes
 * back, and the entry is in conns again.
 */
static void test_reply_entry_gone(void **state)
{
	const struct conn_case *c = *state;
	struct conn fc, rc;
	struct flow_key fk, rk;
	struct frame_spec s, r;
	__u16 dev;

	two_servers(c->family, IPPROTO_TCP);
	spec_to_vip(&s, c->family, IPPROTO_TCP, 0);
	fk = spec_flow(&s);
	dev = send_fwd(&s);
	spec_reply(&r, &s, dev - DP_DEV_ID(0));
	rk = spec_flow(&r);
	assert_int_equal(dp_conn_table(&rk), DP_HALF_OPEN);
	evict(&rk);

	nat_synack(&s, dev - DP_DEV_ID(0)); /* translated byte for byte */
	assert_int_equal(dp_stat(HAULER_STAT_nat_reply), 1);
	assert_int_equal(dp_stat(HAULER_STAT_pass_not_vip), 0);
	assert_int_equal(dp_conn_count(), 2);
	assert_int_equal(dp_conn_table(&rk), DP_HALF_OPEN);
	assert_int_equal(dp_conn_get(&fk, &fc), 0);
	assert_int_equal(dp_conn_get(&rk, &rc), 0);
	assert_int_equal(fc.flags, HAULER_CONN_SYNACK);
	assert_int_equal(fc.synack_ack, PKT_DEV_ISN + 1);
	assert_int_equal(rc.flags, HAULER_CONN_REPLY | HAULER_CONN_SYNACK);
	assert_int_equal(rc.device, dev);
	assert_int_equal(rc.dev_gen, fc.dev_gen);
	assert_int_equal(rc.vip_id, DP_VIP_ID);
	assert_int_equal(rc.fwd, HAULER_FWD_NAT + 1);

	s.tcp_flags = TCPF_ACK;
	assert_int_equal(send_fwd(&s), dev);
	assert_int_equal(dp_stat(HAULER_STAT_conn_promoted), 1);
	assert_int_equal(dp_conn_table(&fk), DP_CONNS);
	assert_int_equal(dp_conn_table(&rk), DP_CONNS);

	evict(&rk);
	reply_back(&s, dev - DP_DEV_ID(0), TCPF_ACK);
	assert_int_equal(dp_stat(HAULER_STAT_nat_reply), 2);
	assert_int_equal(dp_conn_table(&rk), DP_CONNS);
	assert_int_equal(dp_conn_get(&rk, &rc), 0);
	assert_int_equal(rc.flags, HAULER_CONN_REPLY);
	assert_int_equal(rc.device, dev);
	assert_int_equal(dp_conn_count(), 2);
	assert_int_equal(dp_stat(HAULER_STAT_conn_promoted), 1);
}

/*
 * Without its reply entry, a reply for a flow held on another device (of
 * the VIP, at another address) is not that flow's: passed untouched as
 * before, nothing written; so is one of a device at another address now
 * than the flow's. A reply from the flow's device that is not from the
 * next hop towards it is dropped, nothing written; one from the flow's
 * device after the id went to a new device at the same address (the
 * flow's device gone) is refused as a gone device's. The client's entry
 * stays for its own packets (a RST, test_gone_device_reply_not_translated).
 */
static void test_reply_entry_gone_refused(void **state)
{
	const struct conn_case *c = *state;
	__u16 dev;
	struct frame_spec s, r;
	struct flow_key fk, rk;
	struct conn fc, now;

	dev = open_nat_flow(c, &s, &r, &rk);
	fk = spec_flow(&s);
	evict(&rk);
	assert_int_equal(dp_conn_get(&fk, &fc), 0);

	spec_reply(&r, &s, other_of(dev) - DP_DEV_ID(0));
	r.tcp_flags = TCPF_ACK; /* with data: it would confirm a flow of its own */
	reply_passed(&r);
	assert_int_equal(dp_conn_get(&fk, &now), 0);
	assert_memory_equal(&now, &fc, sizeof(now));

	spec_reply(&r, &s, dev - DP_DEV_ID(0));
	r.tcp_flags = TCPF_ACK;
	reply_spoofed_dropped(&r);
	assert_int_equal(dp_conn_get(&fk, &now), 0);
	assert_memory_equal(&now, &fc, sizeof(now));

	renew_device(c->family, dev);
	expect_refused_reply(&r);
	assert_int_equal(dp_stat(HAULER_STAT_conn_device_gone), 1);
	assert_int_equal(dp_stat(HAULER_STAT_nat_reply), c->proto == IPPROTO_TCP ? 1 : 0);
	assert_int_equal(dp_conn_count(), 1);
	assert_false(dp_conn_get(&rk, &now) == 0);
}

/*
 * A reply from a nat device with neither entry (the flow decided without
 * state and its return entry pushed out, or both entries pushed out in a
 * flood): translated from the device's entry, as on the compact table.
 * Its bare ACK and RST write nothing (a device answering a forged ACK);
 * from elsewhere than its next hop it is dropped; its data, which it
 * sends only on a connection it holds, gives the flow both entries,
 * established, on that device.
 */
static void test_reply_without_entries(void **state)
{
	const struct conn_case *c = *state;
	__u16 dev = DP_DEV_ID(1);
	struct flow_key fk, rk;
	struct frame_spec s, r;
	struct conn conn;

	two_servers(c->family, c->proto);
	spec_to_vip(&s, c->family, c->proto, 0);
	s.tcp_flags = TCPF_ACK;
	fk = spec_flow(&s);
	spec_reply(&r, &s, dev - DP_DEV_ID(0));
	rk = spec_flow(&r);

	r.tcp_flags = TCPF_ACK;
	reply_spoofed_dropped(&r);

	if (c->proto == IPPROTO_TCP) {
		reply_back(&s, dev - DP_DEV_ID(0), TCPF_SYN | TCPF_ACK);
		r = s;
		r.payload_len = 0;
		reply_back(&r, dev - DP_DEV_ID(0), TCPF_ACK);
		reply_back(&r, dev - DP_DEV_ID(0), TCPF_RST | TCPF_ACK);
		assert_int_equal(dp_stat(HAULER_STAT_nat_reply), 3);
		assert_int_equal(dp_stat(HAULER_STAT_conn_closed), 0);
		assert_int_equal(dp_conn_count(), 0);
	}
	reply_back(&s, dev - DP_DEV_ID(0), TCPF_ACK);
	if (c->proto == IPPROTO_UDP) {
		/* A datagram proves nothing: the client's next one is decided anew. */
		assert_int_equal(dp_stat(HAULER_STAT_nat_reply), 1);
		assert_int_equal(dp_conn_count(), 0);
		return;
	}
	assert_int_equal(dp_stat(HAULER_STAT_nat_reply), 4);
	assert_int_equal(dp_stat(HAULER_STAT_conn_promoted), 1);
	assert_int_equal(dp_conn_count(), 2);
	assert_int_equal(dp_conn_table(&fk), DP_CONNS);
	assert_int_equal(dp_conn_table(&rk), DP_CONNS);
	assert_int_equal(dp_conn_get(&fk, &conn), 0);
	assert_int_equal(conn.device, dev);
	assert_int_equal(conn.flags, 0);
	assert_int_equal(conn.vip_id, DP_VIP_ID);
	assert_int_equal(conn.fwd, HAULER_FWD_NAT + 1);
	assert_int_equal(dp_conn_get(&rk, &conn), 0);
	assert_int_equal(conn.device, dev);
	assert_int_equal(conn.flags, HAULER_CONN_REPLY);

	/* The client's next segment follows it, on the fast path. */
	assert_int_equal(send_fwd(&s), dev);
	assert_int_equal(dp_stat(HAULER_STAT_conn_hit), 1);
	assert_int_equal(dp_stat(HAULER_STAT_conn_stateless), 0);
}

/* clang-format off */
#define CASE(fam, proto) (&(struct conn_case){ fam, proto })
#define BOTH(fn, proto)                                                                            \
	{ #fn " v4 " #proto, fn, dp_reset, NULL, CASE(4, proto) },                                 \
		{ #fn " v6 " #proto, fn, dp_reset, NULL, CASE(6, proto) }
/* clang-format on */

int main(void)
{
	const struct CMUnitTest tests[] = {
	    BOTH(test_new_then_established, IPPROTO_TCP),
	    BOTH(test_health_reset_refuses_replies, IPPROTO_TCP),
	    BOTH(test_health_reset_refuses_replies, IPPROTO_UDP),
	    BOTH(test_new_then_established, IPPROTO_UDP),
	    BOTH(test_drain_and_down_keep_flows, IPPROTO_TCP),
	    BOTH(test_syn_leaves_unusable_device, IPPROTO_TCP),
	    BOTH(test_fast_path_and_deleted_vip, IPPROTO_TCP),
	    BOTH(test_fast_path_reads_device_vip, IPPROTO_TCP),
	    BOTH(test_deleted_device_redecides, IPPROTO_UDP),
	    BOTH(test_rst_lingers, IPPROTO_TCP),
	    BOTH(test_spoofed_rst_keeps_live_flow, IPPROTO_TCP),
	    BOTH(test_fin_then_grace, IPPROTO_TCP),
	    BOTH(test_fin_half_closed_lives_on, IPPROTO_TCP),
	    BOTH(test_udp_idle_timeout, IPPROTO_UDP),
	    BOTH(test_udp_active_flow_stays, IPPROTO_UDP),
	    BOTH(test_udp_reply_lives_with_flow, IPPROTO_UDP),
	    BOTH(test_tcp_does_not_age, IPPROTO_TCP),
	    BOTH(test_reused_device_id_not_followed, IPPROTO_TCP),
	    BOTH(test_reused_device_id_not_followed, IPPROTO_UDP),
	    BOTH(test_reused_id_same_server_not_followed, IPPROTO_TCP),
	    BOTH(test_reused_id_same_server_not_followed, IPPROTO_UDP),
	    BOTH(test_gone_device_tcp_endings, IPPROTO_TCP),
	    BOTH(test_gone_device_reply_not_translated, IPPROTO_TCP),
	    BOTH(test_gone_device_reply_not_translated, IPPROTO_UDP),
	    BOTH(test_reply_entry_gone, IPPROTO_TCP),
	    BOTH(test_reply_entry_gone_refused, IPPROTO_TCP),
	    BOTH(test_reply_entry_gone_refused, IPPROTO_UDP),
	    BOTH(test_reply_without_entries, IPPROTO_TCP),
	    BOTH(test_reply_without_entries, IPPROTO_UDP),
	};

	return cmocka_run_group_tests(tests, dp_setup, dp_teardown);
}
