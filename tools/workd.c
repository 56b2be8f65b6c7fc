// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * workd - the request workload's backend: one request at a time, each
 * costing a fixed amount of computation (a 32x32 matrix multiply repeated
 * `iters` times, about --work-us microseconds on a free core; or, with
 * --cpu-us, repeated until the thread has used that much CPU time, so that
 * a slower core does less work in the same service time), over UDP
 * (one datagram each way) and TCP (one request per connection). The reply
 * names the device and carries its service time (the computation, wall
 * clock: a CPU-limited device is slower) and its queueing time (kernel
 * receive timestamp to the start of service). Wire format: work_proto.h.
 *
 *   workd --name ID [--udp PORT]... [--tcp PORT]... [--work-us US | --iters N | --cpu-us US]
 *         [--latency-socket PATH] [--latency-interval MS] [--window N] [--window-ms MS]
 *         [--rcvbuf BYTES] [--drop-after-ms MS] [--bind ADDR] [--pidfile FILE]
 *   workd --calibrate [--work-us US]     print "iters N" for US and exit
 *
 * Single-threaded like a device that serves one request at a time: the
 * queue is the socket's (UDP receive queue, TCP accept queue). With
 * --latency-socket it pushes the P99 (µs, queueing + service) of its last
 * --window requests every --latency-interval ms to hauler-agent's latency
 * socket; with --window-ms, of those served in the last MS ms only, and
 * nothing while there are none (so that the P99 a learner reads after a
 * weight change is the new weight's, not that of requests long gone). With --drop-after-ms, a
 * request that waited longer than MS is dropped unserved (its client has given up by then): a run
 * that overloaded the device leaves no backlog to the next. A request it drops, and one the kernel
 * dropped because the UDP receive queue was full (SO_RXQ_OVFL), counts in the P99 as infinitely
 * late (work_stats.h, WORK_WINDOW_LOST): a P99 among them is pushed as WORK_LATE_US.
 * SIGTERM/SIGINT end it; it then prints a JSON summary line.
 */
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <unistd.h>

#include "work_args.h"
#include "work_stats.h"

#define KN	       32 /* the kernel's matrix size */
#define LISTEN_BACKLOG 1024

enum ev_kind { EV_UDP, EV_LISTEN, EV_CONN, EV_SIGNAL, EV_TIMER };

struct ev_source {
	enum ev_kind kind;
	int fd;
	uint32_t rxq_drops; /* UDP: the socket's drop count last seen (SO_RXQ_OVFL) */
};

/* An accepted TCP connection until its request is complete. */
struct conn {
	struct ev_source src;
	uint8_t buf[WORK_REQ_LEN];
	size_t len;
	struct timespec rx_ts; /* kernel receive time of its first bytes */
};

struct workd {
	struct workd_opts o;
	int epfd, push_fd;
	struct ev_source listeners[2 * WORK_MAX_PORTS];
	int n_listeners;
	struct ev_source sig, timer;
	struct sockaddr_un push_addr;
	struct work_window window;
	unsigned long requests, bad, pushes, dropped, overflowed;
	uint64_t sum_service_us, sum_queue_us;
};

static double ma[KN * KN], mb[KN * KN], mc[KN * KN];
static volatile double sink;

static void die(const char *what)
{
	fprintf(stderr, "workd: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* One multiply; c feeds back into b so no repetition can be skipped. */
static void kernel_once(void)
{
	for (int i = 0; i < KN; i++)
		for (int j = 0; j < KN; j++) {
			double s = 0;

			for (int k = 0; k < KN; k++)
				s += ma[i * KN + k] * mb[k * KN + j];
			mc[i * KN + j] = s;
		}
	mb[0] = 1.0 + mc[KN * KN - 1] * 1e-12;
}

static void work(unsigned long iters)
{
	for (unsigned long i = 0; i < iters; i++)
		kernel_once();
	sink = mc[0];
}

static uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * The kernel until the thread has used cpu_us of CPU time (at least
 * once): the service costs the device the same CPU time, and under its
 * cgroup quota the same wall time, whatever the core's speed. On a shared
 * virtual machine whose cores slow down for seconds at a time, a fixed
 * repetition count made the devices' capacity follow the host's load.
 */
static void work_cpu(unsigned long cpu_us)
{
	uint64_t end = now_ns(CLOCK_THREAD_CPUTIME_ID) + (uint64_t)cpu_us * 1000;

	do
		kernel_once();
	while (now_ns(CLOCK_THREAD_CPUTIME_ID) < end);
	sink = mc[0];
}

static void kernel_init(void)
{
	for (int i = 0; i < KN * KN; i++) {
		ma[i] = (double)(i % 7) * 0.25 + 0.5;
		mb[i] = (double)(i % 5) * 0.125 + 0.25;
	}
}

/*
 * Repetitions of the kernel that take work_us of CPU: the fastest of many
 * short timings of the thread's own CPU time, so that neither other load
 * on the machine nor a cgroup quota (time not running is not counted)
 * makes the work per request smaller. The timings are spread over 20
 * batches 2 ms apart: on a busy machine some of them find the core (its
 * other hyperthread, its caches) quiet.
 */
static unsigned long calibrate(unsigned long work_us, uint64_t *kernel_ns)
{
	const struct timespec gap = {.tv_nsec = 2000000};
	uint64_t best = UINT64_MAX, t0, t;

	work(8);
	for (int batch = 0; batch < 20; batch++) {
		for (int round = 0; round < 20; round++) {
			t0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
			work(2);
			t = (now_ns(CLOCK_THREAD_CPUTIME_ID) - t0) / 2;
			if (t && t < best)
				best = t;
		}
		nanosleep(&gap, NULL);
	}
	*kernel_ns = best;
	t = (uint64_t)work_us * 1000 / best;
	return t ? (unsigned long)t : 1;
}

static int ep_add(struct workd *w, struct ev_source *src, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = src};

	return epoll_ctl(w->epfd, EPOLL_CTL_ADD, src->fd, &ev);
}

/* A socket on --bind (default ::, dual-stack) with receive timestamps. */
static int open_socket(const struct workd *w, int type, int port)
{
	struct echo_addr a;
	int one = 1, fd;

	if (echo_make_addr(&a, w->o.bind_addr ? w->o.bind_addr : "::", port)) {
		errno = EINVAL;
		die("--bind: not an IPv4 or IPv6 address");
	}
	fd = socket(a.ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
	/* UDP: every datagram tells how many the full receive queue dropped. */
	if (type == SOCK_DGRAM)
		setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one));
	if (a.ss.ss_family == AF_INET6) {
		int zero = 0;

		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	}
	if (type == SOCK_DGRAM && w->o.rcvbuf) {
		int v = (int)w->o.rcvbuf;

		/* FORCE passes net.core.rmem_max (root); else as much as allowed. */
		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof(v)))
			setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
	}
	if (bind(fd, (struct sockaddr *)&a.ss, a.len))
		die("bind");
	if (type == SOCK_STREAM && listen(fd, LISTEN_BACKLOG))
		die("listen");
	return fd;
}

/* The kernel receive timestamp of a recvmsg, or now when there is none. */
static struct timespec rx_stamp(struct msghdr *mh)
{
	struct timespec ts;

	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
			memcpy(&ts, CMSG_DATA(c), sizeof(ts));
			return ts;
		}
	clock_gettime(CLOCK_REALTIME, &ts);
	return ts;
}

/*
 * The requests the kernel dropped before this datagram because the
 * receive queue was full: the socket's drop count (SO_RXQ_OVFL, carried
 * with a datagram queued after drops) over the last one seen. They are
 * lost: in the P99 as infinitely late.
 */
static void rx_overflow(struct workd *w, struct ev_source *src, struct msghdr *mh)
{
	uint32_t count, n;

	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL) {
			memcpy(&count, CMSG_DATA(c), sizeof(count));
			n = count - src->rxq_drops; /* wraps like the kernel's counter */
			src->rxq_drops = count;
			if (!n)
				return;
			w->overflowed += n;
			work_window_lost_at(&w->window, n, now_ns(CLOCK_MONOTONIC) / 1000000);
			return;
		}
}

/* Serve one request that arrived at rx_ts into the reply; -1: dropped. */
static int serve(struct workd *w, const struct work_req *req, struct timespec rx_ts,
		 uint8_t out[WORK_RESP_LEN])
{
	struct work_resp r = {.seq = req->seq, .sent_ns = req->sent_ns};
	uint64_t rx = (uint64_t)rx_ts.tv_sec * 1000000000ull + (uint64_t)rx_ts.tv_nsec;
	uint64_t start_rt = now_ns(CLOCK_REALTIME), t0 = now_ns(CLOCK_MONOTONIC);

	if (w->o.drop_after_ms && start_rt > rx + (uint64_t)w->o.drop_after_ms * 1000000) {
		w->dropped++;
		work_window_lost_at(&w->window, 1, t0 / 1000000); /* infinitely late */
		return -1;
	}
	if (w->o.cpu_us)
		work_cpu(w->o.cpu_us);
	else
		work(w->o.iters);
	r.service_us = (uint32_t)((now_ns(CLOCK_MONOTONIC) - t0) / 1000);
	r.queue_us = start_rt > rx ? (uint32_t)((start_rt - rx) / 1000) : 0;
	memcpy(r.name, w->o.name, sizeof(r.name));
	work_resp_encode(out, &r);
	w->requests++;
	w->sum_service_us += r.service_us;
	w->sum_queue_us += r.queue_us;
	work_window_add_at(&w->window, r.service_us + r.queue_us,
			   now_ns(CLOCK_MONOTONIC) / 1000000);
	return 0;
}

static void on_udp(struct workd *w, struct ev_source *src)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct timespec)) + CMSG_SPACE(sizeof(uint32_t)) + 64];
		struct cmsghdr align;
	} ctl;
	uint8_t in[64], out[WORK_RESP_LEN];
	struct sockaddr_storage from;
	struct iovec iov = {.iov_base = in, .iov_len = sizeof(in)};
	struct msghdr mh = {.msg_name = &from,
			    .msg_namelen = sizeof(from),
			    .msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = ctl.buf,
			    .msg_controllen = sizeof(ctl.buf)};
	struct work_req req;
	ssize_t n;

	/* One datagram per wake-up: the others wait in the socket's queue. */
	n = recvmsg(src->fd, &mh, 0);
	if (n < 0)
		return;
	rx_overflow(w, src, &mh);
	if (work_req_decode(in, (size_t)n, &req)) {
		w->bad++;
		return;
	}
	if (serve(w, &req, rx_stamp(&mh), out) == 0)
		sendto(src->fd, out, sizeof(out), 0, (struct sockaddr *)&from, mh.msg_namelen);
}

static void on_listen(struct workd *w, int fd)
{
	struct conn *c;
	int cfd, one = 1;

	cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (cfd < 0)
		return;
	setsockopt(cfd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(cfd);
		return;
	}
	c->src = (struct ev_source){.kind = EV_CONN, .fd = cfd};
	if (ep_add(w, &c->src, EPOLLIN | EPOLLRDHUP)) {
		close(cfd);
		free(c);
	}
}

static void conn_close(struct conn *c)
{
	close(c->src.fd); /* also leaves the epoll set */
	free(c);
}

static void on_conn(struct workd *w, struct conn *c)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct timespec)) + 64];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = {.iov_base = c->buf + c->len, .iov_len = sizeof(c->buf) - c->len};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = ctl.buf,
			    .msg_controllen = sizeof(ctl.buf)};
	uint8_t out[WORK_RESP_LEN], extra;
	struct work_req req;
	ssize_t n;

	n = recvmsg(c->src.fd, &mh, 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		conn_close(c);
		return;
	}
	if (!c->len)
		c->rx_ts = rx_stamp(&mh);
	c->len += (size_t)n;
	if (c->len < sizeof(c->buf))
		return;
	/* More than one request's bytes, or not a request: refused. */
	if (recv(c->src.fd, &extra, 1, MSG_PEEK) > 0 || work_req_decode(c->buf, c->len, &req)) {
		w->bad++;
		conn_close(c);
		return;
	}
	if (serve(w, &req, c->rx_ts, out) == 0)
		send(c->src.fd, out, sizeof(out), MSG_NOSIGNAL);
	conn_close(c);
}

/*
 * The running P99 to hauler-agent: "N\n", decimal microseconds; lost
 * requests count as infinitely late (WORK_LATE_US when it is among them).
 */
static void push_latency(struct workd *w)
{
	uint64_t expirations;
	char msg[24];
	int len;

	uint64_t now_ms = now_ns(CLOCK_MONOTONIC) / 1000000, since = 0;
	uint32_t p99;

	if (read(w->timer.fd, &expirations, sizeof(expirations)) < 0 || !w->window.n)
		return;
	if (w->o.window_ms)
		since = now_ms > w->o.window_ms ? now_ms - w->o.window_ms : 0;
	p99 = work_window_push_us(&w->window, since);
	if (!p99)
		return; /* none served or lost in the window */
	len = snprintf(msg, sizeof(msg), "%u\n", p99);
	/* No agent listening yet (or any more) is not an error: try again later. */
	if (sendto(w->push_fd, msg, (size_t)len, MSG_DONTWAIT, (struct sockaddr *)&w->push_addr,
		   sizeof(w->push_addr)) == len)
		w->pushes++;
}

static void setup(struct workd *w)
{
	sigset_t mask;
	int i;

	w->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (w->epfd < 0)
		die("epoll_create1");
	for (i = 0; i < w->o.n_udp; i++) {
		struct ev_source *s = &w->listeners[w->n_listeners++];

		*s = (struct ev_source){.kind = EV_UDP,
					.fd = open_socket(w, SOCK_DGRAM, w->o.udp[i])};
		if (ep_add(w, s, EPOLLIN))
			die("epoll_ctl");
	}
	for (i = 0; i < w->o.n_tcp; i++) {
		struct ev_source *s = &w->listeners[w->n_listeners++];

		*s = (struct ev_source){.kind = EV_LISTEN,
					.fd = open_socket(w, SOCK_STREAM, w->o.tcp[i])};
		if (ep_add(w, s, EPOLLIN))
			die("epoll_ctl");
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	w->sig = (struct ev_source){.kind = EV_SIGNAL, .fd = signalfd(-1, &mask, SFD_CLOEXEC)};
	if (w->sig.fd < 0 || ep_add(w, &w->sig, EPOLLIN))
		die("signalfd");
	w->push_fd = -1;
	if (w->o.latency_socket) {
		struct itimerspec its = {0};

		w->push_addr.sun_family = AF_UNIX;
		snprintf(w->push_addr.sun_path, sizeof(w->push_addr.sun_path), "%s",
			 w->o.latency_socket);
		w->push_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		w->timer = (struct ev_source){.kind = EV_TIMER,
					      .fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC)};
		if (w->push_fd < 0 || w->timer.fd < 0)
			die("latency socket");
		its.it_interval.tv_sec = (time_t)(w->o.interval_ms / 1000);
		its.it_interval.tv_nsec = (long)(w->o.interval_ms % 1000) * 1000000;
		its.it_value = its.it_interval;
		if (timerfd_settime(w->timer.fd, 0, &its, NULL) || ep_add(w, &w->timer, EPOLLIN))
			die("timerfd");
	}
}

static void summary(const struct workd *w)
{
	unsigned long n = w->requests ? w->requests : 1;

	printf("{\"name\":\"%s\",\"iters\":%lu,\"cpu_us\":%lu,\"requests\":%lu,\"bad\":%lu,"
	       "\"service_us_mean\":%llu,\"queue_us_mean\":%llu,\"window_p99_us\":%u,"
	       "\"latency_pushes\":%lu,\"dropped\":%lu,\"overflowed\":%lu}\n",
	       w->o.name, w->o.iters, w->o.cpu_us, w->requests, w->bad,
	       (unsigned long long)(w->sum_service_us / n),
	       (unsigned long long)(w->sum_queue_us / n), work_window_push_us(&w->window, 0),
	       w->pushes, w->dropped, w->overflowed);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	static struct workd w;
	char err[256];
	uint64_t kernel_ns;
	FILE *f;

	if (workd_parse_args(argc, argv, &w.o, err, sizeof(err))) {
		fprintf(stderr, "workd: %s\n%s", err, WORKD_USAGE);
		return 2;
	}
	kernel_init();
	if (w.o.calibrate) {
		unsigned long iters = calibrate(w.o.work_us, &kernel_ns);

		printf("iters %lu\nkernel_ns %llu\nwork_us %lu\n", iters,
		       (unsigned long long)kernel_ns, w.o.work_us);
		return 0;
	}
	if (!w.o.iters && !w.o.cpu_us)
		w.o.iters = calibrate(w.o.work_us, &kernel_ns);
	work_window_init(&w.window, w.o.window);
	setup(&w);
	if (w.o.pidfile) {
		f = fopen(w.o.pidfile, "w");
		if (!f)
			die(w.o.pidfile);
		fprintf(f, "%d\n", getpid());
		fclose(f);
	}
	for (;;) {
		struct epoll_event evs[16];
		int n = epoll_wait(w.epfd, evs, 16, -1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("epoll_wait");
		for (int i = 0; i < n; i++) {
			struct ev_source *s = evs[i].data.ptr;

			switch (s->kind) {
			case EV_UDP:
				on_udp(&w, s);
				break;
			case EV_LISTEN:
				on_listen(&w, s->fd);
				break;
			case EV_CONN:
				on_conn(&w, (struct conn *)s);
				break;
			case EV_TIMER:
				push_latency(&w);
				break;
			case EV_SIGNAL:
				summary(&w);
				if (w.o.pidfile)
					unlink(w.o.pidfile);
				return 0;
			}
		}
	}
}
