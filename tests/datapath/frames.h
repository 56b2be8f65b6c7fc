/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * frames.h - the frames the datapath tests send and expect, on the
 * harness's topology, and assertions over frames.
 */
#ifndef HAULER_DP_FRAMES_H
#define HAULER_DP_FRAMES_H

#include "harness.h"
#include "packet.h"

#define TEST_VLAN_TCI 0x0064 /* VLAN 100 */

/* Client n -> VIP (from the gateway's MAC), with a small payload. */
void spec_to_vip(struct frame_spec *s, int family, __u8 proto, int vlan);
/* What a NAT forward of in to device n looks like. */
void spec_nat_expected(struct frame_spec *e, const struct frame_spec *in, int dev_n);
/* Device n's reply to the client of the NAT flow fwd (device -> client). */
void spec_reply(struct frame_spec *r, const struct frame_spec *fwd, int dev_n);
/* What the balancer makes of that reply: VIP -> client via the gateway. */
void spec_reply_expected(struct frame_spec *e, const struct frame_spec *reply,
			 const struct frame_spec *fwd);
/*
 * The ipip encapsulation of the frame in (built from s) to device n, the
 * outer source src (16 bytes, IPv4 in the first 4), the IPv6 flow label
 * from flow's hash; returns its length.
 */
size_t expect_encap(const struct frame_spec *s, const __u8 *in, size_t in_len, int dev_n,
		    const __u32 *src, const struct flow_key *flow, __u8 *out);
/* The flow key of a spec, as the datapath keys conns. */
struct flow_key spec_flow(const struct frame_spec *s);

/* Build s into buf (fails the test when it does not fit). */
size_t build(const struct frame_spec *s, __u8 *buf);

/* Every checksum and length of the output frame holds. */
void assert_frame_valid(const struct dp_out *out);
/* The output is exactly the expected frame. */
void assert_frame_equal(const __u8 *expected, size_t len, const struct dp_out *out);

/* Run a frame and expect exactly this verdict and output. */
void run_expect(const __u8 *in, size_t in_len, int verdict, const __u8 *expected, size_t exp_len);

/*
 * Send the TCP frame of s (client -> VIP) and expect the balancer's RST
 * back: XDP_TX to the neighbour it came from, VIP -> client, valid
 * checksums, <SEQ=s's ACK><RST> (s has ACK) or <ACK=s's SEQ+len><RST,ACK>.
 */
void expect_reset(const struct frame_spec *s);

/*
 * Send a device's packet r of a flow that is over (its device gone): a
 * TCP segment gets a RST back (expect_reset), a RST or anything else is
 * dropped, the frame unchanged and sent nowhere.
 */
void expect_refused_reply(const struct frame_spec *r);

/* The device of the conns entry of s's flow (fails when there is none). */
__u16 conn_device(const struct frame_spec *s);
/*
 * Send the nat-mode frame of s and check the result byte for byte: the
 * device index (0..) it was sent to, or -1 when dropped (frame unchanged).
 */
int send_nat_flow(const struct frame_spec *s);
/* The same without looking for an entry (a stateless decision keeps none). */
int send_nat(const struct frame_spec *s);
/* Send device n's reply to the NAT flow s (flags): it must go back as the VIP. */
void reply_back(const struct frame_spec *s, int n, __u8 flags);
/*
 * Device n's SYN-ACK from its port to the balancer's own address, at s's
 * client port (its answer to a health check): not a client's reply, it
 * has no flow, and it is passed as it came (pass_not_vip), nothing else
 * counted.
 */
void reply_to_balancer(const struct frame_spec *s, int n);
/*
 * Device n's SYN-ACK (sequence PKT_DEV_ISN) to the half-open NAT flow s
 * goes back to the client; s then acknowledges it (tcp_ack), as the
 * client's handshake ACK that confirms the flow does.
 */
void nat_synack(struct frame_spec *s, int n);

/* One cell of the family x protocol x VLAN matrix most tests run over. */
struct dp_case {
	int family;
	__u8 proto;
	int vlan;
};

/* clang-format off */
#define DP_CASE(fam, proto, vlan) (&(struct dp_case){ fam, proto, vlan })
/* The eight cmocka entries of fn over the matrix, reset before each. */
#define DP_CASE_MATRIX(fn)                                                                         \
	{ #fn " v4 tcp", fn, dp_reset, NULL, DP_CASE(4, IPPROTO_TCP, 0) },                         \
		{ #fn " v4 udp", fn, dp_reset, NULL, DP_CASE(4, IPPROTO_UDP, 0) },                 \
		{ #fn " v6 tcp", fn, dp_reset, NULL, DP_CASE(6, IPPROTO_TCP, 0) },                 \
		{ #fn " v6 udp", fn, dp_reset, NULL, DP_CASE(6, IPPROTO_UDP, 0) },                 \
		{ #fn " v4 tcp vlan", fn, dp_reset, NULL, DP_CASE(4, IPPROTO_TCP, 1) },            \
		{ #fn " v4 udp vlan", fn, dp_reset, NULL, DP_CASE(4, IPPROTO_UDP, 1) },            \
		{ #fn " v6 tcp vlan", fn, dp_reset, NULL, DP_CASE(6, IPPROTO_TCP, 1) },            \
		{ #fn " v6 udp vlan", fn, dp_reset, NULL, DP_CASE(6, IPPROTO_UDP, 1) }
/* clang-format on */

#endif
