// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_policy.c - the device tier: the tail call into the VIP's policy,
 * the built-in hash when the slot is empty, wrr following the ring from
 * the server's pointer, and drained devices taking no new flows.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <cmocka.h>
/* hauler_hash.h unrolls with a clang pragma that gcc does not know. */
#pragma GCC diagnostic ignored "-Wunknown-pragmas"
#include "select/select.h"
#include "map_write.h"
#include "frames.h"

#define FLOWS 48

/* Send s (a new or known flow); returns the device it was sent to, or -1 if dropped. */
static int send_flow(const struct frame_spec *s)
{
	int n = send_nat_flow(s);

	return n < 0 ? -1 : DP_DEV_ID(n);
}

/* The hash choice for the flow of s among ndev usable devices, in user space. */
static int expected_hash_device(const struct frame_spec *s, int ndev)
{
	struct policy_ctx pc = {};
	__u32 choice;
	int i;

	pc.flow = spec_flow(s);
	pc.hash = hauler_flow_hash(&pc.flow, DP_FLOW_SEED);
	pc.n = ndev;
	for (i = 0; i < ndev; i++) {
		pc.cand[i].id = DP_DEV_ID(i);
		pc.cand[i].usable = 1;
	}
	choice = select_hash(&pc);
	assert_true(choice < (__u32)ndev);
	return DP_DEV_ID(choice);
}

/*
 * The hash choice of the first flows of hash_choice among 3 devices,
 * worked out apart from hauler (separate Python transcriptions of the
 * published algorithms: the flow hash, the key's 64-bit hash under seed
 * 0x4a61 folded, hauler_flow_hash; that hash's 4 bytes through
 * MurmurHash3_x86_32, seed 0x5e1ec7; mod 3): an independent oracle
 * beside expected_hash_device, which shares the code it checks.
 */
static const int by_hand[] = {1, 0, 2, 1, 1, 0, 2, 1};

static void hash_choice(int use_program)
{
	struct frame_spec s;
	int i, seen[3] = {}, dev;

	dp_simple_vip(4, IPPROTO_TCP, HAULER_FWD_NAT, 3);
	if (use_program)
		dp_set_policy(DP_SLOT, dp_hash_fd());
	spec_to_vip(&s, 4, IPPROTO_TCP, 0);
	for (i = 0; i < FLOWS; i++) {
		s.sport = 1000 + i * 13;
		dev = send_flow(&s);
		assert_int_equal(dev, expected_hash_device(&s, 3));
		if (i < (int)(sizeof(by_hand) / sizeof(by_hand[0])))
			assert_int_equal(dev, DP_DEV_ID(by_hand[i]));
		seen[dev - DP_DEV_ID(0)]++;
	}
	for (i = 0; i < 3; i++) {
		assert_true(seen[i] > 0);
		assert_int_equal(dp_dev_assigned(DP_DEV_ID(i)), seen[i]);
		assert_int_equal(dp_stat(HAULER_STAT_DEV(DP_DEV_ID(i), HAULER_STAT_NEW)), seen[i]);
	}
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), FLOWS);
	assert_int_equal(dp_stat(HAULER_STAT_policy_fallback), use_program ? 0 : FLOWS);
	assert_int_equal(dp_stat(HAULER_STAT_policy_bad_choice), 0);
}

/* No program in the slot: still forwarded, by the built-in hash. */
static void test_empty_slot_falls_back_to_hash(void **state)
{
	(void)state;
	hash_choice(0);
}

/* The hash policy program chooses exactly as the built-in fallback. */
static void test_hash_program(void **state)
{
	(void)state;
	hash_choice(1);
}

/* The scratch hand-over a policy reads: flow, hash, server, candidates. */
static void test_policy_context(void **state)
{
	/* Per-CPU values come 8-byte aligned, one after the other. */
	const size_t stride = (sizeof(struct policy_ctx) + 7) & ~(size_t)7;
	int ncpu = libbpf_num_possible_cpus(), cpu, found = 0;
	char *pcs = calloc(ncpu, stride);
	struct frame_spec s;
	struct flow_key fk;
	__u32 zero = 0;
	int i;

	(void)state;
	assert_non_null(pcs);
	dp_simple_vip(6, IPPROTO_TCP, HAULER_FWD_NAT, 3);
	dp_set_device_state(DP_DEV_ID(1), HAULER_STATE_DRAIN);
	spec_to_vip(&s, 6, IPPROTO_TCP, 1);
	s.tcp_flags = TCPF_SYN;
	send_flow(&s);
	fk = spec_flow(&s);
	assert_int_equal(bpf_map_lookup_elem(dp_map("scratch"), &zero, pcs), 0);
	for (cpu = 0; cpu < ncpu; cpu++) {
		const struct policy_ctx *pc = (const void *)(pcs + cpu * stride);

		if (memcmp(&pc->flow, &fk, sizeof(fk)))
			continue;
		found = 1;
		assert_int_equal(pc->hash, hauler_flow_hash(&fk, DP_FLOW_SEED));
		assert_int_equal(pc->server, DP_SERVER);
		assert_int_equal(pc->vip_id, DP_VIP_ID);
		assert_int_equal(pc->slot, DP_SLOT);
		assert_int_equal(pc->fwd_mode, HAULER_FWD_NAT);
		assert_int_equal(pc->l3_off, 18);
		assert_int_equal(pc->l4_off, 18 + 40);
		assert_int_equal(pc->tcp_flags, TCPF_SYN);
		assert_int_equal(pc->n, 3);
		for (i = 0; i < 3; i++) {
			assert_int_equal(pc->cand[i].id, DP_DEV_ID(i));
			assert_int_equal(pc->cand[i].usable, i != 1);
			assert_int_equal(pc->cand[i].weight, 1);
			/* Never reported: state unknown. */
			assert_int_equal(pc->cand[i].stale, 1);
		}
	}
	free(pcs);
	assert_true(found);
}

/* wrr: new flows follow the ring from the server's pointer, slot by slot. */
static void test_wrr_follows_ring(void **state)
{
	const __u8 ring[] = {0, 1, 1};
	const __u32 start = 5;
	struct frame_spec s;
	int i, dev, cpu, count[2] = {};

	(void)state;
	dp_simple_vip(4, IPPROTO_UDP, HAULER_FWD_NAT, 2);
	dp_set_ring(DP_SERVER, 0, ring, 3);
	dp_set_ring_pos(DP_SERVER, start);
	dp_set_policy(DP_SLOT, dp_wrr_fd());
	spec_to_vip(&s, 4, IPPROTO_UDP, 0);
	cpu = dp_pin_cpu(); /* the pointer is per CPU: one CPU's sequence */
	for (i = 0; i < FLOWS; i++) {
		s.sport = 2000 + i;
		dev = send_flow(&s);
		assert_int_equal(dev, DP_DEV_ID(ring[(start + i) % 3]));
		count[dev - DP_DEV_ID(0)]++;
		/* The established flow does not move the pointer. */
		assert_int_equal(send_flow(&s), dev);
	}
	assert_int_equal(dp_ring_pos_on_cpu(DP_SERVER, cpu), start + FLOWS);
	dp_unpin_cpu();
	assert_int_equal(count[0], FLOWS / 3);
	assert_int_equal(count[1], 2 * FLOWS / 3);
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), FLOWS);
	assert_int_equal(dp_stat(HAULER_STAT_conn_hit), FLOWS);
	assert_int_equal(dp_stat(HAULER_STAT_policy_fallback), 0);
	assert_int_equal(dp_stat(HAULER_STAT_policy_bad_choice), 0);
}

/* The second ring version is used once the server points at it. */
static void test_wrr_ring_version(void **state)
{
	const __u8 ring0[] = {0}, ring1[] = {1};
	const __u16 devs[] = {DP_DEV_ID(0), DP_DEV_ID(1)};
	struct server_info srv;
	struct frame_spec s;
	__u32 key = DP_SERVER;

	(void)state;
	dp_simple_vip(4, IPPROTO_TCP, HAULER_FWD_NAT, 2);
	dp_set_ring(DP_SERVER, 0, ring0, 1);
	dp_set_ring(DP_SERVER, 1, ring1, 1);
	dp_set_policy(DP_SLOT, dp_wrr_fd());
	spec_to_vip(&s, 4, IPPROTO_TCP, 0);
	assert_int_equal(send_flow(&s), devs[0]);
	assert_int_equal(bpf_map_lookup_elem(dp_map("servers"), &key, &srv), 0);
	srv.ring_version = 1;
	assert_int_equal(mapw_server(dp_maps(), key, &srv), 0);
	s.sport++;
	assert_int_equal(send_flow(&s), devs[1]);
}

/* A drained device takes no new flow, and keeps the one it has. */
static void test_wrr_drained_device(void **state)
{
	const __u8 ring[] = {0, 1, 1};
	struct frame_spec s, old;
	int i;

	(void)state;
	dp_simple_vip(4, IPPROTO_TCP, HAULER_FWD_NAT, 2);
	dp_set_ring(DP_SERVER, 0, ring, 3);
	dp_set_policy(DP_SLOT, dp_wrr_fd());
	spec_to_vip(&old, 4, IPPROTO_TCP, 0);
	assert_int_equal(send_flow(&old), DP_DEV_ID(0));

	dp_set_device_state(DP_DEV_ID(0), HAULER_STATE_DRAIN);
	s = old;
	for (i = 0; i < FLOWS; i++) {
		s.sport = 3000 + i;
		assert_int_equal(send_flow(&s), DP_DEV_ID(1));
		assert_int_equal(send_flow(&old), DP_DEV_ID(0));
	}
	/* The same for a device that is down. */
	dp_set_device_state(DP_DEV_ID(0), HAULER_STATE_DOWN);
	for (i = 0; i < 6; i++) {
		s.sport = 4000 + i;
		assert_int_equal(send_flow(&s), DP_DEV_ID(1));
	}
	assert_int_equal(dp_dev_assigned(DP_DEV_ID(0)), 1);
	assert_int_equal(dp_dev_assigned(DP_DEV_ID(1)), FLOWS + 6);
	assert_int_equal(dp_stat(HAULER_STAT_conn_hit), FLOWS);
	assert_int_equal(dp_stat(HAULER_STAT_policy_bad_choice), 0);
}

/* A server whose devices are all drained drops new flows. */
static void all_drained(int use_wrr)
{
	const __u8 ring[] = {0, 1};
	struct frame_spec s, old;

	dp_simple_vip(6, IPPROTO_TCP, HAULER_FWD_NAT, 2);
	dp_set_ring(DP_SERVER, 0, ring, 2);
	if (use_wrr)
		dp_set_policy(DP_SLOT, dp_wrr_fd());
	spec_to_vip(&old, 6, IPPROTO_TCP, 0);
	assert_true(send_flow(&old) >= 0);
	dp_set_device_state(DP_DEV_ID(0), HAULER_STATE_DRAIN);
	dp_set_device_state(DP_DEV_ID(1), HAULER_STATE_DRAIN);
	dp_stats_zero();

	s = old;
	s.sport++;
	assert_int_equal(send_flow(&s), -1);
	assert_int_equal(dp_stat(HAULER_STAT_drop_no_device), 1);
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 0);
	assert_int_equal(dp_conn_count(), 2); /* only the old flow's two entries */
	/* The established flow still forwards. */
	assert_true(send_flow(&old) >= 0);
	assert_int_equal(dp_stat(HAULER_STAT_conn_hit), 1);
}

static void test_all_drained_drops_new_flows(void **state)
{
	(void)state;
	all_drained(0);
	assert_int_equal(dp_stat(HAULER_STAT_policy_fallback), 1);
}

static void test_all_drained_drops_new_flows_wrr(void **state)
{
	(void)state;
	all_drained(1);
	/* wrr found no usable device: counted as a bad choice, then dropped. */
	assert_int_equal(dp_stat(HAULER_STAT_policy_bad_choice), 1);
}

/* A ring slot naming no device of the server hands the flow to the hash. */
static void test_wrr_bad_slot(void **state)
{
	const __u8 ring[] = {7};
	struct frame_spec s;
	int i, dev;

	(void)state;
	dp_simple_vip(4, IPPROTO_TCP, HAULER_FWD_NAT, 2);
	dp_set_ring(DP_SERVER, 0, ring, 1);
	dp_set_policy(DP_SLOT, dp_wrr_fd());
	spec_to_vip(&s, 4, IPPROTO_TCP, 0);
	for (i = 0; i < 8; i++) {
		s.sport = 5000 + i;
		dev = send_flow(&s);
		assert_int_equal(dev, expected_hash_device(&s, 2));
	}
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 8);
}

/* A device of the other family is never a candidate. */
static void test_other_family_device_not_chosen(void **state)
{
	const __u16 devs[] = {DP_DEV_ID(0), DP_DEV_ID(1)};
	struct frame_spec s;
	int i;

	(void)state;
	dp_simple_vip(4, IPPROTO_TCP, HAULER_FWD_NAT, 1);
	dp_add_device(DP_DEV_ID(1), 6, 1, DP_SERVER, 1, HAULER_STATE_UP);
	dp_add_server(DP_SERVER, DP_VIP_ID, devs, 2);
	spec_to_vip(&s, 4, IPPROTO_TCP, 0);
	for (i = 0; i < 16; i++) {
		s.sport = 6000 + i;
		assert_int_equal(send_flow(&s), DP_DEV_ID(0));
	}
}

/*
 * New flows to the VIP, whose policy slot is slot, with policy_progs[slot]
 * holding prog_fd (< 0: empty): every flow goes where that program (wrr:
 * the ring's one device, 2; none or hash: the hash choice) sends it.
 */
static void flows_follow(int prog_fd, int use_wrr, __u16 slot, int compact, int round)
{
	__u64 fallback = dp_stat(HAULER_STAT_policy_fallback);
	struct frame_spec s;
	int i, dev, want, off_ring = 0;

	dp_set_policy(slot, prog_fd);
	spec_to_vip(&s, 4, IPPROTO_TCP, 0);
	for (i = 0; i < FLOWS; i++) {
		s.sport = 7000 + round * FLOWS + i;
		dev = compact ? DP_DEV_ID(send_nat(&s)) : send_flow(&s);
		want = use_wrr ? DP_DEV_ID(2) : expected_hash_device(&s, 3);
		assert_int_equal(dev, want);
		off_ring += dev != DP_DEV_ID(2);
	}
	/* The hash sends some elsewhere: wrr's choice and the hash's differ. */
	assert_true(use_wrr ? off_ring == 0 : off_ring > 0);
	assert_int_equal(dp_stat(HAULER_STAT_policy_fallback) - fallback, prog_fd < 0 ? FLOWS : 0);
}

/*
 * Policy swaps on slot, one map update each, take effect on the next new
 * flow: wrr, hash, wrr, none, wrr. Slots below HAULER_POLICY_DIRECT are
 * reached by a direct jump the kernel patches on each update
 * (bpf/policy_call.h): a jump left unpatched would run the old program.
 */
static void swaps_take_effect(__u16 slot, int compact)
{
	const __u8 ring[] = {2};

	dp_simple_vip(4, IPPROTO_TCP, HAULER_FWD_NAT, 3);
	dp_add_vip(4, IPPROTO_TCP, DP_VIP_PORT, DP_VIP_ID, HAULER_FWD_NAT, slot, DP_TABLE);
	dp_set_ring(DP_SERVER, 0, ring, 1);
	dp_ct_use(compact);
	flows_follow(dp_wrr_fd(), 1, slot, compact, 0);
	flows_follow(dp_hash_fd(), 0, slot, compact, 1);
	flows_follow(dp_wrr_fd(), 1, slot, compact, 2);
	flows_follow(-1, 0, slot, compact, 3);
	flows_follow(dp_wrr_fd(), 1, slot, compact, 4);
	assert_int_equal(dp_stat(HAULER_STAT_conn_new), 5 * FLOWS);
	dp_set_policy(slot, -1);
}

static void test_swap_direct_slot(void **state)
{
	(void)state;
	swaps_take_effect(HAULER_POLICY_DIRECT - 1, 0);
}

static void test_swap_direct_slot_compact(void **state)
{
	(void)state;
	swaps_take_effect(0, 1);
}

/* Slots past the direct ones: the shared indirect call. */
static void test_swap_indirect_slot(void **state)
{
	(void)state;
	swaps_take_effect(HAULER_POLICY_DIRECT, 0);
}

static void test_swap_indirect_slot_compact(void **state)
{
	(void)state;
	swaps_take_effect(HAULER_POLICY_DIRECT + 1, 1);
}

/*
 * Call sites "r2 = policy_progs; r3 = key; tail call" with a constant key in
 * the program of prog_fd, as the kernel holds it (xlated): one for each of
 * keys 0 .. HAULER_POLICY_DIRECT - 1 (the kernel makes each a direct jump)
 * and none for any other key.
 */
static void check_direct_sites(int prog_fd)
{
	struct bpf_prog_info info = {}, map_info = {};
	__u32 len = sizeof(info), mlen = sizeof(map_info), n, i, k;
	int sites[HAULER_POLICY_DIRECT] = {}, other = 0;
	struct bpf_insn *insns;

	assert_int_equal(bpf_obj_get_info_by_fd(dp_map("policy_progs"), &map_info, &mlen), 0);
	assert_int_equal(bpf_obj_get_info_by_fd(prog_fd, &info, &len), 0);
	n = info.xlated_prog_len / sizeof(*insns);
	insns = calloc(n, sizeof(*insns));
	assert_non_null(insns);
	memset(&info, 0, sizeof(info));
	info.xlated_prog_len = n * sizeof(*insns);
	info.xlated_prog_insns = (__u64)(unsigned long)insns;
	len = sizeof(info);
	assert_int_equal(bpf_obj_get_info_by_fd(prog_fd, &info, &len), 0);
	for (i = 0; i + 3 < n; i++) {
		const struct bpf_insn *ld = &insns[i], *key = &insns[i + 2], *call = &insns[i + 3];

		if (ld->code != (BPF_LD | BPF_DW | BPF_IMM) || ld->src_reg != BPF_PSEUDO_MAP_FD ||
		    (__u32)ld->imm != map_info.id || ld->dst_reg != BPF_REG_2)
			continue;
		if (call->code != (BPF_JMP | BPF_CALL) || call->imm != BPF_FUNC_tail_call ||
		    key->code != (BPF_ALU64 | BPF_MOV | BPF_K) || key->dst_reg != BPF_REG_3)
			continue;
		k = key->imm;
		if (k < HAULER_POLICY_DIRECT)
			sites[k]++;
		else
			other++;
	}
	free(insns);
	for (k = 0; k < HAULER_POLICY_DIRECT; k++)
		assert_int_equal(sites[k], 1);
	assert_int_equal(other, 0);
}

/* Both copies of the new-flow path: the entry program's and the compact table's. */
static void test_direct_call_sites(void **state)
{
	(void)state;
	check_direct_sites(dp_entry_fd());
	check_direct_sites(dp_ct_fd());
}

#define T(fn) cmocka_unit_test_setup(fn, dp_reset)

/* The flow hash the entry program handed the policy of flow fk (per-CPU scratch). */
static __u32 handed_hash(const struct flow_key *fk)
{
	const size_t stride = (sizeof(struct policy_ctx) + 7) & ~(size_t)7;
	int ncpu = libbpf_num_possible_cpus(), cpu;
	char *pcs = calloc(ncpu, stride);
	__u32 zero = 0, hash = 0;
	int found = 0;

	assert_non_null(pcs);
	assert_int_equal(bpf_map_lookup_elem(dp_map("scratch"), &zero, pcs), 0);
	for (cpu = 0; cpu < ncpu; cpu++) {
		const struct policy_ctx *pc = (const void *)(pcs + cpu * stride);

		if (!memcmp(&pc->flow, fk, sizeof(*fk))) {
			hash = pc->hash;
			found = 1;
		}
	}
	free(pcs);
	assert_true(found);
	return hash;
}

/*
 * The flow hash is keyed by config.flow_seed: the datapath hashes with the
 * seed in force (the same function the manager and tests use), and a new
 * flow under another seed gets another hash.
 */
static void test_flow_hash_seed(void **state)
{
	const __u32 seed = 0x5eed1234;
	struct frame_spec s;
	struct flow_key fk;

	(void)state;
	dp_simple_vip(4, IPPROTO_TCP, HAULER_FWD_NAT, 3);
	dp_set_flow_seed(seed);
	spec_to_vip(&s, 4, IPPROTO_TCP, 7);
	s.tcp_flags = TCPF_SYN;
	send_flow(&s);
	fk = spec_flow(&s);
	assert_int_equal(handed_hash(&fk), hauler_flow_hash(&fk, seed));
	assert_int_not_equal(handed_hash(&fk), hauler_flow_hash(&fk, DP_FLOW_SEED));
	dp_set_flow_seed(DP_FLOW_SEED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_empty_slot_falls_back_to_hash),
	    T(test_hash_program),
	    T(test_policy_context),
	    T(test_wrr_follows_ring),
	    T(test_wrr_ring_version),
	    T(test_wrr_drained_device),
	    T(test_all_drained_drops_new_flows),
	    T(test_all_drained_drops_new_flows_wrr),
	    T(test_wrr_bad_slot),
	    T(test_other_family_device_not_chosen),
	    T(test_flow_hash_seed),
	    T(test_swap_direct_slot),
	    T(test_swap_direct_slot_compact),
	    T(test_swap_indirect_slot),
	    T(test_swap_indirect_slot_compact),
	    T(test_direct_call_sites),
	};

	return cmocka_run_group_tests(tests, dp_setup, dp_teardown);
}
