// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * latency.c - the service's latency, from either or both of:
 *   - a TCP connect probe every probe_interval_ms: the time until the
 *     handshake completes (LATENCY_UNREACHABLE when it fails or takes
 *     the whole interval);
 *   - a unix datagram socket where the application pushes its own figure,
 *     one datagram of decimal microseconds ("1500\n").
 * The newest value is reported until it is older than max_age_ms.
 *
 * The same socket takes the application's requests in flight (accepted,
 * not yet answered), "inflight 12\n", for the queue metric (sockdiag.c,
 * sockdiag_pending_pct); the same max_age_ms applies.
 * Nothing here blocks: the main loop polls the sockets.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "agent.h"

int latency_parse(const char *text, size_t len, __u32 *us)
{
	unsigned long long v = 0;
	size_t i = 0;

	while (i < len && (text[i] == ' ' || text[i] == '\t'))
		i++;
	if (i == len || text[i] < '0' || text[i] > '9')
		return -1;
	for (; i < len && text[i] >= '0' && text[i] <= '9'; i++) {
		v = v * 10 + (unsigned long long)(text[i] - '0');
		if (v >= LATENCY_UNREACHABLE)
			return -1;
	}
	while (i < len && (text[i] == '\n' || text[i] == '\r' || text[i] == ' ' || !text[i]))
		i++;
	if (i != len)
		return -1;
	*us = (__u32)v;
	return 0;
}

int latency_open(struct latency_collector *c, const struct agent_config *cfg)
{
	memset(c, 0, sizeof(*c));
	c->push_fd = c->probe_fd = -1;
	c->interval_ms = cfg->probe_interval_ms;
	c->max_age_ms = cfg->latency_max_age_ms;
	snprintf(c->probe, sizeof(c->probe), "%s", cfg->probe);
	if (cfg->probe[0]) {
		struct sockaddr_storage ss;
		unsigned int len;

		if (agent_parse_hostport(cfg->probe, 0, &ss, &len) < 0)
			return -1;
	}
	if (cfg->latency_socket[0]) {
		struct sockaddr_un un = {.sun_family = AF_UNIX};
		struct stat st;

		if (strlen(cfg->latency_socket) >= sizeof(un.sun_path)) {
			agent_err("latency-socket %s: longer than %zu characters",
				  cfg->latency_socket, sizeof(un.sun_path) - 1);
			return -1;
		}
		snprintf(un.sun_path, sizeof(un.sun_path), "%s", cfg->latency_socket);
		/* Only a stale socket (an earlier agent's) is removed: never a file or a link. */
		if (!lstat(cfg->latency_socket, &st)) {
			if (!S_ISSOCK(st.st_mode)) {
				agent_err("latency-socket %s: exists and is not a socket",
					  cfg->latency_socket);
				return -1;
			}
			unlink(cfg->latency_socket);
		}
		c->push_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (c->push_fd < 0 || bind(c->push_fd, (struct sockaddr *)&un, sizeof(un)) < 0) {
			agent_err("latency-socket %s: %s", cfg->latency_socket, strerror(errno));
			latency_close(c);
			return -1;
		}
		/* Ours now: latency_close removes it (and nothing it did not bind). */
		snprintf(c->push_path, sizeof(c->push_path), "%s", cfg->latency_socket);
	}
	return 0;
}

static void probe_start(struct latency_collector *c, __u64 now_ns)
{
	struct sockaddr_storage ss;
	unsigned int len;

	c->next_probe_ns = now_ns + (__u64)c->interval_ms * 1000000;
	if (agent_parse_hostport(c->probe, 0, &ss, &len) < 0)
		return;
	c->probe_fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->probe_fd < 0)
		return;
	c->probe_start_ns = now_ns;
	if (connect(c->probe_fd, (struct sockaddr *)&ss, len) == 0 || errno == EINPROGRESS)
		return;
	/* Refused at once (no listener): unreachable. */
	c->value_us = LATENCY_UNREACHABLE;
	c->value_t_ns = now_ns;
	close(c->probe_fd);
	c->probe_fd = -1;
}

static void probe_end(struct latency_collector *c, __u64 now_ns, int ok)
{
	__u64 us = (now_ns - c->probe_start_ns) / 1000;

	c->value_us = ok ? (__u32)(us < LATENCY_UNREACHABLE ? us : LATENCY_UNREACHABLE - 1)
			 : LATENCY_UNREACHABLE;
	c->value_t_ns = now_ns;
	close(c->probe_fd);
	c->probe_fd = -1;
}

/*
 * The sockets to poll, in fds (up to 2); starts a probe when one is due
 * and lowers *wake_ns to the next probe's time. Returns how many fds.
 */
int latency_fds(struct latency_collector *c, struct pollfd *fds, __u64 now_ns, __u64 *wake_ns)
{
	int n = 0;

	if (c->probe[0]) {
		if (c->probe_fd >= 0 && now_ns >= c->next_probe_ns)
			probe_end(c, now_ns, 0); /* took the whole interval */
		if (c->probe_fd < 0 && now_ns >= c->next_probe_ns)
			probe_start(c, now_ns);
		if (c->next_probe_ns < *wake_ns)
			*wake_ns = c->next_probe_ns;
	}
	if (c->probe_fd >= 0)
		fds[n++] = (struct pollfd){.fd = c->probe_fd, .events = POLLOUT};
	if (c->push_fd >= 0)
		fds[n++] = (struct pollfd){.fd = c->push_fd, .events = POLLIN};
	return n;
}

#define INFLIGHT     "inflight "
#define INFLIGHT_LEN (sizeof(INFLIGHT) - 1)

void latency_events(struct latency_collector *c, const struct pollfd *fds, int n, __u64 now_ns)
{
	for (int i = 0; i < n; i++) {
		if (!fds[i].revents)
			continue;
		if (fds[i].fd == c->probe_fd) {
			int err = 0;
			socklen_t len = sizeof(err);

			getsockopt(c->probe_fd, SOL_SOCKET, SO_ERROR, &err, &len);
			probe_end(c, now_ns, !err && !(fds[i].revents & (POLLERR | POLLHUP)));
		} else if (fds[i].fd == c->push_fd) {
			char buf[64];
			ssize_t len;
			__u32 us;

			while ((len = recv(c->push_fd, buf, sizeof(buf), 0)) >= 0) {
				if (len > (ssize_t)INFLIGHT_LEN &&
				    !strncmp(buf, INFLIGHT, INFLIGHT_LEN)) {
					if (latency_parse(buf + INFLIGHT_LEN,
							  (size_t)len - INFLIGHT_LEN, &us) == 0) {
						c->inflight = us;
						c->inflight_t_ns = now_ns;
					}
				} else if (latency_parse(buf, (size_t)len, &us) == 0) {
					c->value_us = us;
					c->value_t_ns = now_ns;
				}
			}
		}
	}
}

static int fresh(const struct latency_collector *c, __u64 t_ns, __u64 now_ns)
{
	return t_ns && now_ns - t_ns <= (__u64)c->max_age_ms * 1000000;
}

/* The latency to report: 1 with *us, 0 when there is none (or too old). */
int latency_value(const struct latency_collector *c, __u64 now_ns, __u32 *us)
{
	if (!fresh(c, c->value_t_ns, now_ns))
		return 0;
	*us = c->value_us;
	return 1;
}

/* The application's requests in flight: 1 with *n, 0 when none was pushed (or too old). */
int latency_inflight(const struct latency_collector *c, __u64 now_ns, __u32 *n)
{
	if (!fresh(c, c->inflight_t_ns, now_ns))
		return 0;
	*n = c->inflight;
	return 1;
}

void latency_close(struct latency_collector *c)
{
	if (c->probe_fd >= 0)
		close(c->probe_fd);
	if (c->push_fd >= 0) {
		close(c->push_fd);
		if (c->push_path[0])
			unlink(c->push_path);
		c->push_path[0] = '\0';
	}
	c->probe_fd = c->push_fd = -1;
}
