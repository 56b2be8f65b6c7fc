// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* learner_store.c - the learners' pinned map (see learner_store.h). */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "learner_store.h"
#include "error.h"
#include "pinned_maps.h"

static int store_open(const char *pin, int create)
{
	return maps_manager_open(pin, LEARNERS_PIN, BPF_MAP_TYPE_ARRAY, sizeof(__u32),
				 sizeof(struct learner_record), HAULER_MAX_VIPS, create);
}

int learner_store_load(const char *pin, __u32 vip_id, const struct vip_key *key, struct learner *l)
{
	struct learner_record r;
	int fd = store_open(pin, 0), ret;

	if (fd < 0)
		return 0;
	if (vip_id >= HAULER_MAX_VIPS) {
		close(fd);
		return err_set(ERR_INPUT, "bad VIP id %u", vip_id);
	}
	ret = bpf_map_lookup_elem(fd, &vip_id, &r);
	close(fd);
	if (ret)
		return err_set(ERR_SYSTEM, "cannot read %s/%s: %s", pin, LEARNERS_PIN,
			       strerror(errno));
	if (r.magic != LEARNER_STORE_MAGIC || memcmp(&r.vip, key, sizeof(*key)))
		return 0;
	if (r.version != LEARNER_STORE_VERSION)
		return err_set(ERR_INPUT, "%s/%s: record version %u (this hauler: %u)", pin,
			       LEARNERS_PIN, r.version, LEARNER_STORE_VERSION);
	ret = learner_check(&r.l);
	if (ret) {
		err_prefix("%s/%s: ", pin, LEARNERS_PIN);
		return ret;
	}
	*l = r.l;
	return 1;
}

int learner_store_save(const char *pin, __u32 vip_id, const struct vip_key *key,
		       const struct learner *l)
{
	struct learner_record r;
	int fd, ret = 0;

	if (vip_id >= HAULER_MAX_VIPS)
		return err_set(ERR_INPUT, "bad VIP id %u", vip_id);
	memset(&r, 0, sizeof(r));
	r.magic = LEARNER_STORE_MAGIC;
	r.version = LEARNER_STORE_VERSION;
	r.vip = *key;
	r.l = *l;
	fd = store_open(pin, 1);
	if (fd < 0)
		return fd;
	if (bpf_map_update_elem(fd, &vip_id, &r, BPF_ANY))
		ret = err_set(ERR_SYSTEM, "cannot write %s/%s: %s", pin, LEARNERS_PIN,
			      strerror(errno));
	close(fd);
	return ret;
}

int learner_store_reset(const char *pin, __u32 vip_id)
{
	struct learner_record r;
	int fd = store_open(pin, 0), ret = 0;

	if (fd < 0 || vip_id >= HAULER_MAX_VIPS) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	memset(&r, 0, sizeof(r));
	if (bpf_map_update_elem(fd, &vip_id, &r, BPF_ANY))
		ret = err_set(ERR_SYSTEM, "cannot write %s/%s: %s", pin, LEARNERS_PIN,
			      strerror(errno));
	close(fd);
	return ret;
}
