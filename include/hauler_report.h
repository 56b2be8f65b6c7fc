/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * hauler_report.h - the wire format of agent reports (docs/agent.md, "Wire
 * format"), shared by hauler-agent, the datapath and the tests.
 *
 * A report is 40 bytes, every multi-byte field in network byte order:
 *
 *   0  magic       32  HAULER_REPORT_MAGIC ("HLRR")
 *   4  version      8  HAULER_REPORT_VERSION
 *   5  flags        8  HAULER_REPORT_F_*; other bits must be zero
 *   6  device      16  device id (index of devices, dev_keys, dev_state)
 *   8  seq         64  sequence: only grows (see report_seq_next)
 *  16  cmp          8  compute utilization 0..100
 *  17  mem          8  memory utilization 0..100
 *  18  net          8  network utilization 0..100
 *  19  queue        8  pending-request fill 0..100 (docs/agent.md)
 *  20  latency_us  32  service latency (valid with HAULER_REPORT_F_LATENCY)
 *  24  live_conns  32  established connections to the service port
 *  28  period_ms   32  version 2: the agent's report period in ms (1..
 *                      HAULER_REPORT_MAX_PERIOD_MS), 0 when it reports only
 *                      on threshold crossings; version 1: zero (reserved)
 *  32  tag         64  SipHash-2-4 of bytes 0..31 with the device's key
 *
 * Versions: 2 is what agents send. A version-1 report (the same bytes, no
 * period, no BUSY or CONFIRM flag) is still accepted, and counted in
 * report_v1 besides report_ok: its device is stale after the VIP's
 * stale-ms, as before periods were reported. Any other version is refused
 * as a bad magic.
 *
 * It travels as the payload of a UDP datagram to the balancer's report
 * port (HAULER_REPORT_PORT of the schema, 7946), or right after an
 * Ethernet header of type HAULER_REPORT_ETHERTYPE (the frame's padding
 * after the 40 bytes is ignored).
 *
 * A receiver checks, in this order, and counts the first failure:
 * length, magic and version, device (in range, with a key), source address
 * or, for the raw Ethernet form, the interface (datapath only), tag,
 * values, freshness (the sequence's time within the window of the wall
 * clock, report_seq_fresh), sequence (newer than the last accepted).
 * Authentication comes before values and sequence so that a forger moves
 * only the bad_tag counter.
 */
#ifndef HAULER_REPORT_H
#define HAULER_REPORT_H

#include <linux/types.h>
#include "hauler_schema.h"
#include "siphash.h"

/*
 * struct hauler_report, HAULER_REPORT_MAGIC, _VERSION, _VERSION_1,
 * _ETHERTYPE, _MAX_PERIOD_MS and the HAULER_REPORT_F_* flags come from
 * include/schema.def (hauler_schema.h), so the P4 parser reads the same
 * layout.
 */
#define HAULER_REPORT_LEN	40
#define HAULER_REPORT_TAG_WORDS 4 /* the tag covers bytes 0..31 */
#define HAULER_REPORT_MAX_PCT	100

/* Sequence: seconds since the epoch << 20 | microseconds, kept growing. */
#define HAULER_REPORT_SEQ_SHIFT 20

_Static_assert(sizeof(struct hauler_report) == HAULER_REPORT_LEN, "report has no holes");
_Static_assert(__builtin_offsetof(struct hauler_report, tag) == 8 * HAULER_REPORT_TAG_WORDS,
	       "the tag follows the words it covers");

/* Why a report was refused; each maps to one stats counter. */
enum report_err {
	REPORT_OK = 0,
	REPORT_BAD_LEN,
	REPORT_BAD_MAGIC,
	REPORT_UNKNOWN_DEVICE,
	REPORT_BAD_SOURCE,
	REPORT_BAD_TAG,
	REPORT_BAD_VALUE,
	REPORT_REPLAY,
	REPORT_STALE,
	REPORT_RAW_REFUSED,
};

static __always_inline int report_err_stat(int err)
{
	switch (err) {
	case REPORT_OK:
		return HAULER_STAT_report_ok;
	case REPORT_BAD_LEN:
		return HAULER_STAT_report_bad_len;
	case REPORT_BAD_MAGIC:
		return HAULER_STAT_report_bad_magic;
	case REPORT_UNKNOWN_DEVICE:
		return HAULER_STAT_report_unknown_device;
	case REPORT_BAD_SOURCE:
		return HAULER_STAT_report_bad_source;
	case REPORT_BAD_TAG:
		return HAULER_STAT_report_bad_tag;
	case REPORT_REPLAY:
		return HAULER_STAT_report_replay;
	case REPORT_STALE:
		return HAULER_STAT_report_stale;
	case REPORT_RAW_REFUSED:
		return HAULER_STAT_report_raw_refused;
	default:
		return HAULER_STAT_report_bad_value;
	}
}

/* Network <-> host byte order without libc or bpf_endian.h. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define report_be16(x) ((__u16)(x))
#define report_be32(x) ((__u32)(x))
#define report_be64(x) ((__u64)(x))
#else
#define report_be16(x) __builtin_bswap16(x)
#define report_be32(x) __builtin_bswap32(x)
#define report_be64(x) __builtin_bswap64(x)
#endif

/* The tag a report must carry (host order): r must be 8-byte aligned. */
static __always_inline __u64 report_tag(const struct hauler_report *r, __u64 k0, __u64 k1)
{
	return siphash_2_4_words((const __u64 *)r, HAULER_REPORT_TAG_WORDS, k0, k1);
}

static __always_inline int report_header_ok(const struct hauler_report *r)
{
	return r->magic == report_be32(HAULER_REPORT_MAGIC) &&
	       (r->version == HAULER_REPORT_VERSION || r->version == HAULER_REPORT_VERSION_1);
}

/* A device with an all-zero key has no key: its reports are refused. */
static __always_inline int report_key_set(const struct dev_key *key)
{
	return key->k0 || key->k1;
}

static __always_inline int report_tag_ok(const struct hauler_report *r, const struct dev_key *key)
{
	return report_be64(r->tag) == report_tag(r, key->k0, key->k1);
}

/* Values in range; a version-1 report has no period and no v2 flags. */
static __always_inline int report_values_ok(const struct hauler_report *r)
{
	__u32 v1 = r->version == HAULER_REPORT_VERSION_1;
	__u32 max_period = v1 ? 0 : HAULER_REPORT_MAX_PERIOD_MS;
	__u8 flags = v1 ? HAULER_REPORT_F_ALL_V1 : HAULER_REPORT_F_ALL;

	return r->cmp <= HAULER_REPORT_MAX_PCT && r->mem <= HAULER_REPORT_MAX_PCT &&
	       r->net <= HAULER_REPORT_MAX_PCT && r->queue <= HAULER_REPORT_MAX_PCT &&
	       !(r->flags & ~flags) && report_be32(r->period_ms) <= max_period;
}

/* The seconds of the wall clock a sequence number carries (report_seq_next). */
static __always_inline __u64 report_seq_sec(__u64 seq)
{
	return seq >> HAULER_REPORT_SEQ_SHIFT;
}

/*
 * Is a report's sequence fresh: its time (seconds) within window_s of the
 * wall clock now_s, either way? Older ones are replays of any age that the
 * per-device sequence cannot catch (after a restore, or a device long
 * silent); newer ones would lock the device out until its clock caught up.
 * window_s 0 or an unknown clock (now_s 0) checks nothing.
 */
static __always_inline int report_seq_fresh(__u64 seq, __u64 now_s, __u32 window_s)
{
	__u64 t = report_seq_sec(seq);

	if (!window_s || !now_s)
		return 1;
	return t + window_s >= now_s && t <= now_s + window_s;
}

/* The lowest sequence number of second now_s: what a restored device starts above. */
static __always_inline __u64 report_seq_floor(__u64 now_s)
{
	return now_s << HAULER_REPORT_SEQ_SHIFT;
}

#ifndef __bpf__
#include <stddef.h>
#include <string.h>

/* A report's contents in host order. */
struct report_fields {
	__u8 version; /* report_encode: 0 writes HAULER_REPORT_VERSION */
	__u16 device;
	__u8 flags;
	__u8 cmp;
	__u8 mem;
	__u8 net;
	__u8 queue;
	__u32 latency_us;
	__u32 live_conns;
	__u32 period_ms; /* 0: trigger-only (version 2) or none (version 1) */
	__u64 seq;
};

/*
 * The wire form of f without its tag (0): report_encode's packing, for a
 * receiver that has its own proof that the report is genuine (hauler-sim's
 * simulated agents).
 */
static inline void report_pack(const struct report_fields *f, struct hauler_report *r)
{
	*r = (struct hauler_report){
	    .magic = report_be32(HAULER_REPORT_MAGIC),
	    .version = f->version ? f->version : HAULER_REPORT_VERSION,
	    .flags = f->flags,
	    .device = report_be16(f->device),
	    .seq = report_be64(f->seq),
	    .cmp = f->cmp,
	    .mem = f->mem,
	    .net = f->net,
	    .queue = f->queue,
	    .latency_us = report_be32(f->latency_us),
	    .live_conns = report_be32(f->live_conns),
	    .period_ms = report_be32(f->period_ms),
	};
}

/*
 * Write the 40 wire bytes of f, tagged with key (k0, k1), to buf. Values
 * are written as given, unchecked, so tests can build bad reports; the
 * agent's come from report_quantize.
 */
static inline void report_encode(const struct report_fields *f, __u64 k0, __u64 k1, void *buf)
{
	struct hauler_report r;

	report_pack(f, &r);
	r.tag = report_be64(report_tag(&r, k0, k1));
	memcpy(buf, &r, sizeof(r));
}

/*
 * Check and decode a received report. keys[] and last_seq[] are indexed by
 * device id (nkeys entries; last_seq may be NULL: no replay check). The
 * source address is the datapath's to check: REPORT_BAD_SOURCE never comes
 * from here. Returns REPORT_OK and fills out, or the first failure.
 */
static inline int report_decode(const void *buf, size_t len, const struct dev_key *keys,
				size_t nkeys, const __u64 *last_seq, struct report_fields *out)
{
	struct hauler_report r;
	__u16 dev;

	if (len != HAULER_REPORT_LEN)
		return REPORT_BAD_LEN;
	memcpy(&r, buf, sizeof(r));
	if (!report_header_ok(&r))
		return REPORT_BAD_MAGIC;
	dev = report_be16(r.device);
	if (dev >= nkeys || dev >= HAULER_MAX_DEVICES || !report_key_set(&keys[dev]))
		return REPORT_UNKNOWN_DEVICE;
	if (!report_tag_ok(&r, &keys[dev]))
		return REPORT_BAD_TAG;
	if (!report_values_ok(&r))
		return REPORT_BAD_VALUE;
	if (last_seq && report_be64(r.seq) <= last_seq[dev])
		return REPORT_REPLAY;
	out->version = r.version;
	out->device = dev;
	out->flags = r.flags;
	out->seq = report_be64(r.seq);
	out->cmp = r.cmp;
	out->mem = r.mem;
	out->net = r.net;
	out->queue = r.queue;
	out->latency_us = report_be32(r.latency_us);
	out->live_conns = report_be32(r.live_conns);
	out->period_ms = report_be32(r.period_ms);
	return REPORT_OK;
}

static inline const char *report_strerror(int err)
{
	static const char *const names[] = {
	    [REPORT_OK] = "ok",
	    [REPORT_BAD_LEN] = "wrong length",
	    [REPORT_BAD_MAGIC] = "wrong magic or version",
	    [REPORT_UNKNOWN_DEVICE] = "unknown device",
	    [REPORT_BAD_SOURCE] = "wrong source address",
	    [REPORT_BAD_TAG] = "wrong tag",
	    [REPORT_BAD_VALUE] = "value out of range",
	    [REPORT_REPLAY] = "sequence not newer (replay)",
	    [REPORT_STALE] = "sequence time outside the clock window",
	    [REPORT_RAW_REFUSED] = "raw report on an interface not allowed",
	};

	if (err < 0 || err >= (int)(sizeof(names) / sizeof(names[0])))
		return "unknown error";
	return names[err];
}

/*
 * The period_ms an agent sending rate reports per second states: 1000 /
 * rate rounded to the nearest ms, within 1..HAULER_REPORT_MAX_PERIOD_MS;
 * rate 0 (reports on threshold crossings only) states 0.
 */
static inline __u32 report_period_ms(double rate)
{
	double ms;

	if (!(rate > 0.0))
		return 0;
	ms = 1000.0 / rate + 0.5;
	if (ms < 1)
		return 1;
	return ms > HAULER_REPORT_MAX_PERIOD_MS ? HAULER_REPORT_MAX_PERIOD_MS : (__u32)ms;
}

/* A percentage as a report byte: rounded half up, clamped to 0..100 (NaN: 0). */
static inline __u8 report_quantize(double pct)
{
	if (!(pct > 0.0))
		return 0;
	if (pct >= HAULER_REPORT_MAX_PCT)
		return HAULER_REPORT_MAX_PCT;
	return (__u8)(pct + 0.5);
}

/*
 * The next sequence number: the wall clock in units of about a
 * microsecond (seconds << 20 | microseconds), or prev + 1 if that is not
 * above prev. A restarted agent (prev 0) starts above every number its
 * predecessor sent, unless that one sent more than one report per
 * microsecond or the clock was stepped back.
 */
static inline __u64 report_seq_next(__u64 prev, __u64 now_sec, __u32 now_usec)
{
	__u64 base = (now_sec << HAULER_REPORT_SEQ_SHIFT) | (now_usec & 0xfffff);

	return base > prev ? base : prev + 1;
}

static inline int report_key_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * A key as printed by `hauler device key`: 32 hex digits, the 16 key bytes
 * in order. Returns 0, or -1 if hex is not 32 hex digits or is all zeros
 * (the zero key means "no key").
 */
static inline int report_key_parse(const char *hex, __u64 *k0, __u64 *k1)
{
	unsigned char key[16];
	int i, hi, lo;

	if (strlen(hex) != 32)
		return -1;
	for (i = 0; i < 16; i++) {
		hi = report_key_hexval(hex[2 * i]);
		lo = report_key_hexval(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		key[i] = (unsigned char)(hi << 4 | lo);
	}
	siphash_key_from_bytes(key, k0, k1);
	return *k0 || *k1 ? 0 : -1;
}

/* The inverse of report_key_parse: out gets 32 hex digits and a NUL. */
static inline void report_key_format(__u64 k0, __u64 k1, char out[33])
{
	static const char digits[] = "0123456789abcdef";
	int i;

	for (i = 0; i < 16; i++) {
		__u64 w = i < 8 ? k0 : k1;
		unsigned int byte = (unsigned int)(w >> (8 * (i & 7))) & 0xff;

		out[2 * i] = digits[byte >> 4];
		out[2 * i + 1] = digits[byte & 15];
	}
	out[32] = '\0';
}
#endif

#endif
