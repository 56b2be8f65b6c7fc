/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * bench_rate_scale.h - bench_rate's cases of scale (issue 16), apart from
 * the rest of bench_rate.c:
 *
 *   - established flows over tables of 1M and 10M connections. conns is
 *     filled directly with the flows the generator sends (a warm-up
 *     through the datapath would take minutes); every packet must hit.
 *   - the rate on one core against both cores: a generator on each CPU,
 *     each with its own half of the flows (as RSS would split them), so
 *     nothing but the shared code and maps is common to the two.
 *
 * Included by bench_rate.c after its rounds_measure() and stats_case().
 */
#ifndef HAULER_BENCH_RATE_SCALE_H
#define HAULER_BENCH_RATE_SCALE_H

#define SCALE_MAX_BIG 4

/* Flow f as bench/gen.bpf.c writes it: client 10.77.x.y, port 1024 + f / 65536, to VIP 0. */
static void scale_flow_key(struct flow_key *k, __u64 f)
{
	memset(k, 0, sizeof(*k));
	k->family = 4;
	k->proto = IPPROTO_TCP;
	k->src[0] = htonl(BENCH_CLIENT_ADDR | BENCH_FLOW_ADDR_LO(f));
	k->dst[0] = htonl(BENCH_VIP_ADDR);
	k->sport = htons(BENCH_FLOW_SPORT(f));
	k->dport = htons(BENCH_VIP_PORT);
}

/* Write flows from..to-1 into conns, established on VIP 0's devices 0..3. */
static void scale_fill(struct rate_bench *b, __u64 from, __u64 to)
{
	enum { BATCH = 8192 };
	static struct flow_key keys[BATCH];
	static struct conn vals[BATCH];
	int fd = bench_map(&b->lb, "conns"), dev_fd = bench_map(&b->lb, "devices");
	struct device_info dev[4];
	struct timespec ts;
	__u32 id;

	for (id = 0; id < 4; id++)
		if (bpf_map_lookup_elem(dev_fd, &id, &dev[id]))
			bench_die("read device %u", id);
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	while (from < to) {
		LIBBPF_OPTS(bpf_map_batch_opts, opts, .elem_flags = BPF_ANY);
		__u32 count = 0;

		for (; count < BATCH && from < to; count++, from++) {
			scale_flow_key(&keys[count], from);
			memset(&vals[count], 0, sizeof(vals[count]));
			vals[count].device = from % 4;
			vals[count].dev_gen = dev[from % 4].gen;
			vals[count].fwd =
			    HAULER_FWD_NAT + 1; /* VIP 0's mode, as the datapath records it */
			vals[count].last_seen_ns = ts.tv_sec * 1000000000ULL + ts.tv_nsec;
		}
		if (bpf_map_update_batch(fd, keys, vals, &count, &opts))
			bench_die("fill conns: %s", strerror(errno));
	}
}

/*
 * Write flows from..to-1 into the compact table t (a copy of ctable in
 * user memory, nb buckets), established on VIP 0's devices 0..3, as
 * hauler_ct_bind and a confirming ACK would; then ctable from t. Returns
 * the flows refused (a full bucket pair).
 */
static unsigned long scale_fill_ct(struct rate_bench *b, struct ct_bucket *t, __u32 nb, __u64 from,
				   __u64 to)
{
	enum { BATCH = 65536 };
	static __u32 keys[BATCH];
	struct config cfg = bench_config(&b->lb);
	int fd = bench_map(&b->lb, "ctable"), dev_fd = bench_map(&b->lb, "devices");
	unsigned long refused = 0;
	struct device_info dev[4];
	struct ct_limits l;
	struct timespec ts;
	__u32 id, i, k, count, tick;

	for (id = 0; id < 4; id++)
		if (bpf_map_lookup_elem(dev_fd, &id, &dev[id]))
			bench_die("read device %u", id);
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	tick = ct_tick(ts.tv_sec * 1000000000ULL + ts.tv_nsec);
	ct_limits_set(&l, cfg.rst_linger_ms, cfg.fin_grace_ms, cfg.udp_timeout_ms);
	for (; from < to; from++) {
		struct flow_key fk;

		scale_flow_key(&fk, from);
		if (ct_mem_insert(t, nb, &fk, cfg.flow_seed,
				  ct_slot_make(0, from % 4, dev[from % 4].gen, 0, tick), tick,
				  &l) != CT_INSERTED)
			refused++;
	}
	for (i = 0; i < nb; i += count) {
		LIBBPF_OPTS(bpf_map_batch_opts, opts, .elem_flags = BPF_ANY);

		count = nb - i < BATCH ? nb - i : BATCH;
		for (k = 0; k < count; k++)
			keys[k] = i + k;
		if (bpf_map_update_batch(fd, keys, &t[i], &count, &opts))
			bench_die("fill ctable: %s", strerror(errno));
	}
	return refused;
}

/*
 * The large tables' balancer, beside the first (maps pinned in big/ of the
 * bench's bpffs): conns for most flows with room to spare, the compact
 * table with most flows at 60 % of its slots (no refusals), at least what
 * hauler up makes by default; VIP 0 (nat, devices 0..3) under hash. Its
 * own, so that the other cases run on the default tables.
 */
static void scale_load(const struct rate_bench *b, struct bench_lb *large,
		       struct bench_policy *hash, __u32 most)
{
	struct table_sizes sizes = {.conns = most + most / 8 + 65536,
				    .half_open = HAULER_MAX_CONNS};
	static char pin[BENCH_PIN_LEN];

	if (b->compact)
		sizes.ctable = ct_buckets_for(most + most / 4 + 65536 > HAULER_MAX_CONNS
						  ? most + most / 4 + 65536
						  : HAULER_MAX_CONNS);
	second_lb_load(b, pin, "big", &sizes, large, hash);
}

/* Established flows over tables of big[i] connections (ascending), after every other case. */
static void scale_big(struct rate_bench *b, const __u32 *big, int nbig)
{
	struct flow_case c[SCALE_MAX_BIG];
	struct bench_lb first = b->lb, large;
	struct bench_policy hash;
	__u64 have = 0;
	int i, stats_fd;

	__u32 nb = 0;
	struct ct_bucket *t = NULL;

	memset(c, 0, sizeof(c)); /* target 0: none for these cases */
	scale_load(b, &large, &hash, big[nbig - 1]);
	b->lb = large;
	bench_conns_clear(&b->lb);
	if (b->compact) {
		bench_ct_use(&b->lb, 1);
		nb = bench_config(&b->lb).ct_buckets;
		bench_ct_use(&b->lb, 0);
		t = calloc(nb, sizeof(*t));
		if (!t)
			bench_die("out of memory for a copy of ctable");
	}
	b->prefilled = 1;
	for (i = 0; i < nbig; i++) {
		__u64 t0 = bench_now_ns();

		scale_fill(b, have, big[i]);
		have = big[i];
		fprintf(stderr, "bench_rate: conns filled with %u flows in %.1f s\n", big[i],
			(bench_now_ns() - t0) / 1e9);
		c[i].nflows = big[i];
		c[i].label = "established";
		c[i].flags = TCP_ACK;
		c[i].policy_fd = hash.fd; /* stats_case sets the case's policy: hash, as loaded */
		if (b->compact) {
			unsigned long refused;

			t0 = bench_now_ns();
			refused = scale_fill_ct(b, t, nb, i ? big[i - 1] : 0, big[i]);
			fprintf(
			    stderr,
			    "bench_rate: ctable (%u buckets) filled with %u flows in %.1f s, %lu "
			    "refused\n",
			    nb, big[i], (bench_now_ns() - t0) / 1e9, refused);
			if (refused)
				bench_die("ctable refused %lu flows: every packet must hit",
					  refused);
		}
		/* Both tables filled: the rounds interleave them with the floor. */
		rounds_measure(b, &c[i], b->packets);
		stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
		if (stats_fd < 0)
			bench_die("cannot enable bpf_stats: %s", strerror(errno));
		stats_case(b, &c[i], b->packets / 4);
		close(stats_fd);
	}
	b->prefilled = 0;
	free(t);
	attach(b->lb_ifindex, first.entry_fd);
	bpf_object__close(hash.obj);
	bench_lb_unload(&b->lb);
	rmdir(b->lb.pin); /* PIN/big, empty now (or tools/bench.sh's umount takes it) */
	b->lb = first;

	printf("\nestablished flows over large tables (conns filled directly, every packet a "
	       "hit;\n%lu packets a run, flows in turn: each packet another flow)\n",
	       b->packets);
	printf("  %-30s %9s %9s %7s %7s %9s %9s\n", "traffic", "hauler", "floor", "ratio", "+ns",
	       "hauler", "floor");
	printf("  %-30s %9s %9s %7s %7s %9s %9s\n", "", "Mpps", "Mpps", "", "/pkt", "ns/pkt",
	       "ns/pkt");
	bench_json_obj(&b->json, "rate_large_tables");
	for (i = 0; i < nbig; i++) {
		double ratio = c[i].lru.ratio, extra = c[i].lru.extra;
		char label[64], key[64];

		snprintf(label, sizeof(label), "established, %u flows", c[i].nflows);
		printf("  %-30s %9.2f %9.2f %7.2f %7.0f %9.1f %9.1f\n", label, c[i].hauler.mpps,
		       c[i].floor.mpps, ratio, extra, c[i].hauler_ns, c[i].floor_ns);
		snprintf(key, sizeof(key), "established_%u", c[i].nflows);
		bench_json_obj(&b->json, key);
		bench_json_num(&b->json, "flows", c[i].nflows);
		bench_json_num(&b->json, "hauler_mpps", c[i].hauler.mpps);
		bench_json_num(&b->json, "floor_mpps", c[i].floor.mpps);
		bench_json_num(&b->json, "ratio", ratio);
		bench_json_num(&b->json, "extra_ns_per_packet", extra);
		bench_json_num(&b->json, "hauler_ns_per_packet", c[i].hauler_ns);
		bench_json_num(&b->json, "floor_ns_per_packet", c[i].floor_ns);
		bench_json_end(&b->json);
	}
	bench_json_end(&b->json);
	if (b->compact)
		print_compact(b, c, nbig,
			      "established flows over large tables, the LRU tables against the "
			      "compact table (filled directly, every packet a hit)",
			      "rate_large_tables_compact");
}

/* One generator thread of the multi-core case. */
struct scale_gen {
	pthread_t th;
	int cpu, fd, cfg_fd;
	struct bench_gen_cfg cfg;
	__u64 base;
	__u32 nflows;
	unsigned long n;
	double secs;
};

static void *scale_gen_run(void *arg)
{
	struct scale_gen *g = arg;
	cpu_set_t set;

	/* Not bench_pin_cpu: BENCH_CPU would put both on one CPU (the caller skips then). */
	CPU_ZERO(&set);
	CPU_SET(g->cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		g->secs = -1; /* the CPU is not ours (tools/quiet.sh's cpusets) */
		return NULL;
	}
	g->secs = gen_send(g->fd, g->cfg_fd, &g->cfg, g->base, g->nflows, g->n);
	return NULL;
}

/*
 * Mpps through prog_fd with ncores generators, each sending n frames of
 * its own flows: nflows established flows split between them (prepared
 * through the datapath), or new flows (nflows 0).
 */
/* The sink's count on each CPU (where each core's frames end: its own queue's NAPI). */
static void scale_sink_cpus(struct rate_bench *b, __u64 *v)
{
	__u32 zero = 0;

	if (bpf_map_lookup_elem(b->sink_count_fd, &zero, v))
		bench_die("read the sink's counter");
}

/*
 * Each core's rate is what the sink counted on its CPU over its own
 * generator's time, summed: one core's generator kept off its CPU by
 * other work (the machine is shared) then slows that core's figure only,
 * not the other's.
 */
static double scale_cores_rate(struct rate_bench *b, struct scale_gen *g, int ncores, int prog_fd,
			       __u32 nflows, unsigned long n, __u8 flags)
{
	int ncpu = libbpf_num_possible_cpus(), k;
	__u64 v0[ncpu > 2 ? ncpu : 2], v1[ncpu > 2 ? ncpu : 2];
	double mpps = 0;

	attach(b->lb_ifindex, prog_fd);
	if (prog_fd == b->lb.entry_fd)
		prepare(b, nflows);
	for (k = 0; k < ncores; k++) {
		memcpy(g[k].cfg.frame, flags == TCP_SYN ? b->syn[b->vip] : b->ack[b->vip],
		       BENCH_GEN_LEN);
		g[k].cfg.ifindex = b->gen_ifindex;
		g[k].cpu = k;
		g[k].n = n;
		g[k].nflows = nflows / ncores;
		g[k].base = nflows ? (__u64)k * (nflows / ncores) : b->next_new + (__u64)k * n;
	}
	if (!nflows)
		b->next_new += (__u64)ncores * n;
	scale_sink_cpus(b, v0);
	for (k = 0; k < ncores; k++)
		if (pthread_create(&g[k].th, NULL, scale_gen_run, &g[k]))
			bench_die("cannot start a generator thread");
	for (k = 0; k < ncores; k++)
		pthread_join(g[k].th, NULL);
	usleep(20000);
	scale_sink_cpus(b, v1);
	for (k = 0; k < ncores; k++) {
		if (g[k].secs < 0)
			return -1;
		if (g[k].secs > 0)
			mpps += (v1[g[k].cpu] - v0[g[k].cpu]) / g[k].secs / 1e6;
	}
	return mpps;
}

/*
 * The rate on one core and on two (a generator per core), hauler and the
 * floor, established flows and new flows; with --compact the same again
 * on the compact table (keys *_compact). gen2 is a second generator
 * (its own gen_cfg). Skipped with BENCH_CPU (one CPU by request) or on
 * one CPU.
 */
static void scale_cores(struct rate_bench *b, int gen2_fd, int gen2_cfg_fd, __u32 nflows)
{
	static struct scale_gen g[2];
	const struct {
		const char *key, *label;
		__u32 nflows;
		__u8 flags;
	} cases[] = {{"established", "established", nflows, TCP_ACK},
		     {"new", "new flows (SYN)", 0, TCP_SYN}};
	const char *only = getenv("BENCH_CPU");
	unsigned long n = b->packets < NEW_FLOWS_MAX / 2 ? b->packets : NEW_FLOWS_MAX / 2;
	size_t i;

	printf("\nmulti-core scaling (a generator on each of CPUs 0 and 1, its own half of the "
	       "flows; %lu packets each)\n",
	       n);
	if ((only && *only) || libbpf_num_possible_cpus() < 2) {
		printf("  skipped: %s\n",
		       only && *only ? "BENCH_CPU pins the run to one CPU" : "one CPU only");
		return;
	}
	g[0].fd = b->gen_fd;
	g[0].cfg_fd = b->gen_cfg_fd;
	g[1].fd = gen2_fd;
	g[1].cfg_fd = gen2_cfg_fd;
	printf("  %-30s %9s %9s %7s %9s %9s %7s\n", "traffic", "hauler 1", "hauler 2", "ratio",
	       "floor 1", "floor 2", "ratio");
	printf("  %-30s %9s %9s %7s %9s %9s %7s\n", "", "Mpps", "Mpps", "", "Mpps", "Mpps", "");
	bench_json_obj(&b->json, "cores");
	bench_json_num(&b->json, "cpus", libbpf_num_possible_cpus());
	/* The LRU tables, then (--compact) the compact table: the same cases, the same floor. */
	for (i = 0; i < 2 * sizeof(cases) / sizeof(cases[0]); i++) {
		size_t c = i % (sizeof(cases) / sizeof(cases[0]));
		int ct = i >= sizeof(cases) / sizeof(cases[0]);
		double h1, h2, f1, f2;
		char label[64], key[64];

		if (ct && !b->compact)
			break;
		bench_ct_use(&b->lb, ct);
		b->ct = ct;
		h1 = scale_cores_rate(b, g, 1, b->lb.entry_fd, cases[c].nflows, n, cases[c].flags);
		h2 = scale_cores_rate(b, g, 2, b->lb.entry_fd, cases[c].nflows, n, cases[c].flags);
		b->ct = 0;
		bench_ct_use(&b->lb, 0);
		f1 = scale_cores_rate(b, g, 1, b->floor_fd, cases[c].nflows, n, cases[c].flags);
		f2 = scale_cores_rate(b, g, 2, b->floor_fd, cases[c].nflows, n, cases[c].flags);
		if (h1 < 0 || h2 < 0 || f1 < 0 || f2 < 0) {
			printf("  skipped: CPU 0 or 1 refused a generator (tools/quiet.sh held by "
			       "another run?)\n");
			break;
		}
		if (cases[c].nflows)
			snprintf(label, sizeof(label), "%s, %u flows%s", cases[c].label,
				 cases[c].nflows, ct ? ", compact" : "");
		else
			snprintf(label, sizeof(label), "%s%s", cases[c].label,
				 ct ? ", compact" : "");
		printf("  %-30s %9.2f %9.2f %7.2f %9.2f %9.2f %7.2f\n", label, h1, h2,
		       h1 > 0 ? h2 / h1 : 0, f1, f2, f1 > 0 ? f2 / f1 : 0);
		snprintf(key, sizeof(key), "%s%s", cases[c].key, ct ? "_compact" : "");
		bench_json_obj(&b->json, key);
		bench_json_num(&b->json, "hauler_mpps_1", h1);
		bench_json_num(&b->json, "hauler_mpps_2", h2);
		bench_json_num(&b->json, "hauler_ratio", h1 > 0 ? h2 / h1 : 0);
		bench_json_num(&b->json, "floor_mpps_1", f1);
		bench_json_num(&b->json, "floor_mpps_2", f2);
		bench_json_num(&b->json, "floor_ratio", f1 > 0 ? f2 / f1 : 0);
		bench_json_end(&b->json);
	}
	bench_json_end(&b->json);
}

#endif
