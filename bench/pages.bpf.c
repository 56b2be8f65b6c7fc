// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pages - random bucket reads for tools/bench_pages: does a table of 64-byte
 * buckets read faster from an array of small (kmalloc'ed, direct-map)
 * arrays than from one large vmalloc'ed array in 4 KiB pages, as the
 * connection table (ctable) is? Each program reads PAGES_READS buckets at
 * xorshift-random places and sums a word of each. The _dep programs mix
 * the word read into the next place (a chain of loads: latency), the
 * _ind ones do not (the loads overlap: throughput). Layouts: pages_arr
 * (plain array), pages_mm (BPF_F_MMAPABLE, as ctable), pages_aom (an
 * array of maps of PAGES_INNER buckets each, kmalloc'ed) and pages_aomv
 * (the same of PAGES_INNER_V buckets, vmalloc'ed: the page size alone).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "hauler_schema.h"
#include "ctable/ct_table.h"
#include "bench.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bench_pages_cfg);
} pages_cfg SEC(".maps");

/* A table of n buckets in one array (flags: BPF_F_MMAPABLE or 0). */
#define PAGES_ARRAY(name, n, flags)                                                                \
	struct name {                                                                              \
		__uint(type, BPF_MAP_TYPE_ARRAY);                                                  \
		__uint(max_entries, n);                                                            \
		__uint(map_flags, flags);                                                          \
		__type(key, __u32);                                                                \
		__type(value, struct ct_bucket);                                                   \
	}

/* An array of maps of inner arrays of n buckets (the inner maps' template). */
#define PAGES_AOM(name, n)                                                                         \
	PAGES_ARRAY(name##_inner, n, 0);                                                           \
	struct {                                                                                   \
		__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);                                          \
		__uint(max_entries, 1);                                                            \
		__type(key, __u32);                                                                \
		__array(values, struct name##_inner);                                              \
	} name SEC(".maps")

/* The tool sets max_entries of the tables (the outer ones) before loading. */
PAGES_ARRAY(pages_arr_t, 1, 0) pages_arr SEC(".maps");
PAGES_ARRAY(pages_mm_t, 1, BPF_F_MMAPABLE) pages_mm SEC(".maps");
PAGES_AOM(pages_aom, PAGES_INNER);
PAGES_AOM(pages_aomv, PAGES_INNER_V);

enum { PAGES_ARR, PAGES_MM, PAGES_AOM, PAGES_AOMV };

/* The bucket at place x of an array of maps: the low half picks the inner map. */
static __always_inline struct ct_bucket *pages_in(void *outer, __u32 n_outer, __u32 n_inner,
						  __u64 x)
{
	__u32 i = ct_reduce((__u32)x, n_outer);
	void *inner = bpf_map_lookup_elem(outer, &i);

	if (!inner)
		return NULL;
	i = ct_reduce((__u32)(x >> 32), n_inner);
	return bpf_map_lookup_elem(inner, &i);
}

/* The bucket at random place x of the layout's table. */
static __always_inline struct ct_bucket *pages_at(int layout, const struct bench_pages_cfg *c,
						  __u64 x)
{
	__u32 i = ct_reduce((__u32)x, c->n);

	if (layout == PAGES_ARR)
		return bpf_map_lookup_elem(&pages_arr, &i);
	if (layout == PAGES_MM)
		return bpf_map_lookup_elem(&pages_mm, &i);
	if (layout == PAGES_AOM)
		return pages_in(&pages_aom, c->outer, PAGES_INNER, x);
	return pages_in(&pages_aomv, c->outer_v, PAGES_INNER_V, x);
}

static __always_inline int pages_run(int layout, int dep)
{
	struct bench_pages_cfg *c;
	__u32 zero = 0;
	__u64 x, sum = 0;
	int i;

	c = bpf_map_lookup_elem(&pages_cfg, &zero);
	if (!c)
		return XDP_ABORTED;
	x = c->x;
	for (i = 0; i < PAGES_READS; i++) {
		struct ct_bucket *b;

		x = bench_xorshift64(x);
		b = pages_at(layout, c, x);
		if (!b)
			return XDP_ABORTED;
		sum += b->slot[0];
		if (dep)
			x ^= b->slot[0];
	}
	c->x = x;
	c->sum += sum;
	return XDP_PASS;
}

SEC("xdp")
int pages_empty(struct xdp_md *ctx)
{
	return XDP_PASS;
}

/*
 * Where inner map probe of pages_aom lies (root may read kernel
 * addresses): how many 2 MiB pages of the direct map the table spans.
 */
SEC("xdp")
int pages_where(struct xdp_md *ctx)
{
	struct bench_pages_cfg *c;
	__u32 zero = 0;

	c = bpf_map_lookup_elem(&pages_cfg, &zero);
	if (!c)
		return XDP_ABORTED;
	c->where = (__u64)bpf_map_lookup_elem(&pages_aom, &c->probe);
	return XDP_PASS;
}

/* One program per layout and kind of read: NAME_dep and NAME_ind. */
#define PAGES_PROGS(name, layout)                                                                  \
	SEC("xdp") int name##_dep(struct xdp_md *ctx)                                              \
	{                                                                                          \
		return pages_run(layout, 1);                                                       \
	}                                                                                          \
	SEC("xdp") int name##_ind(struct xdp_md *ctx)                                              \
	{                                                                                          \
		return pages_run(layout, 0);                                                       \
	}

PAGES_PROGS(pages_arr, PAGES_ARR)
PAGES_PROGS(pages_mm, PAGES_MM)
PAGES_PROGS(pages_aom, PAGES_AOM)
PAGES_PROGS(pages_aomv, PAGES_AOMV)
