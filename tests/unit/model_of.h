/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * model_of.h - an in-memory model made by a batch, for the unit tests
 * of what reads a configuration (apply, bgp). Include after cmocka.h.
 */
#ifndef HAULER_TEST_MODEL_OF_H
#define HAULER_TEST_MODEL_OF_H

#include <stdlib.h>

#include "batch.h"
#include "error.h"
#include "model.h"

/* An empty model with text applied; the caller frees it. */
static inline struct model *model_of(const char *text)
{
	struct model *m = malloc(sizeof(*m));

	assert_non_null(m);
	model_init_empty(m);
	if (batch_apply_string(m, text, "test"))
		fail_msg("batch: %s", err_msg());
	return m;
}

#endif
