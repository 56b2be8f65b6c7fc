// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_hash - include/hauler_hash.h is MurmurHash3_x86_32: the published
 * reference vectors, SMHasher's verification value, the word form (what
 * the datapath runs) against the byte form, and flow hashes of two flow
 * keys worked out apart from hauler (a separate implementation of the
 * published algorithm, checked against the same vectors), and the compact
 * table's 64-bit place hash pinned. Every test
 * that predicts a flow's server or device with this hash leans on it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <math.h>
#include <netinet/in.h>
#include <cmocka.h>
/* hauler_hash.h unrolls with a clang pragma that gcc does not know. */
#pragma GCC diagnostic ignored "-Wunknown-pragmas"
#include "hauler_hash.h"
#include "hauler_keys.h"

/* MurmurHash3_x86_32 reference vectors (as published with SMHasher ports). */
static const struct {
	const char *bytes;
	size_t len;
	__u32 seed, want;
} vectors[] = {
    {"", 0, 0, 0},
    {"", 0, 1, 0x514e28b7},
    {"", 0, 0xffffffff, 0x81f16f39},
    {"\xff\xff\xff\xff", 4, 0, 0x76293b50},
    {"\x21\x43\x65\x87", 4, 0, 0xf55b516b},
    {"\x21\x43\x65\x87", 4, 0x5082edee, 0x2362f9de},
    {"\x21\x43\x65", 3, 0, 0x7e4a8634},
    {"\x21\x43", 2, 0, 0xa0f7b07a},
    {"\x21", 1, 0, 0x72661cf4},
    {"\0\0\0\0", 4, 0, 0x2362f9de},
    {"\0\0\0", 3, 0, 0x85f0b427},
    {"\0\0", 2, 0, 0x30f4c306},
    {"\0", 1, 0, 0x514e28b7},
    {"hello", 5, 0, 0x248bfa47},
};

static void test_reference_vectors(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		__u32 got = hauler_hash_bytes(vectors[i].bytes, vectors[i].len, vectors[i].seed);

		if (got != vectors[i].want)
			fail_msg("vector %zu (%zu bytes, seed 0x%x): 0x%08x, want 0x%08x", i,
				 vectors[i].len, vectors[i].seed, got, vectors[i].want);
	}
}

/*
 * SMHasher's check: hash the keys {}, {0}, {0,1}, ..., {0..254} with
 * seeds 256, 255, ..., 1; hash the 256 results (little-endian) with seed
 * 0. MurmurHash3_x86_32 gives 0xB0F57EE3.
 */
static void test_smhasher_verification(void **state)
{
	__u8 key[256], all[256 * 4];
	__u32 h;
	int i;

	(void)state;
	for (i = 0; i < 256; i++) {
		key[i] = (__u8)i;
		h = hauler_hash_bytes(key, i, 256 - i);
		all[i * 4] = h & 0xff;
		all[i * 4 + 1] = h >> 8 & 0xff;
		all[i * 4 + 2] = h >> 16 & 0xff;
		all[i * 4 + 3] = h >> 24;
	}
	assert_int_equal(hauler_hash_bytes(all, sizeof(all), 0), 0xb0f57ee3);
}

/* The word form is the byte form over the words as they lie in memory. */
static void test_words_are_bytes(void **state)
{
	const __u32 words[] = {0x87654321, 0xffffffff, 0, 0x12345678, 0xdeadbeef};
	int n;

	(void)state;
	assert_int_equal(hauler_hash_words(&words[0], 1, 0), 0xf55b516b);
	assert_int_equal(hauler_hash_words(&words[1], 1, 0), 0x76293b50);
	assert_int_equal(hauler_hash_words(&words[2], 1, 0), 0x2362f9de);
	for (n = 0; n <= 5; n++)
		assert_int_equal(hauler_hash_words(words, n, 0x4a61),
				 hauler_hash_bytes(words, n * 4, 0x4a61));
}

/*
 * The flow hash and the flow label: the 40 bytes of the flow key, seed
 * 0x4a61. The flow hash is the flow's 64-bit hash folded; its expected
 * values from a separate Python transcription of hauler_hash64_words (it
 * gives the pinned place hashes below) and the fold. The flow label is
 * MurmurHash3_x86_32, its values from a separate Python MurmurHash3 (from
 * the published algorithm; it gives every vector above and 0xB0F57EE3).
 */
static void test_flow_hash_vectors(void **state)
{
	struct flow_key v4 = {.family = 4, .proto = 6};
	struct flow_key v6 = {.family = 6, .proto = 17};
	const __u8 src4[4] = {10, 0, 0, 1}, dst4[4] = {10, 0, 100, 1};
	const __u8 src6[16] = {0xfd, 0, [15] = 2}, dst6[16] = {0xfd, 0, [14] = 1};
	__u64 h;

	(void)state;
	assert_int_equal(sizeof(struct flow_key), 40);
	memcpy(v4.src, src4, 4);
	memcpy(v4.dst, dst4, 4);
	v4.sport = __builtin_bswap16(40000); /* ports as on the wire */
	v4.dport = __builtin_bswap16(80);
	assert_int_equal(hauler_flow_hash(&v4, 0x4a61), 0x633bc54c);
	assert_int_equal(hauler_flow_label(&v4, 0x4a61), 0x53f74a6a);
	h = hauler_flow_hash64(&v4, 0x4a61);
	assert_int_equal(hauler_flow_hash(&v4, 0x4a61), (__u32)h ^ (__u32)(h >> 32));

	memcpy(v6.src, src6, 16);
	memcpy(v6.dst, dst6, 16);
	v6.sport = __builtin_bswap16(40000);
	v6.dport = __builtin_bswap16(53);
	assert_int_equal(hauler_flow_hash(&v6, 0x4a61), 0xf40cc500);
	assert_int_equal(hauler_flow_label(&v6, 0x4a61), 0x4148e5d8);
}

/*
 * The seed keys the flow hash: one seed gives one hash (a restarted
 * balancer with its kept seed decides as before), another seed moves
 * flows (a client cannot predict its server without the seed).
 */
static void test_flow_hash_seeded(void **state)
{
	struct flow_key f = {.family = 4, .proto = 6, .dst = {0x0164000a}};
	int p, moved = 0;

	(void)state;
	for (p = 0; p < 256; p++) {
		f.sport = (__u16)(40000 + p);
		assert_int_equal(hauler_flow_hash(&f, 0x12345678),
				 hauler_flow_hash(&f, 0x12345678));
		moved +=
		    hauler_flow_hash(&f, 0x12345678) % 7 != hauler_flow_hash(&f, 0x9abcdef0) % 7;
	}
	/* 6 of 7 flows would move by chance; far fewer means the seed is ignored. */
	assert_true(moved > 128);
}

/*
 * The compact table's place hash (hauler_hash64_words) is pinned to these
 * values: a change moves every flow of a running compact table to other
 * buckets, so it must come with a SCHEMA_VERSION bump (a re-up over the
 * old table is then refused, not silently emptied). The seed enters it:
 * another seed, another hash, flow by flow.
 */
static void test_place_hash_pinned(void **state)
{
	struct flow_key v4 = {.family = 4, .proto = 6};
	const __u8 src4[4] = {10, 0, 0, 1}, dst4[4] = {10, 0, 100, 1};
	int p, same = 0;

	(void)state;
	memcpy(v4.src, src4, 4);
	memcpy(v4.dst, dst4, 4);
	v4.sport = __builtin_bswap16(40000);
	v4.dport = __builtin_bswap16(80);
	assert_true(hauler_hash64_words(&v4, 10, 0x4a61) == 0x8a2d3a851f879b85ULL);
	assert_true(hauler_hash64_words(&v4, 10, 0x12345678ULL << 32 | 0x4a61) ==
		    0xba5400c998dd7778ULL);
	for (p = 0; p < 256; p++) {
		v4.sport = (__u16)(40000 + p);
		same += (hauler_hash64_words(&v4, 10, 1) & 0xff) ==
			(hauler_hash64_words(&v4, 10, 2) & 0xff);
	}
	/* 1 in 256 alike by chance; many more means the seed is ignored. */
	assert_true(same < 8);
}

/*
 * A block's top bit reaches only its product's top bit, whatever the seed:
 * flipped in two blocks at once (an IPv6 source whose second and fourth
 * words differ in their top bits), it must still change the hash, under
 * every seed tried. Before the products were rotated apart it never did.
 */
static void test_place_hash_top_bits(void **state)
{
	struct flow_key k = {.family = 6, .proto = 6}, f;
	__u32 w[10];
	int a, b, s;

	(void)state;
	for (a = 0; a < 4; a++)
		k.src[a] = 0x20010db8u * (a + 1);
	for (a = 0; a < 4; a++)
		k.dst[a] = 0xfd000000u + a;
	k.sport = 40000;
	k.dport = 443;
	for (s = 1; s <= 64; s++) {
		__u64 seed = 0x9e3779b97f4a7c15ULL * s;

		for (a = 0; a < 5; a++)
			for (b = a + 1; b < 5; b++) {
				memcpy(w, &k, sizeof(w));
				w[2 * a + 1] ^= 0x80000000u;
				w[2 * b + 1] ^= 0x80000000u;
				memcpy(&f, w, sizeof(f));
				assert_true(hauler_hash64_words(&f, 10, seed) !=
					    hauler_hash64_words(&k, 10, seed));
				w[2 * a + 1] ^= 0x40000000u;
				w[2 * b + 1] ^= 0x40000000u;
				memcpy(&f, w, sizeof(f));
				assert_true(hauler_hash64_words(&f, 10, seed) !=
					    hauler_hash64_words(&k, 10, seed));
			}
	}
}

/*
 * dev_hints' entries (hauler_dev_hint_at) of 65,536 sources, each case a
 * block that differs in 16 bits only: how many of the HAULER_DEV_HINTS
 * entries they fill against balls in bins, m(1 - (1 - 1/m)^n), 41,427
 * for n = m = 65,536, give or take 80 (one standard deviation); 400
 * allowed. A hash whose low 16 bits came from an IPv4 address's first two
 * bytes only would put all of 10.0.0.0/16 under one entry.
 */
static int hint_fill(__u8 family, __u32 a0, __u32 step0, __u32 a3, __u32 step3, __u16 port,
		     int *most)
{
	static unsigned char n[HAULER_DEV_HINTS];
	__u32 addr[4] = {0, htonl(0xdb8), 0, 0}, i, e;
	int fill = 0;

	memset(n, 0, sizeof(n));
	*most = 0;
	for (i = 0; i < 65536; i++) {
		addr[0] = htonl(a0 + i * step0);
		addr[3] = htonl(a3 + i * step3);
		e = hauler_dev_hint_at(addr, htons(port), family, IPPROTO_TCP);
		fill += !n[e]++;
		if (n[e] > *most)
			*most = n[e];
	}
	return fill;
}

static void test_dev_hint_spread(void **state)
{
	double m = HAULER_DEV_HINTS, want = m * (1 - pow(1 - 1 / m, 65536));
	int most;

	(void)state;
	assert_int_equal(HAULER_DEV_HINTS, 65536);
	/* 10.0.0.0/16, consecutive; then port 80 */
	assert_in_range(hint_fill(4, 0x0a000000u, 1, 0, 0, 8080, &most), want - 400, want + 400);
	assert_true(most <= 12);
	assert_in_range(hint_fill(4, 0x0a000000u, 1, 0, 0, 80, &most), want - 400, want + 400);
	/* 10.x.y.1, the third byte 7: every first two bytes' block apart */
	assert_in_range(hint_fill(4, 0x0a000701u, 256, 0, 0, 8080, &most), want - 400, want + 400);
	/* x.y.2.1: the first two bytes only */
	assert_in_range(hint_fill(4, 0x00000201u, 65536, 0, 0, 8080, &most), want - 400,
			want + 400);
	assert_true(most <= 12);
	/* 2001:db8::/112 (addr[0] 0x20010db8), consecutive in the last word */
	assert_in_range(hint_fill(6, 0x20010db8u, 0, 0, 1, 8080, &most), want - 400, want + 400);
	assert_true(most <= 12);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_reference_vectors),
	    cmocka_unit_test(test_smhasher_verification),
	    cmocka_unit_test(test_words_are_bytes),
	    cmocka_unit_test(test_flow_hash_vectors),
	    cmocka_unit_test(test_flow_hash_seeded),
	    cmocka_unit_test(test_place_hash_pinned),
	    cmocka_unit_test(test_place_hash_top_bits),
	    cmocka_unit_test(test_dev_hint_spread),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
