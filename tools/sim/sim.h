/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * sim.h - hauler-sim, a discrete-event simulator of a hauler cluster
 * (docs/simulator.md). It runs hauler's own code wherever hauler has
 * code: the manager's model and weighted Maglev (user/model.c,
 * user/maglev.c), its rings and dwrr (user/ring.c, user/dwrr.c), the
 * flow hash (include/hauler_hash.h), the candidate and staleness rule
 * (include/select/cand.h), the policies' selection functions
 * (include/select/), the agent's quantization (report_quantize,
 * sockdiag_queue_pct), the report's encoding, checks and store into
 * dev_state (include/hauler_report.h, hauler_report_store.h) and the
 * learner (user/learner.c). Only the
 * world around it is modelled: Poisson arrivals, and devices that are
 * FIFO queues with exponential (or fixed) service times.
 *
 * A device's queue needs no departure events: with FIFO service a
 * request's finish time is known when it arrives (Lindley's recursion),
 * and the agent's report at a tick is computed from the busy periods
 * when a policy next looks at the device.
 */
#ifndef HAULER_SIM_H
#define HAULER_SIM_H

#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>

#include "hauler_schema.h"
#include "hauler_report.h"
#include "model.h"

#define SIM_NS 1e9

/* A deterministic generator (splitmix64): the same seed, the same run. */
struct sim_rng {
	__u64 s;
};
void sim_rng_seed(struct sim_rng *r, __u64 seed);
__u64 sim_rng_next(struct sim_rng *r);
double sim_rng_unit(struct sim_rng *r);		    /* in (0, 1) */
double sim_rng_exp(struct sim_rng *r, double rate); /* exponential, mean 1/rate */

/*
 * A CPU that the quota devices of one server share (--shared-cpu; the
 * rig: both devices, the client and the balancer on one CPU). It runs one
 * piece of work at a time. Work is placed when its request arrives, in
 * arrival order, into the CPU's time no earlier request has claimed
 * (each device still within its own quota per period), so a device's
 * request also waits while another device's work, or a request's
 * overhead (the client's and the balancer's CPU time), runs.
 */
struct sim_cpu {
	double *a, *b; /* claimed intervals [a, b): sorted, disjoint, not touching */
	unsigned int n, cap;
	double overhead_s; /* CPU time every request of the server costs besides its work */
};

int sim_cpu_init(struct sim_cpu *cpu, double overhead_s);
void sim_cpu_free(struct sim_cpu *cpu);
/* Forget the time claimed before t. */
void sim_cpu_forget(struct sim_cpu *cpu, double t);
/* The first instant from t on when the CPU is free, and (*gap_end) when it is next claimed. */
double sim_cpu_next_free(const struct sim_cpu *cpu, double t, double *gap_end);
/* Claim [t, t + len) (free time). Returns 0, or -1 when out of memory. */
int sim_cpu_claim(struct sim_cpu *cpu, double t, double len);
/* Run len seconds of work from t on the CPU's free time (no quota); returns when it is done. */
double sim_cpu_run(struct sim_cpu *cpu, double t, double len);

/* One device: a FIFO queue with one server, and its agent. */
struct sim_queue {
	double mu;	    /* service rate, requests/s */
	int fixed;	    /* 1: every service takes 1/mu; 0: exponential */
	double busy_until;  /* when the last request assigned finishes */
	double bp_start;    /* start of the busy period that ends at busy_until */
	double busy_before; /* busy seconds before bp_start */
	double *fin, *resp; /* requests in the system: finish and response times */
	unsigned int head, len, cap;
	double last_resp;	/* response time of the newest finished request */
	double work;		/* service seconds assigned since sim_queue_mark */
	unsigned long arrivals; /* requests assigned since sim_queue_mark */
	double busy_mark;	/* busy seconds at sim_queue_mark */
	/*
	 * A CPU-quota device (the rig's cgroups, cpu.max QUOTA PERIOD): a
	 * request's work runs at full speed while the device has runtime
	 * (each period refills it by the quota), then waits for the next
	 * period; with tick_s, as CFS enforces it: on to the next tick, the
	 * overrun paid back by the next refills. quota_s = 0: a plain server. Busy
	 * time (what the agent's cmp sees: use against the quota) stays the
	 * fluid Lindley account above; response times follow the schedule.
	 */
	double quota_s, period_s;
	double tick_s;	   /* the throttle is enforced at the scheduler's tick (0: at once) */
	double real_until; /* when the last request really finishes */
	double per_start;  /* the quota period real_until lies in (-1: none yet) */
	double per_bal;	   /* runtime left then (below 0: an overrun's debt) */
	struct sim_cpu
	    *cpu; /* the server's shared CPU (quota devices only); NULL: a CPU of its own */
};

int sim_queue_init(struct sim_queue *q, double mu, int fixed);
void sim_queue_free(struct sim_queue *q);
/* Serve under a CPU quota of quota_s per period_s (0 < quota_s <= period_s). */
int sim_queue_set_quota(struct sim_queue *q, double quota_s, double period_s);
/* Busy seconds in [0, t]; t at or after the last arrival's busy period start. */
double sim_queue_busy(const struct sim_queue *q, double t);
/* Add a request arriving at t needing service s; returns its response time. */
double sim_queue_add(struct sim_queue *q, double t, double s);
/* Drop the requests finished by t; returns how many are still in the system. */
unsigned int sim_queue_in_system(struct sim_queue *q, double t);
/* Start an accounting window at t (work and busy time since). */
void sim_queue_mark(struct sim_queue *q, double t);

/*
 * The agent of a device: the report it sends at tick t (every period
 * seconds), as hauler-agent builds it (cmp: busy share of its last cmp
 * window, busy seconds of window seconds; queue: waiting requests
 * against the backlog at t; live connections; latency: the newest
 * response time).
 */
void sim_agent_report(struct sim_queue *q, double t, double period, double busy, double window,
		      __u32 backlog, struct report_fields *f);
/*
 * The agent's cmp window in ticks (hauler-agent --window MS: a new sample
 * at the first tick at least MS after the one before, the last value
 * standing in between; 0: every tick).
 */
unsigned int sim_agent_window_ticks(double window_ms, double period_ms);

/* Cluster layout and workload. */
struct sim_config {
	int servers;	    /* servers in the VIP's pool */
	int nics;	    /* SmartNICs per server (0: CPU only) */
	double mu_cpu;	    /* server CPU: requests/s */
	double mu_nic;	    /* SmartNIC: requests/s */
	int fixed_service;  /* 1: deterministic service times */
	__u16 w_cpu, w_nic; /* device weights (rings, prt ranks) */
	char policy[HAULER_NAME_LEN];
	char params[128]; /* the policy's PARAMS as `hauler policy set` takes them */
	double report_ms; /* agent period */
	double window_ms; /* agent cmp window (hauler-agent --window); 0: one period */
	double quota_cpu[2], quota_nic[2]; /* CPU quota, period (s); 0: none */
	double quota_tick_s;		   /* the throttle's tick (the kernel's 1/HZ); 0: exact */
	int shared_cpu;			   /* 1: a server's quota devices share one CPU */
	double cpu_overhead_s;		   /* shared CPU: each request's other CPU time */
	__u32 backlog;			   /* listen backlog for the queue metric */
	__u32 table_size;		   /* Maglev M */
	__u32 dwrr_ms;			   /* dwrr rebuild period */
	__u64 seed;
};

void sim_config_defaults(struct sim_config *c);

/* A device of the simulation, by device id. */
struct sim_device {
	struct sim_queue q;
	double next_tick; /* its agent's next report */
	__u64 tick;	  /* the index of next_tick (its agent's ticks from 0) */
	__u64 cmp_tick;	  /* the index of the tick of its agent's last cmp sample */
	double cmp_busy;  /* busy seconds at that tick */
	double cmp_win;	  /* busy seconds of that sample's window */
	int reporting;	  /* 0: no agent (never reported: stale) */
	__u64 seq;	  /* its agent's last sequence number */
	__u64 reports;	  /* reports its agent sent */
	__u64 new_conns;  /* connections given to it (the datapath's per-device counter) */
};

/* A device's reports tagged and checked by report_decode: the first and every this many. */
#define SIM_REPORT_CHECK_EVERY 64

struct sim_cluster {
	struct sim_config cfg;
	struct model *m;	/* the manager's model of the cluster */
	__u16 *pool;		/* the Maglev table (maglev_build) */
	struct ring *rings;	/* by server index (ring_build / dwrr) */
	__u32 *ring_pos;	/* by server index: one CPU's (ring_pos is per CPU) */
	struct dev_state *st;	/* by device id: what reports wrote */
	struct sim_device *dev; /* by device id */
	struct sim_cpu *cpus;	/* by server index, with shared_cpu */
	struct dev_key *keys;	/* by device id: the agents' report keys */
	int ndev;
	unsigned int win_ticks; /* sim_agent_window_ticks of the configuration */
	int dwrr;		/* the policy is dwrr: the manager's passes run */
	struct vip_key vip;
	struct sim_rng rng;
	double now, next_dwrr;
	__u64 flows;
};

int sim_cluster_init(struct sim_cluster *c, const struct sim_config *cfg);
void sim_cluster_free(struct sim_cluster *c);
/* Add one more SmartNIC (weight w) to every server; its agent starts at t. */
int sim_cluster_add_nic(struct sim_cluster *c, __u16 w, double t);
/* Set the weight of every device of a kind and rebuild the rings, as `device set` does. */
int sim_cluster_set_weight(struct sim_cluster *c, __u8 kind, __u16 w);
/* The server the datapath's table gives a flow hash. */
__u16 sim_cluster_server(const struct sim_cluster *c, __u32 hash);
/*
 * One new connection at time t: flow, server (Maglev), candidates,
 * the policy's choice. Returns the device id, or -1 when none is usable.
 */
int sim_cluster_pick(struct sim_cluster *c, double t);

/* What a window of the simulation measured. */
struct sim_window {
	double p99, p50, mean; /* response time, seconds */
	double cpu_util;       /* mean busy share of the CPU devices, % */
	double cpu_util_var;   /* variance of the CPU devices' busy share, %^2 */
	double nic_util;       /* mean busy share of the accelerators, % (0: none) */
	double max_offered;    /* highest offered load (arrivals / mu) of a device, % */
	double cpu_offered;    /* offered load of the CPU devices together, % */
	double nic_offered;    /* offered load of the accelerators together, % (0: none) */
	double nic_share;      /* share of requests sent to accelerators */
	unsigned long requests, dropped;
};

/* Response times of a window. */
struct sim_samples {
	double *v;
	size_t n, cap;
};
int sim_samples_add(struct sim_samples *s, double x);
/* The q-quantile (0..1) of the samples (reorders them). 0 when empty. */
double sim_samples_quantile(struct sim_samples *s, double q);
void sim_samples_free(struct sim_samples *s);

/*
 * Run Poisson arrivals at rate for duration seconds from c->now, and
 * measure the window. warmup seconds run first and are not measured.
 */
int sim_run(struct sim_cluster *c, double rate, double warmup, double duration,
	    struct sim_window *w);

#endif
