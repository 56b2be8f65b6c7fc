// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_docs - the command tables and their documentation agree: every
 * form of `hauler`'s command table (user/cmd.c) is a line of docs/cli.md,
 * every option of `hauler-agent`'s table (agent/config.c) a row of
 * docs/agent.md, both are in the man pages (docs/man/), and the tables'
 * usage errors name the form. Runs from the repository root.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "cmd.h"
#include "error.h"
#include "agent.h"

/* The whole file, NUL-terminated, with a newline in front (lines match "\nLINE\n"). */
static char *read_doc(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text;
	long len;

	if (!f)
		fail_msg("cannot open %s (run from the repository root)", path);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	text = malloc(len + 2);
	assert_non_null(text);
	text[0] = '\n';
	assert_int_equal(fread(text + 1, 1, len, f), (size_t)len);
	text[len + 1] = '\0';
	fclose(f);
	return text;
}

/* A man page as plain text: roff's escaped minus and backslash undone. */
static char *read_man(const char *path)
{
	char *text = read_doc(path), *in = text, *out = text;

	while (*in) {
		if (in[0] == '\\' && (in[1] == '-' || in[1] == 'e')) {
			*out++ = in[1] == '-' ? '-' : '\\';
			in += 2;
		} else {
			*out++ = *in++;
		}
	}
	*out = '\0';
	return text;
}

struct forms {
	const char *doc, *path;
	int count, missing;
};

static int check_form(const char *line, void *arg)
{
	struct forms *f = arg;
	char want[600];

	snprintf(want, sizeof(want), "\n%s\n", line);
	f->count++;
	if (!strstr(f->doc, want)) {
		print_error("%s lacks the line: %s\n", f->path, line);
		f->missing++;
	}
	return 0;
}

static void test_cli_md_lists_every_form(void **state)
{
	struct forms f = {0};
	char *doc = read_doc("docs/cli.md");

	(void)state;
	f.doc = doc;
	f.path = "docs/cli.md";
	assert_int_equal(cmd_each_form(check_form, &f), 0);
	assert_true(f.count >= 20); /* the table is not empty */
	assert_int_equal(f.missing, 0);
	free(doc);
}

/* hauler(8)'s COMMANDS block has every form of the table, one a line. */
static void test_man_page_lists_every_form(void **state)
{
	struct forms f = {0};
	char *doc = read_man("docs/man/hauler.8");

	(void)state;
	f.doc = doc;
	f.path = "docs/man/hauler.8";
	assert_int_equal(cmd_each_form(check_form, &f), 0);
	assert_true(f.count >= 20);
	assert_int_equal(f.missing, 0);
	free(doc);
}

/* hauler-agent(8) names every option of the agent's table. */
static void test_agent_man_page_names_every_option(void **state)
{
	char *doc = read_man("docs/man/hauler-agent.8"), want[80];
	const char *name;
	int i, missing = 0;

	(void)state;
	for (i = 0; (name = config_option_name(i)); i++) {
		snprintf(want, sizeof(want), "--%s\\fR", name);
		if (!strstr(doc, want)) {
			print_error("docs/man/hauler-agent.8 lacks the option --%s\n", name);
			missing++;
		}
	}
	assert_true(i >= 20);
	assert_int_equal(missing, 0);
	free(doc);
}

static void test_agent_md_lists_every_option(void **state)
{
	char *doc = read_doc("docs/agent.md"), want[80];
	const char *name;
	int i, missing = 0;

	(void)state;
	for (i = 0; (name = config_option_name(i)); i++) {
		if (!strcmp(name, "help"))
			continue;
		snprintf(want, sizeof(want), "| `--%s", name);
		if (!strstr(doc, want)) {
			print_error("docs/agent.md lacks the option --%s\n", name);
			missing++;
		}
	}
	assert_true(i >= 20);
	assert_int_equal(missing, 0);
	free(doc);
}

/* Each kind of row stores into its field, in range (a bad value changes nothing). */
static void test_agent_rows_store(void **state)
{
	struct agent_config cfg;

	(void)state;
	config_defaults(&cfg);
	assert_int_equal(config_set(&cfg, "count", "5"), 0); /* long, up to LONG_MAX */
	assert_int_equal(cfg.count, 5);
	assert_int_equal(config_set(&cfg, "device", "8191"), 0); /* int */
	assert_int_equal(cfg.device, 8191);
	assert_int_equal(config_set(&cfg, "device", "8192"), -1);
	assert_int_equal(cfg.device, 8191);
	assert_int_equal(config_set(&cfg, "sample", "20"), 0); /* unsigned */
	assert_int_equal(cfg.sample_ms, 20);
	assert_int_equal(config_set(&cfg, "rate", "50.5"), 0); /* double */
	assert_true(cfg.rate == 50.5);
	assert_int_equal(config_set(&cfg, "iface", "eth9"), 0); /* string */
	assert_string_equal(cfg.iface, "eth9");
	assert_int_equal(config_set(&cfg, "once", NULL), 0); /* flag */
	assert_int_equal(cfg.once, 1);
	assert_int_equal(config_set(&cfg, "jitter", "20"), 0); /* a setter */
	assert_true(cfg.jitter > 0.19 && cfg.jitter < 0.21);
	assert_int_equal(config_set(&cfg, "rate", NULL), -1); /* needs a value */
	assert_int_equal(config_set(&cfg, "help", NULL), -1);
	assert_int_equal(config_set(&cfg, "frob", "1"), -1);
}

/* A wrong word count gets the form from the table, and nothing runs. */
static void test_usage_errors_come_from_the_table(void **state)
{
	struct cmd_ctx c = {.pin = "/nonexistent/hauler-test"};
	char *del[] = {"vip", "del"}, *set[] = {"server", "set", "s1"};
	char *stats[] = {"stats", "show", "extra"}, *bad[] = {"vip", "frob"};

	(void)state;
	assert_int_equal(cmd_run(&c, 2, del), -ERR_INPUT);
	assert_string_equal(err_msg(), "usage: hauler vip del VIP");
	assert_int_equal(cmd_run(&c, 3, set), -ERR_INPUT);
	assert_string_equal(err_msg(),
			    "usage: hauler server set NAME weight W | spill-to SERVER|none");
	assert_int_equal(cmd_run(&c, 3, stats), -ERR_INPUT);
	assert_string_equal(err_msg(), "usage: hauler stats show");
	assert_int_equal(cmd_run(&c, 2, bad), -ERR_INPUT);
	assert_string_equal(err_msg(), "unknown verb 'vip frob' (hauler vip help)");
	/* None of them got as far as the maps. */
	assert_null(c.cur);
	ctx_release(&c);
}

/* The object's forms on stdout, exit 0, for help however it is asked. */
static void test_help_however_asked(void **state)
{
	char *up[] = {"up", "--help"}, *up_dev[] = {"up", "eth0", "-h"};
	char *vip[] = {"vip", "--help"}, *vip_add[] = {"vip", "add", "help"};
	char **forms[] = {up, up_dev, vip, vip_add};
	const char *want[] = {"hauler up DEV", "hauler up DEV", "hauler vip add VIP",
			      "hauler vip add VIP"};
	struct cmd_ctx c = {.pin = "/nonexistent/hauler-test"};
	char out[4096];
	size_t i, n;
	FILE *f;
	int fd;

	(void)state;
	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		f = tmpfile();
		assert_non_null(f);
		fflush(stdout);
		fd = dup(STDOUT_FILENO);
		assert_true(fd >= 0);
		assert_true(dup2(fileno(f), STDOUT_FILENO) >= 0);
		assert_int_equal(cmd_run(&c, 2 + (i % 2), forms[i]), 0);
		fflush(stdout);
		dup2(fd, STDOUT_FILENO);
		close(fd);
		rewind(f);
		n = fread(out, 1, sizeof(out) - 1, f);
		out[n] = '\0';
		fclose(f);
		assert_non_null(strstr(out, want[i]));
	}
	assert_null(c.cur);
	ctx_release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cli_md_lists_every_form),
	    cmocka_unit_test(test_agent_md_lists_every_option),
	    cmocka_unit_test(test_man_page_lists_every_form),
	    cmocka_unit_test(test_agent_man_page_names_every_option),
	    cmocka_unit_test(test_agent_rows_store),
	    cmocka_unit_test(test_usage_errors_come_from_the_table),
	    cmocka_unit_test(test_help_however_asked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
