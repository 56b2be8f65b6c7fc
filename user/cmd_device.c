// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* cmd_device.c - hauler device add|set|del|show. */
#include <arpa/inet.h>
#include <string.h>

#include "cmd.h"
#include "error.h"
#include "json.h"
#include "parse.h"

/* The options device add and device set share; -1 where not given. */
struct device_opts {
	int weight, state, kind;
};

static int device_option(const char *word, const char *value, struct device_opts *o)
{
	__u32 n;

	if (!strcmp(word, "weight")) {
		if (parse_u32(value, 0, 65535, "weight", &n))
			return -ERR_INPUT;
		o->weight = n;
	} else if (!strcmp(word, "state")) {
		o->state = parse_keyword(value, device_state_names, 3, "state");
		if (o->state < 0)
			return o->state;
	} else if (!strcmp(word, "kind")) {
		o->kind = parse_keyword(value, device_kind_names, 4, "kind");
		if (o->kind < 0)
			return o->kind;
	} else {
		return 1; /* not one of these */
	}
	return 0;
}

static int device_add(struct model *m, int argc, char **argv)
{
	struct device_opts o = {-1, -1, -1};
	struct device_spec spec = {};
	int i, ret, have_addr = 0;
	__u32 port = 0;

	if (argc < 1)
		return err_set(ERR_INPUT, "device add: missing NAME");
	if (parse_name(argv[0], spec.name))
		return -ERR_INPUT;
	for (i = 1; i < argc; i += 2) {
		if (i + 1 >= argc)
			return err_set(ERR_INPUT, "device add: '%s' needs a value", argv[i]);
		ret = device_option(argv[i], argv[i + 1], &o);
		if (ret < 0)
			return ret;
		if (!ret)
			continue;
		if (!strcmp(argv[i], "server")) {
			if (parse_name(argv[i + 1], spec.server))
				return -ERR_INPUT;
		} else if (!strcmp(argv[i], "addr")) {
			if (parse_addr(argv[i + 1], &spec.family, spec.addr))
				return -ERR_INPUT;
			have_addr = 1;
		} else if (!strcmp(argv[i], "port")) {
			if (parse_u32(argv[i + 1], 1, 65535, "port", &port))
				return -ERR_INPUT;
		} else {
			return err_set(ERR_INPUT, "device add: unknown argument '%s'", argv[i]);
		}
	}
	if (!spec.server[0] || !have_addr || !port)
		return err_set(ERR_INPUT, "device add: needs server SERVER addr ADDR port PORT");
	spec.port = htons(port);
	spec.weight = o.weight >= 0 ? o.weight : 1;
	spec.state = o.state >= 0 ? o.state : HAULER_STATE_UP;
	spec.kind = o.kind >= 0 ? o.kind : HAULER_KIND_CPU;
	ret = model_device_add(m, &spec);
	return ret < 0 ? ret : 0;
}

static int device_set(struct model *m, int argc, char **argv)
{
	struct device_opts o = {-1, -1, -1};
	int i, ret;

	if (argc < 3)
		return err_set(ERR_INPUT, "usage: hauler device set NAME [weight W] [state S] "
					  "[kind K]");
	for (i = 1; i < argc; i += 2) {
		if (i + 1 >= argc)
			return err_set(ERR_INPUT, "device set: '%s' needs a value", argv[i]);
		ret = device_option(argv[i], argv[i + 1], &o);
		if (ret < 0)
			return ret;
		if (ret)
			return err_set(ERR_INPUT, "device set: unknown argument '%s'", argv[i]);
	}
	return model_device_set(m, argv[0], o.weight, o.state, o.kind);
}

int device_apply(struct model *m, int argc, char **argv)
{
	char name[HAULER_NAME_LEN];

	if (!strcmp(argv[0], "add"))
		return device_add(m, argc - 1, argv + 1);
	if (argc < 2)
		return err_set(ERR_INPUT, "device %s: missing NAME", argv[0]);
	if (parse_name(argv[1], name))
		return -ERR_INPUT;
	if (!strcmp(argv[0], "set"))
		return device_set(m, argc - 1, argv + 1);
	if (argc != 2)
		return err_set(ERR_INPUT, "usage: hauler device del NAME");
	return model_device_del(m, name);
}

static void device_json(struct json *j, const struct model *m, int d)
{
	const struct device_info *dev = &m->devices[d];
	char text[ADDR_STRLEN];

	json_object_begin(j, NULL);
	json_uint(j, "id", d);
	json_string(j, "name", (const char *)dev->name);
	json_string(j, "server", (const char *)m->servers[dev->server].name);
	json_uint(j, "server_index", dev->server);
	json_uint(j, "index", dev->index);
	format_addr(dev->family, dev->addr, text, sizeof(text));
	json_string(j, "addr", text);
	json_uint(j, "family", dev->family);
	json_uint(j, "port", ntohs(dev->port));
	json_string(j, "kind", device_kind_names[dev->kind & 3]);
	json_uint(j, "weight", dev->weight);
	json_string(j, "state", device_state_names[dev->state % 3]);
	json_object_end(j);
}

int device_run(struct cmd_ctx *c, int argc, char **argv)
{
	int d, only = -1, ret;
	struct json j;

	if (strcmp(argv[0], "show"))
		return err_set(ERR_INPUT, "unknown verb 'device %s' (hauler device help)", argv[0]);
	if (argc > 2)
		return err_set(ERR_INPUT, "usage: hauler device show [NAME]");
	ret = ctx_load(c);
	if (ret)
		return ret;
	if (argc == 2) {
		only = model_device_find(c->cur, argv[1]);
		if (only < 0)
			return err_set(ERR_INPUT, "no device '%s'", argv[1]);
	}
	if (c->json) {
		json_init(&j, stdout);
		json_array_begin(&j, NULL);
	} else {
		printf("%-5s %-15s %-15s %-28s %-8s %-6s %s\n", "id", "name", "server", "addr",
		       "kind", "weight", "state");
	}
	for (d = 0; d < HAULER_MAX_DEVICES; d++) {
		const struct device_info *dev = &c->cur->devices[d];
		char addr[ADDR_STRLEN], where[ADDR_STRLEN + 16];

		if (!dev->in_use || (only >= 0 && d != only))
			continue;
		if (c->json) {
			device_json(&j, c->cur, d);
			continue;
		}
		format_addr(dev->family, dev->addr, addr, sizeof(addr));
		snprintf(where, sizeof(where), dev->family == 6 ? "[%s]:%u" : "%s:%u", addr,
			 ntohs(dev->port));
		printf("%-5d %-15s %-15s %-28s %-8s %-6u %s\n", d, (const char *)dev->name,
		       (const char *)c->cur->servers[dev->server].name, where,
		       device_kind_names[dev->kind & 3], dev->weight,
		       device_state_names[dev->state % 3]);
	}
	if (c->json) {
		json_array_end(&j);
		json_finish(&j);
	}
	return 0;
}
