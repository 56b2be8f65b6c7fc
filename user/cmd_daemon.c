// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cmd_daemon.c - hauler daemon: the manager's long-running part. Every
 * interval-ms of a dwrr VIP (its policy parameter; else --interval-ms,
 * default HAULER_DWRR_INTERVAL_MS_DEFAULT) it rebuilds the rings of the VIP's servers from their
 * devices' reports (dwrr.h) and swaps a ring that changed (inactive
 * version, then one flip). Rings of other VIPs are left alone. Between
 * passes it runs the devices' health checks (health_daemon.h); each pass
 * applies their results. Every TOMB_SWEEP_NS it removes the dev_addrs
 * tombstones that ended (include/dev_tomb.h), so that their dev_hints
 * entries read 0 again without waiting for the next device write. It
 * keeps nothing but pinned state: each pass
 * opens the pins afresh, so it may be stopped, restarted, or outlive a
 * `hauler down; hauler up` without disturbing traffic.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "clock.h"
#include "cmd.h"
#include "hauler_keys.h"
#include "dwrr.h"
#include "error.h"
#include "health_daemon.h"
#include "health_maps.h"
#include "lock.h"
#include "map_write.h"
#include "log.h"
#include "metrics_http.h"
#include "model_maps.h"
#include "args.h"
#include "bgp.h"
#include "policy_file.h"
#include "policy_table.h"

#define NS_PER_MS	    1000000ull
#define LOG_PERIOD_NS	    1000000000ull
#define DAEMON_LOCK_WAIT_MS 2000 /* a pass waits this long for a command, then retries */
/* Ended tombstones are swept this often (they stand 30 minutes and more). */
#define TOMB_SWEEP_NS (10 * 1000000000ull)

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

struct daemon {
	const char *pin;
	struct model *m;
	struct dev_state *states;
	struct health_daemon *health; /* NULL with --once */
	unsigned long changes;	      /* ring swaps since the last log line */
	__u64 changes_total;	      /* ring swaps since the start (metrics) */
	char last[256];		      /* the latest swap, for the log */
	__u64 logged_ns;
	__u64 due_ns[HAULER_MAX_VIPS]; /* next rebuild of each VIP's rings */
	__u32 default_ms;	       /* interval of a VIP that sets none */
	__u64 tombs_due_ns;	       /* next sweep of ended tombstones (0: the first pass) */
	int waiting;		       /* said "not up" already */
	struct bgp_sync *bgp;	       /* --bird: the VIPs' routes (NULL: none) */
	int bird_failing;	       /* said birdc failed already */
};

static void describe(struct daemon *dm, const struct server_info *srv, const struct ring *r)
{
	int slots[HAULER_DEVS_PER_SERVER] = {}, i, used;
	char vip[VIP_STRLEN];
	__u32 k;

	for (k = 0; k < r->len && k < HAULER_RING_SLOTS; k++)
		slots[r->slot[k] % HAULER_DEVS_PER_SERVER]++;
	used = snprintf(dm->last, sizeof(dm->last),
			"VIP %s server %s ring:", vip_text(dm->m, srv->vip_id, vip, sizeof(vip)),
			(const char *)srv->name);
	for (i = 0;
	     i < srv->dev_count && i < HAULER_DEVS_PER_SERVER && used < (int)sizeof(dm->last); i++)
		used += snprintf(dm->last + used, sizeof(dm->last) - used, " %s=%d",
				 (const char *)dm->m->devices[srv->dev[i]].name, slots[i]);
}

/*
 * Rebuild the ring of server entry s (a server, or a VIP's flat group,
 * whose ring version only the map knows); swap it in when it differs
 * from the active one.
 */
static int server_pass(struct daemon *dm, const struct hauler_maps *maps, __u32 s,
		       const struct server_info *group, __u64 now)
{
	struct server_info live, srv = *group;
	struct ring want, active;
	__u32 key;

	if (bpf_map_lookup_elem(maps->servers, &s, &live))
		return 0;
	if (s >= HAULER_MAX_SERVERS)
		srv.ring_version = live.ring_version;
	key = hauler_ring_key(s, srv.ring_version);
	if (dwrr_group_ring(dm->m, &srv, dm->states, now, &want))
		return 0;
	if (!bpf_map_lookup_elem(maps->rings, &key, &active) &&
	    !memcmp(&active, &want, sizeof(want)))
		return 0;
	/*
	 * The pass holds the writers' lock, so the entry is as read; one that
	 * differs was changed without it (bpftool): leave it to the next pass.
	 */
	if (bpf_map_lookup_elem(maps->servers, &s, &live) || memcmp(&live, &srv, sizeof(srv)))
		return 0;
	if (model_ring_swap(maps, s, &srv, &want))
		return -ERR_SYSTEM;
	dm->changes++;
	dm->changes_total++;
	describe(dm, &srv, &want);
	return 0;
}

/* The VIP's interval: its own interval-ms, else the daemon's default. */
static __u32 vip_interval_ms(const struct daemon *dm, int vip)
{
	__u32 own = dm->m->interval_ms[dm->m->vips[vip].info.policy_slot % HAULER_MAX_VIPS];

	return own ? own : dm->default_ms;
}

/* The VIPs' routes for BIRD, as m says (NULL: withdraw them all). */
static void bird_sync(struct daemon *dm, const struct model *m)
{
	int changed, id, up = 0;

	if (!dm->bgp)
		return;
	changed = bgp_sync(dm->bgp, m);
	if (changed < 0) {
		if (!dm->bird_failing) /* once until it works again: passes are frequent */
			log_warn("%s (retrying)", err_msg());
		dm->bird_failing = 1;
		return;
	}
	dm->bird_failing = 0;
	for (id = 0; m && id < HAULER_MAX_VIPS; id++)
		up += bgp_vip_up(m, id);
	if (changed)
		log_info("BIRD reconfigured: %d VIP%s announced", up, up == 1 ? "" : "s");
}

/* One pass over the VIPs that are due; returns when the next one is (ns). */
static int pass(struct daemon *dm, __u64 *next_ns)
{
	int due[HAULER_MAX_VIPS] = {}, vip, ret, lock;
	struct hauler_maps maps;
	__u64 now;
	__u32 s;

	*next_ns = monotonic_ns() + dm->default_ms * NS_PER_MS;
	/*
	 * The writers' lock for the whole pass: what it writes (health bits
	 * through a commit, ring flips of whole servers entries) is built on
	 * the state read here, which no command changes meanwhile.
	 */
	lock = lock_take(dm->pin, DAEMON_LOCK_WAIT_MS);
	if (lock < 0)
		return lock;
	ret = maps_open(&maps, dm->pin);
	if (ret) {
		lock_release(lock);
		return ret;
	}
	dm->waiting = 0;
	ret = model_load(dm->m, &maps);
	if (!ret) {
		/* Keep the datapath's wall clock (report freshness) on a stepped clock. */
		struct config cfg = dm->m->config;

		if (model_config_clock(&cfg) && !mapw_config(&maps, &cfg))
			dm->m->config = cfg;
	}
	if (!ret)
		ret = policy_intervals_read(dm->pin, dm->m);
	if (!ret)
		ret = policy_drift_read(dm->pin, &maps, dm->m);
	if (!ret)
		ret = health_checks_read(dm->pin, dm->m);
	if (!ret) {
		ret = maps_read_array_locked(maps.dev_state, HAULER_MAX_DEVICES, dm->states,
					     sizeof(*dm->states));
		if (ret)
			ret = err_set(ERR_SYSTEM, "cannot read dev_state: %s", strerror(-ret));
	}
	now = monotonic_ns();
	if (!ret && now >= dm->tombs_due_ns) {
		/* Housekeeping only: the datapath ignores an ended tombstone, but reads it. */
		ret = mapw_dev_tombs_sweep(&maps, now / 1000000000ull, 0);
		if (ret > 0)
			log_info("%d ended tombstone%s of deleted nat devices removed", ret,
				 ret == 1 ? "" : "s");
		ret = ret < 0 ? ret : 0;
		dm->tombs_due_ns = now + TOMB_SWEEP_NS;
	}
	/* Health first: the rings below then see the devices it took out. */
	if (!ret && dm->health)
		ret = health_daemon_pass(dm->health, &maps, dm->pin, dm->m, dm->states, now);
	for (vip = 0; !ret && vip < HAULER_MAX_VIPS; vip++) {
		if (!dwrr_vip(dm->m, vip)) {
			dm->due_ns[vip] = 0;
			continue;
		}
		if (now >= dm->due_ns[vip]) {
			due[vip] = 1;
			dm->due_ns[vip] = now + vip_interval_ms(dm, vip) * NS_PER_MS;
		}
		if (dm->due_ns[vip] < *next_ns)
			*next_ns = dm->due_ns[vip];
	}
	for (s = 0; !ret && s < HAULER_MAX_SERVERS; s++)
		if (dm->m->servers[s].in_use && due[dm->m->servers[s].vip_id % HAULER_MAX_VIPS])
			ret = server_pass(dm, &maps, s, &dm->m->servers[s], now);
	/* A flat VIP's policy walks its flat group's ring. */
	for (vip = 0; !ret && vip < HAULER_MAX_VIPS; vip++) {
		struct server_info group;

		if (due[vip] && dm->m->vips[vip].info.tier == HAULER_TIER_FLAT &&
		    model_flat_group(dm->m, vip, &group) >= 0)
			ret = server_pass(dm, &maps, model_flat_index(dm->m, vip), &group, now);
	}
	maps_close(&maps);
	if (!ret)
		bird_sync(dm, dm->m);
	lock_release(lock);
	return ret;
}

/* At most one line a second: how many swaps, and the latest. */
static void log_changes(struct daemon *dm, int force)
{
	__u64 now = monotonic_ns();

	if (!dm->changes || (!force && now - dm->logged_ns < LOG_PERIOD_NS))
		return;
	log_info("%lu ring update%s; latest: %s", dm->changes, dm->changes == 1 ? "" : "s",
		 dm->last);
	dm->changes = 0;
	dm->logged_ns = now;
}

static int parse_daemon(int argc, char **argv, __u32 *interval_ms, int *once, const char **metrics,
			struct bgp_sync *bird)
{
	int i;

	*interval_ms = policy_interval_ms(0);
	*once = 0;
	*metrics = NULL;
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--once")) {
			*once = 1;
		} else if (!strcmp(argv[i], "--bird") && i + 1 < argc) {
			bird->file = argv[++i];
		} else if (!strcmp(argv[i], "--bird-socket") && i + 1 < argc) {
			bird->socket = argv[++i];
		} else if (!strcmp(argv[i], "--metrics") && i + 1 < argc) {
			__u32 addr[4];
			__u16 port;
			__u8 family;

			*metrics = argv[++i];
			if (metrics_listen_parse(*metrics, &family, addr, &port))
				return -ERR_INPUT;
		} else if (!strcmp(argv[i], "--interval-ms") && i + 1 < argc) {
			if (policy_param_parse("dwrr", "interval-ms", argv[++i], interval_ms))
				return -ERR_INPUT;
		} else {
			return cmd_usage_err("daemon", NULL);
		}
	}
	return 0;
}

int daemon_run(struct cmd_ctx *c, int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = on_signal};
	struct daemon dm = {.pin = c->pin};
	struct metrics_http *metrics = NULL;
	struct bgp_sync bird = {};
	struct health_daemon health;
	const char *listen;
	__u64 next_ns;
	int once, ret;

	log_set_prefix("hauler daemon");
	/* argv[0] is the first option (or absent): daemon has no verb. */
	ret = parse_daemon(argc, argv, &dm.default_ms, &once, &listen, &bird);
	if (ret)
		return ret;
	if (bird.socket && !bird.file)
		return err_set(ERR_INPUT, "--bird-socket needs --bird FILE");
	if (bird.file && once)
		return err_set(ERR_INPUT,
			       "--bird announces from a running daemon: not with --once");
	if (bird.file)
		dm.bgp = &bird;
	if (once && listen)
		return err_set(ERR_INPUT, "--metrics serves a running daemon: not with --once");
	dm.m = malloc(sizeof(*dm.m));
	dm.states = calloc(HAULER_MAX_DEVICES, sizeof(*dm.states));
	if (!dm.m || !dm.states) {
		free(dm.m);
		free(dm.states);
		return err_set(ERR_SYSTEM, "out of memory");
	}
	/* --once rebuilds the rings; checks need time, so a running daemon. */
	if (!once) {
		ret = health_daemon_init(&health, c->pin);
		if (ret) {
			free(dm.m);
			free(dm.states);
			return ret;
		}
		dm.health = &health;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL); /* no SA_RESTART: the sleep ends at once */
	sigaction(SIGINT, &sa, NULL);
	if (listen) {
		metrics = metrics_http_start(listen, c->pin, 1);
		if (!metrics) {
			health_daemon_free(&health);
			free(dm.m);
			free(dm.states);
			return -err_code();
		}
	}
	if (!once)
		log_info("dwrr rings every %u ms (unless a VIP sets interval-ms), health checks "
			 "as each device sets, on %s%s%s",
			 dm.default_ms, c->pin, listen ? "; metrics on http://" : "",
			 listen ? listen : "");
	while (!stopping) {
		ret = pass(&dm, &next_ns);
		if (once)
			break;
		if (ret)
			bird_sync(&dm, NULL); /* not up: nothing to announce */
		if (ret && !dm.waiting) {
			/* Not up, or a failing map: say so once, keep trying. */
			log_warn("%s (retrying)", err_msg());
			dm.waiting = 1;
		}
		log_changes(&dm, 0);
		if (metrics)
			metrics_http_ring_updates(metrics, dm.changes_total);
		health_daemon_run(&health, next_ns, &stopping);
	}
	log_changes(&dm, 1);
	metrics_http_stop(metrics);
	/* Stopping: withdraw the VIPs, traffic must go to the other balancers. */
	bird_sync(&dm, NULL);
	bgp_sync_free(&bird);
	if (!once) {
		log_info("stopped");
		health_daemon_free(&health);
		ret = 0;
	}
	free(dm.m);
	free(dm.states);
	return ret;
}
