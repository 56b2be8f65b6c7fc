// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * gen - the traffic generator, run with BPF_PROG_TEST_RUN in live-frames
 * mode (BPF_F_TEST_XDP_LIVE_FRAMES): each run writes a whole frame of
 * flow f (see bench.h) with its checksums and redirects it out of a veth.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "bench.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bench_gen_cfg);
} gen_cfg SEC(".maps");

/* RFC 1624: add 16-bit words to a checksum whose covered words were 0. */
static __always_inline __u16 csum_add2(__u16 check, __u16 a, __u16 b)
{
	__u32 s = (__u16)~check + (__u32)a + b;

	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return ~s;
}

SEC("xdp")
int bench_gen(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct bench_gen_cfg *cfg;
	__u16 lo, sport;
	__u32 zero = 0, f;
	__u64 ctr;

	cfg = bpf_map_lookup_elem(&gen_cfg, &zero);
	if (!cfg || data + BENCH_GEN_LEN > end)
		return XDP_ABORTED;
	ctr = cfg->ctr++;
	if (!cfg->nflows && cfg->mix > 1) {
		/* A flood with one real new flow in mix frames (and its ACK lag mixes later). */
		__u64 k = ctr / cfg->mix, i = ctr % cfg->mix;

		if (!i) {
			f = cfg->new_base + k;
			__builtin_memcpy(data, cfg->frame, BENCH_GEN_LEN);
		} else if (i == 1 && cfg->lag && k >= cfg->lag) {
			f = cfg->new_base + k - cfg->lag;
			__builtin_memcpy(data, cfg->ack, BENCH_GEN_LEN);
		} else {
			f = cfg->junk_base + ctr;
			__builtin_memcpy(data, cfg->junk, BENCH_GEN_LEN);
		}
	} else {
		/* Flows new_base.. : a window of nflows repeated, or each run a new one (nflows 0).
		 */
		f = cfg->new_base + (cfg->nflows ? ctr % cfg->nflows : ctr);
		__builtin_memcpy(data, cfg->frame, BENCH_GEN_LEN);
	}
	lo = bpf_htons(BENCH_FLOW_ADDR_LO(f));
	sport = bpf_htons(BENCH_FLOW_SPORT(f));
	*(__u16 *)(data + BENCH_GEN_SADDR_LO) = lo;
	*(__u16 *)(data + BENCH_GEN_SPORT) = sport;
	*(__u16 *)(data + BENCH_GEN_IPCSUM) = csum_add2(*(__u16 *)(data + BENCH_GEN_IPCSUM), lo, 0);
	*(__u16 *)(data + BENCH_GEN_TCPCSUM) =
	    csum_add2(*(__u16 *)(data + BENCH_GEN_TCPCSUM), lo, sport);
	return bpf_redirect(cfg->ifindex, 0);
}
