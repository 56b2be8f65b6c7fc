/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * model.h - the whole configuration in memory, in the form of the map
 * values. Commands change the model, checking everything; only a model
 * that took every change is committed to the maps (model_maps.h), so a
 * failed command or batch changes nothing. The model itself touches no
 * map: tests and dry runs use it alone.
 *
 * Ids: a VIP takes the lowest free id (0..63) and its policy slot is its
 * id; servers and devices take the lowest free index too.
 */
#ifndef HAULER_MODEL_H
#define HAULER_MODEL_H

#include "hauler_schema.h"
#include "maglev.h"

struct model_vip {
	__u8 in_use;
	struct vip_key key;
	struct vip_info info;
};

struct model {
	struct model_vip vips[HAULER_MAX_VIPS];
	struct policy_params params[HAULER_MAX_VIPS]; /* by policy slot */
	struct server_info servers[HAULER_MAX_SERVERS];
	struct device_info devices[HAULER_MAX_DEVICES];
	struct config config;
	__u64 policy_touched; /* slots whose program `policy set` (re)names */
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

/* An empty configuration, with the config defaults of a first `up`. */
void model_init_empty(struct model *m);

int model_vip_find(const struct model *m, const struct vip_key *key);
int model_server_find(const struct model *m, const char *name);
int model_device_find(const struct model *m, const char *name);

/* params->name names the policy. Returns the VIP id or -ERR_INPUT. */
int model_vip_add(struct model *m, const struct vip_key *key, __u8 fwd_mode, __u32 table_size,
		  const struct policy_params *params);
int model_vip_del(struct model *m, const struct vip_key *key);
int model_server_add(struct model *m, const char *name, const struct vip_key *vip, __u16 weight);
int model_server_set_weight(struct model *m, const char *name, __u16 weight);
int model_server_del(struct model *m, const char *name);
int model_device_add(struct model *m, const struct device_spec *spec);
/* A negative value keeps the field. */
int model_device_set(struct model *m, const char *name, int weight, int state, int kind);
int model_device_del(struct model *m, const char *name);
int model_policy_set(struct model *m, const struct vip_key *key,
		     const struct policy_params *params);

/* The servers of VIP id in index order, for maglev_build. Returns their count. */
int model_pool_servers(const struct model *m, int vip_id, struct maglev_server *out);
/* Weights of a server's devices in dev[] order, for ring_build. Returns the count. */
int model_ring_weights(const struct model *m, int server, __u16 *weights);

#endif
