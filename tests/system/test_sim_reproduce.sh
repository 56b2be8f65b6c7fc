#!/bin/bash
# test_sim_reproduce.sh BUILD - the simulator's part of make reproduce
# (tools/sim/reproduce.sh) in its quick form at 64 servers, with the
# validation against the rig results in the repository (docs/results):
# every job runs and writes its JSON, the validation reports its knee
# and point errors, and the results page renders. Figures are not
# asserted (a smoke test); no plots (gnuplot is make reproduce's).
SYS_LIMIT=${SYS_LIMIT:-300}
. "$(dirname "$0")/lib.sh"
sys_init "$@"

REPO=$SYS_DIR/../..
tmp=$(mktemp -d /tmp/hlr-sim-reproduce.XXXXXX) || sys_abort "mktemp"
trap 'rm -rf "$tmp"; sys_cleanup' EXIT
[ -x "$BUILD/hauler-sim" ] || sys_abort "no $BUILD/hauler-sim (make)"
# A build directory of its own: reproduce.sh clears BUILD/results/sim.
ln -s "$BUILD/hauler-sim" "$tmp/hauler-sim"
# The rig's results, with one more knee run of a configuration the
# simulator does not model (a copy of the last wrr run named `unmodelled`,
# as the learner's sessions add `learned`): the validation leaves it out.
cp -r "$REPO/docs/results" "$tmp/rig" || sys_abort "copy of docs/results"
awk -F'\t' -v OFS='\t' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "config") c = i }
	NR > 1 && $c == "wrr" { last = $0 } END { $0 = last; $c = "unmodelled"; print }' \
	"$REPO/docs/results/knee.tsv" >>"$tmp/rig/knee.tsv" || sys_abort "knee.tsv"
if SIM_QUICK=1 SIM_SERVERS=64 SIM_PLOTS=0 SIM_JOBS=2 SIM_RIG=$tmp/rig \
	bash "$REPO/tools/sim/reproduce.sh" "$tmp" >"$tmp/out.txt" 2>&1; then
	ok "reproduce.sh ran (quick, 64 servers)"
else
	fail "reproduce.sh exited non-zero: $(tail -5 "$tmp/out.txt")"
fi
out=$tmp/results/sim
for f in p99_64 labels_64 labels_64_1nic acc_seed_64_1 acc_t50_seed_64_1 bound_64_t50 \
	bound_64_t60 bound_64_t70 param_threshold-70 param_alpha-0.3 adapt_64 adapt_64_wmax1 \
	accuracy_64 validate; do
	if python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$out/$f.json" 2>/dev/null; then
		ok "$f.json written"
	else
		fail "$f.json missing or not JSON"
	fi
done
if grep -q "done: acc_seed_64_1.json" "$tmp/out.txt"; then
	ok "a progress line per finished job"
else
	fail "no progress lines"
fi
# The validation: the knees of the knee study and the sweep's points, each with its error.
if python3 - "$out/validate.json" <<'PY'; then
import json, math, sys
v = json.load(open(sys.argv[1]))
lo, hi = v["speed_band"]
# Only the rig's valid runs (speed within the rig's own band) are compared.
assert all(p["rig_speed"] is not None and lo <= p["rig_speed"] <= hi
           for p in v["variants"][0]["points"]), v["variants"][0]["points"]
assert isinstance(v["knee_runs_excluded"], int)
m = v["variants"][0]
assert m["variant"] == "model"
# The knee study's configurations (none when the rig's sessions do not match its report.env).
assert {k["config"] for k in m["knees"]} <= {"server-only", "wrr"}, m["knees"]
assert all(r["config"] != "unmodelled" for r in m.get("rounds", [])), "unmodelled compared"
assert all(math.isfinite(k["median_error"]) for k in m["knees"] if k["n"])
assert m["points"] and all(p["sim_p99_ms"] > 0 for p in m["points"])
assert m["points_tested"] > 0
# No knee study with a knee to compare (none, or rounds that gave only
# bounds): nothing to judge the knee by (None), not a failure.
assert all(k["within"] is None for k in m["knees"] if not k["n"]), m["knees"]
assert (isinstance(v["holds"], bool) if any(k["n"] for k in m["knees"])
        else v["holds"] is None), (v["holds"], m["knees"])
PY
	ok "validate.json: knees and points with their errors"
else
	fail "validate.json lacks the knees or the points"
fi
# The sweep's points it left out: those of the configurations it compares whose speed in the
# rig's sweep.tsv is outside the band of the rig's report.env, counted here from the files.
if python3 - "$out/validate.json" "$out/validate.md" "$tmp/rig" <<'PY'; then
import csv, json, sys
v = json.load(open(sys.argv[1]))
env = dict(l[len("export "):].strip().split("=", 1) for l in open(sys.argv[3] + "/report.env")
           if l.startswith("export ") and "=" in l)
lo, hi = float(env.get("REPRO_MIN_SPEED", 0.85)), float(env.get("REPRO_MAX_SPEED", 1.15))
configs = {p["config"] for p in v["variants"][0]["points"]} | {p["config"] for p in v["sweep_excluded"]}
bad = set()
for r in csv.DictReader(open(sys.argv[3] + "/sweep.tsv"), delimiter="\t"):
    try:
        ok = lo <= float(r["speed"]) <= hi
    except ValueError:
        ok = False
    if r["config"] in configs and not ok:
        bad.add((r["config"], float(r["rate"])))
assert {(p["config"], p["rate"]) for p in v["sweep_excluded"]} == bad, (v["sweep_excluded"], bad)
assert "Left out: %d of the sweep" % len(bad) in open(sys.argv[2]).read()
PY
	ok "validate: the sweep's points outside the rig's valid speeds left out, and said so"
else
	fail "validate: the points left out are not the rig's invalid ones"
fi
if python3 "$REPO/tools/sim/results.py" page "$out" results/sim "$tmp/page.md" &&
	grep -q "The simulator against the rig" "$tmp/page.md" &&
	grep -q "Learner accuracy" "$tmp/page.md"; then
	ok "the results page renders"
else
	fail "the results page did not render"
fi
sys_finish
