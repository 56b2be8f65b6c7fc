// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_export_p4 - hauler export p4 on in-memory models, without maps:
 *  - golden: a small configuration's bfrt_python script is the committed
 *    tests/unit/fixtures/export_p4.py (HAULER_UPDATE_GOLDEN=1 rewrites it;
 *    pick_nth's 4080 constant lines are checked by computation instead);
 *  - round trip: the demo's configuration (tools/demo.sh) exported as
 *    JSON, read back with a small JSON reader, gives back its VIPs, Maglev
 *    tables, servers, devices, rings, policies and keys;
 *  - the policy mapping, notes, and bad command lines (a clear error, no
 *    output file).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "batch.h"
#include "cmd.h"
#include "error.h"
#include "export_p4.h"
#include "maglev.h"
#include "model.h"
#include "ring.h"

#define GOLDEN "tests/unit/fixtures/export_p4.py"

/* A small configuration: one nat VIP (lur on mem), two devices, one keyed. */
static const char small_conf[] =
    "config set report-port 7946 tunnel-src 10.0.0.1 rst-linger 250\n"
    "vip add 10.0.0.10:80/tcp mode nat policy lur metric mem table-size 7\n"
    "server add s1 vip 10.0.0.10:80/tcp weight 1\n"
    "device add d1 server s1 addr 10.0.2.11 port 8080 kind cpu weight 3\n"
    "device add d2 server s1 addr 10.0.2.12 port 8080 kind gpu weight 1\n"
    "device key d1 000102030405060708090a0b0c0d0e0f\n";

/*
 * The demo's configuration (tools/demo.sh: topo_pool with weights 3 and 1),
 * with keys as `hauler device key` gives them, and a second VIP in ipip
 * mode on IPv6 so both families and modes go through the export.
 */
static const char demo_conf[] =
    "vip add 10.9.100.10:80/tcp mode nat policy wrr\n"
    "server add s1 vip 10.9.100.10:80/tcp\n"
    "device add s1cpu server s1 addr 10.9.2.11 port 8080 kind cpu weight 3\n"
    "device add s1acc server s1 addr 10.9.2.12 port 8080 kind gpu weight 1\n"
    "server add s2 vip 10.9.100.10:80/tcp\n"
    "device add s2cpu server s2 addr 10.9.2.21 port 8080 kind cpu weight 3\n"
    "device add s2acc server s2 addr 10.9.2.22 port 8080 kind gpu weight 1\n"
    "device key s1cpu 00112233445566778899aabbccddeeff\n"
    "device key s2acc 0f1e2d3c4b5a69788796a5b4c3d2e1f0\n"
    "vip add [fd00:9:100::10]:443/udp mode ipip policy prt threshold 70\n"
    "server add t1 vip [fd00:9:100::10]:443/udp weight 2\n"
    "device add t1a server t1 addr fd00:9:2::31 port 443 weight 5\n"
    "device add t1b server t1 addr fd00:9:2::32 port 443 weight 1 state drain\n"
    "server add t2 vip [fd00:9:100::10]:443/udp weight 1\n"
    "device add t2a server t2 addr fd00:9:2::41 port 443\n";

static struct model *model_of(const char *conf)
{
	struct model *m = malloc(sizeof(*m));

	assert_non_null(m);
	model_init_empty(m);
	if (batch_apply_string(m, conf, "test"))
		fail_msg("config: %s", err_msg());
	return m;
}

static char *export_text(const struct model *m, int python)
{
	struct p4_export_in in = {.m = m};
	struct p4_doc doc;
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_non_null(out);
	assert_int_equal(p4_export(&in, &doc), 0);
	(python ? p4_write_python : p4_write_json)(&doc, out);
	p4_doc_free(&doc);
	fclose(out);
	return buf;
}

/* The script without pick_nth's lines, which test_pick_nth checks. */
static char *drop_pick_nth(const char *text)
{
	char *out = malloc(strlen(text) + 1), *o = out;
	const char *line = text;

	assert_non_null(out);
	while (*line) {
		const char *end = strchr(line, '\n');
		size_t n = end ? (size_t)(end - line + 1) : strlen(line);

		if (!strstr(line, ".pick_nth.") || (end && strstr(line, ".pick_nth.") > end)) {
			memcpy(o, line, n);
			o += n;
		}
		line += n;
	}
	*o = '\0';
	return out;
}

static void test_golden_python(void **state)
{
	struct model *m = model_of(small_conf);
	char *text = export_text(m, 1), *want = NULL, *got = drop_pick_nth(text);
	size_t len = 0, line = 1, i;
	FILE *f;

	(void)state;
	/* The schema's version is not the export's concern: the golden says @VERSION@. */
	{
		char version[64], *at;

		snprintf(version, sizeof(version), "(schema version %d)", HAULER_SCHEMA_VERSION);
		at = strstr(got, version);
		assert_non_null(at);
		memmove(at + strlen("(schema version @VERSION@)"), at + strlen(version),
			strlen(at + strlen(version)) + 1);
		memcpy(at, "(schema version @VERSION@)", strlen("(schema version @VERSION@)"));
	}
	if (getenv("HAULER_UPDATE_GOLDEN")) {
		f = fopen(GOLDEN, "w");
		assert_non_null(f);
		fputs(got, f);
		fclose(f);
	}
	f = fopen(GOLDEN, "r");
	if (!f)
		fail_msg("%s is missing (HAULER_UPDATE_GOLDEN=1 writes it)", GOLDEN);
	assert_int_equal(getdelim(&want, &len, '\0', f) > 0, 1);
	fclose(f);
	for (i = 0; got[i] && got[i] == want[i]; i++)
		line += got[i] == '\n';
	if (strcmp(got, want))
		fail_msg("export differs from %s at line %zu", GOLDEN, line);
	free(want);
	free(got);
	free(text);
	free(m);
}

/* ---- a small JSON reader: enough for the export's documents ---- */

enum jtype { J_OBJ, J_ARR, J_STR, J_NUM, J_BOOL };

struct jv {
	enum jtype type;
	char *key; /* member name inside an object */
	char *str;
	unsigned long long num;
	struct jv *kids;
	size_t n;
};

static const char *jp;

static void ws(void)
{
	while (isspace((unsigned char)*jp))
		jp++;
}

static char *jstring(void)
{
	const char *start;
	char *s;

	if (*jp != '"')
		fail_msg("JSON: string expected at '%.20s'", jp);
	start = ++jp;
	while (*jp && *jp != '"') {
		if (*jp == '\\')
			jp++;
		jp++;
	}
	if (*jp != '"')
		fail_msg("JSON: unterminated string");
	s = strndup(start, jp - start);
	jp++;
	return s;
}

static void jvalue(struct jv *v);

static void jlist(struct jv *v, char close, int keyed)
{
	jp++;
	ws();
	while (*jp != close) {
		v->kids = realloc(v->kids, (v->n + 1) * sizeof(*v->kids));
		assert_non_null(v->kids);
		memset(&v->kids[v->n], 0, sizeof(*v->kids));
		if (keyed) {
			v->kids[v->n].key = jstring();
			ws();
			if (*jp++ != ':')
				fail_msg("JSON: ':' expected");
			ws();
		}
		jvalue(&v->kids[v->n++]);
		ws();
		if (*jp == ',') {
			jp++;
			ws();
		} else if (*jp != close) {
			fail_msg("JSON: ',' or '%c' expected at '%.20s'", close, jp);
		}
	}
	jp++;
}

static void jvalue(struct jv *v)
{
	char *end;

	ws();
	if (*jp == '{') {
		v->type = J_OBJ;
		jlist(v, '}', 1);
	} else if (*jp == '[') {
		v->type = J_ARR;
		jlist(v, ']', 0);
	} else if (*jp == '"') {
		v->type = J_STR;
		v->str = jstring();
	} else if (!strncmp(jp, "true", 4) || !strncmp(jp, "false", 5)) {
		v->type = J_BOOL;
		v->num = *jp == 't';
		jp += v->num ? 4 : 5;
	} else if (isdigit((unsigned char)*jp)) {
		v->type = J_NUM;
		v->num = strtoull(jp, &end, 10);
		jp = end;
	} else {
		fail_msg("JSON: unexpected '%.20s'", jp);
	}
}

static struct jv *jget(const struct jv *o, const char *key)
{
	for (size_t i = 0; i < o->n; i++)
		if (o->kids[i].key && !strcmp(o->kids[i].key, key))
			return &o->kids[i];
	return NULL;
}

static unsigned long long jnum(const struct jv *o, const char *key)
{
	const struct jv *v = jget(o, key);

	if (!v || v->type != J_NUM)
		fail_msg("JSON: no number %s", key);
	return v->num;
}

/* A 128-bit field ("0x" + 32 hex digits) as 16 bytes. */
static void jbytes(const struct jv *o, const char *key, __u8 out[16])
{
	const struct jv *v = jget(o, key);

	if (!v || v->type != J_STR || strlen(v->str) != 34 || strncmp(v->str, "0x", 2))
		fail_msg("JSON: no 128-bit field %s", key);
	for (int i = 0; i < 16; i++) {
		unsigned int byte;

		assert_int_equal(sscanf(v->str + 2 + 2 * i, "%2x", &byte), 1);
		out[i] = byte;
	}
}

static void jfree(struct jv *v)
{
	for (size_t i = 0; i < v->n; i++)
		jfree(&v->kids[i]);
	free(v->kids);
	free(v->key);
	free(v->str);
}

static void parse_json(const char *text, struct jv *root)
{
	memset(root, 0, sizeof(*root));
	jp = text;
	jvalue(root);
	ws();
	assert_int_equal(*jp, '\0');
}

/* The entries of table name (NULL: none). */
static const struct jv *table_entries(const struct jv *root, const char *name)
{
	const struct jv *tables = jget(root, "tables");

	assert_non_null(tables);
	for (size_t i = 0; i < tables->n; i++) {
		const struct jv *t = &tables->kids[i];

		if (!strcmp(jget(t, "table")->str, name))
			return jget(t, "entries");
	}
	return NULL;
}

/* ---- the switch state read back, as hauler's model parts ---- */

/* An address of the model as the export's 128-bit bytes. */
static void addr_bytes(__u8 family, const __u32 addr[4], __u8 out[16])
{
	memset(out, 0, 16);
	if (family == 6)
		memcpy(out, addr, 16);
	else
		memcpy(out + 12, &addr[0], 4);
}

static void check_vips(const struct model *m, const struct jv *root)
{
	const struct jv *vips = table_entries(root, "pipe.HaulerIngress.vip.vips");
	int id, seen = 0;

	assert_non_null(vips);
	for (size_t i = 0; i < vips->n; i++) {
		const struct jv *key = jget(&vips->kids[i], "key"),
				*data = jget(&vips->kids[i], "data");
		const struct model_vip *v;
		__u8 dst[16], want[16];

		id = jnum(data, "vip_id");
		assert_true(id < HAULER_MAX_VIPS && m->vips[id].in_use);
		v = &m->vips[id];
		assert_int_equal(jnum(key, "md.family"), v->key.family);
		jbytes(key, "md.dst", dst);
		addr_bytes(v->key.family, v->key.addr, want);
		assert_memory_equal(dst, want, 16);
		assert_int_equal(jnum(key, "md.dport"), ntohs(v->key.port));
		assert_int_equal(jnum(key, "md.proto"), v->key.proto);
		assert_int_equal(jnum(data, "fwd_mode"), v->info.fwd_mode);
		assert_int_equal(jnum(data, "pool"), id * 2 + v->info.pool_version);
		seen++;
	}
	for (id = 0; id < HAULER_MAX_VIPS; id++)
		seen -= m->vips[id].in_use;
	assert_int_equal(seen, 0);
}

/* Every bucket of every VIP names the server of the host's slot b mod M. */
static void check_maglev(const struct model *m, const struct jv *root)
{
	const struct jv *entries = table_entries(root, "pipe.HaulerIngress.server_tier.maglev");
	struct maglev_server *srv = calloc(HAULER_MAX_SERVERS, sizeof(*srv));
	__u16 *table = malloc(HAULER_MAGLEV_MAX * sizeof(*table));
	__u16 *got = malloc(65536 * sizeof(*got));
	int id;

	assert_true(srv && table && got && entries);
	for (id = 0; id < HAULER_MAX_VIPS; id++) {
		const struct model_vip *v = &m->vips[id];
		__u32 M = v->info.table_size, B = 1, b;
		int n;

		if (!v->in_use)
			continue;
		while (B < M)
			B <<= 1;
		n = model_pool_servers(m, id, srv);
		assert_int_equal(maglev_build(srv, n, M, NULL, table), 0);
		memset(got, 0xff, 65536 * sizeof(*got));
		for (size_t i = 0; i < entries->n; i++) {
			const struct jv *key = jget(&entries->kids[i], "key");

			if (jnum(key, "md.pool") != (__u32)id * 2 + v->info.pool_version)
				continue;
			b = jnum(key, "md.bucket");
			assert_true(b < B);
			got[b] = jnum(jget(&entries->kids[i], "data"), "server");
		}
		for (b = 0; b < B; b++)
			if (got[b] != table[b % M])
				fail_msg("vip %d bucket %u: server %u, host slot %u has %u", id, b,
					 got[b], b % M, table[b % M]);
	}
	free(srv);
	free(table);
	free(got);
}

static const struct jv *find_entry(const struct jv *entries, const char *field, __u32 value)
{
	for (size_t i = 0; entries && i < entries->n; i++)
		if (jnum(jget(&entries->kids[i], "key"), field) == value)
			return &entries->kids[i];
	return NULL;
}

/* Devices per server and position, the devices' addresses, the rings. */
static void check_servers(const struct model *m, const struct jv *root)
{
	const struct jv *servers = table_entries(root, "pipe.HaulerIngress.server_tier.servers");
	const struct jv *devices = table_entries(root, "pipe.HaulerIngress.forward.devices");
	const struct jv *gens = table_entries(root, "pipe.HaulerIngress.conns.device_gens");
	const struct jv *regs = jget(root, "registers");
	int s, p;

	assert_non_null(regs);
	for (s = 0; s < HAULER_MAX_SERVERS; s++) {
		const struct server_info *srv = &m->servers[s];
		const struct jv *e = find_entry(servers, "md.server", s), *data, *cells;
		__u16 w[HAULER_DEVS_PER_SERVER];
		struct ring ring;
		__u32 base;

		if (!srv->in_use) {
			assert_null(e);
			continue;
		}
		assert_non_null(e);
		data = jget(e, "data");
		base = (s * 2 + srv->ring_version) * HAULER_RING_SLOTS;
		assert_int_equal(jnum(data, "ring_base"), base);
		assert_int_equal(ring_build(w, model_ring_weights(m, s, w), &ring), 0);
		assert_int_equal(jnum(data, "ring_len"), ring.len);
		cells = jget(&regs->kids[0], "cells");
		for (__u32 i = 0; i < ring.len; i++) {
			const struct jv *c = NULL;

			for (size_t k = 0; k < cells->n && !c; k++)
				if (jnum(&cells->kids[k], "index") == base + i)
					c = &cells->kids[k];
			assert_non_null(c);
			assert_int_equal(jnum(c, "value"), ring.slot[i]);
		}
		for (p = 0; p < HAULER_DEVS_PER_SERVER; p++) {
			char name[64];
			const struct jv *at;

			snprintf(name, sizeof(name), "pipe.HaulerIngress.load.slot%d.devices_at",
				 p);
			at = find_entry(table_entries(root, name), "md.server", s);
			if (p >= srv->dev_count) {
				assert_null(at);
				continue;
			}
			assert_non_null(at);
			assert_int_equal(jnum(jget(at, "data"), "id"), srv->dev[p]);
			assert_int_equal(jnum(jget(at, "data"), "gen"),
					 m->devices[srv->dev[p]].gen);
			assert_int_equal(jnum(jget(at, "data"), "usable"),
					 m->devices[srv->dev[p]].state == HAULER_STATE_UP);
		}
	}
	for (int d = 0; d < HAULER_MAX_DEVICES; d++) {
		const struct device_info *dev = &m->devices[d];
		const struct jv *e = find_entry(devices, "md.device", d);
		const struct jv *g = find_entry(gens, "md.device", d);
		__u8 got[16], want[16];

		if (!dev->in_use) {
			assert_null(e);
			assert_null(g);
			continue;
		}
		assert_non_null(e);
		assert_non_null(g);
		assert_int_equal(jnum(jget(g, "data"), "gen"), dev->gen);
		assert_int_equal(jnum(jget(e, "data"), "family"), dev->family);
		jbytes(jget(e, "data"), "addr", got);
		addr_bytes(dev->family, dev->addr, want);
		assert_memory_equal(got, want, 16);
		assert_int_equal(jnum(jget(e, "data"), "port"), ntohs(dev->port));
	}
}

/* The report keys: the four big-endian words give back k0 and k1. */
static void check_keys(const struct model *m, const struct jv *root)
{
	const struct jv *entries = table_entries(root, "pipe.HaulerIngress.report.report_devices");
	int d, keyed = 0;

	for (d = 0; d < HAULER_MAX_DEVICES; d++) {
		const struct jv *e = find_entry(entries, "hdr.report.device", d), *data;
		__u8 key[16];
		__u64 k0 = 0, k1 = 0;

		if (!m->keys[d].k0 && !m->keys[d].k1) {
			assert_null(e);
			continue;
		}
		assert_non_null(e);
		data = jget(e, "data");
		for (int w = 0; w < 4; w++) {
			char name[8];
			__u32 word;

			snprintf(name, sizeof(name), "key%d", w);
			word = jnum(data, name);
			for (int b = 0; b < 4; b++)
				key[4 * w + b] = word >> (24 - 8 * b);
		}
		for (int b = 7; b >= 0; b--) {
			k0 = k0 << 8 | key[b];
			k1 = k1 << 8 | key[8 + b];
		}
		assert_int_equal(k0, m->keys[d].k0);
		assert_int_equal(k1, m->keys[d].k1);
		assert_int_equal(jnum(data, "server"), m->devices[d].server);
		assert_int_equal(jnum(data, "pos"), m->devices[d].index);
		assert_int_equal(jnum(data, "ingress_port"), P4_ANY_PORT);
		keyed++;
	}
	assert_true(keyed > 0);
}

static void test_demo_round_trip(void **state)
{
	struct model *m = model_of(demo_conf);
	char *text = export_text(m, 0);
	const struct jv *nat;
	struct jv root;

	(void)state;
	/* An id given to a device before (devices.gen 2+): its generation goes along. */
	for (int d = 0; d < HAULER_MAX_DEVICES; d++)
		if (m->devices[d].in_use) {
			m->devices[d].gen = 7;
			break;
		}
	free(text);
	text = export_text(m, 0);
	parse_json(text, &root);
	assert_string_equal(jget(&root, "program")->str, "hauler");
	assert_int_equal(jnum(&root, "schema_version"), HAULER_SCHEMA_VERSION);
	assert_int_equal(jnum(&jget(&root, "value_sets")->kids[0], "value"), HAULER_REPORT_PORT);
	check_vips(m, &root);
	check_maglev(m, &root);
	check_servers(m, &root);
	check_keys(m, &root);
	/* nat replies for the four devices of the nat VIP, none for ipip's */
	nat = table_entries(&root, "pipe.HaulerIngress.vip.nat_replies");
	assert_non_null(nat);
	assert_int_equal(nat->n, 4);
	jfree(&root);
	free(text);
	free(m);
}

/* pick_nth: (r mod count)-th set bit, for every non-empty mask. */
static void test_pick_nth(void **state)
{
	struct model *m = model_of("");
	char *text = export_text(m, 0);
	const struct jv *e;
	struct jv root;

	(void)state;
	parse_json(text, &root);
	e = table_entries(&root, "pipe.HaulerIngress.policy.pick_nth");
	assert_non_null(e);
	assert_int_equal(e->n, 255 << P4_PICK_HASH_BITS);
	for (size_t i = 0; i < e->n; i++) {
		const struct jv *key = jget(&e->kids[i], "key");
		__u32 mask = jnum(key, "md.usable_mask"), r = jnum(key, "hash_bits");
		__u32 pos = jnum(jget(&e->kids[i], "data"), "pos"), below = 0;

		assert_true(pos < 8 && ((mask >> pos) & 1));
		for (__u32 p = 0; p < pos; p++)
			below += (mask >> p) & 1;
		assert_int_equal(below, r % __builtin_popcount(mask));
	}
	jfree(&root);
	free(text);
	free(m);
}

static __u64 vip_field(const struct model *m, const char *field)
{
	char *text = export_text(m, 0);
	const struct jv *vips;
	struct jv root;
	__u64 x;

	parse_json(text, &root);
	vips = table_entries(&root, "pipe.HaulerIngress.vip.vips");
	assert_non_null(vips);
	x = jnum(jget(&vips->kids[0], "data"), field);
	jfree(&root);
	free(text);
	return x;
}

/* Each policy's switch form; one without it is exported as hash, with a note. */
static void test_policy_mapping(void **state)
{
	static const struct {
		const char *policy;
		int sw, metric;
	} cases[] = {
	    {"hash", HAULER_SW_POLICY_HASH, HAULER_METRIC_CMP},
	    {"wrr", HAULER_SW_POLICY_RING, HAULER_METRIC_CMP},
	    {"ecmp", HAULER_SW_POLICY_RING, HAULER_METRIC_CMP},
	    {"lur metric net", HAULER_SW_POLICY_LEAST, HAULER_METRIC_NET},
	    {"jsq", HAULER_SW_POLICY_LEAST, HAULER_METRIC_QUEUE},
	    {"lc", HAULER_SW_POLICY_LEAST, HAULER_METRIC_CONNS},
	    {"prt metric queue", HAULER_SW_POLICY_PRT, HAULER_METRIC_QUEUE},
	    {"wlc", HAULER_SW_POLICY_HASH, HAULER_METRIC_CMP},
	};
	char conf[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct model *m;
		char *text;

		snprintf(conf, sizeof(conf), "vip add 10.0.0.1:80/tcp policy %s\n",
			 cases[i].policy);
		m = model_of(conf);
		assert_int_equal(vip_field(m, "policy"), cases[i].sw);
		assert_int_equal(vip_field(m, "metric"), cases[i].metric);
		text = export_text(m, 0);
		assert_int_equal(strstr(text, "has no switch form") != NULL,
				 !strcmp(cases[i].policy, "wlc"));
		free(text);
		free(m);
	}
}

/* ecmp's ring holds one slot per device of positive weight. */
static void test_ecmp_ring_is_equal(void **state)
{
	struct model *m = model_of("vip add 10.0.0.1:80/tcp policy ecmp\n"
				   "server add s vip 10.0.0.1:80/tcp\n"
				   "device add a server s addr 10.0.0.2 port 80 weight 5\n"
				   "device add b server s addr 10.0.0.3 port 80 weight 1\n");
	char *text = export_text(m, 0);
	struct p4_export_in in = {.m = m};
	struct p4_doc doc;
	struct jv root;

	(void)state;
	parse_json(text, &root);
	assert_int_equal(
	    jnum(jget(&table_entries(&root, "pipe.HaulerIngress.server_tier.servers")->kids[0],
		      "data"),
		 "ring_len"),
	    2);
	jfree(&root);
	free(text);
	/* The P4 twin has no flat tier: a flat VIP is refused, not exported as Maglev. */
	assert_int_equal(batch_apply_string(m, "vip set 10.0.0.1:80/tcp tier flat\n", "t"), 0);
	assert_int_not_equal(p4_export(&in, &doc), 0);
	assert_non_null(strstr(err_msg(), "flat tier"));
	free(m);
}

/* The command: bad lines fail with a clear error and write nothing; -o writes 0600. */
static void test_command(void **state)
{
	struct cmd_ctx c = {};
	char path[] = "/tmp/hauler-export-XXXXXX";
	struct stat st;
	int fd = mkstemp(path);
	char *argv_bad1[] = {"p5"};
	char *argv_bad2[] = {"p4", "port", "nosuch=3"};
	char *argv_bad3[] = {"p4", "port", "d1=512"};
	char *argv_bad4[] = {"p4", "--frobnicate"};
	char *argv_ok[] = {"p4", "-o", path, "port", "d1=12"};

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	unlink(path);
	c.cur = model_of(small_conf);
	c.base = model_of(small_conf);
	assert_int_equal(export_run(&c, 1, argv_bad1), -ERR_INPUT);
	assert_non_null(strstr(err_msg(), "usage: hauler export p4"));
	assert_int_equal(export_run(&c, 3, argv_bad2), -ERR_INPUT);
	assert_non_null(strstr(err_msg(), "no device nosuch"));
	assert_int_equal(export_run(&c, 3, argv_bad3), -ERR_INPUT);
	assert_int_equal(export_run(&c, 2, argv_bad4), -ERR_INPUT);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(export_run(&c, 5, argv_ok), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	{
		FILE *f = fopen(path, "r");
		char *text = NULL;
		size_t len = 0;
		struct jv root;
		const struct jv *e;

		assert_non_null(f);
		assert_true(getdelim(&text, &len, '\0', f) > 0);
		fclose(f);
		parse_json(text, &root);
		e = table_entries(&root, "pipe.HaulerIngress.report.report_devices");
		assert_non_null(e);
		assert_int_equal(jnum(jget(&e->kids[0], "data"), "ingress_port"), 12);
		jfree(&root);
		free(text);
	}
	unlink(path);
	ctx_release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_golden_python),      cmocka_unit_test(test_demo_round_trip),
	    cmocka_unit_test(test_pick_nth),	       cmocka_unit_test(test_policy_mapping),
	    cmocka_unit_test(test_ecmp_ring_is_equal), cmocka_unit_test(test_command),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
