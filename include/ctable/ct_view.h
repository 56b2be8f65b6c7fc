/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ct_view.h - the compact connection table as its readers in user space
 * see it (hauler conns, hauler status, the health daemon's on-down reset;
 * docs/datapath.md "The compact table"): what a slot is now, counts over
 * buckets, and a bucket without one device's slots. Plain C over buckets
 * in memory (read from the ctable map by user/ctable_map.c, or built by
 * the unit tests with ct_mem_insert); the rules are ct_slot.h's, with the
 * datapath's limits (ct_view_set), never written twice. Not for BPF.
 */
#ifndef HAULER_CT_VIEW_H
#define HAULER_CT_VIEW_H

#include <stdio.h>
#include <string.h>

#include "ctable/ct_table.h"

/* What a used slot is to a reader. */
enum ct_state {
	CT_S_EMPTY, /* 0: no flow */
	CT_S_GONE,  /* its device is not in use, or is another generation of the id (ct_device) */
	CT_S_ENDED, /* past its FIN/RST linger, UDP timeout, idle or half-open life (ct_slot_ended)
		     */
	CT_S_HALF,  /* half-open, live */
	CT_S_OPEN,  /* established (maybe marked FIN or RST, within its linger), live */
};

/* A device as the datapath checks a slot against it (ct_device): in use, and its generation. */
#define CT_VIEW_IN_USE 0x80

/* The clock, the datapath's limits and the devices a reader judges slots by. */
struct ct_view {
	struct ct_limits l;
	__u32 now_tick;
	__u8 dev[HAULER_MAX_DEVICES]; /* CT_VIEW_IN_USE | low gen bits; 0: not in use */
};

/*
 * The limits of the datapath's config cfg (as hauler_ct's ct_limits_set)
 * and now_ns, its clock (CLOCK_MONOTONIC: the coarse clock's base); no
 * device in use yet (ct_view_device).
 */
static inline void ct_view_set(struct ct_view *v, const struct config *cfg, __u64 now_ns)
{
	memset(v, 0, sizeof(*v));
	ct_limits_set(&v->l, cfg->rst_linger_ms, cfg->fin_grace_ms, cfg->udp_timeout_ms);
	v->now_tick = ct_tick(now_ns);
}

/* Device id is in use in generation gen. */
static inline void ct_view_device(struct ct_view *v, __u32 id, __u32 gen)
{
	if (id < HAULER_MAX_DEVICES)
		v->dev[id] = CT_VIEW_IN_USE | (gen & CT_GEN_MASK);
}

/* Is slot s bound to device id in generation gen, as the datapath tells (id, low gen bits)? */
static inline int ct_slot_of_device(__u64 s, __u32 id, __u32 gen)
{
	return ct_slot_used(s) && ct_slot_device(s) == id && ct_slot_gen_is(s, gen);
}

/* What slot s is now. */
static inline enum ct_state ct_slot_state(const struct ct_view *v, __u64 s)
{
	__u32 id = ct_slot_device(s);

	if (!ct_slot_used(s))
		return CT_S_EMPTY;
	if (id >= HAULER_MAX_DEVICES || !(v->dev[id] & CT_VIEW_IN_USE) ||
	    !ct_slot_gen_is(s, v->dev[id]))
		return CT_S_GONE;
	if (ct_slot_ended(s, v->now_tick, &v->l))
		return CT_S_ENDED;
	return ct_slot_flags(s) & CT_F_HALF ? CT_S_HALF : CT_S_OPEN;
}

/* Slot s's age in ms (its tick's resolution: 2^CT_TICK_SHIFT ns, 67 ms). */
static inline __u64 ct_slot_age_ms(const struct ct_view *v, __u64 s)
{
	return ((__u64)ct_slot_age(s, v->now_tick) << HAULER_CT_TICK_SHIFT) / 1000000;
}

/*
 * Slot s's state in words: rst, fin, half-open or established (the
 * first that holds), then ",ended" or ",gone" when it is no live flow.
 */
static inline const char *ct_slot_text(const struct ct_view *v, __u64 s, char *buf, size_t len)
{
	__u32 f = ct_slot_flags(s);
	enum ct_state st = ct_slot_state(v, s);
	const char *word = "established", *end = "";

	if (f & CT_F_RST)
		word = "rst";
	else if (f & CT_F_FIN)
		word = "fin";
	else if (f & CT_F_HALF)
		word = "half-open";
	if (st == CT_S_GONE)
		end = ",gone";
	else if (st == CT_S_ENDED)
		end = ",ended";
	snprintf(buf, len, "%s%s", word, end);
	return buf;
}

/* Used slots by state (CT_S_*): hauler status counts live ones. */
struct ct_counts {
	__u64 n[CT_S_OPEN + 1];
};

/* Add the slots of buckets b[0..count-1] to c. */
static inline void ct_count_buckets(const struct ct_view *v, const struct ct_bucket *b, __u32 count,
				    struct ct_counts *c)
{
	__u32 i, k;

	for (i = 0; i < count; i++)
		for (k = 0; k < HAULER_CT_SLOTS; k++)
			c->n[ct_slot_state(v, b[i].slot[k])]++;
}

/* Tries per slot of ct_bucket_clear_device: a datapath refresh races it once in a blue moon. */
#define CT_CLEAR_TRIES 4

/*
 * The on-down reset of bucket b, shared with the datapath (the ctable
 * map's mapping), as read in seen: each slot of device id in generation
 * gen in seen is cleared by its own compare-and-swap (ct_update: only
 * that slot is written, slot 0's hint CT_SPILLED stays). A slot another
 * CPU changed since the read is read again: cleared while it still holds
 * the device's flow (a refresh), else left as that CPU wrote it (another
 * flow took it). Returns the slots cleared.
 */
static inline int ct_bucket_clear_device(struct ct_bucket *b, const struct ct_bucket *seen,
					 __u32 id, __u32 gen)
{
	int k, t, n = 0;

	for (k = 0; k < HAULER_CT_SLOTS; k++) {
		__u64 s = seen->slot[k];

		for (t = 0; t < CT_CLEAR_TRIES && ct_slot_of_device(s, id, gen); t++) {
			if (ct_update(b, k, s, 0)) {
				n++;
				break;
			}
			s = ct_read(b, k);
		}
	}
	return n;
}

/*
 * out: bucket b without the slots of device id in generation gen, as the
 * on-down reset leaves it (ct_bucket_clear_device on a copy; slot 0's
 * hint stays); returns how many it drops (0: out is b).
 */
static inline int ct_bucket_drop(const struct ct_bucket *b, __u32 id, __u32 gen,
				 struct ct_bucket *out)
{
	*out = *b;
	return ct_bucket_clear_device(out, b, id, gen);
}

#endif
