#!/bin/bash
# reproduce.sh BUILD [--smoke] [--out DIR] - hauler against the thesis's
# testbed results (issue 9). `make reproduce` runs it; it is a benchmark,
# not a test: it reports the targets, it asserts none.
#
# The rig: the namespace topology (topology.sh) with the request workload
# (workload.sh) on server s1: s1cpu, a "server CPU" (40% of one CPU), and
# s1acc, an "accelerator" (8% of one CPU: the thesis's 5:1), both running
# workd with the same calibrated work per request, agents reporting both.
# One UDP VIP; the client runs the open-loop loadgen.
#
#   1. P99 against offered rate for each configuration (thesis Fig. 5.7):
#      server CPU only (accelerator weight 0), hash, wrr, lur, jsq, lc, prt,
#      dwrr, p2c (and learned, when hauler has `learn`): the rate rises on
#      a grid until P99 misses the target; the highest rate that meets it.
#   2. Completion time of batches of 1000 and 250 requests (Figs. 5.8-5.9).
#   3. hauler-agent's CPU use against its report rate (Fig. 5.10).
#   4. hauler against nginx as a UDP proxy, one worker (Table 5.4).
#
# Writes DIR/results.md (default docs/), its data and plots under
# DIR/results/ (TSV, JSON lines, PNG and SVG by gnuplot). --smoke: a few
# seconds of everything, into a temporary DIR (make check's shape test).
# Knobs (environment): REPRO_SLO_MS, REPRO_POINT_S, REPRO_WARMUP_S,
# REPRO_GRID, REPRO_POLICIES, REPRO_PARTS, WL_WORK_US, WL_CPU_PCT,
# WL_ACC_PCT (see below).
set -u
BUILD=$(realpath -m "${1:-build}")
shift
SMOKE=0
OUT=""
while [ $# -gt 0 ]; do
	case "$1" in
	--smoke) SMOKE=1 ;;
	--out)
		OUT=$(realpath -m "${2:?--out needs a directory}")
		shift
		;;
	*)
		echo "reproduce.sh: unknown argument '$1' (--smoke, --out DIR)" >&2
		exit 2
		;;
	esac
	shift
done
cd "$(dirname "$0")/.." || exit 2
SRC=$PWD
: "${OUT:=$SRC/docs}"
# shellcheck disable=SC2034 # read by topology.sh's functions
TOPO_BUILD=$BUILD
# shellcheck source=topology.sh
. tools/topology.sh
# shellcheck source=workload.sh
. tools/workload.sh

[ "$(id -u)" = 0 ] || { echo "reproduce.sh: needs root (namespaces, XDP, cgroups)" >&2; exit 2; }
for f in hauler hauler-agent tools/workd tools/loadgen; do
	[ -x "$BUILD/$f" ] || { echo "reproduce.sh: no $BUILD/$f (run make)" >&2; exit 2; }
done

# ---- parameters ----
# The target: the P99 a configuration must meet, and the grid of offered
# rates, as fractions of the server CPU's nominal capacity C0.
if [ "$SMOKE" = 1 ]; then
	: "${REPRO_POINT_S:=0.4}" "${REPRO_WARMUP_S:=0.1}" "${REPRO_GRID:=0.3}"
	: "${REPRO_PARTS:=sweep fct agent}" # nginx is not among make check's packages
	BATCHES="20"
	FCT_CONFIGS="server-only wrr"
	AGENT_RATES="100"
	AGENT_S=0.3
	DRAIN_S=0.1
else
	: "${REPRO_POINT_S:=5}" "${REPRO_WARMUP_S:=1}"
	: "${REPRO_GRID:=0.5 0.7 0.8 0.9 0.95 1.0 1.05 1.1 1.15 1.2}"
	BATCHES="1000 250"
	FCT_CONFIGS="server-only wrr prt"
	AGENT_RATES="0.66 1 10 50 100 200"
	AGENT_S=4
	DRAIN_S=0.5
fi
# The P99 target: 5x the accelerator's service time at its CPU share (the
# thesis's P99 at its top rate, 1215 ms, is 5x its SmartNIC's 250 ms per
# KNN request): 125 ms for 2 ms requests at 8%.
: "${REPRO_SLO_MS:=$((WL_WORK_US * 5 * 100 / WL_ACC_PCT / 1000))}"
SLO_MS=$REPRO_SLO_MS
W_CPU=5 # capacity weights: server CPU 5, accelerator 1 (WL_CPU_PCT:WL_ACC_PCT)
W_ACC=1
# Nominal capacity of the server CPU alone, requests/s: its CPU share / work
# (measured below: C0).
C0_NOMINAL=$(awk -v p="$WL_CPU_PCT" -v w="$WL_WORK_US" 'BEGIN { printf "%.1f", p / 100 * 1e6 / w }')
FCT_FRAC=1.25 # batches are offered above the server CPU's capacity
: "${REPRO_POLICIES:=server-only hash wrr lur jsq lc prt dwrr p2c learned}"
: "${REPRO_PARTS:=sweep fct agent proxy}" # which of the four parts run
POLICIES=$REPRO_POLICIES
part() { case " $REPRO_PARTS " in *" $1 "*) return 0 ;; esac; return 1; }

RES=$OUT/results
mkdir -p "$RES" || exit 2
P=hlr$$
T_START=$(date +%s)
DAEMON_PID=""

cleanup() {
	[ -n "$DAEMON_PID" ] && kill "$DAEMON_PID" 2>/dev/null
	topo_down "$P"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say() { printf '[%4ss] %s\n' "$(($(date +%s) - T_START))" "$*"; }
H() { topo_hauler "$P" "$@"; }

# jget JSON KEY: a top-level number (or null) of a loadgen JSON line.
jget() { printf '%s' "$1" | sed -n "s/.*\"$2\":\(null\|[-0-9.]*\).*/\1/p" | head -1; }
# jdev JSON DEV: requests DEV served.
jdev() {
	local v
	v=$(printf '%s' "$1" | sed -n "s/.*\"$2\":{\"n\":\([0-9]*\).*/\1/p")
	echo "${v:-0}"
}
calc() { awk "BEGIN { printf \"%.${2:-1}f\", $1 }"; }

# ---- the machine ----
MACHINE_UNAME=$(uname -srm)
MACHINE_NPROC=$(nproc)
MACHINE_CPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
say "machine: $MACHINE_UNAME, $MACHINE_NPROC CPUs ($MACHINE_CPU), load average $LOAD_BEFORE"
[ "$SMOKE" = 1 ] && say "smoke run: shape only, the figures mean nothing"

# ---- the rig ----
topo_up "$P" nat || exit 1
topo_vars "$P"
say "rig: namespaces $P-*, cgroups $P-*-work, files /run/$P (all removed at exit)"
ITERS=$(wl_calibrate)
[ -n "$ITERS" ] || { echo "reproduce.sh: workd --calibrate failed" >&2; exit 1; }
say "work per request: $ITERS kernel repetitions = ${WL_WORK_US} us of CPU at full speed"
WL_DROP_MS=0
wl_start "$P" "$ITERS" || exit 1
VIP=$TOPO_VIP4:$WL_PORT
H up eth0 >/dev/null || exit 1
# UDP entries idle 2 s expire: a source port that comes back later is a new flow.
H config set udp-timeout 2000 || exit 1
H vip add "$VIP/udp" mode nat policy wrr || exit 1
H server add s1 vip "$VIP/udp" || exit 1
H device add s1cpu server s1 addr "$(topo_dev_addr4 s1cpu)" port "$WL_PORT" kind cpu \
	weight $W_CPU || exit 1
H device add s1acc server s1 addr "$(topo_dev_addr4 s1acc)" port "$WL_PORT" kind smartnic \
	weight $W_ACC || exit 1
wl_keys "$P" s1cpu s1acc || exit 1
AGENT_ARGS=(--rate 100 --window 50)
start_agents() {
	local dev
	AGENT_PIDS=""
	for dev in s1cpu s1acc; do
		wl_agent "$P" "$dev" "$dev" "${AGENT_ARGS[@]}" || exit 1
		AGENT_PIDS="$AGENT_PIDS $!"
	done
}
start_agents

# Unloaded latency of each device, from the balancer's namespace (its own
# address, not the VIP): one request at a time.
unloaded() {
	ip netns exec "$P-lb" "$BUILD/tools/loadgen" --udp "$(topo_dev_addr4 "$1"):$WL_PORT" \
		--rate 4 --count "$([ "$SMOKE" = 1 ] && echo 3 || echo 20)" --timeout-ms 5000 --json
}
U_CPU=$(jget "$(unloaded s1cpu)" p50_ms)
U_ACC=$(jget "$(unloaded s1acc)" p50_ms)
case "$U_CPU$U_ACC" in
*null* | "") echo "reproduce.sh: a device does not answer" >&2; exit 1 ;;
esac
# Loss timeout: 10x the unloaded latency (the thesis's rule), of the
# slower device, so that no request the accelerator serves unloaded is lost.
TIMEOUT_MS=$(calc "10 * $U_ACC" 0)
# ... and at least twice the target, so that a run near the target is not cut short.
[ "$TIMEOUT_MS" -ge $((SLO_MS * 2)) ] || TIMEOUT_MS=$((SLO_MS * 2))
say "unloaded P50: s1cpu $U_CPU ms, s1acc $U_ACC ms; loss timeout $TIMEOUT_MS ms; P99 target $SLO_MS ms"

# A request queued past the timeout is dropped by workd: nothing is left
# behind from one point to the next.
restart_workd() {
	local dev pid
	for dev in $TOPO_DEVS; do
		pid=$(cat "$TOPO_RUN/$dev-work.pid" 2>/dev/null) && kill "$pid" 2>/dev/null
	done
	for dev in $TOPO_DEVS; do
		for _ in $(seq 50); do [ -e "$TOPO_RUN/$dev-work.pid" ] || break; sleep 0.1; done
	done
	wl_start "$P" "$ITERS"
}
WL_DROP_MS=$TIMEOUT_MS
restart_workd || exit 1

# The capacity each device has here and now (other work on the machine
# slows the kernel down): its throughput when offered 1.6x its nominal
# capacity, straight from the balancer's namespace. The grid is in
# fractions of the server CPU's measured capacity, C0.
capacity() {
	local nominal=$1 dev=$2
	ip netns exec "$P-lb" nice -n -10 "$BUILD/tools/loadgen" --udp "$(topo_dev_addr4 "$dev"):$WL_PORT" \
		--rate "$(calc "1.6 * $nominal" 1)" --duration "$([ "$SMOKE" = 1 ] && echo 0.5 || echo 4)" \
		--warmup "$([ "$SMOKE" = 1 ] && echo 0.1 || echo 1)" --timeout-ms "$TIMEOUT_MS" --json
}
CAP_CPU=$(jget "$(capacity "$C0_NOMINAL" s1cpu)" throughput)
CAP_ACC=$(jget "$(capacity "$(calc "$C0_NOMINAL * $WL_ACC_PCT / $WL_CPU_PCT" 1)" s1acc)" throughput)
if [ -n "$CAP_CPU" ] && awk -v c="$CAP_CPU" 'BEGIN { exit !(c > 1) }'; then
	C0=$(calc "$CAP_CPU" 1)
else
	C0=$C0_NOMINAL
	say "could not measure the server CPU's capacity; using the nominal one"
fi
CAP_RATIO=$(awk -v c="${CAP_CPU:-0}" -v a="${CAP_ACC:-0}" 'BEGIN { if (a > 0) printf "%.2f", c / a; else print "?" }')
say "measured capacity: s1cpu $CAP_CPU/s (nominal $C0_NOMINAL), s1acc $CAP_ACC/s: ratio $CAP_RATIO:1; C0 = $C0/s"

# ---- configurations ----
HAVE_LEARN=0
if "$BUILD/hauler" help 2>&1 | grep -qw learn; then
	HAVE_LEARN=1
fi

# setup_config NAME: weights and policy of NAME; 1 when it cannot run here.
setup_config() {
	local name=$1
	[ -n "$DAEMON_PID" ] && { kill "$DAEMON_PID" 2>/dev/null; wait "$DAEMON_PID" 2>/dev/null; }
	DAEMON_PID=""
	H device set s1cpu weight $W_CPU >/dev/null || return 1
	H device set s1acc weight $W_ACC >/dev/null || return 1
	case "$name" in
	server-only)
		H device set s1acc weight 0 >/dev/null && H policy set "$VIP/udp" wrr
		;;
	lur | p2c) H policy set "$VIP/udp" "$name" metric cmp ;;
	prt) H policy set "$VIP/udp" prt metric cmp threshold 80 ;;
	dwrr)
		H policy set "$VIP/udp" dwrr metric cmp interval-ms 100 || return 1
		ip netns exec "$P-lb" "$BUILD/hauler" -p "$TOPO_PIN" daemon \
			</dev/null >>"$TOPO_RUN/daemon.log" 2>&1 &
		DAEMON_PID=$!
		;;
	learned)
		[ "$HAVE_LEARN" = 1 ] || return 1
		return 1 # see docs/results.md: the slot for the learner
		;;
	*) H policy set "$VIP/udp" "$name" ;;
	esac
}

SEED=1
# point LABEL RATE [LOADGEN ARGS...]: one run; its JSON line on stdout.
point() {
	local label=$1 rate=$2
	shift 2
	SEED=$((SEED + 1))
	wl_load "$P" --udp "$VIP" --rate "$rate" --duration "$REPRO_POINT_S" \
		--warmup "$REPRO_WARMUP_S" --timeout-ms "$TIMEOUT_MS" --ports 20000-59999 \
		--seed "$SEED" --json --label "$label" "$@"
}

# passes P99: 0 when P99 (ms, or null) meets the target.
passes() { [ "$1" != null ] && [ -n "$1" ] && awk -v p="$1" -v t="$SLO_MS" 'BEGIN { exit !(p <= t) }'; }

# sweep NAME TARGET_ADDR: the grid until the first miss; rows to sweep.tsv.
sweep() {
	local name=$1 target=$2 frac rate json p99 loss verdict
	for frac in $REPRO_GRID; do
		rate=$(calc "$frac * $C0" 1)
		json=$(VIP=$target point "$name" "$rate")
		[ -n "$json" ] || { say "$name: loadgen failed at $rate/s"; return 1; }
		echo "$json" >>"$RES/sweep.jsonl"
		p99=$(jget "$json" p99_ms)
		loss=$(jget "$json" loss_pct)
		if passes "$p99"; then verdict=meets; else verdict=misses; fi
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$rate" "$(jget "$json" offered)" \
			"$(jget "$json" p50_ms)" "$p99" "$loss" "$(jdev "$json" s1cpu)" \
			"$(jdev "$json" s1acc)" "$verdict" >>"$RES/sweep.tsv"
		say "$(printf '%-11s %6s/s: P50 %8s  P99 %8s ms  loss %6s%%  s1cpu %5s s1acc %5s  %s' \
			"$name" "$rate" "$(jget "$json" p50_ms)" "$p99" "$loss" "$(jdev "$json" s1cpu)" \
			"$(jdev "$json" s1acc)" "$verdict")"
		[ "$verdict" = meets ] || break
		sleep "$DRAIN_S"
	done
}

# Every result file exists, with its header, whatever parts run.
printf 'config\trate\toffered\tp50_ms\tp99_ms\tloss_pct\tn_cpu\tn_acc\tverdict\n' >"$RES/sweep.tsv"
printf 'config\tbatch\trate\tfct_ms\tlost\tn_cpu\tn_acc\n' >"$RES/fct.tsv"
printf 'reports_per_s\tduration_s\tcpu_ms\tcpu_pct\n' >"$RES/agent.tsv"
printf 'system\trate\tp99_ms\tloss_pct\tverdict\n' >"$RES/proxy.tsv"
printf 'config\tmax_rate_grid\tmax_rate_est\tfirst_miss\tratio\n' >"$RES/maxrate.tsv"
: >"$RES/sweep.jsonl"
: >"$RES/fct.jsonl"
SKIPPED=""
BEST=""

part_sweep() {
	say "== 1. P99 against offered rate (thesis Fig. 5.7), target P99 <= $SLO_MS ms"
	for name in $POLICIES; do
		if ! setup_config "$name" >/dev/null; then
			say "$name: skipped ($([ "$name" = learned ] && echo "hauler has no learn command yet" ||
				echo "setup failed"))"
			SKIPPED="$SKIPPED $name"
			continue
		fi
		sleep 0.3
		sweep "$name" "$VIP"
	done

	# max rate per configuration: the last grid rate that met the target, and
	# an estimate between it and the first miss (log P99 linear in the rate).
	awk -F'\t' -v slo="$SLO_MS" '
	NR == 1 { next }
	{
		if (!($1 in seen)) { order[++n] = $1; seen[$1] = 1 }
		if ($9 == "meets") { last[$1] = $2; lastp[$1] = $5 }
		else if (!($1 in miss)) { miss[$1] = $2; missp[$1] = $5 }
}
END {
	for (i = 1; i <= n; i++) {
		c = order[i]; m = (c in last) ? last[c] : 0; est = m
		if (m > 0 && (c in miss) && missp[c] != "null" && missp[c] > lastp[c] && lastp[c] > 0)
			est = m + (miss[c] - m) * (log(slo) - log(lastp[c])) / (log(missp[c]) - log(lastp[c]))
		printf "%s\t%s\t%.1f\t%s\n", c, m, est, (c in miss) ? miss[c] : "-"
	}
}' "$RES/sweep.tsv" >"$RES/maxrate.tsv.tmp"
BASE=$(awk -F'\t' '$1 == "server-only" { print $3 }' "$RES/maxrate.tsv.tmp")
{
	printf 'config\tmax_rate_grid\tmax_rate_est\tfirst_miss\tratio\n'
	awk -F'\t' -v b="${BASE:-0}" '{ printf "%s\t%s\t%s\t%s\t%s\n", $1, $2, $3, $4, (b > 0 ? sprintf("%.2f", $3 / b) : "-") }' \
		"$RES/maxrate.tsv.tmp"
} >"$RES/maxrate.tsv"
rm -f "$RES/maxrate.tsv.tmp"
BEST=$(awk -F'\t' 'NR > 1 && $1 != "server-only" && $3 > m { m = $3; b = $1 } END { print b }' "$RES/maxrate.tsv")
say "max rate at P99 <= $SLO_MS ms (estimate), ratio to server CPU only:"
awk -F'\t' 'NR > 1 { printf "    %-11s %7s/s  x%s\n", $1, $3, $5 }' "$RES/maxrate.tsv"
}

part_fct() {
	# ---- 2. batches (Figs. 5.8-5.9) ----
	say "== 2. completion time of batches (thesis Figs. 5.8-5.9)"
	# Long queues on purpose: workd keeps every request, the client waits 60 s.
	WL_DROP_MS=0
	restart_workd || exit 1
	[ "$SMOKE" = 1 ] || case " $FCT_CONFIGS " in *" $BEST "*) ;; *) [ -n "$BEST" ] && FCT_CONFIGS="$FCT_CONFIGS $BEST" ;; esac
	for name in $FCT_CONFIGS; do
		setup_config "$name" >/dev/null || continue
		for batch in $BATCHES; do
			sleep 0.5
			SEED=$((SEED + 1))
			json=$(wl_load "$P" --udp "$VIP" --rate "$FCT_RATE" --count "$batch" --timeout-ms 60000 \
				--ports 20000-59999 --seed "$SEED" --json --label "$name-$batch")
			echo "$json" >>"$RES/fct.jsonl"
			printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$batch" "$FCT_RATE" "$(jget "$json" fct_ms)" \
				"$(jget "$json" lost)" "$(jdev "$json" s1cpu)" "$(jdev "$json" s1acc)" >>"$RES/fct.tsv"
			say "$(printf '%-11s batch %4s at %s/s: completed in %s ms, lost %s (s1cpu %s, s1acc %s)' \
				"$name" "$batch" "$FCT_RATE" "$(jget "$json" fct_ms)" "$(jget "$json" lost)" \
				"$(jdev "$json" s1cpu)" "$(jdev "$json" s1acc)")"
		done
	done
	setup_config wrr >/dev/null
}

part_agent() {
	# ---- 3. agent overhead (Fig. 5.10) ----
	say "== 3. hauler-agent CPU use against its report rate (thesis Fig. 5.10)"
	for pid in $AGENT_PIDS; do kill "$pid" 2>/dev/null; done
	ID_CPU=$(wl_dev_id "$P" s1cpu)
	for r in $AGENT_RATES; do
		n=$(calc "$r * $AGENT_S" 0)
		[ "$n" -ge 2 ] || n=2
		line=$(nsenter "--net=/run/netns/$P-s1cpu" "$BUILD/hauler-agent" --device "$ID_CPU" \
			--key-file "$TOPO_RUN/s1cpu.key" --balancer "$TOPO_LB4" --source "$(topo_dev_addr4 s1cpu)" \
			--cgroup "$P-s1cpu-work" --port "$WL_PORT" --rate "$r" --window 50 --count "$n" -v 2>&1 |
			grep 'reports in')
		# "hauler-agent: N reports in S s (R/s), CPU X ms (Y% of a core)"
		secs=$(echo "$line" | sed -n 's/.* reports in \([0-9.]*\) s.*/\1/p')
		ms=$(echo "$line" | sed -n 's/.*CPU \([0-9.]*\) ms.*/\1/p')
		pct=$(echo "$line" | sed -n 's/.*(\([0-9.]*\)% of a core).*/\1/p')
		printf '%s\t%s\t%s\t%s\n' "$r" "${secs:-?}" "${ms:-?}" "${pct:-?}" >>"$RES/agent.tsv"
		say "$(printf 'agent at %6s reports/s: %s%% of a core (%s ms CPU in %s s)' "$r" "${pct:-?}" "${ms:-?}" "${secs:-?}")"
	done
	start_agents
}

part_proxy() {
	# ---- 4. nginx (Table 5.4) ----
	say "== 4. hauler against nginx as a UDP proxy, one worker (thesis Table 5.4)"
	NGINX_MOD=/usr/lib/nginx/modules/ngx_stream_module.so
	HAVE_NGINX=0
	if command -v nginx >/dev/null && [ -f "$NGINX_MOD" ]; then
		HAVE_NGINX=1
		WL_DROP_MS=$TIMEOUT_MS
		restart_workd || exit 1
		cat >"$TOPO_RUN/nginx.conf" <<-EOF
			load_module $NGINX_MOD;
			worker_processes 1;
			pid $TOPO_RUN/nginx.pid;
			error_log $TOPO_RUN/nginx-error.log warn;
			events { worker_connections 8192; }
			stream {
				upstream work {
					server $(topo_dev_addr4 s1cpu):$WL_PORT weight=$W_CPU;
					server $(topo_dev_addr4 s1acc):$WL_PORT weight=$W_ACC;
				}
				server {
					listen 10.$TOPO_X.1.1:$WL_PORT udp;
					proxy_pass work;
					proxy_responses 1;
					proxy_timeout 10s;
				}
			}
		EOF
		ip netns exec "$P-lb" nginx -c "$TOPO_RUN/nginx.conf" -p "$TOPO_RUN" -g 'daemon off;' \
			</dev/null >>"$TOPO_RUN/nginx.log" 2>&1 &
		sleep 1
		sweep nginx "10.$TOPO_X.1.1:$WL_PORT"
		awk -F'\t' -v OFS='\t' '$1 == "nginx" || $1 == "wrr" || $1 == b { print $1, $2, $5, $6, $9 }' \
			b="$BEST" "$RES/sweep.tsv" >>"$RES/proxy.tsv"
	else
		say "nginx with its stream module is not installed: skipped (make reproduce installs it)"
	fi
}

HAVE_NGINX=0
FCT_RATE=$(calc "$FCT_FRAC * $C0" 1)
for pt in sweep fct agent proxy; do
	if part "$pt"; then "part_$pt"; else say "part $pt: not selected (REPRO_PARTS)"; fi
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
ELAPSED=$(($(date +%s) - T_START))
say "done in ${ELAPSED}s; load average now $LOAD_AFTER"

# ---- results.md and plots ----
export RES SLO_MS C0 C0_NOMINAL CAP_CPU CAP_ACC CAP_RATIO BEST TIMEOUT_MS U_CPU U_ACC ITERS SMOKE SKIPPED HAVE_NGINX HAVE_LEARN \
	MACHINE_UNAME MACHINE_NPROC MACHINE_CPU LOAD_BEFORE LOAD_AFTER ELAPSED FCT_RATE \
	REPRO_POINT_S REPRO_WARMUP_S REPRO_GRID WL_WORK_US
export BATCHES_LIST=$BATCHES
bash tools/reproduce_report.sh "$OUT" || exit 1
say "wrote $OUT/results.md and $RES/"
