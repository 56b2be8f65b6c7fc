// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_counts - the VIP, server and device counts chosen at hauler up
 * (--vips, --servers, --devices), at Katran's defaults: 512 VIPs and
 * 4096 servers and devices. The maps take those sizes, the manager reads
 * them back, and the last id of each forwards: VIP 511 (its pools are
 * the last two), server 4095, device 4095, and the flat group of VIP 511
 * in the last server slot (4096 + 511). Their counters are counted.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <cmocka.h>

#include "hauler_keys.h"
#include "model.h"
#include "model_maps.h"
#include "frames.h"

#define VIPS	 512
#define SERVERS	 4096
#define DEVICES	 4096
#define LAST_VIP (VIPS - 1)
#define LAST_SRV (SERVERS - 1)
#define LAST_DEV (DEVICES - 1)
#define FLOWS	 50

static int setup(void **state)
{
	dp_vips = VIPS;
	dp_servers = SERVERS;
	dp_devices = DEVICES;
	return dp_setup(state);
}

/* Every map indexed by a count has the size up gave it. */
static void test_map_sizes(void **state)
{
	(void)state;
	assert_int_equal(dp_map_size("vips"), VIPS);
	assert_int_equal(dp_map_size("vip_index"), VIPS);
	assert_int_equal(dp_map_size("pools"), 2 * VIPS);
	assert_int_equal(dp_map_size("policy_progs"), VIPS);
	assert_int_equal(dp_map_size("policy_params"), VIPS);
	assert_int_equal(dp_map_size("servers"), SERVERS + VIPS);
	assert_int_equal(dp_map_size("rings"), 2 * (SERVERS + VIPS));
	assert_int_equal(dp_map_size("ring_pos"), SERVERS + VIPS);
	assert_int_equal(dp_map_size("devices"), DEVICES);
	assert_int_equal(dp_map_size("dev_state"), DEVICES);
	assert_int_equal(dp_map_size("dev_keys"), DEVICES);
}

/* The manager reads the counts back from the maps, and allocates up to them. */
static void test_model_reads_counts(void **state)
{
	struct model *m = calloc(1, sizeof(*m));

	(void)state;
	assert_non_null(m);
	assert_int_equal(model_load(m, dp_maps()), 0);
	assert_int_equal(m->lim.vips, VIPS);
	assert_int_equal(m->lim.servers, SERVERS);
	assert_int_equal(m->lim.devices, DEVICES);
	assert_int_equal(model_flat_index(m, LAST_VIP), SERVERS + VIPS - 1);
	free(m);
}

/* VIP 511 on the port of the harness's VIP, its pool all server, one device. */
static void last_vip(__u16 server, __u16 dev, __u8 version)
{
	dp_add_vip(4, IPPROTO_TCP, DP_VIP_PORT, LAST_VIP, HAULER_FWD_NAT, LAST_VIP, DP_TABLE);
	dp_set_vip_version(4, IPPROTO_TCP, DP_VIP_PORT, version);
	dp_fill_pool(LAST_VIP, version, DP_TABLE, server);
	dp_add_device(dev, 4, 0, server, 0, HAULER_STATE_UP);
	dp_add_server(server, LAST_VIP, &dev, 1);
	dp_set_policy(LAST_VIP, dp_hash_fd());
	dp_set_config(1, 5000, 30000);
}

static void send_flows(__u16 dev)
{
	struct frame_spec s;
	int i;

	for (i = 0; i < FLOWS; i++) {
		spec_to_vip(&s, 4, IPPROTO_TCP, 0);
		s.sport = 2000 + i;
		assert_int_equal(send_nat(&s), 0);
		assert_int_equal(conn_device(&s), dev);
	}
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), FLOWS);
	/* The policy of slot 511 ran: no fallback to the built-in hash. */
	assert_int_equal(dp_stat(HAULER_STAT_policy_fallback), 0);
	assert_int_equal(dp_stat(HAULER_STAT_VIP(LAST_VIP, HAULER_STAT_NEW)), FLOWS);
	assert_int_equal(dp_stat(HAULER_STAT_DEV(dev, HAULER_STAT_NEW)), FLOWS);
	assert_int_equal(dp_stat(HAULER_STAT_DEV(dev, HAULER_STAT_FWD)), FLOWS);
}

/* The last VIP (pools 1022 and 1023), the last server, the last device. */
static void test_last_ids_forward(void **state)
{
	(void)state;
	last_vip(LAST_SRV, LAST_DEV, 1);
	send_flows(LAST_DEV);
}

/* The flat group of the last VIP: the last server slot. */
static void test_last_flat_group(void **state)
{
	(void)state;
	last_vip(hauler_flat_group(SERVERS, LAST_VIP), LAST_DEV - 1, 0);
	send_flows(LAST_DEV - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_map_sizes),
	    cmocka_unit_test(test_model_reads_counts),
	    cmocka_unit_test_setup(test_last_ids_forward, dp_reset),
	    cmocka_unit_test_setup(test_last_flat_group, dp_reset),
	};

	return cmocka_run_group_tests(tests, setup, dp_teardown);
}
