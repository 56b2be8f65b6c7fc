/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * work_args.h - the command lines of workd and loadgen, parsed into plain
 * structs with a one-line error for anything wrong (the unit tests call
 * these directly). Nothing here opens a socket.
 */
#ifndef HAULER_WORK_ARGS_H
#define HAULER_WORK_ARGS_H

#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>

#include "echo_proto.h"
#include "work_proto.h"

#define WORK_MAX_PORTS 8

/* Print a formatted error into err; always returns -1. */
static inline int work_err(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -1;
}

/* What getopt_long stopped at: an unknown option or one missing its value. */
static inline int work_bad_option(char **argv, char *err, size_t errlen)
{
	return work_err(err, errlen, "unknown or incomplete option '%s'", argv[optind - 1]);
}

/* An unsigned integer lo..hi; -1 when s is not one. */
static inline int work_parse_ulong(const char *s, unsigned long lo, unsigned long hi,
				   unsigned long *out)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -1;
	*out = (unsigned long)v;
	return 0;
}

/* A finite number lo..hi; -1 when s is not one. */
static inline int work_parse_double(const char *s, double lo, double hi, double *out)
{
	char *end;
	double v;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !(v >= lo && v <= hi))
		return -1;
	*out = v;
	return 0;
}

/* ---- workd ---- */

struct workd_opts {
	char name[WORK_NAME_LEN + 1];
	int udp[WORK_MAX_PORTS], n_udp;
	int tcp[WORK_MAX_PORTS], n_tcp;
	const char *bind_addr, *pidfile, *latency_socket;
	unsigned long work_us;	     /* compute per request at full core speed */
	unsigned long iters;	     /* or the kernel's repetitions, given */
	unsigned long cpu_us;	     /* or repetitions until this much CPU time */
	unsigned long interval_ms;   /* latency push period */
	unsigned long window;	     /* requests in the P99 window */
	unsigned long window_ms;     /* and served in the last MS; 0: any age */
	unsigned long rcvbuf;	     /* UDP receive buffer, bytes; 0: kernel default */
	unsigned long drop_after_ms; /* shed requests queued longer; 0: never */
	bool calibrate;
};

#define WORKD_USAGE                                                                                \
	"usage: workd --name ID [--udp PORT]... [--tcp PORT]...\n"                                 \
	"             [--work-us US | --iters N | --cpu-us US]\n"                                  \
	"             [--latency-socket PATH] [--latency-interval MS] [--window N]\n"              \
	"             [--window-ms MS]\n"                                                          \
	"             [--rcvbuf BYTES] [--drop-after-ms MS] [--bind ADDR] [--pidfile FILE]\n"      \
	"       workd --calibrate [--work-us US]\n"

static inline int workd_parse_args(int argc, char **argv, struct workd_opts *o, char *err,
				   size_t errlen)
{
	static const struct option lo[] = {
	    {"name", required_argument, 0, 'n'},
	    {"udp", required_argument, 0, 'u'},
	    {"tcp", required_argument, 0, 't'},
	    {"work-us", required_argument, 0, 'w'},
	    {"iters", required_argument, 0, 'i'},
	    {"cpu-us", required_argument, 0, 'c'},
	    {"latency-socket", required_argument, 0, 'L'},
	    {"latency-interval", required_argument, 0, 'I'},
	    {"window", required_argument, 0, 'W'},
	    {"window-ms", required_argument, 0, 'M'},
	    {"rcvbuf", required_argument, 0, 'r'},
	    {"drop-after-ms", required_argument, 0, 'D'},
	    {"bind", required_argument, 0, 'b'},
	    {"pidfile", required_argument, 0, 'p'},
	    {"calibrate", no_argument, 0, 'C'},
	    {0, 0, 0, 0},
	};
	bool have_name = false;
	int c, port;

	memset(o, 0, sizeof(*o));
	o->work_us = 2000;
	o->interval_ms = 100;
	o->window = 200;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (!*optarg || strlen(optarg) > WORK_NAME_LEN)
				return work_err(err, errlen, "--name: 1..%d characters",
						WORK_NAME_LEN);
			snprintf(o->name, sizeof(o->name), "%s", optarg);
			have_name = true;
			break;
		case 'u':
		case 't':
			port = echo_parse_port(optarg);
			if (port < 0)
				return work_err(err, errlen, "--%s: '%s' is not a port 1..65535",
						c == 'u' ? "udp" : "tcp", optarg);
			if ((c == 'u' ? o->n_udp : o->n_tcp) >= WORK_MAX_PORTS)
				return work_err(err, errlen, "at most %d ports of each kind",
						WORK_MAX_PORTS);
			if (c == 'u')
				o->udp[o->n_udp++] = port;
			else
				o->tcp[o->n_tcp++] = port;
			break;
		case 'w':
			if (work_parse_ulong(optarg, 1, 10000000, &o->work_us))
				return work_err(err, errlen, "--work-us: '%s' is not 1..10000000",
						optarg);
			break;
		case 'i':
			if (work_parse_ulong(optarg, 1, 1000000000, &o->iters))
				return work_err(err, errlen, "--iters: '%s' is not 1..1000000000",
						optarg);
			break;
		case 'c':
			if (work_parse_ulong(optarg, 1, 10000000, &o->cpu_us))
				return work_err(err, errlen, "--cpu-us: '%s' is not 1..10000000",
						optarg);
			break;
		case 'L':
			if (!*optarg || strlen(optarg) >= 108)
				return work_err(err, errlen,
						"--latency-socket: a path of 1..107 bytes");
			o->latency_socket = optarg;
			break;
		case 'I':
			if (work_parse_ulong(optarg, 1, 60000, &o->interval_ms))
				return work_err(err, errlen,
						"--latency-interval: '%s' is not 1..60000 ms",
						optarg);
			break;
		case 'W':
			if (work_parse_ulong(optarg, 1, 4096, &o->window))
				return work_err(err, errlen, "--window: '%s' is not 1..4096",
						optarg);
			break;
		case 'M':
			if (work_parse_ulong(optarg, 0, 600000, &o->window_ms))
				return work_err(err, errlen, "--window-ms: '%s' is not 0..600000",
						optarg);
			break;
		case 'r':
			if (work_parse_ulong(optarg, 4096, 1UL << 30, &o->rcvbuf))
				return work_err(err, errlen,
						"--rcvbuf: '%s' is not 4096..2^30 bytes", optarg);
			break;
		case 'D':
			if (work_parse_ulong(optarg, 0, 3600000, &o->drop_after_ms))
				return work_err(err, errlen,
						"--drop-after-ms: '%s' is not 0..3600000", optarg);
			break;
		case 'b':
			o->bind_addr = optarg;
			break;
		case 'p':
			o->pidfile = optarg;
			break;
		case 'C':
			o->calibrate = true;
			break;
		default:
			return work_bad_option(argv, err, errlen);
		}
	}
	if (optind < argc)
		return work_err(err, errlen, "unexpected argument '%s'", argv[optind]);
	if (o->calibrate)
		return 0;
	if (o->cpu_us && o->iters)
		return work_err(err, errlen, "--cpu-us and --iters: give one");
	if (!have_name)
		return work_err(err, errlen, "--name is required");
	if (!o->n_udp && !o->n_tcp)
		return work_err(err, errlen, "give at least one --udp or --tcp port");
	return 0;
}

/* ---- loadgen ---- */

struct loadgen_opts {
	struct echo_addr target;
	bool udp, json;
	double rate;		  /* requests per second, Poisson */
	double duration_s;	  /* how long to send, or */
	unsigned long count;	  /* how many requests to send */
	double warmup_s;	  /* requests sent before this are not counted */
	unsigned long timeout_ms; /* 0: 10x the unloaded latency (probed) */
	unsigned long probe;	  /* sequential requests that measure it */
	unsigned long seed;
	unsigned long port_lo, port_hi; /* UDP source ports; 0: the kernel's */
	const char *label;
};

#define LOADGEN_USAGE                                                                              \
	"usage: loadgen --udp|--tcp ADDR:PORT --rate R (--duration S | --count N)\n"               \
	"               [--warmup S] [--timeout-ms MS] [--probe N] [--seed N]\n"                   \
	"               [--ports LO-HI] [--label TEXT] [--json]\n"

static inline int loadgen_parse_args(int argc, char **argv, struct loadgen_opts *o, char *err,
				     size_t errlen)
{
	static const struct option lo[] = {
	    {"udp", required_argument, 0, 'u'},
	    {"tcp", required_argument, 0, 't'},
	    {"rate", required_argument, 0, 'r'},
	    {"duration", required_argument, 0, 'd'},
	    {"count", required_argument, 0, 'n'},
	    {"warmup", required_argument, 0, 'w'},
	    {"timeout-ms", required_argument, 0, 'T'},
	    {"probe", required_argument, 0, 'P'},
	    {"seed", required_argument, 0, 's'},
	    {"ports", required_argument, 0, 'p'},
	    {"label", required_argument, 0, 'l'},
	    {"json", no_argument, 0, 'j'},
	    {0, 0, 0, 0},
	};
	bool have_target = false;
	char ports[32], *dash;
	int c;

	memset(o, 0, sizeof(*o));
	o->probe = 20;
	o->seed = 1;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'u':
		case 't':
			if (have_target)
				return work_err(err, errlen,
						"give one target: --udp or --tcp, once");
			if (echo_parse_hostport(&o->target, optarg))
				return work_err(err, errlen,
						"--%s: '%s' is not ADDR:PORT or [ADDR6]:PORT",
						c == 'u' ? "udp" : "tcp", optarg);
			o->udp = c == 'u';
			have_target = true;
			break;
		case 'r':
			if (work_parse_double(optarg, 0.01, 100000, &o->rate))
				return work_err(err, errlen,
						"--rate: '%s' is not 0.01..100000 per second",
						optarg);
			break;
		case 'd':
			if (work_parse_double(optarg, 0.001, 86400, &o->duration_s))
				return work_err(err, errlen,
						"--duration: '%s' is not 0.001..86400 s", optarg);
			break;
		case 'n':
			if (work_parse_ulong(optarg, 1, 10000000, &o->count))
				return work_err(err, errlen, "--count: '%s' is not 1..10000000",
						optarg);
			break;
		case 'w':
			if (work_parse_double(optarg, 0, 86400, &o->warmup_s))
				return work_err(err, errlen, "--warmup: '%s' is not 0..86400 s",
						optarg);
			break;
		case 'T':
			if (work_parse_ulong(optarg, 1, 600000, &o->timeout_ms))
				return work_err(err, errlen, "--timeout-ms: '%s' is not 1..600000",
						optarg);
			break;
		case 'P':
			if (work_parse_ulong(optarg, 1, 10000, &o->probe))
				return work_err(err, errlen, "--probe: '%s' is not 1..10000",
						optarg);
			break;
		case 's':
			if (work_parse_ulong(optarg, 0, ~0UL, &o->seed))
				return work_err(err, errlen, "--seed: '%s' is not a number",
						optarg);
			break;
		case 'p':
			snprintf(ports, sizeof(ports), "%s", optarg);
			dash = strchr(ports, '-');
			if (dash)
				*dash++ = '\0';
			if (!dash || work_parse_ulong(ports, 1024, 65535, &o->port_lo) ||
			    work_parse_ulong(dash, 1024, 65535, &o->port_hi) ||
			    o->port_lo > o->port_hi)
				return work_err(err, errlen,
						"--ports: '%s' is not LO-HI within 1024..65535",
						optarg);
			break;
		case 'l':
			o->label = optarg;
			break;
		case 'j':
			o->json = true;
			break;
		default:
			return work_bad_option(argv, err, errlen);
		}
	}
	if (optind < argc)
		return work_err(err, errlen, "unexpected argument '%s'", argv[optind]);
	if (!have_target)
		return work_err(err, errlen, "give a target: --udp or --tcp ADDR:PORT");
	if (o->rate <= 0)
		return work_err(err, errlen, "--rate is required");
	if ((o->duration_s > 0) == (o->count > 0))
		return work_err(err, errlen, "give one of --duration and --count");
	if (o->duration_s > 0 && o->warmup_s >= o->duration_s)
		return work_err(err, errlen, "--warmup must be shorter than --duration");
	if (o->port_lo && !o->udp)
		return work_err(err, errlen, "--ports applies to --udp only");
	return 0;
}

#endif
