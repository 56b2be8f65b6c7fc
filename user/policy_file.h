/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * policy_file.h - custom policies (`hauler policy load`): check an object
 * file, load and pin its program under PIN/policies/NAME, and remember the
 * file it came from so `hauler save` can write `policy load NAME PATH`.
 *
 * The record is a small manager-owned map pinned at PIN/policy_files
 * (HASH, name[16] -> path[256]); it lives and dies with the other pins.
 * The datapath never reads it. Likewise PIN/policy_intervals (ARRAY,
 * policy slot -> dwrr's interval-ms, 0: default) keeps the one policy
 * parameter that only the manager (hauler daemon) reads.
 */
#ifndef HAULER_POLICY_FILE_H
#define HAULER_POLICY_FILE_H

#include "model.h"

#define POLICY_FILES_PIN     "policy_files"
#define POLICY_INTERVALS_PIN "policy_intervals"

/*
 * Check that path is an object with exactly one program, of type XDP,
 * without loading it. Returns 0 or -ERR_*.
 */
int policy_file_check(const char *path);
/* Add the recorded custom policies, and any other non-built-in pin, to m. */
int policy_files_read(const char *pin, struct model *m);
/*
 * Load every custom policy of cur marked for reload, then pin each at
 * PIN/policies/NAME (replacing an older one atomically) and record its
 * path. Nothing is pinned unless every one loaded. Returns 0 or -ERR_*.
 */
int policy_files_load(const char *pin, const struct model *cur);
/* Unpin and forget the custom policies base has and cur has not. */
int policy_files_remove(const char *pin, const struct model *base, const struct model *cur);

#define POLICY_MAX 64

struct pinned_policy {
	char name[256];
	__u32 id;
};

/* The policy programs pinned under PIN/policies, with their program ids, by name. */
int pinned_policies(const char *pin, struct pinned_policy *out);
/*
 * The datapath's truth about each VIP's policy: a slot whose program
 * (policy_progs) is another pinned policy than its params name (a bpftool
 * swap) gets that program's name in m->params, keeping only the
 * parameters every policy takes, and is marked in m->policy_drift (the
 * name the map held in m->drift_was). Views and save then show what runs;
 * the next commit writes the params back.
 */
struct hauler_maps;
int policy_drift_read(const char *pin, const struct hauler_maps *maps, struct model *m);

/* m->interval_ms from PIN/policy_intervals (all 0 when it does not exist). */
int policy_intervals_read(const char *pin, struct model *m);
/* Write the intervals that changed (creating the map on first need). */
int policy_intervals_commit(const char *pin, const struct model *base, const struct model *cur);

#endif
