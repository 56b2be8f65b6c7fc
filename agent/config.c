// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * config.c - the agent's settings: one table of options, used both for
 * the command line (--name value) and for the config file (name = value
 * lines, # comments). Options apply in order, so command-line options
 * after --config override the file.
 */
#include <errno.h>
#include <stddef.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "hauler_keyfile.h"
#include "hauler_report.h"
#include "hauler_version.h"
#include "agent.h"

/*
 * One row per option drives the command line, the config file, --help and
 * the check that docs/agent.md lists every option. A row stores its value
 * by kind into the field at off (numbers in min..max); OPT_FUNC rows parse
 * with their own function.
 */
enum opt_kind {
	OPT_INT,
	OPT_UINT,
	OPT_LONG,
	OPT_DOUBLE,
	OPT_STRING,
	OPT_FLAG,
	OPT_FUNC,
	OPT_HELP, /* command line only: print and exit (help, version) */
};

struct agent_option {
	const char *name;
	const char *arg; /* NULL: a flag */
	const char *help;
	enum opt_kind kind;
	size_t off, size; /* the field in struct agent_config */
	double min, max;
	int (*set)(struct agent_config *cfg, const char *name, const char *value);
};

#define FIELD(f)	     offsetof(struct agent_config, f), sizeof(((struct agent_config *)0)->f)
#define NUM(kind, f, lo, hi) kind, FIELD(f), lo, hi, NULL
#define STR(f)		     OPT_STRING, FIELD(f), 0, 0, NULL
#define FLAG(f)		     OPT_FLAG, FIELD(f), 0, 0, NULL
#define FUNC(fn)	     OPT_FUNC, 0, 0, 0, 0, fn

static int set_config(struct agent_config *cfg, const char *name, const char *value);
static int set_key(struct agent_config *cfg, const char *name, const char *value);
static int set_key_file(struct agent_config *cfg, const char *name, const char *value);
static int set_ether_dst(struct agent_config *cfg, const char *name, const char *value);
static int set_rate(struct agent_config *cfg, const char *name, const char *value);
static int set_proto(struct agent_config *cfg, const char *name, const char *value);
static int set_jitter(struct agent_config *cfg, const char *name, const char *value);
static int set_cgroup(struct agent_config *cfg, const char *name, const char *value);
static int set_cpus(struct agent_config *cfg, const char *name, const char *value);
static int set_bandwidth(struct agent_config *cfg, const char *name, const char *value);
static int set_probe(struct agent_config *cfg, const char *name, const char *value);
static int set_threshold(struct agent_config *cfg, const char *name, const char *value);

static const struct agent_option options[] = {
    {"config", "FILE", "read name = value lines from FILE (at this point of the options)",
     FUNC(set_config)},
    {"device", "ID", "device id to report for (0..8191; required)",
     NUM(OPT_INT, device, 0, HAULER_MAX_DEVICES - 1)},
    {"key", "HEX", "the device's report key: 32 hex digits (from hauler device key)",
     FUNC(set_key)},
    {"key-file", "FILE", "read the key from FILE (keeps it out of the process list)",
     FUNC(set_key_file)},
    {"balancer", "ADDR[:PORT]", "send reports by UDP to ADDR (port 7946 by default)",
     STR(balancer)},
    {"source", "ADDR", "send from ADDR: the device's address, which the balancer checks",
     STR(source)},
    {"ether", "IF", "send raw Ethernet frames (type 0x88b5) on IF instead of UDP", STR(ether_if)},
    {"ether-dst", "MAC", "destination of the Ethernet frames (default ff:ff:ff:ff:ff:ff)",
     FUNC(set_ether_dst)},
    {"rate", "N", "reports per second (default 100; 0: only on threshold crossings)",
     FUNC(set_rate)},
    {"jitter", "PCT", "random spread of the period, in percent (default 10)", FUNC(set_jitter)},
    {"window", "MS", "measure cmp and net over at least MS (default 0: one period)",
     NUM(OPT_UINT, window_ms, 0, 60000)},
    {"cgroup", "PATH", "cmp and mem of this cgroup (path under /sys/fs/cgroup[/CONTROLLER])",
     FUNC(set_cgroup)},
    {"cpus", "LIST", "cmp of these CPUs only, such as 0-3,8", FUNC(set_cpus)},
    {"gpu", "N", "cmp and mem of GPU N, through NVML", NUM(OPT_INT, gpu, 0, 63)},
    {"nvml-lib", "FILE", "NVML library to load (default libnvidia-ml.so.1)", STR(nvml_lib)},
    {"iface", "IF", "net: utilization of interface IF", STR(iface)},
    {"bandwidth", "RATE", "capacity of IF in bit/s, such as 10g or 100m (default its speed)",
     FUNC(set_bandwidth)},
    {"port", "PORT", "service port: pending requests (queue) and live connections",
     NUM(OPT_INT, port, 1, 65535)},
    {"proto", "tcp|udp",
     "the service port's protocol: TCP accept queue or UDP receive queue (default tcp)",
     FUNC(set_proto)},
    {"queue-capacity", "N",
     "queue: add the requests in flight the application pushes (inflight N); N of them is full",
     NUM(OPT_UINT, queue_capacity, 1, 10000000)},
    {"conns-interval", "MS", "count live connections every MS (default 1000; 0: every report)",
     NUM(OPT_UINT, conns_interval_ms, 0, 3600000)},
    {"probe", "ADDR:PORT", "latency: time TCP connects to ADDR:PORT", FUNC(set_probe)},
    {"probe-interval", "MS", "time between probes (default 1000)",
     NUM(OPT_UINT, probe_interval_ms, 10, 3600000)},
    {"latency-socket", "PATH", "latency: the application sends microseconds to this unix socket",
     STR(latency_socket)},
    {"latency-max-age", "MS", "stop reporting a latency older than MS (default 5000)",
     NUM(OPT_UINT, latency_max_age_ms, 1, 3600000)},
    {"threshold", "M=V,...",
     "threshold mode: busy while cmp, mem, net, queue (V %) or latency (V ms) is at or above "
     "V; report at once on a crossing",
     FUNC(set_threshold)},
    {"sample", "MS", "threshold mode: sampling interval (default 10)",
     NUM(OPT_UINT, sample_ms, 1, 60000)},
    {"confirm", "MS", "threshold mode: repeat a crossing's report after MS (default 5; 0: no)",
     NUM(OPT_UINT, confirm_ms, 0, 1000)},
    {"root", "DIR", "read /proc and /sys under DIR (tests)", STR(root)},
    {"count", "N", "exit after N reports", NUM(OPT_LONG, count, 1, LONG_MAX)},
    {"once", NULL, "measure over 100 ms, send one report, exit", FLAG(once)},
    {"dry-run", NULL, "print reports instead of sending them", FLAG(dry_run)},
    {"verbose", NULL, "print each report and, at exit, the agent's own CPU use", FLAG(verbose)},
    {"version", NULL, "print the version and exit", OPT_HELP, 0, 0, 0, 0, NULL},
    {"help", NULL, "print this help", OPT_HELP, 0, 0, 0, 0, NULL},
};

#define N_OPTIONS (sizeof(options) / sizeof(options[0]))

void config_defaults(struct agent_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->device = -1;
	cfg->gpu = -1;
	cfg->rate = 100;
	cfg->jitter = 0.10;
	cfg->probe_interval_ms = 1000;
	cfg->conns_interval_ms = 1000;
	cfg->latency_max_age_ms = 5000;
	cfg->sample_ms = 10;
	cfg->proto = IPPROTO_TCP;
	cfg->confirm_ms = 5;
	memset(cfg->ether_dst, 0xff, sizeof(cfg->ether_dst));
	snprintf(cfg->nvml_lib, sizeof(cfg->nvml_lib), "libnvidia-ml.so.1");
	for (int m = 0; m < AGENT_METRICS; m++)
		cfg->threshold[m] = AGENT_NO_THRESHOLD;
}

void config_usage(FILE *out)
{
	fprintf(out, "usage: hauler-agent [OPTIONS]\n"
		     "Measures one device and sends authenticated load reports to hauler.\n\n");
	for (size_t i = 0; i < N_OPTIONS; i++) {
		char left[40];

		snprintf(left, sizeof(left), "--%s%s%s", options[i].name, options[i].arg ? " " : "",
			 options[i].arg ? options[i].arg : "");
		fprintf(out, "  %-28s %s\n", left, options[i].help);
	}
	fprintf(out, "\nA config file holds the same options as name = value lines.\n");
}

static int parse_long(const char *name, const char *value, long min, long max, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(value, &end, 10);
	if (errno || end == value || *end || *out < min || *out > max) {
		agent_err("%s: '%s' is not a whole number in %ld..%ld", name, value, min, max);
		return -1;
	}
	return 0;
}

/* *out is written only when value is good: a bad option changes nothing. */
static int parse_double(const char *name, const char *value, double min, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(value, &end);
	if (errno || end == value || *end || !(v >= min && v <= max)) {
		agent_err("%s: '%s' is not a number in %g..%g", name, value, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

static int copy_string(const char *name, const char *value, char *dst, size_t size)
{
	if (!value[0] || strlen(value) >= size) {
		agent_err("%s: '%s' is empty or longer than %zu characters", name, value, size - 1);
		return -1;
	}
	memcpy(dst, value, strlen(value) + 1);
	return 0;
}

static int parse_flag(const char *name, const char *value, int *out)
{
	if (!value || !strcmp(value, "1") || !strcmp(value, "yes") || !strcmp(value, "true")) {
		*out = 1;
		return 0;
	}
	if (!strcmp(value, "0") || !strcmp(value, "no") || !strcmp(value, "false")) {
		*out = 0;
		return 0;
	}
	agent_err("%s: '%s' is not yes or no", name, value);
	return -1;
}

/* "10g", "2.5G", "100m", "1500k", "1000000": bits per second. */
static int parse_bandwidth(const char *value, __u64 *bps)
{
	double v, unit = 1;
	char *end;

	v = strtod(value, &end);
	if (end != value && *end && !end[1]) {
		switch (*end) {
		case 'k':
		case 'K':
			unit = 1e3;
			end++;
			break;
		case 'm':
		case 'M':
			unit = 1e6;
			end++;
			break;
		case 'g':
		case 'G':
			unit = 1e9;
			end++;
			break;
		case 't':
		case 'T':
			unit = 1e12;
			end++;
			break;
		}
	}
	if (end == value || *end || !(v * unit >= 1e3 && v * unit <= 1e13)) {
		agent_err("bandwidth: '%s' is not a rate such as 10g, 100m (1k..10t bit/s)", value);
		return -1;
	}
	*bps = (__u64)(v * unit);
	return 0;
}

static int parse_mac(const char *value, unsigned char mac[6])
{
	unsigned int b[6];
	char extra;

	if (sscanf(value, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
		   &extra) != 6) {
		agent_err("ether-dst: '%s' is not a MAC address such as 02:00:00:00:00:01", value);
		return -1;
	}
	for (int i = 0; i < 6; i++)
		mac[i] = (unsigned char)b[i];
	return 0;
}

/*
 * "cmp=80,latency=150": thresholds per metric, each in its metric's range
 * (threshold_metrics); checked whole before applied.
 */
static int parse_thresholds(const char *value, int threshold[AGENT_METRICS])
{
	int parsed[AGENT_METRICS];
	const char *p = value;

	for (int m = 0; m < AGENT_METRICS; m++)
		parsed[m] = AGENT_NO_THRESHOLD;
	while (*p) {
		size_t len = strcspn(p, "=,");
		const struct threshold_metric *t;
		int m, found = -1;
		char *end;
		long v;

		for (m = 0; m < AGENT_METRICS; m++)
			if (strlen(threshold_metrics[m].name) == len &&
			    !strncmp(p, threshold_metrics[m].name, len))
				found = m;
		if (found < 0 || p[len] != '=')
			goto bad;
		t = &threshold_metrics[found];
		errno = 0;
		v = strtol(p + len + 1, &end, 10);
		if (end == p + len + 1 || errno || (*end && (*end != ',' || !end[1])))
			goto bad;
		if (v < t->min || v > t->max) {
			agent_err("threshold: %s=%ld is out of range for %s (%d..%d%s)", t->name, v,
				  t->name, t->min, t->max, t->unit);
			return -1;
		}
		parsed[found] = (int)v;
		p = *end ? end + 1 : end;
	}
	memcpy(threshold, parsed, sizeof(parsed));
	return 0;
bad:
	agent_err("threshold: '%s' is not METRIC=VALUE[,...] (cmp, mem, net, queue: 1..100 %%; "
		  "latency: 1..%d ms)",
		  value, AGENT_LATENCY_THRESHOLD_MAX_MS);
	return -1;
}

/* The key in text (32 hex digits), from where (for the error). */
static int key_store(struct agent_config *cfg, const char *text, const char *where)
{
	if (report_key_parse(text, &cfg->k0, &cfg->k1) < 0) {
		agent_err("%s: not a key of 32 hex digits (nor all zeros)", where);
		return -1;
	}
	cfg->have_key = 1;
	return 0;
}

static int set_key_file(struct agent_config *cfg, const char *name, const char *path)
{
	char where[PATH_MAX + 16];
	char buf[128];
	size_t n;
	FILE *f = fopen(path, "r");

	if (!f) {
		agent_err("key-file %s: %s", path, strerror(errno));
		return -1;
	}
	key_file_warn(fileno(f), path, "hauler-agent");
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	buf[strcspn(buf, " \t\r\n")] = '\0';
	snprintf(where, sizeof(where), "%s %s", name, path);
	return key_store(cfg, buf, where);
}

static int set_config(struct agent_config *cfg, const char *name, const char *value)
{
	(void)name;
	return config_load(cfg, value);
}

static int set_key(struct agent_config *cfg, const char *name, const char *value)
{
	return key_store(cfg, value, name);
}

static int set_ether_dst(struct agent_config *cfg, const char *name, const char *value)
{
	(void)name;
	return parse_mac(value, cfg->ether_dst);
}

/* 0: trigger-only (threshold mode, reports on crossings only). */
static int set_rate(struct agent_config *cfg, const char *name, const char *value)
{
	if (!strcmp(value, "0")) {
		cfg->rate = 0;
		return 0;
	}
	return parse_double(name, value, 0.1, 10000, &cfg->rate);
}

static int set_proto(struct agent_config *cfg, const char *name, const char *value)
{
	if (strcmp(value, "tcp") && strcmp(value, "udp")) {
		agent_err("%s: '%s' is not tcp or udp", name, value);
		return -1;
	}
	cfg->proto = value[0] == 'u' ? IPPROTO_UDP : IPPROTO_TCP;
	return 0;
}

static int set_jitter(struct agent_config *cfg, const char *name, const char *value)
{
	if (parse_double(name, value, 0, 50, &cfg->jitter) < 0)
		return -1;
	cfg->jitter /= 100;
	return 0;
}

static int set_cgroup(struct agent_config *cfg, const char *name, const char *value)
{
	while (*value == '/')
		value++; /* "/hauler/dev0" and "hauler/dev0" are the same */
	if (!strncmp(value, "sys/fs/cgroup/", 14))
		value += 14;
	return copy_string(name, value, cfg->cgroup, sizeof(cfg->cgroup));
}

static int set_cpus(struct agent_config *cfg, const char *name, const char *value)
{
	unsigned char set[AGENT_MAX_CPUS];

	if (agent_cpulist_parse(value, set, AGENT_MAX_CPUS) < 0) {
		agent_err("cpus: '%s' is not a CPU list such as 0-3,8", value);
		return -1;
	}
	return copy_string(name, value, cfg->cpus, sizeof(cfg->cpus));
}

static int set_bandwidth(struct agent_config *cfg, const char *name, const char *value)
{
	(void)name;
	return parse_bandwidth(value, &cfg->bandwidth_bps);
}

static int set_probe(struct agent_config *cfg, const char *name, const char *value)
{
	struct sockaddr_storage ss;
	unsigned int len;

	if (agent_parse_hostport(value, 0, &ss, &len) < 0)
		return -1;
	return copy_string(name, value, cfg->probe, sizeof(cfg->probe));
}

static int set_threshold(struct agent_config *cfg, const char *name, const char *value)
{
	(void)name;
	return parse_thresholds(value, cfg->threshold);
}

/* Store value by the row's kind into its field. */
static int option_store(struct agent_config *cfg, const struct agent_option *o, const char *value)
{
	char *field = (char *)cfg + o->off;
	/* LONG_MAX does not survive a double: (long)(double)LONG_MAX overflows. */
	long n, hi = o->max >= (double)LONG_MAX ? LONG_MAX : (long)o->max;

	switch (o->kind) {
	case OPT_INT:
	case OPT_UINT:
	case OPT_LONG:
		if (parse_long(o->name, value, (long)o->min, hi, &n) < 0)
			return -1;
		if (o->kind == OPT_INT)
			*(int *)field = (int)n;
		else if (o->kind == OPT_UINT)
			*(unsigned int *)field = (unsigned int)n;
		else
			*(long *)field = n;
		return 0;
	case OPT_DOUBLE:
		return parse_double(o->name, value, o->min, o->max, (double *)field);
	case OPT_STRING:
		return copy_string(o->name, value, field, o->size);
	case OPT_FLAG:
		return parse_flag(o->name, value, (int *)field);
	case OPT_FUNC:
		return o->set(cfg, o->name, value);
	case OPT_HELP:
		break;
	}
	agent_err("unknown option '%s' (see --help)", o->name);
	return -1;
}

/* Apply one option; value is NULL for a flag given on the command line. */
int config_set(struct agent_config *cfg, const char *name, const char *value)
{
	const struct agent_option *opt = NULL;

	for (size_t i = 0; i < N_OPTIONS; i++)
		if (!strcmp(options[i].name, name))
			opt = &options[i];
	if (!opt || opt->kind == OPT_HELP) {
		agent_err("unknown option '%s' (see --help)", name);
		return -1;
	}
	if (opt->arg && !value) {
		agent_err("%s needs a value: %s", name, opt->arg);
		return -1;
	}
	return option_store(cfg, opt, value);
}

const char *config_option_name(size_t i)
{
	return i < N_OPTIONS ? options[i].name : NULL;
}

static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' || end[-1] == '\r'))
		*--end = '\0';
	return s;
}

int config_load(struct agent_config *cfg, const char *path)
{
	static int depth;
	int lineno = 0, ret = 0, warned = 0;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	FILE *f;

	if (depth) {
		agent_err("%s: a config file cannot name another (config =)", path);
		return -1;
	}
	f = fopen(path, "r");
	if (!f) {
		agent_err("config %s: %s", path, strerror(errno));
		return -1;
	}
	depth++;
	while (ret == 0 && (len = getline(&line, &cap, f)) >= 0) {
		char *name, *eq, *value;

		lineno++;
		if (len && line[len - 1] == '\n')
			len--;
		/* Refused whole: never cut into a line and its rest read as another. */
		if (len > AGENT_CONFIG_LINE_MAX) {
			agent_err("%s:%d: line longer than %d characters", path, lineno,
				  AGENT_CONFIG_LINE_MAX);
			ret = -1;
			break;
		}
		if (memchr(line, '\0', len)) {
			agent_err("%s:%d: NUL character in the line", path, lineno);
			ret = -1;
			break;
		}
		name = trim(line);
		if (!*name || *name == '#')
			continue;
		eq = strchr(name, '=');
		if (!eq) {
			agent_err("%s:%d: expected name = value", path, lineno);
			ret = -1;
			break;
		}
		*eq = '\0';
		value = trim(eq + 1);
		name = trim(name);
		if (!strcmp(name, "key") && !warned)
			warned = key_file_warn(fileno(f), path, "hauler-agent");
		if (config_set(cfg, name, value) < 0) {
			agent_err("%s:%d: in this line", path, lineno);
			ret = -1;
		}
	}
	free(line);
	if (!ret && ferror(f)) {
		agent_err("%s: read error after line %d", path, lineno);
		ret = -1;
	}
	depth--;
	fclose(f);
	return ret;
}

/* Returns 0, 1 when --help or --version was printed, or -1 on a bad option. */
int config_parse_args(struct agent_config *cfg, int argc, char **argv)
{
	struct option longopts[N_OPTIONS + 1];
	int c, index;

	for (size_t i = 0; i < N_OPTIONS; i++)
		longopts[i] = (struct option){
		    options[i].name, options[i].arg ? required_argument : no_argument, NULL, 0};
	memset(&longopts[N_OPTIONS], 0, sizeof(longopts[0]));
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":hc:vV", longopts, &index)) != -1) {
		const char *name;

		switch (c) {
		case 0:
			name = longopts[index].name;
			break;
		case 'c':
			name = "config";
			break;
		case 'v':
			name = "verbose";
			break;
		case 'V':
			name = "version";
			break;
		case 'h':
			config_usage(stdout);
			return 1;
		case ':':
			agent_err("%s needs a value (see --help)", argv[optind - 1]);
			return -1;
		default:
			agent_err("unknown option '%s' (see --help)", argv[optind - 1]);
			return -1;
		}
		if (!strcmp(name, "help")) {
			config_usage(stdout);
			return 1;
		}
		if (!strcmp(name, "version")) {
			printf("hauler-agent %s\n", hauler_version);
			return 1;
		}
		if (config_set(cfg, name, optarg) < 0)
			return -1;
	}
	if (optind < argc) {
		agent_err("unexpected argument '%s' (see --help)", argv[optind]);
		return -1;
	}
	return 0;
}

/* The settings make sense together. */
int config_check(const struct agent_config *cfg)
{
	if (cfg->device < 0) {
		agent_err("--device is required");
		return -1;
	}
	if (!!cfg->cgroup[0] + !!cfg->cpus[0] + (cfg->gpu >= 0) > 1) {
		agent_err("--cgroup, --cpus and --gpu each choose what cmp measures: give one");
		return -1;
	}
	if (cfg->bandwidth_bps && !cfg->iface[0]) {
		agent_err("--bandwidth needs --iface");
		return -1;
	}
	if (cfg->threshold[METRIC_NET] != AGENT_NO_THRESHOLD && !cfg->iface[0]) {
		agent_err("a net threshold needs --iface");
		return -1;
	}
	if (cfg->threshold[METRIC_QUEUE] != AGENT_NO_THRESHOLD && !cfg->port &&
	    !cfg->queue_capacity) {
		agent_err("a queue threshold needs --port or --queue-capacity");
		return -1;
	}
	if (cfg->queue_capacity && !cfg->latency_socket[0]) {
		agent_err("--queue-capacity needs --latency-socket (where the application pushes "
			  "\"inflight N\")");
		return -1;
	}
	if (cfg->threshold[METRIC_LATENCY] != AGENT_NO_THRESHOLD && !cfg->probe[0] &&
	    !cfg->latency_socket[0]) {
		agent_err("a latency threshold needs --probe or --latency-socket");
		return -1;
	}
	if (cfg->rate == 0 && !threshold_any(cfg->threshold)) {
		agent_err("--rate 0 (reports on threshold crossings only) needs --threshold");
		return -1;
	}
	if (cfg->dry_run)
		return 0;
	if (!cfg->have_key) {
		agent_err("--key or --key-file is required (hauler device key DEV prints it)");
		return -1;
	}
	if (!!cfg->balancer[0] + !!cfg->ether_if[0] != 1) {
		agent_err("give one destination: --balancer ADDR[:PORT] or --ether IF");
		return -1;
	}
	if (cfg->source[0] && !cfg->balancer[0]) {
		agent_err("--source applies to UDP reports (--balancer) only");
		return -1;
	}
	return 0;
}
