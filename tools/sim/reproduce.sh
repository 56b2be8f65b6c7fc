#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# reproduce.sh BUILD [DOCS] - the simulator's part of `make reproduce`
# (docs/simulator.md): P4Hauler's large-scale P99 curves and CPU
# variance (thesis Figs. 5.12-5.14) at 64, 128 and 256 servers, and
# P4Wise's evaluation (Figs. 6.2-6.8). JSON, TSV, PNG and SVG plots and
# summary.md go to BUILD/results/sim; with DOCS, the figures go to
# DOCS/results/sim and the section "Simulator" into DOCS/results.md
# (between its markers; the rest of the file is left as it is).
# Deterministic: the same seeds give the same numbers. SIM_QUICK=1 runs
# fewer and shorter runs (a smoke test).
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

if [ "${SIM_QUICK:-0}" = 1 ]; then
	RUNS=1 DUR=8 TRAIN=600 ITER=2 EVAL=10 SETTLE=5 ADAPT_AT=100 ADAPT_ALL=300
else
	RUNS=3 DUR=20 TRAIN=4000 ITER=5 EVAL=40 SETTLE=20 ADAPT_AT=300 ADAPT_ALL=900
fi
POLICIES="baseline,hash,wrr,ecmp,dwrr,lur,jsq,lc,wlc,prt@6/1,p2c"

# Rates as requests/s per server times the server count.
rates() {
	local s=$1 out="" r
	shift
	for r in "$@"; do out="$out${out:+,}$(awk -v a="$r" -v b="$s" 'BEGIN { print a * b }')"; done
	echo "$out"
}

SECONDS=0
for s in $SERVERS; do
	echo "== $s servers, 2 SmartNICs each"
	"$SIM" sweep --servers "$s" --policies "$POLICIES" --runs "$RUNS" --duration "$DUR" \
		--rates "$(rates "$s" 4 6 8 10 11 12 13 14 15)" > "$OUT/p99_$s.json"
	$PY tsv "$OUT/p99_$s.json" "$OUT/p99_$s.tsv"
	# Labels: where the accelerators start to pay (wrr 6:0 against 6:1).
	"$SIM" sweep --servers "$s" --policies "wrr@6/0,wrr@6/1" --runs "$RUNS" --duration "$DUR" \
		--rates "$(rates "$s" 8 9 9.5 10 10.5 11 11.5 12 12.5 13 14 15)" > "$OUT/labels_$s.json"
	read -r tp slo < <($PY turning "$OUT/labels_$s.json")
	echo "turning point $tp requests/s, SLO $slo us"
	"$SIM" learn --servers "$s" --rates "$(rates "$s" 4 6 8 10 11 12 13 14 15)" \
		--turning "$tp" --learn-slo-us "$slo" --iter-s "$ITER" --train-iters "$TRAIN" \
		--eval-iters "$EVAL" --settle "$SETTLE" > "$OUT/accuracy_$s.json"
	if [ "$s" = 64 ]; then
		cp "$OUT/accuracy_64.json" "$OUT/param_threshold-60.json" # the defaults
		for p in "threshold 50" "threshold 70" "alpha 0.3"; do
			"$SIM" learn --servers 64 --rates "$(rates 64 4 6 8 10 11 12 13 14 15)" \
				--turning "$tp" --learn-slo-us "$slo" --iter-s "$ITER" \
				--train-iters "$TRAIN" --eval-iters "$EVAL" --settle "$SETTLE" \
				--learn-${p% *} "${p#* }" > "$OUT/param_${p/ /-}.json"
		done
		# Fig. 6.8: one SmartNIC a server, a second one added mid-run.
		"$SIM" sweep --servers 64 --nics 1 --policies "wrr@6/0,wrr@6/1" --runs "$RUNS" \
			--duration "$DUR" --rates "$(rates 64 8 9 9.5 10 10.5 11 11.5 12 12.5 13 14 15)" \
			> "$OUT/labels_64_1nic.json"
		read -r tp1 _ < <($PY turning "$OUT/labels_64_1nic.json")
		# 12.5 requests/s a server: 6:1 is the label with one SmartNIC and with two.
		rate=800
		echo "adaptation at $rate requests/s (turning points: 1 SmartNIC $tp1, 2: $tp)"
		awk -v r=$rate -v a="$tp1" -v b="$tp" 'BEGIN { exit !(r >= a && r >= b) }' ||
			echo "warning: $rate requests/s is below a turning point: the labels differ" >&2
		"$SIM" learn --experiment adapt --servers 64 --nics 1 --rate "$rate" \
			--turning-before "$tp1" --turning "$tp" --learn-slo-us "$slo" \
			--iter-s "$ITER" --add-at "$ADAPT_AT" --iters "$ADAPT_ALL" > "$OUT/adapt_64.json"
	fi
done
bash "$HERE/plot.sh" "$OUT"
$PY summary "$OUT" > "$OUT/summary.md"
if [ -n "$DOCS" ]; then
	mkdir -p "$DOCS/results/sim"
	cp "$OUT"/*.png "$OUT"/*.json "$DOCS/results/sim/" # SVGs stay in BUILD
	$PY insert "$OUT" results/sim "$DOCS/results.md"
	echo "simulator section written into $DOCS/results.md"
fi
echo "simulator results in $OUT (summary.md), ${SECONDS}s"
