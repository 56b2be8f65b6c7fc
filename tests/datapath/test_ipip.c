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
#include "frames.h"

static void check_encap(const struct frame_spec *s, const __u32 *outer_src)
{
	__u8 frame[DP_FRAME_MAX], want[DP_FRAME_MAX];
	size_t len = build(s, frame), wlen;
	struct flow_key fk;
	struct dp_out out;

	fk = spec_flow(s);
	wlen = expect_encap(s, frame, len, 0, outer_src, &fk, want);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    DP_CASE_MATRIX(test_encap),
	    DP_CASE_MATRIX(test_encap_df_and_default_source),
	    {"test_encap_wrong_family v4", test_encap_wrong_family, dp_reset, NULL,
	     DP_CASE(4, IPPROTO_TCP, 0)},
	    {"test_encap_wrong_family v6 vlan", test_encap_wrong_family, dp_reset, NULL,
	     DP_CASE(6, IPPROTO_UDP, 1)},
	};

	return cmocka_run_group_tests(tests, dp_setup, dp_teardown);
}
