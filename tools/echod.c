// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * echod - the test backend: a single-threaded epoll echo server that
 * names itself. TCP: a 16-byte banner (its name) on accept, then every
 * byte echoed. UDP: each datagram answered with banner + datagram, sent
 * from the address it was received on (so a device holding the VIP on
 * its loopback answers from the VIP in direct-server-return setups).
 *
 *   echod --name ID [--tcp PORT]... [--udp PORT]... [--bind ADDR] [--pidfile F]
 *
 * The pid file is written once every socket listens: its existence means
 * "ready". SIGTERM or SIGINT ends it cleanly (pid file removed).
 */
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "echo_proto.h"

#define MAX_PORTS      8
#define CONN_BUF       16384
#define UDP_MAX	       65536
#define LISTEN_BACKLOG 4096
#define UDP_BATCH      64

enum ev_kind { EV_TCP_LISTEN, EV_UDP, EV_CONN, EV_SIGNAL };

/* Every epoll registration points at a struct starting with its kind. */
struct ev_source {
	enum ev_kind kind;
	int fd;
};

/* One accepted TCP connection: bytes read but not yet echoed back. */
struct conn {
	struct ev_source src;
	size_t len, off;
	bool writing; /* waiting for EPOLLOUT; not reading meanwhile */
	char buf[CONN_BUF];
};

struct echod {
	char banner[ECHO_BANNER_LEN];
	const char *bind_addr;
	const char *pidfile;
	int tcp_ports[MAX_PORTS], n_tcp;
	int udp_ports[MAX_PORTS], n_udp;
	int epfd;
	struct ev_source listeners[2 * MAX_PORTS];
	int n_listeners;
	struct ev_source sig;
	unsigned long live;
};

static void die(const char *what)
{
	fprintf(stderr, "echod: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void usage(void)
{
	fprintf(stderr, "usage: echod --name ID [--tcp PORT]... [--udp PORT]... "
			"[--bind ADDR] [--pidfile FILE]\n");
	exit(1);
}

static int ep_ctl(struct echod *e, int op, struct ev_source *src, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = src};

	return epoll_ctl(e->epfd, op, src->fd, &ev);
}

/* A socket bound to the --bind address (default ::, dual-stack). */
static int open_socket(const struct echod *e, int type, int port)
{
	struct echo_addr a;
	int fd, one = 1, zero = 0;

	if (echo_make_addr(&a, e->bind_addr, port)) {
		fprintf(stderr, "echod: bad bind address '%s'\n", e->bind_addr);
		exit(1);
	}
	fd = socket(a.ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (a.ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (type == SOCK_DGRAM) {
		/* Learn each datagram's local address to answer from it. */
		if (a.ss.ss_family == AF_INET6)
			setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one));
		else
			setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
	}
	if (bind(fd, (struct sockaddr *)&a.ss, a.len))
		die("bind");
	if (type == SOCK_STREAM && listen(fd, LISTEN_BACKLOG))
		die("listen");
	return fd;
}

static void add_listener(struct echod *e, enum ev_kind kind, int port)
{
	struct ev_source *src = &e->listeners[e->n_listeners++];

	src->kind = kind;
	src->fd = open_socket(e, kind == EV_UDP ? SOCK_DGRAM : SOCK_STREAM, port);
	if (ep_ctl(e, EPOLL_CTL_ADD, src, EPOLLIN))
		die("epoll_ctl");
}

static void conn_close(struct echod *e, struct conn *c)
{
	close(c->src.fd); /* also leaves the epoll set */
	free(c);
	e->live--;
}

/* Write what is buffered; then read again or wait until writable. */
static void conn_flush(struct echod *e, struct conn *c)
{
	while (c->off < c->len) {
		ssize_t n = send(c->src.fd, c->buf + c->off, c->len - c->off, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (errno == EINTR)
				continue;
			conn_close(e, c);
			return;
		}
		c->off += n;
	}
	if (c->off == c->len) {
		c->off = c->len = 0;
		if (c->writing) {
			c->writing = false;
			ep_ctl(e, EPOLL_CTL_MOD, &c->src, EPOLLIN);
		}
	} else if (!c->writing) {
		/* Stop reading until the peer takes what we owe it. */
		c->writing = true;
		ep_ctl(e, EPOLL_CTL_MOD, &c->src, EPOLLOUT);
	}
}

static void conn_readable(struct echod *e, struct conn *c)
{
	ssize_t n = recv(c->src.fd, c->buf, sizeof(c->buf), 0);

	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n <= 0) {
		conn_close(e, c);
		return;
	}
	c->len = n;
	c->off = 0;
	conn_flush(e, c);
}

static void accept_all(struct echod *e, int lfd)
{
	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct conn *c;

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				fprintf(stderr, "echod: accept: %s\n", strerror(errno));
			return;
		}
		c = malloc(sizeof(*c));
		if (!c) {
			close(fd);
			continue;
		}
		c->src.kind = EV_CONN;
		c->src.fd = fd;
		c->writing = false;
		memcpy(c->buf, e->banner, ECHO_BANNER_LEN);
		c->len = ECHO_BANNER_LEN;
		c->off = 0;
		if (ep_ctl(e, EPOLL_CTL_ADD, &c->src, EPOLLIN)) {
			close(fd);
			free(c);
			continue;
		}
		e->live++;
		conn_flush(e, c);
	}
}

/* Point the reply's source at the address the datagram came to. */
static void reply_source(struct msghdr *reply, const struct msghdr *req, char *ctl, size_t ctl_len)
{
	struct cmsghdr *in, *out;

	reply->msg_control = NULL;
	reply->msg_controllen = 0;
	for (in = CMSG_FIRSTHDR(req); in; in = CMSG_NXTHDR((struct msghdr *)req, in)) {
		if (in->cmsg_level == IPPROTO_IPV6 && in->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(in), sizeof(pi));
			pi.ipi6_ifindex = 0; /* route freely, not out of the tunnel */
			reply->msg_control = ctl;
			reply->msg_controllen = CMSG_SPACE(sizeof(pi));
			out = CMSG_FIRSTHDR(reply);
			out->cmsg_level = IPPROTO_IPV6;
			out->cmsg_type = IPV6_PKTINFO;
			out->cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(CMSG_DATA(out), &pi, sizeof(pi));
			return;
		}
		if (in->cmsg_level == IPPROTO_IP && in->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(in), sizeof(pi));
			pi.ipi_ifindex = 0;
			pi.ipi_spec_dst = pi.ipi_addr;
			reply->msg_control = ctl;
			reply->msg_controllen = CMSG_SPACE(sizeof(pi));
			out = CMSG_FIRSTHDR(reply);
			out->cmsg_level = IPPROTO_IP;
			out->cmsg_type = IP_PKTINFO;
			out->cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(CMSG_DATA(out), &pi, sizeof(pi));
			return;
		}
	}
	(void)ctl_len;
}

static void udp_readable(struct echod *e, int fd)
{
	static char data[UDP_MAX];
	int i;

	for (i = 0; i < UDP_BATCH; i++) {
		char in_ctl[256], out_ctl[256];
		struct sockaddr_storage peer;
		struct iovec iov_in = {data, sizeof(data)};
		struct iovec iov_out[2] = {{e->banner, ECHO_BANNER_LEN}, {data, 0}};
		struct msghdr req = {
		    .msg_name = &peer,
		    .msg_namelen = sizeof(peer),
		    .msg_iov = &iov_in,
		    .msg_iovlen = 1,
		    .msg_control = in_ctl,
		    .msg_controllen = sizeof(in_ctl),
		};
		struct msghdr reply = {0};
		ssize_t n = recvmsg(fd, &req, 0);

		if (n < 0)
			return; /* EAGAIN, or an ICMP error queued on the socket */
		iov_out[1].iov_len = n;
		reply.msg_name = &peer;
		reply.msg_namelen = req.msg_namelen;
		reply.msg_iov = iov_out;
		reply.msg_iovlen = 2;
		memset(out_ctl, 0, sizeof(out_ctl));
		reply_source(&reply, &req, out_ctl, sizeof(out_ctl));
		if (sendmsg(fd, &reply, MSG_DONTWAIT) < 0 && errno != EAGAIN)
			fprintf(stderr, "echod: udp reply: %s\n", strerror(errno));
	}
}

static void write_pidfile(const char *path)
{
	char tmp[4096];
	FILE *f;

	/* Written whole and renamed: a reader never sees it half done. */
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f || fprintf(f, "%d\n", getpid()) < 0 || fclose(f) || rename(tmp, path))
		die("pidfile");
}

static void parse_args(struct echod *e, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"name", required_argument, NULL, 'N'},
	    {"tcp", required_argument, NULL, 't'},
	    {"udp", required_argument, NULL, 'u'},
	    {"bind", required_argument, NULL, 'b'},
	    {"pidfile", required_argument, NULL, 'p'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *name = NULL;
	int opt, port;

	e->bind_addr = "::";
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'N':
			name = optarg;
			break;
		case 't':
		case 'u':
			port = echo_parse_port(optarg);
			if (port < 0) {
				fprintf(stderr, "echod: bad port '%s'\n", optarg);
				exit(1);
			}
			if ((opt == 't' ? e->n_tcp : e->n_udp) >= MAX_PORTS) {
				fprintf(stderr, "echod: at most %d ports of a kind\n", MAX_PORTS);
				exit(1);
			}
			if (opt == 't')
				e->tcp_ports[e->n_tcp++] = port;
			else
				e->udp_ports[e->n_udp++] = port;
			break;
		case 'b':
			e->bind_addr = optarg;
			break;
		case 'p':
			e->pidfile = optarg;
			break;
		default:
			usage();
		}
	}
	if (!name || optind != argc || (!e->n_tcp && !e->n_udp))
		usage();
	if (strlen(name) > ECHO_BANNER_LEN) {
		fprintf(stderr, "echod: name longer than %d bytes\n", ECHO_BANNER_LEN);
		exit(1);
	}
	strncpy(e->banner, name, ECHO_BANNER_LEN);
}

int main(int argc, char **argv)
{
	static struct echod e;
	struct epoll_event evs[256];
	bool running = true;
	sigset_t mask;
	int i;

	parse_args(&e, argc, argv);
	echo_raise_nofile();
	signal(SIGPIPE, SIG_IGN);
	e.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (e.epfd < 0)
		die("epoll_create1");

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	e.sig.kind = EV_SIGNAL;
	e.sig.fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (e.sig.fd < 0 || ep_ctl(&e, EPOLL_CTL_ADD, &e.sig, EPOLLIN))
		die("signalfd");

	for (i = 0; i < e.n_tcp; i++)
		add_listener(&e, EV_TCP_LISTEN, e.tcp_ports[i]);
	for (i = 0; i < e.n_udp; i++)
		add_listener(&e, EV_UDP, e.udp_ports[i]);
	if (e.pidfile)
		write_pidfile(e.pidfile);

	while (running) {
		int n = epoll_wait(e.epfd, evs, 256, -1);

		if (n < 0 && errno != EINTR)
			die("epoll_wait");
		for (i = 0; i < n; i++) {
			struct ev_source *src = evs[i].data.ptr;

			switch (src->kind) {
			case EV_TCP_LISTEN:
				accept_all(&e, src->fd);
				break;
			case EV_UDP:
				udp_readable(&e, src->fd);
				break;
			case EV_SIGNAL:
				running = false;
				break;
			case EV_CONN: {
				struct conn *c = (struct conn *)src;

				if (c->writing)
					conn_flush(&e, c);
				else
					conn_readable(&e, c);
				break;
			}
			}
		}
	}
	if (e.pidfile)
		unlink(e.pidfile);
	return 0;
}
