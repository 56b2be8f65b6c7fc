// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_truncate.c - a valid VIP (or NAT reply) frame cut at every byte up
 * to the end of its L4 header is never forwarded: it passes (or drops),
 * is counted under exactly one reason, and creates no connection.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/bpf.h>
#include <cmocka.h>
#include "frames.h"

#define ETH_MIN 14 /* BPF_PROG_TEST_RUN refuses shorter XDP frames */

struct cut_case {
	int family;
	__u8 proto;
	int vlan;
	int ip_opts;
	int reply; /* cut a NAT reply of an established flow instead */
};

static void cut_every_byte(const __u8 *frame, size_t l4_end)
{
	int conns = dp_conn_count();
	__u64 before;
	struct dp_out out;
	size_t len;
	int err;

	for (len = 0; len < l4_end; len++) {
		before = dp_reason_sum();
		err = dp_run(frame, len, &out);
		if (len < ETH_MIN) {
			/* The kernel refuses to run a frame shorter than Ethernet. */
			if (err) {
				assert_int_equal(err, -EINVAL);
				continue;
			}
		} else {
			assert_int_equal(err, 0);
		}
		if (out.verdict != XDP_PASS && out.verdict != XDP_DROP)
			fail_msg("frame cut at %zu: verdict %d", len, out.verdict);
		if (dp_reason_sum() != before + 1)
			fail_msg("frame cut at %zu: %llu reasons counted", len,
				 (unsigned long long)(dp_reason_sum() - before));
		if (out.verdict == XDP_PASS && (out.len != len || memcmp(out.data, frame, len)))
			fail_msg("frame cut at %zu passed changed", len);
		if (dp_conn_count() != conns)
			fail_msg("frame cut at %zu changed the connection table", len);
	}
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 0);
	assert_int_equal(dp_stat(HAULER_STAT_nat_reply), 0);
	assert_int_equal(dp_stat(HAULER_STAT_fwd_tx) + dp_stat(HAULER_STAT_fwd_redirect), 0);
}

static void test_cut(void **state)
{
	const struct cut_case *c = *state;
	struct frame_spec s, r;
	__u8 frame[DP_FRAME_MAX];
	struct dp_out out;
	size_t len;

	dp_simple_vip(c->family, c->proto, HAULER_FWD_NAT, 2);
	spec_to_vip(&s, c->family, c->proto, c->vlan);
	s.ip_opt_len = c->ip_opts;
	if (c->reply) {
		/* Establish the flow, then cut its reply. */
		len = build(&s, frame);
		assert_int_equal(dp_run(frame, len, &out), 0);
		assert_int_equal(out.verdict, XDP_TX);
		spec_reply(&r, &s, conn_device(&s) - DP_DEV_ID(0));
		s = r;
		dp_stats_zero();
	}
	len = build(&s, frame);
	/* The control: the whole frame is balanced. */
	cut_every_byte(frame, frame_l4_end(&s));
	assert_int_equal(dp_run(frame, len, &out), 0);
	assert_int_equal(out.verdict, XDP_TX);
}

/* clang-format off */
#define CUT(name, ...) { "cut " name, test_cut, dp_reset, NULL, &(struct cut_case){ __VA_ARGS__ } }
/* clang-format on */

int main(void)
{
	const struct CMUnitTest tests[] = {
	    CUT("v4 tcp", 4, IPPROTO_TCP, 0, 0, 0),
	    CUT("v4 udp", 4, IPPROTO_UDP, 0, 0, 0),
	    CUT("v6 tcp", 6, IPPROTO_TCP, 0, 0, 0),
	    CUT("v6 udp", 6, IPPROTO_UDP, 0, 0, 0),
	    CUT("v4 tcp vlan", 4, IPPROTO_TCP, 1, 0, 0),
	    CUT("v4 udp vlan", 4, IPPROTO_UDP, 1, 0, 0),
	    CUT("v6 tcp vlan", 6, IPPROTO_TCP, 1, 0, 0),
	    CUT("v6 udp vlan", 6, IPPROTO_UDP, 1, 0, 0),
	    CUT("v4 tcp options", 4, IPPROTO_TCP, 0, 40, 0),
	    CUT("v4 udp options vlan", 4, IPPROTO_UDP, 1, 8, 0),
	    CUT("v4 tcp reply", 4, IPPROTO_TCP, 0, 0, 1),
	    CUT("v6 udp reply vlan", 6, IPPROTO_UDP, 1, 0, 1),
	};

	return cmocka_run_group_tests(tests, dp_setup, dp_teardown);
}
