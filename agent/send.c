// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * send.c - where reports go: a UDP datagram to the balancer's report
 * address (from the device's own address when --source is given: the
 * balancer checks it), or a raw Ethernet frame of type
 * HAULER_REPORT_ETHERTYPE on an interface (AF_PACKET; the kernel writes
 * the Ethernet header).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <linux/if_packet.h>

#include "hauler_report.h"
#include "agent.h"

/* "1.2.3.4", "1.2.3.4:80", "fd00::1", "[fd00::1]:80": numeric only, no DNS. */
int agent_parse_hostport(const char *text, int default_port, struct sockaddr_storage *ss,
			 unsigned int *len)
{
	char host[128];
	const char *port = NULL, *colon = strrchr(text, ':');
	long p = default_port;
	char *end;

	memset(ss, 0, sizeof(*ss));
	if (text[0] == '[') {
		const char *close = strchr(text, ']');

		if (!close || (size_t)(close - text - 1) >= sizeof(host) ||
		    (close[1] && close[1] != ':'))
			goto bad;
		snprintf(host, sizeof(host), "%.*s", (int)(close - text - 1), text + 1);
		port = close[1] ? close + 2 : NULL;
	} else if (colon && strchr(text, ':') == colon) {
		snprintf(host, sizeof(host), "%.*s", (int)(colon - text), text);
		port = colon + 1;
	} else {
		snprintf(host, sizeof(host), "%s", text);
	}
	if (port) {
		p = strtol(port, &end, 10);
		if (end == port || *end)
			goto bad;
	}
	if (p < 1 || p > 65535)
		goto bad;
	if (inet_pton(AF_INET, host, &((struct sockaddr_in *)ss)->sin_addr) == 1) {
		ss->ss_family = AF_INET;
		((struct sockaddr_in *)ss)->sin_port = htons((__u16)p);
		*len = sizeof(struct sockaddr_in);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &((struct sockaddr_in6 *)ss)->sin6_addr) == 1) {
		ss->ss_family = AF_INET6;
		((struct sockaddr_in6 *)ss)->sin6_port = htons((__u16)p);
		*len = sizeof(struct sockaddr_in6);
		return 0;
	}
bad:
	agent_err("'%s' is not %s with a numeric address ([ADDR]:PORT for IPv6)", text,
		  default_port ? "ADDR[:PORT]" : "ADDR:PORT");
	return -1;
}

static int open_udp(struct sender *s, const struct agent_config *cfg)
{
	struct sockaddr_storage *to = &s->to.ip, src;
	unsigned int src_len;

	if (agent_parse_hostport(cfg->balancer, HAULER_REPORT_PORT, to, &s->to_len) < 0)
		return -1;
	s->fd = socket(to->ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s->fd < 0) {
		agent_err("cannot open a UDP socket: %s", strerror(errno));
		return -1;
	}
	if (cfg->source[0]) {
		char with_port[80];

		snprintf(with_port, sizeof(with_port), strchr(cfg->source, ':') ? "[%s]:1" : "%s:1",
			 cfg->source);
		if (agent_parse_hostport(with_port, 1, &src, &src_len) < 0)
			return -1;
		((struct sockaddr_in *)&src)->sin_port = 0; /* same offset in sockaddr_in6 */
		if (src.ss_family != to->ss_family) {
			agent_err("source %s and balancer %s are of different families",
				  cfg->source, cfg->balancer);
			return -1;
		}
		if (bind(s->fd, (struct sockaddr *)&src, src_len) < 0) {
			agent_err("cannot send from %s: %s", cfg->source, strerror(errno));
			return -1;
		}
	}
	/*
	 * Connected: each report is a send() without a route lookup. An ICMP
	 * error (balancer restarting) fails one send, which is skipped.
	 */
	if (connect(s->fd, (struct sockaddr *)to, s->to_len) < 0) {
		agent_err("cannot send to %s: %s", cfg->balancer, strerror(errno));
		return -1;
	}
	s->connected = 1;
	return 0;
}

static int open_ether(struct sender *s, const struct agent_config *cfg)
{
	struct sockaddr_ll *ll = (struct sockaddr_ll *)s->to.ll;
	unsigned int ifindex = if_nametoindex(cfg->ether_if);

	_Static_assert(sizeof(s->to.ll) >= sizeof(struct sockaddr_ll), "sockaddr_ll fits");
	if (!ifindex) {
		agent_err("ether %s: no such interface", cfg->ether_if);
		return -1;
	}
	s->fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(HAULER_REPORT_ETHERTYPE));
	if (s->fd < 0) {
		agent_err("cannot open a packet socket (needs CAP_NET_RAW): %s", strerror(errno));
		return -1;
	}
	memset(ll, 0, sizeof(*ll));
	ll->sll_family = AF_PACKET;
	ll->sll_protocol = htons(HAULER_REPORT_ETHERTYPE);
	ll->sll_ifindex = (int)ifindex;
	ll->sll_halen = 6;
	memcpy(ll->sll_addr, cfg->ether_dst, 6);
	s->to_len = sizeof(*ll);
	s->ether = 1;
	return 0;
}

int sender_open(struct sender *s, const struct agent_config *cfg)
{
	int ret;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	ret = cfg->ether_if[0] ? open_ether(s, cfg) : open_udp(s, cfg);
	if (ret < 0)
		sender_close(s);
	return ret;
}

int sender_send(struct sender *s, const void *buf, size_t len)
{
	ssize_t n = s->connected ? send(s->fd, buf, len, 0)
				 : sendto(s->fd, buf, len, 0, (struct sockaddr *)&s->to, s->to_len);

	if (n == (ssize_t)len)
		return 0;
	return -1;
}

void sender_close(struct sender *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}
