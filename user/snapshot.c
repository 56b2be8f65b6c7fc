// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* snapshot.c - one reading of a running balancer (see snapshot.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "hauler_report.h"
#include "select/select.h"

#include "clock.h"
#include "error.h"
#include "health_maps.h"
#include "learner_store.h"
#include "model_maps.h"
#include "policy_file.h"
#include "policy_swaps.h"
#include "snapshot.h"
#include "stats_read.h"
#include "hauler_report_store.h"

const char *const snapshot_reason_names[HAULER_STAT_REASONS] = {
#define SCHEMA_COUNTER(name, doc) #name,
#include "schema_each.h"
};

void report_view(const struct model *m, int d, const struct dev_state *st, __u64 now, __u64 new_now,
		 struct report_view *r)
{
	const struct device_info *dev = &m->devices[d];
	const struct model_vip *v = &m->vips[m->servers[dev->server].vip_id % HAULER_MAX_VIPS];
	const struct policy_params *p = &m->params[v->info.policy_slot % HAULER_MAX_VIPS];
	__u64 bound = select_stale_ns(st, p->stale_ms, p->stale_periods);

	r->st = st;
	r->assigned = dev_assigned(st, new_now);
	r->key_set = report_key_set(&m->keys[d]);
	r->never = !st->updated_ns;
	/* The datapath's coarse clock may trail ours by a tick: never negative. */
	r->age_ms = r->never || now < st->updated_ns ? 0 : (now - st->updated_ns) / 1000000;
	r->stale = select_dev_stale(st, now, p->stale_ms, p->stale_periods);
	r->stale_after_ms = bound == ~0ull ? ~0ull : bound / 1000000;
	r->mode = st->version < 2 ? "v1" : st->period_ms ? "periodic" : "trigger";
}

static int read_counters(struct snapshot *s, const struct hauler_maps *maps)
{
	struct stats_reader r;
	int i, ret = stats_reader_init(&r, maps->stats);

	for (i = 0; !ret && i < HAULER_STAT_REASONS; i++)
		ret = stats_reader_sum(&r, i, &s->reasons[i]);
	for (i = 0; !ret && i < HAULER_MAX_VIPS; i++)
		if (s->m.vips[i].in_use) {
			ret = stats_reader_sum(&r, HAULER_STAT_VIP(i, HAULER_STAT_FWD),
					       &s->vip_fwd[i]);
			if (!ret)
				ret = stats_reader_sum(&r, HAULER_STAT_VIP(i, HAULER_STAT_NEW),
						       &s->vip_new[i]);
		}
	for (i = 0; !ret && i < HAULER_MAX_DEVICES; i++)
		if (s->m.devices[i].in_use) {
			ret = stats_reader_sum(&r, HAULER_STAT_DEV(i, HAULER_STAT_FWD),
					       &s->dev_fwd[i]);
			if (!ret)
				ret = stats_reader_sum(&r, HAULER_STAT_DEV(i, HAULER_STAT_NEW),
						       &s->dev_new[i]);
		}
	stats_reader_free(&r);
	return ret;
}

static int read_learners(struct snapshot *s, const char *pin)
{
	int i, ret;

	for (i = 0; i < HAULER_MAX_VIPS; i++) {
		if (!s->m.vips[i].in_use)
			continue;
		ret = learner_store_load(pin, i, &s->m.vips[i].key, &s->learners[i]);
		if (ret < 0)
			return ret;
		s->learning[i] = ret;
	}
	return 0;
}

int snapshot_read(struct snapshot *s, const char *pin)
{
	struct hauler_maps maps;
	int ret;

	memset(s, 0, sizeof(*s));
	ret = maps_open(&maps, pin);
	if (ret)
		return ret;
	ret = model_load(&s->m, &maps);
	if (!ret)
		ret = policy_files_read(pin, &s->m);
	if (!ret)
		ret = policy_intervals_read(pin, &s->m);
	if (!ret)
		ret = health_checks_read(pin, &s->m);
	if (!ret)
		ret = read_counters(s, &maps);
	if (!ret && maps_read_array_locked(maps.dev_state, HAULER_MAX_DEVICES, s->states,
					   sizeof(s->states[0])))
		ret = err_set(ERR_SYSTEM, "cannot read dev_state: %s", strerror(errno));
	if (!ret)
		ret = health_states_read(pin, s->health);
	if (!ret)
		ret = policy_swaps_read(pin, s->swaps);
	if (!ret)
		ret = read_learners(s, pin);
	s->now_ns = monotonic_ns();
	maps_close(&maps);
	return ret;
}
