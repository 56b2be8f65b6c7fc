// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* maps.c - open the pinned maps (see maps.h). */
#include <errno.h>
#include <stddef.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "error.h"
#include "pinned_maps.h"

static const struct {
	const char *name;
	size_t offset;
} map_table[] = {
#define SCHEMA_MAP(name, type, key, value, max, doc) {#name, offsetof(struct hauler_maps, name)},
#include "schema_each.h"
};

#define MAP_COUNT (sizeof(map_table) / sizeof(map_table[0]))

static int *map_fd(struct hauler_maps *maps, size_t i)
{
	return (int *)((char *)maps + map_table[i].offset);
}

int maps_open(struct hauler_maps *maps, const char *pin)
{
	char path[PATH_MAX];
	size_t i;

	for (i = 0; i < MAP_COUNT; i++)
		*map_fd(maps, i) = -1;
	if (access(pin, F_OK))
		return err_set(ERR_INPUT, "hauler is not up (no pins at %s; hauler up DEV)", pin);
	for (i = 0; i < MAP_COUNT; i++) {
		snprintf(path, sizeof(path), "%s/%s", pin, map_table[i].name);
		*map_fd(maps, i) = bpf_obj_get(path);
		if (*map_fd(maps, i) < 0) {
			int e = errno;

			maps_close(maps);
			return err_set(ERR_SYSTEM, "cannot open map %s: %s", path, strerror(e));
		}
	}
	return 0;
}

void maps_close(struct hauler_maps *maps)
{
	size_t i;

	for (i = 0; i < MAP_COUNT; i++) {
		if (*map_fd(maps, i) >= 0)
			close(*map_fd(maps, i));
		*map_fd(maps, i) = -1;
	}
}

int maps_read_array(int fd, __u32 count, void *values, __u32 size)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	__u32 *keys = calloc(count, sizeof(*keys)), out_batch = 0, n = count, i;
	int err;

	if (!keys)
		return -ENOMEM;
	err = bpf_map_lookup_batch(fd, NULL, &out_batch, keys, values, &n, &opts);
	/* ENOENT: the batch reached the end, n holds what it read. */
	if ((!err || errno == ENOENT) && n == count) {
		free(keys);
		return 0;
	}
	free(keys);
	for (i = 0; i < count; i++)
		if (bpf_map_lookup_elem(fd, &i, (char *)values + (size_t)i * size))
			return -errno;
	return 0;
}
