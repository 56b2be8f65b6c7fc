// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* map_write.c - the one writer of the configuration maps (see map_write.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

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

/*
 * devices[device] = dev, and dev_addrs kept with it: the entry first, then
 * its port's bit in dev_ports, then its address's key, then the key of the
 * address it had before (when another, and still this device's). The one
 * writer of dev_addrs and dev_ports: every key's port has its bit. A
 * packet in between finds at worst a key whose device no longer has that
 * address, which the datapath checks (bpf/ctconn.h, ct_reply_device).
 */
int mapw_device(const struct hauler_maps *m, __u32 device, const struct device_info *dev)
{
	struct device_info was = {};
	struct dev_ref ref = {.id = device}, was_ref;
	struct dev_addr ko, kn;
	int old, cur;
	long other;

	if (bpf_map_lookup_elem(m->devices, &device, &was))
		memset(&was, 0, sizeof(was));
	old = hauler_dev_addr_of(&ko, &was);
	cur = hauler_dev_addr_of(&kn, dev);
	if (put(m->devices, "devices", device, &device, dev))
		return -ERR_SYSTEM;
	if (cur) {
		/*
		 * Its port's bit, set for good (a stale bit costs a lookup, never
		 * a verdict), and before the key: the datapath looks no packet
		 * from a port without its bit up in dev_addrs.
		 */
		__u32 w = hauler_port_word(kn.port);
		struct port_bits pb = {};

		if (bpf_map_lookup_elem(m->dev_ports, &w, &pb))
			pb.bits = 0;
		if (!(pb.bits & hauler_port_bit(kn.port))) {
			pb.bits |= hauler_port_bit(kn.port);
			if (put(m->dev_ports, "dev_ports", w, &w, &pb))
				return -ERR_SYSTEM;
		}
	}
	if (cur && put(m->dev_addrs, "dev_addrs", device, &kn, &ref))
		return -ERR_SYSTEM;
	if (!old || (cur && !memcmp(&ko, &kn, sizeof(ko))))
		return 0;
	if (bpf_map_lookup_elem(m->dev_addrs, &ko, &was_ref) || was_ref.id != device)
		return 0;
	/* Another device of the VIP at that address keeps it. */
	other = dev_addr_other(m, device, &ko);
	if (other >= 0) {
		ref.id = other;
		return put(m->dev_addrs, "dev_addrs", device, &ko, &ref);
	}
	if (bpf_map_delete_elem(m->dev_addrs, &ko) && errno != ENOENT)
		return err_set(ERR_SYSTEM, "cannot delete dev_addrs[%u]: %s", device,
			       strerror(errno));
	return 0;
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
	zero = calloc(ncpus, sizeof(*zero));
	if (!zero)
		return err_set(ERR_SYSTEM, "out of memory");
	for (which = HAULER_STAT_FWD; which <= HAULER_STAT_NEW && !ret; which++) {
		key = HAULER_STAT_DEV(device % HAULER_MAX_DEVICES, which);
		ret = put(m->stats, "stats", key, &key, zero);
	}
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
