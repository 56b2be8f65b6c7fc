/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * log.h - the manager's log: one line per event on stderr, filtered by
 * level. The default shows warnings and events (info); `-q` only
 * warnings and errors; `-v` (or `-d`) adds debug lines and libbpf's own
 * warnings and notes, `-vv` libbpf's debug chatter too. libbpf prints
 * through log_libbpf (loader.c sets it), so nothing of it shows at the
 * default level. Lines read `PREFIX: message` for events and
 * `PREFIX: warning: ...`, `PREFIX: debug: ...` otherwise, where PREFIX
 * is the running command ("hauler daemon"); journald adds the time.
 */
#ifndef HAULER_LOG_H
#define HAULER_LOG_H

#include <stdarg.h>

enum log_level {
	LOG_LEVEL_ERROR,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
	LOG_LEVEL_TRACE, /* -vv: libbpf's debug messages too */
};

void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* "hauler daemon", "hauler exporter", ...: the start of every line (default "hauler"). */
void log_set_prefix(const char *prefix);

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_warn(...)  log_msg(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)

/* A libbpf message of libbpf level lvl (enum libbpf_print_level), at our debug levels. */
int log_libbpf(int lvl, const char *fmt, va_list ap);

#endif
