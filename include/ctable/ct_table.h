/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ct_table.h - the compact connection table's buckets (docs/architecture.md,
 * "The compact connection table"): where a flow may live, finding it, and
 * inserting it. Shared by the datapath (buckets are values of the ctable
 * array map), the benchmarks and the tests (buckets in plain memory).
 *
 * A flow may live in one of two buckets (independent draws of one 64-bit
 * hash of its key), in any of their CT_SLOTS slots, and is found by its
 * digest alone. Its first bucket, b0, takes it while b0 is less than half
 * full (CT_FIRST_HOLDS); past that the emptier of the two does (two
 * choices, b0 on a tie). A flow put in b1 first sets b0's sticky hint
 * (CT_SPILLED, in b0's slot 0), and a lookup that misses in b0 reads b1
 * only when that hint is set: most flows, and most new flows' misses in
 * a table below its fill, read one cache line, not two. An insert takes an
 * empty slot, else a slot whose flow has ended, else the oldest half-open
 * slot; a bucket pair of live established flows refuses it (the caller
 * then decides the flow without state). Nothing is ever moved (no cuckoo
 * kicks): a move cannot be made atomic across two buckets, and at the
 * fill the table is sized for (CT_FILL_PCT, 60 %) refusals are rare,
 * filled once (tests/unit/test_ctable.c measures them) or cycling at
 * that fill (under 1 in 100,000; about 1 in 100 at 75 %: tools/ct_fill).
 *
 * Every write is a compare-and-swap of one 8-byte slot against the value
 * read, so CPUs race only per slot and a loser learns it lost. The hint
 * is set by its own swap before the flow's slot in b1 is written: a
 * lookup that finds the slot in b1 got there by the hint, and one that
 * read b0 before the hint is one that ran before the insert.
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
 * The place of flow f, digests of bits bits: the two halves of the flow's
 * 64-bit hash (hauler_flow_hash64, keyed by the flow seed), one pass over
 * the key where two 32-bit hashes took two. Returns the flow hash
 * (hauler_flow_hash: the same hash, folded), which a new flow's Maglev
 * lookup takes: the key is hashed once.
 */
static __always_inline __u32 ct_place_bits(struct ct_place *p, const struct flow_key *f, __u32 seed,
					   __u32 n, __u32 bits)
{
	__u64 h = hauler_flow_hash64(f, seed);

	ct_place_hashes(p, (__u32)h, (__u32)(h >> 32), n, bits);
	return hauler_flow_hash_fold(h);
}

/* The place of flow f in a table of n buckets; returns its flow hash (ct_place_bits). */
static __always_inline __u32 ct_place_flow(struct ct_place *p, const struct flow_key *f, __u32 seed,
					   __u32 n)
{
	return ct_place_bits(p, f, seed, n, HAULER_CT_DIGEST_BITS);
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
 * (out: its value and bucket), or -1. b1 is read only when b0's hint
 * says a flow of b0 was ever put there (CT_SPILLED). skip matches are
 * passed over first: a caller that finds another VIP's flow under the
 * digest (a false match it can tell) looks again with skip 1. b1 is NULL
 * when the flow's two buckets are one.
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

		/* b0's slot 0 again (a cached line): a register kept over the loop was spilled. */
		if (!b || (i == HAULER_CT_SLOTS && !(ct_read(b0, 0) & CT_SPILLED)))
			break;
		s = ct_read(b, i & (HAULER_CT_SLOTS - 1));
		out->empty += !ct_slot_used(s);
		if (ct_slot_digest(s) != digest)
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
	if (!ct_slot_used(s))
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
		__u32 r = ct_slot_rank(s, now_tick, l), age = ct_slot_age(s, now_tick);

		/* An empty slot's age is never compared (rank CT_RANK_EMPTY). */
		empty += r == CT_RANK_EMPTY;
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

/*
 * Replace slot i of b, if it still holds old, with val; 1 when it did.
 * old's CT_SPILLED (slot 0's hint) is kept: no write clears the hint.
 */
static __always_inline int ct_swap(struct ct_bucket *b, int i, __u64 old, __u64 val)
{
	if (i < 0 || i >= HAULER_CT_SLOTS)
		return 0;
#ifdef __bpf__
	/* Hide the test from the compiler: the mask is what bounds the index for the verifier. */
	asm volatile("" : "+r"(i));
#endif
	return __sync_val_compare_and_swap(&b->slot[i & (HAULER_CT_SLOTS - 1)], old,
					   val | (old & CT_SPILLED)) == old;
}

/*
 * Set b's hint (CT_SPILLED in slot 0) before a flow of b is put in its
 * second bucket: 1 when it is set, 0 when another CPU wrote slot 0
 * between the read and the swap (the insert then tries again).
 */
static __always_inline int ct_mark_spilled(struct ct_bucket *b)
{
	__u64 s = ct_read(b, 0);

	return (s & CT_SPILLED) || ct_swap(b, 0, s, s | CT_SPILLED);
}

/*
 * b0 takes a new flow without a look at b1 while it holds fewer than
 * this many flows (half the bucket; rank: ct_bucket_victim): at a low fill
 * nearly every flow stays in b0, and at CT_FILL_PCT the fuller b0s leave
 * the choice to two (refusals: tests/unit/test_ctable.c). Chosen by
 * simulation (tools/ct_fill, docs/performance.md): under churn the hint
 * saturates whatever it is, and higher costs refusals. A hint that could
 * be cleared would still be needed on 80 % of buckets at CT_FILL_PCT
 * under churn, and a new flow's insert reads b1 anyway when b0 holds
 * this many: it would save 0.04 of a line per new flow. Not built.
 */
#define CT_FIRST_HOLDS (HAULER_CT_SLOTS / 2)

/* Does b0 (victim i0 of rank r0) take the flow while it holds fewer than holds? */
static __always_inline int ct_first_takes(int i0, __u32 r0, __u32 holds)
{
	return i0 >= 0 && r0 % (HAULER_CT_SLOTS + 1) > HAULER_CT_SLOTS - holds;
}

#define CT_INSERTED 0  /* val is in a slot (*found: what the slot held, 0 if empty) */
#define CT_FOUND    1  /* a slot holds val's digest already (*found): another CPU's insert */
#define CT_FULL	    -1 /* no slot may take it */
#define CT_LOST	    -2 /* raced twice with other CPUs' writes: not inserted */

/*
 * Insert val (a slot with its digest) into the flow's buckets b0 and b1
 * (b1 NULL when they are one): b0's victim while b0 is less than half
 * full (ct_first_takes; b1 is not read), else the better of the two
 * victims (ct_pair_pick); b1's only after b0's hint is set
 * (ct_mark_spilled). A lost race (another CPU wrote the slot, or b0's
 * slot 0, between read and swap) is tried once more, after a look for
 * the digest: two CPUs inserting the same new flow end with one slot,
 * the loser taking the winner's choice (*found). An insert sets *found
 * to what the slot it took held (no flow: empty), for the caller to
 * count an evicted flow (ct_evicts_open).
 */
static __always_inline int ct_insert_holds(struct ct_bucket *b0, struct ct_bucket *b1, __u64 val,
					   __u32 now_tick, const struct ct_limits *l, __u64 *found,
					   __u32 holds)
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
		i1 = b1 && !ct_first_takes(i0, r0, holds)
			 ? ct_bucket_victim(b1, now_tick, l, &o1, &r1)
			 : -1;
		w = ct_pair_pick(i0, r0, o0, i1, r1, o1, now_tick);
		if (w < 0)
			return CT_FULL;
		if (!w) {
			if (ct_swap(b0, i0, o0, val)) {
				*found = o0;
				return CT_INSERTED;
			}
		} else if (b1 && ct_mark_spilled(b0)) {
			if (ct_swap(b1, i1, o1, val)) {
				*found = o1;
				return CT_INSERTED;
			}
		}
	}
	return CT_LOST;
}

/* ct_insert_holds with the table's threshold (the simulation, tools/ct_fill.c, varies it). */
static __always_inline int ct_insert(struct ct_bucket *b0, struct ct_bucket *b1, __u64 val,
				     __u32 now_tick, const struct ct_limits *l, __u64 *found)
{
	return ct_insert_holds(b0, b1, val, now_tick, l, found, CT_FIRST_HOLDS);
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
	return ct_slot_used(old) &&
	       !(ct_slot_flags(old) & (CT_F_HALF | CT_F_FIN | CT_F_RST | CT_F_UDP));
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
 * the slots in use, a fraction spilled of the buckets with the hint set
 * and digests of bits bits: it reads the CT_SLOTS slots of b0, and b1's
 * when b0's hint is set, each a match with chance 2^-bits.
 */
static inline double ct_false_match_rate(double fill, double spilled, unsigned int bits)
{
	double p = 1.0 / (double)(1ULL << bits), one = 1.0;
	int i;

	for (i = 0; i < HAULER_CT_SLOTS; i++)
		one *= 1.0 - fill * p;
	return 1.0 - one * (1.0 - spilled + spilled * one);
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

/* The share of the n buckets of t whose hint is set (CT_SPILLED). */
static inline double ct_mem_spilled(const struct ct_bucket *t, __u32 n)
{
	__u32 i, k = 0;

	for (i = 0; i < n; i++)
		k += !!(t[i].slot[0] & CT_SPILLED);
	return n ? (double)k / n : 0;
}

/* Bytes the table for n connections takes (its buckets). */
static inline unsigned long long ct_table_bytes(__u32 n)
{
	return (unsigned long long)ct_buckets_for(n) * sizeof(struct ct_bucket);
}
#endif

#endif
