// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* maglev.c - weighted Maglev with minimal disruption (see maglev.h). */
#include <stdlib.h>
#include <string.h>

/* hauler_hash.h unrolls its loops for clang (BPF); gcc does not know the pragma. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunknown-pragmas"
#include "hauler_hash.h"
#pragma GCC diagnostic pop
#include "maglev.h"
#include "args.h"

struct perm {
	__u32 offset, skip, next; /* next: position in the permutation */
	__u32 target, held;
};

static __u32 perm_slot(const struct perm *p, __u32 j, __u32 M)
{
	return (__u32)(((__u64)p->offset + (__u64)j * p->skip) % M);
}

/* Largest-remainder apportionment of M slots by weight. */
static void set_targets(const struct maglev_server *s, int n, __u32 M, struct perm *p)
{
	__u64 W = 0, given = 0;
	int i;

	for (i = 0; i < n; i++)
		W += s[i].weight;
	if (!W)
		return;
	for (i = 0; i < n; i++) {
		p[i].target = (__u64)M * s[i].weight / W;
		given += p[i].target;
	}
	while (given < M) {
		__u64 best_rem = 0;
		int best = -1;

		for (i = 0; i < n; i++) {
			__u64 rem = (__u64)M * s[i].weight % W;

			/* Each server gets at most one extra slot. */
			if (s[i].weight && p[i].target == (__u64)M * s[i].weight / W &&
			    (best < 0 || rem > best_rem)) {
				best = i;
				best_rem = rem;
			}
		}
		p[best].target++;
		given++;
	}
}

/* Keep the old slots of present servers, earliest in their own order first. */
static void keep_old(int n, __u32 M, const __u16 *old, struct perm *p, __u16 *table,
		     const struct maglev_server *s)
{
	int pos_of[HAULER_MAX_SERVERS];
	__u32 j;
	int i;

	for (i = 0; i < HAULER_MAX_SERVERS; i++)
		pos_of[i] = -1;
	for (i = 0; i < n; i++)
		if (s[i].index < HAULER_MAX_SERVERS)
			pos_of[s[i].index] = i;
	for (i = 0; i < n; i++) {
		for (j = 0; j < M && p[i].held < p[i].target; j++) {
			__u32 slot = perm_slot(&p[i], j, M);

			if (old[slot] < HAULER_MAX_SERVERS && pos_of[old[slot]] == i) {
				table[slot] = s[i].index;
				p[i].held++;
			}
		}
	}
}

int maglev_build(const struct maglev_server *s, int n, __u32 M, const __u16 *old, __u16 *table)
{
	__u32 filled = 0, j;
	struct perm *p;
	int i;

	if (M < 7 || M > HAULER_MAGLEV_MAX || !is_prime(M) || n < 0 || n > HAULER_MAX_SERVERS)
		return -1;
	for (j = 0; j < M; j++)
		table[j] = HAULER_NO_SERVER;
	if (!n)
		return 0;
	p = calloc(n, sizeof(*p));
	if (!p)
		return -1;
	for (i = 0; i < n; i++) {
		size_t len = strnlen(s[i].name, HAULER_NAME_LEN);

		p[i].offset = hauler_hash_bytes(s[i].name, len, MAGLEV_SEED_OFFSET) % M;
		p[i].skip = hauler_hash_bytes(s[i].name, len, MAGLEV_SEED_SKIP) % (M - 1) + 1;
	}
	set_targets(s, n, M, p);
	if (old)
		keep_old(n, M, old, p, table, s);
	for (i = 0; i < n; i++)
		filled += p[i].held;
	for (i = 0; i < n; i++)
		if (p[i].target)
			break;
	if (i == n)
		goto out; /* every weight is 0: an empty pool */
	/* Maglev turns: each server short of its target takes its next free choice. */
	while (filled < M) {
		for (i = 0; i < n && filled < M; i++) {
			__u32 slot;

			if (p[i].held >= p[i].target)
				continue;
			do
				slot = perm_slot(&p[i], p[i].next++, M);
			while (table[slot] != HAULER_NO_SERVER);
			table[slot] = s[i].index;
			p[i].held++;
			filled++;
		}
	}
out:
	free(p);
	return 0;
}
