#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# reproduce.sh BUILD [DOCS] - the simulator's part of `make reproduce`
# (docs/simulator.md): P4Hauler's large-scale P99 curves and CPU
# variance (thesis Figs. 5.12-5.14) at 64, 128 and 256 servers, P4Wise's
# evaluation (Figs. 6.2-6.8) and the simulator against the rig
# (validate.py, when DOCS/results holds a rig run). JSON, TSV, PNG and SVG
# plots and summary.md go to BUILD/results/sim; with DOCS, the figures go
# to DOCS/results/sim and the simulator's results page to
# DOCS/results_sim.md (the sim step owns that file; results.md links it).
# Deterministic: the same seeds give the same numbers. SIM_QUICK=1 runs
# fewer and shorter runs (a smoke test). The server counts run two at a
# time (the machine's two CPUs).
set -eu

BUILD=${1:-build}
DOCS=${2:-}
SIM=$BUILD/hauler-sim
OUT=$BUILD/results/sim
HERE=$(dirname "$0")
PY="python3 $HERE/results.py"
SERVERS=${SIM_SERVERS:-64 128 256}
[ -x "$SIM" ] || { echo "reproduce.sh: no $SIM (run make)" >&2; exit 2; }
mkdir -p "$OUT"
rm -f "$OUT"/log_*

if [ "${SIM_QUICK:-0}" = 1 ]; then
	RUNS=1 DUR=8 TRAIN=600 ITER=2 EVAL=10 SETTLE=5 ADAPT_AT=100 ADAPT_ALL=300 SEEDS_ALL=1
else
	RUNS=3 DUR=20 TRAIN=4000 ITER=5 EVAL=40 SETTLE=20 ADAPT_AT=300 ADAPT_ALL=900
	SEEDS_ALL="1 2 3 4 5"
fi
POLICIES="baseline,hash,wrr,ecmp,dwrr,lur,jsq,lc,wlc,prt@6/1,p2c"

# Rates as requests/s per server times the server count.
rates() {
	local s=$1 out="" r
	shift
	for r in "$@"; do out="$out${out:+,}$(awk -v a="$r" -v b="$s" 'BEGIN { print a * b }')"; done
	echo "$out"
}

# The accuracy experiment's learner: weights 6:0 or 6:1, the labels' two
# choices (w-max 1); five learner seeds, at the thesis's threshold (60,
# the default) and at 50, the CPUs' utilization with the SmartNICs in use
# at the turning point (the documented variant, docs/learner.md).
ACC="--learn-w-max 1"
SEEDS=${SIM_SEEDS:-$SEEDS_ALL}

# size S: everything at S servers (its progress lines go to OUT/log_S).
size() {
	local s=$1 tp slo sd
	exec 2>"$OUT/log_$s"
	"$SIM" sweep --servers "$s" --policies "$POLICIES" --runs "$RUNS" --duration "$DUR" \
		--rates "$(rates "$s" 4 6 8 10 11 12 13 14 15)" > "$OUT/p99_$s.json"
	$PY tsv "$OUT/p99_$s.json" "$OUT/p99_$s.tsv"
	# Labels: where the accelerators start to pay (wrr 6:0 against 6:1).
	"$SIM" sweep --servers "$s" --policies "wrr@6/0,wrr@6/1" --runs "$RUNS" --duration "$DUR" \
		--rates "$(rates "$s" 8 9 9.5 10 10.5 11 11.5 12 12.5 13 14 15)" > "$OUT/labels_$s.json"
	read -r tp slo < <($PY turning "$OUT/labels_$s.json")
	echo "$s servers: turning point $tp requests/s, SLO $slo us" >&2
	learn() { # learn OUTFILE ARGS...: an accuracy run at s servers
		local f=$1
		shift
		"$SIM" learn --servers "$s" --rates "$(rates "$s" 4 6 8 10 11 12 13 14 15)" \
			--turning "$tp" --learn-slo-us "$slo" --iter-s "$ITER" --train-iters "$TRAIN" \
			--eval-iters "$EVAL" --settle "$SETTLE" "$@" > "$f"
	}
	for sd in $SEEDS; do
		learn "$OUT/acc_seed_${s}_$sd.json" $ACC --seed "$sd" --learn-seed "$sd"
		learn "$OUT/acc_t50_seed_${s}_$sd.json" $ACC --seed "$sd" --learn-seed "$sd" \
			--learn-threshold 50
	done
	cp "$OUT/acc_seed_${s}_1.json" "$OUT/accuracy_$s.json"
	# What Algorithm 1's reward itself prefers at each rate, by threshold.
	for t in 50 60 70; do
		"$SIM" learn --experiment reward --servers "$s" \
			--rates "$(rates "$s" 4 6 8 10 11 12 13 14 15)" --turning "$tp" \
			--learn-slo-us "$slo" --iter-s "$ITER" --settle 3 --eval-iters "$EVAL" \
			$ACC --learn-threshold "$t" > "$OUT/bound_${s}_t$t.json"
	done
	[ "$s" = 64 ] || return 0
	cp "$OUT/accuracy_64.json" "$OUT/param_threshold-60.json" # the defaults
	cp "$OUT/acc_t50_seed_64_1.json" "$OUT/param_threshold-50.json"
	for p in "threshold 70" "alpha 0.3"; do
		learn "$OUT/param_${p/ /-}.json" $ACC "--learn-${p% *}" "${p#* }"
	done
	# Fig. 6.8: one SmartNIC a server, a second one added mid-run.
	"$SIM" sweep --servers 64 --nics 1 --policies "wrr@6/0,wrr@6/1" --runs "$RUNS" \
		--duration "$DUR" --rates "$(rates 64 8 9 9.5 10 10.5 11 11.5 12 12.5 13 14 15)" \
		> "$OUT/labels_64_1nic.json"
	read -r tp1 _ < <($PY turning "$OUT/labels_64_1nic.json")
	# 12.5 requests/s a server: 6:1 is the label with one SmartNIC and with two.
	rate=800
	echo "adaptation at $rate requests/s (turning points: 1 SmartNIC $tp1, 2: $tp)" >&2
	awk -v r=$rate -v a="$tp1" -v b="$tp" 'BEGIN { exit !(r >= a && r >= b) }' ||
		echo "warning: $rate requests/s is below a turning point: the labels differ" >&2
	for wm in 6 1; do
		"$SIM" learn --experiment adapt --servers 64 --nics 1 --rate "$rate" \
			--turning-before "$tp1" --turning "$tp" --learn-slo-us "$slo" --learn-w-max $wm \
			--iter-s "$ITER" --add-at "$ADAPT_AT" --iters "$ADAPT_ALL" \
			> "$OUT/adapt_64$([ $wm = 6 ] || echo _wmax$wm).json"
	done
}

SECONDS=0
# Progress: every 15 s the newest line of each size's log.
(
	while sleep 15; do
		line=""
		for s in $SERVERS; do
			[ -s "$OUT/log_$s" ] || continue
			line="$line${line:+ | }$(tail -c 200 "$OUT/log_$s" | tr '\r' '\n' | grep . | tail -1 | sed 's/  *$//')"
		done
		[ -z "$line" ] || echo "[${SECONDS}s] $line"
	done
) &
ticker=$!
trap 'kill $ticker 2>/dev/null || true' EXIT # set -e: a ticker already gone must not fail the run
pids=""
running=0
for s in $SERVERS; do
	echo "== $s servers, 2 SmartNICs each (progress: $OUT/log_$s)"
	size "$s" &
	pids="$pids $!"
	running=$((running + 1))
	if [ $running -ge 2 ]; then
		wait -n
		running=$((running - 1))
	fi
done
fail=0
for p in $pids; do wait "$p" || fail=1; done
kill $ticker 2>/dev/null
for s in $SERVERS; do grep -h "turning point\|adaptation\|warning" "$OUT/log_$s" || true; done
[ $fail = 0 ] || { echo "reproduce.sh: a simulation failed (see $OUT/log_*)" >&2; exit 1; }
echo "simulations done, ${SECONDS}s"
# The simulator against the rig (validate.py), on the rig's last run.
RIG=${SIM_RIG:-${DOCS:+$DOCS/results}}
if [ -n "$RIG" ] && [ -e "$RIG/report.env" ] && [ -e "$RIG/sweep.tsv" ]; then
	python3 "$HERE/validate.py" "$SIM" "$RIG" "$OUT/validate.json" "$OUT/validate.md"
else
	echo "no rig results (${RIG:-none}/report.env, sweep.tsv): the validation against the rig is skipped"
fi
bash "$HERE/plot.sh" "$OUT"
$PY summary "$OUT" > "$OUT/summary.md"
if [ -n "$DOCS" ]; then
	mkdir -p "$DOCS/results/sim"
	rm -f "$DOCS/results/sim/"*.json "$DOCS/results/sim/"*.png
	cp "$OUT"/*.png "$OUT"/*.json "$DOCS/results/sim/" # SVGs stay in BUILD
	$PY page "$OUT" results/sim "$DOCS/results_sim.md"
	echo "simulator results written to $DOCS/results_sim.md"
fi
echo "simulator results in $OUT (summary.md), ${SECONDS}s"
