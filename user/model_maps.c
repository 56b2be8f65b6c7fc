// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * model_maps.c - load the model from the maps and commit its changes
 * (through map_write.h, the one writer of the configuration maps).
 *
 * Every object a commit names is checked before the first write
 * (commit_check: each policy program a slot will point at is pinned, or
 * loaded by this commit), so a commit fails whole or not at all; the
 * caller holds the writers' lock (lock.h) from model_load on.
 *
 * Commit order, so that no packet sees a half-made change:
 *  0. load and pin new or replaced custom policies (policy_file.h);
 *  1. delete removed VIPs from vips (their traffic is no longer ours);
 *  2. write new and changed devices, each entry with its VIP's id, mode
 *     and key (device_of: a server moved or a VIP changed rewrites them
 *     in the same write; a new device starts with a clean dev_state
 *     whose sequence is the clock's: a report recorded before the
 *     device was added or restored is never taken), then changed
 *     report keys; `device resync` posts a request (dev_resync) that the
 *     device's next report applies under its lock: the sequence back to
 *     the clock;
 *  3. servers: a changed ring goes into the inactive version, then the
 *     server entry flips ring_version (and carries the new dev[]);
 *  4. policies: params (and the manager's interval-ms) first, then the
 *     program (one atomic swap), counted in policy_swaps; the manager's
 *     health checks;
 *  5. pools: the new Maglev table into the inactive version, then the
 *     vips entry flips pool_version (new VIPs appear only now);
 *  6. clear removed servers, then removed devices (key, entry, then
 *     dev_state): nothing names them;
 *  7. unpin removed custom policies;
 *  8. config.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "clock.h"
#include "error.h"
#include "hauler_report.h"
#include "hauler_keys.h"
#include "map_sizes.h"
#include "map_write.h"
#include "dwrr.h"
#include "health_maps.h"
#include "model_maps.h"
#include "policy_file.h"
#include "policy_swaps.h"
#include "ring.h"

static int sys_err(const char *what, __u32 key)
{
	return err_set(ERR_SYSTEM, "cannot write %s[%u]: %s", what, key, strerror(errno));
}

int model_load(struct model *m, const struct hauler_maps *maps)
{
	struct vip_key key, next, *prev = NULL;
	struct vip_info info;
	struct table_sizes ts;
	__u32 i, zero = 0;
	int ret;

	model_init_empty(m);
	if (bpf_map_lookup_elem(maps->config, &zero, &m->config))
		return err_set(ERR_SYSTEM, "cannot read config: %s", strerror(errno));
	/* The counts the maps were sized with at hauler up. */
	if (map_sizes_of_maps(maps->vip_index, maps->servers, maps->devices, &ts))
		return -ERR_SYSTEM;
	m->lim.vips = ts.vips;
	m->lim.servers = ts.servers;
	m->lim.devices = ts.devices;
	while (!bpf_map_get_next_key(maps->vips, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(maps->vips, &key, &info) || info.vip_id >= m->lim.vips)
			continue;
		m->vips[info.vip_id].in_use = 1;
		m->vips[info.vip_id].key = key;
		m->vips[info.vip_id].info = info;
	}
	for (i = 0; i < HAULER_MAX_VIPS; i++)
		if (m->vips[i].in_use)
			bpf_map_lookup_elem(maps->policy_params, &i, &m->params[i]);
	ret = maps_read_array(maps->servers, m->lim.servers, m->servers, sizeof(m->servers[0]));
	if (ret)
		return err_set(ERR_SYSTEM, "cannot read servers: %s", strerror(-ret));
	ret = maps_read_array(maps->devices, m->lim.devices, m->devices, sizeof(m->devices[0]));
	if (ret)
		return err_set(ERR_SYSTEM, "cannot read devices: %s", strerror(-ret));
	ret = maps_read_array(maps->dev_keys, m->lim.devices, m->keys, sizeof(m->keys[0]));
	if (ret)
		return err_set(ERR_SYSTEM, "cannot read dev_keys: %s", strerror(-ret));
	/* Names are printed as strings: never trust a map to hold the NUL. */
	for (i = 0; i < HAULER_MAX_SERVERS; i++)
		m->servers[i].name[HAULER_NAME_LEN - 1] = '\0';
	for (i = 0; i < HAULER_MAX_DEVICES; i++)
		m->devices[i].name[HAULER_NAME_LEN - 1] = '\0';
	for (i = 0; i < HAULER_MAX_VIPS; i++)
		m->params[i].name[HAULER_NAME_LEN - 1] = '\0';
	return 0;
}

/* Same VIP (key) in both models at this id? */
static int same_vip(const struct model *base, const struct model *cur, int id)
{
	return base->vips[id].in_use && cur->vips[id].in_use &&
	       !memcmp(&base->vips[id].key, &cur->vips[id].key, sizeof(struct vip_key));
}

static int same_server(const struct model *base, const struct model *cur, int s)
{
	return base->servers[s].in_use && cur->servers[s].in_use &&
	       !memcmp(base->servers[s].name, cur->servers[s].name, HAULER_NAME_LEN);
}

/* The clock, in seconds since the epoch. */
static __u32 clock_s(void)
{
	return (__u32)(realtime_ns() / 1000000000ull);
}

/* The sequence a fresh or resynced device starts above: the clock's, this second. */
static __u64 seq_now(void)
{
	return report_seq_floor(clock_s());
}

/*
 * dev_state is read and written under its entry's lock (BPF_F_LOCK), the
 * one a report takes for its sequence check and stores: a write never
 * lands in the middle of a report's, nor a report in the middle of it.
 */
static int dev_state_write(const struct hauler_maps *maps, __u32 d, const struct dev_state *st)
{
	if (bpf_map_update_elem(maps->dev_state, &d, st, BPF_ANY | BPF_F_LOCK))
		return sys_err("dev_state", d);
	return 0;
}

/*
 * Device d as cur has it, with its VIP's fields (hauler_device_vip_set):
 * the VIP of its server, in cur. Written with the rest of the entry, so a
 * server moved to another VIP, or a VIP's mode or key changed, rewrites
 * its devices in the same commit.
 */
static void device_of(const struct model *cur, __u32 d, struct device_info *dev)
{
	const struct server_info *srv;
	const struct model_vip *v;

	*dev = cur->devices[d];
	if (dev->server >= HAULER_MAX_SERVERS || !cur->servers[dev->server].in_use) {
		hauler_device_vip_set(dev, NULL, 0, 0);
		return;
	}
	srv = &cur->servers[dev->server];
	v = &cur->vips[srv->vip_id % HAULER_MAX_VIPS];
	if (!v->in_use)
		hauler_device_vip_set(dev, NULL, 0, 0);
	else
		hauler_device_vip_set(dev, &v->key, srv->vip_id, v->info.fwd_mode);
}

static int commit_devices(const struct hauler_maps *maps, const struct model *base,
			  const struct model *cur)
{
	struct dev_state clean = {.seq = seq_now()};
	struct device_info dev;
	__u32 d;

	for (d = 0; d < HAULER_MAX_DEVICES; d++) {
		const struct device_info *now = &dev, *was = &base->devices[d];

		if (!cur->devices[d].in_use)
			continue;
		device_of(cur, d, &dev);
		if (cur->dev_new[d] || !was->in_use ||
		    memcmp(now->name, was->name, HAULER_NAME_LEN)) {
			/* No earlier device's resync request: the clean entry has applied none. */
			if (mapw_dev_resync(maps, d, 0) || dev_state_write(maps, d, &clean))
				return -ERR_SYSTEM;
			if (mapw_device_counters_zero(maps, d))
				return -ERR_SYSTEM;
		}
		if (memcmp(now, was, sizeof(*now)) && mapw_device(maps, d, now))
			return -ERR_SYSTEM;
		/* The key last: a report is accepted only once the device is there. */
		if (memcmp(&cur->keys[d], &base->keys[d], sizeof(cur->keys[d])) &&
		    bpf_map_update_elem(maps->dev_keys, &d, &cur->keys[d], BPF_ANY))
			return sys_err("dev_keys", d);
		/* Applied by the device's next report, under its lock: no report overwritten. */
		if (cur->dev_resync[d] && mapw_dev_resync(maps, d, clock_s()))
			return -ERR_SYSTEM;
	}
	return 0;
}

int model_ring_swap(const struct hauler_maps *maps, __u32 server, struct server_info *srv,
		    const struct ring *ring)
{
	srv->ring_version = (srv->ring_version & 1) ^ 1;
	if (mapw_ring(maps, server, srv->ring_version, ring))
		return -ERR_SYSTEM;
	return mapw_server(maps, server, srv);
}

/* A flat VIP's group and the static ring of its devices' weights: 1; not flat: 0. */
static int flat_of(const struct model *m, __u32 id, struct server_info *g, struct ring *r)
{
	__u16 w[HAULER_DEVS_PER_SERVER];

	if (!m->vips[id].in_use || m->vips[id].info.tier != HAULER_TIER_FLAT)
		return 0;
	if (model_flat_group(m, id, g) < 0)
		return err_set(ERR_INPUT, "VIP %u: a flat VIP takes at most %d devices", id,
			       HAULER_DEVS_PER_SERVER);
	ring_build(w, model_group_weights(m, g, w), r);
	return 1;
}

/*
 * Flat groups (hauler_flat_group), before the pools that name them: a new
 * or changed group gets its ring and entry; an unchanged one keeps the
 * ring it has (dwrr's, when the daemon rebuilds it), unless its VIP left dwrr.
 */
static int commit_flat_groups(const struct hauler_maps *maps, const struct model *base,
			      const struct model *cur)
{
	struct server_info now, was, live;
	struct ring ring_now, ring_was;
	__u32 id, key;
	int is, had;

	for (id = 0; id < HAULER_MAX_VIPS; id++) {
		is = flat_of(cur, id, &now, &ring_now);
		if (is <= 0) {
			if (is < 0)
				return is;
			continue;
		}
		had = same_vip(base, cur, id) && flat_of(base, id, &was, &ring_was) > 0;
		key = model_flat_index(cur, id);
		if (bpf_map_lookup_elem(maps->servers, &key, &live))
			return sys_err("servers", key);
		now.ring_version = live.ring_version & 1;
		was.ring_version = now.ring_version;
		if (had && live.in_use && !memcmp(&now, &was, sizeof(now)) &&
		    !memcmp(&ring_now, &ring_was, sizeof(ring_now)) &&
		    !(dwrr_vip(base, id) && !dwrr_vip(cur, id)))
			continue;
		if (model_ring_swap(maps, key, &now, &ring_now))
			return -ERR_SYSTEM;
	}
	return 0;
}

static int commit_servers(const struct hauler_maps *maps, const struct model *base,
			  const struct model *cur)
{
	__u16 w_now[HAULER_DEVS_PER_SERVER], w_was[HAULER_DEVS_PER_SERVER];
	struct ring ring_now, ring_was = {};
	__u32 s;

	for (s = 0; s < HAULER_MAX_SERVERS; s++) {
		struct server_info now = cur->servers[s];
		int n, changed;

		if (!now.in_use)
			continue;
		n = model_ring_weights(cur, s, w_now);
		ring_build(w_now, n, &ring_now);
		now.ring_version = base->servers[s].ring_version & 1;
		if (same_server(base, cur, s)) {
			n = model_ring_weights(base, s, w_was);
			ring_build(w_was, n, &ring_was);
		}
		changed =
		    !same_server(base, cur, s) || memcmp(&ring_now, &ring_was, sizeof(ring_now));
		/* A VIP leaving dwrr gets its static ring back (the daemon let it go). */
		changed |= dwrr_vip(base, now.vip_id) && !dwrr_vip(cur, now.vip_id);
		if (changed) {
			if (model_ring_swap(maps, s, &now, &ring_now))
				return -ERR_SYSTEM;
			continue;
		}
		if (!memcmp(&now, &base->servers[s], sizeof(now)))
			continue;
		if (mapw_server(maps, s, &now))
			return -ERR_SYSTEM;
	}
	return 0;
}

/* Was p's program loaded again by this commit (a replaced custom policy)? */
static int reloaded(const struct model *cur, const struct policy_params *p)
{
	int i = model_custom_find(cur, (const char *)p->name);

	return i >= 0 && cur->custom[i].reload;
}

static int commit_policies(const struct hauler_maps *maps, const char *pin,
			   const struct model *base, const struct model *cur)
{
	char path[PATH_MAX];
	__u32 slot;
	int fd, ret;

	for (slot = 0; slot < HAULER_MAX_VIPS; slot++) {
		const struct policy_params *p = &cur->params[slot];

		if (!cur->vips[slot].in_use)
			continue;
		if (same_vip(base, cur, slot) && !model_slot_has(cur->policy_touched, slot) &&
		    !memcmp(p, &base->params[slot], sizeof(*p)) && !reloaded(cur, p)) {
			/* A bpftool swap: the params take the running program's name. */
			if (model_slot_has(cur->policy_drift, slot) && mapw_params(maps, slot, p))
				return -ERR_SYSTEM;
			continue;
		}
		if (mapw_params(maps, slot, p))
			return -ERR_SYSTEM;
		snprintf(path, sizeof(path), "%s/policies/%.*s", pin, HAULER_NAME_LEN,
			 (const char *)p->name);
		fd = bpf_obj_get(path);
		if (fd < 0)
			return err_set(ERR_SYSTEM, "cannot open policy %s: %s", path,
				       strerror(errno));
		ret = mapw_policy(maps, slot, fd);
		close(fd);
		if (ret)
			return ret;
	}
	return 0;
}

static int pool_changed(const struct model *base, const struct model *cur, int id,
			struct maglev_server *now, int n)
{
	struct maglev_server *was;
	int m, changed;

	if (!same_vip(base, cur, id))
		return 1;
	was = calloc(HAULER_MAX_SERVERS, sizeof(*was));
	if (!was)
		return 1;
	m = model_pool_servers(base, id, was);
	changed = m != n || memcmp(was, now, n * sizeof(*now));
	free(was);
	return changed;
}

static int commit_vip(const struct hauler_maps *maps, const struct model *base,
		      const struct model *cur, __u32 id, struct maglev_server *srv,
		      struct pool *old, struct pool *table)
{
	struct vip_info info = cur->vips[id].info;
	int n = model_pool_servers(cur, id, srv);
	int moved = same_vip(base, cur, id) && base->vips[id].info.tier != info.tier;
	__u32 key, i;

	info.pool_version = same_vip(base, cur, id) ? base->vips[id].info.pool_version & 1 : 0;
	if (info.tier == HAULER_TIER_FLAT) {
		/* Every slot names the flat group: the policy sees all the VIP's devices. */
		if (same_vip(base, cur, id) && !moved)
			goto vip;
		for (i = 0; i < info.table_size && i < HAULER_MAGLEV_MAX; i++)
			table->server[i] = model_flat_index(cur, id);
		info.pool_version ^= 1;
		if (mapw_pool(maps, id, info.pool_version, table))
			return -ERR_SYSTEM;
	} else if (moved || pool_changed(base, cur, id, srv, n)) {
		const __u16 *prev = NULL;

		key = hauler_pool_key(id, info.pool_version);
		if (same_vip(base, cur, id) && !moved &&
		    !bpf_map_lookup_elem(maps->pools, &key, old))
			prev = old->server;
		if (maglev_build(srv, n, info.table_size, prev, table->server))
			return err_set(ERR_SYSTEM, "cannot build the Maglev table of VIP %u", id);
		info.pool_version ^= 1;
		if (mapw_pool(maps, id, info.pool_version, table))
			return -ERR_SYSTEM;
	}
vip:
	if (same_vip(base, cur, id) && !memcmp(&info, &base->vips[id].info, sizeof(info)))
		return 0;
	/* A new VIP: its vip_index entry first, for the NAT return path. */
	return mapw_vip(maps, &cur->vips[id].key, &info, !same_vip(base, cur, id));
}

static int commit_vips(const struct hauler_maps *maps, const struct model *base,
		       const struct model *cur)
{
	struct pool *old = malloc(sizeof(*old)), *table = malloc(sizeof(*table));
	struct maglev_server *srv = calloc(HAULER_MAX_SERVERS, sizeof(*srv));
	int ret = 0;
	__u32 id;

	if (!old || !table || !srv) {
		ret = err_set(ERR_SYSTEM, "out of memory");
		goto out;
	}
	memset(table, 0xff, sizeof(*table));
	for (id = 0; id < HAULER_MAX_VIPS && !ret; id++)
		if (cur->vips[id].in_use)
			ret = commit_vip(maps, base, cur, id, srv, old, table);
out:
	free(old);
	free(table);
	free(srv);
	return ret;
}

static int delete_vips(const struct hauler_maps *maps, const struct model *base,
		       const struct model *cur)
{
	__u32 id;

	for (id = 0; id < HAULER_MAX_VIPS; id++) {
		if (!base->vips[id].in_use || same_vip(base, cur, id))
			continue;
		if (bpf_map_delete_elem(maps->vips, &base->vips[id].key) && errno != ENOENT)
			return sys_err("vips", id);
		if (!cur->vips[id].in_use) {
			struct policy_params none = {};

			if (mapw_policy(maps, id, -1) || mapw_params(maps, id, &none))
				return -ERR_SYSTEM;
		}
	}
	return 0;
}

static int clear_removed(const struct hauler_maps *maps, const struct model *base,
			 const struct model *cur)
{
	struct server_info no_server = {};
	struct dev_state no_state = {};
	struct dev_key no_key = {};
	__u32 i;

	for (i = 0; i < HAULER_MAX_SERVERS; i++)
		if (base->servers[i].in_use && !cur->servers[i].in_use &&
		    mapw_server(maps, i, &no_server))
			return -ERR_SYSTEM;
	/* Flat groups of VIPs no longer flat (their pools moved off them above). */
	for (i = 0; i < HAULER_MAX_VIPS; i++)
		if (base->vips[i].in_use && base->vips[i].info.tier == HAULER_TIER_FLAT &&
		    !(cur->vips[i].in_use && cur->vips[i].info.tier == HAULER_TIER_FLAT) &&
		    mapw_server(maps, model_flat_index(base, i), &no_server))
			return -ERR_SYSTEM;
	for (i = 0; i < HAULER_MAX_DEVICES; i++) {
		/* An empty slot, but with the id's generation (hauler_dev_gen_next). */
		struct device_info no_device = {.gen = cur->devices[i].gen};

		if (!base->devices[i].in_use || cur->devices[i].in_use)
			continue;
		/* Key first, so no report lands in between; then the entry; then its load. */
		if (bpf_map_update_elem(maps->dev_keys, &i, &no_key, BPF_ANY))
			return sys_err("dev_keys", i);
		if (mapw_device(maps, i, &no_device))
			return -ERR_SYSTEM;
		if (dev_state_write(maps, i, &no_state) || mapw_dev_resync(maps, i, 0))
			return -ERR_SYSTEM;
	}
	return 0;
}

/* Will slot's program be (re)written by this commit? (commit_policies' rule) */
static int slot_written(const struct model *base, const struct model *cur, __u32 slot)
{
	return cur->vips[slot].in_use &&
	       (!same_vip(base, cur, slot) || model_slot_has(cur->policy_touched, slot) ||
		memcmp(&cur->params[slot], &base->params[slot], sizeof(cur->params[slot])) ||
		reloaded(cur, &cur->params[slot]));
}

/*
 * Before the first write: every policy a slot is about to point at is a
 * program pinned under PIN/policies/ (or one this commit loads), so the
 * commit cannot stop half-way for want of it.
 */
static int commit_check(const char *pin, const struct model *base, const struct model *cur)
{
	char path[PATH_MAX];
	__u32 slot;
	int fd;

	for (slot = 0; slot < HAULER_MAX_VIPS; slot++) {
		const char *name = (const char *)cur->params[slot].name;

		if (!slot_written(base, cur, slot) || model_custom_find(cur, name) >= 0)
			continue;
		if (!name[0] || strchr(name, '.') || strchr(name, '/'))
			return err_set(ERR_INPUT, "bad policy name '%.*s'", HAULER_NAME_LEN, name);
		snprintf(path, sizeof(path), "%s/policies/%.*s", pin, HAULER_NAME_LEN, name);
		fd = bpf_obj_get(path);
		if (fd < 0)
			return err_set(ERR_INPUT,
				       "policy %s is not loaded (%s: %s): nothing changed", name,
				       path, strerror(errno));
		close(fd);
	}
	return 0;
}

int model_commit(const struct hauler_maps *maps, const char *pin, const struct model *base,
		 const struct model *cur)
{
	struct config cfg = cur->config;
	int ret;

	ret = commit_check(pin, base, cur);
	if (ret)
		return ret;
	/* Custom programs first: a verifier failure leaves everything as it was. */
	ret = policy_files_load(pin, cur);
	if (!ret)
		ret = delete_vips(maps, base, cur);
	if (!ret)
		ret = commit_devices(maps, base, cur);
	if (!ret)
		ret = commit_servers(maps, base, cur);
	if (!ret)
		ret = commit_flat_groups(maps, base, cur);
	if (!ret)
		ret = policy_intervals_commit(pin, base, cur);
	if (!ret)
		ret = health_checks_commit(pin, base, cur);
	if (!ret)
		ret = commit_policies(maps, pin, base, cur);
	if (!ret)
		ret = policy_swaps_commit(pin, base, cur);
	if (!ret)
		ret = commit_vips(maps, base, cur);
	if (!ret)
		ret = clear_removed(maps, base, cur);
	if (!ret)
		ret = policy_files_remove(pin, base, cur);
	/* The datapath's wall clock follows a stepped clock at every commit. */
	model_config_clock(&cfg);
	if (!ret && memcmp(&cfg, &base->config, sizeof(cfg)))
		ret = mapw_config(maps, &cfg);
	return ret;
}
