/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * policy_table.h - what each policy accepts as parameters. Every policy
 * takes the generic ones (stale-ms); a policy lists the others it reads.
 * A policy not in the table (a custom one) takes the generic ones only.
 */
#ifndef HAULER_POLICY_TABLE_H
#define HAULER_POLICY_TABLE_H

#include <stddef.h>
#include "hauler_schema.h"

#define POLICY_DEFAULT "hash"

/* 1 when name is a built-in policy. */
int policy_builtin(const char *name);
/* 1 when word names a parameter of any policy (where a parameter list ends). */
int policy_param_word(const char *word);
/*
 * Parse the parameters of policy `name` from argv[0..argc-1] into p (its
 * name is set too); stops at the first word that is not a parameter name.
 * Returns the number of words used, or -ERR_INPUT.
 */
int policy_parse_params(const char *name, int argc, char **argv, struct policy_params *p);
/* The parameters in the form policy_parse_params reads ("" when none). */
void policy_format_params(const struct policy_params *p, char *buf, size_t len);

#endif
