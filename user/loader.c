// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* loader.c - load, pin, attach; detach and unpin (see loader.h). */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <ifaddrs.h>
#include <libgen.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/hauler_xdp.skel.h"
#include "policy_list.h"

#include "handshake.h"
#include "hauler_assigned.h"
#include "kernel_check.h"
#include "error.h"
#include "loader.h"
#include "log.h"
#include "map_sizes.h"
#include "model.h"

#define BPFFS_ROOT "/sys/fs/bpf"

/* One open/load/destroy triple per built-in policy skeleton. */
#define POLICY(name)                                                                               \
	static struct bpf_object *open_##name(const struct bpf_object_open_opts *o, void **skel)   \
	{                                                                                          \
		struct policy_##name *s = policy_##name##__open_opts(o);                           \
                                                                                                   \
		*skel = s;                                                                         \
		return s ? s->obj : NULL;                                                          \
	}                                                                                          \
	static int load_##name(void *skel)                                                         \
	{                                                                                          \
		return policy_##name##__load(skel);                                                \
	}                                                                                          \
	static void destroy_##name(void *skel)                                                     \
	{                                                                                          \
		policy_##name##__destroy(skel);                                                    \
	}
HAULER_BUILTIN_POLICIES(POLICY)
#undef POLICY

static const struct builtin_policy {
	const char *name;
	struct bpf_object *(*open)(const struct bpf_object_open_opts *o, void **skel);
	int (*load)(void *skel);
	void (*destroy)(void *skel);
} builtins[] = {
#define POLICY(name) {#name, open_##name, load_##name, destroy_##name},
    HAULER_BUILTIN_POLICIES(POLICY)
#undef POLICY
};

#define BUILTIN_COUNT (sizeof(builtins) / sizeof(builtins[0]))

/* libbpf prints through the log: at -v (its debug messages at -vv) only. */
static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return log_libbpf(level, fmt, ap);
}

void loader_set_debug(int debug)
{
	if (debug && log_get_level() < LOG_LEVEL_DEBUG)
		log_set_level(LOG_LEVEL_DEBUG);
	libbpf_set_print(libbpf_print);
}

int loader_debug(void)
{
	return log_get_level() >= LOG_LEVEL_DEBUG;
}

static int lib_err(int err, const char *what)
{
	char text[128];

	libbpf_strerror(err, text, sizeof(text));
	return err_set(ERR_SYSTEM, "%s: %s%s", what, text,
		       loader_debug() ? "" : " (-d for details)");
}

static int is_bpffs(const char *path)
{
	struct statfs st;

	return !statfs(path, &st) && st.f_type == BPF_FS_MAGIC;
}

/* A bpffs under the pin directory, and the directory with its policies/. */
static int prepare_pin_dir(const char *pin)
{
	char parent[PATH_MAX], path[PATH_MAX];

	if (!strncmp(pin, BPFFS_ROOT "/", strlen(BPFFS_ROOT) + 1) && !is_bpffs(BPFFS_ROOT) &&
	    mount("bpf", BPFFS_ROOT, "bpf", 0, "mode=0700"))
		return err_set(ERR_SYSTEM, "cannot mount bpffs on %s: %s", BPFFS_ROOT,
			       strerror(errno));
	snprintf(parent, sizeof(parent), "%s", pin);
	if (!is_bpffs(pin) && !is_bpffs(dirname(parent)))
		return err_set(ERR_SYSTEM, "%s is not on a bpffs (mount -t bpf bpf DIR)", pin);
	if (mkdir(pin, 0700) && errno != EEXIST)
		return err_set(ERR_SYSTEM, "cannot create %s: %s", pin, strerror(errno));
	snprintf(path, sizeof(path), "%s/policies", pin);
	if (mkdir(path, 0700) && errno != EEXIST)
		return err_set(ERR_SYSTEM, "cannot create %s: %s", path, strerror(errno));
	return 0;
}

int loader_pins_exist(const char *pin)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/config", pin);
	return !access(path, F_OK);
}

/* Existing pins must have this loader's layout. */
static int check_schema(const char *pin)
{
	struct config cfg = {};
	char path[PATH_MAX];
	__u32 zero = 0;
	int fd;

	if (!loader_pins_exist(pin))
		return 0;
	snprintf(path, sizeof(path), "%s/config", pin);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return err_set(ERR_SYSTEM, "cannot open %s: %s", path, strerror(errno));
	if (bpf_map_lookup_elem(fd, &zero, &cfg)) {
		close(fd);
		return err_set(ERR_SYSTEM, "cannot read %s: %s (an older layout? hauler down)",
			       path, strerror(errno));
	}
	close(fd);
	if (cfg.schema_version && cfg.schema_version != HAULER_SCHEMA_VERSION)
		return err_set(ERR_INPUT,
			       "pins at %s have schema version %u, this hauler has %u "
			       "(hauler down, then up)",
			       pin, cfg.schema_version, HAULER_SCHEMA_VERSION);
	return 0;
}

static int pin_program(struct bpf_program *prog, const char *path)
{
	int err;

	unlink(path); /* a re-up replaces the old program's pin */
	err = bpf_program__pin(prog, path);
	if (err)
		return lib_err(err, path);
	return 0;
}

/* Point every slot that uses a built-in policy at its new program. */
static void repoint_slots(struct hauler_xdp *skel, const char *name, int prog_fd)
{
	int params = bpf_map__fd(skel->maps.policy_params);
	int progs = bpf_map__fd(skel->maps.policy_progs);
	struct policy_params p;
	__u32 slot, id;

	for (slot = 0; slot < HAULER_MAX_VIPS; slot++) {
		if (bpf_map_lookup_elem(progs, &slot, &id) || !id)
			continue;
		if (bpf_map_lookup_elem(params, &slot, &p) ||
		    strncmp((const char *)p.name, name, HAULER_NAME_LEN))
			continue;
		bpf_map_update_elem(progs, &slot, &prog_fd, BPF_ANY);
	}
}

/*
 * Load and pin one built-in policy; on a re-up, move the slots that use
 * it to the new program.
 */
static int load_policy(const char *pin, const struct builtin_policy *b, struct hauler_xdp *entry)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = pin);
	struct bpf_program *prog;
	struct bpf_object *obj;
	char path[PATH_MAX];
	void *skel = NULL;
	int err;

	snprintf(path, sizeof(path), "policy %s", b->name);
	obj = b->open(&opts, &skel);
	if (!obj)
		return lib_err(-errno, path);
	err = map_sizes_match_pins(obj);
	if (err) {
		b->destroy(skel);
		return err;
	}
	err = b->load(skel);
	if (err) {
		b->destroy(skel);
		return lib_err(err, path);
	}
	prog = bpf_object__next_program(obj, NULL);
	snprintf(path, sizeof(path), "%s/policies/%s", pin, b->name);
	err =
	    prog ? pin_program(prog, path) : err_set(ERR_SYSTEM, "policy %s: no program", b->name);
	if (!err)
		repoint_slots(entry, b->name, bpf_program__fd(prog));
	b->destroy(skel);
	return err;
}

/*
 * A policy that does not load is left out with a warning: the balancer
 * still comes up, and VIPs cannot select the missing policy (a slot that
 * used it keeps its old program).
 */
static void load_policies(const char *pin, struct hauler_xdp *entry)
{
	size_t i;

	for (i = 0; i < BUILTIN_COUNT; i++)
		if (load_policy(pin, &builtins[i], entry))
			log_warn("%s", err_msg());
}

/* The first IPv4 address, and the first global IPv6 address, of dev. */
static void device_addresses(const char *dev, __u32 *v4, __u32 *v6)
{
	struct ifaddrs *list, *a;
	int have4 = 0, have6 = 0;

	if (getifaddrs(&list))
		return;
	for (a = list; a; a = a->ifa_next) {
		if (!a->ifa_addr || strcmp(a->ifa_name, dev))
			continue;
		if (a->ifa_addr->sa_family == AF_INET && !have4) {
			*v4 = ((struct sockaddr_in *)a->ifa_addr)->sin_addr.s_addr;
			have4 = 1;
		} else if (a->ifa_addr->sa_family == AF_INET6 && !have6) {
			struct in6_addr *ip = &((struct sockaddr_in6 *)a->ifa_addr)->sin6_addr;

			if (IN6_IS_ADDR_LINKLOCAL(ip) || IN6_IS_ADDR_LOOPBACK(ip) ||
			    IN6_IS_ADDR_MULTICAST(ip))
				continue;
			memcpy(v6, ip, 16);
			have6 = 1;
		}
	}
	freeifaddrs(list);
}

static int write_config(struct hauler_xdp *skel, const struct up_opts *opts, int table, int ifindex)
{
	int fd = bpf_map__fd(skel->maps.config), cpus;
	struct config cfg = {};
	__u32 zero = 0;

	if (bpf_map_lookup_elem(fd, &zero, &cfg))
		return err_set(ERR_SYSTEM, "cannot read config: %s", strerror(errno));
	if (!cfg.schema_version) {
		/* First up: the defaults, and a secret flow hash seed of its own. */
		model_config_defaults(&cfg);
		device_addresses(opts->dev, &cfg.tunnel_src4, cfg.tunnel_src);
		if (getrandom(&cfg.flow_seed, sizeof(cfg.flow_seed), 0) != sizeof(cfg.flow_seed))
			return err_set(ERR_SYSTEM, "getrandom: %s", strerror(errno));
	}
	/* A re-up keeps the seed (kept in the pinned config): flows hash as before. */
	model_config_clock(&cfg);
	if (opts->have_tunnel4)
		cfg.tunnel_src4 = opts->tunnel4;
	if (opts->have_tunnel6)
		memcpy(cfg.tunnel_src, opts->tunnel6, sizeof(cfg.tunnel_src));
	if (cfg.ifindex && (cfg.ifindex != (__u32)ifindex || cfg.xdp_flags != opts->xdp_flags))
		bpf_xdp_detach(cfg.ifindex, cfg.xdp_flags, NULL); /* moved: leave the old one */
	cfg.ifindex = ifindex;
	cfg.xdp_flags = opts->xdp_flags;
	/* The table in use (size_tables refused a change over a running balancer). */
	cfg.ct_buckets = table == TABLE_COMPACT ? bpf_map__max_entries(skel->maps.ctable) : 0;
	/* The LRU's rate of new connections past which handshakes would be pushed out. */
	cpus = libbpf_num_possible_cpus();
	cfg.half_open_burst =
	    cfg.ct_buckets ? 0
			   : hauler_half_open_burst(bpf_map__max_entries(skel->maps.half_open),
						    cpus > 0 ? cpus : 1);
	/* How lc, wlc and a conns metric count: the exact sum or the aggregate. */
	if (opts->assigned_mode1)
		cfg.assigned_mode = opts->assigned_mode1 - 1;
	if (opts->assigned_cpus)
		cfg.assigned_cpus = opts->assigned_cpus;
	if (opts->assigned_interval_us)
		cfg.assigned_interval_us = opts->assigned_interval_us;
	cfg.assigned_us = assigned_us_for(cfg.assigned_mode, cfg.assigned_cpus,
					  cfg.assigned_interval_us, cpus > 0 ? cpus : 1);
	if (bpf_map_update_elem(fd, &zero, &cfg, BPF_ANY))
		return err_set(ERR_SYSTEM, "cannot write config: %s", strerror(errno));
	return 0;
}

/*
 * The tables' sizes: those asked for on a first up; over running pins,
 * the pinned ones (the tables and their connections are kept), and
 * asking for another size is an error rather than a silent no. *table:
 * the table in use (map_sizes_table: a re-up without --table keeps it).
 */
static int size_tables(struct bpf_object *obj, const char *pin, const struct up_opts *opts,
		       int *table)
{
	struct table_sizes have, w = opts->sizes, *want = &w;

	map_sizes_pinned(pin, &have);
	if (map_sizes_same_table(&have, opts->table))
		return -ERR_INPUT;
	*table = map_sizes_table(&have, opts->table);
	if (map_sizes_table_check(want, *table))
		return -ERR_INPUT;
	if (*table == TABLE_COMPACT)
		map_sizes_compact(want, have.ctable);
	if (map_sizes_compare(&have, want))
		return -ERR_INPUT;
	if (map_sizes_set(obj, want))
		return -ERR_SYSTEM;
	return map_sizes_match_pins(obj);
}

int loader_up(const char *pin, const struct up_opts *opts)
{
	LIBBPF_OPTS(bpf_object_open_opts, open_opts, .pin_root_path = pin);
	char path[PATH_MAX];
	struct hauler_xdp *skel;
	int ifindex, err, fd, table;

	ifindex = if_nametoindex(opts->dev);
	if (!ifindex)
		return err_set(ERR_INPUT, "no interface '%s'", opts->dev);
	err = kernel_check_running();
	if (!err)
		err = prepare_pin_dir(pin);
	if (!err)
		err = check_schema(pin);
	if (err)
		return err;
	skel = hauler_xdp__open_opts(&open_opts);
	if (!skel)
		return lib_err(-errno, "cannot open the XDP program");
	err = size_tables(skel->obj, pin, opts, &table);
	if (err) {
		hauler_xdp__destroy(skel);
		return err;
	}
	err = hauler_xdp__load(skel);
	if (err) {
		hauler_xdp__destroy(skel);
		return lib_err(err, "cannot load the XDP program (pins of another layout? "
				    "hauler down)");
	}
	snprintf(path, sizeof(path), "%s/hauler_xdp", pin);
	err = pin_program(skel->progs.hauler_xdp, path);
	if (!err) {
		load_policies(pin, skel);
		err = write_config(skel, opts, table, ifindex);
	}
	if (!err) {
		fd = bpf_program__fd(skel->progs.hauler_xdp);
		err = bpf_xdp_attach(ifindex, fd, opts->xdp_flags, NULL);
		if (err) {
			snprintf(path, sizeof(path), "cannot attach XDP to %s%s", opts->dev,
				 opts->xdp_flags & XDP_FLAGS_DRV_MODE ? " (try --mode generic)"
								      : "");
			err = lib_err(err, path);
		}
	}
	hauler_xdp__destroy(skel);
	return err;
}

/* Remove every file of dir, then dir. */
static int remove_dir(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d)
		return errno == ENOENT
			   ? 0
			   : err_set(ERR_SYSTEM, "cannot read %s: %s", dir, strerror(errno));
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (unlink(path) && errno == EISDIR)
			remove_dir(path);
	}
	closedir(d);
	/* EBUSY: dir is a bpffs mount point of its own (-p DIR); it is empty now. */
	if (rmdir(dir) && errno != EBUSY)
		return err_set(ERR_SYSTEM, "cannot remove %s: %s", dir, strerror(errno));
	return 0;
}

__u32 loader_attached_id(int ifindex, __u32 xdp_flags)
{
	__u32 id = 0;

	if (bpf_xdp_query_id(ifindex, xdp_flags & (XDP_FLAGS_DRV_MODE | XDP_FLAGS_SKB_MODE), &id))
		return 0;
	return id;
}

__u32 loader_pinned_id(const char *pin)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/hauler_xdp", pin);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return 0;
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		info.id = 0;
	close(fd);
	return info.id;
}

int loader_down(const char *pin)
{
	struct config cfg = {};
	char path[PATH_MAX];
	__u32 zero = 0, ours;
	int fd;

	if (access(pin, F_OK))
		return err_set(ERR_INPUT, "hauler is not up (no pins at %s)", pin);
	snprintf(path, sizeof(path), "%s/config", pin);
	fd = bpf_obj_get(path);
	if (fd >= 0) {
		bpf_map_lookup_elem(fd, &zero, &cfg);
		close(fd);
	}
	ours = loader_pinned_id(pin);
	/* Detach only our own program: another may have replaced it since. */
	if (cfg.ifindex && (!ours || loader_attached_id(cfg.ifindex, cfg.xdp_flags) == ours))
		bpf_xdp_detach(cfg.ifindex, cfg.xdp_flags, NULL);
	return remove_dir(pin);
}
