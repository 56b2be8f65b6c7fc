/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * policy_table.h - what each policy accepts as parameters, generated from
 * include/select/params.def (the one place names, ranges and defaults are
 * written). Every policy takes the POLICY_ANY ones (stale-ms); a policy
 * not in params.def (a custom one) takes only those.
 */
#ifndef HAULER_POLICY_TABLE_H
#define HAULER_POLICY_TABLE_H

#include <stdio.h>
#include "hauler_schema.h"

#define POLICY_DEFAULT "hash"

/* A VIP's policy: the parameters the datapath reads, and what the manager keeps. */
struct policy_choice {
	struct policy_params params;
	__u32 interval_ms; /* dwrr's rebuild period; 0: the default */
};

/* 1 when name is a built-in policy (one the Makefile built under policies/). */
int policy_builtin(const char *name);
/* 1 when word names a parameter of any policy (where a parameter list ends). */
int policy_param_word(const char *word);
/*
 * Parse the parameters of policy `name` from argv[0..argc-1] into c (its
 * name is set too); stops at the first word that is not a parameter name.
 * Returns the number of words used, or -ERR_INPUT.
 */
int policy_parse_params(const char *name, int argc, char **argv, struct policy_choice *c);
/* One value of parameter param of policy, in its range (params.def). Returns 0 or -ERR_INPUT. */
int policy_param_parse(const char *policy, const char *param, const char *word, __u32 *v);
/* The parameters that were set, in the form policy_parse_params reads ("" when none). */
void policy_format_params(const struct policy_params *p, __u32 interval_ms, char *buf, size_t len);
/* Every parameter of p's policy with the value in force, defaults included. */
void policy_format_effective(const struct policy_params *p, __u32 interval_ms, char *buf,
			     size_t len);
/* dwrr's interval in force for a VIP: its own, else the default. */
__u32 policy_interval_ms(__u32 interval_ms);
/* The table itself, for `hauler policy params [NAME|any]`. Returns the entries printed. */
int policy_table_print(FILE *out, const char *only);

#endif
