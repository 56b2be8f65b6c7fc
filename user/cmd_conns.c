// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* cmd_conns.c - hauler conns [show] [VIP]: the connection tables (conns, half_open). */
#include <arpa/inet.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>

#include "cmd.h"
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

int conns_run(struct cmd_ctx *c, int argc, char **argv)
{
	struct vip_key vip;
	int only = -1, ret;
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
	if (c->json) {
		json_init(&j, stdout);
		json_array_begin(&j, NULL);
	} else {
		printf("%-4s %-46s %-46s %-15s %10s %s\n", "prot", "from", "to", "device", "age_ms",
		       "flags");
	}
	show_table(c, c->maps.conns, 0, only, &j);
	show_table(c, c->maps.half_open, 1, only, &j);
	if (c->json) {
		json_array_end(&j);
		json_finish(&j);
	}
	return 0;
}
