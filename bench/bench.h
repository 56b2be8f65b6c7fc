/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * bench.h - what the benchmark's helper BPF programs (bench/NAME.bpf.c) and
 * the benchmark tools (tools/bench_*.c) agree on: the layout of their
 * one-entry configuration maps and how a flow number becomes a flow.
 */
#ifndef HAULER_BENCH_H
#define HAULER_BENCH_H

#include <linux/types.h>

/* Frames of the per-packet benchmark are padded to exactly this length. */
#define BENCH_FRAME_LEN 128
/* Frames of the generator: a minimum Ethernet frame (no FCS). */
#define BENCH_GEN_LEN 60

/* The sink's counts by length (sink_len): the generator's, 20 bytes longer (ipip). */
#define SINK_LEN_PLAIN 0
#define SINK_LEN_IPIP  1
#define SINK_LENS      2

/*
 * restore: before every run the wrapper puts the original frame back
 * (length and bytes), then tail-calls the program under test. With vary
 * set, every run gets a source port and address of its own (a new flow).
 */
struct bench_restore_cfg {
	__u32 len;  /* length of the original frame, <= BENCH_FRAME_LEN */
	__u32 vary; /* 1: a new flow every run */
	__u32 ctr;  /* runs so far (vary) */
	__u32 pad;
	__u8 frame[BENCH_FRAME_LEN];
};

/* What vary changes: an untagged IPv4 frame without options. */
#define BENCH_VARY_SADDR_LO (14 + 14) /* low 16 bits of the IPv4 source */
#define BENCH_VARY_SPORT    (14 + 20)

/*
 * gen: a live-frames traffic generator. Every run writes the whole frame
 * (pages are recycled with whatever the last receiver left in them) with
 * the source of flow f, and redirects it out of ifindex.
 *
 * nflows > 0: flows cycle 0..nflows-1 (established traffic once warmed);
 * nflows == 0: flow new_base + ctr, every packet a flow never seen before.
 *
 * mix > 1 (nflows 0): one frame in mix is of frame's flows, new_base +
 * ctr / mix in turn; the others are junk, flow junk_base + ctr of the
 * junk template (another source range: a flood the real flows meet).
 * lag > 0 (mix > 2): the second frame of each mix is instead the ack
 * template's, of the real flow lag mixes before (the handshake's ACK a
 * round trip of lag * mix frames later), once there is one.
 */
struct bench_gen_cfg {
	__u32 ifindex;
	__u32 nflows;
	__u64 ctr;
	__u64 new_base; /* first flow: of the window (nflows), or of the new flows */
	__u8 frame[64]; /* template, BENCH_GEN_LEN used; flow 0's checksums */
	__u32 mix;	/* > 1: one frame in mix is frame's, the rest junk's */
	__u32 pad;
	__u64 junk_base;
	__u8 junk[64]; /* the junk frames' template, as frame */
	__u32 lag;     /* > 0: the real flows' ACKs, lag mixes after their SYNs */
	__u32 pad2;
	__u8 ack[64]; /* the real flows' ACK template, as frame */
};

/* Where a generator frame keeps what changes per flow (IPv4, TCP). */
#define BENCH_GEN_SADDR_LO (14 + 14) /* low 16 bits of the IPv4 source */
#define BENCH_GEN_IPCSUM   (14 + 10)
#define BENCH_GEN_SPORT	   (14 + 20)
#define BENCH_GEN_TCPCSUM  (14 + 20 + 16)

/*
 * Flow f: source address base + (f & 0xffff) in its low 16 bits, source
 * port 1024 + (f >> 16): about 4e9 distinct flows.
 */
#define BENCH_FLOW_ADDR_LO(f) ((__u16)((f)&0xffff))
#define BENCH_FLOW_SPORT(f)   ((__u16)(1024 + ((f) >> 16)))

/*
 * pages: the cost of a random read of one 64-byte bucket (struct
 * ct_bucket) from one large array map (vmalloc'ed: 4 KiB pages) against
 * an array of maps whose inner arrays are small enough to be kmalloc'ed
 * (the direct map's large pages). PAGES_INNER buckets plus struct
 * bpf_array's 312 bytes (kernel 6.18, BTF) stay within 32 KiB, the
 * largest map area __bpf_map_area_alloc takes from kmalloc. Every run
 * reads PAGES_READS buckets. The control, PAGES_INNER_V buckets per inner
 * array, is an array of maps of vmalloc'ed arrays (4 KiB pages again).
 */
#define PAGES_INNER   504
#define PAGES_INNER_V 1024
#define PAGES_READS   64

/* The pages programs' places and the tool's fill: xorshift64 (never 0 from x != 0). */
static inline __u64 bench_xorshift64(__u64 x)
{
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return x;
}

/* pages_cfg, one entry: the table's size and the run's state. */
struct bench_pages_cfg {
	__u64 x;       /* xorshift state, carried from run to run */
	__u64 sum;     /* the words read (keeps the reads live) */
	__u32 n;       /* buckets of the large arrays */
	__u32 outer;   /* inner maps of the array of maps */
	__u32 outer_v; /* inner maps of the control */
	__u32 probe;   /* pages_where: this inner map of pages_aom... */
	__u64 where;   /* ...is at this kernel address (0: none) */
};

#endif
