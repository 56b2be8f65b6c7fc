// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * loadgen - open-loop client of workd: requests leave at Poisson arrival
 * times drawn in advance, whatever the replies do (a slow server does not
 * slow the offered load), each from its own socket so that each is a new
 * flow for the balancer. Per request it records the latency from its due
 * time to the reply, the device that served it and that device's service
 * and queueing times; a request without a reply within the timeout (by
 * default 10x the unloaded latency, measured first with --probe
 * sequential requests) is lost.
 *
 *   loadgen --udp|--tcp ADDR:PORT --rate R (--duration S | --count N)
 *           [--warmup S] [--timeout-ms MS] [--probe N] [--seed N]
 *           [--ports LO-HI] [--label TEXT] [--json]
 *
 * Prints P50/P99/P99.9, throughput, losses, the completion time of the
 * whole batch and the split by device: a line of text, or one JSON object
 * (loadgen_result.h). Exit status: 0 done (losses are results, not
 * errors), 1 no reply to the probe, 2 bad arguments.
 */
#include <signal.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "loadgen_result.h"
#include "work_args.h"

enum req_state { R_CONNECTING, R_WAITING };

/* A request in flight: its socket and its place in the timeout list. */
struct req {
	struct req *prev, *next;
	int fd;
	size_t idx; /* its record */
	enum req_state state;
	uint32_t seq;
	size_t got;
	uint8_t buf[WORK_RESP_LEN];
};

struct loadgen {
	struct loadgen_opts o;
	int epfd;
	struct req head; /* in flight, oldest first: the first to time out */
	unsigned long inflight, bad, port_next;
	uint64_t timeout_ns, unloaded_ns, max_lag_ns;
	struct lg_rec *recs;
	size_t n_recs, cap_recs;
	struct lg_devs devs;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "loadgen: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void list_add_tail(struct req *head, struct req *r)
{
	r->prev = head->prev;
	r->next = head;
	head->prev->next = r;
	head->prev = r;
}

static void list_del(struct req *r)
{
	r->prev->next = r->next;
	r->next->prev = r->prev;
}

/* A socket for one request, from the next port of --ports when given. */
static int req_socket(struct loadgen *g)
{
	int type = g->o.udp ? SOCK_DGRAM : SOCK_STREAM;
	int fd = socket(g->o.target.ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	unsigned long span = g->o.port_hi - g->o.port_lo + 1;

	if (fd < 0 || !g->o.port_lo)
		return fd;
	/* Ports in turn: a port comes back only after the whole range. */
	for (unsigned long tries = 0; tries < 64; tries++) {
		struct echo_addr a;
		int port = (int)(g->o.port_lo + g->port_next++ % span);

		echo_make_addr(&a, g->o.target.ss.ss_family == AF_INET6 ? "::" : "0.0.0.0", port);
		if (bind(fd, (struct sockaddr *)&a.ss, a.len) == 0)
			return fd;
	}
	close(fd);
	errno = EADDRINUSE;
	return -1;
}

static void rec_end(struct loadgen *g, struct req *r, const struct work_resp *resp, uint64_t now)
{
	struct lg_rec *rec = &g->recs[r->idx];

	rec->done_ns = now;
	if (resp) {
		int d = lg_dev_index(&g->devs, resp->name);

		rec->lat_ns = now - rec->sched_ns;
		rec->dev = d;
		rec->service_us = resp->service_us;
		rec->queue_us = resp->queue_us;
		if (d >= 0 && rec->counted) {
			g->devs.d[d].n++;
			g->devs.d[d].service_us += resp->service_us;
			g->devs.d[d].queue_us += resp->queue_us;
		}
	}
	list_del(r);
	if (r->fd >= 0)
		close(r->fd);
	free(r);
	g->inflight--;
}

/* Start request number idx (its record is filled); a failure is a loss. */
static void req_start(struct loadgen *g, size_t idx, uint64_t now)
{
	uint8_t out[WORK_REQ_LEN];
	struct epoll_event ev;
	struct req *r = calloc(1, sizeof(*r));
	struct work_req wr;

	if (!r)
		die("calloc");
	r->idx = idx;
	r->seq = (uint32_t)idx;
	r->fd = req_socket(g);
	list_add_tail(&g->head, r);
	g->inflight++;
	if (r->fd < 0) {
		rec_end(g, r, NULL, now);
		return;
	}
	if (connect(r->fd, (struct sockaddr *)&g->o.target.ss, g->o.target.len) &&
	    errno != EINPROGRESS) {
		rec_end(g, r, NULL, now);
		return;
	}
	wr = (struct work_req){.seq = r->seq, .sent_ns = g->recs[idx].sched_ns};
	work_req_encode(out, &wr);
	if (g->o.udp) {
		if (send(r->fd, out, sizeof(out), 0) != (ssize_t)sizeof(out)) {
			rec_end(g, r, NULL, now);
			return;
		}
		r->state = R_WAITING;
		ev.events = EPOLLIN;
	} else {
		r->state = R_CONNECTING;
		ev.events = EPOLLOUT;
	}
	ev.data.ptr = r;
	if (epoll_ctl(g->epfd, EPOLL_CTL_ADD, r->fd, &ev))
		die("epoll_ctl");
}

static void on_event(struct loadgen *g, struct req *r, uint32_t events, uint64_t now)
{
	struct work_resp resp;
	ssize_t n;

	if (r->state == R_CONNECTING) {
		uint8_t out[WORK_REQ_LEN];
		struct work_req wr = {.seq = r->seq, .sent_ns = g->recs[r->idx].sched_ns};
		struct epoll_event ev = {.events = EPOLLIN, .data.ptr = r};
		int err = 0;
		socklen_t len = sizeof(err);

		getsockopt(r->fd, SOL_SOCKET, SO_ERROR, &err, &len);
		work_req_encode(out, &wr);
		if (err || (events & EPOLLERR) ||
		    send(r->fd, out, sizeof(out), MSG_NOSIGNAL) != (ssize_t)sizeof(out) ||
		    epoll_ctl(g->epfd, EPOLL_CTL_MOD, r->fd, &ev)) {
			rec_end(g, r, NULL, now);
			return;
		}
		r->state = R_WAITING;
		return;
	}
	n = recv(r->fd, r->buf + r->got, sizeof(r->buf) - r->got, 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) { /* refused (ICMP), reset, or closed before the reply */
		rec_end(g, r, NULL, now);
		return;
	}
	if (g->o.udp && (size_t)n != sizeof(r->buf)) {
		g->bad++;
		return;
	}
	r->got += (size_t)n;
	if (r->got < sizeof(r->buf))
		return;
	if (work_resp_decode(r->buf, r->got, &resp) || resp.seq != r->seq) {
		g->bad++;
		rec_end(g, r, NULL, now);
		return;
	}
	rec_end(g, r, &resp, now);
}

/* Wait for events until `until` (or at most 1 s); give up on expired requests. */
static void poll_until(struct loadgen *g, uint64_t until)
{
	struct epoll_event evs[64];
	uint64_t now = mono_ns(), wake = until;
	struct timespec ts;
	int n;

	if (g->head.next != &g->head) {
		uint64_t dl = g->recs[g->head.next->idx].sched_ns + g->timeout_ns;

		if (dl < wake)
			wake = dl;
	}
	if (wake > now + 1000000000ull)
		wake = now + 1000000000ull;
	ts.tv_sec = wake > now ? (time_t)((wake - now) / 1000000000ull) : 0;
	ts.tv_nsec = wake > now ? (long)((wake - now) % 1000000000ull) : 0;
	n = epoll_pwait2(g->epfd, evs, 64, &ts, NULL);
	if (n < 0 && errno != EINTR)
		die("epoll_pwait2");
	now = mono_ns();
	for (int i = 0; i < n; i++)
		on_event(g, evs[i].data.ptr, evs[i].events, now);
	while (g->head.next != &g->head &&
	       g->recs[g->head.next->idx].sched_ns + g->timeout_ns <= now)
		rec_end(g, g->head.next, NULL, now);
}

static size_t rec_new(struct loadgen *g, uint64_t sched, bool counted)
{
	if (g->n_recs == g->cap_recs) {
		g->cap_recs = g->cap_recs ? 2 * g->cap_recs : 4096;
		g->recs = realloc(g->recs, g->cap_recs * sizeof(*g->recs));
		if (!g->recs)
			die("realloc");
	}
	g->recs[g->n_recs] =
	    (struct lg_rec){.sched_ns = sched, .lat_ns = WORK_LOST, .dev = -1, .counted = counted};
	return g->n_recs++;
}

/*
 * The unloaded latency: the median of --probe requests sent one at a
 * time, each given 5 s. Their records are dropped afterwards.
 */
static int probe(struct loadgen *g)
{
	uint64_t lat[10000];
	size_t k = 0;

	g->timeout_ns = 5000000000ull;
	for (unsigned long i = 0; i < g->o.probe; i++) {
		size_t idx = rec_new(g, mono_ns(), false);

		req_start(g, idx, g->recs[idx].sched_ns);
		while (g->inflight)
			poll_until(g, mono_ns() + 1000000000ull);
		if (g->recs[idx].lat_ns != WORK_LOST)
			lat[k++] = g->recs[idx].lat_ns;
	}
	g->n_recs = 0;
	memset(&g->devs, 0, sizeof(g->devs));
	if (k * 2 < g->o.probe)
		return -1;
	work_sort_u64(lat, k);
	g->unloaded_ns = work_percentile(lat, k, 0.5);
	g->timeout_ns = 10 * g->unloaded_ns;
	if (g->timeout_ns < 1000000)
		g->timeout_ns = 1000000;
	return 0;
}

static void run(struct loadgen *g)
{
	struct work_rng rng = {.s = g->o.seed};
	uint64_t t0 = mono_ns(), next, end, warm;
	unsigned long sent = 0;

	next = t0 + work_poisson_gap_ns(&rng, g->o.rate);
	end = g->o.duration_s > 0 ? t0 + (uint64_t)(g->o.duration_s * 1e9) : UINT64_MAX;
	warm = t0 + (uint64_t)(g->o.warmup_s * 1e9);
	for (;;) {
		uint64_t now = mono_ns();
		bool more = g->o.count ? sent < g->o.count : next < end;

		if (!more && !g->inflight)
			break;
		/* Every arrival that is due leaves now, however late we are. */
		while (more && next <= now) {
			req_start(g, rec_new(g, next, next >= warm), now);
			if (now - next > g->max_lag_ns)
				g->max_lag_ns = now - next;
			sent++;
			next += work_poisson_gap_ns(&rng, g->o.rate);
			more = g->o.count ? sent < g->o.count : next < end;
		}
		poll_until(g, more ? next : now + 1000000000ull);
	}
}

int main(int argc, char **argv)
{
	static struct loadgen g;
	struct lg_result res;
	char err[256], target[INET6_ADDRSTRLEN + 8];

	if (loadgen_parse_args(argc, argv, &g.o, err, sizeof(err))) {
		fprintf(stderr, "loadgen: %s\n%s", err, LOADGEN_USAGE);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	echo_raise_nofile();
	g.head.next = g.head.prev = &g.head;
	g.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (g.epfd < 0)
		die("epoll_create1");
	if (g.o.port_lo) /* start anywhere in the range: runs in a row differ */
		g.port_next = (unsigned long)getpid() * 7919ul + (unsigned long)mono_ns() / 1000;
	if (g.o.timeout_ms) {
		g.timeout_ns = (uint64_t)g.o.timeout_ms * 1000000ull;
	} else if (probe(&g)) {
		fprintf(stderr,
			"loadgen: fewer than half of %lu probe requests were answered "
			"within 5 s: is workd running behind the target?\n",
			g.o.probe);
		return 1;
	}
	run(&g);
	if (lg_summarize(g.recs, g.n_recs, &res))
		die("summary");
	/* The target as given: argv holds it after --udp/--tcp. */
	for (int i = 1; i + 1 < argc; i++)
		if (!strcmp(argv[i], "--udp") || !strcmp(argv[i], "--tcp"))
			snprintf(target, sizeof(target), "%s", argv[i + 1]);
	if (g.o.json) {
		struct lg_meta m = {.label = g.o.label,
				    .proto = g.o.udp ? "udp" : "tcp",
				    .target = target,
				    .rate = g.o.rate,
				    .timeout_ns = g.timeout_ns,
				    .unloaded_ns = g.o.timeout_ms ? WORK_LOST : g.unloaded_ns,
				    .max_lag_ns = g.max_lag_ns,
				    .bad = g.bad};

		lg_json(stdout, &m, &res, &g.devs);
	} else {
		printf("%s%s%lu requests at %.1f/s offered: %lu ok, %lu lost (timeout %.1f ms); "
		       "throughput %.1f/s; ",
		       g.o.label ? g.o.label : "", g.o.label ? ": " : "", res.counted, res.offered,
		       res.ok, res.lost, (double)g.timeout_ns / 1e6, res.throughput);
		if (res.p99 == WORK_LOST)
			printf("P99 lost; ");
		else
			printf("P50 %.2f P99 %.2f ms; ", (double)res.p50 / 1e6,
			       (double)res.p99 / 1e6);
		for (int i = 0; i < g.devs.n; i++)
			printf("%s %lu%s", g.devs.d[i].name, g.devs.d[i].n,
			       i + 1 < g.devs.n ? ", " : "\n");
		if (!g.devs.n)
			printf("no device answered\n");
	}
	return 0;
}
