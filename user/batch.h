/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * batch.h - batch files (hauler -batch, up -c): one hauler command a line
 * without the word `hauler`; `#` starts a comment. Every line is applied
 * to a copy of the model; the model takes the copy only when all lines
 * did, so an error in line N leaves it untouched. The error reads
 * `NAME:LINE: <what>`.
 */
#ifndef HAULER_BATCH_H
#define HAULER_BATCH_H

#include <stdio.h>
#include "model.h"

#define BATCH_MAX_WORDS 64

int batch_apply_stream(struct model *m, FILE *in, const char *name);
/* path "-" reads stdin. */
int batch_apply_file(struct model *m, const char *path);
int batch_apply_string(struct model *m, const char *text, const char *name);
/* Split line into words (in place); returns the count or -ERR_INPUT. */
int batch_split(char *line, char **words, int max);

#endif
