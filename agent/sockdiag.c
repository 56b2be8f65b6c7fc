// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sockdiag.c - the service port's pending requests and connections, from
 * the kernel's socket table (NETLINK_SOCK_DIAG, inet_diag).
 *
 * TCP (--proto tcp): for a listening socket idiag_rqueue is the accept
 * queue's length and idiag_wqueue its backlog; established sockets with
 * the port as local port are the live connections.
 *
 * UDP (--proto udp): every socket bound to the port (SO_REUSEPORT siblings
 * too, connected or not): idiag_rqueue is the bytes waiting in its receive
 * queue (what `ss -u` shows as Recv-Q: datagrams counted at their
 * in-kernel size, skb truesize, not their payload), and the
 * INET_DIAG_SKMEMINFO attribute gives its receive buffer (sk_rcvbuf).
 * The kernel drops datagrams once the queue reaches the buffer, so
 * queue / buffer is the fill that matters; connected sockets count as
 * live connections.
 *
 * One dump per address family; the kernel filters by port
 * (id.idiag_sport) and the parser checks it again.
 *
 * Listeners are cheap to dump (the listening hash is small), established
 * sockets are not: the kernel walks every bucket of the established hash
 * (262144 on a small host: about 0.3 ms per family). So the accept queue
 * is read for every report and the connections every conns_interval_ms.
 * A listener that appears between counts is seen at the next count.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/inet_diag.h>

#include "agent.h"

int sockdiag_open(struct sockdiag_collector *c, int proto, int port, unsigned int conns_interval_ms)
{
	memset(c, 0, sizeof(*c));
	c->proto = (__u8)proto;
	c->port = (__u16)port;
	c->conns_interval_ms = conns_interval_ms;
	c->fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (c->fd < 0) {
		agent_err("port %d: cannot open a sock_diag socket: %s", port, strerror(errno));
		return -1;
	}
	return 0;
}

/* sk_rcvbuf from a message's INET_DIAG_SKMEMINFO attribute; 0 when absent. */
static __u32 msg_rcvbuf(const struct nlmsghdr *h, const struct inet_diag_msg *m)
{
	const struct rtattr *a = (const struct rtattr *)(m + 1);
	int rest = (int)h->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*m));

	for (; RTA_OK(a, rest); a = RTA_NEXT(a, rest))
		if (a->rta_type == INET_DIAG_SKMEMINFO &&
		    RTA_PAYLOAD(a) >= (SK_MEMINFO_RCVBUF + 1) * sizeof(__u32))
			return ((const __u32 *)RTA_DATA(a))[SK_MEMINFO_RCVBUF];
	return 0;
}

/*
 * Add one reply buffer of a dump of proto (IPPROTO_TCP or IPPROTO_UDP) to
 * n. Returns 1 when the dump is complete (NLMSG_DONE), 0 when more
 * messages follow, -1 on an error message.
 */
int sockdiag_parse(const void *buf, size_t len, int proto, __u16 port, __u32 seq,
		   struct sockdiag_count *n)
{
	const struct nlmsghdr *h = buf;
	int rest = (int)len;

	for (; NLMSG_OK(h, rest); h = NLMSG_NEXT(h, rest)) {
		const struct inet_diag_msg *m = NLMSG_DATA(h);

		if (h->nlmsg_seq != seq)
			continue; /* a late answer to an earlier request */
		if (h->nlmsg_type == NLMSG_DONE)
			return 1;
		if (h->nlmsg_type == NLMSG_ERROR)
			return -1;
		if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
		    h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)) || ntohs(m->id.idiag_sport) != port)
			continue;
		if (proto == IPPROTO_UDP) {
			__u32 rcvbuf = msg_rcvbuf(h, m);

			if (!rcvbuf)
				continue; /* no buffer size: the fill is unknown */
			n->listeners++;
			n->rqueue_bytes += m->idiag_rqueue;
			n->rcvbuf += rcvbuf;
			n->established += m->idiag_state == TCP_ESTABLISHED;
		} else if (m->idiag_state == TCP_LISTEN) {
			n->listeners++;
			n->accept_queue += m->idiag_rqueue;
			n->backlog += m->idiag_wqueue;
		} else if (m->idiag_state == TCP_ESTABLISHED) {
			n->established++;
		}
	}
	return 0;
}

/* TCP: accept queue / backlog; UDP: receive-queue bytes / receive buffer. */
double sockdiag_queue_pct(const struct sockdiag_count *n)
{
	if (n->rcvbuf)
		return 100.0 * (double)n->rqueue_bytes / (double)n->rcvbuf;
	return n->backlog ? 100.0 * (double)n->accept_queue / (double)n->backlog : 0;
}

/*
 * The queue metric with the application's requests in flight (pushed to
 * the agent; capacity: --queue-capacity, the number that means full; 0:
 * none pushed). TCP: the requests waiting to be accepted plus those in
 * flight, over the backlog plus the capacity. UDP: bytes and requests do
 * not add up, so the fuller of the receive queue and the in-flight count.
 */
double sockdiag_pending_pct(const struct sockdiag_count *n, __u32 inflight, __u32 capacity)
{
	double app;

	if (!capacity)
		return sockdiag_queue_pct(n);
	app = 100.0 * (double)inflight / (double)capacity;
	if (n->rcvbuf) {
		double sock = sockdiag_queue_pct(n);

		return sock > app ? sock : app;
	}
	return 100.0 * (double)(n->accept_queue + inflight) / (double)(n->backlog + capacity);
}

static int dump_family(struct sockdiag_collector *c, int family, __u32 states,
		       struct sockdiag_count *n)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 r;
	} req;
	struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
	static __u32 buf[8192]; /* aligned for nlmsghdr */
	ssize_t len;
	int done = 0;

	memset(&req, 0, sizeof(req));
	req.nlh.nlmsg_len = sizeof(req);
	req.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nlh.nlmsg_seq = ++c->seq;
	req.r.sdiag_family = (__u8)family;
	req.r.sdiag_protocol = c->proto;
	req.r.idiag_states = states;
	if (c->proto == IPPROTO_UDP)
		req.r.idiag_ext = 1 << (INET_DIAG_SKMEMINFO - 1);
	req.r.id.idiag_sport = htons(c->port);
	if (sendto(c->fd, &req, sizeof(req), 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		return -1;
	while (!done) {
		len = recv(c->fd, buf, sizeof(buf), 0);
		if (len < 0 && errno == EINTR)
			continue;
		if (len <= 0)
			return -1;
		done = sockdiag_parse(buf, (size_t)len, c->proto, c->port, c->seq, n);
		if (done < 0)
			return -1;
	}
	return 0;
}

/*
 * The port's queues (TCP listeners' accept queues, UDP sockets' receive
 * queues) and its established connections.
 * Between counts only the families that had listeners at the last count
 * are dumped: one dump a report for a service on 0.0.0.0 or [::].
 */
int sockdiag_sample(struct sockdiag_collector *c, __u64 now_ns, struct sockdiag_count *out,
		    __u32 *live)
{
	__u32 listen = 1u << TCP_LISTEN, all = listen | 1u << TCP_ESTABLISHED;
	struct sockdiag_count n4 = {0}, n6 = {0}, n = {0};
	int count_conns;

	/* A UDP socket is unconnected (TCP_CLOSE) or connected: every state. */
	if (c->proto == IPPROTO_UDP)
		listen = all = ~0u;

	count_conns =
	    !c->conns_t_ns || now_ns - c->conns_t_ns >= (__u64)c->conns_interval_ms * 1000000;
	if ((count_conns || c->listen_v4) &&
	    dump_family(c, AF_INET, count_conns ? all : listen, &n4) < 0)
		goto fail;
	if ((count_conns || c->listen_v6) &&
	    dump_family(c, AF_INET6, count_conns ? all : listen, &n6) < 0)
		goto fail;
	if (count_conns) {
		c->established = n4.established + n6.established;
		c->listen_v4 = n4.listeners > 0;
		c->listen_v6 = n6.listeners > 0;
		c->conns_t_ns = now_ns ? now_ns : 1;
	}
	n.accept_queue = n4.accept_queue + n6.accept_queue;
	n.backlog = n4.backlog + n6.backlog;
	n.rqueue_bytes = n4.rqueue_bytes + n6.rqueue_bytes;
	n.rcvbuf = n4.rcvbuf + n6.rcvbuf;
	*out = n;
	*live = c->established;
	return 0;
fail:
	agent_err("port %u: sock_diag dump failed: %s", c->port, strerror(errno));
	return -1;
}

void sockdiag_close(struct sockdiag_collector *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}
