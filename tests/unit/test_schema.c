// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_schema - every form of include/schema.def agrees with the others:
 * the C structs have no implicit padding (so BPF, user space and P4 share
 * one layout), map sizes match, the BPF object declares the maps the
 * schema names, and the committed generated files are not stale.
 *
 * Runs from the repository root; HAULER_BUILD names the build directory.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <bpf/libbpf.h>

#include "hauler_schema.h"
#include "genschema.h"

/* The schema names 32-bit keys and values "u32": give sizeof a struct of that name. */
struct u32 {
	__u32 value;
};

struct field_layout {
	const char *strct;
	const char *field;
	size_t offset;
	size_t size;
	size_t struct_size;
};

#define SCHEMA_CONST(name, value, doc)
#define SCHEMA_STRUCT(name, doc)
#define SCHEMA_END(name)
#define SCHEMA_MAP(name, type, key, value, max, doc)
#define SCHEMA_COUNTER(name, doc)
#define SCHEMA_HEADER(s, doc)
#define FIELD_LAYOUT(s, f)                                                                         \
	{#s, #f, offsetof(struct s, f), sizeof(((struct s *)0)->f), sizeof(struct s)},
#define SCHEMA_FIELD(s, f, bits, doc)	   FIELD_LAYOUT(s, f)
#define SCHEMA_ARRAY(s, f, bits, n, doc)   FIELD_LAYOUT(s, f)
#define SCHEMA_STRUCT_NEST(s, f, t, doc)   FIELD_LAYOUT(s, f)
#define SCHEMA_ARRAY_NEST(s, f, t, n, doc) FIELD_LAYOUT(s, f)
#define SCHEMA_LOCK(s, f, doc)		   FIELD_LAYOUT(s, f)
static const struct field_layout field_layouts[] = {
#include "schema.def"
};
#undef SCHEMA_FIELD
#undef SCHEMA_ARRAY
#undef SCHEMA_STRUCT_NEST
#undef SCHEMA_ARRAY_NEST
#undef SCHEMA_LOCK
#undef SCHEMA_MAP

struct map_layout {
	const char *name;
	size_t key_size;
	size_t value_size;
};

#define SCHEMA_FIELD(s, f, bits, doc)
#define SCHEMA_ARRAY(s, f, bits, n, doc)
#define SCHEMA_STRUCT_NEST(s, f, t, doc)
#define SCHEMA_ARRAY_NEST(s, f, t, n, doc)
#define SCHEMA_LOCK(s, f, doc)
#define SCHEMA_MAP(name, type, key, value, max, doc)                                               \
	{#name, sizeof(struct key), sizeof(struct value)},
static const struct map_layout map_layouts[] = {
#include "schema.def"
};
#undef SCHEMA_CONST
#undef SCHEMA_STRUCT
#undef SCHEMA_END
#undef SCHEMA_FIELD
#undef SCHEMA_ARRAY
#undef SCHEMA_STRUCT_NEST
#undef SCHEMA_ARRAY_NEST
#undef SCHEMA_LOCK
#undef SCHEMA_MAP
#undef SCHEMA_COUNTER
#undef SCHEMA_HEADER

/* Every field starts where the previous one ended, and the last ends the struct. */
static void test_structs_have_no_padding(void **state)
{
	size_t end = 0;

	(void)state;
	for (size_t i = 0; i < SCHEMA_LEN(field_layouts); i++) {
		const struct field_layout *f = &field_layouts[i];
		const struct field_layout *next = &field_layouts[i + 1];
		int last = i + 1 == SCHEMA_LEN(field_layouts) || strcmp(next->strct, f->strct);

		if (f->offset != end)
			fail_msg("%s.%s at offset %zu, expected %zu: implicit padding", f->strct,
				 f->field, f->offset, end);
		end += f->size;
		if (!last)
			continue;
		if (end != f->struct_size)
			fail_msg("struct %s is %zu bytes, its fields %zu: trailing padding",
				 f->strct, f->struct_size, end);
		end = 0;
	}
}

/* The widths the generators print (P4, docs) add up to the C sizes. */
static void test_generated_sizes_match_c(void **state)
{
	(void)state;
	for (size_t i = 0; i < SCHEMA_LEN(field_layouts); i++) {
		const struct field_layout *f = &field_layouts[i];

		assert_int_equal(schema_type_size(f->strct), f->struct_size);
	}
	for (size_t i = 0; i < schema_structs_len; i++)
		assert_true(schema_type_size(schema_structs[i].name) > 0);
}

static void test_map_sizes_match_c(void **state)
{
	(void)state;
	assert_int_equal(SCHEMA_LEN(map_layouts), schema_maps_len);
	for (size_t i = 0; i < SCHEMA_LEN(map_layouts); i++) {
		const struct map_layout *c = &map_layouts[i];
		const struct schema_map *m = &schema_maps[i];

		assert_string_equal(c->name, m->name);
		if (c->key_size != schema_type_size(m->key) ||
		    c->value_size != schema_type_size(m->value))
			fail_msg("map %s: C key/value %zu/%zu bytes, schema %zu/%zu", m->name,
				 c->key_size, c->value_size, schema_type_size(m->key),
				 schema_type_size(m->value));
	}
}

static const struct schema_map *find_map(const char *name)
{
	for (size_t i = 0; i < schema_maps_len; i++)
		if (!strcmp(schema_maps[i].name, name))
			return &schema_maps[i];
	fail_msg("schema has no map %s", name);
	return NULL;
}

/* The literal max_entries in schema.def agree with its constants. */
static void test_map_limits_match_constants(void **state)
{
	const int slots = HAULER_SERVERS_DEFAULT + HAULER_VIPS_DEFAULT;

	(void)state;
	/* Declared with the defaults of a first up; hauler up --vips etc. resize them. */
	assert_int_equal(find_map("vips")->max_entries, HAULER_VIPS_DEFAULT);
	assert_int_equal(find_map("vip_index")->max_entries, HAULER_VIPS_DEFAULT);
	assert_int_equal(find_map("pools")->max_entries, HAULER_VIPS_DEFAULT * 2);
	assert_int_equal(find_map("servers")->max_entries, slots);
	assert_int_equal(find_map("devices")->max_entries, HAULER_DEVICES_DEFAULT);
	assert_int_equal(find_map("dev_state")->max_entries, HAULER_DEVICES_DEFAULT);
	assert_int_equal(find_map("dev_keys")->max_entries, HAULER_DEVICES_DEFAULT);
	assert_int_equal(find_map("rings")->max_entries, slots * 2);
	assert_int_equal(find_map("ring_pos")->max_entries, slots);
	assert_int_equal(find_map("policy_progs")->max_entries, HAULER_VIPS_DEFAULT);
	assert_int_equal(find_map("policy_params")->max_entries, HAULER_VIPS_DEFAULT);
	/* The ceilings: one flat group a VIP after the servers; stats laid out for them. */
	assert_int_equal(HAULER_SERVER_SLOTS, HAULER_MAX_SERVERS + HAULER_MAX_VIPS);
	assert_int_equal(find_map("conns")->max_entries, HAULER_MAX_CONNS);
	assert_int_equal(find_map("half_open")->max_entries, HAULER_MAX_HALF_OPEN);
	assert_int_equal(find_map("stats")->max_entries, HAULER_STAT_SLOTS);
}

/*
 * The compiled entry program declares every map as the schema says. An
 * ARRAY_MMAPABLE map is an array made with BPF_F_MMAPABLE (its values
 * start at a page boundary, bpf/xdp_maps.h); no other map has the flag.
 */
static void test_bpf_object_maps_match_schema(void **state)
{
	const char *build = getenv("HAULER_BUILD") ? getenv("HAULER_BUILD") : "build";
	struct bpf_object *obj;
	char path[4096];

	(void)state;
	snprintf(path, sizeof(path), "%s/bpf/hauler_xdp.bpf.o", build);
	obj = bpf_object__open_file(path, NULL);
	if (!obj)
		fail_msg("cannot open %s: build it first (make)", path);
	for (size_t i = 0; i < schema_maps_len; i++) {
		const struct schema_map *m = &schema_maps[i];
		struct bpf_map *map = bpf_object__find_map_by_name(obj, m->name);
		int mmapable = !strcmp(m->type, "ARRAY_MMAPABLE");
		char type[32];
		size_t n;

		if (!map)
			fail_msg("%s has no map %s", path, m->name);
		for (n = 0; m->type[n] && n < sizeof(type) - 1; n++)
			type[n] = (char)tolower((unsigned char)m->type[n]);
		type[n] = '\0';
		if (mmapable)
			snprintf(type, sizeof(type), "array");
		assert_string_equal(libbpf_bpf_map_type_str(bpf_map__type(map)), type);
		assert_int_equal(!!(bpf_map__map_flags(map) & BPF_F_MMAPABLE), mmapable);
		assert_int_equal(bpf_map__key_size(map), schema_type_size(m->key));
		assert_int_equal(bpf_map__value_size(map), schema_type_size(m->value));
		assert_int_equal(bpf_map__max_entries(map), m->max_entries);
	}
	bpf_object__close(obj);
}

/* Compare a generator's output with the committed file, line by line for a useful message. */
static void check_generated(const char *path, void (*generate)(FILE *))
{
	char *want = NULL, *have = NULL;
	size_t want_len = 0, have_len = 0;
	FILE *out = open_memstream(&want, &want_len);
	FILE *in = fopen(path, "r");
	size_t line = 1;

	assert_non_null(out);
	generate(out);
	assert_int_equal(fclose(out), 0);
	if (!in)
		fail_msg("%s is missing: run make schema", path);
	have = malloc(want_len + 2);
	assert_non_null(have);
	have_len = fread(have, 1, want_len + 1, in);
	fclose(in);
	if (have_len == want_len && !memcmp(have, want, want_len)) {
		free(have);
		free(want);
		return;
	}
	for (size_t i = 0; i < have_len && i < want_len && have[i] == want[i]; i++)
		line += have[i] == '\n';
	free(have);
	free(want);
	fail_msg("%s is stale (differs from line %zu): run make schema", path, line);
}

static void test_p4_declarations_are_current(void **state)
{
	(void)state;
	check_generated("p4/include/hauler_schema.p4", genschema_p4);
}

/*
 * A wire header (SCHEMA_HEADER) names a struct whose every field can be on
 * the wire (no nested struct, no register-sized array), so the generated
 * P4 header has the C struct's bytes in its order.
 */
static void test_p4_headers_match_c(void **state)
{
	(void)state;
	assert_true(schema_headers_len > 0);
	for (size_t h = 0; h < schema_headers_len; h++) {
		const char *name = schema_headers[h].strct;
		size_t c_size = 0, fields = 0;

		assert_non_null(schema_find_struct(name));
		for (size_t i = 0; i < SCHEMA_LEN(field_layouts); i++)
			if (!strcmp(field_layouts[i].strct, name))
				c_size = field_layouts[i].struct_size;
		for (size_t i = 0; i < schema_fields_len; i++) {
			const struct schema_field *f = &schema_fields[i];

			if (strcmp(f->strct, name))
				continue;
			if (f->nest || f->count > GENSCHEMA_MAX_P4_ARRAY)
				fail_msg("header %s: field %s cannot be on the wire", name,
					 f->name);
			fields += f->bits / 8 * f->count;
		}
		assert_int_equal(fields, c_size);
	}
}

static void test_schema_doc_is_current(void **state)
{
	(void)state;
	check_generated("docs/schema.md", genschema_md);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_structs_have_no_padding),
	    cmocka_unit_test(test_generated_sizes_match_c),
	    cmocka_unit_test(test_map_sizes_match_c),
	    cmocka_unit_test(test_map_limits_match_constants),
	    cmocka_unit_test(test_bpf_object_maps_match_schema),
	    cmocka_unit_test(test_p4_declarations_are_current),
	    cmocka_unit_test(test_p4_headers_match_c),
	    cmocka_unit_test(test_schema_doc_is_current),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
