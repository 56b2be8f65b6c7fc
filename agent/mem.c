// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * mem.c - memory in use: the host's (MemTotal - MemAvailable of
 * /proc/meminfo), or a cgroup's usage over its limit (v2 memory.current /
 * memory.max, v1 memory.usage_in_bytes / memory.limit_in_bytes). A cgroup
 * without a limit is measured against the host's memory.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"

#define CGROUP_ROOT "/sys/fs/cgroup"

static int meminfo_read(int fd, __u64 *total_kb, __u64 *avail_kb)
{
	char buf[8192];

	if (agent_read(fd, buf, sizeof(buf)) <= 0 || agent_find_u64(buf, "MemTotal", total_kb) < 0)
		return -1;
	if (avail_kb && agent_find_u64(buf, "MemAvailable", avail_kb) < 0)
		return -1;
	return 0;
}

int mem_open(struct mem_collector *c, const struct agent_config *cfg)
{
	char path[AGENT_PATH_MAX + 64];
	__u64 total_kb;
	int fd;

	memset(c, 0, sizeof(*c));
	c->fd_usage = c->fd_limit = -1;
	fd = agent_open(cfg->root, "/proc/meminfo", 0);
	if (fd < 0)
		return -1;
	if (meminfo_read(fd, &total_kb, NULL) < 0 || !total_kb) {
		agent_err("mem: no MemTotal in %s/proc/meminfo", cfg->root);
		close(fd);
		return -1;
	}
	c->host_total = total_kb * 1024;
	if (!cfg->cgroup[0]) {
		c->fd_usage = fd;
		return 0;
	}
	close(fd);
	snprintf(path, sizeof(path), CGROUP_ROOT "/%s/memory.current", cfg->cgroup);
	c->fd_usage = agent_open(cfg->root, path, 1);
	c->cgroup_v2 = c->fd_usage >= 0;
	if (c->cgroup_v2) {
		snprintf(path, sizeof(path), CGROUP_ROOT "/%s/memory.max", cfg->cgroup);
	} else {
		snprintf(path, sizeof(path), CGROUP_ROOT "/memory/%s/memory.usage_in_bytes",
			 cfg->cgroup);
		c->fd_usage = agent_open(cfg->root, path, 1);
		snprintf(path, sizeof(path), CGROUP_ROOT "/memory/%s/memory.limit_in_bytes",
			 cfg->cgroup);
	}
	if (c->fd_usage < 0) {
		agent_err(
		    "cgroup %s: no memory.current (v2) or memory.usage_in_bytes (v1) under %s%s",
		    cfg->cgroup, cfg->root, CGROUP_ROOT);
		return -1;
	}
	c->fd_limit = agent_open(cfg->root, path, 0);
	if (c->fd_limit < 0) {
		mem_close(c);
		return -1;
	}
	return 0;
}

/* Memory in use, in percent; 0 or -1 when the files cannot be read. */
int mem_sample(struct mem_collector *c, double *pct)
{
	__u64 used, limit;

	if (c->fd_limit < 0) {
		__u64 total_kb, avail_kb;

		if (meminfo_read(c->fd_usage, &total_kb, &avail_kb) < 0 || !total_kb) {
			agent_err("mem: cannot parse meminfo");
			return -1;
		}
		*pct = 100.0 * (double)(total_kb - (avail_kb < total_kb ? avail_kb : total_kb)) /
		       (double)total_kb;
		return 0;
	}
	if (agent_read_u64(c->fd_usage, &used) < 0) {
		agent_err("mem: cannot read the cgroup's usage");
		return -1;
	}
	/* v2 writes "max"; v1 a huge number: no limit, so the host's memory. */
	if (agent_read_u64(c->fd_limit, &limit) < 0 || !limit || limit > c->host_total)
		limit = c->host_total;
	*pct = 100.0 * (double)used / (double)limit;
	return 0;
}

void mem_close(struct mem_collector *c)
{
	if (c->fd_usage >= 0)
		close(c->fd_usage);
	if (c->fd_limit >= 0)
		close(c->fd_limit);
	c->fd_usage = c->fd_limit = -1;
}
