#!/bin/bash
# reproduce_report.sh OUT - docs/results.md and the plots from the data
# reproduce.sh left in OUT/results/ (its environment, or OUT/results/
# report.env when run by hand, says how it ran).
# Every figure stands beside the thesis's value for it.
set -u
OUT=$1
RES=$OUT/results
MD=$OUT/results.md
# Run by hand on an earlier run's data: that run's parameters.
if [ -z "${SLO_MS:-}" ] && [ -f "$RES/report.env" ]; then
	# shellcheck disable=SC1091 # written by reproduce.sh
	. "$RES/report.env"
fi

# Thesis figures (P4Hauler testbed, one server CPU and one SmartNIC).
TH_VGG="VGG16 55 -> 70 req/s (+27%)"
TH_KNN="KNN 16 -> 20 req/s (+25%)"
TH_FCT="13.2% shorter"
TH_PROXY="KNN at 20 req/s: hauler 1215 ms, nginx 3708 ms (3.05x)"

col() { awk -F'\t' -v c="$1" -v k="$2" 'NR > 1 && $1 == c { print $k; exit }' "$3"; }
BASE=$(col server-only 3 "$RES/maxrate.tsv")
BEST_EST=$(col "$BEST" 3 "$RES/maxrate.tsv")
BEST_RATIO=$(col "$BEST" 5 "$RES/maxrate.tsv")
WRR_EST=$(col wrr 3 "$RES/maxrate.tsv")
PRT_EST=$(col prt 3 "$RES/maxrate.tsv")
# Low load: the lowest grid rate; which policy had the lowest P99 there.
LOW_RATE=$(awk -F'\t' 'NR > 1 && $1 != "nginx" { print $2; exit }' "$RES/sweep.tsv")
LOW_BEST=$(awk -F'\t' -v r="$LOW_RATE" 'NR > 1 && $2 == r && $1 != "server-only" && $1 != "nginx" && $5 != "null" {
	if (m == "" || $5 + 0 < m) { m = $5 + 0; b = $1 } } END { print b }' "$RES/sweep.tsv")
HIGH_BEST=$BEST

# ---- plots ----
PLOTS=0
if command -v gnuplot >/dev/null; then
	PLOTS=1
	# null P99 (losses above 1%) is drawn at the loss timeout, off the scale of a meeting run.
	awk -F'\t' -v OFS='\t' -v cap="$TIMEOUT_MS" 'NR > 1 { if ($5 == "null") $5 = cap; print }' \
		"$RES/sweep.tsv" >"$RES/sweep.plot"
	CONFIGS=$(awk -F'\t' 'NR > 1 && $1 != "nginx" && !s[$1]++ { printf "%s ", $1 }' "$RES/sweep.tsv")
	awk -F'\t' -v OFS='\t' -v b="${BASE:-0}" 'NR > 1 && b > 0 { print $1, $3 / b }' "$RES/maxrate.tsv" \
		>"$RES/ratio.plot"
	awk -F'\t' -v OFS='\t' 'NR > 1 { if ($1 == "server-only") base[$2] = $4; v[NR] = $0 }
		END { for (i in v) { split(v[i], f, "\t"); if (base[f[2]] > 0) print f[1], f[2], f[4] / base[f[2]] } }' \
		"$RES/fct.tsv" | sort >"$RES/fct.plot"
	for term in "pngcairo size 960,600 font 'sans,10'" "svg size 960,600 dynamic font 'sans,10'"; do
		ext=png
		case "$term" in svg*) ext=svg ;; esac
		gnuplot 2>>"$RES/gnuplot.log" <<-EOF || PLOTS=0
			set terminal $term
			set datafile separator "\t"
			set grid
			set key outside right top

			set output "$RES/p99_vs_rate.$ext"
			set title "P99 latency against offered rate (UDP, open loop; target $SLO_MS ms)\nthesis Fig. 5.7: $TH_VGG, $TH_KNN"
			set xlabel "offered rate (requests/s)"
			set ylabel "P99 latency (ms), log scale; at $TIMEOUT_MS: over 1% lost"
			set logscale y
			set arrow from graph 0, first $SLO_MS to graph 1, first $SLO_MS nohead dt 2 lc rgb "red"
			plot for [c in "$CONFIGS"] "< awk -F'\t' -v c=" . c . " '\$1 == c' $RES/sweep.plot" \
				using 2:5 with linespoints title c
			unset arrow
			unset logscale y

			set output "$RES/max_rate.$ext"
			set title "Highest rate meeting P99 <= $SLO_MS ms, relative to the server CPU alone\nthesis: 1.27 (VGG16), 1.25 (KNN); theory for 5:1: 1.20"
			set style data histogram
			set style fill solid 0.6
			set boxwidth 0.7
			set xlabel ""
			set ylabel "max rate / server CPU only"
			set yrange [0:*]
			set xtics rotate by -30
			plot "$RES/ratio.plot" using 2:xtic(1) title "hauler (this rig)", \
				1.27 with lines dt 2 lc rgb "red" title "thesis VGG16 1.27", \
				1.25 with lines dt 3 lc rgb "orange" title "thesis KNN 1.25", \
				1.20 with lines dt 4 lc rgb "gray" title "5:1 capacity 1.20"

			set output "$RES/fct.$ext"
			set title "Completion time of a batch, relative to the server CPU alone (offered at $FCT_RATE req/s)\nthesis Figs. 5.8-5.9: $TH_FCT"
			set ylabel "batch completion time / server CPU only"
			plot "< awk -F'\t' '\$2 == $(echo "$BATCHES_LIST" | cut -d' ' -f1)' $RES/fct.plot" using 3:xtic(1) title "batch of $(echo "$BATCHES_LIST" | cut -d' ' -f1)", \
				"< awk -F'\t' '\$2 == $(echo "$BATCHES_LIST" | cut -d' ' -f2)' $RES/fct.plot" using 3:xtic(1) title "batch of $(echo "$BATCHES_LIST" | cut -d' ' -f2)", \
				0.868 with lines dt 2 lc rgb "red" title "thesis: 0.868"
			set style data linespoints
			set xtics norotate
			set yrange [*:*]

			set output "$RES/agent_cpu.$ext"
			set title "hauler-agent CPU use against its report rate\nthesis Fig. 5.10 (its values are not restated here)"
			set xlabel "reports per second (log scale)"
			set ylabel "CPU, % of one core"
			set logscale x
			plot "$RES/agent.tsv" using 1:4 skip 1 with linespoints title "hauler-agent (cgroup cmp, port queue)"
			unset logscale x

			set output "$RES/proxy.$ext"
			set title "hauler against nginx (UDP proxy, one worker, same 5:1 weights)\nthesis Table 5.4: $TH_PROXY"
			set xlabel "offered rate (requests/s)"
			set ylabel "P99 latency (ms), log scale"
			set logscale y
			set arrow from graph 0, first $SLO_MS to graph 1, first $SLO_MS nohead dt 2 lc rgb "red"
			plot for [c in "nginx wrr $BEST"] "< awk -F'\t' -v c=" . c . " '\$1 == c' $RES/sweep.plot" \
				using 2:5 with linespoints title (c eq "nginx" ? "nginx" : "hauler " . c)
		EOF
	done
	rm -f "$RES"/*.plot "$RES/gnuplot.log"
fi

# ---- results.md ----
pct_shorter() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0 && a != "" && a != "null") printf "%.1f%%", 100 * (1 - a / b); else printf "-" }'; }
thesis_for() {
	case "$1" in
	server-only) echo "baseline: VGG16 55 req/s, KNN 16 req/s" ;;
	wrr) echo "best at high load: 1.27 (VGG16 70), 1.25 (KNN 20)" ;;
	prt) echo "best at low load" ;;
	learned) echo "P4Wise: within 5% of the best fixed policy" ;;
	*) echo "(not given in the issue)" ;;
	esac
}
# The simulator's section (tools/sim/reproduce.sh writes it between its
# markers, after ours): kept as it is.
SIM_BEGIN='<!-- simulator: written by tools/sim/reproduce.sh from here -->'
KEPT=""
if [ -f "$MD" ] && grep -qF "$SIM_BEGIN" "$MD"; then
	KEPT=$(sed -n "\|^$SIM_BEGIN|,\$p" "$MD")
fi
{
	echo "# Reproduction: hauler against the thesis's testbed results"
	echo
	echo "Generated by \`make reproduce\` (\`tools/reproduce.sh\`); the run ended ${RUN_DATE:-$(date -u '+%Y-%m-%d %H:%M UTC')}."
	[ "$SMOKE" = 1 ] && echo && echo "**Smoke run: the shape of the output only; the figures mean nothing.**"
	echo
	echo "- Machine: \`$MACHINE_UNAME\`, $MACHINE_NPROC CPUs ($MACHINE_CPU)."
	echo "- Load average (1, 5, 15 min) before: $LOAD_BEFORE; after: $LOAD_AFTER. The run took ${ELAPSED} s."
	echo "- Rig: one server, \`s1cpu\` ($WL_CPU_PCT% of one CPU) and \`s1acc\` ($WL_ACC_PCT%: the thesis's 91 vs 17.6"
	echo "  GFLOP/s), each running \`workd\` on CPU $WL_CPU with $ITERS kernel repetitions per request"
	echo "  (${WL_WORK_US} us of CPU at full speed; [workload.md](workload.md)); CFS quota $WL_QUOTA_US us per"
	echo "  $((WL_QUOTA_US * 100 / WL_CPU_PCT)) us and per $((WL_QUOTA_US * 100 / WL_ACC_PCT)) us. The client (loadgen, nice -10), the balancer's XDP"
	echo "  and the agents share the machine's other cycles."
	echo "  Capacity measured before the sweeps (throughput when offered 1.6x the nominal): s1cpu"
	echo "  $CAP_CPU requests/s (nominal $C0_NOMINAL), s1acc $CAP_ACC requests/s: **$CAP_RATIO:1** (thesis ~5.2:1)."
	echo "  C0 = $C0 requests/s, the server CPU's measured capacity, scales the rate grid."
	echo "- Unloaded P50: s1cpu $U_CPU ms, s1acc $U_ACC ms. A request without a reply within"
	echo "  $TIMEOUT_MS ms (10x the accelerator's unloaded latency) is lost and counts as infinitely late."
	echo "- Each point: open-loop Poisson UDP requests for $REPRO_POINT_S s, the first $REPRO_WARMUP_S s"
	echo "  not counted; rates $REPRO_GRID x C0, upwards until P99 misses the target of **$SLO_MS ms**."
	echo "  Agents report every 10 ms (\`cmp\` of the device's cgroup over 50 ms windows, the port's"
	if [ -n "${AGENT_UDP:-}" ]; then
		echo "  queue: the UDP receive queue's fill, \`--proto udp\`; workd's P99)."
	else
		echo "  queue as the TCP accept queue: this hauler-agent had no \`--proto udp\`, so \`jsq\` saw 0"
		echo "  for these UDP requests; workd's P99)."
	fi
	echo
	echo "## Highest rate at P99 <= $SLO_MS ms (thesis Fig. 5.7)"
	echo
	echo "| configuration | max rate met (grid) | estimate | ratio to server CPU only | first miss | thesis |"
	echo "|---|---|---|---|---|---|"
	awk -F'\t' 'NR > 1' "$RES/maxrate.tsv" | while IFS=$'\t' read -r c grid est miss ratio; do
		if [ "$grid" = 0 ]; then # it missed at the lowest rate already
			grid="below $miss" est="-" ratio="-"
		fi
		echo "| \`$c\` | $grid | $est | **$ratio** | $miss | $(thesis_for "$c") |"
	done
	for c in $SKIPPED; do
		echo "| \`$c\` | - | - | - | - | $(thesis_for "$c"); not run: $([ "$c" = learned ] && { [ "${HAVE_LEARN:-0}" = 1 ] && echo "\`hauler learn\` exists, but its live run is not wired into the rig (see the simulator section)" || echo "\`hauler learn\` is not in this build"; } || echo "its setup failed") |"
	done
	echo
	echo "\"estimate\" interpolates log P99 between the last rate that met the target and the first"
	echo "that missed it; \"max rate met\" is the grid rate itself. Ratios use the estimates. A point that"
	echo "missed was measured once more and the second run stands (the machine is shared: a burst of other"
	echo "work can sink one point); $(awk -F'\t' 'NR > 1 && $10 == 2' "$RES/sweep.tsv" | wc -l) of $(($(wc -l <"$RES/sweep.tsv") - 1)) points are second runs, $(awk -F'\t' 'NR > 1 && $10 == 2 && $9 == "meets"' "$RES/sweep.tsv" | wc -l) of them met the target."
	echo
	[ "$PLOTS" = 1 ] && echo "![P99 against rate](results/p99_vs_rate.png) ([SVG](results/p99_vs_rate.svg))" && echo &&
		echo "![max rate ratio](results/max_rate.png) ([SVG](results/max_rate.svg))" && echo
	echo "### Targets (reported, not asserted)"
	echo
	echo "- Best policy >= 1.18x the server CPU alone (theory 1.20, thesis 1.25-1.27): \`$BEST\` at"
	echo "  ${BEST_RATIO:-?}x ($BEST_EST vs $BASE requests/s): $(awk -v r="${BEST_RATIO:-0}" 'BEGIN { print (r >= 1.18) ? "**met**" : "**not met**" }')$(awk -v r="${BEST_RATIO:-0}" 'BEGIN { if (r > 1.2) printf " (but above the 1.20 that a 5:1 pair allows: the server CPU'"'"'s own figure came out low; see \"Reading these results\")" }')."
	echo "  Against the server CPU's measured capacity instead: $BEST_EST / C0 $C0 = $(awk -v a="${BEST_EST:-0}" -v c="$C0" 'BEGIN { printf "%.2f", a / c }')"
	echo "  (with the accelerator the pair's capacity is about $(awk -v c="$C0" -v a="${CAP_ACC:-0}" 'BEGIN { printf "%.2f", (c + a) / c }') C0); the server CPU alone met the target up to $BASE/s = $(awk -v a="${BASE:-0}" -v c="$C0" 'BEGIN { printf "%.2f", a / c }') C0."
	echo "- PRT best at low load: at $LOW_RATE requests/s the lowest P99 among the configurations that"
	echo "  use the accelerator is \`${LOW_BEST:-?}\`'s ($([ "$LOW_BEST" = prt ] && echo "**as in the thesis**" || echo "**not PRT**"))."
	echo "- WRR best at high load: the highest max rate is \`$HIGH_BEST\`'s ($BEST_EST/s); wrr $WRR_EST/s, prt $PRT_EST/s"
	echo "  ($([ "$HIGH_BEST" = wrr ] && echo "**as in the thesis**" || echo "**not WRR**"))."
	echo
	echo "## Batch completion time (thesis Figs. 5.8-5.9: $TH_FCT)"
	echo
	echo "A batch of requests offered open loop at $FCT_RATE requests/s (1.25 C0, above what the server"
	echo "CPU alone serves); the time from its first request to its last reply. workd keeps every request here."
	echo
	echo "| configuration | batch | completion (ms) | shorter than server CPU only | lost | s1cpu / s1acc |"
	echo "|---|---|---|---|---|---|"
	awk -F'\t' 'NR > 1' "$RES/fct.tsv" | while IFS=$'\t' read -r c b _ fct lost nc na; do
		base=$(awk -F'\t' -v b="$b" 'NR > 1 && $1 == "server-only" && $2 == b { print $4 }' "$RES/fct.tsv")
		echo "| \`$c\` | $b | $fct | $(pct_shorter "$fct" "$base") | $lost | $nc / $na |"
	done
	echo
	[ "$PLOTS" = 1 ] && echo "![batch completion](results/fct.png) ([SVG](results/fct.svg))" && echo
	echo "## hauler-agent CPU use against report rate (thesis Fig. 5.10)"
	echo
	echo "One agent measuring s1cpu's cgroup, port and latency socket and sending authenticated reports to the"
	echo "balancer; its CPU time (/proc/PID/schedstat) over the stated seconds, after one second of start-up."
	echo "The thesis's figure shows the cost growing with the report rate; its numbers are not restated"
	echo "in the issue, so only ours are here."
	echo
	echo "| reports/s | CPU, % of one core | CPU ms | over s |"
	echo "|---|---|---|---|"
	awk -F'\t' 'NR > 1 { printf "| %s | %s | %s | %s |\n", $1, $4, $3, $2 }' "$RES/agent.tsv"
	echo
	[ "$PLOTS" = 1 ] && echo "![agent CPU](results/agent_cpu.png) ([SVG](results/agent_cpu.svg))" && echo
	echo "## hauler against an L7 proxy (thesis Table 5.4: $TH_PROXY)"
	echo
	if [ "$HAVE_NGINX" = 1 ]; then
		echo "nginx (Debian, stream module) in the balancer's namespace, one worker process, UDP,"
		echo "\`proxy_responses 1\`, the same 5:1 weights as \`wrr\`; the client sends to it instead of the VIP."
		echo
		echo "| system | rate | P99 (ms) | loss % | target |"
		echo "|---|---|---|---|---|"
		awk -F'\t' 'NR > 1 { printf "| %s | %s | %s | %s | %s |\n", $1 == "nginx" ? "nginx" : "hauler `" $1 "`", $2, $3, $4, $5 }' "$RES/proxy.tsv"
		echo
		KNEE=$(awk -F'\t' '$1 == "nginx" && $5 == "meets" { r = $2 } END { print r }' "$RES/proxy.tsv")
		MISS=$(awk -F'\t' '$1 == "nginx" && $5 == "misses" { print $2; exit }' "$RES/proxy.tsv")
		for r in $KNEE $MISS; do
			np=$(awk -F'\t' -v r="$r" '$1 == "nginx" && $2 == r { print $3 }' "$RES/proxy.tsv")
			for s in $(printf '%s\n' wrr "$BEST" | awk 'NF && !seen[$0]++'); do
				hp=$(awk -F'\t' -v r="$r" -v s="$s" '$1 == s && $2 == r { print $3 }' "$RES/proxy.tsv")
				[ -n "$hp" ] || hp="(not measured at this rate)"
				echo "- At $r requests/s$([ "$r" = "$KNEE" ] && echo " (nginx's knee: its highest rate meeting the target)" || echo " (nginx's first miss)"): nginx P99 $np ms, hauler \`$s\` $hp ms$(awk -v a="$np" -v b="$hp" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf ": nginx / hauler = %.2fx (target >= 3x)", a / b }')."
			done
		done
		echo
		[ "$PLOTS" = 1 ] && echo "![hauler vs nginx](results/proxy.png) ([SVG](results/proxy.svg))" && echo
	else
		echo "Not run: nginx with its stream module was not installed (\`make reproduce\` installs it)."
		echo
	fi
	echo "## Data"
	echo
	echo "\`results/sweep.tsv\` (every point), \`results/sweep.jsonl\` (loadgen's JSON per point: P50,"
	echo "P99, P99.9, losses, throughput, per-device service and queueing time), \`results/maxrate.tsv\`,"
	echo "\`results/fct.tsv\`, \`results/agent.tsv\`, \`results/proxy.tsv\`."
	# Hand-written sections kept beside the generated file (docs/results_*.md:
	# notes on this rig, other parts such as the simulator's), in name order.
	for f in "$OUT"/results_*.md; do
		[ -f "$f" ] || continue
		echo
		cat "$f"
	done
	if [ -n "$KEPT" ]; then
		echo
		printf '%s\n' "$KEPT"
	fi
} >"$MD.tmp" && mv "$MD.tmp" "$MD"
