// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * harness.c - namespaces, veth, bpffs and skeletons for the datapath
 * tests, and direct access to the maps (this layer tests the BPF code,
 * not the manager).
 */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/mount.h>
#include <cmocka.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "bpf/hauler_xdp.skel.h"
#include "policies/wrr.skel.h"
#include "policies/hash.skel.h"
#include "harness.h"
#include "map_write.h"
#include "hauler_keys.h"
#include "hauler_report_store.h"
#include "map_sizes.h"

const __u8 dp_lb_mac[6] = {0x02, 0, 0, 0, 0, 0x01};
const __u8 dp_gw_mac[6] = {0x02, 0, 0, 0, 0, 0xfe};
int dp_ifindex;

static struct hauler_xdp *entry_skel;
static struct policy_wrr *wrr_skel;
static struct policy_hash *hash_skel;
/* The entry program's maps, for the manager's writer (user/map_write.h). */
static struct hauler_maps maps;
static char bpffs_dir[64];
static char veth_a[IFNAMSIZ], veth_b[IFNAMSIZ], veth_c[IFNAMSIZ], veth_d[IFNAMSIZ];
const __u8 dp_lb2_mac[6] = {0x02, 0, 0, 0, 0, 0x03};
const __u8 dp_remote_dev_mac[6] = {0x02, 0, 0, 0, 0x03, 0x20};
int dp_ifindex2;
static int ncpus;
__u32 dp_conns_max;
__u32 dp_vips, dp_servers, dp_devices;

static struct dp_addr addr4(__u8 a, __u8 b, __u8 c, __u8 d)
{
	struct dp_addr r = {};

	r.a[0] = htonl((__u32)a << 24 | (__u32)b << 16 | (__u32)c << 8 | d);
	return r;
}

/* fdXX:N::LAST */
static struct dp_addr addr6(__u16 top, __u16 net, __u16 last)
{
	struct dp_addr r = {};
	__u8 *p = (__u8 *)r.a;

	p[0] = top >> 8;
	p[1] = top & 0xff;
	p[2] = net >> 8;
	p[3] = net & 0xff;
	p[14] = last >> 8;
	p[15] = last & 0xff;
	return r;
}

struct dp_addr dp_lb_addr(int family)
{
	return family == 4 ? addr4(10, 1, 1, 1) : addr6(0xfd00, 1, 1);
}

struct dp_addr dp_vip_addr(int family)
{
	return family == 4 ? addr4(10, 9, 9, 9) : addr6(0xfd00, 9, 9);
}

struct dp_addr dp_client_addr(int family, int n)
{
	return family == 4 ? addr4(10, 2, 2, 2 + n) : addr6(0xfd00, 2, 2 + n);
}

struct dp_addr dp_dev_addr(int family, int n)
{
	return family == 4 ? addr4(10, 1, 1, 20 + n) : addr6(0xfd00, 1, 0x20 + n);
}

void dp_dev_mac(int n, __u8 mac[6])
{
	static const __u8 base[6] = {0x02, 0, 0, 0, 0, 0x14};

	memcpy(mac, base, 6);
	mac[5] += n;
}

struct dp_addr dp_remote_dev_addr(int family)
{
	return family == 4 ? addr4(10, 3, 3, 20) : addr6(0xfd00, 3, 0x20);
}

struct dp_addr dp_unresolved_addr(int family)
{
	return family == 4 ? addr4(10, 1, 1, 99) : addr6(0xfd00, 1, 0x99);
}

struct dp_addr dp_unroutable_addr(int family)
{
	return family == 4 ? addr4(192, 0, 2, 1) : addr6(0x2001, 0xdb8, 1);
}

/* Run a shell command (inside our namespaces); 0 when it exits 0. */
static int sh(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = system(cmd);
	if (rc) {
		fprintf(stderr, "harness: '%s' failed (%d)\n", cmd, rc);
		return -1;
	}
	return 0;
}

int dp_sh(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return sh("%s", cmd);
}

/* Unpin what the tests pinned and unmount the bpffs (exit does the rest). */
static void remove_bpffs(void)
{
	DIR *d;
	struct dirent *e;

	if (!bpffs_dir[0])
		return;
	d = opendir(bpffs_dir);
	if (d) {
		while ((e = readdir(d)))
			if (e->d_name[0] != '.')
				unlinkat(dirfd(d), e->d_name, 0);
		closedir(d);
	}
	umount2(bpffs_dir, MNT_DETACH);
	bpffs_dir[0] = 0;
}

/*
 * A private network namespace (the veths die with it) and a private mount
 * namespace with its own tmpfs on /tmp holding the bpffs: nothing the
 * tests create is visible to the host, and nothing is left behind however
 * the process ends.
 */
static int make_namespaces(void)
{
	if (geteuid() != 0) {
		fprintf(stderr, "harness: datapath tests need root\n");
		return -1;
	}
	if (unshare(CLONE_NEWNET | CLONE_NEWNS)) {
		perror("harness: unshare");
		return -1;
	}
	/* Nothing mounted here may reach the host's mount table. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) {
		perror("harness: make mounts private");
		return -1;
	}
	if (mount("hlr-tmp", "/tmp", "tmpfs", 0, "mode=0700,size=1m")) {
		perror("harness: mount a private /tmp");
		return -1;
	}
	strcpy(bpffs_dir, "/tmp/hlr-bpffs-XXXXXX");
	if (!mkdtemp(bpffs_dir)) {
		perror("harness: mkdtemp");
		bpffs_dir[0] = 0;
		return -1;
	}
	if (mount("bpf", bpffs_dir, "bpf", 0, "mode=0700")) {
		perror("harness: mount bpffs");
		bpffs_dir[0] = 0;
		return -1;
	}
	atexit(remove_bpffs);
	return 0;
}

static int make_topology(void)
{
	const char *a = veth_a;
	int n;

	snprintf(veth_a, sizeof(veth_a), "hlr%da", (int)getpid() % 10000000);
	snprintf(veth_b, sizeof(veth_b), "hlr%db", (int)getpid() % 10000000);
	if (sh("ip link set lo up") ||
	    sh("ip link add %s address 02:00:00:00:00:01 type veth peer name %s "
	       "address 02:00:00:00:00:02",
	       a, veth_b) ||
	    sh("ip addr add 10.1.1.1/24 dev %s", a) ||
	    sh("ip -6 addr add fd00:1::1/64 dev %s nodad", a) || sh("ip link set %s up", a) ||
	    sh("ip link set %s up", veth_b))
		return -1;
	for (n = 0; n < DP_NDEVS; n++)
		if (sh("ip neigh add 10.1.1.%d lladdr 02:00:00:00:00:%02x dev %s nud permanent",
		       20 + n, 0x14 + n, a) ||
		    sh("ip -6 neigh add fd00:1::%x lladdr 02:00:00:00:00:%02x dev %s nud permanent",
		       0x20 + n, 0x14 + n, a))
			return -1;
	if (sh("ip neigh add 10.1.1.254 lladdr 02:00:00:00:00:fe dev %s nud permanent", a) ||
	    sh("ip -6 neigh add fd00:1::fe lladdr 02:00:00:00:00:fe dev %s nud permanent", a) ||
	    sh("ip route add 10.2.0.0/16 via 10.1.1.254 dev %s", a) ||
	    sh("ip -6 route add fd00:2::/64 via fd00:1::fe dev %s", a) ||
	    /* bpf_fib_lookup answers only where forwarding is on. */
	    sh("sysctl -q -w net.ipv4.conf.all.forwarding=1 net.ipv6.conf.all.forwarding=1"))
		return -1;
	/* A second interface, for devices the balancer reaches by redirect. */
	snprintf(veth_c, sizeof(veth_c), "hlr%dc", (int)getpid() % 10000000);
	snprintf(veth_d, sizeof(veth_d), "hlr%dd", (int)getpid() % 10000000);
	if (sh("ip link add %s address 02:00:00:00:00:03 type veth peer name %s "
	       "address 02:00:00:00:00:04",
	       veth_c, veth_d) ||
	    sh("ip addr add 10.3.3.1/24 dev %s", veth_c) ||
	    sh("ip -6 addr add fd00:3::1/64 dev %s nodad", veth_c) ||
	    sh("ip link set %s up", veth_c) || sh("ip link set %s up", veth_d) ||
	    sh("ip neigh add 10.3.3.20 lladdr 02:00:00:00:03:20 dev %s nud permanent", veth_c) ||
	    sh("ip -6 neigh add fd00:3::20 lladdr 02:00:00:00:03:20 dev %s nud permanent", veth_c))
		return -1;
	dp_ifindex = if_nametoindex(a);
	dp_ifindex2 = if_nametoindex(veth_c);
	return dp_ifindex && dp_ifindex2 ? 0 : -1;
}

static int load_programs(void)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = bpffs_dir);
	const struct table_sizes sizes = {.conns = dp_conns_max,
					  .half_open = DP_HALF_OPEN_MAX,
					  .ctable = DP_CT_BUCKETS,
					  .vips = dp_vips,
					  .servers = dp_servers,
					  .devices = dp_devices};

	entry_skel = hauler_xdp__open_opts(&opts);
	/*
	 * Sized as hauler up does: a small half-open table (floods cycle it
	 * fast), conns as the test asks (dp_conns_max; 0: the default). The
	 * policies take the pinned sizes.
	 */
	if (!entry_skel || map_sizes_set(entry_skel->obj, &sizes) || hauler_xdp__load(entry_skel)) {
		fprintf(stderr, "harness: cannot load hauler_xdp\n");
		return -1;
	}
	if (maps_of_object(&maps, entry_skel->obj)) {
		fprintf(stderr, "harness: the entry program lacks a map of the schema\n");
		return -1;
	}
	/* The policies find the entry program's maps pinned by name. */
	wrr_skel = policy_wrr__open_opts(&opts);
	if (!wrr_skel || map_sizes_match_pins(wrr_skel->obj) || policy_wrr__load(wrr_skel)) {
		fprintf(stderr, "harness: cannot load policy wrr\n");
		return -1;
	}
	hash_skel = policy_hash__open_opts(&opts);
	if (!hash_skel || map_sizes_match_pins(hash_skel->obj) || policy_hash__load(hash_skel)) {
		fprintf(stderr, "harness: cannot load policy hash\n");
		return -1;
	}
	return 0;
}

/* The CPUs the binary was started on (taskset): where dp_unpin_cpu lets it run again. */
static cpu_set_t allowed_cpus;

int dp_setup_namespaces(void **state)
{
	(void)state;
	setvbuf(stdout, NULL, _IOLBF, 0);
	ncpus = libbpf_num_possible_cpus();
	if (ncpus <= 0 || sched_getaffinity(0, sizeof(allowed_cpus), &allowed_cpus) ||
	    make_namespaces()) {
		dp_teardown(NULL);
		return -1;
	}
	return 0;
}

int dp_setup(void **state)
{
	if (dp_setup_namespaces(state))
		return -1;
	if (make_topology() || load_programs()) {
		dp_teardown(NULL);
		return -1;
	}
	return 0;
}

int dp_teardown(void **state)
{
	(void)state;
	policy_hash__destroy(hash_skel);
	policy_wrr__destroy(wrr_skel);
	hauler_xdp__destroy(entry_skel);
	hash_skel = NULL;
	wrr_skel = NULL;
	entry_skel = NULL;
	remove_bpffs();
	/* The veth pair goes with the network namespace when we exit. */
	return 0;
}

const char *dp_pin_dir(void)
{
	return bpffs_dir;
}

int dp_entry_fd(void)
{
	return bpf_program__fd(entry_skel->progs.hauler_xdp);
}

int dp_ct_fd(void)
{
	return bpf_program__fd(entry_skel->progs.hauler_ct);
}

const struct btf *dp_entry_btf(void)
{
	return bpf_object__btf(entry_skel->obj);
}

int dp_wrr_fd(void)
{
	return bpf_program__fd(wrr_skel->progs.policy_wrr);
}

int dp_hash_fd(void)
{
	return bpf_program__fd(hash_skel->progs.policy_hash);
}

const struct hauler_maps *dp_maps(void)
{
	return &maps;
}

int dp_map(const char *name)
{
	struct bpf_map *m = bpf_object__find_map_by_name(entry_skel->obj, name);

	assert_non_null(m);
	return bpf_map__fd(m);
}

__u32 dp_map_size(const char *name)
{
	struct bpf_map *m = bpf_object__find_map_by_name(entry_skel->obj, name);

	assert_non_null(m);
	return bpf_map__max_entries(m);
}

/*
 * Zero entries 0..n-1 of an array map (those it has: sized at load,
 * dp_vips...), in one batch call: the stats map has 17k per-CPU entries,
 * and one update each takes long enough for a test's fresh reports to
 * go stale.
 */
static void zero_array(const char *name, __u32 n, size_t value_size)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	int fd = dp_map(name);
	void *zero;
	__u32 *keys, k, count;

	if (n > dp_map_size(name))
		n = dp_map_size(name);
	zero = calloc(n, value_size);
	keys = calloc(n, sizeof(*keys));
	assert_non_null(zero);
	assert_non_null(keys);
	for (k = 0; k < n; k++)
		keys[k] = k;
	count = n;
	if (bpf_map_update_batch(fd, keys, zero, &count, &opts))
		for (k = 0; k < n; k++)
			assert_int_equal(bpf_map_update_elem(fd, &k, zero, BPF_ANY), 0);
	free(keys);
	free(zero);
}

static void clear_hash(const char *name, size_t key_size)
{
	int fd = dp_map(name);
	char key[64], next[64];
	int more;

	/*
	 * Walk once, deleting the key behind us: restarting from NULL after
	 * every delete rescans the million-bucket table each time.
	 */
	assert_true(key_size <= sizeof(key));
	more = !bpf_map_get_next_key(fd, NULL, key);
	while (more) {
		more = !bpf_map_get_next_key(fd, key, next);
		assert_int_equal(bpf_map_delete_elem(fd, key), 0);
		memcpy(key, next, key_size);
	}
}

void dp_conn_clear(void)
{
	clear_hash("conns", sizeof(struct flow_key));
	clear_hash("half_open", sizeof(struct flow_key));
}

void dp_stats_zero(void)
{
	zero_array("stats", HAULER_STAT_SLOTS, ncpus * sizeof(struct counter));
}

/* A per-CPU value of ring_pos, as the kernel copies it: 8 bytes a CPU. */
struct dp_ring_pos {
	struct ring_pos p;
	__u32 pad;
};

/* struct rate_window (bpf/ratelimit.h): start_ns, sent, pad. */
struct dp_rate_window {
	__u64 start_ns;
	__u32 sent, pad;
};

/* Every CPU's window of the limit map: start (absolute, coarse monotonic ns) and sent. */
static void set_windows_of(const char *map, __u64 start, __u32 sent)
{
	int n = libbpf_num_possible_cpus(), i;
	struct dp_rate_window *w;
	__u32 zero = 0;

	assert_true(n > 0);
	w = calloc(n, sizeof(*w));
	assert_non_null(w);
	for (i = 0; i < n; i++) {
		w[i].start_ns = start;
		w[i].sent = sent;
	}
	assert_int_equal(bpf_map_update_elem(dp_map(map), &zero, w, BPF_ANY), 0);
	free(w);
}

static void set_windows(__u64 start, __u32 sent)
{
	set_windows_of("confirm_rate", start, sent);
}

/* Coarse monotonic now + offset_ns. */
static __u64 coarse_in(__s64 offset_ns)
{
	struct timespec ts;

	assert_int_equal(clock_gettime(CLOCK_MONOTONIC_COARSE, &ts), 0);
	return (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec + offset_ns;
}

void dp_confirm_window(__s64 start_ns, __u32 sent)
{
	set_windows(coarse_in(start_ns), sent);
}

void dp_new_window(__s64 start_ns, __u32 sent)
{
	set_windows_of("new_rate", coarse_in(start_ns), sent);
}

void dp_set_crowded_until(__s64 offset_ns)
{
	__u64 until = offset_ns ? coarse_in(offset_ns) : 0;
	__u32 zero = 0;

	assert_int_equal(bpf_map_update_elem(dp_map("crowded_until"), &zero, &until, BPF_ANY), 0);
}

__s64 dp_crowded_until(void)
{
	__u64 until;
	__u32 zero = 0;

	assert_int_equal(bpf_map_lookup_elem(dp_map("crowded_until"), &zero, &until), 0);
	return until ? (__s64)(until - coarse_in(0)) : 0;
}

__u32 dp_confirm_sent(int cpu)
{
	int n = libbpf_num_possible_cpus();
	struct dp_rate_window *w;
	__u32 zero = 0, sent;

	assert_true(n > 0 && cpu >= 0 && cpu < n);
	w = calloc(n, sizeof(*w));
	assert_non_null(w);
	assert_int_equal(bpf_map_lookup_elem(dp_map("confirm_rate"), &zero, w), 0);
	sent = w[cpu].sent;
	free(w);
	return sent;
}

void dp_confirm_budget_spent(int spent)
{
	if (spent)
		dp_confirm_window(3600ll * 1000000000ll, ~0u); /* ends after the test */
	else
		set_windows(0, 0); /* the next confirmation opens a window */
}

int dp_pin_cpu(void)
{
	int cpu = sched_getcpu();
	cpu_set_t set;

	assert_true(cpu >= 0);
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	assert_int_equal(sched_setaffinity(0, sizeof(set), &set), 0);
	return cpu;
}

void dp_unpin_cpu(void)
{
	assert_int_equal(sched_setaffinity(0, sizeof(allowed_cpus), &allowed_cpus), 0);
}

int dp_two_cpus(int cpus[2])
{
	cpu_set_t set;
	int i, n = 0;

	CPU_ZERO(&set);
	if (sched_getaffinity(0, sizeof(set), &set))
		return -1;
	for (i = 0; i < ncpus && i < CPU_SETSIZE && n < 2; i++)
		if (CPU_ISSET(i, &set))
			cpus[n++] = i;
	return n == 2 ? 0 : -1;
}

int dp_run_on_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) || sched_getcpu() != cpu)
		return -1;
	return 0;
}

__u64 dp_stat_on_cpu(__u32 idx, int cpu)
{
	struct counter v[ncpus];

	assert_true(cpu >= 0 && cpu < ncpus);
	assert_int_equal(bpf_map_lookup_elem(dp_map("stats"), &idx, v), 0);
	return v[cpu].packets;
}

int dp_possible_cpus(void)
{
	return ncpus;
}

void dp_stat_set_on_cpu(__u32 idx, int cpu, __u64 packets)
{
	struct counter v[ncpus];

	assert_true(cpu >= 0 && cpu < ncpus);
	assert_int_equal(bpf_map_lookup_elem(dp_map("stats"), &idx, v), 0);
	v[cpu].packets = packets;
	assert_int_equal(bpf_map_update_elem(dp_map("stats"), &idx, v, BPF_EXIST), 0);
}

int dp_reset(void **state)
{
	__u32 k;

	(void)state;
	dp_conn_clear();
	dp_confirm_budget_spent(0);
	clear_hash("vips", sizeof(struct vip_key));
	zero_array("vip_index", HAULER_MAX_VIPS, sizeof(struct vip_key));
	zero_array("servers", HAULER_SERVER_SLOTS, sizeof(struct server_info));
	zero_array("devices", HAULER_MAX_DEVICES, sizeof(struct device_info));
	clear_hash("dev_addrs", sizeof(struct dev_addr));
	zero_array("dev_hints", HAULER_DEV_HINTS, sizeof(struct dev_hint));
	zero_array("dev_state", HAULER_MAX_DEVICES, sizeof(struct dev_state));
	zero_array("dev_own", HAULER_MAX_DEVICES, ncpus * sizeof(struct dev_own));
	zero_array("dev_keys", HAULER_MAX_DEVICES, sizeof(struct dev_key));
	zero_array("rings", 2 * HAULER_SERVER_SLOTS, sizeof(struct ring));
	zero_array("ring_pos", HAULER_SERVER_SLOTS, ncpus * sizeof(struct dp_ring_pos));
	zero_array("policy_params", HAULER_MAX_VIPS, sizeof(struct policy_params));
	zero_array("pools", 2 * HAULER_MAX_VIPS, sizeof(struct pool));
	dp_stats_zero();
	zero_array("ctable", DP_CT_BUCKETS, sizeof(struct ct_bucket));
	dp_ct_use(0);
	for (k = 0; k < HAULER_MAX_VIPS; k++)
		bpf_map_delete_elem(dp_map("policy_progs"), &k);
	dp_set_config(1, 5000, 30000);
	dp_set_confirm_burst(0);
	dp_set_half_open_burst(0);
	dp_set_assigned_us(0);
	dp_new_window(0, 0); /* an old window: the next new connection opens one */
	dp_set_crowded_until(0);
	dp_set_tunnel_src(dp_lb_addr(4).a[0], NULL);
	return 0;
}

int dp_run(const void *frame, size_t len, struct dp_out *out)
{
	return dp_run_in(frame, len, dp_ifindex, out);
}

int dp_run_in(const void *frame, size_t len, int ifindex, struct dp_out *out)
{
	struct xdp_md ctx = {.data_end = len, .ingress_ifindex = ifindex};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = len,
		    .data_out = out->data, .data_size_out = sizeof(out->data), .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = 1);
	int err;

	memset(out, 0, sizeof(*out));
	err = bpf_prog_test_run_opts(dp_entry_fd(), &opts);
	if (err)
		err = -errno;
	out->verdict = opts.retval;
	out->len = opts.data_size_out;
	return err;
}

static struct config get_config(void)
{
	struct config c;
	__u32 zero = 0;

	assert_int_equal(bpf_map_lookup_elem(dp_map("config"), &zero, &c), 0);
	return c;
}

static void put_config(const struct config *c)
{
	assert_int_equal(mapw_config(&maps, c), 0);
}

void dp_set_config(__u32 nat_vips, __u32 fin_grace_ms, __u32 udp_timeout_ms)
{
	struct config c = get_config();

	c.schema_version = HAULER_SCHEMA_VERSION;
	c.nat_vips = nat_vips;
	c.fin_grace_ms = fin_grace_ms;
	c.rst_linger_ms = 1000; /* the manager's default */
	c.udp_timeout_ms = udp_timeout_ms;
	c.report_port = htons(HAULER_REPORT_PORT);
	c.ifindex = dp_ifindex;
	c.flow_seed = DP_FLOW_SEED;
	c.raw_report_ifindex = dp_ifindex; /* raw reports on the tests' interface */
	put_config(&c);
}

void dp_set_confirm_burst(__u32 burst)
{
	struct config c = get_config();

	c.confirm_burst = burst;
	put_config(&c);
}

void dp_set_half_open_burst(__u32 burst)
{
	struct config c = get_config();

	c.half_open_burst = burst;
	put_config(&c);
}

void dp_set_assigned_us(__u32 us)
{
	struct config c = get_config();

	c.assigned_us = us;
	put_config(&c);
}

void dp_set_flow_seed(__u32 seed)
{
	struct config c = get_config();

	c.flow_seed = seed;
	put_config(&c);
}

void dp_set_report_config(__u64 clock_offset_ns, __u32 window_s, __u32 raw_ifindex)
{
	struct config c = get_config();

	c.clock_offset_ns = clock_offset_ns;
	c.report_window_s = window_s;
	c.raw_report_ifindex = raw_ifindex;
	put_config(&c);
}

void dp_set_tunnel_src(__u32 src4, const struct dp_addr *src6)
{
	struct config c = get_config();

	c.tunnel_src4 = src4;
	if (src6)
		memcpy(c.tunnel_src, src6->a, 16);
	else
		memset(c.tunnel_src, 0, 16);
	put_config(&c);
}

static struct vip_key vip_key_of(int family, __u8 proto, __u16 port)
{
	struct vip_key k = {};
	struct dp_addr a = dp_vip_addr(family);

	memcpy(k.addr, a.a, 16);
	k.port = htons(port);
	k.family = family;
	k.proto = proto;
	return k;
}

void dp_add_vip(int family, __u8 proto, __u16 port, __u16 vip_id, __u8 mode, __u16 slot,
		__u32 table_size)
{
	struct vip_key k = vip_key_of(family, proto, port);
	struct vip_info v = {
	    .vip_id = vip_id,
	    .fwd_mode = mode,
	    .policy_slot = slot,
	    .tier = HAULER_TIER_MAGLEV,
	    .table_size = table_size,
	};

	assert_int_equal(mapw_vip(&maps, &k, &v, 1), 0);
}

void dp_del_vip(int family, __u8 proto, __u16 port)
{
	struct vip_key k = vip_key_of(family, proto, port);

	assert_int_equal(bpf_map_delete_elem(dp_map("vips"), &k), 0);
}

void dp_set_vip_version(int family, __u8 proto, __u16 port, __u8 version)
{
	struct vip_key k = vip_key_of(family, proto, port);
	struct vip_info v;

	assert_int_equal(bpf_map_lookup_elem(dp_map("vips"), &k, &v), 0);
	v.pool_version = version;
	assert_int_equal(mapw_vip(&maps, &k, &v, 0), 0);
}

void dp_set_pool(__u16 vip_id, __u8 version, const __u16 *table, __u32 size)
{
	static struct pool p;
	__u32 i;

	assert_true(size <= HAULER_MAGLEV_MAX);
	for (i = 0; i < HAULER_MAGLEV_MAX; i++)
		p.server[i] = i < size ? table[i] : HAULER_NO_SERVER;
	assert_int_equal(mapw_pool(&maps, vip_id, version, &p), 0);
}

void dp_fill_pool(__u16 vip_id, __u8 version, __u32 size, __u16 server)
{
	static __u16 table[HAULER_MAGLEV_MAX];
	__u32 i;

	for (i = 0; i < size; i++)
		table[i] = server;
	dp_set_pool(vip_id, version, table, size);
}

/*
 * Device id's VIP fields as the manager's commit writes them
 * (hauler_device_vip_set): the VIP of its server, when both are there;
 * else cleared.
 */
void dp_device_vip_sync(__u16 id)
{
	const struct vip_key *k = NULL;
	struct server_info srv;
	struct device_info d;
	struct vip_info vi = {};
	struct vip_key vk;
	__u32 key = id, s, v;

	assert_int_equal(bpf_map_lookup_elem(dp_map("devices"), &key, &d), 0);
	s = d.server;
	if (!bpf_map_lookup_elem(dp_map("servers"), &s, &srv) && srv.in_use) {
		v = srv.vip_id;
		if (!bpf_map_lookup_elem(dp_map("vip_index"), &v, &vk) &&
		    !bpf_map_lookup_elem(dp_map("vips"), &vk, &vi) && vi.vip_id == srv.vip_id)
			k = &vk;
	}
	hauler_device_vip_set(&d, k, vi.vip_id, vi.fwd_mode);
	assert_int_equal(mapw_device(&maps, id, &d), 0);
}

/* Server server of VIP vip_id with ndev devices (their VIP fields written: dp_device_vip_sync). */
void dp_add_server(__u16 server, __u16 vip_id, const __u16 *devs, __u8 ndev)
{
	struct server_info s = {.vip_id = vip_id, .weight = 1, .dev_count = ndev, .in_use = 1};
	struct device_info d;
	__u32 key;
	int i;

	memcpy(s.dev, devs, ndev * sizeof(*devs));
	snprintf((char *)s.name, sizeof(s.name), "srv%u", server);
	assert_int_equal(mapw_server(&maps, server, &s), 0);
	for (i = 0; i < ndev; i++) {
		key = devs[i];
		if (!bpf_map_lookup_elem(dp_map("devices"), &key, &d) && d.in_use &&
		    d.server == server)
			dp_device_vip_sync(devs[i]);
	}
}

void dp_del_server(__u16 server)
{
	struct server_info s = {};

	assert_int_equal(mapw_server(&maps, server, &s), 0);
}

void dp_add_device_at(__u16 id, int family, const struct dp_addr *addr, __u16 server, __u8 index,
		      __u8 state)
{
	struct device_info d = {
	    .port = htons(DP_DEV_PORT),
	    .family = family,
	    .kind = HAULER_KIND_CPU,
	    .state = state,
	    .index = index,
	    .server = server,
	    .weight = 1,
	    .in_use = 1,
	};

	struct device_info was = {};
	__u32 key = id;

	/* A new device on the id takes the next generation, as the manager's does. */
	bpf_map_lookup_elem(dp_map("devices"), &key, &was);
	d.gen = hauler_dev_gen_next(was.gen);
	memcpy(d.addr, addr->a, 16);
	snprintf((char *)d.name, sizeof(d.name), "dev%u", id);
	assert_int_equal(mapw_device(&maps, id, &d), 0);
	dp_device_vip_sync(id);
}

void dp_add_device(__u16 id, int family, int addr_n, __u16 server, __u8 index, __u8 state)
{
	struct dp_addr a = dp_dev_addr(family, addr_n);

	dp_add_device_at(id, family, &a, server, index, state);
}

enum device_field { DEV_STATE, DEV_WEIGHT, DEV_HEALTH };

static void update_device(__u16 id, enum device_field field, __u16 v)
{
	struct device_info d;
	__u32 key = id;

	assert_int_equal(bpf_map_lookup_elem(dp_map("devices"), &key, &d), 0);
	if (field == DEV_WEIGHT)
		d.weight = v;
	else if (field == DEV_HEALTH)
		d.health = v;
	else
		d.state = v;
	assert_int_equal(mapw_device(&maps, id, &d), 0);
}

void dp_set_device_state(__u16 id, __u8 state)
{
	update_device(id, DEV_STATE, state);
}

void dp_set_device_health(__u16 id, __u8 health)
{
	update_device(id, DEV_HEALTH, health);
}

void dp_set_device_weight(__u16 id, __u16 weight)
{
	update_device(id, DEV_WEIGHT, weight);
}

void dp_del_device(__u16 id)
{
	struct device_info was = {}, d = {};
	__u32 key = id;

	/* The manager's empty slot keeps the id's generation. */
	bpf_map_lookup_elem(dp_map("devices"), &key, &was);
	d.gen = was.gen;
	assert_int_equal(mapw_device(&maps, id, &d), 0);
}

int dp_tombs_sweep(__u32 now_s, int room)
{
	return mapw_dev_tombs_sweep(&maps, now_s, room);
}

void dp_set_ring(__u16 server, __u8 version, const __u8 *slots, __u32 len)
{
	struct ring r = {.len = len};

	assert_true(len <= HAULER_RING_SLOTS);
	memcpy(r.slot, slots, len);
	assert_int_equal(mapw_ring(&maps, server, version, &r), 0);
}

/* Every CPU's pointer of server (ring_pos is per CPU): ncpus entries, to free. */
static struct dp_ring_pos *ring_pos_read(__u16 server)
{
	struct dp_ring_pos *v = calloc(ncpus, sizeof(*v));
	__u32 key = server;

	assert_non_null(v);
	assert_int_equal(bpf_map_lookup_elem(dp_map("ring_pos"), &key, v), 0);
	return v;
}

void dp_set_ring_pos(__u16 server, __u32 next)
{
	struct dp_ring_pos *v = calloc(ncpus, sizeof(*v));
	__u32 key = server;
	int i;

	assert_non_null(v);
	for (i = 0; i < ncpus; i++)
		v[i].p.next = next;
	assert_int_equal(bpf_map_update_elem(dp_map("ring_pos"), &key, v, BPF_ANY), 0);
	free(v);
}

__u32 dp_get_ring_pos(__u16 server)
{
	struct dp_ring_pos *v = ring_pos_read(server);
	__u32 sum = 0;
	int i;

	for (i = 0; i < ncpus; i++)
		sum += v[i].p.next;
	free(v);
	return sum;
}

__u32 dp_ring_pos_on_cpu(__u16 server, int cpu)
{
	struct dp_ring_pos *v = ring_pos_read(server);
	__u32 next;

	assert_true(cpu >= 0 && cpu < ncpus);
	next = v[cpu].p.next;
	free(v);
	return next;
}

void dp_set_policy(__u16 slot, int prog_fd)
{
	assert_int_equal(mapw_policy(&maps, slot, prog_fd), 0);
}

__u16 dp_vip_port(__u8 proto)
{
	return proto == IPPROTO_UDP ? DP_VIP_PORT_U : DP_VIP_PORT;
}

void dp_simple_vip(int family, __u8 proto, __u8 mode, int ndev)
{
	__u16 devs[HAULER_DEVS_PER_SERVER];
	int n;

	assert_true(ndev >= 1 && ndev <= HAULER_DEVS_PER_SERVER);
	dp_add_vip(family, proto, dp_vip_port(proto), DP_VIP_ID, mode, DP_SLOT, DP_TABLE);
	dp_fill_pool(DP_VIP_ID, 0, DP_TABLE, DP_SERVER);
	for (n = 0; n < ndev; n++) {
		devs[n] = DP_DEV_ID(n);
		dp_add_device(DP_DEV_ID(n), family, n, DP_SERVER, n, HAULER_STATE_UP);
	}
	dp_add_server(DP_SERVER, DP_VIP_ID, devs, ndev);
}

static void read_stat(__u32 idx, __u64 *packets, __u64 *bytes)
{
	struct counter v[ncpus];
	int i;

	*packets = 0;
	*bytes = 0;
	assert_int_equal(bpf_map_lookup_elem(dp_map("stats"), &idx, v), 0);
	for (i = 0; i < ncpus; i++) {
		*packets += v[i].packets;
		*bytes += v[i].bytes;
	}
}

__u64 dp_stat(__u32 idx)
{
	__u64 p, b;

	read_stat(idx, &p, &b);
	return p;
}

__u64 dp_stat_bytes(__u32 idx)
{
	__u64 p, b;

	read_stat(idx, &p, &b);
	return b;
}

__u64 dp_reason_sum(void)
{
	__u64 sum = 0;
	__u32 i;

	for (i = 0; i < HAULER_STAT_REASONS; i++)
		sum += dp_stat(i);
	return sum;
}

int dp_conn_table(const struct flow_key *k)
{
	struct conn c;

	if (!bpf_map_lookup_elem(dp_map("conns"), k, &c))
		return DP_CONNS;
	if (!bpf_map_lookup_elem(dp_map("half_open"), k, &c))
		return DP_HALF_OPEN;
	return -1;
}

const char *dp_conn_map(const struct flow_key *k)
{
	int t = dp_conn_table(k);

	assert_true(t >= 0);
	return t == DP_CONNS ? "conns" : "half_open";
}

int dp_conn_get(const struct flow_key *k, struct conn *c)
{
	if (!bpf_map_lookup_elem(dp_map("conns"), k, c))
		return 0;
	return bpf_map_lookup_elem(dp_map("half_open"), k, c) ? -1 : 0;
}

static int count_keys(const char *map)
{
	struct flow_key k, next;
	int fd = dp_map(map), n = 0;
	void *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		k = next;
		prev = &k;
		n++;
	}
	return n;
}

int dp_conn_count(void)
{
	return count_keys("conns") + count_keys("half_open");
}

int dp_conn_count_in(int table)
{
	return count_keys(table == DP_CONNS ? "conns" : "half_open");
}

__u32 dp_dev_assigned(__u16 id)
{
	struct dev_state s;
	__u32 key = id;

	assert_int_equal(bpf_map_lookup_elem(dp_map("dev_state"), &key, &s), 0);
	return dev_assigned(&s, dp_stat(HAULER_STAT_DEV(id, HAULER_STAT_NEW)));
}

void dp_ct_use(int on)
{
	struct config c = get_config();

	c.ct_buckets = on ? dp_map_size("ctable") : 0;
	put_config(&c);
}

void dp_ct_place(const struct flow_key *k, struct ct_place *p)
{
	ct_place_flow(p, k, get_config().flow_seed, dp_map_size("ctable"));
}

/* The slot of k: its bucket index and slot index (-1: none), and value. */
static int ct_locate(const struct flow_key *k, __u32 *bucket, __u64 *slot)
{
	struct ct_bucket b[2];
	struct ct_found f = {};
	struct ct_place p;
	int i;

	dp_ct_place(k, &p);
	assert_int_equal(bpf_map_lookup_elem(dp_map("ctable"), &p.bucket[0], &b[0]), 0);
	assert_int_equal(bpf_map_lookup_elem(dp_map("ctable"), &p.bucket[1], &b[1]), 0);
	i = ct_lookup(&b[0], p.bucket[1] == p.bucket[0] ? NULL : &b[1], p.digest, 0, &f);
	*bucket = p.bucket[f.which];
	*slot = f.s;
	return i;
}

int dp_ct_get(const struct flow_key *k, __u64 *slot)
{
	__u32 bucket;

	return ct_locate(k, &bucket, slot) < 0 ? -1 : 0;
}

static void ct_write(__u32 bucket, int i, __u64 slot)
{
	struct ct_bucket b;

	assert_int_equal(bpf_map_lookup_elem(dp_map("ctable"), &bucket, &b), 0);
	b.slot[i] = slot;
	assert_int_equal(bpf_map_update_elem(dp_map("ctable"), &bucket, &b, BPF_ANY), 0);
}

void dp_ct_set(const struct flow_key *k, __u64 slot)
{
	__u32 bucket;
	__u64 old;
	int i = ct_locate(k, &bucket, &old);

	assert_true(i >= 0);
	ct_write(bucket, i, slot);
}

void dp_ct_put_at(const struct flow_key *k, int which, int i, __u64 slot)
{
	struct ct_place p;

	dp_ct_place(k, &p);
	ct_write(p.bucket[which], i, slot);
}

int dp_ct_count(void)
{
	struct ct_bucket b;
	__u32 k, n = dp_map_size("ctable");
	int used = 0, i;

	for (k = 0; k < n; k++) {
		assert_int_equal(bpf_map_lookup_elem(dp_map("ctable"), &k, &b), 0);
		for (i = 0; i < HAULER_CT_SLOTS; i++)
			used += ct_slot_used(b.slot[i]);
	}
	return used;
}

struct flow_key dp_flow(int family, __u8 proto, const struct dp_addr *src, __u16 sport,
			const struct dp_addr *dst, __u16 dport)
{
	struct flow_key f = {};

	memcpy(f.src, src->a, 16);
	memcpy(f.dst, dst->a, 16);
	f.sport = htons(sport);
	f.dport = htons(dport);
	f.family = family;
	f.proto = proto;
	return f;
}
