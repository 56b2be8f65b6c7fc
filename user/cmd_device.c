// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* cmd_device.c - hauler device add|set|del|key|show. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "hauler_keyfile.h"
#include "hauler_report.h"

#include "clock.h"
#include "cmd.h"
#include "error.h"
#include "json.h"
#include "args.h"
#include "health_maps.h"
#include "health_show.h"
#include "snapshot.h"
#include "stats_read.h"

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
	struct health_check check = {};
	struct device_spec spec = {};
	int i, ret, have_addr = 0;
	__u32 port = 0;

	if (argc < 1)
		return err_set(ERR_INPUT, "device add: missing NAME");
	if (parse_name(argv[0], spec.name))
		return -ERR_INPUT;
	for (i = 1; i < argc; i += 2) {
		if (!strcmp(argv[i], "check")) { /* the rest of the line */
			if (health_parse(argc - i - 1, argv + i + 1, &check))
				return -ERR_INPUT;
			break;
		}
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
	if (ret < 0)
		return ret;
	return model_device_set_check(m, spec.name, &check);
}

static int device_set(struct model *m, int argc, char **argv)
{
	struct device_opts o = {-1, -1, -1};
	struct health_check check;
	int i, ret, have_check = 0;

	for (i = 1; i < argc; i += 2) {
		if (!strcmp(argv[i], "check")) { /* the rest of the line */
			if (health_parse(argc - i - 1, argv + i + 1, &check))
				return -ERR_INPUT;
			have_check = 1;
			break;
		}
		if (i + 1 >= argc)
			return err_set(ERR_INPUT, "device set: '%s' needs a value", argv[i]);
		ret = device_option(argv[i], argv[i + 1], &o);
		if (ret < 0)
			return ret;
		if (ret)
			return err_set(ERR_INPUT, "device set: unknown argument '%s'", argv[i]);
	}
	ret = model_device_set(m, argv[0], o.weight, o.state, o.kind);
	if (!ret && have_check)
		ret = model_device_set_check(m, argv[0], &check);
	return ret;
}

int cmd_secret_on_argv(int argc, char **argv)
{
	/* device key NAME [generate | file FILE | -]: anything else is a key. */
	if (argc < 3 || !strcmp(argv[2], "generate") || !strcmp(argv[2], "-") ||
	    (!strcmp(argv[2], "file") && argc == 4))
		return 0;
	return err_set(ERR_INPUT, "device key: a key on the command line is visible to every "
				  "user (ps): use 'file FILE' or '-' (stdin)");
}

/*
 * A key from a file (or "-": stdin): 32 hex digits, then at most a line
 * end. A file others may read is used, with a warning (key_file_check).
 */
static int key_from_file(const char *path, __u64 *k0, __u64 *k1)
{
	char buf[80];
	size_t n;
	FILE *f;

	if (strcmp(path, "-")) {
		f = fopen(path, "re");
		if (!f)
			return err_set(ERR_INPUT, "device key: cannot open %s: %s", path,
				       strerror(errno));
		key_file_warn(fileno(f), path, "hauler");
	} else {
		f = stdin;
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	if (ferror(f)) {
		if (f != stdin)
			fclose(f);
		return err_set(ERR_INPUT, "device key: cannot read %s", path);
	}
	if (f != stdin)
		fclose(f);
	buf[n] = '\0';
	n = strcspn(buf, "\r\n");
	if (buf[n] && strspn(buf + n, "\r\n") != strlen(buf + n))
		return err_set(ERR_INPUT, "device key: %s holds more than one line", path);
	buf[n] = '\0';
	if (report_key_parse(buf, k0, k1))
		return err_set(ERR_INPUT, "device key: %s must hold 32 hex digits, not all zero",
			       path);
	return 0;
}

/* argv: NAME [generate | file FILE | - | KEY (batch files only)] */
static int device_key(struct model *m, int argc, char **argv)
{
	unsigned char raw[16];
	__u64 k0 = 0, k1 = 0;

	if (argc == 1 || (argc == 2 && !strcmp(argv[1], "generate"))) {
		while (!k0 && !k1) { /* all-zero means "no key": draw again */
			if (getrandom(raw, sizeof(raw), 0) != sizeof(raw))
				return err_set(ERR_SYSTEM, "getrandom: %s", strerror(errno));
			siphash_key_from_bytes(raw, &k0, &k1);
		}
	} else if (argc == 3 && !strcmp(argv[1], "file")) {
		if (key_from_file(argv[2], &k0, &k1))
			return -ERR_INPUT;
	} else if (argc == 2 && !strcmp(argv[1], "-")) {
		if (key_from_file("-", &k0, &k1))
			return -ERR_INPUT;
	} else if (argc != 2 || report_key_parse(argv[1], &k0, &k1)) {
		/* Never echo it: a near-miss of a key is almost a key. */
		return err_set(ERR_INPUT, "device key: KEY must be 32 hex digits, not all zero");
	}
	return model_device_set_key(m, argv[0], k0, k1);
}

/* After `device key`: print the key the agent needs (and only here). */
int device_done(struct cmd_ctx *c, int argc, char **argv)
{
	char hex[33];
	struct json j;
	int d;

	if (strcmp(argv[0], "key") || argc < 2 || (d = model_device_find(c->cur, argv[1])) < 0)
		return 0;
	report_key_format(c->cur->keys[d].k0, c->cur->keys[d].k1, hex);
	if (c->json) {
		json_init(&j, stdout);
		json_object_begin(&j, NULL);
		json_string(&j, "device", argv[1]);
		json_string(&j, "key", hex);
		json_object_end(&j);
		json_finish(&j);
	} else {
		printf("%s\n", hex);
	}
	return 0;
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
	if (!strcmp(argv[0], "key"))
		return device_key(m, argc - 1, argv + 1);
	if (!strcmp(argv[0], "resync"))
		return model_device_resync(m, name);
	return model_device_del(m, name);
}

/* "10ms", "trigger", "v1" (no period: stale-ms), "-" (never reported). */
static void format_period(const struct report_view *r, char *buf, size_t len)
{
	if (r->never)
		snprintf(buf, len, "-");
	else if (r->st->version >= 2 && r->st->period_ms)
		snprintf(buf, len, "%ums", r->st->period_ms);
	else
		snprintf(buf, len, "%s", r->mode);
}

static void device_json(struct json *j, const struct model *m, int d, const struct report_view *r,
			const struct health_status *h, __u64 now)
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
	json_bool(j, "key", r->key_set);
	json_object_begin(j, "report");
	json_uint(j, "cmp", r->st->cmp);
	json_uint(j, "mem", r->st->mem);
	json_uint(j, "net", r->st->net);
	json_uint(j, "queue", r->st->queue);
	json_uint(j, "latency_us", r->st->latency_us);
	json_uint(j, "live_conns", r->st->live_conns);
	json_uint(j, "assigned", r->assigned);
	json_uint(j, "seq", r->st->seq);
	if (r->never)
		json_null(j, "age_ms");
	else
		json_uint(j, "age_ms", r->age_ms);
	json_bool(j, "stale", r->stale);
	json_bool(j, "busy", r->st->busy);
	if (r->never) {
		json_null(j, "mode");
		json_null(j, "version");
	} else {
		json_string(j, "mode", r->mode);
		json_uint(j, "version", r->st->version);
	}
	if (r->never || r->st->version < 2 || !r->st->period_ms)
		json_null(j, "period_ms");
	else
		json_uint(j, "period_ms", r->st->period_ms);
	/* The bound of the rule in force: K periods, stale-ms (v1), none (trigger). */
	if (r->stale_after_ms == ~0ull)
		json_null(j, "stale_after_ms");
	else
		json_uint(j, "stale_after_ms", r->stale_after_ms);
	json_object_end(j);
	health_json(j, m, d, h, now);
	json_object_end(j);
}

int device_run(struct cmd_ctx *c, int argc, char **argv)
{
	struct health_status *health;
	struct dev_state *states;
	struct stats_reader sr = {};
	struct counter new_now;
	struct report_view r;
	int d, only = -1, ret;
	struct json j;
	__u64 now;

	ret = ctx_load(c);
	if (ret)
		return ret;
	if (argc == 2) {
		only = model_device_find(c->cur, argv[1]);
		if (only < 0)
			return err_set(ERR_INPUT, "no device '%s'", argv[1]);
	}
	states = calloc(HAULER_MAX_DEVICES, sizeof(*states));
	health = calloc(HAULER_MAX_DEVICES, sizeof(*health));
	if (!states || !health) {
		ret = err_set(ERR_SYSTEM, "out of memory");
		goto out;
	}
	ret =
	    maps_read_array_locked(c->maps.dev_state, HAULER_MAX_DEVICES, states, sizeof(*states));
	if (ret) {
		ret = err_set(ERR_SYSTEM, "cannot read dev_state: %s", strerror(-ret));
		goto out;
	}
	ret = health_states_read(c->pin, health);
	if (!ret)
		ret = stats_reader_init(&sr, c->maps.stats);
	if (ret)
		goto out;
	now = monotonic_ns();
	if (c->json) {
		json_init(&j, stdout);
		json_array_begin(&j, NULL);
	} else {
		printf("%-5s %-15s %-15s %-28s %-8s %-6s %-5s %-3s %-15s %-4s %-10s %-10s %-10s "
		       "%-20s %-9s %-11s %-16s %-7s %-24s %s\n",
		       "id", "name", "server", "addr", "kind", "weight", "state", "key",
		       "cmp/mem/net/que", "busy", "latency_us", "live_conns", "assigned", "seq",
		       "period", "stale_after", "age_ms", "health", "last_check", "downs/ups");
	}
	for (d = 0; d < HAULER_MAX_DEVICES; d++) {
		const struct device_info *dev = &c->cur->devices[d];
		char addr[ADDR_STRLEN], where[ADDR_STRLEN + 16], load[24], age[32], last[48];
		char period[16], after[24];
		__u32 downs, ups;

		if (!dev->in_use || (only >= 0 && d != only))
			continue;
		if (stats_reader_sum(&sr, HAULER_STAT_DEV(d, HAULER_STAT_NEW), &new_now))
			memset(&new_now, 0, sizeof(new_now));
		report_view(c->cur, d, &states[d], now, new_now.packets, &r);
		if (c->json) {
			device_json(&j, c->cur, d, &r, &health[d], now);
			continue;
		}
		format_addr(dev->family, dev->addr, addr, sizeof(addr));
		snprintf(where, sizeof(where), dev->family == 6 ? "[%s]:%u" : "%s:%u", addr,
			 ntohs(dev->port));
		snprintf(load, sizeof(load), "%u/%u/%u/%u", r.st->cmp, r.st->mem, r.st->net,
			 r.st->queue);
		if (r.never)
			snprintf(age, sizeof(age), "never");
		else
			snprintf(age, sizeof(age), "%llu%s", (unsigned long long)r.age_ms,
				 r.stale ? " (stale)" : "");
		format_period(&r, period, sizeof(period));
		if (r.stale_after_ms == ~0ull)
			snprintf(after, sizeof(after), "never");
		else
			snprintf(after, sizeof(after), "%llums",
				 (unsigned long long)r.stale_after_ms);
		health_last_text(c->cur, d, &health[d], now, last, sizeof(last));
		health_counts(c->cur, d, &health[d], &downs, &ups);
		printf("%-5d %-15s %-15s %-28s %-8s %-6u %-5s %-3s %-15s %-4s %-10u %-10u %-10u "
		       "%-20llu %-9s %-11s %-16s %-7s %-24s %u/%u\n",
		       d, (const char *)dev->name, (const char *)c->cur->servers[dev->server].name,
		       where, device_kind_names[dev->kind & 3], dev->weight,
		       device_state_names[dev->state % 3], r.key_set ? "yes" : "no", load,
		       r.st->busy ? "yes" : "no", r.st->latency_us, r.st->live_conns, r.assigned,
		       (unsigned long long)r.st->seq, period, after, age,
		       health_word(c->cur, d, &health[d]), last, downs, ups);
	}
	if (c->json) {
		json_array_end(&j);
		json_finish(&j);
	}
out:
	stats_reader_free(&sr);
	free(states);
	free(health);
	return ret;
}
