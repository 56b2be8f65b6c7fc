/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * genschema.h - the generators of the P4 and Markdown forms of
 * include/schema.def (tools/genschema_lib.c). Linked by tools/genschema
 * (the program) and by tests/unit/test_schema.c, which checks that the
 * committed files are what these functions print.
 *
 * schema.def is first turned into tables; the generators only walk tables,
 * so every form sees the same order and the same sizes.
 */
#ifndef HAULER_GENSCHEMA_H
#define HAULER_GENSCHEMA_H

#include <stddef.h>
#include <stdio.h>

#include "hauler_schema.h"

/* Arrays longer than this do not fit a P4 struct: they become registers. */
#define GENSCHEMA_MAX_P4_ARRAY 16

struct schema_const {
	const char *name;
	unsigned long long value;
	const char *doc;
};

struct schema_struct {
	const char *name;
	const char *doc;
};

/*
 * One field; nest is the struct type of a nested field, else NULL; lock:
 * a SCHEMA_LOCK word (32 bits, a struct bpf_spin_lock in C, no P4 field).
 */
struct schema_field {
	const char *strct;
	const char *name;
	unsigned int bits;
	unsigned int count;
	const char *nest;
	const char *doc;
	int lock;
};

struct schema_map {
	const char *name;
	const char *type;
	const char *key;
	const char *value;
	unsigned long long max_entries;
	const char *doc;
};

struct schema_counter {
	const char *name;
	const char *doc;
};

/* A struct that is also a wire header (SCHEMA_HEADER). */
struct schema_header {
	const char *strct;
	const char *doc;
};

#define SCHEMA_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* The tables of schema.def, in its order. */
extern const struct schema_struct schema_structs[];
extern const size_t schema_structs_len;
extern const struct schema_map schema_maps[];
extern const size_t schema_maps_len;
extern const struct schema_field schema_fields[];
extern const size_t schema_fields_len;
extern const struct schema_header schema_headers[];
extern const size_t schema_headers_len;

/* The struct of that name, or NULL. */
const struct schema_struct *schema_find_struct(const char *name);
/* Bytes of a type named in the schema: a struct, or a plain u8..u64. */
size_t schema_type_size(const char *type);
/* P4-16 (TNA) declarations of the schema. */
void genschema_p4(FILE *out);
/* Markdown reference of the schema. */
void genschema_md(FILE *out);

#endif
