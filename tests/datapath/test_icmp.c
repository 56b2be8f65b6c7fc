// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_icmp.c - ICMP errors about VIP flows and the balancer's own "too
 * big" (bpf/icmp.h): an error quoting a flow goes to the flow's device
 * (ipip: encapsulated; nat: translated, every checksum right), a nat
 * device's error goes back to its client as from the VIP, and an
 * encapsulated packet above the MTU is answered with "fragmentation
 * needed" / "packet too big". Expected frames are built from scratch here
 * (checksums computed whole), never by patching the input. Bad errors
 * (truncated, unknown flow, misaddressed) are counted and change no entry.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <netinet/in.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <cmocka.h>
#include "ctable/ct_slot.h"
#include "frames.h"

#define ROUTER_N 9 /* a router on the clients' side: dp_client_addr(family, ROUTER_N) */

/* The ICMP error every test sends: who sends it, to whom, and what it says. */
struct icmp_spec {
	__u8 dmac[6], smac[6];
	int family, vlan;
	__u32 src[4], dst[4];
	__u8 type, code;
	__u32 info; /* the word after the checksum (MTU, or 0) */
	const __u8 *quote;
	size_t quote_len;
};

/* Build the error into buf, every checksum from scratch; returns its length. */
static size_t icmp_build(const struct icmp_spec *s, __u8 *buf)
{
	size_t l3 = 14 + (s->vlan ? 4 : 0), hl = s->family == 4 ? 20 : 40;
	size_t ilen = 8 + s->quote_len, total = l3 + hl + ilen;
	__u8 *ip = buf + l3, *ic = ip + hl;
	__u32 sum;

	assert_true(total <= DP_FRAME_MAX);
	memset(buf, 0, total);
	memcpy(buf, s->dmac, 6);
	memcpy(buf + 6, s->smac, 6);
	if (s->vlan) {
		put16(buf + 12, 0x8100);
		put16(buf + 14, TEST_VLAN_TCI);
	}
	put16(buf + l3 - 2, s->family == 4 ? 0x0800 : 0x86dd);
	ic[0] = s->type;
	ic[1] = s->code;
	put32(ic + 4, s->info);
	memcpy(ic + 8, s->quote, s->quote_len);
	if (s->family == 4) {
		ip[0] = 0x45;
		put16(ip + 2, hl + ilen);
		ip[8] = 60;
		ip[9] = IPPROTO_ICMP;
		memcpy(ip + 12, s->src, 4);
		memcpy(ip + 16, s->dst, 4);
		put16(ip + 10, inet_fold(inet_sum(ip, 20, 0)) ^ 0xffff);
		sum = 0;
	} else {
		__u8 ph[8] = {0};

		put32(ip, 0x60000000u);
		put16(ip + 4, ilen);
		ip[6] = IPPROTO_ICMPV6;
		ip[7] = 60;
		memcpy(ip + 8, s->src, 16);
		memcpy(ip + 24, s->dst, 16);
		put32(ph, ilen);
		ph[7] = IPPROTO_ICMPV6;
		sum = inet_sum(ip + 8, 32, inet_sum(ph, 8, 0));
	}
	put16(ic + 2, inet_fold(inet_sum(ic, ilen, sum)) ^ 0xffff);
	return total;
}

/*
 * The tests run with either connection table: the LRU maps (conns and
 * half_open), or the compact table (the "compact" cases: ct_setup).
 */
static int compact;

static int reset_rate(void **state);

static int ct_setup(void **state)
{
	compact = 1;
	return reset_rate(state);
}

static int ct_teardown(void **state)
{
	(void)state;
	compact = 0;
	return 0;
}

/* Entries of the table in use. */
static int entries(void)
{
	return compact ? dp_ct_count() : dp_conn_count();
}

/*
 * The client's flow of case c, set up in mode on ndev devices, with its
 * first packet sent; returns the index of the flow's device (0 of one).
 */
static int open_flow_on(const struct dp_case *c, __u8 mode, int ndev, struct frame_spec *fwd)
{
	__u8 frame[DP_FRAME_MAX];
	struct flow_key k;
	struct dp_out out;
	struct conn conn;
	__u64 slot;

	dp_simple_vip(c->family, c->proto, mode, ndev);
	if (compact)
		dp_ct_use(1);
	spec_to_vip(fwd, c->family, c->proto, c->vlan);
	assert_int_equal(dp_run(frame, build(fwd, frame), &out), 0);
	assert_int_equal(out.verdict, XDP_TX);
	/* nat, LRU tables: the flow's entry and its reply's; the compact table: the flow's only. */
	assert_int_equal(entries(), mode == HAULER_FWD_NAT && !compact ? 2 : 1);
	if (compact)
		assert_int_equal(dp_conn_count(), 0);
	dp_stats_zero();
	k = spec_flow(fwd);
	if (compact) {
		assert_int_equal(dp_ct_get(&k, &slot), 0);
		return ct_slot_device(slot) - DP_DEV_ID(0);
	}
	assert_int_equal(dp_conn_get(&k, &conn), 0);
	return conn.device - DP_DEV_ID(0);
}

/* The client's flow of case c, set up in mode on device 0, with its first packet sent. */
static void open_flow(const struct dp_case *c, __u8 mode, struct frame_spec *fwd)
{
	assert_int_equal(open_flow_on(c, mode, 1, fwd), 0);
}

/*
 * What the device sent the client, as the client sees it (from the VIP),
 * or as it left the device in nat mode (from the device): the packet an
 * error from the client's side quotes. quote_len 0: all of it.
 */
static size_t reply_packet(const struct frame_spec *fwd, int from_vip, __u8 *pkt)
{
	struct frame_spec r, e;
	__u8 frame[DP_FRAME_MAX];
	size_t len, l3;

	spec_reply(&r, fwd, 0);
	spec_reply_expected(&e, &r, fwd);
	len = build(from_vip ? &e : &r, frame);
	l3 = frame_l3_off(&r);
	memcpy(pkt, frame + l3, len - l3);
	return len - l3;
}

/* The client's packet as it left the balancer for device n in nat mode (or as sent). */
static size_t fwd_packet_to(const struct frame_spec *fwd, int n, int to_device, __u8 *pkt)
{
	struct frame_spec e;
	__u8 frame[DP_FRAME_MAX];
	size_t len, l3 = frame_l3_off(fwd);

	spec_nat_expected(&e, fwd, n);
	len = build(to_device ? &e : fwd, frame);
	memcpy(pkt, frame + l3, len - l3);
	return len - l3;
}

/* An error from a router on the clients' side to the VIP, quoting q. */
static void router_error(struct icmp_spec *s, const struct dp_case *c, const __u8 *q, size_t qlen)
{
	struct dp_addr router = dp_client_addr(c->family, ROUTER_N), vip = dp_vip_addr(c->family);

	memset(s, 0, sizeof(*s));
	memcpy(s->dmac, dp_lb_mac, 6);
	memcpy(s->smac, dp_gw_mac, 6);
	s->family = c->family;
	s->vlan = c->vlan;
	memcpy(s->src, router.a, 16);
	memcpy(s->dst, vip.a, 16);
	/* IPv4: fragmentation needed, MTU 1400; IPv6: packet too big, 1400. */
	s->type = c->family == 4 ? 3 : 2;
	s->code = c->family == 4 ? 4 : 0;
	s->info = 1400;
	s->quote = q;
	s->quote_len = qlen;
}

/* Snapshot of the connection table in use, to show an error changed nothing. */
struct conn_snap {
	int count;
	struct conn c;
	__u64 slot;
};

static void snap(const struct frame_spec *fwd, struct conn_snap *s)
{
	struct flow_key k = spec_flow(fwd);

	s->count = entries();
	memset(&s->c, 0, sizeof(s->c));
	dp_conn_get(&k, &s->c);
	s->slot = 0;
	dp_ct_get(&k, &s->slot);
}

static void assert_unchanged(const struct frame_spec *fwd, const struct conn_snap *before)
{
	struct conn_snap now;

	snap(fwd, &now);
	assert_int_equal(now.count, before->count);
	assert_memory_equal(&now.c, &before->c, sizeof(now.c));
	assert_true(now.slot == before->slot);
}

/* The ICMP counters other than the one expected stay 0. */
static void assert_icmp_counts(__u32 which)
{
	static const __u32 all[] = {
	    HAULER_STAT_icmp_to_device, HAULER_STAT_icmp_to_client, HAULER_STAT_icmp_unknown,
	    HAULER_STAT_icmp_malformed, HAULER_STAT_icmp_forged,    HAULER_STAT_icmp_tunnel_too_big,
	    HAULER_STAT_icmp_spoofed,
	};
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		assert_int_equal(dp_stat(all[i]), all[i] == which);
}

/* ipip: the router's error, byte for byte, encapsulated to the flow's device. */
static void test_error_to_ipip_device(void **state)
{
	const struct dp_case *c = *state;
	__u8 q[DP_FRAME_MAX], frame[DP_FRAME_MAX], want[DP_FRAME_MAX];
	struct dp_addr src4 = dp_lb_addr(4), vip = dp_vip_addr(c->family);
	struct frame_spec fwd, as;
	struct icmp_spec e;
	struct conn_snap before;
	struct flow_key fk;
	struct dp_out out;
	size_t qlen, len, wlen;

	open_flow(c, HAULER_FWD_IPIP, &fwd);
	snap(&fwd, &before);
	qlen = reply_packet(&fwd, 1, q);
	router_error(&e, c, q, qlen);
	len = icmp_build(&e, frame);

	/* The expected encapsulation: as for the flow's own packets. */
	frame_spec_init(&as, c->family, IPPROTO_ICMP);
	as.vlan_tpid = c->vlan ? 0x8100 : 0;
	fk = spec_flow(&fwd);
	wlen = expect_encap(&as, frame, len, 0, c->family == 4 ? src4.a : vip.a, &fk, want);
	assert_int_equal(dp_run(frame, len, &out), 0);
	assert_int_equal(out.verdict, XDP_TX);
	assert_frame_equal(want, wlen, &out);
	assert_frame_valid(&out);
	assert_icmp_counts(HAULER_STAT_icmp_to_device);
	assert_unchanged(&fwd, &before);
}

/*
 * nat: to the device, translated: the outer destination and the quoted
 * source become the device's address (and port), as the device sent it.
 * full: the whole packet quoted (its TCP checksum too), else IP + 8 bytes.
 */
static void error_to_nat_device(const struct dp_case *c, int full)
{
	__u8 q[DP_FRAME_MAX], qd[DP_FRAME_MAX], frame[DP_FRAME_MAX], want[DP_FRAME_MAX];
	struct dp_addr dev = dp_dev_addr(c->family, 0);
	size_t qlen, len, wlen, hl = c->family == 4 ? 20 : 40;
	struct frame_spec fwd;
	struct icmp_spec e, w;
	struct conn_snap before;
	struct dp_out out;

	open_flow(c, HAULER_FWD_NAT, &fwd);
	snap(&fwd, &before);
	qlen = reply_packet(&fwd, 1, q);
	reply_packet(&fwd, 0, qd);
	if (!full)
		qlen = hl + 8;
	router_error(&e, c, q, qlen);
	len = icmp_build(&e, frame);

	w = e;
	dp_dev_mac(0, w.dmac);
	memcpy(w.smac, dp_lb_mac, 6);
	memcpy(w.dst, dev.a, 16);
	w.quote = qd;
	wlen = icmp_build(&w, want);
	assert_int_equal(dp_run(frame, len, &out), 0);
	assert_int_equal(out.verdict, XDP_TX);
	assert_frame_equal(want, wlen, &out);
	assert_frame_valid(&out);
	assert_icmp_counts(HAULER_STAT_icmp_to_device);
	assert_unchanged(&fwd, &before);
}

static void test_error_to_nat_device(void **state)
{
	error_to_nat_device(*state, 1);
}

static void test_error_to_nat_device_short_quote(void **state)
{
	error_to_nat_device(*state, 0);
}

/* Where error_to_client's error comes in from. */
enum {
	FROM_DEVICE_SIDE, /* the balancer's next hop towards the device, on its interface */
	FROM_CLIENT_MAC,  /* the clients' router's MAC */
	FROM_OTHER_IF,	  /* the device's MAC, but in on the other interface */
};

/*
 * Send frame, expect verdict with want out (valid, when sent), counted as
 * which (0: none; no other ICMP counter, no RST sent for an error), no
 * entry of fwd's table changed.
 */
static void expect_out(const struct frame_spec *fwd, const __u8 *frame, size_t len, int verdict,
		       const __u8 *want, size_t wlen, __u32 which)
{
	struct conn_snap before;
	struct dp_out out;

	snap(fwd, &before);
	assert_int_equal(dp_run(frame, len, &out), 0);
	assert_int_equal(out.verdict, verdict);
	assert_frame_equal(want, wlen, &out);
	if (verdict == XDP_TX)
		assert_frame_valid(&out);
	assert_icmp_counts(which);
	if (which)
		assert_int_equal(dp_stat(which), 1);
	assert_int_equal(dp_stat(HAULER_STAT_reset_sent), 0);
	assert_unchanged(fwd, &before);
	dp_stats_zero();
}

/* Send frame, expect it passed or dropped unchanged, counted as which, no entry changed. */
static void expect_refused(const struct frame_spec *fwd, const __u8 *frame, size_t len, int verdict,
			   __u32 which)
{
	expect_out(fwd, frame, len, verdict, frame, len, which);
}

/*
 * Device n's own error (port unreachable; from_device), or a router's on
 * its side, about the client's packet of fwd as the balancer sent it to
 * device n, in from where into frame (*len); what the client gets, from
 * the VIP with the quoted destination the VIP's (a router's keeps its own
 * source), into want. Returns want's length.
 */
static size_t client_error(const struct dp_case *c, const struct frame_spec *fwd, int n,
			   int from_device, int where, __u8 *frame, size_t *len, __u8 *want)
{
	__u8 q[DP_FRAME_MAX], qc[DP_FRAME_MAX];
	struct dp_addr dev = dp_dev_addr(c->family, n), vip = dp_vip_addr(c->family);
	struct dp_addr router = dp_unresolved_addr(c->family);
	struct icmp_spec e, w;
	size_t qlen;

	qlen = fwd_packet_to(fwd, n, 1, q);
	fwd_packet_to(fwd, n, 0, qc);
	memset(&e, 0, sizeof(e));
	memcpy(e.dmac, dp_lb_mac, 6);
	if (where == FROM_CLIENT_MAC)
		memcpy(e.smac, dp_gw_mac, 6);
	else
		dp_dev_mac(n, e.smac);
	e.family = c->family;
	e.vlan = c->vlan;
	memcpy(e.src, from_device ? dev.a : router.a, 16);
	memcpy(e.dst, fwd->src, 16);
	e.type = c->family == 4 ? 3 : 1; /* port unreachable */
	e.code = c->family == 4 ? 3 : 4;
	e.quote = q;
	e.quote_len = qlen;
	*len = icmp_build(&e, frame);

	w = e;
	memcpy(w.dmac, dp_gw_mac, 6);
	memcpy(w.smac, dp_lb_mac, 6);
	if (from_device)
		memcpy(w.src, vip.a, 16);
	w.quote = qc;
	return icmp_build(&w, want);
}

/* Send client_error's frame: it must reach the client as want, nothing written. */
static void expect_to_client(const struct frame_spec *fwd, const __u8 *frame, size_t len,
			     const __u8 *want, size_t wlen)
{
	expect_out(fwd, frame, len, XDP_TX, want, wlen, HAULER_STAT_icmp_to_client);
}

/*
 * A nat device's own error (port unreachable) about the client's packet:
 * back to the client from the VIP, the quoted destination the VIP's. A
 * router's error on the devices' side keeps its own source. From anywhere
 * but the device's side (where): dropped as it came, counted
 * (icmp_spoofed), nothing written, as a nat reply would be.
 */
static void error_to_client(const struct dp_case *c, int from_device, int where)
{
	__u8 frame[DP_FRAME_MAX], want[DP_FRAME_MAX];
	struct frame_spec fwd;
	struct conn_snap before;
	struct dp_out out;
	size_t len, wlen;

	open_flow(c, HAULER_FWD_NAT, &fwd);
	wlen = client_error(c, &fwd, 0, from_device, where, frame, &len, want);
	if (where == FROM_DEVICE_SIDE) {
		expect_to_client(&fwd, frame, len, want, wlen);
		return;
	}
	snap(&fwd, &before);
	assert_int_equal(
	    dp_run_in(frame, len, where == FROM_OTHER_IF ? dp_ifindex2 : dp_ifindex, &out), 0);
	assert_int_equal(out.verdict, XDP_DROP);
	assert_frame_equal(frame, len, &out);
	assert_icmp_counts(HAULER_STAT_icmp_spoofed);
	assert_int_equal(dp_stat(HAULER_STAT_nat_reply_spoofed), 0);
	assert_unchanged(&fwd, &before);
}

static void test_error_to_client(void **state)
{
	error_to_client(*state, 1, FROM_DEVICE_SIDE);
}

static void test_router_error_to_client(void **state)
{
	error_to_client(*state, 0, FROM_DEVICE_SIDE);
}

/* The device's error from its own MAC, but in on the other interface. */
static void test_error_to_client_spoofed(void **state)
{
	error_to_client(*state, 1, FROM_OTHER_IF);
}

/* A router's error on the devices' side, its frame from the clients' router's MAC. */
static void test_router_error_to_client_spoofed(void **state)
{
	error_to_client(*state, 0, FROM_CLIENT_MAC);
}

/* Remove the LRU entry of k, as the LRU takes one (a SYN flood cycling half_open). */
static void evict(const struct flow_key *k)
{
	assert_int_equal(bpf_map_delete_elem(dp_map(dp_conn_map(k)), k), 0);
}

/*
 * LRU tables: a nat device's error about its client's packet after a
 * flood took the flow's reply entry goes back to the client all the
 * same, byte for byte, by a reply's rules (reply_vip, reply_flow_entry):
 * the client's entry names that device. Nothing is written (the reply
 * entry stays gone). The other device of the VIP, at another address,
 * with its own error quoting the client's port: not the flow's, passed
 * untouched. With the client's entry gone too, the device's error is
 * translated from the device's entry alone, as its reply would be; once
 * the device failed its health check it is passed untouched.
 */
static void test_error_to_client_entry_gone(void **state)
{
	const struct dp_case *c = *state;
	__u8 frame[DP_FRAME_MAX], want[DP_FRAME_MAX];
	struct frame_spec fwd, r;
	struct flow_key fk, rk;
	size_t len, wlen;
	int n;

	n = open_flow_on(c, HAULER_FWD_NAT, 2, &fwd);
	fk = spec_flow(&fwd);
	spec_reply(&r, &fwd, n);
	rk = spec_flow(&r);
	evict(&rk);
	assert_int_equal(dp_conn_count(), 1);

	wlen = client_error(c, &fwd, n, 1, FROM_DEVICE_SIDE, frame, &len, want);
	expect_to_client(&fwd, frame, len, want, wlen);
	wlen = client_error(c, &fwd, n, 0, FROM_DEVICE_SIDE, frame, &len, want);
	expect_to_client(&fwd, frame, len, want, wlen);
	assert_int_equal(dp_conn_table(&rk), -1);

	client_error(c, &fwd, 1 - n, 1, FROM_DEVICE_SIDE, frame, &len, want);
	expect_refused(&fwd, frame, len, XDP_PASS, HAULER_STAT_icmp_unknown);

	evict(&fk);
	assert_int_equal(dp_conn_count(), 0);
	wlen = client_error(c, &fwd, n, 1, FROM_DEVICE_SIDE, frame, &len, want);
	expect_to_client(&fwd, frame, len, want, wlen);
	assert_int_equal(dp_conn_count(), 0);
	dp_set_device_health(DP_DEV_ID(n), HAULER_HEALTH_FAILED);
	expect_refused(&fwd, frame, len, XDP_PASS, HAULER_STAT_icmp_unknown);
}

/* The LRU entry of k, which must be there. */
static struct conn entry_of(const struct flow_key *k)
{
	struct conn c;

	assert_int_equal(bpf_map_lookup_elem(dp_map(dp_conn_map(k)), k, &c), 0);
	return c;
}

/* Rewrite the LRU entry of k, which must be there. */
static void entry_put(const struct flow_key *k, const struct conn *c)
{
	assert_int_equal(bpf_map_update_elem(dp_map(dp_conn_map(k)), k, c, BPF_EXIST), 0);
}

/* Now as the datapath reads it (bpf_ktime_get_coarse_ns). */
static __u64 now_ns(void)
{
	struct timespec ts;

	assert_int_equal(clock_gettime(CLOCK_MONOTONIC_COARSE, &ts), 0);
	return (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* The test's clock: the state of k (LRU entry, or compact slot) last seen ms ago. */
static void age_flow(const struct flow_key *k, __u32 ms)
{
	struct conn c;
	__u64 s = 0;

	if (compact) {
		assert_int_equal(dp_ct_get(k, &s), 0);
		dp_ct_set(k,
			  ct_slot_with(s, ct_slot_flags(s), ct_slot_tick(s) - ct_ticks_of_ms(ms)));
		return;
	}
	c = entry_of(k);
	c.last_seen_ns = now_ns() - (__u64)ms * 1000000ull;
	entry_put(k, &c);
}

/* Send frame: passed untouched (icmp_unknown), no entry changed, nor reply entry rk (LRU). */
static void expect_unknown(const struct frame_spec *fwd, const struct flow_key *rk,
			   const __u8 *frame, size_t len)
{
	struct conn before, after;
	int had = !compact && !dp_conn_get(rk, &before);

	expect_refused(fwd, frame, len, XDP_PASS, HAULER_STAT_icmp_unknown);
	if (compact)
		return;
	assert_int_equal(!dp_conn_get(rk, &after), had);
	if (had)
		assert_memory_equal(&after, &before, sizeof(after));
}

/*
 * LRU tables: a health check's on-down reset (user/health_daemon.c:
 * the client's entry removed, the reply entry marked CONN_RESET) ends a
 * nat flow whose device still holds it: nat_return refuses the device's
 * reply (reply_refused), so an error about the flow, the device's or a
 * router's on its side, is not translated for the client either: passed
 * untouched (icmp_unknown), the marked entry kept as it was, also past
 * its linger (where the reply deletes it; an error writes nothing).
 */
static void test_error_to_client_reset(void **state)
{
	const struct dp_case *c = *state;
	__u8 frame[DP_FRAME_MAX], want[DP_FRAME_MAX];
	struct frame_spec fwd, r;
	struct flow_key fk, rk;
	struct conn e;
	size_t len;

	open_flow(c, HAULER_FWD_NAT, &fwd);
	fk = spec_flow(&fwd);
	spec_reply(&r, &fwd, 0);
	rk = spec_flow(&r);
	dp_set_device_health(DP_DEV_ID(0), HAULER_HEALTH_FAILED);
	e = entry_of(&rk);
	e.flags |= HAULER_CONN_RESET | HAULER_CONN_RST;
	e.last_seen_ns = now_ns();
	entry_put(&rk, &e);
	evict(&fk);
	assert_int_equal(dp_conn_count(), 1);

	client_error(c, &fwd, 0, 1, FROM_DEVICE_SIDE, frame, &len, want);
	expect_unknown(&fwd, &rk, frame, len);
	client_error(c, &fwd, 0, 0, FROM_DEVICE_SIDE, frame, &len, want);
	expect_unknown(&fwd, &rk, frame, len);

	age_flow(&rk, 1500); /* past the RST linger (1000 ms) */
	client_error(c, &fwd, 0, 1, FROM_DEVICE_SIDE, frame, &len, want);
	expect_unknown(&fwd, &rk, frame, len);
}

/*
 * A UDP flow that ended (udp_timeout_ms idle; its state not yet reused):
 * the device's reply is passed (nat_return, ct_nat_return), so is an
 * error about it, the device's or a router's, on both tables: untouched
 * (icmp_unknown), nothing written. LRU: with its reply entry, and without
 * it (the client's entry decides, reply_flow_entry).
 */
static void test_error_to_client_udp_ended(void **state)
{
	const struct dp_case *c = *state;
	__u8 frame[DP_FRAME_MAX], want[DP_FRAME_MAX];
	struct frame_spec fwd, r;
	struct flow_key fk, rk;
	size_t len;

	open_flow(c, HAULER_FWD_NAT, &fwd);
	fk = spec_flow(&fwd);
	spec_reply(&r, &fwd, 0);
	rk = spec_flow(&r);
	age_flow(&fk, 31000); /* past the udp timeout (30 s) */
	if (!compact)
		age_flow(&rk, 31000);

	client_error(c, &fwd, 0, 1, FROM_DEVICE_SIDE, frame, &len, want);
	expect_unknown(&fwd, &rk, frame, len);
	client_error(c, &fwd, 0, 0, FROM_DEVICE_SIDE, frame, &len, want);
	expect_unknown(&fwd, &rk, frame, len);
	if (compact)
		return;
	evict(&rk);
	client_error(c, &fwd, 0, 1, FROM_DEVICE_SIDE, frame, &len, want);
	expect_unknown(&fwd, &rk, frame, len);
	assert_int_equal(dp_conn_count(), 1);
}

/* Send frame: dropped as it came, counted as a gone device's reply (conn_device_gone). */
static void expect_gone(const struct frame_spec *fwd, const __u8 *frame, size_t len)
{
	expect_refused(fwd, frame, len, XDP_DROP, HAULER_STAT_conn_device_gone);
}

/*
 * A nat device deleted while its flow lives: its late reply is refused
 * as a gone device's (nat_return, ct_nat_return), and so is an error
 * about the flow's packet to it, the device's own or a router's on its
 * side: dropped, counted as that reply (conn_device_gone), nothing
 * written, not passed to the kernel, which forwarded it to the client
 * with the device's address. LRU tables: by the reply entry that names
 * the gone device, then, with it gone, by the address's dev_addrs
 * tombstone; the compact table: by the tombstone. An error about the
 * balancer's own packet (a health check's) is passed, as the device's
 * late answer to it is. With the tombstone swept, the error is passed as
 * no flow's (icmp_unknown); a new device at the address makes the old
 * flow's error a gone binding's (ct_reply_bound): dropped again.
 */
static void test_error_to_client_tomb(void **state)
{
	const struct dp_case *c = *state;
	__u8 frame[DP_FRAME_MAX], want[DP_FRAME_MAX];
	struct dp_addr lb = dp_lb_addr(c->family);
	__u16 devs[] = {DP_DEV_ID(3)};
	struct frame_spec fwd, r, own;
	struct flow_key rk;
	size_t len;
	int dev;

	open_flow(c, HAULER_FWD_NAT, &fwd);
	spec_reply(&r, &fwd, 0);
	rk = spec_flow(&r);
	dp_del_device(DP_DEV_ID(0));
	for (dev = 1; dev >= 0; dev--) {
		client_error(c, &fwd, 0, dev, FROM_DEVICE_SIDE, frame, &len, want);
		expect_gone(&fwd, frame, len);
	}
	if (!compact) {
		evict(&rk);
		for (dev = 1; dev >= 0; dev--) {
			client_error(c, &fwd, 0, dev, FROM_DEVICE_SIDE, frame, &len, want);
			expect_gone(&fwd, frame, len);
		}
	}
	own = fwd;
	memcpy(own.src, lb.a, 16);
	client_error(c, &own, 0, 1, FROM_DEVICE_SIDE, frame, &len, want);
	expect_refused(&fwd, frame, len, XDP_PASS, HAULER_STAT_icmp_unknown);

	assert_int_equal(dp_tombs_sweep(UINT32_MAX, 0), 1);
	client_error(c, &fwd, 0, 1, FROM_DEVICE_SIDE, frame, &len, want);
	expect_refused(&fwd, frame, len, XDP_PASS, HAULER_STAT_icmp_unknown);

	dp_add_device(DP_DEV_ID(3), c->family, 0, DP_SERVER, 0, HAULER_STATE_UP);
	dp_add_server(DP_SERVER, DP_VIP_ID, devs, 1);
	client_error(c, &fwd, 0, 1, FROM_DEVICE_SIDE, frame, &len, want);
	expect_gone(&fwd, frame, len);
}

/*
 * A nat device's error about a packet the balancer's own socket sent it
 * (a health check of its service port): to the balancer itself, passed
 * untouched for its socket on both tables, nothing written, as the
 * device's answer to that socket is (reply_forwarded).
 */
static void test_error_to_balancer(void **state)
{
	const struct dp_case *c = *state;
	__u8 frame[DP_FRAME_MAX], want[DP_FRAME_MAX];
	struct dp_addr lb = dp_lb_addr(c->family);
	struct frame_spec fwd, own;
	size_t len;

	open_flow(c, HAULER_FWD_NAT, &fwd);
	own = fwd;
	memcpy(own.src, lb.a, 16);
	/* The device's own error, and a router's on its side. */
	client_error(c, &own, 0, 1, FROM_DEVICE_SIDE, frame, &len, want);
	expect_refused(&fwd, frame, len, XDP_PASS, HAULER_STAT_icmp_unknown);
	client_error(c, &own, 0, 0, FROM_DEVICE_SIDE, frame, &len, want);
	expect_refused(&fwd, frame, len, XDP_PASS, HAULER_STAT_icmp_unknown);
}

/* Errors about no flow the balancer holds: passed, counted, nothing written. */
static void test_error_unknown(void **state)
{
	const struct dp_case *c = *state;
	__u8 q[DP_FRAME_MAX], frame[DP_FRAME_MAX];
	struct frame_spec fwd, other;
	struct icmp_spec e;
	size_t qlen;

	open_flow(c, HAULER_FWD_NAT, &fwd);
	/* Another client port: no entry. */
	other = fwd;
	other.sport = 40001;
	qlen = reply_packet(&other, 1, q);
	router_error(&e, c, q, qlen);
	expect_refused(&fwd, frame, icmp_build(&e, frame), XDP_PASS, HAULER_STAT_icmp_unknown);
	/* Its device deleted: the flow is no longer held. */
	qlen = reply_packet(&fwd, 1, q);
	router_error(&e, c, q, qlen);
	dp_del_device(DP_DEV_ID(0));
	expect_refused(&fwd, frame, icmp_build(&e, frame), XDP_PASS, HAULER_STAT_icmp_unknown);
}

/* An error about a held flow sent elsewhere than to the VIP: dropped, nothing written. */
static void test_error_forged(void **state)
{
	const struct dp_case *c = *state;
	__u8 q[DP_FRAME_MAX], frame[DP_FRAME_MAX];
	struct dp_addr lb = dp_lb_addr(c->family);
	struct frame_spec fwd;
	struct icmp_spec e;
	size_t qlen;

	open_flow(c, HAULER_FWD_IPIP, &fwd);
	qlen = reply_packet(&fwd, 1, q);
	router_error(&e, c, q, qlen);
	memcpy(e.dst, lb.a, 16);
	expect_refused(&fwd, frame, icmp_build(&e, frame), XDP_DROP, HAULER_STAT_icmp_forged);
}

/* Truncated or unreadable errors: passed, counted, nothing written. */
static void test_error_malformed(void **state)
{
	const struct dp_case *c = *state;
	size_t hl = c->family == 4 ? 20 : 40, l3 = 14 + (c->vlan ? 4 : 0), len, qlen;
	__u8 q[DP_FRAME_MAX], frame[DP_FRAME_MAX];
	struct frame_spec fwd;
	struct icmp_spec e;

	open_flow(c, HAULER_FWD_NAT, &fwd);
	qlen = reply_packet(&fwd, 1, q);
	router_error(&e, c, q, qlen);

	/* Quoted ports cut short: IP header and 7 bytes. */
	e.quote_len = hl + 7;
	expect_refused(&fwd, frame, icmp_build(&e, frame), XDP_PASS, HAULER_STAT_icmp_malformed);
	/* No quoted IP header at all: the ICMP header alone (lengths kept consistent). */
	e.quote_len = 0;
	expect_refused(&fwd, frame, icmp_build(&e, frame), XDP_PASS, HAULER_STAT_icmp_malformed);
	/* The ICMP header itself cut: 4 of its 8 bytes in the frame. */
	e.quote_len = qlen;
	len = icmp_build(&e, frame);
	assert_true(len > l3 + hl + 4);
	expect_refused(&fwd, frame, l3 + hl + 4, XDP_PASS, HAULER_STAT_icmp_malformed);
	/* A quoted header of the wrong version. */
	q[0] = c->family == 4 ? 0x65 : 0x45;
	expect_refused(&fwd, frame, icmp_build(&e, frame), XDP_PASS, HAULER_STAT_icmp_malformed);
}

/* ICMP that is not an error (an echo request) is passed as before. */
static void test_echo_passed(void **state)
{
	const struct dp_case *c = *state;
	struct frame_spec fwd, s;
	__u8 frame[DP_FRAME_MAX];
	size_t len;

	open_flow(c, HAULER_FWD_NAT, &fwd);
	spec_to_vip(&s, c->family, c->family == 4 ? IPPROTO_ICMP : IPPROTO_ICMPV6, c->vlan);
	len = build(&s, frame);
	expect_refused(&fwd, frame, len, XDP_PASS, 0);
	/* expect_refused zeroed the stats after checking: send again to see the counter. */
	{
		struct dp_out out;

		assert_int_equal(dp_run(frame, len, &out), 0);
		assert_int_equal(dp_stat(HAULER_STAT_pass_not_l4), 1);
	}
}

/* Empty the too-big rate window of every CPU, so earlier tests leave no budget used. */
static int reset_rate(void **state)
{
	int n = libbpf_num_possible_cpus(), fd;
	__u32 zero = 0;
	void *v;

	dp_reset(state);
	fd = dp_map("too_big_rate");
	v = calloc(n, 16);
	assert_non_null(v);
	assert_int_equal(bpf_map_update_elem(fd, &zero, v, BPF_ANY), 0);
	free(v);
	return 0;
}

/* A client packet that fills the 1500-byte MTU: too big once encapsulated. */
static size_t big_packet(const struct dp_case *c, struct frame_spec *s, int df, __u8 *frame)
{
	static __u8 big[1500];

	spec_to_vip(s, c->family, c->proto, c->vlan);
	s->frag_off = df ? 0x4000 : 0;
	s->payload = big;
	s->payload_len = 1500 - (c->family == 4 ? 20 : 40) - (c->proto == IPPROTO_TCP ? 20 : 8);
	return build(s, frame);
}

/*
 * The balancer's "fragmentation needed" (IPv4) / "packet too big" (IPv6)
 * to the client of s, from the VIP, telling mtu and quoting quote: built
 * into want from scratch; returns its length.
 */
static size_t balancer_too_big(const struct dp_case *c, const struct frame_spec *s, __u32 mtu,
			       const __u8 *quote, size_t quote_len, __u8 *want)
{
	size_t l3 = 14 + (c->vlan ? 4 : 0), wlen;
	struct icmp_spec w;

	memset(&w, 0, sizeof(w));
	memcpy(w.dmac, dp_gw_mac, 6);
	memcpy(w.smac, dp_lb_mac, 6);
	w.family = c->family;
	w.vlan = c->vlan;
	memcpy(w.src, s->dst, 16);
	memcpy(w.dst, s->src, 16);
	w.type = c->family == 4 ? 3 : 2;
	w.code = c->family == 4 ? 4 : 0;
	w.info = mtu;
	w.quote = quote;
	w.quote_len = quote_len;
	wlen = icmp_build(&w, want);
	/* icmp_build's TTL is a router's 60; the balancer's own answer has 64. */
	if (c->family == 4) {
		want[l3 + 8] = 64;
		put16(want + l3 + 10, 0);
		put16(want + l3 + 10, inet_fold(inet_sum(want + l3, 20, 0)) ^ 0xffff);
	} else {
		want[l3 + 7] = 64;
	}
	return wlen;
}

/*
 * An encapsulated packet above the MTU: the client gets "fragmentation
 * needed" (IPv4, DF) / "packet too big" (IPv6) from the VIP, with the
 * MTU less the tunnel header and the first 128 bytes of its packet.
 */
static void test_too_big_answered(void **state)
{
	const struct dp_case *c = *state;
	__u8 frame[DP_FRAME_MAX], want[DP_FRAME_MAX];
	size_t len, wlen, l3 = 14 + (c->vlan ? 4 : 0);
	struct frame_spec s;
	struct dp_out out;

	dp_simple_vip(c->family, c->proto, HAULER_FWD_IPIP, 1);
	len = big_packet(c, &s, 1, frame);
	wlen = balancer_too_big(c, &s, c->family == 4 ? 1480 : 1460, frame + l3, 128, want);
	assert_int_equal(dp_run(frame, len, &out), 0);
	assert_int_equal(out.verdict, XDP_TX);
	assert_frame_equal(want, wlen, &out);
	assert_frame_valid(&out);
	assert_int_equal(dp_stat(HAULER_STAT_too_big_sent), 1);
	assert_int_equal(dp_stat(HAULER_STAT_too_big_limited), 0);
	assert_int_equal(dp_stat(HAULER_STAT_drop_encap), 0);
}

/* IPv4 without DF may be fragmented: the kernel gets it (it fragments), no ICMP. */
static void test_too_big_no_df(void **state)
{
	const struct dp_case *c = *state;
	__u8 frame[DP_FRAME_MAX];
	struct frame_spec s;
	struct dp_out out;
	size_t len;

	dp_simple_vip(c->family, c->proto, HAULER_FWD_IPIP, 1);
	len = big_packet(c, &s, 0, frame);
	assert_int_equal(dp_run(frame, len, &out), 0);
	assert_int_equal(out.verdict, XDP_PASS);
	/* Passed encapsulated, for the kernel to fragment on the way to the device. */
	assert_int_equal(out.len, len + 20);
	assert_int_equal(out.data[14 + (c->vlan ? 4 : 0) + 9], IPPROTO_IPIP);
	assert_int_equal(dp_stat(HAULER_STAT_too_big_fragment), 1);
	assert_int_equal(dp_stat(HAULER_STAT_too_big_sent), 0);
}

/* 1000 frames at once, each answered (counted as which) or dropped over the rate limit. */
static void expect_rate_limited(const __u8 *frame, size_t len, __u32 which)
{
	struct dp_out out;
	__u64 sent, limited;
	int i;

	for (i = 0; i < 1000; i++) {
		assert_int_equal(dp_run(frame, len, &out), 0);
		assert_true(out.verdict == XDP_TX || out.verdict == XDP_DROP);
	}
	sent = dp_stat(which);
	limited = dp_stat(HAULER_STAT_too_big_limited);
	assert_int_equal(sent + limited, 1000);
	assert_true(sent >= 50);
	assert_true(limited > 0);
}

/*
 * At most 50 answers per CPU every 50 ms: of 1000 oversized packets sent
 * at once, most are dropped unanswered. (A generous bound: only if the
 * 1000 runs took a second would all be answered.)
 */
static void test_too_big_rate_limited(void **state)
{
	const struct dp_case *c = *state;
	__u8 frame[DP_FRAME_MAX];
	struct frame_spec s;
	size_t len;

	dp_simple_vip(c->family, c->proto, HAULER_FWD_IPIP, 1);
	len = big_packet(c, &s, 1, frame);
	expect_rate_limited(frame, len, HAULER_STAT_too_big_sent);
}

/* nat mode has no tunnel to blame: a packet above the MTU stays a counted drop. */
static void test_too_big_nat_dropped(void **state)
{
	const struct dp_case *c = *state;
	__u8 frame[DP_FRAME_MAX];
	struct frame_spec s;
	struct dp_out out;
	size_t len;

	dp_simple_vip(c->family, c->proto, HAULER_FWD_NAT, 1);
	len = big_packet(c, &s, 1, frame);
	s.payload_len += 1; /* one byte above the MTU, NAT grows nothing */
	len = build(&s, frame);
	assert_int_equal(dp_run(frame, len, &out), 0);
	assert_int_equal(out.verdict, XDP_DROP);
	assert_int_equal(dp_stat(HAULER_STAT_drop_encap), 1);
	assert_int_equal(dp_stat(HAULER_STAT_too_big_sent), 0);
}

/* The ipip flow's packet as the balancer sent it to device 0: tunnel header, client's packet. */
static size_t tunnel_packet(const struct dp_case *c, const struct frame_spec *fwd, __u8 *pkt)
{
	struct dp_addr src4 = dp_lb_addr(4), vip = dp_vip_addr(c->family);
	__u8 frame[DP_FRAME_MAX], enc[DP_FRAME_MAX];
	struct flow_key fk = spec_flow(fwd);
	size_t len = build(fwd, frame), l3 = frame_l3_off(fwd), elen;

	elen = expect_encap(fwd, frame, len, 0, c->family == 4 ? src4.a : vip.a, &fk, enc);
	memcpy(pkt, enc + l3, elen - l3);
	return elen - l3;
}

/*
 * A router on device 0's path (from its side of the link): its "too big"
 * (MTU 1400) about the tunnel packet t, to the tunnel's source.
 */
static void tunnel_error(struct icmp_spec *s, const struct dp_case *c, const __u8 *t, size_t tlen)
{
	struct dp_addr router = dp_unresolved_addr(c->family);

	router_error(s, c, t, tlen);
	dp_dev_mac(0, s->smac);
	memcpy(s->src, router.a, 16);
	memset(s->dst, 0, 16);
	memcpy(s->dst, t + (c->family == 4 ? 12 : 8), c->family == 4 ? 4 : 16);
}

/*
 * ipip: a router between the balancer and the device cannot carry an
 * encapsulated packet. The client is told, from the VIP, the MTU less
 * the tunnel header, quoting its own packet (the tunnel header cut out
 * of the router's quote; whole or cut short), every checksum right.
 */
static void test_tunnel_too_big_to_client(void **state)
{
	const struct dp_case *c = *state;
	size_t hl = c->family == 4 ? 20 : 40;
	__u8 t[DP_FRAME_MAX], frame[DP_FRAME_MAX], want[DP_FRAME_MAX];
	size_t tlen, len, wlen, quote[2];
	struct frame_spec fwd;
	struct icmp_spec e;
	struct conn_snap before;
	struct dp_out out;
	int i;

	open_flow(c, HAULER_FWD_IPIP, &fwd);
	snap(&fwd, &before);
	tlen = tunnel_packet(c, &fwd, t);
	quote[0] = tlen;
	quote[1] = 2 * hl + 8; /* the inner packet's IP header and 8 bytes (RFC 792's quote) */
	for (i = 0; i < 2; i++) {
		tunnel_error(&e, c, t, quote[i]);
		len = icmp_build(&e, frame);
		wlen = balancer_too_big(c, &fwd, 1400 - hl, t + hl, quote[i] - hl, want);
		assert_int_equal(dp_run(frame, len, &out), 0);
		assert_int_equal(out.verdict, XDP_TX);
		assert_frame_equal(want, wlen, &out);
		assert_frame_valid(&out);
		assert_icmp_counts(HAULER_STAT_icmp_tunnel_too_big);
		assert_unchanged(&fwd, &before);
		dp_stats_zero();
	}
}

/*
 * Errors about the tunnel that are not believed or not for the client:
 * counted, passed or dropped unchanged, nothing written.
 */
static void test_tunnel_error_refused(void **state)
{
	const struct dp_case *c = *state;
	size_t hl = c->family == 4 ? 20 : 40, tlen;
	struct dp_addr other = dp_client_addr(c->family, 7), dev1 = dp_dev_addr(c->family, 1);
	__u8 t[DP_FRAME_MAX], frame[DP_FRAME_MAX];
	struct frame_spec fwd, gone;
	struct icmp_spec e;

	open_flow(c, HAULER_FWD_IPIP, &fwd);
	tlen = tunnel_packet(c, &fwd, t);
	/* Addressed elsewhere than to the tunnel's source. */
	tunnel_error(&e, c, t, tlen);
	memcpy(e.dst, other.a, 16);
	expect_refused(&fwd, frame, icmp_build(&e, frame), XDP_DROP, HAULER_STAT_icmp_forged);
	/* From the clients' side (their router's MAC), not from the device's path. */
	tunnel_error(&e, c, t, tlen);
	memcpy(e.smac, dp_gw_mac, 6);
	expect_refused(&fwd, frame, icmp_build(&e, frame), XDP_DROP, HAULER_STAT_icmp_spoofed);
	/* Another error about the tunnel (time exceeded): not the client's business. */
	tunnel_error(&e, c, t, tlen);
	e.type = c->family == 4 ? 11 : 3;
	e.code = 0;
	expect_refused(&fwd, frame, icmp_build(&e, frame), XDP_PASS, HAULER_STAT_icmp_unknown);
	/* An MTU no link has (IPv4: below 68 inside; IPv6: below 1280). */
	tunnel_error(&e, c, t, tlen);
	e.info = c->family == 4 ? 80 : 1200;
	expect_refused(&fwd, frame, icmp_build(&e, frame), XDP_PASS, HAULER_STAT_icmp_malformed);
	/* The client's packet cut short in the quote (its ports missing). */
	tunnel_error(&e, c, t, hl + hl + 2);
	expect_refused(&fwd, frame, icmp_build(&e, frame), XDP_PASS, HAULER_STAT_icmp_malformed);
	/* The tunnel to another device than the flow's. */
	memcpy(t + (c->family == 4 ? 16 : 24), dev1.a, c->family == 4 ? 4 : 16);
	tunnel_error(&e, c, t, tlen);
	expect_refused(&fwd, frame, icmp_build(&e, frame), XDP_PASS, HAULER_STAT_icmp_unknown);
	/* A flow the balancer does not hold. */
	gone = fwd;
	gone.sport = 40001;
	tlen = tunnel_packet(c, &gone, t);
	tunnel_error(&e, c, t, tlen);
	expect_refused(&fwd, frame, icmp_build(&e, frame), XDP_PASS, HAULER_STAT_icmp_unknown);
}

/* At most 50 answers per CPU every 50 ms, shared with the balancer's own too-big answers. */
static void test_tunnel_too_big_rate_limited(void **state)
{
	const struct dp_case *c = *state;
	__u8 t[DP_FRAME_MAX], frame[DP_FRAME_MAX];
	struct frame_spec fwd;
	struct icmp_spec e;

	open_flow(c, HAULER_FWD_IPIP, &fwd);
	tunnel_error(&e, c, t, tunnel_packet(c, &fwd, t));
	expect_rate_limited(frame, icmp_build(&e, frame), HAULER_STAT_icmp_tunnel_too_big);
}

/* The cases of DP_CASE_MATRIX, with the compact table in use. */
/* clang-format off */
#define CT_CASE_MATRIX(fn)                                                                         \
	{ #fn " v4 tcp compact", fn, ct_setup, ct_teardown, DP_CASE(4, IPPROTO_TCP, 0) },           \
		{ #fn " v4 udp compact", fn, ct_setup, ct_teardown, DP_CASE(4, IPPROTO_UDP, 0) },   \
		{ #fn " v6 tcp vlan compact", fn, ct_setup, ct_teardown, DP_CASE(6, IPPROTO_TCP, 1) }, \
		{ #fn " v6 udp compact", fn, ct_setup, ct_teardown, DP_CASE(6, IPPROTO_UDP, 0) }
/* clang-format on */

int main(void)
{
	const struct CMUnitTest tests[] = {
	    CT_CASE_MATRIX(test_error_to_ipip_device),
	    CT_CASE_MATRIX(test_error_to_nat_device),
	    CT_CASE_MATRIX(test_error_to_nat_device_short_quote),
	    CT_CASE_MATRIX(test_error_to_client),
	    CT_CASE_MATRIX(test_router_error_to_client),
	    CT_CASE_MATRIX(test_error_to_client_spoofed),
	    CT_CASE_MATRIX(test_router_error_to_client_spoofed),
	    CT_CASE_MATRIX(test_error_to_balancer),
	    CT_CASE_MATRIX(test_error_to_client_tomb),
	    CT_CASE_MATRIX(test_error_unknown),
	    CT_CASE_MATRIX(test_error_forged),
	    CT_CASE_MATRIX(test_tunnel_too_big_to_client),
	    CT_CASE_MATRIX(test_tunnel_error_refused),
	    {"test_error_to_client_udp_ended v4 udp compact", test_error_to_client_udp_ended,
	     ct_setup, ct_teardown, DP_CASE(4, IPPROTO_UDP, 0)},
	    {"test_error_to_client_udp_ended v6 udp vlan compact", test_error_to_client_udp_ended,
	     ct_setup, ct_teardown, DP_CASE(6, IPPROTO_UDP, 1)},
	    DP_CASE_MATRIX(test_error_to_ipip_device),
	    DP_CASE_MATRIX(test_error_to_nat_device),
	    DP_CASE_MATRIX(test_error_to_nat_device_short_quote),
	    DP_CASE_MATRIX(test_error_to_client),
	    DP_CASE_MATRIX(test_router_error_to_client),
	    DP_CASE_MATRIX(test_error_to_client_spoofed),
	    DP_CASE_MATRIX(test_router_error_to_client_spoofed),
	    DP_CASE_MATRIX(test_error_to_client_entry_gone),
	    DP_CASE_MATRIX(test_error_to_client_reset),
	    {"test_error_to_client_udp_ended v4 udp", test_error_to_client_udp_ended, dp_reset,
	     NULL, DP_CASE(4, IPPROTO_UDP, 0)},
	    {"test_error_to_client_udp_ended v6 udp vlan", test_error_to_client_udp_ended, dp_reset,
	     NULL, DP_CASE(6, IPPROTO_UDP, 1)},
	    DP_CASE_MATRIX(test_error_to_balancer),
	    DP_CASE_MATRIX(test_error_to_client_tomb),
	    DP_CASE_MATRIX(test_error_unknown),
	    DP_CASE_MATRIX(test_error_forged),
	    DP_CASE_MATRIX(test_error_malformed),
	    {"test_echo_passed v4", test_echo_passed, dp_reset, NULL, DP_CASE(4, IPPROTO_TCP, 0)},
	    {"test_echo_passed v6", test_echo_passed, dp_reset, NULL, DP_CASE(6, IPPROTO_TCP, 1)},
	    {"test_too_big_answered v4 tcp", test_too_big_answered, reset_rate, NULL,
	     DP_CASE(4, IPPROTO_TCP, 0)},
	    {"test_too_big_answered v4 udp vlan", test_too_big_answered, reset_rate, NULL,
	     DP_CASE(4, IPPROTO_UDP, 1)},
	    {"test_too_big_answered v6 tcp", test_too_big_answered, reset_rate, NULL,
	     DP_CASE(6, IPPROTO_TCP, 0)},
	    {"test_too_big_answered v6 udp vlan", test_too_big_answered, reset_rate, NULL,
	     DP_CASE(6, IPPROTO_UDP, 1)},
	    {"test_too_big_no_df v4", test_too_big_no_df, reset_rate, NULL,
	     DP_CASE(4, IPPROTO_UDP, 0)},
	    {"test_too_big_rate_limited v6", test_too_big_rate_limited, reset_rate, NULL,
	     DP_CASE(6, IPPROTO_TCP, 0)},
	    {"test_too_big_nat_dropped v4", test_too_big_nat_dropped, reset_rate, NULL,
	     DP_CASE(4, IPPROTO_TCP, 0)},
	    {"test_tunnel_too_big_to_client v4 tcp", test_tunnel_too_big_to_client, reset_rate,
	     NULL, DP_CASE(4, IPPROTO_TCP, 0)},
	    {"test_tunnel_too_big_to_client v4 udp vlan", test_tunnel_too_big_to_client, reset_rate,
	     NULL, DP_CASE(4, IPPROTO_UDP, 1)},
	    {"test_tunnel_too_big_to_client v6 tcp", test_tunnel_too_big_to_client, reset_rate,
	     NULL, DP_CASE(6, IPPROTO_TCP, 0)},
	    {"test_tunnel_too_big_to_client v6 udp vlan", test_tunnel_too_big_to_client, reset_rate,
	     NULL, DP_CASE(6, IPPROTO_UDP, 1)},
	    {"test_tunnel_error_refused v4", test_tunnel_error_refused, reset_rate, NULL,
	     DP_CASE(4, IPPROTO_TCP, 0)},
	    {"test_tunnel_error_refused v6 vlan", test_tunnel_error_refused, reset_rate, NULL,
	     DP_CASE(6, IPPROTO_UDP, 1)},
	    {"test_tunnel_too_big_rate_limited v4", test_tunnel_too_big_rate_limited, reset_rate,
	     NULL, DP_CASE(4, IPPROTO_UDP, 0)},
	};

	return cmocka_run_group_tests(tests, dp_setup, dp_teardown);
}
