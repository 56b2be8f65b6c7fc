// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* cmd_server.c - hauler server add|set|del|show. */
#include <string.h>

#include "cmd.h"
#include "error.h"
#include "json.h"
#include "args.h"

static int server_add(struct model *m, int argc, char **argv)
{
	char name[HAULER_NAME_LEN];
	struct vip_key key;
	__u32 weight = 1;
	int i, have_vip = 0, ret;

	if (argc < 1)
		return err_set(ERR_INPUT, "server add: missing NAME");
	if (parse_name(argv[0], name))
		return -ERR_INPUT;
	for (i = 1; i < argc; i += 2) {
		if (i + 1 >= argc)
			return err_set(ERR_INPUT, "server add: '%s' needs a value", argv[i]);
		if (!strcmp(argv[i], "vip")) {
			if (parse_vip(argv[i + 1], &key))
				return -ERR_INPUT;
			have_vip = 1;
		} else if (!strcmp(argv[i], "weight")) {
			if (parse_u32(argv[i + 1], 0, 65535, "weight", &weight))
				return -ERR_INPUT;
		} else {
			return err_set(ERR_INPUT, "server add: unknown argument '%s'", argv[i]);
		}
	}
	if (!have_vip)
		return err_set(ERR_INPUT, "server add: missing 'vip VIP'");
	ret = model_server_add(m, name, &key, weight);
	return ret < 0 ? ret : 0;
}

int server_apply(struct model *m, int argc, char **argv)
{
	char name[HAULER_NAME_LEN];
	__u32 weight;

	if (!strcmp(argv[0], "add"))
		return server_add(m, argc - 1, argv + 1);
	if (argc < 2)
		return err_set(ERR_INPUT, "server %s: missing NAME", argv[0]);
	if (parse_name(argv[1], name))
		return -ERR_INPUT;
	if (!strcmp(argv[0], "del"))
		return model_server_del(m, name);
	/* set NAME weight W | spill-to SERVER|none */
	if (!strcmp(argv[2], "spill-to"))
		return model_server_set_spill(m, name, argv[3]);
	if (strcmp(argv[2], "weight"))
		return cmd_usage_err("server", "set");
	if (parse_u32(argv[3], 0, 65535, "weight", &weight))
		return -ERR_INPUT;
	return model_server_set_weight(m, name, weight);
}

/* The name of the server srv spills to first. */
static const char *spill_name(const struct model *m, const struct server_info *srv)
{
	return (const char *)m->servers[(srv->spill_to - 1) % HAULER_MAX_SERVERS].name;
}

int server_run(struct cmd_ctx *c, int argc, char **argv)
{
	int s, i, only = -1, ret;
	struct json j;

	ret = ctx_load(c);
	if (ret)
		return ret;
	if (argc == 2) {
		only = model_server_find(c->cur, argv[1]);
		if (only < 0)
			return err_set(ERR_INPUT, "no server '%s'", argv[1]);
	}
	if (c->json) {
		json_init(&j, stdout);
		json_array_begin(&j, NULL);
	} else {
		printf("%-4s %-15s %-28s %-6s %-15s %s\n", "idx", "name", "vip", "weight",
		       "spill-to", "devices");
	}
	for (s = 0; s < HAULER_MAX_SERVERS; s++) {
		const struct server_info *srv = &c->cur->servers[s];
		char vip[VIP_STRLEN];

		if (!srv->in_use || (only >= 0 && s != only))
			continue;
		vip_text(c->cur, srv->vip_id, vip, sizeof(vip));
		if (c->json) {
			json_object_begin(&j, NULL);
			json_uint(&j, "index", s);
			json_string(&j, "name", (const char *)srv->name);
			json_string(&j, "vip", vip);
			json_uint(&j, "vip_id", srv->vip_id);
			json_uint(&j, "weight", srv->weight);
			json_uint(&j, "ring_version", srv->ring_version);
			if (srv->spill_to)
				json_string(&j, "spill_to", spill_name(c->cur, srv));
			json_array_begin(&j, "devices");
			for (i = 0; i < srv->dev_count && i < HAULER_DEVS_PER_SERVER; i++)
				json_string(&j, NULL,
					    (const char *)c->cur->devices[srv->dev[i]].name);
			json_array_end(&j);
			json_object_end(&j);
			continue;
		}
		printf("%-4d %-15s %-28s %-6u %-15s", s, (const char *)srv->name, vip, srv->weight,
		       srv->spill_to ? spill_name(c->cur, srv) : "-");
		for (i = 0; i < srv->dev_count && i < HAULER_DEVS_PER_SERVER; i++)
			printf("%s%s", i ? "," : " ",
			       (const char *)c->cur->devices[srv->dev[i]].name);
		printf("\n");
	}
	if (c->json) {
		json_array_end(&j);
		json_finish(&j);
	}
	return 0;
}
