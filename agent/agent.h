/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * agent.h - hauler-agent: measures one device and sends authenticated load
 * reports (include/hauler_report.h) to the balancer.
 *
 * Every collector reads its files under a root prefix (config.root, "" on
 * a real host) so the tests can point it at fixture trees. Rate collectors
 * (cmp, net) keep their previous sample and report the utilization since
 * it; their first sample only sets the base.
 */
#ifndef HAULER_AGENT_H
#define HAULER_AGENT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <poll.h>
#include <net/if.h>
#include <sys/socket.h>
#include <linux/types.h>

#define AGENT_PATH_MAX		       512
#define AGENT_CONFIG_LINE_MAX	       1023 /* characters of a config file line */
#define AGENT_MAX_CPUS		       1024
#define AGENT_METRICS		       5 /* cmp, mem, net, queue, latency: the thresholded ones */
#define AGENT_NO_THRESHOLD	       -1
#define AGENT_LATENCY_THRESHOLD_MAX_MS 600000 /* ten minutes */

/* The order of cmp..queue is that of their bytes in a report. */
enum agent_metric { METRIC_CMP, METRIC_MEM, METRIC_NET, METRIC_QUEUE, METRIC_LATENCY };

struct agent_config {
	char root[AGENT_PATH_MAX]; /* prefix of /proc and /sys paths */
	int device;		   /* device id; -1: not given */
	__u64 k0, k1;		   /* report key */
	int have_key;
	char balancer[128];		/* UDP destination ADDR[:PORT] */
	char source[64];		/* local address to send from */
	char ether_if[IF_NAMESIZE];	/* raw Ethernet: interface */
	unsigned char ether_dst[6];	/* raw Ethernet: destination MAC */
	double rate;			/* reports per second */
	double jitter;			/* fraction of the period, 0..0.5 */
	unsigned int window_ms;		/* shortest measuring interval */
	char cgroup[AGENT_PATH_MAX];	/* cmp and mem from this cgroup */
	char cpus[256];			/* cmp from this CPU list */
	int gpu;			/* cmp and mem from this GPU; -1: none */
	char iface[IF_NAMESIZE];	/* net from this interface */
	__u64 bandwidth_bps;		/* its capacity; 0: from its speed */
	int port;			/* service port: queue, live conns; 0 */
	int proto;			/* of the port: IPPROTO_TCP or IPPROTO_UDP */
	unsigned int queue_capacity;	/* in-flight requests that fill the queue; 0: unused */
	unsigned int conns_interval_ms; /* how often live conns are counted */
	char probe[128];		/* latency probe ADDR:PORT */
	unsigned int probe_interval_ms;
	char latency_socket[108];	 /* unix datagram socket for pushed latency */
	unsigned int latency_max_age_ms; /* older latency is not reported */
	int threshold[AGENT_METRICS];	 /* threshold mode (% or latency ms); AGENT_NO_THRESHOLD */
	unsigned int sample_ms;		 /* threshold mode: sampling interval */
	unsigned int confirm_ms;       /* threshold mode: repeat a crossing after this; 0: never */
	char nvml_lib[AGENT_PATH_MAX]; /* NVML library to dlopen */
	long count;		       /* stop after this many reports; 0: never */
	int once, dry_run, verbose;
};

/* config.c */
void config_defaults(struct agent_config *cfg);
int config_set(struct agent_config *cfg, const char *name, const char *value);
int config_load(struct agent_config *cfg, const char *path);
int config_parse_args(struct agent_config *cfg, int argc, char **argv);
int config_check(const struct agent_config *cfg);
void config_usage(FILE *out);
/* The name of option i of the table (i from 0), NULL past the last: for tests. */
const char *config_option_name(size_t i);

/* threshold.c: threshold mode (P4Mite) */
struct report_fields;
struct threshold_metric {
	const char *name;
	int min, max;
	const char *unit;
};
extern const struct threshold_metric threshold_metrics[AGENT_METRICS];
struct threshold_state {
	int above[AGENT_METRICS]; /* at or above its threshold at the last sample */
	int sampled;
};
int threshold_any(const int threshold[AGENT_METRICS]);
/*
 * Compare report f with the thresholds; returns the flags f gets:
 * HAULER_REPORT_F_BUSY while any thresholded metric is at or above its
 * threshold, HAULER_REPORT_F_THRESHOLD when one crossed since the last call.
 */
__u8 threshold_update(struct threshold_state *t, const int threshold[AGENT_METRICS],
		      const struct report_fields *f);

/* util.c */
void agent_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int agent_open(const char *root, const char *path, int quiet);
int agent_read(int fd, char *buf, size_t size);
int agent_read_u64(int fd, __u64 *value);
int agent_find_u64(const char *text, const char *key, __u64 *value);
int agent_cpulist_parse(const char *list, unsigned char *set, int max);
__u64 agent_now_ns(void);

/* cmp.c: CPU utilization of the host, a CPU list, or a cgroup */
struct cmp_collector {
	enum { CMP_HOST, CMP_CPUS, CMP_CGROUP } mode;
	int fd;	       /* /proc/stat, or the cgroup's usage file */
	int cgroup_v2; /* cpu.stat usage_usec (else cpuacct.usage ns) */
	unsigned char cpus[AGENT_MAX_CPUS];
	double capacity;	 /* CPUs the cgroup may use */
	__u64 busy, total, t_ns; /* previous sample */
	int have_prev;
	double last;
};
int cmp_open(struct cmp_collector *c, const struct agent_config *cfg);
int cmp_sample(struct cmp_collector *c, __u64 now_ns, unsigned int window_ms, double *pct);
void cmp_close(struct cmp_collector *c);

/* mem.c: memory in use, host or cgroup */
struct mem_collector {
	int fd_usage; /* meminfo, memory.current or memory.usage_in_bytes */
	int fd_limit; /* memory.max or memory.limit_in_bytes; -1 for the host */
	int cgroup_v2;
	__u64 host_total;
};
int mem_open(struct mem_collector *c, const struct agent_config *cfg);
int mem_sample(struct mem_collector *c, double *pct);
void mem_close(struct mem_collector *c);

/* net.c: interface utilization against its bandwidth */
struct net_collector {
	int fd_rx, fd_tx;
	__u64 bandwidth_bps;
	__u64 rx, tx, t_ns;
	int have_prev;
	double last;
};
int net_open(struct net_collector *c, const struct agent_config *cfg);
int net_sample(struct net_collector *c, __u64 now_ns, unsigned int window_ms, double *pct);
void net_close(struct net_collector *c);

/* sockdiag.c: pending requests and connections of the service port (TCP or UDP) */
struct sockdiag_count {
	__u64 accept_queue; /* TCP: sum over the port's listeners */
	__u64 backlog;
	__u64 rqueue_bytes; /* UDP: receive-queue bytes over the port's sockets */
	__u64 rcvbuf;	    /* UDP: their receive buffers */
	__u32 listeners;    /* TCP listeners, UDP sockets */
	__u32 established;
};
struct sockdiag_collector {
	int fd;
	__u8 proto; /* IPPROTO_TCP or IPPROTO_UDP */
	__u16 port;
	__u32 seq;
	unsigned int conns_interval_ms; /* between counts of established sockets */
	__u64 conns_t_ns;		/* 0: never counted */
	__u32 established;
	int listen_v4, listen_v6; /* the port had listeners at the last count */
};
int sockdiag_open(struct sockdiag_collector *c, int proto, int port,
		  unsigned int conns_interval_ms);
int sockdiag_sample(struct sockdiag_collector *c, __u64 now_ns, struct sockdiag_count *n,
		    __u32 *live);
int sockdiag_parse(const void *buf, size_t len, int proto, __u16 port, __u32 seq,
		   struct sockdiag_count *n);
double sockdiag_queue_pct(const struct sockdiag_count *n);
double sockdiag_pending_pct(const struct sockdiag_count *n, __u32 inflight, __u32 capacity);
void sockdiag_close(struct sockdiag_collector *c);

/* latency.c: a TCP connect probe, or values pushed over a unix socket */
struct latency_collector {
	int push_fd;  /* unix datagram socket; -1 */
	int probe_fd; /* connect in progress; -1 */
	char push_path[108];
	char probe[128];
	unsigned int interval_ms, max_age_ms;
	__u64 probe_start_ns, next_probe_ns;
	__u32 value_us;
	__u64 value_t_ns;    /* 0: no value yet */
	__u32 inflight;	     /* pushed "inflight N" */
	__u64 inflight_t_ns; /* 0: none yet */
};
#define LATENCY_UNREACHABLE 0xffffffffu
int latency_open(struct latency_collector *c, const struct agent_config *cfg);
int latency_fds(struct latency_collector *c, struct pollfd *fds, __u64 now_ns, __u64 *wake_ns);
void latency_events(struct latency_collector *c, const struct pollfd *fds, int n, __u64 now_ns);
int latency_value(const struct latency_collector *c, __u64 now_ns, __u32 *us);
int latency_inflight(const struct latency_collector *c, __u64 now_ns, __u32 *n);
int latency_parse(const char *text, size_t len, __u32 *us);
void latency_close(struct latency_collector *c);

/* gpu.c: utilization and memory of a GPU through NVML, if present */
struct gpu_collector {
	void *lib;
	void *device;
	int (*util)(void *device, void *out);
	int (*meminfo)(void *device, void *out);
	int (*shutdown)(void);
	const char *(*error_string)(int ret);
};
int gpu_open(struct gpu_collector *c, const char *lib, int index);
int gpu_sample(struct gpu_collector *c, double *cmp_pct, double *mem_pct);
void gpu_close(struct gpu_collector *c);

/* send.c: UDP or raw Ethernet */
struct sender {
	int fd;
	int ether;
	int connected; /* UDP: send() to the balancer */
	union {
		struct sockaddr_storage ip;
		unsigned char ll[32];
	} to;
	unsigned int to_len;
};
int sender_open(struct sender *s, const struct agent_config *cfg);
int sender_send(struct sender *s, const void *buf, size_t len);
void sender_close(struct sender *s);
int agent_parse_hostport(const char *text, int default_port, struct sockaddr_storage *ss,
			 unsigned int *len);

#endif
