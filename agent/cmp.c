// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cmp.c - compute utilization: the whole host or a list of CPUs (busy
 * jiffies of /proc/stat over all jiffies), or a cgroup (its CPU time over
 * wall time times the CPUs it may use). cgroup v2 (cpu.stat usage_usec)
 * and v1 (cpuacct.usage) are both read, whichever the host has.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"

#define CGROUP_ROOT "/sys/fs/cgroup"

/* Sum busy and total jiffies of "cpu " (host) or of the selected "cpuN" lines. */
static int proc_stat_parse(const char *text, const unsigned char *cpus, __u64 *busy, __u64 *total)
{
	const char *line, *next;
	int found = 0;

	*busy = *total = 0;
	for (line = text; line && !strncmp(line, "cpu", 3); line = next) {
		unsigned long long v[8] = {0};
		const char *p = line + 3;
		char *end;
		long cpu = -1;
		int n;

		next = strchr(line, '\n');
		next = next ? next + 1 : NULL;
		if (*p != ' ') {
			cpu = strtol(p, &end, 10);
			if (end == p)
				continue;
			p = end;
		}
		if ((cpus && (cpu < 0 || cpu >= AGENT_MAX_CPUS || !cpus[cpu])) ||
		    (!cpus && cpu >= 0))
			continue;
		/*
		 * user nice system idle iowait irq softirq steal; guest is inside
		 * user. strtoull, not sscanf: this runs for every report.
		 */
		for (n = 0; n < 8; n++) {
			v[n] = strtoull(p, &end, 10);
			if (end == p)
				break;
			p = end;
		}
		if (n < 4)
			return -1;
		*busy += v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
		*total += v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] + v[7];
		found++;
		if (!cpus)
			break; /* the aggregate line is the first: skip the rest */
	}
	return found ? 0 : -1;
}

/* How many CPUs a cgroup may use: the online CPUs, its cpuset and its quota. */
static double cgroup_capacity(const struct agent_config *cfg, int v2)
{
	char path[AGENT_PATH_MAX + 64], buf[256];
	unsigned char set[AGENT_MAX_CPUS];
	double cap = 1;
	int fd, n;

	fd = agent_open(cfg->root, "/sys/devices/system/cpu/online", 1);
	if (fd >= 0 && agent_read(fd, buf, sizeof(buf)) > 0 &&
	    (n = agent_cpulist_parse(buf, set, AGENT_MAX_CPUS)) > 0)
		cap = n;
	else
		cap = (double)sysconf(_SC_NPROCESSORS_ONLN);
	if (fd >= 0)
		close(fd);

	snprintf(path, sizeof(path),
		 v2 ? CGROUP_ROOT "/%s/cpuset.cpus.effective"
		    : CGROUP_ROOT "/cpuset/%s/cpuset.effective_cpus",
		 cfg->cgroup);
	fd = agent_open(cfg->root, path, 1);
	if (fd >= 0 && agent_read(fd, buf, sizeof(buf)) > 0 &&
	    (n = agent_cpulist_parse(buf, set, AGENT_MAX_CPUS)) > 0 && n < cap)
		cap = n;
	if (fd >= 0)
		close(fd);

	if (v2) {
		unsigned long long quota, period;

		snprintf(path, sizeof(path), CGROUP_ROOT "/%s/cpu.max", cfg->cgroup);
		fd = agent_open(cfg->root, path, 1);
		if (fd >= 0 && agent_read(fd, buf, sizeof(buf)) > 0 &&
		    sscanf(buf, "%llu %llu", &quota, &period) == 2 && period &&
		    (double)quota / period < cap)
			cap = (double)quota / period;
		if (fd >= 0)
			close(fd);
	} else {
		__u64 quota = 0, period = 0;
		int fq, fp;
		char q[64];

		/* cfs_quota_us is -1 (no quota): strtoull fails the sign check below. */
		snprintf(path, sizeof(path), CGROUP_ROOT "/cpu/%s/cpu.cfs_quota_us", cfg->cgroup);
		fq = agent_open(cfg->root, path, 1);
		snprintf(path, sizeof(path), CGROUP_ROOT "/cpu/%s/cpu.cfs_period_us", cfg->cgroup);
		fp = agent_open(cfg->root, path, 1);
		if (fq >= 0 && fp >= 0 && agent_read(fq, q, sizeof(q)) > 0 && q[0] != '-' &&
		    agent_read_u64(fq, &quota) == 0 && agent_read_u64(fp, &period) == 0 && period &&
		    (double)quota / period < cap)
			cap = (double)quota / period;
		if (fq >= 0)
			close(fq);
		if (fp >= 0)
			close(fp);
	}
	return cap > 0 ? cap : 1;
}

static int cgroup_open(struct cmp_collector *c, const struct agent_config *cfg)
{
	static const char *const v1_dirs[] = {"cpuacct", "cpu,cpuacct", "cpuacct,cpu"};
	char path[AGENT_PATH_MAX + 64];

	snprintf(path, sizeof(path), CGROUP_ROOT "/%s/cpu.stat", cfg->cgroup);
	c->fd = agent_open(cfg->root, path, 1);
	c->cgroup_v2 = c->fd >= 0;
	for (size_t i = 0; c->fd < 0 && i < sizeof(v1_dirs) / sizeof(v1_dirs[0]); i++) {
		snprintf(path, sizeof(path), CGROUP_ROOT "/%s/%s/cpuacct.usage", v1_dirs[i],
			 cfg->cgroup);
		c->fd = agent_open(cfg->root, path, 1);
	}
	if (c->fd < 0) {
		agent_err("cgroup %s: no cpu.stat (v2) or cpuacct.usage (v1) under %s%s",
			  cfg->cgroup, cfg->root, CGROUP_ROOT);
		return -1;
	}
	c->capacity = cgroup_capacity(cfg, c->cgroup_v2);
	return 0;
}

int cmp_open(struct cmp_collector *c, const struct agent_config *cfg)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	if (cfg->cgroup[0]) {
		c->mode = CMP_CGROUP;
		return cgroup_open(c, cfg);
	}
	if (cfg->cpus[0]) {
		c->mode = CMP_CPUS;
		if (agent_cpulist_parse(cfg->cpus, c->cpus, AGENT_MAX_CPUS) < 0) {
			agent_err("cpus: '%s' is not a CPU list such as 0-3,8", cfg->cpus);
			return -1;
		}
	}
	c->fd = agent_open(cfg->root, "/proc/stat", 0);
	return c->fd < 0 ? -1 : 0;
}

/* Cumulative busy and total units of the current sample. */
static int cmp_read(struct cmp_collector *c, __u64 *busy, __u64 *total)
{
	char buf[16384];

	if (agent_read(c->fd, buf, sizeof(buf)) <= 0)
		return -1;
	if (c->mode != CMP_CGROUP)
		return proc_stat_parse(buf, c->mode == CMP_CPUS ? c->cpus : NULL, busy, total);
	*total = 0; /* the caller uses wall time */
	if (!c->cgroup_v2) {
		char *end;

		*busy = strtoull(buf, &end, 10);
		return end == buf ? -1 : 0;
	}
	if (agent_find_u64(buf, "usage_usec", busy) < 0)
		return -1;
	*busy *= 1000;
	return 0;
}

/*
 * Utilization since the previous sample, in percent. Returns 0 with *pct,
 * 1 when there is no value yet (first sample), -1 when the file cannot be
 * read. Within window_ms of the previous sample the last value stands.
 */
int cmp_sample(struct cmp_collector *c, __u64 now_ns, unsigned int window_ms, double *pct)
{
	__u64 busy, total;
	double used, all;

	if (c->have_prev && now_ns - c->t_ns < (__u64)window_ms * 1000000) {
		*pct = c->last;
		return c->have_prev > 1 ? 0 : 1;
	}
	if (cmp_read(c, &busy, &total) < 0) {
		agent_err("cmp: cannot parse the usage file");
		return -1;
	}
	if (!c->have_prev) {
		c->busy = busy;
		c->total = total;
		c->t_ns = now_ns;
		c->have_prev = 1;
		return 1;
	}
	if (busy < c->busy) {
		/* The counter went back (cgroup recreated): start over from here. */
		c->busy = busy;
		c->total = total;
		c->t_ns = now_ns;
		*pct = c->last;
		return c->have_prev > 1 ? 0 : 1;
	}
	used = (double)(busy - c->busy);
	if (c->mode == CMP_CGROUP)
		all = (double)(now_ns - c->t_ns) * c->capacity;
	else
		all = (double)(total - c->total);
	if (all <= 0) {
		/* No time passed in the counter's units (same jiffy): keep the last. */
		*pct = c->last;
		return c->have_prev > 1 ? 0 : 1;
	}
	c->last = 100.0 * used / all;
	c->busy = busy;
	c->total = total;
	c->t_ns = now_ns;
	c->have_prev = 2;
	*pct = c->last;
	return 0;
}

void cmp_close(struct cmp_collector *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}
