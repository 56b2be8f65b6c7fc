// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_ipip.c - ipip mode: the original IP packet, byte for byte, behind
 * an outer IPv4 (protocol 4) or IPv6 (next header 41) header to the
 * device, the L2 header (and its VLAN tag) in front, MACs from the FIB.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/bpf.h>
#include <cmocka.h>
/* hauler_hash.h unrolls with a clang pragma that gcc does not know. */
#pragma GCC diagnostic ignored "-Wunknown-pragmas"
#include "hauler_hash.h"
#include "frames.h"

static void put16(__u8 *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/*
 * The expected encapsulation of the frame in (built from s) to device n:
 * outer source src (16 bytes, IPv4 in the first 4).
 */
static size_t expect_encap(const struct frame_spec *s, const __u8 *in, size_t in_len, int dev_n,
			   const __u32 *src, __u8 *out)
{
	size_t l3 = frame_l3_off(s), inner_len = in_len - l3;
	struct dp_addr dst = dp_dev_addr(s->family, dev_n);
	__u8 *o;

	memcpy(out, in, l3);
	dp_dev_mac(dev_n, out);
	memcpy(out + 6, dp_lb_mac, 6);
	o = out + l3;
	if (s->family == 4) {
		memset(o, 0, 20);
		o[0] = 0x45;
		o[1] = in[l3 + 1]; /* TOS copied */
		put16(o + 2, 20 + inner_len);
		/* id 0; DF copied from the inner header, nothing else */
		o[6] = in[l3 + 6] & 0x40;
		o[8] = 64;
		o[9] = IPPROTO_IPIP;
		memcpy(o + 12, src, 4);
		memcpy(o + 16, dst.a, 4);
		put16(o + 10, inet_fold(inet_sum(o, 20, 0)) ^ 0xffff);
		memcpy(o + 20, in + l3, inner_len);
		return l3 + 20 + inner_len;
	} else {
		struct flow_key f = spec_flow(s);
		__u32 label = hauler_flow_hash(&f, DP_FLOW_SEED) & 0xfffff;

		memset(o, 0, 40);
		o[0] = 0x60;
		o[1] = label >> 16;
		put16(o + 2, label & 0xffff);
		put16(o + 4, inner_len);
		o[6] = IPPROTO_IPV6;
		o[7] = 64;
		memcpy(o + 8, src, 16);
		memcpy(o + 24, dst.a, 16);
		memcpy(o + 40, in + l3, inner_len);
		return l3 + 40 + inner_len;
	}
}

static void check_encap(const struct frame_spec *s, const __u32 *outer_src)
{
	__u8 frame[DP_FRAME_MAX], want[DP_FRAME_MAX];
	size_t len = build(s, frame), wlen;
	struct dp_out out;

	wlen = expect_encap(s, frame, len, 0, outer_src, want);
	assert_int_equal(dp_run(frame, len, &out), 0);
	assert_int_equal(out.verdict, XDP_TX);
	assert_frame_equal(want, wlen, &out);
	assert_frame_valid(&out);
}

static void test_encap(void **state)
{
	const struct dp_case *c = *state;
	struct dp_addr src6 = dp_lb_addr(6), src4 = dp_lb_addr(4);
	struct frame_spec s;
	struct flow_key fk;
	struct conn conn;

	dp_simple_vip(c->family, c->proto, HAULER_FWD_IPIP, 1);
	dp_set_config(0, 5000, 30000);
	dp_set_tunnel_src(src4.a[0], &src6);
	spec_to_vip(&s, c->family, c->proto, c->vlan);
	check_encap(&s, c->family == 4 ? src4.a : src6.a);

	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 1);
	assert_int_equal(dp_stat(HAULER_STAT_fwd_tx), 1);
	assert_int_equal(dp_stat(HAULER_STAT_drop_encap), 0);
	/* No reply entry: the device answers the client directly. */
	assert_int_equal(dp_conn_count(), 1);
	fk = spec_flow(&s);
	assert_int_equal(dp_conn_get(&fk, &conn), 0);
	assert_int_equal(conn.device, DP_DEV_ID(0));
	assert_int_equal(conn.vip_id, DP_VIP_ID);
	assert_int_equal(conn.flags, 0);

	/* Established: the same encapsulation again. */
	s.tcp_flags = TCPF_ACK | TCPF_PSH;
	check_encap(&s, c->family == 4 ? src4.a : src6.a);
	assert_int_equal(dp_stat(HAULER_STAT_conn_hit), 1);
	assert_int_equal(dp_stat(HAULER_STAT_fwd_tx), 2);
}

/* DF is copied to the outer header; with no tunnel source the VIP is used. */
static void test_encap_df_and_default_source(void **state)
{
	const struct dp_case *c = *state;
	struct frame_spec s;

	dp_simple_vip(c->family, c->proto, HAULER_FWD_IPIP, 1);
	dp_set_tunnel_src(0, NULL);
	spec_to_vip(&s, c->family, c->proto, c->vlan);
	s.frag_off = 0x4000;
	s.ip_opt_len = c->family == 4 ? 8 : 0;
	check_encap(&s, s.dst);
}

/* A device of the other family cannot carry the flow: dropped, counted. */
static void test_encap_wrong_family(void **state)
{
	const struct dp_case *c = *state;
	struct frame_spec s;
	__u8 frame[DP_FRAME_MAX];
	struct dp_out out;
	size_t len;
	__u16 dev = DP_DEV_ID(0);

	dp_add_vip(c->family, c->proto, dp_vip_port(c->proto), DP_VIP_ID, HAULER_FWD_IPIP, DP_SLOT,
		   DP_TABLE);
	dp_fill_pool(DP_VIP_ID, 0, DP_TABLE, DP_SERVER);
	dp_add_device(dev, 10 - c->family, 0, DP_SERVER, 0, HAULER_STATE_UP);
	dp_add_server(DP_SERVER, DP_VIP_ID, &dev, 1);
	spec_to_vip(&s, c->family, c->proto, c->vlan);
	len = build(&s, frame);
	assert_int_equal(dp_run(frame, len, &out), 0);
	assert_int_equal(out.verdict, XDP_DROP);
	/* The device is not a usable candidate: no device for the flow. */
	assert_int_equal(dp_stat(HAULER_STAT_drop_no_device), 1);
	assert_int_equal(dp_conn_count(), 0);
}

/*
 * A packet that no longer fits the device's link once encapsulated is
 * not forwarded: dropped and counted as drop_encap ("too big to
 * encapsulate", include/schema.def).
 */
static void test_encap_too_big(void **state)
{
	const struct dp_case *c = *state;
	static __u8 big[1500];
	struct frame_spec s;
	__u8 frame[DP_FRAME_MAX];
	struct dp_out out;
	size_t len;

	dp_simple_vip(c->family, c->proto, HAULER_FWD_IPIP, 1);
	spec_to_vip(&s, c->family, c->proto, c->vlan);
	s.frag_off = 0x4000;
	s.payload = big;
	/* The inner packet fills the 1500-byte MTU exactly. */
	s.payload_len = 1500 - (c->family == 4 ? 20 : 40) - (c->proto == IPPROTO_TCP ? 20 : 8);
	len = build(&s, frame);
	assert_int_equal(dp_run(frame, len, &out), 0);
	assert_int_not_equal(out.verdict, XDP_TX);
	assert_int_not_equal(out.verdict, XDP_REDIRECT);
	assert_int_equal(out.verdict, XDP_DROP);
	assert_int_equal(dp_stat(HAULER_STAT_drop_encap), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    DP_CASE_MATRIX(test_encap),
	    DP_CASE_MATRIX(test_encap_df_and_default_source),
	    DP_CASE_MATRIX(test_encap_too_big),
	    {"test_encap_wrong_family v4", test_encap_wrong_family, dp_reset, NULL,
	     DP_CASE(4, IPPROTO_TCP, 0)},
	    {"test_encap_wrong_family v6 vlan", test_encap_wrong_family, dp_reset, NULL,
	     DP_CASE(6, IPPROTO_UDP, 1)},
	};

	return cmocka_run_group_tests(tests, dp_setup, dp_teardown);
}
