// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_policies.c - every built-in policy program, run through the real
 * entry program (BPF_PROG_TEST_RUN) from the VIP's policy_progs slot, with
 * device load written into dev_state by the test: each picks the device
 * docs/policies.md says it picks; stale devices get their weight's share;
 * drained devices get nothing new while their established flow forwards.
 *
 * The device a new flow went to is read from the output frame (NAT: its
 * destination MAC and address) and checked against its conns entry.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <cmocka.h>
/* hauler_hash.h unrolls with a clang pragma that gcc does not know. */
#pragma GCC diagnostic ignored "-Wunknown-pragmas"
#include "select/select_p2c.h"
#include "select/select_prt.h"
#include "select/select_spill.h"
#include "policy_list.h"
#include "map_write.h"
#include "batch.h"
#include "error.h"
#include "model.h"
#include "model_maps.h"
#include "hauler_keys.h"
#include "hauler_assigned.h"
#include "frames.h"

#define NDEV	 3
#define FLOWS	 60
#define SPORT0	 1024
#define NS_PER_S 1000000000ull

/* A policy object, loaded from the ELF its skeleton embeds. */
struct policy_obj {
	const char *name;
	const void *(*elf)(size_t *size);
	struct bpf_object *obj;
	int fd;
};

/* Every built-in (build/policy_list.h): a new one is covered by the drain test. */
#define POLICY_ENTRY(n) {#n, policy_##n##__elf_bytes, NULL, -1},
static struct policy_obj policies[] = {HAULER_BUILTIN_POLICIES(POLICY_ENTRY)};
#define NPOLICIES (sizeof(policies) / sizeof(policies[0]))

/*
 * Bind every map of the policy to the entry program's map of that name.
 * The pin paths are cleared first: libbpf would otherwise look for (and
 * pin to) the host's /sys/fs/bpf.
 */
static int load_policy(struct policy_obj *p)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = p->name);
	struct bpf_program *prog;
	struct bpf_map *m;
	const void *elf;
	size_t size;

	elf = p->elf(&size);
	p->obj = bpf_object__open_mem(elf, size, &opts);
	if (!p->obj)
		return -1;
	bpf_object__for_each_map(m, p->obj)
	{
		if (bpf_map__is_internal(m))
			continue;
		if (bpf_map__set_pin_path(m, NULL) ||
		    bpf_map__reuse_fd(m, dp_map(bpf_map__name(m))))
			return -1;
	}
	if (bpf_object__load(p->obj))
		return -1;
	prog = bpf_object__next_program(p->obj, NULL);
	p->fd = prog ? bpf_program__fd(prog) : -1;
	return p->fd < 0 ? -1 : 0;
}

static int group_setup(void **state)
{
	char path[256];
	size_t i;

	if (dp_setup(state))
		return -1;
	snprintf(path, sizeof(path), "%s/policies", dp_pin_dir());
	if (mkdir(path, 0700))
		return -1;
	for (i = 0; i < NPOLICIES; i++) {
		if (load_policy(&policies[i])) {
			fprintf(stderr, "test_policies: cannot load policy %s\n", policies[i].name);
			return -1;
		}
		/* Where the manager's commit finds the built-ins (the flat tier tests). */
		snprintf(path, sizeof(path), "%s/policies/%s", dp_pin_dir(), policies[i].name);
		if (bpf_obj_pin(policies[i].fd, path))
			return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	size_t i;

	for (i = 0; i < NPOLICIES; i++) {
		bpf_object__close(policies[i].obj);
		policies[i].obj = NULL;
	}
	return dp_teardown(state);
}

static struct policy_obj *policy(const char *name)
{
	size_t i;

	for (i = 0; i < NPOLICIES; i++)
		if (!strcmp(policies[i].name, name))
			return &policies[i];
	fail_msg("no policy %s", name);
	return NULL;
}

/*
 * Now as the datapath reads it: bpf_ktime_get_coarse_ns is the coarse
 * monotonic clock. (A CLOCK_MONOTONIC stamp can lie up to a tick ahead
 * of it: test_report_stamped_now_is_fresh.)
 */
static __u64 now_ns(void)
{
	struct timespec ts;

	assert_int_equal(clock_gettime(CLOCK_MONOTONIC_COARSE, &ts), 0);
	return (__u64)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

/* A device's last report, as an agent would have left it in dev_state. */
struct load {
	__u8 cmp, mem, net, queue;
	__u32 live_conns, latency_us;
};

/*
 * FRESH: now. NEVER: no report. OLD: a second ago, ten times the default
 * stale-ms. BOOT: at boot, older than any stale-ms a test sets.
 */
enum age { FRESH, NEVER, OLD, BOOT };

static void set_load(int n, const struct load *l, enum age age)
{
	struct dev_state st = {
	    .cmp = l->cmp,
	    .mem = l->mem,
	    .net = l->net,
	    .queue = l->queue,
	    .latency_us = l->latency_us,
	    .live_conns = l->live_conns,
	    .seq = 1,
	};
	__u32 key = DP_DEV_ID(n);

	/* As a report stores it: what was assigned before is the agent's count now. */
	st.new_base = (__u32)dp_stat(HAULER_STAT_DEV(key, HAULER_STAT_NEW));
	switch (age) {
	case FRESH:
		st.updated_ns = now_ns();
		break;
	case NEVER:
		st.updated_ns = 0;
		break;
	case OLD:
		st.updated_ns = now_ns() - NS_PER_S;
		break;
	case BOOT:
		st.updated_ns = 1;
		break;
	}
	assert_int_equal(bpf_map_update_elem(dp_map("dev_state"), &key, &st, BPF_ANY), 0);
}

/* A new report of the same numbers: only the stamp moves (assigned stays). */
static void touch_load(int n)
{
	struct dev_state st;
	__u32 key = DP_DEV_ID(n);

	assert_int_equal(bpf_map_lookup_elem(dp_map("dev_state"), &key, &st), 0);
	st.updated_ns = now_ns();
	assert_int_equal(bpf_map_update_elem(dp_map("dev_state"), &key, &st, BPF_ANY), 0);
}

/* Only cmp given; the other metrics the same, so nothing else decides. */
static void set_cmp(int n, __u8 cmp)
{
	struct load l = {.cmp = cmp, .mem = 50, .net = 50, .queue = 50, .latency_us = 100};

	set_load(n, &l, FRESH);
}

static void set_kind(int n, __u8 kind)
{
	struct device_info d;
	__u32 key = DP_DEV_ID(n);

	assert_int_equal(bpf_map_lookup_elem(dp_map("devices"), &key, &d), 0);
	d.kind = kind;
	assert_int_equal(mapw_device(dp_maps(), key, &d), 0);
}

/* policy_params of the VIP's slot, as `hauler policy set` writes them. */
static void set_params(const char *name, int metric, __u32 threshold, __u32 stale_ms)
{
	struct policy_params p = {.threshold = threshold, .stale_ms = stale_ms};

	if (metric >= 0) {
		p.metric_set = 1;
		p.metric = metric;
	}
	strncpy((char *)p.name, name, sizeof(p.name) - 1);
	assert_int_equal(mapw_params(dp_maps(), DP_SLOT, &p), 0);
}

/*
 * The stale-ms of every test not about staleness: an hour, so a report
 * stamped FRESH at the start stays fresh however slowly a loaded machine
 * runs the flows (the datapath reads its own clock: no bound on how long
 * a test may take hides here).
 */
#define FRESH_FOR_MS 3600000

/* Parameters first, then the program: as a swap does it. */
static void use_policy_ms(const char *name, int metric, __u32 threshold, __u32 stale_ms)
{
	set_params(name, metric, threshold, stale_ms);
	dp_set_policy(DP_SLOT, policy(name)->fd);
}

static void use_policy(const char *name, int metric, __u32 threshold)
{
	use_policy_ms(name, metric, threshold, FRESH_FOR_MS);
}

/* The usual VIP (IPv4, TCP, NAT) with ndev devices, every one fresh and idle. */
static void setup_vip(int ndev)
{
	int n;

	dp_simple_vip(4, IPPROTO_TCP, HAULER_FWD_NAT, ndev);
	for (n = 0; n < ndev; n++)
		set_cmp(n, 0);
}

static void flow_spec(struct frame_spec *s, int i)
{
	spec_to_vip(s, 4, IPPROTO_TCP, 0);
	s->sport = SPORT0 + i;
}

/* Send s; the device index (0..) it went to, or -1 when dropped. */
static int send_flow(const struct frame_spec *s)
{
	return send_nat_flow(s);
}

/*
 * Send new flow number i; the device index it went to. A new flow that
 * is dropped fails the test: every caller has a device for it, and the
 * index goes on to count[] (never count[-1]).
 */
static int send_new(int i)
{
	struct frame_spec s;
	int dev;

	flow_spec(&s, i);
	dev = send_flow(&s);
	if (dev < 0)
		fail_msg("new flow %d was dropped", i);
	return dev;
}

/* Send new flow number i where a drop is expected: -1 when dropped. */
static int send_new_may_drop(int i)
{
	struct frame_spec s;

	flow_spec(&s, i);
	return send_flow(&s);
}

/* Empty both connection tables. */
static void conns_clear(void)
{
	dp_conn_clear();
	assert_int_equal(dp_conn_count(), 0);
}

/* Every new flow went through the policy, and every choice was valid. */
static void assert_policy_clean(void)
{
	assert_int_equal(dp_stat(HAULER_STAT_policy_fallback), 0);
	assert_int_equal(dp_stat(HAULER_STAT_policy_bad_choice), 0);
}

/* Flows first..first+count-1 all go to device want. */
static void expect_all(int first, int count, int want)
{
	int i;

	for (i = first; i < first + count; i++)
		assert_int_equal(send_new(i), want);
}

/* lur: the least utilized on the VIP's metric; cmp when none is set. */
static void test_lur(void **state)
{
	/* Each metric has another device least utilized. */
	const struct load l[NDEV] = {
	    {.cmp = 50, .mem = 10, .net = 90},
	    {.cmp = 20, .mem = 80, .net = 40},
	    {.cmp = 70, .mem = 60, .net = 5},
	};
	int n;

	(void)state;
	setup_vip(NDEV);
	for (n = 0; n < NDEV; n++)
		set_load(n, &l[n], FRESH);
	use_policy("lur", -1, 0);
	expect_all(0, FLOWS, 1);
	use_policy("lur", HAULER_METRIC_CMP, 0);
	expect_all(100, FLOWS, 1);
	use_policy("lur", HAULER_METRIC_MEM, 0);
	expect_all(200, FLOWS, 0);
	use_policy("lur", HAULER_METRIC_NET, 0);
	expect_all(300, FLOWS, 2);
	/* The load changes: the next flows follow at once. */
	set_cmp(0, 3);
	use_policy("lur", HAULER_METRIC_CMP, 0);
	expect_all(400, FLOWS, 0);
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 5 * FLOWS);
	assert_policy_clean();
}

/* lur: two devices tied at the least cmp share the flows; the third gets none. */
static void test_lur_tie_shared(void **state)
{
	int i, count[NDEV] = {};

	(void)state;
	setup_vip(NDEV);
	set_cmp(0, 30);
	set_cmp(1, 60);
	set_cmp(2, 30);
	use_policy("lur", HAULER_METRIC_CMP, 0);
	for (i = 0; i < 200; i++)
		count[send_new(i)]++;
	assert_int_equal(count[1], 0);
	/* 100 each expected; 3 standard deviations are about 21. */
	assert_in_range(count[0], 70, 130);
	assert_in_range(count[2], 70, 130);
}

/* jsq: the shortest accept queue, whatever cmp says. */
static void test_jsq(void **state)
{
	const struct load l[NDEV] = {
	    {.cmp = 1, .queue = 40},
	    {.cmp = 2, .queue = 30},
	    {.cmp = 90, .queue = 10},
	};
	int n;

	(void)state;
	setup_vip(NDEV);
	for (n = 0; n < NDEV; n++)
		set_load(n, &l[n], FRESH);
	use_policy("jsq", -1, 0);
	expect_all(0, FLOWS, 2);
	/* Another device's queue empties: it takes over. */
	set_load(1, &(struct load){.cmp = 2, .queue = 0}, FRESH);
	expect_all(100, FLOWS, 1);
	assert_policy_clean();
}

/*
 * lc: the fewest connections, counted as the agent's live_conns plus what
 * the datapath assigned since. Each new flow must go to a device with the
 * least count at that moment; with counts 5, 2, 9 the first 3 flows go to
 * device 1 (2 -> 5), and 12 flows fill every device up to 9 or 10. In
 * aggregate mode (assigned_us, a long interval: no refresh but the first)
 * the same on one CPU, whose own choices count at once.
 */
static void lc_one(__u32 assigned_us)
{
	const __u32 live[NDEV] = {5, 2, 9};
	__u32 conns[NDEV] = {5, 2, 9}, least;
	int i, n, dev;

	setup_vip(NDEV);
	dp_set_assigned_us(assigned_us);
	for (n = 0; n < NDEV; n++)
		set_load(n, &(struct load){.cmp = 50, .live_conns = live[n]}, FRESH);
	use_policy("lc", -1, 0);
	dp_pin_cpu(); /* aggregate mode: this CPU's own choices */
	for (i = 0; i < 12; i++) {
		least = conns[0];
		for (n = 1; n < NDEV; n++)
			least = conns[n] < least ? conns[n] : least;
		dev = send_new(i);
		if (i < 3)
			assert_int_equal(dev, 1);
		assert_int_equal(conns[dev], least);
		conns[dev]++;
	}
	dp_unpin_cpu();
	for (n = 0; n < NDEV; n++) {
		assert_in_range(conns[n], 9, 10);
		assert_int_equal(dp_dev_assigned(DP_DEV_ID(n)), conns[n] - live[n]);
	}
	assert_policy_clean();
}

/* An aggregate interval no test outlasts: only a stamp set back refreshes it. */
#define AGG_LONG_US 100000000u

static void test_lc(void **state)
{
	(void)state;
	lc_one(0);
}

static void test_lc_aggregate_one_cpu(void **state)
{
	(void)state;
	lc_one(AGG_LONG_US);
}

/*
 * Aggregate mode: the interval has passed for device n's aggregate (its
 * stamp set back to boot), so the next CPU to read it sums it again.
 */
static void agg_expire(int n)
{
	struct dev_state st;
	__u32 key = DP_DEV_ID(n);

	assert_int_equal(bpf_map_lookup_elem(dp_map("dev_state"), &key, &st), 0);
	st.agg_ns = 1;
	assert_int_equal(bpf_map_update_elem(dp_map("dev_state"), &key, &st, BPF_ANY), 0);
}

/* The sum device n's aggregate holds (its generation above it). */
static __u32 agg_sum_of(int n, __u32 *gen)
{
	struct dev_state st;
	__u32 key = DP_DEV_ID(n);

	assert_int_equal(bpf_map_lookup_elem(dp_map("dev_state"), &key, &st), 0);
	if (gen)
		*gen = st.agg >> 32;
	return agg_word_sum(st.agg);
}

/*
 * lc over two CPUs (issue 16: a new connection writes only its own CPU's
 * counter, nothing shared): new flows decided on two CPUs in turn must
 * each go to a device with the least live_conns + assigned counted over
 * both, as test_lc on one, in either table; assigned is both CPUs' counts
 * summed, and a report starts it again from 0. Skipped where the test
 * may run on one CPU only.
 */
/* send_new in either table (send_flow checks the LRU table's entry). */
static int send_new_in(int i, int compact)
{
	struct frame_spec s;
	int dev;

	if (!compact)
		return send_new(i);
	flow_spec(&s, i);
	dev = send_nat(&s);
	if (dev < 0)
		fail_msg("new flow %d was dropped", i);
	return dev;
}

static void lc_two_cpus(int compact)
{
	const __u32 live[NDEV] = {5, 2, 9};
	__u32 conns[NDEV] = {5, 2, 9}, least, sum = 0;
	int i, n, dev, cpus[2], on[2] = {0, 0};

	if (dp_two_cpus(cpus)) {
		skip();
		return;
	}
	setup_vip(NDEV);
	dp_ct_use(compact);
	for (n = 0; n < NDEV; n++)
		set_load(n, &(struct load){.cmp = 50, .live_conns = live[n]}, FRESH);
	use_policy("lc", -1, 0);
	for (i = 0; i < 12; i++) {
		if (dp_run_on_cpu(cpus[i & 1])) {
			dp_unpin_cpu();
			skip();
			return;
		}
		least = conns[0];
		for (n = 1; n < NDEV; n++)
			least = conns[n] < least ? conns[n] : least;
		dev = send_new_in(i, compact);
		assert_int_equal(conns[dev], least);
		conns[dev]++;
	}
	dp_unpin_cpu();
	for (n = 0; n < NDEV; n++) {
		__u32 key = HAULER_STAT_DEV(DP_DEV_ID(n), HAULER_STAT_NEW);

		assert_in_range(conns[n], 9, 10);
		assert_int_equal(dp_dev_assigned(DP_DEV_ID(n)), conns[n] - live[n]);
		on[0] += dp_stat_on_cpu(key, cpus[0]);
		on[1] += dp_stat_on_cpu(key, cpus[1]);
	}
	/* Each CPU counted its own six in its own slot. */
	assert_int_equal(on[0], 6);
	assert_int_equal(on[1], 6);
	/* A report of each device: what was assigned is its live count now. */
	for (n = 0; n < NDEV; n++) {
		set_load(n, &(struct load){.cmp = 50, .live_conns = conns[n]}, FRESH);
		assert_int_equal(dp_dev_assigned(DP_DEV_ID(n)), 0);
	}
	for (i = 12; i < 14; i++) {
		assert_int_equal(dp_run_on_cpu(cpus[i & 1]), 0);
		send_new_in(i, compact);
	}
	dp_unpin_cpu();
	for (n = 0; n < NDEV; n++)
		sum += dp_dev_assigned(DP_DEV_ID(n));
	assert_int_equal(sum, 2);
	assert_policy_clean();
}

static void test_lc_two_cpus(void **state)
{
	(void)state;
	lc_two_cpus(0);
}

static void test_lc_two_cpus_compact(void **state)
{
	(void)state;
	lc_two_cpus(1);
	dp_ct_use(0);
}

/* The least of count[] (NDEV of them). */
static __u32 least_of(const __u32 *count)
{
	__u32 least = count[0];
	int n;

	for (n = 1; n < NDEV; n++)
		least = count[n] < least ? count[n] : least;
	return least;
}

/*
 * lc over two CPUs in aggregate mode (config.assigned_us, an interval no
 * test outlasts): each device's aggregate is summed by the first flow
 * (a fresh report leaves none), before any connection. CPU A then takes 3
 * flows, each to a least device counting its own (counts 5, 2, 9: device
 * 1 thrice); CPU B does not see them within the interval: its view is
 * the aggregate plus its own, so its first 3 go to device 1 as well (7
 * there by the exact count, 5 on device 0), and from its 4th on it
 * counts its own (no burst to one device from one CPU): every choice of
 * B is a least of B's view, and at least one of its 6 goes elsewhere.
 * Once the interval has passed (the stamps set back), the next flow
 * sums again: A and B both see every connection, and each choice is a
 * least of the exact count. A report (set_load, the base the exact sum)
 * leaves assigned 0.
 */
static void lc_two_cpus_aggregate(int compact)
{
	const __u32 live[NDEV] = {5, 2, 9};
	__u32 exact[NDEV] = {5, 2, 9}, view_b[NDEV] = {5, 2, 9}, at[NDEV], sum = 0, gen;
	int i, n, dev, cpus[2], elsewhere = 0;

	if (dp_two_cpus(cpus)) {
		skip();
		return;
	}
	setup_vip(NDEV);
	dp_ct_use(compact);
	dp_set_assigned_us(AGG_LONG_US);
	for (n = 0; n < NDEV; n++)
		set_load(n, &(struct load){.cmp = 50, .live_conns = live[n]}, FRESH);
	use_policy("lc", -1, 0);
	assert_int_equal(dp_run_on_cpu(cpus[0]), 0);
	for (i = 0; i < 3; i++) {
		dev = send_new_in(i, compact);
		assert_int_equal(dev, 1);
		exact[dev]++;
	}
	assert_int_equal(dp_run_on_cpu(cpus[1]), 0);
	for (i = 3; i < 9; i++) {
		dev = send_new_in(i, compact);
		if (i < 6)
			assert_int_equal(dev, 1); /* A's 3 not seen within the interval */
		assert_int_equal(view_b[dev], least_of(view_b));
		elsewhere += dev != 1;
		view_b[dev]++;
		exact[dev]++;
	}
	assert_true(elsewhere > 0); /* B counted its own */
	/* Every aggregate written once, by the first flow: the sum then, nothing. */
	for (n = 0; n < NDEV; n++) {
		assert_int_equal(agg_sum_of(n, &gen), 0);
		assert_int_equal(gen, 1);
	}
	/* The interval has passed: the next CPU to read sums again. */
	for (n = 0; n < NDEV; n++) {
		agg_expire(n);
		at[n] = exact[n] - live[n];
	}
	for (i = 9; i < 15; i++) {
		assert_int_equal(dp_run_on_cpu(cpus[i & 1]), 0);
		dev = send_new_in(i, compact);
		/* i = 9: sums; then A and B count from that sum and their own. */
		if (i < 11)
			assert_int_equal(exact[dev], least_of(exact));
		exact[dev]++;
	}
	dp_unpin_cpu();
	for (n = 0; n < NDEV; n++) {
		assert_int_equal(agg_sum_of(n, &gen), at[n]); /* summed by flow 9 only */
		assert_int_equal(gen, 2);
		assert_int_equal(dp_dev_assigned(DP_DEV_ID(n)), exact[n] - live[n]);
	}
	/* A report of each device: assigned is 0, and the next flows count from there. */
	for (n = 0; n < NDEV; n++) {
		set_load(n, &(struct load){.cmp = 50, .live_conns = exact[n]}, FRESH);
		assert_int_equal(dp_dev_assigned(DP_DEV_ID(n)), 0);
	}
	for (i = 15; i < 17; i++) {
		assert_int_equal(dp_run_on_cpu(cpus[i & 1]), 0);
		dev = send_new_in(i, compact);
		assert_int_equal(exact[dev], least_of(exact));
		exact[dev]++;
	}
	dp_unpin_cpu();
	for (n = 0; n < NDEV; n++)
		sum += dp_dev_assigned(DP_DEV_ID(n));
	assert_int_equal(sum, 2);
	assert_policy_clean();
}

static void test_lc_two_cpus_aggregate(void **state)
{
	(void)state;
	lc_two_cpus_aggregate(0);
}

static void test_lc_two_cpus_aggregate_compact(void **state)
{
	(void)state;
	lc_two_cpus_aggregate(1);
	dp_ct_use(0);
}

/*
 * lc counts what every CPU gave a device, whichever CPU decides: the sum
 * over CPUs goes to the last possible one, also once the first sum has
 * noted where they end (hauler_possible_cpus, bpf/assigned.h). On the
 * CPU the test runs on, device 1 (counts 5, 2, 9) takes the first flow;
 * then the last possible CPU's slot of its counter is set as if that
 * CPU had opened 3 more there (another CPU's when the test runs on the
 * last): device 1 counts 6, and the next flow goes to device 0 (5).
 * Runs on one CPU (test_lc_two_cpus needs two); skipped on a machine of
 * one CPU.
 */
static void lc_other_cpus_counted(int aggregate)
{
	const __u32 live[NDEV] = {5, 2, 9};
	__u32 key = HAULER_STAT_DEV(DP_DEV_ID(1), HAULER_STAT_NEW);
	int n, cpu, other, last = dp_possible_cpus() - 1;

	if (last < 1) {
		skip();
		return;
	}
	setup_vip(NDEV);
	dp_set_assigned_us(aggregate ? AGG_LONG_US : 0);
	for (n = 0; n < NDEV; n++)
		set_load(n, &(struct load){.cmp = 50, .live_conns = live[n]}, FRESH);
	use_policy("lc", -1, 0);
	cpu = dp_pin_cpu();
	assert_int_equal(send_new(0), 1);
	other = cpu == last ? 0 : last;
	dp_stat_set_on_cpu(key, other, 3);
	if (!aggregate) {
		assert_int_equal(send_new(1), 0);
		dp_unpin_cpu();
		assert_int_equal(dp_dev_assigned(DP_DEV_ID(1)), 4);
		assert_int_equal(dp_dev_assigned(DP_DEV_ID(0)), 1);
		assert_policy_clean();
		return;
	}
	assert_int_equal(send_new(1), 1); /* 2 + 1 of its own: 3 < 5 */
	agg_expire(1);
	assert_int_equal(send_new(2), 0); /* 2 + 2 + 3 = 7 > 5 */
	dp_stat_set_on_cpu(HAULER_STAT_DEV(DP_DEV_ID(0), HAULER_STAT_NEW), other, 3);
	dp_set_assigned_us(1);
	usleep(20000);
	assert_int_equal(send_new(3), 1);
	dp_unpin_cpu();
	assert_int_equal(dp_dev_assigned(DP_DEV_ID(1)), 6);
	assert_int_equal(dp_dev_assigned(DP_DEV_ID(0)), 4);
	assert_policy_clean();
}

static void test_lc_other_cpus_counted(void **state)
{
	(void)state;
	lc_other_cpus_counted(0);
}

/*
 * The same in aggregate mode: another CPU's 3 are not counted within the
 * interval (device 1 reads 3 and takes the second flow too), and are once
 * it has passed: by the stamp set back (7 against 5: device 0), then by
 * the clock itself (an interval of 1 us, a sleep of 20 ms) after the
 * other CPU gave device 0 three: 7 against 9, device 1, where the
 * aggregate not summed again would read 7 against 6.
 */
static void test_lc_other_cpus_counted_aggregate(void **state)
{
	(void)state;
	lc_other_cpus_counted(1);
}

/*
 * wlc: the fewest connections per unit of weight. Weights 1 and 4, counts
 * 2 and 0: device 1 takes the first 8 flows (0/4 .. 7/4 < 2/1); after that
 * every flow goes to a device of least count/weight, and the counts keep
 * the 1:4 ratio. In aggregate mode the same on one CPU.
 */
static void wlc_one(__u32 assigned_us)
{
	const __u32 weight[2] = {1, 4};
	__u32 conns[2] = {2, 0};
	int i, dev, other;

	setup_vip(2);
	dp_set_assigned_us(assigned_us);
	dp_set_device_weight(DP_DEV_ID(0), weight[0]);
	dp_set_device_weight(DP_DEV_ID(1), weight[1]);
	set_load(0, &(struct load){.cmp = 50, .live_conns = 2}, FRESH);
	set_load(1, &(struct load){.cmp = 50, .live_conns = 0}, FRESH);
	use_policy("wlc", -1, 0);
	dp_pin_cpu(); /* aggregate mode: this CPU's own choices */
	for (i = 0; i < 48; i++) {
		dev = send_new(i);
		other = 1 - dev;
		if (i < 8)
			assert_int_equal(dev, 1);
		/* conns[dev] / weight[dev] <= conns[other] / weight[other] */
		assert_true(conns[dev] * weight[other] <= conns[other] * weight[dev]);
		conns[dev]++;
	}
	dp_unpin_cpu();
	/* 50 connections at 1:4 are 10 and 40. */
	assert_in_range(conns[0], 9, 11);
	assert_in_range(conns[1], 39, 41);
	assert_policy_clean();
}

static void test_wlc(void **state)
{
	(void)state;
	wlc_one(0);
}

static void test_wlc_aggregate_one_cpu(void **state)
{
	(void)state;
	wlc_one(AGG_LONG_US);
}

/* wrr (and dwrr: the same walk): many new flows follow the ring exactly. */
static void ring_exact(const char *name)
{
	/* Weights 3, 2, 2, interleaved as the manager builds a ring. */
	const __u8 ring[] = {0, 1, 2, 0, 1, 0, 2};
	const __u32 len = sizeof(ring), start = 1000, flows = 350;
	int i, dev, cpu, count[NDEV] = {};

	setup_vip(NDEV);
	dp_set_ring(DP_SERVER, 0, ring, len);
	dp_set_ring_pos(DP_SERVER, start);
	use_policy(name, -1, 0);
	cpu = dp_pin_cpu(); /* the pointer is per CPU: one CPU's sequence */
	for (i = 0; i < (int)flows; i++) {
		dev = send_new(i);
		assert_int_equal(dev, ring[(start + i) % len]);
		count[dev]++;
	}
	assert_int_equal(dp_ring_pos_on_cpu(DP_SERVER, cpu), start + flows);
	assert_int_equal(count[0], 150);
	assert_int_equal(count[1], 100);
	assert_int_equal(count[2], 100);
	/* Load numbers do not matter to a ring walk. */
	set_cmp(0, 100);
	assert_int_equal(send_new(flows), ring[(start + flows) % len]);
	dp_unpin_cpu();
	assert_policy_clean();
}

static void test_wrr_ring_exact(void **state)
{
	(void)state;
	ring_exact("wrr");
}

static void test_dwrr_ring_exact(void **state)
{
	(void)state;
	ring_exact("dwrr");
}

/*
 * wrr on two CPUs in turn (issue 16: nothing shared written per new
 * connection): each CPU walks the ring from its own pointer, so each
 * CPU's flows follow the ring exactly and in order, and a CPU's turn
 * leaves the other's pointer where it was.
 */
static void wrr_two_cpus(int compact)
{
	const __u8 ring[] = {0, 1, 2, 0, 1, 0, 2};
	const __u32 len = sizeof(ring), start = 3, per_cpu = 2 * sizeof(ring);
	int i, c, dev, cpus[2], count[2][NDEV] = {};
	__u64 news = dp_stat(HAULER_STAT_conn_new);
	__u32 before;

	if (dp_two_cpus(cpus)) {
		skip();
		return;
	}
	setup_vip(NDEV);
	dp_ct_use(compact);
	dp_set_ring(DP_SERVER, 0, ring, len);
	dp_set_ring_pos(DP_SERVER, start);
	use_policy("wrr", -1, 0);
	for (i = 0; i < (int)(2 * per_cpu); i++) {
		c = i & 1;
		if (dp_run_on_cpu(cpus[c])) {
			dp_unpin_cpu();
			skip();
			return;
		}
		before = dp_ring_pos_on_cpu(DP_SERVER, cpus[1 - c]);
		dev = send_new_in(i, compact);
		assert_int_equal(dev, ring[(start + i / 2) % len]);
		assert_int_equal(dp_ring_pos_on_cpu(DP_SERVER, cpus[1 - c]), before);
		count[c][dev]++;
	}
	dp_unpin_cpu();
	for (c = 0; c < 2; c++) {
		assert_int_equal(dp_ring_pos_on_cpu(DP_SERVER, cpus[c]), start + per_cpu);
		/* Two whole rings a CPU: weights 3, 2, 2 twice over. */
		assert_int_equal(count[c][0], 6);
		assert_int_equal(count[c][1], 4);
		assert_int_equal(count[c][2], 4);
	}
	assert_int_equal(dp_stat(HAULER_STAT_conn_new) - news, 2 * per_cpu);
	assert_policy_clean();
}

/* Both tables: the ring walk is the policy's, whichever table records it. */
static void test_wrr_two_cpus(void **state)
{
	(void)state;
	wrr_two_cpus(0);
	wrr_two_cpus(1);
	dp_ct_use(0);
}

/* ecmp: one turn each over the usable devices of positive weight. */
static void test_ecmp_rotates(void **state)
{
	const __u32 start = 7;
	int i;

	(void)state;
	setup_vip(NDEV);
	dp_set_device_weight(DP_DEV_ID(0), 5); /* weights do not set shares */
	dp_set_ring_pos(DP_SERVER, start);
	use_policy("ecmp", -1, 0);
	dp_pin_cpu(); /* the pointer is per CPU: one CPU's sequence */
	for (i = 0; i < 3 * FLOWS; i++)
		assert_int_equal(send_new(i), (start + i) % 3);
	/* Device 1 drained: the rotation skips it. */
	dp_set_device_state(DP_DEV_ID(1), HAULER_STATE_DRAIN);
	for (i = 0; i < FLOWS; i++)
		assert_int_equal(send_new(1000 + i), (start + 3 * FLOWS + i) % 2 ? 2 : 0);
	dp_unpin_cpu();
	/* Device 2 of weight 0 leaves the rotation too: all to device 0. */
	dp_set_device_weight(DP_DEV_ID(2), 0);
	expect_all(2000, 10, 0);
	assert_policy_clean();
}

/*
 * prt, threshold 80: the CPU (weight 10) while its cmp is below 80, the
 * accelerator (weight 5) once it crosses, and the CPU again as soon as it
 * drops below. Above the threshold both: the less loaded.
 */
static void test_prt_threshold(void **state)
{
	const int cpu = 0, acc = 1;

	(void)state;
	setup_vip(2);
	dp_set_device_weight(DP_DEV_ID(cpu), 10);
	dp_set_device_weight(DP_DEV_ID(acc), 5);
	set_kind(acc, HAULER_KIND_GPU);
	set_cmp(acc, 30);
	use_policy("prt", HAULER_METRIC_CMP, 80);

	set_cmp(cpu, 10);
	expect_all(0, 20, cpu);
	set_cmp(cpu, 79);
	expect_all(100, 20, cpu);
	set_cmp(cpu, 80); /* "below" is strictly below */
	expect_all(200, 20, acc);
	set_cmp(cpu, 95);
	expect_all(300, 20, acc);
	set_cmp(cpu, 60);
	expect_all(400, 20, cpu);
	/* Both at or above 80: the less loaded. */
	set_cmp(cpu, 90);
	set_cmp(acc, 85);
	expect_all(500, 20, acc);
	set_cmp(acc, 99);
	expect_all(600, 20, cpu);
	/* The threshold is the VIP's: at 50, a CPU at 60 is over it. */
	set_cmp(cpu, 60);
	set_cmp(acc, 30);
	use_policy("prt", HAULER_METRIC_CMP, 50);
	expect_all(700, 20, acc);
	/* No metric, no threshold: the default metric cmp and threshold 80. */
	use_policy("prt", -1, 0);
	expect_all(800, 20, cpu);
	assert_policy_clean();
}

static void model_ctx(struct policy_ctx *pc, int i, int ndev, const __u8 *cmp);

/*
 * prt as the thesis defines it: with no threshold set, the fastest device
 * (highest capacity: weight) until it is fully utilized (cmp 100), then
 * the next; back as soon as it is below. Added order does not matter.
 */
static void test_prt_until_full(void **state)
{
	const int slow = 0, fast = 1;

	(void)state;
	setup_vip(2);
	dp_set_device_weight(DP_DEV_ID(slow), 1);
	dp_set_device_weight(DP_DEV_ID(fast), 8);
	use_policy("prt", -1, 0);
	set_cmp(fast, 99);
	expect_all(0, 20, fast);
	set_cmp(fast, 100);
	expect_all(100, 20, slow);
	set_cmp(fast, 97);
	expect_all(200, 20, fast);
	assert_policy_clean();
}

/* prt metric latency threshold 150: milliseconds against latency_us. */
static void test_prt_latency_ms(void **state)
{
	const int cpu = 0, acc = 1;

	(void)state;
	setup_vip(2);
	dp_set_device_weight(DP_DEV_ID(cpu), 10);
	dp_set_device_weight(DP_DEV_ID(acc), 5);
	set_load(acc, &(struct load){.latency_us = 20000}, FRESH);
	use_policy("prt", HAULER_METRIC_LATENCY, 150);
	set_load(cpu, &(struct load){.latency_us = 149000}, FRESH);
	expect_all(0, 20, cpu);
	set_load(cpu, &(struct load){.latency_us = 150000}, FRESH);
	expect_all(100, 20, acc);
	/* 300 ms: a threshold the old 8-bit field could not hold. */
	use_policy("prt", HAULER_METRIC_LATENCY, 300);
	expect_all(200, 20, cpu);
	assert_policy_clean();
}

/*
 * Weighted hash (issue 11: weight 0 got a quarter of 200 flows). Two
 * devices of weight 1 share, the two of weight 0 get nothing; every
 * choice is exactly the shared select_hash's.
 */
static void test_hash_weighted(void **state)
{
	const __u8 cmp[4] = {0, 0, 0, 0};
	int i, dev, count[4] = {};
	struct policy_ctx pc;

	(void)state;
	setup_vip(4);
	dp_set_device_weight(DP_DEV_ID(2), 0);
	dp_set_device_weight(DP_DEV_ID(3), 0);
	use_policy("hash", -1, 0);
	for (i = 0; i < 200; i++) {
		dev = send_new(i);
		model_ctx(&pc, i, 4, cmp);
		pc.cand[2].weight = pc.cand[3].weight = 0;
		assert_int_equal(dev, select_hash(&pc));
		count[dev]++;
	}
	print_message("hash, weights 1 1 0 0: %d %d %d %d of 200\n", count[0], count[1], count[2],
		      count[3]);
	assert_int_equal(count[2] + count[3], 0);
	assert_in_range(count[0], 70, 130);
	/* 3:1 */
	dp_set_device_weight(DP_DEV_ID(0), 3);
	memset(count, 0, sizeof(count));
	for (i = 0; i < 400; i++)
		count[send_new(1000 + i)]++;
	assert_int_equal(count[2] + count[3], 0);
	assert_in_range(count[0], 255, 345);
	assert_policy_clean();
}

/* The policy context of new flow i as the entry program fills it. */
static void model_ctx(struct policy_ctx *pc, int i, int ndev, const __u8 *cmp)
{
	struct frame_spec s;
	int n;

	memset(pc, 0, sizeof(*pc));
	flow_spec(&s, i);
	pc->flow = spec_flow(&s);
	pc->hash = hauler_flow_hash(&pc->flow, DP_FLOW_SEED);
	pc->n = ndev;
	for (n = 0; n < ndev; n++) {
		pc->cand[n].id = DP_DEV_ID(n);
		pc->cand[n].weight = 1;
		pc->cand[n].usable = 1;
		pc->cand[n].cmp = cmp[n];
	}
}

/*
 * p2c: each flow goes to the less loaded of its two hashed choices, so the
 * most loaded device never wins, the least loaded wins every pair it is in
 * (2 of 3), the middle one the rest (1 of 3).
 */
static void test_p2c(void **state)
{
	const __u8 cmp[NDEV] = {10, 50, 90};
	const int flows = 300;
	struct policy_ctx pc;
	int i, n, dev, count[NDEV] = {};

	(void)state;
	setup_vip(NDEV);
	for (n = 0; n < NDEV; n++)
		set_cmp(n, cmp[n]);
	use_policy("p2c", HAULER_METRIC_CMP, 0);
	for (i = 0; i < flows; i++) {
		dev = send_new(i);
		/* Exactly the shared selection function's choice. */
		model_ctx(&pc, i, NDEV, cmp);
		assert_int_equal(dev, select_p2c(&pc, HAULER_METRIC_CMP));
		count[dev]++;
	}
	assert_int_equal(count[2], 0);
	/* 200 and 100 expected; 3 standard deviations are about 25. */
	assert_in_range(count[0], 175, 225);
	assert_in_range(count[1], 75, 125);
	/* Two devices: the pair is always both, the less loaded always wins. */
	dp_set_device_state(DP_DEV_ID(0), HAULER_STATE_DRAIN);
	expect_all(1000, FLOWS, 1);
	assert_policy_clean();
}

/* The load-aware policies: their names and the metric they are set to. */
static const struct {
	const char *name;
	int metric;
} load_aware[] = {
    {"lur", HAULER_METRIC_CMP},
    {"lur", HAULER_METRIC_MEM},
    {"lur", HAULER_METRIC_NET},
    {"jsq", -1},
    {"lc", -1},
    {"wlc", -1},
    {"prt", HAULER_METRIC_CMP},
    {"p2c", HAULER_METRIC_CMP},
    {"example_lat", -1},
};
#define NLOAD_AWARE (sizeof(load_aware) / sizeof(load_aware[0]))

/* Numbers that make a device the last choice, or the first, of every policy. */
static const struct load busy = {90, 90, 90, 90, 100000, 900};
static const struct load idle = {0, 0, 0, 0, 0, 0};
static const struct load light = {30, 30, 30, 30, 30, 300};

/* Shares within TOL percentage points over STALE_FLOWS flows. */
#define STALE_FLOWS 800
#define TOL	    6 /* about 4 standard deviations at p = 1/2 */

static void assert_share(const char *what, int count, int total, int want_pct)
{
	int pct = count * 100 / total;

	if (pct < want_pct - TOL || pct > want_pct + TOL)
		fail_msg("%s: %d of %d flows (%d%%), want %d%% +- %d", what, count, total, pct,
			 want_pct, TOL);
}

/*
 * A stale device is taken by its weight, whatever its old numbers say:
 * device 0 (weight 2) reported "idle" at boot (stale at stale-ms 1000);
 * device 1 (weight 1) is fresh and busy, device 2 (weight 1) fresh and
 * lightly loaded, both stamped again before every flow so that no flow
 * sees them stale however long the batch takes. Device 0 gets its wrr
 * share 2/4; the fresh devices share the rest by load: all of it to
 * device 2.
 */
static void test_stale_by_weight(void **state)
{
	size_t p;
	int i, count[NDEV];

	(void)state;
	setup_vip(NDEV);
	dp_set_device_weight(DP_DEV_ID(0), 2);
	for (p = 0; p < NLOAD_AWARE; p++) {
		const char *name = load_aware[p].name;
		int is_p2c = !strcmp(name, "p2c");

		conns_clear();
		set_load(0, &idle, BOOT);
		set_load(1, &busy, FRESH);
		set_load(2, &light, FRESH);
		use_policy_ms(name, load_aware[p].metric, 80, 1000);
		memset(count, 0, sizeof(count));
		for (i = 0; i < STALE_FLOWS; i++) {
			touch_load(1);
			touch_load(2);
			count[send_new(i)]++;
		}
		print_message("%-11s metric %2d: stale w2 %d, busy w1 %d, light w1 %d\n", name,
			      load_aware[p].metric, count[0], count[1], count[2]);
		assert_share(name, count[0], STALE_FLOWS, 50);
		assert_int_equal(count[1], 0);
		assert_share(name, count[2], STALE_FLOWS, 50);

		/*
		 * A second-old report is fresh at stale-ms FRESH_FOR_MS and
		 * "idle" wins: every flow (p2c: every pair it is in, 2 of 3).
		 */
		conns_clear();
		set_load(0, &idle, OLD);
		set_params(name, load_aware[p].metric, 80, FRESH_FOR_MS);
		memset(count, 0, sizeof(count));
		for (i = 0; i < FLOWS; i++)
			count[send_new(i)]++;
		assert_int_equal(count[1], 0);
		if (is_p2c)
			assert_in_range(count[0], FLOWS / 2, FLOWS - 1);
		else
			assert_int_equal(count[0], FLOWS);
	}
	assert_policy_clean();
	conns_clear();
}

/*
 * Every device stale (one never reported, one a second ago, stale at the
 * default stale-ms of 100): the choice is by weight alone, 3:1, though the
 * old numbers favour the light device. (Only getting older, these
 * reports are stale however slowly the flows run.)
 */
static void test_all_stale_by_weight(void **state)
{
	size_t p;
	int i, count[2];

	(void)state;
	setup_vip(2);
	dp_set_device_weight(DP_DEV_ID(0), 3);
	dp_set_device_weight(DP_DEV_ID(1), 1);
	for (p = 0; p < NLOAD_AWARE; p++) {
		conns_clear();
		set_load(0, &busy, NEVER);
		set_load(1, &idle, OLD);
		use_policy_ms(load_aware[p].name, load_aware[p].metric, 80, 0);
		memset(count, 0, sizeof(count));
		for (i = 0; i < STALE_FLOWS; i++)
			count[send_new(i)]++;
		assert_share(load_aware[p].name, count[0], STALE_FLOWS, 75);
		assert_share(load_aware[p].name, count[1], STALE_FLOWS, 25);
	}
	assert_policy_clean();
	conns_clear();
}

/*
 * A report stamped with CLOCK_MONOTONIC (as a user-space writer stamps it)
 * is fresh. That clock runs up to a tick ahead of the coarse one the
 * datapath reads, so "now - updated_ns" may be negative: the report is
 * then 0 ms old, as user/dwrr.c and `hauler device show` count it, not
 * older than stale-ms.
 */
static void test_report_stamped_now_is_fresh(void **state)
{
	struct dev_state st = {.cmp = 10, .mem = 50, .net = 50, .queue = 50, .seq = 1};
	struct timespec ts;
	__u32 key = DP_DEV_ID(1);

	(void)state;
	setup_vip(2);
	dp_set_device_weight(DP_DEV_ID(0), 3); /* by weight, it would get 3 in 4 */
	set_cmp(0, 90);
	use_policy("lur", HAULER_METRIC_CMP, 0);
	assert_int_equal(clock_gettime(CLOCK_MONOTONIC, &ts), 0);
	st.updated_ns = (__u64)ts.tv_sec * NS_PER_S + ts.tv_nsec;
	assert_int_equal(bpf_map_update_elem(dp_map("dev_state"), &key, &st, BPF_ANY), 0);
	expect_all(0, 20, 1);
	assert_policy_clean();
}

/* New UDP flows 0..FLOWS-1 through the UDP VIP: how many went to device 0. */
static int udp_flows_to_dev0(void)
{
	struct frame_spec s;
	int i, n0 = 0;

	conns_clear();
	for (i = 0; i < FLOWS; i++) {
		spec_to_vip(&s, 4, IPPROTO_UDP, 0);
		s.sport = SPORT0 + i;
		n0 += send_flow(&s) == 0;
	}
	return n0;
}

/*
 * A UDP service whose device 0 has a full receive queue (queue 100: the
 * kernel drops what arrives, as hauler-agent --proto udp reports it) and
 * device 1 an empty one. hash, which reads no load, sends device 0 its
 * half of the new flows, to be dropped; jsq sends it none.
 */
static void test_jsq_udp_beats_hash(void **state)
{
	int hash0, jsq0;

	(void)state;
	dp_simple_vip(4, IPPROTO_UDP, HAULER_FWD_NAT, 2);
	set_load(0, &(struct load){.queue = 100}, FRESH);
	set_load(1, &(struct load){.queue = 0}, FRESH);
	use_policy("hash", -1, 0);
	hash0 = udp_flows_to_dev0();
	use_policy("jsq", -1, 0);
	jsq0 = udp_flows_to_dev0();
	print_message("UDP flows to the full queue: hash %d, jsq %d of %d\n", hash0, jsq0, FLOWS);
	assert_in_range(hash0, FLOWS / 4, 3 * FLOWS / 4);
	assert_int_equal(jsq0, 0);
	assert_policy_clean();
	conns_clear();
}

/* A version-2 report of load l, age_ms old, stating period_ms (0: trigger-only). */
static void set_report_v2(int n, const struct load *l, __u64 age_ms, __u32 period_ms, __u8 busy)
{
	struct dev_state st;
	__u32 key = DP_DEV_ID(n);

	set_load(n, l, FRESH);
	assert_int_equal(bpf_map_lookup_elem(dp_map("dev_state"), &key, &st), 0);
	st.version = 2;
	st.period_ms = period_ms;
	st.busy = busy;
	st.updated_ns = now_ns() - age_ms * 1000000ull;
	assert_int_equal(bpf_map_update_elem(dp_map("dev_state"), &key, &st, BPF_ANY), 0);
}

/* Flows to device 0 (of 2, weights 1:1) out of FLOWS under lur cmp. */
static int flows_to_dev0(void)
{
	int i, n0 = 0;

	conns_clear();
	for (i = 0; i < FLOWS; i++) {
		touch_load(1); /* device 1 stays fresh, however slow the flows */
		n0 += send_new(i) == 0;
	}
	return n0;
}

/*
 * Staleness from the agent's own period (select_dev_stale): device 0
 * reported "idle" 500 ms ago, device 1 is fresh and busy. Under lur, a
 * fresh device 0 takes every flow, a stale one only its weight's half.
 *  - period 1000 ms (a slow agent): 500 ms is half a period, fresh (the
 *    fixed 100 ms of before made it stale);
 *  - period 10 ms, K default 10: stale after 100 ms, stale;
 *  - period 10 ms, stale-periods 100: 1 s, fresh;
 *  - period 0 (trigger-only): fresh however old;
 *  - version 1 (no period): stale-ms, default 100: stale.
 */
static void test_stale_by_period(void **state)
{
	struct policy_params p = {.metric_set = 1, .metric = HAULER_METRIC_CMP};
	__u32 key = DP_SLOT;
	int n0;

	(void)state;
	setup_vip(2);
	use_policy_ms("lur", HAULER_METRIC_CMP, 0, 0); /* version 1: the default stale-ms */
	set_load(1, &busy, FRESH);

	set_report_v2(0, &idle, 500, 1000, 0);
	assert_int_equal(flows_to_dev0(), FLOWS);
	set_report_v2(0, &idle, 500, 10, 0);
	n0 = flows_to_dev0();
	assert_in_range(n0, FLOWS / 4, 3 * FLOWS / 4);
	set_report_v2(0, &idle, 500, 0, 0);
	assert_int_equal(flows_to_dev0(), FLOWS);
	set_load(0, &idle, OLD); /* version 1, one second old */
	n0 = flows_to_dev0();
	assert_in_range(n0, FLOWS / 4, 3 * FLOWS / 4);

	strcpy((char *)p.name, "lur");
	p.stale_periods = 100;
	assert_int_equal(bpf_map_update_elem(dp_map("policy_params"), &key, &p, BPF_ANY), 0);
	set_report_v2(0, &idle, 500, 10, 0);
	assert_int_equal(flows_to_dev0(), FLOWS);
	p.stale_periods = 49; /* 490 ms < 500 ms */
	assert_int_equal(bpf_map_update_elem(dp_map("policy_params"), &key, &p, BPF_ANY), 0);
	n0 = flows_to_dev0();
	assert_in_range(n0, FLOWS / 4, 3 * FLOWS / 4);
	assert_policy_clean();
	conns_clear();
}

/*
 * P4Mite's busy: device 0 reports idle numbers but BUSY (trigger-only, as
 * a latency-threshold agent does); under every load-aware policy it is
 * saturated and gets no new flow while devices 1 and 2 are available. When
 * it reports available again it is the first choice (its weight 2 makes it
 * prt's first rank too).
 */
static void busy_round(int busy, int count[NDEV])
{
	int i;

	conns_clear();
	set_report_v2(0, &idle, 0, 0, busy);
	set_load(1, &light, FRESH); /* assigned back to 0 */
	set_load(2, &light, FRESH);
	memset(count, 0, NDEV * sizeof(count[0]));
	for (i = 0; i < FLOWS; i++)
		count[send_new(i)]++;
}

static void test_busy_is_saturated(void **state)
{
	int count[NDEV];
	size_t p;

	(void)state;
	setup_vip(NDEV);
	dp_set_device_weight(DP_DEV_ID(0), 2);
	for (p = 0; p < NLOAD_AWARE; p++) {
		use_policy(load_aware[p].name, load_aware[p].metric, 80);
		busy_round(1, count);
		if (count[0])
			fail_msg("%s: the busy device got %d of %d new flows", load_aware[p].name,
				 count[0], FLOWS);
		assert_true(count[1] > 0 && count[2] > 0);
		busy_round(0, count);
		if (count[0] < FLOWS / 2) /* p2c: the pairs it is in */
			fail_msg("%s: available again, device 0 got only %d of %d",
				 load_aware[p].name, count[0], FLOWS);
	}
	assert_policy_clean();
	conns_clear();
}
/* drained_under's state for "up, but failed its health check". */
#define FAILED_CHECK 255

/*
 * Under every policy a drained (or down, or failed by its health check)
 * device takes no new flow, even when its numbers, weight and ring slots
 * make it the first choice, and its established flow keeps forwarding to it.
 */
static void drained_under(const char *name, int metric, __u8 state)
{
	const __u8 ring[] = {0, 0, 0, 1, 2};
	struct frame_spec old;
	int i, dev, hits = 0;

	conns_clear();
	dp_reset(NULL);
	setup_vip(NDEV);
	dp_set_ring(DP_SERVER, 0, ring, sizeof(ring));
	dp_set_device_weight(DP_DEV_ID(0), 10);
	set_load(0, &idle, FRESH);
	set_load(1, &light, FRESH);
	set_load(2, &light, FRESH);
	use_policy(name, metric, 80);
	/* An established flow on device 0 (the hash policy: the first that lands there). */
	for (i = 0; i < 64; i++) {
		flow_spec(&old, 50000 + i);
		if (send_flow(&old) == 0)
			break;
	}
	assert_true(i < 64);

	if (state == FAILED_CHECK)
		dp_set_device_health(DP_DEV_ID(0), HAULER_HEALTH_FAILED);
	else
		dp_set_device_state(DP_DEV_ID(0), state);
	for (i = 0; i < FLOWS; i++) {
		/* Forwarded (send_new fails a drop), and not to device 0. */
		dev = send_new(i);
		if (dev == 0)
			fail_msg("%s: new flow %d went to the %s device", name, i,
				 state == HAULER_STATE_DRAIN ? "drained"
				 : state == FAILED_CHECK     ? "failed"
							     : "down");
		assert_in_range(dev, 1, NDEV - 1);
		assert_int_equal(send_flow(&old), 0);
		hits++;
	}
	assert_int_equal(dp_dev_assigned(DP_DEV_ID(0)), 1);
	assert_int_equal(dp_stat(HAULER_STAT_conn_hit), hits);
	assert_policy_clean();
}

static void test_drained_gets_nothing_new(void **state)
{
	size_t p;

	(void)state;
	for (p = 0; p < NPOLICIES; p++)
		drained_under(policies[p].name, -1, HAULER_STATE_DRAIN);
	drained_under("lur", HAULER_METRIC_MEM, HAULER_STATE_DRAIN);
	drained_under("lur", HAULER_METRIC_NET, HAULER_STATE_DRAIN);
	drained_under("prt", HAULER_METRIC_CMP, HAULER_STATE_DOWN);
	drained_under("wrr", -1, HAULER_STATE_DOWN);
}

/* --- spill-over ------------------------------------------------------------- */

#define SPILL_SERVER 4 /* the second server: devices 2 and 3 */

/* Table of DP_TABLE slots: server DP_SERVER in slots 0, 3, 5, SPILL_SERVER elsewhere. */
static const __u16 spill_table[DP_TABLE] = {DP_SERVER,	  SPILL_SERVER, SPILL_SERVER, DP_SERVER,
					    SPILL_SERVER, DP_SERVER,	SPILL_SERVER};

/* The usual VIP's server (devices 0, 1) and a second one (devices 2, 3), all idle. */
static void setup_two_servers(void)
{
	const __u16 devs[2] = {DP_DEV_ID(2), DP_DEV_ID(3)};

	setup_vip(2);
	dp_add_device(DP_DEV_ID(2), 4, 2, SPILL_SERVER, 0, HAULER_STATE_UP);
	dp_add_device(DP_DEV_ID(3), 4, 3, SPILL_SERVER, 1, HAULER_STATE_UP);
	dp_add_server(SPILL_SERVER, DP_VIP_ID, devs, 2);
	dp_set_pool(DP_VIP_ID, 0, spill_table, DP_TABLE);
	set_cmp(2, 0);
	set_cmp(3, 0);
}

static void use_spill(const char *name, int metric, __u32 threshold, __u8 spill)
{
	struct policy_params p = {.threshold = threshold, .spill = spill};
	__u32 key = DP_SLOT;

	if (metric >= 0) {
		p.metric_set = 1;
		p.metric = metric;
	}
	strncpy((char *)p.name, name, sizeof(p.name) - 1);
	assert_int_equal(bpf_map_update_elem(dp_map("policy_params"), &key, &p, BPF_ANY), 0);
	dp_set_policy(DP_SLOT, policy(name)->fd);
}

/* The server the flow's Maglev preference names after `first` (select_spill.h); -1: none. */
static int spill_target(int i)
{
	struct frame_spec s;
	struct flow_key f;
	__u32 hash, k, srv, first;

	flow_spec(&s, i);
	f = spec_flow(&s);
	hash = hauler_flow_hash(&f, DP_FLOW_SEED);
	first = spill_table[hash % DP_TABLE];
	for (k = 1; k <= HAULER_SPILL_PROBES; k++) {
		srv = spill_table[select_spill_slot(hash, k, DP_TABLE)];
		if (srv != first)
			return srv;
	}
	return -1;
}

static int first_server(int i)
{
	struct frame_spec s;
	struct flow_key f;

	flow_spec(&s, i);
	f = spec_flow(&s);
	return spill_table[hauler_flow_hash(&f, DP_FLOW_SEED) % DP_TABLE];
}

/*
 * prt, spill 1: the first server's devices are both fully utilized, so a
 * flow Maglev sends there goes to the next server of its preference,
 * counted; without spill it stays (the less loaded of the full devices).
 */
static void test_spill_saturated(void **state)
{
	int i, dev, spilled = 0, none = 0, stayed = 0;

	(void)state;
	setup_two_servers();
	set_cmp(0, 100);
	set_cmp(1, 100);
	use_spill("prt", -1, 0, 1);
	for (i = 0; i < 100; i++) {
		dev = send_new(i);
		if (first_server(i) == SPILL_SERVER) {
			assert_in_range(dev, 2, 3);
		} else if (spill_target(i) == SPILL_SERVER) {
			assert_in_range(dev, 2, 3);
			spilled++;
		} else { /* no other server in 16 probes: stays */
			assert_in_range(dev, 0, 1);
			none++;
		}
	}
	assert_true(spilled > 10);
	assert_int_equal(dp_stat(HAULER_STAT_spill), spilled);
	assert_int_equal(dp_stat(HAULER_STAT_spill_none), none);
	assert_policy_clean();

	/* Spill 0 (the default): the flows stay on the full server. */
	dp_stats_zero();
	use_spill("prt", -1, 0, 0);
	for (i = 200; i < 300; i++)
		if (first_server(i) == DP_SERVER) {
			assert_in_range(send_new(i), 0, 1);
			stayed++;
		}
	assert_true(stayed > 10);
	assert_int_equal(dp_stat(HAULER_STAT_spill), 0);

	/* Below the threshold again: no spill, the first server's fastest device. */
	set_cmp(0, 50);
	use_spill("prt", -1, 0, 1);
	for (i = 400; i < 500; i++)
		if (first_server(i) == DP_SERVER)
			assert_in_range(send_new(i), 0, 1);
	assert_int_equal(dp_stat(HAULER_STAT_spill), 0);
}

/*
 * Every policy: when no device of the chosen server is usable (both
 * drained) the flow spills to the next server instead of being dropped.
 */
static void test_spill_unusable_all_policies(void **state)
{
	size_t p;
	int i, sent, dev;

	(void)state;
	for (p = 0; p < NPOLICIES; p++) {
		conns_clear();
		dp_reset(NULL);
		setup_two_servers();
		dp_set_device_state(DP_DEV_ID(0), HAULER_STATE_DRAIN);
		dp_set_device_state(DP_DEV_ID(1), HAULER_STATE_DRAIN);
		use_spill(policies[p].name, -1, 0, 1);
		for (i = 0, sent = 0; i < 60; i++) {
			if (first_server(i) != DP_SERVER || spill_target(i) != SPILL_SERVER)
				continue;
			dev = send_new(i);
			if (dev < 2)
				fail_msg("%s: flow %d went to %d, not to the next server",
					 policies[p].name, i, dev);
			sent++;
		}
		assert_true(sent > 5);
		assert_int_equal(dp_stat(HAULER_STAT_spill), sent);
		assert_int_equal(dp_stat(HAULER_STAT_drop_no_device), 0);
		assert_int_equal(dp_stat(HAULER_STAT_policy_fallback), 0);
	}
	/* Without spill those flows are dropped, as before. */
	use_spill("hash", -1, 0, 0);
	for (i = 1000; i < 1060; i++)
		if (first_server(i) == DP_SERVER)
			assert_int_equal(send_new_may_drop(i), -1);
	assert_true(dp_stat(HAULER_STAT_drop_no_device) > 5);
}

/*
 * Both servers saturated: spill 1 moves the flow once and the second
 * server's less loaded device takes it; spill 3 finds no third server
 * (the walk skips the first and the current one): counted in spill_none.
 */
static void test_spill_everywhere_saturated(void **state)
{
	int i, n = 0;

	(void)state;
	setup_two_servers();
	set_cmp(0, 100);
	set_cmp(1, 100);
	set_cmp(2, 100);
	set_cmp(3, 100);
	use_spill("prt", -1, 0, 1);
	for (i = 0; i < 100; i++)
		if (first_server(i) == DP_SERVER && spill_target(i) == SPILL_SERVER) {
			assert_in_range(send_new(i), 2, 3);
			n++;
		}
	assert_int_equal(dp_stat(HAULER_STAT_spill), n);
	assert_int_equal(dp_stat(HAULER_STAT_spill_none), 0);
	dp_stats_zero();
	use_spill("prt", -1, 0, 3);
	for (i = 200, n = 0; i < 300; i++)
		if (first_server(i) == DP_SERVER && spill_target(i) == SPILL_SERVER) {
			assert_in_range(send_new(i), 2, 3);
			n++;
		}
	assert_true(n > 10);
	assert_int_equal(dp_stat(HAULER_STAT_spill), n);
	assert_int_equal(dp_stat(HAULER_STAT_spill_none), n);
	assert_policy_clean();
}

/*
 * server set NAME spill-to OTHER: the first server spills to a standby
 * server that holds no Maglev slot (devices 4, 5), not to the flow's
 * Maglev preference; a standby that is not in use is skipped.
 */
static void test_spill_to_standby(void **state)
{
	const __u16 devs[2] = {DP_DEV_ID(4), DP_DEV_ID(5)};
	const __u32 standby = 5, key = DP_SERVER;
	struct server_info srv;
	int i, n = 0;

	(void)state;
	setup_two_servers();
	dp_add_device(DP_DEV_ID(4), 4, 4, standby, 0, HAULER_STATE_UP);
	dp_add_device(DP_DEV_ID(5), 4, 5, standby, 1, HAULER_STATE_UP);
	dp_add_server(standby, DP_VIP_ID, devs, 2);
	set_cmp(4, 0);
	set_cmp(5, 0);
	set_cmp(0, 100);
	set_cmp(1, 100);
	assert_int_equal(bpf_map_lookup_elem(dp_map("servers"), &key, &srv), 0);
	srv.spill_to = standby + 1;
	assert_int_equal(bpf_map_update_elem(dp_map("servers"), &key, &srv, BPF_ANY), 0);
	use_spill("prt", -1, 0, 1);
	for (i = 0; i < 100; i++) {
		if (first_server(i) != DP_SERVER)
			continue;
		assert_in_range(send_new(i), 4, 5);
		n++;
	}
	assert_true(n > 10);
	assert_int_equal(dp_stat(HAULER_STAT_spill), n);
	/* The standby gone: back to the Maglev preference. */
	memset(&srv, 0, sizeof(srv));
	assert_int_equal(bpf_map_update_elem(dp_map("servers"), &standby, &srv, BPF_ANY), 0);
	for (i = 200; i < 300; i++)
		if (first_server(i) == DP_SERVER && spill_target(i) == SPILL_SERVER)
			assert_in_range(send_new(i), 2, 3);
	assert_policy_clean();
}

/* A device its health check failed is unusable under every policy. */
static void test_failed_check_gets_nothing_new(void **state)
{
	size_t p;

	(void)state;
	for (p = 0; p < NPOLICIES; p++)
		drained_under(policies[p].name, -1, FAILED_CHECK);
}

/*
 * Flat tier (docs/policies.md, "Flat tier"): the manager's model and
 * commit (model_commit) write a flat VIP's group and pool; the policy
 * then chooses among the devices of every server. Device fJ, J = 0..5,
 * is at address J of the harness; sA holds f0..f2, sB f3..f5; weight
 * 1 + J % 3.
 */
#define FLAT_DEVS 6
#define FLAT_VIP  "10.9.9.9:80/tcp"

static struct model flat_base, flat_cur;

static void flat_build(struct model *m, const char *policy, const char *tier)
{
	char text[2048];
	size_t used;
	int j;

	model_init_empty(m);
	used = snprintf(text, sizeof(text),
			"vip add " FLAT_VIP " policy %s tier %s\n"
			"server add sA vip " FLAT_VIP "\nserver add sB vip " FLAT_VIP "\n",
			policy, tier);
	for (j = 0; j < FLAT_DEVS; j++)
		used += snprintf(text + used, sizeof(text) - used,
				 "device add f%d server %s addr 10.1.1.%d port %d weight %d\n", j,
				 j < 3 ? "sA" : "sB", 20 + j, DP_DEV_PORT, 1 + j % 3);
	assert_int_equal(batch_apply_string(m, text, "flat"), 0);
}

/* Commit cur over what the maps hold (base: read back, as the manager does). */
static void flat_commit(struct model *cur)
{
	struct config cfg;
	__u32 zero = 0;

	assert_int_equal(bpf_map_lookup_elem(dp_map("config"), &zero, &cfg), 0);
	cur->config = cfg; /* the harness's interface and ports */
	if (model_commit(dp_maps(), dp_pin_dir(), &flat_base, cur))
		fail_msg("commit: %s", err_msg());
	assert_int_equal(model_load(&flat_base, dp_maps()), 0);
}

/* Device fJ's load: a trigger-only version-2 report (never stale by age). */
static void flat_load(int j, __u8 cmp)
{
	struct dev_state st = {.cmp = cmp,
			       .mem = 50,
			       .net = 50,
			       .queue = 50,
			       .latency_us = 100,
			       .version = 2,
			       .seq = 1};
	char name[8];
	__u32 id;

	snprintf(name, sizeof(name), "f%d", j);
	id = model_device_find(&flat_cur, name);
	st.updated_ns = now_ns();
	assert_int_equal(bpf_map_update_elem(dp_map("dev_state"), &id, &st, BPF_ANY), 0);
}

/* Send flow i; the J of the device it went to (checked against its entry). */
static int flat_send(int i)
{
	__u8 frame[DP_FRAME_MAX];
	struct frame_spec s;
	struct dp_out out;
	struct flow_key f;
	struct conn c;
	char name[8];
	int j;

	flow_spec(&s, i);
	assert_int_equal(dp_run(frame, build(&s, frame), &out), 0);
	assert_int_equal(out.verdict, XDP_TX);
	j = out.data[5] - 0x14;
	assert_in_range(j, 0, FLAT_DEVS - 1);
	snprintf(name, sizeof(name), "f%d", j);
	f = spec_flow(&s);
	assert_int_equal(dp_conn_get(&f, &c), 0);
	assert_int_equal(c.device, model_device_find(&flat_cur, name));
	return j;
}

/* Every policy chooses over both servers' devices of a flat VIP. */
static void test_flat_every_policy(void **state)
{
	int count[FLAT_DEVS], i, j, a, b;
	size_t p;

	for (p = 0; p < NPOLICIES; p++) {
		const char *name = policies[p].name;

		dp_reset(state);
		model_init_empty(&flat_base);
		flat_build(&flat_cur, name, "flat");
		flat_commit(&flat_cur);
		for (j = 0; j < FLAT_DEVS; j++)
			flat_load(j, 10);
		memset(count, 0, sizeof(count));
		for (i = 0; i < 60; i++)
			count[flat_send(i)]++;
		a = count[0] + count[1] + count[2];
		b = count[3] + count[4] + count[5];
		printf("flat %-12s f0..f5: %d %d %d | %d %d %d\n", name, count[0], count[1],
		       count[2], count[3], count[4], count[5]);
		if (!a || !b)
			fail_msg("flat %s: %d flows on sA, %d on sB", name, a, b);
		assert_policy_clean();
		assert_int_equal(dp_stat(HAULER_STAT_conn_new), 60);
	}
}

/*
 * The manager's commit records in each device's entry its VIP's mode, id
 * and key (device_info.fwd, vip_id, vip: the compact table's fast path
 * and nat return path read them there); an entry without them (fwd 0)
 * is rewritten by the next commit.
 */
static void test_device_vip_fields(void **state)
{
	struct device_info d;
	struct vip_key want;
	__u32 key, vip_id;
	char name[8];
	int j;

	(void)state;
	model_init_empty(&flat_base);
	flat_build(&flat_cur, "hash", "maglev");
	flat_commit(&flat_cur);
	vip_id = flat_cur.servers[model_server_find(&flat_cur, "sB")].vip_id;
	want = flat_cur.vips[vip_id].key;
	for (j = 0; j < FLAT_DEVS; j++) {
		snprintf(name, sizeof(name), "f%d", j);
		key = model_device_find(&flat_cur, name);
		assert_int_equal(bpf_map_lookup_elem(dp_map("devices"), &key, &d), 0);
		assert_int_equal(d.fwd, HAULER_FWD_NAT + 1);
		assert_int_equal(d.vip_id, vip_id);
		assert_memory_equal(&d.vip, &want, sizeof(want));
	}
	hauler_device_vip_set(&d, NULL, 0, 0);
	assert_int_equal(bpf_map_update_elem(dp_map("devices"), &key, &d, BPF_ANY), 0);
	assert_int_equal(model_load(&flat_base, dp_maps()), 0);
	flat_commit(&flat_cur);
	assert_int_equal(bpf_map_lookup_elem(dp_map("devices"), &key, &d), 0);
	assert_int_equal(d.fwd, HAULER_FWD_NAT + 1);
	assert_int_equal(d.vip_id, vip_id);
	assert_memory_equal(&d.vip, &want, sizeof(want));
}

/* lur over all devices: the least utilized of the VIP, whichever server holds it. */
static int flat_all_to(int first, int n, int want)
{
	int i, hits = 0;

	for (i = first; i < first + n; i++)
		hits += flat_send(i) == want;
	return hits;
}

/*
 * Maglev then flat then Maglev again, under live flows: established
 * flows keep their devices across each switch; new flows follow the tier
 * (flat: all to f4, the least utilized of the VIP; Maglev: sA's flows to
 * sA's least utilized); the flat group goes when the VIP leaves flat.
 */
static void test_flat_tier_switch(void **state)
{
	int dev[40], i, j, hits;
	struct server_info g;
	__u32 key;

	(void)state;
	model_init_empty(&flat_base);
	flat_build(&flat_cur, "lur", "maglev");
	flat_commit(&flat_cur);
	for (j = 0; j < FLAT_DEVS; j++)
		flat_load(j, j == 4 ? 5 : j == 1 ? 20 : 80);
	for (i = 0; i < 40; i++) {
		dev[i] = flat_send(i);
		assert_true(dev[i] == 1 || dev[i] == 4); /* each server's least utilized */
	}
	hits = flat_all_to(0, 40, 4);
	assert_in_range(hits, 1, 39); /* Maglev sent some to sA, some to sB */

	flat_cur = flat_base;
	assert_int_equal(batch_apply_string(&flat_cur, "vip set " FLAT_VIP " tier flat\n", "t"), 0);
	flat_commit(&flat_cur);
	key = model_flat_index(&flat_cur, 0);
	assert_int_equal(bpf_map_lookup_elem(dp_map("servers"), &key, &g), 0);
	assert_int_equal(g.in_use, 1);
	assert_int_equal(g.dev_count, FLAT_DEVS);
	for (i = 0; i < 40; i++)
		assert_int_equal(flat_send(i), dev[i]); /* established: untouched */
	assert_int_equal(flat_all_to(100, 40, 4), 40);

	flat_cur = flat_base;
	assert_int_equal(batch_apply_string(&flat_cur, "vip set " FLAT_VIP " tier maglev\n", "t"),
			 0);
	flat_commit(&flat_cur);
	assert_int_equal(bpf_map_lookup_elem(dp_map("servers"), &key, &g), 0);
	assert_int_equal(g.in_use, 0);
	for (i = 0; i < 40; i++)
		assert_int_equal(flat_send(i), dev[i]);
	assert_int_equal(flat_all_to(100, 40, 4), 40); /* flows of the flat time stay */
	hits = flat_all_to(200, 40, 4);
	assert_in_range(hits, 1, 39);
	assert_policy_clean();
}

/* wrr on a flat VIP walks one ring over all six devices: weights 1 2 3 1 2 3 exactly. */
static void test_flat_wrr_ring(void **state)
{
	int count[FLAT_DEVS] = {}, i, j;

	(void)state;
	model_init_empty(&flat_base);
	flat_build(&flat_cur, "wrr", "flat");
	flat_commit(&flat_cur);
	for (i = 0; i < 2 * 12; i++)
		count[flat_send(i)]++;
	for (j = 0; j < FLAT_DEVS; j++)
		assert_int_equal(count[j], 2 * (1 + j % 3));
	assert_policy_clean();
}

#define T(fn) cmocka_unit_test_setup(fn, dp_reset)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_lur),
	    T(test_lur_tie_shared),
	    T(test_jsq),
	    T(test_lc),
	    T(test_lc_two_cpus),
	    T(test_lc_two_cpus_compact),
	    T(test_lc_other_cpus_counted),
	    T(test_lc_aggregate_one_cpu),
	    T(test_lc_two_cpus_aggregate),
	    T(test_lc_two_cpus_aggregate_compact),
	    T(test_lc_other_cpus_counted_aggregate),
	    T(test_wlc_aggregate_one_cpu),
	    T(test_wlc),
	    T(test_wrr_ring_exact),
	    T(test_dwrr_ring_exact),
	    T(test_wrr_two_cpus),
	    T(test_ecmp_rotates),
	    T(test_prt_threshold),
	    T(test_prt_until_full),
	    T(test_prt_latency_ms),
	    T(test_hash_weighted),
	    T(test_spill_saturated),
	    T(test_spill_unusable_all_policies),
	    T(test_spill_everywhere_saturated),
	    T(test_spill_to_standby),
	    T(test_p2c),
	    T(test_stale_by_weight),
	    T(test_all_stale_by_weight),
	    T(test_report_stamped_now_is_fresh),
	    T(test_jsq_udp_beats_hash),
	    T(test_stale_by_period),
	    T(test_busy_is_saturated),
	    T(test_drained_gets_nothing_new),
	    T(test_failed_check_gets_nothing_new),
	    T(test_flat_every_policy),
	    T(test_flat_tier_switch),
	    T(test_flat_wrr_ring),
	    T(test_device_vip_fields),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
