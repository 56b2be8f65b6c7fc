// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* dwrr.c - W(d,t) and the dwrr ring of a server (see dwrr.h). */
#include <string.h>

#include "dwrr.h"
#include "select/metric.h"
#include "select/select.h"
#include "select/cand.h"
#include "ring.h"

void dwrr_weights(const struct dwrr_input *in, int n, __u16 *w)
{
	__u32 raw[HAULER_DEVS_PER_SERVER], max = 0, div;
	int i, any = 0;

	for (i = 0; i < n; i++) {
		__u32 util = in[i].util > 100 ? 100 : in[i].util;

		raw[i] = 0;
		if (!in[i].usable)
			continue;
		raw[i] = (__u32)in[i].weight * (in[i].stale ? 100 : 100 - util);
		any |= raw[i] != 0;
	}
	/* All saturated: the static shares, never an empty ring. */
	for (i = 0; i < n && !any; i++)
		if (in[i].usable)
			raw[i] = in[i].weight;
	for (i = 0; i < n; i++)
		if (raw[i] > max)
			max = raw[i];
	div = max > 65535 ? (max + 65534) / 65535 : 1;
	for (i = 0; i < n; i++) {
		w[i] = raw[i] / div;
		if (raw[i] && !w[i])
			w[i] = 1;
	}
}

int dwrr_vip(const struct model *m, int vip)
{
	return vip >= 0 && vip < HAULER_MAX_VIPS && m->vips[vip].in_use &&
	       !strncmp((const char *)m->params[m->vips[vip].info.policy_slot].name, "dwrr",
			HAULER_NAME_LEN);
}

/*
 * util(d,t): the VIP's percentage metric, or the max of several
 * (`metric cmp,mem`), read as the datapath reads it (metric_value).
 */
static __u32 util_of(const struct dev_state *st, const struct policy_params *p)
{
	struct policy_cand c = {.cmp = st->cmp, .mem = st->mem, .net = st->net, .queue = st->queue};

	return metric_value(&c, metric_spec(p));
}

int dwrr_server_ring(const struct model *m, int s, const struct dev_state *states, __u64 now_ns,
		     struct ring *ring)
{
	return dwrr_group_ring(m, &m->servers[s], states, now_ns, ring);
}

int dwrr_group_ring(const struct model *m, const struct server_info *srv,
		    const struct dev_state *states, __u64 now_ns, struct ring *ring)
{
	const struct policy_params *p;
	struct dwrr_input in[HAULER_DEVS_PER_SERVER];
	__u16 w[HAULER_DEVS_PER_SERVER];
	int i, n = srv->dev_count;

	if (!srv->in_use || srv->vip_id >= HAULER_MAX_VIPS || n > HAULER_DEVS_PER_SERVER)
		return -1;
	p = &m->params[m->vips[srv->vip_id].info.policy_slot % HAULER_MAX_VIPS];
	for (i = 0; i < n; i++) {
		__u32 d = srv->dev[i] % HAULER_MAX_DEVICES;
		const struct device_info *dev = &m->devices[d];
		const struct dev_state *st = &states[d];

		in[i].weight = dev->weight;
		in[i].usable = select_device_usable(dev);
		in[i].stale = select_dev_stale(st, now_ns, p->stale_ms, p->stale_periods);
		/* A device its agent calls busy is saturated, whatever the metric says. */
		in[i].util = st->busy ? 100 : util_of(st, p);
	}
	dwrr_weights(in, n, w);
	return ring_build(w, n, ring);
}
