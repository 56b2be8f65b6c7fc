// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cmd_conns.c - hauler conns [show] [VIP]: the connection tables (conns,
 * half_open), or the compact table's slots (ctable), which keep no
 * addresses: a digest, a device, a state and a time each.
 */
#include <arpa/inet.h>
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

int conns_run(struct cmd_ctx *c, int argc, char **argv)
{
	struct vip_key vip;
	int only = -1, ret, compact;
	struct json j;

	if (argc && !strcmp(argv[0], "show")) {
		argc--;
		argv++;
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
