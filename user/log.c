// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* log.c - leveled one-line log on stderr (see log.h). */
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "log.h"

static enum log_level level = LOG_LEVEL_INFO;
static const char *prefix = "hauler";

void log_set_level(enum log_level l)
{
	level = l;
}

enum log_level log_get_level(void)
{
	return level;
}

void log_set_prefix(const char *p)
{
	prefix = p;
}

static void line(enum log_level l, const char *fmt, va_list ap)
{
	static const char *const words[] = {"error: ", "warning: ", "", "debug: ", "debug: "};
	char text[1024];
	size_t n;

	vsnprintf(text, sizeof(text), fmt, ap);
	/* One event, one line: a message's own line ends become spaces. */
	n = strlen(text);
	while (n && text[n - 1] == '\n')
		text[--n] = '\0';
	for (char *p = text; (p = strchr(p, '\n'));)
		*p = ' ';
	fprintf(stderr, "%s: %s%s\n", prefix, words[l], text);
}

void log_msg(enum log_level l, const char *fmt, ...)
{
	va_list ap;

	if (l > level)
		return;
	va_start(ap, fmt);
	line(l, fmt, ap);
	va_end(ap);
}

int log_libbpf(int lvl, const char *fmt, va_list ap)
{
	/* libbpf's warnings and notes at -v, its debug messages at -vv. */
	enum log_level l = lvl == LIBBPF_DEBUG ? LOG_LEVEL_TRACE : LOG_LEVEL_DEBUG;

	if (l > level)
		return 0;
	/* Verifier logs are many lines: those go out as they are. */
	return vfprintf(stderr, fmt, ap);
}
