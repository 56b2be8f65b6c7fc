// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* health_maps.c - the pinned health checks and their status (see health_maps.h). */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "error.h"
#include "health_maps.h"
#include "pinned_maps.h"

static int open_array(const char *pin, const char *name, __u32 value_size, int create)
{
	return maps_manager_open(pin, name, BPF_MAP_TYPE_ARRAY, sizeof(__u32), value_size,
				 HAULER_MAX_DEVICES, create);
}

/* Read the whole array into out; absent: all zero. */
static int read_all(const char *pin, const char *name, void *out, __u32 size)
{
	int fd = open_array(pin, name, size, 0), ret;

	memset(out, 0, (size_t)size * HAULER_MAX_DEVICES);
	if (fd == -1)
		return 0;
	if (fd < 0)
		return fd;
	ret = maps_read_array(fd, HAULER_MAX_DEVICES, out, size);
	close(fd);
	if (ret)
		return err_set(ERR_SYSTEM, "cannot read %s/%s: %s", pin, name, strerror(-ret));
	return 0;
}

int health_checks_read(const char *pin, struct model *m)
{
	__u32 d;
	int ret = read_all(pin, HEALTH_CHECKS_PIN, m->checks, sizeof(m->checks[0]));

	/* Never trust a map with a string's NUL or a type's range. */
	for (d = 0; !ret && d < HAULER_MAX_DEVICES; d++) {
		struct health_check *c = &m->checks[d];

		c->path[HEALTH_PATH_LEN - 1] = '\0';
		if (c->type >= HEALTH_TYPES || !m->devices[d].in_use)
			memset(c, 0, sizeof(*c));
	}
	return ret;
}

int health_checks_commit(const char *pin, const struct model *base, const struct model *cur)
{
	int fd = -1, ret = 0;
	__u32 d;

	if (!memcmp(base->checks, cur->checks, sizeof(cur->checks)))
		return 0;
	fd = open_array(pin, HEALTH_CHECKS_PIN, sizeof(cur->checks[0]), 1);
	if (fd < 0)
		return fd;
	for (d = 0; d < HAULER_MAX_DEVICES && !ret; d++)
		if (memcmp(&base->checks[d], &cur->checks[d], sizeof(cur->checks[d])) &&
		    bpf_map_update_elem(fd, &d, &cur->checks[d], BPF_ANY))
			ret = err_set(ERR_SYSTEM, "cannot write %s[%u]: %s", HEALTH_CHECKS_PIN, d,
				      strerror(errno));
	close(fd);
	return ret;
}

int health_states_read(const char *pin, struct health_status *out)
{
	return read_all(pin, HEALTH_STATE_PIN, out, sizeof(*out));
}

int health_states_write(const char *pin, const struct health_status *status, __u8 *dirty)
{
	int fd = -1, ret = 0;
	__u32 d;

	for (d = 0; d < HAULER_MAX_DEVICES && !ret; d++) {
		if (!dirty[d])
			continue;
		if (fd < 0) {
			fd = open_array(pin, HEALTH_STATE_PIN, sizeof(*status), 1);
			if (fd < 0)
				return fd;
		}
		if (bpf_map_update_elem(fd, &d, &status[d], BPF_ANY))
			ret = err_set(ERR_SYSTEM, "cannot write %s[%u]: %s", HEALTH_STATE_PIN, d,
				      strerror(errno));
		else
			dirty[d] = 0;
	}
	if (fd >= 0)
		close(fd);
	return ret;
}
