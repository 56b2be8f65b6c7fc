// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* apply.c - the difference between two configurations as a batch (see apply.h). */
#include <string.h>

#include "hauler_report.h"

#include "apply.h"
#include "args.h"
#include "batch.h"
#include "cmd.h"
#include "error.h"
#include "policy_table.h"

int apply_want(const struct model *run, FILE *in, const char *name, struct model *want)
{
	model_init_empty(want);
	want->lim = run->lim; /* the running maps' counts */
	want->config = run->config;
	want->policy_known = run->policy_known;
	want->policy_arg = run->policy_arg;
	return batch_apply_stream(want, in, name);
}

/* What the diff knows of each running object: does it stay as it is? */
struct apply_plan {
	const struct model *run, *want;
	FILE *out;
	int lines;
	__u8 vip_kept[HAULER_MAX_VIPS];	      /* run id: the same VIP in want */
	__u8 server_kept[HAULER_MAX_SERVERS]; /* run index: same server, same VIP */
	__u8 device_kept[HAULER_MAX_DEVICES]; /* run id: same device, server, address */
};

static const char *server_name(const struct model *m, int s)
{
	return (const char *)m->servers[s].name;
}

static const char *device_name(const struct model *m, int d)
{
	return (const char *)m->devices[d].name;
}

static void line(struct apply_plan *p, const char *fmt, const char *a, const char *b)
{
	fprintf(p->out, fmt, a, b);
	p->lines++;
}

static void plan_kept(struct apply_plan *p)
{
	const struct model *run = p->run, *want = p->want;
	int i, w;

	for (i = 0; i < HAULER_MAX_VIPS; i++) {
		const struct model_vip *v = &run->vips[i];

		if (!v->in_use || (w = model_vip_find(want, &v->key)) < 0)
			continue;
		p->vip_kept[i] = v->info.fwd_mode == want->vips[w].info.fwd_mode &&
				 v->info.table_size == want->vips[w].info.table_size;
	}
	for (i = 0; i < HAULER_MAX_SERVERS; i++) {
		const struct server_info *s = &run->servers[i];
		int vip = s->vip_id % HAULER_MAX_VIPS;

		if (!s->in_use || !p->vip_kept[vip] ||
		    (w = model_server_find(want, server_name(run, i))) < 0)
			continue;
		p->server_kept[i] =
		    !memcmp(&want->vips[want->servers[w].vip_id % HAULER_MAX_VIPS].key,
			    &run->vips[vip].key, sizeof(struct vip_key));
	}
	for (i = 0; i < HAULER_MAX_DEVICES; i++) {
		const struct device_info *d = &run->devices[i];
		const struct device_info *wd;

		if (!d->in_use || !p->server_kept[d->server % HAULER_MAX_SERVERS] ||
		    (w = model_device_find(want, device_name(run, i))) < 0)
			continue;
		wd = &want->devices[w];
		p->device_kept[i] = !strcmp(server_name(run, d->server % HAULER_MAX_SERVERS),
					    server_name(want, wd->server % HAULER_MAX_SERVERS)) &&
				    d->family == wd->family && d->port == wd->port &&
				    !memcmp(d->addr, wd->addr, sizeof(d->addr));
	}
}

static void custom_loads(struct apply_plan *p)
{
	int i, r;

	for (i = 0; i < MODEL_CUSTOM_MAX; i++) {
		const struct model_policy *w = &p->want->custom[i];

		if (!w->in_use)
			continue;
		r = model_custom_find(p->run, w->name);
		if (r < 0 || strcmp(p->run->custom[r].path, w->path))
			line(p, "policy load %s %s\n", w->name, w->path);
	}
}

/* A running custom policy that neither FILE loads nor a wanted VIP uses. */
static void custom_unloads(struct apply_plan *p)
{
	int i, id;

	for (i = 0; i < MODEL_CUSTOM_MAX; i++) {
		const struct model_policy *r = &p->run->custom[i];
		int used = 0;

		if (!r->in_use || !r->path[0] || model_custom_find(p->want, r->name) >= 0)
			continue;
		for (id = 0; id < HAULER_MAX_VIPS; id++)
			used |= p->want->vips[id].in_use &&
				!strncmp((const char *)p->want->params[id].name, r->name,
					 HAULER_NAME_LEN);
		if (!used)
			line(p, "policy unload %s\n", r->name, NULL);
	}
}

static void deletions(struct apply_plan *p)
{
	const struct model *run = p->run;
	char vip[VIP_STRLEN];
	int i;

	for (i = 0; i < HAULER_MAX_DEVICES; i++)
		if (run->devices[i].in_use && !p->device_kept[i])
			line(p, "device del %s\n", device_name(run, i), NULL);
	for (i = 0; i < HAULER_MAX_SERVERS; i++)
		if (run->servers[i].in_use && !p->server_kept[i])
			line(p, "server del %s\n", server_name(run, i), NULL);
	for (i = 0; i < HAULER_MAX_VIPS; i++) {
		if (!run->vips[i].in_use || p->vip_kept[i])
			continue;
		format_vip(&run->vips[i].key, vip, sizeof(vip));
		line(p, "vip del %s\n", vip, NULL);
	}
}

static int config_differs(const struct config *a, const struct config *b)
{
	return a->fin_grace_ms != b->fin_grace_ms || a->rst_linger_ms != b->rst_linger_ms ||
	       a->udp_timeout_ms != b->udp_timeout_ms || a->report_port != b->report_port ||
	       a->tunnel_src4 != b->tunnel_src4 ||
	       memcmp(a->tunnel_src, b->tunnel_src, sizeof(a->tunnel_src)) ||
	       a->report_window_s != b->report_window_s ||
	       a->raw_report_ifindex != b->raw_report_ifindex ||
	       a->confirm_burst != b->confirm_burst;
}

/* A VIP's policy as `vip add` / `policy set` write it: name and parameters. */
static void policy_text(const struct model *m, int id, char *buf, size_t len)
{
	__u32 slot = m->vips[id].info.policy_slot % HAULER_MAX_VIPS;
	char params[128];

	policy_format_params(&m->params[slot], m->interval_ms[slot], params, sizeof(params));
	snprintf(buf, len, "%.*s%s%s", HAULER_NAME_LEN, (const char *)m->params[slot].name,
		 params[0] ? " " : "", params);
}

static void check_text(const struct model *m, int d, char *buf, size_t len)
{
	if (m->checks[d].type == HEALTH_NONE)
		snprintf(buf, len, "none");
	else
		health_format(&m->checks[d], buf, len);
}

/* A device that stays: what of its settings, key and check differs. */
static void device_changes(struct apply_plan *p, int r, int w)
{
	const struct device_info *rd = &p->run->devices[r], *wd = &p->want->devices[w];
	char was[256], now[256];

	if (rd->weight != wd->weight || rd->state != wd->state || rd->kind != wd->kind) {
		fprintf(p->out, "device set %s weight %u state %s kind %s\n",
			device_name(p->want, w), wd->weight, device_state_names[wd->state % 3],
			device_kind_names[wd->kind & 3]);
		p->lines++;
	}
	if (report_key_set(&p->want->keys[w]) &&
	    memcmp(&p->want->keys[w], &p->run->keys[r], sizeof(p->run->keys[r]))) {
		char hex[33];

		report_key_format(p->want->keys[w].k0, p->want->keys[w].k1, hex);
		line(p, "device key %s %s\n", device_name(p->want, w), hex);
	}
	check_text(p->run, r, was, sizeof(was));
	check_text(p->want, w, now, sizeof(now));
	if (strcmp(was, now))
		line(p, "device set %s check %s\n", device_name(p->want, w), now);
}

static void server_devices(struct apply_plan *p, int ws)
{
	const struct server_info *srv = &p->want->servers[ws];
	int i, r;

	for (i = 0; i < srv->dev_count && i < HAULER_DEVS_PER_SERVER; i++) {
		int w = srv->dev[i];

		r = model_device_find(p->run, device_name(p->want, w));
		if (r >= 0 && p->device_kept[r]) {
			device_changes(p, r, w);
		} else {
			p->lines += save_device(p->want, w, p->out);
		}
	}
}

/* The spill target's name ("none" for the Maglev preference). */
static const char *spill_name(const struct model *m, int s)
{
	__u16 to = m->servers[s].spill_to;

	return to ? server_name(m, (to - 1) % HAULER_MAX_SERVERS) : "none";
}

static void vip_servers(struct apply_plan *p, int id)
{
	const struct model *want = p->want;
	int s, r;

	for (s = 0; s < HAULER_MAX_SERVERS; s++) {
		const struct server_info *srv = &want->servers[s];

		if (!srv->in_use || srv->vip_id != id)
			continue;
		r = model_server_find(p->run, server_name(want, s));
		if (r < 0 || !p->server_kept[r]) {
			save_server(want, s, p->out);
			p->lines++;
		} else if (p->run->servers[r].weight != srv->weight) {
			fprintf(p->out, "server set %s weight %u\n", server_name(want, s),
				srv->weight);
			p->lines++;
		}
		server_devices(p, s);
	}
	/* Spill targets once every server of the VIP exists. */
	for (s = 0; s < HAULER_MAX_SERVERS; s++) {
		if (!want->servers[s].in_use || want->servers[s].vip_id != id)
			continue;
		r = model_server_find(p->run, server_name(want, s));
		if (r >= 0 && p->server_kept[r] ? strcmp(spill_name(p->run, r), spill_name(want, s))
						: want->servers[s].spill_to != 0) {
			save_spill(want, s, p->out);
			p->lines++;
		}
	}
}

static void additions(struct apply_plan *p)
{
	const struct model *want = p->want;
	char was[192], now[192], vip[VIP_STRLEN];
	int id, r;

	for (id = 0; id < HAULER_MAX_VIPS; id++) {
		if (!want->vips[id].in_use)
			continue;
		r = model_vip_find(p->run, &want->vips[id].key);
		if (r < 0 || !p->vip_kept[r]) {
			save_vip(want, id, p->out);
			p->lines++;
		} else {
			policy_text(p->run, r, was, sizeof(was));
			policy_text(want, id, now, sizeof(now));
			if (strcmp(was, now)) {
				format_vip(&want->vips[id].key, vip, sizeof(vip));
				line(p, "policy set %s %s\n", vip, now);
			}
			/* Before the servers: their device adds must fit the new tier. */
			if (p->run->vips[r].info.tier != want->vips[id].info.tier) {
				format_vip(&want->vips[id].key, vip, sizeof(vip));
				line(p, "vip set %s tier %s\n", vip,
				     tier_names[want->vips[id].info.tier & 1]);
			}
		}
		vip_servers(p, id);
	}
}

int apply_diff(const struct model *run, const struct model *want, FILE *out)
{
	struct apply_plan p = {.run = run, .want = want, .out = out};

	plan_kept(&p);
	custom_loads(&p);
	deletions(&p);
	if (config_differs(&run->config, &want->config)) {
		save_config(&want->config, out);
		p.lines++;
	}
	additions(&p);
	custom_unloads(&p);
	return p.lines;
}
