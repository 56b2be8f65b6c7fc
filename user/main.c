// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * main.c - hauler, the manager: global options, then one command or a
 * batch. Every error is one line, `hauler: <what>`, exit 1 for bad input
 * and 2 for a failing system.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "cmd.h"
#include "error.h"
#include "loader.h"
#include "log.h"

static int run_batch(struct cmd_ctx *c, const char *file)
{
	int ret = c->dry_run ? 0 : ctx_lock(c);

	if (!ret)
		ret = ctx_load(c);
	if (!ret)
		ret = batch_apply_file(c->cur, file);
	if (!ret)
		ret = ctx_commit(c);
	return ret;
}

int main(int argc, char **argv)
{
	struct cmd_ctx c = {};
	const char *batch = NULL, *env;
	int i, ret, verbose = 0, quiet = 0;

	c.pin = getenv("HAULER_PIN") && *getenv("HAULER_PIN") ? getenv("HAULER_PIN")
							      : HAULER_PIN_DEFAULT;
	env = getenv("HAULER_DEBUG");
	c.debug = env && *env && strcmp(env, "0");
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *o = argv[i];

		if (!strcmp(o, "-j") || !strcmp(o, "--json")) {
			c.json = 1;
		} else if (!strcmp(o, "-n") || !strcmp(o, "--dry-run")) {
			c.dry_run = 1;
		} else if (!strcmp(o, "-d") || !strcmp(o, "--debug")) {
			c.debug = 1;
		} else if (!strcmp(o, "-V") || !strcmp(o, "--version")) {
			/* The version row of the command table, with the options so far. */
			char *version[] = {"version"};

			return cmd_run(&c, 1, version) ? ERR_INPUT : 0;
		} else if (!strcmp(o, "-v") || !strcmp(o, "--verbose")) {
			verbose++;
		} else if (!strcmp(o, "-vv")) {
			verbose += 2;
		} else if (!strcmp(o, "-q") || !strcmp(o, "--quiet")) {
			quiet = 1;
		} else if (!strcmp(o, "-h") || !strcmp(o, "--help")) {
			cmd_usage(stdout);
			return 0;
		} else if ((!strcmp(o, "-p") || !strcmp(o, "--pin")) && i + 1 < argc) {
			c.pin = argv[++i];
		} else if ((!strcmp(o, "-batch") || !strcmp(o, "-b")) && i + 1 < argc) {
			batch = argv[++i];
		} else {
			fprintf(stderr, "hauler: unknown option '%s' (hauler help)\n", o);
			return ERR_INPUT;
		}
	}
	if (quiet && verbose) {
		fprintf(stderr, "hauler: -q and -v exclude each other\n");
		return ERR_INPUT;
	}
	log_set_level(quiet		   ? LOG_LEVEL_WARN
		      : verbose >= 2	   ? LOG_LEVEL_TRACE
		      : verbose || c.debug ? LOG_LEVEL_DEBUG
					   : LOG_LEVEL_INFO);
	loader_set_debug(c.debug && !quiet);
	if (batch && i < argc) {
		fprintf(stderr, "hauler: -batch takes no command after it\n");
		return ERR_INPUT;
	}
	ret = batch ? run_batch(&c, batch) : cmd_run(&c, argc - i, argv + i);
	ctx_release(&c);
	if (ret) {
		fprintf(stderr, "hauler: %s\n", err_msg());
		return err_code();
	}
	return 0;
}
