// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cluster.c - the simulated cluster: one VIP, its servers and devices in
 * the manager's own model; the Maglev table, rings and dwrr rings built
 * by the manager's code; a new connection walked through the datapath's
 * steps (flow hash, table slot, candidates, the policy's selection).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "sim.h"
#include "hauler_report_store.h"
#include "sim_policy.h"
#include "error.h"
#include "dwrr.h"
#include "maglev.h"
#include "ring.h"
#include "select/cand.h"
#include "select/select.h"

/* The flow hash seed of every simulated run: the published figures were drawn with it. */
#define SIM_FLOW_SEED 0x4a61u

void sim_config_defaults(struct sim_config *c)
{
	memset(c, 0, sizeof(*c));
	c->servers = 64;
	c->nics = 2;
	c->mu_cpu = 16; /* the thesis's server CPU, KNN requests/s */
	c->mu_nic = 4;	/* its SmartNIC */
	c->w_cpu = 4;	/* wrr by capacity: 16:4 */
	c->w_nic = 1;
	snprintf(c->policy, sizeof(c->policy), "wrr");
	c->report_ms = 10;
	c->backlog = 128;
	c->table_size = HAULER_MAGLEV_DEFAULT;
	c->dwrr_ms = 100;
	c->seed = 1;
}

static int add_device(struct sim_cluster *c, int s, const char *name, __u8 kind, __u16 w, double t)
{
	struct device_spec spec = {.family = 4, .kind = kind, .weight = w};
	struct sim_device *sd;
	int d;

	snprintf(spec.name, sizeof(spec.name), "%.*s", (int)sizeof(spec.name) - 1, name);
	memcpy(spec.server, c->m->servers[s].name, HAULER_NAME_LEN);
	spec.addr[0] = htonl(0x0a000000u | (__u32)(c->ndev + 1));
	spec.port = htons(8080);
	d = model_device_add(c->m, &spec);
	if (d < 0)
		return -1;
	sd = &c->dev[d];
	if (sim_queue_init(&sd->q, kind == HAULER_KIND_CPU ? c->cfg.mu_cpu : c->cfg.mu_nic,
			   c->cfg.fixed_service))
		return -1;
	if (kind == HAULER_KIND_CPU ? c->cfg.quota_cpu[0] > 0 : c->cfg.quota_nic[0] > 0) {
		const double *qp = kind == HAULER_KIND_CPU ? c->cfg.quota_cpu : c->cfg.quota_nic;

		if (sim_queue_set_quota(&sd->q, qp[0], qp[1]))
			return -1;
		sd->q.tick_s = c->cfg.quota_tick_s;
		sd->q.cpu = c->cpus ? &c->cpus[s] : NULL;
	}
	/* Agents are not in step: each starts at its own phase. */
	sd->next_tick = t + sim_rng_unit(&c->rng) * c->cfg.report_ms / 1e3;
	/* Its first cmp window starts a period before its first tick (idle: busy 0). */
	sd->tick = 1;
	sd->cmp_tick = 0;
	sd->cmp_busy = 0;
	sd->cmp_win = 0;
	sd->reporting = 1;
	sd->seq = 0;
	sd->reports = 0;
	sd->new_conns = 0;
	/* Its key, as `device add` would generate one (fixed: runs repeat). */
	c->keys[d].k0 = 0x9e3779b97f4a7c15ull * (__u64)(d + 1);
	c->keys[d].k1 = c->keys[d].k0 ^ 0x5851f42d4c957f2dull;
	memset(&c->st[d], 0, sizeof(c->st[d]));
	c->ndev++;
	return d;
}

static int build_rings(struct sim_cluster *c)
{
	__u16 w[HAULER_DEVS_PER_SERVER];
	int s, n;

	for (s = 0; s < c->cfg.servers; s++) {
		n = model_ring_weights(c->m, s, w);
		if (ring_build(w, n, &c->rings[s]))
			memset(&c->rings[s], 0, sizeof(c->rings[s]));
	}
	return 0;
}

static int build_pool(struct sim_cluster *c)
{
	static struct maglev_server srv[HAULER_MAX_SERVERS];
	int n = model_pool_servers(c->m, 0, srv);

	return maglev_build(srv, n, c->m->vips[0].info.table_size, NULL, c->pool);
}

int sim_cluster_init(struct sim_cluster *c, const struct sim_config *cfg)
{
	struct policy_choice pc;
	char name[HAULER_NAME_LEN + 16];
	int s, k;

	memset(c, 0, sizeof(*c));
	c->cfg = *cfg;
	if (cfg->servers < 1 || cfg->servers > HAULER_MAX_SERVERS || cfg->nics < 0 ||
	    cfg->nics + 1 > HAULER_DEVS_PER_SERVER)
		return err_set(ERR_INPUT, "servers 1..%d, nics 0..%d", HAULER_MAX_SERVERS,
			       HAULER_DEVS_PER_SERVER - 1);
	if (cfg->servers * (cfg->nics + 1) > HAULER_MAX_DEVICES)
		return err_set(ERR_INPUT, "servers x (nics + 1) above %d devices",
			       HAULER_MAX_DEVICES);
	if (cfg->shared_cpu && !(cfg->quota_cpu[0] > 0) && !(cfg->quota_nic[0] > 0))
		return err_set(ERR_INPUT, "a shared CPU needs devices under a quota "
					  "(--quota-cpu, --quota-nic)");
	if (!(cfg->cpu_overhead_s >= 0) || (cfg->cpu_overhead_s > 0 && !cfg->shared_cpu))
		return err_set(ERR_INPUT, "a request's CPU overhead needs a shared CPU");
	if (!(cfg->quota_tick_s >= 0) || cfg->quota_tick_s > 1)
		return err_set(ERR_INPUT, "the quota's tick 0..1 s");
	if (!(cfg->report_ms > 0) || !(cfg->window_ms >= 0) || cfg->window_ms > 60000)
		return err_set(ERR_INPUT, "agent period above 0 ms, cmp window 0..60000 ms");
	sim_rng_seed(&c->rng, cfg->seed);
	c->dwrr = !strcmp(cfg->policy, "dwrr");
	c->win_ticks = sim_agent_window_ticks(cfg->window_ms, cfg->report_ms);
	c->m = calloc(1, sizeof(*c->m));
	c->pool = calloc(HAULER_MAGLEV_MAX, sizeof(*c->pool));
	c->rings = calloc(HAULER_MAX_SERVERS, sizeof(*c->rings));
	c->ring_pos = calloc(HAULER_MAX_SERVERS, sizeof(*c->ring_pos));
	c->st = calloc(HAULER_MAX_DEVICES, sizeof(*c->st));
	c->dev = calloc(HAULER_MAX_DEVICES, sizeof(*c->dev));
	c->keys = calloc(HAULER_MAX_DEVICES, sizeof(*c->keys));
	if (!c->m || !c->pool || !c->rings || !c->ring_pos || !c->st || !c->dev || !c->keys)
		return err_set(ERR_SYSTEM, "out of memory");
	if (cfg->shared_cpu) {
		c->cpus = calloc(cfg->servers, sizeof(*c->cpus));
		if (!c->cpus)
			return err_set(ERR_SYSTEM, "out of memory");
		for (s = 0; s < cfg->servers; s++)
			if (sim_cpu_init(&c->cpus[s], cfg->cpu_overhead_s))
				return err_set(ERR_SYSTEM, "out of memory");
	}
	model_init_empty(c->m);
	/* No maps to size: the model may hold as many as hauler up can ask for. */
	c->m->lim.vips = HAULER_MAX_VIPS;
	c->m->lim.servers = HAULER_MAX_SERVERS;
	c->m->lim.devices = HAULER_MAX_DEVICES;
	c->vip.addr[0] = htonl(0xc0000210u); /* 192.0.2.16:80/tcp */
	c->vip.port = htons(80);
	c->vip.family = 4;
	c->vip.proto = IPPROTO_TCP;
	if (sim_policy_choice(cfg, &pc) ||
	    model_vip_add(c->m, &c->vip, HAULER_FWD_NAT, cfg->table_size, &pc) < 0)
		return -ERR_INPUT;
	for (s = 0; s < cfg->servers; s++) {
		snprintf(name, sizeof(name), "s%d", s);
		if (model_server_add(c->m, name, &c->vip, 1) != s)
			return -ERR_INPUT;
		snprintf(name, sizeof(name), "s%dcpu", s);
		if (add_device(c, s, name, HAULER_KIND_CPU, cfg->w_cpu, 0) < 0)
			return -ERR_INPUT;
		for (k = 0; k < cfg->nics; k++) {
			snprintf(name, sizeof(name), "s%dnic%d", s, k);
			if (add_device(c, s, name, HAULER_KIND_SMARTNIC, cfg->w_nic, 0) < 0)
				return -ERR_INPUT;
		}
	}
	if (build_pool(c))
		return err_set(ERR_INPUT, "maglev_build failed");
	return build_rings(c);
}

void sim_cluster_free(struct sim_cluster *c)
{
	int d;

	for (d = 0; c->dev && d < HAULER_MAX_DEVICES; d++)
		sim_queue_free(&c->dev[d].q);
	for (d = 0; c->cpus && d < c->cfg.servers; d++)
		sim_cpu_free(&c->cpus[d]);
	free(c->cpus);
	free(c->m);
	free(c->pool);
	free(c->rings);
	free(c->ring_pos);
	free(c->st);
	free(c->dev);
	free(c->keys);
	memset(c, 0, sizeof(*c));
}

int sim_cluster_add_nic(struct sim_cluster *c, __u16 w, double t)
{
	char name[HAULER_NAME_LEN + 16];
	int s;

	for (s = 0; s < c->cfg.servers; s++) {
		snprintf(name, sizeof(name), "s%dnic%d", s, c->m->servers[s].dev_count - 1);
		if (add_device(c, s, name, HAULER_KIND_SMARTNIC, w, t) < 0)
			return -1;
	}
	c->cfg.nics++;
	return build_rings(c);
}

int sim_cluster_set_weight(struct sim_cluster *c, __u8 kind, __u16 w)
{
	int d;

	/* What `device set NAME weight W` changes in the model, for each device of the kind. */
	for (d = 0; d < HAULER_MAX_DEVICES; d++)
		if (c->m->devices[d].in_use && c->m->devices[d].kind == kind)
			c->m->devices[d].weight = w;
	return build_rings(c);
}

__u16 sim_cluster_server(const struct sim_cluster *c, __u32 hash)
{
	return c->pool[hash % c->m->vips[0].info.table_size];
}

static __u64 to_ns(double t)
{
	return (__u64)(t * SIM_NS) + 1; /* 0 means "never" in dev_state */
}

/*
 * The agent's newest report up to t, received as the datapath receives
 * it: encoded and tagged with the device's key (report_encode), checked
 * (report_decode: header, device, tag, values) and applied to dev_state
 * by the datapath's own report_apply (include/hauler_report_store.h).
 * Only the last tick matters: a report replaces the one before. Called
 * before every look at or change of the device.
 */
static void catch_up(struct sim_cluster *c, int d, double t)
{
	struct sim_device *sd = &c->dev[d];
	double period = c->cfg.report_ms / 1e3, last, busy_prev;
	unsigned int m = c->win_ticks;
	struct report_fields f, got;
	struct hauler_report wire;
	__u64 k, j, now, sec;

	if (!sd->reporting || sd->next_tick > t)
		return;
	k = (__u64)((t - sd->next_tick) / period);
	last = sd->next_tick + (double)k * period;
	/*
	 * The cmp samples since the last one: every m ticks. Only the newest
	 * counts (the value stands until the next); every tick after the
	 * last catch-up lies after every arrival, where the busy time is known.
	 */
	now = sd->tick + k; /* last's index */
	j = (now - sd->cmp_tick) / m;
	if (j) {
		sd->cmp_tick += j * m; /* the newest sample's tick, at or before last */
		busy_prev =
		    j == 1
			? sd->cmp_busy
			: sim_queue_busy(&sd->q, last - (double)(now - sd->cmp_tick + m) * period);
		sd->cmp_busy = sim_queue_busy(&sd->q, last - (double)(now - sd->cmp_tick) * period);
		sd->cmp_win = sd->cmp_busy - busy_prev;
	}
	sim_agent_report(&sd->q, last, period, sd->cmp_win, m * period, c->cfg.backlog, &f);
	sd->next_tick = last + period;
	sd->tick = now + 1;
	sec = (__u64)last;
	sd->seq = report_seq_next(sd->seq, sec, (__u32)((last - (double)sec) * 1e6));
	f.device = (__u16)d;
	f.seq = sd->seq;
	/*
	 * The simulated agents send only good reports, so the tag and the
	 * receivers' checks cannot change what a report does (a refusal is a
	 * simulator bug and aborts); they were 40% of a run's time (two
	 * SipHashes a report). Each device's first report and every
	 * SIM_REPORT_CHECK_EVERY-th after are tagged and checked; the others
	 * are packed by the same code without their tag. Every report is
	 * applied by the datapath's report_apply.
	 */
	if (sd->reports++ % SIM_REPORT_CHECK_EVERY == 0) {
		report_encode(&f, c->keys[d].k0, c->keys[d].k1, &wire);
		if (report_decode(&wire, sizeof(wire), c->keys, HAULER_MAX_DEVICES, NULL, &got)) {
			fprintf(stderr, "hauler-sim: device %d's report refused\n", d);
			abort();
		}
	} else {
		report_pack(&f, &wire);
	}
	if (report_apply(&c->st[d], &wire, to_ns(last), sd->new_conns)) {
		fprintf(stderr, "hauler-sim: device %d's report refused\n", d);
		abort();
	}
}

/* dwrr: the manager's pass over every server, every dwrr_ms. */
static void dwrr_pass(struct sim_cluster *c, double t)
{
	int s, d;

	for (d = 0; d < HAULER_MAX_DEVICES; d++)
		if (c->m->devices[d].in_use)
			catch_up(c, d, t);
	for (s = 0; s < c->cfg.servers; s++)
		if (dwrr_server_ring(c->m, s, c->st, to_ns(t), &c->rings[s]))
			memset(&c->rings[s], 0, sizeof(c->rings[s]));
}

int sim_cluster_pick(struct sim_cluster *c, double t)
{
	const struct server_info *srv;
	struct policy_ctx pc;
	__u32 i, choice;
	__u16 s;
	int d;

	memset(&pc, 0, sizeof(pc));
	pc.flow.family = 4;
	pc.flow.proto = IPPROTO_TCP;
	pc.flow.src[0] = (__u32)sim_rng_next(&c->rng);
	pc.flow.sport = (__u16)sim_rng_next(&c->rng);
	pc.flow.dst[0] = c->vip.addr[0];
	pc.flow.dport = c->vip.port;
	pc.hash = hauler_flow_hash(&pc.flow, SIM_FLOW_SEED);
	s = sim_cluster_server(c, pc.hash);
	if (s >= HAULER_MAX_SERVERS || !c->m->servers[s].in_use)
		return -1;
	srv = &c->m->servers[s];
	if (c->dwrr && t >= c->next_dwrr) {
		dwrr_pass(c, t);
		c->next_dwrr = t + c->cfg.dwrr_ms / 1e3;
	}
	pc.server = s;
	pc.n = srv->dev_count;
	for (i = 0; i < pc.n && i < HAULER_DEVS_PER_SERVER; i++) {
		d = srv->dev[i];
		catch_up(c, d, t);
		select_cand_fill(&pc.cand[i], d, &c->m->devices[d], &c->st[d], pc.flow.family,
				 c->m->params[0].stale_ms, c->m->params[0].stale_periods, to_ns(t),
				 dev_assigned(&c->st[d], c->dev[d].new_conns));
	}
	choice = sim_policy_select(c, &pc);
	/* As new_conn_finish: a choice that is not usable becomes the hash choice. */
	if (choice >= pc.n || !pc.cand[choice].usable)
		choice = select_hash(&pc);
	if (choice >= pc.n)
		return -1;
	d = pc.cand[choice].id;
	c->dev[d].new_conns++;
	c->flows++;
	return d;
}
