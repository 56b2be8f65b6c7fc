/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * save_text.h - `hauler save` of an in-memory model as a string, for the
 * unit tests that check a save round trip. Include after cmocka.h.
 */
#ifndef HAULER_TEST_SAVE_TEXT_H
#define HAULER_TEST_SAVE_TEXT_H

#include <stdio.h>

#include "cmd.h"
#include "model.h"

/* The caller frees the text; keys: as `save --keys` (report keys, flow seed). */
static inline char *save_text_keys(const struct model *m, int keys)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	assert_non_null(out);
	save_write_keys(m, out, keys);
	fclose(out);
	return text;
}

static inline char *save_text(const struct model *m)
{
	return save_text_keys(m, 0);
}

#endif
