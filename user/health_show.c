// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* health_show.c - a device's health for show and stats (see health_show.h). */
#include <stdio.h>

#include "health_show.h"

/* Does st hold results of d's current check? */
static int current(const struct model *m, int d, const struct health_status *st)
{
	return st->last_ns && st->check_sum == health_check_sum(&m->checks[d]);
}

const char *health_word(const struct model *m, int d, const struct health_status *st)
{
	if (m->devices[d].health == HAULER_HEALTH_FAILED)
		return "failed";
	if (m->checks[d].type == HEALTH_NONE)
		return "-";
	if (!current(m, d, st))
		return "pending";
	return st->up ? "up" : "down";
}

void health_counts(const struct model *m, int d, const struct health_status *st, __u32 *downs,
		   __u32 *ups)
{
	*downs = current(m, d, st) ? st->downs : 0;
	*ups = current(m, d, st) ? st->ups : 0;
}

static __u64 age_ms(const struct health_status *st, __u64 now)
{
	return now > st->last_ns ? (now - st->last_ns) / 1000000 : 0;
}

void health_last_text(const struct model *m, int d, const struct health_status *st, __u64 now,
		      char *buf, size_t len)
{
	if (!current(m, d, st) || st->last >= HEALTH_RESULTS)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%s %llums ago", health_result_names[st->last],
			 (unsigned long long)age_ms(st, now));
}

void health_json(struct json *j, const struct model *m, int d, const struct health_status *st,
		 __u64 now)
{
	char spec[256];
	__u32 downs, ups;

	if (m->checks[d].type == HEALTH_NONE && m->devices[d].health != HAULER_HEALTH_FAILED) {
		json_null(j, "health");
		return;
	}
	health_format(&m->checks[d], spec, sizeof(spec));
	json_object_begin(j, "health");
	json_string(j, "check", spec);
	json_string(j, "state", health_word(m, d, st));
	json_bool(j, "failed", m->devices[d].health == HAULER_HEALTH_FAILED);
	if (current(m, d, st) && st->last < HEALTH_RESULTS) {
		json_string(j, "last", health_result_names[st->last]);
		json_uint(j, "last_ms", st->last_ms);
		json_uint(j, "age_ms", age_ms(st, now));
	} else {
		json_null(j, "last");
	}
	health_counts(m, d, st, &downs, &ups);
	json_uint(j, "downs", downs);
	json_uint(j, "ups", ups);
	json_uint(j, "probes", current(m, d, st) ? st->probes : 0);
	json_uint(j, "failures", current(m, d, st) ? st->failures : 0);
	json_object_end(j);
}
