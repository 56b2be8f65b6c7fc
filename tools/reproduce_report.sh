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
# The best configuration but the server CPU alone: the highest estimate.
BEST=$(awk -F'\t' 'NR > 1 && $1 != "server-only" && $3 > m { m = $3; b = $1 } END { print b }' "$RES/maxrate.tsv")
BASE=$(col server-only 3 "$RES/maxrate.tsv")
BEST_EST=$(col "$BEST" 3 "$RES/maxrate.tsv")
BEST_RATIO=$(col "$BEST" 5 "$RES/maxrate.tsv")
WRR_EST=$(col wrr 3 "$RES/maxrate.tsv")
PRT_EST=$(col prt 3 "$RES/maxrate.tsv")
# Low load: the lowest grid rate; which of the thesis's policies had the
# lowest P99 there, and the next. Not the server CPU alone (the baseline)
# nor the learner: at low load it sits at PRT's weights, the same
# configuration as prt, and is judged against the best fixed policy apart.
LOW_RATE=$(awk -F'\t' 'NR > 1 && $1 != "nginx" { print $2; exit }' "$RES/sweep.tsv")
read -r LOW_BEST LOW_NEXT < <(awk -F'\t' -v r="$LOW_RATE" 'NR > 1 && $2 == r && $1 != "server-only" &&
	$1 != "learned" && $1 !~ /^nginx/ && $5 != "null" { print $5 + 0, $1 }' "$RES/sweep.tsv" |
	sort -g | head -2 | awk '{ printf "%s ", $2 }')
low_p99() { awk -F'\t' -v c="$1" -v r="$LOW_RATE" 'NR > 1 && $1 == c && $2 == r { print $5; exit }' "$RES/sweep.tsv"; }
# High load: the thesis's policies only (the learner is judged apart).
HIGH_BEST=$(awk -F'\t' 'NR > 1 && $1 != "server-only" && $1 != "learned" && $3 > m { m = $3; b = $1 } END { print b }' "$RES/maxrate.tsv")
HIGH_EST=$(col "$HIGH_BEST" 3 "$RES/maxrate.tsv")

# model_rates: the highest rate meeting the target per configuration of
# model.tsv (hauler-sim at the rig's shape), interpolated like maxrate.tsv.
model_rates() {
	awk -F'\t' -v slo="$SLO_MS" 'NR > 1 {
		if (!($1 in seen)) { order[++n] = $1; seen[$1] = 1 }
		if (!($1 in miss)) {
			if ($3 <= slo) { last[$1] = $2; lastp[$1] = $3 }
			else { miss[$1] = $2; missp[$1] = $3 }
		}
	} END {
		for (i = 1; i <= n; i++) {
			c = order[i]
			if (!(c in last)) { print c "\t-"; continue }
			est = last[c]
			if ((c in miss) && lastp[c] > 0)
				est += (miss[c] - last[c]) * (log(slo) - log(lastp[c])) / (log(missp[c]) - log(lastp[c]))
			printf "%s\t%.1f\n", c, est
		}
	}' "$RES/model.tsv"
}
# fct_rows: per configuration and batch size (in fct.tsv's order), over the
# rounds of fct.tsv (column 8; a file without it: one round): config, batch,
# median completion (ms), each round's, lost (all rounds), the median of the
# rounds' "shorter than the server CPU alone in the same round" (%), its
# min and max, s1cpu / s1acc of the last round, the rounds' speeds, and
# how many rounds the comparison counts: those where both batches ran at
# a valid speed (REPRO_MIN_SPEED..REPRO_MAX_SPEED; a row without one counts).
fct_rows() {
	awk -F'\t' -v OFS='\t' -v lo_s="${REPRO_MIN_SPEED:-0.85}" -v hi_s="${REPRO_MAX_SPEED:-1.15}" '
		function med(s,   a, n, i, j, t) {
			n = split(s, a, " ")
			for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
			return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
		}
		function ok(x) { return x == "" || x == "-" || (x + 0 >= lo_s && x + 0 <= hi_s) }
		NR == 1 { next }
		{
			r = ($8 == "" ? 1 : $8); k = $1 SUBSEP $2
			if (!(k in seen)) { seen[k] = 1; order[++n] = k; cfg[k] = $1; bat[k] = $2 }
			fct[k, r] = $4; fok[k, r] = ok($9); rounds[k] = rounds[k] " " r; lost[k] += $5; devs[k] = $6 " / " $7
			spd[k] = spd[k] (spd[k] == "" ? "" : ", ") ($9 == "" ? "-" : $9)
			if ($1 == "server-only") { base[$2, r] = $4; bok[$2, r] = ok($9) }
		}
		END {
			for (i = 1; i <= n; i++) {
				k = order[i]; all = ""; each = ""; sh = ""; lo = ""; hi = ""; nv = 0
				m = split(substr(rounds[k], 2), rr, " ")
				for (j = 1; j <= m; j++) {
					f = fct[k, rr[j]]; all = all " " f; each = each (j > 1 ? ", " : "") sprintf("%.0f", f)
					b = base[bat[k], rr[j]]
					if (b > 0 && f != "null" && fok[k, rr[j]] && bok[bat[k], rr[j]]) {
						x = 100 * (1 - f / b); sh = sh " " x; nv++
						if (lo == "" || x < lo) lo = x
						if (hi == "" || x > hi) hi = x
					}
				}
				printf "%s\t%s\t%.1f\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%d\n", cfg[k], bat[k], med(all), each, lost[k],
					(sh == "" ? "-" : sprintf("%.1f", med(sh))), (lo == "" ? "-" : sprintf("%.1f", lo)),
					(hi == "" ? "-" : sprintf("%.1f", hi)), devs[k], spd[k], nv
			}
		}' "$RES/fct.tsv"
}

# ---- plots ----
PLOTS=0
if [ "${REPRO_PLOTS:-1}" = 1 ] && command -v gnuplot >/dev/null; then
	PLOTS=1
	# null P99 (losses above 1%) is drawn at the loss timeout, off the scale of a meeting run.
	awk -F'\t' -v OFS='\t' -v cap="$TIMEOUT_MS" 'NR > 1 { if ($5 == "null") $5 = cap; print }' \
		"$RES/sweep.tsv" >"$RES/sweep.plot"
	awk -F'\t' -v OFS='\t' -v cap="$TIMEOUT_MS" 'NR > 1 && $7 == "sweep" { if ($3 == "null") $3 = cap; print }' \
		"$RES/proxy.tsv" >"$RES/proxy.plot"
	CONFIGS=$(awk -F'\t' 'NR > 1 && $1 != "nginx" && !s[$1]++ { printf "%s ", $1 }' "$RES/sweep.tsv")
	awk -F'\t' -v OFS='\t' -v b="${BASE:-0}" 'NR > 1 && b > 0 { print $1, $3 / b }' "$RES/maxrate.tsv" \
		>"$RES/ratio.plot"
	fct_rows | awk -F'\t' -v OFS='\t' '$6 != "-" { print $1, $2, 1 - $6 / 100 }' | sort >"$RES/fct.plot"
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
			set title "hauler against nginx (UDP proxy, one worker; nginx-wrr: hauler's 5:1 weights, nginx-rr: plain round robin)\nthesis Table 5.4: $TH_PROXY"
			set xlabel "offered rate (requests/s)"
			set ylabel "P99 latency (ms), log scale"
			set logscale y
			set arrow from graph 0, first $SLO_MS to graph 1, first $SLO_MS nohead dt 2 lc rgb "red"
			plot for [c in "wrr nginx-wrr nginx-rr"] "< awk -F'\t' -v c=" . c . " '\$1 == c' $RES/proxy.plot" \
				using 2:3 with linespoints title (c eq "wrr" ? "hauler wrr" : c)
		EOF
	done
	rm -f "$RES"/*.plot "$RES/gnuplot.log"
fi

# ---- results.md ----
thesis_for() {
	case "$1" in
	server-only) echo "baseline: VGG16 55 req/s, KNN 16 req/s" ;;
	wrr) echo "best at high load: 1.27 (VGG16 70), 1.25 (KNN 20)" ;;
	prt) echo "best at low load" ;;
	learned) echo "P4Wise: within 5% of the best fixed policy" ;;
	*) echo "(not given in the issue)" ;;
	esac
}
{
	echo "# Reproduction: hauler against the thesis's testbed results"
	echo
	echo "Generated by \`make reproduce\` (\`tools/reproduce.sh\`) from the data in \`results/\`; the parts can be"
	echo "measured in separate runs (\`REPRO_PARTS\`), each in its own turn of \`tools/quiet.sh\`:"
	echo
	echo "| part | measured (run ended) | load average before | after | the rig's CPU to itself (\`tools/quiet.sh\`) | took |"
	echo "|---|---|---|---|---|---|"
	for pt in sweep fct agent proxy knee; do
		if [ "$pt" = knee ]; then # its sessions: in its own section
			[ "$(wc -l <"$RES/knee.tsv" 2>/dev/null || echo 0)" -gt 1 ] &&
				echo "| knee | the sessions in [its section](#the-knees-of-the-server-cpu-alone-and-of-wrr-pinned-down) | | | | |"
			continue
		fi
		if [ -f "$RES/part_$pt.env" ]; then
			# shellcheck disable=SC1090 # written by reproduce.sh
			(. "$RES/part_$pt.env" && echo "| $pt | $PART_DATE | $PART_LOAD_BEFORE | $PART_LOAD_AFTER | $([ "$PART_QUIET" = 1 ] && echo "yes, CPU $WL_CPU" || echo no) | $PART_S s |")
		else # measured before runs kept part_NAME.env: the whole run's
			echo "| $pt | $RUN_DATE (whole run) | $LOAD_BEFORE | $LOAD_AFTER | $([ "${MACHINE_NCPU:-$MACHINE_NPROC}" != "$MACHINE_NPROC" ] && echo "yes, CPU $WL_CPU" || echo no) | $ELAPSED s (all parts) |"
		fi
	done
	[ "$SMOKE" = 1 ] && echo && echo "**Smoke run: the shape of the output only; the figures mean nothing.**"
	echo
	if [ "${REPRO_BUDGET_S:-0}" -gt 0 ]; then
		echo "- Time: the rig's parts took $ELAPSED s of their budget of $REPRO_BUDGET_S s (\`REPRO_BUDGET_S\`; the simulator's"
		echo "  part runs after them). A part past its share of the budget stops retrying and then stops;"
		echo "  $([ -n "${BUDGET_CUTS:-}" ] && echo "in this run the budget cut short: $(echo "$BUDGET_CUTS" | sed 's/\[[^]]*\] //g; s/; *$//')." || echo "in this run it cut nothing short.")"
	fi
	echo "- Machine: \`$MACHINE_UNAME\`, ${MACHINE_NCPU:-$MACHINE_NPROC} CPUs ($MACHINE_CPU)$([ "${MACHINE_NCPU:-$MACHINE_NPROC}" != "$MACHINE_NPROC" ] && echo "; a run under \`tools/quiet.sh\` (see the table) had $MACHINE_NPROC of them, CPU $WL_CPU, to itself: every other task of the machine was kept on the other CPUs, and **everything of the rig ran on that one CPU**: the client (loadgen), the balancer's XDP work (softirq of the sending CPU), both agents, both devices and nginx")."
	echo "- hauler: commit \`${HAULER_COMMIT:-unknown}\`, the ${HAULER_TABLE:-unrecorded} connection table (\`hauler up\`'s default)."
	echo "- The rig's figures below (calibration, capacity, unloaded latency) are the sweep's run's; each part's own are in \`results/part_NAME.env\`."
	acc_pct=${WL_ACC_PCT:-$WL_CPU_PCT} slow=${WL_ACC_SLOW:-5}
	echo "- Rig: one server with two devices, both \`workd\` ([workload.md](workload.md)), each under a CFS"
	echo "  quota of its own on CPU $WL_CPU: \`s1cpu\`, the server CPU, $WL_CPU_PCT% ($WL_QUOTA_US us per $((WL_QUOTA_US * 100 / WL_CPU_PCT)) us), $ITERS kernel"
	echo "  repetitions per request (${WL_WORK_US} us of CPU at full speed), and \`s1acc\`, the accelerator, $acc_pct% ($WL_QUOTA_US us per"
	echo "  $((WL_QUOTA_US * 100 / acc_pct)) us) and ${slow}x the repetitions: a fifth of the capacity and five times the service time"
	echo "  (thesis: server CPU 91, SmartNIC 17.6 GFLOP/s, 5.2:1). Capacity"
	echo "  (quota / work per request): s1cpu **C0 = $C0_NOMINAL** requests/s, s1acc ${ACC_NOMINAL:-?}/s; measured (offered"
	echo "  1.3x that for 3 s), each alone: $CAP_CPU and $CAP_ACC requests/s ($CAP_RATIO:1)$([ -n "${CAP_CPU_BOTH:-}" ] && echo "; both at once: $CAP_CPU_BOTH and $CAP_ACC_BOTH ($CAP_RATIO_BOTH:1)"). C0 scales the rate grid."
	echo "  Both devices together use at most $((WL_CPU_PCT + acc_pct))% of the CPU; the rest is the client's, the balancer's and the agents'."
	echo "- Unloaded P50: s1cpu $U_CPU ms, s1acc $U_ACC ms. A request without a reply within"
	echo "  $TIMEOUT_MS ms (10x the accelerator's unloaded latency) is lost and counts as infinitely late."
	echo "- **P99 target $SLO_MS ms**: 5x the accelerator's service time, as the thesis's (its P99 of 1215 ms at"
	echo "  the top rate is about 5x its SmartNIC's 250 ms per KNN request; 19x its server CPU's 62.5 ms)."
	echo "- Each point: open-loop Poisson UDP requests for $REPRO_POINT_S s, the first $REPRO_WARMUP_S s not counted; rates"
	echo "  $REPRO_GRID x C0, upwards until P99 misses the target${REPRO_SEED:+; the runs of a round (every configuration and rate) draw the same arrivals, stretched to the rate (seed base $REPRO_SEED)}. Agents report every 10 ms (\`cmp\` of"
	if [ -n "${AGENT_UDP:-}" ]; then
		echo "  the device's cgroup over 50 ms windows; \`queue\`: the UDP receive queue's fill; workd's P99)."
	else
		echo "  the device's cgroup over 50 ms windows; \`queue\` as the TCP accept queue: this hauler-agent had"
		echo "  no \`--proto udp\`, so \`jsq\` saw 0 for these UDP requests; workd's P99)."
	fi
	echo "- **Speed**: this virtual machine's CPUs slow each other down (a CPU ran the kernel at half its"
	echo "  calibrated speed while the other was busy, even with the rig alone on its CPU). Each run measures"
	echo "  it: the work its replies stand for over the CPU time the devices' cgroups used (1.00: as"
	echo "  calibrated). A run is valid at speed ${REPRO_MIN_SPEED:-0.85} to ${REPRO_MAX_SPEED:-1.15} (a faster one: the calibration was taken in a slow spell). Each point is measured in up to ${REPRO_TRIES:-3} rounds, the"
	echo "  configurations interleaved: a configuration is settled by a valid run that meets the target or"
	echo "  by two valid runs that miss; the valid run that met stands, else the last valid one, else the"
	echo "  one closest to speed 1 (the fastest, in runs before 2026-12-02 07:45). $(awk -F'\t' 'NR > 1 && $10 > 1' "$RES/sweep.tsv" | wc -l) of $(($(wc -l <"$RES/sweep.tsv") - 1)) points needed more than one run; $(awk -F'\t' -v m="${REPRO_MIN_SPEED:-0.85}" -v x="${REPRO_MAX_SPEED:-1.15}" 'NR > 1 && ($11 == "-" || $11 < m || $11 > x)' "$RES/sweep.tsv" | wc -l) stand without a valid run (their speed is in \`sweep.tsv\`)."
	if [ "${REPRO_GATE_S:-0}" -gt 0 ] && [ "${WL_WORK_BY:-iters}" != cpu ]; then
		echo "  Before each run the rig waited (at most ${REPRO_GATE_S} s) until a calibration of the devices' CPU found the kernel at ${REPRO_MIN_SPEED:-0.85} of its speed: ${GATE_WAITS:-0} waits, ${GATE_WAITED_S:-0} s in all."
	fi
	if [ -n "${REPRO_MAX_LAG_MS:-}" ]; then
		echo "  A run whose client fell more than ${REPRO_MAX_LAG_MS} ms behind its schedule (the machine's other work on its CPU) was not counted and run again: ${CLIENT_STALLS:-0} such runs (\`results/stalled.jsonl\`)."
	fi
	echo
	echo "## Highest rate at P99 <= $SLO_MS ms (thesis Fig. 5.7)"
	echo
	echo "| configuration | max rate met (grid) | estimate | ratio to server CPU only | first miss | model (hauler-sim) | model ratio | thesis |"
	echo "|---|---|---|---|---|---|---|---|"
	MODEL_RATES=""
	[ -s "$RES/model.tsv" ] && MODEL_RATES=$(model_rates)
	MODEL_BASE=$(printf '%s\n' "$MODEL_RATES" | awk -F'\t' '$1 == "server-only" { print $2 }')
	awk -F'\t' 'NR > 1' "$RES/maxrate.tsv" | while IFS=$'\t' read -r c grid est miss ratio; do
		if [ "$grid" = 0 ]; then # it missed at the lowest rate already
			grid="below $miss" est="-" ratio="-"
		fi
		m=$(printf '%s\n' "$MODEL_RATES" | awk -F'\t' -v c="$c" '$1 == c { print $2 }')
		mr=$(awk -v a="${m:--}" -v b="${MODEL_BASE:--}" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else print "-" }')
		echo "| \`$c\` | $grid | $est | **$ratio** | $miss | ${m:--} | $mr | $(thesis_for "$c") |"
	done
	for c in $SKIPPED; do
		echo "| \`$c\` | - | - | - | - | - | - | $(thesis_for "$c"); not run: $([ "$c" = learned ] && echo "\`hauler learn\` is not in this build" || echo "its setup failed") |"
	done
	echo
	echo "\"estimate\" interpolates log P99 between the last rate that met the target and the first"
	echo "that missed it; \"max rate met\" is the grid rate itself. Ratios use the estimates. \"model\": the"
	echo "same sweep in \`hauler-sim\` (one server, a CPU of C0 and an accelerator of ${ACC_NOMINAL:-?} requests/s, fixed"
	echo "service times, reports every 10 ms, hauler's own selection code; 3 runs of 30 s per point): what"
	echo "the policies give when only the policies differ."
	echo
	[ "$PLOTS" = 1 ] && echo "![P99 against rate](results/p99_vs_rate.png) ([SVG](results/p99_vs_rate.svg))" && echo &&
		echo "![max rate ratio](results/max_rate.png) ([SVG](results/max_rate.svg))" && echo
	echo "### Targets (reported, not asserted)"
	echo
	echo "- Best policy >= 1.18x the server CPU alone (theory 1.20, thesis 1.25-1.27): in the sweep, \`$BEST\` at"
	echo "  ${BEST_RATIO:-?}x ($BEST_EST vs $BASE requests/s): $(awk -v r="${BEST_RATIO:-0}" 'BEGIN { print (r >= 1.18) ? "**met**" : "**not met**" }'). The model's best: $(printf '%s\n' "$MODEL_RATES" | awk -F'\t' -v b="${MODEL_BASE:-0}" '$1 != "server-only" && $2 + 0 > m { m = $2 + 0; c = $1 } END { if (c != "" && b > 0) printf "`%s` at %.2fx (%.1f vs %.1f requests/s)", c, m / b, m, b; else print "-" }')."
	echo "  The server CPU alone met the target up to $BASE/s = $(awk -v a="${BASE:-0}" -v c="$C0" 'BEGIN { printf "%.2f", a / c }') C0."
	if [ "$(col "$BEST" 4 "$RES/maxrate.tsv")" = - ]; then
		echo "  \`$BEST\` never missed: the time budget stopped the sweep first, so its ${BEST_RATIO:-?}x is a lower bound."
	fi
	# The grid alone bounds the ratio whatever the interpolation: the best
	# met at its grid rate, the server CPU alone missed (validly) at its
	# first miss. A base that is only a grid rate (its miss lost requests:
	# no P99 to interpolate) makes the estimate's ratio an upper figure.
	BASE_MISS=$(col server-only 4 "$RES/maxrate.tsv")
	BEST_GRID=$(col "$BEST" 2 "$RES/maxrate.tsv")
	if [ -n "$BASE_MISS" ] && [ "$BASE_MISS" != - ] && [ -n "$BEST_GRID" ]; then
		awk -v g="$BEST_GRID" -v m="$BASE_MISS" -v b="$BASE" -v c="$BEST" 'BEGIN { if (m > 0 && b > 0)
			printf "  From the grid alone: `%s` met %.1f/s and the server CPU alone missed at %.1f/s, so the ratio is above %.2fx whatever lies between the grid'"'"'s rates%s.\n",
				c, g, m, g / m, (b < m * 0.9 ? sprintf(" (the server CPU alone'"'"'s estimate %.1f/s is its last grid rate met, %.0f%% under its first miss: the estimate'"'"'s ratio is an upper figure)", b, 100 * (1 - b / m)) : "") }'
	fi
	# The rig's own ceiling: what both devices serve saturated at once,
	# over the server CPU saturated alone (the devices share a CPU).
	[ -n "${CAP_CPU_BOTH:-}" ] && [ -n "${CAP_CPU:-}" ] &&
		awk -v a="$CAP_CPU" -v b="$CAP_CPU_BOTH" -v x="$CAP_ACC_BOTH" 'BEGIN { if (a > 0)
			printf "  The rig'"'"'s ceiling: saturated at once the devices serve %.1f + %.1f = %.1f requests/s, **%.2fx** the server CPU saturated alone (%.1f/s; %+.0f%% for it while the accelerator works): the gain at saturation. At the P99 target the gain can differ a little either way, as each configuration meets the target at its own share of its capacity (wrr hands each device a smoother stream than Poisson arrivals).\n", b, x, b + x, (b + x) / a, a, (b / a - 1) * 100 }'
	if [ "$(wc -l <"$RES/knee.tsv" 2>/dev/null || echo 0)" -gt 1 ]; then
		echo "  The sweep is one pass of 5 s runs up a coarse grid; the gain in long runs on a fine grid ([knees](#the-knees-of-the-server-cpu-alone-and-of-wrr-pinned-down), one line per rig; the long runs are the figure that counts):"
		python3 "$(dirname "$0")/knee_stats.py" "$RES" "$SLO_MS" "${REPRO_MIN_SPEED:-0.85}" "${REPRO_MAX_SPEED:-1.15}" "$TIMEOUT_MS" summary 1.18 |
			sed 's/^/  /; s/$/./'
	fi
	echo "- PRT best at low load: at $LOW_RATE requests/s the lowest P99 among the thesis's policies (the"
	echo "  configurations that may use the accelerator; the learner is judged apart, below) is \`${LOW_BEST:-?}\`'s"
	echo "  ($([ "$LOW_BEST" = prt ] && echo "**as in the thesis**" || echo "**not PRT**")), $(low_p99 "$LOW_BEST") ms against \`${LOW_NEXT:-?}\`'s $(low_p99 "$LOW_NEXT") ms; P99 there: $(awk -F'\t' -v r="$LOW_RATE" 'NR > 1 && $2 == r && $1 != "nginx" { printf "%s%s %s", sep, $1, $5; sep = ", " }' "$RES/sweep.tsv") ms."
	echo "- WRR best at high load: the highest max rate among the thesis's policies is \`$HIGH_BEST\`'s ($HIGH_EST/s); wrr $WRR_EST/s, prt $PRT_EST/s"
	echo "  ($([ "$HIGH_BEST" = wrr ] && echo "**as in the thesis**" || echo "**not WRR**"))."
	if [ -n "$(col learned 3 "$RES/maxrate.tsv")" ]; then
		LRN_EST=$(col learned 3 "$RES/maxrate.tsv")
		FIX=$(awk -F'\t' 'NR > 1 && $1 != "learned" && $3 > m { m = $3; b = $1 } END { print b }' "$RES/maxrate.tsv")
		FIX_EST=$(col "$FIX" 3 "$RES/maxrate.tsv")
		LRN_LOW=$(awk -F'\t' -v r="$LOW_RATE" '$1 == "learned" && $2 == r { print $5 " ms, " $9 }' "$RES/sweep.tsv")
		echo "- Learner (P4Wise, issue 10 part 4; target: within 5% of the best fixed policy): after its warm-up"
		echo "  ($(echo "${LEARN_WARMUP:-}" | awk '{ for (i = 1; i <= NF; i++) { split($i, a, ":"); printf "%s%s s at %s C0", (i > 1 ? ", then " : ""), a[2], a[1] } }'), one iteration every 500 ms, from PRT's weights 5:0),"
		echo "  \`learned\` met the target at the low rate ($LOW_RATE/s: P99 $LRN_LOW) and up to $LRN_EST/s,"
		echo "  against the best fixed configuration's \`$FIX\` $FIX_EST/s: $(awk -v a="${LRN_EST:-0}" -v b="${FIX_EST:-0}" 'BEGIN { if (b > 0) printf "%.1f%% %s (%s)", 100 * (a / b - 1), (a >= b ? "above" : "below"), (a >= 0.95 * b ? "**met**" : "**not met**"); else print "-" }')."
		if [ "$(col learned 4 "$RES/maxrate.tsv")" = - ] || [ "$(col "$FIX" 4 "$RES/maxrate.tsv")" = - ]; then
			echo "  A bound, not a knee: the time budget stopped the sweep before $(for c in learned "$FIX"; do [ "$(col "$c" 4 "$RES/maxrate.tsv")" = - ] && printf '`%s`\n' "$c"; done | paste -sd' ' | sed 's/` `/` and `/') missed."
		fi
		if [ -f "$RES/learn_show.txt" ]; then
			echo "  Its weights after the warm-up: $(sed -n 's/.*weights cpu:accelerator \([0-9:]*\).*/\1/p' "$RES/learn_show.txt" | head -1); after the sweep: $(sed -n 's/.*weights cpu:accelerator \([0-9:]*\).*/\1/p' "$RES/learn_show_after.txt" 2>/dev/null | head -1)"
			echo "  (\`hauler learn show\`: \`results/learn_show.txt\`, \`results/learn_show_after.txt\`)."
		fi
	fi
	echo
	echo "## Batch completion time (thesis Figs. 5.8-5.9: $TH_FCT)"
	echo
	echo "A batch of requests offered open loop at $FCT_RATE requests/s (1.25 C0, above what the server"
	echo "CPU alone serves); the time from its first request to its last reply. workd keeps every request here."
	echo "The configurations take turns, round after round; each is compared with the server CPU alone in the"
	echo "same round (the machine's speed moves from one batch to the next), and the median of the rounds is given;"
	echo "a round counts when both batches ran at a valid speed (${REPRO_MIN_SPEED:-0.85} to ${REPRO_MAX_SPEED:-1.15})."
	echo
	echo "| configuration | batch | completion (ms), median | each round | shorter than server CPU only, median (min, max; rounds counted) | lost | s1cpu / s1acc (last round) | speed of each round |"
	echo "|---|---|---|---|---|---|---|---|"
	fct_rows | while IFS=$'\t' read -r c b fct each lost sh lo hi devs spd nv; do
		echo "| \`$c\` | $b | $fct | $each | $([ "$sh" = - ] && echo - || echo "$sh% ($lo, $hi; $nv)") | $lost | $devs | $spd |"
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
	if [ "$(wc -l <"$RES/proxy.tsv")" -gt 1 ] && head -1 "$RES/proxy.tsv" | grep -q 'note$'; then
		echo "nginx (Debian, stream module) in the balancer's namespace, one worker process, UDP,"
		echo "\`proxy_responses 1\`, \`max_fails=0\` on every device (nginx's default passive check,"
		echo "\`max_fails=1\`, takes a device out for 10 s after one reply times out; hauler has no such rule),"
		echo "in two configurations, measured interleaved with hauler's \`wrr\` at each rate"
		echo "([\`results/nginx.conf\`](results/nginx.conf)):"
		echo
		echo "- \`nginx-wrr\`: nginx given hauler's weights, 5:1 (its smooth weighted round robin hands out"
		echo "  the same sequence as hauler's \`wrr\` ring);"
		echo "- \`nginx-rr\`: nginx's default, round robin over both devices (equal weights). The thesis"
		echo "  does not state the weights of its nginx."
		echo
		echo "\`nginx-rr\` is swept up the grid to its own knee, hauler's \`wrr\` beside it at each rate."
		echo "The thesis's operating point is KNN at 20 requests/s, the highest rate it reports for hauler;"
		echo "its analogue here is \`wrr\`'s knee (the highest grid rate at which it met the target in the"
		echo "sweep), where all three are measured, interleaved (\"op\" rows)."
		echo
		OP=$(awk -F'\t' '$7 == "op" { print $2; exit }' "$RES/proxy.tsv")
		# (runs before 2026-12-02 16:30 UTC: nginx-wrr swept too, no wrr op row)
		[ -n "$OP" ] || OP=$(awk -F'\t' '$1 == "wrr" && $5 == "meets" && $7 == "sweep" { r = $2 } END { print r }' "$RES/proxy.tsv")
		# The proxy run's own loss timeout (10x its accelerator's unloaded P50, at least 2x the target).
		PX_TIMEOUT=$TIMEOUT_MS
		if [ -f "$RES/part_proxy.env" ]; then
			PX_TIMEOUT=$(
				# shellcheck disable=SC1091 # written by reproduce.sh
				. "$RES/part_proxy.env"
				[ -n "${PART_TIMEOUT_MS:-}" ] && echo "$PART_TIMEOUT_MS" && exit
				awk -v u="${PART_UNLOADED#* }" -v s="$SLO_MS" 'BEGIN { t = int(10 * u + 0.5); if (t < 2 * s) t = 2 * s; print t }'
			)
		fi
		echo "| system | knee (max rate met, grid) | estimate | first miss | P99 at ${OP:-?} requests/s (ms) | loss there | P99 / hauler's |"
		echo "|---|---|---|---|---|---|---|"
		# a configuration's P99 at OP: its op row, else its sweep row
		at_op() { awk -F'\t' -v c="$1" -v r="$OP" '$1 == c && $2 == r { v[$7] = $3 " " $4 } END { print (("op" in v) ? v["op"] : v["sweep"]) }' "$RES/proxy.tsv"; }
		HP=$(at_op wrr | cut -d' ' -f1)
		for sys in wrr nginx-wrr nginx-rr; do
			read -r grid est miss <<<"$(awk -F'\t' -v c="$sys" -v slo="$SLO_MS" '
				$1 != c || $7 != "sweep" { next }
				$5 == "meets" { m = $2; mp = $3; next }
				!x { x = $2; xp = $3 }
				END {
					e = m
					if (m > 0 && x > 0 && xp != "null" && xp > mp && mp > 0)
						e = m + (x - m) * (log(slo) - log(mp)) / (log(xp) - log(mp))
					printf "%s %s %s\n", (m ? m : "below"), (m ? sprintf("%.1f", e) : "-"), (x ? x : "-")
				}' "$RES/proxy.tsv")"
			if ! awk -F'\t' -v c="$sys" '$1 == c && $7 == "sweep" { f = 1 } END { exit !f }' "$RES/proxy.tsv"; then
				grid="not swept" est="-" miss="-"
			elif [ "$grid" = below ]; then
				grid="below $(awk -F'\t' -v c="$sys" '$1 == c && $7 == "sweep" { print $2; exit }' "$RES/proxy.tsv")"
			fi
			read -r p loss <<<"$(at_op "$sys")"
			ratio=$(awk -v a="$p" -v b="$HP" -v t="$PX_TIMEOUT" 'BEGIN {
				if (a == "null" && b + 0 > 0) printf "> %.1fx", t / b
				else if (a + 0 > 0 && b + 0 > 0) printf "%.2fx", a / b
				else print "-" }')
			[ "$p" = null ] && p="> $PX_TIMEOUT (over 1% lost)"
			echo "| $([ "$sys" = wrr ] && echo "hauler \`wrr\`" || echo "\`$sys\`") | $grid | $est | $miss | ${p:--} | ${loss:--}% | $ratio |"
		done
		echo "| thesis (KNN): hauler | 20 req/s | | | 1215 | | 1 |"
		echo "| thesis (KNN): nginx | | | | 3708 | | 3.05x |"
		echo
		echo "The issue's target, at each proxy's own knee (the highest rate at which its sweep met the"
		echo "target): hauler's P99 at that rate, measured in the same run, at least 3x lower than the proxy's."
		echo
		echo "| proxy | its knee (requests/s) | its P99 there (ms) | hauler \`wrr\` P99 there (ms) | proxy / hauler | 3x lower |"
		echo "|---|---|---|---|---|---|"
		for sys in nginx-wrr nginx-rr; do
			awk -F'\t' '$1 == c && $7 == "sweep" { f = 1 } END { exit !f }' c="$sys" "$RES/proxy.tsv" || continue
			awk -F'\t' -v c="$sys" -v t="$PX_TIMEOUT" '
				$7 == "sweep" && $1 == c && $5 == "meets" { k = $2; kp = $3 }
				$7 == "sweep" && $1 == "wrr" { h[$2] = $3 }
				END {
					if (!k) { printf "| `%s` | below the grid | - | - | - | - |\n", c; exit }
					hp = (k in h) ? h[k] : ""
					if (hp == "") { printf "| `%s` | %s | %s | not measured (past its own knee) | - | no |\n", c, k, kp; exit }
					if (hp == "null") { printf "| `%s` | %s | %s | > %s (over 1%% lost) | < %.2fx | no |\n", c, k, kp, t, kp / t; exit }
					r = kp / hp
					printf "| `%s` | %s | %s | %s | %.2fx | %s |\n", c, k, kp, hp, r, (r >= 3 ? "yes" : "no")
				}' "$RES/proxy.tsv"
		done
		echo
		echo "\"Over 1% lost\": more than 1% of the requests had no reply within this run's loss timeout"
		echo "($PX_TIMEOUT ms), so the P99 is beyond it (null below). Every run (speed: see above; \"op\": measured at the operating point):"
		echo
		echo "| system | rate | P99 (ms) | loss % | target | speed | run |"
		echo "|---|---|---|---|---|---|---|"
		awk -F'\t' 'NR > 1 { printf "| %s | %s | %s | %s | %s | %s | %s |\n", $1 == "wrr" ? "hauler `wrr`" : "`" $1 "`", $2, $3, $4, $5, $6, $7 }' "$RES/proxy.tsv"
		echo
		[ "$PLOTS" = 1 ] && echo "![hauler vs nginx](results/proxy.png) ([SVG](results/proxy.svg))" && echo
	elif [ "$(wc -l <"$RES/proxy.tsv")" -gt 1 ]; then
		echo "(An earlier run's format: nginx with hauler's 5:1 weights and its default \`max_fails=1\`.)"
		echo
		echo "| system | rate | P99 (ms) | loss % | target |"
		echo "|---|---|---|---|---|"
		awk -F'\t' 'NR > 1 { printf "| %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5 }' "$RES/proxy.tsv"
		echo
	else
		echo "Not run (\`REPRO_PARTS\`, or nginx with its stream module not installed: \`make reproduce\` installs it)."
		echo
	fi
	if [ "$(wc -l <"$RES/knee.tsv" 2>/dev/null || echo 0)" -gt 1 ]; then
		echo "## The knees of the server CPU alone and of \`wrr\`, pinned down"
		echo
		echo "Part \`knee\` of \`make reproduce\`: rounds over a fine grid (0.025 C0) near each configuration's"
		echo "knee, the two interleaved rate by rate, rounds alternately up and down the grid; no retry. Since"
		echo "2026-12-02 16:30 UTC it runs right after the sweep and starts 3 steps below the sweep's estimate"
		echo "(down a step at a time when it met nowhere); before, from a fixed grid. Since"
		echo "2026-12-02 15:00 UTC each run is long (12 s, the first 3 s not counted: \`KNEE_POINT_S\`,"
		echo "\`KNEE_WARMUP_S\`) and an upward round stops a configuration after 2 valid misses in a row"
		echo "(\`KNEE_STOP_MISSES\`); \`make reproduce\` runs one round. A 5 s run starts with empty queues and"
		echo "lets the server CPU alone meet the target above its capacity for a few seconds: it understates the"
		echo "gain (hauler-sim, ideal devices at this rig's shape: 1.13x in 5 s runs, 1.19-1.22x in runs of 10 s"
		echo "or more; [notes](#reading-these-results)). The study's earlier sessions, of 5 s runs, are a rig of"
		echo "their own below, never pooled with the long runs. A run counts when its speed is"
		echo "${REPRO_MIN_SPEED:-0.85} to ${REPRO_MAX_SPEED:-1.15}; all runs are in \`results/knee.tsv\`."
		echo
		python3 "$(dirname "$0")/knee_stats.py" "$RES" "$SLO_MS" "${REPRO_MIN_SPEED:-0.85}" "${REPRO_MAX_SPEED:-1.15}" "$TIMEOUT_MS" || echo "(knee_stats.py failed)"
		echo
	fi
	echo "## Data"
	echo
	echo "\`results/sweep.tsv\` (every point), \`results/sweep.jsonl\` (loadgen's JSON per point: P50,"
	echo "P99, P99.9, losses, throughput, per-device service and queueing time), \`results/maxrate.tsv\`,"
	echo "\`results/fct.tsv\`, \`results/agent.tsv\`, \`results/proxy.tsv\` (and \`proxy_sweep.tsv\`, \`proxy.jsonl\`),"
	echo "\`results/knee.tsv\` (every run of the knee study; \`knee.jsonl\`, \`knee_sessions.tsv\`); \`part_NAME.env\`:"
	echo "when and under what load each part was measured. The JSON lines carry each run's speed."
	# The hand-written notes on this rig (docs/results_notes.md). The
	# simulator's page, docs/results_sim.md, stands on its own (the sim step
	# writes it whole); the notes link it.
	if [ -f "$OUT/results_notes.md" ]; then
		echo
		cat "$OUT/results_notes.md"
	fi
} >"$MD.tmp" && mv "$MD.tmp" "$MD"
