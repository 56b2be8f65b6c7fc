// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* health_daemon.c - health checks in hauler daemon (see health_daemon.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "clock.h"
#include "ctable_map.h"
#include "error.h"
#include "health_daemon.h"
#include "log.h"
#include "health_maps.h"
#include "model_maps.h"

#define NS_PER_MS 1000000ull

int health_daemon_init(struct health_daemon *hd, const char *pin)
{
	memset(hd, 0, sizeof(*hd));
	hd->e = malloc(sizeof(*hd->e));
	hd->cur = malloc(sizeof(*hd->cur));
	hd->live = malloc(sizeof(*hd->live));
	hd->saved = calloc(HAULER_MAX_DEVICES, sizeof(*hd->saved));
	if (!hd->e || !hd->cur || !hd->live || !hd->saved) {
		free(hd->e);
		hd->e = NULL;
		health_daemon_free(hd);
		return err_set(ERR_SYSTEM, "out of memory");
	}
	if (health_engine_init(hd->e)) {
		free(hd->e);
		hd->e = NULL;
		health_daemon_free(hd);
		return -ERR_SYSTEM;
	}
	/* A daemon that starts after another resumes its findings; none: fresh. */
	if (health_states_read(pin, hd->saved))
		memset(hd->saved, 0, HAULER_MAX_DEVICES * sizeof(*hd->saved));
	return 0;
}

void health_daemon_free(struct health_daemon *hd)
{
	if (hd->e)
		health_engine_free(hd->e);
	free(hd->e);
	free(hd->cur);
	free(hd->live);
	free(hd->saved);
	memset(hd, 0, sizeof(*hd));
}

int health_daemon_checked(const struct health_daemon *hd)
{
	int d, n = 0;

	for (d = 0; d < HAULER_MAX_DEVICES; d++)
		n += hd->e->check[d].type != HEALTH_NONE;
	return n;
}

/* The bit the datapath should hold for device d. */
static __u8 wanted(const struct health_engine *e, int d)
{
	return e->check[d].type != HEALTH_NONE && !e->status[d].up ? HAULER_HEALTH_FAILED : 0;
}

/*
 * Remove device d's flows from the connection table (on-down reset):
 * their next packets are balanced anew, to a usable device, which
 * answers a TCP segment it does not know with a RST. A NAT flow's return
 * entry is not removed but marked (CONN_RESET, and CONN_RST now, so it
 * ends after the RST linger): the device still holds the connection and
 * sends on; without an entry its packets would go to the kernel, which
 * would forward them with the device's address. Marked, they get a RST
 * (bpf/hauler_xdp.bpf.c, nat_return). Only the flows of this generation
 * of the id: an entry of an earlier device that had the id is not this
 * device's (the datapath already treats it as gone). Returns the entries
 * removed or marked.
 */
unsigned long health_conns_reset(int fd, __u32 d, __u16 gen)
{
	struct flow_key key, next, *prev = NULL, *doomed = NULL;
	unsigned long n = 0, cap = 0, i;
	__u64 now = monotonic_ns();
	struct conn c;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &c) || c.device != d || c.dev_gen != gen ||
		    (c.flags & HAULER_CONN_RESET))
			continue;
		if (n == cap) {
			struct flow_key *more =
			    realloc(doomed, (cap ? cap * 2 : 256) * sizeof(*more));

			if (!more)
				break;
			doomed = more;
			cap = cap ? cap * 2 : 256;
		}
		doomed[n++] = key;
	}
	/* Changed after the walk: deleting under get_next_key may restart it. */
	for (i = 0; i < n; i++) {
		if (bpf_map_lookup_elem(fd, &doomed[i], &c))
			continue;
		if (c.flags & HAULER_CONN_REPLY) {
			c.flags |= HAULER_CONN_RESET | HAULER_CONN_RST;
			c.last_seen_ns = now;
			bpf_map_update_elem(fd, &doomed[i], &c, BPF_EXIST);
		} else {
			bpf_map_delete_elem(fd, &doomed[i]);
		}
	}
	free(doomed);
	return n;
}

long health_device_reset(const struct hauler_maps *maps, const struct config *cfg, __u32 d,
			 __u16 gen)
{
	/* The compact table (config.ct_buckets): the device's slots (ctable_map.h). */
	if (cfg->ct_buckets)
		return ct_map_reset_device(maps->ctable, cfg->ct_buckets, d, gen);
	return (long)(health_conns_reset(maps->conns, d, gen) +
		      health_conns_reset(maps->half_open, d, gen));
}

/* Did a command change the configuration since the pass loaded m? */
static int changed_since(struct health_daemon *hd, const struct hauler_maps *maps,
			 const struct model *m)
{
	if (model_load(hd->live, maps))
		return 1;
	return memcmp(hd->live->devices, m->devices, sizeof(m->devices)) ||
	       memcmp(hd->live->servers, m->servers, sizeof(m->servers)) ||
	       memcmp(hd->live->vips, m->vips, sizeof(m->vips)) ||
	       memcmp(hd->live->params, m->params, sizeof(m->params));
}

static void log_events(struct health_engine *e, const struct model *m)
{
	int i;

	for (i = 0; i < e->n_events; i++) {
		const struct health_event *ev = &e->events[i];
		const struct health_status *s = &e->status[ev->dev];

		/* A device going down is worth a warning; coming back, an event. */
		log_msg(ev->change > 0 ? LOG_LEVEL_INFO : LOG_LEVEL_WARN,
			"device %s %s (%s; %u down, %u up)", (const char *)m->devices[ev->dev].name,
			ev->change > 0 ? "up" : "down",
			health_result_names[ev->result % HEALTH_RESULTS], s->downs, s->ups);
	}
	if (e->lost_events)
		log_warn("%d more health transitions", e->lost_events);
	e->n_events = e->lost_events = 0;
}

int health_daemon_pass(struct health_daemon *hd, const struct hauler_maps *maps, const char *pin,
		       struct model *m, const struct dev_state *states, __u64 now)
{
	struct health_engine *e = hd->e;
	int d, changes = 0, ret;

	for (d = 0; d < HAULER_MAX_DEVICES; d++)
		hd->report_ns[d] = states[d].updated_ns;
	health_engine_sync(e, m, hd->saved, hd->report_ns, now);
	free(hd->saved); /* adopted (or not) once: later checks start afresh */
	hd->saved = NULL;
	for (d = 0; d < HAULER_MAX_DEVICES; d++) {
		if (!m->devices[d].in_use || m->devices[d].health == wanted(e, d))
			continue;
		if (!changes++)
			memcpy(hd->cur, m, sizeof(*m)); /* only when there is something to write */
		hd->cur->devices[d].health = wanted(e, d);
	}
	/* A command between our load and now: its change wins, we retry next pass. */
	if (changes && !changed_since(hd, maps, m)) {
		ret = model_commit(maps, pin, m, hd->cur);
		if (ret)
			return ret;
		for (d = 0; d < HAULER_MAX_DEVICES; d++) {
			long n;

			if (!hd->cur->devices[d].health || m->devices[d].health ||
			    e->check[d].on_down != HEALTH_RESET)
				continue;
			n = health_device_reset(maps, &m->config, d, hd->cur->devices[d].gen);
			if (n < 0) {
				log_warn("device %s: on-down reset: %s",
					 (const char *)m->devices[d].name, err_msg());
				continue;
			}
			hd->conns_reset += n;
			log_info("device %s: on-down reset removed %ld connection %s",
				 (const char *)m->devices[d].name, n,
				 m->config.ct_buckets ? "slots" : "entries");
		}
		memcpy(m->devices, hd->cur->devices, sizeof(m->devices));
	}
	if (e->n_events)
		log_events(e, m);
	return health_states_write(pin, e->status, e->dirty);
}

void health_daemon_run(struct health_daemon *hd, __u64 until_ns, volatile sig_atomic_t *stop)
{
	struct health_engine *e = hd->e;
	int seen = e->n_events + e->lost_events;
	__u64 now, next, wake;

	for (;;) {
		now = monotonic_ns();
		health_engine_expire(e, now);
		health_engine_start(e, now);
		if (e->n_events + e->lost_events > seen || now >= until_ns || *stop)
			return;
		next = health_engine_next(e);
		wake = next && next < until_ns ? next : until_ns;
		/* A signal ends the wait at once (no SA_RESTART). */
		health_engine_poll(e, wake > now ? (wake - now + NS_PER_MS - 1) / NS_PER_MS : 0,
				   monotonic_ns);
	}
}
