#!/bin/bash
# test_reproduce_smoke.sh BUILD - `make reproduce` in miniature (issue 9):
# tools/reproduce.sh --smoke runs the sweep, batch and agent parts (not the
# nginx comparison: nginx is not among make check's packages) for a
# fraction of a second each, with two configurations, the server CPU alone
# and wrr, into a directory of its own (every policy's datapath is tested
# elsewhere). Most of its time is the rig's set-up. Shape only,
# no figure and no time is judged:
#   - it exits 0 and says which machine it ran on;
#   - both configurations ran; wrr's requests were served by both
#     devices, the server CPU alone's by the server CPU only;
#   - the result files parse: TSV rows of numbers, loadgen's JSON lines
#     (with the run's speed), results.md with a row per configuration.
# The watchdog only (no time is judged): 50-80 s were seen with the whole
# machine's work on one CPU (load average 8-15, tools/quiet.sh holding the
# other), 154 s at load average 18 (2026-12-02): room for twice that.
SYS_LIMIT=${SYS_LIMIT:-400}
. "$(dirname "$0")/lib.sh"
sys_init "$@"

OUTD=/tmp/$P-reproduce
repro_cleanup() {
	sys_cleanup
	rm -rf "$OUTD"
}
trap repro_cleanup EXIT

# A budget as make reproduce gives one (generous here: the shape only).
log=$(REPRO_BUDGET_S=900 bash "$SYS_DIR/../../tools/reproduce.sh" "$BUILD" --smoke --out "$OUTD" 2>&1)
rc=$?
printf '%s\n' "$log" | sed 's/^/    | /' | tail -40
[ "$rc" = 0 ] && ok "reproduce.sh --smoke exit status 0" || sys_abort "reproduce.sh --smoke: exit status $rc"
grep -q 'machine: .*CPUs' <<<"$log" && ok "states the machine" || fail "no machine line"
n=$(grep -c '^\[ *[0-9]*s\] budget: [0-9]* s for this part' <<<"$log")
[ "$n" = 4 ] && ok "each of the 4 parts run got its share of the budget" ||
	fail "$n budget lines for 4 parts"

RES=$OUTD/results
# Every row of sweep.tsv: a known configuration, numbers, a verdict.
bad=$(awk -F'\t' 'NR > 1 && !($2 + 0 > 0 && ($5 == "null" || $5 ~ /^[0-9.]+$/) &&
	$6 ~ /^[0-9.]+$/ && $7 ~ /^[0-9]+$/ && $8 ~ /^[0-9]+$/ &&
	($9 == "meets" || $9 == "misses")) { print NR ": " $0 }' "$RES/sweep.tsv")
[ -z "$bad" ] && ok "sweep.tsv parses ($(($(wc -l <"$RES/sweep.tsv") - 1)) rows)" || fail "sweep.tsv rows: $bad"
for c in server-only wrr; do
	served=$(awk -F'\t' -v c="$c" '$1 == c { n += $7 + $8 } END { print n + 0 }' "$RES/sweep.tsv")
	[ "$served" -gt 0 ] && ok "$c: ran, $served requests served" || fail "$c: no request served in the sweep"
	grep -q "^| \`$c\` " "$OUTD/results.md" || fail "results.md has no row for $c"
done
# wrr's ring gives the accelerator one request in six: both devices serve.
read -r ncpu nacc < <(awk -F'\t' '$1 == "wrr" { c += $7; a += $8 } END { print c + 0, a + 0 }' "$RES/sweep.tsv")
[ "$ncpu" -gt 0 ] && [ "$nacc" -gt 0 ] && ok "wrr: both devices served (s1cpu $ncpu, s1acc $nacc)" ||
	fail "wrr: s1cpu served $ncpu, s1acc $nacc"
# server-only sends nothing to the accelerator.
acc=$(awk -F'\t' '$1 == "server-only" { n += $8 } END { print n + 0 }' "$RES/sweep.tsv")
[ "$acc" = 0 ] && ok "server-only: the accelerator served nothing" || fail "server-only: s1acc served $acc"

n=$(wc -l <"$RES/sweep.jsonl")
bad=$(grep -cv '^{"label":"[^"]*","speed":\(null\|[0-9.]*\),"cpu_quota_use":\(null\|[0-9.]*\),.*"by_device":{.*}}$' "$RES/sweep.jsonl")
[ "$n" -gt 0 ] && [ "$bad" = 0 ] && ok "sweep.jsonl: $n JSON lines of loadgen" ||
	fail "sweep.jsonl: $bad of $n lines are not loadgen's JSON"
bad=$(awk -F'\t' 'NR > 1 && !($4 ~ /^[0-9.]+$/ && $4 > 0) { print NR }' "$RES/fct.tsv")
rows=$(($(wc -l <"$RES/fct.tsv") - 1))
[ "$rows" -ge 1 ] && [ -z "$bad" ] && ok "fct.tsv: $rows batches with a completion time" ||
	fail "fct.tsv: $rows rows, bad: $bad"
bad=$(awk -F'\t' 'NR > 1 && !($4 ~ /^[0-9.]+$/) { print NR }' "$RES/agent.tsv")
rows=$(($(wc -l <"$RES/agent.tsv") - 1))
[ "$rows" -ge 1 ] && [ -z "$bad" ] && ok "agent.tsv: $rows rates with a CPU figure" ||
	fail "agent.tsv: $rows rows, bad: $bad"
# the knee part: both configurations, in the long runs' own rig
rows=$(awk -F'\t' 'NR > 1 && ($3 == "server-only" || $3 == "wrr") && $4 > 0' "$RES/knee.tsv" | wc -l)
[ "$rows" -ge 2 ] && grep -q 'runs 0.4 s (first 0.1 s not counted)' "$RES/knee_sessions.tsv" &&
	ok "knee.tsv: $rows runs, the session's rig names its run length" ||
	fail "knee.tsv: $rows runs of server-only and wrr, or no run length in knee_sessions.tsv"
for h in "## Highest rate at P99" "## Batch completion time" "## hauler-agent CPU use" \
	"## hauler against an L7 proxy" "## The knees of the server CPU alone" "Smoke run"; do
	grep -q "$h" "$OUTD/results.md" || fail "results.md lacks '$h'"
done
grep -q "took [0-9]* s of their budget of 900 s" "$OUTD/results.md" || fail "results.md lacks the time against the budget"
grep -q '^- hauler: commit `[^`]*`, the \(compact\|lru\) connection table' "$OUTD/results.md" ||
	fail "results.md does not name the commit and connection table measured"
ok "results.md has every section"
# Nothing of the run's rig is left: namespaces, run directory, cgroups.
rp=$(sed -n 's/.*rig: namespaces \(hlr[0-9]*\)-\*.*/\1/p' <<<"$log" | head -1)
if [ -z "$rp" ]; then
	fail "the log does not name the rig's prefix"
elif ip netns list | grep -q "^$rp-" || [ -e "/run/$rp" ] ||
	ls -d /sys/fs/cgroup/"$rp"-* /sys/fs/cgroup/cpu/"$rp"-* >/dev/null 2>&1; then
	fail "the rig $rp left namespaces, /run/$rp or cgroups behind"
else
	ok "the rig $rp removed its namespaces, run directory and cgroups"
fi

sys_finish
