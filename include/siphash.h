/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * siphash.h - SipHash-2-4 with a 64-bit output (Aumasson and Bernstein),
 * the tag of agent reports. One header for the datapath (clang -target
 * bpf) and user space: the word form hashes a compile-time number of
 * 64-bit words with no loop the verifier has to bound; the byte form
 * (user space only) takes any length and checks the reference vectors.
 *
 * The 128-bit key is the 16 key bytes read as two little-endian words:
 * k0 = bytes 0..7, k1 = bytes 8..15. Message words are read little-endian
 * too, whatever the host's byte order, as the specification says.
 */
#ifndef HAULER_SIPHASH_H
#define HAULER_SIPHASH_H

#include <linux/types.h>

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/* A 64-bit word as stored in memory, read little-endian. */
static __always_inline __u64 siphash_le64(__u64 stored)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return __builtin_bswap64(stored);
#else
	return stored;
#endif
}

static __always_inline __u64 siphash_rotl64(__u64 x, int r)
{
	return (x << r) | (x >> (64 - r));
}

struct siphash_state {
	__u64 v0, v1, v2, v3;
};

static __always_inline void siphash_round(struct siphash_state *s)
{
	s->v0 += s->v1;
	s->v1 = siphash_rotl64(s->v1, 13);
	s->v1 ^= s->v0;
	s->v0 = siphash_rotl64(s->v0, 32);
	s->v2 += s->v3;
	s->v3 = siphash_rotl64(s->v3, 16);
	s->v3 ^= s->v2;
	s->v0 += s->v3;
	s->v3 = siphash_rotl64(s->v3, 21);
	s->v3 ^= s->v0;
	s->v2 += s->v1;
	s->v1 = siphash_rotl64(s->v1, 17);
	s->v1 ^= s->v2;
	s->v2 = siphash_rotl64(s->v2, 32);
}

static __always_inline void siphash_init(struct siphash_state *s, __u64 k0, __u64 k1)
{
	s->v0 = k0 ^ 0x736f6d6570736575ULL;
	s->v1 = k1 ^ 0x646f72616e646f6dULL;
	s->v2 = k0 ^ 0x6c7967656e657261ULL;
	s->v3 = k1 ^ 0x7465646279746573ULL;
}

/* Absorb one message word (already in host order): two compression rounds. */
static __always_inline void siphash_absorb(struct siphash_state *s, __u64 m)
{
	s->v3 ^= m;
	siphash_round(s);
	siphash_round(s);
	s->v0 ^= m;
}

/* The last block (length byte and tail) and the four finalization rounds. */
static __always_inline __u64 siphash_finish(struct siphash_state *s, __u64 last)
{
	siphash_absorb(s, last);
	s->v2 ^= 0xff;
	siphash_round(s);
	siphash_round(s);
	siphash_round(s);
	siphash_round(s);
	return s->v0 ^ s->v1 ^ s->v2 ^ s->v3;
}

/*
 * SipHash-2-4 of nwords 64-bit words as they lie in memory (8 * nwords
 * bytes). In BPF nwords must be a compile-time constant so the loop
 * unrolls; w must be 8-byte aligned (copy packet bytes to the stack).
 */
static __always_inline __u64 siphash_2_4_words(const __u64 *w, int nwords, __u64 k0, __u64 k1)
{
	struct siphash_state s;
	int i;

	siphash_init(&s, k0, k1);
#ifdef __clang__
#pragma unroll
#endif
	for (i = 0; i < nwords; i++)
		siphash_absorb(&s, siphash_le64(w[i]));
	return siphash_finish(&s, (__u64)(nwords * 8) << 56);
}

#ifndef __bpf__
#include <stddef.h>

/* SipHash-2-4 of any byte string (user space: reference vectors, tools). */
static inline __u64 siphash_2_4(const void *data, size_t len, __u64 k0, __u64 k1)
{
	const unsigned char *p = data;
	struct siphash_state s;
	size_t i, whole = len & ~(size_t)7;
	__u64 m;
	int b;

	siphash_init(&s, k0, k1);
	for (i = 0; i < whole; i += 8) {
		m = 0;
		for (b = 7; b >= 0; b--)
			m = (m << 8) | p[i + b];
		siphash_absorb(&s, m);
	}
	m = (__u64)(len & 0xff) << 56;
	for (b = 0; i + b < len; b++)
		m |= (__u64)p[i + b] << (8 * b);
	return siphash_finish(&s, m);
}

/* The key as 16 bytes (how it is printed and stored) -> k0, k1. */
static inline void siphash_key_from_bytes(const unsigned char key[16], __u64 *k0, __u64 *k1)
{
	int b;

	*k0 = 0;
	*k1 = 0;
	for (b = 7; b >= 0; b--) {
		*k0 = (*k0 << 8) | key[b];
		*k1 = (*k1 << 8) | key[8 + b];
	}
}
#endif

#endif
