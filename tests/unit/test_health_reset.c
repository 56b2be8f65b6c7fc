// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_health_reset.c - `on-down reset` (user/health_daemon.c) removes the
 * failed device's flows and no other's: not another device's, and not
 * those of an earlier device that had the same id (another generation);
 * a nat return entry is marked instead (CONN_RESET), not removed.
 * On a plain BPF hash map of the connection table's key and value.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <cmocka.h>

#include "health_daemon.h"

static struct flow_key flow(__u16 sport)
{
	struct flow_key k = {.family = 4, .proto = 6, .sport = sport, .dport = 80};

	k.src[0] = 0x0100000a;
	k.dst[0] = 0x0900000a;
	return k;
}

static void put_flags(int fd, __u16 sport, __u32 dev, __u16 gen, __u8 flags)
{
	struct flow_key k = flow(sport);
	struct conn c = {.device = dev, .dev_gen = gen, .vip_id = 1, .flags = flags};

	assert_int_equal(bpf_map_update_elem(fd, &k, &c, BPF_ANY), 0);
}

static void put(int fd, __u16 sport, __u32 dev, __u16 gen)
{
	put_flags(fd, sport, dev, gen, 0);
}

static int has(int fd, __u16 sport)
{
	struct flow_key k = flow(sport);
	struct conn c;

	return !bpf_map_lookup_elem(fd, &k, &c);
}

static void test_reset_matches_generation(void **state)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_HASH, "t_conns", sizeof(struct flow_key),
				sizeof(struct conn), 64, NULL);
	struct flow_key k;
	struct conn c;
	__u16 p;

	(void)state;
	if (fd < 0)
		skip();	  /* no BPF here (not root): nothing to test on */
	put(fd, 1, 5, 2); /* device 5 as it is now: generation 2 */
	put(fd, 2, 5, 2);
	put(fd, 3, 5, 1); /* an earlier device with id 5 */
	put(fd, 4, 6, 2); /* another device */
	put(fd, 5, 6, 1);
	put_flags(fd, 6, 5, 2, HAULER_CONN_REPLY); /* a nat return entry of device 5 */
	assert_int_equal(health_conns_reset(fd, 5, 2), 3);
	assert_false(has(fd, 1));
	assert_false(has(fd, 2));
	/* The return entry stays, marked: the device's replies get a RST, not the kernel. */
	k = flow(6);
	assert_int_equal(bpf_map_lookup_elem(fd, &k, &c), 0);
	assert_int_equal(c.flags, HAULER_CONN_REPLY | HAULER_CONN_RESET | HAULER_CONN_RST);
	assert_true(c.last_seen_ns > 0);
	assert_true(has(fd, 3));
	assert_true(has(fd, 4));
	assert_true(has(fd, 5));
	/* Again: nothing left of it; the others stay. */
	assert_int_equal(health_conns_reset(fd, 5, 2), 0);
	for (p = 3; p <= 6; p++)
		assert_true(has(fd, p));
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_reset_matches_generation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
