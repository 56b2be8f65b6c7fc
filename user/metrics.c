// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * metrics.c - the Prometheus text format of a snapshot (see metrics.h).
 * Each family is written whole (HELP, TYPE, then its samples), as the
 * format wants; label values are escaped; a device's samples carry the
 * labels vip, server and device, a VIP's the label vip.
 */
#include <arpa/inet.h>
#include <string.h>

#include "args.h"
#include "metrics.h"

/*
 * The datapath counters' families: a counter goes to the first family
 * whose prefix starts its name, the rest of the name is the label value.
 */
static const struct counter_family {
	const char *prefix, *name, *label, *help;
} families[] = {
    {"pass_", "hauler_pass", "reason", "handed to the kernel (XDP_PASS), by reason"},
    {"drop_", "hauler_drop", "reason", "dropped by the datapath, by reason"},
    {"report_", "hauler_report", "result",
     "agent reports by result: ok accepted (v1: accepted version-1 ones, counted in ok too), "
     "every other result rejected and dropped"},
    {"", "hauler_datapath", "counter", "the datapath's other counters (docs/datapath.md)"},
};

#define FAMILY_COUNT (sizeof(families) / sizeof(families[0]))

static const struct counter_family *family_of(const char *counter)
{
	size_t i;

	for (i = 0; i < FAMILY_COUNT - 1; i++)
		if (!strncmp(counter, families[i].prefix, strlen(families[i].prefix)))
			return &families[i];
	return &families[FAMILY_COUNT - 1];
}

static void head(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value, escaped as the format wants (backslash, quote, newline). */
static void label_value(FILE *out, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			fputc('\\', out);
		if (*v == '\n')
			fputs("\\n", out);
		else
			fputc(*v, out);
	}
}

static void datapath_family(FILE *out, const struct snapshot *s, const struct counter_family *f,
			    int bytes)
{
	char name[64];
	int i;

	snprintf(name, sizeof(name), "%s_%s_total", f->name, bytes ? "bytes" : "packets");
	head(out, name, "counter", f->help);
	for (i = 0; i < HAULER_STAT_REASONS; i++) {
		const char *c = snapshot_reason_names[i];

		if (family_of(c) != f)
			continue;
		fprintf(out, "%s{%s=\"%s\"} %llu\n", name, f->label, c + strlen(f->prefix),
			(unsigned long long)(bytes ? s->reasons[i].bytes : s->reasons[i].packets));
	}
}

static void vip_labels(FILE *out, const struct snapshot *s, int id)
{
	char vip[VIP_STRLEN];

	format_vip(&s->m.vips[id].key, vip, sizeof(vip));
	fputs("{vip=\"", out);
	label_value(out, vip);
	fputc('"', out);
}

enum vip_value { VIP_PACKETS, VIP_BYTES, VIP_NEW, VIP_SWAPS };

static void vip_family(FILE *out, const struct snapshot *s, const char *name, const char *help,
		       enum vip_value what)
{
	int id;

	head(out, name, "counter", help);
	for (id = 0; id < HAULER_MAX_VIPS; id++) {
		unsigned long long v = what == VIP_PACKETS ? s->vip_fwd[id].packets
				       : what == VIP_BYTES ? s->vip_fwd[id].bytes
				       : what == VIP_NEW   ? s->vip_new[id].packets
							   : s->swaps[id];

		if (!s->m.vips[id].in_use)
			continue;
		fputs(name, out);
		vip_labels(out, s, id);
		fprintf(out, "} %llu\n", v);
	}
}

static void vip_info(FILE *out, const struct snapshot *s)
{
	int id;

	head(out, "hauler_vip_info", "gauge", "a configured VIP: its mode and policy (always 1)");
	for (id = 0; id < HAULER_MAX_VIPS; id++) {
		const struct model_vip *v = &s->m.vips[id];

		if (!v->in_use)
			continue;
		fputs("hauler_vip_info", out);
		vip_labels(out, s, id);
		fputs(",mode=\"", out);
		label_value(out, fwd_mode_names[v->info.fwd_mode & 1]);
		fputs("\",policy=\"", out);
		label_value(out,
			    (const char *)s->m.params[v->info.policy_slot % HAULER_MAX_VIPS].name);
		fprintf(out, "\",id=\"%d\"} 1\n", id);
	}
}

/* name{vip="..",server="..",device=".."[,extra]} */
static void dev_sample(FILE *out, const struct snapshot *s, const char *name, int d,
		       const char *extra)
{
	const struct device_info *dev = &s->m.devices[d];
	const struct server_info *srv = &s->m.servers[dev->server % HAULER_MAX_SERVERS];

	fputs(name, out);
	vip_labels(out, s, srv->vip_id % HAULER_MAX_VIPS);
	fputs(",server=\"", out);
	label_value(out, (const char *)srv->name);
	fputs("\",device=\"", out);
	label_value(out, (const char *)dev->name);
	fprintf(out, "\"%s%s} ", extra ? "," : "", extra ? extra : "");
}

/* The values of one device family. */
enum dev_value {
	DEV_PACKETS,
	DEV_BYTES,
	DEV_NEW,
	DEV_WEIGHT,
	DEV_LOAD, /* one sample per metric */
	DEV_LATENCY,
	DEV_LIVE,
	DEV_ASSIGNED,
	DEV_AGE,
	DEV_STALE,
	DEV_BUSY,
	DEV_HEALTHY,
	DEV_TRANSITIONS, /* two samples: down, up */
};

static const struct dev_family {
	const char *name, *type, *help;
	enum dev_value what;
} dev_families[] = {
    {"hauler_device_packets_total", "counter", "packets forwarded to the device", DEV_PACKETS},
    {"hauler_device_bytes_total", "counter", "bytes forwarded to the device", DEV_BYTES},
    {"hauler_device_new_connections_total", "counter", "new connections given to the device",
     DEV_NEW},
    {"hauler_device_weight", "gauge", "the device's static weight (declared capacity)", DEV_WEIGHT},
    {"hauler_device_load_percent", "gauge",
     "the device's last reported utilization 0..100, by metric (cmp, mem, net, queue)", DEV_LOAD},
    {"hauler_device_latency_seconds", "gauge", "the device's last reported service latency",
     DEV_LATENCY},
    {"hauler_device_live_connections", "gauge", "connections the device's agent reported",
     DEV_LIVE},
    {"hauler_device_assigned_connections", "gauge",
     "connections the datapath gave the device since its last accepted report", DEV_ASSIGNED},
    {"hauler_device_report_age_seconds", "gauge",
     "time since the device's last accepted report (absent: none came)", DEV_AGE},
    {"hauler_device_stale", "gauge",
     "1: the device's load is unknown (no report within its staleness bound): it counts by "
     "its weight",
     DEV_STALE},
    {"hauler_device_busy", "gauge", "1: the device's agent reported busy (a threshold crossed)",
     DEV_BUSY},
    {"hauler_device_healthy", "gauge",
     "1: the device takes new connections as far as health goes (0: its health check "
     "failed)",
     DEV_HEALTHY},
    {"hauler_device_health_transitions_total", "counter",
     "transitions of the device's health check, by direction (down, up)", DEV_TRANSITIONS},
};

static const char *const load_names[] = {"cmp", "mem", "net", "queue"};

static void dev_values(FILE *out, const struct snapshot *s, const struct dev_family *f, int d)
{
	const struct dev_state *st = &s->states[d];
	const struct health_status *h = &s->health[d];
	const struct health_check *c = &s->m.checks[d];
	const __u8 load[] = {st->cmp, st->mem, st->net, st->queue};
	struct report_view r;
	char extra[32];
	size_t i;

	report_view(&s->m, d, st, s->now_ns, s->dev_new[d].packets, &r);
	switch (f->what) {
	case DEV_LOAD:
		for (i = 0; i < sizeof(load); i++) {
			snprintf(extra, sizeof(extra), "metric=\"%s\"", load_names[i]);
			dev_sample(out, s, f->name, d, extra);
			fprintf(out, "%u\n", load[i]);
		}
		return;
	case DEV_TRANSITIONS:
		/* Only counts that belong to the check in force. */
		if (c->type == HEALTH_NONE || h->check_sum != health_check_sum(c))
			return;
		dev_sample(out, s, f->name, d, "direction=\"down\"");
		fprintf(out, "%u\n", h->downs);
		dev_sample(out, s, f->name, d, "direction=\"up\"");
		fprintf(out, "%u\n", h->ups);
		return;
	case DEV_AGE:
		if (r.never)
			return;
		dev_sample(out, s, f->name, d, NULL);
		fprintf(out, "%.3f\n", r.age_ms / 1000.0);
		return;
	default:
		break;
	}
	dev_sample(out, s, f->name, d, NULL);
	switch (f->what) {
	case DEV_PACKETS:
		fprintf(out, "%llu\n", (unsigned long long)s->dev_fwd[d].packets);
		break;
	case DEV_BYTES:
		fprintf(out, "%llu\n", (unsigned long long)s->dev_fwd[d].bytes);
		break;
	case DEV_NEW:
		fprintf(out, "%llu\n", (unsigned long long)s->dev_new[d].packets);
		break;
	case DEV_WEIGHT:
		fprintf(out, "%u\n", s->m.devices[d].weight);
		break;
	case DEV_LATENCY:
		fprintf(out, "%.6f\n", st->latency_us / 1e6);
		break;
	case DEV_LIVE:
		fprintf(out, "%u\n", st->live_conns);
		break;
	case DEV_ASSIGNED:
		fprintf(out, "%u\n", r.assigned);
		break;
	case DEV_STALE:
		fprintf(out, "%d\n", r.stale ? 1 : 0);
		break;
	case DEV_BUSY:
		fprintf(out, "%d\n", st->busy ? 1 : 0);
		break;
	default: /* DEV_HEALTHY */
		fprintf(out, "%d\n", s->m.devices[d].health == HAULER_HEALTH_FAILED ? 0 : 1);
		break;
	}
}

static void devices(FILE *out, const struct snapshot *s)
{
	size_t f;
	int d;

	head(out, "hauler_device_info", "gauge",
	     "a configured device: its kind, administrative state and address (always 1)");
	for (d = 0; d < HAULER_MAX_DEVICES; d++) {
		const struct device_info *dev = &s->m.devices[d];
		char addr[ADDR_STRLEN], extra[160];

		if (!dev->in_use)
			continue;
		format_addr(dev->family, dev->addr, addr, sizeof(addr));
		snprintf(extra, sizeof(extra), "kind=\"%s\",state=\"%s\",addr=\"%s\",port=\"%u\"",
			 device_kind_names[dev->kind & 3], device_state_names[dev->state % 3], addr,
			 ntohs(dev->port));
		dev_sample(out, s, "hauler_device_info", d, extra);
		fputs("1\n", out);
	}
	for (f = 0; f < sizeof(dev_families) / sizeof(dev_families[0]); f++) {
		head(out, dev_families[f].name, dev_families[f].type, dev_families[f].help);
		for (d = 0; d < HAULER_MAX_DEVICES; d++)
			if (s->m.devices[d].in_use)
				dev_values(out, s, &dev_families[f], d);
	}
}

/* The learners stored for VIPs (hauler learn): present only where one is. */
static void learners(FILE *out, const struct snapshot *s)
{
	static const char *const names[] = {"hauler_learner_iterations_total",
					    "hauler_learner_weight", "hauler_learner_reward",
					    "hauler_learner_state"};
	static const char *const helps[] = {
	    "iterations of the VIP's weight learner (hauler learn)",
	    "the accelerators' weight the learner set last",
	    "the reward of the learner's last action",
	    "the learner's last state (bucket index; -1: no iteration yet)"};
	size_t k;
	int id;

	for (k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		head(out, names[k], k ? "gauge" : "counter", helps[k]);
		for (id = 0; id < HAULER_MAX_VIPS; id++) {
			const struct learner *l = &s->learners[id];

			if (!s->m.vips[id].in_use || !s->learning[id])
				continue;
			fputs(names[k], out);
			vip_labels(out, s, id);
			if (k == 0)
				fprintf(out, "} %llu\n", (unsigned long long)l->iter);
			else if (k == 1)
				fprintf(out, "} %u\n", l->weight);
			else if (k == 2)
				fprintf(out, "} %g\n", l->reward);
			else
				fprintf(out, "} %d\n", l->state);
		}
	}
}

static void extra(FILE *out, const struct metrics_extra *x)
{
	head(out, "hauler_scrape_errors_total", "counter",
	     "readings of the pinned state that failed since the exporter started");
	fprintf(out, "hauler_scrape_errors_total %llu\n", (unsigned long long)x->scrape_errors);
	if (!x->daemon)
		return;
	head(out, "hauler_daemon_ring_updates_total", "counter",
	     "dwrr ring swaps hauler daemon made since it started");
	fprintf(out, "hauler_daemon_ring_updates_total %llu\n",
		(unsigned long long)x->ring_updates);
}

void metrics_write(FILE *out, const struct snapshot *s, const struct metrics_extra *x)
{
	size_t f;

	head(out, "hauler_balancer_up", "gauge", "1: the pinned balancer state could be read");
	fputs("hauler_balancer_up 1\n", out);
	for (f = 0; f < FAMILY_COUNT; f++) {
		datapath_family(out, s, &families[f], 0);
		datapath_family(out, s, &families[f], 1);
	}
	vip_info(out, s);
	vip_family(out, s, "hauler_vip_packets_total", "packets forwarded for the VIP",
		   VIP_PACKETS);
	vip_family(out, s, "hauler_vip_bytes_total", "bytes forwarded for the VIP", VIP_BYTES);
	vip_family(out, s, "hauler_vip_new_connections_total", "new connections of the VIP",
		   VIP_NEW);
	vip_family(out, s, "hauler_vip_policy_swaps_total",
		   "times the VIP's policy program was swapped (policy set, policy load again)",
		   VIP_SWAPS);
	devices(out, s);
	learners(out, s);
	extra(out, x);
}

void metrics_write_down(FILE *out, const char *why, const struct metrics_extra *x)
{
	fputs("# hauler: ", out);
	for (; *why && *why != '\n'; why++)
		fputc(*why, out);
	fputc('\n', out);
	head(out, "hauler_balancer_up", "gauge", "1: the pinned balancer state could be read");
	fputs("hauler_balancer_up 0\n", out);
	extra(out, x);
}
