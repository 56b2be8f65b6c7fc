// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_health_reset.c - `on-down reset` (user/health_daemon.c) removes the
 * failed device's flows and no other's: not another device's, and not
 * those of an earlier device that had the same id (another generation);
 * a nat return entry is marked instead (CONN_RESET), not removed.
 * On a plain BPF hash map of the connection table's key and value; and
 * on the compact table (ctable_map.c), a BPF array of buckets larger
 * than one read of it: exactly the device's slots of its generation are
 * cleared, and the counts hauler status reads agree with ct_view.h's.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <cmocka.h>

#include "ctable_map.h"
#include "error.h"
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

#define CT_N	 8200 /* buckets: more than two chunks of ct_map_walk (4096) */
#define CT_NOW	 500  /* ticks */
#define CT_SEED	 0x1234u
#define CT_FLOWS 12000

/* A ctable map of n buckets, made with flags (the schema's: BPF_F_MMAPABLE). */
static int ctable_create(__u32 n, __u32 flags)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = flags);

	return bpf_map_create(BPF_MAP_TYPE_ARRAY, "t_ctable", sizeof(__u32),
			      sizeof(struct ct_bucket), n, &o);
}

static void test_reset_compact(void **state)
{
	struct config cfg = {.rst_linger_ms = 1000, .fin_grace_ms = 10000, .udp_timeout_ms = 30000};
	struct ct_bucket *t = calloc(CT_N, sizeof(*t)), *back = calloc(CT_N, sizeof(*t)), want;
	struct ct_view *v = calloc(1, sizeof(*v));
	struct ct_counts mine = {}, theirs;
	struct hauler_maps maps;
	unsigned long doomed = 0;
	__u32 i;
	int fd;

	(void)state;
	assert_non_null(t);
	assert_non_null(back);
	assert_non_null(v);
	fd = ctable_create(CT_N, BPF_F_MMAPABLE);
	if (fd < 0)
		skip();
	ct_view_set(v, &cfg, (__u64)CT_NOW << HAULER_CT_TICK_SHIFT);
	ct_view_device(v, 5, 2);
	ct_view_device(v, 6, 2);
	/* Device 5 (gen 2, and gen 66: the same 6 bits), 5 of gen 1 (earlier), 6; half of each
	 * open. */
	for (i = 0; i < CT_FLOWS; i++) {
		static const __u32 dev[4] = {5, 5, 6, 5}, gen[4] = {2, 1, 2, 66};
		struct flow_key f = {.family = 4, .proto = IPPROTO_TCP, .dport = htons(80)};

		f.src[0] = htonl(0x0a000000u + i);
		f.dst[0] = htonl(0x0a090001u);
		f.sport = htons(1024 + i % 50000);
		assert_int_equal(ct_mem_insert(t, CT_N, &f, CT_SEED,
					       ct_slot_make(0, dev[i % 4], gen[i % 4],
							    i & 4 ? CT_F_HALF : 0, CT_NOW),
					       CT_NOW, &v->l),
				 CT_INSERTED);
	}
	for (i = 0; i < CT_N; i++) {
		doomed += ct_bucket_drop(&t[i], 5, 2, &want);
		assert_int_equal(bpf_map_update_elem(fd, &i, &t[i], BPF_ANY), 0);
	}
	assert_int_equal(doomed, CT_FLOWS / 2);
	/* What hauler status counts: gen 1's slots are gone, not counted. */
	ct_count_buckets(v, t, CT_N, &mine);
	assert_int_equal(ct_map_count(fd, CT_N, v, &theirs), 0);
	assert_memory_equal(&mine, &theirs, sizeof(mine));
	assert_int_equal(theirs.n[CT_S_OPEN] + theirs.n[CT_S_HALF], CT_FLOWS * 3 / 4);
	assert_int_equal(theirs.n[CT_S_GONE], CT_FLOWS / 4);

	memset(&maps, -1, sizeof(maps));
	maps.ctable = fd;
	cfg.ct_buckets = CT_N;
	assert_int_equal(health_device_reset(&maps, &cfg, 5, 2), doomed);
	for (i = 0; i < CT_N; i++) {
		assert_int_equal(bpf_map_lookup_elem(fd, &i, &back[i]), 0);
		ct_bucket_drop(&t[i], 5, 2, &want);
		assert_memory_equal(&back[i], &want, sizeof(want));
	}
	/* Again: nothing left of it; the others stay. */
	assert_int_equal(ct_map_reset_device(fd, CT_N, 5, 2), 0);
	assert_int_equal(ct_map_count(fd, CT_N, v, &theirs), 0);
	assert_int_equal(theirs.n[CT_S_OPEN] + theirs.n[CT_S_HALF], CT_FLOWS / 4);
	assert_int_equal(theirs.n[CT_S_GONE], CT_FLOWS / 4);
	close(fd);
	free(t);
	free(back);
	free(v);
}

/*
 * The reset's race: datapath writes to a bucket between the walk's read
 * of it (seen) and the reset's writes. Each of the device's slots is
 * cleared by its own compare-and-swap through the map's pages, so a new
 * flow in an empty slot, the bucket's hint (CT_SPILLED, set on slot 0,
 * one of the device's) and a slot another flow took all stay as the
 * datapath wrote them; a slot of the device refreshed in the window is
 * still cleared. A write of the whole bucket made from seen undid all
 * three. A map that cannot be mapped (pinned before schema 24) is an
 * error, not a reset that clears nothing.
 */
static void test_reset_compact_race(void **state)
{
	long page = sysconf(_SC_PAGESIZE);
	__u64 mine = ct_slot_make(0x111, 5, 2, 0, CT_NOW),
	      other = ct_slot_make(0x222, 6, 2, 0, CT_NOW),
	      fresh = ct_slot_make(0x333, 7, 1, CT_F_HALF, CT_NOW + 1);
	struct ct_bucket seen, *m;
	__u32 k = 1;
	int fd, k2;

	(void)state;
	fd = ctable_create(4, BPF_F_MMAPABLE);
	if (fd < 0)
		skip();
	m = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(m != MAP_FAILED);
	/* Bucket 1: the device's flows in slots 0, 2, 4 and 5; another device's in 1. */
	m[k].slot[0] = mine;
	m[k].slot[1] = other;
	m[k].slot[2] = mine + ((__u64)1 << CT_DIGEST_SHIFT);
	m[k].slot[4] = mine + ((__u64)2 << CT_DIGEST_SHIFT);
	m[k].slot[5] = mine + ((__u64)3 << CT_DIGEST_SHIFT);
	seen = m[k];
	/* The datapath, after the read: */
	m[k].slot[3] = fresh;	    /* a new flow's insert */
	m[k].slot[0] |= CT_SPILLED; /* a flow of the bucket spilled to its second */
	m[k].slot[4] = fresh + (1ULL << CT_DIGEST_SHIFT);	 /* another flow took the slot */
	m[k].slot[5] = ct_slot_make(0x114, 5, 2, 0, CT_NOW + 2); /* a refresh */
	assert_int_equal(ct_bucket_clear_device(&m[k], &seen, 5, 2), 3);
	assert_true(m[k].slot[0] == CT_SPILLED);
	assert_true(m[k].slot[1] == other);
	assert_true(m[k].slot[2] == 0);
	assert_true(m[k].slot[3] == fresh);
	assert_true(m[k].slot[4] == fresh + (1ULL << CT_DIGEST_SHIFT));
	assert_true(m[k].slot[5] == 0);
	/* Through the map: the other buckets untouched, nothing of the device left. */
	for (k2 = 0; k2 < 4; k2++)
		if (k2 != (int)k)
			assert_true(m[k2].slot[0] == 0);
	m[k].slot[6] = mine;
	assert_int_equal(ct_map_reset_device(fd, 4, 5, 2), 1);
	assert_true(m[k].slot[6] == 0 && m[k].slot[0] == CT_SPILLED && m[k].slot[3] == fresh);
	assert_int_equal(munmap(m, page), 0);
	close(fd);

	fd = ctable_create(4, 0);
	assert_true(fd >= 0);
	assert_int_equal(ct_map_reset_device(fd, 4, 5, 2), -ERR_SYSTEM);
	assert_non_null(strstr(err_msg(), "cannot map ctable"));
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_reset_matches_generation),
	    cmocka_unit_test(test_reset_compact),
	    cmocka_unit_test(test_reset_compact_race),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
