// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * export_p4_write.c - the P4 export document (export_p4.h) as BF Runtime
 * style JSON, or as a bfrt_python script.
 *
 * JSON: {"program", "schema_version", "notes": [...], "value_sets": [...],
 * "tables": [{"table", "entries": [{"key": {...}, "action", "data": {...}}]}],
 * "registers": [{"register", "cells": [{"index", "value"}]}]}. Entries of
 * one table are consecutive. Fields of up to 32 bits are numbers, wider
 * ones hex strings ("0x" and bits/4 digits), so no JSON reader rounds
 * them.
 */
#include <string.h>

#include "export_p4.h"
#include "json.h"

static void value_text(const struct p4_value *v, char *buf, size_t len)
{
	unsigned int bytes = (v->bits + 7) / 8, i;
	size_t at = 2;

	snprintf(buf, len, "0x");
	for (i = 16 - bytes; i < 16 && at + 2 < len; i++, at += 2)
		snprintf(buf + at, len - at, "%02x", v->b[i]);
}

static void json_value(struct json *j, const struct p4_value *v)
{
	char text[40];

	if (v->bits <= 32) {
		json_uint(j, v->name, p4_value_u64(v));
		return;
	}
	value_text(v, text, sizeof(text));
	json_string(j, v->name, text);
}

static void json_entry(struct json *j, const struct p4_entry *e)
{
	int i;

	json_object_begin(j, NULL);
	if (e->is_default)
		json_bool(j, "default", 1);
	json_object_begin(j, "key");
	for (i = 0; i < e->nkey; i++)
		json_value(j, &e->key[i]);
	json_object_end(j);
	json_string(j, "action", e->action);
	json_object_begin(j, "data");
	for (i = 0; i < e->ndata; i++)
		json_value(j, &e->data[i]);
	json_object_end(j);
	json_object_end(j);
}

/* Is entry i the first of its table? (A table's entries are written together.) */
static int first_of_table(const struct p4_doc *doc, size_t i)
{
	for (size_t k = 0; k < i; k++)
		if (!strcmp(doc->entries[k].table, doc->entries[i].table))
			return 0;
	return 1;
}

void p4_write_json(const struct p4_doc *doc, FILE *out)
{
	struct json j;
	size_t i;

	json_init(&j, out);
	json_object_begin(&j, NULL);
	json_string(&j, "program", P4_PROGRAM);
	json_uint(&j, "schema_version", HAULER_SCHEMA_VERSION);
	json_array_begin(&j, "notes");
	for (i = 0; i < doc->n_notes; i++)
		json_string(&j, NULL, doc->notes[i]);
	json_array_end(&j);
	json_array_begin(&j, "value_sets");
	if (doc->report_port) {
		json_object_begin(&j, NULL);
		json_string(&j, "value_set", "pipe.HaulerIngressParser.report_port");
		json_uint(&j, "value", doc->report_port);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_array_begin(&j, "tables");
	for (i = 0; i < doc->n_entries; i++) {
		const struct p4_entry *e = &doc->entries[i];

		if (!first_of_table(doc, i))
			continue;
		json_object_begin(&j, NULL);
		json_string(&j, "table", e->table);
		json_array_begin(&j, "entries");
		for (size_t k = i; k < doc->n_entries; k++)
			if (!strcmp(doc->entries[k].table, e->table))
				json_entry(&j, &doc->entries[k]);
		json_array_end(&j);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_array_begin(&j, "registers");
	for (i = 0; i < doc->n_cells; i++) {
		const struct p4_cell *c = &doc->cells[i];

		if (!i || strcmp(doc->cells[i - 1].reg, c->reg)) {
			if (i) {
				json_array_end(&j);
				json_object_end(&j);
			}
			json_object_begin(&j, NULL);
			json_string(&j, "register", c->reg);
			json_array_begin(&j, "cells");
		}
		json_object_begin(&j, NULL);
		json_uint(&j, "index", c->index);
		json_uint(&j, "value", c->value);
		json_object_end(&j);
	}
	if (doc->n_cells) {
		json_array_end(&j);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_end(&j);
	json_finish(&j);
}

/* bfrt_python names a field by its last component: md.dst -> dst. */
static const char *short_name(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot ? dot + 1 : name;
}

static void python_args(FILE *out, const struct p4_value *v, int n, int *first)
{
	char text[40];
	int i;

	for (i = 0; i < n; i++) {
		if (v[i].bits <= 32)
			snprintf(text, sizeof(text), "%llu",
				 (unsigned long long)p4_value_u64(&v[i]));
		else
			value_text(&v[i], text, sizeof(text));
		fprintf(out, "%s%s=%s", *first ? "" : ", ", short_name(v[i].name), text);
		*first = 0;
	}
}

static void python_entry(const struct p4_entry *e, FILE *out)
{
	int first = 1;

	fprintf(out, "p4.%s.%s_with_%s(", e->table, e->is_default ? "set_default" : "add",
		short_name(e->action));
	python_args(out, e->key, e->nkey, &first);
	python_args(out, e->data, e->ndata, &first);
	fprintf(out, ")\n");
}

void p4_write_python(const struct p4_doc *doc, FILE *out)
{
	size_t i;

	fprintf(out,
		"# hauler export p4: the running configuration for p4/hauler.p4\n"
		"# (schema version %d). Run inside bfshell: bfrt_python THIS_FILE\n",
		HAULER_SCHEMA_VERSION);
	for (i = 0; i < doc->n_notes; i++)
		fprintf(out, "# note: %s\n", doc->notes[i]);
	fprintf(out, "p4 = bfrt.%s\n", P4_PROGRAM);
	if (doc->report_port)
		fprintf(out, "p4.pipe.HaulerIngressParser.report_port.add(f1=%u)\n",
			doc->report_port);
	for (i = 0; i < doc->n_entries; i++) {
		if (!first_of_table(doc, i))
			continue;
		for (size_t k = i; k < doc->n_entries; k++)
			if (!strcmp(doc->entries[k].table, doc->entries[i].table))
				python_entry(&doc->entries[k], out);
	}
	for (i = 0; i < doc->n_cells; i++)
		fprintf(out, "p4.%s.mod(REGISTER_INDEX=%u, f1=%u)\n", doc->cells[i].reg,
			doc->cells[i].index, doc->cells[i].value);
}
