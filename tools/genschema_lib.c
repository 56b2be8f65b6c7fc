// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* genschema_lib.c - the schema's tables and generators (see genschema.h). */
#include <ctype.h>
#include <string.h>

#include "genschema.h"

#define SCHEMA_CONST(name, value, doc) {#name, (value), doc},
static const struct schema_const schema_consts[] = {
#include "schema_each.h"
};

#define SCHEMA_STRUCT(name, doc) {#name, doc},
const struct schema_struct schema_structs[] = {
#include "schema_each.h"
};
const size_t schema_structs_len = SCHEMA_LEN(schema_structs);

#define SCHEMA_FIELD(s, f, bits, doc)	   {#s, #f, bits, 1, NULL, doc, 0},
#define SCHEMA_ARRAY(s, f, bits, n, doc)   {#s, #f, bits, n, NULL, doc, 0},
#define SCHEMA_STRUCT_NEST(s, f, t, doc)   {#s, #f, 0, 1, #t, doc, 0},
#define SCHEMA_ARRAY_NEST(s, f, t, n, doc) {#s, #f, 0, n, #t, doc, 0},
#define SCHEMA_LOCK(s, f, doc)		   {#s, #f, 32, 1, NULL, doc, 1},
const struct schema_field schema_fields[] = {
#include "schema_each.h"
};
const size_t schema_fields_len = SCHEMA_LEN(schema_fields);

#define SCHEMA_MAP(name, type, key, value, max, doc) {#name, #type, #key, #value, (max), doc},
const struct schema_map schema_maps[] = {
#include "schema_each.h"
};
const size_t schema_maps_len = SCHEMA_LEN(schema_maps);

#define SCHEMA_COUNTER(name, doc) {#name, doc},
static const struct schema_counter schema_counters[] = {
#include "schema_each.h"
};

#define SCHEMA_HEADER(s, doc) {#s, doc},
const struct schema_header schema_headers[] = {
#include "schema_each.h"
};
const size_t schema_headers_len = SCHEMA_LEN(schema_headers);

const struct schema_struct *schema_find_struct(const char *name)
{
	for (size_t i = 0; i < SCHEMA_LEN(schema_structs); i++)
		if (!strcmp(schema_structs[i].name, name))
			return &schema_structs[i];
	return NULL;
}

size_t schema_type_size(const char *type)
{
	size_t size = 0;

	if (!schema_find_struct(type)) {
		unsigned int bits = 0;

		sscanf(type, "u%u", &bits);
		return bits / 8;
	}
	for (size_t i = 0; i < SCHEMA_LEN(schema_fields); i++) {
		const struct schema_field *f = &schema_fields[i];

		if (strcmp(f->strct, type))
			continue;
		size += (f->nest ? schema_type_size(f->nest) : f->bits / 8) * f->count;
	}
	return size;
}

static int schema_is_register(const struct schema_field *f)
{
	return f->count > GENSCHEMA_MAX_P4_ARRAY;
}

/* The P4 form of a schema type: NAME_t for a struct, bit<W> for uW. */
static void p4_type(FILE *out, const char *type)
{
	if (schema_find_struct(type))
		fprintf(out, "%s_t", type);
	else
		fprintf(out, "bit<%zu>", schema_type_size(type) * 8);
}

static void p4_upper(FILE *out, const char *s)
{
	for (; *s; s++)
		fputc(toupper((unsigned char)*s), out);
}

static void p4_field(FILE *out, const struct schema_field *f, const char *suffix)
{
	fputc('\t', out);
	if (f->nest)
		fprintf(out, "%s_t", f->nest);
	else
		fprintf(out, "bit<%u>", f->bits);
	fprintf(out, " %s%s;", f->name, suffix);
}

/* A field, or an array as one field per element: NAME_0, NAME_1, ... */
static void p4_field_lines(FILE *out, const struct schema_field *f)
{
	char suffix[16];

	if (f->count == 1) {
		p4_field(out, f, "");
		fprintf(out, " // %s\n", f->doc);
		return;
	}
	for (unsigned int n = 0; n < f->count; n++) {
		snprintf(suffix, sizeof(suffix), "_%u", n);
		p4_field(out, f, suffix);
		fprintf(out, n ? "\n" : " // %s\n", f->doc);
	}
}

static void p4_struct(FILE *out, const struct schema_struct *s)
{
	fprintf(out, "// %s\nstruct %s_t {\n", s->doc, s->name);
	for (size_t i = 0; i < SCHEMA_LEN(schema_fields); i++) {
		const struct schema_field *f = &schema_fields[i];

		if (strcmp(f->strct, s->name))
			continue;
		if (schema_is_register(f)) {
			fprintf(out,
				"\t// %s[%u]: too large for a struct, a register (see below)\n",
				f->name, f->count);
			continue;
		}
		if (f->lock) {
			fprintf(out,
				"\t// %s: the host's bpf_spin_lock (%u bits); no field: a register "
				"action is atomic\n",
				f->name, f->bits);
			continue;
		}
		p4_field_lines(out, f);
	}
	fprintf(out, "}\n\n");
}

/*
 * A wire header: the struct's fields flat, in wire order. Only plain
 * fields and short arrays can be on the wire (a header cannot nest).
 */
static void p4_header(FILE *out, const struct schema_header *h)
{
	fprintf(out, "// %s (wire format of struct %s)\nheader %s_h {\n", h->doc, h->strct,
		h->strct);
	for (size_t i = 0; i < SCHEMA_LEN(schema_fields); i++) {
		const struct schema_field *f = &schema_fields[i];

		if (!strcmp(f->strct, h->strct) && !f->nest && !f->lock && !schema_is_register(f))
			p4_field_lines(out, f);
	}
	fprintf(out, "}\n#define %s", strncmp(h->strct, "hauler_", 7) ? "HAULER_" : "");
	p4_upper(out, h->strct);
	fprintf(out, "_BYTES %zu\n\n", schema_type_size(h->strct));
}

/*
 * A map whose value holds a large array keeps that array in a register of
 * max_entries * count cells; cell (entry, i) is at entry * count + i.
 */
static void p4_map_registers(FILE *out, const struct schema_map *m)
{
	for (size_t i = 0; i < SCHEMA_LEN(schema_fields); i++) {
		const struct schema_field *f = &schema_fields[i];

		if (strcmp(f->strct, m->value) || !schema_is_register(f))
			continue;
		fprintf(out, "// %s: Register<", m->name);
		if (f->nest)
			fprintf(out, "%s_t", f->nest);
		else
			fprintf(out, "bit<%u>", f->bits);
		fprintf(out, ", bit<32>>(%llu) %s_%s; cell = entry * %u + index\n",
			m->max_entries * f->count, m->name, f->name, f->count);
		fprintf(out, "#define HAULER_REGISTER_");
		p4_upper(out, m->name);
		fputc('_', out);
		p4_upper(out, f->name);
		fprintf(out, "(name) Register<");
		if (f->nest)
			fprintf(out, "%s_t", f->nest);
		else
			fprintf(out, "bit<%u>", f->bits);
		fprintf(out, ", bit<32>>(%llu) name\n", m->max_entries * f->count);
	}
}

void genschema_p4(FILE *out)
{
	fprintf(out, "/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */\n"
		     "// hauler_schema.p4 - generated by tools/genschema from include/schema.def.\n"
		     "// Do not edit: change include/schema.def and run `make schema`.\n"
		     "#ifndef _HAULER_SCHEMA_P4_\n"
		     "#define _HAULER_SCHEMA_P4_\n\n");

	fprintf(out, "// Constants\n");
	for (size_t i = 0; i < SCHEMA_LEN(schema_consts); i++)
		fprintf(out, "#define HAULER_%s %llu // %s\n", schema_consts[i].name,
			schema_consts[i].value, schema_consts[i].doc);

	fprintf(out, "\n// Counters: indexes into stats\n");
	for (size_t i = 0; i < SCHEMA_LEN(schema_counters); i++)
		fprintf(out, "#define HAULER_STAT_%s %zu // %s\n", schema_counters[i].name, i,
			schema_counters[i].doc);
	fprintf(out, "#define HAULER_STAT_REASONS %zu\n\n", SCHEMA_LEN(schema_counters));

	for (size_t i = 0; i < SCHEMA_LEN(schema_structs); i++)
		p4_struct(out, &schema_structs[i]);

	fprintf(out, "// Wire headers\n");
	for (size_t i = 0; i < SCHEMA_LEN(schema_headers); i++)
		p4_header(out, &schema_headers[i]);

	fprintf(out, "// Maps: name, type, key, value, size\n");
	for (size_t i = 0; i < SCHEMA_LEN(schema_maps); i++) {
		const struct schema_map *m = &schema_maps[i];

		fprintf(out, "// map %s: %s, key ", m->name, m->type);
		p4_type(out, m->key);
		fprintf(out, ", value ");
		p4_type(out, m->value);
		fprintf(out, ", size %llu - %s\n", m->max_entries, m->doc);
	}
	fprintf(out, "\n// Registers for the arrays too large for a struct\n");
	for (size_t i = 0; i < SCHEMA_LEN(schema_maps); i++)
		p4_map_registers(out, &schema_maps[i]);

	fprintf(out, "\n#endif // _HAULER_SCHEMA_P4_\n");
}

/* Markdown text of a doc string: '|' and '*' would break a table cell. */
static void md_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '|' || *s == '*')
			fputc('\\', out);
		fputc(*s, out);
	}
}

static void md_type(FILE *out, const char *type)
{
	if (schema_find_struct(type))
		fprintf(out, "[`%s`](#%s)", type, type);
	else
		fprintf(out, "`%s`", type);
}

static void md_struct(FILE *out, const struct schema_struct *s)
{
	fprintf(out, "### %s\n\n", s->name);
	md_text(out, s->doc);
	fprintf(out, ". %zu bytes.", schema_type_size(s->name));
	for (size_t i = 0; i < SCHEMA_LEN(schema_headers); i++)
		if (!strcmp(schema_headers[i].strct, s->name))
			fprintf(out,
				" Also a wire header (P4 `%s_h`): every multi-byte field in "
				"network byte order.",
				s->name);
	fprintf(out, "\n\n");
	fprintf(out, "| field | bits | count | doc |\n|---|---|---|---|\n");
	for (size_t i = 0; i < SCHEMA_LEN(schema_fields); i++) {
		const struct schema_field *f = &schema_fields[i];

		if (strcmp(f->strct, s->name))
			continue;
		fprintf(out, "| `%s` | ", f->name);
		if (f->nest)
			fprintf(out, "[`%s`](#%s) (%zu)", f->nest, f->nest,
				schema_type_size(f->nest) * 8);
		else if (f->lock)
			fprintf(out, "%u (`bpf_spin_lock`)", f->bits);
		else
			fprintf(out, "%u", f->bits);
		fprintf(out, " | %u | ", f->count);
		md_text(out, f->doc);
		fprintf(out, " |\n");
	}
	fprintf(out, "\n");
}

void genschema_md(FILE *out)
{
	fprintf(out, "# Schema reference\n\n"
		     "Generated by `tools/genschema md` from `include/schema.def`. Do not edit:\n"
		     "change `include/schema.def` and run `make schema`.\n\n"
		     "Addresses and ports are in network byte order (as on the wire); every\n"
		     "other field is in host order. IPv4 addresses use `addr[0]`. Every struct\n"
		     "is packed by construction (no implicit padding), so BPF, user space and\n"
		     "P4 see the same layout.\n\n");

	fprintf(out, "## Constants\n\n| name | value | doc |\n|---|---|---|\n");
	for (size_t i = 0; i < SCHEMA_LEN(schema_consts); i++) {
		fprintf(out, "| `HAULER_%s` | %llu | ", schema_consts[i].name,
			schema_consts[i].value);
		md_text(out, schema_consts[i].doc);
		fprintf(out, " |\n");
	}

	fprintf(out, "\n## Structs\n\nA nested struct's bits column names the struct and its "
		     "width in bits.\n\n");
	for (size_t i = 0; i < SCHEMA_LEN(schema_structs); i++)
		md_struct(out, &schema_structs[i]);

	fprintf(out, "## Maps\n\nPinned by name, by default under `/sys/fs/bpf/hauler/`.\n\n"
		     "| map | type | key | value | key bytes | value bytes | max entries | doc |\n"
		     "|---|---|---|---|---|---|---|---|\n");
	for (size_t i = 0; i < SCHEMA_LEN(schema_maps); i++) {
		const struct schema_map *m = &schema_maps[i];

		fprintf(out, "| `%s` | %s | ", m->name, m->type);
		md_type(out, m->key);
		fprintf(out, " | ");
		md_type(out, m->value);
		fprintf(out, " | %zu | %zu | %llu | ", schema_type_size(m->key),
			schema_type_size(m->value), m->max_entries);
		md_text(out, m->doc);
		fprintf(out, " |\n");
	}

	fprintf(out,
		"\n## Counters\n\n"
		"`stats` holds one `counter` per reason at the index below (%d slots are\n"
		"reserved for reasons), then two per VIP from index %d (`HAULER_STAT_VIP`),\n"
		"then two per device from index %d (`HAULER_STAT_DEV`): forwarded\n"
		"packets/bytes, and new connections.\n\n"
		"| index | counter | doc |\n|---|---|---|\n",
		HAULER_STAT_REASON_SLOTS, HAULER_STAT_VIP(0, 0), HAULER_STAT_DEV(0, 0));
	for (size_t i = 0; i < SCHEMA_LEN(schema_counters); i++) {
		fprintf(out, "| %zu | `%s` | ", i, schema_counters[i].name);
		md_text(out, schema_counters[i].doc);
		fprintf(out, " |\n");
	}
}
