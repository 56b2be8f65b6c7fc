// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* policy_table.c - the parameters each policy accepts (see policy_table.h). */
#include <stdio.h>
#include <string.h>

#include "policy_list.h"

#include "error.h"
#include "parse.h"
#include "policy_table.h"

enum param {
	PARAM_STALE_MS = 1 << 0,
	PARAM_METRIC = 1 << 1,
	PARAM_THRESHOLD = 1 << 2,
};

#define PARAMS_GENERIC PARAM_STALE_MS

/* The policies that read more than the generic parameters. */
static const struct {
	const char *name;
	unsigned int params; /* beyond the generic ones */
} policies[] = {
    {"lur", PARAM_METRIC},
    {"p2c", PARAM_METRIC},
    {"prt", PARAM_METRIC | PARAM_THRESHOLD},
};

/* The built-in policies: the ones the Makefile found under policies/. */
static const char *const builtin_names[] = {
#define POLICY(name) #name,
    HAULER_BUILTIN_POLICIES(POLICY)
#undef POLICY
};

/* Index: policy_params.metric (policies/metric.h, enum hauler_metric). */
static const char *const metric_names[] = {"cmp", "mem", "net", "queue", "conns", "latency"};
#define METRIC_COUNT (int)(sizeof(metric_names) / sizeof(metric_names[0]))

static unsigned int allowed_params(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(policies) / sizeof(policies[0]); i++)
		if (!strcmp(policies[i].name, name))
			return policies[i].params | PARAMS_GENERIC;
	return PARAMS_GENERIC;
}

int policy_builtin(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(builtin_names) / sizeof(builtin_names[0]); i++)
		if (!strcmp(builtin_names[i], name))
			return 1;
	return 0;
}

static unsigned int param_of(const char *word)
{
	if (!strcmp(word, "stale-ms"))
		return PARAM_STALE_MS;
	if (!strcmp(word, "metric"))
		return PARAM_METRIC;
	if (!strcmp(word, "threshold"))
		return PARAM_THRESHOLD;
	return 0;
}

int policy_param_word(const char *word)
{
	return param_of(word) != 0;
}

int policy_parse_params(const char *name, int argc, char **argv, struct policy_params *p)
{
	unsigned int allowed = allowed_params(name);
	int i = 0, v;
	__u32 n;

	memset(p, 0, sizeof(*p));
	if (parse_name(name, (char *)p->name))
		return err_set(ERR_INPUT, "bad policy name '%s'", name);
	while (i < argc) {
		unsigned int param = param_of(argv[i]);

		if (!param)
			break;
		if (!(allowed & param))
			return err_set(ERR_INPUT, "policy '%s' takes no parameter '%s'", name,
				       argv[i]);
		if (i + 1 >= argc)
			return err_set(ERR_INPUT, "parameter '%s' needs a value", argv[i]);
		switch (param) {
		case PARAM_STALE_MS:
			if (parse_u32(argv[i + 1], 1, 3600000, "stale-ms", &n))
				return -ERR_INPUT;
			p->stale_ms = n;
			break;
		case PARAM_METRIC:
			v = parse_keyword(argv[i + 1], metric_names, METRIC_COUNT, "metric");
			if (v < 0)
				return v;
			p->metric = v;
			p->metric_set = 1;
			break;
		case PARAM_THRESHOLD:
			if (parse_u32(argv[i + 1], 0, 100, "threshold", &n))
				return -ERR_INPUT;
			p->threshold = n;
			break;
		}
		i += 2;
	}
	return i;
}

void policy_format_params(const struct policy_params *p, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	if (p->metric_set)
		used += snprintf(buf + used, len - used, " metric %s",
				 p->metric < METRIC_COUNT ? metric_names[p->metric] : "?");
	if (p->threshold && used < len)
		used += snprintf(buf + used, len - used, " threshold %u", p->threshold);
	if (p->stale_ms && used < len)
		snprintf(buf + used, len - used, " stale-ms %u", p->stale_ms);
	/* No leading space. */
	if (buf[0] == ' ')
		memmove(buf, buf + 1, strlen(buf));
}
