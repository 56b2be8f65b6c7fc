/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * json.h - a tiny JSON writer for `hauler -j`: objects and arrays nest,
 * commas and string escapes are handled here.
 */
#ifndef HAULER_JSON_H
#define HAULER_JSON_H

#include <stdio.h>

#define JSON_MAX_DEPTH 8

struct json {
	FILE *out;
	int depth;
	int count[JSON_MAX_DEPTH]; /* members written at each depth */
};

void json_init(struct json *j, FILE *out);
void json_object_begin(struct json *j, const char *key); /* key: NULL inside an array */
void json_object_end(struct json *j);
void json_array_begin(struct json *j, const char *key);
void json_array_end(struct json *j);
void json_string(struct json *j, const char *key, const char *value);
void json_uint(struct json *j, const char *key, unsigned long long value);
/* A number, %.10g; null when it is not finite (JSON has no NaN). */
void json_double(struct json *j, const char *key, double value);
void json_bool(struct json *j, const char *key, int value);
/* A number with 6 significant digits; NaN and infinities as null. */
void json_double(struct json *j, const char *key, double value);
void json_null(struct json *j, const char *key);
/* Ends the document with a newline. */
void json_finish(struct json *j);

#endif
