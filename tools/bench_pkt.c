// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * bench_pkt - what one packet costs the entry program, path by path, with
 * BPF_PROG_TEST_RUN (docs/performance.md, "Per-packet cost").
 *
 *   bench_pkt --pin DIR --build BUILD --dev IF [--repeat N] [--trials T]
 *             [--policies P[,P...]] [--json FILE]
 *
 * Every path with the LRU tables, then again with the compact table
 * (hauler up --table compact).
 *
 * Every path runs under bench/restore.bpf.c, which puts the original frame
 * back before each run and tail-calls the entry program: the kernel's own
 * timing over N runs, less the same wrapper tail-calling an empty program,
 * is the path's cost. The best of T trials is kept (noise only adds).
 * Each path is checked: its verdict and the stats counter it must move.
 */
#include <getopt.h>

#include "bench_common.h"
#include "hauler_report.h"

struct pkt_bench {
	struct bench_lb lb;
	struct bpf_object *restore;
	int restore_fd, empty_fd, cfg_fd, target_fd;
	int ifindex;
	unsigned long repeat, trials;
	__u8 lb_mac[6], gw_mac[6], dev_mac[6];
	double base_ns, base_vary_ns;
	struct bench_json json;
	__u8 out[BENCH_FRAME_LEN + 256]; /* the last run's frame */
};

struct pkt_case {
	const char *name;
	__u8 frame[BENCH_FRAME_LEN];
	size_t len;
	int vary;
	int prog_fd;
	__u32 verdict; /* what every run must return */
	__u32 stat;    /* counter that must grow by one a run */
	int slack;     /* the counter may miss one run in 10,000 (a compact table's digest match) */
};

static int run_once(struct pkt_bench *b, const struct pkt_case *c, unsigned long repeat,
		    __u32 *duration, __u32 *retval)
{
	struct bench_restore_cfg cfg = {.len = c->len, .vary = c->vary};
	struct xdp_md ctx = {.ingress_ifindex = b->ifindex};
	__u32 zero = 0;
	static __u32 ctr;
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = c->frame, .data_size_in = c->len,
		    .data_out = b->out, .data_size_out = sizeof(b->out), .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = repeat);

	/* New flows stay new across trials: the counter only grows. */
	cfg.ctr = ctr;
	ctr += repeat;
	memcpy(cfg.frame, c->frame, c->len);
	if (bpf_map_update_elem(b->cfg_fd, &zero, &cfg, BPF_ANY) ||
	    bpf_map_update_elem(b->target_fd, &zero, &c->prog_fd, BPF_ANY))
		bench_die("set up the restore wrapper: %s", strerror(errno));
	if (bpf_prog_test_run_opts(b->restore_fd, &opts))
		bench_die("%s: BPF_PROG_TEST_RUN: %s", c->name, strerror(errno));
	*duration = opts.duration;
	*retval = opts.retval;
	return 0;
}

/* Best of the trials, in ns per run; checks verdict and counter. */
static double measure(struct pkt_bench *b, const struct pkt_case *c)
{
	__u64 before = c->stat ? bench_stat(&b->lb, c->stat) : 0, after, want;
	__u32 dur, ret, best = UINT32_MAX;
	unsigned long t;

	for (t = 0; t < b->trials; t++) {
		run_once(b, c, b->repeat, &dur, &ret);
		if (ret != c->verdict)
			bench_die("%s: verdict %u, want %u", c->name, ret, c->verdict);
		if (dur < best)
			best = dur;
	}
	if (c->stat) {
		after = bench_stat(&b->lb, c->stat);
		want = b->trials * b->repeat;
		if (after - before > want || after - before < want - (c->slack ? want / 10000 : 0))
			bench_die("%s: counter %u moved %llu, want %lu: not the path meant",
				  c->name, c->stat, (unsigned long long)(after - before),
				  b->trials * b->repeat);
	}
	return best;
}

static void report(struct pkt_bench *b, const struct pkt_case *c, const char *key)
{
	double cost = measure(b, c) - (c->vary ? b->base_vary_ns : b->base_ns);
	const char *name = c->name;

	printf("  %-44s %8.1f ns\n", name, cost);
	bench_json_num(&b->json, key, cost);
}

#define TCP_SYN 0x02
#define TCP_ACK 0x10

static void frame_to_vip(struct pkt_bench *b, struct pkt_case *c, __u16 vip, __u32 client,
			 __u16 sport, __u8 flags)
{
	c->len = bench_frame4(c->frame, BENCH_FRAME_LEN, b->lb_mac, b->gw_mac,
			      BENCH_CLIENT_ADDR + client, BENCH_VIP_ADDR + vip, sport,
			      BENCH_VIP_PORT, flags);
}

/* Bind the flow client:sport -> VIP vip to device dev (and its reply, nat). */
static void add_conn(struct pkt_bench *b, __u16 vip, __u32 client, __u16 sport, __u16 dev, int nat)
{
	struct flow_key k = {.family = 4, .proto = IPPROTO_TCP};
	/* fwd as the datapath records it: the established fast path (conn_fast). */
	struct conn c = {
	    .device = dev, .vip_id = vip, .fwd = (nat ? HAULER_FWD_NAT : HAULER_FWD_IPIP) + 1};
	int fd = bench_map(&b->lb, "conns");

	k.src[0] = htonl(BENCH_CLIENT_ADDR + client);
	k.dst[0] = htonl(BENCH_VIP_ADDR + vip);
	k.sport = htons(sport);
	k.dport = htons(BENCH_VIP_PORT);
	if (bpf_map_update_elem(fd, &k, &c, BPF_ANY))
		bench_die("add conn: %s", strerror(errno));
	if (!nat)
		return;
	memset(&k, 0, sizeof(k));
	k.family = 4;
	k.proto = IPPROTO_TCP;
	k.src[0] = htonl(BENCH_DEV_ADDR + dev);
	k.dst[0] = htonl(BENCH_CLIENT_ADDR + client);
	k.sport = htons(BENCH_DEV_PORT);
	k.dport = htons(sport);
	c.flags = HAULER_CONN_REPLY;
	if (bpf_map_update_elem(fd, &k, &c, BPF_ANY))
		bench_die("add conn: %s", strerror(errno));
}

/* Run c once, not measured (a flow's SYN or ACK): its verdict must be c's. */
static void send_once(struct pkt_bench *b, const struct pkt_case *c)
{
	__u32 dur, ret;

	run_once(b, c, 1, &dur, &ret);
	if (ret != c->verdict)
		bench_die("%s: set-up verdict %u, want %u", c->name, ret, c->verdict);
}

/*
 * Open the flow client 1:1000 -> VIP vip in the compact table: its SYN,
 * its slots confirmed as the device's data would (bench_ct_confirm),
 * then the client's ACK.
 */
static void open_flow(struct pkt_bench *b, struct pkt_case *c, __u16 vip)
{
	frame_to_vip(b, c, vip, 1, 1000, TCP_SYN);
	send_once(b, c);
	bench_ct_confirm(&b->lb);
	frame_to_vip(b, c, vip, 1, 1000, TCP_ACK);
	send_once(b, c);
}

#define TOMB_DEV    8 /* no bench device's id: the deleted device's */
#define TOMB_ROUNDS 3 /* tombstone / none, alternated */

/*
 * A deleted nat device's tombstone (include/dev_tomb.h) under the
 * dev_hints entry that client 1:1000 (TCP) hashes to: device TOMB_DEV of
 * VIP 0, at an address (10.77.128.0/17) and port found to hash there, written and then
 * deleted as the manager's commit does (mapw_device). The entry then
 * names the tombstone's id, and a packet from that source looks it up.
 */
static void tomb_put(struct pkt_bench *b)
{
	struct vip_key vk = {.family = 4, .proto = IPPROTO_TCP, .port = htons(BENCH_VIP_PORT)};
	struct device_info dev = {.family = 4, .state = HAULER_STATE_UP, .weight = 1, .in_use = 1};
	__u32 src[4] = {htonl(BENCH_CLIENT_ADDR + 1)}, want, i, port;
	struct dev_hint h = {};
	struct dev_addr k;

	want = hauler_dev_hint_at(src, htons(1000), 4, IPPROTO_TCP);
	vk.addr[0] = htonl(BENCH_VIP_ADDR);
	for (i = 0; i < 1u << 31; i++) {
		/* In the clients' /16, away from them; any source may hash there (test_hash.c). */
		dev.addr[0] = htonl(BENCH_CLIENT_ADDR + 0x8000 + (i >> 16));
		port = i & 0xffff;
		hauler_dev_addr_key(&k, dev.addr, htons(port), 4, IPPROTO_TCP);
		if (port && hauler_dev_hint_index(&k) == want)
			break;
	}
	dev.port = htons(port);
	hauler_device_vip_set(&dev, &vk, 0, HAULER_FWD_NAT);
	bench_ok(mapw_device(&b->lb.maps, TOMB_DEV, &dev));
	memset(&dev, 0, sizeof(dev));
	bench_ok(mapw_device(&b->lb.maps, TOMB_DEV, &dev));
	if (bpf_map_lookup_elem(bench_map(&b->lb, "dev_hints"), &want, &h) ||
	    h.dev1 != TOMB_DEV + 1)
		bench_die("the tombstone's dev_hints entry is not set");
}

/* The tombstone swept (mapw_dev_tombs_sweep, as if ended): its entry 0 again. */
static void tomb_sweep(struct pkt_bench *b)
{
	if (mapw_dev_tombs_sweep(&b->lb.maps, UINT32_MAX, 0) != 1)
		bench_die("sweep the tombstone: %s", err_msg());
}

/*
 * Path c, its source under a standing tombstone's dev_hints entry
 * (tomb_put) and under none (swept), alternated TOMB_ROUNDS times: the
 * best of each, and what the tombstone adds. Its cost until the
 * manager's sweep: the datapath's reads are the same for a tombstone
 * past its time (docs/performance.md).
 */
static void report_tomb(struct pkt_bench *b, const struct pkt_case *c, const char *key)
{
	double base = c->vary ? b->base_vary_ns : b->base_ns, t, tomb = 1e12, none = 1e12;
	char k[96];
	int r;

	for (r = 0; r < TOMB_ROUNDS; r++) {
		tomb_put(b);
		t = measure(b, c) - base;
		tomb = t < tomb ? t : tomb;
		tomb_sweep(b);
		t = measure(b, c) - base;
		none = t < none ? t : none;
	}
	printf("  %-44s %8.1f ns (no entry %.1f: %+.1f)\n", c->name, tomb, none, tomb - none);
	snprintf(k, sizeof(k), "%s_tomb", key);
	bench_json_num(&b->json, k, tomb);
	snprintf(k, sizeof(k), "%s_no_tomb", key);
	bench_json_num(&b->json, k, none);
}

/*
 * The compact connection table (hauler up --table compact): the paths
 * again with config.ct_buckets set, where the entry program tail-calls
 * hauler_ct after its parse (docs/datapath.md, "The compact table"). A
 * flow is established through the datapath (its SYN, then the client's
 * ACK, which confirms its slot in place, and in nat mode its reply slot);
 * the NAT return frame comes from the device the SYN went to. Each
 * new-flow case starts from an emptied table; a digest match may send one
 * new flow in 10,000 the way of another (the counter's slack).
 */
static void bench_compact(struct pkt_bench *b, const struct bench_policy *pol, int npol)
{
	char name[96], key[64];
	struct pkt_case c;
	__u8 mac[6];
	int dev, i;

	bench_ct_walk(&b->lb, 1, 0);
	bench_ct_use(&b->lb, 1);
	printf("per-packet cost, compact table (hauler up --table compact), same wrapper\n");
	memset(&c, 0, sizeof(c));
	c.prog_fd = b->lb.entry_fd;
	c.name = "compact: non-VIP pass";
	c.len = bench_frame4(c.frame, BENCH_FRAME_LEN, b->lb_mac, b->gw_mac, BENCH_CLIENT_ADDR + 1,
			     BENCH_LB_ADDR, 1000, 22, TCP_ACK);
	c.verdict = XDP_PASS;
	c.stat = HAULER_STAT_pass_not_vip;
	report(b, &c, "ct_non_vip_pass");
	c.name = "compact: non-VIP pass, tombstone's entry";
	report_tomb(b, &c, "ct_non_vip_pass");

	c.verdict = XDP_TX;
	c.stat = HAULER_STAT_conn_hit;
	c.name = "compact: established, nat";
	bench_set_policy(&b->lb, 0, -1);
	open_flow(b, &c, 0);
	dev = b->out[5]; /* the device's MAC: 02:00:00:00:01:n */
	report(b, &c, "ct_established_nat");
	c.name = "compact: established, nat, tombstone's entry";
	report_tomb(b, &c, "ct_established_nat");
	c.name = "compact: established, nat";
	c.name = "compact: established, ipip";
	open_flow(b, &c, 1);
	report(b, &c, "ct_established_ipip");

	c.name = "compact: NAT return path";
	/* From that device's own MAC: a reply is believed only from its next hop. */
	bench_dev_mac(dev, mac);
	c.len = bench_frame4(c.frame, BENCH_FRAME_LEN, b->lb_mac, mac, BENCH_DEV_ADDR + dev,
			     BENCH_CLIENT_ADDR + 1, BENCH_DEV_PORT, 1000, TCP_ACK);
	c.stat = HAULER_STAT_nat_reply;
	report(b, &c, "ct_nat_return");

	c.vary = 1;
	c.slack = 1;
	c.stat = HAULER_STAT_conn_new;
	bench_ct_walk(&b->lb, 1, 0);
	frame_to_vip(b, &c, 0, 0, 0, TCP_SYN);
	c.name = "compact: new flow, nat, built-in hash";
	report(b, &c, "ct_new_nat_fallback");
	for (i = 0; i < npol; i++) {
		__u64 fb = bench_stat(&b->lb, HAULER_STAT_policy_fallback);

		if (pol[i].fd < 0)
			continue; /* "no load", said above */
		bench_ct_walk(&b->lb, 1, 0);
		bench_set_policy(&b->lb, 0, pol[i].fd);
		snprintf(name, sizeof(name), "compact: new flow, nat, policy %.40s", pol[i].name);
		snprintf(key, sizeof(key), "ct_new_nat_%.40s", pol[i].name);
		c.name = name;
		report(b, &c, key);
		bench_policy_ran(&b->lb, fb, name);
	}
	bench_set_policy(&b->lb, 0, -1);
	bench_ct_walk(&b->lb, 1, 0);
	frame_to_vip(b, &c, 1, 0, 0, TCP_SYN);
	c.name = "compact: new flow, ipip, built-in hash";
	report(b, &c, "ct_new_ipip");
	bench_ct_walk(&b->lb, 1, 0);
	frame_to_vip(b, &c, 0, 0, 0, TCP_ACK);
	c.stat = HAULER_STAT_conn_stateless;
	c.name = "compact: mid-flow miss, nat";
	report(b, &c, "ct_stateless_nat");
	bench_ct_walk(&b->lb, 1, 0);
	bench_ct_use(&b->lb, 0);
}

/* Agent reports: only when the entry program handles them (issue 4). */
static void bench_report(struct pkt_bench *b)
{
	struct report_fields f = {
	    .device = 0, .cmp = 10, .mem = 20, .net = 30, .queue = 1, .seq = 1};
	struct dev_key key = {.k0 = 0x0706050403020100ull, .k1 = 0x0f0e0d0c0b0a0908ull};
	struct bpf_map *keys = bpf_object__find_map_by_name(b->lb.skel->obj, "dev_keys");
	struct pkt_case c = {
	    .name = "agent report (tag checked)", .prog_fd = b->lb.entry_fd, .verdict = XDP_DROP};
	__u64 ok0 = bench_stat(&b->lb, HAULER_STAT_report_ok);
	__u64 rp0 = bench_stat(&b->lb, HAULER_STAT_report_replay);
	__u32 dur, ret;

	if (!keys) {
		printf("  %-44s %8s\n", c.name, "n/a");
		return;
	}
	if (bpf_map_update_elem(bpf_map__fd(keys), &(__u32){0}, &key, BPF_ANY))
		bench_die("set dev_keys[0]: %s", strerror(errno));
	memset(c.frame, 0, sizeof(c.frame));
	memcpy(c.frame, b->lb_mac, 6);
	memcpy(c.frame + 6, b->dev_mac, 6);
	c.frame[12] = HAULER_REPORT_ETHERTYPE >> 8;
	c.frame[13] = HAULER_REPORT_ETHERTYPE & 0xff;
	report_encode(&f, key.k0, key.k1, c.frame + 14);
	c.len = BENCH_FRAME_LEN;
	run_once(b, &c, 1, &dur, &ret);
	if (bench_stat(&b->lb, HAULER_STAT_report_ok) == ok0) {
		/* The datapath does not take reports yet: nothing to measure. */
		printf("  %-44s %8s\n", c.name, "n/a");
		return;
	}
	/* Every later run is a replay: refused after the tag check, the last one. */
	c.stat = HAULER_STAT_report_replay;
	(void)rp0;
	c.name = "agent report (authenticated, then replay)";
	report(b, &c, "agent_report");
}

static void usage(void)
{
	fprintf(stderr, "usage: bench_pkt --pin DIR --build BUILD --dev IF [--repeat N] "
			"[--trials T] [--policies P[,P...]] [--json FILE]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"pin", required_argument, NULL, 'p'},	{"build", required_argument, NULL, 'b'},
	    {"dev", required_argument, NULL, 'd'},	{"repeat", required_argument, NULL, 'r'},
	    {"trials", required_argument, NULL, 't'},	{"json", required_argument, NULL, 'j'},
	    {"policies", required_argument, NULL, 'P'}, {NULL, 0, NULL, 0}};
	static struct bench_policy pol[BENCH_MAX_POLICIES];
	const char *pin = NULL, *build = NULL, *dev = NULL, *json = NULL;
	char *policies = NULL;
	struct pkt_bench b = {.repeat = 100000, .trials = 3};
	struct table_sizes sizes = {};
	struct pkt_case c;
	char path[512], name[96], key[96];
	int opt, npol, i;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			pin = optarg;
			break;
		case 'b':
			build = optarg;
			break;
		case 'd':
			dev = optarg;
			break;
		case 'r':
			b.repeat = bench_ulong("repeat", optarg);
			break;
		case 't':
			b.trials = bench_ulong("trials", optarg);
			break;
		case 'j':
			json = optarg;
			break;
		case 'P':
			policies = optarg;
			break;
		default:
			usage();
		}
	}
	if (!pin || !build || !dev || optind != argc || !b.repeat || !b.trials)
		usage();
	/* A new nat flow adds 2 entries a run: stay clear of LRU eviction. */
	if (b.repeat * b.trials > HAULER_MAX_CONNS * 2 / 5)
		bench_die("repeat x trials above %d", HAULER_MAX_CONNS * 2 / 5);
	b.ifindex = bench_ifindex(dev);
	bench_read_mac(dev, b.lb_mac);
	memcpy(b.gw_mac, bench_gw_mac, 6);
	bench_dev_mac(0, b.dev_mac);
	/*
	 * The tables as bench_lb_load sizes them, and the compact table as hauler
	 * up --table compact does by default: a new flow a run then fills at most
	 * 40 % of its connections, and never finds its buckets crowded (a table of
	 * one bucket would turn new flows away without state, conn_crowded).
	 */
	sizes.half_open = HAULER_MAX_CONNS;
	sizes.ctable = ct_buckets_for(HAULER_MAX_CONNS);
	bench_lb_load_sized(&b.lb, pin, build, &sizes);
	snprintf(path, sizeof(path), "%s/bench/restore.bpf.o", build);
	b.restore = bench_obj_load(path, NULL);
	b.restore_fd = bench_prog_fd(b.restore, "bench_restore");
	b.empty_fd = bench_prog_fd(b.restore, "bench_empty");
	b.cfg_fd = bench_obj_map(b.restore, "restore_cfg");
	b.target_fd = bench_obj_map(b.restore, "target");
	npol = bench_policies_load(&b.lb, policies, pol, BENCH_MAX_POLICIES);

	bench_add_vip(&b.lb, 0, HAULER_FWD_NAT, 0, 4);
	bench_add_vip(&b.lb, 1, HAULER_FWD_IPIP, 4, 4);
	bench_json_open(&b.json, json);
	bench_json_num(&b.json, "repeat", b.repeat);
	bench_json_num(&b.json, "trials", b.trials);

	printf("per-packet cost (BPF_PROG_TEST_RUN, best of %lu x %lu runs, wrapper subtracted)\n",
	       b.trials, b.repeat);
	memset(&c, 0, sizeof(c));
	c.name = "wrapper";
	frame_to_vip(&b, &c, 0, 1, 1000, TCP_ACK);
	c.prog_fd = b.empty_fd;
	c.verdict = XDP_TX;
	b.base_ns = measure(&b, &c);
	c.vary = 1;
	b.base_vary_ns = measure(&b, &c);
	c.vary = 0;
	printf("  %-44s %8.1f ns (subtracted below; %.1f varying the flow)\n",
	       "restore wrapper + tail call", b.base_ns, b.base_vary_ns);
	bench_json_num(&b.json, "wrapper_ns", b.base_ns);
	bench_json_num(&b.json, "wrapper_vary_ns", b.base_vary_ns);
	bench_json_obj(&b.json, "ns");

	c.name = "non-VIP pass";
	c.len = bench_frame4(c.frame, BENCH_FRAME_LEN, b.lb_mac, b.gw_mac, BENCH_CLIENT_ADDR + 1,
			     BENCH_LB_ADDR, 1000, 22, 0x10);
	c.prog_fd = b.lb.entry_fd;
	c.verdict = XDP_PASS;
	c.stat = HAULER_STAT_pass_not_vip;
	report(&b, &c, "non_vip_pass");
	c.name = "non-VIP pass, tombstone's entry";
	report_tomb(&b, &c, "non_vip_pass");

	add_conn(&b, 0, 1, 1000, 0, 1);
	c.name = "established, nat";
	frame_to_vip(&b, &c, 0, 1, 1000, TCP_ACK);
	c.verdict = XDP_TX;
	c.stat = HAULER_STAT_conn_hit;
	report(&b, &c, "established_nat");

	add_conn(&b, 1, 1, 1000, 4, 0);
	c.name = "established, ipip";
	frame_to_vip(&b, &c, 1, 1, 1000, TCP_ACK);
	report(&b, &c, "established_ipip");

	c.name = "NAT return path";
	c.len = bench_frame4(c.frame, BENCH_FRAME_LEN, b.lb_mac, b.dev_mac, BENCH_DEV_ADDR + 0,
			     BENCH_CLIENT_ADDR + 1, BENCH_DEV_PORT, 1000, 0x10);
	c.stat = HAULER_STAT_nat_reply;
	report(&b, &c, "nat_return");

	/* New flows: every run a flow never seen (the wrapper varies it). */
	c.vary = 1;
	c.stat = HAULER_STAT_conn_new;
	frame_to_vip(&b, &c, 0, 0, 0, TCP_SYN);
	bench_set_policy(&b.lb, 0, -1);
	/*
	 * Warm-up, not reported: a table never filled hands out its nodes in
	 * memory order, a cleared one in scattered order. Every new-flow case
	 * below starts from a cleared table, the first one included.
	 */
	measure(&b, &c);
	bench_conns_clear(&b.lb);
	c.name = "new flow, nat, no policy (built-in hash)";
	report(&b, &c, "new_nat_fallback");
	for (i = 0; i < npol; i++) {
		__u64 fb = bench_stat(&b.lb, HAULER_STAT_policy_fallback);

		if (pol[i].fd < 0) {
			printf("  new flow, nat, policy %-22.40s %8s\n", pol[i].name, "no load");
			snprintf(key, sizeof(key), "new_nat_%.40s", pol[i].name);
			bench_json_str(&b.json, key, "does not load");
			continue;
		}
		bench_conns_clear(&b.lb);
		bench_set_policy(&b.lb, 0, pol[i].fd);
		snprintf(name, sizeof(name), "new flow, nat, policy %.40s", pol[i].name);
		snprintf(key, sizeof(key), "new_nat_%.40s", pol[i].name);
		c.name = name;
		report(&b, &c, key);
		bench_policy_ran(&b.lb, fb, name);
	}
	bench_conns_clear(&b.lb);
	bench_set_policy(&b.lb, 1, -1);
	frame_to_vip(&b, &c, 1, 0, 0, TCP_SYN);
	snprintf(name, sizeof(name), "new flow, ipip, no policy (built-in hash)");
	c.name = name;
	report(&b, &c, "new_ipip");
	bench_conns_clear(&b.lb);

	/* A segment without SYN and no entry (an ACK flood): decided without state. */
	frame_to_vip(&b, &c, 0, 0, 0, TCP_ACK);
	c.stat = HAULER_STAT_conn_stateless;
	c.name = "mid-flow miss, nat (no state)";
	report(&b, &c, "stateless_nat");

	bench_report(&b);
	bench_compact(&b, pol, npol);
	bench_json_end(&b.json);
	bench_json_close(&b.json);
	bench_lb_unload(&b.lb);
	return 0;
}
