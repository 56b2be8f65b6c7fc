// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* batch.c - batch files, checked whole before anything changes (see batch.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hauler_keyfile.h"

#include "batch.h"
#include "cmd.h"
#include "error.h"

/* A line of the last batch set a literal report key (device key NAME KEY). */
static int batch_saw_key;

int batch_split(char *line, char **words, int max)
{
	int n = 0;
	char *p = line;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (!*p || *p == '#')
			break;
		if (n == max)
			return err_set(ERR_INPUT, "more than %d words", max);
		words[n++] = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
			p++;
		if (*p)
			*p++ = '\0';
	}
	words[n] = NULL;
	return n;
}

int batch_apply_stream(struct model *m, FILE *in, const char *name)
{
	char *words[BATCH_MAX_WORDS + 1], *line = NULL;
	struct model *work = malloc(sizeof(*work));
	size_t cap = 0;
	int lineno = 0, n, ret = 0;
	ssize_t len;

	if (!work)
		return err_set(ERR_SYSTEM, "out of memory");
	memcpy(work, m, sizeof(*work));
	while ((len = getline(&line, &cap, in)) >= 0) {
		lineno++;
		/* A NUL would cut the line short without a word of it. */
		if (memchr(line, '\0', len)) {
			ret = err_set(ERR_INPUT, "NUL character in the line");
			goto fail;
		}
		n = batch_split(line, words, BATCH_MAX_WORDS);
		if (n > 0 && !strcmp(words[0], "hauler")) {
			ret = err_set(ERR_INPUT, "leave out the word 'hauler'");
			goto fail;
		}
		if (n >= 4 && !strcmp(words[0], "device") && !strcmp(words[1], "key") &&
		    strcmp(words[3], "generate") && strcmp(words[3], "file") &&
		    strcmp(words[3], "-"))
			batch_saw_key = 1;
		ret = n < 0 ? n : n ? cmd_apply(work, n, words) : 0;
		if (ret)
			goto fail;
	}
	/* A read error is not the end of the file: nothing of it is applied. */
	if (ferror(in)) {
		ret = err_set(ERR_INPUT, "read error after line %d: %s", lineno, strerror(errno));
		lineno++;
		goto fail;
	}
	memcpy(m, work, sizeof(*work));
	goto out;
fail:
	err_prefix("%s:%d: ", name, lineno);
out:
	free(line);
	free(work);
	return ret;
}

int batch_apply_file(struct model *m, const char *path)
{
	FILE *in = strcmp(path, "-") ? fopen(path, "re") : stdin;
	int ret;

	if (!in)
		return err_set(ERR_INPUT, "cannot open %s: %s", path, strerror(errno));
	batch_saw_key = 0;
	ret = batch_apply_stream(m, in, path);
	/* A file with report keys in it (save --keys) should be its owner's alone. */
	if (!ret && batch_saw_key && in != stdin)
		key_file_warn(fileno(in), path, "hauler");
	if (in != stdin)
		fclose(in);
	return ret;
}

int batch_apply_string(struct model *m, const char *text, const char *name)
{
	FILE *in = fmemopen((void *)text, strlen(text), "r");
	int ret;

	if (!in)
		return err_set(ERR_SYSTEM, "fmemopen: %s", strerror(errno));
	ret = batch_apply_stream(m, in, name);
	fclose(in);
	return ret;
}
