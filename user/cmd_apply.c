// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cmd_apply.c - hauler apply FILE [--dry-run]: make the running
 * configuration what FILE says (apply.h). FILE is read whole into a model
 * of its own first (an invalid FILE is an error that changes nothing);
 * the difference is then applied to the running model like a batch and
 * written in one commit (model_commit), so objects that stay keep their
 * ids and their connections. --dry-run (or -n) prints the difference.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "batch.h"
#include "cmd.h"
#include "error.h"

/* The difference, a report key shown as "(key from FILE)": dry runs end up in logs. */
static void print_diff(const char *diff)
{
	const char *p = diff;

	while (*p) {
		const char *end = strchr(p, '\n');
		int len = end ? (int)(end - p) : (int)strlen(p);

		if (!strncmp(p, "device key ", 11)) {
			const char *name = p + 11, *sp = memchr(name, ' ', len - 11);

			printf("device key %.*s (a key from the file)\n",
			       sp ? (int)(sp - name) : len - 11, name);
		} else {
			printf("%.*s\n", len, p);
		}
		p += len + (end ? 1 : 0);
	}
}

static int diff_text(const struct model *run, const struct model *want, char **text, int *n)
{
	size_t len = 0;
	FILE *out = open_memstream(text, &len);

	if (!out)
		return err_set(ERR_SYSTEM, "out of memory");
	*n = apply_diff(run, want, out);
	if (fclose(out))
		return err_set(ERR_SYSTEM, "out of memory");
	return 0;
}

static int apply(struct cmd_ctx *c, const char *file, int dry_run)
{
	struct model *want = malloc(sizeof(*want));
	char *diff = NULL, *again = NULL;
	FILE *in = NULL;
	int ret, n = 0, left = 0;

	if (!want)
		return err_set(ERR_SYSTEM, "out of memory");
	in = strcmp(file, "-") ? fopen(file, "r") : stdin;
	if (!in) {
		ret = err_set(ERR_INPUT, "cannot open %s: %s", file, strerror(errno));
		goto out;
	}
	ret = apply_want(c->cur, in, file, want);
	if (!ret)
		ret = diff_text(c->cur, want, &diff, &n);
	if (ret)
		goto out;
	if (dry_run) {
		printf("# hauler apply %s: %d change%s (dry run: nothing changed)\n", file, n,
		       n == 1 ? "" : "s");
		print_diff(diff);
		goto out;
	}
	if (!n) {
		printf("no changes\n");
		goto out;
	}
	ret = batch_apply_string(c->cur, diff, "apply");
	/* The changed model must be what FILE wants: else commit nothing. */
	if (!ret)
		ret = diff_text(c->cur, want, &again, &left);
	if (!ret && left)
		ret = err_set(ERR_SYSTEM, "apply: %d change%s left after the difference: %s", left,
			      left == 1 ? "" : "s", again);
	if (ret) {
		err_prefix("%s: cannot apply the difference (nothing changed): ", file);
		goto out;
	}
	ret = ctx_commit(c);
	if (!ret)
		printf("applied %d change%s\n", n, n == 1 ? "" : "s");
out:
	if (in && in != stdin)
		fclose(in);
	free(diff);
	free(again);
	free(want);
	return ret;
}

int apply_run(struct cmd_ctx *c, int argc, char **argv)
{
	int dry_run = c->dry_run, ret;

	if (argc == 2 && !strcmp(argv[1], "--dry-run"))
		dry_run = 1;
	else if (argc != 1 || !strcmp(argv[0], "--dry-run"))
		return cmd_usage_err("apply", NULL);
	/* A writer: the lock from reading the running state to the commit. */
	ret = dry_run ? 0 : ctx_lock(c);
	if (!ret)
		ret = ctx_load(c);
	return ret ? ret : apply(c, argv[0], dry_run);
}
