// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* map_sizes.c - the connection tables' sizes at hauler up (see map_sizes.h). */
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
	int err = set_one(obj, "conns", ts->conns);

	return err ? err : set_one(obj, "half_open", ts->half_open);
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

void map_sizes_pinned(const char *pin, struct table_sizes *ts)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/conns", pin);
	ts->conns = pinned_max(path);
	snprintf(path, sizeof(path), "%s/half_open", pin);
	ts->half_open = pinned_max(path);
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
