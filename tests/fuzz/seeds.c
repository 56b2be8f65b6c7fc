// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* seeds.c - the fuzzers' seed inputs (seeds.h). */
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include "packet.h"
#include "hauler_report.h"
#include "targets.h"
#include "seeds.h"

#define ETH_LEN 14

static const char payload[] = "GET / HTTP/1.0\r\n\r\n";

void fuzz_net_default(struct fuzz_net *n)
{
	static const __u8 v6[16] = {0xfd, 0, 0, 9, [15] = 9};
	int f;

	memset(n, 0, sizeof(*n));
	memcpy(n->lb_mac, (__u8[]){2, 0, 0, 0, 0, 1}, 6);
	memcpy(n->gw_mac, (__u8[]){2, 0, 0, 0, 0, 0xfe}, 6);
	memcpy(n->dev_mac, (__u8[]){2, 0, 0, 0, 0, 0x14}, 6);
	for (f = 0; f < 2; f++) {
		if (f == 0) {
			n->vip[0][0] = htonl(0x0a090909);
			n->lb[0][0] = htonl(0x0a010101);
			n->client[0][0] = htonl(0x0a020202);
			n->dev[0][0] = htonl(0x0a010114);
		} else {
			memcpy(n->vip[1], v6, 16);
			memcpy(n->lb[1], v6, 16);
			memcpy(n->client[1], v6, 16);
			memcpy(n->dev[1], v6, 16);
			((__u8 *)n->lb[1])[3] = 1;
			((__u8 *)n->client[1])[3] = 2;
			((__u8 *)n->dev[1])[3] = 1;
			((__u8 *)n->dev[1])[15] = 0x20;
		}
		n->dev_id[f] = 1 + f;
	}
	n->tcp_port = 80;
	n->udp_port = 53;
	n->ipip_port = 81;
	n->dev_port = 8080;
	n->report_port = HAULER_REPORT_PORT;
	n->seq = (1700000001ull << HAULER_REPORT_SEQ_SHIFT) | 1;
	n->k0 = fuzz_report_k0;
	n->k1 = fuzz_report_k1;
}

void fuzz_report_bytes(const struct fuzz_net *net, __u16 dev, __u64 seq, __u8 flags, __u32 rnd,
		       __u8 wire[40])
{
	struct report_fields f = {
	    .device = dev,
	    .flags = flags,
	    .cmp = rnd % 101,
	    .mem = (rnd >> 8) % 101,
	    .net = (rnd >> 16) % 101,
	    .queue = (rnd >> 24) % 101,
	    .latency_us = rnd,
	    .live_conns = rnd >> 4,
	    .period_ms = 10,
	    .seq = seq,
	};

	report_encode(&f, net->k0(dev), net->k1(dev), wire);
}

struct seeds {
	struct fuzz_frame *out;
	size_t n, max;
};

static void add(struct seeds *s, const char *name, const __u8 *data, size_t len)
{
	struct fuzz_frame *f;

	if (s->n >= s->max || !len || len > FUZZ_SEED_MAX)
		return;
	f = &s->out[s->n++];
	snprintf(f->name, sizeof(f->name), "%s", name);
	memcpy(f->data, data, len);
	f->len = len;
}

/* Client -> VIP of family index fi, to port, as a spec to adjust. */
static void spec_client(struct frame_spec *sp, const struct fuzz_net *net, int fi, __u8 proto,
			__u16 port)
{
	frame_spec_init(sp, fi ? 6 : 4, proto);
	memcpy(sp->dmac, net->lb_mac, 6);
	memcpy(sp->smac, net->gw_mac, 6);
	memcpy(sp->src, net->client[fi], 16);
	memcpy(sp->dst, net->vip[fi], 16);
	sp->dport = port;
	sp->ip_id = 0x1234;
	sp->flow_label = 0x12345;
	sp->payload = payload;
	sp->payload_len = sizeof(payload) - 1;
}

static void add_spec(struct seeds *s, const char *name, const struct frame_spec *sp)
{
	__u8 buf[FUZZ_SEED_MAX];

	add(s, name, buf, frame_build(sp, buf, sizeof(buf)));
}

/* An IPIP (IPv4 in IPv4) or IP6IP6 packet from the gateway carrying inner. */
static void add_tunnel(struct seeds *s, const char *name, const struct fuzz_net *net, int fi,
		       const struct frame_spec *inner)
{
	__u8 in[FUZZ_SEED_MAX], buf[FUZZ_SEED_MAX];
	size_t ilen = frame_build(inner, in, sizeof(in)), l3 = frame_l3_off(inner);
	size_t hl = fi ? 40 : 20, plen = ilen - l3, total = ETH_LEN + hl + plen;
	__u8 *ip = buf + ETH_LEN;
	__u16 sum;

	if (!ilen || total > sizeof(buf))
		return;
	memset(buf, 0, total);
	memcpy(buf, net->lb_mac, 6);
	memcpy(buf + 6, net->gw_mac, 6);
	buf[12] = fi ? 0x86 : 0x08;
	buf[13] = fi ? 0xdd : 0x00;
	if (!fi) {
		ip[0] = 0x45;
		ip[2] = (hl + plen) >> 8;
		ip[3] = (hl + plen) & 0xff;
		ip[8] = 64;
		ip[9] = IPPROTO_IPIP;
		memcpy(ip + 12, net->client[0], 4);
		memcpy(ip + 16, net->lb[0], 4);
		sum = inet_fold(inet_sum(ip, hl, 0)) ^ 0xffff;
		ip[10] = sum >> 8;
		ip[11] = sum & 0xff;
	} else {
		ip[0] = 0x60;
		ip[4] = plen >> 8;
		ip[5] = plen & 0xff;
		ip[6] = IPPROTO_IPV6;
		ip[7] = 64;
		memcpy(ip + 8, net->client[1], 16);
		memcpy(ip + 24, net->lb[1], 16);
	}
	memcpy(ip + hl, in + l3, plen);
	add(s, name, buf, total);
}

/*
 * An ICMP error quoting the packet of quoted: "fragmentation needed" /
 * "packet too big" from a router to its source (the VIP), or (from_dev)
 * a device's "port unreachable" to the client.
 */
static void add_icmp_error(struct seeds *s, const char *name, const struct fuzz_net *net, int fi,
			   const struct frame_spec *quoted, int from_dev)
{
	__u8 q[FUZZ_SEED_MAX];
	size_t qlen = frame_build(quoted, q, sizeof(q)), l3 = frame_l3_off(quoted);
	struct frame_spec sp;

	if (!qlen)
		return;
	spec_client(&sp, net, fi, fi ? IPPROTO_ICMPV6 : IPPROTO_ICMP, 0);
	if (from_dev) {
		memcpy(sp.smac, net->dev_mac, 6);
		memcpy(sp.src, net->dev[fi], 16);
	}
	memcpy(sp.dst, quoted->src, 16);
	sp.icmp_type = from_dev ? (fi ? 1 : 3) : (fi ? 2 : 3);
	sp.icmp_code = from_dev ? (fi ? 4 : 3) : (fi ? 0 : 4);
	sp.icmp_info = from_dev ? 0 : 1280;
	sp.payload = q + l3;
	sp.payload_len = qlen - l3;
	add_spec(s, name, &sp);
}

/* Ethernet frame of the report EtherType (optionally VLAN-tagged) carrying wire. */
static void add_raw_report(struct seeds *s, const char *name, const struct fuzz_net *net,
			   const __u8 wire[40], int vlan)
{
	__u8 buf[FUZZ_SEED_MAX];
	size_t off = ETH_LEN + (vlan ? 4 : 0);

	memset(buf, 0, off + 40);
	memset(buf, 0xff, 6);
	memcpy(buf + 6, net->dev_mac, 6);
	if (vlan) {
		buf[12] = 0x81;
		buf[15] = 100;
	}
	buf[off - 2] = HAULER_REPORT_ETHERTYPE >> 8;
	buf[off - 1] = HAULER_REPORT_ETHERTYPE & 0xff;
	memcpy(buf + off, wire, 40);
	add(s, name, buf, off + 40);
}

size_t fuzz_seed_frames(const struct fuzz_net *net, struct fuzz_frame *out, size_t max)
{
	struct seeds s = {.out = out, .max = max};
	struct frame_spec sp, in;
	__u8 wire[40], buf[FUZZ_SEED_MAX];
	char name[32];
	int fi;

	for (fi = 0; fi < 2; fi++) {
		const char *fam = fi ? "v6" : "v4";

#define NAME(what) (snprintf(name, sizeof(name), "%s_%s", fam, what), name)
		spec_client(&sp, net, fi, IPPROTO_TCP, net->tcp_port);
		sp.tcp_flags = TCPF_SYN;
		add_spec(&s, NAME("tcp_syn"), &sp);
		sp.tcp_flags = TCPF_ACK | TCPF_PSH;
		add_spec(&s, NAME("tcp_data"), &sp);
		/* FIN and RST on flows of their own: tcp_syn's flow stays, for nat_reply. */
		sp.sport = 40002;
		sp.tcp_flags = TCPF_ACK | TCPF_FIN;
		add_spec(&s, NAME("tcp_fin"), &sp);
		sp.sport = 40003;
		sp.tcp_flags = TCPF_RST;
		add_spec(&s, NAME("tcp_rst"), &sp);
		sp.sport = 40000;
		sp.tcp_flags = TCPF_ACK;
		sp.vlan_tpid = 0x8100;
		sp.vlan_tci = 100;
		add_spec(&s, NAME("tcp_vlan"), &sp);
		sp.vlan_tpid = 0x88a8;
		add_spec(&s, NAME("tcp_qinq"), &sp);

		spec_client(&sp, net, fi, IPPROTO_UDP, net->udp_port);
		add_spec(&s, NAME("udp"), &sp);
		sp.vlan_tpid = 0x8100;
		sp.vlan_tci = 100;
		add_spec(&s, NAME("udp_vlan"), &sp);

		spec_client(&sp, net, fi, IPPROTO_TCP, net->ipip_port);
		sp.tcp_flags = TCPF_SYN;
		add_spec(&s, NAME("tcp_ipip_vip"), &sp);

		/* The device's NAT reply to the client of tcp_syn. */
		spec_client(&sp, net, fi, IPPROTO_TCP, net->tcp_port);
		memcpy(sp.smac, net->dev_mac, 6);
		memcpy(sp.src, net->dev[fi], 16);
		memcpy(sp.dst, net->client[fi], 16);
		sp.sport = net->dev_port;
		sp.dport = 40000;
		add_spec(&s, NAME("nat_reply"), &sp);

		/* Not ours: to the balancer's own address. */
		spec_client(&sp, net, fi, IPPROTO_TCP, 22);
		memcpy(sp.dst, net->lb[fi], 16);
		add_spec(&s, NAME("not_vip"), &sp);

		spec_client(&sp, net, fi, fi ? IPPROTO_ICMPV6 : IPPROTO_ICMP, 0);
		add_spec(&s, NAME("icmp_echo"), &sp);

		/* ICMP errors (bpf/icmp.h) about tcp_syn's flow, quoting a whole packet. */
		spec_client(&in, net, fi, IPPROTO_TCP, net->tcp_port);
		memcpy(in.src, net->vip[fi], 16);
		memcpy(in.dst, net->client[fi], 16);
		in.sport = net->tcp_port;
		in.dport = 40000;
		add_icmp_error(&s, NAME("icmp_too_big"), net, fi, &in, 0);
		/* A nat device's port unreachable, quoting client -> device. */
		spec_client(&in, net, fi, IPPROTO_TCP, net->tcp_port);
		memcpy(in.dst, net->dev[fi], 16);
		in.sport = 40000;
		in.dport = net->dev_port;
		add_icmp_error(&s, NAME("icmp_unreach"), net, fi, &in, 1);

		spec_client(&sp, net, fi, IPPROTO_UDP, net->udp_port);
		if (fi) {
			sp.v6_ext = 44;
			add_spec(&s, NAME("fragment"), &sp);
			sp.v6_ext = 0;
			add_spec(&s, NAME("hop_by_hop"), &sp);
		} else {
			sp.frag_off = 0x2000;
			add_spec(&s, NAME("fragment"), &sp);
			sp.frag_off = 0;
			sp.ip_opt_len = 8;
			add_spec(&s, NAME("ip_options"), &sp);
		}

		spec_client(&in, net, fi, IPPROTO_TCP, net->tcp_port);
		in.tcp_flags = TCPF_SYN;
		add_tunnel(&s, NAME(fi ? "ip6ip6" : "ipip"), net, fi, &in);

		/* The device's report over UDP to the report port. */
		fuzz_report_bytes(net, net->dev_id[fi], net->seq + fi, HAULER_REPORT_F_LATENCY,
				  0x1f2e3d4c, wire);
		frame_spec_init(&sp, fi ? 6 : 4, IPPROTO_UDP);
		memcpy(sp.dmac, net->lb_mac, 6);
		memcpy(sp.smac, net->dev_mac, 6);
		memcpy(sp.src, net->dev[fi], 16);
		memcpy(sp.dst, net->lb[fi], 16);
		sp.sport = 40001;
		sp.dport = net->report_port;
		sp.payload = wire;
		sp.payload_len = sizeof(wire);
		add_spec(&s, NAME("report"), &sp);
#undef NAME
	}
	fuzz_report_bytes(net, net->dev_id[0], net->seq + 2, HAULER_REPORT_F_BUSY, 0x01020304,
			  wire);
	add_raw_report(&s, "raw_report", net, wire, 0);
	add_raw_report(&s, "raw_report_vlan", net, wire, 1);
	add(&s, "arp", buf,
	    frame_build_arp(net->gw_mac, net->client[0][0], net->lb[0][0], buf, sizeof(buf)));
	return s.n;
}

size_t fuzz_seed_reports(struct fuzz_frame *out, size_t max)
{
	struct seeds s = {.out = out, .max = max};
	struct fuzz_net net;
	struct report_fields v1 = {.version = HAULER_REPORT_VERSION_1, .device = 3, .cmp = 50};
	__u8 buf[1 + 40];
	int mode;

	fuzz_net_default(&net);
	for (mode = 0; mode < 2; mode++) {
		buf[0] = mode;
		fuzz_report_bytes(&net, 2, net.seq, HAULER_REPORT_F_LATENCY, 0x11223344, buf + 1);
		add(&s, mode ? "v2_retag" : "v2", buf, sizeof(buf));
		/* Device 1 heard a report already: this one is a replay. */
		fuzz_report_bytes(&net, 1, fuzz_report_last_seq(1), 0, 7, buf + 1);
		add(&s, mode ? "replay_retag" : "replay", buf, sizeof(buf));
		fuzz_report_bytes(&net, 4, net.seq, HAULER_REPORT_F_BUSY, 0, buf + 1);
		add(&s, mode ? "busy_retag" : "busy", buf, sizeof(buf));
		v1.seq = net.seq;
		report_encode(&v1, fuzz_report_k0(3), fuzz_report_k1(3), buf + 1);
		add(&s, mode ? "v1_retag" : "v1", buf, sizeof(buf));
	}
	return s.n;
}
