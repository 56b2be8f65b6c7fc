/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * report.h - agent reports, verified and applied in XDP (no user-space
 * hop). A report is dropped after it is looked at, genuine or not; a
 * refused one changes nothing but its counter. Checks and their order are
 * those of include/hauler_report.h: length, header, device, source, tag,
 * values, sequence (claimed with a compare-and-swap so two CPUs cannot
 * both accept one sequence number).
 */
#ifndef HAULER_BPF_REPORT_H
#define HAULER_BPF_REPORT_H

#include "xdp_maps.h"
#include "stats.h"
#include "hauler_report.h"

/*
 * The report at offset off of the frame; src is the IP source (NULL for
 * the raw Ethernet form, which has none: the tag alone authenticates it).
 */
static __always_inline int report_check(struct xdp_md *ctx, __u32 off, const __u32 *src,
					__u8 family, __u64 now)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u64 buf[HAULER_REPORT_LEN / 8];
	struct hauler_report *r = (void *)buf;
	struct device_info *dev;
	struct dev_state *st;
	struct dev_key *key;
	__u64 seq, last;
	__u32 id;

	if (off > 128 || data + off + HAULER_REPORT_LEN > end)
		return REPORT_BAD_LEN;
	__builtin_memcpy(buf, data + off, HAULER_REPORT_LEN);
	if (!report_header_ok(r))
		return REPORT_BAD_MAGIC;
	id = report_be16(r->device);
	if (id >= HAULER_MAX_DEVICES)
		return REPORT_UNKNOWN_DEVICE;
	dev = bpf_map_lookup_elem(&devices, &id);
	key = bpf_map_lookup_elem(&dev_keys, &id);
	st = bpf_map_lookup_elem(&dev_state, &id);
	if (!dev || !key || !st || !dev->in_use || !report_key_set(key))
		return REPORT_UNKNOWN_DEVICE;
	if (src && (dev->family != family || dev->addr[0] != src[0] ||
		    (family == 6 &&
		     (dev->addr[1] != src[1] || dev->addr[2] != src[2] || dev->addr[3] != src[3]))))
		return REPORT_BAD_SOURCE;
	if (!report_tag_ok(r, key))
		return REPORT_BAD_TAG;
	if (!report_values_ok(r))
		return REPORT_BAD_VALUE;
	seq = report_be64(r->seq);
	last = st->seq;
	if (seq <= last || __sync_val_compare_and_swap(&st->seq, last, seq) != last)
		return REPORT_REPLAY;
	st->cmp = r->cmp;
	st->mem = r->mem;
	st->net = r->net;
	st->queue = r->queue;
	if (r->flags & HAULER_REPORT_F_LATENCY)
		st->latency_us = report_be32(r->latency_us);
	st->live_conns = report_be32(r->live_conns);
	st->assigned = 0; /* the agent's count now includes them */
	st->period_ms = report_be32(r->period_ms);
	st->version = r->version;
	st->busy = !!(r->flags & HAULER_REPORT_F_BUSY);
	st->updated_ns = now;
	if (r->version == HAULER_REPORT_VERSION_1)
		stat_reason(HAULER_STAT_report_v1, ctx);
	return REPORT_OK;
}

/* Verify, apply and drop one report; count the outcome. */
static __always_inline int report_handle(struct xdp_md *ctx, __u32 off, const __u32 *src,
					 __u8 family, __u64 now)
{
	stat_reason(report_err_stat(report_check(ctx, off, src, family, now)), ctx);
	return XDP_DROP;
}

#endif
