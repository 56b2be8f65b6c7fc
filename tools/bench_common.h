/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * bench_common.h - what the benchmark tools (tools/bench_*.c) share: the
 * balancer loaded from its skeleton onto a private bpffs (no manager
 * involved), its maps filled directly, frames built from scratch, the
 * helper programs of bench/ opened from their objects, and small timing,
 * statistics and JSON helpers.
 *
 * The network a tool runs in is tools/bench.sh's: one namespace holding a
 * veth pair, the balancer's end BENCH_LB_ADDR/24 with permanent neighbours
 * for the devices (BENCH_DEV_ADDR + n) and the gateway to the clients.
 */
#ifndef HAULER_BENCH_COMMON_H
#define HAULER_BENCH_COMMON_H

#include <arpa/inet.h>
#include <errno.h>
#include <glob.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "hauler_schema.h"
#include "hauler_keys.h"
#include "hauler_assigned.h"
#include "ctable/ct_table.h"
#include "json.h"
#include "error.h"
#include "map_write.h"
#include "map_sizes.h"
#include "model.h"
#include "bpf/hauler_xdp.skel.h"
#include "../bench/bench.h"

/* Addresses of tools/bench.sh's namespace (host order: a.b.c.d). */
#define BENCH_IP(a, b, c, d) (((__u32)(a) << 24) | ((b) << 16) | ((c) << 8) | (d))
#define BENCH_LB_ADDR	     BENCH_IP(10, 200, 0, 1)
#define BENCH_DEV_ADDR	     BENCH_IP(10, 200, 0, 20) /* device n: + n, n < 8 */
#define BENCH_CLIENT_ADDR    BENCH_IP(10, 77, 0, 0)   /* clients: 10.77.0.0/16 */
#define BENCH_VIP_ADDR	     BENCH_IP(10, 9, 9, 9)    /* VIP n: + n */
#define BENCH_VIP_PORT	     80
#define BENCH_DEV_PORT	     8080
#define BENCH_TABLE_SIZE     4093 /* Maglev table: HAULER_MAGLEV_DEFAULT */

/* Neighbours tools/bench.sh enters: the gateway, and device n 02:00:00:00:01:n. */
static const __u8 bench_gw_mac[6] = {0x02, 0, 0, 0, 0, 0xfe};

static inline void bench_dev_mac(int n, __u8 mac[6])
{
	const __u8 m[6] = {0x02, 0, 0, 0, 0x01, (__u8)n};

	memcpy(mac, m, 6);
}

static void bench_die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void bench_die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", program_invocation_short_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static inline __u64 bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static inline unsigned long bench_ulong(const char *what, const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end)
		bench_die("bad %s '%s'", what, s);
	return v;
}

/* The MAC address of interface name (from sysfs). */
static inline void bench_read_mac(const char *name, __u8 mac[6])
{
	char path[128];
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "/sys/class/net/%s/address", name);
	f = fopen(path, "r");
	if (!f)
		bench_die("cannot read %s: %s", path, strerror(errno));
	n = fscanf(f, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1], &mac[2], &mac[3], &mac[4],
		   &mac[5]);
	fclose(f);
	if (n != 6)
		bench_die("no MAC address in %s", path);
}

/* Run the calling thread on one CPU only. */
/* Pin the caller to cpu; BENCH_CPU=N pins every thread to CPU N instead (a quiet-CPU run). */
static inline void bench_pin_cpu(int cpu)
{
	const char *only = getenv("BENCH_CPU");
	cpu_set_t set;

	if (only && *only)
		cpu = atoi(only);
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		bench_die("cannot pin to CPU %d: %s", cpu, strerror(errno));
}

/* CPUs this process may run on (fewer than the machine's under tools/quiet.sh's cpusets). */
static inline int bench_cpus_usable(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	if (sched_getaffinity(0, sizeof(set), &set))
		return 1;
	return CPU_COUNT(&set);
}

static inline int bench_ifindex(const char *name)
{
	int ifindex = if_nametoindex(name);

	if (!ifindex)
		bench_die("no interface '%s'", name);
	return ifindex;
}

static inline int bench_cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

/* The p-th percentile (0..100) of n sorted values. */
static inline __u64 bench_percentile(const __u64 *sorted, size_t n, double p)
{
	size_t i;

	if (!n)
		return 0;
	i = (size_t)(p / 100.0 * (n - 1) + 0.5);
	return sorted[i < n ? i : n - 1];
}

/* ---- the balancer, loaded without the manager ---- */

static int bench_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (!getenv("BENCH_DEBUG"))
		return 0;
	(void)level;
	return vfprintf(stderr, fmt, ap);
}

/* libbpf's messages (verifier logs) only with BENCH_DEBUG set. */
static inline void bench_quiet_libbpf(void)
{
	libbpf_set_print(bench_libbpf_print);
}

struct bench_lb {
	struct hauler_xdp *skel;
	struct hauler_maps maps; /* written through the manager's user/map_write.h */
	const char *pin;
	const char *build;
	int entry_fd;
};

static inline int bench_map(const struct bench_lb *lb, const char *name)
{
	struct bpf_map *m = bpf_object__find_map_by_name(lb->skel->obj, name);

	if (!m)
		bench_die("the entry program has no map '%s'", name);
	return bpf_map__fd(m);
}

/* A map_write.h call that must not fail. */
static inline void bench_ok(int ret)
{
	if (ret)
		bench_die("%s", err_msg());
}

/* BENCH_ASSIGNED: auto (unset), exact or aggregate, as hauler up --assigned. */
static inline __u32 bench_assigned_mode(void)
{
	const char *s = getenv("BENCH_ASSIGNED");

	if (!s || !*s || !strcmp(s, "auto"))
		return HAULER_ASSIGNED_AUTO;
	if (!strcmp(s, "exact"))
		return HAULER_ASSIGNED_EXACT;
	if (!strcmp(s, "aggregate"))
		return HAULER_ASSIGNED_AGGREGATE;
	bench_die("BENCH_ASSIGNED: auto, exact or aggregate, not '%s'", s);
	return 0;
}

/*
 * Load the entry program with every map pinned under pin (a bpffs dir),
 * the connection tables sized as hauler up --conns/--half-open would.
 */
static inline void bench_lb_load_sized(struct bench_lb *lb, const char *pin, const char *build,
				       const struct table_sizes *sizes)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = pin);
	struct config cfg = {};

	bench_quiet_libbpf();
	lb->pin = pin;
	lb->build = build;
	lb->skel = hauler_xdp__open_opts(&opts);
	if (!lb->skel || map_sizes_set(lb->skel->obj, sizes) || hauler_xdp__load(lb->skel))
		bench_die("cannot load the entry program (pins under %s)", pin);
	lb->entry_fd = bpf_program__fd(lb->skel->progs.hauler_xdp);
	bench_ok(maps_of_object(&lb->maps, lb->skel->obj));
	/*
	 * The manager's defaults, with NAT VIPs, a tunnel source and a short FIN
	 * grace. half_open_burst stays 0 (no limit): every new flow measured goes
	 * through its policy, where hauler up's limit would send a flood past
	 * 1/30 of half_open a CPU per 100 ms by the hash choice. How lc and wlc
	 * count (config.assigned_us): as hauler up on this machine, or
	 * BENCH_ASSIGNED=exact|aggregate (the sum over CPUs or the aggregate).
	 */
	model_config_defaults(&cfg);
	cfg.assigned_mode = bench_assigned_mode();
	cfg.assigned_us = assigned_us_for(cfg.assigned_mode, cfg.assigned_cpus,
					  cfg.assigned_interval_us, libbpf_num_possible_cpus());
	cfg.nat_vips = 1;
	cfg.tunnel_src4 = htonl(BENCH_LB_ADDR);
	cfg.fin_grace_ms = 2000;
	bench_ok(mapw_config(&lb->maps, &cfg));
}

/*
 * The per-packet and rate benchmarks: half_open as large as conns, so a
 * new-flow run (at most 40 % of it) measures inserts, not LRU eviction,
 * as the figures were taken before there was a half-open table.
 */
static inline void bench_lb_load(struct bench_lb *lb, const char *pin, const char *build)
{
	const struct table_sizes sizes = {.half_open = HAULER_MAX_CONNS};

	bench_lb_load_sized(lb, pin, build, &sizes);
}

/* Unpin every map (the bpffs itself is tools/bench.sh's to remove). */
static inline void bench_lb_unload(struct bench_lb *lb)
{
	bpf_object__unpin_maps(lb->skel->obj, NULL);
	hauler_xdp__destroy(lb->skel);
}

/* An object file, its maps pinned (shared) under pin; NULL when it fails. */
static inline struct bpf_object *bench_obj_try_load(const char *path, const char *pin)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = pin);
	struct bpf_object *obj = bpf_object__open_file(path, pin ? &opts : NULL);

	if (!obj || libbpf_get_error(obj))
		return NULL;
	if ((pin && map_sizes_match_pins(obj)) || bpf_object__load(obj)) {
		bpf_object__close(obj);
		return NULL;
	}
	return obj;
}

static inline struct bpf_object *bench_obj_load(const char *path, const char *pin)
{
	struct bpf_object *obj = bench_obj_try_load(path, pin);

	if (!obj)
		bench_die("cannot load %s (BENCH_DEBUG=1 shows why)", path);
	return obj;
}

static inline int bench_prog_fd(struct bpf_object *obj, const char *name)
{
	struct bpf_program *p = bpf_object__find_program_by_name(obj, name);

	if (!p)
		bench_die("no program '%s'", name);
	return bpf_program__fd(p);
}

static inline int bench_obj_map(struct bpf_object *obj, const char *name)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, name);

	if (!m)
		bench_die("no map '%s'", name);
	return bpf_map__fd(m);
}

/* A policy: BUILD/policies/NAME.bpf.o sharing the balancer's maps. */
struct bench_policy {
	char name[64];
	struct bpf_object *obj;
	int fd;
};

/* Returns 0, or -1 when the object does not load (p->fd is then -1). */
static inline int bench_policy_load(const struct bench_lb *lb, const char *name,
				    struct bench_policy *p)
{
	char path[512], prog[80];

	snprintf(path, sizeof(path), "%s/policies/%s.bpf.o", lb->build, name);
	snprintf(prog, sizeof(prog), "policy_%s", name);
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->fd = -1;
	p->obj = bench_obj_try_load(path, lb->pin);
	if (!p->obj)
		return -1;
	p->fd = bench_prog_fd(p->obj, prog);
	return 0;
}

/*
 * Every policy the build has; returns how many (at most max). One that
 * does not load is kept with fd -1 (reported, not measured).
 */
static inline int bench_policy_load_all(const struct bench_lb *lb, struct bench_policy *p, int max)
{
	char pattern[512];
	glob_t g;
	int n = 0;
	size_t i;

	snprintf(pattern, sizeof(pattern), "%s/policies/*.bpf.o", lb->build);
	if (glob(pattern, 0, NULL, &g))
		bench_die("no policies under %s/policies", lb->build);
	for (i = 0; i < g.gl_pathc && n < max; i++) {
		char *base = strrchr(g.gl_pathv[i], '/') + 1;
		char name[64];

		snprintf(name, sizeof(name), "%.*s", (int)(strlen(base) - strlen(".bpf.o")), base);
		if (bench_policy_load(lb, name, &p[n++]))
			fprintf(stderr, "%s: policy %s does not load (BENCH_DEBUG=1 shows why)\n",
				program_invocation_short_name, name);
	}
	globfree(&g);
	return n;
}

/* Most policies a benchmark runs. */
#define BENCH_MAX_POLICIES 32

/*
 * The policies a benchmark runs (bench_pkt, bench_rate): those of list
 * ("a,b,...", cut up in place), or with list NULL every one built.
 * Returns how many; one that does not load is kept with fd -1 (reported,
 * not measured).
 */
static inline int bench_policies_load(const struct bench_lb *lb, char *list, struct bench_policy *p,
				      int max)
{
	char *tok;
	int n = 0;

	if (!list)
		return bench_policy_load_all(lb, p, max);
	for (tok = strtok(list, ","); tok && n < max; tok = strtok(NULL, ","))
		if (bench_policy_load(lb, tok, &p[n++]))
			fprintf(stderr, "%s: policy %s does not load\n",
				program_invocation_short_name, tok);
	return n;
}

static inline __u64 bench_stat(const struct bench_lb *lb, __u32 idx);

/* A policy case's check: every packet since policy_fallback read fb0 met its policy. */
static inline void bench_policy_ran(const struct bench_lb *lb, __u64 fb0, const char *what)
{
	if (bench_stat(lb, HAULER_STAT_policy_fallback) != fb0)
		bench_die("%s: the policy was not run (policy_fallback moved)", what);
}

static inline void bench_set_policy(const struct bench_lb *lb, __u32 slot, int prog_fd)
{
	bench_ok(mapw_policy(&lb->maps, slot, prog_fd));
}

/*
 * VIP vip_id at BENCH_VIP_ADDR + vip_id : BENCH_VIP_PORT / TCP, in mode,
 * policy slot vip_id; its pool is server vip_id alone, with ndev devices
 * (ids and addresses first_dev ..), all up, weight 1, a ring of them all.
 */
static inline void bench_add_vip(const struct bench_lb *lb, __u16 vip_id, __u8 mode,
				 __u16 first_dev, int ndev)
{
	struct vip_key vk = {.family = 4, .proto = IPPROTO_TCP};
	struct vip_info vi = {.vip_id = vip_id,
			      .fwd_mode = mode,
			      .policy_slot = vip_id,
			      .table_size = BENCH_TABLE_SIZE};
	struct server_info srv = {.vip_id = vip_id, .weight = 1, .in_use = 1};
	struct policy_params params = {.stale_ms = HAULER_STALE_MS_DEFAULT};
	struct ring ring = {.len = ndev};
	struct pool *pool;
	int i;

	vk.addr[0] = htonl(BENCH_VIP_ADDR + vip_id);
	vk.port = htons(BENCH_VIP_PORT);
	bench_ok(mapw_vip(&lb->maps, &vk, &vi, 1));

	pool = calloc(1, sizeof(*pool));
	if (!pool)
		bench_die("out of memory");
	for (i = 0; i < HAULER_MAGLEV_MAX; i++)
		pool->server[i] = i < BENCH_TABLE_SIZE ? vip_id : HAULER_NO_SERVER;
	bench_ok(mapw_pool(&lb->maps, vip_id, 0, pool));
	free(pool);

	for (i = 0; i < ndev; i++) {
		struct device_info dev = {.family = 4,
					  .state = HAULER_STATE_UP,
					  .index = i,
					  .server = vip_id,
					  .weight = 1,
					  .in_use = 1};

		dev.addr[0] = htonl(BENCH_DEV_ADDR + first_dev + i);
		dev.port = htons(BENCH_DEV_PORT);
		snprintf((char *)dev.name, sizeof(dev.name), "dev%d", first_dev + i);
		hauler_device_vip_set(&dev, &vk, vip_id, mode); /* as the manager's commit */
		bench_ok(mapw_device(&lb->maps, first_dev + i, &dev));
		srv.dev[i] = first_dev + i;
		ring.slot[i] = i;
	}
	srv.dev_count = ndev;
	snprintf((char *)srv.name, sizeof(srv.name), "srv%u", vip_id);
	bench_ok(mapw_server(&lb->maps, vip_id, &srv));
	bench_ok(mapw_ring(&lb->maps, vip_id, 0, &ring));
	snprintf((char *)params.name, sizeof(params.name), "hash");
	bench_ok(mapw_params(&lb->maps, vip_id, &params));
}

/* A counter of the stats map, summed over CPUs. */
/* A per-CPU counter of the sink (bench/sink.bpf.c: map fd, entry key), summed over CPUs. */
static inline __u64 bench_sink_sum(int fd, __u32 key)
{
	int ncpu = libbpf_num_possible_cpus(), i;
	__u64 v[ncpu > 0 ? ncpu : 1], sum = 0;

	if (ncpu <= 0 || bpf_map_lookup_elem(fd, &key, v))
		bench_die("read the sink's counter");
	for (i = 0; i < ncpu; i++)
		sum += v[i];
	return sum;
}

static inline __u64 bench_stat(const struct bench_lb *lb, __u32 idx)
{
	int ncpu = libbpf_num_possible_cpus(), i;
	struct counter c[ncpu > 0 ? ncpu : 1];
	__u64 sum = 0;

	if (ncpu <= 0 || bpf_map_lookup_elem(bench_map(lb, "stats"), &idx, c))
		bench_die("read stats[%u]", idx);
	for (i = 0; i < ncpu; i++)
		sum += c[i].packets;
	return sum;
}

/*
 * Empty one table; returns how many entries it held. In batches of
 * BENCH_CLEAR_BATCH (BPF_MAP_LOOKUP_AND_DELETE_BATCH), not one get-next
 * and one delete an entry: a new-flow run leaves up to 850,000 entries,
 * and every new-flow case clears twice.
 */
#define BENCH_CLEAR_BATCH 8192
static inline long bench_table_clear(const struct bench_lb *lb, const char *name)
{
	static struct flow_key keys[BENCH_CLEAR_BATCH];
	static struct conn vals[BENCH_CLEAR_BATCH];
	int fd = bench_map(lb, name);
	__u32 in = 0, out = 0, count;
	int err, first = 1;
	long n = 0;

	do {
		LIBBPF_OPTS(bpf_map_batch_opts, opts);

		/* The token is a bucket index: the next batch goes on after out. */
		count = BENCH_CLEAR_BATCH;
		err = bpf_map_lookup_and_delete_batch(fd, first ? NULL : &in, &out, keys, vals,
						      &count, &opts);
		if (err && errno != ENOENT)
			bench_die("clear %s: %s", name, strerror(errno));
		n += count;
		in = out;
		first = 0;
	} while (!err);
	return n;
}

/* Empty both connection tables (conns, half_open); returns how many entries they held. */
static inline long bench_conns_clear(const struct bench_lb *lb)
{
	return bench_table_clear(lb, "conns") + bench_table_clear(lb, "half_open");
}

/* Entries of the established table (conns). */
static inline long bench_conns_count(const struct bench_lb *lb)
{
	int fd = bench_map(lb, "conns");
	struct flow_key key, next;
	long n = 0;
	void *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		n++;
	}
	return n;
}

/* ---- the compact table (ctable, hauler up --table compact) ---- */

/* The datapath's config, read and written back. */
static inline struct config bench_config(const struct bench_lb *lb)
{
	struct config c;
	__u32 zero = 0;

	if (bpf_map_lookup_elem(bench_map(lb, "config"), &zero, &c))
		bench_die("read config");
	return c;
}

/* Use the compact table (its whole map) or the LRU tables. */
static inline void bench_ct_use(const struct bench_lb *lb, int on)
{
	struct config c = bench_config(lb);

	c.ct_buckets =
	    on ? bpf_map__max_entries(bpf_object__find_map_by_name(lb->skel->obj, "ctable")) : 0;
	bench_ok(mapw_config(&lb->maps, &c));
}

/*
 * Visit ctable in batches of BENCH_CT_BATCH buckets: with zero, write
 * empty buckets; else count the slots in use (established: only those
 * without the half-open flag); with confirm, also clear the half-open
 * flag of each (its time kept) and write the buckets back. Returns the
 * count.
 */
#define BENCH_CT_BATCH 16384
static inline long bench_ct_visit(const struct bench_lb *lb, int zero, int established, int confirm)
{
	static struct ct_bucket buf[BENCH_CT_BATCH];
	static __u32 keys[BENCH_CT_BATCH];
	int fd = bench_map(lb, "ctable");
	__u32 n = bpf_map__max_entries(bpf_object__find_map_by_name(lb->skel->obj, "ctable"));
	__u32 i, k, count, in = 0, out = 0;
	long used = 0;
	__u64 v;
	int s;

	if (zero)
		memset(buf, 0, sizeof(buf));
	for (i = 0; i < n; i += count) {
		LIBBPF_OPTS(bpf_map_batch_opts, opts, .elem_flags = BPF_ANY);

		count = n - i < BENCH_CT_BATCH ? n - i : BENCH_CT_BATCH;
		for (k = 0; k < count; k++)
			keys[k] = i + k;
		if (zero) {
			if (bpf_map_update_batch(fd, keys, buf, &count, &opts))
				bench_die("clear ctable: %s", strerror(errno));
			continue;
		}
		/* The batch token is the last key read: the next batch goes on after it. */
		if (bpf_map_lookup_batch(fd, i ? &in : NULL, &out, keys, buf, &count, &opts) &&
		    errno != ENOENT)
			bench_die("read ctable: %s", strerror(errno));
		in = out;
		for (k = 0; k < count; k++)
			for (s = 0; s < HAULER_CT_SLOTS; s++) {
				v = buf[k].slot[s];
				if (!ct_slot_used(v) ||
				    (established && (ct_slot_flags(v) & CT_F_HALF)))
					continue;
				used++;
				if (confirm)
					buf[k].slot[s] = ct_slot_with(
					    v, ct_slot_flags(v) & ~CT_F_HALF, ct_slot_tick(v));
			}
		if (confirm && count && bpf_map_update_batch(fd, keys, buf, &count, &opts))
			bench_die("confirm ctable: %s", strerror(errno));
		if (!count)
			break;
	}
	return used;
}

static inline long bench_ct_walk(const struct bench_lb *lb, int zero, int established)
{
	return bench_ct_visit(lb, zero, established, 0);
}

/*
 * Confirm every half-open slot of ctable from user space, as a nat
 * device's data would (docs/datapath.md, "The compact table": a client's
 * ACK confirms no nat flow there).
 */
static inline void bench_ct_confirm(const struct bench_lb *lb)
{
	bench_ct_visit(lb, 0, 0, 1);
}

/* ---- frames ---- */

static inline __u32 bench_sum(const void *data, size_t len, __u32 sum)
{
	const __u8 *p = data;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (p[i] << 8) | p[i + 1];
	if (len & 1)
		sum += p[len - 1] << 8;
	return sum;
}

static inline __u16 bench_fold(__u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

/*
 * An Ethernet + IPv4 + TCP frame of exactly len bytes (>= 54; the rest is
 * payload), with correct checksums. Addresses host order, ports host order.
 */
static inline size_t bench_frame4(__u8 *buf, size_t len, const __u8 dmac[6], const __u8 smac[6],
				  __u32 src, __u32 dst, __u16 sport, __u16 dport, __u8 tcp_flags)
{
	__u8 *ip = buf + 14, *tcp = buf + 34;
	size_t l4len = len - 34;
	__u8 ph[12];
	__u32 sum;

	memset(buf, 0, len);
	memcpy(buf, dmac, 6);
	memcpy(buf + 6, smac, 6);
	buf[12] = 0x08;
	ip[0] = 0x45;
	ip[2] = (len - 14) >> 8;
	ip[3] = (len - 14) & 0xff;
	ip[6] = 0x40; /* DF */
	ip[8] = 64;
	ip[9] = IPPROTO_TCP;
	*(__u32 *)(ip + 12) = htonl(src);
	*(__u32 *)(ip + 16) = htonl(dst);
	*(__u16 *)(ip + 10) = htons(bench_fold(bench_sum(ip, 20, 0)));
	*(__u16 *)tcp = htons(sport);
	*(__u16 *)(tcp + 2) = htons(dport);
	*(__u32 *)(tcp + 4) = htonl(1);
	*(__u32 *)(tcp + 8) = htonl(1);
	tcp[12] = 5 << 4;
	tcp[13] = tcp_flags;
	*(__u16 *)(tcp + 14) = htons(65535);
	memcpy(ph, ip + 12, 8);
	ph[8] = 0;
	ph[9] = IPPROTO_TCP;
	ph[10] = l4len >> 8;
	ph[11] = l4len & 0xff;
	sum = bench_sum(ph, 12, 0);
	*(__u16 *)(tcp + 16) = htons(bench_fold(bench_sum(tcp, l4len, sum)));
	return len;
}

/* ---- JSON: each tool writes one object to --json FILE (user/json.c) ---- */

struct bench_json {
	FILE *f; /* NULL: no --json, every call does nothing */
	struct json j;
};

static inline void bench_json_open(struct bench_json *j, const char *path)
{
	j->f = path ? fopen(path, "w") : NULL;
	if (path && !j->f)
		bench_die("cannot write %s: %s", path, strerror(errno));
	if (!j->f)
		return;
	json_init(&j->j, j->f);
	json_object_begin(&j->j, NULL);
}

static inline void bench_json_num(struct bench_json *j, const char *key, double v)
{
	if (j->f)
		json_double(&j->j, key, v);
}

static inline void bench_json_str(struct bench_json *j, const char *key, const char *v)
{
	if (j->f)
		json_string(&j->j, key, v);
}

/* Open a nested object ("key":{ ...); close it with bench_json_end. */
static inline void bench_json_obj(struct bench_json *j, const char *key)
{
	if (j->f)
		json_object_begin(&j->j, key);
}

static inline void bench_json_end(struct bench_json *j)
{
	if (j->f)
		json_object_end(&j->j);
}

static inline void bench_json_close(struct bench_json *j)
{
	if (!j->f)
		return;
	json_object_end(&j->j);
	json_finish(&j->j);
	fclose(j->f);
	j->f = NULL;
}

/*
 * Write n made-up flows into a conns map (fd): client 10.77.(i>>14)...
 * port 1024 + (i & 0x3fff), to BENCH_VIP_ADDR:BENCH_VIP_PORT, device i % 4.
 */
/* The i-th flow a table is filled with: client 10.77.x.y:port to the VIP. */
static inline void bench_fill_key(struct flow_key *k, unsigned long i)
{
	memset(k, 0, sizeof(*k));
	k->family = 4;
	k->proto = IPPROTO_TCP;
	k->src[0] = htonl(BENCH_CLIENT_ADDR + (__u32)(i >> 14));
	k->dst[0] = htonl(BENCH_VIP_ADDR);
	k->sport = htons(1024 + (i & 0x3fff));
	k->dport = htons(BENCH_VIP_PORT);
}

static inline void bench_conns_fill(int fd, unsigned long n)
{
	enum { BATCH = 8192 };
	static struct flow_key keys[BATCH];
	static struct conn vals[BATCH];
	unsigned long i = 0;

	while (i < n) {
		__u32 count = 0;
		LIBBPF_OPTS(bpf_map_batch_opts, opts, .elem_flags = BPF_ANY);

		for (; count < BATCH && i < n; count++, i++) {
			bench_fill_key(&keys[count], i);
			vals[count].device = i % 4;
		}
		if (bpf_map_update_batch(fd, keys, vals, &count, &opts))
			bench_die("fill conns: %s", strerror(errno));
	}
}

#endif
