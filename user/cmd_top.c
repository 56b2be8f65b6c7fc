// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cmd_top.c - hauler top [--interval-ms MS] [--count N]: a live view of
 * the running balancer, redrawn in place every interval: the datapath's
 * rates (packets, new connections, drops, passes, rejected reports),
 * each VIP's and each device's rates, the devices' load, staleness and
 * health, and the drops by reason. Rates are the difference of two
 * snapshots (snapshot.h) over the time between them. With -j it prints
 * one JSON object a line per interval instead (for scripts). `q` (on a
 * terminal) or SIGINT/SIGTERM ends it; --count N after N views.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "args.h"
#include "cmd.h"
#include "error.h"
#include "json.h"
#include "policy_table.h"
#include "snapshot.h"

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

struct top {
	struct cmd_ctx *c;
	struct snapshot *prev, *now;
	double secs; /* between prev and now */
	__u32 interval_ms;
	unsigned long count; /* 0: until stopped */
};

/* Per second over the interval; a counter that went back (stats reset): 0. */
static double rate(__u64 now, __u64 prev, double secs)
{
	return now >= prev && secs > 0 ? (now - prev) / secs : 0;
}

/* Packets per second of the datapath counters whose names start with prefix. */
static double reason_rate(const struct top *t, const char *prefix, int skip_accepted)
{
	double sum = 0;
	int i;

	for (i = 0; i < HAULER_STAT_REASONS; i++) {
		const char *name = snapshot_reason_names[i];

		if (strncmp(name, prefix, strlen(prefix)))
			continue;
		/* Reports: only the rejections (ok and v1 are accepted ones). */
		if (skip_accepted && (!strcmp(name, "report_ok") || !strcmp(name, "report_v1")))
			continue;
		sum += rate(t->now->reasons[i].packets, t->prev->reasons[i].packets, t->secs);
	}
	return sum;
}

static int stat_index(const char *name)
{
	int i;

	for (i = 0; i < HAULER_STAT_REASONS; i++)
		if (!strcmp(snapshot_reason_names[i], name))
			return i;
	return -1;
}

static double named_rate(const struct top *t, const char *name)
{
	int i = stat_index(name);

	return i < 0 ? 0 : rate(t->now->reasons[i].packets, t->prev->reasons[i].packets, t->secs);
}

static const char *vip_policy(const struct model *m, int id)
{
	return (const char *)m->params[m->vips[id].info.policy_slot % HAULER_MAX_VIPS].name;
}

static const char *health_text(const struct snapshot *s, int d, const struct report_view *r)
{
	if (s->m.devices[d].health == HAULER_HEALTH_FAILED)
		return "failed";
	return r->stale ? "stale" : "ok";
}

static void draw_text(const struct top *t)
{
	const struct snapshot *s = t->now, *p = t->prev;
	char vip[VIP_STRLEN], clock[16];
	time_t wall = time(NULL);
	int id, d, i, any = 0;

	strftime(clock, sizeof(clock), "%H:%M:%S", localtime(&wall));
	/* Home, then clear to the end: the view is redrawn in place. */
	printf("\033[H\033[J");
	printf("hauler top - %s - every %.1f s - %s   (q quits)\n\n", t->c->pin,
	       t->interval_ms / 1000.0, clock);
	printf("datapath  %10.0f pkt/s  %8.0f new/s  %8.0f drop/s  %8.0f pass/s  %6.0f "
	       "rejected reports/s\n\n",
	       named_rate(t, "conn_hit") + named_rate(t, "conn_new"), named_rate(t, "conn_new"),
	       reason_rate(t, "drop_", 0), reason_rate(t, "pass_", 0),
	       reason_rate(t, "report_", 1));
	printf("%-26s %-4s %-8s %10s %10s %8s %12s\n", "VIP", "MODE", "POLICY", "PKT/S", "MBIT/S",
	       "NEW/S", "NEW TOTAL");
	for (id = 0; id < HAULER_MAX_VIPS; id++) {
		if (!s->m.vips[id].in_use)
			continue;
		format_vip(&s->m.vips[id].key, vip, sizeof(vip));
		printf("%-26s %-4s %-8s %10.0f %10.2f %8.0f %12llu\n", vip,
		       fwd_mode_names[s->m.vips[id].info.fwd_mode & 1], vip_policy(&s->m, id),
		       rate(s->vip_fwd[id].packets, p->vip_fwd[id].packets, t->secs),
		       rate(s->vip_fwd[id].bytes, p->vip_fwd[id].bytes, t->secs) * 8 / 1e6,
		       rate(s->vip_new[id].packets, p->vip_new[id].packets, t->secs),
		       (unsigned long long)s->vip_new[id].packets);
	}
	printf("\n%-15s %-10s %-8s %-5s %-6s %4s %4s %4s %4s %9s %8s %10s %8s %6s\n", "DEVICE",
	       "SERVER", "KIND", "STATE", "HEALTH", "CMP", "MEM", "NET", "QUE", "LAT(ms)",
	       "AGE(ms)", "PKT/S", "NEW/S", "LIVE");
	for (d = 0; d < HAULER_MAX_DEVICES; d++) {
		const struct device_info *dev = &s->m.devices[d];
		const struct dev_state *st = &s->states[d];
		struct report_view r;
		char age[16];

		if (!dev->in_use)
			continue;
		report_view(&s->m, d, st, s->now_ns, s->dev_new[d].packets, &r);
		if (r.never)
			snprintf(age, sizeof(age), "-");
		else
			snprintf(age, sizeof(age), "%llu", (unsigned long long)r.age_ms);
		printf("%-15s %-10s %-8s %-5s %-6s %4u %4u %4u %4u %9.2f %8s %10.0f %8.0f %6u\n",
		       (const char *)dev->name,
		       (const char *)s->m.servers[dev->server % HAULER_MAX_SERVERS].name,
		       device_kind_names[dev->kind & 3], device_state_names[dev->state % 3],
		       health_text(s, d, &r), st->cmp, st->mem, st->net, st->queue,
		       st->latency_us / 1000.0, age,
		       rate(s->dev_fwd[d].packets, p->dev_fwd[d].packets, t->secs),
		       rate(s->dev_new[d].packets, p->dev_new[d].packets, t->secs), st->live_conns);
	}
	printf("\ndrops since start:");
	for (i = 0; i < HAULER_STAT_REASONS; i++)
		if (!strncmp(snapshot_reason_names[i], "drop_", 5) && s->reasons[i].packets) {
			printf(" %s %llu", snapshot_reason_names[i] + 5,
			       (unsigned long long)s->reasons[i].packets);
			any = 1;
		}
	printf("%s\n", any ? "" : " none");
	fflush(stdout);
}

static void draw_json(const struct top *t)
{
	const struct snapshot *s = t->now, *p = t->prev;
	char vip[VIP_STRLEN];
	struct json j;
	int id, d, i;

	json_init(&j, stdout);
	json_object_begin(&j, NULL);
	json_double(&j, "interval_s", t->secs);
	json_double(&j, "pkts_per_s", named_rate(t, "conn_hit") + named_rate(t, "conn_new"));
	json_double(&j, "new_per_s", named_rate(t, "conn_new"));
	json_double(&j, "drops_per_s", reason_rate(t, "drop_", 0));
	json_double(&j, "passes_per_s", reason_rate(t, "pass_", 0));
	json_double(&j, "report_rejections_per_s", reason_rate(t, "report_", 1));
	json_object_begin(&j, "drops");
	for (i = 0; i < HAULER_STAT_REASONS; i++)
		if (!strncmp(snapshot_reason_names[i], "drop_", 5))
			json_uint(&j, snapshot_reason_names[i] + 5, s->reasons[i].packets);
	json_object_end(&j);
	json_array_begin(&j, "vips");
	for (id = 0; id < HAULER_MAX_VIPS; id++) {
		if (!s->m.vips[id].in_use)
			continue;
		format_vip(&s->m.vips[id].key, vip, sizeof(vip));
		json_object_begin(&j, NULL);
		json_string(&j, "vip", vip);
		json_string(&j, "mode", fwd_mode_names[s->m.vips[id].info.fwd_mode & 1]);
		json_string(&j, "policy", vip_policy(&s->m, id));
		json_double(&j, "pkts_per_s",
			    rate(s->vip_fwd[id].packets, p->vip_fwd[id].packets, t->secs));
		json_double(&j, "bytes_per_s",
			    rate(s->vip_fwd[id].bytes, p->vip_fwd[id].bytes, t->secs));
		json_double(&j, "new_per_s",
			    rate(s->vip_new[id].packets, p->vip_new[id].packets, t->secs));
		json_uint(&j, "new_total", s->vip_new[id].packets);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_array_begin(&j, "devices");
	for (d = 0; d < HAULER_MAX_DEVICES; d++) {
		const struct device_info *dev = &s->m.devices[d];
		const struct dev_state *st = &s->states[d];
		struct report_view r;

		if (!dev->in_use)
			continue;
		report_view(&s->m, d, st, s->now_ns, s->dev_new[d].packets, &r);
		json_object_begin(&j, NULL);
		json_string(&j, "name", (const char *)dev->name);
		json_string(&j, "server",
			    (const char *)s->m.servers[dev->server % HAULER_MAX_SERVERS].name);
		json_string(&j, "kind", device_kind_names[dev->kind & 3]);
		json_string(&j, "state", device_state_names[dev->state % 3]);
		json_bool(&j, "healthy", dev->health != HAULER_HEALTH_FAILED);
		json_bool(&j, "stale", r.stale);
		json_uint(&j, "cmp", st->cmp);
		json_uint(&j, "mem", st->mem);
		json_uint(&j, "net", st->net);
		json_uint(&j, "queue", st->queue);
		json_uint(&j, "latency_us", st->latency_us);
		json_uint(&j, "live_conns", st->live_conns);
		json_double(&j, "pkts_per_s",
			    rate(s->dev_fwd[d].packets, p->dev_fwd[d].packets, t->secs));
		json_double(&j, "new_per_s",
			    rate(s->dev_new[d].packets, p->dev_new[d].packets, t->secs));
		json_uint(&j, "new_total", s->dev_new[d].packets);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_end(&j);
	json_finish(&j);
	fflush(stdout);
}

/* Wait ms, or less when a key `q` arrives on a terminal. Returns 1 to quit. */
static int wait_or_quit(__u32 ms, int keys)
{
	struct pollfd pfd = {.fd = STDIN_FILENO, .events = POLLIN};
	char ch;

	if (!keys) {
		struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

		nanosleep(&ts, NULL); /* a signal ends it early */
		return stopping;
	}
	if (poll(&pfd, 1, ms) > 0 && read(STDIN_FILENO, &ch, 1) == 1 && (ch == 'q' || ch == 'Q'))
		return 1;
	return stopping;
}

static int parse_top(int argc, char **argv, struct top *t)
{
	__u32 n;
	int i;

	t->interval_ms = 1000;
	t->count = 0;
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--interval-ms") && i + 1 < argc) {
			if (parse_u32(argv[++i], 100, 3600000, "interval-ms", &t->interval_ms))
				return -ERR_INPUT;
		} else if (!strcmp(argv[i], "--count") && i + 1 < argc) {
			if (parse_u32(argv[++i], 1, 1000000, "count", &n))
				return -ERR_INPUT;
			t->count = n;
		} else {
			return cmd_usage_err("top", NULL);
		}
	}
	return 0;
}

static int top_loop(struct top *t, int keys)
{
	struct snapshot *swap;
	unsigned long shown = 0;
	struct timespec a, b;
	int ret;

	clock_gettime(CLOCK_MONOTONIC, &a);
	ret = snapshot_read(t->prev, t->c->pin);
	while (!ret && !stopping) {
		if (wait_or_quit(t->interval_ms, keys))
			break;
		ret = snapshot_read(t->now, t->c->pin);
		if (ret)
			break;
		clock_gettime(CLOCK_MONOTONIC, &b);
		t->secs = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
		if (t->c->json)
			draw_json(t);
		else
			draw_text(t);
		if (t->count && ++shown >= t->count)
			break;
		swap = t->prev;
		t->prev = t->now;
		t->now = swap;
		a = b;
	}
	return ret;
}

int top_run(struct cmd_ctx *c, int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = on_signal};
	struct top t = {.c = c};
	struct termios saved, raw;
	int keys, ret;

	ret = parse_top(argc, argv, &t);
	if (ret)
		return ret;
	t.prev = malloc(sizeof(*t.prev));
	t.now = malloc(sizeof(*t.now));
	if (!t.prev || !t.now) {
		free(t.prev);
		free(t.now);
		return err_set(ERR_SYSTEM, "out of memory");
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	/* On a terminal: keys without Enter, no echo; restored on every exit. */
	keys = !c->json && isatty(STDIN_FILENO) && !tcgetattr(STDIN_FILENO, &saved);
	if (keys) {
		raw = saved;
		raw.c_lflag &= ~(ICANON | ECHO);
		raw.c_cc[VMIN] = 0;
		raw.c_cc[VTIME] = 0;
		tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	}
	ret = top_loop(&t, keys);
	if (keys)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	free(t.prev);
	free(t.now);
	return ret;
}
