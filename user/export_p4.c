// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * export_p4.c - the model as entries of p4/hauler.p4's tables, registers
 * and value set (docs/p4.md has the mapping). Only the configuration is
 * exported: the load registers, ring pointers and connection cells are
 * the switch's own state.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "error.h"
#include "export_p4.h"
#include "maglev.h"
#include "ring.h"
#include "select/select_prt.h"

#define T_VIPS	      "pipe.HaulerIngress.vip.vips"
#define T_NAT_REPLIES "pipe.HaulerIngress.vip.nat_replies"
#define T_MAGLEV      "pipe.HaulerIngress.server_tier.maglev"
#define T_SERVERS     "pipe.HaulerIngress.server_tier.servers"
#define T_DEVICES     "pipe.HaulerIngress.forward.devices"
#define T_TUNNEL      "pipe.HaulerIngress.forward.tunnel"
#define T_DEVICE_GENS "pipe.HaulerIngress.conns.device_gens"
#define T_TIMERS      "pipe.HaulerIngress.conns.timers"
#define T_REPORT_DEVS "pipe.HaulerIngress.report.report_devices"
#define T_PICK_NTH    "pipe.HaulerIngress.policy.pick_nth"
#define R_RING_SLOTS  "pipe.HaulerIngress.policy.ring.ring_slots"

static const char *const devices_at_tables[HAULER_DEVS_PER_SERVER] = {
    "pipe.HaulerIngress.load.slot0.devices_at", "pipe.HaulerIngress.load.slot1.devices_at",
    "pipe.HaulerIngress.load.slot2.devices_at", "pipe.HaulerIngress.load.slot3.devices_at",
    "pipe.HaulerIngress.load.slot4.devices_at", "pipe.HaulerIngress.load.slot5.devices_at",
    "pipe.HaulerIngress.load.slot6.devices_at", "pipe.HaulerIngress.load.slot7.devices_at",
};

static const char *const devices_at_actions[HAULER_DEVS_PER_SERVER] = {
    "HaulerIngress.load.slot0.set_device", "HaulerIngress.load.slot1.set_device",
    "HaulerIngress.load.slot2.set_device", "HaulerIngress.load.slot3.set_device",
    "HaulerIngress.load.slot4.set_device", "HaulerIngress.load.slot5.set_device",
    "HaulerIngress.load.slot6.set_device", "HaulerIngress.load.slot7.set_device",
};

/* How each built-in policy runs on the switch (docs/p4.md). */
enum ring_kind { RING_STATIC, RING_EQUAL };
#define METRIC_PARAM -1 /* the VIP's metric parameter, cmp when not set */

static const struct sw_policy {
	const char *name;
	__u8 sw;
	int metric;
	enum ring_kind ring;
} sw_policies[] = {
    {"hash", HAULER_SW_POLICY_HASH, HAULER_METRIC_CMP, RING_STATIC},
    {"wrr", HAULER_SW_POLICY_RING, HAULER_METRIC_CMP, RING_STATIC},
    {"dwrr", HAULER_SW_POLICY_RING, HAULER_METRIC_CMP, RING_STATIC},
    {"ecmp", HAULER_SW_POLICY_RING, HAULER_METRIC_CMP, RING_EQUAL},
    {"lur", HAULER_SW_POLICY_LEAST, METRIC_PARAM, RING_STATIC},
    {"jsq", HAULER_SW_POLICY_LEAST, HAULER_METRIC_QUEUE, RING_STATIC},
    {"lc", HAULER_SW_POLICY_LEAST, HAULER_METRIC_CONNS, RING_STATIC},
    {"prt", HAULER_SW_POLICY_PRT, METRIC_PARAM, RING_STATIC},
};

static const struct sw_policy *sw_policy_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(sw_policies) / sizeof(sw_policies[0]); i++)
		if (!strcmp(sw_policies[i].name, name))
			return &sw_policies[i];
	return NULL;
}

static void *grow(void *p, size_t *cap, size_t n, size_t size)
{
	size_t want = *cap ? *cap * 2 : 64;
	void *q;

	if (n < *cap)
		return p;
	q = realloc(p, want * size);
	if (q)
		*cap = want;
	return q;
}

static struct p4_entry *add_entry(struct p4_doc *doc, const char *table, const char *action)
{
	struct p4_entry *e;
	void *p = grow(doc->entries, &doc->cap_entries, doc->n_entries, sizeof(*e));

	if (!p)
		return NULL;
	doc->entries = p;
	e = &doc->entries[doc->n_entries++];
	memset(e, 0, sizeof(*e));
	e->table = table;
	e->action = action;
	return e;
}

static int add_cell(struct p4_doc *doc, const char *reg, __u32 index, __u32 value)
{
	void *p = grow(doc->cells, &doc->cap_cells, doc->n_cells, sizeof(*doc->cells));

	if (!p)
		return -1;
	doc->cells = p;
	doc->cells[doc->n_cells++] = (struct p4_cell){reg, index, value};
	return 0;
}

static void add_note(struct p4_doc *doc, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void add_note(struct p4_doc *doc, const char *fmt, ...)
{
	void *p = grow(doc->notes, &doc->cap_notes, doc->n_notes, P4_NOTE_LEN);
	va_list ap;

	if (!p)
		return; /* a note is advice: losing one under no memory is harmless */
	doc->notes = p;
	va_start(ap, fmt);
	vsnprintf(doc->notes[doc->n_notes++], P4_NOTE_LEN, fmt, ap);
	va_end(ap);
}

static struct p4_value *field(struct p4_value *v, const char *name, unsigned int bits)
{
	memset(v, 0, sizeof(*v));
	v->name = name;
	v->bits = bits;
	return v;
}

static void key_u(struct p4_entry *e, const char *name, unsigned int bits, __u64 x)
{
	struct p4_value *v = field(&e->key[e->nkey++], name, bits);
	int i;

	for (i = 15; i >= 8; i--, x >>= 8)
		v->b[i] = x & 0xff;
}

static void data_u(struct p4_entry *e, const char *name, unsigned int bits, __u64 x)
{
	struct p4_value *v = field(&e->data[e->ndata++], name, bits);
	int i;

	for (i = 15; i >= 8; i--, x >>= 8)
		v->b[i] = x & 0xff;
}

/* An address as the program's 128-bit fields hold it: IPv4 in the low 32 bits. */
static void set_addr(struct p4_value *v, __u8 family, const __u32 addr[4])
{
	if (family == 6)
		memcpy(v->b, addr, 16);
	else
		memcpy(v->b + 12, &addr[0], 4);
}

static void key_addr(struct p4_entry *e, const char *name, __u8 family, const __u32 addr[4])
{
	set_addr(field(&e->key[e->nkey++], name, 128), family, addr);
}

static void data_addr(struct p4_entry *e, const char *name, __u8 family, const __u32 addr[4])
{
	set_addr(field(&e->data[e->ndata++], name, 128), family, addr);
}

__u64 p4_value_u64(const struct p4_value *v)
{
	__u64 x = 0;
	int i;

	for (i = 8; i < 16; i++)
		x = x << 8 | v->b[i];
	return x;
}

/* The power of two at or above M: the switch's Maglev buckets. */
static __u32 bucket_count(__u32 M)
{
	__u32 b = 1;

	while (b < M)
		b <<= 1;
	return b;
}

static __u32 stale_ticks(const struct policy_params *p)
{
	__u64 ms = p->stale_ms ? p->stale_ms : HAULER_STALE_MS_DEFAULT;

	return (__u32)((ms * 1000000 + P4_TICK_NS - 1) / P4_TICK_NS);
}

static const struct sw_policy *vip_policy(const struct model *m, int id, struct p4_doc *doc)
{
	const struct policy_params *p = &m->params[m->vips[id].info.policy_slot];
	const struct sw_policy *sw = sw_policy_find((const char *)p->name);

	if (!sw) {
		add_note(doc, "vip %d: policy %.16s has no switch form: exported as hash", id,
			 (const char *)p->name);
		return sw_policy_find("hash");
	}
	if (!strcmp(sw->name, "dwrr"))
		add_note(doc, "vip %d: dwrr runs on the switch as wrr over the static ring", id);
	if (sw->sw == HAULER_SW_POLICY_PRT && p->metric_set && p->metric > HAULER_METRIC_QUEUE) {
		add_note(doc,
			 "vip %d: prt on conns or latency has no switch form: exported as hash",
			 id);
		return sw_policy_find("hash");
	}
	if (sw->metric == METRIC_PARAM && __builtin_popcount(p->metrics) > 1)
		add_note(doc, "vip %d: the switch reads one metric, not the max of several", id);
	if (p->spill)
		add_note(doc, "vip %d: spill to further servers is not done on the switch", id);
	return sw;
}

static int export_vip(const struct model *m, int id, const struct sw_policy *sw, struct p4_doc *doc)
{
	const struct model_vip *v = &m->vips[id];
	const struct policy_params *p = &m->params[v->info.policy_slot];
	struct p4_entry *e = add_entry(doc, T_VIPS, "HaulerIngress.vip.set_vip");
	__u32 threshold = p->threshold ? p->threshold : HAULER_PRT_THRESHOLD_DEFAULT;
	int metric = sw->metric == METRIC_PARAM ? (p->metric_set ? p->metric : HAULER_METRIC_CMP)
						: sw->metric;

	if (!e)
		return -1;
	key_u(e, "md.family", 8, v->key.family);
	key_addr(e, "md.dst", v->key.family, v->key.addr);
	key_u(e, "md.dport", 16, ntohs(v->key.port));
	key_u(e, "md.proto", 8, v->key.proto);
	data_u(e, "vip_id", 16, id);
	data_u(e, "fwd_mode", 8, v->info.fwd_mode);
	data_u(e, "pool", 16, id * 2 + (v->info.pool_version & 1));
	data_u(e, "slot_mask", 16, bucket_count(v->info.table_size) - 1);
	data_u(e, "policy", 8, sw->sw);
	data_u(e, "metric", 8, metric);
	data_u(e, "threshold", 8, sw->sw == HAULER_SW_POLICY_PRT ? threshold : 0);
	data_u(e, "stale_ticks", 32, stale_ticks(p));
	return 0;
}

/* Bucket b of the switch holds the host's slot b mod M. */
static int export_maglev(const struct p4_export_in *in, int id, struct p4_doc *doc)
{
	const struct model_vip *v = &in->m->vips[id];
	__u32 M = v->info.table_size, B = bucket_count(M), b;
	const __u16 *table = NULL;
	struct maglev_server *srv = NULL;
	__u16 *built = NULL;
	int n, ret = -1;

	if (in->pools && in->pools[id]) {
		table = in->pools[id]->server;
	} else {
		srv = calloc(HAULER_MAX_SERVERS, sizeof(*srv));
		built = malloc(M * sizeof(*built));
		if (!srv || !built)
			goto out;
		n = model_pool_servers(in->m, id, srv);
		if (maglev_build(srv, n, M, NULL, built))
			goto out;
		table = built;
	}
	for (b = 0; b < B; b++) {
		struct p4_entry *e;

		if (table[b % M] == HAULER_NO_SERVER)
			continue;
		e = add_entry(doc, T_MAGLEV, "HaulerIngress.server_tier.set_server");
		if (!e)
			goto out;
		key_u(e, "md.pool", 16, id * 2 + (v->info.pool_version & 1));
		key_u(e, "md.bucket", 16, b);
		data_u(e, "server", 16, table[b % M]);
	}
	ret = 0;
out:
	free(srv);
	free(built);
	return ret;
}

static const struct p4_port *port_of(const struct p4_export_in *in, const char *device)
{
	int i;

	for (i = 0; i < in->n_ports; i++)
		if (!strncmp(in->ports[i].device, device, HAULER_NAME_LEN))
			return &in->ports[i];
	return NULL;
}

/* prt's rank of position i: how many of the server's devices weigh more. */
static __u8 prt_rank(const struct model *m, const struct server_info *srv, int i)
{
	__u16 w = m->devices[srv->dev[i]].weight;
	__u8 rank = 0;
	int j;

	for (j = 0; j < srv->dev_count && j < HAULER_DEVS_PER_SERVER; j++)
		rank += m->devices[srv->dev[j]].weight > w;
	return rank;
}

static int export_device(const struct p4_export_in *in, int s, int i, struct p4_doc *doc)
{
	const struct model *m = in->m;
	const struct server_info *srv = &m->servers[s];
	const struct model_vip *v = &m->vips[srv->vip_id];
	__u16 d = srv->dev[i];
	const struct device_info *dev = &m->devices[d];
	const struct dev_key *k = &m->keys[d];
	const struct p4_port *port;
	struct p4_entry *e;
	__u8 key[16];
	int w;

	e = add_entry(doc, devices_at_tables[i], devices_at_actions[i]);
	if (!e)
		return -1;
	key_u(e, "md.server", 16, s);
	data_u(e, "id", 16, d);
	data_u(e, "gen", 16, dev->gen);
	data_u(e, "usable", 1, select_device_usable(dev));
	data_u(e, "rank", 8, prt_rank(m, srv, i));

	e = add_entry(doc, T_DEVICES, "HaulerIngress.forward.set_device");
	if (!e)
		return -1;
	key_u(e, "md.device", 16, d);
	data_u(e, "family", 8, dev->family);
	data_addr(e, "addr", dev->family, dev->addr);
	data_u(e, "port", 16, ntohs(dev->port));

	/* The id's generation: a cell of another generation is another device's. */
	e = add_entry(doc, T_DEVICE_GENS, "HaulerIngress.conns.set_gen");
	if (!e)
		return -1;
	key_u(e, "md.device", 16, d);
	data_u(e, "gen", 16, dev->gen);

	if (v->info.fwd_mode == HAULER_FWD_NAT) {
		e = add_entry(doc, T_NAT_REPLIES, "HaulerIngress.vip.reply_from");
		if (!e)
			return -1;
		key_u(e, "md.family", 8, dev->family);
		key_addr(e, "md.src", dev->family, dev->addr);
		key_u(e, "md.sport", 16, ntohs(dev->port));
		key_u(e, "md.proto", 8, v->key.proto);
		data_addr(e, "vip_addr", v->key.family, v->key.addr);
		data_u(e, "vip_port", 16, ntohs(v->key.port));
	}

	if (!k->k0 && !k->k1)
		return 0; /* no key: its reports are refused, as on the host */
	port = port_of(in, (const char *)dev->name);
	if (!port)
		add_note(doc, "device %.16s: no switch port given, reports taken from any port",
			 (const char *)dev->name);
	e = add_entry(doc, T_REPORT_DEVS, "HaulerIngress.report.known");
	if (!e)
		return -1;
	key_u(e, "hdr.report.device", 16, d);
	data_u(e, "server", 16, s);
	data_u(e, "pos", 8, i);
	data_u(e, "ingress_port", 9, port ? port->port : P4_ANY_PORT);
	data_addr(e, "src", dev->family, dev->addr);
	data_u(e, "mode", 8, 0); /* SipHash-tagged: the source binding alone (docs/p4.md) */
	for (w = 0; w < 8; w++) {
		key[w] = (k->k0 >> (8 * w)) & 0xff;
		key[8 + w] = (k->k1 >> (8 * w)) & 0xff;
	}
	data_u(e, "key0", 32, (__u32)key[0] << 24 | key[1] << 16 | key[2] << 8 | key[3]);
	data_u(e, "key1", 32, (__u32)key[4] << 24 | key[5] << 16 | key[6] << 8 | key[7]);
	data_u(e, "key2", 32, (__u32)key[8] << 24 | key[9] << 16 | key[10] << 8 | key[11]);
	data_u(e, "key3", 32, (__u32)key[12] << 24 | key[13] << 16 | key[14] << 8 | key[15]);
	return 0;
}

static int export_server(const struct p4_export_in *in, int s, const struct sw_policy *sw,
			 struct p4_doc *doc)
{
	const struct server_info *srv = &in->m->servers[s];
	__u16 weights[HAULER_DEVS_PER_SERVER];
	__u32 base = (s * 2 + (srv->ring_version & 1)) * HAULER_RING_SLOTS, i;
	struct ring ring;
	struct p4_entry *e;
	int n = model_ring_weights(in->m, s, weights);

	if (sw->ring == RING_EQUAL)
		for (i = 0; i < (__u32)n; i++)
			weights[i] = weights[i] ? 1 : 0;
	if (ring_build(weights, n, &ring))
		return -1;
	e = add_entry(doc, T_SERVERS, "HaulerIngress.server_tier.set_ring");
	if (!e)
		return -1;
	key_u(e, "md.server", 16, s);
	data_u(e, "ring_base", 32, base);
	data_u(e, "ring_len", 32, ring.len);
	for (i = 0; i < ring.len && i < HAULER_RING_SLOTS; i++)
		if (add_cell(doc, R_RING_SLOTS, base + i, ring.slot[i]))
			return -1;
	for (i = 0; i < srv->dev_count && i < HAULER_DEVS_PER_SERVER; i++)
		if (export_device(in, s, i, doc))
			return -1;
	return 0;
}

/* pick_nth: the (r mod count)-th set bit of every usable mask. */
static int export_pick_nth(struct p4_doc *doc)
{
	__u32 mask, r;

	for (mask = 1; mask < 256; mask++) {
		__u32 count = __builtin_popcount(mask);

		for (r = 0; r < 1u << P4_PICK_HASH_BITS; r++) {
			__u32 k = r % count, pos = 0, seen = 0;
			struct p4_entry *e =
			    add_entry(doc, T_PICK_NTH, "HaulerIngress.policy.pick");

			if (!e)
				return -1;
			for (pos = 0; pos < 8; pos++)
				if ((mask >> pos) & 1 && seen++ == k)
					break;
			key_u(e, "md.usable_mask", 8, mask);
			key_u(e, "hash_bits", P4_PICK_HASH_BITS, r);
			data_u(e, "pos", 8, pos);
		}
	}
	return 0;
}

/* Switch ticks (global timestamp >> 16: 65.536 us) of ms, rounded up. */
static __u32 ms_ticks(__u32 ms)
{
	return (__u32)(((__u64)ms * 1000000ull + 65535) >> 16);
}

/* The default action of a one-entry table: where config goes. */
static struct p4_entry *add_default(struct p4_doc *doc, const char *table, const char *action)
{
	struct p4_entry *e = add_entry(doc, table, action);

	if (e)
		e->is_default = 1;
	return e;
}

/*
 * config: the tunnel's sources, and how long a RST'd or FIN'd cell lives
 * after its flow's last packet (conn.p4).
 */
static int export_config(const struct model *m, struct p4_doc *doc)
{
	struct p4_entry *e = add_default(doc, T_TUNNEL, "HaulerIngress.forward.set_tunnel");

	if (!e)
		return -1;
	data_u(e, "src4", 32, ntohl(m->config.tunnel_src4));
	data_addr(e, "src6", 6, m->config.tunnel_src);
	data_u(e, "link_mtu", 16, 1500);
	e = add_default(doc, T_TIMERS, "HaulerIngress.conns.set_timers");
	if (!e)
		return -1;
	data_u(e, "rst_linger", 32, ms_ticks(m->config.rst_linger_ms));
	data_u(e, "fin_grace", 32, ms_ticks(m->config.fin_grace_ms));
	return 0;
}

int p4_export(const struct p4_export_in *in, struct p4_doc *doc)
{
	const struct model *m = in->m;
	int id, s, ret = 0;

	memset(doc, 0, sizeof(*doc));
	doc->report_port = ntohs(m->config.report_port);
	add_note(doc, "reports: tag_mode 0 (ingress port and source address; hauler-agent "
		      "tags with SipHash, which the switch cannot check)");
	for (id = 0; id < HAULER_MAX_VIPS; id++)
		if (m->vips[id].in_use && m->vips[id].info.tier == HAULER_TIER_FLAT) {
			char vip[VIP_STRLEN];

			format_vip(&m->vips[id].key, vip, sizeof(vip));
			return err_set(ERR_INPUT,
				       "VIP %s has the flat tier, which the P4 twin does not "
				       "have (hauler vip set %s tier maglev)",
				       vip, vip);
		}
	for (id = 0; id < HAULER_MAX_VIPS && !ret; id++) {
		const struct sw_policy *sw;

		if (!m->vips[id].in_use)
			continue;
		sw = vip_policy(m, id, doc);
		ret = export_vip(m, id, sw, doc) || export_maglev(in, id, doc);
		for (s = 0; s < HAULER_MAX_SERVERS && !ret; s++)
			if (m->servers[s].in_use && m->servers[s].vip_id == id)
				ret = export_server(in, s, sw, doc);
	}
	if (!ret)
		ret = export_config(m, doc) || export_pick_nth(doc);
	if (ret) {
		p4_doc_free(doc);
		return err_set(ERR_SYSTEM,
			       "cannot build the P4 export (out of memory or bad table)");
	}
	return 0;
}

void p4_doc_free(struct p4_doc *doc)
{
	free(doc->entries);
	free(doc->cells);
	free(doc->notes);
	memset(doc, 0, sizeof(*doc));
}
