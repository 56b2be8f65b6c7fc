/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * bench_rate_flood.h - bench_rate's new-flow rate under flood (issue 16):
 * real new connections while spoofed junk floods the table, the LRU
 * tables and the compact table (docs/performance.md, "New flows under
 * flood").
 *
 * One generator run of n frames (bench/gen.bpf.c, cfg.mix): one frame in
 * FLOOD_MIX is the SYN of a real new flow (clients BENCH_CLIENT_ADDR..),
 * the rest are junk, each a new spoofed flow from another source range
 * (BENCH_JUNK_ADDR..), SYNs (each a half-open entry) or ACKs (each
 * decided without state). Then every real flow sends its ACK: one that
 * finds its flow's state (conn_hit) completed its handshake on its
 * device; one that finds none (conn_stateless) lost it to the flood; one
 * the lb veth's ring refused never reached hauler (flood_acks).
 *
 * Reported: the real connections completed a second (completed / the
 * flood run's wall time), their ratio to the plain new-flow rate of the
 * same table in the same run (the "new" case: every frame a real new
 * flow), the share completed, and every frame's rate against the floor
 * under the same frames (+ns a frame).
 *
 * Included by bench_rate.c after its measure() and print_compact().
 */
#ifndef HAULER_BENCH_RATE_FLOOD_H
#define HAULER_BENCH_RATE_FLOOD_H

#include "bench_veth.h"

#define FLOOD_MIX	10		       /* one frame in 10 a real new flow */
#define BENCH_JUNK_ADDR BENCH_IP(10, 78, 0, 0) /* the junk's sources: 10.78.0.0/16 */

struct flood_case {
	const char *key, *label;
	__u8 junk_flags; /* TCP_SYN or TCP_ACK */
	int ct;		 /* the compact table */
	double legit_per_s, ratio, completed, mpps, floor_mpps;
	__u64 hits, acks_dropped; /* real ACKs that found their state; refused before the program */
	__u64 flood_dropped;	  /* the flood's frames refused before the program */
};

/* One flood run of n frames through prog_fd: its wall time; R real flows from *base. */
static double flood_send(struct rate_bench *b, int prog_fd, unsigned long n, const __u8 *junk,
			 __u64 *base)
{
	double secs;

	attach(b->lb_ifindex, prog_fd);
	memcpy(b->cfg.frame, b->syn[0], BENCH_GEN_LEN);
	memcpy(b->cfg.junk, junk, BENCH_GEN_LEN);
	b->cfg.mix = FLOOD_MIX;
	b->cfg.junk_base = b->next_new; /* another source range: any numbers will do */
	*base = b->next_new;
	secs = gen_send(b->gen_fd, b->gen_cfg_fd, &b->cfg, *base, 0, n);
	b->cfg.mix = 0;
	b->next_new += n; /* at most n real flows; the junk's numbers reused later do no harm */
	return secs;
}

/*
 * The real flows' ACKs (from flow base), each once. Each must reach the
 * program and find its flow's state (conn_hit) or go on without it
 * (conn_stateless), unless the lb veth's ring refused it before the
 * program ran (bench_veth.h: the generator outran the veth's NAPI, which
 * runs in softirq on the same CPU and can be squeezed out for a while);
 * anything else is a datapath fault and ends the run. Frames may still
 * wait in the rings when the generator returns: the counters are read
 * until they add up, at most FLOOD_SETTLE_TRIES times 20 ms.
 */
#define FLOOD_SETTLE_TRIES 50
static void flood_acks(struct rate_bench *b, struct flood_case *c, __u64 base, unsigned long real)
{
	__u64 hit0, st0, drop0, hit, lost, dropped;
	int i;

	hit0 = bench_stat(&b->lb, HAULER_STAT_conn_hit);
	st0 = bench_stat(&b->lb, HAULER_STAT_conn_stateless);
	drop0 = veth_xmit_errors(b->gen_ifindex);
	memcpy(b->cfg.frame, b->ack[0], BENCH_GEN_LEN);
	gen_send(b->gen_fd, b->gen_cfg_fd, &b->cfg, base, real, real);
	for (i = 0;; i++) {
		usleep(20000);
		hit = bench_stat(&b->lb, HAULER_STAT_conn_hit) - hit0;
		lost = bench_stat(&b->lb, HAULER_STAT_conn_stateless) - st0;
		dropped = veth_xmit_errors(b->gen_ifindex) - drop0;
		if (hit + lost + dropped >= real || i == FLOOD_SETTLE_TRIES)
			break;
	}
	if (hit + lost + dropped != real)
		bench_die("%s: %lu real flows' ACKs, %llu hits, %llu without state, %llu dropped "
			  "before the program",
			  c->label, real, (unsigned long long)hit, (unsigned long long)lost,
			  (unsigned long long)dropped);
	c->hits = hit;
	c->acks_dropped = dropped;
}

/* Case c: the flood through hauler, the real flows' ACKs, the floor under the same frames. */
static void flood_measure(struct rate_bench *b, struct flood_case *c, unsigned long n,
			  const __u8 *junk, double plain_mpps)
{
	__u64 s0, new0, drop0, base, made, want;
	unsigned long real = (n + FLOOD_MIX - 1) / FLOOD_MIX;
	double secs;
	int i;

	bench_ct_use(&b->lb, c->ct);
	b->ct = c->ct;
	b->vip = 0;
	prepare(b, 0); /* the table emptied */
	s0 = sink_total(b);
	new0 = bench_stat(&b->lb, HAULER_STAT_conn_new);
	drop0 = veth_xmit_errors(b->gen_ifindex);
	secs = flood_send(b, b->lb.entry_fd, n, junk, &base);
	/*
	 * Every SYN that reached the program is a new connection (the compact
	 * table may decide one in 10,000 without state when both buckets are
	 * full), a SYN the lb veth's ring refused is none: read until they add
	 * up, as flood_acks does.
	 */
	want = (c->junk_flags == TCP_SYN ? n : real) - (b->ct ? n / 10000 : 0);
	for (i = 0;; i++) {
		usleep(20000);
		made = bench_stat(&b->lb, HAULER_STAT_conn_new) - new0;
		c->flood_dropped = veth_xmit_errors(b->gen_ifindex) - drop0;
		if (made + c->flood_dropped >= want || i == FLOOD_SETTLE_TRIES)
			break;
	}
	c->mpps = (sink_total(b) - s0) / secs / 1e6;
	if (made + c->flood_dropped < want)
		bench_die("%s: %llu new connections and %llu frames dropped before the program, "
			  "of %llu SYNs",
			  c->label, (unsigned long long)made, (unsigned long long)c->flood_dropped,
			  (unsigned long long)want);
	flood_acks(b, c, base, real);
	/* Of the flows whose ACK reached the program: a dropped ACK says nothing of its state. */
	c->completed = real > c->acks_dropped ? (double)c->hits / (real - c->acks_dropped) : 0;
	c->legit_per_s = c->hits / secs;
	c->ratio = plain_mpps > 0 ? c->legit_per_s / (plain_mpps * 1e6) : 0;
	b->ct = 0;
	bench_ct_use(&b->lb, 0);
	/* The floor under the same frames. */
	s0 = sink_total(b);
	secs = flood_send(b, b->floor_fd, n, junk, &base);
	usleep(20000);
	c->floor_mpps = (sink_total(b) - s0) / secs / 1e6;
}

/* The junk's templates, SYN and ACK: the real ones' MACs and VIP, sources of another range. */
static void flood_junk(const struct rate_bench *b, __u8 *junk_syn, __u8 *junk_ack)
{
	__u8 lb_mac[6], gen_mac[6];

	memcpy(lb_mac, b->syn[0], 6);
	memcpy(gen_mac, b->syn[0] + 6, 6);
	bench_frame4(junk_syn, BENCH_GEN_LEN, lb_mac, gen_mac, BENCH_JUNK_ADDR, BENCH_VIP_ADDR, 0,
		     BENCH_VIP_PORT, TCP_SYN);
	bench_frame4(junk_ack, BENCH_GEN_LEN, lb_mac, gen_mac, BENCH_JUNK_ADDR, BENCH_VIP_ADDR, 0,
		     BENCH_VIP_PORT, TCP_ACK);
}

/*
 * The flood cases, SYN and ACK junk, the LRU tables and (--compact) the
 * compact table; plain: the "new" case, whose rates are the reference.
 */
static void flood_cases(struct rate_bench *b, const struct flow_case *plain)
{
	struct flood_case cases[] = {
	    {.key = "lru_syn", .label = "LRU, SYN flood", .junk_flags = TCP_SYN, .ct = 0},
	    {.key = "lru_ack", .label = "LRU, ACK flood", .junk_flags = TCP_ACK, .ct = 0},
	    {.key = "compact_syn", .label = "compact, SYN flood", .junk_flags = TCP_SYN, .ct = 1},
	    {.key = "compact_ack", .label = "compact, ACK flood", .junk_flags = TCP_ACK, .ct = 1},
	};
	unsigned long n = b->packets < NEW_FLOWS_MAX ? b->packets : NEW_FLOWS_MAX;
	__u8 junk_syn[BENCH_GEN_LEN], junk_ack[BENCH_GEN_LEN];
	size_t i, ncase = b->compact ? 4 : 2;

	flood_junk(b, junk_syn, junk_ack);
	for (i = 0; i < ncase; i++)
		flood_measure(b, &cases[i], n, cases[i].junk_flags == TCP_SYN ? junk_syn : junk_ack,
			      cases[i].ct ? plain->ct.mpps : plain->hauler.mpps);

	printf(
	    "\nnew-flow rate under flood (nat, hash; %lu frames a run, one in %d the SYN of a "
	    "real new flow,\nthe rest spoofed junk, each a new flow; then each real flow's ACK "
	    "must find its state;\nACKs lost: refused by the veth ring before hauler saw them)\n",
	    n, FLOOD_MIX);
	printf("  %-30s %9s %7s %7s %7s %9s %9s %7s %7s %6s\n", "traffic", "real", "x new", "done",
	       "target", "hauler", "floor", "ratio", "+ns", "ACKs");
	printf("  %-30s %9s %7s %7s %7s %9s %9s %7s %7s %6s\n", "", "conn/s", "rate", "", "",
	       "Mpps", "Mpps", "", "/pkt", "lost");
	bench_json_obj(&b->json, "rate_flood");
	bench_json_num(&b->json, "mix", FLOOD_MIX);
	bench_json_num(&b->json, "frames", n);
	for (i = 0; i < ncase; i++) {
		const struct flood_case *c = &cases[i];
		double f = c->floor_mpps, r = f > 0 ? c->mpps / f : 0;
		double extra = c->mpps > 0 && f > 0 ? 1000 / c->mpps - 1000 / f : 0;

		printf("  %-30s %9.0f %7.3f %7.3f %7s %9.2f %9.2f %7.2f %7.0f %6llu\n", c->label,
		       c->legit_per_s, c->ratio, c->completed, "-", c->mpps, f, r, extra,
		       (unsigned long long)c->acks_dropped);
		bench_json_obj(&b->json, c->key);
		bench_json_num(&b->json, "real_conn_per_s", c->legit_per_s);
		bench_json_num(&b->json, "ratio_to_new", c->ratio);
		bench_json_num(&b->json, "completed", c->completed);
		bench_json_num(&b->json, "hauler_mpps", c->mpps);
		bench_json_num(&b->json, "floor_mpps", f);
		bench_json_num(&b->json, "ratio", r);
		bench_json_num(&b->json, "extra_ns_per_packet", extra);
		bench_json_num(&b->json, "acks_dropped", c->acks_dropped);
		bench_json_num(&b->json, "flood_dropped", c->flood_dropped);
		bench_json_end(&b->json);
	}
	bench_json_end(&b->json);
}

#endif
