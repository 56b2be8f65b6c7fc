/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * report.h - agent reports, verified and applied in XDP (no user-space
 * hop). A report is dropped after it is looked at, genuine or not; a
 * refused one changes nothing but its counter. Checks and their order are
 * those of include/hauler_report.h: length, header, device, source, tag,
 * values, freshness against the wall clock (config.report_window_s),
 * sequence. The sequence check and the store of every field
 * (report_apply, include/hauler_report_store.h, which hauler-sim runs
 * too) happen under the spin lock in the device's own dev_state entry
 * (dev_state.lock): two reports of one device on two CPUs are applied one
 * after the other, newest last, so dev_state always holds one report's
 * fields. The manager reads and writes dev_state with BPF_F_LOCK (user/
 * pinned_maps.c, model_maps.c), under the same lock, so it never sees a
 * store half done nor lands its write in the middle of one. `device
 * resync` writes no dev_state: it posts a request (dev_resync) that the
 * device's next report applies under the lock (report_resync), so no
 * report is ever overwritten. Policies read single fields without the
 * lock (each field is one report's). The device's new-connection counter
 * is summed over CPUs before the lock (no helper call may be made under
 * it) and kept as the base of `assigned` (bpf/assigned.h): a connection
 * assigned in between counts as one the agent's report includes, as a
 * count reset under the lock would have dropped it.
 */
#ifndef HAULER_BPF_REPORT_H
#define HAULER_BPF_REPORT_H

#include "xdp_maps.h"
#include "stats.h"
#include "hauler_report.h"
#include "hauler_report_store.h"
#include "assigned.h"
#include "conn.h"

#define REPORT_NS_PER_SEC 1000000000ull

/*
 * The report at offset off of the frame; src is the IP source (NULL for
 * the raw Ethernet form, which has none: it is taken only on the interface
 * config.raw_report_ifindex names, and the tag authenticates it).
 */
static __always_inline int report_check(struct xdp_md *ctx, __u32 off, const __u32 *src,
					__u8 family, __u64 now)
{
	struct config *cfg = config_get();
	__u64 wall_s = 0;
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u64 buf[HAULER_REPORT_LEN / 8];
	struct hauler_report *r = (void *)buf;
	union {
		struct dev_resync r;
		__u64 w;
	} req = {};
	struct device_info *dev;
	struct dev_resync *rs;
	struct dev_state *st;
	struct dev_key *key;
	__u64 new_now;
	__u32 id;
	int ret;

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
	if (!cfg)
		return REPORT_UNKNOWN_DEVICE;
	if (!src && (!cfg->raw_report_ifindex || ctx->ingress_ifindex != cfg->raw_report_ifindex))
		return REPORT_RAW_REFUSED;
	if (src && (dev->family != family || dev->addr[0] != src[0] ||
		    (family == 6 &&
		     (dev->addr[1] != src[1] || dev->addr[2] != src[2] || dev->addr[3] != src[3]))))
		return REPORT_BAD_SOURCE;
	if (!report_tag_ok(r, key))
		return REPORT_BAD_TAG;
	if (!report_values_ok(r))
		return REPORT_BAD_VALUE;
	if (cfg->clock_offset_ns)
		wall_s = (now + cfg->clock_offset_ns) / REPORT_NS_PER_SEC;
	if (!report_seq_fresh(report_be64(r->seq), wall_s, cfg->report_window_s))
		return REPORT_STALE;
	rs = bpf_map_lookup_elem(&dev_resync, &id);
	if (rs)
		req.w = *(volatile __u64 *)rs; /* one load: gen and floor of one request */
	new_now = dev_new_sum_call(id);
	bpf_spin_lock(&st->lock);
	report_resync(st, req.r.gen, req.r.floor_s);
	ret = report_apply(st, r, now, new_now);
	bpf_spin_unlock(&st->lock);
	if (ret != REPORT_OK)
		return ret;
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
