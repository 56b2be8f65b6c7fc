// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * bench_rate - packets per second through a veth pair in native XDP mode,
 * hauler against the XDP floor, and a policy swap under load
 * (docs/performance.md, "Packet rate" and "Policy swap under load").
 *
 *   bench_rate --pin DIR --build BUILD --lb IF --gen IF [--packets N]
 *              [--flows N[,N...]] [--swaps N] [--big N[,N...]] [--cores N]
 *              [--compact] [--policies P[,P...]] [--rounds N] [--json FILE]
 *
 * New flows: a nat VIP and an ipip VIP, each under each policy
 * (--policies, default every one built, loaded as bench_pkt does; "new"
 * and "new_ipip" are the hash policy's) and with its policy slot empty
 * (the built-in hash); an ipip frame must leave 20 bytes longer;
 * --big: established flows over tables filled with N connections;
 * --compact: every established and new-flow case again with the compact
 * connection table (hauler up --table compact), side by side with the
 * LRU tables, against the same floor;
 * --rounds N (default 5): each case's packets in N slices a path, the
 * floor's, the LRU's and the compact table's interleaved, ratios and +ns
 * the medians of each round's own pair (bench_rate_rounds.h);
 * --cores N: one core against two with N established flows, and new
 * flows (bench_rate_scale.h). Always: new flows under a flood of spoofed
 * junk, both tables (bench_rate_flood.h), and under a flood that cycles
 * small tables, established flows kept (bench_rate_cycle.h).
 *
 *   generator (bench/gen.bpf.c, BPF_PROG_TEST_RUN live frames)
 *        --bpf_redirect--> gen IF ==veth==> lb IF: hauler_xdp or bench_floor
 *        <--XDP_TX-------- lb IF ==veth==> gen IF: bench_sink counts, drops
 *
 * The rate is what the sink counted over the generator's wall time. All
 * of it runs on one CPU (the generator's; the veth NAPI runs where the
 * redirect scheduled it), so a rate is one core's throughput.
 */
#include <getopt.h>
#include <pthread.h>
#include <linux/if_link.h>
#include <sys/stat.h>

#include "bench_common.h"

#define MAX_FLOW_SETS 4
#define NEW_FLOWS_MAX (HAULER_MAX_CONNS / 2 - 100000) /* nat: 2 entries a flow */

struct rate_bench {
	struct bench_lb lb;
	struct bpf_object *gen, *floor, *sink;
	int gen_fd, floor_fd, sink_fd, gen_cfg_fd, sink_count_fd, sink_len_fd;
	int lb_ifindex, gen_ifindex;
	struct bench_gen_cfg cfg;
	/* Per VIP (0: nat, 1: ipip), the template with SYN, with ACK. */
	__u8 syn[2][BENCH_GEN_LEN], ack[2][BENCH_GEN_LEN];
	int vip;	/* the VIP the generator's frames go to */
	__u64 next_new; /* first flow number not used yet */
	unsigned long packets;
	struct bench_json json;
	volatile int stop;
	int prefilled; /* conns already holds the flows a case sends (no warm-up) */
	int ct;	       /* the compact table is in use (config.ct_buckets) */
	int compact;   /* --compact: measure the compact table too */
	int rounds;    /* --rounds: slices a case's rate is measured in (bench_rate_rounds.h) */
};

/* One measurement: Mpps at the sink, and bpf_stats ns a packet when on. */
struct rate {
	double mpps, delivered;
	__u64 conn_new, conn_hit, conn_stateless;
};

/* Frames the sink counted. */
static __u64 sink_total(struct rate_bench *b)
{
	return bench_sink_sum(b->sink_count_fd, 0);
}

/*
 * An ipip run (the VIP of b->vip 1) through hauler: every frame that left
 * must be 20 bytes longer than the generator's (its outer IPv4 header),
 * none of the generator's length; other lengths are the kernel's own
 * (an IPv6 router solicitation on the fresh link), a handful at most.
 * plain0, ipip0: sink_len before the run; total: frames the run counted.
 */
static void check_ipip_len(struct rate_bench *b, __u64 plain0, __u64 ipip0, __u64 total)
{
	__u64 plain = bench_sink_sum(b->sink_len_fd, SINK_LEN_PLAIN) - plain0;
	__u64 ipip = bench_sink_sum(b->sink_len_fd, SINK_LEN_IPIP) - ipip0;

	if (plain || ipip > total || total - ipip > 16)
		bench_die("ipip: of %llu frames, %llu of the generator's length, %llu 20 bytes "
			  "longer (all must be)",
			  (unsigned long long)total, (unsigned long long)plain,
			  (unsigned long long)ipip);
}

static void attach(int ifindex, int fd)
{
	if (bpf_xdp_attach(ifindex, fd, XDP_FLAGS_DRV_MODE, NULL))
		bench_die("attach XDP (native) to ifindex %d: %s", ifindex, strerror(errno));
}

#define TCP_SYN 0x02
#define TCP_ACK 0x10

/*
 * One generator run: n frames of cfg->frame, flows base.. (a window of
 * nflows repeated, or each frame a new flow when nflows is 0), out of the
 * generator's interface. Returns the wall time in seconds.
 */
static double gen_send(int gen_fd, int cfg_fd, struct bench_gen_cfg *cfg, __u64 base, __u32 nflows,
		       unsigned long n)
{
	__u8 frame[BENCH_GEN_LEN];
	__u32 zero = 0;
	__u64 t0;
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = sizeof(frame),
		    .repeat = n, .flags = BPF_F_TEST_XDP_LIVE_FRAMES);

	memcpy(frame, cfg->frame, sizeof(frame));
	cfg->nflows = nflows;
	cfg->ctr = 0;
	cfg->new_base = base;
	if (bpf_map_update_elem(cfg_fd, &zero, cfg, BPF_ANY))
		bench_die("configure the generator: %s", strerror(errno));
	t0 = bench_now_ns();
	if (bpf_prog_test_run_opts(gen_fd, &opts))
		bench_die("live-frames BPF_PROG_TEST_RUN: %s", strerror(errno));
	return (bench_now_ns() - t0) / 1e9;
}

/*
 * Send n frames with TCP flags (TCP_SYN or TCP_ACK): flows 0..nflows-1
 * from the start, or new flows (nflows 0).
 */
static double generate(struct rate_bench *b, __u32 nflows, unsigned long n, __u8 flags)
{
	__u64 base = nflows ? 0 : b->next_new;

	memcpy(b->cfg.frame, flags == TCP_SYN ? b->syn[b->vip] : b->ack[b->vip], BENCH_GEN_LEN);
	if (!nflows)
		b->next_new += n;
	return gen_send(b->gen_fd, b->gen_cfg_fd, &b->cfg, base, nflows, n);
}

/*
 * The devices' SYN-ACKs, which the sink cannot send: mark every half-open
 * client entry answered, with the acknowledgment number the ACK template
 * carries (bench_frame4: 1), as nat_return does when a device's SYN-ACK
 * passes; the flows' ACKs then confirm them (docs/datapath.md).
 */
static void answer_syns(struct rate_bench *b)
{
	int fd = bench_map(&b->lb, "half_open");
	struct flow_key key, next, *keys = NULL;
	size_t n = 0, cap = 0, i;
	void *prev = NULL;
	struct conn c;

	/*
	 * Keys first, written after the walk: an update of an LRU hash entry
	 * moves it to its bucket's head, where the walk would meet it again.
	 */
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &c) ||
		    (c.flags & (HAULER_CONN_REPLY | HAULER_CONN_SYNACK)))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 1024;
			keys = realloc(keys, cap * sizeof(*keys));
			if (!keys)
				bench_die("answer the SYNs: out of memory");
		}
		keys[n++] = key;
	}
	for (i = 0; i < n; i++) {
		if (bpf_map_lookup_elem(fd, &keys[i], &c))
			continue;
		c.flags |= HAULER_CONN_SYNACK;
		c.synack_ack = 1;
		if (bpf_map_update_elem(fd, &keys[i], &c, BPF_EXIST))
			bench_die("answer the SYN of a half-open flow: %s", strerror(errno));
	}
	free(keys);
}

/*
 * Make conns hold exactly the flows 0..nflows-1 (or nothing): each flow's
 * SYN (half-open), its device's answer (answer_syns; the compact table:
 * its device's data, bench_ct_confirm), then its handshake ACK
 * (established).
 */
static void prepare(struct rate_bench *b, __u32 nflows)
{
	long want = b->ct ? nflows : 2L * nflows, got; /* compact: a nat reply has no slot */
	int pass;

	if (b->prefilled)
		return; /* the table holds them already (bench_rate_scale.h) */
	if (b->ct)
		bench_ct_walk(&b->lb, 1, 0);
	else
		bench_conns_clear(&b->lb);
	if (!nflows)
		return;
	for (pass = 0; pass < 3; pass++) {
		generate(b, nflows, nflows, TCP_SYN);
		if (b->ct)
			bench_ct_confirm(
			    &b->lb); /* the devices' data (a client's ACK confirms no nat slot) */
		else
			answer_syns(b);
		generate(b, nflows, nflows, TCP_ACK);
		usleep(20000);
		got = b->ct ? bench_ct_walk(&b->lb, 0, 1) : bench_conns_count(&b->lb);
		if (got >= want)
			return;
	}
	bench_die("warm-up left %ld of %ld connection entries", got, want);
}

/*
 * One run: established flows (nflows > 0, ACKs), new flows (nflows 0,
 * SYNs: each a new half-open connection) or a flood of segments without
 * SYN (nflows 0, ACKs: each decided without state). warm: the table in
 * use emptied and warmed up first (prepare); else it holds what the
 * case's earlier slices left.
 */
static struct rate measure(struct rate_bench *b, int prog_fd, __u32 nflows, unsigned long n,
			   __u8 flags, int warm)
{
	__u64 s0, new0, hit0, st0, plain0, ipip0;
	struct rate r = {};
	double secs;

	attach(b->lb_ifindex, prog_fd);
	if (prog_fd == b->lb.entry_fd && warm)
		prepare(b, nflows);
	s0 = sink_total(b);
	plain0 = bench_sink_sum(b->sink_len_fd, SINK_LEN_PLAIN);
	ipip0 = bench_sink_sum(b->sink_len_fd, SINK_LEN_IPIP);
	new0 = bench_stat(&b->lb, HAULER_STAT_conn_new);
	hit0 = bench_stat(&b->lb, HAULER_STAT_conn_hit);
	st0 = bench_stat(&b->lb, HAULER_STAT_conn_stateless);
	secs = generate(b, nflows, n, flags);
	usleep(20000); /* frames still in the veth rings */
	r.delivered = (double)(sink_total(b) - s0) / n;
	r.mpps = (sink_total(b) - s0) / secs / 1e6;
	r.conn_new = bench_stat(&b->lb, HAULER_STAT_conn_new) - new0;
	r.conn_hit = bench_stat(&b->lb, HAULER_STAT_conn_hit) - hit0;
	r.conn_stateless = bench_stat(&b->lb, HAULER_STAT_conn_stateless) - st0;
	if (prog_fd == b->lb.entry_fd && b->vip == 1)
		check_ipip_len(b, plain0, ipip0, sink_total(b) - s0);
	/*
	 * The compact table takes a digest match as the flow: a new flow may
	 * find another's slot (about 3 in a million, ct_false_match_rate).
	 */
	if (prog_fd == b->lb.entry_fd &&
	    (nflows ? r.conn_new + r.conn_stateless
		    : r.conn_hit + (flags == TCP_SYN ? r.conn_stateless : r.conn_new)) >
		(b->ct ? n / 10000 : 0))
		bench_die("%s: packets took another path (new %llu, hit %llu, stateless %llu)",
			  nflows	     ? "established flows"
			  : flags == TCP_SYN ? "new flows"
					     : "flood",
			  (unsigned long long)r.conn_new, (unsigned long long)r.conn_hit,
			  (unsigned long long)r.conn_stateless);
	return r;
}

static void prog_stats(int fd, __u64 *ns, __u64 *cnt)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		bench_die("program info: %s", strerror(errno));
	*ns = info.run_time_ns;
	*cnt = info.run_cnt;
}

/* ns a run of prog_fd with the kernel's bpf_stats (turned on by the caller). */
static double stats_ns(struct rate_bench *b, int prog_fd, __u32 nflows, unsigned long n, __u8 flags)
{
	__u64 ns0, c0, ns1, c1;

	attach(b->lb_ifindex, prog_fd);
	if (prog_fd == b->lb.entry_fd)
		prepare(b, nflows);
	prog_stats(prog_fd, &ns0, &c0);
	generate(b, nflows, n, flags);
	usleep(20000);
	prog_stats(prog_fd, &ns1, &c1);
	return c1 > c0 ? (double)(ns1 - ns0) / (c1 - c0) : 0;
}

/* One table's rate against the floor: medians of the rounds' own pairs (bench_rate_rounds.h). */
struct pair {
	double ratio, extra;	   /* × floor; +ns a packet over it */
	double extra_lo, extra_hi; /* the rounds' smallest and largest +ns */
};

struct flow_case {
	const char *key, *label;
	__u32 nflows;
	__u8 flags;    /* TCP_SYN or TCP_ACK */
	int vip;       /* 0: the nat VIP, 1: the ipip VIP */
	int policy_fd; /* the VIP's policy slot: a policy, or -1 (empty: the built-in hash) */
	double target;
	int quarter; /* a quarter of the packets (the policies' cases: make bench's time) */
	struct rate hauler, floor, ct; /* ct: hauler with the compact table (median rates) */
	struct pair lru, cmp;	       /* hauler (the LRU tables) and ct against the floor */
	double hauler_ns, floor_ns, ct_ns;
};

/* Case c's VIP and policy in place; returns policy_fallback, for case_ran. */
static __u64 case_use(struct rate_bench *b, const struct flow_case *c)
{
	b->vip = c->vip;
	bench_set_policy(&b->lb, c->vip, c->policy_fd);
	return bench_stat(&b->lb, HAULER_STAT_policy_fallback);
}

/* A case with a policy: every packet met it (as bench_pkt checks). */
static void case_ran(struct rate_bench *b, const struct flow_case *c, __u64 fb0)
{
	if (c->policy_fd >= 0)
		bench_policy_ran(&b->lb, fb0, c->label);
}

/* A new-flow case: SYNs to vip under the policy in policy_fd (-1: none). */
static void new_case(struct flow_case *c, const char *key, const char *label, int vip,
		     int policy_fd)
{
	memset(c, 0, sizeof(*c));
	c->key = strdup(key);
	c->label = strdup(label);
	if (!c->key || !c->label)
		bench_die("out of memory");
	c->flags = TCP_SYN;
	c->vip = vip;
	c->policy_fd = policy_fd;
	c->target = 0.20; /* issue 16: every policy, nat and ipip */
}

/*
 * New flows to vip (0: nat, 1: ipip) under every policy of pol but hash
 * (the "new" and "new_ipip" cases), then with the slot empty (the
 * built-in hash): keys new_MODE_POLICY, new_MODE_builtin. Returns how
 * many cases it wrote.
 */
static int policy_cases(struct flow_case *c, const struct bench_policy *pol, int npol, int vip)
{
	const char *mode = vip ? "ipip" : "nat";
	char key[64], label[64];
	int i, n = 0;

	for (i = 0; i < npol; i++) {
		if (pol[i].fd < 0 || !strcmp(pol[i].name, "hash"))
			continue; /* "does not load", said; hash: "new", "new_ipip" */
		snprintf(key, sizeof(key), "new_%s_%.40s", mode, pol[i].name);
		snprintf(label, sizeof(label), "new flows, %s, %.14s", mode, pol[i].name);
		new_case(&c[n++], key, label, vip, pol[i].fd);
	}
	snprintf(key, sizeof(key), "new_%s_builtin", mode);
	snprintf(label, sizeof(label), "new flows, %s, built-in hash", mode);
	new_case(&c[n++], key, label, vip, -1);
	for (i = 0; i < n; i++)
		c[i].quarter = 1;
	return n;
}

/*
 * Packets of a run of case c: --packets, a quarter of it for the
 * bpf_stats pass (stats), at most NEW_FLOWS_MAX for new flows (no LRU
 * eviction inside the run), and a quarter of that for a policy's case.
 */
static unsigned long case_packets(const struct rate_bench *b, const struct flow_case *c, int stats)
{
	unsigned long n = stats ? b->packets / 4 : b->packets;

	if (n > NEW_FLOWS_MAX && (!c->nflows || stats))
		n = NEW_FLOWS_MAX;
	return c->quarter ? n / 4 : n;
}

#include "bench_rate_rounds.h"
#include "bench_rate_profile.h"

/*
 * Case c's bpf_stats times of n packets: hauler on the LRU tables, the
 * floor, and (--compact) hauler on the compact table. The caller holds
 * bpf_stats on: a pass of its own, its cost distorts rates.
 */
static void stats_case(struct rate_bench *b, struct flow_case *c, unsigned long n)
{
	__u64 fb = case_use(b, c);

	c->hauler_ns = stats_ns(b, b->lb.entry_fd, c->nflows, n, c->flags);
	c->floor_ns = stats_ns(b, b->floor_fd, c->nflows, n, c->flags);
	if (b->compact) {
		bench_ct_use(&b->lb, 1);
		b->ct = 1;
		c->ct_ns = stats_ns(b, b->lb.entry_fd, c->nflows, n, c->flags);
		b->ct = 0;
		bench_ct_use(&b->lb, 0);
	}
	case_ran(b, c, fb);
}

/*
 * The LRU tables and the compact table side by side: rates, ratios to
 * the same floor, +ns over it, and bpf_stats ns a packet (the entry
 * program and the programs it tail-calls). JSON under key.
 */
static void print_compact(struct rate_bench *b, const struct flow_case *cases, int n,
			  const char *title, const char *key)
{
	int i;

	printf("\n%s\n", title);
	printf("  %-30s %8s %8s %8s %6s %6s %6s %6s %6s %7s %7s\n", "traffic", "lru", "compact",
	       "floor", "lru", "cmpct", "target", "lru", "cmpct", "lru", "cmpct");
	printf("  %-30s %8s %8s %8s %6s %6s %6s %6s %6s %7s %7s\n", "", "Mpps", "Mpps", "Mpps",
	       "ratio", "ratio", "ratio", "+ns", "+ns", "ns/pkt", "ns/pkt");
	bench_json_obj(&b->json, key);
	for (i = 0; i < n; i++) {
		const struct flow_case *c = &cases[i];
		double f = c->floor.mpps, lr = c->lru.ratio, cr = c->cmp.ratio;
		double le = c->lru.extra, ce = c->cmp.extra;
		char label[64], k[64], tgt[16];

		if (c->nflows)
			snprintf(label, sizeof(label), "established, %u flows", c->nflows);
		else
			snprintf(label, sizeof(label), "%s", c->label);
		if (c->target > 0)
			snprintf(tgt, sizeof(tgt), "%.2f", c->target);
		else
			snprintf(tgt, sizeof(tgt), "-"); /* no target: the large tables */
		printf("  %-30s %8.2f %8.2f %8.2f %6.2f %6.2f %6s %6.0f %6.0f %7.1f %7.1f\n", label,
		       c->hauler.mpps, c->ct.mpps, f, lr, cr, tgt, le, ce, c->hauler_ns, c->ct_ns);
		if (c->nflows)
			snprintf(k, sizeof(k), "established_%u", c->nflows);
		else
			snprintf(k, sizeof(k), "%s", c->key);
		bench_json_obj(&b->json, k);
		bench_json_num(&b->json, "flows", c->nflows);
		bench_json_num(&b->json, "lru_mpps", c->hauler.mpps);
		bench_json_num(&b->json, "compact_mpps", c->ct.mpps);
		bench_json_num(&b->json, "floor_mpps", f);
		bench_json_num(&b->json, "lru_ratio", lr);
		bench_json_num(&b->json, "compact_ratio", cr);
		bench_json_num(&b->json, "target_ratio", c->target);
		bench_json_num(&b->json, "lru_extra_ns_per_packet", le);
		bench_json_num(&b->json, "compact_extra_ns_per_packet", ce);
		bench_json_num(&b->json, "lru_ns_per_packet", c->hauler_ns);
		bench_json_num(&b->json, "compact_ns_per_packet", c->ct_ns);
		bench_json_num(&b->json, "compact_delivered", c->ct.delivered);
		bench_json_num(&b->json, "compact_extra_ns_lo", c->cmp.extra_lo);
		bench_json_num(&b->json, "compact_extra_ns_hi", c->cmp.extra_hi);
		bench_json_end(&b->json);
	}
	bench_json_end(&b->json);
}

/*
 * A second balancer beside the first, its maps pinned in pin (sub/ of
 * the bench's bpffs; the caller's buffer of BENCH_PIN_LEN, which lb keeps),
 * tables of sizes: VIP 0 (nat, devices 0..3) under hash. The large
 * tables' (bench_rate_scale.h) and the cycling flood's small ones
 * (bench_rate_cycle.h).
 */
#define BENCH_PIN_LEN 512
static void second_lb_load(const struct rate_bench *b, char *pin, const char *sub,
			   const struct table_sizes *sizes, struct bench_lb *lb,
			   struct bench_policy *hash)
{
	snprintf(pin, BENCH_PIN_LEN, "%s/%s", b->lb.pin, sub);
	if (mkdir(pin, 0700) && errno != EEXIST)
		bench_die("cannot make %s: %s", pin, strerror(errno));
	bench_lb_load_sized(lb, pin, b->lb.build, sizes);
	bench_add_vip(lb, 0, HAULER_FWD_NAT, 0, 4);
	if (bench_policy_load(lb, "hash", hash))
		bench_die("policy hash must load (BENCH_DEBUG=1 shows why)");
	bench_set_policy(lb, 0, hash->fd);
}

#include "bench_rate_scale.h" /* 1M/10M-flow tables, one core against two */
#include "bench_rate_flood.h" /* new flows under flood */
#include "bench_rate_cycle.h" /* new flows under a flood that cycles the table */

static void *swap_traffic(void *arg)
{
	struct rate_bench *b = arg;

	bench_pin_cpu(0);
	while (!b->stop)
		generate(b, 0, 50000, TCP_SYN);
	return NULL;
}

/* 1000 policy swaps while new flows run; no packet may miss its policy. */
static void policy_swap(struct rate_bench *b, int fd_a, int fd_b, unsigned long swaps)
{
	__u64 *t = calloc(swaps, sizeof(*t)), fb0, new0, bad0, s0, t0;
	struct timespec gap = {0, 100000};
	pthread_t th;
	unsigned long i;
	double secs;

	if (!t)
		bench_die("out of memory");
	attach(b->lb_ifindex, b->lb.entry_fd);
	bench_conns_clear(&b->lb);
	bench_set_policy(&b->lb, 0, fd_a);
	b->stop = 0;
	/* The generator's thread takes CPU 0; the swaps run on the other. */
	if (pthread_create(&th, NULL, swap_traffic, b))
		bench_die("cannot start the traffic thread");
	bench_pin_cpu(bench_cpus_usable() > 1 ? 1 : 0);
	usleep(50000);
	fb0 = bench_stat(&b->lb, HAULER_STAT_policy_fallback);
	bad0 = bench_stat(&b->lb, HAULER_STAT_policy_bad_choice);
	new0 = bench_stat(&b->lb, HAULER_STAT_conn_new);
	s0 = sink_total(b);
	t0 = bench_now_ns();
	for (i = 0; i < swaps; i++) {
		int prog = i & 1 ? fd_a : fd_b;
		__u64 start = bench_now_ns();

		/* The swap the manager makes: one policy_progs update. */
		bench_ok(mapw_policy(&b->lb.maps, 0, prog));
		t[i] = bench_now_ns() - start;
		nanosleep(&gap, NULL);
	}
	secs = (bench_now_ns() - t0) / 1e9;
	b->stop = 1;
	pthread_join(th, NULL);
	bench_pin_cpu(0);

	qsort(t, swaps, sizeof(*t), bench_cmp_u64);
	{
		__u64 fb = bench_stat(&b->lb, HAULER_STAT_policy_fallback) - fb0;
		__u64 bad = bench_stat(&b->lb, HAULER_STAT_policy_bad_choice) - bad0;
		__u64 newc = bench_stat(&b->lb, HAULER_STAT_conn_new) - new0;
		__u64 fwd = sink_total(b) - s0;

		printf("policy swap under load (%lu swaps in %.2f s, new flows running)\n", swaps,
		       secs);
		printf("  %-44s %8.2f us (p99 %.2f, max %.2f)\n", "one swap, p50",
		       bench_percentile(t, swaps, 50) / 1e3, bench_percentile(t, swaps, 99) / 1e3,
		       t[swaps - 1] / 1e3);
		printf("  %-44s %8llu (new connections %llu, forwarded %llu)\n",
		       "packets that met no policy", (unsigned long long)fb,
		       (unsigned long long)newc, (unsigned long long)fwd);
		bench_json_obj(&b->json, "policy_swap");
		bench_json_num(&b->json, "swaps", swaps);
		bench_json_num(&b->json, "swap_us_p50", bench_percentile(t, swaps, 50) / 1e3);
		bench_json_num(&b->json, "swap_us_p99", bench_percentile(t, swaps, 99) / 1e3);
		bench_json_num(&b->json, "swap_us_max", t[swaps - 1] / 1e3);
		bench_json_num(&b->json, "new_connections_during", newc);
		bench_json_num(&b->json, "policy_fallback", fb);
		bench_json_num(&b->json, "policy_bad_choice", bad);
		bench_json_end(&b->json);
	}
	free(t);
}

static void usage(void)
{
	fprintf(stderr, "usage: bench_rate --pin DIR --build BUILD --lb IF --gen IF [--packets N] "
			"[--flows N[,N...]] [--swaps N] [--big N[,N...]] [--cores N] [--compact] "
			"[--policies P[,P...]] [--rounds N] [--json FILE] [--profile CASE]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"pin", required_argument, NULL, 'p'},
					     {"build", required_argument, NULL, 'b'},
					     {"lb", required_argument, NULL, 'l'},
					     {"gen", required_argument, NULL, 'g'},
					     {"packets", required_argument, NULL, 'n'},
					     {"flows", required_argument, NULL, 'f'},
					     {"swaps", required_argument, NULL, 's'},
					     {"json", required_argument, NULL, 'j'},
					     {"big", required_argument, NULL, 'B'},
					     {"cores", required_argument, NULL, 'c'},
					     {"compact", no_argument, NULL, 'C'},
					     {"policies", required_argument, NULL, 'P'},
					     {"rounds", required_argument, NULL, 'r'},
					     {"profile", required_argument, NULL, 'F'},
					     {NULL, 0, NULL, 0}};
	const char *pin = NULL, *build = NULL, *lb_if = NULL, *gen_if = NULL, *json = NULL;
	const char *flows = "100,100000", *big_list = NULL, *profile = NULL;
	__u32 big[SCALE_MAX_BIG], cores_flows = 0;
	int nbig = 0, gen2_fd = -1, gen2_cfg_fd = -1;
	struct bpf_object *gen2;
	static struct flow_case cases[MAX_FLOW_SETS + 6 + 2 * BENCH_MAX_POLICIES];
	static struct bench_policy pol[BENCH_MAX_POLICIES];
	char *policies = NULL;
	int npol;
	static struct rate_bench b = {.packets = 2000000, .rounds = 5};
	struct bench_policy hash, wrr;
	unsigned long swaps = 1000;
	__u8 lb_mac[6], gen_mac[6];
	char path[512], *list, *tok;
	int opt, ncase = 0, i, stats_fd;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			pin = optarg;
			break;
		case 'b':
			build = optarg;
			break;
		case 'l':
			lb_if = optarg;
			break;
		case 'g':
			gen_if = optarg;
			break;
		case 'n':
			b.packets = bench_ulong("packets", optarg);
			break;
		case 'f':
			flows = optarg;
			break;
		case 's':
			swaps = bench_ulong("swaps", optarg);
			break;
		case 'j':
			json = optarg;
			break;
		case 'B':
			big_list = optarg;
			break;
		case 'C':
			b.compact = 1;
			break;
		case 'c':
			cores_flows = bench_ulong("cores", optarg);
			break;
		case 'P':
			policies = optarg;
			break;
		case 'r':
			b.rounds = bench_ulong("rounds", optarg);
			break;
		case 'F':
			profile = optarg;
			break;
		default:
			usage();
		}
	}
	if (!pin || !build || !lb_if || !gen_if || optind != argc || b.packets < 1000 || !swaps)
		usage();
	if (profile && !b.compact)
		bench_die("--profile runs a case on the compact table: --compact");
	if (b.rounds < 1 || b.rounds > RATE_ROUNDS_MAX)
		bench_die("--rounds: 1 to %d", RATE_ROUNDS_MAX);
	list = strdup(flows);
	for (tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
		unsigned long n = bench_ulong("flows", tok);

		if (ncase == MAX_FLOW_SETS || !n || n > NEW_FLOWS_MAX)
			bench_die("--flows: 1 to %d counts of 1..%d", MAX_FLOW_SETS, NEW_FLOWS_MAX);
		cases[ncase].key = strdup(tok);
		cases[ncase].label = "established";
		cases[ncase].nflows = n;
		cases[ncase].flags = TCP_ACK;
		/* Issue 16's targets: 1.2x (100 flows), 1.4x (100,000) Katran's ratio to the floor.
		 */
		cases[ncase].target = n <= 1000 ? 0.66 : 0.31;
		ncase++;
	}
	list = big_list ? strdup(big_list) : NULL;
	for (tok = list ? strtok(list, ",") : NULL; tok; tok = strtok(NULL, ",")) {
		unsigned long n = bench_ulong("big", tok);

		if (nbig == SCALE_MAX_BIG || !n || n > HAULER_CONNS_MAX / 2 ||
		    (nbig && n <= big[nbig - 1]))
			bench_die("--big: 1 to %d ascending counts of 1..%u", SCALE_MAX_BIG,
				  HAULER_CONNS_MAX / 2);
		big[nbig++] = n;
	}
	bench_pin_cpu(0);
	b.lb_ifindex = bench_ifindex(lb_if);
	b.gen_ifindex = bench_ifindex(gen_if);
	bench_read_mac(lb_if, lb_mac);
	bench_read_mac(gen_if, gen_mac);
	{
		/*
		 * The tables hauler up makes by default, half_open as large as
		 * conns (bench_lb_load): what every case but the large tables'
		 * runs on (those load their own balancer, scale_big). A table
		 * sized for 10M would make every other case's reads miss more
		 * (docs/performance.md, "One large array against an array of
		 * small arrays").
		 */
		struct table_sizes sizes = {.half_open = HAULER_MAX_CONNS};

		if (b.compact)
			sizes.ctable = ct_buckets_for(HAULER_MAX_CONNS);
		bench_lb_load_sized(&b.lb, pin, build, &sizes);
	}
	if (bench_policy_load(&b.lb, "hash", &hash) || bench_policy_load(&b.lb, "wrr", &wrr))
		bench_die("policies hash and wrr must load (BENCH_DEBUG=1 shows why)");
	npol = bench_policies_load(&b.lb, policies, pol, BENCH_MAX_POLICIES);
	/*
	 * The cases: the established ones (--flows), new flows to the nat VIP
	 * under the hash policy ("new", as before there were others), under
	 * every other policy and with the slot empty (the built-in hash), the
	 * same to the ipip VIP ("new_ipip": hash), then the ACK flood. Each
	 * VIP's slot holds hash but in its policy's cases.
	 */
	for (i = 0; i < ncase; i++)
		cases[i].policy_fd = hash.fd;
	new_case(&cases[ncase++], "new", "new flows (SYN)", 0, hash.fd);
	ncase += policy_cases(&cases[ncase], pol, npol, 0);
	new_case(&cases[ncase++], "new_ipip", "new flows, ipip, hash", 1, hash.fd);
	ncase += policy_cases(&cases[ncase], pol, npol, 1);
	new_case(&cases[ncase], "ack_flood", "ACK flood (no state)", 0, hash.fd);
	cases[ncase++].flags = TCP_ACK;
	snprintf(path, sizeof(path), "%s/bench/gen.bpf.o", build);
	b.gen = bench_obj_load(path, NULL);
	snprintf(path, sizeof(path), "%s/bench/floor.bpf.o", build);
	b.floor = bench_obj_load(path, NULL);
	snprintf(path, sizeof(path), "%s/bench/sink.bpf.o", build);
	b.sink = bench_obj_load(path, NULL);
	b.gen_fd = bench_prog_fd(b.gen, "bench_gen");
	b.gen_cfg_fd = bench_obj_map(b.gen, "gen_cfg");
	if (cores_flows) {
		/* A second generator: its own gen_cfg, for the other CPU. */
		snprintf(path, sizeof(path), "%s/bench/gen.bpf.o", build);
		gen2 = bench_obj_load(path, NULL);
		gen2_fd = bench_prog_fd(gen2, "bench_gen");
		gen2_cfg_fd = bench_obj_map(gen2, "gen_cfg");
	}
	b.floor_fd = bench_prog_fd(b.floor, "bench_floor");
	b.sink_fd = bench_prog_fd(b.sink, "bench_sink");
	b.sink_count_fd = bench_obj_map(b.sink, "sink_count");
	b.sink_len_fd = bench_obj_map(b.sink, "sink_len");

	bench_add_vip(&b.lb, 0, HAULER_FWD_NAT, 0, 4);
	bench_add_vip(&b.lb, 1, HAULER_FWD_IPIP, 4, 4);
	bench_set_policy(&b.lb, 0, hash.fd);
	bench_set_policy(&b.lb, 1, hash.fd);
	b.cfg.ifindex = b.gen_ifindex;
	/* The template is flow 0 with source port 0: gen adds a flow's words to its checksums. */
	for (i = 0; i < 2; i++) {
		bench_frame4(b.syn[i], BENCH_GEN_LEN, lb_mac, gen_mac, BENCH_CLIENT_ADDR,
			     BENCH_VIP_ADDR + i, 0, BENCH_VIP_PORT, TCP_SYN);
		bench_frame4(b.ack[i], BENCH_GEN_LEN, lb_mac, gen_mac, BENCH_CLIENT_ADDR,
			     BENCH_VIP_ADDR + i, 0, BENCH_VIP_PORT, TCP_ACK);
	}
	attach(b.gen_ifindex, b.sink_fd);
	if (profile) {
		profile_case(&b, cases, ncase, profile, pin, hash.fd);
		return 0;
	}

	bench_json_open(&b.json, json);
	bench_json_num(&b.json, "packets", b.packets);
	bench_json_num(&b.json, "rounds", b.rounds);
	printf("packet rate (veth, native XDP, one core; %lu packets of %d bytes a case, in %d "
	       "rounds:\nfloor, LRU, compact slices interleaved; ratio and +ns the median of the "
	       "rounds' pairs)\n",
	       b.packets, BENCH_GEN_LEN, b.rounds);
	printf("  %-30s %9s %9s %7s %7s %7s %9s %9s\n", "traffic", "hauler", "floor", "ratio",
	       "target", "+ns", "hauler", "floor");
	printf("  %-30s %9s %9s %7s %7s %7s %9s %9s\n", "", "Mpps", "Mpps", "", "", "/pkt",
	       "ns/pkt", "ns/pkt");
	for (i = 0; i < ncase; i++) {
		struct flow_case *c = &cases[i];
		__u64 fb = case_use(&b, c);

		rounds_measure(&b, c, case_packets(&b, c, 0));
		case_ran(&b, c, fb);
	}
	/* The kernel's per-program time: a separate pass, its cost distorts rates. */
	stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (stats_fd < 0)
		bench_die("cannot enable bpf_stats: %s", strerror(errno));
	for (i = 0; i < ncase; i++)
		stats_case(&b, &cases[i], case_packets(&b, &cases[i], 1));
	close(stats_fd); /* bpf_stats back off (unless someone else holds it on) */
	/* What the parts below expect: the nat VIP, the hash policy in both slots. */
	b.vip = 0;
	bench_set_policy(&b.lb, 0, hash.fd);
	bench_set_policy(&b.lb, 1, hash.fd);

	bench_json_obj(&b.json, "rate");
	for (i = 0; i < ncase; i++) {
		struct flow_case *c = &cases[i];
		double ratio = c->lru.ratio, extra = c->lru.extra;
		char label[64], key[64];

		if (c->nflows)
			snprintf(label, sizeof(label), "%s, %u flows", c->label, c->nflows);
		else
			snprintf(label, sizeof(label), "%s", c->label);
		printf("  %-30s %9.2f %9.2f %7.2f %7.2f %7.0f %9.1f %9.1f\n", label, c->hauler.mpps,
		       c->floor.mpps, ratio, c->target, extra, c->hauler_ns, c->floor_ns);
		snprintf(key, sizeof(key), c->nflows ? "established_%s" : "%s", c->key);
		bench_json_obj(&b.json, key);
		bench_json_num(&b.json, "flows", c->nflows);
		bench_json_num(&b.json, "hauler_mpps", c->hauler.mpps);
		bench_json_num(&b.json, "floor_mpps", c->floor.mpps);
		bench_json_num(&b.json, "ratio", ratio);
		bench_json_num(&b.json, "target_ratio", c->target);
		bench_json_num(&b.json, "extra_ns_per_packet", extra);
		bench_json_num(&b.json, "hauler_delivered", c->hauler.delivered);
		bench_json_num(&b.json, "floor_delivered", c->floor.delivered);
		bench_json_num(&b.json, "hauler_ns_per_packet", c->hauler_ns);
		bench_json_num(&b.json, "floor_ns_per_packet", c->floor_ns);
		bench_json_end(&b.json);
	}
	bench_json_end(&b.json);
	if (b.compact)
		print_compact(&b, cases, ncase,
			      "packet rate, the LRU tables against the compact table (hauler up "
			      "--table compact), same run, same floor",
			      "rate_compact");
	for (i = 0; i < ncase; i++)
		if (!strcmp(cases[i].key, "new")) {
			flood_cases(&b, &cases[i]);
			cycle_cases(&b, &cases[i]);
		}

	policy_swap(&b, hash.fd, wrr.fd, swaps);
	if (cores_flows)
		scale_cores(&b, gen2_fd, gen2_cfg_fd, cores_flows);
	if (nbig)
		scale_big(&b, big, nbig);

	bpf_xdp_detach(b.lb_ifindex, XDP_FLAGS_DRV_MODE, NULL);
	bpf_xdp_detach(b.gen_ifindex, XDP_FLAGS_DRV_MODE, NULL);
	bench_json_close(&b.json);
	bench_lb_unload(&b.lb);
	return 0;
}
