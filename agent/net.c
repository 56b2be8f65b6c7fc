// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * net.c - interface utilization: bytes received and sent since the
 * previous sample (/sys/class/net/IF/statistics) against the interface's
 * bandwidth, configured or read from /sys/class/net/IF/speed. Links are
 * full duplex, so the busier direction is the utilization.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"

int net_open(struct net_collector *c, const struct agent_config *cfg)
{
	char path[AGENT_PATH_MAX];

	memset(c, 0, sizeof(*c));
	c->fd_rx = c->fd_tx = -1;
	c->bandwidth_bps = cfg->bandwidth_bps;
	if (!c->bandwidth_bps) {
		char buf[64];
		long mbps = -1;
		int fd;

		snprintf(path, sizeof(path), "/sys/class/net/%s/speed", cfg->iface);
		fd = agent_open(cfg->root, path, 1);
		if (fd >= 0 && agent_read(fd, buf, sizeof(buf)) > 0)
			mbps = strtol(buf, NULL, 10);
		if (fd >= 0)
			close(fd);
		if (mbps <= 0) {
			agent_err(
			    "iface %s: its speed is unknown (virtual interface?): give --bandwidth",
			    cfg->iface);
			return -1;
		}
		c->bandwidth_bps = (__u64)mbps * 1000000;
	}
	snprintf(path, sizeof(path), "/sys/class/net/%s/statistics/rx_bytes", cfg->iface);
	c->fd_rx = agent_open(cfg->root, path, 0);
	snprintf(path, sizeof(path), "/sys/class/net/%s/statistics/tx_bytes", cfg->iface);
	c->fd_tx = agent_open(cfg->root, path, 0);
	if (c->fd_rx < 0 || c->fd_tx < 0) {
		net_close(c);
		return -1;
	}
	return 0;
}

/* As cmp_sample: 0 with *pct, 1 for the first sample, -1 on a read error. */
int net_sample(struct net_collector *c, __u64 now_ns, unsigned int window_ms, double *pct)
{
	__u64 rx, tx, busier;
	double seconds;

	if (c->have_prev && now_ns - c->t_ns < (__u64)window_ms * 1000000) {
		*pct = c->last;
		return c->have_prev > 1 ? 0 : 1;
	}
	if (agent_read_u64(c->fd_rx, &rx) < 0 || agent_read_u64(c->fd_tx, &tx) < 0) {
		agent_err("net: cannot read the interface statistics");
		return -1;
	}
	if (!c->have_prev || rx < c->rx || tx < c->tx || now_ns <= c->t_ns) {
		/* First sample, or the counters were reset: a new base. */
		int first = c->have_prev < 2;

		c->rx = rx;
		c->tx = tx;
		c->t_ns = now_ns;
		c->have_prev = c->have_prev ? c->have_prev : 1;
		*pct = c->last;
		return first ? 1 : 0;
	}
	busier = rx - c->rx > tx - c->tx ? rx - c->rx : tx - c->tx;
	seconds = (double)(now_ns - c->t_ns) / 1e9;
	c->last = 100.0 * (double)busier * 8 / (seconds * (double)c->bandwidth_bps);
	c->rx = rx;
	c->tx = tx;
	c->t_ns = now_ns;
	c->have_prev = 2;
	*pct = c->last;
	return 0;
}

void net_close(struct net_collector *c)
{
	if (c->fd_rx >= 0)
		close(c->fd_rx);
	if (c->fd_tx >= 0)
		close(c->fd_tx);
	c->fd_rx = c->fd_tx = -1;
}
