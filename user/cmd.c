// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* cmd.c - the table of objects, help, and the command context (see cmd.h). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "error.h"
#include "model_maps.h"
#include "args.h"
#include "policy_file.h"
#include "health_maps.h"

struct object {
	const char *name;
	const char *const *changes; /* verbs that change the configuration */
	int (*apply)(struct model *m, int argc, char **argv);
	int (*run)(struct cmd_ctx *c, int argc, char **argv);
	const char *default_verb; /* when no verb is given */
	const char *usage;
	/* After a change was committed on the command line (not a batch, not -n). */
	int (*done)(struct cmd_ctx *c, int argc, char **argv);
};

static const char *const vip_changes[] = {"add", "del", NULL};
static const char *const server_changes[] = {"add", "set", "del", NULL};
static const char *const device_changes[] = {"add", "set", "del", "key", NULL};
static const char *const policy_changes[] = {"set", "load", "unload", NULL};
static const char *const config_changes[] = {"set", NULL};

static const struct object objects[] = {
    {"up", NULL, NULL, up_run, NULL,
     "hauler up DEV [--mode native|generic] [-c FILE] [--tunnel-src ADDR] "
     "[--tunnel-src6 ADDR]\n",
     NULL},
    {"down", NULL, NULL, down_run, NULL, "hauler down\n", NULL},
    {"status", NULL, NULL, status_run, NULL, "hauler status\n", NULL},
    {"vip", vip_changes, vip_apply, vip_run, "show",
     "hauler vip add VIP [mode nat|ipip] [policy NAME [PARAMS]] [table-size M]\n"
     "hauler vip del VIP\n"
     "hauler vip show [VIP]\n"
     "  VIP := ADDR:PORT/tcp|udp, [IPv6]:PORT/tcp|udp\n",
     NULL},
    {"server", server_changes, server_apply, server_run, "show",
     "hauler server add NAME vip VIP [weight W]\n"
     "hauler server set NAME weight W | spill-to SERVER|none\n"
     "hauler server del NAME\n"
     "hauler server show [NAME]\n",
     NULL},
    {"device", device_changes, device_apply, device_run, "show",
     "hauler device add NAME server SERVER addr ADDR port PORT [kind cpu|smartnic|gpu|fpga]"
     " [weight W] [state up|drain|down]\n"
     "hauler device set NAME [weight W] [state up|drain|down] [kind K] [check CHECK]\n"
     "hauler device del NAME\n"
     "hauler device key NAME [generate | KEY]\n"
     "hauler device show [NAME]\n"
     "  KEY := 32 hex digits (hauler-agent --key); generate (the default) prints a new one\n"
     "  CHECK := none | tcp|udp|http [PATH]|agent [interval MS] [timeout MS] [rise N] [fall N]\n"
     "           [on-down keep|reset] [agent-silence MS] [port PORT]\n"
     "           [send TEXT | send-hex HEX] [expect TEXT | expect-hex HEX]  (last on the line)\n",
     device_done},
    {"policy", policy_changes, policy_apply, policy_run, "show",
     "hauler policy set VIP NAME [PARAMS]\n"
     "hauler policy show [VIP]\n"
     "hauler policy list\n"
     "hauler policy load NAME FILE.o\n"
     "hauler policy unload NAME\n"
     "hauler policy params [NAME]\n"
     "  PARAMS := PARAM VALUE ... (hauler policy params: each policy's, with ranges)\n",
     NULL},
    {"stats", NULL, NULL, stats_run, "show", "hauler stats [show | reset]\n", NULL},
    {"conns", NULL, NULL, conns_run, "show", "hauler conns [show] [VIP]\n", NULL},
    {"save", NULL, NULL, save_run, NULL, "hauler save [-o FILE]\n", NULL},
    {"daemon", NULL, NULL, daemon_run, NULL, "hauler daemon [--interval-ms MS] [--once]\n", NULL},
    {"learn", NULL, NULL, learn_run, NULL,
     "hauler learn VIP [PARAMS] [--iterations N]\n"
     "hauler learn show VIP\n"
     "hauler learn reset VIP\n"
     "  PARAMS := buckets N | alpha A | gamma G | epsilon E | slo-us US | threshold PCT |\n"
     "            w-cpu W | w-max W | w-start W | interval-ms MS | seed S ...\n",
     NULL},
    {"export", NULL, NULL, export_run, NULL,
     "hauler export p4 [-o FILE] [--python] [port DEVICE=PORT]...\n", NULL},
    {"config", config_changes, config_apply, NULL, NULL,
     "hauler config set [fin-grace MS] [udp-timeout MS] [report-port PORT] [tunnel-src ADDR] "
     "[tunnel-src6 ADDR]\n",
     NULL},
};

#define OBJECT_COUNT (sizeof(objects) / sizeof(objects[0]))

void cmd_usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: hauler [-j] [-p DIR] [-n] [-d] [-batch FILE] OBJECT VERB [ARGS]\n");
	for (i = 0; i < OBJECT_COUNT; i++)
		fputs(objects[i].usage, out);
}

static const struct object *find_object(const char *name)
{
	size_t i;

	for (i = 0; i < OBJECT_COUNT; i++)
		if (!strcmp(objects[i].name, name))
			return &objects[i];
	return NULL;
}

static int is_change(const struct object *o, const char *verb)
{
	const char *const *v;

	for (v = o->changes; v && *v; v++)
		if (!strcmp(*v, verb))
			return 1;
	return 0;
}

int cmd_apply(struct model *m, int argc, char **argv)
{
	const struct object *o = argc ? find_object(argv[0]) : NULL;

	if (!argc)
		return err_set(ERR_INPUT, "missing command");
	if (!o)
		return err_set(ERR_INPUT, "unknown object '%s' (hauler help)", argv[0]);
	if (argc < 2 || !is_change(o, argv[1]))
		return err_set(ERR_INPUT, "'%s %s' cannot be batched: only changes can", argv[0],
			       argc < 2 ? "" : argv[1]);
	return o->apply(m, argc - 1, argv + 1);
}

int cmd_run(struct cmd_ctx *c, int argc, char **argv)
{
	const struct object *o;
	char *verb_default[2];
	int ret;

	if (!argc || !strcmp(argv[0], "help")) {
		cmd_usage(stdout);
		return 0;
	}
	o = find_object(argv[0]);
	if (!o)
		return err_set(ERR_INPUT, "unknown object '%s' (hauler help)", argv[0]);
	if (argc >= 2 && !strcmp(argv[argc - 1], "help")) {
		fputs(o->usage, stdout);
		return 0;
	}
	if (argc >= 2 && is_change(o, argv[1])) {
		ret = ctx_load(c);
		if (!ret)
			ret = o->apply(c->cur, argc - 1, argv + 1);
		if (!ret)
			ret = ctx_commit(c);
		if (!ret && !c->dry_run && o->done)
			ret = o->done(c, argc - 1, argv + 1);
		return ret;
	}
	if (!o->run)
		return err_set(ERR_INPUT, "unknown verb '%s %s' (hauler %s help)", argv[0],
			       argc >= 2 ? argv[1] : "", argv[0]);
	if (argc < 2 && o->default_verb) {
		verb_default[0] = argv[0];
		verb_default[1] = (char *)o->default_verb;
		return o->run(c, 1, verb_default + 1);
	}
	return o->run(c, argc - 1, argv + 1);
}

/* With pins, a policy is known when its program is pinned under policies/. */
static int policy_pinned(const char *name, void *arg)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/policies/%s", (const char *)arg, name);
	return !access(path, F_OK);
}

int ctx_load(struct cmd_ctx *c)
{
	int ret;

	if (c->cur)
		return 0;
	ret = maps_open(&c->maps, c->pin);
	if (ret)
		return ret;
	c->maps_open = 1;
	c->base = malloc(sizeof(*c->base));
	c->cur = malloc(sizeof(*c->cur));
	if (!c->base || !c->cur)
		return err_set(ERR_SYSTEM, "out of memory");
	ret = model_load(c->base, &c->maps);
	if (ret)
		return ret;
	c->base->policy_known = policy_pinned;
	c->base->policy_arg = (void *)c->pin;
	ret = policy_files_read(c->pin, c->base);
	if (!ret)
		ret = policy_intervals_read(c->pin, c->base);
	if (!ret)
		ret = health_checks_read(c->pin, c->base);
	if (ret)
		return ret;
	memcpy(c->cur, c->base, sizeof(*c->cur));
	return 0;
}

int ctx_commit(struct cmd_ctx *c)
{
	if (c->dry_run) {
		printf("ok (dry run)\n");
		return 0;
	}
	return model_commit(&c->maps, c->pin, c->base, c->cur);
}

void ctx_release(struct cmd_ctx *c)
{
	if (c->maps_open)
		maps_close(&c->maps);
	c->maps_open = 0;
	free(c->base);
	free(c->cur);
	c->base = c->cur = NULL;
}

const char *vip_text(const struct model *m, int vip_id, char *buf, size_t len)
{
	if (vip_id < 0 || vip_id >= HAULER_MAX_VIPS || !m->vips[vip_id].in_use)
		snprintf(buf, len, "-");
	else
		format_vip(&m->vips[vip_id].key, buf, len);
	return buf;
}
