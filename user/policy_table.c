// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* policy_table.c - include/select/params.def as tables (see policy_table.h). */
#include <stdio.h>
#include <string.h>

#include "policy_list.h"

#include "error.h"
#include "select/metric.h"
#include "args.h"
#include "policy_table.h"

struct param_def {
	const char *policy; /* "POLICY_ANY": every policy */
	const char *name;
	__u32 min, max, def;
	const char *doc;
};

static const struct param_def param_defs[] = {
#define POLICY_INFO(policy, doc)
#define METRIC(name, id, doc)
#define POLICY_PARAM(policy, param, min, max, def, doc) {#policy, param, min, max, def, doc},
#include "select/params.def"
#undef POLICY_INFO
#undef METRIC
#undef POLICY_PARAM
};
#define PARAM_COUNT (int)(sizeof(param_defs) / sizeof(param_defs[0]))

static const struct {
	const char *name, *doc;
} policy_docs[] = {
#define POLICY_INFO(policy, doc) {#policy, doc},
#define METRIC(name, id, doc)
#define POLICY_PARAM(policy, param, min, max, def, doc)
#include "select/params.def"
#undef POLICY_INFO
#undef METRIC
#undef POLICY_PARAM
};

static const struct {
	const char *name;
	__u32 id;
} metrics[] = {
#define POLICY_INFO(policy, doc)
#define METRIC(name, id, doc) {#name, id},
#define POLICY_PARAM(policy, param, min, max, def, doc)
#include "select/params.def"
#undef POLICY_INFO
#undef METRIC
#undef POLICY_PARAM
};
#define METRIC_COUNT (int)(sizeof(metrics) / sizeof(metrics[0]))

/* The thresholds each metric allows (params.def METRIC_THRESHOLD). */
static const struct {
	const char *metric;
	__u32 min, max;
	const char *unit;
} thresholds[] = {
#define POLICY_INFO(policy, doc)
#define METRIC(name, id, doc)
#define POLICY_PARAM(policy, param, min, max, def, doc)
#define METRIC_THRESHOLD(name, min, max, unit, doc) {#name, min, max, unit},
#include "select/params.def"
#undef POLICY_INFO
#undef METRIC
#undef POLICY_PARAM
#undef METRIC_THRESHOLD
};
#define THRESHOLD_COUNT (int)(sizeof(thresholds) / sizeof(thresholds[0]))

/* The built-in policies: the ones the Makefile found under policies/. */
static const char *const builtin_names[] = {
#define POLICY(name) #name,
    HAULER_BUILTIN_POLICIES(POLICY)
#undef POLICY
};

int policy_builtin(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(builtin_names) / sizeof(builtin_names[0]); i++)
		if (!strcmp(builtin_names[i], name))
			return 1;
	return 0;
}

/* The definition of parameter word for policy (its own, else POLICY_ANY's). */
static const struct param_def *param_find(const char *policy, const char *word)
{
	const struct param_def *any = NULL;
	int i;

	for (i = 0; i < PARAM_COUNT; i++) {
		if (strcmp(param_defs[i].name, word))
			continue;
		if (!strcmp(param_defs[i].policy, policy))
			return &param_defs[i];
		if (!strcmp(param_defs[i].policy, "POLICY_ANY"))
			any = &param_defs[i];
	}
	return any;
}

int policy_param_word(const char *word)
{
	int i;

	for (i = 0; i < PARAM_COUNT; i++)
		if (!strcmp(param_defs[i].name, word))
			return 1;
	return 0;
}

static const char *metric_name(__u32 id)
{
	int i;

	for (i = 0; i < METRIC_COUNT; i++)
		if (metrics[i].id == id)
			return metrics[i].name;
	return "?";
}

/* The metric names in d's range, "cmp|mem|net". */
static void metric_choices(const struct param_def *d, char *buf, size_t len)
{
	size_t used = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < METRIC_COUNT && used < len; i++)
		if (metrics[i].id >= d->min && metrics[i].id <= d->max)
			used += snprintf(buf + used, len - used, "%s%s", used ? "|" : "",
					 metrics[i].name);
}

static int parse_one_metric(const char *policy, const struct param_def *d, const char *word,
			    const char *choices, __u32 *id)
{
	int i;

	for (i = 0; i < METRIC_COUNT; i++) {
		if (strcmp(metrics[i].name, word))
			continue;
		if (metrics[i].id < d->min || metrics[i].id > d->max)
			return err_set(ERR_INPUT, "policy '%s' takes no metric '%s' (%s)", policy,
				       word, choices);
		*id = metrics[i].id;
		return 0;
	}
	return err_set(ERR_INPUT, "bad metric '%s' (%s)", word, choices);
}

/*
 * `metric NAME` or `metric NAME,NAME,...`: the load is then the max of
 * those utilizations (percent metrics only, each once). *id is the metric
 * (of several, the lowest id); *mask holds every one's bit when there are
 * several, else 0.
 */
static int parse_metric(const char *policy, const struct param_def *d, const char *word, __u32 *id,
			__u32 *mask)
{
	char choices[128], buf[64], *tok, *save;
	__u32 m = 0, bits = 0;
	int n = 0;

	metric_choices(d, choices, sizeof(choices));
	if (strlen(word) >= sizeof(buf))
		return err_set(ERR_INPUT, "bad metric '%s' (%s)", word, choices);
	strcpy(buf, word);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save), n++) {
		if (parse_one_metric(policy, d, tok, choices, &m))
			return -ERR_INPUT;
		if (!n)
			*id = m;
		if (bits & (1u << m))
			return err_set(ERR_INPUT, "metric '%s' named twice in '%s'", tok, word);
		bits |= 1u << m;
	}
	if (!n || word[strlen(word) - 1] == ',' || word[0] == ',' || strstr(word, ",,"))
		return err_set(ERR_INPUT, "bad metric '%s' (%s)", word, choices);
	if (n > 1 && (bits & ~HAULER_METRIC_PERCENT))
		return err_set(ERR_INPUT,
			       "metric '%s': only utilizations (cmp, mem, net, queue) combine "
			       "into a max",
			       word);
	*mask = n > 1 ? bits : 0;
	if (n > 1) /* the lowest id: saved as "cmp,net" whatever the typed order */
		*id = __builtin_ctz(bits);
	return 0;
}

/* The threshold row of metric id, or -1. */
static int threshold_row(__u32 id)
{
	const char *name = metric_name(id);
	int i;

	for (i = 0; i < THRESHOLD_COUNT; i++)
		if (!strcmp(thresholds[i].metric, name))
			return i;
	return -1;
}

/*
 * The threshold, once every parameter is read: within the range of the
 * metric in force (a combination: of its utilizations, 1..100), and given
 * at all where that metric has no natural "fully utilized" (conns, latency).
 */
static int check_threshold(const char *policy, const struct policy_choice *c)
{
	const struct param_def *t = param_find(policy, "threshold"), *md;
	__u32 id;
	int row;

	if (!t)
		return 0;
	md = param_find(policy, "metric");
	id = c->params.metric_set ? c->params.metric : md ? md->def : HAULER_METRIC_CMP;
	row = threshold_row(id);
	if (row < 0)
		return err_set(ERR_INPUT, "policy '%s' has no threshold for metric '%s'", policy,
			       metric_name(id));
	if (!c->params.threshold) {
		if (strcmp(thresholds[row].unit, "%"))
			return err_set(ERR_INPUT,
				       "policy '%s' metric %s needs a threshold (%u..%u %s)",
				       policy, metric_name(id), thresholds[row].min,
				       thresholds[row].max, thresholds[row].unit);
		return 0;
	}
	if (c->params.threshold < thresholds[row].min || c->params.threshold > thresholds[row].max)
		return err_set(ERR_INPUT, "bad threshold '%u' for metric %s (%u..%u %s)",
			       c->params.threshold, metric_name(id), thresholds[row].min,
			       thresholds[row].max, thresholds[row].unit);
	return 0;
}

int policy_param_parse(const char *policy, const char *param, const char *word, __u32 *v)
{
	const struct param_def *d = param_find(policy, param);
	__u32 mask;

	if (!d)
		return err_set(ERR_INPUT, "policy '%s' takes no parameter '%s'", policy, param);
	if (!strcmp(d->name, "metric"))
		return parse_metric(policy, d, word, v, &mask);
	return parse_u32(word, d->min, d->max, d->name, v);
}

/* Store value v of parameter d: where each name lands is params.def's rule. */
static int param_store(const struct param_def *d, __u32 v, struct policy_choice *c)
{
	if (!strcmp(d->name, "metric")) {
		c->params.metric = v;
		c->params.metric_set = 1;
	} else if (!strcmp(d->name, "threshold")) {
		c->params.threshold = v;
	} else if (!strcmp(d->name, "stale-ms")) {
		c->params.stale_ms = v;
	} else if (!strcmp(d->name, "stale-periods")) {
		c->params.stale_periods = v;
	} else if (!strcmp(d->name, "interval-ms")) {
		c->interval_ms = v;
	} else if (!strcmp(d->name, "spill")) {
		c->params.spill = v;
	} else {
		return err_set(ERR_SYSTEM, "params.def: no place for parameter '%s'", d->name);
	}
	return 0;
}

int policy_parse_params(const char *name, int argc, char **argv, struct policy_choice *c)
{
	const struct param_def *d;
	__u32 v, mask = 0;
	int i = 0, ret;

	memset(c, 0, sizeof(*c));
	if (parse_name(name, (char *)c->params.name))
		return err_set(ERR_INPUT, "bad policy name '%s'", name);
	while (i < argc && policy_param_word(argv[i])) {
		d = param_find(name, argv[i]);
		if (!d)
			return err_set(ERR_INPUT, "policy '%s' takes no parameter '%s'", name,
				       argv[i]);
		if (i + 1 >= argc)
			return err_set(ERR_INPUT, "parameter '%s' needs a value", argv[i]);
		if (!strcmp(d->name, "metric")) {
			ret = parse_metric(name, d, argv[i + 1], &v, &mask);
			c->params.metrics = mask;
		} else {
			ret = parse_u32(argv[i + 1], d->min, d->max, d->name, &v);
		}
		if (!ret)
			ret = param_store(d, v, c);
		if (ret)
			return ret;
		i += 2;
	}
	ret = check_threshold(name, c);
	return ret ? ret : i;
}

/* "cmp" or, for a combination, "cmp,mem" (in metric id order). */
static void format_metric(const struct policy_params *p, __u32 v, char *buf, size_t len)
{
	size_t used = 0;
	int i;

	buf[0] = '\0';
	if (!p->metrics) {
		snprintf(buf, len, "%s", metric_name(v));
		return;
	}
	for (i = 0; i < METRIC_COUNT && used < len; i++)
		if (p->metrics & (1u << metrics[i].id))
			used += snprintf(buf + used, len - used, "%s%s", used ? "," : "",
					 metrics[i].name);
}

/* The value in force of d for p (the default where the map holds 0 / unset). */
static __u32 param_value(const struct param_def *d, const struct policy_params *p,
			 __u32 interval_ms, int *set)
{
	__u32 v = 0;

	if (!strcmp(d->name, "metric")) {
		*set = p->metric_set;
		v = p->metric;
	} else if (!strcmp(d->name, "threshold")) {
		*set = p->threshold != 0;
		v = p->threshold;
	} else if (!strcmp(d->name, "stale-ms")) {
		*set = p->stale_ms != 0;
		v = p->stale_ms;
	} else if (!strcmp(d->name, "stale-periods")) {
		*set = p->stale_periods != 0;
		v = p->stale_periods;
	} else if (!strcmp(d->name, "interval-ms")) {
		*set = interval_ms != 0;
		v = interval_ms;
	} else if (!strcmp(d->name, "spill")) {
		*set = p->spill != 0;
		v = p->spill;
	} else {
		*set = 0;
	}
	return *set ? v : d->def;
}

/* Walk p's parameters in params.def order: its own, then POLICY_ANY's. */
static void format(const struct policy_params *p, __u32 interval_ms, int all, char *buf, size_t len)
{
	const char *policy = (const char *)p->name;
	size_t used = 0;
	int pass, i, set;

	buf[0] = '\0';
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < PARAM_COUNT && used < len; i++) {
			const struct param_def *d = &param_defs[i];
			__u32 v;

			if (strcmp(d->policy, pass ? "POLICY_ANY" : policy) ||
			    param_find(policy, d->name) != d)
				continue;
			v = param_value(d, p, interval_ms, &set);
			if (!set && !all)
				continue;
			if (!strcmp(d->name, "metric")) {
				char names[64];

				format_metric(p, v, names, sizeof(names));
				used += snprintf(buf + used, len - used, "%s%s %s", used ? " " : "",
						 d->name, names);
			} else
				used += snprintf(buf + used, len - used, "%s%s %u", used ? " " : "",
						 d->name, v);
		}
	}
}

void policy_format_params(const struct policy_params *p, __u32 interval_ms, char *buf, size_t len)
{
	format(p, interval_ms, 0, buf, len);
}

void policy_format_effective(const struct policy_params *p, __u32 interval_ms, char *buf,
			     size_t len)
{
	format(p, interval_ms, 1, buf, len);
}

__u32 policy_interval_ms(__u32 interval_ms)
{
	return interval_ms ? interval_ms : HAULER_DWRR_INTERVAL_MS_DEFAULT;
}

static void print_thresholds(FILE *out)
{
	int i;

	for (i = 0; i < THRESHOLD_COUNT; i++)
		fprintf(out, "    %-10s %u..%u %s\n", thresholds[i].metric, thresholds[i].min,
			thresholds[i].max, thresholds[i].unit);
}

static void print_params(FILE *out, const char *policy)
{
	char range[160];
	int i;

	for (i = 0; i < PARAM_COUNT; i++) {
		const struct param_def *d = &param_defs[i];

		if (strcmp(d->policy, policy))
			continue;
		if (!strcmp(d->name, "metric")) {
			metric_choices(d, range, sizeof(range));
			fprintf(out, "  %-12s %s (default %s): %s\n", d->name, range,
				metric_name(d->def), d->doc);
		} else if (!strcmp(d->name, "threshold")) {
			fprintf(out, "  %-12s by metric (default %u %%): %s\n", d->name, d->def,
				d->doc);
			print_thresholds(out);
		} else {
			fprintf(out, "  %-12s %u..%u (default %u): %s\n", d->name, d->min, d->max,
				d->def, d->doc);
		}
	}
}

int policy_table_print(FILE *out, const char *only)
{
	size_t i;
	int n = 0;

	for (i = 0; i < sizeof(policy_docs) / sizeof(policy_docs[0]); i++) {
		if (only && strcmp(only, policy_docs[i].name))
			continue;
		fprintf(out, "%s: %s\n", policy_docs[i].name, policy_docs[i].doc);
		print_params(out, policy_docs[i].name);
		n++;
	}
	if (!only || !strcmp(only, "any")) {
		fprintf(out, "every policy (custom ones too):\n");
		print_params(out, "POLICY_ANY");
		n++;
	}
	return n;
}
