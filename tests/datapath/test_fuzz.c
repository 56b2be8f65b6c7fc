// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_fuzz.c - a mutation run through the real entry program
 * (BPF_PROG_TEST_RUN), with policies installed and VIPs of both
 * families, both protocols and both forwarding modes configured, devices
 * on a resolved neighbour, behind a redirect and on an unresolved one,
 * and every device holding a report key. Frames start from the seeds
 * (tests/fuzz/seeds.h) and are mutated (bit flips, interesting values,
 * cuts, growth, splices, freshly signed reports); after every run:
 *
 *  - the verdict is PASS, DROP, TX or REDIRECT (never ABORTED), and the
 *    output is a frame no longer than the input plus an IPv6 header;
 *  - the packet is counted under a reason; TX (fwd_tx, reset_sent or
 *    too_big_sent) and REDIRECT under theirs;
 *  - a packet counted only as refused (pass_*, drop_*, a refused report,
 *    an ICMP error not taken)
 *    changes no connection entry, no device state and no per-VIP or
 *    per-device counter, and when passed it leaves unchanged;
 *  - a device's state changes only by an accepted report of that device
 *    or a new connection given to it;
 *  - an accepted report is one that the user-space decoder
 *    (include/hauler_report.h) accepts too, and a report it refuses for
 *    its length, header or tag is never accepted.
 *
 * The connection table is made small (dp_conns_max) so that it is dumped
 * whole after every packet, and put back to its start after each change.
 * FUZZ_PACKETS (default 100000) and FUZZ_SECONDS (default 0) in the
 * environment size the run: it stops after both are reached (`make fuzz`).
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <netinet/in.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <cmocka.h>
#include "frames.h"
#include "hauler_report.h"
#include "seeds.h"
#include "targets.h"

#define CONNS_MAX    1024
#define MAX_ID	     64 /* device ids in use stay below */
#define STAT_KEYS    HAULER_STAT_DEV(MAX_ID, 0)
#define MAX_GROWTH   40 /* an IP6IP6 header: the most a forward adds */
#define MAX_SEEDS    64
#define MUT_MAX	     512 /* bytes of a mutated frame */
#define ETH_MIN	     14	 /* BPF_PROG_TEST_RUN refuses shorter XDP frames */
#define MAX_FAILURES 5

/* The configuration: six VIPs, two or three devices each. */
struct vip_conf {
	int family;
	__u8 proto;
	__u16 port;
	__u8 mode;
	int policy; /* 0: none (built-in hash), 1: wrr, 2: hash */
};

static const struct vip_conf vips[] = {
    {4, IPPROTO_TCP, 80, HAULER_FWD_NAT, 1},  {4, IPPROTO_UDP, 53, HAULER_FWD_NAT, 2},
    {6, IPPROTO_TCP, 80, HAULER_FWD_NAT, 1},  {6, IPPROTO_UDP, 53, HAULER_FWD_NAT, 2},
    {4, IPPROTO_TCP, 81, HAULER_FWD_IPIP, 0}, {6, IPPROTO_TCP, 81, HAULER_FWD_IPIP, 1},
};
#define NVIPS	   (sizeof(vips) / sizeof(vips[0]))
#define VIP_ID(i)  ((__u16)(i) + 1)
#define SERVER(i)  ((__u16)(i) + 1)
#define DEV(i, j)  ((__u16)(10 * ((i) + 1) + (j)))
#define DEVS_OF(i) 3

/* What the maps hold, as far as the checks look: entries of both connection tables. */
struct conn_entry {
	struct flow_key k;
	struct conn v;
	__u64 table; /* 0: conns, 1: half_open (a u64: no padding for memcmp) */
};
static const char *const tables[] = {"conns", "half_open"};

struct snap {
	int nconns;
	struct conn_entry conns[CONNS_MAX];
	struct dev_state dev[MAX_ID];
	__u64 stat[STAT_KEYS]; /* packets, summed over CPUs */
};

static struct fuzz_net net;
static struct fuzz_frame seeds[MAX_SEEDS];
static size_t nseeds;
static struct snap base, before, after;
static struct dev_key keys[MAX_ID];
static int ncpus;
static const char *stat_names[] = {
#define SCHEMA_COUNTER(name, doc) #name,
#include "schema_each.h"
};

/* What the run saw, for the summary. */
static struct {
	unsigned long long runs, kernel_refused, invalid, verdict[5], reason[HAULER_STAT_REASONS];
	unsigned long long restored, reports_ok;
} seen;

static __u64 key_k0(__u16 id)
{
	return 0x1122334455667788ull ^ ((__u64)id << 32);
}

static __u64 key_k1(__u16 id)
{
	return 0x99aabbccddeeff00ull ^ id;
}

/* xorshift64*: fast, and the same run again from the same seed. */
static __u64 rng_state = 0x9e3779b97f4a7c15ull;

static __u32 rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (__u32)((rng_state * 0x2545f4914f6cdd1dull) >> 32);
}

/*
 * Device j of VIP i: address 3k + j of its family (k: the VIP's place
 * among its family's), among the 8 with a neighbour entry; device 0 of
 * the first VIP of each family is the one that reports (the seeds').
 */
static int dev_addr_n(size_t i, int j)
{
	size_t k = 0, m;

	for (m = 0; m < i; m++)
		k += vips[m].family == vips[i].family;
	return (int)((3 * k + j) % DP_NDEVS);
}

static void configure(void)
{
	struct dp_addr remote = dp_remote_dev_addr(4), unres = dp_unresolved_addr(6);
	static const __u8 ring[] = {0, 1, 2, 1};
	size_t i;
	int j;

	for (i = 0; i < NVIPS; i++) {
		const struct vip_conf *v = &vips[i];
		__u16 devs[DEVS_OF(i)];

		dp_add_vip(v->family, v->proto, v->port, VIP_ID(i), v->mode, VIP_ID(i), DP_TABLE);
		dp_fill_pool(VIP_ID(i), 0, DP_TABLE, SERVER(i));
		for (j = 0; j < DEVS_OF(i); j++) {
			devs[j] = DEV(i, j);
			/* Device addresses 0..7 are distinct within a family. */
			if (i == 0 && j == 2)
				dp_add_device_at(DEV(i, j), 4, &remote, SERVER(i), j,
						 HAULER_STATE_UP);
			else if (i == 3 && j == 2)
				dp_add_device_at(DEV(i, j), 6, &unres, SERVER(i), j,
						 HAULER_STATE_UP);
			else
				dp_add_device(DEV(i, j), v->family, dev_addr_n(i, j), SERVER(i), j,
					      HAULER_STATE_UP);
		}
		dp_add_server(SERVER(i), VIP_ID(i), devs, DEVS_OF(i));
		dp_set_ring(SERVER(i), 0, ring, sizeof(ring));
		if (v->policy)
			dp_set_policy(VIP_ID(i), v->policy == 1 ? dp_wrr_fd() : dp_hash_fd());
	}
	for (i = 0; i < MAX_ID; i++) {
		struct dev_key k = {.k0 = key_k0(i), .k1 = key_k1(i)};
		__u32 id = i;

		keys[i] = k;
		assert_int_equal(bpf_map_update_elem(dp_map("dev_keys"), &id, &k, BPF_ANY), 0);
	}
	{
		struct dp_addr lb6 = dp_lb_addr(6);

		dp_set_tunnel_src(dp_lb_addr(4).a[0], &lb6);
	}
}

/* The seeds on the harness's network; the reporting device is VIP 0's (v4) and VIP 2's (v6) first.
 */
static void make_seeds(void)
{
	int f;

	fuzz_net_default(&net);
	memcpy(net.lb_mac, dp_lb_mac, 6);
	memcpy(net.gw_mac, dp_gw_mac, 6);
	dp_dev_mac(0, net.dev_mac);
	for (f = 0; f < 2; f++) {
		int fam = f ? 6 : 4;
		struct dp_addr a;

		a = dp_lb_addr(fam);
		memcpy(net.lb[f], a.a, 16);
		a = dp_vip_addr(fam);
		memcpy(net.vip[f], a.a, 16);
		a = dp_client_addr(fam, 0);
		memcpy(net.client[f], a.a, 16);
		a = dp_dev_addr(fam, 0);
		memcpy(net.dev[f], a.a, 16);
		net.dev_id[f] = DEV(f ? 2 : 0, 0);
	}
	net.dev_port = DP_DEV_PORT;
	net.k0 = key_k0;
	net.k1 = key_k1;
	nseeds = fuzz_seed_frames(&net, seeds, MAX_SEEDS);
	assert_true(nseeds >= 30);
}

static int entry_cmp(const void *a, const void *b)
{
	const struct conn_entry *x = a, *y = b;
	int c = memcmp(&x->k, &y->k, sizeof(x->k));

	return c ? c : (x->table > y->table) - (x->table < y->table);
}

static void take_snap(struct snap *s)
{
	static __u32 keys_out[STAT_KEYS];
	static struct counter vals[STAT_KEYS * 64];
	static struct flow_key ck[CONNS_MAX];
	static struct conn cv[CONNS_MAX];
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	__u32 count, out_batch, i, id;
	int c, t, err;

	/* Stats: one batch over the reasons, the VIPs' and the first devices' counters. */
	count = STAT_KEYS;
	err =
	    bpf_map_lookup_batch(dp_map("stats"), NULL, &out_batch, keys_out, vals, &count, &opts);
	assert_true(err == 0 || errno == ENOENT);
	assert_int_equal(count, STAT_KEYS);
	for (i = 0; i < STAT_KEYS; i++) {
		s->stat[i] = 0;
		for (c = 0; c < ncpus; c++)
			s->stat[i] += vals[i * ncpus + c].packets;
	}
	count = MAX_ID;
	err = bpf_map_lookup_batch(dp_map("dev_state"), NULL, &out_batch, keys_out, s->dev, &count,
				   &opts);
	assert_true(err == 0 || errno == ENOENT);
	assert_int_equal(count, MAX_ID);
	s->nconns = 0;
	for (t = 0; t < 2; t++) {
		count = CONNS_MAX - s->nconns;
		err = bpf_map_lookup_batch(dp_map(tables[t]), NULL, &out_batch, ck, cv, &count,
					   &opts);
		assert_true(err == 0 || errno == ENOENT);
		for (id = 0; id < count; id++) {
			s->conns[s->nconns].k = ck[id];
			s->conns[s->nconns].v = cv[id];
			s->conns[s->nconns++].table = t;
		}
	}
	qsort(s->conns, s->nconns, sizeof(s->conns[0]), entry_cmp);
}

/* Put the connection tables back to base (entries added, changed or gone). */
static void restore_conns(const struct snap *now)
{
	const struct conn_entry *e;
	int i;

	for (i = 0; i < now->nconns; i++)
		if (!bsearch(&now->conns[i], base.conns, base.nconns, sizeof(base.conns[0]),
			     entry_cmp)) {
			e = &now->conns[i];
			assert_int_equal(bpf_map_delete_elem(dp_map(tables[e->table]), &e->k), 0);
		}
	for (i = 0; i < base.nconns; i++) {
		e = &base.conns[i];
		assert_int_equal(
		    bpf_map_update_elem(dp_map(tables[e->table]), &e->k, &e->v, BPF_ANY), 0);
	}
	seen.restored++;
}

static int conns_equal(const struct snap *a, const struct snap *b)
{
	return a->nconns == b->nconns &&
	       !memcmp(a->conns, b->conns, a->nconns * sizeof(a->conns[0]));
}

/* A counter that says the packet was refused (or not ours), by its name. */
static int is_refusal(__u32 r)
{
	const char *n = stat_names[r];

	if (r == HAULER_STAT_pass_no_neigh || r == HAULER_STAT_pass_fib_fail)
		return 0; /* forwarded, through the kernel */
	if (!strncmp(n, "report_", 7))
		return r != HAULER_STAT_report_ok && r != HAULER_STAT_report_v1;
	/* ICMP errors not taken (bpf/icmp.h): they must change nothing either. */
	if (r == HAULER_STAT_icmp_unknown || r == HAULER_STAT_icmp_malformed ||
	    r == HAULER_STAT_icmp_forged)
		return 1;
	return !strncmp(n, "pass_", 5) || !strncmp(n, "drop_", 5);
}

/* One run: the frame in and out. */
struct run {
	const __u8 *in;
	size_t len;
	int verdict;
	const __u8 *out;
	size_t out_len;
};

static char why[256];

#define VIOLATION(...) (snprintf(why, sizeof(why), __VA_ARGS__), why)

/*
 * The invariants of one run, from the maps before and after it. Returns
 * NULL, or what was broken.
 */
static const char *check_run(const struct run *r, const struct snap *b, const struct snap *a)
{
	__u64 d[HAULER_STAT_REASONS];
	int counted = 0, invalid = 1, off;
	__u32 i;

	if (r->verdict != XDP_PASS && r->verdict != XDP_DROP && r->verdict != XDP_TX &&
	    r->verdict != XDP_REDIRECT)
		return VIOLATION("verdict %d", r->verdict);
	if (r->out_len < ETH_MIN || r->out_len > r->len + MAX_GROWTH)
		return VIOLATION("output of %zu bytes from %zu", r->out_len, r->len);
	for (i = 0; i < HAULER_STAT_REASONS; i++) {
		d[i] = a->stat[i] - b->stat[i];
		if (!d[i] || i == HAULER_STAT_ipv4_options)
			continue;
		counted = 1;
		invalid &= is_refusal(i);
	}
	if (!counted)
		return VIOLATION("counted under no reason (verdict %d)", r->verdict);
	if (r->verdict == XDP_TX && !d[HAULER_STAT_fwd_tx] && !d[HAULER_STAT_reset_sent] &&
	    !d[HAULER_STAT_too_big_sent])
		return VIOLATION("XDP_TX not counted in fwd_tx, reset_sent or too_big_sent");
	if (r->verdict == XDP_REDIRECT && !d[HAULER_STAT_fwd_redirect])
		return VIOLATION("XDP_REDIRECT not counted in fwd_redirect");
	if (invalid) {
		if (!conns_equal(a, b))
			return VIOLATION("refused packet changed conns (%d -> %d entries)",
					 b->nconns, a->nconns);
		if (memcmp(a->dev, b->dev, sizeof(a->dev)))
			return VIOLATION("refused packet changed dev_state");
		if (memcmp(a->stat + HAULER_STAT_REASON_SLOTS, b->stat + HAULER_STAT_REASON_SLOTS,
			   sizeof(a->stat) - HAULER_STAT_REASON_SLOTS * sizeof(a->stat[0])))
			return VIOLATION("refused packet changed a VIP's or device's counters");
		if (r->verdict == XDP_PASS &&
		    (r->out_len != r->len || memcmp(r->out, r->in, r->len)))
			return VIOLATION("refused packet passed changed");
	}
	/* A device's state moves only by its own report or a connection given to it. */
	for (i = 0; i < MAX_ID; i++) {
		if (!memcmp(&a->dev[i], &b->dev[i], sizeof(a->dev[i])))
			continue;
		if (a->stat[HAULER_STAT_DEV(i, HAULER_STAT_NEW)] !=
		    b->stat[HAULER_STAT_DEV(i, HAULER_STAT_NEW)])
			continue;
		if (d[HAULER_STAT_report_ok] && a->dev[i].seq != b->dev[i].seq)
			continue;
		return VIOLATION("dev_state of device %u changed without a report or connection",
				 i);
	}
	off = fuzz_report_offset(r->in, r->len);
	if (off >= 0) {
		struct report_fields f;
		size_t n = r->len - off;
		int err = report_decode(r->in + off, n > HAULER_REPORT_LEN ? HAULER_REPORT_LEN : n,
					keys, MAX_ID, NULL, &f);

		if (d[HAULER_STAT_report_ok] && err != REPORT_OK)
			return VIOLATION("datapath accepted a report the decoder refuses (%s)",
					 report_strerror(err));
		if (d[HAULER_STAT_report_ok] && a->dev[f.device].seq != f.seq)
			return VIOLATION("accepted report's sequence not stored");
	} else if (d[HAULER_STAT_report_ok]) {
		return VIOLATION("a report accepted where the parser sees none");
	}
	return NULL;
}

/* Mutations. */
static const __u8 interesting8[] = {0,	  1,	4,    5,    6,	  0x11, 0x29, 0x2c, 0x3a, 0x40,
				    0x45, 0x4f, 0x60, 0x7f, 0x80, 0x81, 0x86, 0x88, 0xdd, 0xff};
static const __u16 interesting16[] = {0,      1,      14,     20,     40,     0x0800, 0x86dd,
				      0x8100, 0x88a8, 0x88b5, 0x2000, 0x1fff, 0x4000, 0x7fff,
				      0x8000, 0xfffe, 0xffff, 80,     53,     7946};

/* Offsets where headers live in the seeds: mutate there more often. */
static size_t hot_offset(size_t len)
{
	static const __u8 hot[] = {12, 13, 14, 15, 16, 17, 18, 19, 20, 22, 23, 24, 26, 30,
				   34, 36, 38, 40, 42, 46, 47, 54, 58, 60, 62, 66, 67};
	size_t o = rnd() & 1 ? hot[rnd() % sizeof(hot)] : rnd() % len;

	return o < len ? o : rnd() % len;
}

/* Write a fresh, signed report where the seed carries one. */
static void resign(__u8 *f, size_t len)
{
	static __u64 seq = (1800000000ull << HAULER_REPORT_SEQ_SHIFT);
	int off = fuzz_report_offset(f, len);
	__u16 dev;

	if (off < 0 || (size_t)off + HAULER_REPORT_LEN > len)
		return;
	dev = rnd() & 3 ? (__u16)(f[off + 6] << 8 | f[off + 7]) : (__u16)(rnd() % (MAX_ID + 2));
	fuzz_report_bytes(&net, dev, ++seq, rnd() & HAULER_REPORT_F_ALL, rnd(), f + off);
	if (rnd() % 8 == 0) { /* a value out of range, still signed */
		f[off + 16 + rnd() % 4] = 101 + rnd() % 155;
		fuzz_report_retag(f + off, net.k0(dev), net.k1(dev));
	}
}

static size_t mutate(__u8 *f, size_t len)
{
	int n = 1 + rnd() % 4, k;

	if (rnd() % 16 == 0)
		resign(f, len);
	for (k = 0; k < n; k++) {
		size_t o = hot_offset(len), m;
		__u16 v;

		switch (rnd() % 10) {
		case 0:
		case 1:
			f[o] ^= 1 << (rnd() % 8);
			break;
		case 2:
			f[o] = rnd();
			break;
		case 3:
			f[o] = interesting8[rnd() % sizeof(interesting8)];
			break;
		case 4:
			if (o + 1 < len) {
				v = interesting16[rnd() % (sizeof(interesting16) / 2)];
				if (rnd() & 1)
					v = (__u16)(v + (rnd() % 9) - 4);
				f[o] = v >> 8;
				f[o + 1] = v & 0xff;
			}
			break;
		case 5: /* cut */
			len = 1 + rnd() % len;
			break;
		case 6: /* grow with random bytes */
			m = rnd() % 64;
			if (len + m > MUT_MAX)
				m = MUT_MAX - len;
			for (; m; m--)
				f[len++] = rnd();
			break;
		case 7: /* remove or duplicate a run of bytes */
			m = 1 + rnd() % 8;
			if (o + m < len && rnd() & 1) {
				memmove(f + o, f + o + m, len - o - m);
				len -= m;
			} else if (len + m <= MUT_MAX && o + m <= len) {
				memmove(f + o + m, f + o, len - o);
				len += m;
			}
			break;
		case 8: { /* splice another seed's bytes in */
			const struct fuzz_frame *s = &seeds[rnd() % nseeds];
			size_t from = rnd() % s->len;

			m = 1 + rnd() % 32;
			if (from + m > s->len)
				m = s->len - from;
			if (o + m > len)
				m = len - o;
			memcpy(f + o, s->data + from, m);
			break;
		}
		default:
			resign(f, len);
			break;
		}
	}
	return len;
}

static int failures;

/* Run one frame and check it; the connection table goes back to base. */
static void run_one(const __u8 *frame, size_t len)
{
	struct dp_out out;
	struct run r = {.in = frame, .len = len};
	const char *bad;
	int err;

	err = dp_run(frame, len, &out);
	seen.runs++;
	if (len < ETH_MIN) {
		if (err != -EINVAL)
			fail_msg("frame of %zu bytes: test run returned %d", len, err);
		seen.kernel_refused++;
		return;
	}
	if (err)
		fail_msg("test run failed: %d", err);
	r.verdict = out.verdict;
	r.out = out.data;
	r.out_len = out.len;
	take_snap(&after);
	bad = check_run(&r, &before, &after);
	if (bad) {
		printf("VIOLATION after %llu runs: %s\n", seen.runs, bad);
		frame_dump("input", frame, len);
		frame_dump("output", out.data, out.len);
		failures++;
	}
	if (out.verdict >= 0 && out.verdict <= XDP_REDIRECT)
		seen.verdict[out.verdict]++;
	if (after.stat[HAULER_STAT_report_ok] != before.stat[HAULER_STAT_report_ok])
		seen.reports_ok++;
	{
		__u32 i;
		int inv = 1;

		for (i = 0; i < HAULER_STAT_REASONS; i++)
			if (after.stat[i] != before.stat[i]) {
				seen.reason[i]++;
				if (i != HAULER_STAT_ipv4_options)
					inv &= is_refusal(i);
			}
		seen.invalid += inv;
	}
	if (!conns_equal(&after, &base)) {
		restore_conns(&after);
		take_snap(&before);
	} else {
		before = after;
	}
}

static int setup(void **state)
{
	size_t i;

	dp_conns_max = CONNS_MAX;
	if (dp_setup(state))
		return -1;
	ncpus = libbpf_num_possible_cpus();
	dp_reset(state);
	configure();
	make_seeds();
	/* Every seed once, in order: the flows they open are the base table. */
	for (i = 0; i < nseeds; i++) {
		struct dp_out out;

		assert_int_equal(dp_run(seeds[i].data, seeds[i].len, &out), 0);
	}
	take_snap(&base);
	before = base;
	return 0;
}

/* The seeds themselves are what they claim: forwarded, replied, reported. */
static void test_seeds(void **state)
{
	size_t i;

	(void)state;
	assert_true(base.nconns >= 8);
	for (i = 0; i < nseeds; i++)
		run_one(seeds[i].data, seeds[i].len);
	assert_int_equal(failures, 0);
	assert_true(seen.verdict[XDP_TX] > 0);
	assert_true(seen.reason[HAULER_STAT_conn_hit] > 0);
	assert_true(seen.reason[HAULER_STAT_nat_reply] > 0);
	assert_true(seen.reason[HAULER_STAT_report_replay] > 0);
}

static unsigned long long env_num(const char *name, unsigned long long def)
{
	const char *v = getenv(name);

	return v && *v ? strtoull(v, NULL, 10) : def;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_mutation_run(void **state)
{
	unsigned long long want = env_num("FUZZ_PACKETS", 100000), n = 0;
	double secs = env_num("FUZZ_SECONDS", 0), t0 = now_s(), dt;
	__u8 f[MUT_MAX];
	size_t len;
	__u32 i;

	(void)state;
	rng_state ^= env_num("FUZZ_SEED", 0);
	memset(&seen, 0, sizeof(seen));
	while ((n < want || now_s() - t0 < secs) && failures < MAX_FAILURES) {
		const struct fuzz_frame *s = &seeds[rnd() % nseeds];

		memcpy(f, s->data, s->len);
		len = mutate(f, s->len);
		run_one(f, len);
		if (++n % 1000000 == 0)
			printf("fuzz: %llu frames, %.0f s\n", n, now_s() - t0);
	}
	dt = now_s() - t0;
	printf("fuzz: %llu mutated frames in %.1f s (%.0f/s), %llu refused by the kernel "
	       "(shorter than Ethernet), %llu counted only as refused\n",
	       n, dt, n / (dt > 0 ? dt : 1), seen.kernel_refused, seen.invalid);
	printf("fuzz: verdicts aborted %llu drop %llu pass %llu tx %llu redirect %llu; "
	       "reports accepted %llu; conns restored %llu times\n",
	       seen.verdict[XDP_ABORTED], seen.verdict[XDP_DROP], seen.verdict[XDP_PASS],
	       seen.verdict[XDP_TX], seen.verdict[XDP_REDIRECT], seen.reports_ok, seen.restored);
	printf("fuzz: packets per reason:");
	for (i = 0; i < HAULER_STAT_REASONS; i++)
		if (seen.reason[i])
			printf(" %s=%llu", stat_names[i], seen.reason[i]);
	printf("\n");
	assert_int_equal(failures, 0);
	/* The run reached the paths it is for, not only the parser's refusals. */
	assert_true(seen.reason[HAULER_STAT_conn_new] > 0);
	assert_true(seen.reason[HAULER_STAT_conn_hit] > 0);
	assert_true(seen.reason[HAULER_STAT_nat_reply] > 0);
	assert_true(seen.reason[HAULER_STAT_report_ok] > 0);
	assert_true(seen.reason[HAULER_STAT_report_bad_tag] > 0);
	assert_true(seen.reason[HAULER_STAT_pass_malformed] > 0);
	assert_true(seen.verdict[XDP_TX] > 0);
	assert_true(seen.verdict[XDP_REDIRECT] > 0);
	assert_true(seen.reason[HAULER_STAT_pass_no_neigh] > 0);
}

/* The checks fail where they must: each planted breach is caught. */
static void test_checks_catch(void **state)
{
	const struct fuzz_frame *s = &seeds[0];
	static struct snap b, a;
	struct run r = {
	    .in = s->data, .len = s->len, .verdict = XDP_PASS, .out = s->data, .out_len = s->len};

	(void)state;
	b = base;
	a = base;
	a.stat[HAULER_STAT_pass_malformed]++;
	assert_null(check_run(&r, &b, &a));
	r.verdict = XDP_ABORTED;
	assert_non_null(check_run(&r, &b, &a));
	r.verdict = XDP_PASS;
	r.out_len = s->len + MAX_GROWTH + 1;
	assert_non_null(check_run(&r, &b, &a));
	r.out_len = s->len;
	a.nconns--; /* a refused packet took an entry away */
	assert_non_null(check_run(&r, &b, &a));
	a.nconns++;
	a.dev[DEV(0, 0)].cmp ^= 1;
	assert_non_null(check_run(&r, &b, &a));
	a.dev[DEV(0, 0)].cmp ^= 1;
	a.stat[HAULER_STAT_DEV(DEV(0, 1), HAULER_STAT_FWD)]++;
	assert_non_null(check_run(&r, &b, &a));
	a.stat[HAULER_STAT_DEV(DEV(0, 1), HAULER_STAT_FWD)]--;
	a.stat[HAULER_STAT_pass_malformed]--;
	assert_non_null(check_run(&r, &b, &a)); /* counted nowhere */
	r.verdict = XDP_TX;
	a.stat[HAULER_STAT_conn_hit]++;
	assert_non_null(check_run(&r, &b, &a)); /* TX without fwd_tx */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_seeds),
	    cmocka_unit_test(test_checks_catch),
	    cmocka_unit_test(test_mutation_run),
	};

	return cmocka_run_group_tests(tests, setup, dp_teardown);
}
