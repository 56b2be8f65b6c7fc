/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * model.h - the whole configuration in memory, in the form of the map
 * values. Commands change the model, checking everything; only a model
 * that took every change is committed to the maps (model_maps.h), so a
 * failed command or batch changes nothing. The model itself touches no
 * map: tests and dry runs use it alone.
 *
 * Ids: a VIP takes the lowest free id (0..lim.vips - 1) and its policy
 * slot is its id; servers and devices take the lowest free index too. The
 * arrays hold the ceilings (HAULER_MAX_*); lim holds the counts the maps
 * were sized with at hauler up (--vips, --servers, --devices).
 */
#ifndef HAULER_MODEL_H
#define HAULER_MODEL_H

#include "hauler_schema.h"
#include "health.h"
#include "maglev.h"
#include "policy_table.h"

struct model_vip {
	__u8 in_use;
	struct vip_key key;
	struct vip_info info;
};

#define MODEL_CUSTOM_MAX 32
#define MODEL_PATH_LEN	 256

/* A custom policy: a program pinned under PIN/policies/ by `policy load`. */
struct model_policy {
	__u8 in_use;
	__u8 reload; /* load path (again) on commit */
	char name[HAULER_NAME_LEN];
	char path[MODEL_PATH_LEN]; /* "" when not recorded (pinned by other means) */
};

/* How many VIPs, servers and devices the maps hold (map_sizes.h). */
struct model_limits {
	__u32 vips, servers, devices;
};

/* A set of policy slots, one bit a slot. */
#define MODEL_SLOT_WORDS (HAULER_MAX_VIPS / 64)

static inline int model_slot_has(const __u64 *set, __u32 slot)
{
	return (set[(slot / 64) % MODEL_SLOT_WORDS] >> (slot % 64)) & 1;
}

static inline void model_slot_mark(__u64 *set, __u32 slot, int on)
{
	__u64 bit = 1ULL << (slot % 64);

	if (on)
		set[(slot / 64) % MODEL_SLOT_WORDS] |= bit;
	else
		set[(slot / 64) % MODEL_SLOT_WORDS] &= ~bit;
}

struct model {
	struct model_limits lim;
	struct model_vip vips[HAULER_MAX_VIPS];
	struct policy_params params[HAULER_MAX_VIPS]; /* by policy slot */
	__u32 interval_ms[HAULER_MAX_VIPS];	      /* by slot: dwrr's period (0: default) */
	struct server_info servers[HAULER_MAX_SERVERS];
	struct device_info devices[HAULER_MAX_DEVICES];
	struct config config;
	struct dev_key keys[HAULER_MAX_DEVICES];	/* report keys (dev_keys) */
	__u8 dev_new[HAULER_MAX_DEVICES];		/* added since loaded: clean dev_state */
	__u8 dev_resync[HAULER_MAX_DEVICES];		/* `device resync`: sequence to the clock */
	struct health_check checks[HAULER_MAX_DEVICES]; /* by device id (health_maps.h) */
	struct model_policy custom[MODEL_CUSTOM_MAX];
	__u64 policy_touched[MODEL_SLOT_WORDS]; /* slots whose program `policy set` (re)names */
	/*
	 * Slots whose program is not the one policy_params names (swapped by
	 * bpftool): model_load put the program's name in params (the datapath's
	 * truth) and the map's name here; a commit writes the params back.
	 */
	__u64 policy_drift[MODEL_SLOT_WORDS];
	char drift_was[HAULER_MAX_VIPS][HAULER_NAME_LEN];
	/* Is a policy of this name available? NULL: the built-in table. */
	int (*policy_known)(const char *name, void *arg);
	void *policy_arg;
};

struct device_spec {
	char name[HAULER_NAME_LEN];
	char server[HAULER_NAME_LEN];
	__u8 family;
	__u32 addr[4];
	__u16 port; /* network order */
	__u8 kind, state;
	__u16 weight;
};

/* The config map's defaults (a first `up`): the one place they are written. */
void model_config_defaults(struct config *cfg);
/* An empty configuration, with the config defaults and the counts of a first `up`. */
void model_init_empty(struct model *m);
/* The flat group of VIP vip_id: its index in servers (hauler_flat_group). */
__u32 model_flat_index(const struct model *m, int vip_id);

int model_vip_find(const struct model *m, const struct vip_key *key);
int model_server_find(const struct model *m, const char *name);
int model_device_find(const struct model *m, const char *name);

/* policy->params.name names the policy. Returns the VIP id or -ERR_INPUT. */
int model_vip_add(struct model *m, const struct vip_key *key, __u8 fwd_mode, __u32 table_size,
		  const struct policy_choice *policy);
int model_vip_del(struct model *m, const struct vip_key *key);
/*
 * The VIP's server tier: HAULER_TIER_MAGLEV (Maglev picks a server, the
 * policy one of its devices) or HAULER_TIER_FLAT (the policy picks among
 * all the VIP's devices, at most HAULER_DEVS_PER_SERVER: more are refused).
 */
int model_vip_set_tier(struct model *m, const struct vip_key *key, int tier);
/*
 * A flat VIP's flat group: every device of its servers (server index
 * order, then each server's dev[] order) as one server entry, which the
 * commit writes at model_flat_index(m, vip_id). Returns the device count,
 * or -1 when there are more than HAULER_DEVS_PER_SERVER.
 */
int model_flat_group(const struct model *m, int vip_id, struct server_info *out);
int model_server_add(struct model *m, const char *name, const struct vip_key *vip, __u16 weight);
int model_server_set_weight(struct model *m, const char *name, __u16 weight);
/* Where a spill from server name goes first: server `to` of the same VIP, or "none". */
int model_server_set_spill(struct model *m, const char *name, const char *to);
int model_server_del(struct model *m, const char *name);
int model_device_add(struct model *m, const struct device_spec *spec);
/* A negative value keeps the field. */
int model_device_set(struct model *m, const char *name, int weight, int state, int kind);
int model_device_del(struct model *m, const char *name);
int model_policy_set(struct model *m, const struct vip_key *key,
		     const struct policy_choice *policy);
/* A device's report key; (0, 0) is refused (it means "no key"). */
int model_device_set_key(struct model *m, const char *name, __u64 k0, __u64 k1);
/*
 * A device's health check (type HEALTH_NONE: none). A changed check
 * starts afresh: the device is healthy until the daemon's probes say
 * otherwise, so `check none` returns a failed device at once.
 */
int model_device_set_check(struct model *m, const char *name, const struct health_check *c);
/*
 * `device resync NAME`: on commit the device's last accepted sequence
 * becomes the clock's (its agent must then send from its own clock): a
 * device whose sequence ran ahead of the clock takes reports again. The
 * commit posts the request (dev_resync); the device's next report applies
 * it under the dev_state lock, so no report is overwritten.
 */
int model_device_resync(struct model *m, const char *name);
/*
 * Set cfg->clock_offset_ns to CLOCK_REALTIME - CLOCK_MONOTONIC when it is
 * further than HAULER_CLOCK_SLACK_NS from it (a stepped clock). Returns 1
 * when it changed.
 */
int model_config_clock(struct config *cfg);
/* May a custom policy have this name? (not a built-in one, no '.') */
int model_policy_name_ok(const char *name);
/* Register (or replace) custom policy name, loaded from path on commit. */
int model_policy_load(struct model *m, const char *name, const char *path);
/* Remove a custom policy no VIP uses. */
int model_policy_unload(struct model *m, const char *name);
/* Index of custom policy name in m->custom, or -1. */
int model_custom_find(const struct model *m, const char *name);

/* The servers of VIP id in index order, for maglev_build. Returns their count. */
int model_pool_servers(const struct model *m, int vip_id, struct maglev_server *out);
/* Weights of a server's devices in dev[] order, for ring_build. Returns the count. */
int model_ring_weights(const struct model *m, int server, __u16 *weights);
/* The same for any group of devices (a server, or a VIP's flat group). */
int model_group_weights(const struct model *m, const struct server_info *srv, __u16 *weights);

#endif
