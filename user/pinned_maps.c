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
#include <bpf/libbpf.h>

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

int maps_of_object(struct hauler_maps *maps, struct bpf_object *obj)
{
	struct bpf_map *map;
	size_t i;

	for (i = 0; i < MAP_COUNT; i++) {
		map = bpf_object__find_map_by_name(obj, map_table[i].name);
		if (!map)
			return err_set(ERR_SYSTEM, "the object has no map %s", map_table[i].name);
		*map_fd(maps, i) = bpf_map__fd(map);
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

static int read_array(int fd, __u32 count, void *values, __u32 size, __u64 flags)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts, .elem_flags = flags);
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), *keys, out_batch = 0, n, i;
	int err;

	/* A map sized smaller at hauler up (--devices...): the rest reads as zero. */
	if (!bpf_obj_get_info_by_fd(fd, &info, &len) && info.max_entries < count) {
		memset((char *)values + (size_t)info.max_entries * size, 0,
		       (size_t)(count - info.max_entries) * size);
		count = info.max_entries;
	}
	keys = calloc(count ? count : 1, sizeof(*keys));
	n = count;
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
		if (bpf_map_lookup_elem_flags(fd, &i, (char *)values + (size_t)i * size, flags))
			return -errno;
	return 0;
}

int maps_read_array(int fd, __u32 count, void *values, __u32 size)
{
	return read_array(fd, count, values, size, 0);
}

int maps_read_array_locked(int fd, __u32 count, void *values, __u32 size)
{
	return read_array(fd, count, values, size, BPF_F_LOCK);
}

int maps_manager_open(const char *pin, const char *name, enum bpf_map_type type, __u32 key_size,
		      __u32 value_size, __u32 max, int create)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts);
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", pin, name);
	fd = bpf_obj_get(path);
	if (fd >= 0) {
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) && info.key_size == key_size &&
		    info.value_size == value_size)
			return fd;
		close(fd);
		return err_set(ERR_SYSTEM, "%s has another layout (hauler down, then up)", path);
	}
	if (!create)
		return -1;
	fd = bpf_map_create(type, name, key_size, value_size, max, &opts);
	if (fd < 0)
		return err_set(ERR_SYSTEM, "cannot create %s: %s", path, strerror(errno));
	if (bpf_obj_pin(fd, path)) {
		err_set(ERR_SYSTEM, "cannot pin %s: %s", path, strerror(errno));
		close(fd);
		return -ERR_SYSTEM;
	}
	return fd;
}
