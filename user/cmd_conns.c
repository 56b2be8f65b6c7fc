// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cmd_conns.c - hauler conns [show] [VIP]: the connection tables (conns,
 * half_open), or the compact table's slots (ctable), which keep no
 * addresses: a digest, a device, a state and a time each. hauler conns
 * --flow PROTO FROM TO: one flow, looked up as the datapath looks it up
 * (on the compact table its place and digest by include/ctable/), a
 * client's to a VIP or a nat device's reply (its device by
 * include/hauler_reply.h, as the datapath finds it).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>

#include "clock.h"
#include "cmd.h"
#include "ctable_map.h"
#include "error.h"
#include "json.h"
#include "args.h"

/*
 * The maps a nat reply's device is found in (include/hauler_reply.h): the
 * devices of the model (read from the devices map), the pinned dev_hints
 * and dev_addrs, their entries read into the buffers here.
 */
struct ct_src {
	struct model *m;
	const struct hauler_maps *maps;
	struct dev_hint hint;
	struct dev_ref ref;
};

static struct device_info *ct_src_device(struct ct_src *src, const __u32 *id)
{
	return *id < HAULER_MAX_DEVICES ? &src->m->devices[*id] : NULL;
}

static struct dev_hint *ct_src_hint(struct ct_src *src, const __u32 *i)
{
	return bpf_map_lookup_elem(src->maps->dev_hints, i, &src->hint) ? NULL : &src->hint;
}

static struct dev_ref *ct_src_addr(struct ct_src *src, const struct dev_addr *a)
{
	return bpf_map_lookup_elem(src->maps->dev_addrs, a, &src->ref) ? NULL : &src->ref;
}

#include "hauler_reply.h"

static void flow_end(__u8 family, const __u32 *addr, __u16 port, char *buf, size_t len)
{
	char a[ADDR_STRLEN];

	format_addr(family, addr, a, sizeof(a));
	snprintf(buf, len, family == 6 ? "[%s]:%u" : "%s:%u", a, ntohs(port));
}

static __u64 now_ns(void)
{
	struct timespec ts;

	/* bpf_ktime_get_coarse_ns reads the monotonic clock. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* "half-open", "fin", "rst", "reply", "synack" joined by commas; "-" for none. */
static void flags_text(__u8 flags, int half, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s%s", half ? ",half-open" : "",
		 flags & HAULER_CONN_FIN ? ",fin" : "", flags & HAULER_CONN_RST ? ",rst" : "",
		 flags & HAULER_CONN_REPLY ? ",reply" : "",
		 flags & HAULER_CONN_SYNACK ? ",synack" : "");
	if (!buf[0])
		snprintf(buf, len, "-");
	else
		memmove(buf, buf + 1, strlen(buf)); /* the leading comma */
}

/* Print the entries of one table (half: the half-open one) of VIP only (-1: all). */
static void show_table(struct cmd_ctx *c, int fd, int half, int only, struct json *j)
{
	struct flow_key key, next, *prev = NULL;
	__u64 now = now_ns();
	struct conn v;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		char src[ADDR_STRLEN + 8], dst[ADDR_STRLEN + 8], flags[32];
		const char *dev = "?";
		__u64 age;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &v))
			continue;
		if (only >= 0 && v.vip_id != only)
			continue;
		/* Another generation is another device: the entry's device is gone. */
		if (v.device < HAULER_MAX_DEVICES && c->cur->devices[v.device].in_use &&
		    c->cur->devices[v.device].gen == v.dev_gen)
			dev = (const char *)c->cur->devices[v.device].name;
		age = now > v.last_seen_ns ? (now - v.last_seen_ns) / 1000000 : 0;
		flow_end(key.family, key.src, key.sport, src, sizeof(src));
		flow_end(key.family, key.dst, key.dport, dst, sizeof(dst));
		flags_text(v.flags, half, flags, sizeof(flags));
		if (c->json) {
			json_object_begin(j, NULL);
			json_string(j, "proto", key.proto == IPPROTO_UDP ? "udp" : "tcp");
			json_string(j, "from", src);
			json_string(j, "to", dst);
			json_string(j, "device", dev);
			json_uint(j, "device_id", v.device);
			json_uint(j, "vip_id", v.vip_id);
			json_uint(j, "age_ms", age);
			json_bool(j, "fin", v.flags & HAULER_CONN_FIN);
			json_bool(j, "reply", v.flags & HAULER_CONN_REPLY);
			json_bool(j, "half_open", half);
			json_object_end(j);
			continue;
		}
		printf("%-4s %-46s %-46s %-15s %10llu %s\n",
		       key.proto == IPPROTO_UDP ? "udp" : "tcp", src, dst, dev,
		       (unsigned long long)age, flags);
	}
}

/* The VIP a device's flows belong to: its server's (-1: none, or the device is gone). */
static int device_vip(const struct model *m, __u32 id)
{
	const struct device_info *d = &m->devices[id];

	if (!d->in_use || d->server >= HAULER_MAX_SERVERS || !m->servers[d->server].in_use)
		return -1;
	return m->servers[d->server].vip_id;
}

struct compact_arg {
	struct cmd_ctx *c;
	const struct ct_view *v;
	struct json *j;
	int only;
};

/* One line (or JSON object) per used slot of a chunk of ctable. */
static int show_compact_chunk(void *arg, __u32 first, const struct ct_bucket *b, __u32 count)
{
	struct compact_arg *a = arg;
	const struct model *m = a->c->cur;
	__u32 i, k;

	for (i = 0; i < count; i++) {
		for (k = 0; k < HAULER_CT_SLOTS; k++) {
			__u64 s = b[i].slot[k];
			enum ct_state st = ct_slot_state(a->v, s);
			__u32 id = ct_slot_device(s);
			int gone = st == CT_S_GONE, vip = gone ? -1 : device_vip(m, id);
			const char *dev = gone ? "?" : (const char *)m->devices[id].name;
			char vt[ADDR_STRLEN + 16], state[32];

			if (st == CT_S_EMPTY || (a->only >= 0 && vip != a->only))
				continue;
			vip_text(m, vip, vt, sizeof(vt));
			ct_slot_text(a->v, s, state, sizeof(state));
			if (a->c->json) {
				json_object_begin(a->j, NULL);
				json_uint(a->j, "bucket", first + i);
				json_uint(a->j, "slot", k);
				json_uint(a->j, "digest", ct_slot_digest(s));
				json_string(a->j, "proto",
					    ct_slot_flags(s) & CT_F_UDP ? "udp" : "tcp");
				json_string(a->j, "device", dev);
				json_uint(a->j, "device_id", id);
				json_string(a->j, "vip", vt);
				if (vip < 0)
					json_null(a->j, "vip_id");
				else
					json_uint(a->j, "vip_id", vip);
				json_string(a->j, "state", state);
				json_uint(a->j, "age_ms", ct_slot_age_ms(a->v, s));
				json_bool(a->j, "half_open", ct_slot_flags(s) & CT_F_HALF);
				json_bool(a->j, "fin", ct_slot_flags(s) & CT_F_FIN);
				json_bool(a->j, "rst", ct_slot_flags(s) & CT_F_RST);
				json_bool(a->j, "ended", st == CT_S_ENDED);
				json_bool(a->j, "gone", gone);
				json_object_end(a->j);
				continue;
			}
			printf("%8u %4u %06x %-4s %-15s %-46s %8.1f %s\n", first + i, k,
			       ct_slot_digest(s), ct_slot_flags(s) & CT_F_UDP ? "udp" : "tcp", dev,
			       vt, ct_slot_age_ms(a->v, s) / 1000.0, state);
		}
	}
	return 0;
}

/* The compact table (config.ct_buckets): its used slots, of VIP only (-1: all). */
static int show_compact(struct cmd_ctx *c, int only, struct json *j)
{
	struct compact_arg a = {.c = c, .j = j, .only = only};
	struct ct_view *v = malloc(sizeof(*v));
	int ret;

	if (!v)
		return err_set(ERR_SYSTEM, "out of memory");
	ct_view_of_model(v, c->cur, monotonic_ns());
	a.v = v;
	ret = ct_map_walk(c->maps.ctable, c->cur->config.ct_buckets, show_compact_chunk, &a);
	free(v);
	return ret;
}

/* What --flow found: the flow's device, VIP, age and state, in either table. */
struct flow_found {
	const char *table; /* "conns", "half_open" or "ctable" */
	__u32 device, bucket, slot, digest;
	int vip, gone, half, fin, rst, ended, reply, synack;
	__u8 flags; /* the LRU entry's CONN_* */
	__u64 age_ms;
	char state[32];
	/* A nat reply's: the client's flow, and (LRU) whose entry holds it */
	int is_reply, reply_entry;
	struct flow_key client;
};

/* --flow on the LRU tables: the entry of key in conns, else in half_open. */
static int flow_lru(struct cmd_ctx *c, const struct flow_key *key, struct flow_found *f)
{
	const struct device_info *d;
	__u64 now = now_ns();
	struct conn v;

	f->table = "conns";
	if (bpf_map_lookup_elem(c->maps.conns, key, &v)) {
		f->table = "half_open";
		f->half = 1;
		if (bpf_map_lookup_elem(c->maps.half_open, key, &v))
			return 1;
	}
	f->device = v.device;
	f->flags = v.flags;
	d = v.device < HAULER_MAX_DEVICES ? &c->cur->devices[v.device] : NULL;
	/* Another generation is another device: the entry's device is gone. */
	f->gone = !d || !d->in_use || d->gen != v.dev_gen;
	f->vip = v.vip_id;
	f->age_ms = now > v.last_seen_ns ? (now - v.last_seen_ns) / 1000000 : 0;
	f->fin = !!(v.flags & HAULER_CONN_FIN);
	f->rst = !!(v.flags & HAULER_CONN_RST);
	f->reply = !!(v.flags & HAULER_CONN_REPLY);
	f->synack = !!(v.flags & HAULER_CONN_SYNACK);
	snprintf(f->state, sizeof(f->state), "%s%s",
		 f->rst	   ? "rst"
		 : f->fin  ? "fin"
		 : f->half ? "half-open"
			   : "established",
		 f->gone ? ",gone" : "");
	return 0;
}

/*
 * --flow on the compact table: key's place (ct_place_flow, the datapath's
 * seed and size), its two buckets read, the slot under its digest. A slot
 * whose device serves another VIP is another VIP's flow under the same
 * digest, looked past once, as the datapath does (ct_flow_of); a slot of
 * a gone device is taken as the flow's. vip: the flow's VIP (key's
 * destination).
 */
static int flow_compact(struct cmd_ctx *c, const struct flow_key *key, int vip,
			struct flow_found *f)
{
	const struct config *cfg = &c->cur->config;
	struct ct_bucket b[2];
	struct ct_found found;
	struct ct_view *v;
	struct ct_place p;
	int i, k, skip, ret = 1;

	ct_place_flow(&p, key, cfg->flow_seed, cfg->ct_buckets);
	for (k = 0; k < 2; k++)
		if (bpf_map_lookup_elem(c->maps.ctable, &p.bucket[k], &b[k]))
			return err_set(ERR_SYSTEM, "cannot read ctable[%u]: %s", p.bucket[k],
				       strerror(errno));
	v = malloc(sizeof(*v));
	if (!v)
		return err_set(ERR_SYSTEM, "out of memory");
	ct_view_of_model(v, c->cur, monotonic_ns());
	for (skip = 0; skip < 2; skip++) {
		memset(&found, 0, sizeof(found));
		i = ct_lookup(&b[0], p.bucket[1] == p.bucket[0] ? NULL : &b[1], p.digest, skip,
			      &found);
		if (i < 0)
			break;
		f->gone = ct_slot_state(v, found.s) == CT_S_GONE;
		f->device = ct_slot_device(found.s);
		f->vip = f->gone ? -1 : device_vip(c->cur, f->device);
		if (!f->gone && f->vip != vip)
			continue;
		f->table = "ctable";
		f->bucket = p.bucket[found.which];
		f->slot = i;
		f->digest = ct_slot_digest(found.s);
		f->half = !!(ct_slot_flags(found.s) & CT_F_HALF);
		f->fin = !!(ct_slot_flags(found.s) & CT_F_FIN);
		f->rst = !!(ct_slot_flags(found.s) & CT_F_RST);
		f->ended = ct_slot_state(v, found.s) == CT_S_ENDED;
		f->age_ms = ct_slot_age_ms(v, found.s);
		ct_slot_text(v, found.s, f->state, sizeof(f->state));
		ret = 0;
		break;
	}
	free(v);
	return ret;
}

/*
 * --flow of a nat reply k (device -> client: its destination is no VIP),
 * as the datapath takes it (nat_return, ct_nat_return): on the LRU tables
 * its reply entry while it is there; without it, and on the compact table,
 * the device at its source (ct_reply_device_in: dev_hints, else
 * dev_addrs), whose VIP gives the client's flow, whose entry or slot must
 * be bound to a device at that source (ct_reply_bound_in) for the reply
 * to be its flow's. 0: f filled (f->client the client's flow); else
 * -ERR_*, error set (words: the command's, for it).
 */
static int flow_reply(struct cmd_ctx *c, const struct flow_key *k, struct flow_found *f,
		      char **words)
{
	struct ct_src src = {.m = c->cur, .maps = &c->maps};
	int compact = c->cur->config.ct_buckets != 0, ret, st;
	char cf[ADDR_STRLEN + 8], ct[ADDR_STRLEN + 8];
	struct device_info *dev, *fd;
	const struct model *m = c->cur;
	struct dev_ref tomb;
	__u32 id;

	f->is_reply = 1;
	if (!compact && !flow_lru(c, k, f)) {
		/* Its reply entry (nat_return): the VIP is the entry's. */
		if (!f->reply)
			return err_set(ERR_INPUT,
				       "no flow %s %s -> %s: %s is no VIP, and the entry under "
				       "these addresses is no nat reply's",
				       words[0], words[1], words[2], words[2]);
		f->reply_entry = 1;
		if (f->vip >= 0 && f->vip < HAULER_MAX_VIPS && m->vips[f->vip].in_use)
			client_key(&f->client, k, &m->vips[f->vip].key);
		return 0;
	}
	*f = (struct flow_found){.vip = -1, .is_reply = 1};
	dev = ct_reply_device_in(&src, k, ct_dev_hint_in(&src, k), &id, &tomb);
	if (!dev && hauler_dev_tomb_stands(&tomb, monotonic_ns()))
		return err_set(ERR_INPUT,
			       "no flow %s %s -> %s: %s is the address and port of a deleted nat "
			       "device, whose late segments the balancer refuses (a RST for TCP) "
			       "for %llu s more",
			       words[0], words[1], words[2], words[1],
			       (unsigned long long)tomb.gone_until_s -
				   monotonic_ns() / 1000000000ULL);
	if (!dev)
		return err_set(ERR_INPUT,
			       "no flow %s %s -> %s: %s is no VIP, and %s no nat device's address "
			       "and port",
			       words[0], words[1], words[2], words[2], words[1]);
	client_key(&f->client, k, &dev->vip);
	flow_end(k->family, f->client.src, f->client.sport, cf, sizeof(cf));
	flow_end(k->family, f->client.dst, f->client.dport, ct, sizeof(ct));
	ret = compact ? flow_compact(c, &f->client, dev->vip_id, f) : flow_lru(c, &f->client, f);
	if (ret < 0)
		return ret;
	f->is_reply = 1;
	/* As reply_flow_entry: another VIP's entry, or a reply entry, is none of this flow. */
	if (ret || (!compact && (f->vip != dev->vip_id || f->reply)))
		return err_set(ERR_INPUT,
			       "no flow %s %s -> %s: a reply of device %s, but its client's flow "
			       "%s -> %s has no %s",
			       words[0], words[1], words[2], (const char *)dev->name, cf, ct,
			       compact ? "slot" : "entry");
	fd = f->gone ? NULL : &c->cur->devices[f->device];
	st = ct_reply_bound_in(&src, k, fd, f->device, &dev, &id);
	/* A gone binding is its device's late reply, refused (CT_REPLY_GONE): printed gone. */
	if (st == CT_REPLY_OTHER)
		return err_set(ERR_INPUT,
			       "no flow %s %s -> %s: its client's flow %s -> %s is held by device "
			       "%s, not at %s",
			       words[0], words[1], words[2], cf, ct, (const char *)fd->name,
			       words[1]);
	return 0;
}

static void flow_print(struct cmd_ctx *c, const struct flow_key *key, const struct flow_found *f)
{
	const char *dev = f->gone ? "?" : (const char *)c->cur->devices[f->device].name;
	const char *proto = key->proto == IPPROTO_UDP ? "udp" : "tcp";
	char src[ADDR_STRLEN + 8], dst[ADDR_STRLEN + 8], vt[VIP_STRLEN], flags[32];
	char cf[ADDR_STRLEN + 8] = "-", ct[ADDR_STRLEN + 8] = "-";
	int compact = !strcmp(f->table, "ctable");
	/* Whose entry (LRU): the reply's, or its client's flow's. */
	const char *entry = f->reply_entry ? "reply" : "client";
	struct json j;

	flow_end(key->family, key->src, key->sport, src, sizeof(src));
	flow_end(key->family, key->dst, key->dport, dst, sizeof(dst));
	if (f->is_reply && f->client.family) {
		flow_end(key->family, f->client.src, f->client.sport, cf, sizeof(cf));
		flow_end(key->family, f->client.dst, f->client.dport, ct, sizeof(ct));
	}
	vip_text(c->cur, f->vip, vt, sizeof(vt));
	if (!c->json) {
		printf("flow       %s %s -> %s\n", proto, src, dst);
		if (f->is_reply)
			printf("direction  reply (device -> client)\nclient     %s %s -> %s\n",
			       proto, cf, ct);
		else
			printf("direction  client (client -> VIP)\n");
		if (compact)
			printf("table      compact (bucket %u, slot %u, digest %06x%s)\n",
			       f->bucket, f->slot, f->digest,
			       f->is_reply ? ": the client's flow's" : "");
		else if (f->is_reply)
			printf("table      lru (%s: %s)\n", f->table,
			       f->reply_entry
				   ? "the reply entry"
				   : "the client's entry; no reply entry, the datapath "
				     "translates the reply by this one and writes it again");
		else
			printf("table      lru (%s)\n", f->table);
		printf("device     %s (id %u)\nvip        %s\nstate      %s\nage_ms     %llu\n",
		       dev, f->device, vt, f->state, (unsigned long long)f->age_ms);
		if (!compact) {
			flags_text(f->flags, f->half, flags, sizeof(flags));
			printf("flags      %s\n", flags);
		}
		return;
	}
	json_init(&j, stdout);
	json_object_begin(&j, NULL);
	json_string(&j, "proto", proto);
	json_string(&j, "from", src);
	json_string(&j, "to", dst);
	json_string(&j, "table", compact ? "compact" : "lru");
	json_string(&j, "map", f->table);
	if (compact) {
		json_uint(&j, "bucket", f->bucket);
		json_uint(&j, "slot", f->slot);
		json_uint(&j, "digest", f->digest);
	}
	json_string(&j, "device", dev);
	json_uint(&j, "device_id", f->device);
	json_string(&j, "vip", vt);
	if (f->vip < 0)
		json_null(&j, "vip_id");
	else
		json_uint(&j, "vip_id", f->vip);
	json_string(&j, "state", f->state);
	json_uint(&j, "age_ms", f->age_ms);
	json_bool(&j, "half_open", f->half);
	json_bool(&j, "fin", f->fin);
	json_bool(&j, "rst", f->rst);
	json_bool(&j, "gone", f->gone);
	if (compact) {
		json_bool(&j, "ended", f->ended);
	} else {
		json_bool(&j, "reply", f->reply);
		json_bool(&j, "synack", f->synack);
		json_string(&j, "entry", entry);
	}
	json_string(&j, "direction", f->is_reply ? "reply" : "client");
	if (f->is_reply) {
		json_string(&j, "client_from", cf);
		json_string(&j, "client_to", ct);
	}
	json_object_end(&j);
	json_finish(&j);
}

/*
 * hauler conns --flow PROTO FROM TO (argv: the three words): a client's
 * flow to a VIP, else a nat device's reply (flow_reply).
 */
static int conns_flow(struct cmd_ctx *c, char **argv)
{
	static const char *const protos[] = {"tcp", "udp"};
	struct flow_found f = {.vip = -1};
	struct flow_key key = {};
	struct vip_key vk = {};
	__u8 fam_to;
	int proto, vip, ret;

	proto = parse_keyword(argv[0], protos, 2, "protocol");
	if (proto < 0)
		return proto;
	if (parse_addr_port(argv[1], "flow source", &key.family, key.src, &key.sport) ||
	    parse_addr_port(argv[2], "flow destination", &fam_to, key.dst, &key.dport))
		return -ERR_INPUT;
	if (fam_to != key.family)
		return err_set(ERR_INPUT, "flow %s -> %s: one address is IPv4, the other IPv6",
			       argv[1], argv[2]);
	key.proto = proto ? IPPROTO_UDP : IPPROTO_TCP;
	ret = ctx_load(c);
	if (ret)
		return ret;
	vk.family = key.family;
	vk.proto = key.proto;
	vk.port = key.dport;
	memcpy(vk.addr, key.dst, sizeof(vk.addr));
	vip = model_vip_find(c->cur, &vk);
	if (vip < 0)
		ret = flow_reply(c, &key, &f, argv);
	else if (c->cur->config.ct_buckets)
		ret = flow_compact(c, &key, vip, &f);
	else
		ret = flow_lru(c, &key, &f);
	if (ret > 0)
		return err_set(ERR_INPUT, "no flow %s %s -> %s in the connection table", argv[0],
			       argv[1], argv[2]);
	if (!ret)
		flow_print(c, &key, &f);
	return ret;
}

int conns_run(struct cmd_ctx *c, int argc, char **argv)
{
	struct vip_key vip;
	int only = -1, ret, compact;
	struct json j;

	if (argc && !strcmp(argv[0], "show")) {
		argc--;
		argv++;
	}
	if (argc && !strcmp(argv[0], "--flow")) {
		if (argc != 4)
			return cmd_usage_err("conns", NULL);
		return conns_flow(c, argv + 1);
	}
	if (argc > 1)
		return cmd_usage_err("conns", NULL);
	ret = ctx_load(c);
	if (ret)
		return ret;
	if (argc == 1) {
		if (parse_vip(argv[0], &vip))
			return -ERR_INPUT;
		only = model_vip_find(c->cur, &vip);
		if (only < 0)
			return err_set(ERR_INPUT, "no VIP %s", argv[0]);
	}
	compact = c->cur->config.ct_buckets != 0;
	if (c->json) {
		json_init(&j, stdout);
		json_array_begin(&j, NULL);
	} else if (compact) {
		printf("# compact table: no addresses kept (a slot holds a digest of the flow)\n");
		printf("%8s %4s %-6s %-4s %-15s %-46s %8s %s\n", "bucket", "slot", "digest", "prot",
		       "device", "vip", "age_s", "state");
	} else {
		printf("%-4s %-46s %-46s %-15s %10s %s\n", "prot", "from", "to", "device", "age_ms",
		       "flags");
	}
	if (compact) {
		ret = show_compact(c, only, &j);
	} else {
		show_table(c, c->maps.conns, 0, only, &j);
		show_table(c, c->maps.half_open, 1, only, &j);
	}
	if (c->json) {
		json_array_end(&j);
		json_finish(&j);
	}
	return ret;
}
