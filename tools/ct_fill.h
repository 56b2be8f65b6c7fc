/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ct_fill.h - the compact table filled and churned in plain memory with a
 * chosen first-bucket threshold (ct_insert_holds): what share of buckets
 * carry the hint, would need it (a hint that could be cleared), of flows
 * sit in their second bucket, of inserts are refused, and so the cache
 * lines a hit and a miss read. Shared by
 * tools/ct_fill.c (the table of docs/performance.md) and
 * tests/unit/test_ctable.c (the bound of the threshold in use).
 *
 * Flows are established (never ended); a flow that goes is cleared from
 * its slot (its hint stays, as every write keeps it). Churn: a random live
 * flow goes and a new one comes, at a constant count.
 */
#ifndef HAULER_CT_FILL_H
#define HAULER_CT_FILL_H

#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include "ctable/ct_table.h"

#define CT_FILL_SEED 0x5eed1234u

struct ct_fill {
	struct ct_bucket *t;
	__u32 nb;      /* buckets */
	__u32 holds;   /* first-bucket threshold (ct_insert_holds) */
	__u32 *live;   /* ids of the flows in the table */
	__u8 *need;    /* per bucket: b0 of a live flow in its b1 (ct_fill_stats) */
	__u32 count;   /* of them */
	__u32 next;    /* id of the next new flow */
	__u64 inserts; /* tried */
	__u64 refused; /* of them */
	__u64 rng;
	struct ct_limits l;
};

/* What a table holds now. */
struct ct_fill_stats {
	double fill;	   /* share of slots in use */
	double hinted;	   /* share of buckets with the hint */
	double needed;	   /* share that a perfect hint would set: b0 of a flow in its b1 */
	double second;	   /* share of flows in their second bucket */
	double hit_lines;  /* cache lines a hit reads: 1 + second */
	double miss_lines; /* a miss: 1 + hinted */
	double need_lines; /* a miss with a perfect hint: 1 + needed */
	double syn_lines;  /* a new flow's miss and insert: 1 + hinted or b0 holds holds */
	double syn_need;   /* the same with a perfect hint: 1 + needed or b0 holds holds */
};

/* A TCP flow to 10.0.0.1:80 from a client numbered i. */
static inline struct flow_key ct_fill_flow(__u32 i)
{
	struct flow_key f = {};

	f.src[0] = htonl(0x0a640000u + (i >> 16));
	f.dst[0] = htonl(0x0a000001u);
	f.sport = htons(i & 0xffff);
	f.dport = htons(80);
	f.family = 4;
	f.proto = IPPROTO_TCP;
	return f;
}

/* An empty table of nb buckets for up to cap flows; 0, or -1 out of memory. */
static inline int ct_fill_init(struct ct_fill *s, __u32 nb, __u32 cap, __u32 holds)
{
	*s = (struct ct_fill){.nb = nb, .holds = holds, .rng = 0x9e3779b97f4a7c15ull};
	ct_limits_set(&s->l, 1000, 10000, 30000);
	s->t = calloc(nb, sizeof(*s->t));
	s->live = calloc(cap, sizeof(*s->live));
	s->need = calloc(nb, sizeof(*s->need));
	return s->t && s->live && s->need ? 0 : -1;
}

static inline void ct_fill_free(struct ct_fill *s)
{
	free(s->t);
	free(s->live);
	free(s->need);
}

/* The buckets and place of flow id. */
static inline void ct_fill_place(struct ct_fill *s, __u32 id, struct ct_place *p,
				 struct ct_bucket **b0, struct ct_bucket **b1)
{
	struct flow_key f = ct_fill_flow(id);

	ct_place_flow(p, &f, CT_FILL_SEED, s->nb);
	ct_mem_buckets(s->t, p, b0, b1);
}

/* Insert a new flow; kept in the live set unless refused. */
static inline void ct_fill_add(struct ct_fill *s)
{
	struct ct_bucket *b0, *b1;
	struct ct_place p;
	__u64 found;
	__u32 id = s->next++;

	ct_fill_place(s, id, &p, &b0, &b1);
	s->inserts++;
	if (ct_insert_holds(b0, b1, ct_slot_make(p.digest, 1, 0, 0, 1), 1, &s->l, &found,
			    s->holds) == CT_INSERTED)
		s->live[s->count++] = id;
	else
		s->refused++;
}

/* Clear the slot of a random live flow (the hint stays: ct_update keeps it). */
static inline void ct_fill_drop(struct ct_fill *s)
{
	struct ct_bucket *b0, *b1;
	struct ct_found f = {};
	struct ct_place p;
	__u32 j;
	int i;

	s->rng ^= s->rng << 13, s->rng ^= s->rng >> 7, s->rng ^= s->rng << 17;
	j = (__u32)(s->rng % s->count);
	ct_fill_place(s, s->live[j], &p, &b0, &b1);
	i = ct_lookup(b0, b1, p.digest, 0, &f);
	if (i >= 0)
		ct_update(f.which ? b1 : b0, i, f.s, 0);
	s->live[j] = s->live[--s->count];
}

/* Add flows up to count. */
static inline void ct_fill_to(struct ct_fill *s, __u32 count)
{
	while (s->count < count)
		ct_fill_add(s);
}

/* ops times: a random flow goes (at count), a new one comes. */
static inline void ct_fill_churn(struct ct_fill *s, __u32 count, __u64 ops)
{
	for (; ops; ops--) {
		if (s->count >= count)
			ct_fill_drop(s);
		ct_fill_add(s);
	}
}

/*
 * The table's figures. A perfect hint (one that could be cleared) is set
 * on a bucket exactly while it is b0 of at least one live flow in its b1:
 * the table cannot tell (no slot says which bucket it is in for its flow),
 * the simulation can, as it knows each live flow's key. A flow is where a
 * lookup of its digest finds it, as in the datapath: a 22-bit digest of
 * another flow in its b0 first (about 1 flow in 10^6 at 60 %) counts it
 * in b0. A new flow's miss is followed by its insert, which reads b1 also
 * when b0 holds holds flows or more (ct_first_takes): hint or not, it then
 * reads two lines (syn_lines, syn_need: over the buckets as its b0).
 */
static inline void ct_fill_stats(struct ct_fill *s, struct ct_fill_stats *st)
{
	struct ct_bucket *b0, *b1;
	struct ct_found f = {};
	struct ct_place p;
	__u32 i, r0, second = 0, needed = 0, syn = 0, syn_need = 0;
	__u64 o0;
	int i0;

	memset(s->need, 0, s->nb * sizeof(*s->need));
	for (i = 0; i < s->count; i++) {
		ct_fill_place(s, s->live[i], &p, &b0, &b1);
		if (ct_lookup(b0, b1, p.digest, 0, &f) < 0 || !f.which)
			continue;
		second++;
		needed += !s->need[p.bucket[0]];
		s->need[p.bucket[0]] = 1;
	}
	for (i = 0; i < s->nb; i++) {
		i0 = ct_bucket_victim(&s->t[i], 1, &s->l, &o0, &r0);
		if (!ct_first_takes(i0, r0, s->holds)) {
			syn++, syn_need++;
			continue;
		}
		syn += !!(s->t[i].slot[0] & CT_SPILLED);
		syn_need += s->need[i];
	}
	st->fill = (double)s->count / ((double)s->nb * HAULER_CT_SLOTS);
	st->hinted = ct_mem_spilled(s->t, s->nb);
	st->needed = s->nb ? (double)needed / s->nb : 0;
	st->second = s->count ? (double)second / s->count : 0;
	st->hit_lines = 1 + st->second;
	st->miss_lines = 1 + st->hinted;
	st->need_lines = 1 + st->needed;
	st->syn_lines = 1 + (s->nb ? (double)syn / s->nb : 0);
	st->syn_need = 1 + (s->nb ? (double)syn_need / s->nb : 0);
}

#endif
