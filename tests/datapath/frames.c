// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* frames.c - the frames of the datapath tests and assertions over them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <cmocka.h>
#include <linux/bpf.h>

/* hauler_hash.h unrolls with a clang pragma that gcc does not know. */
#pragma GCC diagnostic ignored "-Wunknown-pragmas"
#include "hauler_hash.h"
#include "frames.h"

static const char payload[] = "hello hauler, 0123456789";

void spec_to_vip(struct frame_spec *s, int family, __u8 proto, int vlan)
{
	struct dp_addr c = dp_client_addr(family, 0), v = dp_vip_addr(family);

	frame_spec_init(s, family, proto);
	memcpy(s->dmac, dp_lb_mac, 6);
	memcpy(s->smac, dp_gw_mac, 6);
	if (vlan) {
		s->vlan_tpid = 0x8100;
		s->vlan_tci = TEST_VLAN_TCI;
	}
	memcpy(s->src, c.a, 16);
	memcpy(s->dst, v.a, 16);
	s->sport = 40000;
	s->dport = dp_vip_port(proto);
	s->tos = 0x10;
	s->ip_id = 0x1234;
	s->flow_label = 0x12345;
	s->payload = payload;
	s->payload_len = sizeof(payload) - 1;
}

void spec_nat_expected(struct frame_spec *e, const struct frame_spec *in, int dev_n)
{
	struct dp_addr d = dp_dev_addr(in->family, dev_n);

	*e = *in;
	memcpy(e->dst, d.a, 16);
	e->dport = DP_DEV_PORT;
	dp_dev_mac(dev_n, e->dmac);
	memcpy(e->smac, dp_lb_mac, 6);
}

void spec_reply(struct frame_spec *r, const struct frame_spec *fwd, int dev_n)
{
	struct dp_addr d = dp_dev_addr(fwd->family, dev_n);

	*r = *fwd;
	memcpy(r->dmac, dp_lb_mac, 6);
	dp_dev_mac(dev_n, r->smac);
	memcpy(r->src, d.a, 16);
	memcpy(r->dst, fwd->src, 16);
	r->sport = DP_DEV_PORT;
	r->dport = fwd->sport;
}

void spec_reply_expected(struct frame_spec *e, const struct frame_spec *reply,
			 const struct frame_spec *fwd)
{
	*e = *reply;
	memcpy(e->dmac, dp_gw_mac, 6);
	memcpy(e->smac, dp_lb_mac, 6);
	memcpy(e->src, fwd->dst, 16);
	e->sport = fwd->dport;
}

struct flow_key spec_flow(const struct frame_spec *s)
{
	struct dp_addr src, dst;

	memcpy(src.a, s->src, 16);
	memcpy(dst.a, s->dst, 16);
	return dp_flow(s->family, s->proto, &src, s->sport, &dst, s->dport);
}

size_t build(const struct frame_spec *s, __u8 *buf)
{
	size_t len = frame_build(s, buf, DP_FRAME_MAX);

	assert_true(len > 0);
	return len;
}

void assert_frame_valid(const struct dp_out *out)
{
	char why[128];

	if (frame_check(out->data, out->len, why, sizeof(why))) {
		frame_dump("invalid frame", out->data, out->len);
		fail_msg("output frame: %s", why);
	}
}

void assert_frame_equal(const __u8 *expected, size_t len, const struct dp_out *out)
{
	if (out->len != len || memcmp(out->data, expected, len)) {
		frame_dump("expected", expected, len);
		frame_dump("got", out->data, out->len);
		fail_msg("output frame differs from the expected one");
	}
}

void run_expect(const __u8 *in, size_t in_len, int verdict, const __u8 *expected, size_t exp_len)
{
	struct dp_out out;

	assert_int_equal(dp_run(in, in_len, &out), 0);
	assert_int_equal(out.verdict, verdict);
	assert_frame_equal(expected, exp_len, &out);
}

static __u32 get32(const __u8 *p)
{
	return (__u32)p[0] << 24 | (__u32)p[1] << 16 | (__u32)p[2] << 8 | p[3];
}

void expect_reset(const struct frame_spec *s)
{
	__u8 frame[DP_FRAME_MAX];
	size_t len = build(s, frame), l3 = frame_l3_off(s), hlen = s->family == 4 ? 20 : 40;
	const __u8 *ip, *tcp;
	struct dp_out out;

	assert_int_equal(dp_run(frame, len, &out), 0);
	if (out.verdict != XDP_TX)
		fail_msg("expected a RST sent back (XDP_TX), got verdict %d", out.verdict);
	assert_frame_valid(&out);
	assert_int_equal(out.len, l3 + hlen + 20);
	assert_memory_equal(out.data, s->smac, 6);
	assert_memory_equal(out.data + 6, s->dmac, 6);
	assert_memory_equal(out.data + 12, frame + 12, l3 - 12); /* type, VLAN tag */
	ip = out.data + l3;
	tcp = ip + hlen;
	if (s->family == 4) {
		assert_int_equal(ip[9], IPPROTO_TCP);
		assert_memory_equal(ip + 12, s->dst, 4);
		assert_memory_equal(ip + 16, s->src, 4);
	} else {
		assert_int_equal(ip[6], IPPROTO_TCP);
		assert_memory_equal(ip + 8, s->dst, 16);
		assert_memory_equal(ip + 24, s->src, 16);
	}
	assert_int_equal(tcp[0] << 8 | tcp[1], s->dport);
	assert_int_equal(tcp[2] << 8 | tcp[3], s->sport);
	if (s->tcp_flags & TCPF_ACK) {
		assert_int_equal(tcp[13], TCPF_RST);
		assert_int_equal(get32(tcp + 4), s->tcp_ack);
	} else {
		assert_int_equal(tcp[13], TCPF_RST | TCPF_ACK);
		assert_int_equal(get32(tcp + 8), s->tcp_seq + s->payload_len +
						     !!(s->tcp_flags & TCPF_SYN) +
						     !!(s->tcp_flags & TCPF_FIN));
	}
}

void expect_refused_reply(const struct frame_spec *r)
{
	__u8 frame[DP_FRAME_MAX];
	struct dp_out out;

	if (r->proto == IPPROTO_TCP && !(r->tcp_flags & TCPF_RST)) {
		expect_reset(r);
		return;
	}
	assert_int_equal(dp_run(frame, build(r, frame), &out), 0);
	assert_int_equal(out.verdict, XDP_DROP);
	assert_int_equal(out.len, build(r, frame)); /* unchanged, not sent anywhere */
}

__u16 conn_device(const struct frame_spec *s)
{
	struct flow_key k = spec_flow(s);
	struct conn c;

	if (dp_conn_get(&k, &c))
		fail_msg("no conns entry for the flow");
	return c.device;
}

int send_nat(const struct frame_spec *s)
{
	__u8 frame[DP_FRAME_MAX], want[DP_FRAME_MAX];
	struct frame_spec e;
	struct dp_out out;
	size_t len = build(s, frame), wlen;
	int n;

	assert_int_equal(dp_run(frame, len, &out), 0);
	if (out.verdict == XDP_DROP) {
		assert_frame_equal(frame, len, &out);
		return -1;
	}
	assert_int_equal(out.verdict, XDP_TX);
	n = out.data[5] - 0x14;
	assert_in_range(n, 0, DP_NDEVS - 1);
	spec_nat_expected(&e, s, n);
	wlen = build(&e, want);
	assert_frame_equal(want, wlen, &out);
	return n;
}

int send_nat_flow(const struct frame_spec *s)
{
	int n = send_nat(s);

	/* The entry names the device the packet went to. */
	if (n >= 0)
		assert_int_equal(conn_device(s), DP_DEV_ID(n));
	return n;
}

size_t expect_encap(const struct frame_spec *s, const __u8 *in, size_t in_len, int dev_n,
		    const __u32 *src, const struct flow_key *flow, __u8 *out)
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
		__u32 label = hauler_flow_label(flow, DP_FLOW_SEED) & 0xfffff;

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

void reply_back(const struct frame_spec *s, int n, __u8 flags)
{
	__u8 frame[DP_FRAME_MAX], want[DP_FRAME_MAX];
	struct frame_spec r, e;
	struct dp_out out;
	size_t len, wlen;

	spec_reply(&r, s, n);
	r.tcp_flags = flags;
	spec_reply_expected(&e, &r, s);
	len = build(&r, frame);
	wlen = build(&e, want);
	assert_int_equal(dp_run(frame, len, &out), 0);
	assert_int_equal(out.verdict, XDP_TX);
	assert_frame_equal(want, wlen, &out);
}

void reply_to_balancer(const struct frame_spec *s, int n)
{
	struct dp_addr lb = dp_lb_addr(s->family);
	__u64 passed = dp_stat(HAULER_STAT_pass_not_vip), reasons = dp_reason_sum();
	__u8 frame[DP_FRAME_MAX];
	struct frame_spec r;
	size_t len;

	spec_reply(&r, s, n);
	r.tcp_flags = TCPF_SYN | TCPF_ACK;
	memcpy(r.dst, lb.a, 16);
	len = build(&r, frame);
	run_expect(frame, len, XDP_PASS, frame, len);
	assert_int_equal(dp_stat(HAULER_STAT_pass_not_vip), passed + 1);
	assert_int_equal(dp_reason_sum(), reasons + 1);
}

void nat_synack(struct frame_spec *s, int n)
{
	struct frame_spec isn = *s;

	isn.tcp_seq = PKT_DEV_ISN;
	reply_back(&isn, n, TCPF_SYN | TCPF_ACK);
	s->tcp_ack = PKT_DEV_ISN + 1;
}
