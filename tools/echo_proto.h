/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * echo_proto.h - what echod and connload agree on, and the small socket
 * helpers both use.
 *
 * TCP: on accept the server sends a banner of ECHO_BANNER_LEN bytes (its
 * name, NUL-padded), then echoes every byte. UDP: each datagram is answered
 * with the banner followed by the datagram itself. The banner tells the
 * client which device served it.
 */
#ifndef HAULER_ECHO_PROTO_H
#define HAULER_ECHO_PROTO_H

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

#define ECHO_BANNER_LEN 16

/* A socket address and its length, IPv4 or IPv6. */
struct echo_addr {
	struct sockaddr_storage ss;
	socklen_t len;
};

static inline int echo_set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* Parse a port number 1..65535; -1 when s is not one. */
static inline int echo_parse_port(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 1 || v > 65535)
		return -1;
	return (int)v;
}

/* Fill a from a literal address and a port; -1 when addr is not one. */
static inline int echo_make_addr(struct echo_addr *a, const char *addr, int port)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&a->ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&a->ss;

	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		a->len = sizeof(*s4);
		return 0;
	}
	if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		a->len = sizeof(*s6);
		return 0;
	}
	return -1;
}

/* Parse "ADDR:PORT" or "[ADDR6]:PORT"; -1 on a malformed string. */
static inline int echo_parse_hostport(struct echo_addr *a, const char *s)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon;
	size_t len;
	int port;

	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':')
			return -1;
		len = close - s - 1;
		colon = close + 1;
		s++;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return -1;
		len = colon - s;
	}
	if (len == 0 || len >= sizeof(host))
		return -1;
	memcpy(host, s, len);
	host[len] = '\0';
	port = echo_parse_port(colon + 1);
	if (port < 0)
		return -1;
	return echo_make_addr(a, host, port);
}

/* Thousands of sockets need more than the default 1024 descriptors. */
static inline void echo_raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static inline uint64_t echo_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#endif
