#!/bin/bash
# test_bench_smoke.sh BUILD - one run of every benchmark with tiny counts
# (BENCH_QUICK=1): asserts only that each produces its figures, never
# what they are. The benchmarks themselves (`make bench`) are no test.
SYS_LIMIT=${SYS_LIMIT:-170}
. "$(dirname "$0")/lib.sh"
sys_init "$@"

out=$(mktemp /tmp/hlr-bench-smoke.XXXXXX) || sys_abort "mktemp"
trap 'rm -f "$out"; sys_cleanup' EXIT

bench_nses() { ip netns list | awk '/^hlrb/ {print $1}' | sort; }
before=$(bench_nses)
if BENCH_QUICK=1 BENCH_OUT=$out bash "$SYS_DIR/../../tools/bench.sh" "$BUILD"; then
	ok "tools/bench.sh ran (quick)"
else
	fail "tools/bench.sh exited non-zero"
fi

# A figure is present when its key is followed by a number.
figure() {
	grep -qE "\"$1\":[-0-9.e+]+" "$out"
}
for key in established_nat established_ipip non_vip_pass nat_return new_nat_fallback \
	hauler_mpps floor_mpps ratio hauler_ns_per_packet swap_us_p50 policy_fallback \
	bytes_per_entry bytes_per_nat_connection bytes_per_connection conn_per_s latency_us_p50 latency_us_p99 \
	echo_mb_per_s new_conn_per_s; do
	if figure "$key"; then
		ok "figure $key"
	else
		fail "no figure $key in the JSON"
	fi
done
# The large-table case: its first table, every packet a hit (bench_rate checks), a rate.
if grep -qE '"rate_large_tables":\{"established_20000":\{"flows":20000,"hauler_mpps":[0-9.e+]+' "$out"; then
	ok "figure rate_large_tables.established_20000"
else
	fail "no large-table figure in the JSON"
fi
# New flows under flood, and under a flood that cycles small tables (no established flow
# lost); new flows with the policy slot empty and to the ipip VIP (hash, and the empty
# slot); the compact table beside the LRU: an established and a new-flow rate, a large table.
for path in '"rate_flood":\{"mix":10,"frames":[0-9]+,"lru_syn":\{"real_conn_per_s":[0-9.e+]+,' \
	'"rate_flood":\{.*"compact_ack":\{"real_conn_per_s":[0-9.e+]+,"ratio_to_new":[0-9.e+]+,"completed":[0-9.e+]+' \
	'"rate":\{.*"new_nat_builtin":\{"flows":0,"hauler_mpps":[0-9.e+]+' \
	'"rate":\{.*"new_ipip":\{"flows":0,"hauler_mpps":[0-9.e+]+' \
	'"rate":\{.*"new_ipip_builtin":\{"flows":0,"hauler_mpps":[0-9.e+]+' \
	'"rate_compact":\{.*"new_ipip_builtin":\{"flows":0,"lru_mpps":[0-9.e+]+,"compact_mpps":[0-9.e+]+' \
	'"rate_flood_cycled":\{"connections":[0-9]+,"established":[0-9]+,"mix":10,"lru_syn":\{"round_trip_frames":[0-9]+,"round_trip_ms":[0-9.e+]+,"real_conn_per_s":[0-9.e+]+,"ratio_to_new":[0-9.e+]+,"completed":[0-9.e+]+,"table_cycles":[0-9.e+]+' \
	'"rate_flood_cycled":\{.*"compact_ack":\{[^}]*"established_kept":[0-9]+,"established_lost":0,"conn_evicted":0\}' \
	'"rate_compact":\{.*"new_ipip":\{"flows":0,"lru_mpps":[0-9.e+]+,"compact_mpps":[0-9.e+]+' \
	'"rate_compact":\{"established_100":\{"flows":100,"lru_mpps":[0-9.e+]+,"compact_mpps":[0-9.e+]+' \
	'"rate_compact":\{.*"new":\{"flows":0,"lru_mpps":[0-9.e+]+,"compact_mpps":[0-9.e+]+' \
	'"rate_large_tables_compact":\{"established_20000":\{"flows":20000,"lru_mpps":[0-9.e+]+,"compact_mpps":[0-9.e+]+' \
	'"memory_compact_nat":\{"entries_written":200000,'; do
	if grep -qE "$path" "$out"; then
		ok "compact figure ${path%%\\*}"
	else
		fail "no compact figure $path in the JSON"
	fi
done
# Connections: the balancer beside the kernel forwarding the same hops (nginx's
# row only where nginx is installed: null otherwise).
if grep -qE '"connections":\{"rounds":1,"balancer":\{[^}]*"conn_per_s":[0-9.e+]+[^}]*\},"direct":\{[^}]*\},"kernel_forwarding":\{[^}]*"ok":40,' "$out" &&
	grep -qE '"proxy":(null|\{[^}]*"ok":40,)' "$out" &&
	grep -qE '"to_kernel_forwarding":[0-9.e+]+' "$out"; then
	ok "connections: balancer, kernel forwarding and direct figures"
else
	fail "no kernel-forwarding connection figures in the JSON"
fi
# The ipip VIP's path (direct server return): every connection completed, and its ratio
# to direct. bench.sh fails the part (checked above) when they took another way.
if grep -qE '"balancer_ipip":\{[^}]*"ok":40,[^}]*"conn_per_s":[0-9.e+]+' "$out" &&
	grep -qE '"ipip_conn_per_s":[0-9.e+]+' "$out"; then
	ok "connections: balancer (ipip, direct server return) figures"
else
	fail "no ipip (direct server return) connection figures in the JSON"
fi
# The rate cases in rounds (quick mode: 2): each compact case's +ns, the
# median of its rounds' pairs, lies between the rounds' smallest and largest.
if rounds_ok=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["rate"]["rounds"] == 2, "rounds %r" % d["rate"].get("rounds")
n = 0
for k, c in d["rate"]["rate_compact"].items():
    lo, mid, hi = c["compact_extra_ns_lo"], c["compact_extra_ns_per_packet"], c["compact_extra_ns_hi"]
    assert lo <= mid <= hi, "%s: %s %s %s" % (k, lo, mid, hi)
    n += 1
print(n)' "$out" 2>&1) && [ "$rounds_ok" -gt 0 ]; then
	ok "rate in 2 rounds: each of $rounds_ok compact cases' +ns within its rounds' range"
else
	fail "rate rounds: $rounds_ok"
fi
if grep -q '"policy_fallback":0[,}]' "$out"; then
	ok "no packet met an empty policy slot during the swaps"
else
	fail "packets fell back to the built-in hash during policy swaps"
fi
# Where the time goes (make bench-profile): one case under perf's timer,
# its samples mapped to the programs' source lines (tools/bench_profile.c):
# a time a packet, the entry program's share of it, lines of its source.
if prof=$(BENCH_QUICK=1 BENCH_ONLY=profile BENCH_PROFILE=established_100 BENCH_PROFILE_HZ=10000 \
	BENCH_OUT=$out.prof bash "$SYS_DIR/../../tools/bench.sh" "$BUILD" 2>&1) &&
	echo "$prof" | grep -qE 'over [1-9][0-9]* packets: [1-9][0-9]*\.[0-9] ns a packet$' &&
	echo "$prof" | grep -qE '^  hauler_xdp +[1-9][0-9]* +[0-9.]+% +[0-9]*[1-9][0-9]*\.[0-9]$' &&
	echo "$prof" | grep -qE '^  (bpf|include)/[a-z_/]+\.[ch]:[0-9]+ +[1-9][0-9]* .* hauler_xdp$'; then
	ok "profile: the entry program's samples, by source line"
else
	fail "profile: $(echo "$prof" | tail -5)"
fi
rm -f "$out.prof"
# A namespace is hlrbPID[c], PID the benchmark tool's: one whose process
# still lives belongs to another run going on beside this test.
left=$(comm -13 <(echo "$before") <(bench_nses) | while read -r ns; do
	pid=${ns#hlrb} pid=${pid%%[!0-9]*}
	[ -n "$pid" ] && [ -d "/proc/$pid" ] || echo "$ns"
done | tr '\n' ' ')
if [ -z "${left// /}" ]; then
	ok "the benchmarks left no namespace behind"
else
	fail "namespaces left behind: $left"
fi
sys_finish
