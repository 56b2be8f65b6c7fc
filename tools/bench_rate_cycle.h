/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * bench_rate_cycle.h - bench_rate's new-flow rate under a flood that
 * cycles the table (issue 16: "for longer than it takes to cycle the
 * whole table"; docs/performance.md, "A flood that cycles the table").
 *
 * A second balancer, loaded beside the first (its maps pinned under
 * PIN/cycle) with small tables: half_open for CYCLE_CONNS nat handshakes
 * (two entries each), the compact table sized for CYCLE_CONNS
 * connections. Before each flood, CYCLE_ESTABLISHED established flows
 * (confirmed, as the established cases' warm-up does). The flood is one
 * generator run of the mix of bench_rate_flood.h (in each FLOOD_MIX
 * frames the SYN of a real new flow, the rest spoofed junk, SYNs or ACKs)
 * but for one frame of each mix: the handshake ACK of the real flow whose
 * SYN went round frames before (bench_gen_cfg.lag), the clients' round
 * trip, in which the junk may push the flow's half-open state out. Then
 * every established flow's entry or slot must still be there, on the
 * same device, and its ACK must hit it; a flow lost fails the run, as
 * does a compact slot evicted (conn_evicted).
 *
 * Reported per case: real connections completed a second, their ratio
 * to the plain new-flow rate, the share completed ("done"), how many
 * times the run's inserts filled the table and the share of SYNs the
 * compact table had no room for (conn_crowded: it keeps handshakes
 * younger than 3 s), from the counters, and the established flows kept
 * and lost.
 *
 * Included by bench_rate.c after bench_rate_scale.h and bench_rate_flood.h.
 */
#ifndef HAULER_BENCH_RATE_CYCLE_H
#define HAULER_BENCH_RATE_CYCLE_H

#define CYCLE_CONNS	  16384		     /* connections the small tables hold */
#define CYCLE_ESTABLISHED 1000		     /* established flows before each flood */
#define CYCLE_FRAMES	  (16 * CYCLE_CONNS) /* frames a case, at most */
/* Round trips in frames (multiples of FLOOD_MIX): under half the table's handshakes, twice them. */
#define CYCLE_ROUND	 (CYCLE_CONNS / 2 / FLOOD_MIX * FLOOD_MIX)
#define CYCLE_ROUND_LONG (CYCLE_CONNS * 2 / FLOOD_MIX * FLOOD_MIX)
#define CYCLE_NO_DEVICE	 0xffffffffu
#define CYCLE_KINDS	 3 /* SYN flood, SYN flood with the long round trip, ACK flood */

struct cycle_case {
	char key[32], label[40];
	__u8 junk_flags;     /* TCP_SYN or TCP_ACK */
	int ct;		     /* the compact table */
	unsigned long round; /* frames from a real flow's SYN to its ACK */
	double legit_per_s, ratio, completed, cycles, crowded, mpps, rtt_ms;
	unsigned long kept, lost;
	__u64 evicted;
};

/* The small balancer: its tables, VIP 0 (nat, devices 0..3) under hash. */
static void cycle_load(const struct rate_bench *b, struct bench_lb *small,
		       struct bench_policy *hash)
{
	struct table_sizes sizes = {.conns = 65536, .half_open = 2 * CYCLE_CONNS};
	static char pin[BENCH_PIN_LEN];

	if (b->compact)
		sizes.ctable = ct_buckets_for(CYCLE_CONNS);
	second_lb_load(b, pin, "cycle", &sizes, small, hash);
}

/*
 * The device each flow 0..n-1 is established on (its conns entry, or its
 * compact slot without the half-open flag), CYCLE_NO_DEVICE where none.
 */
static void cycle_devices(const struct rate_bench *b, __u32 n, __u32 *dev)
{
	int fd = bench_map(&b->lb, b->ct ? "ctable" : "conns");
	__u32 nb = b->ct ? bench_config(&b->lb).ct_buckets : 0,
	      seed = bench_config(&b->lb).flow_seed;
	struct ct_bucket *t = b->ct ? calloc(nb, sizeof(*t)) : NULL;
	struct flow_key k;
	struct conn c;
	__u32 i;
	__u64 v;

	if (b->ct && !t)
		bench_die("out of memory");
	for (i = 0; i < nb; i++)
		if (bpf_map_lookup_elem(fd, &i, &t[i]))
			bench_die("read ctable: %s", strerror(errno));
	for (i = 0; i < n; i++) {
		scale_flow_key(&k, i);
		dev[i] = CYCLE_NO_DEVICE;
		if (b->ct && ct_mem_lookup(t, nb, &k, seed, &v) >= 0 &&
		    !(ct_slot_flags(v) & CT_F_HALF))
			dev[i] = ct_slot_device(v);
		else if (!b->ct && !bpf_map_lookup_elem(fd, &k, &c))
			dev[i] = c.device;
	}
	free(t);
}

/* Table capacity the junk cycles: half_open's entries, or the compact table's slots. */
static double cycle_capacity(const struct rate_bench *b)
{
	const char *name = b->ct ? "ctable" : "half_open";
	__u32 n = bpf_map__max_entries(bpf_object__find_map_by_name(b->lb.skel->obj, name));

	return b->ct ? (double)n * HAULER_CT_SLOTS : n;
}

/* The established flows after the flood: kept (there, same device, their ACK a hit). */
static void cycle_kept(struct rate_bench *b, struct cycle_case *c, const __u32 *dev0, __u32 *dev1)
{
	__u64 hit0 = bench_stat(&b->lb, HAULER_STAT_conn_hit), hits;
	__u32 i;

	cycle_devices(b, CYCLE_ESTABLISHED, dev1);
	c->kept = 0;
	for (i = 0; i < CYCLE_ESTABLISHED; i++)
		c->kept += dev1[i] != CYCLE_NO_DEVICE && dev1[i] == dev0[i];
	generate(b, CYCLE_ESTABLISHED, CYCLE_ESTABLISHED, TCP_ACK);
	usleep(20000);
	hits = bench_stat(&b->lb, HAULER_STAT_conn_hit) - hit0;
	if (hits < c->kept)
		c->kept = hits;
	c->lost = CYCLE_ESTABLISHED - c->kept;
}

/* Up to 100 ms for the sink to count want frames (those still in the veth rings). */
static void cycle_settle(struct rate_bench *b, __u64 want)
{
	int wait;

	for (wait = 0; wait < 100 && sink_total(b) < want; wait++)
		usleep(1000);
}

/*
 * Case c's figures from the counters' moves over the flood of n frames
 * (a multiple of FLOOD_MIX): in each FLOOD_MIX frames one real SYN, one
 * real ACK (but in the first lag) and junk. A SYN is a new connection
 * (LRU nat: two half_open entries, the flow's and its reply's; compact:
 * one slot), or, where the compact table has no room but half-open
 * slots younger than CT_HALF_PROTECT_MS, goes on without state
 * (conn_crowded, also conn_stateless). A junk ACK goes on without state,
 * which in the LRU's nat mode writes its reply's entry in half_open and
 * in the compact table nothing. A real ACK finds its state (conn_hit) or
 * goes on without (conn_stateless). cycles: the run's inserts (the junk's
 * and the real flows') over the table's capacity.
 */
static void cycle_count(const struct rate_bench *b, struct cycle_case *c, unsigned long n,
			__u64 news, __u64 hits, __u64 stateless, __u64 crowded)
{
	unsigned long real = n / FLOOD_MIX, acks = real - c->round / FLOOD_MIX,
		      junk = n - real - acks, tol = b->ct ? n / 10000 : 0,
		      syns = (c->junk_flags == TCP_SYN ? junk : 0) + real,
		      junk_acks = c->junk_flags == TCP_ACK ? junk : 0;
	/* The real ACKs' outcomes: every hit, every one without state but the junk's and SYNs'. */
	long long done = hits + stateless - crowded - junk_acks;
	double inserts = (double)news * (b->ct ? 1 : 2);

	/* The compact table: a junk frame may take a flow's slot for its own (a digest match). */
	if (llabs((long long)(news + crowded) - (long long)syns) > (long long)tol ||
	    llabs(done - (long long)acks) > (long long)tol)
		bench_die(
		    "%s: %lu real flows, %lu ACKs, %lu junk: %llu new, %llu crowded, %llu hits, "
		    "%llu without state",
		    c->label, real, acks, junk, (unsigned long long)news,
		    (unsigned long long)crowded, (unsigned long long)hits,
		    (unsigned long long)stateless);
	if (!b->ct)
		inserts += junk_acks; /* their replies' entries */
	c->cycles = inserts / cycle_capacity(b);
	c->crowded = (double)crowded / syns;
	c->completed = hits < acks ? (double)hits / acks : 1;
}

/* Case c: established flows, the flood with the real flows' ACKs a round later, the check. */
static void cycle_measure(struct rate_bench *b, struct cycle_case *c, unsigned long n,
			  const __u8 *junk, double plain_mpps)
{
	static __u32 dev0[CYCLE_ESTABLISHED], dev1[CYCLE_ESTABLISHED];
	__u64 new0, cr0, hit0, st0, ev0, s0, base;
	double secs;
	__u32 i;

	/* At least two round trips, whole mixes. */
	if (n < 2 * c->round)
		n = 2 * c->round;
	n = (n + FLOOD_MIX - 1) / FLOOD_MIX * FLOOD_MIX;
	bench_ct_use(&b->lb, c->ct);
	b->ct = c->ct;
	b->vip = 0;
	attach(b->lb_ifindex, b->lb.entry_fd);
	prepare(b, CYCLE_ESTABLISHED);
	cycle_devices(b, CYCLE_ESTABLISHED, dev0);
	for (i = 0; i < CYCLE_ESTABLISHED; i++)
		if (dev0[i] == CYCLE_NO_DEVICE)
			bench_die("%s: established flow %u not established by the warm-up",
				  c->label, i);
	new0 = bench_stat(&b->lb, HAULER_STAT_conn_new);
	cr0 = bench_stat(&b->lb, HAULER_STAT_conn_crowded);
	hit0 = bench_stat(&b->lb, HAULER_STAT_conn_hit);
	st0 = bench_stat(&b->lb, HAULER_STAT_conn_stateless);
	ev0 = bench_stat(&b->lb, HAULER_STAT_conn_evicted);
	s0 = sink_total(b);
	memcpy(b->cfg.ack, b->ack[0], BENCH_GEN_LEN);
	b->cfg.lag = c->round / FLOOD_MIX;
	secs = flood_send(b, b->lb.entry_fd, n, junk, &base);
	b->cfg.lag = 0;
	cycle_settle(b, s0 + n);
	c->mpps = (sink_total(b) - s0) / secs / 1e6;
	c->rtt_ms = c->mpps > 0 ? c->round / c->mpps / 1e3 : 0;
	cycle_count(b, c, n, bench_stat(&b->lb, HAULER_STAT_conn_new) - new0,
		    bench_stat(&b->lb, HAULER_STAT_conn_hit) - hit0,
		    bench_stat(&b->lb, HAULER_STAT_conn_stateless) - st0,
		    bench_stat(&b->lb, HAULER_STAT_conn_crowded) - cr0);
	c->legit_per_s = c->completed * (n / FLOOD_MIX - c->round / FLOOD_MIX) / secs;
	c->ratio = plain_mpps > 0 ? c->legit_per_s / (plain_mpps * 1e6) : 0;
	cycle_kept(b, c, dev0, dev1);
	c->evicted = bench_stat(&b->lb, HAULER_STAT_conn_evicted) - ev0;
	b->ct = 0;
	bench_ct_use(&b->lb, 0);
}

static void cycle_print(struct rate_bench *b, const struct cycle_case *cases, size_t ncase,
			unsigned long n)
{
	size_t i;

	printf("\nnew-flow rate under a flood that cycles the table (nat, hash; tables for %d "
	       "connections,\n%d established before; %lu frames a case or two round trips; in "
	       "each %d, the SYN of a real new flow,\nthe ACK of the one a round trip before, "
	       "junk)\n",
	       CYCLE_CONNS, CYCLE_ESTABLISHED, n, FLOOD_MIX);
	printf("  %-28s %6s %5s %8s %6s %6s %6s %7s %6s %6s %5s\n", "traffic", "rtt", "rtt", "real",
	       "x new", "done", "cycles", "crowded", "hauler", "estab", "estab");
	printf("  %-28s %6s %5s %8s %6s %6s %6s %7s %6s %6s %5s\n", "", "frames", "ms", "conn/s",
	       "rate", "", "", "SYNs", "Mpps", "kept", "lost");
	bench_json_obj(&b->json, "rate_flood_cycled");
	bench_json_num(&b->json, "connections", CYCLE_CONNS);
	bench_json_num(&b->json, "established", CYCLE_ESTABLISHED);
	bench_json_num(&b->json, "mix", FLOOD_MIX);
	for (i = 0; i < ncase; i++) {
		const struct cycle_case *c = &cases[i];

		printf("  %-28s %6lu %5.1f %8.0f %6.3f %6.3f %6.1f %7.3f %6.2f %6lu %5lu\n",
		       c->label, c->round, c->rtt_ms, c->legit_per_s, c->ratio, c->completed,
		       c->cycles, c->crowded, c->mpps, c->kept, c->lost);
		bench_json_obj(&b->json, c->key);
		bench_json_num(&b->json, "round_trip_frames", c->round);
		bench_json_num(&b->json, "round_trip_ms", c->rtt_ms);
		bench_json_num(&b->json, "real_conn_per_s", c->legit_per_s);
		bench_json_num(&b->json, "ratio_to_new", c->ratio);
		bench_json_num(&b->json, "completed", c->completed);
		bench_json_num(&b->json, "table_cycles", c->cycles);
		bench_json_num(&b->json, "crowded", c->crowded);
		bench_json_num(&b->json, "hauler_mpps", c->mpps);
		bench_json_num(&b->json, "established_kept", c->kept);
		bench_json_num(&b->json, "established_lost", c->lost);
		bench_json_num(&b->json, "conn_evicted", c->evicted);
		bench_json_end(&b->json);
	}
	bench_json_end(&b->json);
	fflush(stdout);
}

/*
 * The cycling floods, SYN (two round trips) and ACK junk, the LRU tables
 * and (--compact) the compact table, on the small balancer; plain: the
 * "new" case, whose rates are the reference. Dies, after the figures,
 * when an established flow was lost or a compact slot evicted.
 */
static void cycle_cases(struct rate_bench *b, const struct flow_case *plain)
{
	static const struct {
		const char *key, *label;
		__u8 junk_flags;
		unsigned long round;
	} kinds[CYCLE_KINDS] = {{"syn", "SYN flood", TCP_SYN, CYCLE_ROUND},
				{"syn_long_rtt", "SYN flood, long rtt", TCP_SYN, CYCLE_ROUND_LONG},
				{"ack", "ACK flood", TCP_ACK, CYCLE_ROUND}};
	struct cycle_case cases[2 * CYCLE_KINDS];
	unsigned long n = b->packets < CYCLE_FRAMES ? b->packets : CYCLE_FRAMES;
	__u8 junk_syn[BENCH_GEN_LEN], junk_ack[BENCH_GEN_LEN];
	size_t i, ncase = b->compact ? 2 * CYCLE_KINDS : CYCLE_KINDS;
	struct bench_lb big = b->lb, small;
	struct bench_policy hash;

	/* The LRU tables' cases, then the compact table's. */
	memset(cases, 0, sizeof(cases));
	for (i = 0; i < ncase; i++) {
		struct cycle_case *c = &cases[i];
		size_t k = i % CYCLE_KINDS;

		c->ct = i >= CYCLE_KINDS;
		snprintf(c->key, sizeof(c->key), "%s_%s", c->ct ? "compact" : "lru", kinds[k].key);
		snprintf(c->label, sizeof(c->label), "%s, %s", c->ct ? "compact" : "LRU",
			 kinds[k].label);
		c->junk_flags = kinds[k].junk_flags;
		c->round = kinds[k].round;
	}
	flood_junk(b, junk_syn, junk_ack);
	cycle_load(b, &small, &hash);
	b->lb = small;
	if (b->next_new < CYCLE_ESTABLISHED)
		b->next_new = CYCLE_ESTABLISHED; /* the real flows apart from the established */
	for (i = 0; i < ncase; i++)
		cycle_measure(b, &cases[i], n, cases[i].junk_flags == TCP_SYN ? junk_syn : junk_ack,
			      cases[i].ct ? plain->ct.mpps : plain->hauler.mpps);
	attach(b->lb_ifindex, big.entry_fd);
	bpf_object__close(hash.obj);
	bench_lb_unload(&b->lb);
	rmdir(b->lb.pin); /* PIN/cycle, empty now (or tools/bench.sh's umount takes it) */
	b->lb = big;
	cycle_print(b, cases, ncase, n);
	for (i = 0; i < ncase; i++)
		if (cases[i].lost || cases[i].evicted)
			bench_die(
			    "%s: %lu of %d established flows lost, %llu compact slots evicted",
			    cases[i].label, cases[i].lost, CYCLE_ESTABLISHED,
			    (unsigned long long)cases[i].evicted);
}

#endif
