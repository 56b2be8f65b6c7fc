/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * loadgen_result.h - what loadgen makes of its per-request records: the
 * latency percentiles (a lost request counts as infinitely late), the
 * throughput, the losses, the batch's completion time and the split by
 * device, and the JSON line it prints. Plain C, no sockets: the unit
 * tests feed it records directly.
 */
#ifndef HAULER_LOADGEN_RESULT_H
#define HAULER_LOADGEN_RESULT_H

#include <stdbool.h>
#include <stdio.h>

#include "work_proto.h"
#include "work_stats.h"

#define LG_MAX_DEVS 16

/* One request: when it was due, when it ended, and how. */
struct lg_rec {
	uint64_t sched_ns; /* its arrival time in the Poisson schedule */
	uint64_t done_ns;  /* reply received, or given up (timeout, error) */
	uint64_t lat_ns;   /* done - sched for a reply; WORK_LOST otherwise */
	int dev;	   /* index into the device table; -1 when lost */
	uint32_t service_us, queue_us;
	bool counted; /* sent after the warm-up */
};

struct lg_dev {
	char name[WORK_NAME_LEN + 1];
	unsigned long n;
	uint64_t service_us, queue_us; /* sums */
};

struct lg_devs {
	struct lg_dev d[LG_MAX_DEVS];
	int n;
};

/* The index of device `name`, added when new; -1 when the table is full. */
static inline int lg_dev_index(struct lg_devs *t, const char *name)
{
	int i;

	for (i = 0; i < t->n; i++)
		if (!strcmp(t->d[i].name, name))
			return i;
	if (t->n == LG_MAX_DEVS)
		return -1;
	memset(&t->d[t->n], 0, sizeof(t->d[0]));
	snprintf(t->d[t->n].name, sizeof(t->d[0].name), "%s", name);
	return t->n++;
}

struct lg_result {
	unsigned long sent, counted, ok, lost;
	double span_s;	   /* first to last counted arrival */
	double offered;	   /* counted / span */
	double throughput; /* replies of counted requests / span */
	/*
	 * Replies received while the counted arrivals ran / span: a saturated
	 * target's service rate. throughput also counts the backlog served
	 * after the last arrival, up to the timeout, so over capacity it
	 * overstates what the target serves.
	 */
	double served_rate;
	uint64_t p50, p99, p999, max, mean; /* ns; WORK_LOST when in the losses */
	uint64_t fct_ns;		    /* first counted arrival to the last one's end */
};

/* Summarize n records (the counted ones); 0, or -1 when out of memory. */
static inline int lg_summarize(const struct lg_rec *r, size_t n, struct lg_result *res)
{
	uint64_t first = UINT64_MAX, last = 0, end = 0, sum = 0, *lat;
	size_t i, k = 0, served = 0;

	memset(res, 0, sizeof(*res));
	res->sent = (unsigned long)n;
	lat = malloc((n ? n : 1) * sizeof(*lat));
	if (!lat)
		return -1;
	for (i = 0; i < n; i++) {
		if (!r[i].counted)
			continue;
		lat[k++] = r[i].lat_ns;
		if (r[i].lat_ns == WORK_LOST) {
			res->lost++;
		} else {
			res->ok++;
			sum += r[i].lat_ns;
		}
		if (r[i].sched_ns < first)
			first = r[i].sched_ns;
		if (r[i].sched_ns > last)
			last = r[i].sched_ns;
		if (r[i].done_ns > end)
			end = r[i].done_ns;
	}
	res->counted = (unsigned long)k;
	work_sort_u64(lat, k);
	res->p50 = work_percentile(lat, k, 0.50);
	res->p99 = work_percentile(lat, k, 0.99);
	res->p999 = work_percentile(lat, k, 0.999);
	res->max = k ? lat[k - 1] : WORK_LOST;
	res->mean = res->ok ? sum / res->ok : WORK_LOST;
	if (k) {
		/* k arrivals span k-1 gaps; one arrival spans nothing. */
		res->span_s = (double)(last - first) / 1e9;
		if (k > 1 && res->span_s > 0) {
			res->offered = (double)(k - 1) / res->span_s;
			res->throughput = res->offered * (double)res->ok / (double)k;
			for (i = 0; i < n; i++) /* warm-up ones too: all the target did */
				if (r[i].lat_ns != WORK_LOST && r[i].done_ns >= first &&
				    r[i].done_ns <= last)
					served++;
			res->served_rate = (double)served / res->span_s;
		}
		res->fct_ns = end > first ? end - first : 0;
	}
	free(lat);
	return 0;
}

/* "KEY":ms with three decimals, or null for a latency among the losses. */
static inline void lg_json_ms(FILE *f, const char *key, uint64_t ns)
{
	if (ns == WORK_LOST)
		fprintf(f, ",\"%s\":null", key);
	else
		fprintf(f, ",\"%s\":%.3f", key, (double)ns / 1e6);
}

/* JSON string contents: printable ASCII, with quotes and backslashes escaped. */
static inline void lg_json_str(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c > 0x7e)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
}

struct lg_meta {
	const char *label, *proto, *target;
	double rate;
	uint64_t timeout_ns, unloaded_ns, max_lag_ns;
	unsigned long bad; /* replies that were not ours */
};

/* The result as one JSON object on one line. */
static inline void lg_json(FILE *f, const struct lg_meta *m, const struct lg_result *r,
			   const struct lg_devs *devs)
{
	fputs("{\"label\":\"", f);
	lg_json_str(f, m->label ? m->label : "");
	fprintf(f, "\",\"proto\":\"%s\",\"target\":\"", m->proto);
	lg_json_str(f, m->target);
	fprintf(f, "\",\"rate\":%.3f,\"sent\":%lu,\"counted\":%lu,\"ok\":%lu,\"lost\":%lu", m->rate,
		r->sent, r->counted, r->ok, r->lost);
	fprintf(f, ",\"loss_pct\":%.3f,\"offered\":%.3f,\"throughput\":%.3f,\"served_rate\":%.3f",
		r->counted ? 100.0 * (double)r->lost / (double)r->counted : 0.0, r->offered,
		r->throughput, r->served_rate);
	fprintf(f, ",\"span_s\":%.3f", r->span_s);
	lg_json_ms(f, "p50_ms", r->p50);
	lg_json_ms(f, "p99_ms", r->p99);
	lg_json_ms(f, "p999_ms", r->p999);
	lg_json_ms(f, "max_ms", r->max);
	lg_json_ms(f, "mean_ms", r->mean);
	lg_json_ms(f, "fct_ms", r->counted ? r->fct_ns : WORK_LOST);
	lg_json_ms(f, "timeout_ms", m->timeout_ns);
	lg_json_ms(f, "unloaded_ms", m->unloaded_ns);
	lg_json_ms(f, "max_lag_ms", m->max_lag_ns);
	fprintf(f, ",\"bad_replies\":%lu,\"by_device\":{", m->bad);
	for (int i = 0; i < devs->n; i++) {
		const struct lg_dev *d = &devs->d[i];
		double n = d->n ? (double)d->n : 1.0;

		fprintf(f, "%s\"", i ? "," : "");
		lg_json_str(f, d->name);
		fprintf(f, "\":{\"n\":%lu,\"service_ms\":%.3f,\"queue_ms\":%.3f}", d->n,
			(double)d->service_us / n / 1e3, (double)d->queue_us / n / 1e3);
	}
	fputs("}}\n", f);
}

#endif
