#!/bin/bash
# bench.sh BUILD - hauler's benchmarks (`make bench`, root). Prints one
# table and writes the same figures as JSON (bench/results.json, or
# $BENCH_OUT). docs/performance.md says what each figure means.
#
#   per-packet  BUILD/tools/bench_pkt   BPF_PROG_TEST_RUN, path by path
#   rate        BUILD/tools/bench_rate  live-frames generator -> veth -> hauler
#                                       or the floor -> sink; new flows under
#                                       flood; policy swap
#   memory      BUILD/tools/bench_mem   conns filled with 1,000,000 entries; the
#                                       compact table filled with 1M and 10M
#   connections BUILD/tools/bench_conn  TCP through the balancer (nat, and
#                                       ipip: direct server return) vs kernel
#                                       forwarding, nginx and direct, on
#                                       tools/topology.sh's topology
#                                       (tools/bench_conn_part.sh)
#
# Environment:
#   BENCH_QUICK=1        tiny counts (the smoke test): figures, not numbers
#   BENCH_ONLY="pkt rate mem conn"   run only these parts
#   BENCH_POLICIES=a,b   per-packet and new-flow rates: only these policies (default:
#                        every one built)
#   BENCH_OUT=FILE       where the JSON goes
#   BENCH_DEBUG=1        libbpf's messages (verifier logs) on stderr
#   BENCH_CPU=N          pin every benchmark thread to CPU N (a quiet-CPU run)
#   BENCH_MEM_ENTRIES=N  memory: fill conns with N entries (e.g. 10000000)
#   BENCH_RATE_BIG=N,N   rate: established flows over tables of N connections
#                        (default 1000000,10000000; "none" skips them)
#   BENCH_RATE_ROUNDS=N  rate: each case in N interleaved slices of floor, LRU
#                        and compact (default 5; quick 2)
#   BENCH_ONLY=profile   not in the default run (make bench-profile): one rate
#                        case on the compact table under perf's timer samples,
#                        by source line of the programs and kernel function
#   BENCH_PROFILE=CASE   that case (default established_100000; established_100,
#                        new, new_ipip, new_nat_POLICY, ack_flood)
#   BENCH_PROFILE_HZ=N   perf's sampling rate (default 1000: more slows the packets)
#
# Everything runs in namespaces named hlrb<PID>...; the EXIT trap removes
# them, the bpffs pins and the files it made. bpf_stats is turned on
# through the BPF_ENABLE_STATS fd of bench_rate, so it goes off again when
# that process ends, however it ends: no sysctl is left changed.
set -u

BUILD=$(realpath -m "${1:-build}")
SRC=$(cd "$(dirname "$0")/.." && pwd)
cd "$SRC" || exit 2
: "${BENCH_QUICK:=0}"
: "${BENCH_ONLY:=pkt rate mem conn}"
: "${BENCH_OUT:=$SRC/bench/results.json}"
: "${BENCH_POLICIES:=}"
P=hlrb$$
RUN=/run/$P
NS=$P
CP=${P}c # prefix of the connections topology

if [ "$BENCH_QUICK" = 1 ]; then
	PKT_REPEAT=200 PKT_TRIALS=1 RATE_PACKETS=20000 RATE_FLOWS=100,1000 SWAPS=20 RATE_ROUNDS=2
	RATE_BIG=20000,40000 RATE_CORES=1000
	MEM_ENTRIES=10000 CT_BIG=100000 CT_NAT=200000 CONN_N=40 CONN_C=2 CONN_ROUNDS=1 REPORT_N=50 LIVE_LONG=10 LIVE_RATE=50 LIVE_S=1
	[ -n "$BENCH_POLICIES" ] || BENCH_POLICIES=hash
else
	PKT_REPEAT=100000 PKT_TRIALS=3 RATE_PACKETS=2000000 RATE_FLOWS=100,100000 SWAPS=1000 RATE_ROUNDS=5
	RATE_BIG=1000000,10000000 RATE_CORES=100000
	MEM_ENTRIES=1000000 CT_BIG=10000000 CT_NAT=20000000 CONN_N=3000 CONN_C=4 CONN_ROUNDS=3 REPORT_N=2000 LIVE_LONG=100 LIVE_RATE=1000 LIVE_S=5
fi
# BENCH_MEM_ENTRIES=N: fill conns with N entries (more than 1,048,576 sizes it to N).
MEM_ENTRIES=${BENCH_MEM_ENTRIES:-$MEM_ENTRIES}
RATE_BIG=${BENCH_RATE_BIG:-$RATE_BIG}
RATE_ROUNDS=${BENCH_RATE_ROUNDS:-$RATE_ROUNDS}
[ "$RATE_BIG" = none ] && RATE_BIG=

die() {
	echo "bench: $*" >&2
	exit 1
}

[ "$(id -u)" -eq 0 ] || die "run as root (namespaces, XDP, bpffs)"
for t in bench_pkt bench_rate bench_mem bench_conn bench_report; do
	[ -x "$BUILD/tools/$t" ] || die "no $BUILD/tools/$t (run make)"
done

cleanup() {
	if [ -n "${TOPO_PREFIX:-}" ]; then
		topo_down "$CP" >/dev/null 2>&1
	fi
	mountpoint -q "$RUN/bpf" && umount "$RUN/bpf"
	ip netns del "$NS" 2>/dev/null
	rm -rf "$RUN"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The helper programs of bench/: the Makefile builds them (make all).
for src in bench/*.bpf.c; do
	obj=$BUILD/bench/$(basename "$src" .c).o
	[ -f "$obj" ] || die "no $obj (run make)"
done

# shellcheck source=topology.sh
. "$SRC/tools/topology.sh"
# shellcheck source=bench_conn_part.sh
. "$SRC/tools/bench_conn_part.sh"
topo_reap_stale # what a killed earlier run (a test's, a bench's) left

# One namespace: veth lb (the balancer's end) <-> ga (the generator's end).
# Devices 10.200.0.20+n and the clients' gateway are permanent neighbours,
# so bpf_fib_lookup always answers (XDP_TX back out of lb).
mkdir -p "$RUN/bpf" || die "cannot make $RUN"
mount -t bpf bpf "$RUN/bpf" || die "cannot mount a bpffs on $RUN/bpf"
ip netns add "$NS" || die "cannot add namespace $NS"
ip netns exec "$NS" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 >/dev/null
# Two queues each way: a generator on each CPU feeds its own queue (the multi-core case).
ip -n "$NS" link add lb numtxqueues 2 numrxqueues 2 type veth peer name ga numtxqueues 2 \
	numrxqueues 2 || die "cannot add a veth pair"
ip -n "$NS" link set lo up
ip -n "$NS" link set lb up
ip -n "$NS" link set ga up
ip -n "$NS" addr add 10.200.0.1/24 dev lb
for n in 0 1 2 3 4 5 6 7; do
	ip -n "$NS" neigh replace "10.200.0.$((20 + n))" lladdr "02:00:00:00:01:0$n" dev lb nud permanent
done
ip -n "$NS" neigh replace 10.200.0.254 lladdr 02:00:00:00:00:fe dev lb nud permanent
ip -n "$NS" route add 10.77.0.0/16 via 10.200.0.254

in_ns() { ip netns exec "$NS" "$@"; }
wants() { case " $BENCH_ONLY " in *" $1 "*) return 0 ;; esac; return 1; }
failed=0
part_failed() {
	echo "bench: $1 failed" >&2
	failed=1
}

echo "hauler benchmarks: $(uname -r), $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), load $(cut -d' ' -f1-3 /proc/loadavg)"
[ "$BENCH_QUICK" = 1 ] && echo "(quick mode: tiny counts, the figures mean nothing)"
echo

if wants pkt; then
	in_ns "$BUILD/tools/bench_pkt" --pin "$RUN/bpf" --build "$BUILD" --dev lb \
		--repeat "$PKT_REPEAT" --trials "$PKT_TRIALS" ${BENCH_POLICIES:+--policies "$BENCH_POLICIES"} \
		--json "$RUN/pkt.json" || part_failed per-packet
	echo
fi
if wants rate; then
	in_ns "$BUILD/tools/bench_rate" --pin "$RUN/bpf" --build "$BUILD" --lb lb --gen ga \
		--packets "$RATE_PACKETS" --rounds "$RATE_ROUNDS" --flows "$RATE_FLOWS" --swaps "$SWAPS" \
		--cores "$RATE_CORES" ${RATE_BIG:+--big "$RATE_BIG"} --compact \
		${BENCH_POLICIES:+--policies "$BENCH_POLICIES"} \
		--json "$RUN/rate.json" || part_failed rate
	echo
fi
# One rate case under perf's timer (cpu-clock: this guest has no hardware
# counters), on the benchmark's CPU, sampled only while its packets go
# (bench_rate --profile tells perf through its control fifos); the samples
# mapped to source lines through the kernel's JITed line info
# (tools/bench_profile.c). docs/performance.md, "Where the time goes".
profile_part() {
	local cpu=${BENCH_CPU:-0} what=${BENCH_PROFILE:-established_100000} hz=${BENCH_PROFILE_HZ:-1000}
	local packets

	command -v perf >/dev/null || { echo "bench: no perf (make bench-profile installs linux-perf)" >&2; return 1; }
	mkfifo "$RUN/perf.ctl" "$RUN/perf.ack" || return 1
	echo "where the time goes: $what, perf cpu-clock at $hz Hz on CPU $cpu"
	perf record -q -e cpu-clock -F "$hz" -C "$cpu" -D -1 \
		--control "fifo:$RUN/perf.ctl,$RUN/perf.ack" -o "$RUN/perf.data" -- \
		env BENCH_PERF_CTL="$RUN/perf.ctl,$RUN/perf.ack" ip netns exec "$NS" \
		"$BUILD/tools/bench_rate" --pin "$RUN/bpf" --build "$BUILD" --lb lb --gen ga \
		--packets "$RATE_PACKETS" --flows "$RATE_FLOWS" --compact \
		${BENCH_POLICIES:+--policies "$BENCH_POLICIES"} --profile "$what" | tee "$RUN/profile.txt" ||
		return 1
	packets=$(sed -n 's/^profile: \([0-9]*\) packets sampled$/\1/p' "$RUN/profile.txt")
	[ -n "$packets" ] || return 1
	perf script -i "$RUN/perf.data" -F ip,sym 2>/dev/null |
		"$BUILD/tools/bench_profile" "$RUN/bpf/prof" "$packets" "$hz" "${BENCH_PROFILE_LINES:-30}" "$SRC"
}
if wants profile; then
	profile_part || part_failed profile
	echo
fi
if wants mem; then
	in_ns "$BUILD/tools/bench_mem" --pin "$RUN/bpf" --build "$BUILD" --entries "$MEM_ENTRIES" \
		--json "$RUN/mem.json" || part_failed memory
	echo
	# CT_NAT: twice CT_BIG connections (a nat connection was two slots before schema 19; one now).
	for n in "$MEM_ENTRIES" "$CT_BIG" "$CT_NAT"; do
		"$BUILD/tools/bench_mem" --pin "$RUN/bpf" --build "$BUILD" --table compact \
			--entries "$n" --json "$RUN/mem_ct_$n.json" || part_failed "memory (compact, $n)"
		echo
	done
fi

# A number out of a flat JSON object.
json_num() {
	sed -n "s/.*\"$2\":\([-0-9.e+]*\).*/\1/p" "$1"
}

if wants conn; then
	conn_bench || part_failed connections
	echo
fi

# results.json: the parts' objects under one roof (a part that did not run: null).
part() {
	if [ -s "$RUN/$1" ]; then cat "$RUN/$1"; else echo null; fi
}
{
	printf '{"machine":{"kernel":"%s","cpus":%s,"cpu":"%s","load":"%s","date":"%s"},' \
		"$(uname -r)" "$(nproc)" "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)" \
		"$(cut -d' ' -f1-3 /proc/loadavg)" "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	printf '"quick":%s,"per_packet":%s,"rate":%s,"memory":%s,' "$BENCH_QUICK" \
		"$(part pkt.json)" "$(part rate.json)" "$(part mem.json)"
	printf '"memory_compact":%s,"memory_compact_big":%s,"memory_compact_nat":%s,' \
		"$(part "mem_ct_$MEM_ENTRIES.json")" "$(part "mem_ct_$CT_BIG.json")" \
		"$(part "mem_ct_$CT_NAT.json")"
	printf '"report_to_map":%s,' "$(part report.json)"
	printf '"connections":{"rounds":%s,"balancer":%s,"direct":%s,"kernel_forwarding":%s,' \
		"$CONN_ROUNDS" "$(part conn_balancer.json)" "$(part conn_direct.json)" \
		"$(part conn_kernel.json)"
	printf '"proxy":%s,"balancer_ipip":%s,"ratio":%s,"live":%s}}\n' "$(part conn_proxy.json)" \
		"$(part conn_ipip.json)" "$(part conn_ratio.json)" "$(part live.json)"
} >"$BENCH_OUT.tmp" && mv "$BENCH_OUT.tmp" "$BENCH_OUT"
echo "figures as JSON: $BENCH_OUT"
exit "$failed"
