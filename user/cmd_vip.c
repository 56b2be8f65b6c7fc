// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* cmd_vip.c - hauler vip add|del|show. */
#include <arpa/inet.h>
#include <string.h>

#include "cmd.h"
#include "error.h"
#include "json.h"
#include "args.h"
#include "policy_table.h"

static int vip_add(struct model *m, int argc, char **argv)
{
	struct policy_choice policy;
	__u32 table_size = HAULER_MAGLEV_DEFAULT;
	struct vip_key key;
	int i, mode = HAULER_FWD_NAT, tier = HAULER_TIER_MAGLEV, used, ret;

	if (argc < 1)
		return err_set(ERR_INPUT, "vip add: missing VIP");
	if (parse_vip(argv[0], &key))
		return -ERR_INPUT;
	policy_parse_params(POLICY_DEFAULT, 0, NULL, &policy);
	for (i = 1; i < argc; i++) {
		if (i + 1 >= argc)
			return err_set(ERR_INPUT, "vip add: '%s' needs a value", argv[i]);
		if (!strcmp(argv[i], "mode")) {
			mode = parse_keyword(argv[++i], fwd_mode_names, 2, "mode");
			if (mode < 0)
				return mode;
		} else if (!strcmp(argv[i], "tier")) {
			tier = parse_keyword(argv[++i], tier_names, 2, "tier");
			if (tier < 0)
				return tier;
		} else if (!strcmp(argv[i], "table-size")) {
			if (parse_u32(argv[++i], 7, HAULER_MAGLEV_MAX, "table-size", &table_size))
				return -ERR_INPUT;
		} else if (!strcmp(argv[i], "policy")) {
			used =
			    policy_parse_params(argv[i + 1], argc - i - 2, argv + i + 2, &policy);
			if (used < 0)
				return used;
			i += 1 + used;
		} else {
			return err_set(ERR_INPUT, "vip add: unknown argument '%s'", argv[i]);
		}
	}
	ret = model_vip_add(m, &key, mode, table_size, &policy);
	if (ret >= 0 && tier != HAULER_TIER_MAGLEV)
		ret = model_vip_set_tier(m, &key, tier);
	return ret < 0 ? ret : 0;
}

/* vip set VIP tier maglev|flat */
static int vip_set(struct model *m, char **argv)
{
	struct vip_key key;
	int tier;

	if (parse_vip(argv[0], &key))
		return -ERR_INPUT;
	if (strcmp(argv[1], "tier"))
		return err_set(ERR_INPUT, "vip set: unknown argument '%s'", argv[1]);
	tier = parse_keyword(argv[2], tier_names, 2, "tier");
	if (tier < 0)
		return tier;
	return model_vip_set_tier(m, &key, tier);
}

int vip_apply(struct model *m, int argc, char **argv)
{
	struct vip_key key;

	if (!strcmp(argv[0], "add"))
		return vip_add(m, argc - 1, argv + 1);
	if (!strcmp(argv[0], "set"))
		return vip_set(m, argv + 1); /* the command table checked the count */
	/* del VIP */
	if (parse_vip(argv[1], &key))
		return -ERR_INPUT;
	return model_vip_del(m, &key);
}

static int server_count(const struct model *m, int vip_id)
{
	int s, n = 0;

	for (s = 0; s < HAULER_MAX_SERVERS; s++)
		n += m->servers[s].in_use && m->servers[s].vip_id == vip_id;
	return n;
}

static void vip_json(struct json *j, const struct model *m, int id)
{
	const struct model_vip *v = &m->vips[id];
	const struct policy_params *p = &m->params[v->info.policy_slot];
	char text[VIP_STRLEN], params[128];
	int s;

	json_object_begin(j, NULL);
	json_uint(j, "id", id);
	format_vip(&v->key, text, sizeof(text));
	json_string(j, "vip", text);
	format_addr(v->key.family, v->key.addr, text, sizeof(text));
	json_string(j, "addr", text);
	json_uint(j, "port", ntohs(v->key.port));
	json_string(j, "proto", v->key.proto == IPPROTO_UDP ? "udp" : "tcp");
	json_uint(j, "family", v->key.family);
	json_string(j, "mode", fwd_mode_names[v->info.fwd_mode & 1]);
	json_string(j, "policy", (const char *)p->name);
	policy_format_params(p, m->interval_ms[v->info.policy_slot], params, sizeof(params));
	json_string(j, "params", params);
	json_uint(j, "policy_slot", v->info.policy_slot);
	json_uint(j, "table_size", v->info.table_size);
	json_string(j, "tier", tier_names[v->info.tier & 1]);
	json_uint(j, "pool_version", v->info.pool_version);
	json_array_begin(j, "servers");
	for (s = 0; s < HAULER_MAX_SERVERS; s++)
		if (m->servers[s].in_use && m->servers[s].vip_id == id)
			json_string(j, NULL, (const char *)m->servers[s].name);
	json_array_end(j);
	json_object_end(j);
}

int vip_run(struct cmd_ctx *c, int argc, char **argv)
{
	struct vip_key key;
	int id, only = -1, ret;
	struct json j;

	ret = ctx_load(c);
	if (ret)
		return ret;
	if (argc == 2) {
		if (parse_vip(argv[1], &key))
			return -ERR_INPUT;
		only = model_vip_find(c->cur, &key);
		if (only < 0)
			return err_set(ERR_INPUT, "no VIP %s", argv[1]);
	}
	if (c->json) {
		json_init(&j, stdout);
		json_array_begin(&j, NULL);
	} else {
		printf("%-3s %-28s %-5s %-10s %-6s %-6s %s\n", "id", "vip", "mode", "policy",
		       "table", "tier", "servers");
	}
	for (id = 0; id < HAULER_MAX_VIPS; id++) {
		const struct model_vip *v = &c->cur->vips[id];
		char text[VIP_STRLEN];

		if (!v->in_use || (only >= 0 && id != only))
			continue;
		if (c->json) {
			vip_json(&j, c->cur, id);
			continue;
		}
		format_vip(&v->key, text, sizeof(text));
		printf("%-3d %-28s %-5s %-10s %-6u %-6s %d\n", id, text,
		       fwd_mode_names[v->info.fwd_mode & 1],
		       (const char *)c->cur->params[v->info.policy_slot].name, v->info.table_size,
		       tier_names[v->info.tier & 1], server_count(c->cur, id));
	}
	if (c->json) {
		json_array_end(&j);
		json_finish(&j);
	}
	return 0;
}
