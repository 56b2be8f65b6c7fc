/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * export_p4.h - the running configuration as the switch's table, register
 * and value-set entries for p4/hauler.p4 (docs/p4.md): first an in-memory
 * document built from the model alone (what the tests check), then its
 * BF Runtime JSON or bfrt_python form. Names are the program's BF Runtime
 * names (pipe.CONTROL.INSTANCE.TABLE, key fields as in the P4 key).
 */
#ifndef HAULER_EXPORT_P4_H
#define HAULER_EXPORT_P4_H

#include <stdio.h>
#include "hauler_schema.h"
#include "model.h"

#define P4_PROGRAM	  "hauler"
#define P4_MAX_KEYS	  4
#define P4_MAX_DATA	  9
#define P4_NOTE_LEN	  160
#define P4_ANY_PORT	  0x1ff /* report_devices: reports from any ingress port */
#define P4_TICK_NS	  65536 /* the switch's time unit: global timestamp >> 16 */
#define P4_PICK_HASH_BITS 4	/* pick_nth's hash bits (p4/select.p4) */

/* A field value up to 128 bits, big-endian in the low bits/8 bytes of b. */
struct p4_value {
	const char *name;
	unsigned int bits;
	__u8 b[16];
};

/* One table entry; no key and is_default: the table's default action. */
struct p4_entry {
	const char *table;
	const char *action;
	int is_default;
	int nkey, ndata;
	struct p4_value key[P4_MAX_KEYS];
	struct p4_value data[P4_MAX_DATA];
};

struct p4_cell {
	const char *reg;
	__u32 index;
	__u32 value;
};

struct p4_doc {
	struct p4_entry *entries;
	size_t n_entries, cap_entries;
	struct p4_cell *cells;
	size_t n_cells, cap_cells;
	char (*notes)[P4_NOTE_LEN];
	size_t n_notes, cap_notes;
	__u16 report_port; /* the parser's value set; 0: UDP reports off */
};

/* The switch port a device is cabled to (hauler does not know it). */
struct p4_port {
	char device[HAULER_NAME_LEN];
	__u32 port;
};

struct p4_export_in {
	const struct model *m;
	/* The pinned Maglev tables by vip id (the active version); NULL: build from m. */
	const struct pool *const *pools;
	const struct p4_port *ports;
	int n_ports;
};

/* Build the document. Returns 0, or -ERR_SYSTEM (memory) / -ERR_INPUT. */
int p4_export(const struct p4_export_in *in, struct p4_doc *doc);
void p4_doc_free(struct p4_doc *doc);

/* The entries as a BF Runtime style JSON document. */
void p4_write_json(const struct p4_doc *doc, FILE *out);
/* The entries as a bfrt_python script (run inside bfshell's bfrt_python). */
void p4_write_python(const struct p4_doc *doc, FILE *out);

/* A value's low 64 bits (tests, python writer). */
__u64 p4_value_u64(const struct p4_value *v);

#endif
