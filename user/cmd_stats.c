// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* cmd_stats.c - hauler stats [show | reset]: the datapath's counters. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "clock.h"
#include "cmd.h"
#include "error.h"
#include "json.h"
#include "args.h"
#include "health_maps.h"
#include "health_show.h"
#include "snapshot.h"
#include "stats_read.h"

static void put_counter(struct cmd_ctx *c, struct json *j, const char *name,
			const struct counter *v, int with_bytes)
{
	if (c->json) {
		json_object_begin(j, NULL);
		json_string(j, "name", name);
		json_uint(j, "packets", v->packets);
		if (with_bytes)
			json_uint(j, "bytes", v->bytes);
		json_object_end(j);
	} else if (with_bytes) {
		printf("  %-24s %12llu pkts %14llu bytes\n", name, (unsigned long long)v->packets,
		       (unsigned long long)v->bytes);
	} else {
		printf("  %-24s %12llu\n", name, (unsigned long long)v->packets);
	}
}

/* A device's health check, beside its counters. */
struct health_ref {
	int dev; /* -1: a VIP */
	const struct health_status *status;
	__u64 now;
};

/* The forwarded and new-connection counters of one VIP or device. */
static int put_pair(struct cmd_ctx *c, struct json *j, struct stats_reader *r, const char *name,
		    __u32 fwd_key, __u32 new_key, const struct health_ref *h)
{
	struct counter fwd, fresh;
	char health[96] = "";

	if (stats_reader_sum(r, fwd_key, &fwd) || stats_reader_sum(r, new_key, &fresh))
		return -ERR_SYSTEM;
	if (c->json) {
		json_object_begin(j, NULL);
		json_string(j, "name", name);
		json_uint(j, "packets", fwd.packets);
		json_uint(j, "bytes", fwd.bytes);
		json_uint(j, "new_conns", fresh.packets);
		if (h->dev >= 0)
			health_json(j, c->cur, h->dev, &h->status[h->dev], h->now);
		json_object_end(j);
		return 0;
	}
	if (h->dev >= 0 && strcmp(health_word(c->cur, h->dev, &h->status[h->dev]), "-")) {
		char last[48];
		__u32 downs, ups;

		health_last_text(c->cur, h->dev, &h->status[h->dev], h->now, last, sizeof(last));
		health_counts(c->cur, h->dev, &h->status[h->dev], &downs, &ups);
		snprintf(health, sizeof(health), "  health %s (%u down, %u up; last %s)",
			 health_word(c->cur, h->dev, &h->status[h->dev]), downs, ups, last);
	}
	printf("  %-28s %12llu pkts %14llu bytes %10llu new%s\n", name,
	       (unsigned long long)fwd.packets, (unsigned long long)fwd.bytes,
	       (unsigned long long)fresh.packets, health);
	return 0;
}

static int stats_show(struct cmd_ctx *c, struct stats_reader *r, const struct health_status *health)
{
	struct health_ref h = {.dev = -1, .status = health, .now = monotonic_ns()};
	struct counter v;
	struct json j;
	int i;

	if (c->json) {
		json_init(&j, stdout);
		json_object_begin(&j, NULL);
		json_array_begin(&j, "reasons");
	} else {
		printf("counters:\n");
	}
	for (i = 0; i < HAULER_STAT_REASONS; i++) {
		if (stats_reader_sum(r, i, &v))
			return -ERR_SYSTEM;
		put_counter(c, &j, snapshot_reason_names[i], &v, 1);
	}
	if (c->json) {
		json_array_end(&j);
		json_array_begin(&j, "vips");
	} else {
		printf("vips:\n");
	}
	for (i = 0; i < HAULER_MAX_VIPS; i++) {
		char vip[VIP_STRLEN];

		if (!c->cur->vips[i].in_use)
			continue;
		format_vip(&c->cur->vips[i].key, vip, sizeof(vip));
		if (put_pair(c, &j, r, vip, HAULER_STAT_VIP(i, HAULER_STAT_FWD),
			     HAULER_STAT_VIP(i, HAULER_STAT_NEW), &h))
			return -ERR_SYSTEM;
	}
	if (c->json) {
		json_array_end(&j);
		json_array_begin(&j, "devices");
	} else {
		printf("devices:\n");
	}
	for (i = 0; i < HAULER_MAX_DEVICES; i++) {
		if (!c->cur->devices[i].in_use)
			continue;
		h.dev = i;
		if (put_pair(c, &j, r, (const char *)c->cur->devices[i].name,
			     HAULER_STAT_DEV(i, HAULER_STAT_FWD),
			     HAULER_STAT_DEV(i, HAULER_STAT_NEW), &h))
			return -ERR_SYSTEM;
	}
	if (c->json) {
		json_array_end(&j);
		json_object_end(&j);
		json_finish(&j);
	}
	return 0;
}

static int stats_reset(struct stats_reader *r)
{
	__u32 key;

	memset(r->percpu, 0, sizeof(struct counter) * r->ncpus);
	for (key = 0; key < HAULER_STAT_SLOTS; key++)
		if (bpf_map_update_elem(r->fd, &key, r->percpu, BPF_ANY))
			return err_set(ERR_SYSTEM, "cannot reset stats[%u]: %s", key,
				       strerror(errno));
	return 0;
}

int stats_run(struct cmd_ctx *c, int argc, char **argv)
{
	struct health_status *health;
	struct stats_reader r;
	int ret, reset;

	(void)argc; /* show or reset, as the command table says */
	reset = !strcmp(argv[0], "reset");
	ret = ctx_load(c);
	if (ret)
		return ret;
	ret = stats_reader_init(&r, c->maps.stats);
	if (ret)
		return ret;
	health = calloc(HAULER_MAX_DEVICES, sizeof(*health));
	if (!health)
		ret = err_set(ERR_SYSTEM, "out of memory");
	else if (!reset)
		ret = health_states_read(c->pin, health);
	if (ret)
		;
	else if (reset && c->dry_run)
		printf("ok (dry run)\n");
	else
		ret = reset ? stats_reset(&r) : stats_show(c, &r, health);
	stats_reader_free(&r);
	free(health);
	return ret;
}
