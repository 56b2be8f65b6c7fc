#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# plot.sh DIR - gnuplot PNG and SVG figures of the simulator's results in
# DIR (written by reproduce.sh): p99_N (Figs. 5.12-5.14), cpuvar_N,
# accuracy_N (Figs. 6.4-6.7), params (6.2, 6.3) and adapt (6.8).
set -eu

DIR=$1
PY="python3 $(dirname "$0")/results.py"
command -v gnuplot > /dev/null || { echo "plot.sh: no gnuplot (make deps)" >&2; exit 2; }

# plot NAME TITLE XLABEL YLABEL GNUPLOT-PLOT-CLAUSE [LOGY]
plot() {
	local name=$1 title=$2 xl=$3 yl=$4 clause=$5 logy=${6:-}
	local term
	for term in "pngcairo size 900,560:png" "svg size 900,560:svg"; do
		gnuplot <<-GP
			set terminal ${term%%:*} noenhanced
			set output "$DIR/$name.${term##*:}"
			set title "$title"
			set xlabel "$xl"
			set ylabel "$yl"
			set key outside right
			set grid
			${logy:+set logscale y}
			plot $clause
		GP
	done
}

for f in "$DIR"/p99_*.tsv; do
	[ -e "$f" ] || continue
	n=${f##*/p99_}
	n=${n%.tsv}
	ncol=$(head -1 "$f" | wc -w)
	npol=$(((ncol - 2) / 2))
	p99="" var=""
	for i in $(seq 1 "$npol"); do
		name=$(head -1 "$f" | awk -v c=$((i + 2)) '{ sub("p99:", "", $c); print $c }')
		p99="$p99${p99:+, }'$f' using 1:$((i + 1)) with linespoints title '$name'"
		var="$var${var:+, }'$f' using 1:$((i + 1 + npol)) with linespoints title '$name'"
	done
	plot "p99_$n" "P99 against offered rate, $n servers, 2 SmartNICs each" "requests/s" \
		"P99 response time (s)" "$p99" logy
	plot "cpuvar_$n" "Variance of CPU utilization, $n servers" "requests/s" \
		"variance (%^2)" "$var"
done

# accuracy_plot NAME PREFIX X TITLE XLABEL: each PREFIX_*.json's accuracy per rate (X: the x column).
accuracy_plot() {
	local name=$1 prefix=$2 x=$3 title=$4 xl=$5 f n clause=""
	for f in "$DIR/${prefix}_"*.json; do
		[ -e "$f" ] || continue
		n=${f##*/"${prefix}"_}
		n=${n%.json}
		$PY acc-tsv "$f" "$DIR/${prefix}_$n.tsv"
		clause="$clause${clause:+, }'$DIR/${prefix}_$n.tsv' using ${x//N/$n}:3 with linespoints title '$n'"
	done
	[ -z "$clause" ] || plot "$name" "$title" "$xl" "share of iterations at the label's weight" "$clause"
}
accuracy_plot accuracy accuracy '($1/N)' "Learner accuracy against the labels (by server count)" \
	"requests/s per server"
accuracy_plot params param 1 "Learner accuracy by threshold and alpha, 64 servers" "requests/s"

if [ -e "$DIR/adapt_64.json" ]; then
	$PY adapt-tsv "$DIR/adapt_64.json" "$DIR/adapt_64.tsv"
	plot adapt "A second SmartNIC added mid-run, 64 servers" "iteration" \
		"moving accuracy" "'$DIR/adapt_64.tsv' using 1:2 with lines title 'accuracy'"
fi
