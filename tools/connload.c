// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * connload - load client for echod through the balancer. Every byte sent
 * is pseudo-random (seeded per connection) and its echo is checked byte for
 * byte; the 16-byte banner says which device served the connection.
 *
 *   connload --tcp ADDR:PORT -n N [-c CONC] [--bytes B] [--timeout S] [--json]
 *       N short connections: banner, B bytes out and back, close.
 *   connload --tcp ADDR:PORT --long N --duration S [--rate R] [--interval MS]
 *            [--ready-file F] [--stop-file F] [--bytes B]
 *       N long-lived connections each sending B bytes every MS ms and
 *       checking the echo; R new short connections a second alongside.
 *       Stops after S seconds, on SIGUSR1/SIGINT/SIGTERM or when the stop
 *       file appears; the ready file is created once every long
 *       connection is established (or has failed), and names the
 *       established ones, a line each: "tcp CLIENT:PORT TARGET:PORT" (the
 *       flow as the balancer sees it: hauler conns --flow). --conn-log F writes
 *       a line per long connection as it ends: its local port, the
 *       device that served it (its banner) and its outcome, so that a
 *       test can tell which connections a change broke.
 *   connload --udp ADDR:PORT -n N [-c CONC] [--bytes B] [--timeout S]
 *       N datagrams, each from its own socket.
 *
 * A connection fails as "reset" (refused, reset, closed early), "stalled"
 * (a short one past its timeout; a long one still waiting for its echo
 * when the run ends, after a grace of the timeout or 3 s) or "corrupt"
 * (wrong echo). A long connection that made no progress for 2 s and then
 * went on, every byte echoed, is "paused": it counts as ok and is
 * reported apart (how many, the longest pause, their TCP
 * retransmissions: none when only the CPU was late, not the network),
 * and --conn-log names it "paused".
 * Exit status 0 only when every connection or datagram succeeded.
 */
#include <getopt.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "echo_proto.h"

#define PAUSE_MS    2000 /* no progress this long: a pause */
#define TXBUF	    4096
#define RXBUF	    16384
#define MAX_IDS	    64
#define MAX_REPORTS 10

enum conn_kind { K_SHORT, K_LONG, K_UDP };
enum conn_state { S_CONNECTING, S_RUN };
enum outcome { O_OK, O_RESET, O_STALLED, O_CORRUPT, O_OTHER };

/* A reproducible byte stream: the same seed gives the same bytes. */
struct stream {
	uint64_t state;
	uint8_t buf[8];
	unsigned int pos;
};

struct conn {
	struct conn *prev, *next; /* the list of open connections */
	int fd;
	unsigned int idx;
	enum conn_kind kind;
	enum conn_state state;
	uint32_t events; /* current epoll interest */
	char banner[ECHO_BANNER_LEN];
	unsigned int banner_got;
	struct stream tx, rx;
	uint64_t target;   /* bytes to send in all (grows for long ones) */
	uint64_t gen;	   /* bytes generated into txbuf so far */
	uint64_t sent;	   /* bytes send() accepted */
	uint64_t verified; /* echoed bytes checked */
	uint64_t start_ms, progress_ms, next_send_ms;
	uint64_t pause_max_ms; /* its longest pause that ended */
	bool paused, in_pause;
	unsigned int tries;
	size_t txlen, txoff;
	uint8_t txbuf[TXBUF];
};

struct id_count {
	char id[ECHO_BANNER_LEN + 1];
	unsigned long count;
};

struct opts {
	struct echo_addr target;
	bool udp, json;
	unsigned long n, conc, n_long, rate, retries;
	uint64_t bytes, interval_ms, timeout_ms, duration_ms, seed;
	bool bytes_set;
	const char *ready_file, *stop_file, *conn_log;
};

struct load {
	struct opts o;
	int epfd;
	int *parked; /* sockets of answered datagrams, see park_fd() */
	size_t n_parked, cap_parked;
	struct conn *open; /* open connections, for the timers */
	size_t n_open, n_open_short;
	unsigned long started, started_long, next_idx;
	unsigned long long outcome[O_OTHER + 1];
	unsigned long long failed;
	unsigned long long bytes; /* echoed bytes checked, all connections */
	/* Long connections that paused and went on: count, longest pause,
	 * their TCP retransmissions. */
	unsigned long long paused, pause_max_ms, paused_retrans;
	struct id_count ids[MAX_IDS];
	unsigned int n_ids;
	unsigned long long long_established, long_settled;
	unsigned int reports[2];	  /* lines printed: pauses, failures (REPORT_*) */
	unsigned long long stalled_short; /* short connections past --timeout */
	FILE *conn_log;			  /* --conn-log: one line per long connection */
	bool stopping, ready_done;
	uint64_t stop_ms, short_credit_ms;
};

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void stream_init(struct stream *s, uint64_t seed, uint64_t idx)
{
	s->state = seed * 0x100000001b3ULL ^ (idx + 1) * 0x9e3779b97f4a7c15ULL;
	s->pos = sizeof(s->buf);
}

static void stream_fill(struct stream *s, uint8_t *out, size_t n)
{
	while (n--) {
		if (s->pos == sizeof(s->buf)) {
			uint64_t v = splitmix64(&s->state);

			memcpy(s->buf, &v, sizeof(v));
			s->pos = 0;
		}
		*out++ = s->buf[s->pos++];
	}
}

static void usage(void)
{
	fprintf(
	    stderr,
	    "usage: connload --tcp ADDR:PORT -n N [-c CONC] [--bytes B] [--timeout S] [--json]\n"
	    "       connload --tcp ADDR:PORT --long N --duration S [--rate R] [--interval MS]\n"
	    "                [--ready-file F] [--stop-file F] [--conn-log F] [--bytes B] [--json]\n"
	    "       connload --udp ADDR:PORT -n N [-c CONC] [--bytes B] [--timeout S] [--json]\n");
	exit(2);
}

static uint64_t parse_num(const char *s, const char *what)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-') {
		fprintf(stderr, "connload: bad %s '%s'\n", what, s);
		exit(2);
	}
	return v;
}

static void parse_args(struct opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"tcp", required_argument, NULL, 'T'},
	    {"udp", required_argument, NULL, 'U'},
	    {"bytes", required_argument, NULL, 'B'},
	    {"json", no_argument, NULL, 'j'},
	    {"timeout", required_argument, NULL, 't'},
	    {"long", required_argument, NULL, 'L'},
	    {"duration", required_argument, NULL, 'd'},
	    {"rate", required_argument, NULL, 'r'},
	    {"interval", required_argument, NULL, 'i'},
	    {"ready-file", required_argument, NULL, 'R'},
	    {"stop-file", required_argument, NULL, 'S'},
	    {"conn-log", required_argument, NULL, 'C'},
	    {"seed", required_argument, NULL, 's'},
	    {"retries", required_argument, NULL, 'x'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *addr = NULL;
	int opt;

	memset(o, 0, sizeof(*o));
	o->conc = 100;
	o->timeout_ms = 5000;
	o->interval_ms = 20;
	o->seed = 1;
	while ((opt = getopt_long(argc, argv, "n:c:j", longopts, NULL)) != -1) {
		switch (opt) {
		case 'T':
		case 'U':
			if (addr)
				usage();
			addr = optarg;
			o->udp = opt == 'U';
			break;
		case 'n':
			o->n = parse_num(optarg, "count");
			break;
		case 'c':
			o->conc = parse_num(optarg, "concurrency");
			break;
		case 'B':
			o->bytes = parse_num(optarg, "byte count");
			o->bytes_set = true;
			break;
		case 'j':
			o->json = true;
			break;
		case 't':
			o->timeout_ms = parse_num(optarg, "timeout") * 1000;
			break;
		case 'L':
			o->n_long = parse_num(optarg, "long count");
			break;
		case 'd':
			o->duration_ms = parse_num(optarg, "duration") * 1000;
			break;
		case 'r':
			o->rate = parse_num(optarg, "rate");
			break;
		case 'i':
			o->interval_ms = parse_num(optarg, "interval");
			break;
		case 'R':
			o->ready_file = optarg;
			break;
		case 'S':
			o->stop_file = optarg;
			break;
		case 'C':
			o->conn_log = optarg;
			break;
		case 's':
			o->seed = parse_num(optarg, "seed");
			break;
		case 'x':
			o->retries = parse_num(optarg, "retries");
			break;
		default:
			usage();
		}
	}
	if (!addr || optind != argc || o->conc == 0 || o->timeout_ms == 0)
		usage();
	if (echo_parse_hostport(&o->target, addr)) {
		fprintf(stderr, "connload: bad address '%s' (want ADDR:PORT or [ADDR]:PORT)\n",
			addr);
		exit(2);
	}
	if (o->udp && (o->n_long || o->rate))
		usage();
	if (!o->n && !o->n_long)
		usage();
	if (o->n_long && !o->duration_ms && !o->stop_file)
		usage();
	if (!o->bytes_set)
		o->bytes = o->udp ? 64 : 1000;
	if (o->udp && o->bytes > 65000)
		usage();
	if (o->n_long && o->bytes == 0)
		usage();
	if (o->conn_log && !o->n_long)
		usage();
}

/* A line about one connection on stderr: at most MAX_REPORTS about pauses
 * and, apart, MAX_REPORTS about failures, so that pauses never hide why
 * connections failed. */
enum { REPORT_PAUSE, REPORT_FAILURE };

static void report(struct load *l, const struct conn *c, int type, const char *what)
{
	static const char *kinds[] = {"tcp", "long", "udp"};

	if (l->reports[type]++ >= MAX_REPORTS)
		return;
	fprintf(stderr, "connload: %s %u (%s): %s after %llu bytes echoed\n", kinds[c->kind],
		c->idx, c->banner_got == ECHO_BANNER_LEN ? c->banner : "no banner", what,
		(unsigned long long)c->verified);
}

static void count_id(struct load *l, const char *banner)
{
	char id[ECHO_BANNER_LEN + 1];
	unsigned int i;

	memcpy(id, banner, ECHO_BANNER_LEN);
	id[ECHO_BANNER_LEN] = '\0';
	for (i = 0; i < l->n_ids; i++) {
		if (!strcmp(l->ids[i].id, id)) {
			l->ids[i].count++;
			return;
		}
	}
	if (l->n_ids < MAX_IDS) {
		strcpy(l->ids[l->n_ids].id, id);
		l->ids[l->n_ids++].count = 1;
	}
}

static void set_events(struct load *l, struct conn *c, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = c};

	if (events != c->events && epoll_ctl(l->epfd, EPOLL_CTL_MOD, c->fd, &ev) == 0)
		c->events = events;
}

/*
 * A finished datagram's socket stays open to the end of the run, so no
 * later datagram gets its source port: each one is a flow of its own.
 */
static int park_fd(struct load *l, int fd)
{
	if (l->n_parked == l->cap_parked) {
		size_t cap = l->cap_parked ? 2 * l->cap_parked : 1024;
		int *p = realloc(l->parked, cap * sizeof(*p));

		if (!p)
			return -1;
		l->parked = p;
		l->cap_parked = cap;
	}
	l->parked[l->n_parked++] = fd;
	return 0;
}

/* --conn-log: "PORT DEVICE OUTCOME", the local port read while the socket is open. */
static void log_conn(struct load *l, const struct conn *c, enum outcome o)
{
	static const char *names[] = {"ok", "reset", "stalled", "corrupt", "other"};
	const char *what = o == O_OK && c->paused ? "paused" : names[o];
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	unsigned int port = 0;

	if (getsockname(c->fd, (struct sockaddr *)&ss, &len) == 0)
		port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
						      : ((struct sockaddr_in *)&ss)->sin_port);
	fprintf(l->conn_log, "%u %.*s %s\n", port,
		c->banner_got == ECHO_BANNER_LEN ? ECHO_BANNER_LEN : 1,
		c->banner_got == ECHO_BANNER_LEN ? c->banner : "-", what);
}

/* Progress now: ends a pause, whose length is kept. */
static void progress(struct load *l, struct conn *c)
{
	uint64_t now = echo_now_ms();

	if (c->in_pause) {
		char what[64];

		c->in_pause = false;
		if (now - c->progress_ms > c->pause_max_ms)
			c->pause_max_ms = now - c->progress_ms;
		snprintf(what, sizeof(what), "went on after a pause of %llu ms,",
			 (unsigned long long)(now - c->progress_ms));
		report(l, c, REPORT_PAUSE, what);
	}
	c->progress_ms = now;
}

/* A paused long connection ended well: count it apart. */
static void count_paused(struct load *l, const struct conn *c)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	l->paused++;
	if (c->pause_max_ms > l->pause_max_ms)
		l->pause_max_ms = c->pause_max_ms;
	if (getsockopt(c->fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0)
		l->paused_retrans += ti.tcpi_total_retrans;
}

static void conn_end(struct load *l, struct conn *c, enum outcome o, const char *why)
{
	if (c->paused && o == O_OK)
		count_paused(l, c);
	if (l->conn_log && c->kind == K_LONG)
		log_conn(l, c, o);
	l->outcome[o]++;
	l->bytes += c->verified;
	if (o != O_OK) {
		l->failed++;
		if (o == O_STALLED && c->kind == K_SHORT)
			l->stalled_short++;
		report(l, c, REPORT_FAILURE, why ? why : "stalled");
	}
	if (c->kind == K_LONG && c->banner_got < ECHO_BANNER_LEN)
		l->long_settled++;
	if (c->prev)
		c->prev->next = c->next;
	else
		l->open = c->next;
	if (c->next)
		c->next->prev = c->prev;
	if (c->kind == K_UDP && park_fd(l, c->fd) == 0)
		epoll_ctl(l->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	else
		close(c->fd);
	l->n_open--;
	if (c->kind != K_LONG)
		l->n_open_short--;
	free(c);
}

static enum outcome errno_outcome(int err)
{
	switch (err) {
	case ECONNREFUSED:
	case ECONNRESET:
	case EPIPE:
		return O_RESET;
	case ETIMEDOUT:
		return O_STALLED;
	default:
		return O_OTHER;
	}
}

static int conn_open(struct load *l, enum conn_kind kind)
{
	struct conn *c = calloc(1, sizeof(*c));
	int type = kind == K_UDP ? SOCK_DGRAM : SOCK_STREAM;
	struct epoll_event ev;
	uint64_t now = echo_now_ms();

	if (!c)
		return -1;
	c->kind = kind;
	c->idx = l->next_idx++;
	c->start_ms = c->progress_ms = c->next_send_ms = now;
	stream_init(&c->tx, l->o.seed, c->idx);
	stream_init(&c->rx, l->o.seed, c->idx);
	c->target = kind == K_LONG ? 0 : l->o.bytes;
	c->fd = socket(l->o.target.ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		fprintf(stderr, "connload: socket: %s\n", strerror(errno));
		free(c);
		return -1;
	}
	l->n_open++;
	if (kind != K_LONG)
		l->n_open_short++;
	else
		l->started_long++;
	l->started++;
	c->next = l->open;
	if (l->open)
		l->open->prev = c;
	l->open = c;
	if (connect(c->fd, (struct sockaddr *)&l->o.target.ss, l->o.target.len) &&
	    errno != EINPROGRESS) {
		conn_end(l, c, errno_outcome(errno), strerror(errno));
		return 0;
	}
	c->state = kind == K_UDP ? S_RUN : S_CONNECTING;
	c->events = kind == K_UDP ? EPOLLIN : EPOLLOUT | EPOLLIN;
	ev.events = c->events;
	ev.data.ptr = c;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, c->fd, &ev)) {
		conn_end(l, c, O_OTHER, "epoll_ctl");
		return 0;
	}
	if (kind == K_UDP) {
		uint8_t dgram[65000];

		stream_fill(&c->tx, dgram, c->target);
		if (send(c->fd, dgram, c->target, 0) < 0) {
			conn_end(l, c, errno_outcome(errno), strerror(errno));
			return 0;
		}
		c->sent = c->target;
	}
	return 0;
}

/* Send what the connection owes; returns -1 when it ended. */
static int tcp_send(struct load *l, struct conn *c)
{
	while (c->sent < c->target) {
		ssize_t n;

		if (c->txoff == c->txlen) {
			size_t chunk = c->target - c->gen < TXBUF ? c->target - c->gen : TXBUF;

			stream_fill(&c->tx, c->txbuf, chunk);
			c->gen += chunk;
			c->txlen = chunk;
			c->txoff = 0;
		}
		n = send(c->fd, c->txbuf + c->txoff, c->txlen - c->txoff, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (errno == EINTR)
				continue;
			conn_end(l, c, errno_outcome(errno), strerror(errno));
			return -1;
		}
		c->txoff += n;
		c->sent += n;
		progress(l, c);
	}
	set_events(l, c, EPOLLIN | (c->sent < c->target ? EPOLLOUT : 0));
	return 0;
}

/* A short connection is done once everything came back. */
static bool conn_complete(const struct conn *c)
{
	return c->banner_got == ECHO_BANNER_LEN && c->verified == c->target;
}

static void got_banner(struct load *l, struct conn *c)
{
	count_id(l, c->banner);
	if (c->kind == K_LONG) {
		l->long_established++;
		l->long_settled++;
	}
}

/* Check n echoed bytes against the stream; false on a mismatch. */
static bool verify(struct conn *c, const uint8_t *data, size_t n)
{
	uint8_t want[RXBUF];

	if (c->verified + n > c->sent)
		return false; /* an echo of bytes never sent */
	stream_fill(&c->rx, want, n);
	if (memcmp(want, data, n))
		return false;
	c->verified += n;
	return true;
}

static void tcp_readable(struct load *l, struct conn *c)
{
	uint8_t buf[RXBUF];
	ssize_t n = recv(c->fd, buf, sizeof(buf), 0);
	size_t off = 0;

	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			conn_end(l, c, errno_outcome(errno), strerror(errno));
		return;
	}
	if (n == 0) {
		conn_end(l, c, O_RESET, "closed by peer");
		return;
	}
	progress(l, c);
	if (c->banner_got < ECHO_BANNER_LEN) {
		size_t take = ECHO_BANNER_LEN - c->banner_got;

		if (take > (size_t)n)
			take = n;
		memcpy(c->banner + c->banner_got, buf, take);
		c->banner_got += take;
		off = take;
		if (c->banner_got == ECHO_BANNER_LEN)
			got_banner(l, c);
	}
	if (off < (size_t)n && !verify(c, buf + off, n - off)) {
		conn_end(l, c, O_CORRUPT, "corrupt echo");
		return;
	}
	if (c->kind == K_SHORT && conn_complete(c))
		conn_end(l, c, O_OK, NULL);
	else if (c->kind == K_LONG && l->stopping && c->verified == c->target)
		conn_end(l, c, O_OK, NULL);
}

static void udp_readable(struct load *l, struct conn *c)
{
	uint8_t buf[65536];
	ssize_t n = recv(c->fd, buf, sizeof(buf), 0);

	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			conn_end(l, c, errno_outcome(errno), strerror(errno));
		return;
	}
	if ((size_t)n != ECHO_BANNER_LEN + c->target) {
		conn_end(l, c, O_CORRUPT, "reply of the wrong length");
		return;
	}
	memcpy(c->banner, buf, ECHO_BANNER_LEN);
	c->banner_got = ECHO_BANNER_LEN;
	count_id(l, c->banner);
	if (!verify(c, buf + ECHO_BANNER_LEN, c->target)) {
		conn_end(l, c, O_CORRUPT, "corrupt echo");
		return;
	}
	conn_end(l, c, O_OK, NULL);
}

static void handle_event(struct load *l, struct conn *c, uint32_t events)
{
	if (c->kind == K_UDP) {
		udp_readable(l, c);
		return;
	}
	if (c->state == S_CONNECTING) {
		int err = 0;
		socklen_t len = sizeof(err);

		if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
			return;
		getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
		if (err) {
			conn_end(l, c, errno_outcome(err), strerror(err));
			return;
		}
		c->state = S_RUN;
		progress(l, c);
		set_events(l, c, EPOLLIN);
		if (tcp_send(l, c))
			return;
		/* readable below if data is already there */
		events |= EPOLLIN;
	}
	if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
		/* tcp_readable may free c: read last, and alone. */
		if ((events & EPOLLOUT) && tcp_send(l, c))
			return;
		tcp_readable(l, c);
		return;
	}
	if (events & EPOLLOUT)
		tcp_send(l, c);
}

/* What the connection is waiting for has not come for too long. */
static bool waiting(const struct conn *c)
{
	return c->state == S_CONNECTING || c->banner_got < ECHO_BANNER_LEN ||
	       c->verified < c->target;
}

/* Timers of one connection; returns -1 when it ended. */
static int conn_tick(struct load *l, struct conn *c, uint64_t now)
{
	if (c->kind == K_LONG) {
		if (waiting(c) && now - c->progress_ms > PAUSE_MS && !c->in_pause) {
			c->paused = c->in_pause = true;
			report(l, c, REPORT_PAUSE, "no progress for 2 s (paused)");
		}
		if (l->stopping) {
			if (!waiting(c)) {
				conn_end(l, c, O_OK, NULL);
				return -1;
			}
			return 0;
		}
		if (c->state == S_RUN && c->verified == c->target && now >= c->next_send_ms) {
			c->target += l->o.bytes;
			c->next_send_ms = now + l->o.interval_ms;
			return tcp_send(l, c);
		}
		return 0;
	}
	if (now - c->start_ms <= l->o.timeout_ms)
		return 0;
	if (c->kind == K_UDP && c->tries < l->o.retries) {
		uint8_t dgram[65000];
		struct stream s;

		/* The same datagram again, from the same socket. */
		stream_init(&s, l->o.seed, c->idx);
		stream_fill(&s, dgram, c->target);
		c->tries++;
		c->start_ms = now;
		send(c->fd, dgram, c->target, 0);
		return 0;
	}
	conn_end(l, c, O_STALLED, c->kind == K_UDP ? "no reply" : "timed out");
	return -1;
}

/* addr:port, or [addr6]:port, of a socket address. */
static void sock_text(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN] = "?";

	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;

		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
		snprintf(buf, len, "[%s]:%u", a, ntohs(s6->sin6_port));
	} else {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;

		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
		snprintf(buf, len, "%s:%u", a, ntohs(s4->sin_port));
	}
}

/*
 * The ready file: a line per established long connection, "tcp
 * CLIENT:PORT TARGET:PORT", written beside it and renamed over it, so
 * that whoever waits for it reads it whole.
 */
static void write_ready(const struct load *l, const char *path)
{
	char tmp[4096], from[INET6_ADDRSTRLEN + 8], to[INET6_ADDRSTRLEN + 8];
	const struct conn *c;
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f) {
		fprintf(stderr, "connload: %s: %s\n", tmp, strerror(errno));
		return;
	}
	for (c = l->open; c; c = c->next) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);

		if (c->kind != K_LONG || c->banner_got < ECHO_BANNER_LEN)
			continue;
		if (getsockname(c->fd, (struct sockaddr *)&ss, &len))
			continue;
		sock_text(&ss, from, sizeof(from));
		sock_text(&l->o.target.ss, to, sizeof(to));
		fprintf(f, "tcp %s %s\n", from, to);
	}
	if (fclose(f) || rename(tmp, path))
		fprintf(stderr, "connload: %s: %s\n", path, strerror(errno));
}

static int cmp_ids(const void *a, const void *b)
{
	return strcmp(((const struct id_count *)a)->id, ((const struct id_count *)b)->id);
}

static void print_results(struct load *l, uint64_t elapsed_ms)
{
	unsigned int i;

	qsort(l->ids, l->n_ids, sizeof(l->ids[0]), cmp_ids);
	if (l->o.json) {
		printf("{\"ok\":%llu,\"failed\":%llu,\"reset\":%llu,\"stalled\":%llu,"
		       "\"stalled_short\":%llu,\"corrupt\":%llu,\"total\":%lu,\"long\":%lu,"
		       "\"paused\":%llu,"
		       "\"max_pause_ms\":%llu,\"paused_retrans\":%llu,\"bytes\":%llu,"
		       "\"elapsed_ms\":%llu,\"by_device\":{",
		       l->outcome[O_OK], l->failed, l->outcome[O_RESET], l->outcome[O_STALLED],
		       l->stalled_short, l->outcome[O_CORRUPT], l->started, l->started_long,
		       l->paused, l->pause_max_ms, l->paused_retrans, l->bytes,
		       (unsigned long long)elapsed_ms);
		for (i = 0; i < l->n_ids; i++)
			printf("%s\"%s\":%lu", i ? "," : "", l->ids[i].id, l->ids[i].count);
		printf("}}\n");
		return;
	}
	for (i = 0; i < l->n_ids; i++)
		printf("%-16s %lu\n", l->ids[i].id, l->ids[i].count);
	printf("total %lu: ok %llu, failed %llu (reset %llu, stalled %llu, corrupt %llu), "
	       "%llu bytes echoed, in %llu ms\n",
	       l->started, l->outcome[O_OK], l->failed, l->outcome[O_RESET], l->outcome[O_STALLED],
	       l->outcome[O_CORRUPT], l->bytes, (unsigned long long)elapsed_ms);
	if (l->paused)
		printf("paused and went on: %llu (longest %llu ms, %llu TCP retransmissions)\n",
		       l->paused, l->pause_max_ms, l->paused_retrans);
}

/* Open short connections (or datagrams) while there is room and work. */
static void open_short(struct load *l, uint64_t now)
{
	enum conn_kind kind = l->o.udp ? K_UDP : K_SHORT;

	if (l->o.n_long) {
		uint64_t period;

		/* Long mode: --rate new connections a second, no backlog. */
		if (!l->o.rate || l->stopping)
			return;
		period = 1000 / l->o.rate ? 1000 / l->o.rate : 1;
		if (!l->short_credit_ms)
			l->short_credit_ms = now;
		while (l->short_credit_ms + period <= now) {
			l->short_credit_ms += period;
			if (l->n_open_short < l->o.conc)
				conn_open(l, K_SHORT);
		}
		return;
	}
	while (l->started < l->o.n && l->n_open_short < l->o.conc)
		if (conn_open(l, kind))
			return;
}

int main(int argc, char **argv)
{
	static struct load l;
	struct epoll_event evs[256];
	struct sigaction sa = {.sa_handler = on_stop_signal};
	uint64_t start, grace_ms;
	unsigned long i;

	parse_args(&l.o, argc, argv);
	echo_raise_nofile();
	signal(SIGPIPE, SIG_IGN);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	l.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l.epfd < 0) {
		perror("connload: epoll_create1");
		return 2;
	}
	if (l.o.conn_log && !(l.conn_log = fopen(l.o.conn_log, "w"))) {
		fprintf(stderr, "connload: %s: %s\n", l.o.conn_log, strerror(errno));
		return 2;
	}
	start = echo_now_ms();
	grace_ms = l.o.timeout_ms > 3000 ? l.o.timeout_ms : 3000;
	for (i = 0; i < l.o.n_long; i++)
		conn_open(&l, K_LONG);

	for (;;) {
		uint64_t now = echo_now_ms();
		struct conn *c, *next;
		int n, k;

		if (l.o.n_long) {
			if (!l.ready_done && l.long_settled == l.o.n_long) {
				l.ready_done = true;
				if (l.o.ready_file)
					write_ready(&l, l.o.ready_file);
			}
			if (!l.stopping && (stop_requested ||
					    (l.o.duration_ms && now - start >= l.o.duration_ms) ||
					    (l.o.stop_file && access(l.o.stop_file, F_OK) == 0))) {
				l.stopping = true;
				l.stop_ms = now;
			}
		}
		open_short(&l, now);
		if (l.n_open == 0 && (l.o.n_long ? l.stopping : l.started >= l.o.n))
			break;
		n = epoll_wait(l.epfd, evs, 256, 5);
		for (k = 0; k < n; k++)
			handle_event(&l, evs[k].data.ptr, evs[k].events);
		now = echo_now_ms();
		for (c = l.open; c; c = next) {
			next = c->next;
			if (l.stopping && now - l.stop_ms > grace_ms)
				conn_end(&l, c, O_STALLED, "unfinished at the end");
			else
				conn_tick(&l, c, now);
		}
	}
	print_results(&l, echo_now_ms() - start);
	if (l.conn_log && fclose(l.conn_log)) {
		perror("connload: --conn-log");
		return 2;
	}
	return l.failed || l.outcome[O_OK] != l.started ? 1 : 0;
}
