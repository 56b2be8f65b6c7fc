// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_report - the agent report wire format (include/hauler_report.h):
 * byte layout, encode/decode round trip, each reason a report is refused,
 * quantization, sequence numbers and key text; version 2's period and
 * flags, and how version-1 reports are still read; what an accepted
 * report writes into dev_state (include/hauler_report_store.h, the
 * datapath's and the simulator's one copy); how lc and wlc count a
 * device's connections in aggregate mode (include/hauler_assigned.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>

#include "hauler_report.h"
#include "hauler_report_store.h"
#include "hauler_assigned.h"

#define DEV 7

static struct dev_key keys[16];
static __u64 last_seq[16];

static const struct report_fields sample = {
    .device = DEV,
    .flags = HAULER_REPORT_F_LATENCY,
    .cmp = 42,
    .mem = 100,
    .net = 0,
    .queue = 13,
    .latency_us = 0x01020304,
    .live_conns = 70000,
    .period_ms = 0x0a0b0c,
    .seq = 0x0102030405060708ULL,
};

static int setup(void **state)
{
	(void)state;
	memset(keys, 0, sizeof(keys));
	memset(last_seq, 0, sizeof(last_seq));
	keys[DEV].k0 = 0x0706050403020100ULL;
	keys[DEV].k1 = 0x0f0e0d0c0b0a0908ULL;
	return 0;
}

static void encode(const struct report_fields *f, unsigned char *buf)
{
	report_encode(f, keys[f->device].k0, keys[f->device].k1, buf);
}

static int decode(const unsigned char *buf, size_t len, struct report_fields *out)
{
	return report_decode(buf, len, keys, 16, last_seq, out);
}

/* Re-tag a report edited in place, as a forger who holds the key would. */
static void retag(unsigned char *buf)
{
	struct hauler_report r;

	memcpy(&r, buf, sizeof(r));
	r.tag = report_be64(report_tag(&r, keys[DEV].k0, keys[DEV].k1));
	memcpy(buf, &r, sizeof(r));
}

/* Every field sits at the documented offset, big-endian. */
static void test_wire_layout(void **state)
{
	unsigned char buf[HAULER_REPORT_LEN];
	const unsigned char head[] = {
	    'H',
	    'L',
	    'R',
	    'R',
	    HAULER_REPORT_VERSION,
	    HAULER_REPORT_F_LATENCY,
	    0,
	    DEV,
	    1,
	    2,
	    3,
	    4,
	    5,
	    6,
	    7,
	    8,
	    42,
	    100,
	    0,
	    13,
	    1,
	    2,
	    3,
	    4,
	    0,
	    1,
	    0x11,
	    0x70,
	    0,
	    0x0a,
	    0x0b,
	    0x0c,
	};
	__u64 tag;

	(void)state;
	encode(&sample, buf);
	assert_memory_equal(buf, head, sizeof(head));
	tag = siphash_2_4(buf, 32, keys[DEV].k0, keys[DEV].k1);
	for (int i = 0; i < 8; i++)
		assert_int_equal(buf[32 + i], (tag >> (56 - 8 * i)) & 0xff);
	assert_int_equal(HAULER_REPORT_ETHERTYPE, 0x88b5);
	assert_int_equal(HAULER_REPORT_PORT, 7946);
}

static void test_round_trip(void **state)
{
	unsigned char buf[HAULER_REPORT_LEN];
	struct report_fields out;

	(void)state;
	encode(&sample, buf);
	memset(&out, 0xaa, sizeof(out));
	assert_int_equal(decode(buf, sizeof(buf), &out), REPORT_OK);
	assert_int_equal(out.device, sample.device);
	assert_int_equal(out.flags, sample.flags);
	assert_int_equal(out.cmp, sample.cmp);
	assert_int_equal(out.mem, sample.mem);
	assert_int_equal(out.net, sample.net);
	assert_int_equal(out.queue, sample.queue);
	assert_int_equal(out.latency_us, sample.latency_us);
	assert_int_equal(out.live_conns, sample.live_conns);
	assert_int_equal(out.period_ms, sample.period_ms);
	assert_int_equal(out.version, HAULER_REPORT_VERSION);
	assert_true(out.seq == sample.seq);
}

/* A refused report leaves the output untouched. */
static void assert_refused(const unsigned char *buf, size_t len, int reason)
{
	struct report_fields out, before;

	memset(&out, 0x5c, sizeof(out));
	before = out;
	assert_int_equal(decode(buf, len, &out), reason);
	assert_memory_equal(&out, &before, sizeof(out));
}

static void test_rejects_every_wrong_length(void **state)
{
	unsigned char buf[HAULER_REPORT_LEN + 8];

	(void)state;
	encode(&sample, buf);
	for (size_t len = 0; len < HAULER_REPORT_LEN; len++)
		assert_refused(buf, len, REPORT_BAD_LEN);
	assert_refused(buf, HAULER_REPORT_LEN + 1, REPORT_BAD_LEN);
	assert_refused(buf, HAULER_REPORT_LEN + 8, REPORT_BAD_LEN);
}

static void test_rejects_bad_magic_and_version(void **state)
{
	unsigned char buf[HAULER_REPORT_LEN];

	(void)state;
	encode(&sample, buf);
	buf[0] ^= 0x20;
	retag(buf);
	assert_refused(buf, sizeof(buf), REPORT_BAD_MAGIC);
	/* Versions 1 and 2 are known; 0, 3 and 255 are not, even correctly tagged. */
	for (int v = 0; v < 256; v++) {
		if (v == HAULER_REPORT_VERSION || v == HAULER_REPORT_VERSION_1)
			continue;
		encode(&sample, buf);
		buf[4] = (unsigned char)v;
		retag(buf);
		assert_refused(buf, sizeof(buf), REPORT_BAD_MAGIC);
	}
}

/*
 * A version-1 agent (before periods) still reports: its bytes 28..31 are
 * zero and it knows only flags 0x07. Such a report is read with period 0
 * and version 1 (the stale-ms rule, select_stale_ns); a version-1 report
 * with a period or a version-2 flag is out of range.
 */
static void test_version1_compat(void **state)
{
	struct report_fields f = sample, out;
	unsigned char buf[HAULER_REPORT_LEN];

	(void)state;
	f.version = HAULER_REPORT_VERSION_1;
	f.period_ms = 0;
	f.flags = HAULER_REPORT_F_ALL_V1;
	encode(&f, buf);
	assert_int_equal(buf[4], 1);
	assert_int_equal(decode(buf, sizeof(buf), &out), REPORT_OK);
	assert_int_equal(out.version, 1);
	assert_int_equal(out.period_ms, 0);
	assert_int_equal(out.cmp, sample.cmp);

	f.seq++;
	f.period_ms = 10; /* a v1 report has no period */
	encode(&f, buf);
	assert_refused(buf, sizeof(buf), REPORT_BAD_VALUE);
	f.period_ms = 0;
	f.flags = HAULER_REPORT_F_BUSY;
	encode(&f, buf);
	assert_refused(buf, sizeof(buf), REPORT_BAD_VALUE);
	f.flags = HAULER_REPORT_F_CONFIRM;
	encode(&f, buf);
	assert_refused(buf, sizeof(buf), REPORT_BAD_VALUE);
	/* The same bytes as version 2 are fine: the version is under the tag. */
	f.version = HAULER_REPORT_VERSION;
	encode(&f, buf);
	assert_int_equal(decode(buf, sizeof(buf), &out), REPORT_OK);
	assert_int_equal(out.flags, HAULER_REPORT_F_CONFIRM);
	/* A forger cannot turn a v2 report into a v1 one (or back). */
	buf[4] = HAULER_REPORT_VERSION_1;
	assert_refused(buf, sizeof(buf), REPORT_BAD_TAG);
}

static void test_rejects_unknown_device(void **state)
{
	struct report_fields f = sample;
	unsigned char buf[HAULER_REPORT_LEN];

	(void)state;
	f.device = DEV + 1; /* in range, but has no key */
	report_encode(&f, keys[DEV].k0, keys[DEV].k1, buf);
	assert_refused(buf, sizeof(buf), REPORT_UNKNOWN_DEVICE);
	f.device = 16; /* beyond the key table */
	report_encode(&f, keys[DEV].k0, keys[DEV].k1, buf);
	assert_refused(buf, sizeof(buf), REPORT_UNKNOWN_DEVICE);
	f.device = HAULER_NO_DEVICE;
	report_encode(&f, keys[DEV].k0, keys[DEV].k1, buf);
	assert_refused(buf, sizeof(buf), REPORT_UNKNOWN_DEVICE);
}

/* Any flipped bit, the wrong key, or a tag moved from another report. */
static void test_rejects_forged_tag(void **state)
{
	struct report_fields other = sample;
	unsigned char buf[HAULER_REPORT_LEN], copy[HAULER_REPORT_LEN], buf2[HAULER_REPORT_LEN];

	(void)state;
	encode(&sample, buf);
	/* Bits of magic, version and device would fail earlier checks first. */
	for (int bit = 8 * 8; bit < HAULER_REPORT_LEN * 8; bit++) {
		memcpy(copy, buf, sizeof(copy));
		copy[bit / 8] ^= (unsigned char)(1 << (bit % 8));
		assert_refused(copy, sizeof(copy), REPORT_BAD_TAG);
	}
	memcpy(copy, buf, sizeof(copy));
	copy[5] ^= HAULER_REPORT_F_THRESHOLD; /* flags: before the device, after the magic */
	assert_refused(copy, sizeof(copy), REPORT_BAD_TAG);
	report_encode(&sample, keys[DEV].k0 + 1, keys[DEV].k1, copy);
	assert_refused(copy, sizeof(copy), REPORT_BAD_TAG);
	other.cmp = 0;
	encode(&other, buf2);
	memcpy(buf2 + 32, buf + 32, 8);
	assert_refused(buf2, sizeof(buf2), REPORT_BAD_TAG);
}

static void test_rejects_values_out_of_range(void **state)
{
	struct report_fields f;
	unsigned char buf[HAULER_REPORT_LEN];

	(void)state;
	for (int field = 0; field < 4; field++) {
		f = sample;
		(&f.cmp)[field] = HAULER_REPORT_MAX_PCT + 1;
		encode(&f, buf);
		assert_refused(buf, sizeof(buf), REPORT_BAD_VALUE);
		(&f.cmp)[field] = 255;
		encode(&f, buf);
		assert_refused(buf, sizeof(buf), REPORT_BAD_VALUE);
	}
	f = sample;
	f.flags = 0x80;
	encode(&f, buf);
	assert_refused(buf, sizeof(buf), REPORT_BAD_VALUE);
	f = sample;
	f.flags = 0x20; /* the lowest bit past version 2's flags */
	encode(&f, buf);
	assert_refused(buf, sizeof(buf), REPORT_BAD_VALUE);
	f = sample;
	f.period_ms = HAULER_REPORT_MAX_PERIOD_MS + 1;
	encode(&f, buf);
	assert_refused(buf, sizeof(buf), REPORT_BAD_VALUE);
	f.period_ms = 0xffffffffu;
	encode(&f, buf);
	assert_refused(buf, sizeof(buf), REPORT_BAD_VALUE);
	/* 100, every flag, the longest period and period 0 (trigger-only) are in range. */
	f = sample;
	f.cmp = f.mem = f.net = f.queue = 100;
	f.flags = HAULER_REPORT_F_ALL;
	f.period_ms = HAULER_REPORT_MAX_PERIOD_MS;
	encode(&f, buf);
	assert_int_equal(decode(buf, sizeof(buf), &f), REPORT_OK);
	f.period_ms = 0;
	encode(&f, buf);
	assert_int_equal(decode(buf, sizeof(buf), &f), REPORT_OK);
	assert_int_equal(f.period_ms, 0);
}

/* The period an agent states for its rate: rounded ms, 0 for trigger-only. */
static void test_period_of_rate(void **state)
{
	(void)state;
	assert_int_equal(report_period_ms(100), 10);
	assert_int_equal(report_period_ms(3), 333);
	assert_int_equal(report_period_ms(0.1), 10000);
	assert_int_equal(report_period_ms(10000), 1); /* 0.1 ms: at least 1 */
	assert_int_equal(report_period_ms(0), 0);
	assert_int_equal(report_period_ms(-1), 0);
	assert_int_equal(report_period_ms(NAN), 0);
	assert_int_equal(report_period_ms(1e-9), HAULER_REPORT_MAX_PERIOD_MS);
}

static void test_rejects_replay(void **state)
{
	struct report_fields f = sample, out;
	unsigned char buf[HAULER_REPORT_LEN];

	(void)state;
	last_seq[DEV] = sample.seq;
	encode(&f, buf);
	assert_refused(buf, sizeof(buf), REPORT_REPLAY);
	f.seq = sample.seq - 1;
	encode(&f, buf);
	assert_refused(buf, sizeof(buf), REPORT_REPLAY);
	f.seq = sample.seq + 1;
	encode(&f, buf);
	assert_int_equal(decode(buf, sizeof(buf), &out), REPORT_OK);
	/* Without a sequence table nothing is a replay. */
	f.seq = 0;
	encode(&f, buf);
	assert_int_equal(report_decode(buf, sizeof(buf), keys, 16, NULL, &out), REPORT_OK);
}

static void test_reasons_map_to_counters(void **state)
{
	(void)state;
	assert_int_equal(report_err_stat(REPORT_OK), HAULER_STAT_report_ok);
	assert_int_equal(report_err_stat(REPORT_BAD_LEN), HAULER_STAT_report_bad_len);
	assert_int_equal(report_err_stat(REPORT_BAD_MAGIC), HAULER_STAT_report_bad_magic);
	assert_int_equal(report_err_stat(REPORT_UNKNOWN_DEVICE), HAULER_STAT_report_unknown_device);
	assert_int_equal(report_err_stat(REPORT_BAD_SOURCE), HAULER_STAT_report_bad_source);
	assert_int_equal(report_err_stat(REPORT_BAD_TAG), HAULER_STAT_report_bad_tag);
	assert_int_equal(report_err_stat(REPORT_BAD_VALUE), HAULER_STAT_report_bad_value);
	assert_int_equal(report_err_stat(REPORT_REPLAY), HAULER_STAT_report_replay);
	assert_string_equal(report_strerror(REPORT_REPLAY), "sequence not newer (replay)");
	assert_string_equal(report_strerror(99), "unknown error");
}

static void test_quantize(void **state)
{
	(void)state;
	assert_int_equal(report_quantize(0.0), 0);
	assert_int_equal(report_quantize(0.49), 0);
	assert_int_equal(report_quantize(0.5), 1);
	assert_int_equal(report_quantize(42.4999), 42);
	assert_int_equal(report_quantize(42.5), 43);
	assert_int_equal(report_quantize(99.49), 99);
	assert_int_equal(report_quantize(99.5), 100);
	assert_int_equal(report_quantize(100.0), 100);
	assert_int_equal(report_quantize(250.0), 100);
	assert_int_equal(report_quantize(-3.0), 0);
	assert_int_equal(report_quantize(NAN), 0);
	assert_int_equal(report_quantize(INFINITY), 100);
	assert_int_equal(report_quantize(-INFINITY), 0);
}

static void test_sequence_grows_across_restart(void **state)
{
	__u64 s1, s2, s3, restarted;

	(void)state;
	s1 = report_seq_next(0, 1700000000, 5);
	assert_true(s1 == (1700000000ULL << 20 | 5));
	s2 = report_seq_next(s1, 1700000000, 5); /* same microsecond */
	assert_true(s2 == s1 + 1);
	s3 = report_seq_next(s2, 1699999999, 0); /* clock stepped back */
	assert_true(s3 == s2 + 1);
	/* A new agent (prev 0) a millisecond later starts above the old one. */
	restarted = report_seq_next(0, 1700000000, 1005);
	assert_true(restarted > s3);
	assert_true(report_seq_next(0, 1700000001, 0) > (1700000000ULL << 20 | 0xfffff));
}

static void test_key_text(void **state)
{
	__u64 k0 = 0, k1 = 0;
	char text[33];

	(void)state;
	assert_int_equal(report_key_parse("000102030405060708090a0b0c0d0e0f", &k0, &k1), 0);
	assert_true(k0 == 0x0706050403020100ULL && k1 == 0x0f0e0d0c0b0a0908ULL);
	report_key_format(k0, k1, text);
	assert_string_equal(text, "000102030405060708090a0b0c0d0e0f");
	assert_int_equal(report_key_parse("000102030405060708090A0B0C0D0E0F", &k0, &k1), 0);
	assert_true(k1 == 0x0f0e0d0c0b0a0908ULL);
	assert_int_equal(report_key_parse("000102030405060708090a0b0c0d0e0", &k0, &k1), -1);
	assert_int_equal(report_key_parse("000102030405060708090a0b0c0d0e0f0", &k0, &k1), -1);
	assert_int_equal(report_key_parse("000102030405060708090a0b0c0d0e0g", &k0, &k1), -1);
	assert_int_equal(report_key_parse("", &k0, &k1), -1);
	assert_int_equal(report_key_parse("00000000000000000000000000000000", &k0, &k1), -1);
}

/*
 * Encode f with the device's key and apply it to st at now (the receive
 * path's last step), the device's new-connection counter at apply_new.
 */
static __u64 apply_new;

static int apply(struct dev_state *st, const struct report_fields *f, __u64 now)
{
	struct hauler_report r;

	encode(f, (unsigned char *)&r);
	return report_apply(st, &r, now, apply_new);
}

/*
 * report_apply: an accepted report's fields, period, version, busy flag,
 * time and sequence go into dev_state and assigned restarts (the base is
 * the device's new-connection counter at the report); one whose sequence
 * is not newer is a replay and changes nothing; a report without a
 * latency keeps the last one known.
 */
static void test_apply_to_dev_state(void **state)
{
	const struct dev_state want = {
	    .cmp = 42,
	    .mem = 100,
	    .queue = 13,
	    .latency_us = 0x01020304,
	    .live_conns = 70000,
	    .seq = sample.seq,
	    .updated_ns = 5000,
	    .period_ms = 10,
	    .version = HAULER_REPORT_VERSION,
	    .busy = 1,
	    .new_base = 9,
	    .agg = 1ull << 32 | 9, /* the aggregate too: generation 1, the report's sum */
	    .agg_ns = 5000,
	};
	struct report_fields f = sample;
	struct dev_state st = {.new_base = 2}, before;

	(void)state;
	f.flags |= HAULER_REPORT_F_BUSY;
	f.period_ms = 10;
	assert_int_equal(dev_assigned(&st, 9), 7);
	apply_new = 9;
	assert_int_equal(apply(&st, &f, 5000), REPORT_OK);
	assert_memory_equal(&st, &want, sizeof(st));
	assert_int_equal(dev_assigned(&st, 9), 0);
	assert_int_equal(dev_assigned(&st, 12), 3);
	/* A sum read before the report, its base after: none, not 2^32 - 1. */
	assert_int_equal(dev_assigned(&st, 8), 0);
	/* The counter wraps its low 32 bits: still the difference. */
	st.new_base = 0xfffffffeu;
	assert_int_equal(dev_assigned(&st, 0x100000001ull), 3);
	st.new_base = 9;
	/* The same sequence again, or an older one: a replay, nothing moves. */
	apply_new = 50;
	before = st;
	f.cmp = 7;
	assert_int_equal(apply(&st, &f, 6000), REPORT_REPLAY);
	f.seq = sample.seq - 1;
	assert_int_equal(apply(&st, &f, 6000), REPORT_REPLAY);
	assert_memory_equal(&st, &before, sizeof(st));
	/* Newer, without a latency and not busy: the latency known stays. */
	f.seq = sample.seq + 1;
	f.flags = 0;
	assert_int_equal(apply(&st, &f, 7000), REPORT_OK);
	assert_int_equal(st.cmp, 7);
	assert_int_equal(st.latency_us, 0x01020304);
	assert_int_equal(st.busy, 0);
	assert_true(st.seq == sample.seq + 1 && st.updated_ns == 7000);
}

/* The aggregate's interval: due at interval_ns, not before; a stamp ahead is fresh. */
static void test_agg_due(void **state)
{
	(void)state;
	assert_true(agg_due(0, 1000000, 1000000)); /* never summed */
	assert_false(agg_due(5000000, 5999999, 1000000));
	assert_true(agg_due(5000000, 6000000, 1000000));
	assert_false(agg_due(5000000, 4000000, 1000000)); /* another CPU's clock ahead */
	assert_false(agg_due(5000000, 5000000, 1));
	assert_true(agg_due(5000000, 5000001, 1));
}

/* hauler up's choice: the sum up to assigned_cpus CPUs, the aggregate above; forced either way. */
static void test_assigned_us_for(void **state)
{
	(void)state;
	assert_int_equal(assigned_us_for(HAULER_ASSIGNED_AUTO, 8, 1000, 8), 0);
	assert_int_equal(assigned_us_for(HAULER_ASSIGNED_AUTO, 8, 1000, 9), 1000);
	/* The default: the exact sum on one CPU only (the aggregate is cheaper from two on). */
	assert_int_equal(assigned_us_for(HAULER_ASSIGNED_AUTO, 0, 0, 1), 0);
	assert_int_equal(assigned_us_for(HAULER_ASSIGNED_AUTO, 0, 0, 2),
			 HAULER_ASSIGNED_US_DEFAULT);
	assert_int_equal(assigned_us_for(HAULER_ASSIGNED_AUTO, 0, 0, 128),
			 HAULER_ASSIGNED_US_DEFAULT);
	assert_int_equal(assigned_us_for(HAULER_ASSIGNED_EXACT, 8, 1000, 128), 0);
	assert_int_equal(assigned_us_for(HAULER_ASSIGNED_AGGREGATE, 8, 250, 2), 250);
	assert_int_equal(assigned_us_for(HAULER_ASSIGNED_AGGREGATE, 8, 0, 1),
			 HAULER_ASSIGNED_US_DEFAULT);
}

#define AGG_CPUS 4
#define AGG_DEVS 3

/* A device's counter (stats, HAULER_STAT_NEW) per CPU, its dev_state and each CPU's memo. */
struct agg_dev {
	__u64 slot[AGG_CPUS];
	struct dev_state st;
	struct dev_own own[AGG_CPUS];
};

static __u64 agg_exact(const struct agg_dev *d)
{
	__u64 sum = 0;
	int c;

	for (c = 0; c < AGG_CPUS; c++)
		sum += d->slot[c];
	return sum;
}

/* What the policy on cpu counts (policy_assigned_fill, bpf/assigned.h): summed first when due. */
static __u32 agg_read(struct agg_dev *d, int cpu, __u64 now, __u64 interval)
{
	if (agg_due(d->st.agg_ns, now, interval)) {
		d->st.agg_ns = now;
		d->st.agg = agg_word_next(d->st.agg, agg_exact(d));
	}
	return agg_count(&d->own[cpu], d->st.agg, d->slot[cpu]);
}

/*
 * One CPU alone: its own connections count at once, so its count is the
 * exact one between sums, and a sum changes nothing.
 */
static void test_agg_own_at_once(void **state)
{
	struct agg_dev d = {};
	__u64 now = 1000;
	int i;

	(void)state;
	for (i = 0; i < 50; i++) {
		assert_int_equal(agg_read(&d, 1, now, 100), agg_exact(&d));
		d.slot[1]++;
		now += 7;
	}
	/* A report: its sum is the base and the aggregate; assigned 0, then its own again. */
	apply_new = agg_exact(&d);
	d.st.new_base = (__u32)apply_new;
	agg_reported(&d.st, now, apply_new);
	assert_int_equal(dev_assigned(&d.st, agg_read(&d, 1, now, 100)), 0);
	d.slot[1] += 3;
	assert_int_equal(dev_assigned(&d.st, agg_read(&d, 1, now, 100)), 3);
}

/*
 * Four CPUs open connections to three devices in a fixed pseudo-random
 * order, each reading its devices' counts first as lc does. Every count
 * read is at most the exact one and at least the exact one less the
 * other CPUs' connections since the aggregate was summed (within one
 * interval); once a CPU has read an aggregate, its own connections count
 * at once. Reports now and then: assigned 0 at once, never negative.
 */
static void test_agg_bound(void **state)
{
	struct agg_dev d[AGG_DEVS] = {};
	__u64 at_sum[AGG_DEVS][AGG_CPUS] = {}, now = 1, interval = 1000, seed = 42;
	__u32 count, behind_max = 0;
	int i, n, c, cpu, dev;

	(void)state;
	for (i = 0; i < 200000; i++) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		cpu = (seed >> 33) % AGG_CPUS;
		dev = (seed >> 40) % AGG_DEVS;
		now += (seed >> 50) % 16;
		for (n = 0; n < AGG_DEVS; n++) {
			__u64 others = 0, exact = agg_exact(&d[n]);
			int summed = agg_due(d[n].st.agg_ns, now, interval);

			count = agg_read(&d[n], cpu, now, interval);
			if (summed)
				for (c = 0; c < AGG_CPUS; c++)
					at_sum[n][c] = d[n].slot[c];
			for (c = 0; c < AGG_CPUS; c++)
				if (c != cpu)
					others += d[n].slot[c] - at_sum[n][c];
			assert_true(count <= exact);
			assert_true(count + others >= exact);
			behind_max = exact - count > behind_max ? exact - count : behind_max;
			assert_true(dev_assigned(&d[n].st, count) <= exact - d[n].st.new_base);
		}
		d[dev].slot[cpu]++;
		if (i % 9973 == 0) {
			__u64 sum = agg_exact(&d[dev]);

			d[dev].st.new_base = (__u32)sum;
			agg_reported(&d[dev].st, now, sum);
			for (c = 0; c < AGG_CPUS; c++)
				at_sum[dev][c] = d[dev].slot[c];
			assert_int_equal(
			    dev_assigned(&d[dev].st, agg_read(&d[dev], cpu, now, interval)), 0);
		}
	}
	/* Other CPUs' connections were missed at times: the bound was reached, not exceeded. */
	assert_true(behind_max > 0);
}

/*
 * The corners: an aggregate older than the report's base (a sum that
 * raced the report) reads 0 assigned, not 2^32 - 1; a counter zeroed under
 * a CPU's memo (a new device on a reused id) counts none of its own until
 * it grows past the memo's base or the next sum; the generation tells a
 * new aggregate of the same sum from the old one.
 */
static void test_agg_corners(void **state)
{
	struct dev_state st = {.new_base = 100};
	struct dev_own own = {};

	(void)state;
	st.agg = agg_word(3, 90);
	assert_int_equal(dev_assigned(&st, agg_count(&own, st.agg, 7)), 0);
	assert_int_equal(own.base, 7);
	assert_int_equal(agg_count(&own, st.agg, 2), 90); /* zeroed under the memo */
	st.agg = agg_word_next(st.agg, 90);
	assert_int_equal(st.agg >> 32, 4);
	assert_int_equal(agg_count(&own, st.agg, 2), 90); /* a new word: counted from 2 */
	assert_int_equal(agg_count(&own, st.agg, 5), 93);
	assert_int_equal(dev_assigned(&st, agg_count(&own, st.agg, 15)), 3);
	/* The sum's low 32 bits wrap as new_base's do. */
	st.agg = agg_word_next(st.agg, 0x100000002ull);
	st.new_base = 0xfffffffeu;
	assert_int_equal(dev_assigned(&st, agg_count(&own, st.agg, 15)), 4);
	assert_int_equal(agg_word_next(agg_word(0xffffffffu, 1), 1) >> 32, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_wire_layout, setup),
	    cmocka_unit_test_setup(test_round_trip, setup),
	    cmocka_unit_test_setup(test_rejects_every_wrong_length, setup),
	    cmocka_unit_test_setup(test_rejects_bad_magic_and_version, setup),
	    cmocka_unit_test_setup(test_rejects_unknown_device, setup),
	    cmocka_unit_test_setup(test_rejects_forged_tag, setup),
	    cmocka_unit_test_setup(test_version1_compat, setup),
	    cmocka_unit_test_setup(test_rejects_values_out_of_range, setup),
	    cmocka_unit_test_setup(test_period_of_rate, setup),
	    cmocka_unit_test_setup(test_rejects_replay, setup),
	    cmocka_unit_test_setup(test_reasons_map_to_counters, setup),
	    cmocka_unit_test_setup(test_quantize, setup),
	    cmocka_unit_test_setup(test_sequence_grows_across_restart, setup),
	    cmocka_unit_test_setup(test_key_text, setup),
	    cmocka_unit_test_setup(test_apply_to_dev_state, setup),
	    cmocka_unit_test_setup(test_agg_due, setup),
	    cmocka_unit_test_setup(test_assigned_us_for, setup),
	    cmocka_unit_test_setup(test_agg_own_at_once, setup),
	    cmocka_unit_test_setup(test_agg_bound, setup),
	    cmocka_unit_test_setup(test_agg_corners, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
