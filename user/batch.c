// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* batch.c - batch files, checked whole before anything changes (see batch.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "cmd.h"
#include "error.h"

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

	if (!work)
		return err_set(ERR_SYSTEM, "out of memory");
	memcpy(work, m, sizeof(*work));
	while (getline(&line, &cap, in) >= 0) {
		lineno++;
		n = batch_split(line, words, BATCH_MAX_WORDS);
		if (n > 0 && !strcmp(words[0], "hauler")) {
			ret = err_set(ERR_INPUT, "leave out the word 'hauler'");
			goto fail;
		}
		ret = n < 0 ? n : n ? cmd_apply(work, n, words) : 0;
		if (ret)
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
	FILE *in = strcmp(path, "-") ? fopen(path, "r") : stdin;
	int ret;

	if (!in)
		return err_set(ERR_INPUT, "cannot open %s: %s", path, strerror(errno));
	ret = batch_apply_stream(m, in, path);
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
