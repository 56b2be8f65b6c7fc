// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_parse.c - what is not a VIP's TCP/UDP packet passes untouched,
 * counted under its reason, and leaves no connection behind.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/bpf.h>
#include <cmocka.h>
#include "frames.h"

/*
 * VIPs of both families and protocols, in nat mode, one server with one
 * device each (a server belongs to one VIP, as the manager makes it).
 */
static int setup_vips(void **state)
{
	const int family[4] = {4, 4, 6, 6};
	const __u8 proto[4] = {IPPROTO_TCP, IPPROTO_UDP, IPPROTO_TCP, IPPROTO_UDP};
	__u16 dev;
	int i;

	dp_reset(state);
	for (i = 0; i < 4; i++) {
		dev = DP_DEV_ID(i);
		dp_add_vip(family[i], proto[i], dp_vip_port(proto[i]), i + 1, HAULER_FWD_NAT, i + 1,
			   DP_TABLE);
		dp_fill_pool(i + 1, 0, DP_TABLE, i);
		dp_add_device(dev, family[i], i, i, 0, HAULER_STATE_UP);
		dp_add_server(i, i + 1, &dev, 1);
	}
	return 0;
}

/* frame passes unchanged, counted once under reason, and no entry appears. */
static void expect_pass(const __u8 *frame, size_t len, __u32 reason)
{
	run_expect(frame, len, XDP_PASS, frame, len);
	assert_int_equal(dp_stat(reason), 1);
	assert_int_equal(dp_reason_sum(), 1);
	assert_int_equal(dp_conn_count(), 0);
	assert_int_equal(dp_stat(HAULER_STAT_VIP(1, HAULER_STAT_FWD)), 0);
}

static void expect_pass_spec(const struct frame_spec *s, __u32 reason)
{
	__u8 frame[DP_FRAME_MAX];

	expect_pass(frame, build(s, frame), reason);
}

/* The control: the VIP frames of these tests are balanced. */
static void test_vip_frames_are_balanced(void **state)
{
	struct frame_spec s;
	__u8 frame[DP_FRAME_MAX];
	struct dp_out out;
	size_t len;
	int fam, vlan, p;
	const __u8 protos[] = {IPPROTO_TCP, IPPROTO_UDP};

	(void)state;
	for (fam = 4; fam <= 6; fam += 2)
		for (p = 0; p < 2; p++)
			for (vlan = 0; vlan < 2; vlan++) {
				spec_to_vip(&s, fam, protos[p], vlan);
				len = build(&s, frame);
				assert_int_equal(dp_run(frame, len, &out), 0);
				assert_int_equal(out.verdict, XDP_TX);
			}
	/* With and without a tag it is one flow: a new connection, then a hit. */
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 4);
	assert_int_equal(dp_stat(HAULER_STAT_conn_hit), 4);
}

static void test_other_address(void **state)
{
	struct frame_spec s;
	int fam;

	for (fam = 4; fam <= 6; fam += 2) {
		setup_vips(state);
		spec_to_vip(&s, fam, IPPROTO_TCP, 0);
		if (fam == 4)
			s.dst[0] = htonl(ntohl(s.dst[0]) + 1);
		else
			((__u8 *)s.dst)[15]++;
		expect_pass_spec(&s, HAULER_STAT_pass_not_vip);
	}
}

static void test_other_port(void **state)
{
	struct frame_spec s;
	int fam, vlan;

	for (fam = 4; fam <= 6; fam += 2)
		for (vlan = 0; vlan < 2; vlan++) {
			setup_vips(state);
			spec_to_vip(&s, fam, IPPROTO_TCP, vlan);
			s.dport = DP_VIP_PORT + 1;
			expect_pass_spec(&s, HAULER_STAT_pass_not_vip);
		}
}

/* The VIP's address and port, the other protocol. */
static void test_other_protocol(void **state)
{
	struct frame_spec s;
	int fam;

	for (fam = 4; fam <= 6; fam += 2) {
		setup_vips(state);
		spec_to_vip(&s, fam, IPPROTO_UDP, 0);
		s.dport = DP_VIP_PORT;
		expect_pass_spec(&s, HAULER_STAT_pass_not_vip);
	}
}

static void test_icmp(void **state)
{
	struct frame_spec s;

	spec_to_vip(&s, 4, IPPROTO_ICMP, 0);
	expect_pass_spec(&s, HAULER_STAT_pass_not_l4);
	setup_vips(state);
	spec_to_vip(&s, 6, IPPROTO_ICMPV6, 1);
	expect_pass_spec(&s, HAULER_STAT_pass_not_l4);
}

static void test_arp(void **state)
{
	__u8 frame[DP_FRAME_MAX];
	size_t len;

	(void)state;
	len = frame_build_arp(dp_gw_mac, dp_client_addr(4, 0).a[0], dp_vip_addr(4).a[0], frame,
			      sizeof(frame));
	expect_pass(frame, len, HAULER_STAT_pass_not_ip);
}

static void test_ipv6_extension_headers(void **state)
{
	const int ext[] = {0, 43, 60};
	struct frame_spec s;
	unsigned i;

	for (i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		setup_vips(state);
		spec_to_vip(&s, 6, i == 1 ? IPPROTO_UDP : IPPROTO_TCP, i == 2);
		s.v6_ext = ext[i];
		expect_pass_spec(&s, HAULER_STAT_pass_ipv6_ext);
	}
}

static void test_ipv6_fragment(void **state)
{
	struct frame_spec s;

	(void)state;
	spec_to_vip(&s, 6, IPPROTO_UDP, 0);
	s.v6_ext = 44;
	expect_pass_spec(&s, HAULER_STAT_pass_fragment);
}

static void test_ipv4_fragments(void **state)
{
	/* First fragment (MF), a later one (offset), the last one (offset, no MF). */
	const __u16 frag[] = {0x2000, 0x2000 | 185, 370, 0x4000 | 0x2000};
	struct frame_spec s;
	unsigned i;

	for (i = 0; i < sizeof(frag) / sizeof(frag[0]); i++) {
		setup_vips(state);
		spec_to_vip(&s, 4, i & 1 ? IPPROTO_TCP : IPPROTO_UDP, i == 3);
		s.frag_off = frag[i];
		expect_pass_spec(&s, HAULER_STAT_pass_fragment);
	}
}

/* DF alone is not a fragment: balanced. */
static void test_ipv4_dont_fragment_is_balanced(void **state)
{
	struct frame_spec s, e;
	__u8 frame[DP_FRAME_MAX], want[DP_FRAME_MAX];
	size_t len, wlen;

	(void)state;
	spec_to_vip(&s, 4, IPPROTO_TCP, 0);
	s.frag_off = 0x4000;
	spec_nat_expected(&e, &s, 0);
	len = build(&s, frame);
	wlen = build(&e, want);
	run_expect(frame, len, XDP_TX, want, wlen);
	assert_int_equal(dp_stat(HAULER_STAT_pass_fragment), 0);
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 1);
}

/* An 802.1ad outer tag alone is one tag: balanced, tag kept. */
static void test_8021ad_tag(void **state)
{
	struct frame_spec s, e;
	__u8 frame[DP_FRAME_MAX], want[DP_FRAME_MAX];
	size_t len, wlen;

	(void)state;
	spec_to_vip(&s, 4, IPPROTO_TCP, 1);
	s.vlan_tpid = 0x88a8;
	spec_nat_expected(&e, &s, 0);
	len = build(&s, frame);
	wlen = build(&e, want);
	run_expect(frame, len, XDP_TX, want, wlen);
}

/* Two tags (QinQ) are not parsed: passed. */
static void test_two_tags(void **state)
{
	struct frame_spec s;
	__u8 frame[DP_FRAME_MAX], two[DP_FRAME_MAX];
	size_t len;

	(void)state;
	spec_to_vip(&s, 4, IPPROTO_TCP, 1);
	s.vlan_tpid = 0x88a8;
	len = build(&s, frame);
	memcpy(two, frame, 16);
	two[16] = 0x81;
	two[17] = 0x00;
	two[18] = 0x00;
	two[19] = 0x05;
	memcpy(two + 20, frame + 16, len - 16);
	expect_pass(two, len + 4, HAULER_STAT_pass_not_ip);
}

/* Headers that lie about themselves. */
static void test_malformed_ip(void **state)
{
	struct frame_spec s;
	__u8 frame[DP_FRAME_MAX];
	size_t len;

	spec_to_vip(&s, 4, IPPROTO_TCP, 0);
	len = build(&s, frame);
	frame[14] = 0x44; /* IHL 4 */
	expect_pass(frame, len, HAULER_STAT_pass_malformed);

	setup_vips(state);
	len = build(&s, frame);
	frame[14] = 0x4f; /* IHL 15: 60 bytes, more than the frame's IP header has */
	expect_pass(frame, 14 + 40, HAULER_STAT_pass_malformed);

	setup_vips(state);
	len = build(&s, frame);
	frame[16] = 0;
	frame[17] = 19; /* tot_len < IHL */
	expect_pass(frame, len, HAULER_STAT_pass_malformed);

	setup_vips(state);
	len = build(&s, frame);
	frame[14] = 0x65; /* version 6 under EtherType IPv4 */
	expect_pass(frame, len, HAULER_STAT_pass_malformed);

	setup_vips(state);
	spec_to_vip(&s, 6, IPPROTO_TCP, 0);
	len = build(&s, frame);
	frame[14] = 0x40 | (frame[14] & 0x0f); /* version 4 under EtherType IPv6 */
	expect_pass(frame, len, HAULER_STAT_pass_malformed);
}

#define T(fn) cmocka_unit_test_setup(fn, setup_vips)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_vip_frames_are_balanced),
	    T(test_other_address),
	    T(test_other_port),
	    T(test_other_protocol),
	    T(test_icmp),
	    T(test_arp),
	    T(test_ipv6_extension_headers),
	    T(test_ipv6_fragment),
	    T(test_ipv4_fragments),
	    T(test_ipv4_dont_fragment_is_balanced),
	    T(test_8021ad_tag),
	    T(test_two_tags),
	    T(test_malformed_ip),
	};

	return cmocka_run_group_tests(tests, dp_setup, dp_teardown);
}
