#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""validate.py SIM RIG_DIR OUT.json [OUT.md] - hauler-sim against the reproduction rig.

The rig (tools/reproduce.sh) is one server with a CPU device and an
accelerator device, each a workd under a cgroup CPU quota, on one CPU.
Its result directory (docs/results) holds:
  report.env   the calibration: WL_WORK_US of CPU per request at full
               speed, the quota WL_QUOTA_US, the devices' shares
               WL_CPU_PCT / WL_ACC_PCT, WL_ACC_SLOW; the capacities the
               rig measured by saturating each device (CAP_CPU, CAP_ACC);
               the SLO (SLO_MS), the point length (REPRO_POINT_S,
               REPRO_WARMUP_S), the valid speeds (REPRO_MIN/MAX_SPEED)
  sweep.tsv    one pass over a coarse grid, every configuration
  knee.tsv     the knee study: server-only and wrr in rounds over a fine
               grid, per session (knee_sessions.tsv: each session's own
               measured capacities)

The model (stated before comparing, docs/simulator.md): 1 server, 1
accelerator; each device serves at the capacity the rig measured for it
(the reproduction workload's calibration: CAP_CPU, CAP_ACC of the run,
or of the knee session), fixed work per request under the rig's quota and
period; both devices on one shared CPU (--shared-cpu 1); agents
reporting every 10 ms with cmp over 50 ms windows (the rig's
hauler-agent --rate 100 --window 50); the quota's throttle enforced at
the scheduler's tick (the rig's kernel: HZ 250); weights 5:1; the rig's measured
window per point (REPRO_POINT_S - REPRO_WARMUP_S after REPRO_WARMUP_S);
RUNS seeds per point (VARIANT_RUNS for the variants, which are reported, not tested).

The tolerance (stated before comparing; why: docs/simulator.md):
  1. knee: for each configuration of the knee study, the knee (the rate
     at which P99 reaches the SLO, by the rig's own rule, knee() of
     tools/knee_stats.py) of every simulated run, median over the runs,
     at each session's calibration, against every round's knee of that
     session: the median over the rounds of sim/rig - 1 within
     +-KNEE_TOL for each configuration.
  2. below the knee: every sweep point at a rate up to BELOW x the
     configuration's rig knee (the knee study's median; else the
     sweep's own estimate): the rig's P99 within a factor P99_TOL of the
     simulator's mean P99.
Points nearer the knee and the sweep's knees are reported, not tested.
Only the rig's valid runs count, by its own rule (tools/reproduce.sh:
speed within REPRO_MIN_SPEED..REPRO_MAX_SPEED, 0.85..1.15): a knee-study
run or a sweep point outside it is left out, and the output says how
many were.
The same comparison is reported for variants of the model (the nominal
capacities, own CPUs, cmp over each 10 ms period) to show what each part
of the model does.
"""
import ast
import json
import math
import os
import re
import shlex
import statistics
import subprocess
import sys

RUNS = int(os.environ.get("SIM_VALIDATE_RUNS") or 20)  # fewer: a smoke test (SIM_QUICK)
# The variants are reported, not tested: half the runs (docs/simulator.md: what that moves).
VARIANT_RUNS = min(RUNS, int(os.environ.get("SIM_VALIDATE_VARIANT_RUNS") or 10))


def runs_of(variant):
    return RUNS if variant == "model" else VARIANT_RUNS
KNEE_TOL = 0.10
P99_TOL = 2.0
BELOW = 0.8
AGENT_WINDOW_MS = 50  # tools/reproduce.sh: AGENT_ARGS=(--rate 100 --window 50)
QUOTA_TICK_US = 4000  # the rig's kernel: CONFIG_HZ=250, CFS bandwidth enforced at the tick
STEP = 2.5  # the simulator's grid for a knee: requests/s, at least
GRID = 60  # and at most this many rates (hauler-sim's SIM_MAX_RATES: 64)
CONFIGS = [  # rig name, simulator policy
    ("server-only", "baseline"),
    ("wrr", "wrr@5/1"),
    ("lur", "lur:metric cmp@5/1"),
    ("prt", "prt:metric cmp@5/1"),
]
VARIANTS = [  # name, what differs from the model
    ("model", "measured capacities, shared CPU, the rig's throttle, 50 ms cmp windows"),
    ("nominal", "nominal capacities (quota share / work per request)"),
    ("own-cpus", "each device on a CPU of its own"),
    ("cmp-10ms", "cmp over each 10 ms report period"),
    ("other-throttle", "the other throttle: at once for a rig at the tick, and the reverse"),
]


def tick_us(env, variant):
    """The quota throttle's delay in a variant. The rig's: workd --cpu-us
    (WL_WORK_BY=cpu) reads its CPU clock after every repetition, and the
    kernel accounts the running task then, so the throttle comes at once;
    with --iters (WL_WORK_BY=iters) at the 4 ms tick."""
    at_tick = env.get("WL_WORK_BY", "iters") != "cpu"
    if variant == "other-throttle":
        at_tick = not at_tick
    return QUOTA_TICK_US if at_tick else 0
if os.environ.get("SIM_VALIDATE_VARIANTS"):  # only these (the model comes first): a smoke test
    VARIANTS = [v for v in VARIANTS if v[0] in os.environ["SIM_VALIDATE_VARIANTS"].split(",")]


def rig_knee_rule(slo):
    """knee(points) of tools/knee_stats.py, the rig's estimator (one rule, one place)."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "knee_stats.py")
    with open(path) as f:
        tree = ast.parse(f.read())
    fn = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "knee")
    ns = {"math": math, "slo": slo}
    exec(compile(ast.Module(body=[fn], type_ignores=[]), path, "exec"), ns)
    return ns["knee"]


def read_env(path):
    env = {}
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")  # (a value may end in an escaped space)
            if not line.startswith("export "):
                continue
            k, _, v = line[len("export "):].partition("=")
            words = shlex.split(v) if v else [""]
            env[k] = " ".join(words)
    return env


def read_tsv(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        head = f.readline().rstrip("\n").split("\t")
        return [dict(zip(head, line.rstrip("\n").split("\t"))) for line in f if line.strip()]


def num(s):
    try:
        v = float(s)
        return v if math.isfinite(v) else None
    except (TypeError, ValueError):
        return None


class Sim:
    def __init__(self, sim, env):
        self.sim, self.env = sim, env
        self.calls = 0

    def caps(self, mu_cpu, mu_acc, variant):
        """The devices' capacities in a variant: the measured ones, or the nominal."""
        if variant != "nominal":
            return mu_cpu, mu_acc
        env = self.env
        work = float(env["WL_WORK_US"]) / 1e6
        slow = float(env.get("WL_ACC_SLOW") or 1)
        return (float(env["WL_CPU_PCT"]) / 100 / work,
                float(env["WL_ACC_PCT"]) / 100 / (work * slow))

    def sweep(self, pol, rates, mu_cpu, mu_acc, variant, length=None):
        """length: (run s, warm-up s), else the sweep's (REPRO_POINT_S, REPRO_WARMUP_S)."""
        env = self.env
        quota = float(env["WL_QUOTA_US"])
        cpu_pct, acc_pct = float(env["WL_CPU_PCT"]), float(env["WL_ACC_PCT"])
        point = float(env.get("REPRO_POINT_S") or 5)
        warm = float(env.get("REPRO_WARMUP_S") or 1)
        if length:
            point, warm = length
        mu_cpu, mu_acc = self.caps(mu_cpu, mu_acc, variant)
        cmd = [self.sim, "sweep", "--servers", "1", "--nics", "1", "--fixed-service",
               "--mu-cpu", "%g" % mu_cpu, "--mu-nic", "%g" % mu_acc,
               "--quota-cpu", "%g/%g" % (quota, quota * 100 / cpu_pct),
               "--quota-nic", "%g/%g" % (quota, quota * 100 / acc_pct),
               "--shared-cpu", "0" if variant == "own-cpus" else "1",
               "--quota-tick-us", "%g" % tick_us(env, variant),
               "--report-ms", "10",
               "--agent-window-ms", "0" if variant == "cmp-10ms" else "%g" % AGENT_WINDOW_MS,
               "--runs", str(runs_of(variant)), "--warmup", "%g" % warm, "--duration", "%g" % (point - warm),
               "--policies", pol, "--rates", ",".join("%g" % r for r in rates)]
        self.calls += 1
        out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL).stdout
        return json.loads(out)["results"]


def sim_unloaded(sim, mu, pct, variant):
    """The simulator's P50 (ms) of a device of capacity mu under a pct% quota, alone at 5/s."""
    env = sim.env
    quota = float(env["WL_QUOTA_US"])
    cmd = [sim.sim, "sweep", "--servers", "1", "--nics", "0", "--fixed-service",
           "--mu-cpu", "%g" % mu, "--quota-cpu", "%g/%g" % (quota, quota * 100 / pct),
           "--quota-tick-us", "%g" % tick_us(env, variant),
           "--runs", "3", "--warmup", "1", "--duration", "60", "--policies", "baseline",
           "--rates", "5"]
    sim.calls += 1
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout
    return json.loads(out)["results"][0]["p50_s"] * 1e3


def sim_knee(sim, knee, pol, mu_cpu, mu_acc, variant, length=None):
    """The simulator's knee: knee() of each run's curve, median over the runs."""
    c_cpu, c_acc = sim.caps(mu_cpu, mu_acc, variant)
    cap = c_cpu if pol == "baseline" else c_cpu + c_acc
    lo, hi = 0.25 * cap, 1.2 * cap
    step = max(STEP, (hi - lo) / (GRID - 1))
    rates = [round(lo + i * step, 1) for i in range(int((hi - lo) / step) + 1)]
    res = sim.sweep(pol, rates, mu_cpu, mu_acc, variant, length)
    ests = []
    for run in range(runs_of(variant)):
        est, _ = knee([(r["rate"], r["p99_runs_s"][run] * 1e3) for r in res])
        ests.append(est if est is not None else (hi if res[-1]["p99_runs_s"][run] * 1e3 <= knee.slo
                                                 else lo))
    return statistics.median(ests), min(ests), max(ests)


def valid_speed(row, band):
    """A rig run is valid when its speed is within the rig's own band
    (tools/reproduce.sh: REPRO_MIN_SPEED..REPRO_MAX_SPEED, inclusive)."""
    sp = num(row.get("speed"))
    return sp is not None and band[0] <= sp <= band[1]


def valid_sweep(rows, band, configs):
    """The sweep's standing points ({(config, rate): row}) of the configurations compared
    (configs) whose run is valid,
    and the points left out. sweep.tsv holds one run per point, the one that
    stands (the rig's rule: the valid run that met, else the last valid run,
    else, with no valid run in its tries, the one closest to speed 1); a
    point whose standing run is outside the band had no valid run."""
    sweep, invalid = {}, {}
    for r in rows:
        if r["config"] not in configs:
            continue
        key = (r["config"], float(r["rate"]))
        if valid_speed(r, band):
            sweep[key] = r  # the last valid row of a point stands
        else:
            invalid[key] = r
    excluded = [{"config": k[0], "rate": k[1], "speed": num(r.get("speed")),
                 "rig_p99_ms": num(r.get("p99_ms"))}
                for k, r in invalid.items() if k not in sweep]
    return sweep, excluded


def rig_rounds(rig, env, knee):
    """The knee study's rounds of this rig: {(session, round, config): knee or bound text},
    from its valid runs only, and how many runs were left out (speed outside the band)."""
    runs = read_tsv(os.path.join(rig, "knee.tsv"))
    sess = {s["session"]: s for s in read_tsv(os.path.join(rig, "knee_sessions.tsv"))}
    lo, hi = float(env.get("REPRO_MIN_SPEED") or 0.85), float(env.get("REPRO_MAX_SPEED") or 1.15)
    cap_ms = float(env.get("TIMEOUT_MS") or 250)
    pts = {}
    excluded = 0
    for r in runs:
        s = sess.get(r["session"])
        # Only this rig's sessions (the same devices and quotas as report.env;
        # a knee session's rig adds its run length).
        if not s or not same_rig(s.get("rig"), env.get("RIG")) or not num(s.get("cap_cpu")):
            continue
        if not valid_speed(r, (lo, hi)):
            excluded += 1
            continue
        p = num(r["p99_ms"])
        pts.setdefault((r["session"], r["round"], r["config"]), []).append(
            (float(r["rate"]), p if p is not None else cap_ms))
    rounds = []
    for (s, rd, c), p in sorted(pts.items()):
        est, text = knee(sorted(p))
        point, warm = run_length(sess[s].get("rig"), env)
        rounds.append({"session": s, "round": rd, "config": c, "rig_knee": est, "rig_text": text,
                       "cap_cpu": float(sess[s]["cap_cpu"]), "cap_acc": float(sess[s]["cap_acc"]),
                       "point_s": point, "warmup_s": warm,
                       "date": sess[s].get("date"), "load_before": sess[s].get("load_before")})
    return rounds, excluded


RUNS_SUFFIX = re.compile(r", runs ([0-9.]+) s \(first ([0-9.]+) s not counted\)$")


def same_rig(session_rig, env_rig):
    """A knee session's rig is report.env's RIG and its run length
    (tools/reproduce.sh, part_knee)."""
    if not session_rig or not env_rig:
        return False
    return RUNS_SUFFIX.sub("", session_rig) == env_rig


def run_length(session_rig, env):
    """A knee session's run length and warm-up (its rig's suffix), else the sweep's."""
    m = RUNS_SUFFIX.search(session_rig or "")
    if m:
        return float(m.group(1)), float(m.group(2))
    return float(env.get("REPRO_POINT_S") or 5), float(env.get("REPRO_WARMUP_S") or 1)


def main(sim_path, rig, out, out_md=None):
    env = read_env(os.path.join(rig, "report.env"))
    slo = float(env.get("SLO_MS") or 125)
    knee = rig_knee_rule(slo)
    knee.slo = slo
    sim = Sim(sim_path, env)
    cap = (num(env.get("CAP_CPU")), num(env.get("CAP_ACC")))
    if not (cap[0] and cap[1]):
        sys.exit("validate: %s/report.env has no measured capacities (CAP_CPU, CAP_ACC)" % rig)
    res = {"rig": rig, "run_date": env.get("RUN_DATE"), "load_before": env.get("LOAD_BEFORE"),
           "rig_shape": env.get("RIG"), "slo_ms": slo, "cap_cpu": cap[0], "cap_acc": cap[1],
           "runs": RUNS, "variant_runs": VARIANT_RUNS, "knee_tol": KNEE_TOL, "p99_tol": P99_TOL, "below": BELOW,
           "agent_window_ms": AGENT_WINDOW_MS, "variants": [],
           "speed_band": (float(env.get("REPRO_MIN_SPEED") or 0.85),
                          float(env.get("REPRO_MAX_SPEED") or 1.15))}
    pol_of = dict(CONFIGS)
    rounds, res["knee_runs_excluded"] = rig_rounds(rig, env, knee)
    # Only the configurations the simulator models (a knee session may
    # measure others: the learner's own sessions add `learned`).
    rounds = [r for r in rounds if r["config"] in pol_of]
    sweep_rows = read_tsv(os.path.join(rig, "sweep.tsv"))
    sweep, res["sweep_excluded"] = valid_sweep(sweep_rows, res["speed_band"], pol_of)
    for vname, vdesc in VARIANTS:
        sys.stderr.write("validate: %s\n" % vname)
        v = {"variant": vname, "what": vdesc}
        # 1. The knee, per session's calibration, against each round.
        cache = {}
        for rd in rounds:
            key = (rd["config"], rd["cap_cpu"], rd["cap_acc"], rd["point_s"], rd["warmup_s"])
            if key not in cache:
                cache[key] = sim_knee(sim, knee, pol_of[rd["config"]], rd["cap_cpu"], rd["cap_acc"],
                                      vname, (rd["point_s"], rd["warmup_s"]))
            r = dict(rd)
            r["sim_knee"], r["sim_knee_min"], r["sim_knee_max"] = cache[key]
            r["error"] = r["sim_knee"] / r["rig_knee"] - 1 if r["rig_knee"] else None
            v.setdefault("rounds", []).append(r)
        knees = {}
        for c in dict.fromkeys(rd["config"] for rd in rounds):
            rs = [r for r in v["rounds"] if r["config"] == c]
            errs = [r["error"] for r in rs if r["error"] is not None]
            rig_med = statistics.median([r["rig_knee"] for r in rs if r["rig_knee"]]) if errs else None
            knees[c] = {"config": c, "n": len(errs), "rig_median": rig_med,
                        "sim_median": statistics.median([r["sim_knee"] for r in rs]),
                        "median_error": statistics.median(errs) if errs else None,
                        "max_abs_error": max(abs(e) for e in errs) if errs else None,
                        # None: only bounds in its rounds, nothing to judge by.
                        "within": abs(statistics.median(errs)) <= KNEE_TOL if errs else None}
        v["knees"] = list(knees.values())
        # 2. The sweep, pointwise, at the run's calibration.
        pts, sweep_knees = [], []
        for name, pol in CONFIGS:
            rates = sorted(r for (c, r) in sweep if c == name)
            if not rates:
                continue
            got = sim.sweep(pol, rates, cap[0], cap[1], vname)
            rig_curve = [(r, num(sweep[(name, r)]["p99_ms"])) for r in rates]
            rig_est, rig_text = knee([(r, p if p is not None else float(env.get("TIMEOUT_MS") or 250))
                                      for r, p in rig_curve])
            ref = knees[name]["rig_median"] if name in knees and knees[name]["rig_median"] else rig_est
            sk = sim_knee(sim, knee, pol, cap[0], cap[1], vname)
            sweep_knees.append({"config": name, "rig_knee": rig_est, "rig_text": rig_text,
                                "sim_knee": sk[0], "reference_knee": ref,
                                "error": sk[0] / rig_est - 1 if rig_est else None})
            for r, (rate, rig_p99) in zip(got, rig_curve):
                sim_p99 = r["p99_s"] * 1e3
                err = math.log2(rig_p99 / sim_p99) if rig_p99 and sim_p99 > 0 else None
                tested = ref is not None and rate <= BELOW * ref
                pts.append({"config": name, "rate": rate, "rig_p99_ms": rig_p99,
                            "rig_loss_pct": num(sweep[(name, rate)].get("loss_pct")),
                            "rig_speed": num(sweep[(name, rate)].get("speed")),
                            "sim_p99_ms": sim_p99, "sim_p99_sd_ms": r["p99_sd"] * 1e3,
                            "log2_error": err, "tested": tested,
                            "within": err is not None and abs(err) <= math.log2(P99_TOL)})
        v["points"], v["sweep_knees"] = pts, sweep_knees
        # An independent check of the quota model: the unloaded P50 (the rig's U_CPU, U_ACC).
        c_cpu, c_acc = sim.caps(cap[0], cap[1], vname)
        v["unloaded"] = {
            "rig_cpu_ms": num(env.get("U_CPU")), "rig_acc_ms": num(env.get("U_ACC")),
            "sim_cpu_ms": sim_unloaded(sim, c_cpu, float(env["WL_CPU_PCT"]), vname),
            "sim_acc_ms": sim_unloaded(sim, c_acc, float(env["WL_ACC_PCT"]), vname)}
        tested = [p for p in pts if p["tested"]]
        v["points_tested"] = len(tested)
        v["points_within"] = sum(p["within"] for p in tested)
        # None: nothing to judge (no knee study with a knee, no point below
        # the knee), which is not a failure of the model. A configuration
        # whose rounds gave only bounds is left out of the judgement.
        judged = [k for k in v["knees"] if k["within"] is not None]
        v["knee_holds"] = all(k["within"] for k in judged) if judged else None
        v["points_hold"] = v["points_within"] == len(tested) if tested else None
        v["holds"] = (None if v["knee_holds"] is None or v["points_hold"] is None
                      else v["knee_holds"] and v["points_hold"])
        res["variants"].append(v)
    res["holds"] = res["variants"][0]["holds"]
    with open(out, "w") as f:
        json.dump(res, f, indent=1)
    if out_md:
        with open(out_md, "w") as f:
            f.write(markdown(res))
    m = res["variants"][0]
    sys.stderr.write("validate: knee %s, points below the knee %d of %d within %gx: the "
                     "tolerance %s (%d simulator runs; left out as invalid: %d sweep points, "
                     "%d knee runs)\n"
                     % (", ".join("%s %+.1f%%" % (k["config"], 100 * k["median_error"])
                                  for k in m["knees"] if k["median_error"] is not None),
                        m["points_within"], m["points_tested"], P99_TOL,
                        verdict(res["holds"]), sim.calls,
                        len(res["sweep_excluded"]), res["knee_runs_excluded"]))


def verdict(holds, none="cannot be judged"):
    """holds: True, False or None (nothing measured to judge)."""
    return none if holds is None else "holds" if holds else "does not hold"


def pct(x):
    return "-" if x is None else "%+.1f%%" % (100 * x)


def speed(x, res):
    """The rig's speed of a run, marked when outside the rig's own valid band."""
    if x is None:
        return "-"
    lo, hi = res.get("speed_band", (0.85, 1.15))
    return "%.2f" % x if lo <= x <= hi else "%.2f (outside %g-%g)" % (x, lo, hi)


def table(rows, head):
    return "\n".join(["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
                     + ["| " + " | ".join(str(c) for c in r) + " |" for r in rows])


def markdown(res):
    """The validation's section of results_sim.md."""
    m = res["variants"][0]
    out = ["### The simulator against the rig (thesis Appendix A)\n",
           "The rig: one server, a CPU device and an accelerator (%s), both on one CPU; its "
           "sweep of %s (load average before %s) and its knee study (table below). The model, "
           "stated before comparing: each device at the capacity the rig measured for it (its "
           "calibration: %.1f and %.1f requests/s for the sweep, each knee session its own), "
           "fixed work per request under the rig's quota and period, both devices on one shared "
           "CPU, agents reporting every 10 ms with cmp over %d ms windows (the rig's `--window "
           "%d`), weights 5:1, the rig's 4 s window after 1 s of warm-up, %d runs per point.\n"
           % (res["rig_shape"], res["run_date"], res["load_before"], res["cap_cpu"],
              res["cap_acc"], res["agent_window_ms"], res["agent_window_ms"], res["runs"]),
           "The tolerance, stated before comparing (why: [simulator.md](simulator.md#against-the-"
           "rig-toolssimvalidatepy)): (1) the knee, the rate at which P99 reaches the %g ms target "
           "(the rig's own rule, `tools/knee_stats.py`), of each configuration of the knee study: "
           "the simulator's (median of its runs) within %d%% of the rig's rounds (median of the "
           "per-round errors); (2) below the knee (rates up to %g x the rig's knee): the rig's P99 "
           "within a factor of %g of the simulator's at every sweep point. Nearer the knee a "
           "pointwise P99 is reported, not tested.\n"
           % (res["slo_ms"], round(100 * res["knee_tol"]), res["below"], res["p99_tol"]),
           "Only the rig's valid runs count, by the rig's own rule (tools/reproduce.sh): a run "
           "whose speed (the work its devices did over their CPU time, 1 as calibrated) is within "
           "%g-%g. Left out: %d of the sweep's points of the configurations compared (no valid run in "
           "their tries) and %d runs of the knee study.\n" % (res["speed_band"][0], res["speed_band"][1],
                                  len(res["sweep_excluded"]), res["knee_runs_excluded"]),
           "**Result: the knee %s (%s); below the knee %d of %d points within %gx: the tolerance "
           "%s.**\n" % (
               verdict(m["knee_holds"], "not measured: no round of the knee study gave a knee"),
               "; ".join("%s %s (rig %.1f, simulator %.1f requests/s, %d rounds)"
                         % (k["config"], pct(k["median_error"]), k["rig_median"] or 0,
                            k["sim_median"], k["n"]) if k["n"] else
                         "%s: no round with a knee, only bounds (simulator %.1f requests/s)"
                         % (k["config"], k["sim_median"]) for k in m["knees"]),
               m["points_within"], m["points_tested"], res["p99_tol"],
               verdict(res["holds"]))]
    rows = [[r["session"], r["round"], r["config"], "%.1f / %.1f" % (r["cap_cpu"], r["cap_acc"]),
             r["rig_text"], "%.1f (%.1f-%.1f)" % (r["sim_knee"], r["sim_knee_min"], r["sim_knee_max"]),
             pct(r["error"])] for r in m.get("rounds", [])]
    if rows:
        out.append("Knee per round of the rig's knee study (requests/s at P99 = %g ms; a round "
                   "with only a bound is shown, not counted):\n" % res["slo_ms"])
        out.append(table(rows, ["session", "round", "config", "calibration CPU / acc (req/s)",
                                "rig knee", "simulator knee (min-max of runs)", "error"]) + "\n")
    rows = []
    for p in m["points"]:
        rows.append([p["config"], "%g" % p["rate"],
                     "%.1f" % p["rig_p99_ms"] if p["rig_p99_ms"] else
                     "lost %.1f%%" % (p["rig_loss_pct"] or 0),
                     "%.1f +- %.1f" % (p["sim_p99_ms"], p["sim_p99_sd_ms"]),
                     "%+.2f" % p["log2_error"] if p["log2_error"] is not None else "-",
                     "%.2f" % 2 ** p["log2_error"] if p["log2_error"] is not None else "-",
                     speed(p.get("rig_speed"), res),
                     ("yes" if p["within"] else "**no**") if p["tested"] else
                     "(near the knee: %s)" % ("within" if p["within"] else "outside")])
    out.append("The rig's sweep point by point, at its calibration (log2(rig/sim): +1 is the "
               "rig's P99 twice the simulator's; rig/sim the same as a factor; the rig's speed of "
               "the run that stands; valid runs only):\n")
    out.append(table(rows, ["config", "rate/s", "rig P99 (ms)", "sim P99 (ms, +- sd of runs)",
                            "log2(rig/sim)", "rig/sim", "rig's speed",
                            "within %gx" % res["p99_tol"]]) + "\n")
    rows = [[p["config"], "%g" % p["rate"], speed(p["speed"], res),
             "%.1f" % p["rig_p99_ms"] if p["rig_p99_ms"] else "-"] for p in res["sweep_excluded"]]
    if rows:
        out.append("The sweep's points left out (no run within the rig's valid speeds; not "
                   "compared):\n")
        out.append(table(rows, ["config", "rate/s", "rig's speed", "rig P99 (ms)"]) + "\n")
    rows = [[k["config"], k["rig_text"], "%.1f" % k["sim_knee"], pct(k["error"])]
            for k in m["sweep_knees"]]
    out.append("The sweep's knees (one pass over a coarse grid; reported, not tested):\n")
    out.append(table(rows, ["config", "rig knee (sweep)", "simulator knee", "error"]) + "\n")
    u = m["unloaded"]
    out.append("An independent check of the quota model (not part of the tolerance): each device "
               "alone at 5 requests/s, P50: server CPU %s ms in the rig, %.2f ms in the "
               "simulator; accelerator %s ms and %.2f ms.\n"
               % (u["rig_cpu_ms"], u["sim_cpu_ms"], u["rig_acc_ms"], u["sim_acc_ms"]))
    rows = []
    for v in res["variants"]:
        rows.append([v["variant"], v["what"]]
                    + [pct(k["median_error"]) for k in v["knees"]]
                    + ["%d/%d" % (v["points_within"], v["points_tested"]),
                       "%.2f / %.2f" % (v["unloaded"]["sim_cpu_ms"], v["unloaded"]["sim_acc_ms"]),
                       {True: "yes", False: "no"}.get(v["holds"], "-")])
    out.append("What each part of the model does (the same tests, one part changed; %d runs "
               "per point for each variant but the model):\n" % res.get("variant_runs", res["runs"]))
    out.append(table(rows, ["variant", "what", *["knee error %s" % k["config"]
                                                 for k in m["knees"]],
                            "points within", "unloaded P50 CPU / acc (ms)", "holds"]) + "\n")
    return "\n".join(out)


if __name__ == "__main__":
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    main(*sys.argv[1:])
