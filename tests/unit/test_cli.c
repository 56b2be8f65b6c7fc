// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_cli.c - the manager's command line without any map: parsing of
 * VIPs, addresses, names and numbers; commands and batches against an
 * in-memory model; report keys, policy parameters (include/select/params.def)
 * and custom policies in the model; save output restoring the same model.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <cmocka.h>

#include "batch.h"
#include "cmd.h"
#include "error.h"
#include "hauler_keys.h"
#include "hauler_report.h"
#include "model.h"
#include "save_text.h"
#include "args.h"
#include "lock.h"
#include "policy_table.h"

static struct model *new_model(void)
{
	struct model *m = malloc(sizeof(*m));

	assert_non_null(m);
	model_init_empty(m);
	return m;
}

/* Apply a batch; on failure the error message must contain `want`. */
static int apply(struct model *m, const char *text, const char *want)
{
	int ret = batch_apply_string(m, text, "test");

	if (want) {
		assert_int_not_equal(ret, 0);
		if (!strstr(err_msg(), want))
			fail_msg("error '%s' does not say '%s'", err_msg(), want);
	} else if (ret) {
		fail_msg("unexpected error: %s", err_msg());
	}
	return ret;
}

static void test_parse_vip_good(void **state)
{
	struct vip_key k;
	__u32 v4 = htonl(0x0a000001);
	struct in6_addr v6;

	(void)state;
	assert_int_equal(parse_vip("10.0.0.1:80/tcp", &k), 0);
	assert_int_equal(k.family, 4);
	assert_int_equal(k.addr[0], v4);
	assert_int_equal(k.addr[1] | k.addr[2] | k.addr[3], 0);
	assert_int_equal(k.port, htons(80));
	assert_int_equal(k.proto, IPPROTO_TCP);

	assert_int_equal(parse_vip("[fd00::1]:53/udp", &k), 0);
	inet_pton(AF_INET6, "fd00::1", &v6);
	assert_int_equal(k.family, 6);
	assert_memory_equal(k.addr, &v6, 16);
	assert_int_equal(k.port, htons(53));
	assert_int_equal(k.proto, IPPROTO_UDP);

	assert_int_equal(parse_vip("[::ffff:1.2.3.4]:65535/tcp", &k), 0);
	assert_int_equal(k.port, htons(65535));
}

static void test_parse_vip_bad(void **state)
{
	static const char *const bad[] = {
	    "",
	    "10.0.0.1",
	    "10.0.0.1:80",
	    "10.0.0.1/tcp",
	    "10.0.0.1:/tcp",
	    "10.0.0.1:0/tcp",
	    "10.0.0.1:65536/tcp",
	    "10.0.0.1:80/sctp",
	    "10.0.0.1:80/",
	    "10.0.0.256:80/tcp",
	    "fd00::1:53/udp",
	    "[fd00::1]53/udp",
	    "[fd00::1:53/udp",
	    "[zz::1]:53/udp",
	    "10.0.0.1:8x/tcp",
	    "host:80/tcp",
	    "[10.0.0.1]:80/tcp x",
	};
	struct vip_key k;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err_clear();
		if (parse_vip(bad[i], &k) != -ERR_INPUT)
			fail_msg("'%s' parsed as a VIP", bad[i]);
		assert_int_equal(err_code(), ERR_INPUT);
		assert_non_null(strstr(err_msg(), bad[i]));
	}
}

static void test_parse_addr(void **state)
{
	__u32 a[4];
	__u8 f;

	(void)state;
	assert_int_equal(parse_addr("192.168.1.2", &f, a), 0);
	assert_int_equal(f, 4);
	assert_int_equal(a[0], htonl(0xc0a80102));
	assert_int_equal(parse_addr("2001:db8::2", &f, a), 0);
	assert_int_equal(f, 6);
	assert_int_equal(parse_addr("192.168.1", &f, a), -ERR_INPUT);
	assert_int_equal(parse_addr("2001:db8:::2", &f, a), -ERR_INPUT);
	assert_int_equal(parse_addr("", &f, a), -ERR_INPUT);
	assert_string_equal(err_msg(), "bad address ''");
}

/* ADDR:PORT ([ADDR6]:PORT): hauler conns --flow's ends, exporter's listen address. */
static void test_parse_addr_port(void **state)
{
	static const char *const bad[] = {"10.0.0.1",	     "10.0.0.1:0",    "10.0.0.1:65536",
					  "10.0.0.1:80/tcp", "fd00::1:80",    "[fd00::1]",
					  "10.0.0:80",	     "10.0.0.1:http", ""};
	__u32 a[4];
	__u16 port;
	__u8 f;
	size_t i;

	(void)state;
	assert_int_equal(parse_addr_port("10.1.2.3:40000", "flow source", &f, a, &port), 0);
	assert_int_equal(f, 4);
	assert_int_equal(a[0], htonl(0x0a010203));
	assert_int_equal(port, htons(40000));
	assert_int_equal(parse_addr_port("[fd00::1]:53", "flow source", &f, a, &port), 0);
	assert_int_equal(f, 6);
	assert_int_equal(a[3], htonl(1));
	assert_int_equal(port, htons(53));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse_addr_port(bad[i], "flow source", &f, a, &port), -ERR_INPUT);
		assert_non_null(strstr(err_msg(), "bad flow source"));
		assert_non_null(strstr(err_msg(), bad[i]));
	}
}

static void test_parse_name(void **state)
{
	static const char *const good[] = {"s1", "a.b-c_D9", "123456789012345", "-", "."};
	static const char *const bad[] = {"",	 "1234567890123456", "a b", "a/b",
					  "a:b", "caf\xc3\xa9",	     "x\ty"};
	char out[HAULER_NAME_LEN];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(parse_name(good[i], out), 0);
		assert_string_equal(out, good[i]);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (parse_name(bad[i], out) != -ERR_INPUT)
			fail_msg("'%s' accepted as a name", bad[i]);
}

static void test_parse_numbers_and_keywords(void **state)
{
	static const char *const modes[] = {"nat", "ipip"};
	static const char *const bad[] = {
	    "", "-1", "65536", "1x", " 1", "0x10", "99999999999999999999"};
	__u32 v;
	size_t i;

	(void)state;
	assert_int_equal(parse_u32("0", 0, 65535, "weight", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(parse_u32("65535", 0, 65535, "weight", &v), 0);
	assert_int_equal(v, 65535);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (parse_u32(bad[i], 0, 65535, "weight", &v) != -ERR_INPUT)
			fail_msg("'%s' accepted as a weight", bad[i]);
	assert_string_equal(err_msg(), "bad weight '99999999999999999999' (0..65535)");
	assert_int_equal(parse_u32("6", 7, 32749, "table-size", &v), -ERR_INPUT);

	assert_int_equal(parse_keyword("ipip", modes, 2, "mode"), 1);
	assert_int_equal(parse_keyword("gre", modes, 2, "mode"), -ERR_INPUT);
	assert_string_equal(err_msg(), "bad mode 'gre' (nat|ipip)");
	assert_true(is_prime(4093) && is_prime(32749) && is_prime(7));
	assert_false(is_prime(4095) || is_prime(1) || is_prime(32747 * 0 + 9));
}

static const char *const base_config =
    "# two VIPs\n"
    "vip add 10.0.0.1:80/tcp\n"
    "vip add [fd00::1]:53/udp mode ipip policy wrr stale-ms 250 table-size 7\n"
    "\n"
    "server add s1 vip 10.0.0.1:80/tcp weight 3\n"
    "server add s2 vip 10.0.0.1:80/tcp\n"
    "server add s6 vip [fd00::1]:53/udp weight 0   # out of the pool\n"
    "device add d1 server s1 addr 10.1.0.1 port 8080\n"
    "device add d2 server s1 addr 10.1.0.2 port 8081 kind gpu weight 4 state drain\n"
    "device add d3 server s1 addr 10.1.0.3 port 8082 kind smartnic\n"
    "device add d6 server s6 addr fd00:1::6 port 53 kind fpga\n"
    "config set fin-grace 1000 udp-timeout 2000 report-port 7000 tunnel-src 10.9.9.9\n";

static void test_batch_builds_model(void **state)
{
	struct model *m = new_model();
	struct vip_key k;
	int v, s1, d2;

	(void)state;
	apply(m, base_config, NULL);
	assert_int_equal(parse_vip("[fd00::1]:53/udp", &k), 0);
	v = model_vip_find(m, &k);
	assert_int_equal(v, 1);
	assert_int_equal(m->vips[v].info.fwd_mode, HAULER_FWD_IPIP);
	assert_int_equal(m->vips[v].info.table_size, 7);
	assert_int_equal(m->vips[v].info.policy_slot, 1);
	assert_string_equal((char *)m->params[1].name, "wrr");
	assert_int_equal(m->params[1].stale_ms, 250);
	assert_int_equal(m->config.report_port, htons(7000));
	assert_string_equal((char *)m->params[0].name, "hash"); /* the default policy */
	assert_int_equal(m->vips[0].info.table_size, HAULER_MAGLEV_DEFAULT);
	assert_int_equal(m->config.nat_vips, 1);
	assert_int_equal(m->config.fin_grace_ms, 1000);
	assert_int_equal(m->config.udp_timeout_ms, 2000);
	assert_int_equal(m->config.tunnel_src4, htonl(0x0a090909));

	s1 = model_server_find(m, "s1");
	assert_int_equal(s1, 0);
	assert_int_equal(m->servers[s1].weight, 3);
	assert_int_equal(m->servers[s1].dev_count, 3);
	d2 = model_device_find(m, "d2");
	assert_int_equal(d2, 1);
	assert_int_equal(m->devices[d2].kind, HAULER_KIND_GPU);
	assert_int_equal(m->devices[d2].state, HAULER_STATE_DRAIN);
	assert_int_equal(m->devices[d2].weight, 4);
	assert_int_equal(m->devices[d2].port, htons(8081));
	assert_int_equal(m->devices[d2].index, 1);
	assert_int_equal(m->servers[model_server_find(m, "s6")].weight, 0);
	free(m);
}

static void test_batch_error_changes_nothing(void **state)
{
	struct model *m = new_model(), *before = new_model();
	char text[2048];

	(void)state;
	apply(m, base_config, NULL);
	memcpy(before, m, sizeof(*m));
	snprintf(text, sizeof(text),
		 "vip add 10.0.0.2:80/tcp\n"
		 "server add s3 vip 10.0.0.2:80/tcp\n"
		 "device del d1\n"
		 "server set s1 weight 70000\n"
		 "vip del 10.0.0.1:80/tcp\n");
	apply(m, text, "test:4: bad weight '70000'");
	assert_memory_equal(m, before, sizeof(*m));
	apply(m, "vip del 10.0.0.1:80/tcp\nvip show\n", "test:2: 'vip show' cannot be batched");
	assert_memory_equal(m, before, sizeof(*m));
	apply(m, "\n# c\nhauler vip del 10.0.0.1:80/tcp\n", "test:3: leave out the word 'hauler'");
	apply(m, "frob add x\n", "test:1: unknown object 'frob'");
	assert_memory_equal(m, before, sizeof(*m));
	free(m);
	free(before);
}

static void test_command_errors(void **state)
{
	struct model *m = new_model(), *before = new_model();
	size_t i;
	static const struct {
		const char *line, *error;
	} cases[] = {
	    {"vip add 10.0.0.1:80/tcp\n", "VIP 10.0.0.1:80/tcp exists"},
	    {"vip add 10.0.0.3:80/tcp table-size 4095\n", "bad table-size 4095"},
	    {"vip add 10.0.0.3:80/tcp table-size 32771\n", "bad table-size '32771'"},
	    {"vip add 10.0.0.3:80/tcp table-size 5\n", "bad table-size '5'"},
	    {"vip add 10.0.0.3:80/tcp mode gre\n", "bad mode 'gre' (nat|ipip)"},
	    {"vip add 10.0.0.3:80/tcp policy nosuch\n",
	     "unknown policy 'nosuch' (hauler policy list)"},
	    {"vip add 10.0.0.3:80/tcp policy hash metric cmp\n",
	     "policy 'hash' takes no parameter 'metric'"},
	    {"vip add 10.0.0.3:80/tcp policy hash colour red\n", "unknown argument 'colour'"},
	    {"vip add 10.0.0.3:80/tcp policy hash stale-ms\n", "'stale-ms' needs a value"},
	    {"vip del 10.0.0.9:80/tcp\n", "no VIP 10.0.0.9:80/tcp"},
	    {"server add s1 vip 10.0.0.1:80/tcp\n", "server 's1' exists"},
	    {"server add s9 vip 10.0.0.9:80/tcp\n", "no VIP 10.0.0.9:80/tcp"},
	    {"server add s9\n", "missing 'vip VIP'"},
	    {"server add bad/name vip 10.0.0.1:80/tcp\n", "bad name 'bad/name'"},
	    {"server set s9 weight 1\n", "no server 's9'"},
	    {"server set s1 weight -1\n", "bad weight '-1'"},
	    {"server del s9\n", "no server 's9'"},
	    {"server set s1 spill-to s9\n", "no server 's9'"},
	    {"server set s9 spill-to s1\n", "no server 's9'"},
	    {"server set s1 spill-to s1\n", "server 's1' cannot spill to itself"},
	    {"server set s1 spill-to s6\n", "server 's6' is not in the VIP of 's1'"},
	    {"server set s1 spill-to\n", "usage: hauler server set NAME weight W | spill-to"},
	    {"device add d1 server s2 addr 10.1.0.9 port 1\n", "device 'd1' exists"},
	    {"device add d9 server s9 addr 10.1.0.9 port 1\n", "no server 's9'"},
	    {"device add d9 server s2 addr fd00::9 port 1\n", "IPv6, its VIP is IPv4"},
	    {"device add d9 server s2 addr 10.1.0.9\n", "needs server SERVER addr ADDR port PORT"},
	    {"device add d9 server s2 addr 10.1.0.9 port 0\n", "bad port '0'"},
	    {"device add d9 server s2 addr 10.1.0.9 port 1 kind tpu\n", "bad kind 'tpu'"},
	    {"device add d9 server s2 addr 10.1.0.9 port 1 state off\n", "bad state 'off'"},
	    {"device add d9 server s2 addr 10.1.0.999 port 1\n", "bad address '10.1.0.999'"},
	    {"device set d9 weight 1\n", "no device 'd9'"},
	    {"device set d1 weight 65536\n", "bad weight '65536'"},
	    {"device set d1 speed 5\n", "unknown argument 'speed'"},
	    {"device del d9\n", "no device 'd9'"},
	    {"policy set 10.0.0.1:80/tcp nosuch\n", "unknown policy 'nosuch'"},
	    {"policy set 10.0.0.1:80/tcp wrr stale-ms 0\n", "bad stale-ms '0'"},
	    {"policy set 10.0.0.1:80/tcp lur stale-periods 0\n", "bad stale-periods '0' (1..1000)"},
	    {"policy set 10.0.0.1:80/tcp lur stale-periods 1001\n",
	     "bad stale-periods '1001' (1..1000)"},
	    {"policy set 10.0.0.1:80/tcp lur stale-periods -3\n", "bad stale-periods '-3'"},
	    {"policy set 10.0.0.1:80/tcp lur stale-periods\n", "'stale-periods' needs a value"},
	    {"vip add 10.0.0.3:80/tcp policy jsq stale-periods 0\n", "bad stale-periods '0'"},
	    {"policy set 10.0.0.1:80/tcp wrr extra\n",
	     "unknown parameter 'extra' for policy 'wrr'"},
	    {"policy set 10.0.0.9:80/tcp wrr\n", "no VIP 10.0.0.9:80/tcp"},
	    {"policy set 10.0.0.1:80/tcp prt metric heat\n", "bad metric 'heat'"},
	    {"policy set 10.0.0.1:80/tcp prt threshold 101\n",
	     "bad threshold '101' for metric cmp (1..100 %)"},
	    {"policy set 10.0.0.1:80/tcp prt metric mem threshold 101\n",
	     "bad threshold '101' for metric mem (1..100 %)"},
	    {"policy set 10.0.0.1:80/tcp prt threshold 0\n", "bad threshold '0' (1..1000000)"},
	    {"policy set 10.0.0.1:80/tcp prt metric latency threshold 60001\n",
	     "bad threshold '60001' for metric latency (1..60000 ms)"},
	    {"policy set 10.0.0.1:80/tcp prt metric latency\n",
	     "policy 'prt' metric latency needs a threshold (1..60000 ms)"},
	    {"policy set 10.0.0.1:80/tcp prt metric conns\n",
	     "policy 'prt' metric conns needs a threshold (1..1000000 connections)"},
	    {"policy set 10.0.0.1:80/tcp prt threshold 500 metric cmp,mem\n",
	     "bad threshold '500' for metric cmp"},
	    {"policy set 10.0.0.1:80/tcp lur metric cmp,latency\n",
	     "policy 'lur' takes no metric 'latency'"},
	    {"policy set 10.0.0.1:80/tcp p2c metric cmp,latency\n",
	     "only utilizations (cmp, mem, net, queue) combine"},
	    {"policy set 10.0.0.1:80/tcp lur metric cmp,cmp\n", "metric 'cmp' named twice"},
	    {"policy set 10.0.0.1:80/tcp lur metric cmp,\n", "bad metric 'cmp,'"},
	    {"policy set 10.0.0.1:80/tcp lur metric ,mem\n", "bad metric ',mem'"},
	    {"policy set 10.0.0.1:80/tcp lur metric cmp,,mem\n", "bad metric 'cmp,,mem'"},
	    {"policy set 10.0.0.1:80/tcp lur metric cmp,heat\n", "bad metric 'heat'"},
	    {"policy set 10.0.0.1:80/tcp prt spill 4\n", "bad spill '4' (0..3)"},
	    {"policy set 10.0.0.1:80/tcp hash spill -1\n", "bad spill '-1' (0..3)"},
	    {"policy set 10.0.0.1:80/tcp lur metric queue\n",
	     "policy 'lur' takes no metric 'queue' (cmp|mem|net)"},
	    {"policy set 10.0.0.1:80/tcp dwrr metric conns\n",
	     "policy 'dwrr' takes no metric 'conns' (cmp|mem|net|queue)"},
	    {"policy set 10.0.0.1:80/tcp dwrr interval-ms 5\n", "bad interval-ms '5' (10..60000)"},
	    {"policy set 10.0.0.1:80/tcp wrr interval-ms 50\n",
	     "policy 'wrr' takes no parameter 'interval-ms'"},
	    {"policy set 10.0.0.1:80/tcp dwrr metric\n", "'metric' needs a value"},
	    {"device key d9 generate\n", "no device 'd9'"},
	    {"device key d1 0123\n", "KEY must be 32 hex digits"},
	    {"device key d1 0123456789abcdef0123456789abcdeg\n", "KEY must be 32 hex digits"},
	    {"device key d1 00000000000000000000000000000000\n", "KEY must be 32 hex digits"},
	    {"device key d1 a b\n", "KEY must be 32 hex digits"},
	    {"device key d1 file a b\n", "usage: hauler device key NAME"},
	    {"device key d1 file /nonexistent\n", "cannot open /nonexistent"},
	    {"policy set 10.0.0.1:80/tcp .\n", "bad policy name '.'"},
	    {"policy set 10.0.0.1:80/tcp ..\n", "bad policy name '..'"},
	    {"vip add 10.0.0.9:80/tcp policy ..\n", "bad policy name '..'"},
	    {"device resync d9\n", "no device 'd9'"},
	    {"config set report-window 0\n", "report-window"},
	    {"config set report-window 86401\n", "report-window"},
	    {"config set raw-reports nosuchif0\n", "raw-reports: no interface 'nosuchif0'"},
	    {"config set flow-seed 123456789\n", "flow-seed: 1..8 hex digits or random"},
	    {"config set flow-seed xyz\n", "flow-seed: 1..8 hex digits or random"},
	    {"config set flow-seed -1\n", "flow-seed: 1..8 hex digits or random"},
	    {"policy load wrr /nonexistent.o\n", "'wrr' is a built-in policy"},
	    {"policy load my.pol /nonexistent.o\n", "bad policy name 'my.pol'"},
	    {"policy load mine /nonexistent.o\n", "cannot read /nonexistent.o"},
	    {"policy load mine\n", "usage: hauler policy load NAME FILE.o"},
	    {"policy unload hash\n", "cannot unload the built-in policy 'hash'"},
	    {"policy unload nosuch\n", "no custom policy 'nosuch'"},
	    {"policy set 10.0.0.1:80/tcp lur threshold 5\n",
	     "policy 'lur' takes no parameter 'threshold'"},
	    {"config set tunnel-src fd00::1\n", "tunnel-src needs an IPv4 address"},
	    {"config set tunnel-src6 10.0.0.1\n", "tunnel-src6 needs an IPv6 address"},
	    {"config set mtu 1500\n", "unknown argument 'mtu'"},
	    {"config set report-port 65536\n", "report-port"},
	    {"config set confirm-budget 0\n", "bad confirm-budget '0' (1..1000000)"},
	    {"config set confirm-budget 1000001\n", "bad confirm-budget '1000001' (1..1000000)"},
	    {"config set confirm-budget -1\n", "bad confirm-budget '-1'"},
	    {"config set confirm-budget 12x\n", "bad confirm-budget '12x'"},
	    {"config set confirm-budget 99999999999999999999\n", "bad confirm-budget"},
	    {"config set confirm-budget 64 rst-linger\n", "'rst-linger' needs a value"},
	    {"config set confirm-budget 64 fin-grace -5\n", "bad fin-grace '-5'"},
	};

	(void)state;
	apply(m, base_config, NULL);
	memcpy(before, m, sizeof(*m));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		apply(m, cases[i].line, cases[i].error);
		assert_int_equal(err_code(), ERR_INPUT);
		assert_memory_equal(m, before, sizeof(*m));
	}
	free(m);
	free(before);
}

static void test_limits(void **state)
{
	struct model *m = new_model();
	char line[128];
	int i;

	(void)state;
	apply(m, "vip add 10.0.0.1:80/tcp\nserver add s1 vip 10.0.0.1:80/tcp\n", NULL);
	for (i = 0; i < HAULER_DEVS_PER_SERVER; i++) {
		snprintf(line, sizeof(line), "device add d%d server s1 addr 10.1.0.%d port 80\n", i,
			 i + 1);
		apply(m, line, NULL);
	}
	apply(m, "device add d8 server s1 addr 10.1.0.9 port 80\n", "server 's1' has 8 devices");
	for (i = 1; i < (int)m->lim.vips; i++) {
		snprintf(line, sizeof(line), "vip add 10.0.1.%d:80/tcp\n", i);
		apply(m, line, NULL);
	}
	apply(m, "vip add 10.0.2.1:80/tcp\n", "too many VIPs (64;");
	free(m);
}

static void test_ids_cascade_and_compaction(void **state)
{
	struct model *m = new_model();
	__u16 w[HAULER_DEVS_PER_SERVER];
	struct vip_key k;
	int s1, i, n;

	(void)state;
	apply(m, base_config, NULL);
	s1 = model_server_find(m, "s1");
	/* Deleting d1 moves d2 and d3 down one position. */
	apply(m, "device del d1\n", NULL);
	assert_int_equal(m->servers[s1].dev_count, 2);
	assert_int_equal(m->servers[s1].dev[0], model_device_find(m, "d2"));
	assert_int_equal(m->servers[s1].dev[1], model_device_find(m, "d3"));
	assert_int_equal(m->devices[model_device_find(m, "d2")].index, 0);
	assert_int_equal(m->devices[model_device_find(m, "d3")].index, 1);
	n = model_ring_weights(m, s1, w);
	assert_int_equal(n, 2);
	assert_int_equal(w[0], 4);
	assert_int_equal(w[1], 1);
	/* The lowest free id is taken again, at the end of dev[]. */
	apply(m, "device add d4 server s1 addr 10.1.0.4 port 1\n", NULL);
	assert_int_equal(model_device_find(m, "d4"), 0);
	assert_int_equal(m->devices[0].index, 2);
	/* vip del takes its servers and their devices along. */
	apply(m, "vip del 10.0.0.1:80/tcp\n", NULL);
	assert_int_equal(model_server_find(m, "s1"), -1);
	assert_int_equal(model_server_find(m, "s2"), -1);
	for (i = 0; i < 4; i++)
		assert_int_equal(model_device_find(m, i == 3 ? "d4" : (i == 1 ? "d2" : "d3")), -1);
	assert_int_not_equal(model_device_find(m, "d6"), -1);
	assert_int_equal(m->config.nat_vips, 0);
	assert_int_equal(m->params[0].name[0], 0);
	/* ... and the freed id 0 goes to the next VIP, with policy slot 0. */
	apply(m, "vip add 10.0.0.5:81/tcp\n", NULL);
	assert_int_equal(parse_vip("10.0.0.5:81/tcp", &k), 0);
	assert_int_equal(model_vip_find(m, &k), 0);
	assert_int_equal(m->vips[0].info.policy_slot, 0);
	/* server del takes its devices. */
	apply(m, "server del s6\n", NULL);
	assert_int_equal(model_device_find(m, "d6"), -1);
	free(m);
}

/*
 * A device id given to a new device takes the next generation (the
 * datapath's connections of the old device do not follow it); the emptied
 * slot keeps the generation, also across a whole VIP's removal.
 */
static void test_device_generations(void **state)
{
	struct model *m = new_model();
	__u16 gen;
	int d;

	(void)state;
	apply(m, base_config, NULL);
	d = model_device_find(m, "d1");
	gen = m->devices[d].gen;
	assert_int_not_equal(gen, 0);
	apply(m, "device del d1\n", NULL);
	assert_int_equal(m->devices[d].in_use, 0);
	assert_int_equal(m->devices[d].gen, gen);
	apply(m, "device add d9 server s6 addr fd00:1::9 port 53\n", NULL);
	assert_int_equal(model_device_find(m, "d9"), d);
	assert_int_equal(m->devices[d].gen, hauler_dev_gen_next(gen));
	/* In one batch too: deleted and added again under the same name. */
	apply(m, "device del d9\ndevice add d9 server s6 addr fd00:1::9 port 53\n", NULL);
	assert_int_equal(m->devices[d].gen, hauler_dev_gen_next(hauler_dev_gen_next(gen)));
	apply(m, "vip del [fd00::1]:53/udp\n", NULL);
	assert_int_equal(m->devices[d].gen, hauler_dev_gen_next(hauler_dev_gen_next(gen)));
	/* The generation wraps past 0, which only a slot never used has. */
	assert_int_equal(hauler_dev_gen_next(0xffff), 1);
	free(m);
}

/*
 * In nat mode a device address:port (per protocol) belongs to one VIP:
 * devices of that VIP, ipip VIPs and nat VIPs of another protocol may
 * share it. A refused add changes nothing.
 */
static void test_nat_device_address_unique(void **state)
{
	struct model *m = new_model();
	struct model *before = new_model();

	(void)state;
	apply(m, base_config, NULL);
	apply(m,
	      "vip add 10.0.0.2:80/tcp\nserver add t1 vip 10.0.0.2:80/tcp\n"
	      "vip add 10.0.0.2:80/udp\nserver add u1 vip 10.0.0.2:80/udp\n"
	      "vip add 10.0.0.3:80/tcp mode ipip\nserver add i1 vip 10.0.0.3:80/tcp\n",
	      NULL);
	memcpy(before, m, sizeof(*m));
	apply(m, "device add x1 server t1 addr 10.1.0.1 port 8080\n", "device 'd1'");
	assert_memory_equal(m, before, sizeof(*m));
	apply(m,
	      "device add x0 server s2 addr 10.1.0.1 port 8080\n"
	      "device add x1 server t1 addr 10.1.0.1 port 8090\n"
	      "device add x2 server u1 addr 10.1.0.1 port 8080\n"
	      "device add x3 server i1 addr 10.1.0.1 port 8080\n",
	      NULL);
	/* Once d1 and x0 are gone their address:port is free for another VIP. */
	apply(m, "device del d1\ndevice add x4 server t1 addr 10.1.0.1 port 8080\n", "device 'x0'");
	apply(m, "device del d1\ndevice del x0\ndevice add x4 server t1 addr 10.1.0.1 port 8080\n",
	      NULL);
	free(before);
	free(m);
}

static void test_pool_servers(void **state)
{
	struct maglev_server s[HAULER_MAX_SERVERS];
	struct model *m = new_model();
	int n;

	(void)state;
	apply(m, base_config, NULL);
	n = model_pool_servers(m, 0, s);
	assert_int_equal(n, 2);
	assert_string_equal(s[0].name, "s1");
	assert_int_equal(s[0].weight, 3);
	assert_string_equal(s[1].name, "s2");
	assert_int_equal(s[1].weight, 0); /* no device up: out of the pool */
	assert_int_equal(model_pool_servers(m, 1, s), 1);
	free(m);
}

static void test_save_round_trip(void **state)
{
	struct model *m = new_model(), *restored = new_model(), *again = new_model();
	char *first, *second, *third;

	(void)state;
	apply(m, base_config, NULL);
	apply(m, "config set tunnel-src6 fd00:99::1\n", NULL);
	apply(m, "policy set 10.0.0.1:80/tcp prt metric queue threshold 70 stale-ms 40\n", NULL);
	assert_int_equal(m->params[0].metric_set, 1);
	assert_int_equal(m->params[0].metric, 3);
	assert_int_equal(m->params[0].threshold, 70);
	apply(m, "policy set [fd00::1]:53/udp lur metric net,cmp spill 3\n", NULL);
	first = save_text(m);
	assert_non_null(strstr(first, "vip add 10.0.0.1:80/tcp mode nat policy prt metric queue "
				      "threshold 70 stale-ms 40 table-size 4093\n"));
	assert_non_null(strstr(first, "policy lur metric cmp,net spill 3 "));
	apply(restored, first, NULL);
	/* Without holes in the ids the restored model is the same, byte for byte. */
	assert_memory_equal(restored->vips, m->vips, sizeof(m->vips));
	assert_memory_equal(restored->params, m->params, sizeof(m->params));
	assert_memory_equal(restored->servers, m->servers, sizeof(m->servers));
	assert_memory_equal(restored->devices, m->devices, sizeof(m->devices));
	assert_memory_equal(&restored->config, &m->config, sizeof(m->config));
	second = save_text(restored);
	assert_string_equal(first, second);

	apply(m, "policy set [fd00::1]:53/udp wrr stale-ms 250\n", NULL);
	/* With holes the ids close up, but saving again gives the same text. */
	apply(m,
	      "device del d1\nserver del s2\nvip add 10.0.0.7:443/tcp mode ipip\n"
	      "server add s7 vip 10.0.0.7:443/tcp weight 9\n"
	      "device add d7 server s1 addr 10.1.0.7 port 7 weight 0 state down\n",
	      NULL);
	free(first);
	first = save_text(m);
	apply(again, first, NULL);
	third = save_text(again);
	assert_string_equal(first, third);
	assert_non_null(strstr(first, "vip add [fd00::1]:53/udp mode ipip policy wrr stale-ms 250 "
				      "table-size 7\n"));
	assert_non_null(strstr(first, "device add d7 server s1 addr 10.1.0.7 port 7 kind cpu "
				      "weight 0 state down\n"));
	free(first);
	free(second);
	free(third);
	free(m);
	free(restored);
	free(again);
}

static void test_device_keys(void **state)
{
	struct model *m = new_model(), *restored = new_model();
	const char *hex = "000102030405060708090a0b0c0d0e0f";
	char *text, line[128];
	__u64 k0 = 0, k1 = 0;
	int d1;

	(void)state;
	apply(m, base_config, NULL);
	d1 = model_device_find(m, "d1");
	assert_false(report_key_set(&m->keys[d1]));
	snprintf(line, sizeof(line), "device key d1 %s\n", hex);
	apply(m, line, NULL);
	assert_int_equal(report_key_parse(hex, &k0, &k1), 0);
	assert_true(m->keys[d1].k0 == k0 && m->keys[d1].k1 == k1);
	assert_true(k0 == 0x0706050403020100ull); /* bytes 0..7, little-endian */
	/* A bad key is never echoed back (it may be a near-miss of a secret). */
	apply(m, "device key d1 0001020304050607\n", "KEY must be 32 hex digits");
	assert_null(strstr(err_msg(), "0001020304050607"));
	/* generate: a fresh random key each time, never zero. */
	apply(m, "device key d2\ndevice key d3 generate\n", NULL);
	assert_true(report_key_set(&m->keys[model_device_find(m, "d2")]));
	assert_true(report_key_set(&m->keys[model_device_find(m, "d3")]));
	assert_memory_not_equal(&m->keys[model_device_find(m, "d2")],
				&m->keys[model_device_find(m, "d3")], sizeof(struct dev_key));

	/* A plain save holds no key: only a note that there is one. */
	text = save_text(m);
	assert_null(strstr(text, hex));
	assert_non_null(strstr(text, "# device d1 has a report key: not saved"));
	free(text);
	/* save --keys writes the keys; a restore gives every device its key back. */
	text = save_text_keys(m, 1);
	snprintf(line, sizeof(line),
		 "device add d1 server s1 addr 10.1.0.1 port 8080 kind cpu "
		 "weight 1 state up\ndevice key d1 %s\n",
		 hex);
	assert_non_null(strstr(text, line));
	apply(restored, text, NULL);
	assert_memory_equal(restored->keys, m->keys, sizeof(m->keys));
	free(text);

	/* Deleting a device forgets its key; a new device on the id starts clean. */
	memset(m->dev_new, 0, sizeof(m->dev_new)); /* as if loaded from the maps */
	apply(m, "device del d1\n", NULL);
	assert_false(report_key_set(&m->keys[d1]));
	apply(m, "device add dx server s2 addr 10.1.0.9 port 1\n", NULL);
	assert_int_equal(model_device_find(m, "dx"), d1);
	assert_false(report_key_set(&m->keys[d1]));
	assert_int_equal(m->dev_new[d1], 1);
	/* vip del takes the keys of its devices along. */
	apply(m, "device key d2 ffeeddccbbaa99887766554433221100\n", NULL);
	apply(m, "vip del 10.0.0.1:80/tcp\n", NULL);
	assert_false(report_key_set(&m->keys[1]));
	free(m);
	free(restored);
}

/*
 * Keys come from a file (or stdin), never from the command line: the
 * file's 32 hex digits and one line end are taken; anything more, or a
 * literal key on argv, is refused and changes nothing.
 */
static void test_key_sources(void **state)
{
	const char *hex = "000102030405060708090a0b0c0d0e0f";
	struct model *m = new_model(), *before = new_model();
	char path[] = "/tmp/hauler-key-XXXXXX", line[128];
	char *argv_lit[] = {"key", "d1", (char *)hex};
	char *argv_gen[] = {"key", "d1", "generate"};
	char *argv_file[] = {"key", "d1", "file", path};
	char *argv_stdin[] = {"key", "d1", "-"};
	int fd, d1;

	(void)state;
	apply(m, base_config, NULL);
	d1 = model_device_find(m, "d1");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, hex, 32), 32);
	assert_int_equal(write(fd, "\n", 1), 1);
	close(fd);
	snprintf(line, sizeof(line), "device key d1 file %s\n", path);
	apply(m, line, NULL);
	assert_int_equal(m->keys[d1].k0, 0x0706050403020100ull);
	/* A second line is not a key file. */
	fd = open(path, O_WRONLY | O_APPEND);
	assert_int_equal(write(fd, "junk\n", 5), 5);
	close(fd);
	memcpy(before, m, sizeof(*m));
	apply(m, line, "holds more than one line");
	assert_memory_equal(m, before, sizeof(*m));
	unlink(path);
	/* On the command line a key is refused; generate, file and - are not. */
	assert_int_not_equal(cmd_secret_on_argv(3, argv_lit), 0);
	assert_non_null(strstr(err_msg(), "ps"));
	assert_null(strstr(err_msg(), hex));
	assert_int_equal(cmd_secret_on_argv(3, argv_gen), 0);
	assert_int_equal(cmd_secret_on_argv(4, argv_file), 0);
	assert_int_equal(cmd_secret_on_argv(3, argv_stdin), 0);
	free(m);
	free(before);
}

/* The flow seed, the report window and raw reports: set, saved (the seed only with keys). */
static void test_config_security(void **state)
{
	struct model *m = new_model(), *restored = new_model();
	char *text;

	(void)state;
	assert_int_equal(m->config.report_window_s, HAULER_REPORT_WINDOW_DEFAULT_S);
	apply(m, "config set flow-seed 89abcdef report-window 30 raw-reports lo\n", NULL);
	assert_int_equal(m->config.flow_seed, 0x89abcdef);
	assert_int_equal(m->config.report_window_s, 30);
	assert_int_equal(m->config.raw_report_ifindex, 1);
	text = save_text(m);
	assert_null(strstr(text, "flow-seed"));
	assert_non_null(strstr(text, " report-window 30 raw-reports lo"));
	free(text);
	text = save_text_keys(m, 1);
	assert_non_null(strstr(text, " flow-seed 89abcdef"));
	apply(restored, text, NULL);
	assert_memory_equal(&restored->config, &m->config, sizeof(m->config));
	free(text);
	apply(m, "config set report-window off raw-reports off flow-seed random\n", NULL);
	assert_int_equal(m->config.report_window_s, 0);
	assert_int_equal(m->config.raw_report_ifindex, 0);
	text = save_text(m);
	assert_non_null(strstr(text, " report-window off"));
	assert_null(strstr(text, "raw-reports"));
	free(text);
	apply(m, "device resync d1\n", "no device 'd1'");
	apply(m, base_config, NULL);
	apply(m, "device resync d1\n", NULL);
	assert_int_equal(m->dev_resync[model_device_find(m, "d1")], 1);
	free(m);
	free(restored);
}

/*
 * The ipip confirmation budget: the default on a first up, set at run time,
 * written by save and restored by it, a change seen by apply's diff.
 */
static void test_config_confirm_budget(void **state)
{
	struct model *m = new_model(), *restored = new_model();
	char *text;

	(void)state;
	assert_int_equal(m->config.confirm_burst, HAULER_CONFIRM_BURST_DEFAULT);
	text = save_text(m);
	assert_non_null(strstr(text, " confirm-budget 512"));
	free(text);
	apply(m, "config set confirm-budget 64\n", NULL);
	assert_int_equal(m->config.confirm_burst, 64);
	apply(m, "config set confirm-budget 1000000 rst-linger 200\n", NULL);
	assert_int_equal(m->config.confirm_burst, 1000000);
	assert_int_equal(m->config.rst_linger_ms, 200);
	text = save_text(m);
	assert_non_null(strstr(text, " confirm-budget 1000000"));
	apply(restored, text, NULL);
	assert_int_equal(restored->config.confirm_burst, 1000000);
	assert_memory_equal(&restored->config, &m->config, sizeof(m->config));
	free(text);
	free(m);
	free(restored);
}

/*
 * The writers' lock: a second writer waits, and gives up with a clear
 * error while the first holds it; it gets it once released; a lock on a
 * pin directory that was removed and made again is taken on the new one.
 */
static void test_writers_lock(void **state)
{
	char dir[] = "/tmp/hauler-lock-XXXXXX";
	int a, b;

	(void)state;
	assert_non_null(mkdtemp(dir));
	a = lock_take(dir, 0);
	assert_true(a >= 0);
	assert_true(lock_take(dir, 50) < 0);
	assert_non_null(strstr(err_msg(), "holds the lock"));
	lock_release(a);
	b = lock_take(dir, 0);
	assert_true(b >= 0);
	lock_release(b);
	assert_int_equal(rmdir(dir), 0);
	assert_true(lock_take(dir, 0) < 0);
	assert_non_null(strstr(err_msg(), "not up"));
}

/* A NUL inside a batch line is an error, not a silently shorter line. */
static void test_batch_nul(void **state)
{
	static const char text[] = "vip add 10.0.0.1:80/tcp\0 policy wrr\n";
	struct model *m = new_model(), *before = new_model();
	FILE *in = fmemopen((void *)text, sizeof(text) - 1, "r");

	(void)state;
	assert_non_null(in);
	memcpy(before, m, sizeof(*m));
	assert_int_not_equal(batch_apply_stream(m, in, "nul"), 0);
	assert_non_null(strstr(err_msg(), "nul:1: NUL character"));
	assert_memory_equal(m, before, sizeof(*m));
	fclose(in);
	free(m);
	free(before);
}

static void test_policy_params_table(void **state)
{
	struct model *m = new_model(), *restored = new_model();
	char *text;

	(void)state;
	apply(m, base_config, NULL);
	apply(m, "policy set 10.0.0.1:80/tcp dwrr metric mem interval-ms 50 stale-ms 300\n", NULL);
	assert_string_equal((char *)m->params[0].name, "dwrr");
	assert_int_equal(m->params[0].metric_set, 1);
	assert_int_equal(m->params[0].metric, 1);
	assert_int_equal(m->params[0].stale_ms, 300);
	assert_int_equal(m->interval_ms[0], 50);
	apply(m, "policy set [fd00::1]:53/udp p2c metric latency\n", NULL);
	assert_int_equal(m->params[1].metric, 5);
	/* Every policy takes stale-ms and stale-periods; a custom one only those. */
	apply(m, "policy set [fd00::1]:53/udp ecmp stale-ms 7 stale-periods 3\n", NULL);
	assert_int_equal(m->params[1].stale_periods, 3);
	text = save_text(m);
	assert_non_null(strstr(text, "policy dwrr metric mem interval-ms 50 stale-ms 300 "));
	assert_non_null(strstr(text, "policy ecmp stale-periods 3 stale-ms 7 "));
	apply(restored, text, NULL);
	assert_memory_equal(restored->params, m->params, sizeof(m->params));
	assert_memory_equal(restored->interval_ms, m->interval_ms, sizeof(m->interval_ms));
	/* Leaving dwrr forgets its interval. */
	apply(m, "policy set 10.0.0.1:80/tcp wrr\n", NULL);
	assert_int_equal(m->interval_ms[0], 0);
	free(text);
	free(m);
	free(restored);
}

/* server set NAME spill-to OTHER: stored as index + 1, saved, shown, cleared with OTHER. */
static void test_server_spill_to(void **state)
{
	struct model *m = new_model(), *restored = new_model();
	int s1, s2;
	char *text;

	(void)state;
	apply(m, base_config, NULL);
	s1 = model_server_find(m, "s1");
	s2 = model_server_find(m, "s2");
	apply(m, "server set s1 spill-to s2\nserver set s2 spill-to s1\n", NULL);
	assert_int_equal(m->servers[s1].spill_to, s2 + 1);
	assert_int_equal(m->servers[s2].spill_to, s1 + 1);
	text = save_text(m);
	assert_non_null(strstr(text, "server set s1 spill-to s2\nserver set s2 spill-to s1\n"));
	apply(restored, text, NULL);
	assert_memory_equal(restored->servers, m->servers, sizeof(m->servers));
	free(text);
	apply(m, "server set s1 spill-to none\n", NULL);
	assert_int_equal(m->servers[s1].spill_to, 0);
	apply(m, "server set s1 spill-to s2\nserver del s2\n", NULL);
	assert_int_equal(m->servers[s1].spill_to, 0); /* its target is gone */
	text = save_text(m);
	assert_null(strstr(text, "spill-to"));
	free(text);
	free(m);
	free(restored);
}

/* The flat tier: set and saved per VIP, its group, its bound of 8 devices. */
static void test_vip_tier_flat(void **state)
{
	struct model *m = new_model(), *before = new_model(), *restored = new_model();
	struct server_info g;
	struct vip_key k;
	char line[128], *text;
	int v, i;

	(void)state;
	apply(m, base_config, NULL);
	assert_int_equal(parse_vip("10.0.0.1:80/tcp", &k), 0);
	v = model_vip_find(m, &k);
	assert_int_equal(m->vips[v].info.tier, HAULER_TIER_MAGLEV);
	apply(m, "vip set 10.0.0.1:80/tcp tier flat\n", NULL);
	assert_int_equal(m->vips[v].info.tier, HAULER_TIER_FLAT);
	/* The group: s1's three devices, then s2's: every device of the VIP. */
	apply(m, "device add d4 server s2 addr 10.1.0.4 port 8080 weight 2\n", NULL);
	assert_int_equal(model_flat_group(m, v, &g), 4);
	for (i = 0; i < 3; i++)
		assert_int_equal(g.dev[i], m->servers[model_server_find(m, "s1")].dev[i]);
	assert_int_equal(g.dev[3], model_device_find(m, "d4"));
	assert_int_equal(g.vip_id, v);
	assert_int_equal(g.in_use, 1);
	text = save_text(m);
	assert_non_null(strstr(text, "vip add 10.0.0.1:80/tcp mode nat policy hash table-size "
				     "4093 tier flat\n"));
	apply(restored, text, NULL);
	assert_memory_equal(restored->vips, m->vips, sizeof(m->vips));
	free(text);

	/* Up to 8 devices over the VIP's servers; a ninth is refused, changing nothing. */
	for (i = 4; i < HAULER_DEVS_PER_SERVER; i++) {
		snprintf(line, sizeof(line), "device add e%d server s2 addr 10.1.1.%d port 80\n", i,
			 i);
		apply(m, line, NULL);
	}
	assert_int_equal(model_flat_group(m, v, &g), HAULER_DEVS_PER_SERVER);
	memcpy(before, m, sizeof(*m));
	apply(m, "device add e9 server s1 addr 10.1.1.9 port 80\n",
	      "the VIP of server 's1' is flat and has 8 devices");
	assert_memory_equal(m, before, sizeof(*m));
	/* Back to Maglev: no bound; with a ninth device, flat again is refused. */
	apply(m,
	      "vip set 10.0.0.1:80/tcp tier maglev\n"
	      "device add e9 server s1 addr 10.1.1.9 port 80\n",
	      NULL);
	memcpy(before, m, sizeof(*m));
	apply(m, "vip set 10.0.0.1:80/tcp tier flat\n",
	      "VIP 10.0.0.1:80/tcp has 9 devices: a flat VIP takes at most 8");
	apply(m, "vip set 10.0.0.1:80/tcp tier ring\n", "tier");
	apply(m, "vip set 10.0.0.1:80/tcp flat\n", "vip set");
	apply(m, "vip set 10.0.0.9:80/tcp tier flat\n", "10.0.0.9:80/tcp");
	apply(m, "vip add 10.0.0.8:80/tcp tier sideways\n", "tier");
	assert_memory_equal(m, before, sizeof(*m));
	apply(m, "vip add 10.0.0.8:80/tcp tier flat\n", NULL);
	assert_int_equal(parse_vip("10.0.0.8:80/tcp", &k), 0);
	assert_int_equal(m->vips[model_vip_find(m, &k)].info.tier, HAULER_TIER_FLAT);
	free(m);
	free(before);
	free(restored);
}

static void test_policy_format(void **state)
{
	struct policy_choice c;
	char *argv[] = {"threshold", "70", "next"};
	char buf[128];

	(void)state;
	assert_int_equal(policy_parse_params("prt", 3, argv, &c), 2);
	policy_format_params(&c.params, c.interval_ms, buf, sizeof(buf));
	assert_string_equal(buf, "threshold 70");
	/* show: every parameter in force, defaults from params.def included. */
	policy_format_effective(&c.params, c.interval_ms, buf, sizeof(buf));
	assert_string_equal(buf, "metric cmp threshold 70 stale-periods 10 stale-ms 100 spill 0");
	assert_int_equal(policy_parse_params("dwrr", 0, argv, &c), 0);
	policy_format_effective(&c.params, c.interval_ms, buf, sizeof(buf));
	assert_string_equal(buf,
			    "metric cmp interval-ms 100 stale-periods 10 stale-ms 100 spill 0");
	assert_int_equal(policy_parse_params("mine", 0, argv, &c), 0);
	policy_format_effective(&c.params, c.interval_ms, buf, sizeof(buf));
	assert_string_equal(buf, "stale-periods 10 stale-ms 100 spill 0");
	/* prt's default threshold is "fully utilized". */
	assert_int_equal(policy_parse_params("prt", 0, argv, &c), 0);
	policy_format_effective(&c.params, c.interval_ms, buf, sizeof(buf));
	assert_string_equal(buf, "metric cmp threshold 100 stale-periods 10 stale-ms 100 spill 0");
}

/* Thresholds in the metric's unit, combined metrics, spill: parsed, stored, written back. */
static void test_policy_metric_params(void **state)
{
	char *lat[] = {"metric", "latency", "threshold", "150", "spill", "2"};
	char *max[] = {"threshold", "90", "metric", "mem,cmp"};
	char *conns[] = {"metric", "conns", "threshold", "5000"};
	struct policy_choice c;
	char buf[128];

	(void)state;
	assert_int_equal(policy_parse_params("prt", 6, lat, &c), 6);
	assert_int_equal(c.params.metric, HAULER_METRIC_LATENCY);
	assert_int_equal(c.params.threshold, 150); /* milliseconds, as typed */
	assert_int_equal(c.params.spill, 2);
	policy_format_params(&c.params, c.interval_ms, buf, sizeof(buf));
	assert_string_equal(buf, "metric latency threshold 150 spill 2");

	assert_int_equal(policy_parse_params("prt", 4, max, &c), 4);
	assert_int_equal(c.params.metric, HAULER_METRIC_CMP);
	assert_int_equal(c.params.metrics, (1u << HAULER_METRIC_CMP) | (1u << HAULER_METRIC_MEM));
	policy_format_params(&c.params, c.interval_ms, buf, sizeof(buf));
	assert_string_equal(buf, "metric cmp,mem threshold 90");

	assert_int_equal(policy_parse_params("prt", 4, conns, &c), 4);
	assert_int_equal(c.params.threshold, 5000);

	assert_int_equal(policy_parse_params("lur", 2, max + 2, &c), 2);
	policy_format_params(&c.params, c.interval_ms, buf, sizeof(buf));
	assert_string_equal(buf, "metric cmp,mem");
	/* One metric: no mask. */
	assert_int_equal(policy_parse_params("lur", 2, lat, &c), -ERR_INPUT);
	max[3] = "net";
	assert_int_equal(policy_parse_params("lur", 2, max + 2, &c), 2);
	assert_int_equal(c.params.metrics, 0);
	assert_int_equal(c.params.metric, HAULER_METRIC_NET);
}

static void test_custom_policies_in_model(void **state)
{
	struct model *m = new_model(), *before = new_model();
	char *text;

	(void)state;
	apply(m, base_config, NULL);
	apply(m, "policy set 10.0.0.1:80/tcp mine\n", "unknown policy 'mine'");
	/* What `policy load` records once it checked the file. */
	assert_int_equal(model_policy_load(m, "mine", "/opt/pol/mine.bpf.o"), 0);
	assert_int_equal(m->custom[model_custom_find(m, "mine")].reload, 1);
	assert_int_equal(model_policy_load(m, "hash", "/x.o"), -ERR_INPUT);
	apply(m, "policy set 10.0.0.1:80/tcp mine stale-ms 50\n", NULL);
	apply(m, "policy set 10.0.0.1:80/tcp mine threshold 5\n",
	      "policy 'mine' takes no parameter 'threshold'");
	memcpy(before, m, sizeof(*m));
	apply(m, "policy unload mine\n", "policy 'mine' is in use by VIP 10.0.0.1:80/tcp");
	assert_memory_equal(m, before, sizeof(*m));
	/* save loads it before any VIP names it. */
	text = save_text(m);
	assert_non_null(strstr(text, "policy load mine /opt/pol/mine.bpf.o\n"));
	assert_true(strstr(text, "policy load mine") < strstr(text, "policy mine stale-ms 50"));
	free(text);
	apply(m, "policy set 10.0.0.1:80/tcp hash\npolicy unload mine\n", NULL);
	assert_int_equal(model_custom_find(m, "mine"), -1);
	apply(m, "policy set 10.0.0.1:80/tcp mine\n", "unknown policy 'mine'");
	free(m);
	free(before);
}

static void test_batch_split(void **state)
{
	char line[] = "  vip add\t10.0.0.1:80/tcp   # comment words\r\n";
	char *words[BATCH_MAX_WORDS + 1];

	(void)state;
	assert_int_equal(batch_split(line, words, BATCH_MAX_WORDS), 3);
	assert_string_equal(words[0], "vip");
	assert_string_equal(words[1], "add");
	assert_string_equal(words[2], "10.0.0.1:80/tcp");
	assert_null(words[3]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_vip_good),
	    cmocka_unit_test(test_parse_vip_bad),
	    cmocka_unit_test(test_parse_addr),
	    cmocka_unit_test(test_parse_addr_port),
	    cmocka_unit_test(test_parse_name),
	    cmocka_unit_test(test_parse_numbers_and_keywords),
	    cmocka_unit_test(test_batch_builds_model),
	    cmocka_unit_test(test_batch_error_changes_nothing),
	    cmocka_unit_test(test_command_errors),
	    cmocka_unit_test(test_limits),
	    cmocka_unit_test(test_ids_cascade_and_compaction),
	    cmocka_unit_test(test_device_generations),
	    cmocka_unit_test(test_nat_device_address_unique),
	    cmocka_unit_test(test_pool_servers),
	    cmocka_unit_test(test_save_round_trip),
	    cmocka_unit_test(test_device_keys),
	    cmocka_unit_test(test_key_sources),
	    cmocka_unit_test(test_config_security),
	    cmocka_unit_test(test_config_confirm_budget),
	    cmocka_unit_test(test_batch_nul),
	    cmocka_unit_test(test_writers_lock),
	    cmocka_unit_test(test_policy_params_table),
	    cmocka_unit_test(test_server_spill_to),
	    cmocka_unit_test(test_vip_tier_flat),
	    cmocka_unit_test(test_policy_format),
	    cmocka_unit_test(test_policy_metric_params),
	    cmocka_unit_test(test_custom_policies_in_model),
	    cmocka_unit_test(test_batch_split),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
