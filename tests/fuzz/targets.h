/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * targets.h - the user-space fuzz targets (docs/testing.md, "Fuzzing").
 * Each runs the datapath's own code, compiled from the same headers the
 * BPF programs include (bpf/pkt_parse.h, include/hauler_report.h), on one
 * input and checks what must hold whatever the input. They return
 * FUZZ_OK or the first invariant broken (a FUZZ_BUG_* code): the AFL
 * driver (afl_main.c) aborts on it, the unit test (tests/unit/test_fuzz.c)
 * asserts on it.
 */
#ifndef HAULER_FUZZ_TARGETS_H
#define HAULER_FUZZ_TARGETS_H

#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

/* Longest input a target takes; longer ones are cut (a jumbo frame fits). */
#define FUZZ_MAX_LEN 16384

enum fuzz_result {
	FUZZ_OK = 0,
	FUZZ_BUG_PLACE,	     /* could not map the input below 4 GiB (harness, not parser) */
	FUZZ_BUG_REASON,     /* the parser returned neither PARSE_OK nor a pass reason */
	FUZZ_BUG_NONDET,     /* the same bytes parsed twice gave two answers */
	FUZZ_BUG_OFFSETS,    /* l3/l4 offsets or header lengths outside the frame */
	FUZZ_BUG_FLOW,	     /* the flow key disagrees with the frame's bytes */
	FUZZ_BUG_CLASS,	     /* family, protocol or a pass reason that the bytes contradict */
	FUZZ_BUG_REPORT_ERR, /* report_decode returned no report_err */
	FUZZ_BUG_REPORT_OK,  /* an accepted report that is not one (length, tag, values, seq) */
	FUZZ_BUG_REPORT_RT,  /* an accepted report does not encode back to its bytes */
	FUZZ_BUG_REPORT_SEQ, /* the replay check disagrees with the decode without it */
	FUZZ_BUG_COUNT,
};

const char *fuzz_result_name(int r);

/*
 * The packet parser: parse_packet() of bpf/pkt_parse.h on the frame, laid
 * out so its last byte is followed by an unmapped page (a read past the
 * frame crashes) and at an address that fits xdp_md's 32-bit fields.
 */
int fuzz_parse(const uint8_t *buf, size_t len);

/* The keys and last sequences the report target decodes against. */
#define FUZZ_REPORT_DEVS 8
__u64 fuzz_report_k0(__u16 dev);
__u64 fuzz_report_k1(__u16 dev);
/* Device dev has a key when dev < FUZZ_REPORT_DEVS and dev != FUZZ_REPORT_NOKEY. */
#define FUZZ_REPORT_NOKEY 5
__u64 fuzz_report_last_seq(__u16 dev);

/*
 * The report decoder and authenticator: report_decode() of
 * include/hauler_report.h. buf[0] is the mode: bit 0 set re-tags the 40
 * bytes after it with the key of the device they name (as an agent
 * holding the key would), so mutations get past the tag and reach the
 * value and sequence checks; clear, the bytes are decoded as they are.
 */
int fuzz_report(const uint8_t *buf, size_t len);

/*
 * Where the datapath's parser finds an agent report in frame f: the UDP
 * payload of a datagram to HAULER_REPORT_PORT, or what follows the
 * Ethernet header of HAULER_REPORT_ETHERTYPE. -1 when neither.
 */
int fuzz_report_offset(const uint8_t *f, size_t len);

/* Re-tag 40 report bytes with key (k0, k1), as an agent holding it would. */
void fuzz_report_retag(__u8 *wire, __u64 k0, __u64 k1);

/*
 * For the tests of the checks themselves: parse buf, then break the
 * result as told and return what the checks say of it. FUZZ_OK would mean
 * a check that cannot fail.
 */
enum fuzz_tamper {
	FUZZ_TAMPER_PORT,   /* the flow's source port */
	FUZZ_TAMPER_L4_OFF, /* the L4 offset, two bytes on */
	FUZZ_TAMPER_FAMILY, /* family 4 <-> 6 */
	FUZZ_TAMPER_REASON, /* an accepted frame called a fragment */
	FUZZ_TAMPER_ADDR,   /* a stray bit in an IPv4 flow's unused address words */
};
int fuzz_parse_tampered(const uint8_t *buf, size_t len, enum fuzz_tamper how);
/* Decode an accepted report (as fuzz_report's buf), then change one decoded byte. */
int fuzz_report_tampered(const uint8_t *buf, size_t len);

#endif
