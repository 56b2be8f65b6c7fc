/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * harness.h - run hauler's XDP programs with BPF_PROG_TEST_RUN in a
 * private network and mount namespace: a veth pair with fixed addresses,
 * permanent neighbours and routes (so bpf_fib_lookup answers the same
 * every time), a bpffs on a private tmpfs /tmp for the pins (nothing is
 * visible to the host or left behind), and the maps filled directly.
 *
 * Topology (all inside the test's own network namespace):
 *
 *	balancer  veth hlr<pid>a  02:00:00:00:00:01  10.1.1.1/24  fd00:1::1/64
 *	device n  10.1.1.(20+n)   fd00:1::(0x20+n)   02:00:00:00:00:(0x14+n)   n = 0..7
 *	gateway   10.1.1.254      fd00:1::fe         02:00:00:00:00:fe
 *	clients   10.2.0.0/16 and fd00:2::/64 via the gateway
 *	VIPs      10.9.9.9 and fd00:9::9 (nothing routes to them: XDP owns them)
 *
 *	second interface veth hlr<pid>c  02:00:00:00:00:03  10.3.3.1/24  fd00:3::1/64
 *	remote device     10.3.3.20  fd00:3::20  02:00:00:00:03:20 (reached by redirect)
 */
#ifndef HAULER_DP_HARNESS_H
#define HAULER_DP_HARNESS_H

#include <stddef.h>
#include <linux/types.h>
#include "hauler_schema.h"
#include "ctable/ct_table.h"

struct btf;

#define DP_NDEVS      8 /* device addresses with a neighbour entry */
#define DP_FRAME_MAX  2048
#define DP_VIP_PORT   80
#define DP_VIP_PORT_U 53
#define DP_DEV_PORT   8080

/* What dp_simple_vip sets up: ids chosen apart from addresses and indices. */
#define DP_VIP_ID    1
#define DP_SLOT	     1
#define DP_SERVER    3
#define DP_TABLE     7
#define DP_DEV_ID(n) (10 + (n))
/* config.flow_seed of the tests (dp_set_config): the seed hauler had before it was secret. */
#define DP_FLOW_SEED 0x4a61u

/* Addresses, as in a flow key: network order, IPv4 in [0]. */
struct dp_addr {
	__u32 a[4];
};

extern const __u8 dp_lb_mac[6];
extern const __u8 dp_gw_mac[6];
extern int dp_ifindex; /* the balancer's veth */
extern const __u8 dp_lb2_mac[6];
extern const __u8 dp_remote_dev_mac[6];
extern int dp_ifindex2; /* the second interface */

struct dp_addr dp_lb_addr(int family);
struct dp_addr dp_vip_addr(int family);
struct dp_addr dp_client_addr(int family, int n);
/* Device n's DIP (n < DP_NDEVS has a neighbour entry). */
struct dp_addr dp_dev_addr(int family, int n);
void dp_dev_mac(int n, __u8 mac[6]);
/* A device behind the second interface. */
struct dp_addr dp_remote_dev_addr(int family);
/* An address on the balancer's subnet with no neighbour entry. */
struct dp_addr dp_unresolved_addr(int family);
/* An address with no route at all. */
struct dp_addr dp_unroutable_addr(int family);

/*
 * Entries of the connection table, when set before dp_setup (0: the
 * schema's million). The fuzz run dumps the whole table after every
 * packet, which a small table makes cheap.
 */
extern __u32 dp_conns_max;
/*
 * VIP, server and device counts, when set before dp_setup (0: the
 * defaults of a first hauler up; --vips, --servers, --devices).
 */
extern __u32 dp_vips, dp_servers, dp_devices;
/* max_entries of one of the entry program's maps, as loaded. */
__u32 dp_map_size(const char *name);

/* cmocka group setup/teardown: namespaces, veth, bpffs, skeletons. */
int dp_setup(void **state);
int dp_teardown(void **state);
/*
 * The group setup of a test that brings its own interfaces and programs:
 * the private namespaces only (no veth, nothing loaded); dp_teardown ends
 * it too. dp_sh runs a shell command in them: 0 when it exits 0.
 */
int dp_setup_namespaces(void **state);
int dp_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* cmocka per-test setup: empty every map the tests write, zero the stats. */
int dp_reset(void **state);

/* The private bpffs the programs pin under (the manager's PIN). */
const char *dp_pin_dir(void);

/* Program fds. */
int dp_entry_fd(void);
int dp_wrr_fd(void);
int dp_hash_fd(void);
/* The compact-table program (ct_prog slot HAULER_CT_PATH). */
int dp_ct_fd(void);
/* The entry object's BTF: the layout of its private maps' values (ct_pass). */
const struct btf *dp_entry_btf(void);

/* Map fds, by the schema's map name ("conns", "vips", ...). */
int dp_map(const char *name);
/*
 * All of them, for the manager's writer of the configuration maps
 * (user/map_write.h): tests write vips, pools, servers, devices, rings,
 * policies and config through it, as the manager does.
 */
struct hauler_maps;
const struct hauler_maps *dp_maps(void);

/* The result of one BPF_PROG_TEST_RUN. */
struct dp_out {
	int verdict;
	__u32 len;
	__u8 data[DP_FRAME_MAX + 512];
};

/* Run the entry program once on frame; returns the syscall's result (0). */
int dp_run(const void *frame, size_t len, struct dp_out *out);
/* dp_run, the frame arriving on interface ifindex (dp_ifindex, dp_ifindex2). */
int dp_run_in(const void *frame, size_t len, int ifindex, struct dp_out *out);

/* Map filling: each returns 0 or fails the test. */
void dp_set_config(__u32 nat_vips, __u32 fin_grace_ms, __u32 udp_timeout_ms);
/* config.flow_seed (dp_set_config sets DP_FLOW_SEED). */
void dp_set_flow_seed(__u32 seed);
/* Report freshness and raw reports: config's clock offset, window, raw interface. */
void dp_set_report_config(__u64 clock_offset_ns, __u32 window_s, __u32 raw_ifindex);
void dp_set_tunnel_src(__u32 src4, const struct dp_addr *src6);
void dp_add_vip(int family, __u8 proto, __u16 port, __u16 vip_id, __u8 mode, __u16 slot,
		__u32 table_size);
/* Remove the VIP's vips entry (its vip_index entry stays, as the manager leaves it). */
void dp_del_vip(int family, __u8 proto, __u16 port);
void dp_set_vip_version(int family, __u8 proto, __u16 port, __u8 version);
void dp_set_pool(__u16 vip_id, __u8 version, const __u16 *table, __u32 size);
/* Every slot of the table holds server. */
void dp_fill_pool(__u16 vip_id, __u8 version, __u32 size, __u16 server);
void dp_add_server(__u16 server, __u16 vip_id, const __u16 *devs, __u8 ndev);
/* Device id's VIP fields from its server and VIP, as the manager writes them. */
void dp_device_vip_sync(__u16 id);
/* An empty server slot, as the manager leaves a removed server. */
void dp_del_server(__u16 server);
/* Device id at DIP dp_dev_addr(family, addr_n):port, position index in server. */
void dp_add_device(__u16 id, int family, int addr_n, __u16 server, __u8 index, __u8 state);
void dp_add_device_at(__u16 id, int family, const struct dp_addr *addr, __u16 server, __u8 index,
		      __u8 state);
void dp_set_device_state(__u16 id, __u8 state);
/* devices.health: 0 or HAULER_HEALTH_FAILED (what hauler daemon sets). */
void dp_set_device_health(__u16 id, __u8 health);
void dp_set_device_weight(__u16 id, __u16 weight);
void dp_del_device(__u16 id);
/* mapw_dev_tombs_sweep on the harness's maps: dev_addrs' tombstones ended by now_s go. */
int dp_tombs_sweep(__u32 now_s, int room);
void dp_set_ring(__u16 server, __u8 version, const __u8 *slots, __u32 len);
/* ring_pos is per CPU: set every CPU's pointer; get their sum; or one CPU's. */
void dp_set_ring_pos(__u16 server, __u32 next);
__u32 dp_get_ring_pos(__u16 server);
__u32 dp_ring_pos_on_cpu(__u16 server, int cpu);
/* prog_fd < 0 empties the slot. */
void dp_set_policy(__u16 slot, int prog_fd);

/* A usual setup: a VIP whose pool is server 0 only, with ndev devices
 * 0..ndev-1 at addresses 0..ndev-1, all up; the VIP's own port. */
void dp_simple_vip(int family, __u8 proto, __u8 mode, int ndev);
__u16 dp_vip_port(__u8 proto);

/* Stats, summed over CPUs. */
__u64 dp_stat(__u32 idx);
__u64 dp_stat_bytes(__u32 idx);
__u64 dp_reason_sum(void);
void dp_stats_zero(void);

/* Connection table. */
/* The connection tables: conns (established) and half_open. */
#define DP_HALF_OPEN_MAX 2048 /* the tests' half_open size (hauler up --half-open) */
#define DP_CONNS	 0
#define DP_HALF_OPEN	 1
int dp_conn_get(const struct flow_key *k, struct conn *c); /* 0: found in either table */
int dp_conn_table(const struct flow_key *k);		   /* DP_CONNS, DP_HALF_OPEN or -1 */
const char *dp_conn_map(const struct flow_key *k);	   /* name of the map that holds k */
int dp_conn_count(void);				   /* entries of both tables */
int dp_conn_count_in(int table);
void dp_conn_clear(void);
/* dev_state[id].assigned: connections the datapath gave the device. */
__u32 dp_dev_assigned(__u16 id);

/*
 * The compact connection table (ctable, docs/datapath.md "The compact
 * table"): DP_CT_BUCKETS buckets in every test binary, unused until
 * dp_ct_use(1) sets config.ct_buckets (dp_reset empties it and sets 0).
 */
/*
 * The ipip confirmation budget (bpf/ctconn.h, confirm_rate) of every CPU:
 * spent (the window never ends during the test) or fresh (dp_reset).
 */
void dp_confirm_budget_spent(int spent);
/*
 * Every CPU's confirmation window as starting start_ns from now (coarse
 * monotonic, the datapath's clock) with sent confirmations taken: an hour
 * ahead, a window that does not end during the test whatever the load;
 * more than the window (HAULER_CONFIRM_WINDOW_MS) back, one that has ended.
 */
void dp_confirm_window(__s64 start_ns, __u32 sent);
/* Confirmations taken in cpu's current window. */
__u32 dp_confirm_sent(int cpu);
/* config.confirm_burst (0, as dp_reset leaves it: HAULER_CONFIRM_BURST_DEFAULT). */
void dp_set_confirm_burst(__u32 burst);
/* config.half_open_burst (0, as dp_reset leaves it: no limit on new connections). */
void dp_set_half_open_burst(__u32 burst);
/*
 * config.assigned_us (0, as dp_reset leaves it: lc, wlc and a conns
 * metric sum each device's counter over CPUs; else the aggregate, summed
 * again when this many microseconds old).
 */
void dp_set_assigned_us(__u32 us);
/* Every CPU's window of new connections (new_rate): it starts start_ns from now, sent counted. */
void dp_new_window(__s64 start_ns, __u32 sent);
/*
 * Every CPU crowded (crowded_until, set by a CPU past its rate) until
 * offset_ns from now; 0, as dp_reset leaves it: never.
 */
void dp_set_crowded_until(__s64 offset_ns);
/* crowded_until less now in ns (negative: past); 0 when never set. */
__s64 dp_crowded_until(void);
/*
 * Keep the calling thread on the CPU it runs on (returned), so that every
 * BPF_PROG_TEST_RUN of a test meets the same per-CPU state; dp_unpin_cpu
 * lets it run on the CPUs it was started on again (taskset's, so a
 * binary kept to one CPU stays there).
 */
int dp_pin_cpu(void);
void dp_unpin_cpu(void);
/*
 * Two CPUs the calling thread may run on, in cpus[0..1]: 0, or -1 when it
 * may run on one only (a one-CPU machine, or a cpuset that allows one).
 */
int dp_two_cpus(int cpus[2]);
/* Keep the calling thread on cpu (one of dp_two_cpus'): 0, or -1. */
int dp_run_on_cpu(int cpu);
/* Packets of one stats slot counted on one CPU. */
__u64 dp_stat_on_cpu(__u32 idx, int cpu);
/* Set them, as if that CPU had counted packets there. */
void dp_stat_set_on_cpu(__u32 idx, int cpu, __u64 packets);
/* The kernel's possible CPUs (the per-CPU maps' slots). */
int dp_possible_cpus(void);

#define DP_CT_BUCKETS 1024
void dp_ct_use(int on);
/* The slot of flow k (the first with its digest), as ct_lookup finds it: 0, or -1. */
int dp_ct_get(const struct flow_key *k, __u64 *slot);
/* Rewrite the slot dp_ct_get finds for k (it must be there). */
void dp_ct_set(const struct flow_key *k, __u64 slot);
/* Put slot (its digest is k's) into slot i of k's first bucket. */
void dp_ct_put_at(const struct flow_key *k, int which, int i, __u64 slot);
/* k's digest and bucket indices in the tests' table. */
void dp_ct_place(const struct flow_key *k, struct ct_place *p);
/* Slots in use over the whole table. */
int dp_ct_count(void);

/* The flow key of a frame's forward direction, as the datapath keys it. */
struct flow_key dp_flow(int family, __u8 proto, const struct dp_addr *src, __u16 sport,
			const struct dp_addr *dst, __u16 dport);

#endif
