/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * learner_store.h - where `hauler learn` keeps each VIP's learner between
 * runs: a manager-owned map pinned at PIN/learners (ARRAY, VIP id ->
 * record), so the Q-table outlives the hauler process, a restarted
 * manager and `hauler up` again; `hauler down` removes it with the other
 * pins. The datapath never reads it.
 */
#ifndef HAULER_LEARNER_STORE_H
#define HAULER_LEARNER_STORE_H

#include "hauler_schema.h"
#include "learner.h"

#define LEARNERS_PIN	      "learners"
#define LEARNER_STORE_MAGIC   0x4c524e51u /* "LRNQ" */
#define LEARNER_STORE_VERSION 1

struct learner_record {
	__u32 magic;	    /* LEARNER_STORE_MAGIC; 0: no learner */
	__u32 version;	    /* LEARNER_STORE_VERSION */
	struct vip_key vip; /* the VIP it learned: a new VIP in the slot starts afresh */
	__u32 pad;
	struct learner l;
};

/*
 * The learner of VIP id (key) into l. Returns 1 when found, 0 when there
 * is none (or it belonged to another VIP), -ERR_* when it cannot be read
 * or does not check (learner_check).
 */
int learner_store_load(const char *pin, __u32 vip_id, const struct vip_key *key, struct learner *l);
int learner_store_save(const char *pin, __u32 vip_id, const struct vip_key *key,
		       const struct learner *l);
/* Forget the learner of VIP id. */
int learner_store_reset(const char *pin, __u32 vip_id);

#endif
