/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * bench_rate_profile.h - one rate case run on the compact table for as
 * long as a profiler needs (bench_rate --profile KEY, make bench-profile):
 * no floor, no LRU, nothing else, and the profiler on only while its
 * packets go (profile_perf), so that every sample taken on the
 * benchmark's CPU meanwhile belongs to that case. This guest has no
 * hardware counters, but perf's cpu-clock (a timer) samples the JITed
 * programs too.
 *
 * Then each program of the balancer (the entry object's, the hash
 * policy's and the case's own policy's) is pinned under PIN/prof/, for
 * tools/bench_profile.c to read their JITed line info after this process
 * has ended and map the samples to source lines.
 *
 * Included by bench_rate.c after rounds_slice.
 */
#ifndef HAULER_BENCH_RATE_PROFILE_H
#define HAULER_BENCH_RATE_PROFILE_H

#include <sys/stat.h>

#define PROFILE_SLICES 20

/* Case c's key as in the JSON: established_N for established flows, else its own. */
static int profile_is(const struct flow_case *c, const char *key)
{
	char k[64];

	snprintf(k, sizeof(k), c->nflows ? "established_%s" : "%s", c->key);
	return !strcmp(k, key);
}

static void profile_pin(const char *dir, const char *name, int fd)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (bpf_obj_pin(fd, path))
		bench_die("cannot pin %s: %s", path, strerror(errno));
}

/* Pin program fd under dir by its own name (a policy's: policy_NAME). */
static void profile_pin_named(const char *dir, int fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		bench_die("program info: %s", strerror(errno));
	profile_pin(dir, info.name, fd);
}

/* Pin every program of the balancer, the hash policy and case c's policy under pin/prof. */
static void profile_pin_all(struct rate_bench *b, const char *pin, int hash_fd,
			    const struct flow_case *c)
{
	struct bpf_program *prog;
	char dir[512];

	snprintf(dir, sizeof(dir), "%s/prof", pin);
	if (mkdir(dir, 0700) && errno != EEXIST)
		bench_die("cannot make %s: %s", dir, strerror(errno));
	bpf_object__for_each_program(prog, b->lb.skel->obj)
	    profile_pin(dir, bpf_program__name(prog), bpf_program__fd(prog));
	profile_pin_named(dir, hash_fd);
	if (c->policy_fd >= 0 && c->policy_fd != hash_fd)
		profile_pin_named(dir, c->policy_fd);
}

/*
 * perf record --control's fifos (BENCH_PERF_CTL=CTL,ACK; unset: no
 * profiler to tell): "enable" or "disable", then wait for perf's "ack".
 * So only the case's packets are sampled, not loading, warming up or
 * emptying the table.
 */
static void profile_perf(const char *cmd)
{
	const char *env = getenv("BENCH_PERF_CTL");
	static FILE *ctl, *ack;
	char path[512], *comma, reply[16];

	if (!env)
		return;
	if (!ctl) {
		snprintf(path, sizeof(path), "%s", env);
		comma = strchr(path, ',');
		if (!comma)
			bench_die("BENCH_PERF_CTL: CTL,ACK (perf record --control fifo:CTL,ACK)");
		*comma = 0;
		ctl = fopen(path, "w");
		ack = fopen(comma + 1, "r");
		if (!ctl || !ack)
			bench_die("cannot open perf's control fifos %s: %s", env, strerror(errno));
	}
	if (fprintf(ctl, "%s\n", cmd) < 0 || fflush(ctl) || !fgets(reply, sizeof(reply), ack))
		bench_die("perf did not answer %s", cmd);
}

/*
 * Run case key (of cases[0..ncase-1]) on the compact table in
 * PROFILE_SLICES slices of its packets, a table warmed up (established
 * flows) or emptied (new flows, the ACK flood) before each, the profiler
 * on only while the packets go; print each slice's rate and the packets
 * sampled.
 */
static void profile_case(struct rate_bench *b, struct flow_case *cases, int ncase, const char *key,
			 const char *pin, int hash_fd)
{
	struct flow_case *c = NULL;
	unsigned long n;
	struct rate r;
	int i;

	for (i = 0; i < ncase && !c; i++)
		if (profile_is(&cases[i], key))
			c = &cases[i];
	if (!c)
		bench_die("--profile %s: no such case (established_N of --flows, new, new_ipip, "
			  "new_nat_POLICY, ack_flood)",
			  key);
	case_use(b, c);
	n = case_packets(b, c, 0);
	printf("profile: %s on the compact table, %d slices of %lu packets\n", key, PROFILE_SLICES,
	       n);
	bench_ct_use(&b->lb, 1);
	b->ct = 1;
	for (i = 0; i < PROFILE_SLICES; i++) {
		if (!i || !c->nflows) {
			attach(b->lb_ifindex, b->lb.entry_fd);
			prepare(b, c->nflows);
		}
		profile_perf("enable");
		r = measure(b, b->lb.entry_fd, c->nflows, n, c->flags, 0);
		profile_perf("disable");
		printf("  slice %2d: %.3f Mpps (%.1f ns a packet)\n", i + 1, r.mpps,
		       r.mpps > 0 ? 1000 / r.mpps : 0);
	}
	printf("profile: %lu packets sampled\n", n * PROFILE_SLICES);
	profile_pin_all(b, pin, hash_fd, c);
}

#endif
