// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* cmd_policy.c - hauler policy set|show|list|params|load|unload. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "cmd.h"
#include "error.h"
#include "json.h"
#include "args.h"
#include "policy_file.h"
#include "policy_table.h"

/* argv: load NAME FILE.o (the command table checked the count) */
static int policy_load(struct model *m, char **argv)
{
	char name[HAULER_NAME_LEN], *path;
	int ret;

	if (parse_name(argv[1], name))
		return -ERR_INPUT;
	/* The name first, before any file is read. */
	ret = model_policy_name_ok(name);
	if (!ret)
		ret = policy_file_check(argv[2]);
	if (ret)
		return ret;
	/* The absolute path, so that a saved `policy load` works from anywhere. */
	path = realpath(argv[2], NULL);
	if (!path)
		return err_set(ERR_INPUT, "cannot read %s: %s", argv[2], strerror(errno));
	ret = model_policy_load(m, name, path);
	free(path);
	return ret;
}

int policy_apply(struct model *m, int argc, char **argv)
{
	struct policy_choice policy;
	struct vip_key key;
	int used;

	if (!strcmp(argv[0], "load"))
		return policy_load(m, argv);
	if (!strcmp(argv[0], "unload"))
		return model_policy_unload(m, argv[1]);
	/* argv: set VIP NAME [PARAMS] */
	if (parse_vip(argv[1], &key))
		return -ERR_INPUT;
	used = policy_parse_params(argv[2], argc - 3, argv + 3, &policy);
	if (used < 0)
		return used;
	if (used != argc - 3)
		return err_set(ERR_INPUT, "unknown parameter '%s' for policy '%s'", argv[3 + used],
			       argv[2]);
	return model_policy_set(m, &key, &policy);
}

static int policy_list(struct cmd_ctx *c)
{
	struct pinned_policy p[POLICY_MAX];
	int n, i, k, ret = ctx_load(c);
	struct json j;

	if (ret)
		return ret;
	n = pinned_policies(c->pin, p);
	if (n < 0)
		return n;
	if (c->json) {
		json_init(&j, stdout);
		json_array_begin(&j, NULL);
	} else {
		printf("%-16s %-8s %-8s %s\n", "policy", "prog_id", "kind", "file");
	}
	for (i = 0; i < n; i++) {
		int builtin = policy_builtin(p[i].name);
		const char *file = "-";

		k = model_custom_find(c->cur, p[i].name);
		if (!builtin && k >= 0 && c->cur->custom[k].path[0])
			file = c->cur->custom[k].path;
		if (c->json) {
			json_object_begin(&j, NULL);
			json_string(&j, "name", p[i].name);
			json_uint(&j, "prog_id", p[i].id);
			json_string(&j, "kind", builtin ? "builtin" : "custom");
			if (!builtin && strcmp(file, "-"))
				json_string(&j, "file", file);
			json_object_end(&j);
			continue;
		}
		printf("%-16s %-8u %-8s %s\n", p[i].name, p[i].id, builtin ? "builtin" : "custom",
		       file);
	}
	if (c->json) {
		json_array_end(&j);
		json_finish(&j);
	}
	return 0;
}

static int policy_show(struct cmd_ctx *c, int argc, char **argv)
{
	struct pinned_policy p[POLICY_MAX];
	int n, id, i, only = -1, ret;
	struct vip_key key;
	struct json j;

	ret = ctx_load(c);
	if (ret)
		return ret;
	if (argc == 1) {
		if (parse_vip(argv[0], &key))
			return -ERR_INPUT;
		only = model_vip_find(c->cur, &key);
		if (only < 0)
			return err_set(ERR_INPUT, "no VIP %s", argv[0]);
	}
	n = pinned_policies(c->pin, p);
	if (n < 0)
		return n;
	if (c->json) {
		json_init(&j, stdout);
		json_array_begin(&j, NULL);
	} else {
		printf("%-28s %-4s %-12s %-8s %s\n", "vip", "slot", "program", "prog_id", "params");
	}
	for (id = 0; id < HAULER_MAX_VIPS; id++) {
		const struct model_vip *v = &c->cur->vips[id];
		__u32 slot = v->info.policy_slot, prog_id = 0;
		const char *prog = "(none)";
		char vip[VIP_STRLEN], params[128];

		if (!v->in_use || (only >= 0 && id != only))
			continue;
		/* From user space a PROG_ARRAY lookup yields the program's id. */
		if (bpf_map_lookup_elem(c->maps.policy_progs, &slot, &prog_id))
			prog_id = 0;
		for (i = 0; prog_id && i < n; i++)
			if (p[i].id == prog_id)
				prog = p[i].name;
		if (prog_id && i == n && !strcmp(prog, "(none)"))
			prog = "(unknown)";
		format_vip(&v->key, vip, sizeof(vip));
		policy_format_effective(&c->cur->params[slot], c->cur->interval_ms[slot], params,
					sizeof(params));
		if (c->json) {
			json_object_begin(&j, NULL);
			json_string(&j, "vip", vip);
			json_uint(&j, "slot", slot);
			json_string(&j, "policy", (const char *)c->cur->params[slot].name);
			json_string(&j, "program", prog);
			json_uint(&j, "prog_id", prog_id);
			json_string(&j, "params", params);
			if (model_slot_has(c->cur->policy_drift, slot))
				json_string(&j, "drift_from", c->cur->drift_was[slot]);
			else
				json_null(&j, "drift_from");
			json_object_end(&j);
			continue;
		}
		printf("%-28s %-4u %-12s %-8u %s\n", vip, slot, prog, prog_id, params);
		if (model_slot_has(c->cur->policy_drift, slot))
			printf(
			    "  (swapped outside hauler: the parameters named %.*s; the next change "
			    "writes %s's)\n",
			    HAULER_NAME_LEN, c->cur->drift_was[slot], prog);
	}
	if (c->json) {
		json_array_end(&j);
		json_finish(&j);
	}
	return 0;
}

int policy_run(struct cmd_ctx *c, int argc, char **argv)
{
	if (!strcmp(argv[0], "show"))
		return policy_show(c, argc - 1, argv + 1);
	if (!strcmp(argv[0], "params")) {
		if (!policy_table_print(stdout, argc == 2 ? argv[1] : NULL))
			return err_set(ERR_INPUT,
				       "no policy '%s' in params.def (a custom policy "
				       "takes those of 'hauler policy params any')",
				       argv[1]);
		return 0;
	}
	if (!strcmp(argv[0], "list"))
		return policy_list(c);
	return cmd_usage_err("policy", argv[0]);
}
