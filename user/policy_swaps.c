// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* policy_swaps.c - the policy swap counts (see policy_swaps.h). */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "error.h"
#include "pinned_maps.h"
#include "policy_swaps.h"

static int swaps_open(const char *pin, int create)
{
	return maps_manager_open(pin, POLICY_SWAPS_PIN, BPF_MAP_TYPE_ARRAY, sizeof(__u32),
				 sizeof(__u64), HAULER_MAX_VIPS, create);
}

int policy_swaps_read(const char *pin, __u64 *out)
{
	int fd = swaps_open(pin, 0), ret = 0;

	memset(out, 0, HAULER_MAX_VIPS * sizeof(*out));
	if (fd == -1)
		return 0; /* no swap yet */
	if (fd < 0)
		return fd;
	if (maps_read_array(fd, HAULER_MAX_VIPS, out, sizeof(*out)))
		ret = err_set(ERR_SYSTEM, "cannot read %s/%s: %s", pin, POLICY_SWAPS_PIN,
			      strerror(errno));
	close(fd);
	return ret;
}

/* +1: the slot's program changed; 0: a new VIP (count from 0); -1: neither. */
static int slot_change(const struct model *base, const struct model *cur, __u32 slot)
{
	const char *now = (const char *)cur->params[slot].name;
	int custom;

	if (!cur->vips[slot].in_use)
		return -1;
	if (!base->vips[slot].in_use ||
	    memcmp(&base->vips[slot].key, &cur->vips[slot].key, sizeof(cur->vips[slot].key)))
		return 0;
	if (strncmp((const char *)base->params[slot].name, now, HAULER_NAME_LEN))
		return 1;
	custom = model_custom_find(cur, now);
	return custom >= 0 && cur->custom[custom].reload ? 1 : -1;
}

int policy_swaps_commit(const char *pin, const struct model *base, const struct model *cur)
{
	__u64 counts[HAULER_MAX_VIPS];
	int fd = -1, ret = 0, change;
	__u32 slot;

	for (slot = 0; slot < HAULER_MAX_VIPS && !ret; slot++) {
		change = slot_change(base, cur, slot);
		if (change < 0)
			continue;
		if (fd < 0) {
			fd = swaps_open(pin, 1);
			if (fd < 0)
				return fd;
			if (maps_read_array(fd, HAULER_MAX_VIPS, counts, sizeof(counts[0]))) {
				ret = err_set(ERR_SYSTEM, "cannot read %s/%s: %s", pin,
					      POLICY_SWAPS_PIN, strerror(errno));
				break;
			}
		}
		counts[slot] = change ? counts[slot] + 1 : 0;
		if (bpf_map_update_elem(fd, &slot, &counts[slot], BPF_ANY))
			ret = err_set(ERR_SYSTEM, "cannot write %s/%s[%u]: %s", pin,
				      POLICY_SWAPS_PIN, slot, strerror(errno));
	}
	if (fd >= 0)
		close(fd);
	return ret;
}
