// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_bench_veth - the benchmark's count of frames a veth's ring refused
 * (tools/bench_veth.h, veth_xmit_errors, from which bench_rate's flood
 * case tells ACKs lost before hauler ran from ACKs it handled wrongly),
 * read after an overflow forced on purpose.
 *
 * As in the benchmark (tools/bench.sh, bench_rate.c): a veth pair of two
 * queues each way, a live-frames generator (BPF_PROG_TEST_RUN) that
 * redirects into the sending end, and an XDP program on the receiving
 * end, the benchmark's own sink (bench/sink.bpf.c), so that end takes the
 * frames through the rings of its NAPI (VETH_RING_SIZE, 256 frames). The
 * generator, bpf/broadcast.bpf.c, sends every frame three times (three
 * entries of a devmap, all the sending end): a batch of BATCH frames
 * offers three times the ring's size before the NAPI can run, so two
 * thirds or more are refused however the CPU is shared. (The benchmark's
 * generator with a sink that held each frame 50 us overflowed the ring
 * too, but only on an idle CPU: under load the NAPI's ksoftirqd emptied
 * it between batches.) Every frame sent is then either counted by the
 * sink or refused: sent == seen + veth_xmit_errors() exactly, once the
 * ring has drained.
 *
 * The receiving queue is the generator's CPU modulo the queues (veth's
 * veth_select_rxq), its refusals counted on the sending end's
 * tx_queue_(CPU % 2)_xdp_xmit_errors: a run from a CPU of the other queue
 * checks that every queue is read, not one only. It is skipped where the
 * binary may run on CPUs of one queue only (taskset -c 0, a cpuset of
 * CPU 0 as under tools/quiet.sh).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <linux/if_link.h>

#include "harness.h"
#include "bench_veth.h"

#define QUEUES	    2	 /* each way, as tools/bench.sh's pair */
#define BATCH	    256	 /* the generator's batch (the most a test run takes): the ring's size */
#define FRAMES	    4096 /* one run: 16 batches */
#define SETTLE_MS   2000 /* at most, for the ring to drain after a run */
#define SETTLE_STEP 10

static char send_if[IFNAMSIZ], recv_if[IFNAMSIZ];
static int send_ifindex, recv_ifindex;
static struct bpf_object *gen, *sink;
static int gen_fd, copies, count_fd, len_fd;

/* Open and load BUILD/path; NULL (with a message) when it does not load. */
static struct bpf_object *load(const char *path)
{
	const char *build = getenv("HAULER_BUILD") ? getenv("HAULER_BUILD") : "build";
	char full[512];
	struct bpf_object *obj;

	snprintf(full, sizeof(full), "%s/%s", build, path);
	obj = bench_obj_try_load(full, NULL);
	if (!obj)
		fprintf(stderr, "test_bench_veth: cannot load %s (run make)\n", full);
	return obj;
}

/* Every entry of the generator's devmap: the sending end. */
static int gen_configure(void)
{
	struct bpf_map *devs = bpf_object__find_map_by_name(gen, "broadcast_devs");
	__u32 i, ifindex = send_ifindex;

	if (!devs)
		return -1;
	copies = bpf_map__max_entries(devs);
	for (i = 0; i < (__u32)copies; i++)
		if (bpf_map_update_elem(bpf_map__fd(devs), &i, &ifindex, BPF_ANY))
			return -1;
	return 0;
}

static int setup(void **state)
{
	int pid = (int)getpid() % 10000000;

	/*
	 * The objects first: the namespaces mount a private /tmp, which
	 * hides a build under /tmp (a CI clone's).
	 */
	gen = load("tests/datapath/bpf/broadcast.bpf.o");
	sink = load("bench/sink.bpf.o");
	if (!gen || !sink || dp_setup_namespaces(state))
		return -1;
	snprintf(send_if, sizeof(send_if), "hlr%ds", pid);
	snprintf(recv_if, sizeof(recv_if), "hlr%dr", pid);
	/* No IPv6: the kernel sends nothing of its own on the pair. */
	if (dp_sh("sysctl -q -w net.ipv6.conf.default.disable_ipv6=1") ||
	    dp_sh("ip link add %s numtxqueues %d numrxqueues %d type veth peer name %s "
		  "numtxqueues %d numrxqueues %d",
		  send_if, QUEUES, QUEUES, recv_if, QUEUES, QUEUES) ||
	    dp_sh("ip link set %s up", send_if) || dp_sh("ip link set %s up", recv_if))
		return -1;
	send_ifindex = if_nametoindex(send_if);
	recv_ifindex = if_nametoindex(recv_if);
	if (!send_ifindex || !recv_ifindex)
		return -1;
	gen_fd = bench_prog_fd(gen, "broadcast");
	count_fd = bench_obj_map(sink, "sink_count");
	len_fd = bench_obj_map(sink, "sink_len");
	if (gen_configure() || bpf_xdp_attach(recv_ifindex, bench_prog_fd(sink, "bench_sink"),
					      XDP_FLAGS_DRV_MODE, NULL)) {
		fprintf(stderr, "test_bench_veth: configure the generator or attach the sink: %s\n",
			strerror(errno));
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	bpf_object__close(gen);
	bpf_object__close(sink);
	return dp_teardown(state);
}

/* Frames the sink counted: the generator's (of its length), all. */
static __u64 seen(void)
{
	return bench_sink_sum(len_fd, SINK_LEN_PLAIN);
}

static __u64 seen_all(void)
{
	return bench_sink_sum(count_fd, 0);
}

/* The first CPU the binary may run on; with other, the first whose queue differs. -1: none. */
static int usable_cpu(int other)
{
	int cpu, first = -1;
	cpu_set_t set;

	CPU_ZERO(&set);
	if (sched_getaffinity(0, sizeof(set), &set))
		return -1;
	for (cpu = 0; cpu < dp_possible_cpus() && cpu < CPU_SETSIZE; cpu++) {
		if (!CPU_ISSET(cpu, &set))
			continue;
		if (first < 0)
			first = cpu;
		if (!other || cpu % QUEUES != first % QUEUES)
			return cpu;
	}
	return -1;
}

/*
 * FRAMES frames from cpu in batches of BATCH, each sent copies times:
 * each copy counted by the sink or by veth_xmit_errors, and some refused
 * (copies - 1 of every copies, or more: the ring holds BATCH).
 */
static void overflow_on(int cpu)
{
	__u8 frame[BENCH_GEN_LEN] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = sizeof(frame),
		    .repeat = FRAMES, .batch_size = BATCH, .flags = BPF_F_TEST_XDP_LIVE_FRAMES);
	__u64 sent = (__u64)FRAMES * copies, seen0 = seen(), all0 = seen_all();
	__u64 err0 = veth_xmit_errors(send_ifindex), got, err, other;
	int ms, rc;

	if (dp_run_on_cpu(cpu)) {
		dp_unpin_cpu();
		fail_msg("cannot run on CPU %d", cpu);
	}
	rc = bpf_prog_test_run_opts(gen_fd, &opts);
	dp_unpin_cpu();
	assert_int_equal(rc, 0);
	/* Frames still in the ring when the run returns: the NAPI drains them. */
	for (ms = 0;; ms += SETTLE_STEP) {
		got = seen() - seen0;
		err = veth_xmit_errors(send_ifindex) - err0;
		if (got + err >= sent || ms >= SETTLE_MS)
			break;
		usleep(SETTLE_STEP * 1000);
	}
	other = seen_all() - all0 - got;
	print_message("CPU %d (queue %d): %llu frames sent, %llu seen by the sink, %llu refused "
		      "(veth_xmit_errors), %llu others seen (the kernel's)\n",
		      cpu, cpu % QUEUES, (unsigned long long)sent, (unsigned long long)got,
		      (unsigned long long)err, (unsigned long long)other);
	assert_true(got > 0);
	assert_true(err > 0);
	assert_int_equal(got + err, sent);
}

/* From the first CPU the binary may run on: refusals on its queue. */
static void test_overflow(void **state)
{
	int cpu = usable_cpu(0);

	(void)state;
	if (cpu < 0)
		fail_msg("no CPU to run on");
	overflow_on(cpu);
}

/* From a CPU of the other queue: veth_xmit_errors reads that queue too. */
static void test_overflow_other_queue(void **state)
{
	int cpu = usable_cpu(1);

	(void)state;
	if (cpu < 0) {
		print_message("one queue's CPUs only (taskset, cpuset): the other not checked\n");
		skip();
	}
	overflow_on(cpu);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_overflow),
	    cmocka_unit_test(test_overflow_other_queue),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
