// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* model.c - the configuration in memory and its checked changes (see model.h). */
#include <arpa/inet.h>
#include <string.h>

#include "clock.h"
#include "error.h"
#include "hauler_keys.h"
#include "model.h"
#include "args.h"
#include "policy_table.h"
#include "select/select.h"

void model_config_defaults(struct config *cfg)
{
	cfg->schema_version = HAULER_SCHEMA_VERSION;
	cfg->report_port = htons(HAULER_REPORT_PORT);
	cfg->fin_grace_ms = 5000;
	cfg->rst_linger_ms = 1000;
	cfg->udp_timeout_ms = 30000;
	cfg->report_window_s = HAULER_REPORT_WINDOW_DEFAULT_S;
	cfg->confirm_burst = HAULER_CONFIRM_BURST_DEFAULT;
	cfg->assigned_cpus = HAULER_ASSIGNED_CPUS_DEFAULT;
	cfg->assigned_interval_us = HAULER_ASSIGNED_US_DEFAULT;
}

/* How far the recorded clock offset may be from ours before it is written again. */
#define HAULER_CLOCK_SLACK_NS 100000000ll

int model_config_clock(struct config *cfg)
{
	__s64 now = (__s64)wall_offset_ns(), d = now - (__s64)cfg->clock_offset_ns;

	if (cfg->clock_offset_ns && d < HAULER_CLOCK_SLACK_NS && d > -HAULER_CLOCK_SLACK_NS)
		return 0;
	cfg->clock_offset_ns = (__u64)now;
	return 1;
}

void model_init_empty(struct model *m)
{
	memset(m, 0, sizeof(*m));
	model_config_defaults(&m->config);
	m->lim.vips = HAULER_VIPS_DEFAULT;
	m->lim.servers = HAULER_SERVERS_DEFAULT;
	m->lim.devices = HAULER_DEVICES_DEFAULT;
}

__u32 model_flat_index(const struct model *m, int vip_id)
{
	return hauler_flat_group(m->lim.servers, vip_id);
}

static int name_eq(const __u8 *field, const char *name)
{
	return !strncmp((const char *)field, name, HAULER_NAME_LEN);
}

int model_vip_find(const struct model *m, const struct vip_key *key)
{
	int i;

	for (i = 0; i < HAULER_MAX_VIPS; i++)
		if (m->vips[i].in_use && !memcmp(&m->vips[i].key, key, sizeof(*key)))
			return i;
	return -1;
}

int model_server_find(const struct model *m, const char *name)
{
	int i;

	for (i = 0; i < HAULER_MAX_SERVERS; i++)
		if (m->servers[i].in_use && name_eq(m->servers[i].name, name))
			return i;
	return -1;
}

int model_device_find(const struct model *m, const char *name)
{
	int i;

	for (i = 0; i < HAULER_MAX_DEVICES; i++)
		if (m->devices[i].in_use && name_eq(m->devices[i].name, name))
			return i;
	return -1;
}

static int vip_missing(const struct vip_key *key)
{
	char text[VIP_STRLEN];

	format_vip(key, text, sizeof(text));
	return err_set(ERR_INPUT, "no VIP %s", text);
}

int model_custom_find(const struct model *m, const char *name)
{
	int i;

	for (i = 0; i < MODEL_CUSTOM_MAX; i++)
		if (m->custom[i].in_use && !strncmp(m->custom[i].name, name, HAULER_NAME_LEN))
			return i;
	return -1;
}

static int check_policy(const struct model *m, const char *name)
{
	/* "." and ".." would name the policies directory itself, or its parent. */
	if (strchr(name, '.'))
		return err_set(ERR_INPUT, "bad policy name '%s' (no '.' in a policy name)", name);

	int known = model_custom_find(m, name) >= 0 ||
		    (m->policy_known ? m->policy_known(name, m->policy_arg) : policy_builtin(name));

	if (!known)
		return err_set(ERR_INPUT, "unknown policy '%s' (hauler policy list)", name);
	return 0;
}

static void count_nat_vips(struct model *m)
{
	int i;

	m->config.nat_vips = 0;
	for (i = 0; i < HAULER_MAX_VIPS; i++)
		if (m->vips[i].in_use && m->vips[i].info.fwd_mode == HAULER_FWD_NAT)
			m->config.nat_vips++;
}

int model_vip_add(struct model *m, const struct vip_key *key, __u8 fwd_mode, __u32 table_size,
		  const struct policy_choice *policy)
{
	struct model_vip *v;
	char text[VIP_STRLEN];
	int id;

	if (model_vip_find(m, key) >= 0) {
		format_vip(key, text, sizeof(text));
		return err_set(ERR_INPUT, "VIP %s exists", text);
	}
	if (fwd_mode > HAULER_FWD_IPIP)
		return err_set(ERR_INPUT, "bad forward mode %u", fwd_mode);
	if (table_size < 7 || table_size > HAULER_MAGLEV_MAX || !is_prime(table_size))
		return err_set(ERR_INPUT, "bad table-size %u (a prime in 7..%u)", table_size,
			       HAULER_MAGLEV_MAX);
	if (check_policy(m, (const char *)policy->params.name))
		return -ERR_INPUT;
	for (id = 0; id < (int)m->lim.vips && m->vips[id].in_use; id++)
		;
	if (id >= (int)m->lim.vips)
		return err_set(ERR_INPUT, "too many VIPs (%u; hauler up --vips sizes the maps)",
			       m->lim.vips);
	v = &m->vips[id];
	memset(v, 0, sizeof(*v));
	v->in_use = 1;
	v->key = *key;
	v->info.vip_id = id;
	v->info.fwd_mode = fwd_mode;
	v->info.policy_slot = id;
	v->info.tier = HAULER_TIER_MAGLEV;
	v->info.table_size = table_size;
	m->params[id] = policy->params;
	m->interval_ms[id] = policy->interval_ms;
	model_slot_mark(m->policy_touched, id, 1);
	count_nat_vips(m);
	return id;
}

static void server_remove(struct model *m, int s);

/* Devices of VIP vip_id over all its servers. */
static int vip_device_count(const struct model *m, int vip_id)
{
	int s, n = 0;

	for (s = 0; s < HAULER_MAX_SERVERS; s++)
		if (m->servers[s].in_use && m->servers[s].vip_id == vip_id)
			n += m->servers[s].dev_count;
	return n;
}

int model_vip_set_tier(struct model *m, const struct vip_key *key, int tier)
{
	int id = model_vip_find(m, key), n;
	char text[VIP_STRLEN];

	if (id < 0)
		return vip_missing(key);
	if (tier != HAULER_TIER_MAGLEV && tier != HAULER_TIER_FLAT)
		return err_set(ERR_INPUT, "bad tier %d", tier);
	n = vip_device_count(m, id);
	if (tier == HAULER_TIER_FLAT && n > HAULER_DEVS_PER_SERVER) {
		format_vip(key, text, sizeof(text));
		return err_set(ERR_INPUT,
			       "VIP %s has %d devices: a flat VIP takes at most %d (its policy "
			       "chooses among all of them at once)",
			       text, n, HAULER_DEVS_PER_SERVER);
	}
	m->vips[id].info.tier = tier;
	return 0;
}

int model_flat_group(const struct model *m, int vip_id, struct server_info *out)
{
	int s, i, n = 0;

	memset(out, 0, sizeof(*out));
	for (s = 0; s < HAULER_MAX_SERVERS; s++) {
		const struct server_info *srv = &m->servers[s];

		if (!srv->in_use || srv->vip_id != vip_id)
			continue;
		for (i = 0; i < srv->dev_count && i < HAULER_DEVS_PER_SERVER; i++) {
			if (n == HAULER_DEVS_PER_SERVER)
				return -1;
			out->dev[n++] = srv->dev[i];
		}
	}
	memcpy(out->name, "(flat)", sizeof("(flat)"));
	out->vip_id = vip_id;
	out->weight = 1;
	out->dev_count = n;
	out->in_use = 1;
	return n;
}

/*
 * A removed device leaves nothing behind: no key, no mark. Its id keeps
 * its generation, so the next device given the id is told apart from it.
 */
static void device_forget(struct model *m, int d)
{
	__u16 gen = m->devices[d].gen;

	memset(&m->devices[d], 0, sizeof(m->devices[d]));
	m->devices[d].gen = gen;
	memset(&m->keys[d], 0, sizeof(m->keys[d]));
	memset(&m->checks[d], 0, sizeof(m->checks[d]));
	m->dev_new[d] = 0;
}

int model_vip_del(struct model *m, const struct vip_key *key)
{
	int id = model_vip_find(m, key), s;

	if (id < 0)
		return vip_missing(key);
	for (s = 0; s < HAULER_MAX_SERVERS; s++)
		if (m->servers[s].in_use && m->servers[s].vip_id == id)
			server_remove(m, s);
	memset(&m->vips[id], 0, sizeof(m->vips[id]));
	memset(&m->params[id], 0, sizeof(m->params[id]));
	m->interval_ms[id] = 0;
	model_slot_mark(m->policy_touched, id, 0);
	count_nat_vips(m);
	return 0;
}

int model_server_add(struct model *m, const char *name, const struct vip_key *vip, __u16 weight)
{
	int id = model_vip_find(m, vip), s;
	struct server_info *srv;

	if (id < 0)
		return vip_missing(vip);
	if (model_server_find(m, name) >= 0)
		return err_set(ERR_INPUT, "server '%s' exists", name);
	for (s = 0; s < (int)m->lim.servers && m->servers[s].in_use; s++)
		;
	if (s >= (int)m->lim.servers)
		return err_set(ERR_INPUT,
			       "too many servers (%u; hauler up --servers sizes the maps)",
			       m->lim.servers);
	srv = &m->servers[s];
	memset(srv, 0, sizeof(*srv));
	memcpy(srv->name, name, strnlen(name, HAULER_NAME_LEN - 1));
	srv->vip_id = id;
	srv->weight = weight;
	srv->in_use = 1;
	return s;
}

int model_server_set_weight(struct model *m, const char *name, __u16 weight)
{
	int s = model_server_find(m, name);

	if (s < 0)
		return err_set(ERR_INPUT, "no server '%s'", name);
	m->servers[s].weight = weight;
	return 0;
}

int model_server_set_spill(struct model *m, const char *name, const char *to)
{
	int s = model_server_find(m, name), t;

	if (s < 0)
		return err_set(ERR_INPUT, "no server '%s'", name);
	if (!strcmp(to, "none")) {
		m->servers[s].spill_to = 0;
		return 0;
	}
	t = model_server_find(m, to);
	if (t < 0)
		return err_set(ERR_INPUT, "no server '%s'", to);
	if (t == s)
		return err_set(ERR_INPUT, "server '%s' cannot spill to itself", name);
	if (m->servers[t].vip_id != m->servers[s].vip_id)
		return err_set(ERR_INPUT, "server '%s' is not in the VIP of '%s'", to, name);
	m->servers[s].spill_to = t + 1;
	return 0;
}

static void server_remove(struct model *m, int s)
{
	struct server_info *srv = &m->servers[s];
	int i;

	for (i = 0; i < srv->dev_count && i < HAULER_DEVS_PER_SERVER; i++)
		device_forget(m, srv->dev[i]);
	memset(srv, 0, sizeof(*srv));
	/* Servers that spilled to it fall back to the Maglev preference. */
	for (i = 0; i < HAULER_MAX_SERVERS; i++)
		if (m->servers[i].spill_to == s + 1)
			m->servers[i].spill_to = 0;
}

int model_server_del(struct model *m, const char *name)
{
	int s = model_server_find(m, name);

	if (s < 0)
		return err_set(ERR_INPUT, "no server '%s'", name);
	server_remove(m, s);
	return 0;
}

/*
 * In nat mode a device's address:port belongs to one VIP (per protocol):
 * the return path is keyed by it, and flows of two VIPs from the same
 * client port would be one flow to the device. Devices of one VIP may
 * share it (a client port is one flow of the VIP), and so may ipip VIPs
 * (the VIP travels inside the tunnel).
 */
static int nat_address_free(const struct model *m, const struct device_spec *spec, int vip)
{
	const struct model_vip *v = &m->vips[vip], *ov;
	const struct device_info *o;
	int d;

	if (v->info.fwd_mode != HAULER_FWD_NAT)
		return 0;
	for (d = 0; d < HAULER_MAX_DEVICES; d++) {
		o = &m->devices[d];
		if (!o->in_use || o->family != spec->family || o->port != spec->port ||
		    memcmp(o->addr, spec->addr, sizeof(o->addr)))
			continue;
		ov = &m->vips[m->servers[o->server % HAULER_MAX_SERVERS].vip_id % HAULER_MAX_VIPS];
		if (ov != v && ov->info.fwd_mode == HAULER_FWD_NAT && ov->key.proto == v->key.proto)
			return err_set(
			    ERR_INPUT,
			    "device '%s': its address and port are those of device '%s', "
			    "of another nat VIP: replies could not be told apart",
			    spec->name, (const char *)o->name);
	}
	return 0;
}

int model_device_add(struct model *m, const struct device_spec *spec)
{
	int s = model_server_find(m, spec->server), d;
	struct server_info *srv;
	struct device_info *dev;
	__u16 gen;

	if (s < 0)
		return err_set(ERR_INPUT, "no server '%s'", spec->server);
	srv = &m->servers[s];
	if (model_device_find(m, spec->name) >= 0)
		return err_set(ERR_INPUT, "device '%s' exists", spec->name);
	if (spec->family != m->vips[srv->vip_id].key.family)
		return err_set(ERR_INPUT, "device '%s': address is IPv%u, its VIP is IPv%u",
			       spec->name, spec->family, m->vips[srv->vip_id].key.family);
	if (!spec->port)
		return err_set(ERR_INPUT, "device '%s': port 0", spec->name);
	if (spec->kind > HAULER_KIND_FPGA || spec->state > HAULER_STATE_DOWN)
		return err_set(ERR_INPUT, "device '%s': bad kind or state", spec->name);
	if (srv->dev_count >= HAULER_DEVS_PER_SERVER)
		return err_set(ERR_INPUT, "server '%s' has %d devices already", spec->server,
			       HAULER_DEVS_PER_SERVER);
	if (m->vips[srv->vip_id].info.tier == HAULER_TIER_FLAT &&
	    vip_device_count(m, srv->vip_id) >= HAULER_DEVS_PER_SERVER)
		return err_set(ERR_INPUT,
			       "device '%s': the VIP of server '%s' is flat and has %d devices, "
			       "its most",
			       spec->name, spec->server, HAULER_DEVS_PER_SERVER);
	if (nat_address_free(m, spec, srv->vip_id))
		return -ERR_INPUT;
	for (d = 0; d < (int)m->lim.devices && m->devices[d].in_use; d++)
		;
	if (d >= (int)m->lim.devices)
		return err_set(ERR_INPUT,
			       "too many devices (%u; hauler up --devices sizes the maps)",
			       m->lim.devices);
	dev = &m->devices[d];
	gen = hauler_dev_gen_next(dev->gen);
	memset(dev, 0, sizeof(*dev));
	dev->gen = gen; /* the id's old connections do not follow it here */
	memcpy(dev->addr, spec->addr, sizeof(dev->addr));
	dev->port = spec->port;
	dev->family = spec->family;
	dev->kind = spec->kind;
	dev->state = spec->state;
	dev->index = srv->dev_count;
	dev->server = s;
	dev->weight = spec->weight;
	dev->in_use = 1;
	memcpy(dev->name, spec->name, strnlen(spec->name, HAULER_NAME_LEN - 1));
	srv->dev[srv->dev_count++] = d;
	/* A reused id must not inherit the old device's load, sequence, key or check. */
	memset(&m->keys[d], 0, sizeof(m->keys[d]));
	memset(&m->checks[d], 0, sizeof(m->checks[d]));
	m->dev_new[d] = 1;
	return d;
}

int model_device_set(struct model *m, const char *name, int weight, int state, int kind)
{
	int d = model_device_find(m, name);
	struct device_info *dev;

	if (d < 0)
		return err_set(ERR_INPUT, "no device '%s'", name);
	if (weight > 65535 || state > HAULER_STATE_DOWN || kind > HAULER_KIND_FPGA)
		return err_set(ERR_INPUT, "device '%s': value out of range", name);
	dev = &m->devices[d];
	if (weight >= 0)
		dev->weight = weight;
	if (state >= 0)
		dev->state = state;
	if (kind >= 0)
		dev->kind = kind;
	return 0;
}

int model_device_del(struct model *m, const char *name)
{
	int d = model_device_find(m, name), i, pos;
	struct server_info *srv;

	if (d < 0)
		return err_set(ERR_INPUT, "no device '%s'", name);
	srv = &m->servers[m->devices[d].server];
	pos = m->devices[d].index;
	/* Compact dev[]: the devices after it move one position down. */
	for (i = pos; i + 1 < srv->dev_count; i++) {
		srv->dev[i] = srv->dev[i + 1];
		m->devices[srv->dev[i]].index = i;
	}
	if (srv->dev_count)
		srv->dev[--srv->dev_count] = 0;
	device_forget(m, d);
	return 0;
}

int model_policy_set(struct model *m, const struct vip_key *key, const struct policy_choice *policy)
{
	int id = model_vip_find(m, key), slot;

	if (id < 0)
		return vip_missing(key);
	if (check_policy(m, (const char *)policy->params.name))
		return -ERR_INPUT;
	slot = m->vips[id].info.policy_slot;
	m->params[slot] = policy->params;
	m->interval_ms[slot] = policy->interval_ms;
	model_slot_mark(m->policy_touched, slot, 1);
	return 0;
}

int model_device_set_check(struct model *m, const char *name, const struct health_check *c)
{
	int d = model_device_find(m, name);

	if (d < 0)
		return err_set(ERR_INPUT, "no device '%s'", name);
	if (c->type >= HEALTH_TYPES)
		return err_set(ERR_INPUT, "device '%s': bad check type", name);
	if (!memcmp(&m->checks[d], c, sizeof(*c)))
		return 0;
	m->checks[d] = *c;
	m->devices[d].health = 0;
	return 0;
}

int model_device_set_key(struct model *m, const char *name, __u64 k0, __u64 k1)
{
	int d = model_device_find(m, name);

	if (d < 0)
		return err_set(ERR_INPUT, "no device '%s'", name);
	if (!k0 && !k1)
		return err_set(ERR_INPUT, "device '%s': the all-zero key means no key", name);
	m->keys[d].k0 = k0;
	m->keys[d].k1 = k1;
	return 0;
}

int model_device_resync(struct model *m, const char *name)
{
	int d = model_device_find(m, name);

	if (d < 0)
		return err_set(ERR_INPUT, "no device '%s'", name);
	m->dev_resync[d] = 1;
	return 0;
}

int model_policy_name_ok(const char *name)
{
	if (policy_builtin(name))
		return err_set(ERR_INPUT, "'%s' is a built-in policy: choose another name", name);
	if (strchr(name, '.'))
		return err_set(ERR_INPUT, "bad policy name '%s' (no '.': bpffs refuses it)", name);
	return 0;
}

int model_policy_load(struct model *m, const char *name, const char *path)
{
	int i = model_custom_find(m, name);

	if (model_policy_name_ok(name))
		return -ERR_INPUT;
	if (!path[0] || strlen(path) >= MODEL_PATH_LEN)
		return err_set(ERR_INPUT, "policy '%s': bad path '%s'", name, path);
	if (i < 0) {
		for (i = 0; i < MODEL_CUSTOM_MAX && m->custom[i].in_use; i++)
			;
		if (i == MODEL_CUSTOM_MAX)
			return err_set(ERR_INPUT, "too many custom policies (%d)",
				       MODEL_CUSTOM_MAX);
	}
	memset(&m->custom[i], 0, sizeof(m->custom[i]));
	m->custom[i].in_use = 1;
	m->custom[i].reload = 1;
	memcpy(m->custom[i].name, name, strnlen(name, HAULER_NAME_LEN - 1));
	memcpy(m->custom[i].path, path, strlen(path));
	return 0;
}

int model_policy_unload(struct model *m, const char *name)
{
	int i = model_custom_find(m, name), id;
	char vip[VIP_STRLEN];

	if (i < 0)
		return err_set(ERR_INPUT, "%s policy '%s'",
			       policy_builtin(name) ? "cannot unload the built-in" : "no custom",
			       name);
	for (id = 0; id < HAULER_MAX_VIPS; id++) {
		const struct model_vip *v = &m->vips[id];

		if (v->in_use && !strncmp((const char *)m->params[v->info.policy_slot].name, name,
					  HAULER_NAME_LEN)) {
			format_vip(&v->key, vip, sizeof(vip));
			return err_set(ERR_INPUT, "policy '%s' is in use by VIP %s", name, vip);
		}
	}
	memset(&m->custom[i], 0, sizeof(m->custom[i]));
	return 0;
}

/* A server that has no usable device takes no new connections: no Maglev slots. */
static int server_has_device_up(const struct model *m, const struct server_info *srv)
{
	int i;

	for (i = 0; i < srv->dev_count && i < HAULER_DEVS_PER_SERVER; i++)
		if (select_device_usable(&m->devices[srv->dev[i]]))
			return 1;
	return 0;
}

int model_pool_servers(const struct model *m, int vip_id, struct maglev_server *out)
{
	int s, n = 0;

	for (s = 0; s < HAULER_MAX_SERVERS; s++) {
		const struct server_info *srv = &m->servers[s];

		if (!srv->in_use || srv->vip_id != vip_id)
			continue;
		memset(&out[n], 0, sizeof(out[n]));
		out[n].index = s;
		memcpy(out[n].name, srv->name, HAULER_NAME_LEN);
		out[n].name[HAULER_NAME_LEN - 1] = '\0';
		out[n].weight = server_has_device_up(m, srv) ? srv->weight : 0;
		n++;
	}
	return n;
}

int model_group_weights(const struct model *m, const struct server_info *srv, __u16 *weights)
{
	int i,
	    n = srv->dev_count > HAULER_DEVS_PER_SERVER ? HAULER_DEVS_PER_SERVER : srv->dev_count;

	for (i = 0; i < n; i++)
		weights[i] = m->devices[srv->dev[i] % HAULER_MAX_DEVICES].weight;
	return n;
}

int model_ring_weights(const struct model *m, int server, __u16 *weights)
{
	return model_group_weights(m, &m->servers[server], weights);
}
