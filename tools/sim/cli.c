// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* cli.c - hauler-sim's options, and the sweep command (see sim_cli.h). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim_cli.h"
#include "error.h"
#include "json.h"

void sim_opts_defaults(struct sim_opts *o)
{
	memset(o, 0, sizeof(*o));
	sim_config_defaults(&o->cfg);
	o->runs = 3;
	o->warmup = 5;
	o->duration = 20;
	learner_defaults(&o->lp);
	snprintf(o->experiment, sizeof(o->experiment), "accuracy");
	o->iter_s = 2;
	o->train_iters = 3000;
	o->hold = 25;
	o->eval_iters = 40;
	o->settle = 20;
	o->eval_epsilon = 0;
	o->add_at = 300;
	o->total_iters = 900;
	o->window = 50;
	o->overload_kind = 0;
	o->eval_learn = 1;
	o->readout = 1;
	o->episodes = 1;
}

static int num(const char *s, double min, double max, const char *what, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < min || v > max)
		return err_set(ERR_INPUT, "bad %s '%s' (%g..%g)", what, s, min, max);
	*out = v;
	return 0;
}

/* Microseconds 0..1e6 (an option ...-us) into seconds. */
static int micros(const char *s, const char *what, double *out_s)
{
	double us = 0;
	int ret = num(s, 0, 1e6, what, &us);

	if (!ret)
		*out_s = us / 1e6;
	return ret;
}

static int integer(const char *s, double min, double max, const char *what, int *out)
{
	double v = 0;
	int ret = num(s, min, max, what, &v);

	if (!ret && v != floor(v))
		ret = err_set(ERR_INPUT, "bad %s '%s': not a whole number", what, s);
	if (!ret)
		*out = (int)v;
	return ret;
}

/* QUOTA/PERIOD in microseconds, as cgroup v2's cpu.max. */
static int quota(const char *s, const char *what, double out[2])
{
	double qu, pe;
	char tail;

	if (sscanf(s, "%lf/%lf%c", &qu, &pe, &tail) != 2 || !(qu >= 1) || !(pe >= qu) || pe > 1e7)
		return err_set(ERR_INPUT, "bad %s '%s' (QUOTA/PERIOD us, quota <= period)", what,
			       s);
	out[0] = qu / 1e6;
	out[1] = pe / 1e6;
	return 0;
}

static int list_rates(struct sim_opts *o, const char *s)
{
	char buf[1024], *save = NULL, *w;

	snprintf(buf, sizeof(buf), "%s", s);
	o->nrates = 0;
	for (w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		if (o->nrates == SIM_MAX_RATES)
			return err_set(ERR_INPUT, "at most %d rates", SIM_MAX_RATES);
		if (num(w, 1e-3, 1e7, "rate", &o->rates[o->nrates++]))
			return -ERR_INPUT;
	}
	return o->nrates ? 0 : err_set(ERR_INPUT, "no rates");
}

static int list_policies(struct sim_opts *o, const char *s)
{
	char buf[2048], *save = NULL, *w;

	snprintf(buf, sizeof(buf), "%s", s);
	o->npolicies = 0;
	for (w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		if (o->npolicies == SIM_MAX_POLICIES)
			return err_set(ERR_INPUT, "at most %d policies", SIM_MAX_POLICIES);
		snprintf(o->policies[o->npolicies++], sizeof(o->policies[0]), "%s", w);
	}
	return 0;
}

static int opts_parse(struct sim_opts *o, int argc, char **argv)
{
	struct sim_config *c = &o->cfg;
	double v = 0;
	int i, ret = 0;

	for (i = 0; i < argc && !ret; i++) {
		const char *k = argv[i], *a = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(k, "--fixed-service")) {
			c->fixed_service = 1;
			continue;
		}
		if (!a)
			return err_set(ERR_INPUT, "option '%s' needs a value", k);
		i++;
		if (!strcmp(k, "--servers"))
			ret = integer(a, 1, HAULER_MAX_SERVERS, k, &c->servers);
		else if (!strcmp(k, "--nics"))
			ret = integer(a, 0, HAULER_DEVS_PER_SERVER - 2, k, &c->nics);
		else if (!strcmp(k, "--mu-cpu"))
			ret = num(a, 1e-3, 1e9, k, &c->mu_cpu);
		else if (!strcmp(k, "--mu-nic"))
			ret = num(a, 1e-3, 1e9, k, &c->mu_nic);
		else if (!strcmp(k, "--w-cpu") && !(ret = num(a, 0, 65535, k, &v)))
			c->w_cpu = (__u16)v;
		else if (!strcmp(k, "--w-nic") && !(ret = num(a, 0, 65535, k, &v)))
			c->w_nic = (__u16)v;
		else if (!strcmp(k, "--quota-cpu"))
			ret = quota(a, k, c->quota_cpu);
		else if (!strcmp(k, "--quota-nic"))
			ret = quota(a, k, c->quota_nic);
		else if (!strcmp(k, "--quota-tick-us"))
			ret = micros(a, k, &c->quota_tick_s);
		else if (!strcmp(k, "--shared-cpu"))
			ret = integer(a, 0, 1, k, &c->shared_cpu);
		else if (!strcmp(k, "--cpu-overhead-us"))
			ret = micros(a, k, &c->cpu_overhead_s);
		else if (!strcmp(k, "--report-ms"))
			ret = num(a, 0.1, 60000, k, &c->report_ms);
		else if (!strcmp(k, "--agent-window-ms"))
			ret = num(a, 0, 60000, k, &c->window_ms);
		else if (!strcmp(k, "--table-size") && !(ret = num(a, 7, HAULER_MAGLEV_MAX, k, &v)))
			c->table_size = (__u32)v;
		else if (!strcmp(k, "--seed") && !(ret = num(a, 0, 4e9, k, &v)))
			c->seed = (__u64)v;
		else if (!strcmp(k, "--runs"))
			ret = integer(a, 1, 1000, k, &o->runs);
		else if (!strcmp(k, "--warmup"))
			ret = num(a, 0, 1e5, k, &o->warmup);
		else if (!strcmp(k, "--duration"))
			ret = num(a, 1e-3, 1e6, k, &o->duration);
		else if (!strcmp(k, "--rates"))
			ret = list_rates(o, a);
		else if (!strcmp(k, "--policies"))
			ret = list_policies(o, a);
		else if (!strcmp(k, "--experiment"))
			snprintf(o->experiment, sizeof(o->experiment), "%s", a);
		else if (!strcmp(k, "--iter-s"))
			ret = num(a, 1e-3, 1e4, k, &o->iter_s);
		else if (!strcmp(k, "--train-iters"))
			ret = integer(a, 0, 1e7, k, &o->train_iters);
		else if (!strcmp(k, "--hold"))
			ret = integer(a, 1, 1e6, k, &o->hold);
		else if (!strcmp(k, "--eval-iters"))
			ret = integer(a, 1, 1e6, k, &o->eval_iters);
		else if (!strcmp(k, "--settle"))
			ret = integer(a, 0, 1e6, k, &o->settle);
		else if (!strcmp(k, "--eval-epsilon"))
			ret = num(a, -1, 1, k, &o->eval_epsilon);
		else if (!strcmp(k, "--turning"))
			ret = num(a, 0, 1e7, k, &o->turning);
		else if (!strcmp(k, "--turning-before"))
			ret = num(a, 0, 1e7, k, &o->turning_before);
		else if (!strcmp(k, "--add-at"))
			ret = integer(a, 0, 1e7, k, &o->add_at);
		else if (!strcmp(k, "--iters"))
			ret = integer(a, 1, 1e7, k, &o->total_iters);
		else if (!strcmp(k, "--rate"))
			ret = num(a, 1e-3, 1e7, k, &o->adapt_rate);
		else if (!strcmp(k, "--window"))
			ret = integer(a, 1, 1e6, k, &o->window);
		else if (!strcmp(k, "--overload")) {
			if (!strcmp(a, "any") || !strcmp(a, "kind"))
				o->overload_kind = !strcmp(a, "kind");
			else
				ret = err_set(ERR_INPUT, "bad --overload '%s' (any, kind)", a);
		} else if (!strcmp(k, "--trace"))
			ret = integer(a, 0, 1, k, &o->trace);
		else if (!strcmp(k, "--readout"))
			ret = integer(a, 1, SIM_READOUT_MAX, k, &o->readout);
		else if (!strcmp(k, "--eval-learn"))
			ret = integer(a, 0, 1, k, &o->eval_learn);
		else if (!strcmp(k, "--episodes"))
			ret = integer(a, 0, 1, k, &o->episodes);
		else if (!strncmp(k, "--learn-", 8))
			ret = learner_params_parse(&o->lp, 2, (char *[]){(char *)k + 8, (char *)a});
		else
			ret = err_set(ERR_INPUT, "unknown option '%s'", k);
	}
	return ret;
}

/* All or nothing: a bad option or value leaves o as it was. */
int sim_opts_parse(struct sim_opts *o, int argc, char **argv)
{
	static struct sim_opts n;
	int ret;

	n = *o;
	ret = opts_parse(&n, argc, argv);
	if (!ret)
		*o = n;
	return ret;
}

/*
 * NAME[:PARAMS][@WCPU/WNIC]: "prt:threshold 80" -> policy prt, params
 * "threshold 80"; "wrr@6/1" -> wrr with weights 6 (CPU) and 1 (SmartNIC);
 * "baseline" -> wrr over the CPUs alone.
 */
static int policy_config(const struct sim_opts *o, const char *spec, struct sim_config *c)
{
	char buf[160], *at, *colon;
	unsigned int wc, wn;

	*c = o->cfg;
	snprintf(buf, sizeof(buf), "%s", spec);
	at = strchr(buf, '@');
	if (at) {
		*at++ = '\0';
		if (sscanf(at, "%u/%u", &wc, &wn) != 2 || wc > 65535 || wn > 65535)
			return err_set(ERR_INPUT, "bad weights '%s' (WCPU/WNIC)", at);
		c->w_cpu = wc;
		c->w_nic = wn;
	}
	colon = strchr(buf, ':');
	if (colon)
		*colon++ = '\0';
	if (strlen(buf) >= sizeof(c->policy))
		return err_set(ERR_INPUT, "policy name too long: '%s'", buf);
	memcpy(c->policy, buf, strlen(buf) + 1);
	snprintf(c->params, sizeof(c->params), "%s", colon ? colon : "");
	if (!strcmp(c->policy, "baseline")) {
		snprintf(c->policy, sizeof(c->policy), "wrr");
		c->nics = 0;
	}
	return 0;
}

struct sweep_point {
	double p99, p99_sq, p50, cpu, cpu_var, nic_share, max_offered;
	double *p99_run; /* each run's P99 (o->runs of them) */
};

static int sweep_point(const struct sim_opts *o, const struct sim_config *base, double rate,
		       struct sweep_point *pt)
{
	struct sim_config c = *base;
	struct sim_cluster cl;
	struct sim_window w;
	int r, ret = 0;

	double *p99_run = pt->p99_run;

	memset(pt, 0, sizeof(*pt));
	pt->p99_run = p99_run;
	for (r = 0; r < o->runs && !ret; r++) {
		c.seed = base->seed + (__u64)r;
		ret = sim_cluster_init(&cl, &c);
		if (!ret)
			ret = sim_run(&cl, rate, o->warmup, o->duration, &w);
		sim_cluster_free(&cl);
		pt->p99_run[r] = w.p99;
		pt->p99 += w.p99 / o->runs;
		pt->p99_sq += w.p99 * w.p99 / o->runs;
		pt->p50 += w.p50 / o->runs;
		pt->cpu += w.cpu_util / o->runs;
		pt->cpu_var += w.cpu_util_var / o->runs;
		pt->nic_share += w.nic_share / o->runs;
		pt->max_offered += w.max_offered / o->runs;
	}
	return ret;
}

int sim_sweep(const struct sim_opts *o, FILE *out)
{
	struct sweep_point pt;
	struct sim_config c;
	struct json j;
	int p, r, k, ret = 0;

	if (!o->nrates || !o->npolicies)
		return err_set(ERR_INPUT, "sweep needs --rates and --policies");
	pt.p99_run = calloc((size_t)o->runs, sizeof(*pt.p99_run));
	if (!pt.p99_run)
		return err_set(ERR_SYSTEM, "out of memory");
	json_init(&j, out);
	json_object_begin(&j, NULL);
	json_uint(&j, "servers", o->cfg.servers);
	json_uint(&j, "nics", o->cfg.nics);
	json_double(&j, "mu_cpu", o->cfg.mu_cpu);
	json_double(&j, "mu_nic", o->cfg.mu_nic);
	json_uint(&j, "runs", o->runs);
	json_double(&j, "duration_s", o->duration);
	json_array_begin(&j, "results");
	for (p = 0; p < o->npolicies && !ret; p++) {
		ret = policy_config(o, o->policies[p], &c);
		for (r = 0; r < o->nrates && !ret; r++) {
			fprintf(stderr, "\rsweep %d servers: %-24s rate %8.1f (%d/%d)   ",
				c.servers, o->policies[p], o->rates[r], p * o->nrates + r + 1,
				o->npolicies * o->nrates);
			ret = sweep_point(o, &c, o->rates[r], &pt);
			if (ret)
				break;
			json_object_begin(&j, NULL);
			json_string(&j, "policy", o->policies[p]);
			json_double(&j, "rate", o->rates[r]);
			json_double(&j, "p99_s", pt.p99);
			json_double(&j, "p99_sd", sqrt(fmax(0, pt.p99_sq - pt.p99 * pt.p99)));
			json_array_begin(&j, "p99_runs_s"); /* by run: seed, seed + 1, ... */
			for (k = 0; k < o->runs; k++)
				json_double(&j, NULL, pt.p99_run[k]);
			json_array_end(&j);
			json_double(&j, "p50_s", pt.p50);
			json_double(&j, "cpu_util", pt.cpu);
			json_double(&j, "cpu_util_var", pt.cpu_var);
			json_double(&j, "nic_share", pt.nic_share);
			json_double(&j, "max_offered", pt.max_offered);
			json_object_end(&j);
		}
	}
	fprintf(stderr, "\n");
	json_array_end(&j);
	json_object_end(&j);
	json_finish(&j);
	free(pt.p99_run);
	return ret;
}
