// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_log.c - the manager's log (user/log.c): each level shows what it
 * should and nothing more, one line per event (a message's own line ends
 * folded), the prefix and level words, and libbpf's messages only at -v
 * (its debug ones only at -vv), routed through the callback the loader
 * installs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include <cmocka.h>

#include "loader.h"
#include "log.h"

/* Run fn with stderr going to a file; returns what it wrote (the caller frees it). */
static char *captured(void (*fn)(void))
{
	char path[] = "/tmp/hauler-test-log.XXXXXX", *text;
	int fd = mkstemp(path), saved = dup(STDERR_FILENO);
	long len;
	FILE *f;

	assert_true(fd >= 0 && saved >= 0);
	fflush(stderr);
	dup2(fd, STDERR_FILENO);
	fn();
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	f = fdopen(fd, "r");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	text = calloc(1, len + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, len, f), (size_t)len);
	fclose(f);
	unlink(path);
	return text;
}

static void libbpf_line(enum libbpf_print_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_libbpf(level, fmt, ap);
	va_end(ap);
}

static void emit(void)
{
	log_set_prefix("hauler daemon");
	log_msg(LOG_LEVEL_ERROR, "e %d", 1);
	log_warn("w %d", 2);
	log_info("i %d\nsecond", 3);
	log_debug("d %d", 4);
	libbpf_line(LIBBPF_WARN, "libbpf: warn\n");
	libbpf_line(LIBBPF_DEBUG, "libbpf: debug\n");
	log_set_prefix("hauler");
}

static char *at(enum log_level level)
{
	char *text;

	log_set_level(level);
	text = captured(emit);
	log_set_level(LOG_LEVEL_INFO);
	return text;
}

static void test_default(void **state)
{
	char *text = at(LOG_LEVEL_INFO);

	(void)state;
	assert_string_equal(text, "hauler daemon: error: e 1\n"
				  "hauler daemon: warning: w 2\n"
				  "hauler daemon: i 3 second\n");
	free(text);
}

static void test_quiet(void **state)
{
	char *text = at(LOG_LEVEL_WARN);

	(void)state;
	assert_string_equal(text, "hauler daemon: error: e 1\nhauler daemon: warning: w 2\n");
	free(text);
}

static void test_verbose(void **state)
{
	char *text = at(LOG_LEVEL_DEBUG);

	(void)state;
	assert_string_equal(text, "hauler daemon: error: e 1\n"
				  "hauler daemon: warning: w 2\n"
				  "hauler daemon: i 3 second\n"
				  "hauler daemon: debug: d 4\n"
				  "libbpf: warn\n");
	free(text);
}

static void test_trace(void **state)
{
	char *text = at(LOG_LEVEL_TRACE);

	(void)state;
	assert_non_null(strstr(text, "libbpf: warn\nlibbpf: debug\n"));
	free(text);
}

/* libbpf's own messages reach the log through the callback the loader sets. */
static void open_missing(void)
{
	struct bpf_object *obj = bpf_object__open_file("/nonexistent/hauler.bpf.o", NULL);

	assert_true(libbpf_get_error(obj) != 0);
}

static void test_libbpf_routed(void **state)
{
	char *text;

	(void)state;
	loader_set_debug(0);
	text = captured(open_missing);
	assert_string_equal(text, ""); /* default level: nothing of libbpf */
	free(text);
	log_set_level(LOG_LEVEL_DEBUG);
	text = captured(open_missing);
	log_set_level(LOG_LEVEL_INFO);
	if (!strstr(text, "libbpf"))
		fail_msg("at -v libbpf said nothing: '%s'", text);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_default),	  cmocka_unit_test(test_quiet),
	    cmocka_unit_test(test_verbose),	  cmocka_unit_test(test_trace),
	    cmocka_unit_test(test_libbpf_routed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
