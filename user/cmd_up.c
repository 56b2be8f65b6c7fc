// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* cmd_up.c - hauler up, down, status. */
#include <arpa/inet.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>

#include "batch.h"
#include "clock.h"
#include "cmd.h"
#include "ctable_map.h"
#include "error.h"
#include "handshake.h"
#include "json.h"
#include "loader.h"
#include "map_sizes.h"
#include "args.h"
#include "policy_table.h"

static int parse_up(int argc, char **argv, struct up_opts *o, const char **file)
{
	static const char *const modes[] = {"native", "generic"};
	static const char *const tables[] = {"lru", "compact"};
	static const char *const assigned[] = {"auto", "exact", "aggregate"};
	__u32 addr[4];
	__u8 family;
	int i, mode;

	memset(o, 0, sizeof(*o));
	o->xdp_flags = XDP_FLAGS_DRV_MODE;
	*file = NULL;
	for (i = 0; i < argc; i++) {
		const char *w = argv[i];

		if (w[0] != '-') {
			if (o->dev)
				return err_set(ERR_INPUT, "up: one interface only ('%s')", w);
			o->dev = w;
			continue;
		}
		if (i + 1 >= argc)
			return err_set(ERR_INPUT, "up: '%s' needs a value", w);
		if (!strcmp(w, "--mode")) {
			mode = parse_keyword(argv[++i], modes, 2, "mode");
			if (mode < 0)
				return mode;
			o->xdp_flags = mode ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;
		} else if (!strcmp(w, "--table")) {
			mode = parse_keyword(argv[++i], tables, 2, "table");
			if (mode < 0)
				return mode;
			o->table = mode ? TABLE_COMPACT : TABLE_LRU;
		} else if (!strcmp(w, "--assigned")) {
			/* lc/wlc's counts: HAULER_ASSIGNED_* in keyword order */
			mode = parse_keyword(argv[++i], assigned, 3, "assigned");
			if (mode < 0)
				return mode;
			o->assigned_mode1 = mode + 1;
		} else if (!strcmp(w, "--assigned-cpus")) {
			if (parse_u32(argv[++i], 1, 65536, "--assigned-cpus", &o->assigned_cpus))
				return -ERR_INPUT;
		} else if (!strcmp(w, "--assigned-interval")) {
			if (parse_u32(argv[++i], 1, HAULER_ASSIGNED_US_MAX, "--assigned-interval",
				      &o->assigned_interval_us))
				return -ERR_INPUT;
		} else if (!strcmp(w, "--conns")) {
			if (map_sizes_parse(argv[++i], "--conns", &o->sizes.conns))
				return -ERR_INPUT;
		} else if (!strcmp(w, "--half-open")) {
			if (map_sizes_parse(argv[++i], "--half-open", &o->sizes.half_open))
				return -ERR_INPUT;
		} else if (!strcmp(w, "--vips")) {
			if (map_sizes_parse_count(argv[++i], "--vips", HAULER_MAX_VIPS,
						  &o->sizes.vips))
				return -ERR_INPUT;
		} else if (!strcmp(w, "--servers")) {
			if (map_sizes_parse_count(argv[++i], "--servers", HAULER_MAX_SERVERS,
						  &o->sizes.servers))
				return -ERR_INPUT;
		} else if (!strcmp(w, "--devices")) {
			if (map_sizes_parse_count(argv[++i], "--devices", HAULER_MAX_DEVICES,
						  &o->sizes.devices))
				return -ERR_INPUT;
		} else if (!strcmp(w, "-c")) {
			*file = argv[++i];
		} else if (!strcmp(w, "--tunnel-src") || !strcmp(w, "--tunnel-src6")) {
			int six = !strcmp(w, "--tunnel-src6");

			if (parse_addr(argv[++i], &family, addr))
				return -ERR_INPUT;
			if (family != (six ? 6 : 4))
				return err_set(ERR_INPUT, "%s needs an IPv%d address", w,
					       six ? 6 : 4);
			if (six) {
				memcpy(o->tunnel6, addr, sizeof(o->tunnel6));
				o->have_tunnel6 = 1;
			} else {
				o->tunnel4 = addr[0];
				o->have_tunnel4 = 1;
			}
		} else {
			return err_set(ERR_INPUT, "up: unknown option '%s'", w);
		}
	}
	if (map_sizes_check(&o->sizes))
		return -ERR_INPUT;
	if (!o->dev)
		return cmd_usage_err("up", NULL);
	if (!if_nametoindex(o->dev))
		return err_set(ERR_INPUT, "no interface '%s'", o->dev);
	return 0;
}

/* Check a configuration file before anything is loaded. */
static int precheck(const char *file, const struct table_sizes *sizes)
{
	struct model *m = malloc(sizeof(*m));
	int ret;

	if (!m)
		return err_set(ERR_SYSTEM, "out of memory");
	model_init_empty(m); /* policies: the built-in ones are about to be pinned */
	/* The counts this up will size the maps with. */
	if (sizes->vips)
		m->lim.vips = sizes->vips;
	if (sizes->servers)
		m->lim.servers = sizes->servers;
	if (sizes->devices)
		m->lim.devices = sizes->devices;
	ret = batch_apply_file(m, file);
	free(m);
	return ret;
}

int up_run(struct cmd_ctx *c, int argc, char **argv)
{
	struct up_opts opts;
	const char *file;
	int ret;

	ret = parse_up(argc, argv, &opts, &file);
	if (ret)
		return ret;
	/* A running balancer: the writers' lock before anything is read. */
	if (!c->dry_run && loader_pins_exist(c->pin)) {
		ret = ctx_lock(c);
		if (ret)
			return ret;
	}
	/* The whole file is checked before anything is loaded or attached. */
	if (file && loader_pins_exist(c->pin)) {
		ret = ctx_load(c);
		if (!ret)
			ret = batch_apply_file(c->cur, file);
	} else if (file) {
		ret = precheck(file, &opts.sizes);
	}
	if (ret)
		return ret;
	if (c->dry_run) {
		printf("ok (dry run)\n");
		return 0;
	}
	ret = loader_up(c->pin, &opts);
	if (ret || !file)
		return ret;
	if (!c->cur) {
		ret = ctx_lock(c);
		if (!ret)
			ret = ctx_load(c);
		if (!ret)
			ret = batch_apply_file(c->cur, file);
	}
	if (!ret)
		ret = ctx_commit(c);
	return ret;
}

int down_run(struct cmd_ctx *c, int argc, char **argv)
{
	(void)argc; /* no words: the command table checked */
	(void)argv;
	if (c->dry_run) {
		printf("ok (dry run)\n");
		return 0;
	}
	/* Wait for a writer at work; one waiting after us finds no pins. */
	if (loader_pins_exist(c->pin) && ctx_lock(c))
		return -err_code();
	return loader_down(c->pin);
}

static int count_conns(int fd)
{
	struct flow_key key, next, *prev = NULL;
	int n = 0;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		n++;
	}
	return n;
}

/*
 * The connections and half-open ones the table in use holds: the entries
 * of conns and half_open, or the compact table's live slots (ended ones,
 * and those of gone devices, are not counted: the datapath takes them as
 * no flow).
 */
static int count_all(struct cmd_ctx *c, int *conns, int *half)
{
	struct ct_counts n;
	struct ct_view *v;
	int ret;

	if (!c->cur->config.ct_buckets) {
		*conns = count_conns(c->maps.conns);
		*half = count_conns(c->maps.half_open);
		return 0;
	}
	v = malloc(sizeof(*v));
	if (!v)
		return err_set(ERR_SYSTEM, "out of memory");
	ct_view_of_model(v, c->cur, monotonic_ns());
	ret = ct_map_count(c->maps.ctable, c->cur->config.ct_buckets, v, &n);
	free(v);
	*conns = (int)n.n[CT_S_OPEN];
	*half = (int)n.n[CT_S_HALF];
	return ret;
}

int status_run(struct cmd_ctx *c, int argc, char **argv)
{
	int ret, i, vips = 0, servers = 0, devices = 0, conns = 0, half = 0, compact;
	struct table_sizes sizes;
	const struct config *cfg;
	char ifname[IF_NAMESIZE] = "-";
	__u32 attached = 0, pinned;
	struct json j;

	(void)argc; /* no words: the command table checked */
	(void)argv;
	ret = ctx_load(c);
	if (ret)
		return ret;
	cfg = &c->cur->config;
	if (cfg->ifindex && !if_indextoname(cfg->ifindex, ifname))
		snprintf(ifname, sizeof(ifname), "#%u", cfg->ifindex);
	if (cfg->ifindex)
		attached = loader_attached_id(cfg->ifindex, cfg->xdp_flags);
	pinned = loader_pinned_id(c->pin);
	for (i = 0; i < HAULER_MAX_VIPS; i++)
		vips += c->cur->vips[i].in_use;
	for (i = 0; i < HAULER_MAX_SERVERS; i++)
		servers += c->cur->servers[i].in_use;
	for (i = 0; i < HAULER_MAX_DEVICES; i++)
		devices += c->cur->devices[i].in_use;
	ret = count_all(c, &conns, &half);
	if (ret)
		return ret;
	compact = cfg->ct_buckets != 0;
	map_sizes_pinned(c->pin, &sizes);
	if (c->json) {
		json_init(&j, stdout);
		json_object_begin(&j, NULL);
		json_string(&j, "pin", c->pin);
		json_string(&j, "interface", ifname);
		json_string(&j, "mode", cfg->xdp_flags & XDP_FLAGS_SKB_MODE ? "generic" : "native");
		json_uint(&j, "prog_id", pinned);
		json_bool(&j, "attached", attached && attached == pinned);
		json_uint(&j, "schema_version", cfg->schema_version);
		json_uint(&j, "vips", vips);
		json_uint(&j, "servers", servers);
		json_uint(&j, "devices", devices);
		json_uint(&j, "vips_max", c->cur->lim.vips);
		json_uint(&j, "servers_max", c->cur->lim.servers);
		json_uint(&j, "devices_max", c->cur->lim.devices);
		json_uint(&j, "conns", conns);
		json_uint(&j, "half_open", half);
		json_string(&j, "table", compact ? "compact" : "lru");
		if (compact) {
			json_uint(&j, "ct_buckets", cfg->ct_buckets);
			json_uint(&j, "ct_slots", (__u64)cfg->ct_buckets * HAULER_CT_SLOTS);
		} else {
			json_uint(&j, "conns_max", sizes.conns);
			json_uint(&j, "half_open_max", sizes.half_open);
			json_uint(&j, "half_open_burst", cfg->half_open_burst);
		}
		json_string(&j, "assigned", cfg->assigned_us ? "aggregate" : "exact");
		json_uint(&j, "assigned_us", cfg->assigned_us);
		json_uint(&j, "assigned_cpus", cfg->assigned_cpus);
		json_object_end(&j);
		json_finish(&j);
		return 0;
	}
	printf("pin        %s\n", c->pin);
	printf("interface  %s (%s)\n", ifname,
	       cfg->xdp_flags & XDP_FLAGS_SKB_MODE ? "generic" : "native");
	printf("program    id %u, %s\n", pinned,
	       attached && attached == pinned ? "attached"
	       : attached		      ? "NOT attached (another program is)"
					      : "NOT attached");
	printf("schema     version %u\n", cfg->schema_version);
	printf("vips       %d of %u\nservers    %d of %u\ndevices    %d of %u\n"
	       "conns      %d (half-open %d)\n",
	       vips, c->cur->lim.vips, servers, c->cur->lim.servers, devices, c->cur->lim.devices,
	       conns, half);
	if (compact)
		printf("table      compact (%u buckets, %llu slots)\n", cfg->ct_buckets,
		       (unsigned long long)cfg->ct_buckets * HAULER_CT_SLOTS);
	else if (cfg->half_open_burst)
		printf("table      lru (conns %u, half-open %u; by their policy up to %u new "
		       "connections a CPU per %u ms, then the hash choice)\n",
		       sizes.conns, sizes.half_open, cfg->half_open_burst, HAULER_NEW_WINDOW_MS);
	else
		printf("table      lru (conns %u, half-open %u)\n", sizes.conns, sizes.half_open);
	/* lc, wlc and a conns metric: how a device's new connections are counted. */
	if (cfg->assigned_us)
		printf("assigned   aggregate, summed over CPUs every %u us (%s)\n",
		       cfg->assigned_us,
		       cfg->assigned_mode == HAULER_ASSIGNED_AGGREGATE
			   ? "asked"
			   : "more CPUs than --assigned-cpus");
	else
		printf("assigned   exact sum over CPUs (%s)\n",
		       cfg->assigned_mode == HAULER_ASSIGNED_EXACT
			   ? "asked"
			   : "no more CPUs than --assigned-cpus");
	return 0;
}
