// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* map_sizes.c - the tables' sizes at hauler up (see map_sizes.h). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "error.h"
#include "map_sizes.h"
#include "ctable/ct_table.h"

int map_sizes_parse(const char *text, const char *what, __u32 *out)
{
	unsigned long long v, mult = 1;
	char *end;

	errno = 0;
	v = strtoull(text, &end, 10);
	if (end == text || errno || text[0] == '-')
		return err_set(ERR_INPUT, "%s: '%s' is not a number of entries", what, text);
	if (!strcmp(end, "k"))
		mult = 1000;
	else if (!strcmp(end, "M"))
		mult = 1000000;
	else if (*end)
		return err_set(ERR_INPUT, "%s: '%s' is not a number of entries (N, Nk or NM)", what,
			       text);
	if (v > UINT_MAX / mult)
		return err_set(ERR_INPUT, "%s: '%s' is too large", what, text);
	*out = v * mult;
	return 0;
}

int map_sizes_check(const struct table_sizes *ts)
{
	if (ts->conns && (ts->conns < HAULER_CONNS_MIN || ts->conns > HAULER_CONNS_MAX))
		return err_set(ERR_INPUT, "--conns %u: must be between %u and %u", ts->conns,
			       HAULER_CONNS_MIN, HAULER_CONNS_MAX);
	if (ts->half_open &&
	    (ts->half_open < HAULER_HALF_OPEN_MIN || ts->half_open > HAULER_CONNS_MAX))
		return err_set(ERR_INPUT, "--half-open %u: must be between %u and %u",
			       ts->half_open, HAULER_HALF_OPEN_MIN, HAULER_CONNS_MAX);
	if (ts->vips > HAULER_MAX_VIPS)
		return err_set(ERR_INPUT, "--vips %u: must be between 1 and %u", ts->vips,
			       HAULER_MAX_VIPS);
	if (ts->servers > HAULER_MAX_SERVERS)
		return err_set(ERR_INPUT, "--servers %u: must be between 1 and %u", ts->servers,
			       HAULER_MAX_SERVERS);
	if (ts->devices > HAULER_MAX_DEVICES)
		return err_set(ERR_INPUT, "--devices %u: must be between 1 and %u", ts->devices,
			       HAULER_MAX_DEVICES);
	return 0;
}

/*
 * A count of 0 means the default, so "--vips 0" is refused where it is
 * parsed: a count takes a plain number 1..HAULER_MAX_*.
 */
int map_sizes_parse_count(const char *text, const char *what, __u32 max, __u32 *out)
{
	__u32 n;

	if (map_sizes_parse(text, what, &n))
		return -ERR_INPUT;
	if (n < 1 || n > max)
		return err_set(ERR_INPUT, "%s %s: must be between 1 and %u", what, text, max);
	*out = n;
	return 0;
}

static int set_one(struct bpf_object *obj, const char *name, __u32 n)
{
	struct bpf_map *m;
	int err;

	if (!n)
		return 0;
	m = bpf_object__find_map_by_name(obj, name);
	if (!m)
		return err_set(ERR_SYSTEM, "the object has no map %s", name);
	err = bpf_map__set_max_entries(m, n);
	if (err)
		return err_set(ERR_SYSTEM, "cannot size %s to %u: %s", name, n, strerror(-err));
	return 0;
}

int map_sizes_set(struct bpf_object *obj, const struct table_sizes *ts)
{
	/* Servers and VIPs size the server slots together: take the defaults of the other. */
	__u32 vips = ts->vips ? ts->vips : HAULER_VIPS_DEFAULT;
	__u32 slots = (ts->servers ? ts->servers : HAULER_SERVERS_DEFAULT) + vips;
	int grouped = ts->vips || ts->servers;
	const struct {
		const char *name;
		__u32 n;
	} sets[] = {
	    {"conns", ts->conns},
	    {"ctable", ts->ctable},
	    {"half_open", ts->half_open},
	    {"vips", ts->vips},
	    {"vip_index", ts->vips},
	    {"pools", ts->vips * 2},
	    {"policy_progs", ts->vips},
	    {"policy_params", ts->vips},
	    {"servers", grouped ? slots : 0},
	    {"rings", grouped ? slots * 2 : 0},
	    {"ring_pos", grouped ? slots : 0},
	    {"devices", ts->devices},
	    {"dev_state", ts->devices},
	    {"dev_resync", ts->devices},
	    {"dev_own", ts->devices},
	    {"dev_addrs", ts->devices},
	    {"dev_keys", ts->devices},
	};
	size_t i;
	int err;

	for (i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		err = set_one(obj, sets[i].name, sets[i].n);
		if (err)
			return err;
	}
	return 0;
}

static __u32 pinned_max(const char *path)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	int fd = bpf_obj_get(path);

	if (fd < 0)
		return 0;
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		info.max_entries = 0;
	close(fd);
	return info.max_entries;
}

static __u32 pinned_one(const char *pin, const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", pin, name);
	return pinned_max(path);
}

void map_sizes_pinned(const char *pin, struct table_sizes *ts)
{
	__u32 slots;

	ts->conns = pinned_one(pin, "conns");
	ts->ctable = pinned_one(pin, "ctable");
	ts->half_open = pinned_one(pin, "half_open");
	ts->vips = pinned_one(pin, "vip_index");
	slots = pinned_one(pin, "servers");
	ts->servers = slots > ts->vips ? slots - ts->vips : 0;
	ts->devices = pinned_one(pin, "devices");
}

static __u32 fd_max(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.max_entries;
}

int map_sizes_of_maps(int vip_index, int servers, int devices, struct table_sizes *ts)
{
	__u32 slots = fd_max(servers);

	ts->vips = fd_max(vip_index);
	ts->servers = slots > ts->vips ? slots - ts->vips : 0;
	ts->devices = fd_max(devices);
	if (!ts->vips || ts->vips > HAULER_MAX_VIPS || !ts->servers ||
	    ts->servers > HAULER_MAX_SERVERS || !ts->devices || ts->devices > HAULER_MAX_DEVICES)
		return err_set(ERR_SYSTEM,
			       "pinned maps sized %u VIPs, %u servers, %u devices: beyond this "
			       "build's %u, %u, %u",
			       ts->vips, ts->servers, ts->devices, HAULER_MAX_VIPS,
			       HAULER_MAX_SERVERS, HAULER_MAX_DEVICES);
	return 0;
}

static int differs(const char *what, __u32 have, __u32 want)
{
	if (!have || !want || have == want)
		return 0;
	return err_set(ERR_INPUT,
		       "%s: the running balancer has %u, not %u: hauler down first to change it "
		       "(this drops every connection)",
		       what, have, want);
}

int map_sizes_compare(const struct table_sizes *have, const struct table_sizes *want)
{
	if (differs("--conns", have->conns, want->conns) ||
	    differs("--table compact --conns (buckets)", have->ctable, want->ctable) ||
	    differs("--half-open", have->half_open, want->half_open) ||
	    differs("--vips", have->vips, want->vips) ||
	    differs("--servers", have->servers, want->servers) ||
	    differs("--devices", have->devices, want->devices))
		return -ERR_INPUT;
	return 0;
}

void map_sizes_compact(struct table_sizes *ts, __u32 pinned_ctable)
{
	if (ts->conns)
		ts->ctable = ct_buckets_for(ts->conns);
	else
		ts->ctable = pinned_ctable > 1 ? pinned_ctable : ct_buckets_for(HAULER_MAX_CONNS);
	ts->conns = HAULER_CONNS_MIN;
	ts->half_open = HAULER_HALF_OPEN_MIN;
}

/* The running balancer's table (TABLE_*), 0: nothing runs. */
static int running_table(const struct table_sizes *have)
{
	if (!have->conns)
		return 0;
	return have->ctable > 1 ? TABLE_COMPACT : TABLE_LRU;
}

int map_sizes_table(const struct table_sizes *have, int table)
{
	if (table)
		return table;
	return running_table(have) ? running_table(have) : TABLE_DEFAULT;
}

int map_sizes_table_check(const struct table_sizes *ts, int table)
{
	if (table == TABLE_COMPACT && ts->half_open)
		return err_set(ERR_INPUT, "--half-open: the compact table has no half-open table "
					  "of its own (its half-open flows share its slots); "
					  "--table lru for the LRU tables");
	return 0;
}

int map_sizes_same_table(const struct table_sizes *have, int table)
{
	int running = running_table(have);

	if (!running || !table)
		return 0; /* nothing running, or nothing asked */
	if (running == table)
		return 0;
	return err_set(ERR_INPUT,
		       "--table %s: the running balancer uses the %s table: hauler down first to "
		       "change it (this drops every connection)",
		       table == TABLE_COMPACT ? "compact" : "lru",
		       running == TABLE_COMPACT ? "compact" : "lru");
}

int map_sizes_match_pins(struct bpf_object *obj)
{
	struct bpf_map *m;
	__u32 n;

	bpf_object__for_each_map(m, obj)
	{
		const char *path = bpf_map__pin_path(m);

		if (!path || access(path, F_OK))
			continue;
		n = pinned_max(path);
		if (n && n != bpf_map__max_entries(m) && bpf_map__set_max_entries(m, n))
			return err_set(ERR_SYSTEM, "cannot size %s like its pin", bpf_map__name(m));
	}
	return 0;
}
