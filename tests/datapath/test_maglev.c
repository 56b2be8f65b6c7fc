// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_maglev.c - the server tier: a new flow's server is
 * pool[vip * 2 + version].server[hauler_flow_hash(flow) % table_size],
 * exactly as user space computes it with include/hauler_hash.h; an empty
 * slot or a server out of use drops the flow.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <cmocka.h>
/* hauler_hash.h unrolls with a clang pragma that gcc does not know. */
#pragma GCC diagnostic ignored "-Wunknown-pragmas"
#include "hauler_hash.h"
#include "maglev.h"
#include "map_write.h"
#include "sim.h"
#include "frames.h"

#define NSERVERS 3
#define FLOWS	 300

static __u16 table[HAULER_MAGLEV_MAX];

/* Servers 0..n-1, one device each: server i has device DP_DEV_ID(i) at address i. */
static void add_servers(int family, int n)
{
	__u16 dev;
	int i;

	for (i = 0; i < n; i++) {
		dev = DP_DEV_ID(i);
		dp_add_device(dev, family, i, i, 0, HAULER_STATE_UP);
		dp_add_server(i, DP_VIP_ID, &dev, 1);
	}
}

/* Flow i: clients and ports spread. */
static void flow_spec(struct frame_spec *s, int family, int i)
{
	struct dp_addr c = dp_client_addr(family, i % 7);

	spec_to_vip(s, family, IPPROTO_TCP, i & 1);
	memcpy(s->src, c.a, 16);
	s->sport = 1024 + i * 97;
}

/* Send flow s; returns the server (= address index) its device belongs to, -1 if dropped. */
static int send_flow(const struct frame_spec *s)
{
	return send_nat_flow(s);
}

static int expected_server(const struct frame_spec *s, const __u16 *t, __u32 size)
{
	struct flow_key f = spec_flow(s);

	return t[hauler_flow_hash(&f, DP_FLOW_SEED) % size];
}

/* Send FLOWS new flows; each must land where the table says. */
static void check_flows(int family, const __u16 *t, __u32 size, int nservers)
{
	int seen[NSERVERS] = {}, i, server;
	struct frame_spec s;

	for (i = 0; i < FLOWS; i++) {
		flow_spec(&s, family, i);
		server = send_flow(&s);
		assert_int_equal(server, expected_server(&s, t, size));
		seen[server]++;
	}
	for (i = 0; i < nservers; i++)
		assert_true(seen[i] > 0);
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), FLOWS);
}

static void half_and_half(int family, __u32 size)
{
	__u32 i;

	dp_add_vip(family, IPPROTO_TCP, DP_VIP_PORT, DP_VIP_ID, HAULER_FWD_NAT, DP_SLOT, size);
	add_servers(family, 2);
	for (i = 0; i < size; i++)
		table[i] = i < size / 2 ? 0 : 1;
	dp_set_pool(DP_VIP_ID, 0, table, size);
	check_flows(family, table, size, 2);
}

static void test_half_and_half_v4(void **state)
{
	(void)state;
	half_and_half(4, HAULER_MAGLEV_DEFAULT);
}

static void test_half_and_half_v6(void **state)
{
	(void)state;
	half_and_half(6, 13);
}

/* The largest table: the slot index reaches the end of pool->server[]. */
static void test_largest_table(void **state)
{
	__u32 i, size = HAULER_MAGLEV_MAX;

	(void)state;
	dp_add_vip(4, IPPROTO_TCP, DP_VIP_PORT, DP_VIP_ID, HAULER_FWD_NAT, DP_SLOT, size);
	add_servers(4, NSERVERS);
	for (i = 0; i < size; i++)
		table[i] = (i * 31 + i / 5) % NSERVERS;
	dp_set_pool(DP_VIP_ID, 0, table, size);
	check_flows(4, table, size, NSERVERS);
}

/* A table from the manager's own weighted Maglev (weights 1:2:1). */
static void test_manager_maglev_table(void **state)
{
	struct maglev_server srv[NSERVERS] = {
	    {.index = 0, .name = "alpha", .weight = 1},
	    {.index = 1, .name = "beta", .weight = 2},
	    {.index = 2, .name = "gamma", .weight = 1},
	};
	__u32 size = 251, i, count[NSERVERS] = {};

	(void)state;
	assert_int_equal(maglev_build(srv, NSERVERS, size, NULL, table), 0);
	for (i = 0; i < size; i++) {
		assert_true(table[i] < NSERVERS);
		count[table[i]]++;
	}
	assert_true(count[1] > count[0] && count[1] > count[2]);
	dp_add_vip(6, IPPROTO_TCP, DP_VIP_PORT, DP_VIP_ID, HAULER_FWD_NAT, DP_SLOT, size);
	add_servers(6, NSERVERS);
	dp_set_pool(DP_VIP_ID, 0, table, size);
	check_flows(6, table, size, NSERVERS);
}

/*
 * hauler-sim's server tier is the datapath's: a simulated cluster's table
 * (the manager's model and Maglev) in the pool, and every flow lands on
 * the server sim_cluster_server names for its hash.
 */
static void test_simulator_agrees(void **state)
{
	struct sim_config cfg;
	struct sim_cluster c;
	struct frame_spec s;
	struct flow_key f;
	int i;

	(void)state;
	sim_config_defaults(&cfg);
	cfg.servers = NSERVERS;
	cfg.table_size = 251;
	assert_int_equal(sim_cluster_init(&c, &cfg), 0);
	dp_add_vip(4, IPPROTO_TCP, DP_VIP_PORT, DP_VIP_ID, HAULER_FWD_NAT, DP_SLOT, cfg.table_size);
	add_servers(4, NSERVERS);
	dp_set_pool(DP_VIP_ID, 0, c.pool, cfg.table_size);
	for (i = 0; i < FLOWS; i++) {
		flow_spec(&s, 4, i);
		f = spec_flow(&s);
		assert_int_equal(send_flow(&s),
				 sim_cluster_server(&c, hauler_flow_hash(&f, DP_FLOW_SEED)));
	}
	sim_cluster_free(&c);
}

/* Switching the VIP's active table moves new flows, not established ones. */
static void test_pool_version_switch(void **state)
{
	struct frame_spec s;
	int before[FLOWS], i;

	(void)state;
	dp_add_vip(4, IPPROTO_TCP, DP_VIP_PORT, DP_VIP_ID, HAULER_FWD_NAT, DP_SLOT, 13);
	add_servers(4, NSERVERS);
	dp_fill_pool(DP_VIP_ID, 0, 13, 0);
	dp_fill_pool(DP_VIP_ID, 1, 13, 2);
	for (i = 0; i < 20; i++) {
		flow_spec(&s, 4, i);
		before[i] = send_flow(&s);
		assert_int_equal(before[i], 0);
	}
	dp_set_vip_version(4, IPPROTO_TCP, DP_VIP_PORT, 1);
	for (i = 0; i < 40; i++) {
		flow_spec(&s, 4, i);
		assert_int_equal(send_flow(&s), i < 20 ? before[i] : 2);
	}
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 40);
	assert_int_equal(dp_stat(HAULER_STAT_conn_hit), 20);
}

static void expect_no_server(const struct frame_spec *s)
{
	__u8 frame[DP_FRAME_MAX];
	size_t len = build(s, frame);

	run_expect(frame, len, XDP_DROP, frame, len);
	assert_int_equal(dp_stat(HAULER_STAT_drop_no_server), 1);
	assert_int_equal(dp_conn_count(), 0);
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 0);
	dp_stats_zero();
}

/* No server for the slot: the flow is dropped and counted. */
static void test_no_server_drops(void **state)
{
	struct frame_spec s;
	struct server_info srv;
	__u32 key = 0;
	__u16 empty[13];
	int i;

	(void)state;
	dp_add_vip(4, IPPROTO_TCP, DP_VIP_PORT, DP_VIP_ID, HAULER_FWD_NAT, DP_SLOT, 13);
	add_servers(4, 1);
	flow_spec(&s, 4, 0);

	/* An empty slot. */
	for (i = 0; i < 13; i++)
		empty[i] = HAULER_NO_SERVER;
	dp_set_pool(DP_VIP_ID, 0, empty, 13);
	expect_no_server(&s);

	/* A server out of use. */
	dp_fill_pool(DP_VIP_ID, 0, 13, 0);
	assert_int_equal(bpf_map_lookup_elem(dp_map("servers"), &key, &srv), 0);
	srv.in_use = 0;
	assert_int_equal(mapw_server(dp_maps(), key, &srv), 0);
	expect_no_server(&s);
	srv.in_use = 1;
	assert_int_equal(mapw_server(dp_maps(), key, &srv), 0);

	/* A table size of 0, or beyond the largest table. */
	dp_add_vip(4, IPPROTO_TCP, DP_VIP_PORT, DP_VIP_ID, HAULER_FWD_NAT, DP_SLOT, 0);
	expect_no_server(&s);
	dp_add_vip(4, IPPROTO_TCP, DP_VIP_PORT, DP_VIP_ID, HAULER_FWD_NAT, DP_SLOT,
		   HAULER_MAGLEV_MAX + 1);
	expect_no_server(&s);

	/* The control: with a sane size it is balanced. */
	dp_add_vip(4, IPPROTO_TCP, DP_VIP_PORT, DP_VIP_ID, HAULER_FWD_NAT, DP_SLOT, 13);
	assert_int_equal(send_flow(&s), 0);
}

#define T(fn) cmocka_unit_test_setup(fn, dp_reset)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_half_and_half_v4),	  T(test_half_and_half_v6),    T(test_largest_table),
	    T(test_manager_maglev_table), T(test_pool_version_switch), T(test_no_server_drops),
	    T(test_simulator_agrees),
	};

	return cmocka_run_group_tests(tests, dp_setup, dp_teardown);
}
