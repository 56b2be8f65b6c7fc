// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* health_probe.c - non-blocking probes on one epoll set (see health_probe.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "error.h"
#include "health_probe.h"

#define NS_PER_MS    1000000ull
#define EPOLL_BATCH  64
#define HTTP_REQ_LEN 256

enum probe_phase {
	PHASE_CONNECT, /* tcp, http: waiting for the handshake */
	PHASE_SEND,    /* http: the request is (partly) unsent */
	PHASE_READ,    /* udp, http: waiting for the answer */
};

int health_engine_init(struct health_engine *e)
{
	int d;

	memset(e, 0, sizeof(*e));
	for (d = 0; d < HAULER_MAX_DEVICES; d++)
		e->probe[d].fd = -1;
	e->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (e->epfd < 0)
		return err_set(ERR_SYSTEM, "epoll_create1: %s", strerror(errno));
	return 0;
}

static void probe_drop(struct health_probe *p)
{
	if (p->fd >= 0)
		close(p->fd); /* also leaves the epoll set */
	p->fd = -1;
}

void health_engine_free(struct health_engine *e)
{
	int d;

	for (d = 0; d < HAULER_MAX_DEVICES; d++)
		probe_drop(&e->probe[d]);
	if (e->epfd >= 0)
		close(e->epfd);
	e->epfd = -1;
}

static void set_target(struct health_target *t, const struct device_info *dev,
		       const struct health_check *c)
{
	memset(t, 0, sizeof(*t));
	t->family = dev->family;
	memcpy(t->addr, dev->addr, sizeof(t->addr));
	t->port = c->port ? c->port : dev->port;
}

void health_engine_sync(struct health_engine *e, const struct model *m,
			const struct health_status *saved, const __u64 *report_ns, __u64 now)
{
	struct health_target t;
	int d;

	for (d = 0; d < HAULER_MAX_DEVICES; d++) {
		const struct health_check *c = &m->checks[d];
		int none = !m->devices[d].in_use || c->type == HEALTH_NONE;

		e->report_ns[d] = report_ns ? report_ns[d] : 0;
		if (none) {
			if (e->check[d].type != HEALTH_NONE) {
				probe_drop(&e->probe[d]);
				memset(&e->check[d], 0, sizeof(e->check[d]));
				memset(&e->status[d], 0, sizeof(e->status[d]));
				e->due_ns[d] = 0;
				e->dirty[d] = 1;
			}
			continue;
		}
		set_target(&t, &m->devices[d], c);
		if (!memcmp(&e->check[d], c, sizeof(*c)) && !memcmp(&e->target[d], &t, sizeof(t)))
			continue;
		probe_drop(&e->probe[d]);
		e->check[d] = *c;
		e->target[d] = t;
		if (saved && saved[d].check_sum == health_check_sum(c) && saved[d].last_ns)
			e->status[d] = saved[d];
		else
			health_status_init(&e->status[d], c);
		/* Spread the first probes a little: not every device in the same ms. */
		e->due_ns[d] = now + (d % 16) * NS_PER_MS;
		e->dirty[d] = 1;
	}
}

static void record(struct health_engine *e, int d, enum health_result r, __u64 now)
{
	const struct health_check *c = &e->check[d];
	struct health_probe *p = &e->probe[d];
	__u64 took = now > p->started_ns ? (now - p->started_ns) / NS_PER_MS : 0;
	int change;

	/* A passing probe still fails while the agent is silent past its bound. */
	if (r == HEALTH_R_OK && c->agent_ms &&
	    (!e->report_ns[d] ||
	     (now > e->report_ns[d] && now - e->report_ns[d] > c->agent_ms * NS_PER_MS)))
		r = HEALTH_R_SILENT;
	probe_drop(p);
	change = health_status_feed(&e->status[d], c, r, took, now);
	e->dirty[d] = 1;
	if (!change)
		return;
	if (e->n_events == HEALTH_EVENTS) {
		e->lost_events++;
		return;
	}
	e->events[e->n_events].dev = d;
	e->events[e->n_events].change = change;
	e->events[e->n_events].result = r;
	e->n_events++;
}

static socklen_t target_sockaddr(const struct health_target *t, struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	if (t->family == 6) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = t->port;
		memcpy(&s6->sin6_addr, t->addr, 16);
		return sizeof(*s6);
	}
	s4->sin_family = AF_INET;
	s4->sin_port = t->port;
	s4->sin_addr.s_addr = t->addr[0];
	return sizeof(*s4);
}

/* What a socket error means for the device. */
static enum health_result errno_result(int err)
{
	switch (err) {
	case ECONNREFUSED:
		return HEALTH_R_REFUSED;
	case ECONNRESET:
	case EPIPE:
		return HEALTH_R_CLOSED;
	case ETIMEDOUT:
		return HEALTH_R_TIMEOUT;
	case EMFILE:
	case ENFILE:
	case ENOBUFS:
	case ENOMEM:
		return HEALTH_R_ERROR;
	default:
		return HEALTH_R_UNREACH;
	}
}

static int watch(struct health_engine *e, int d, __u32 events)
{
	struct epoll_event ev = {.events = events, .data.u32 = d};

	return epoll_ctl(e->epfd, EPOLL_CTL_MOD, e->probe[d].fd, &ev);
}

/* Open, connect and (udp) send; returns a result when the probe ended already. */
static enum health_result probe_open(struct health_engine *e, int d)
{
	const struct health_check *c = &e->check[d];
	struct health_probe *p = &e->probe[d];
	struct sockaddr_storage ss;
	struct linger no_linger = {.l_onoff = 1, .l_linger = 0};
	int udp = c->type == HEALTH_UDP, ret;
	struct epoll_event ev = {.data.u32 = d};
	socklen_t len = target_sockaddr(&e->target[d], &ss);

	p->fd = socket(ss.ss_family,
		       (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (p->fd < 0)
		return HEALTH_R_ERROR;
	/* End TCP probes with a RST: no TIME_WAIT pile-up on the balancer. */
	if (!udp)
		setsockopt(p->fd, SOL_SOCKET, SO_LINGER, &no_linger, sizeof(no_linger));
	ret = connect(p->fd, (struct sockaddr *)&ss, len);
	if (ret && errno != EINPROGRESS)
		return errno_result(errno);
	if (udp) {
		if (send(p->fd, c->send, c->send_len, 0) < 0)
			return errno_result(errno);
		p->phase = PHASE_READ;
		ev.events = EPOLLIN;
	} else {
		p->phase = PHASE_CONNECT;
		ev.events = EPOLLOUT;
	}
	if (epoll_ctl(e->epfd, EPOLL_CTL_ADD, p->fd, &ev))
		return HEALTH_R_ERROR;
	return HEALTH_R_NONE; /* in flight */
}

void health_engine_start(struct health_engine *e, __u64 now)
{
	enum health_result r;
	int d;

	for (d = 0; d < HAULER_MAX_DEVICES; d++) {
		const struct health_check *c = &e->check[d];
		struct health_probe *p = &e->probe[d];

		if (c->type == HEALTH_NONE || p->fd >= 0 || !e->due_ns[d] || now < e->due_ns[d])
			continue;
		memset(p, 0, sizeof(*p));
		p->fd = -1;
		p->started_ns = now;
		p->deadline_ns = now + c->timeout_ms * NS_PER_MS;
		/* The next one counts from this start: one probe per interval. */
		e->due_ns[d] = now + c->interval_ms * NS_PER_MS;
		r = c->type == HEALTH_AGENT ? HEALTH_R_OK : probe_open(e, d);
		if (r != HEALTH_R_NONE)
			record(e, d, r, now);
	}
}

int health_http_status(const char *line, size_t len)
{
	int code = 0, i;

	/* "HTTP/1.x DDD" */
	if (len < 12 || memcmp(line, "HTTP/1.", 7) || line[8] != ' ')
		return -1;
	for (i = 9; i < 12; i++) {
		if (line[i] < '0' || line[i] > '9')
			return -1;
		code = code * 10 + line[i] - '0';
	}
	if (len > 12 && line[12] != ' ' && line[12] != '\r' && line[12] != '\n')
		return -1;
	return code;
}

static int http_request(const struct health_engine *e, int d, char *buf)
{
	const struct health_target *t = &e->target[d];
	char host[INET6_ADDRSTRLEN];

	inet_ntop(t->family == 6 ? AF_INET6 : AF_INET, t->addr, host, sizeof(host));
	return snprintf(buf, HTTP_REQ_LEN,
			"GET %s HTTP/1.0\r\nHost: %s%s%s:%u\r\nUser-Agent: hauler-health\r\n"
			"Connection: close\r\n\r\n",
			e->check[d].path, t->family == 6 ? "[" : "", host,
			t->family == 6 ? "]" : "", ntohs(t->port));
}

/* The connection is up: tcp passes; http sends (the rest of) its request. */
static enum health_result on_writable(struct health_engine *e, int d)
{
	struct health_probe *p = &e->probe[d];
	char req[HTTP_REQ_LEN];
	int err = 0, len;
	socklen_t elen = sizeof(err);
	ssize_t n;

	if (p->phase == PHASE_CONNECT) {
		if (getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &err, &elen))
			err = errno;
		if (err)
			return errno_result(err);
		if (e->check[d].type == HEALTH_TCP)
			return HEALTH_R_OK;
		p->phase = PHASE_SEND;
	}
	len = http_request(e, d, req);
	n = send(p->fd, req + p->sent, len - p->sent, MSG_NOSIGNAL);
	if (n < 0)
		return errno == EAGAIN ? HEALTH_R_NONE : errno_result(errno);
	p->sent += n;
	if (p->sent < len)
		return HEALTH_R_NONE;
	p->phase = PHASE_READ;
	return watch(e, d, EPOLLIN) ? HEALTH_R_ERROR : HEALTH_R_NONE;
}

static enum health_result udp_reply(const struct health_engine *e, int d)
{
	const struct health_check *c = &e->check[d];
	char buf[2048];
	ssize_t n = recv(e->probe[d].fd, buf, sizeof(buf), 0);

	if (n < 0)
		return errno == EAGAIN ? HEALTH_R_NONE : errno_result(errno);
	if (!c->expect_len || memmem(buf, n, c->expect, c->expect_len))
		return HEALTH_R_OK;
	return HEALTH_R_BAD_REPLY;
}

/* Read until the status line is whole; only it matters. */
static enum health_result http_reply(struct health_engine *e, int d)
{
	struct health_probe *p = &e->probe[d];
	ssize_t n = recv(p->fd, p->reply + p->got, sizeof(p->reply) - p->got, 0);
	int code;

	if (n < 0)
		return errno == EAGAIN ? HEALTH_R_NONE : errno_result(errno);
	p->got += n;
	if (n && !memchr(p->reply, '\n', p->got) && p->got < sizeof(p->reply))
		return HEALTH_R_NONE;
	if (!p->got)
		return HEALTH_R_CLOSED;
	code = health_http_status(p->reply, p->got);
	return code >= 200 && code < 400 ? HEALTH_R_OK : HEALTH_R_BAD_REPLY;
}

static enum health_result on_event(struct health_engine *e, int d, __u32 events)
{
	struct health_probe *p = &e->probe[d];

	if (p->phase != PHASE_READ)
		return on_writable(e, d); /* SO_ERROR tells a failed connect */
	if (e->check[d].type == HEALTH_UDP)
		return udp_reply(e, d);
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
		return http_reply(e, d);
	return HEALTH_R_NONE;
}

int health_engine_poll(struct health_engine *e, int timeout_ms, __u64 (*clock)(void))
{
	struct epoll_event ev[EPOLL_BATCH];
	enum health_result r;
	int n, i;
	__u64 now;

	n = epoll_wait(e->epfd, ev, EPOLL_BATCH, timeout_ms);
	if (n <= 0)
		return 0; /* a signal (EINTR) or nothing ready */
	now = clock();
	for (i = 0; i < n; i++) {
		__u32 d = ev[i].data.u32;

		if (d >= HAULER_MAX_DEVICES || e->probe[d].fd < 0)
			continue;
		r = on_event(e, d, ev[i].events);
		if (r != HEALTH_R_NONE)
			record(e, d, r, now);
	}
	return n;
}

void health_engine_expire(struct health_engine *e, __u64 now)
{
	int d;

	for (d = 0; d < HAULER_MAX_DEVICES; d++)
		if (e->probe[d].fd >= 0 && now >= e->probe[d].deadline_ns)
			record(e, d, HEALTH_R_TIMEOUT, now);
}

__u64 health_engine_next(const struct health_engine *e)
{
	__u64 next = 0, t;
	int d;

	for (d = 0; d < HAULER_MAX_DEVICES; d++) {
		if (e->check[d].type == HEALTH_NONE)
			continue;
		t = e->probe[d].fd >= 0 ? e->probe[d].deadline_ns : e->due_ns[d];
		if (t && (!next || t < next))
			next = t;
	}
	return next;
}
