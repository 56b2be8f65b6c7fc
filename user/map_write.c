// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* map_write.c - the one writer of the configuration maps (see map_write.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "clock.h"
#include "dev_tomb.h"
#include "error.h"
#include "hauler_keys.h"
#include "map_write.h"

static int put(int fd, const char *map, __u32 key, const void *k, const void *v)
{
	if (bpf_map_update_elem(fd, k, v, BPF_ANY))
		return err_set(ERR_SYSTEM, "cannot write %s[%u]: %s", map, key, strerror(errno));
	return 0;
}

int mapw_config(const struct hauler_maps *m, const struct config *cfg)
{
	__u32 zero = 0;

	return put(m->config, "config", 0, &zero, cfg);
}

int mapw_vip(const struct hauler_maps *m, const struct vip_key *key, const struct vip_info *info,
	     int index)
{
	__u32 id = info->vip_id;

	if (index && put(m->vip_index, "vip_index", id, &id, key))
		return -ERR_SYSTEM;
	return put(m->vips, "vips", id, key, info);
}

int mapw_pool(const struct hauler_maps *m, __u32 vip_id, __u32 version, const struct pool *pool)
{
	__u32 key = hauler_pool_key(vip_id, version);

	return put(m->pools, "pools", key, &key, pool);
}

int mapw_server(const struct hauler_maps *m, __u32 server, const struct server_info *srv)
{
	return put(m->servers, "servers", server, &server, srv);
}

/*
 * Another device than device whose dev_addrs key is k (devices of one nat
 * VIP may share an address and port): its id, or -1.
 */
static long dev_addr_other(const struct hauler_maps *m, __u32 device, const struct dev_addr *k)
{
	struct device_info d;
	struct dev_addr dk;
	__u32 key, next;
	int err;

	for (err = bpf_map_get_next_key(m->devices, NULL, &next); !err;
	     err = bpf_map_get_next_key(m->devices, &key, &next)) {
		key = next;
		if (key == device || bpf_map_lookup_elem(m->devices, &key, &d))
			continue;
		if (hauler_dev_addr_of(&dk, &d) && !memcmp(&dk, k, sizeof(dk)))
			return key;
	}
	return -1;
}

/* Is device id's entry in use with a dev_addrs key under dev_hints entry i? */
static int dev_hint_holds(const struct hauler_maps *m, __u32 id, __u32 i)
{
	struct device_info d;
	struct dev_addr k;

	return !bpf_map_lookup_elem(m->devices, &id, &d) && hauler_dev_addr_of(&k, &d) &&
	       hauler_dev_hint_index(&k) == i;
}

/*
 * dev_hints entry i for device, whose key k is under it: device's, unless
 * it names another device whose key is under it too (the datapath checks
 * the entry's device and asks dev_addrs for any other: either is right,
 * the one named is faster).
 */
static int dev_hint_claim(const struct hauler_maps *m, __u32 device, const struct dev_addr *k)
{
	__u32 i = hauler_dev_hint_index(k);
	struct dev_hint h;

	if (!bpf_map_lookup_elem(m->dev_hints, &i, &h) && h.dev1 && h.dev1 - 1 != device &&
	    dev_hint_holds(m, h.dev1 - 1, i))
		return 0;
	h.dev1 = device + 1;
	return put(m->dev_hints, "dev_hints", device, &i, &h);
}

/*
 * dev_hints' value for entry i when no device's key is under it: 1 + the
 * id of a tombstone's key under it (any non-zero value sends the datapath
 * to dev_addrs; the id is only checked, never taken, ct_reply_device), or
 * 0 when none is.
 */
static __u32 dev_hint_tomb(const struct hauler_maps *m, __u32 i)
{
	struct dev_addr k, next;
	struct dev_ref r;
	int err;

	for (err = bpf_map_get_next_key(m->dev_addrs, NULL, &next); !err;
	     err = bpf_map_get_next_key(m->dev_addrs, &k, &next)) {
		k = next;
		if (!bpf_map_lookup_elem(m->dev_addrs, &k, &r) && hauler_dev_ref_tomb(&r) &&
		    hauler_dev_hint_index(&k) == i)
			return r.id + 1 ? r.id + 1 : 1;
	}
	return 0;
}

/*
 * dev_hints entry of key k, which device's entry no longer has: a device
 * whose key is under it (device's own new key, another device's), else
 * 0, no device's, once no entry has one.
 */
static int dev_hint_refill(const struct hauler_maps *m, __u32 device, const struct dev_addr *k)
{
	__u32 i = hauler_dev_hint_index(k), key, next;
	struct dev_hint h = {};
	int err;

	if (!bpf_map_lookup_elem(m->dev_hints, &i, &h) && h.dev1 &&
	    dev_hint_holds(m, h.dev1 - 1, i))
		return 0;
	h.dev1 = 0;
	for (err = bpf_map_get_next_key(m->devices, NULL, &next); !err;
	     err = bpf_map_get_next_key(m->devices, &key, &next)) {
		key = next;
		if (dev_hint_holds(m, key, i)) {
			h.dev1 = key + 1;
			break;
		}
	}
	if (!h.dev1)
		h.dev1 = dev_hint_tomb(m, i);
	return put(m->dev_hints, "dev_hints", device, &i, &h);
}

/* Monotonic seconds: the datapath's clock (bpf_ktime_get_coarse_ns), in tombstones. */
static __u32 now_s(void)
{
	return monotonic_ns() / 1000000000ULL;
}

int mapw_dev_tombs_sweep(const struct hauler_maps *m, __u32 now, int room)
{
	struct dev_addr k, next, first_k = {}, *gone = NULL, *more;
	struct dev_ref r, first = {};
	size_t n = 0, cap = 0, i;
	int err, have = 0, ret = 0;

	for (err = bpf_map_get_next_key(m->dev_addrs, NULL, &next); !err;
	     err = bpf_map_get_next_key(m->dev_addrs, &k, &next)) {
		k = next;
		if (bpf_map_lookup_elem(m->dev_addrs, &k, &r) || !hauler_dev_ref_tomb(&r))
			continue;
		if (r.gone_until_s > now) {
			/* Standing: with room asked and none ended, the first to end goes. */
			if (room && (!have || hauler_dev_tomb_before(&r, &first))) {
				first = r;
				first_k = k;
				have = 1;
			}
			continue;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			more = realloc(gone, cap * sizeof(*gone));
			if (!more) {
				free(gone);
				return err_set(ERR_SYSTEM, "out of memory");
			}
			gone = more;
		}
		gone[n++] = k;
	}
	if (!n && have) {
		gone = &first_k;
		n = 1;
	}
	for (i = 0; i < n && !ret; i++) {
		if (bpf_map_delete_elem(m->dev_addrs, &gone[i]) && errno != ENOENT)
			ret = err_set(ERR_SYSTEM, "cannot delete a tombstone of dev_addrs: %s",
				      strerror(errno));
		else if (dev_hint_refill(m, HAULER_MAX_DEVICES, &gone[i]))
			ret = -ERR_SYSTEM;
	}
	if (gone != &first_k)
		free(gone);
	return ret ? ret : (int)n;
}

/*
 * dev_addrs[k] = device's key: when the map is full (its size is the
 * devices', and tombstones take room too), the tombstones that ended go,
 * else the one that ends first, one at a time, until the key fits or no
 * tombstone is left: a tombstone never keeps a device out.
 */
static int put_dev_addr(const struct hauler_maps *m, __u32 device, const struct dev_addr *k,
			const struct dev_ref *ref)
{
	int gone;

	while (bpf_map_update_elem(m->dev_addrs, k, ref, BPF_ANY)) {
		if (errno != E2BIG)
			return err_set(ERR_SYSTEM, "cannot write dev_addrs[%u]: %s", device,
				       strerror(errno));
		gone = mapw_dev_tombs_sweep(m, now_s(), 1);
		if (gone < 0)
			return gone;
		if (!gone)
			return err_set(ERR_SYSTEM, "cannot write dev_addrs[%u]: %s", device,
				       strerror(E2BIG));
	}
	return 0;
}

/*
 * The tombstone of device's key k (docs/datapath.md, "A deleted nat
 * device's address"; include/dev_tomb.h): standing as long as the
 * config's limits let a flow of the device live. Ended tombstones are
 * swept first (hauler daemon sweeps too; the datapath ignores them).
 */
static int put_tomb(const struct hauler_maps *m, __u32 device, const struct dev_addr *k)
{
	struct config cfg = {};
	struct dev_ref tomb;
	__u32 zero = 0, now = now_s();

	if (mapw_dev_tombs_sweep(m, now, 0) < 0)
		return -ERR_SYSTEM;
	if (bpf_map_lookup_elem(m->config, &zero, &cfg))
		memset(&cfg, 0, sizeof(cfg));
	tomb = hauler_dev_tomb(device, now, hauler_dev_tomb_life_s(&cfg));
	/* In place of the device's own key: it needs no room. */
	return put(m->dev_addrs, "dev_addrs", device, k, &tomb);
}

/*
 * devices[device] = dev, and dev_addrs and dev_hints kept with it: its
 * new address's hint first (a hint is only a device to check: a datapath
 * that meets an entry not yet written looks in dev_addrs), then the key
 * of the address it had before (when another, and still this device's):
 * given to another device at that address, else left as a tombstone
 * (put_tomb), then the entry, then its address's key (over a tombstone
 * there), then the old address's hint, cleared only when neither a
 * device's key nor a tombstone is left under it (0 says no device is
 * there). A packet in between finds at worst the tombstone of an
 * address its device is about to leave (refused a moment early, a reply
 * whose hint names another device only), or a key whose device no longer
 * has that address, which the datapath checks (bpf/ctconn.h,
 * ct_reply_device); never an address that names no device while its
 * late segments may come.
 */
int mapw_device(const struct hauler_maps *m, __u32 device, const struct device_info *dev)
{
	struct device_info was = {};
	struct dev_ref ref = {.id = device}, keep = {}, was_ref;
	struct dev_addr ko, kn;
	int old, cur, moved;
	long other;

	if (bpf_map_lookup_elem(m->devices, &device, &was))
		memset(&was, 0, sizeof(was));
	old = hauler_dev_addr_of(&ko, &was);
	cur = hauler_dev_addr_of(&kn, dev);
	moved = old && !(cur && !memcmp(&ko, &kn, sizeof(ko)));
	if (cur && dev_hint_claim(m, device, &kn))
		return -ERR_SYSTEM;
	/*
	 * The old address's key before the entry: once the entry no longer
	 * has that address, a late segment from it must meet the tombstone
	 * (or the device that keeps the address), never the key of a device
	 * now elsewhere, which the datapath would find no device's and pass.
	 */
	if (moved && !bpf_map_lookup_elem(m->dev_addrs, &ko, &was_ref) && was_ref.id == device &&
	    !hauler_dev_ref_tomb(&was_ref)) {
		/* Another device of the VIP at that address keeps it. */
		other = dev_addr_other(m, device, &ko);
		keep.id = other;
		if (other >= 0 && put(m->dev_addrs, "dev_addrs", device, &ko, &keep))
			return -ERR_SYSTEM;
		if (other < 0 && put_tomb(m, device, &ko))
			return -ERR_SYSTEM;
	}
	if (put(m->devices, "devices", device, &device, dev))
		return -ERR_SYSTEM;
	if (cur && put_dev_addr(m, device, &kn, &ref))
		return -ERR_SYSTEM;
	if (!moved)
		return 0;
	return dev_hint_refill(m, device, &ko) ? -ERR_SYSTEM : 0;
}

int mapw_dev_resync(const struct hauler_maps *m, __u32 device, __u32 floor_s)
{
	struct dev_resync r = {};

	if (floor_s) {
		/* The next number: one the device's dev_state has not applied yet. */
		if (bpf_map_lookup_elem(m->dev_resync, &device, &r))
			r.gen = 0;
		r.gen = r.gen + 1 ? r.gen + 1 : 1;
		r.floor_s = floor_s;
	}
	return put(m->dev_resync, "dev_resync", device, &device, &r);
}

int mapw_device_counters_zero(const struct hauler_maps *m, __u32 device)
{
	int ncpus = libbpf_num_possible_cpus(), ret = 0;
	struct counter *zero;
	__u32 key, which;

	if (ncpus <= 0)
		return err_set(ERR_SYSTEM, "cannot count CPUs: %s", strerror(-ncpus));
	/* One per-CPU value of either map (both 16 bytes a CPU). */
	zero = calloc(ncpus, sizeof(*zero) > sizeof(struct dev_own) ? sizeof(*zero)
								    : sizeof(struct dev_own));
	if (!zero)
		return err_set(ERR_SYSTEM, "out of memory");
	for (which = HAULER_STAT_FWD; which <= HAULER_STAT_NEW && !ret; which++) {
		key = HAULER_STAT_DEV(device % HAULER_MAX_DEVICES, which);
		ret = put(m->stats, "stats", key, &key, zero);
	}
	/* Each CPU's memo of the aggregate (dev_state's, written clean before) */
	if (!ret)
		ret = put(m->dev_own, "dev_own", device, &device, zero);
	free(zero);
	return ret;
}

int mapw_ring(const struct hauler_maps *m, __u32 server, __u32 version, const struct ring *ring)
{
	__u32 key = hauler_ring_key(server, version);

	return put(m->rings, "rings", key, &key, ring);
}

int mapw_params(const struct hauler_maps *m, __u32 slot, const struct policy_params *params)
{
	return put(m->policy_params, "policy_params", slot, &slot, params);
}

int mapw_policy(const struct hauler_maps *m, __u32 slot, int prog_fd)
{
	__u32 fd = prog_fd;

	if (prog_fd >= 0)
		return put(m->policy_progs, "policy_progs", slot, &slot, &fd);
	if (bpf_map_delete_elem(m->policy_progs, &slot) && errno != ENOENT)
		return err_set(ERR_SYSTEM, "cannot empty policy_progs[%u]: %s", slot,
			       strerror(errno));
	return 0;
}
