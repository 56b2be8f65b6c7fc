// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* cmd.c - the command table, help, and the command context (see cmd.h). */
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
#include "lock.h"
#include "hauler_version.h"
#include "json.h"

/*
 * The command table: one row per verb. It drives dispatch (an object's
 * apply or run gets argv[0] = the verb), the count of the words after the
 * verb, `hauler help`, `hauler OBJECT help`, every usage error
 * (cmd_usage_err) and the unit test that docs/cli.md lists every form.
 * An object whose row has no verb (up, save, ...) takes its words as is.
 */
#define ANY	     -1
#define VERB_CHANGE  1 /* changes the configuration: the object's apply, batchable */
#define VERB_DEFAULT 2 /* the verb of a bare `hauler OBJECT` */
#define VERB_SECRET  4 /* a secret may follow: on the command line only by file or stdin */

struct verb {
	const char *object;
	const char *name; /* NULL: the object takes no verb */
	const char *args; /* after `hauler OBJECT [VERB]` */
	int min, max;	  /* words after the verb; max ANY: no limit */
	unsigned int flags;
};

/* Bytes of one form as usage prints it (hauler up's is the longest, about 260). */
#define CMD_FORM_MAX 512

static const struct verb verbs[] = {
    {"up", NULL,
     "DEV [--mode native|generic] [-c FILE] [--tunnel-src ADDR] [--tunnel-src6 ADDR] "
     "[--table lru|compact] [--conns N] [--half-open N] [--vips N] [--servers N] [--devices N] "
     "[--assigned auto|exact|aggregate] [--assigned-cpus N] [--assigned-interval US]",
     1, ANY, 0},
    {"down", NULL, "", 0, 0, 0},
    {"status", NULL, "", 0, 0, 0},
    {"vip", "add", "VIP [mode nat|ipip] [policy NAME [PARAMS]] [table-size M] [tier maglev|flat]",
     1, ANY, VERB_CHANGE},
    {"vip", "set", "VIP tier maglev|flat", 3, 3, VERB_CHANGE},
    {"vip", "del", "VIP", 1, 1, VERB_CHANGE},
    {"vip", "show", "[VIP]", 0, 1, VERB_DEFAULT},
    {"server", "add", "NAME vip VIP [weight W]", 1, ANY, VERB_CHANGE},
    {"server", "set", "NAME weight W | spill-to SERVER|none", 3, 3, VERB_CHANGE},
    {"server", "del", "NAME", 1, 1, VERB_CHANGE},
    {"server", "show", "[NAME]", 0, 1, VERB_DEFAULT},
    {"device", "add",
     "NAME server SERVER addr ADDR port PORT [kind cpu|smartnic|gpu|fpga] [weight W] "
     "[state up|drain|down] [check CHECK]",
     1, ANY, VERB_CHANGE},
    {"device", "set", "NAME [weight W] [state up|drain|down] [kind K] [check CHECK]", 3, ANY,
     VERB_CHANGE},
    {"device", "del", "NAME", 1, 1, VERB_CHANGE},
    {"device", "key", "NAME [generate | file FILE | -]", 1, 3, VERB_CHANGE | VERB_SECRET},
    {"device", "resync", "NAME", 1, 1, VERB_CHANGE},
    {"device", "show", "[NAME]", 0, 1, VERB_DEFAULT},
    {"policy", "set", "VIP NAME [PARAMS]", 2, ANY, VERB_CHANGE},
    {"policy", "show", "[VIP]", 0, 1, VERB_DEFAULT},
    {"policy", "list", "", 0, 0, 0},
    {"policy", "params", "[NAME]", 0, 1, 0},
    {"policy", "load", "NAME FILE.o", 2, 2, VERB_CHANGE},
    {"policy", "unload", "NAME", 1, 1, VERB_CHANGE},
    {"stats", "show", "", 0, 0, VERB_DEFAULT},
    {"stats", "reset", "", 0, 0, 0},
    {"conns", NULL, "[show] [VIP | --flow tcp|udp FROM:PORT TO:PORT]", 0, 5, 0},
    {"save", NULL, "[--keys -o FILE | -o FILE]", 0, 3, 0},
    {"daemon", NULL,
     "[--interval-ms MS] [--once] [--metrics ADDR:PORT] [--bird FILE [--bird-socket PATH]]", 0, ANY,
     0},
    {"metrics", NULL, "", 0, 0, 0},
    {"exporter", NULL, "ADDR:PORT", 1, 1, 0},
    {"apply", NULL, "FILE [--dry-run]", 1, 2, 0},
    {"top", NULL, "[--interval-ms MS] [--count N]", 0, 4, 0},
    /* learn's verbs first: the verbless row takes any other word (a VIP). */
    {"learn", "show", "VIP", 1, 1, 0},
    {"learn", "reset", "VIP", 1, 1, 0},
    {"learn", NULL, "VIP [PARAMS] [--iterations N] [--settle N]", 1, ANY, 0},
    {"export", "p4", "[-o FILE] [--python] [port DEVICE=PORT]...", 0, ANY, 0},
    {"config", "set",
     "[fin-grace MS] [rst-linger MS] [udp-timeout MS] [report-port PORT] [tunnel-src ADDR] "
     "[tunnel-src6 ADDR] [report-window S|off] [raw-reports DEV|off] [confirm-budget N] "
     "[flow-seed HEX|random]",
     2, ANY, VERB_CHANGE},
    {"version", NULL, "", 0, 0, 0},
};

#define VERB_COUNT (sizeof(verbs) / sizeof(verbs[0]))

/* hauler version (and hauler --version): needs no pinned state. */
static int version_run(struct cmd_ctx *c, int argc, char **argv)
{
	struct json j;

	(void)argc; /* no words: the command table checked */
	(void)argv;
	if (!c->json) {
		printf("hauler %s\n", hauler_version);
		return 0;
	}
	json_init(&j, stdout);
	json_object_begin(&j, NULL);
	json_string(&j, "version", hauler_version);
	json_object_end(&j);
	json_finish(&j);
	return 0;
}

/* What runs an object's verbs, and the lines its help ends with. */
struct object {
	const char *name;
	int (*apply)(struct model *m, int argc, char **argv);
	int (*run)(struct cmd_ctx *c, int argc, char **argv);
	/* After a change was committed on the command line (not a batch, not -n). */
	int (*done)(struct cmd_ctx *c, int argc, char **argv);
	const char *notes;
};

static const struct object objects[] = {
    {"up", NULL, up_run, NULL, NULL},
    {"down", NULL, down_run, NULL, NULL},
    {"status", NULL, status_run, NULL, NULL},
    {"vip", vip_apply, vip_run, NULL, "  VIP := ADDR:PORT/tcp|udp, [IPv6]:PORT/tcp|udp\n"},
    {"server", server_apply, server_run, NULL, NULL},
    {"device", device_apply, device_run, device_done,
     "  key: generate (the default) prints a new one; file FILE or - (stdin) reads 32 hex\n"
     "       digits (a key is never taken from the command line: ps shows it)\n"
     "  CHECK := none | tcp|udp|http [PATH]|agent [interval MS] [timeout MS] [rise N] [fall N]\n"
     "           [on-down keep|reset] [agent-silence MS] [port PORT]\n"
     "           [send TEXT | send-hex HEX] [expect TEXT | expect-hex HEX]  (last on the line)\n"},
    {"policy", policy_apply, policy_run, NULL,
     "  PARAMS := PARAM VALUE ... (hauler policy params: each policy's, with ranges)\n"},
    {"stats", NULL, stats_run, NULL, NULL},
    {"conns", NULL, conns_run, NULL, NULL},
    {"save", NULL, save_run, NULL, NULL},
    {"daemon", NULL, daemon_run, NULL, NULL},
    {"metrics", NULL, metrics_run, NULL, NULL},
    {"exporter", NULL, exporter_run, NULL,
     "  ADDR:PORT := 127.0.0.1:9477 | [::1]:9477 | 0.0.0.0:9477 ...\n"},
    {"apply", NULL, apply_run, NULL, NULL},
    {"top", NULL, top_run, NULL, NULL},
    {"learn", NULL, learn_run, NULL,
     "  PARAMS := buckets N | alpha A | gamma G | epsilon E | slo-us US | threshold PCT |\n"
     "            w-cpu W | w-max W | w-start W | interval-ms MS | seed S ...\n"},
    {"export", NULL, export_run, NULL, NULL},
    {"config", config_apply, NULL, NULL, NULL},
    {"version", NULL, version_run, NULL, NULL},
};

#define OBJECT_COUNT (sizeof(objects) / sizeof(objects[0]))

static void verb_usage(FILE *out, const struct verb *v)
{
	fprintf(out, "hauler %s%s%s%s%s\n", v->object, v->name ? " " : "", v->name ? v->name : "",
		v->args[0] ? " " : "", v->args);
}

static void object_usage(FILE *out, const struct object *o)
{
	size_t i;

	for (i = 0; i < VERB_COUNT; i++)
		if (!strcmp(verbs[i].object, o->name))
			verb_usage(out, &verbs[i]);
	if (o->notes)
		fputs(o->notes, out);
}

void cmd_usage(FILE *out)
{
	size_t i;

	fprintf(out,
		"usage: hauler [-j] [-p DIR] [-n] [-d] [-v|-q] [-batch FILE] OBJECT VERB [ARGS]\n");
	for (i = 0; i < OBJECT_COUNT; i++)
		object_usage(out, &objects[i]);
}

static const struct object *find_object(const char *name)
{
	size_t i;

	for (i = 0; i < OBJECT_COUNT; i++)
		if (!strcmp(objects[i].name, name))
			return &objects[i];
	return NULL;
}

/* The row of object's verb (NULL: its verbless row, or its default one). */
static const struct verb *find_verb(const char *object, const char *name)
{
	size_t i;

	for (i = 0; i < VERB_COUNT; i++) {
		const struct verb *v = &verbs[i];

		if (strcmp(v->object, object))
			continue;
		if (!v->name || (name ? !strcmp(v->name, name) : !!(v->flags & VERB_DEFAULT)))
			return v;
	}
	return NULL;
}

int cmd_usage_err(const char *object, const char *verb)
{
	const struct verb *v = find_verb(object, verb);
	char line[CMD_FORM_MAX];
	size_t i;
	FILE *f;

	/* A bare object without a default verb: the form of its first verb. */
	for (i = 0; !v && !verb && i < VERB_COUNT; i++)
		if (!strcmp(verbs[i].object, object))
			v = &verbs[i];
	if (!v)
		return err_set(ERR_INPUT, "unknown verb '%s %s' (hauler %s help)", object,
			       verb ? verb : "", object);
	f = fmemopen(line, sizeof(line), "w");
	if (!f)
		return err_set(ERR_INPUT, "usage: hauler %s help", object);
	verb_usage(f, v);
	fclose(f);
	line[strcspn(line, "\n")] = '\0';
	return err_set(ERR_INPUT, "usage: %s", line);
}

/* n words after the verb: within the row's count, else its usage. */
static int check_count(const struct verb *v, int n)
{
	if (n < v->min || (v->max != ANY && n > v->max))
		return cmd_usage_err(v->object, v->name);
	return 0;
}

int cmd_apply(struct model *m, int argc, char **argv)
{
	const struct object *o = argc ? find_object(argv[0]) : NULL;
	const struct verb *v;

	if (!argc)
		return err_set(ERR_INPUT, "missing command");
	if (!o)
		return err_set(ERR_INPUT, "unknown object '%s' (hauler help)", argv[0]);
	v = argc >= 2 ? find_verb(argv[0], argv[1]) : NULL;
	if (!v || !v->name || !(v->flags & VERB_CHANGE))
		return err_set(ERR_INPUT, "'%s %s' cannot be batched: only changes can", argv[0],
			       argc < 2 ? "" : argv[1]);
	if (check_count(v, argc - 2))
		return -ERR_INPUT;
	return o->apply(m, argc - 1, argv + 1);
}

/*
 * OBJECT ... help, or --help / -h anywhere after the object: the object's
 * forms. What an operator types at 3 a.m. (`hauler up --help`) must not
 * be read as an option missing its value.
 */
static int wants_help(int argc, char **argv)
{
	int i;

	if (argc >= 2 && !strcmp(argv[argc - 1], "help"))
		return 1;
	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return 1;
	return 0;
}

int cmd_run(struct cmd_ctx *c, int argc, char **argv)
{
	const struct object *o;
	const struct verb *v;
	char *verb_default[1];
	int ret;

	if (!argc || !strcmp(argv[0], "help")) {
		cmd_usage(stdout);
		return 0;
	}
	o = find_object(argv[0]);
	if (!o)
		return err_set(ERR_INPUT, "unknown object '%s' (hauler help)", argv[0]);
	if (wants_help(argc, argv)) {
		object_usage(stdout, o);
		return 0;
	}
	v = find_verb(argv[0], argc >= 2 ? argv[1] : NULL);
	if (!v)
		return cmd_usage_err(argv[0], argc >= 2 ? argv[1] : NULL);
	if (!v->name) {
		/* No verb: the words go to run as they are. */
		if (check_count(v, argc - 1))
			return -ERR_INPUT;
		return o->run(c, argc - 1, argv + 1);
	}
	if (check_count(v, argc >= 2 ? argc - 2 : 0))
		return -ERR_INPUT;
	if ((v->flags & VERB_SECRET) && cmd_secret_on_argv(argc - 1, argv + 1))
		return -ERR_INPUT;
	if (v->flags & VERB_CHANGE) {
		ret = c->dry_run ? 0 : ctx_lock(c);
		if (!ret)
			ret = ctx_load(c);
		if (!ret)
			ret = o->apply(c->cur, argc - 1, argv + 1);
		if (!ret)
			ret = ctx_commit(c);
		if (!ret && !c->dry_run && o->done)
			ret = o->done(c, argc - 1, argv + 1);
		return ret;
	}
	if (argc < 2) {
		verb_default[0] = (char *)v->name;
		return o->run(c, 1, verb_default);
	}
	return o->run(c, argc - 1, argv + 1);
}

int cmd_each_form(int (*fn)(const char *line, void *arg), void *arg)
{
	char line[CMD_FORM_MAX];
	size_t i;
	int ret;

	for (i = 0; i < VERB_COUNT; i++) {
		FILE *f = fmemopen(line, sizeof(line), "w");

		if (!f)
			return -1;
		verb_usage(f, &verbs[i]);
		fclose(f);
		line[strcspn(line, "\n")] = '\0';
		ret = fn(line, arg);
		if (ret)
			return ret;
	}
	return 0;
}

/* With pins, a policy is known when its program is pinned under policies/. */
static int policy_pinned(const char *name, void *arg)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/policies/%s", (const char *)arg, name);
	return !access(path, F_OK);
}

int ctx_lock(struct cmd_ctx *c)
{
	int fd;

	if (c->locked)
		return 0;
	fd = lock_take(c->pin, HAULER_LOCK_WAIT_MS);
	if (fd < 0)
		return fd;
	c->lock_fd = fd;
	c->locked = 1;
	return 0;
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
		ret = policy_drift_read(c->pin, &c->maps, c->base);
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
	if (c->locked)
		lock_release(c->lock_fd);
	c->locked = 0;
}

const char *vip_text(const struct model *m, int vip_id, char *buf, size_t len)
{
	if (vip_id < 0 || vip_id >= HAULER_MAX_VIPS || !m->vips[vip_id].in_use)
		snprintf(buf, len, "-");
	else
		format_vip(&m->vips[vip_id].key, buf, len);
	return buf;
}
