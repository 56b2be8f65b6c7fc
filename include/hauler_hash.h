/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * hauler_hash.h - hauler's hashes, shared by the datapath, the manager
 * and the tests, so a flow's server can be predicted in user space: the
 * flow's 64-bit hash (hauler_hash64_words, keyed by the balancer's seed),
 * whose halves are the compact table's place and, folded, the flow hash;
 * MurmurHash3 (x86_32) for the rest (Maglev permutations, re-draws).
 */
#ifndef HAULER_HASH_H
#define HAULER_HASH_H

#include "hauler_schema.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

static __always_inline __u32 hauler_rotl32(__u32 x, int r)
{
	return (x << r) | (x >> (32 - r));
}

static __always_inline __u32 hauler_hash_step(__u32 h, __u32 k)
{
	k *= 0xcc9e2d51u;
	k = hauler_rotl32(k, 15);
	k *= 0x1b873593u;
	h ^= k;
	h = hauler_rotl32(h, 13);
	return h * 5 + 0xe6546b64u;
}

static __always_inline __u32 hauler_hash_final(__u32 h, __u32 len)
{
	h ^= len;
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

/*
 * A 32-bit word that may alias any type: the flow key is hashed as words
 * though its ports and family are not __u32s. Read through a plain __u32
 * pointer, the compiler may hoist the reads above the stores that fill
 * the key (strict aliasing): gcc -O2 hashed stale bytes in user space.
 */
typedef __u32 __attribute__((__may_alias__)) hauler_word_t;

/* Hash of n 32-bit words (n known at compile time in BPF). */
static __always_inline __u32 hauler_hash_words(const void *words, int n, __u32 seed)
{
	const hauler_word_t *w = words;
	__u32 h = seed;
	int i;

#ifdef __clang__
#pragma unroll
#endif
	for (i = 0; i < n; i++)
		h = hauler_hash_step(h, w[i]);
	return hauler_hash_final(h, (__u32)n * 4);
}

/* x rotated left by r (0..63; constant in BPF, where the loop unrolls). */
static __always_inline __u64 hauler_rotl64(__u64 x, int r)
{
	return r ? (x << r) | (x >> (64 - r)) : x;
}

/*
 * A 64-bit hash of n 32-bit words (n even, known at compile time in BPF),
 * taken two at a time: each 64-bit block, xored with the seed and offset
 * by a constant of its position, is multiplied by an odd constant; the
 * products, each rotated by 27 bits times its position, are xored
 * together and MurmurHash3's fmix64 mixes the result. The products do
 * not wait on each other, so the CPU computes them at once: MurmurHash3
 * x64_128's lane, used before, chained every block through the one
 * before (rotate, multiply, add), about 8 ns of an established compact
 * packet's 45 (docs/performance.md, "Latest figures"). A block enters its
 * product whole (the multiply carries every bit of it upwards, fmix64
 * brings the high bits down), the seed enters every product (which flows
 * collide depends on it), and the two halves of the result are
 * independent draws, where two 32-bit passes were needed (the compact
 * table's place, include/ctable/ct_table.h; the false-match rate the unit
 * test measures is the computed one). The rotations: a block's top bit
 * changes its product's top bit and nothing else, whatever the seed (no
 * carry goes above it), so unrotated products xored together cancel two
 * such changes: two IPv6 sources whose second and fourth words differ in
 * their top bits had one hash under every seed (the same slot, the same
 * digest). Rotated apart, the top two bits of the five products land on
 * ten different bits.
 * Words are combined from 32-bit reads, so the key needs no 8-byte
 * alignment (the BPF stack insists on it for 8-byte reads).
 */
static __always_inline __u64 hauler_hash64_words(const void *words, int n, __u64 seed)
{
	const hauler_word_t *w = words;
	__u64 h = 0, k;
	int i;

#ifdef __clang__
#pragma unroll
#endif
	for (i = 0; i + 1 < n; i += 2) {
		k = (__u64)w[i] | (__u64)w[i + 1] << 32;
		k = ((k ^ seed) + 0x9e3779b97f4a7c15ULL * (__u64)(i + 1)) * 0x87c37b91114253d5ULL;
		h ^= hauler_rotl64(k, (i / 2 * 27) & 63);
	}
	h ^= (__u64)n * 4;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

/* The seed of the 64-bit hash's high half, from the balancer's 32-bit one. */
#define HAULER_SEED2 0x9e3779b9u

/*
 * The flow's 64-bit hash: every field of the flow key, pad included
 * (zero), keyed by the balancer's secret seed (config.flow_seed: random at
 * the first `hauler up`, `config set flow-seed` to make balancers agree).
 * A public seed would let a client pick its server and device by picking
 * its source port; the seed enters every block's product, so which flows
 * collide depends on it (no cryptographic PRF: it hides the mapping from
 * a client that sees only its own flows). Its two halves are the compact
 * table's place (ct_place_bits); folded, the flow hash.
 */
static __always_inline __u64 hauler_flow_hash64(const struct flow_key *f, __u32 seed)
{
	return hauler_hash64_words(f, sizeof(*f) / 4, (__u64)(seed ^ HAULER_SEED2) << 32 | seed);
}

/* The flow hash of a flow whose 64-bit hash is h (hauler_flow_hash64): its halves xored. */
static __always_inline __u32 hauler_flow_hash_fold(__u64 h)
{
	return (__u32)h ^ (__u32)(h >> 32);
}

/*
 * The flow hash (Maglev slot, the hash choice): the folded 64-bit hash,
 * so a new compact flow takes it with its place (ct_place_flow returns
 * it) and hashes its key once. MurmurHash3 over the key before: a chain
 * of ten dependent steps, about 25 ns of a new flow's program time
 * (docs/performance.md, "The flow hash from the place's").
 */
static __always_inline __u32 hauler_flow_hash(const struct flow_key *f, __u32 seed)
{
	return hauler_flow_hash_fold(hauler_flow_hash64(f, seed));
}

/*
 * The outer IPv6 flow label of an encapsulated flow (its low 20 bits):
 * only entropy for the routers' ECMP, so any hash of the key keyed by
 * the seed will do. MurmurHash3, as the flow hash was before: the 64-bit
 * hash needs registers that the forwarding code, inlined into every
 * program, does not have (hauler_ct went past the 512-byte stack).
 */
static __always_inline __u32 hauler_flow_label(const struct flow_key *f, __u32 seed)
{
	return hauler_hash_words(f, sizeof(*f) / 4, seed);
}

#ifndef __bpf__
#include <stddef.h>
#include <string.h>
/* Hash of a byte string (user space only: names for Maglev). */
static inline __u32 hauler_hash_bytes(const void *data, size_t len, __u32 seed)
{
	const unsigned char *p = data;
	__u32 h = seed, k;
	size_t i;

	for (i = 0; i + 4 <= len; i += 4) {
		memcpy(&k, p + i, 4);
		h = hauler_hash_step(h, k);
	}
	k = 0;
	switch (len & 3) {
	case 3:
		k ^= (__u32)p[i + 2] << 16;
		/* fall through */
	case 2:
		k ^= (__u32)p[i + 1] << 8;
		/* fall through */
	case 1:
		k ^= p[i];
		k *= 0xcc9e2d51u;
		k = hauler_rotl32(k, 15);
		k *= 0x1b873593u;
		h ^= k;
	}
	return hauler_hash_final(h, (__u32)len);
}
#endif

#endif
