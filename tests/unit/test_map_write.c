// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_map_write.c - the order of mapw_device's writes (user/map_write.c),
 * as a packet sees it between any two of them. On BPF maps of the
 * schema's layout (devices, dev_addrs, dev_hints, config), every write
 * the manager makes goes through this file's bpf_map_update_elem and
 * bpf_map_delete_elem, which stand in front of libbpf's (the executable's
 * symbol wins over the shared library's): each does the write, then asks
 * what the datapath would make of a late segment from the address the
 * device leaves, with the datapath's own lookup (include/hauler_reply.h).
 * A device that moves or is deleted must leave, at every step, either
 * itself (the entry not yet rewritten), a device of its VIP that keeps the
 * address, or a standing tombstone: never nothing, which the datapath
 * would pass to the kernel untranslated (commit 386bc8e: the old key's
 * tombstone before the device's entry). And from the moment the entry
 * says its new address, a reply from there finds the device.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <dlfcn.h>
#include <unistd.h>
#include <netinet/in.h>
#include <bpf/bpf.h>
#include <cmocka.h>

#include "clock.h"
#include "dev_tomb.h"
#include "hauler_keys.h"
#include "map_write.h"

/* The maps a nat reply's device is found in (hauler_reply.h): the test's BPF maps. */
struct ct_src {
	const struct hauler_maps *m;
	struct device_info dev;
	struct dev_hint hint;
	struct dev_ref ref;
};

static struct device_info *ct_src_device(struct ct_src *src, const __u32 *id)
{
	return bpf_map_lookup_elem(src->m->devices, id, &src->dev) ? NULL : &src->dev;
}

static struct dev_hint *ct_src_hint(struct ct_src *src, const __u32 *i)
{
	return bpf_map_lookup_elem(src->m->dev_hints, i, &src->hint) ? NULL : &src->hint;
}

static struct dev_ref *ct_src_addr(struct ct_src *src, const struct dev_addr *a)
{
	return bpf_map_lookup_elem(src->m->dev_addrs, a, &src->ref) ? NULL : &src->ref;
}

#include "hauler_reply.h"

#define NDEV	 8
#define DEV_PORT 8080
#define ADDR_A	 0x0a000201u /* 10.0.2.1: the address a device leaves */
#define ADDR_B	 0x0a000202u /* 10.0.2.2: where it goes */

/* What each write is checked against (watch_* set by the test, 0: not watching). */
static struct {
	struct hauler_maps m;
	int watch;     /* check after every write */
	__u32 moving;  /* the device that leaves ADDR_A */
	int writes;    /* writes checked */
	int tomb_seen; /* steps where the old address was a tombstone's */
	int failed;    /* a step where the old address was nobody's */
	int new_lost;  /* a step where the entry said ADDR_B and a reply from it found no device */
} w;

static int (*real_update)(int, const void *, const void *, __u64);
static int (*real_delete)(int, const void *);

/* A reply from addr:DEV_PORT (TCP, IPv4) to a client. */
static struct flow_key reply_from(__u32 addr)
{
	struct flow_key k = {.family = 4, .proto = IPPROTO_TCP};

	k.src[0] = htonl(addr);
	k.sport = htons(DEV_PORT);
	k.dst[0] = htonl(0x0a640001u);
	k.dport = htons(40000);
	return k;
}

/* The datapath's view, now: a device at addr (*id), a standing tombstone (2 and *id 0), or 0. */
static int seen_at(__u32 addr, __u32 *id)
{
	struct ct_src src = {.m = &w.m};
	struct flow_key k = reply_from(addr);
	struct dev_ref tomb;

	*id = 0;
	if (ct_reply_device_in(&src, &k, ct_dev_hint_in(&src, &k), id, &tomb))
		return 1;
	*id = 0;
	return hauler_dev_tomb_stands(&tomb, monotonic_ns()) ? 2 : 0;
}

/* After one write: what a late segment from ADDR_A, and a reply from ADDR_B, would meet. */
static void check_step(void)
{
	struct device_info d;
	__u32 id;
	int a;

	if (!w.watch)
		return;
	w.writes++;
	a = seen_at(ADDR_A, &id);
	if (!a)
		w.failed++;
	if (a == 2)
		w.tomb_seen++;
	if (!bpf_map_lookup_elem(w.m.devices, &w.moving, &d) && d.in_use &&
	    d.addr[0] == htonl(ADDR_B) && (seen_at(ADDR_B, &id) != 1 || id != w.moving))
		w.new_lost++;
}

int bpf_map_update_elem(int fd, const void *key, const void *value, __u64 flags)
{
	int ret;

	if (!real_update)
		real_update = dlsym(RTLD_NEXT, "bpf_map_update_elem");
	ret = real_update(fd, key, value, flags);
	if (!ret)
		check_step();
	return ret;
}

int bpf_map_delete_elem(int fd, const void *key)
{
	int ret;

	if (!real_delete)
		real_delete = dlsym(RTLD_NEXT, "bpf_map_delete_elem");
	ret = real_delete(fd, key);
	if (!ret)
		check_step();
	return ret;
}

static int setup(void **state)
{
	(void)state;
	memset(&w, 0, sizeof(w));
	w.m.devices = bpf_map_create(BPF_MAP_TYPE_ARRAY, "t_devices", sizeof(__u32),
				     sizeof(struct device_info), NDEV, NULL);
	w.m.dev_addrs = bpf_map_create(BPF_MAP_TYPE_HASH, "t_dev_addrs", sizeof(struct dev_addr),
				       sizeof(struct dev_ref), NDEV, NULL);
	w.m.dev_hints = bpf_map_create(BPF_MAP_TYPE_ARRAY, "t_dev_hints", sizeof(__u32),
				       sizeof(struct dev_hint), HAULER_DEV_HINTS, NULL);
	w.m.config = bpf_map_create(BPF_MAP_TYPE_ARRAY, "t_config", sizeof(__u32),
				    sizeof(struct config), 1, NULL);
	assert_true(w.m.devices >= 0 && w.m.dev_addrs >= 0 && w.m.dev_hints >= 0 &&
		    w.m.config >= 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	close(w.m.devices);
	close(w.m.dev_addrs);
	close(w.m.dev_hints);
	close(w.m.config);
	return 0;
}

/* A nat device of VIP 10.0.0.1:80/TCP (id 3) at addr:DEV_PORT. */
static struct device_info nat_dev(__u32 addr)
{
	struct vip_key vk = {.family = 4, .proto = IPPROTO_TCP, .port = htons(80)};
	struct device_info d = {.family = 4, .in_use = 1, .weight = 1, .gen = 1};

	vk.addr[0] = htonl(0x0a000001u);
	d.addr[0] = htonl(addr);
	d.port = htons(DEV_PORT);
	hauler_device_vip_set(&d, &vk, 3, HAULER_FWD_NAT);
	return d;
}

/* mapw_device(device, d), every write checked; the old address never nobody's. */
static void write_watched(__u32 device, const struct device_info *d)
{
	w.moving = device;
	w.writes = w.tomb_seen = w.failed = w.new_lost = 0;
	w.watch = 1;
	assert_int_equal(mapw_device(&w.m, device, d), 0);
	w.watch = 0;
	assert_true(w.writes >= 3); /* the hint, the old key, the entry at least */
	assert_int_equal(w.failed, 0);
	assert_int_equal(w.new_lost, 0);
}

/* Device 1 moves from A to B: A is its own, then a tombstone's, at every step. */
static void test_move_leaves_tomb_first(void **state)
{
	struct device_info a = nat_dev(ADDR_A), b = nat_dev(ADDR_B);
	__u32 id;

	(void)state;
	assert_int_equal(mapw_device(&w.m, 1, &a), 0);
	assert_int_equal(seen_at(ADDR_A, &id), 1);
	assert_int_equal(id, 1);
	write_watched(1, &b);
	assert_true(w.tomb_seen > 0);
	assert_int_equal(seen_at(ADDR_A, &id), 2);
	assert_int_equal(seen_at(ADDR_B, &id), 1);
	assert_int_equal(id, 1);
}

/* Device 1 deleted: its address is its own, then a tombstone's, at every step. */
static void test_delete_leaves_tomb_first(void **state)
{
	struct device_info a = nat_dev(ADDR_A), none = {};
	__u32 id;

	(void)state;
	assert_int_equal(mapw_device(&w.m, 1, &a), 0);
	write_watched(1, &none);
	assert_true(w.tomb_seen > 0);
	assert_int_equal(seen_at(ADDR_A, &id), 2);
}

/*
 * Devices 1 and 2 of the VIP share A, its key and its hint both naming 1
 * (1 added, then 2, then 1 written again, as a commit rewrites every
 * device); 1 moves to B: A is always a device's (2 takes the key before
 * 1's entry leaves), never a tombstone.
 */
static void test_move_key_to_other_first(void **state)
{
	struct device_info a = nat_dev(ADDR_A), b = nat_dev(ADDR_B);
	struct flow_key k = reply_from(ADDR_A);
	struct dev_hint h;
	struct dev_addr ka;
	struct dev_ref r;
	__u32 id, i;

	(void)state;
	assert_int_equal(mapw_device(&w.m, 1, &a), 0);
	assert_int_equal(mapw_device(&w.m, 2, &a), 0);
	assert_int_equal(mapw_device(&w.m, 1, &a), 0);
	hauler_dev_addr_key(&ka, k.src, k.sport, k.family, k.proto);
	i = hauler_dev_hint_index(&ka);
	assert_int_equal(bpf_map_lookup_elem(w.m.dev_addrs, &ka, &r), 0);
	assert_int_equal(r.id, 1);
	assert_int_equal(bpf_map_lookup_elem(w.m.dev_hints, &i, &h), 0);
	assert_int_equal(h.dev1, 1 + 1);
	write_watched(1, &b);
	assert_int_equal(w.tomb_seen, 0);
	assert_int_equal(seen_at(ADDR_A, &id), 1);
	assert_int_equal(id, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_move_leaves_tomb_first, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_delete_leaves_tomb_first, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_move_key_to_other_first, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
