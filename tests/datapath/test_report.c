// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_report.c - agent reports in XDP (issue 4): a genuine report, over
 * UDP (v4, v6) to the report port or as a raw Ethernet frame of type
 * 0x88B5, updates dev_state and counts report_ok; every refused one (forged
 * tag, replay, unknown device, wrong source, values out of range, wrong
 * length, truncated) is dropped, leaves dev_state byte-identical and moves
 * exactly its own counter. A UDP datagram to a VIP that happens to use the
 * report port is balanced, not taken for a report.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
#include <time.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <cmocka.h>
#include "hauler_report.h"
#include "hauler_assigned.h"
#include "frames.h"
#include "map_write.h"

#define ETH_MIN	     14 /* BPF_PROG_TEST_RUN refuses shorter XDP frames */
#define ETH_HLEN_    14
#define VLAN_HLEN_   4
#define REPORT_SPORT 40123

/* Devices of these tests, all on server DP_SERVER. */
#define DEV4	   DP_DEV_ID(0) /* IPv4 DIP dp_dev_addr(4, 0), keyed */
#define DEV6	   DP_DEV_ID(1) /* IPv6 DIP dp_dev_addr(6, 1), keyed */
#define DEV_NOKEY  DP_DEV_ID(2) /* in use, all-zero key */
#define DEV_UNUSED DP_DEV_ID(3) /* has a key, but devices[] slot not in use */

/* The SipHash reference key (bytes 00..0f); each device gets its own. */
#define KEY0 0x0706050403020100ULL
#define KEY1 0x0f0e0d0c0b0a0908ULL

/* A plausible sequence base (the agent's: seconds << 20 | microseconds). */
#define SEQ0 ((1700000000ULL << HAULER_REPORT_SEQ_SHIFT) | 12345)

static __u64 dev_k0(__u16 id)
{
	return KEY0 ^ ((__u64)id << 40);
}

static __u64 dev_k1(__u16 id)
{
	return KEY1 ^ id;
}

static void set_key(__u16 id, __u64 k0, __u64 k1)
{
	struct dev_key k = {.k0 = k0, .k1 = k1};
	__u32 key = id;

	assert_int_equal(bpf_map_update_elem(dp_map("dev_keys"), &key, &k, BPF_ANY), 0);
}

/* dp_reset does not know dev_keys: empty it as well. */
static void clear_keys(void)
{
	__u32 id;

	for (id = 0; id < dp_map_size("dev_keys"); id++)
		set_key(id, 0, 0);
}

static int setup_devices(void **state)
{
	__u16 devs[] = {DEV4, DEV6, DEV_NOKEY};

	dp_reset(state);
	clear_keys();
	dp_add_device(DEV4, 4, 0, DP_SERVER, 0, HAULER_STATE_UP);
	dp_add_device(DEV6, 6, 1, DP_SERVER, 1, HAULER_STATE_UP);
	dp_add_device(DEV_NOKEY, 4, 2, DP_SERVER, 2, HAULER_STATE_UP);
	dp_add_server(DP_SERVER, DP_VIP_ID, devs, 3);
	set_key(DEV4, dev_k0(DEV4), dev_k1(DEV4));
	set_key(DEV6, dev_k0(DEV6), dev_k1(DEV6));
	set_key(DEV_UNUSED, dev_k0(DEV_UNUSED), dev_k1(DEV_UNUSED));
	return 0;
}

static struct report_fields fields(__u16 dev, __u64 seq)
{
	struct report_fields f = {
	    .device = dev,
	    .flags = HAULER_REPORT_F_LATENCY,
	    .cmp = 37,
	    .mem = 58,
	    .net = 12,
	    .queue = 99,
	    .latency_us = 1500,
	    .live_conns = 4242,
	    .period_ms = 10,
	    .seq = seq,
	};

	return f;
}

/* The 40 wire bytes of f under device id's key. */
static void encode(const struct report_fields *f, __u16 key_of, __u8 wire[HAULER_REPORT_LEN])
{
	report_encode(f, dev_k0(key_of), dev_k1(key_of), wire);
}

/* Re-tag wire bytes after editing them (a forger who holds the key). */
static void retag(__u8 wire[HAULER_REPORT_LEN], __u16 key_of)
{
	struct hauler_report r;

	memcpy(&r, wire, sizeof(r));
	r.tag = report_be64(report_tag(&r, dev_k0(key_of), dev_k1(key_of)));
	memcpy(wire, &r, sizeof(r));
}

/* UDP from src to the balancer's report port carrying payload. */
static size_t udp_frame(int family, const struct dp_addr *src, const void *payload,
			__u16 payload_len, __u8 *buf)
{
	struct dp_addr dst = dp_lb_addr(family);
	struct frame_spec s;

	frame_spec_init(&s, family, IPPROTO_UDP);
	memcpy(s.dmac, dp_lb_mac, 6);
	dp_dev_mac(0, s.smac);
	memcpy(s.src, src->a, 16);
	memcpy(s.dst, dst.a, 16);
	s.sport = REPORT_SPORT;
	s.dport = HAULER_REPORT_PORT;
	s.payload = payload;
	s.payload_len = payload_len;
	return build(&s, buf);
}

/* The report of device id from its registered address. */
static size_t udp_report(int family, const __u8 wire[HAULER_REPORT_LEN], __u8 *buf)
{
	struct dp_addr src = dp_dev_addr(family, family == 4 ? 0 : 1);

	return udp_frame(family, &src, wire, HAULER_REPORT_LEN, buf);
}

/* Ethernet (optionally one VLAN tag) of type 0x88B5, padded to pad_to. */
static size_t ether_frame(const void *payload, size_t len, int vlan, size_t pad_to, __u8 *buf)
{
	size_t off = ETH_HLEN_ + (vlan ? VLAN_HLEN_ : 0), total = off + len;

	if (total < pad_to)
		total = pad_to;
	assert_true(total <= DP_FRAME_MAX);
	memset(buf, 0, total);
	memset(buf, 0xff, 6); /* the agent's default destination: broadcast */
	dp_dev_mac(0, buf + 6);
	if (vlan) {
		buf[12] = 0x81;
		buf[13] = 0x00;
		buf[14] = TEST_VLAN_TCI >> 8;
		buf[15] = TEST_VLAN_TCI & 0xff;
	}
	buf[off - 2] = HAULER_REPORT_ETHERTYPE >> 8;
	buf[off - 1] = HAULER_REPORT_ETHERTYPE & 0xff;
	memcpy(buf + off, payload, len);
	return total;
}

static struct dev_state get_state(__u16 id)
{
	struct dev_state s;
	__u32 key = id;

	assert_int_equal(bpf_map_lookup_elem(dp_map("dev_state"), &key, &s), 0);
	return s;
}

/* The whole dev_state map, for "nothing changed anywhere". */
static struct dev_state snap[HAULER_MAX_DEVICES], snap_after[HAULER_MAX_DEVICES];

static void read_all_states(struct dev_state *all)
{
	__u32 id;

	for (id = 0; id < dp_map_size("dev_state"); id++)
		all[id] = get_state(id);
}

static const __u32 report_stats[] = {
    HAULER_STAT_report_ok,	    HAULER_STAT_report_bad_len,
    HAULER_STAT_report_bad_magic,   HAULER_STAT_report_unknown_device,
    HAULER_STAT_report_bad_tag,	    HAULER_STAT_report_replay,
    HAULER_STAT_report_bad_source,  HAULER_STAT_report_bad_value,
    HAULER_STAT_report_v1,	    HAULER_STAT_report_stale,
    HAULER_STAT_report_raw_refused,
};

static const char *stat_name(__u32 idx)
{
	switch (idx) {
	case HAULER_STAT_report_ok:
		return "report_ok";
	case HAULER_STAT_report_bad_len:
		return "report_bad_len";
	case HAULER_STAT_report_bad_magic:
		return "report_bad_magic";
	case HAULER_STAT_report_unknown_device:
		return "report_unknown_device";
	case HAULER_STAT_report_bad_tag:
		return "report_bad_tag";
	case HAULER_STAT_report_replay:
		return "report_replay";
	case HAULER_STAT_report_bad_source:
		return "report_bad_source";
	case HAULER_STAT_report_bad_value:
		return "report_bad_value";
	case HAULER_STAT_report_v1:
		return "report_v1";
	case HAULER_STAT_report_stale:
		return "report_stale";
	case HAULER_STAT_report_raw_refused:
		return "report_raw_refused";
	case HAULER_STAT_pass_malformed:
		return "pass_malformed";
	}
	return "other";
}

/* Exactly one reason was counted since the stats were zeroed: want. */
static void assert_only_stat(__u32 want, const char *what)
{
	__u64 sum = dp_reason_sum();
	size_t i;

	if (dp_stat(want) != 1 || sum != 1) {
		for (i = 0; i < sizeof(report_stats) / sizeof(report_stats[0]); i++)
			if (dp_stat(report_stats[i]))
				printf("  %s: %llu\n", stat_name(report_stats[i]),
				       (unsigned long long)dp_stat(report_stats[i]));
		fail_msg("%s: want %s once and nothing else; it has %llu of %llu reasons", what,
			 stat_name(want), (unsigned long long)dp_stat(want),
			 (unsigned long long)sum);
	}
}

/* Run frame with the stats zeroed: it must be dropped (a report, genuine or not). */
static void run_dropped(const __u8 *frame, size_t len, const char *what)
{
	struct dp_out out;

	dp_stats_zero();
	assert_int_equal(dp_run(frame, len, &out), 0);
	if (out.verdict != XDP_DROP)
		fail_msg("%s: verdict %d, want XDP_DROP", what, out.verdict);
}

/* A genuine report: dropped, counted report_ok, and applied. */
static void expect_accepted(const __u8 *frame, size_t len, const char *what)
{
	run_dropped(frame, len, what);
	assert_only_stat(HAULER_STAT_report_ok, what);
}

/*
 * A refused report: dropped, counted once under reason, and no dev_state
 * entry changed by a single byte.
 */
static void expect_refused(const __u8 *frame, size_t len, __u32 reason, const char *what)
{
	__u32 id;

	read_all_states(snap);
	run_dropped(frame, len, what);
	assert_only_stat(reason, what);
	read_all_states(snap_after);
	for (id = 0; id < dp_map_size("dev_state"); id++)
		if (memcmp(&snap[id], &snap_after[id], sizeof(snap[id])))
			fail_msg("%s: dev_state[%u] changed", what, id);
}

/* dev_state[id] holds what f reported. */
static void assert_state_is(__u16 id, const struct report_fields *f, __u32 latency_us)
{
	struct dev_state s = get_state(id);

	assert_int_equal(s.cmp, f->cmp);
	assert_int_equal(s.mem, f->mem);
	assert_int_equal(s.net, f->net);
	assert_int_equal(s.queue, f->queue);
	assert_int_equal(s.live_conns, f->live_conns);
	assert_int_equal(s.latency_us, latency_us);
	assert_true(s.seq == f->seq);
	assert_true(s.updated_ns != 0);
	/* The datapath's own count is not the agent's: assigned restarts at the report. */
	assert_int_equal(dp_dev_assigned(id), 0);
	assert_int_equal(s.period_ms, f->period_ms);
	assert_int_equal(s.version, f->version ? f->version : HAULER_REPORT_VERSION);
	assert_int_equal(s.busy, !!(f->flags & HAULER_REPORT_F_BUSY));
}

/* Device id has accepted the genuine report of sequence seq. */
static void prime(__u16 id, __u64 seq)
{
	struct report_fields f = fields(id, seq);
	__u8 wire[HAULER_REPORT_LEN], frame[DP_FRAME_MAX];
	size_t len;

	encode(&f, id, wire);
	len = udp_report(id == DEV6 ? 6 : 4, wire, frame);
	expect_accepted(frame, len, "priming report");
	assert_state_is(id, &f, f.latency_us);
}

static void test_genuine_udp(void **state)
{
	int family = *(int *)*state;
	__u16 id = family == 4 ? DEV4 : DEV6;
	struct report_fields f = fields(id, SEQ0);
	__u8 wire[HAULER_REPORT_LEN], frame[DP_FRAME_MAX];
	struct dev_state before, after;
	size_t len;

	encode(&f, id, wire);
	len = udp_report(family, wire, frame);
	expect_accepted(frame, len, "genuine report");
	assert_state_is(id, &f, 1500);
	before = get_state(id);

	/* A newer one replaces every value and the time. */
	f.seq = SEQ0 + 1;
	f.cmp = 100;
	f.mem = 0;
	f.net = 100;
	f.queue = 0;
	f.live_conns = 0xffffffff;
	f.latency_us = 0xffffffff; /* "unreachable" is a value too */
	encode(&f, id, wire);
	len = udp_report(family, wire, frame);
	expect_accepted(frame, len, "newer report");
	assert_state_is(id, &f, 0xffffffff);
	after = get_state(id);
	assert_true(after.updated_ns >= before.updated_ns);

	/* Other devices' state is untouched. */
	before = get_state(id == DEV4 ? DEV6 : DEV4);
	assert_true(before.seq == 0 && before.updated_ns == 0 && before.cmp == 0);
}

/*
 * An accepted report stores the device's new-connection counter summed
 * exactly over CPUs as its base and as the aggregate (aggregate mode,
 * include/hauler_assigned.h): the aggregate it finds (generation 5, a sum
 * of 2) is replaced by the next generation of that sum, stamped with the
 * report's time, so assigned restarts at 0 in either mode.
 */
static void test_report_sets_aggregate(void **state)
{
	__u32 key = HAULER_STAT_DEV(DEV4, HAULER_STAT_NEW), id = DEV4;
	struct report_fields f = fields(DEV4, SEQ0);
	__u8 wire[HAULER_REPORT_LEN], frame[DP_FRAME_MAX];
	int last = dp_possible_cpus() - 1;
	struct dev_state s;
	struct dp_out out;
	__u64 want;

	(void)state;
	dp_set_assigned_us(1000);
	assert_int_equal(bpf_map_lookup_elem(dp_map("dev_state"), &id, &s), 0);
	s.agg = agg_word(5, 2);
	assert_int_equal(bpf_map_update_elem(dp_map("dev_state"), &id, &s, BPF_ANY), 0);
	dp_stat_set_on_cpu(key, 0, 4);
	dp_stat_set_on_cpu(key, last, 3 + (last == 0) * 4); /* another CPU's, where there is one */
	want = dp_stat(key);
	/* Not expect_accepted: it zeroes the counters first. */
	encode(&f, DEV4, wire);
	assert_int_equal(dp_run(frame, udp_report(4, wire, frame), &out), 0);
	assert_int_equal(out.verdict, XDP_DROP);
	assert_int_equal(dp_stat(HAULER_STAT_report_ok), 1);
	s = get_state(DEV4);
	assert_true(s.seq == SEQ0);
	assert_int_equal(s.new_base, (__u32)want);
	assert_int_equal(agg_word_sum(s.agg), (__u32)want);
	assert_int_equal(s.agg >> 32, 6);
	assert_true(s.agg_ns == s.updated_ns);
	dp_set_assigned_us(0);
}

/* Without HAULER_REPORT_F_LATENCY, latency_us is not a measurement: kept. */
static void test_latency_only_when_flagged(void **state)
{
	struct report_fields f = fields(DEV4, SEQ0);
	__u8 wire[HAULER_REPORT_LEN], frame[DP_FRAME_MAX];

	(void)state;
	prime(DEV4, SEQ0);
	f.seq = SEQ0 + 10;
	f.flags = 0;
	f.latency_us = 777;
	f.cmp = 5;
	encode(&f, DEV4, wire);
	expect_accepted(frame, udp_report(4, wire, frame), "report without latency");
	assert_state_is(DEV4, &f, 1500);

	f.seq++;
	f.flags = HAULER_REPORT_F_LATENCY | HAULER_REPORT_F_THRESHOLD | HAULER_REPORT_F_GPU;
	encode(&f, DEV4, wire);
	expect_accepted(frame, udp_report(4, wire, frame), "report with every flag");
	assert_state_is(DEV4, &f, 777);
}

/*
 * Version 2: the period and the BUSY flag land in dev_state; BUSY clears
 * with the next report without it; period 0 (trigger-only) is stored as 0.
 */
static void test_period_and_busy(void **state)
{
	struct report_fields f = fields(DEV4, SEQ0);
	__u8 wire[HAULER_REPORT_LEN], frame[DP_FRAME_MAX];

	(void)state;
	f.flags = HAULER_REPORT_F_THRESHOLD | HAULER_REPORT_F_BUSY | HAULER_REPORT_F_LATENCY;
	f.period_ms = 0;
	encode(&f, DEV4, wire);
	expect_accepted(frame, udp_report(4, wire, frame), "busy trigger-only report");
	assert_state_is(DEV4, &f, f.latency_us);
	assert_int_equal(get_state(DEV4).busy, 1);

	f.seq++;
	f.flags = HAULER_REPORT_F_CONFIRM | HAULER_REPORT_F_BUSY;
	encode(&f, DEV4, wire);
	expect_accepted(frame, udp_report(4, wire, frame), "its confirming repeat");
	assert_int_equal(get_state(DEV4).busy, 1);

	f.seq++;
	f.flags = HAULER_REPORT_F_THRESHOLD;
	f.period_ms = 2000;
	encode(&f, DEV4, wire);
	expect_accepted(frame, udp_report(4, wire, frame), "available again, slow periodic");
	assert_state_is(DEV4, &f, f.latency_us);
	assert_int_equal(get_state(DEV4).busy, 0);
	assert_int_equal(get_state(DEV4).period_ms, 2000);
}

/* Exactly report_ok and report_v1 counted, once each. */
static void expect_accepted_v1(const __u8 *frame, size_t len, const char *what)
{
	run_dropped(frame, len, what);
	if (dp_stat(HAULER_STAT_report_ok) != 1 || dp_stat(HAULER_STAT_report_v1) != 1 ||
	    dp_reason_sum() != 2)
		fail_msg("%s: report_ok %llu, report_v1 %llu of %llu reasons", what,
			 (unsigned long long)dp_stat(HAULER_STAT_report_ok),
			 (unsigned long long)dp_stat(HAULER_STAT_report_v1),
			 (unsigned long long)dp_reason_sum());
}

/*
 * A version-1 agent keeps working: its report is applied with version 1
 * and no period (the stale-ms rule), counted in report_ok and report_v1.
 * A version-1 report with a period or a version-2 flag is out of range;
 * one whose version byte a forger changed fails the tag.
 */
static void test_version1(void **state)
{
	struct report_fields f = fields(DEV4, SEQ0);
	__u8 wire[HAULER_REPORT_LEN], frame[DP_FRAME_MAX];
	struct hauler_report r;

	(void)state;
	prime(DEV4, SEQ0);
	f.version = HAULER_REPORT_VERSION_1;
	f.period_ms = 0;
	f.seq = SEQ0 + 1;
	f.cmp = 77;
	encode(&f, DEV4, wire);
	expect_accepted_v1(frame, udp_report(4, wire, frame), "version-1 report");
	assert_state_is(DEV4, &f, f.latency_us);
	assert_int_equal(get_state(DEV4).version, 1);
	assert_int_equal(get_state(DEV4).period_ms, 0);

	f.seq++;
	f.period_ms = 10;
	encode(&f, DEV4, wire);
	expect_refused(frame, udp_report(4, wire, frame), HAULER_STAT_report_bad_value,
		       "version 1 with a period");
	f.period_ms = 0;
	f.flags = HAULER_REPORT_F_BUSY;
	encode(&f, DEV4, wire);
	expect_refused(frame, udp_report(4, wire, frame), HAULER_STAT_report_bad_value,
		       "version 1 with BUSY");
	/* A genuine v2 report relabelled as v1 without the key. */
	f = fields(DEV4, SEQ0 + 5);
	f.period_ms = 0;
	encode(&f, DEV4, wire);
	memcpy(&r, wire, sizeof(r));
	r.version = HAULER_REPORT_VERSION_1;
	memcpy(wire, &r, sizeof(r));
	expect_refused(frame, udp_report(4, wire, frame), HAULER_STAT_report_bad_tag,
		       "version byte forged");
	/* A v1 report replayed after newer v2 ones. */
	f = fields(DEV4, SEQ0 + 6);
	encode(&f, DEV4, wire);
	expect_accepted(frame, udp_report(4, wire, frame), "v2 after v1");
	f.version = HAULER_REPORT_VERSION_1;
	f.period_ms = 0;
	f.seq = SEQ0 + 1;
	encode(&f, DEV4, wire);
	expect_refused(frame, udp_report(4, wire, frame), HAULER_STAT_report_replay,
		       "old v1 report replayed");
	assert_int_equal(get_state(DEV4).version, HAULER_REPORT_VERSION);
}

struct ether_case {
	int vlan;
	size_t pad_to;
};

static void test_genuine_ether(void **state)
{
	const struct ether_case *c = *state;
	struct report_fields f = fields(DEV4, SEQ0);
	__u8 wire[HAULER_REPORT_LEN], frame[DP_FRAME_MAX];
	size_t len;

	encode(&f, DEV4, wire);
	len = ether_frame(wire, sizeof(wire), c->vlan, c->pad_to, frame);
	expect_accepted(frame, len, "genuine Ethernet report");
	assert_state_is(DEV4, &f, 1500);

	/* The raw form has no IP source: the tag alone authenticates, for any device. */
	f = fields(DEV6, SEQ0 + 5);
	f.cmp = 1;
	encode(&f, DEV6, wire);
	len = ether_frame(wire, sizeof(wire), c->vlan, c->pad_to, frame);
	expect_accepted(frame, len, "Ethernet report of the IPv6 device");
	assert_state_is(DEV6, &f, 1500);
}

static __u16 flipped_id(const __u8 wire[HAULER_REPORT_LEN])
{
	return (__u16)(wire[6] << 8 | wire[7]);
}

/* Wrong key and every single-bit change of a genuine report. */
static void test_forged_tag(void **state)
{
	int family = *(int *)*state;
	__u16 id = family == 4 ? DEV4 : DEV6;
	struct report_fields f = fields(id, SEQ0 + 100);
	__u8 wire[HAULER_REPORT_LEN], bad[HAULER_REPORT_LEN], frame[DP_FRAME_MAX];
	char what[96];
	int byte, bit;
	__u32 want;

	prime(id, SEQ0);

	/* Another device's key, the key with one bit flipped, the zero key. */
	report_encode(&f, dev_k0(DEV_UNUSED), dev_k1(DEV_UNUSED), wire);
	expect_refused(frame, udp_report(family, wire, frame), HAULER_STAT_report_bad_tag,
		       "another device's key");
	report_encode(&f, dev_k0(id) ^ 1, dev_k1(id), wire);
	expect_refused(frame, udp_report(family, wire, frame), HAULER_STAT_report_bad_tag,
		       "key with bit 0 flipped");
	report_encode(&f, dev_k0(id), dev_k1(id) ^ (1ULL << 63), wire);
	expect_refused(frame, udp_report(family, wire, frame), HAULER_STAT_report_bad_tag,
		       "key with bit 127 flipped");
	report_encode(&f, 0, 0, wire);
	expect_refused(frame, udp_report(family, wire, frame), HAULER_STAT_report_bad_tag,
		       "zero key");

	/*
	 * One bit flipped anywhere: the header (magic, version) is checked
	 * first, then the device id (a flipped one names a device with no key,
	 * out of range, or the other keyed device, whose address this is
	 * not), then the tag covers everything else (flags included).
	 */
	encode(&f, id, wire);
	for (byte = 0; byte < HAULER_REPORT_LEN; byte++)
		for (bit = 0; bit < 8; bit++) {
			memcpy(bad, wire, sizeof(bad));
			bad[byte] ^= 1 << bit;
			if (byte < 5) /* magic, version */
				want = HAULER_STAT_report_bad_magic;
			else if (byte < 6 || byte >= 8) /* flags, and all after the id */
				want = HAULER_STAT_report_bad_tag;
			else if (flipped_id(bad) == (id == DEV4 ? DEV6 : DEV4))
				/* The other keyed device, but not from its address. */
				want = HAULER_STAT_report_bad_source;
			else
				want = HAULER_STAT_report_unknown_device;
			snprintf(what, sizeof(what), "v%d report with byte %d bit %d flipped",
				 family, byte, bit);
			expect_refused(frame, udp_report(family, bad, frame), want, what);
		}

	/* The control: the unchanged report still goes in (no sequence was used up). */
	expect_accepted(frame, udp_report(family, wire, frame), "genuine after forgeries");
	assert_state_is(id, &f, 1500);
}

/* A device id changed to another keyed device: that device's key is not the signer's. */
static void test_forged_device(void **state)
{
	struct report_fields f = fields(DEV4, SEQ0 + 1);
	__u8 wire[HAULER_REPORT_LEN], frame[DP_FRAME_MAX];

	(void)state;
	prime(DEV4, SEQ0);
	prime(DEV6, SEQ0);
	/* DEV6's key on a report claiming DEV4 (raw form: no source check to hide behind). */
	encode(&f, DEV6, wire);
	expect_refused(frame, ether_frame(wire, sizeof(wire), 0, 60, frame),
		       HAULER_STAT_report_bad_tag, "DEV4 report under DEV6's key");
}

static void test_replay(void **state)
{
	struct report_fields f = fields(DEV4, SEQ0 + 50);
	__u8 wire[HAULER_REPORT_LEN], frame[DP_FRAME_MAX];
	size_t len;

	(void)state;
	encode(&f, DEV4, wire);
	len = udp_report(4, wire, frame);
	expect_accepted(frame, len, "first report");

	/* The very same frame again. */
	expect_refused(frame, len, HAULER_STAT_report_replay, "same frame again");

	/* Same sequence, other (genuinely tagged) values. */
	f.cmp = 90;
	encode(&f, DEV4, wire);
	expect_refused(frame, udp_report(4, wire, frame), HAULER_STAT_report_replay,
		       "same sequence, new values");

	/* Older sequences, down to the oldest. */
	f.seq = SEQ0 + 49;
	encode(&f, DEV4, wire);
	expect_refused(frame, udp_report(4, wire, frame), HAULER_STAT_report_replay,
		       "sequence one older");
	f.seq = 1;
	encode(&f, DEV4, wire);
	expect_refused(frame, udp_report(4, wire, frame), HAULER_STAT_report_replay, "sequence 1");
	/* dev_state.seq starts at 0: sequence 0 is never newer. */
	f.seq = 0;
	encode(&f, DEV4, wire);
	expect_refused(frame, udp_report(4, wire, frame), HAULER_STAT_report_replay, "sequence 0");

	/* The same sequence over the raw form is a replay too. */
	f = fields(DEV4, SEQ0 + 50);
	encode(&f, DEV4, wire);
	expect_refused(frame, ether_frame(wire, sizeof(wire), 0, 60, frame),
		       HAULER_STAT_report_replay, "replay over Ethernet");

	/* One newer goes in; the largest sequence too, and nothing after it. */
	f.seq = SEQ0 + 51;
	encode(&f, DEV4, wire);
	expect_accepted(frame, udp_report(4, wire, frame), "next sequence");
	assert_state_is(DEV4, &f, 1500);
	f.seq = ~0ULL;
	encode(&f, DEV4, wire);
	expect_accepted(frame, udp_report(4, wire, frame), "largest sequence");
	expect_refused(frame, udp_report(4, wire, frame), HAULER_STAT_report_replay,
		       "largest sequence again");
}

/* The sequence of a report made `ago` seconds before now (negative: ahead). */
static __u64 seq_ago(long ago)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((__u64)(ts.tv_sec - ago) << HAULER_REPORT_SEQ_SHIFT) | 777;
}

static __u64 clock_offset(void)
{
	struct timespec r, m;

	clock_gettime(CLOCK_MONOTONIC, &m);
	clock_gettime(CLOCK_REALTIME, &r);
	return ((__u64)r.tv_sec * 1000000000ull + r.tv_nsec) -
	       ((__u64)m.tv_sec * 1000000000ull + m.tv_nsec);
}

/*
 * The clock window: with the wall clock known (config.clock_offset_ns), a
 * report whose sequence time is more than report_window_s away, older
 * (a replay of any age, even onto a fresh dev_state after a restore) or
 * newer (a clock run ahead), is refused as report_stale and changes
 * nothing; within the window it goes in. Window 0 checks no clock.
 */
static void test_clock_window(void **state)
{
	struct report_fields f = fields(DEV4, seq_ago(3600));
	__u8 wire[HAULER_REPORT_LEN], frame[DP_FRAME_MAX];

	(void)state;
	dp_set_report_config(clock_offset(), 60, dp_ifindex);
	encode(&f, DEV4, wire);
	expect_refused(frame, udp_report(4, wire, frame), HAULER_STAT_report_stale,
		       "an hour old onto a fresh device");
	f.seq = seq_ago(90);
	encode(&f, DEV4, wire);
	expect_refused(frame, udp_report(4, wire, frame), HAULER_STAT_report_stale, "90 s old");
	f.seq = seq_ago(-365L * 86400);
	encode(&f, DEV4, wire);
	expect_refused(frame, udp_report(4, wire, frame), HAULER_STAT_report_stale, "a year ahead");
	f.seq = seq_ago(-90);
	encode(&f, DEV4, wire);
	expect_refused(frame, udp_report(4, wire, frame), HAULER_STAT_report_stale, "90 s ahead");
	expect_refused(frame, ether_frame(wire, sizeof(wire), 0, 60, frame),
		       HAULER_STAT_report_stale, "90 s ahead, raw");
	f.seq = seq_ago(30);
	encode(&f, DEV4, wire);
	expect_accepted(frame, udp_report(4, wire, frame), "30 s old");
	assert_state_is(DEV4, &f, f.latency_us);
	f.seq = seq_ago(0);
	encode(&f, DEV4, wire);
	expect_accepted(frame, udp_report(4, wire, frame), "now");
	/* The clock unknown (offset 0) or the window off: the sequence alone decides. */
	dp_set_report_config(0, 60, dp_ifindex);
	prime(DEV6, SEQ0);
	dp_set_report_config(clock_offset(), 0, dp_ifindex);
	prime(DEV6, SEQ0 + 1);
}

/*
 * Raw Ethernet reports have no source address to check: they are taken on
 * the one interface config.raw_report_ifindex names, and none when it is
 * 0 (raw-reports off). Elsewhere: report_raw_refused, nothing changed.
 */
static void test_raw_interface(void **state)
{
	struct report_fields f = fields(DEV4, SEQ0);
	__u8 wire[HAULER_REPORT_LEN], frame[DP_FRAME_MAX];
	size_t len;

	(void)state;
	encode(&f, DEV4, wire);
	len = ether_frame(wire, sizeof(wire), 0, 60, frame);
	dp_set_report_config(0, 0, 0);
	expect_refused(frame, len, HAULER_STAT_report_raw_refused, "raw reports off");
	dp_set_report_config(0, 0, dp_ifindex2);
	expect_refused(frame, len, HAULER_STAT_report_raw_refused, "raw report, other interface");
	/* UDP reports are not bound to the interface: their source is checked. */
	expect_accepted(frame, udp_report(4, wire, frame), "UDP report meanwhile");
	f.seq = SEQ0 + 1;
	encode(&f, DEV4, wire);
	dp_set_report_config(0, 0, dp_ifindex);
	expect_accepted(frame, ether_frame(wire, sizeof(wire), 0, 60, frame),
			"raw report, its interface");
	assert_state_is(DEV4, &f, f.latency_us);
}

/* Two threads each sending a device reports whose every field encodes the sequence. */
#define RACE_REPORTS 5000
struct race_arg {
	__u64 first;
	int n;
};

static struct report_fields race_fields(__u64 seq)
{
	struct report_fields f = fields(DEV4, seq);

	f.cmp = f.mem = f.net = f.queue = (__u8)(seq % 101);
	f.latency_us = f.live_conns = f.period_ms = (__u32)(seq % 100000) + 1;
	return f;
}

static void *race_sender(void *p)
{
	const struct race_arg *a = p;
	__u8 wire[HAULER_REPORT_LEN], frame[DP_FRAME_MAX];
	struct dp_out out;
	int i;

	for (i = 0; i < a->n; i++) {
		struct report_fields f = race_fields(a->first + 2 * (__u64)i);

		encode(&f, DEV4, wire);
		if (dp_run(frame, udp_report(4, wire, frame), &out))
			return (void *)1;
	}
	return NULL;
}

/*
 * No mix of two reports: the sequence check and every field are written
 * under the device's lock, so after reports raced on two CPUs dev_state
 * holds the fields of the report whose sequence it holds.
 */
static void test_report_fields_consistent(void **state)
{
	struct race_arg a = {SEQ0, RACE_REPORTS}, b = {SEQ0 + 1, RACE_REPORTS};
	pthread_t ta, tb;
	void *ra, *rb;
	int round;

	(void)state;
	for (round = 0; round < 2; round++) {
		struct dev_state s;
		struct report_fields want;

		dp_reset(NULL);
		setup_devices(NULL);
		assert_int_equal(pthread_create(&ta, NULL, race_sender, &a), 0);
		assert_int_equal(pthread_create(&tb, NULL, race_sender, &b), 0);
		pthread_join(ta, &ra);
		pthread_join(tb, &rb);
		assert_null(ra);
		assert_null(rb);
		s = get_state(DEV4);
		want = race_fields(s.seq);
		assert_true(s.seq >= SEQ0 + 2 * (RACE_REPORTS - 1));
		assert_int_equal(s.cmp, want.cmp);
		assert_int_equal(s.mem, want.mem);
		assert_int_equal(s.queue, want.queue);
		assert_int_equal(s.latency_us, want.latency_us);
		assert_int_equal(s.live_conns, want.live_conns);
		assert_int_equal(s.period_ms, want.period_ms);
	}
}

/*
 * dev_state[DEV4] read under its lock (BPF_F_LOCK), as the manager reads
 * it: the lock word always reads as 0.
 */
static struct dev_state get_state_locked(void)
{
	struct dev_state s;
	__u32 key = DEV4;

	assert_int_equal(bpf_map_lookup_elem_flags(dp_map("dev_state"), &key, &s, BPF_F_LOCK), 0);
	return s;
}

/* 0, or what is wrong with s: fields not all of the report of s.seq. */
static const char *state_mixed(const struct dev_state *s)
{
	struct report_fields want = race_fields(s->seq);

	if (!s->seq)
		return NULL; /* before the first report: the clean entry */
	if (s->cmp != want.cmp || s->mem != want.mem || s->net != want.net ||
	    s->queue != want.queue || s->latency_us != want.latency_us ||
	    s->live_conns != want.live_conns || s->period_ms != want.period_ms)
		return "fields of another report than its sequence's";
	if (s->lock.val)
		return "lock word visible to user space";
	return NULL;
}

struct race_reader {
	volatile int *stop;
	int writes;	     /* also write a whole report's state back, locked */
	long reads;	     /* out: snapshots taken */
	long went_back;	     /* out: snapshots whose sequence was older than the last */
	const char *problem; /* out: first inconsistency seen */
	__u64 problem_seq;
};

/*
 * Reads dev_state[DEV4] under its lock while reports race; with writes,
 * also writes a state of one report (the one last read, its lock word
 * set to garbage) under the lock, as the manager writes a clean entry.
 */
static void *race_reader(void *p)
{
	struct race_reader *r = p;
	__u64 last = 0;
	__u32 key = DEV4;

	while (!*r->stop) {
		struct dev_state s;
		const char *bad;

		if (bpf_map_lookup_elem_flags(dp_map("dev_state"), &key, &s, BPF_F_LOCK))
			bad = "locked lookup failed";
		else
			bad = state_mixed(&s);
		if (bad && !r->problem) {
			r->problem = bad;
			r->problem_seq = s.seq;
		}
		if (s.seq < last)
			r->went_back++;
		last = s.seq;
		r->reads++;
		if (r->writes && r->reads % 8 == 0) {
			s.lock.val = 0xffffffff;
			if (bpf_map_update_elem(dp_map("dev_state"), &key, &s,
						BPF_ANY | BPF_F_LOCK) &&
			    !r->problem)
				r->problem = "locked update failed";
		}
	}
	return NULL;
}

/*
 * Reports of one device race on two CPUs while the manager reads its
 * dev_state under the lock (BPF_F_LOCK). Every snapshot holds one
 * report's fields with that report's sequence, and the sequence never
 * goes back: an older report never overwrites a newer one's fields, nor
 * is a reader ever shown a store half done. Then the same with the
 * manager also writing whole states back under the lock (as a new
 * device's clean entry is written): every snapshot is still one report's.
 */
static void test_locked_reads_see_one_report(void **state)
{
	struct race_arg a = {SEQ0, RACE_REPORTS}, b = {SEQ0 + 1, RACE_REPORTS};
	int round;

	(void)state;
	for (round = 0; round < 2; round++) {
		volatile int stop = 0;
		struct race_reader r = {.stop = &stop, .writes = round};
		pthread_t ta, tb, tr;
		void *ra, *rb;
		struct dev_state s;

		dp_reset(NULL);
		setup_devices(NULL);
		assert_int_equal(pthread_create(&tr, NULL, race_reader, &r), 0);
		assert_int_equal(pthread_create(&ta, NULL, race_sender, &a), 0);
		assert_int_equal(pthread_create(&tb, NULL, race_sender, &b), 0);
		pthread_join(ta, &ra);
		pthread_join(tb, &rb);
		stop = 1;
		pthread_join(tr, NULL);
		assert_null(ra);
		assert_null(rb);
		if (r.problem)
			fail_msg("round %d: %s (sequence %llu) in %ld locked reads", round,
				 r.problem, (unsigned long long)r.problem_seq, r.reads);
		assert_true(r.reads > 0);
		if (!round)
			assert_int_equal(r.went_back, 0);
		s = get_state_locked();
		assert_null(state_mixed(&s));
		/*
		 * With writes, the reader may put back a snapshot it took
		 * before the last report once the senders are done (a
		 * preempted reader on a busy machine): the state is then an
		 * older report's, whole, and only without writes is it the
		 * last one's.
		 */
		if (!round)
			assert_true(s.seq >= SEQ0 + 2 * (RACE_REPORTS - 1));
	}
}

/*
 * User space never sees nor sets the lock word: a write (with BPF_F_LOCK
 * or without) whose lock bytes are garbage stores the other fields and
 * reads back a 0 lock word; the datapath can still take the lock (the next
 * report is applied, the program returns).
 */
static void test_user_write_keeps_lock(void **state)
{
	const __u64 flags[] = {BPF_ANY, BPF_ANY | BPF_F_LOCK};
	const struct dev_state zero = {};
	int fd = dp_map("dev_state");
	__u32 key = DEV4;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		struct dev_state w = {.cmp = 11, .live_conns = 77, .seq = SEQ0 + 10 * i};
		struct dev_state got, plain;
		struct report_fields f = fields(DEV4, SEQ0 + 10 * i + 1);
		__u8 wire[HAULER_REPORT_LEN], frame[DP_FRAME_MAX];

		w.lock.val = 0xffffffff;
		assert_int_equal(bpf_map_update_elem(fd, &key, &w, flags[i]), 0);
		got = get_state_locked();
		plain = get_state(DEV4);
		assert_int_equal(got.lock.val, 0);
		assert_int_equal(plain.lock.val, 0);
		w.lock.val = 0;
		assert_memory_equal(&got, &w, sizeof(w));
		assert_memory_equal(&plain, &w, sizeof(w));
		encode(&f, DEV4, wire);
		expect_accepted(frame, udp_report(4, wire, frame), "report after a user write");
		assert_state_is(DEV4, &f, f.latency_us);
	}
	/* A locked write to an id past the map is refused like any other. */
	key = dp_map_size("dev_state");
	assert_int_equal(bpf_map_update_elem(fd, &key, &zero, BPF_ANY | BPF_F_LOCK), -E2BIG);
}

/* A report of DEV4 with sequence seq (fields from seq); refused for reason, or 0: accepted. */
static void report4(__u64 seq, __u32 reason, const char *what)
{
	struct report_fields f = fields(DEV4, seq);
	__u8 wire[HAULER_REPORT_LEN], frame[DP_FRAME_MAX];
	size_t len;

	encode(&f, DEV4, wire);
	len = udp_report(4, wire, frame);
	if (reason) {
		expect_refused(frame, len, reason, what);
		return;
	}
	expect_accepted(frame, len, what);
	assert_state_is(DEV4, &f, f.latency_us);
}

/*
 * `device resync` of a device whose sequence ran a year ahead: the
 * manager posts a request (mapw_dev_resync), which writes no dev_state;
 * the device's next report applies it under the lock and is judged
 * against the request's clock. So a report taken between the request and
 * the next one is never overwritten (the read-then-write of the whole
 * entry this replaced lost it). Applied once: a later report older than
 * the last taken is a replay again. A cleared request (a new device)
 * applies nothing.
 */
static void test_resync_applied_by_next_report(void **state)
{
	const __u32 floor_s = (__u32)(SEQ0 >> HAULER_REPORT_SEQ_SHIFT) + 10;
	const __u64 floor = report_seq_floor(floor_s);
	const __u64 ahead = report_seq_floor(floor_s + 365 * 86400);
	struct dev_state s;

	(void)state;
	prime(DEV4, ahead);
	report4(floor + 5, HAULER_STAT_report_replay, "a year behind the last report");
	assert_int_equal(mapw_dev_resync(dp_maps(), DEV4, floor_s), 0);
	s = get_state(DEV4);
	assert_true(s.seq == ahead);
	assert_int_equal(s.resync_gen, 0);
	report4(floor + 5, 0, "the next report after device resync");
	assert_int_equal(get_state(DEV4).resync_gen, 1);
	report4(floor + 3, HAULER_STAT_report_replay, "older than the last, after the resync");
	report4(floor + 6, 0, "newer, after the resync");

	/*
	 * A second resync (to a later clock): the next report applies it,
	 * even one then refused as older than that clock (its fields stay).
	 */
	assert_int_equal(mapw_dev_resync(dp_maps(), DEV4, floor_s + 1), 0);
	{
		struct report_fields f = fields(DEV4, floor + 7);
		__u8 wire[HAULER_REPORT_LEN], frame[DP_FRAME_MAX];
		struct dev_state before = get_state(DEV4);

		encode(&f, DEV4, wire);
		run_dropped(frame, udp_report(4, wire, frame),
			    "older than the second resync's clock");
		assert_only_stat(HAULER_STAT_report_replay, "older than the second resync's clock");
		s = get_state(DEV4);
		assert_true(s.seq == report_seq_floor(floor_s + 1));
		assert_int_equal(s.resync_gen, 2);
		assert_int_equal(s.cmp, before.cmp);
		assert_int_equal(s.live_conns, before.live_conns);
	}
	report4(report_seq_floor(floor_s + 1) + 1, 0, "newer than the second resync's clock");

	/* A cleared request (a new or removed device's) applies nothing. */
	prime(DEV4, ahead + 1);
	assert_int_equal(mapw_dev_resync(dp_maps(), DEV4, 0), 0);
	report4(floor + 8, HAULER_STAT_report_replay, "after a cleared request");
	assert_int_equal(get_state(DEV4).resync_gen, 2);
}

/* A sequence fresh for one device is checked against that device only. */
static void test_replay_is_per_device(void **state)
{
	(void)state;
	prime(DEV4, SEQ0 + 1000);
	prime(DEV6, SEQ0); /* lower than DEV4's: still newer for DEV6 */
}

static void test_unknown_device(void **state)
{
	struct report_fields f;
	__u8 wire[HAULER_REPORT_LEN], frame[DP_FRAME_MAX];
	/* Past the devices map as sized at up (under the ceiling), and past the ceiling. */
	const __u16 out_of_range[] = {dp_map_size("devices"), HAULER_MAX_DEVICES,
				      HAULER_MAX_DEVICES + 1, 0x8000, HAULER_NO_DEVICE};
	struct dp_addr src = dp_dev_addr(4, 0);
	size_t i;

	(void)state;
	prime(DEV4, SEQ0);
	for (i = 0; i < sizeof(out_of_range) / sizeof(out_of_range[0]); i++) {
		f = fields(out_of_range[i], SEQ0 + 1);
		/* Tagged with a real key: only the id is wrong. */
		encode(&f, DEV4, wire);
		expect_refused(frame, udp_frame(4, &src, wire, sizeof(wire), frame),
			       HAULER_STAT_report_unknown_device, "device id out of range");
		expect_refused(frame, ether_frame(wire, sizeof(wire), 0, 60, frame),
			       HAULER_STAT_report_unknown_device,
			       "device id out of range (Ethernet)");
	}

	/* A key but no device. */
	f = fields(DEV_UNUSED, SEQ0 + 1);
	encode(&f, DEV_UNUSED, wire);
	src = dp_dev_addr(4, 3);
	expect_refused(frame, udp_frame(4, &src, wire, sizeof(wire), frame),
		       HAULER_STAT_report_unknown_device, "device not in use");
	expect_refused(frame, ether_frame(wire, sizeof(wire), 0, 60, frame),
		       HAULER_STAT_report_unknown_device, "device not in use (Ethernet)");

	/* A device with no key: not even the zero key signs for it. */
	f = fields(DEV_NOKEY, SEQ0 + 1);
	report_encode(&f, 0, 0, wire);
	src = dp_dev_addr(4, 2);
	expect_refused(frame, udp_frame(4, &src, wire, sizeof(wire), frame),
		       HAULER_STAT_report_unknown_device, "device with zero key");
	expect_refused(frame, ether_frame(wire, sizeof(wire), 0, 60, frame),
		       HAULER_STAT_report_unknown_device, "device with zero key (Ethernet)");

	/* A removed device: its key stays in dev_keys, its reports do not count. */
	dp_del_device(DEV4);
	f = fields(DEV4, SEQ0 + 2);
	encode(&f, DEV4, wire);
	expect_refused(frame, udp_report(4, wire, frame), HAULER_STAT_report_unknown_device,
		       "device removed");
}

static void test_wrong_source(void **state)
{
	struct report_fields f;
	__u8 wire[HAULER_REPORT_LEN], frame[DP_FRAME_MAX];
	struct dp_addr src;

	(void)state;
	prime(DEV4, SEQ0);
	prime(DEV6, SEQ0);

	f = fields(DEV4, SEQ0 + 1);
	encode(&f, DEV4, wire);
	src = dp_dev_addr(4, 1); /* a neighbour on the same subnet */
	expect_refused(frame, udp_frame(4, &src, wire, sizeof(wire), frame),
		       HAULER_STAT_report_bad_source, "v4 report from another device's address");
	src = dp_client_addr(4, 0);
	expect_refused(frame, udp_frame(4, &src, wire, sizeof(wire), frame),
		       HAULER_STAT_report_bad_source, "v4 report from a client");
	src = dp_dev_addr(6, 0); /* an IPv6 address for an IPv4 device */
	expect_refused(frame, udp_frame(6, &src, wire, sizeof(wire), frame),
		       HAULER_STAT_report_bad_source, "v4 device reporting over IPv6");

	f = fields(DEV6, SEQ0 + 1);
	encode(&f, DEV6, wire);
	src = dp_dev_addr(6, 0);
	expect_refused(frame, udp_frame(6, &src, wire, sizeof(wire), frame),
		       HAULER_STAT_report_bad_source, "v6 report from another device's address");
	/* Same first 32 bits as DEV6's address, last word differs. */
	src = dp_dev_addr(6, 1);
	src.a[3] ^= htonl(0x100);
	expect_refused(frame, udp_frame(6, &src, wire, sizeof(wire), frame),
		       HAULER_STAT_report_bad_source,
		       "v6 report, address differs in its last word");
	src = dp_dev_addr(6, 1);
	src.a[1] ^= htonl(1);
	expect_refused(frame, udp_frame(6, &src, wire, sizeof(wire), frame),
		       HAULER_STAT_report_bad_source, "v6 report, address differs in word 1");
	src = dp_dev_addr(4, 1); /* an IPv4 source for the IPv6 device */
	expect_refused(frame, udp_frame(4, &src, wire, sizeof(wire), frame),
		       HAULER_STAT_report_bad_source, "v6 device reporting over IPv4");

	/* The control: from the right address it goes in. */
	expect_accepted(frame, udp_report(6, wire, frame), "v6 report from its address");
}

/* Values out of range, correctly tagged: the tag does not make them valid. */
static void test_bad_values(void **state)
{
	int family = *(int *)*state;
	__u16 id = family == 4 ? DEV4 : DEV6;
	struct report_fields f;
	struct hauler_report r;
	__u8 wire[HAULER_REPORT_LEN], frame[DP_FRAME_MAX];
	char what[64];
	int i;
	const __u8 bad_flags[] = {0x20, 0x40, 0x80, 0xff};
	const __u32 bad_period[] = {HAULER_REPORT_MAX_PERIOD_MS + 1, 0x80000000u, 0xffffffffu};

	prime(id, SEQ0);
	for (i = 0; i < 4; i++) {
		f = fields(id, SEQ0 + 1);
		switch (i) {
		case 0:
			f.cmp = 101;
			break;
		case 1:
			f.mem = 101;
			break;
		case 2:
			f.net = 200;
			break;
		case 3:
			f.queue = 255;
			break;
		}
		encode(&f, id, wire);
		snprintf(what, sizeof(what), "metric %d out of range", i);
		expect_refused(frame, udp_report(family, wire, frame), HAULER_STAT_report_bad_value,
			       what);
	}
	for (i = 0; i < (int)sizeof(bad_flags); i++) {
		f = fields(id, SEQ0 + 1);
		f.flags = bad_flags[i];
		encode(&f, id, wire);
		snprintf(what, sizeof(what), "flags 0x%02x", bad_flags[i]);
		expect_refused(frame, udp_report(family, wire, frame), HAULER_STAT_report_bad_value,
			       what);
	}
	for (i = 0; i < (int)(sizeof(bad_period) / sizeof(bad_period[0])); i++) {
		f = fields(id, SEQ0 + 1);
		encode(&f, id, wire);
		memcpy(&r, wire, sizeof(r));
		r.period_ms = htonl(bad_period[i]);
		memcpy(wire, &r, sizeof(r));
		retag(wire, id);
		snprintf(what, sizeof(what), "period_ms %u", bad_period[i]);
		expect_refused(frame, udp_report(family, wire, frame), HAULER_STAT_report_bad_value,
			       what);
	}
	/* The bounds themselves are fine. */
	f = fields(id, SEQ0 + 1);
	f.cmp = f.mem = f.net = f.queue = 100;
	f.period_ms = HAULER_REPORT_MAX_PERIOD_MS;
	encode(&f, id, wire);
	expect_accepted(frame, udp_report(family, wire, frame), "every metric at 100");
	assert_state_is(id, &f, 1500);
}

/* A wrong magic or version, correctly tagged. */
static void test_bad_header(void **state)
{
	struct report_fields f = fields(DEV4, SEQ0 + 1);
	struct hauler_report r;
	__u8 wire[HAULER_REPORT_LEN], frame[DP_FRAME_MAX];

	(void)state;
	prime(DEV4, SEQ0);
	encode(&f, DEV4, wire);
	memcpy(&r, wire, sizeof(r));
	r.version = HAULER_REPORT_VERSION + 1;
	memcpy(wire, &r, sizeof(r));
	retag(wire, DEV4);
	expect_refused(frame, udp_report(4, wire, frame), HAULER_STAT_report_bad_magic,
		       "version 3");
	r.version = 0;
	memcpy(wire, &r, sizeof(r));
	retag(wire, DEV4);
	expect_refused(frame, udp_report(4, wire, frame), HAULER_STAT_report_bad_magic,
		       "version 0");
	encode(&f, DEV4, wire);
	memcpy(&r, wire, sizeof(r));
	r.magic = htonl(0x484c5253);
	memcpy(wire, &r, sizeof(r));
	retag(wire, DEV4);
	expect_refused(frame, udp_report(4, wire, frame), HAULER_STAT_report_bad_magic,
		       "wrong magic");
	expect_refused(frame, ether_frame(wire, sizeof(wire), 0, 60, frame),
		       HAULER_STAT_report_bad_magic, "wrong magic (Ethernet)");
}

/* UDP datagrams to the report port whose payload is not 40 bytes. */
static void test_wrong_length(void **state)
{
	int family = *(int *)*state;
	__u16 id = family == 4 ? DEV4 : DEV6;
	struct report_fields f = fields(id, SEQ0 + 1);
	struct dp_addr src = dp_dev_addr(family, family == 4 ? 0 : 1);
	__u8 payload[128], frame[DP_FRAME_MAX];
	const __u16 lens[] = {0, 1, 8, 32, 39, 47, 49, 80, 128};
	char what[64];
	size_t i;

	prime(id, SEQ0);
	/* A genuine report at the start of each: only the length is wrong. */
	memset(payload, 0, sizeof(payload));
	encode(&f, id, payload);
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		snprintf(what, sizeof(what), "v%d UDP payload of %u bytes", family, lens[i]);
		expect_refused(frame, udp_frame(family, &src, payload, lens[i], frame),
			       HAULER_STAT_report_bad_len, what);
	}
	/* The control: 40 bytes of the same go in. */
	expect_accepted(frame, udp_frame(family, &src, payload, HAULER_REPORT_LEN, frame),
			"40-byte payload");
}

/*
 * A UDP length field that disagrees with the frame: a 48-byte datagram that
 * claims 47 or 49 bytes, and a frame that ends inside the report while its
 * UDP length says 48.
 */
static void test_udp_length_field(void **state)
{
	struct report_fields f = fields(DEV4, SEQ0 + 1);
	__u8 wire[HAULER_REPORT_LEN], frame[DP_FRAME_MAX];
	size_t len, udp_off = ETH_HLEN_ + 20;
	const __u16 claims[] = {47, 49, 55, 57, 0, 8, 0xffff};
	char what[64];
	size_t i;

	(void)state;
	prime(DEV4, SEQ0);
	encode(&f, DEV4, wire);
	for (i = 0; i < sizeof(claims) / sizeof(claims[0]); i++) {
		len = udp_report(4, wire, frame);
		frame[udp_off + 4] = claims[i] >> 8;
		frame[udp_off + 5] = claims[i] & 0xff;
		snprintf(what, sizeof(what), "UDP length field %u", claims[i]);
		expect_refused(frame, len, HAULER_STAT_report_bad_len, what);
	}
	len = udp_report(4, wire, frame);
	expect_accepted(frame, len, "UDP length field 48");
}

struct cut_case {
	int family; /* 4, 6: UDP; 0: Ethernet */
	int vlan;
};

/*
 * A genuine report cut at every byte: never applied, always dropped or
 * passed, counted once. Before the end of the UDP header the frame is not a
 * report (malformed: passed untouched); after it, it is one of the wrong
 * length. The whole frame then still goes in: nothing was used up.
 */
static void test_truncated(void **state)
{
	const struct cut_case *c = *state;
	__u16 id = c->family == 6 ? DEV6 : DEV4;
	struct report_fields f = fields(id, SEQ0 + 1);
	__u8 wire[HAULER_REPORT_LEN], frame[DP_FRAME_MAX];
	size_t full, cut, hdr_end;
	struct dp_out out;
	char what[64];
	int err;

	prime(id, SEQ0);
	encode(&f, id, wire);
	if (c->family) {
		struct frame_spec s;
		struct dp_addr src = dp_dev_addr(c->family, c->family == 4 ? 0 : 1);
		struct dp_addr dst = dp_lb_addr(c->family);

		frame_spec_init(&s, c->family, IPPROTO_UDP);
		memcpy(s.dmac, dp_lb_mac, 6);
		dp_dev_mac(0, s.smac);
		if (c->vlan) {
			s.vlan_tpid = 0x8100;
			s.vlan_tci = TEST_VLAN_TCI;
		}
		memcpy(s.src, src.a, 16);
		memcpy(s.dst, dst.a, 16);
		s.sport = REPORT_SPORT;
		s.dport = HAULER_REPORT_PORT;
		s.payload = wire;
		s.payload_len = sizeof(wire);
		full = build(&s, frame);
		hdr_end = frame_l4_end(&s);
	} else {
		full = ether_frame(wire, sizeof(wire), c->vlan, 0, frame);
		hdr_end = ETH_HLEN_ + (c->vlan ? VLAN_HLEN_ : 0);
	}
	assert_int_equal(full, hdr_end + HAULER_REPORT_LEN);

	for (cut = 0; cut < full; cut++) {
		if (cut < ETH_MIN) {
			err = dp_run(frame, cut, &out);
			/* The kernel refuses to run a frame shorter than Ethernet. */
			if (err) {
				assert_int_equal(err, -EINVAL);
				continue;
			}
			fail_msg("frame of %zu bytes was run", cut);
		}
		snprintf(what, sizeof(what), "report cut at %zu of %zu", cut, full);
		if (cut < hdr_end) {
			/* Not a whole UDP header (or VLAN tag): not recognised as a report. */
			read_all_states(snap);
			dp_stats_zero();
			assert_int_equal(dp_run(frame, cut, &out), 0);
			if (out.verdict != XDP_PASS || out.len != cut ||
			    memcmp(out.data, frame, cut))
				fail_msg("%s: verdict %d, want XDP_PASS unchanged", what,
					 out.verdict);
			assert_only_stat(HAULER_STAT_pass_malformed, what);
			read_all_states(snap_after);
			assert_memory_equal(snap, snap_after, sizeof(snap));
		} else {
			expect_refused(frame, cut, HAULER_STAT_report_bad_len, what);
		}
	}
	expect_accepted(frame, full, "the whole frame");
	assert_state_is(id, &f, 1500);
}

/*
 * A VIP on the report port is a service like any other: its datagrams are
 * balanced, even when they look like a genuine report from a device.
 */
static void test_vip_on_report_port(void **state)
{
	int family = *(int *)*state;
	__u16 id = family == 4 ? DEV4 : DEV6;
	struct report_fields f = fields(id, SEQ0 + 1);
	__u8 wire[HAULER_REPORT_LEN], frame[DP_FRAME_MAX];
	struct dp_addr src = dp_dev_addr(family, family == 4 ? 0 : 1);
	struct dp_addr vip = dp_vip_addr(family);
	struct dev_state before, after;
	struct frame_spec s;
	struct dp_out out;
	__u16 vdev = DP_DEV_ID(4);
	size_t len;

	prime(id, SEQ0);
	dp_add_vip(family, IPPROTO_UDP, HAULER_REPORT_PORT, DP_VIP_ID, HAULER_FWD_NAT, DP_SLOT,
		   DP_TABLE);
	dp_fill_pool(DP_VIP_ID, 0, DP_TABLE, DP_SERVER + 1);
	dp_add_device(vdev, family, 4, DP_SERVER + 1, 0, HAULER_STATE_UP);
	dp_add_server(DP_SERVER + 1, DP_VIP_ID, &vdev, 1);

	encode(&f, id, wire);
	frame_spec_init(&s, family, IPPROTO_UDP);
	memcpy(s.dmac, dp_lb_mac, 6);
	memcpy(s.smac, dp_gw_mac, 6);
	memcpy(s.src, src.a, 16);
	memcpy(s.dst, vip.a, 16);
	s.sport = REPORT_SPORT;
	s.dport = HAULER_REPORT_PORT;
	s.payload = wire;
	s.payload_len = sizeof(wire);
	len = build(&s, frame);

	before = get_state(id);
	dp_stats_zero();
	assert_int_equal(dp_run(frame, len, &out), 0);
	assert_int_equal(out.verdict, XDP_TX);
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 1);
	assert_int_equal(dp_stat(HAULER_STAT_report_ok), 0);
	assert_int_equal(conn_device(&s), vdev);
	after = get_state(id);
	assert_memory_equal(&before, &after, sizeof(before));

	/* The same report to the balancer's own address is still a report. */
	expect_accepted(frame, udp_report(family, wire, frame), "report beside the VIP");
	assert_state_is(id, &f, 1500);
}

/* Reports on another UDP port are not reports: passed, state untouched. */
static void test_other_port_is_not_a_report(void **state)
{
	struct report_fields f = fields(DEV4, SEQ0 + 1);
	__u8 wire[HAULER_REPORT_LEN], frame[DP_FRAME_MAX];
	struct dp_out out;
	size_t len, udp_off = ETH_HLEN_ + 20;
	struct dev_state before, after;

	(void)state;
	prime(DEV4, SEQ0);
	encode(&f, DEV4, wire);
	len = udp_report(4, wire, frame);
	/* Port 7947; the UDP checksum is not the datapath's concern here. */
	frame[udp_off + 3] ^= 1;
	before = get_state(DEV4);
	dp_stats_zero();
	assert_int_equal(dp_run(frame, len, &out), 0);
	assert_int_equal(out.verdict, XDP_PASS);
	assert_int_equal(dp_stat(HAULER_STAT_report_ok), 0);
	assert_int_equal(dp_stat(HAULER_STAT_pass_not_vip), 1);
	after = get_state(DEV4);
	assert_memory_equal(&before, &after, sizeof(before));
}

/*
 * A client whose source port is the report port: the replies of its NAT
 * flow come back with that destination port and must be rewritten to the
 * VIP like any other reply, not taken for reports.
 */
static void test_nat_reply_to_report_port(void **state)
{
	int family = *(int *)*state;
	__u8 frame[DP_FRAME_MAX], want[DP_FRAME_MAX];
	struct frame_spec s, r, e;
	struct dp_out out;
	size_t len;

	dp_simple_vip(family, IPPROTO_UDP, HAULER_FWD_NAT, 1);
	spec_to_vip(&s, family, IPPROTO_UDP, 0);
	s.sport = HAULER_REPORT_PORT;
	len = build(&s, frame);
	assert_int_equal(dp_run(frame, len, &out), 0);
	assert_int_equal(out.verdict, XDP_TX);

	spec_reply(&r, &s, 0);
	spec_reply_expected(&e, &r, &s);
	len = build(&r, frame);
	dp_stats_zero();
	run_expect(frame, len, XDP_TX, want, build(&e, want));
	assert_int_equal(dp_stat(HAULER_STAT_nat_reply), 1);
	assert_int_equal(dp_stat(HAULER_STAT_report_bad_len), 0);
}

static int fam4 = 4, fam6 = 6;

/* clang-format off */
#define T(name, fn, ...) { name, fn, setup_devices, NULL, __VA_ARGS__ }
#define CUT(name, ...) T("truncated " name, test_truncated, &(struct cut_case){ __VA_ARGS__ })
#define ETHER(name, ...) T("genuine ether " name, test_genuine_ether, &(struct ether_case){ __VA_ARGS__ })
/* clang-format on */

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T("genuine v4 UDP report updates dev_state", test_genuine_udp, &fam4),
	    T("genuine v6 UDP report updates dev_state", test_genuine_udp, &fam6),
	    ETHER("(54 bytes)", 0, 0),
	    ETHER("padded to 60", 0, 60),
	    ETHER("VLAN tagged, padded to 64", 1, 64),
	    T("a report sets the aggregate to its exact sum", test_report_sets_aggregate, NULL),
	    T("latency only when flagged", test_latency_only_when_flagged, NULL),
	    T("period and busy land in dev_state", test_period_and_busy, NULL),
	    T("version-1 reports still accepted", test_version1, NULL),
	    T("forged tag v4", test_forged_tag, &fam4),
	    T("forged tag v6", test_forged_tag, &fam6),
	    T("forged device id", test_forged_device, NULL),
	    T("replayed sequence", test_replay, NULL),
	    T("replay check is per device", test_replay_is_per_device, NULL),
	    T("device resync applied by the next report, once", test_resync_applied_by_next_report,
	      NULL),
	    T("sequence outside the clock window", test_clock_window, NULL),
	    T("raw reports only on their interface", test_raw_interface, NULL),
	    T("report fields of one report under races", test_report_fields_consistent, NULL),
	    T("locked reads see one report, never an older one", test_locked_reads_see_one_report,
	      NULL),
	    T("user-space writes keep the lock word", test_user_write_keeps_lock, NULL),
	    T("unknown device", test_unknown_device, NULL),
	    T("wrong source address", test_wrong_source, NULL),
	    T("values out of range v4", test_bad_values, &fam4),
	    T("values out of range v6", test_bad_values, &fam6),
	    T("wrong magic or version", test_bad_header, NULL),
	    T("wrong length v4", test_wrong_length, &fam4),
	    T("wrong length v6", test_wrong_length, &fam6),
	    T("UDP length field", test_udp_length_field, NULL),
	    CUT("v4 UDP", 4, 0),
	    CUT("v6 UDP", 6, 0),
	    CUT("v4 UDP VLAN", 4, 1),
	    CUT("Ethernet", 0, 0),
	    CUT("Ethernet VLAN", 0, 1),
	    T("VIP on the report port v4 is balanced", test_vip_on_report_port, &fam4),
	    T("VIP on the report port v6 is balanced", test_vip_on_report_port, &fam6),
	    T("other UDP port is not a report", test_other_port_is_not_a_report, NULL),
	    T("NAT reply to a client on the report port v4", test_nat_reply_to_report_port, &fam4),
	    T("NAT reply to a client on the report port v6", test_nat_reply_to_report_port, &fam6),
	};

	return cmocka_run_group_tests(tests, dp_setup, dp_teardown);
}
