/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ct_table.h - the compact connection table's buckets (docs/architecture.md,
 * "The compact connection table"): where a flow may live, finding it, and
 * inserting it. Shared by the datapath (buckets are values of the ctable
 * array map), the benchmarks and the tests (buckets in plain memory).
 *
 * A flow may live in one of two buckets (independent draws of one 64-bit
 * hash of its key), in any of their CT_SLOTS slots: a lookup reads at most two cache
 * lines, and a flow is found by its digest alone. An insert takes an
 * empty slot, else a slot whose flow has ended, else the oldest half-open
 * slot; a bucket pair of live established flows refuses it (the caller
 * then decides the flow without state). Nothing is ever moved (no cuckoo
 * kicks): a move cannot be made atomic across two buckets, and at the
 * fill the table is sized for (CT_FILL_PCT) refusals are rare
 * (tests/unit/test_ctable.c measures them).
 *
 * Every write is a compare-and-swap of one 8-byte slot against the value
 * read, so CPUs race only per slot and a loser learns it lost.
 */
#ifndef HAULER_CT_TABLE_H
#define HAULER_CT_TABLE_H

#include "hauler_hash.h"
#include "ctable/ct_slot.h"

/*
 * In BPF the functions that scan a bucket are global functions: the
 * verifier checks each once, apart from its callers, and their results
 * are unknown values to a caller, whose paths then do not multiply by
 * every slot a scan may return (inlined, they did: the verifier ran for
 * minutes). A global function's pointer arguments may be NULL: checked.
 */
#ifdef __bpf__
#define CT_SCAN __attribute__((noinline))
#else
#define CT_SCAN static inline
#endif

/* Seed difference of the place's hash from the flow hash's (hauler_flow_hash). */
#define CT_SEED2 0x9e3779b9u

/* Where a flow lives in a table of n buckets. */
struct ct_place {
	__u32 bucket[2];
	__u32 digest;
};

/* Buckets of a table sized for n connections at CT_FILL_PCT of its slots. */
static __always_inline __u32 ct_buckets_for(__u32 n)
{
	__u64 slots = ((__u64)n * 100 + HAULER_CT_FILL_PCT - 1) / HAULER_CT_FILL_PCT;

	return (__u32)((slots + HAULER_CT_SLOTS - 1) / HAULER_CT_SLOTS);
}

/* h in [0, n): the high half of h * n (no division on the fast path). */
static __always_inline __u32 ct_reduce(__u32 h, __u32 n)
{
	return ((__u64)h * n) >> 32;
}

/*
 * The place of the flow whose two independent 32-bit hashes are h1 and
 * h2, with a digest of bits bits (HAULER_CT_DIGEST_BITS; the tests use
 * fewer to measure the false-match rate). The first bucket is h1's, the
 * digest h2's high bits, the second bucket a mix of h1 and h2's low bits:
 * three independent draws. h2 must not be derived from h1: then two flows
 * of equal h1 match in every bucket, a false-match rate of N / 2^32 over
 * a table of N flows (8 times the computed one at 100,000 in the unit
 * test, measured).
 */
static __always_inline void ct_place_hashes(struct ct_place *p, __u32 h1, __u32 h2, __u32 n,
					    __u32 bits)
{
	p->bucket[0] = ct_reduce(h1, n);
	p->bucket[1] = ct_reduce(hauler_hash_final(h1 ^ (h2 << 22), 4), n);
	p->digest = h2 >> (32 - bits);
	if (!p->digest)
		p->digest = 1;
}

/*
 * The place of flow f, digests of bits bits: the two halves of one 64-bit
 * hash of the key (hauler_hash64_words, keyed by the flow seed), one pass
 * over the key where two 32-bit flow hashes took two. Not the flow hash
 * (hauler_flow_hash), which a new flow's Maglev lookup takes.
 */
static __always_inline void ct_place_bits(struct ct_place *p, const struct flow_key *f, __u32 seed,
					  __u32 n, __u32 bits)
{
	__u64 h = hauler_hash64_words(f, sizeof(*f) / 4, (__u64)(seed ^ CT_SEED2) << 32 | seed);

	ct_place_hashes(p, (__u32)h, (__u32)(h >> 32), n, bits);
}

/* The place of flow f in a table of n buckets. */
static __always_inline void ct_place_flow(struct ct_place *p, const struct flow_key *f, __u32 seed,
					  __u32 n)
{
	ct_place_bits(p, f, seed, n, HAULER_CT_DIGEST_BITS);
}

/* One read of a slot that another CPU may be writing (never torn: 8 bytes). */
static __always_inline __u64 ct_read(const struct ct_bucket *b, int i)
{
	return *(volatile const __u64 *)&b->slot[i];
}

/* The slot of b whose digest is digest (its value in *val), or -1. */
static __always_inline int ct_bucket_find(const struct ct_bucket *b, __u32 digest, __u64 *val)
{
	int i;

#ifdef __clang__
#pragma unroll
#endif
	for (i = 0; i < HAULER_CT_SLOTS; i++) {
		__u64 s = ct_read(b, i);

		if (s && ct_slot_digest(s) == digest) {
			*val = s;
			return i;
		}
	}
	return -1;
}

/*
 * What ct_lookup found: the slot's value and which bucket (0: b0, 1: b1);
 * and the empty slots it passed (all of them on a miss: a new flow with
 * one has room without asking ct_crowded).
 */
struct ct_found {
	__u64 s;
	__u32 which;
	__u32 empty;
};

/*
 * The flow with digest digest in buckets b0 then b1: the slot index
 * (out: its value and bucket), or -1. skip matches are passed over
 * first: a caller that finds another VIP's flow under the digest (a
 * false match it can tell) looks again with skip 1. b1 is NULL when the
 * flow's two buckets are one.
 */
CT_SCAN int ct_lookup(const struct ct_bucket *b0, const struct ct_bucket *b1, __u32 digest,
		      __u32 skip, struct ct_found *out)
{
	int i;

	if (!b0 || !out)
		return -1;
	out->empty = 0;
#ifdef __clang__
#pragma unroll
#endif
	for (i = 0; i < 2 * HAULER_CT_SLOTS; i++) {
		const struct ct_bucket *b = i < HAULER_CT_SLOTS ? b0 : b1;
		__u64 s;

		if (!b)
			break;
		s = ct_read(b, i & (HAULER_CT_SLOTS - 1));
		out->empty += !s;
		if (!s || ct_slot_digest(s) != digest)
			continue;
		if (skip) {
			skip--;
			continue;
		}
		out->s = s;
		out->which = i >= HAULER_CT_SLOTS;
		return i & (HAULER_CT_SLOTS - 1);
	}
	return -1;
}

/* How good a slot is to insert into: higher is better, 0 not at all. */
#define CT_RANK_EMPTY 3
#define CT_RANK_ENDED 2
#define CT_RANK_HALF  1

static __always_inline __u32 ct_slot_rank(__u64 s, __u32 now_tick, const struct ct_limits *l)
{
	if (!s)
		return CT_RANK_EMPTY;
	if (ct_slot_ended(s, now_tick, l))
		return CT_RANK_ENDED;
	if (ct_slot_flags(s) & CT_F_HALF)
		return CT_RANK_HALF;
	return 0;
}

/*
 * The best slot of b for an insert (its value in *old): the first empty
 * one, else an ended one, else the oldest half-open one. *rank is the
 * slot's rank, times CT_SLOTS + 1, plus the bucket's empty slots: of two
 * buckets with room, the emptier is the better (two choices keep the
 * buckets even, so a table fills to CT_FILL_PCT without refusals). -1
 * when every slot holds a live established flow: junk (half-open flows)
 * can push out only junk.
 */
CT_SCAN int ct_bucket_victim(const struct ct_bucket *b, __u32 now_tick, const struct ct_limits *l,
			     __u64 *old, __u32 *rank)
{
	__u32 best_rank = 0, best_age = 0, empty = 0;
	int i, best = -1;

	if (!b || !l || !old || !rank)
		return -1;
#ifdef __clang__
#pragma unroll
#endif
	for (i = 0; i < HAULER_CT_SLOTS; i++) {
		__u64 s = ct_read(b, i);
		__u32 r = ct_slot_rank(s, now_tick, l), age = s ? ct_slot_age(s, now_tick) : 0;

		empty += !s;
		if (r > best_rank || (r && r < CT_RANK_EMPTY && r == best_rank && age > best_age)) {
			best = i;
			best_rank = r;
			best_age = age;
			*old = s;
		}
	}
	*rank = best_rank * (HAULER_CT_SLOTS + 1) + empty;
	return best;
}

/*
 * Which of two buckets' victims (ct_bucket_victim: index, rank, value) an
 * insert takes: 0 (b0's), 1 (b1's) or -1 (neither has one). The better
 * rank; of two half-open victims the older (junk pushes out the oldest
 * junk of the pair); else b0's.
 */
static __always_inline int ct_pair_pick(int i0, __u32 r0, __u64 o0, int i1, __u32 r1, __u64 o1,
					__u32 now_tick)
{
	if (i0 < 0)
		return i1 < 0 ? -1 : 1;
	if (i1 < 0 || r0 > r1)
		return 0;
	if (r1 > r0)
		return 1;
	if (r0 / (HAULER_CT_SLOTS + 1) == CT_RANK_HALF)
		return ct_slot_age(o1, now_tick) > ct_slot_age(o0, now_tick);
	return 0;
}

/*
 * Is the flow's bucket pair (b1 NULL: one bucket) too crowded for a new
 * flow's half-open slot? Its insert would take no empty or ended slot,
 * only a half-open one younger than l->protect (a handshake that may be
 * under way), or none (live established flows only). The caller then
 * decides the new flow without state, by the choice its next packets
 * will also get without state (docs/datapath.md, "The compact table"),
 * so that junk pushes out no handshake and every packet of the flow goes
 * to one device. Inlined: a third global frame would pass the BPF stack
 * limit of the programs that ask.
 */
static __always_inline int ct_crowded(const struct ct_bucket *b0, const struct ct_bucket *b1,
				      __u32 now_tick, const struct ct_limits *l)
{
	__u32 r0 = 0, r1 = 0;
	__u64 o0 = 0, o1 = 0;
	int i0, i1, w;

	if (!b0 || !l)
		return 0;
	i0 = ct_bucket_victim(b0, now_tick, l, &o0, &r0);
	i1 = b1 ? ct_bucket_victim(b1, now_tick, l, &o1, &r1) : -1;
	w = ct_pair_pick(i0, r0, o0, i1, r1, o1, now_tick);
	if (w < 0)
		return 1;
	if (w)
		r0 = r1, o0 = o1;
	return r0 / (HAULER_CT_SLOTS + 1) == CT_RANK_HALF && ct_slot_age(o0, now_tick) < l->protect;
}

/* Replace slot i of b, if it still holds old, with val. 1 when it did. */
static __always_inline int ct_swap(struct ct_bucket *b, int i, __u64 old, __u64 val)
{
	if (i < 0 || i >= HAULER_CT_SLOTS)
		return 0;
#ifdef __bpf__
	/* Hide the test from the compiler: the mask is what bounds the index for the verifier. */
	asm volatile("" : "+r"(i));
#endif
	return __sync_val_compare_and_swap(&b->slot[i & (HAULER_CT_SLOTS - 1)], old, val) == old;
}

#define CT_INSERTED 0  /* val is in a slot (*found: what the slot held, 0 if empty) */
#define CT_FOUND    1  /* a slot holds val's digest already (*found): another CPU's insert */
#define CT_FULL	    -1 /* no slot may take it */
#define CT_LOST	    -2 /* raced twice with other CPUs' writes: not inserted */

/*
 * Insert val (a slot with its digest) into the flow's buckets b0 and b1
 * (b1 NULL when they are one): the better of the two victims
 * (ct_pair_pick). A lost race (another CPU wrote the slot between read and swap) is
 * tried once more, after a look for the digest: two CPUs inserting the
 * same new flow end with one slot, the loser taking the winner's choice
 * (*found). An insert sets *found to what the slot it took held (0: it
 * was empty), for the caller to count an evicted flow (ct_evicts_open).
 */
static __always_inline int ct_insert(struct ct_bucket *b0, struct ct_bucket *b1, __u64 val,
				     __u32 now_tick, const struct ct_limits *l, __u64 *found)
{
	__u32 digest = ct_slot_digest(val), r0 = 0, r1 = 0;
	struct ct_found f = {};
	__u64 o0 = 0, o1 = 0;
	int try, i0, i1, w;

	for (try = 0; try < 2; try++) {
		if (try && ct_lookup(b0, b1, digest, 0, &f) >= 0) {
			*found = f.s;
			return CT_FOUND;
		}
		i0 = ct_bucket_victim(b0, now_tick, l, &o0, &r0);
		i1 = b1 ? ct_bucket_victim(b1, now_tick, l, &o1, &r1) : -1;
		w = ct_pair_pick(i0, r0, o0, i1, r1, o1, now_tick);
		if (w < 0)
			return CT_FULL;
		if (!w) {
			if (ct_swap(b0, i0, o0, val)) {
				*found = o0;
				return CT_INSERTED;
			}
		} else if (b1) {
			if (ct_swap(b1, i1, o1, val)) {
				*found = o1;
				return CT_INSERTED;
			}
		}
	}
	return CT_LOST;
}

/*
 * Did an insert that took a slot holding old evict an open connection:
 * an established TCP flow (not half-open, not UDP) that saw no FIN or
 * RST? A live one is never a victim (ct_bucket_victim), so only one idle
 * past CT_TCP_IDLE_S can be, and its next segment, if the connection is
 * still there, finds no slot (conn_stateless). Counted as conn_evicted:
 * no flood may make it grow. Empty, half-open, closed and UDP slots
 * (their flows ended by their own rule) are not counted.
 */
static __always_inline int ct_evicts_open(__u64 old)
{
	return old && !(ct_slot_flags(old) & (CT_F_HALF | CT_F_FIN | CT_F_RST | CT_F_UDP));
}

/*
 * Change the slot i of b from old to val (a refresh, a flag, a
 * promotion). A lost race is not retried: another CPU wrote the slot
 * first, with a time as fresh, or it is another flow's now.
 */
static __always_inline int ct_update(struct ct_bucket *b, int i, __u64 old, __u64 val)
{
	if (i < 0 || i >= HAULER_CT_SLOTS)
		return 0;
	return ct_swap(b, i, old, val);
}

#ifndef __bpf__
/*
 * The chance that a lookup of a flow that is not in the table finds a
 * slot with its digest anyway (a false match), with a fraction fill of
 * the slots in use and digests of bits bits: it reads up to 2 buckets of
 * CT_SLOTS slots, each a match with chance 2^-bits.
 */
static inline double ct_false_match_rate(double fill, unsigned int bits)
{
	double p = 1.0 / (double)(1ULL << bits), miss = 1.0;
	int i;

	for (i = 0; i < 2 * HAULER_CT_SLOTS; i++)
		miss *= 1.0 - fill * p;
	return 1.0 - miss;
}

/* The flow's buckets in a table of n buckets in plain memory (b1 NULL: one). */
static inline void ct_mem_buckets(struct ct_bucket *t, const struct ct_place *p,
				  struct ct_bucket **b0, struct ct_bucket **b1)
{
	*b0 = &t[p->bucket[0]];
	*b1 = p->bucket[1] == p->bucket[0] ? NULL : &t[p->bucket[1]];
}

/* ct_insert of flow f into the table t of n buckets in plain memory. */
static inline int ct_mem_insert(struct ct_bucket *t, __u32 n, const struct flow_key *f, __u32 seed,
				__u64 val_without_digest, __u32 now_tick, const struct ct_limits *l)
{
	struct ct_bucket *b0, *b1;
	struct ct_place p;
	__u64 found;

	ct_place_flow(&p, f, seed, n);
	ct_mem_buckets(t, &p, &b0, &b1);
	return ct_insert(b0, b1, val_without_digest | (__u64)p.digest << CT_DIGEST_SHIFT, now_tick,
			 l, &found);
}

/* ct_lookup of flow f in the table t of n buckets in plain memory. */
static inline int ct_mem_lookup(struct ct_bucket *t, __u32 n, const struct flow_key *f, __u32 seed,
				__u64 *val)
{
	struct ct_bucket *b0, *b1;
	struct ct_found found = {};
	struct ct_place p;
	int i;

	ct_place_flow(&p, f, seed, n);
	ct_mem_buckets(t, &p, &b0, &b1);
	i = ct_lookup(b0, b1, p.digest, 0, &found);
	*val = found.s;
	return i;
}

/* Bytes the table for n connections takes (its buckets). */
static inline unsigned long long ct_table_bytes(__u32 n)
{
	return (unsigned long long)ct_buckets_for(n) * sizeof(struct ct_bucket);
}
#endif

#endif
