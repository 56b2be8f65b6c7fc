// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cmd_export.c - hauler export p4: the running configuration as the
 * entries of the P4 twin (p4/hauler.p4, docs/p4.md), BF Runtime JSON by
 * default or a bfrt_python script. The Maglev tables are the pinned ones
 * (the host's minimal-disruption tables), so both datapaths share them.
 * The output holds report keys: -o creates the file with mode 0600.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "args.h"
#include "cmd.h"
#include "error.h"
#include "export_p4.h"

#define EXPORT_MAX_PORTS HAULER_MAX_DEVICES

/* `port DEVICE=PORT`: the switch port the device's reports come in on. */
static int parse_port(const struct model *m, const char *arg, struct p4_port *out)
{
	const char *eq = strchr(arg, '=');
	char name[HAULER_NAME_LEN * 2];

	if (!eq || (size_t)(eq - arg) >= sizeof(name))
		return err_set(ERR_INPUT, "port wants DEVICE=PORT, not '%s'", arg);
	memcpy(name, arg, eq - arg);
	name[eq - arg] = '\0';
	if (parse_name(name, out->device))
		return -ERR_INPUT;
	if (model_device_find(m, out->device) < 0)
		return err_set(ERR_INPUT, "port %s: no device %s", arg, out->device);
	return parse_u32(eq + 1, 0, P4_ANY_PORT - 1, "switch port", &out->port);
}

/* The active Maglev table of every VIP, as pinned (without maps: built from the model). */
static int read_pools(struct cmd_ctx *c, struct pool **pools)
{
	__u32 id, key;

	if (!c->maps_open)
		return 0;
	for (id = 0; id < HAULER_MAX_VIPS; id++) {
		if (!c->cur->vips[id].in_use)
			continue;
		pools[id] = malloc(sizeof(*pools[id]));
		if (!pools[id])
			return err_set(ERR_SYSTEM, "out of memory");
		key = id * 2 + (c->cur->vips[id].info.pool_version & 1);
		if (bpf_map_lookup_elem(c->maps.pools, &key, pools[id]))
			return err_set(ERR_SYSTEM, "cannot read pools[%u]: %s", key,
				       strerror(errno));
	}
	return 0;
}

int export_run(struct cmd_ctx *c, int argc, char **argv)
{
	struct pool *pools[HAULER_MAX_VIPS] = {};
	struct p4_export_in in = {};
	struct p4_port *ports = NULL;
	const char *file = NULL;
	struct p4_doc doc;
	int python = 0, i, ret;
	struct private_file pf;
	FILE *out = stdout;

	if (argc < 1 || strcmp(argv[0], "p4"))
		return cmd_usage_err("export", "p4");
	ret = ctx_load(c);
	if (ret)
		return ret;
	ports = calloc(EXPORT_MAX_PORTS, sizeof(*ports));
	if (!ports)
		return err_set(ERR_SYSTEM, "out of memory");
	for (i = 1; i < argc && !ret; i++) {
		if (!strcmp(argv[i], "-o") && i + 1 < argc)
			file = argv[++i];
		else if (!strcmp(argv[i], "--python"))
			python = 1;
		else if (!strcmp(argv[i], "port") && i + 1 < argc && in.n_ports < EXPORT_MAX_PORTS)
			ret = parse_port(c->cur, argv[++i], &ports[in.n_ports++]);
		else
			ret = cmd_usage_err("export", "p4");
	}
	if (!ret)
		ret = read_pools(c, pools);
	in.m = c->cur;
	in.pools = (const struct pool *const *)pools;
	in.ports = ports;
	if (!ret)
		ret = p4_export(&in, &doc);
	if (!ret && file) {
		ret = open_private(file, &pf);
		out = pf.f;
	}
	if (!ret) {
		(python ? p4_write_python : p4_write_json)(&doc, out);
		if (file)
			ret = private_close(&pf, 1);
		else if (fflush(out) || ferror(out))
			ret = err_set(ERR_SYSTEM, "cannot write stdout: %s", strerror(errno));
		p4_doc_free(&doc);
	}
	for (i = 0; i < HAULER_MAX_VIPS; i++)
		free(pools[i]);
	free(ports);
	return ret;
}
