// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * util.c - small helpers of the agent: errors, files under the root
 * prefix (opened once, re-read with pread so a sample costs one syscall),
 * number parsing, CPU lists and the clock.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"

void agent_err(const char *fmt, ...)
{
	va_list ap;

	fputs("hauler-agent: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Open root + path for reading; quiet: no message when it does not exist. */
int agent_open(const char *root, const char *path, int quiet)
{
	char full[2 * AGENT_PATH_MAX];
	int fd;

	snprintf(full, sizeof(full), "%s%s", root, path);
	fd = open(full, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && !(quiet && errno == ENOENT))
		agent_err("cannot open %s: %s", full, strerror(errno));
	return fd;
}

/* Read the whole (small) file from its start, NUL-terminated; bytes or -1. */
int agent_read(int fd, char *buf, size_t size)
{
	ssize_t n = pread(fd, buf, size - 1, 0);

	if (n < 0)
		return -1;
	buf[n] = '\0';
	return (int)n;
}

int agent_read_u64(int fd, __u64 *value)
{
	char buf[64], *end;

	if (agent_read(fd, buf, sizeof(buf)) <= 0)
		return -1;
	errno = 0;
	*value = strtoull(buf, &end, 10);
	if (errno || end == buf)
		return -1;
	return 0;
}

/* The number after "key" at the start of a line ("key N" or "key: N"). */
int agent_find_u64(const char *text, const char *key, __u64 *value)
{
	size_t klen = strlen(key);
	const char *p = text;
	char *end;

	while (p && *p) {
		if (!strncmp(p, key, klen) &&
		    (p[klen] == ' ' || p[klen] == ':' || p[klen] == '\t')) {
			p += klen + 1;
			while (*p == ' ' || *p == '\t' || *p == ':')
				p++;
			*value = strtoull(p, &end, 10);
			return end == p ? -1 : 0;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -1;
}

/* "0-3,8,10-11" -> set[cpu] = 1; returns the number of CPUs or -1. */
int agent_cpulist_parse(const char *list, unsigned char *set, int max)
{
	const char *p = list;
	int count = 0;

	memset(set, 0, (size_t)max);
	while (*p && *p != '\n') {
		char *end;
		long lo = strtol(p, &end, 10), hi = lo;

		if (end == p || lo < 0)
			return -1;
		p = end;
		if (*p == '-') {
			hi = strtol(p + 1, &end, 10);
			if (end == p + 1 || hi < lo)
				return -1;
			p = end;
		}
		if (hi >= max)
			return -1;
		for (long cpu = lo; cpu <= hi; cpu++) {
			count += !set[cpu];
			set[cpu] = 1;
		}
		if (*p == ',')
			p++;
		else if (*p && *p != '\n')
			return -1;
	}
	return count ? count : -1;
}

__u64 agent_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
}
