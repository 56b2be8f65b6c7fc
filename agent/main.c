// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * hauler-agent - measures one device (host CPU, CPU list, cgroup, GPU) and
 * sends an authenticated load report to the balancer periodically (100
 * per second by default, with jitter so agents do not beat in step) and,
 * in threshold mode (P4Mite), at once when a metric crosses its threshold,
 * again --confirm ms later, and with BUSY set while one is at or above.
 * Each report states the agent's period (0: crossings only), from which
 * the balancer judges staleness.
 *
 * One loop: sleep until the next report, sample or latency probe is due
 * (clock_nanosleep to an absolute time; ppoll while a latency socket or
 * probe is open). Collector files stay open and are re-read
 * with pread, so a report costs a handful of syscalls.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>
#include <sys/resource.h>

#include "hauler_report.h"
#include "agent.h"

struct agent {
	struct agent_config cfg;
	struct cmp_collector cmp;
	struct mem_collector mem;
	struct net_collector net;
	struct sockdiag_collector diag;
	struct latency_collector lat;
	struct gpu_collector gpu;
	struct sender tx;
	int use_gpu, use_net, use_diag;
	struct threshold_state th; /* threshold mode */
	double mem_last;	   /* mem is read once per --window */
	__u64 mem_t_ns;		   /* 0: not yet */
	__u64 seq;
	long sent;
	__u64 rng;
};

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

/* xorshift64*: cheap randomness for the jitter. */
static double uniform(struct agent *a)
{
	a->rng ^= a->rng >> 12;
	a->rng ^= a->rng << 25;
	a->rng ^= a->rng >> 27;
	return (double)((a->rng * 0x2545F4914F6CDD1DULL) >> 11) / (double)(1ULL << 53);
}

static __u64 period_ns(struct agent *a)
{
	double base = 1e9 / a->cfg.rate;

	return (__u64)(base * (1 + a->cfg.jitter * (2 * uniform(a) - 1)));
}

static int agent_open_all(struct agent *a)
{
	const struct agent_config *cfg = &a->cfg;

	a->cmp.fd = a->mem.fd_usage = a->mem.fd_limit = -1;
	a->net.fd_rx = a->net.fd_tx = a->diag.fd = a->tx.fd = -1;
	a->lat.push_fd = a->lat.probe_fd = -1;
	a->use_gpu = cfg->gpu >= 0;
	a->use_net = cfg->iface[0] != '\0';
	a->use_diag = cfg->port != 0;
	if (a->use_gpu ? gpu_open(&a->gpu, cfg->nvml_lib, cfg->gpu) < 0
		       : cmp_open(&a->cmp, cfg) < 0 || mem_open(&a->mem, cfg) < 0)
		return -1;
	if (a->use_net && net_open(&a->net, cfg) < 0)
		return -1;
	if (a->use_diag &&
	    sockdiag_open(&a->diag, cfg->proto, cfg->port, cfg->conns_interval_ms) < 0)
		return -1;
	if (latency_open(&a->lat, cfg) < 0)
		return -1;
	if (!cfg->dry_run && sender_open(&a->tx, cfg) < 0)
		return -1;
	if (getrandom(&a->rng, sizeof(a->rng), 0) != sizeof(a->rng) || !a->rng)
		a->rng = (__u64)getpid() * 0x9E3779B97F4A7C15ULL + agent_now_ns();
	return 0;
}

static void agent_close_all(struct agent *a)
{
	if (a->use_gpu)
		gpu_close(&a->gpu);
	cmp_close(&a->cmp);
	mem_close(&a->mem);
	net_close(&a->net);
	sockdiag_close(&a->diag);
	latency_close(&a->lat);
	sender_close(&a->tx);
}

/* Sample every collector into f; *crossed when a threshold was crossed. */
static int measure(struct agent *a, __u64 now, struct report_fields *f, int *crossed)
{
	double pct[METRIC_QUEUE + 1] = {0};
	struct sockdiag_count diag = {0};
	__u32 us, inflight;

	memset(f, 0, sizeof(*f));
	f->device = (__u16)a->cfg.device;
	f->period_ms = report_period_ms(a->cfg.rate);
	if (a->use_gpu) {
		if (gpu_sample(&a->gpu, &pct[METRIC_CMP], &pct[METRIC_MEM]) < 0)
			return -1;
		f->flags |= HAULER_REPORT_F_GPU;
	} else {
		if (cmp_sample(&a->cmp, now, a->cfg.window_ms, &pct[METRIC_CMP]) < 0)
			return -1;
		/* A level, not a rate, but --window also spares re-reading it. */
		if (!a->mem_t_ns || now - a->mem_t_ns >= (__u64)a->cfg.window_ms * 1000000) {
			if (mem_sample(&a->mem, &a->mem_last) < 0)
				return -1;
			a->mem_t_ns = now ? now : 1;
		}
		pct[METRIC_MEM] = a->mem_last;
	}
	if (a->use_net && net_sample(&a->net, now, a->cfg.window_ms, &pct[METRIC_NET]) < 0)
		return -1;
	if (a->use_diag && sockdiag_sample(&a->diag, now, &diag, &f->live_conns) < 0)
		return -1;
	if (a->cfg.queue_capacity && latency_inflight(&a->lat, now, &inflight))
		pct[METRIC_QUEUE] = sockdiag_pending_pct(&diag, inflight, a->cfg.queue_capacity);
	else
		pct[METRIC_QUEUE] = sockdiag_queue_pct(&diag);
	if (latency_value(&a->lat, now, &us)) {
		f->latency_us = us;
		f->flags |= HAULER_REPORT_F_LATENCY;
	}
	f->cmp = report_quantize(pct[METRIC_CMP]);
	f->mem = report_quantize(pct[METRIC_MEM]);
	f->net = report_quantize(pct[METRIC_NET]);
	f->queue = report_quantize(pct[METRIC_QUEUE]);
	if (threshold_any(a->cfg.threshold))
		f->flags |= threshold_update(&a->th, a->cfg.threshold, f);
	*crossed = !!(f->flags & HAULER_REPORT_F_THRESHOLD);
	return 0;
}

static void print_report(const struct report_fields *f, const unsigned char *wire)
{
	char latency[16] = "-";

	if (f->flags & HAULER_REPORT_F_LATENCY)
		snprintf(latency, sizeof(latency), "%u", f->latency_us);
	printf("device %u seq %llu cmp %u mem %u net %u queue %u latency_us %s live_conns %u "
	       "period_ms %u flags 0x%02x wire ",
	       f->device, (unsigned long long)f->seq, f->cmp, f->mem, f->net, f->queue, latency,
	       f->live_conns, f->period_ms, f->flags);
	for (int i = 0; i < HAULER_REPORT_LEN; i++)
		printf("%02x", wire[i]);
	putchar('\n');
	fflush(stdout);
}

static int send_report(struct agent *a, struct report_fields *f)
{
	unsigned char wire[HAULER_REPORT_LEN];
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	a->seq = report_seq_next(a->seq, (__u64)ts.tv_sec, (__u32)(ts.tv_nsec / 1000));
	f->seq = a->seq;
	report_encode(f, a->cfg.k0, a->cfg.k1, wire);
	if (a->cfg.dry_run || a->cfg.verbose)
		print_report(f, wire);
	if (!a->cfg.dry_run && sender_send(&a->tx, wire, sizeof(wire)) < 0) {
		/* The balancer may be restarting: count on the next report. */
		if (a->cfg.verbose)
			agent_err("send failed: %s", strerror(errno));
		return 0;
	}
	a->sent++;
	return 0;
}

static void sleep_until(__u64 deadline)
{
	__u64 now = agent_now_ns();
	struct timespec ts;

	if (deadline <= now)
		return;
	ts.tv_sec = (time_t)((deadline - now) / 1000000000);
	ts.tv_nsec = (long)((deadline - now) % 1000000000);
	ppoll(NULL, 0, &ts, NULL);
}

#define NEVER ~0ull

static __u64 earliest(__u64 a, __u64 b, __u64 c)
{
	__u64 m = a < b ? a : b;

	return m < c ? m : c;
}

/*
 * Reports are due: every period (none with --rate 0: trigger-only, which
 * sends one report at start so the balancer knows the state); at once on
 * a threshold crossing; and --confirm ms after a crossing, a repeat
 * flagged CONFIRM (P4Mite's second report).
 */
static int run(struct agent *a)
{
	__u64 now = agent_now_ns(), next_report, next_sample, next_confirm = NEVER, sample_ns;
	__u64 confirm_ns = (__u64)a->cfg.confirm_ms * 1000000;
	int crossed, thresholds = threshold_any(a->cfg.threshold), trigger_only = a->cfg.rate == 0;
	struct report_fields f;

	sample_ns = (__u64)a->cfg.sample_ms * 1000000;
	/* The first sample is the base of the rate collectors (cmp, net). */
	if (measure(a, now, &f, &crossed) < 0)
		return -1;
	if (a->cfg.once) {
		sleep_until(now + 100000000);
		if (measure(a, agent_now_ns(), &f, &crossed) < 0)
			return -1;
		return send_report(a, &f);
	}
	/* Trigger-only: the first report after one sample, then only crossings. */
	next_report = trigger_only ? now + sample_ns : now + period_ns(a);
	next_sample = thresholds ? now + sample_ns : next_report;
	while (!stopping) {
		struct pollfd fds[2];
		__u64 wake = earliest(next_report, next_sample, next_confirm);
		struct timespec ts;
		int nfds, due_report, due_confirm;

		now = agent_now_ns();
		nfds = latency_fds(&a->lat, fds, now, &wake);
		if (wake > now && !nfds) {
			/* Nothing to watch: sleep to the deadline, one wakeup a period. */
			ts.tv_sec = (time_t)(wake / 1000000000);
			ts.tv_nsec = (long)(wake % 1000000000);
			clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
			now = agent_now_ns();
		} else if (wake > now) {
			ts.tv_sec = (time_t)((wake - now) / 1000000000);
			ts.tv_nsec = (long)((wake - now) % 1000000000);
			if (ppoll(fds, (nfds_t)nfds, &ts, NULL) < 0 && errno != EINTR) {
				agent_err("poll: %s", strerror(errno));
				return -1;
			}
			now = agent_now_ns();
			latency_events(&a->lat, fds, nfds, now);
		}
		if (now < earliest(next_report, next_sample, next_confirm))
			continue;
		if (measure(a, now, &f, &crossed) < 0)
			return -1;
		due_report = now >= next_report;
		due_confirm = now >= next_confirm;
		if (due_confirm) {
			f.flags |= HAULER_REPORT_F_CONFIRM;
			next_confirm = NEVER;
		}
		if (crossed && confirm_ns)
			next_confirm = now + confirm_ns;
		if (due_report || crossed || due_confirm) {
			send_report(a, &f);
			if (a->cfg.count && a->sent >= a->cfg.count)
				break;
		}
		if (due_report) {
			next_report = trigger_only ? NEVER : next_report + period_ns(a);
			if (next_report <= now) /* fell behind (suspended?): no burst */
				next_report = now + period_ns(a);
		}
		next_sample = thresholds ? now + sample_ns : next_report;
	}
	return 0;
}

static void print_cpu_use(const struct agent *a, __u64 started)
{
	double wall = (double)(agent_now_ns() - started) / 1e9, cpu;
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	      (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	fprintf(stderr,
		"hauler-agent: %ld reports in %.2f s (%.1f/s), CPU %.1f ms (%.3f%% of a core)\n",
		a->sent, wall, wall > 0 ? a->sent / wall : 0, cpu * 1e3,
		wall > 0 ? 100 * cpu / wall : 0);
}

int main(int argc, char **argv)
{
	static struct agent a;
	struct sigaction sa = {.sa_handler = on_signal};
	__u64 started = agent_now_ns();
	int ret;

	config_defaults(&a.cfg);
	ret = config_parse_args(&a.cfg, argc, argv);
	if (ret)
		return ret > 0 ? 0 : 1;
	if (config_check(&a.cfg) < 0)
		return 1;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (agent_open_all(&a) < 0) {
		agent_close_all(&a);
		return 2;
	}
	ret = run(&a);
	if (a.cfg.verbose)
		print_cpu_use(&a, started);
	agent_close_all(&a);
	return ret < 0 ? 2 : 0;
}
