#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""results.py - turn hauler-sim's JSON into what reproduce.sh needs.

  results.py turning LABELS.json        prints "TURNING SLO_US": the lowest
      rate from which wrr@6/1 (accelerators in use) has a lower P99 than
      wrr@6/0 at every higher rate of the sweep, and 1.1 x the 6:0 P99
      there (the SLO the learner is given)
  results.py tsv SWEEP.json OUT.tsv     one row per rate, a P99 column and a
      CPU-variance column per policy (gnuplot's input)
  results.py acc-tsv ACCURACY.json OUT.tsv, adapt-tsv ADAPT.json OUT.tsv
                                        the learner's results as gnuplot input
  results.py summary DIR                the markdown tables of the results
  results.py section DIR FIGS           the simulator's section of docs/results.md
  results.py page DIR FIGS MD           write MD (docs/results_sim.md): the
                                        section with analysis.md's text
"""
import json
import os
import sys


def load(path):
    with open(path) as f:
        return json.load(f)


def by_policy(sweep):
    out = {}
    for r in sweep["results"]:
        out.setdefault(r["policy"], []).append(r)
    for rows in out.values():
        rows.sort(key=lambda r: r["rate"])
    return out


def turning(path):
    pol = by_policy(load(path))
    off, on = pol["wrr@6/0"], pol["wrr@6/1"]
    tp = None
    for i in range(len(off)):
        if all(on[j]["p99_s"] < off[j]["p99_s"] for j in range(i, len(off))):
            tp = i
            break
    if tp is None:
        return off[-1]["rate"] * 2, int(off[-1]["p99_s"] * 1.1e6)
    return off[tp]["rate"], int(off[tp]["p99_s"] * 1.1e6)


def tsv(path, out):
    pol = by_policy(load(path))
    names = list(pol)
    rates = [r["rate"] for r in pol[names[0]]]
    with open(out, "w") as f:
        f.write("# rate " + " ".join("p99:" + n for n in names) + " " +
                " ".join("cpuvar:" + n for n in names) + "\n")
        for i, rate in enumerate(rates):
            f.write("%g %s %s\n" % (rate, " ".join("%.4f" % pol[n][i]["p99_s"] for n in names),
                                    " ".join("%.2f" % pol[n][i]["cpu_util_var"] for n in names)))


def acc_tsv(path, out):
    a = load(path)
    with open(out, "w") as f:
        f.write("# rate label accuracy\n")
        for r in a["rates"]:
            f.write("%g %d %.4f\n" % (r["rate"], r["label"], r["accuracy"]))


def adapt_tsv(path, out):
    a = load(path)
    with open(out, "w") as f:
        f.write("# iteration moving_accuracy\n")
        for i, v in enumerate(a["moving_accuracy"]):
            f.write("%d %.4f\n" % (10 * (i + 1), v))


def table(rows, header):
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def pct(x):
    return "%.1f%%" % (100 * x)


def seeds_of(d, s, kind="acc_seed_"):
    return sorted((int(f.rsplit("_", 1)[1][:-5]), load(os.path.join(d, f)))
                  for f in os.listdir(d) if f.startswith("%s%d_" % (kind, s)) and f.endswith(".json"))


def accuracies(d, s, kind="acc_seed_"):
    """The accuracy runs at s servers: [(seed, accuracy)]."""
    return [(k, a["accuracy"]) for k, a in seeds_of(d, s, kind)]


def indifferent(path):
    """The rates of the labels' sweep where 6:0 and 6:1 have the same P99
    within noise: their difference under twice its standard error (the
    runs' standard deviations, over the number of runs). There the
    accelerators neither pay nor cost, and either weight is right."""
    lab = load(path)
    pol = by_policy(lab)
    n = lab.get("runs", 1)
    return set(a["rate"] for a, b in zip(pol["wrr@6/0"], pol["wrr@6/1"])
               if abs(a["p99_s"] - b["p99_s"]) < 2 * ((a["p99_sd"] ** 2 + b["p99_sd"] ** 2) / n) ** 0.5)


def tolerant(a, ind):
    """Accuracy where, at the indifferent rates, 6:0 and 6:1 both count."""
    acc = [(sum(r["weights_0_1_2_more"][:2]) / sum(r["weights_0_1_2_more"]))
           if r["rate"] in ind else r["accuracy"] for r in a["rates"]]
    return sum(acc) / len(acc)


def misses(a):
    return ", ".join("%g (%s)" % (r["rate"], pct(r["accuracy"])) for r in a["rates"]
                     if r["accuracy"] < 0.95) or "-"


def bound_tolerant(b, ind):
    """The reward's bound where, at the indifferent rates, any best of 6:0 and 6:1 counts."""
    got = []
    for r in b["rates"]:
        m = r["mean_reward_by_weight"]
        best = [w for w, v in enumerate(m) if v == max(m)]
        got.append(sum(w <= 1 for w in best) / len(best) if r["rate"] in ind else r["label_best"])
    return sum(got) / len(got) if got else 0


def learner_tables(d, servers):
    out = []
    rows = []
    for s in servers:
        lab = os.path.join(d, "labels_%d.json" % s)
        if not os.path.exists(lab):
            continue
        tp, slo = turning(lab)
        ind = indifferent(lab)
        for t, kind in ((60, "acc_seed_"), (50, "acc_t50_seed_")):
            runs = seeds_of(d, s, kind)
            if not runs:
                continue
            acc = [a["accuracy"] for _, a in runs]
            tol = [tolerant(a, ind) for _, a in runs]
            seeds = "/".join(str(k) for k, _ in runs)
            rows.append([s, "%d%s" % (t, " (default)" if t == 60 else ""), "%g" % tp,
                         "%.3f" % (slo / 1e6), " / ".join(pct(a) for a in acc),
                         seeds, "**%s**" % pct(sum(acc) / len(acc)), pct(min(acc)),
                         " / ".join(pct(a) for a in tol), "**%s**" % pct(sum(tol) / len(tol)),
                         ", ".join("%g" % r for r in sorted(ind)) or "-",
                         "; ".join("seed %d: %s" % (k, misses(a)) for k, a in runs)])
    if rows:
        out.append("Learner accuracy (alpha 0.5, gamma 0.5, epsilon 0.1 while training, 0 while "
                   "measured; each rate an episode; weights 6:0 or 6:1 (w-max 1); 20 buckets; target 95%, "
                   "thesis at least 90%). *Labels*: 6:0 below the turning point, 6:1 from it "
                   "(the issue's); the accuracy by these labels is the figure that counts. "
                   "*Either at the tie*: the same, except that at the rates where "
                   "6:0 and 6:1 have the same P99 within noise (difference under twice its "
                   "standard error over the sweep's runs), either weight counts as right "
                   "(shown to explain the misses, not as the target):\n")
        out.append(table(rows, ["servers", "threshold", "turning point (req/s)", "SLO (s)",
                                "labels: by seed", "seeds", "mean", "lowest",
                                "either at the tie: by seed", "mean",
                                "tie rates (req/s)", "rates below 95% (labels)"]) + "\n")
    rows = []
    for s in servers:
        r = [s]
        lab = os.path.join(d, "labels_%d.json" % s)
        ind = indifferent(lab) if os.path.exists(lab) else set()
        for t in (50, 60, 70):
            f = os.path.join(d, "bound_%d_t%d.json" % (s, t))
            r.append("%s / %s" % (pct(load(f)["bound"]), pct(bound_tolerant(load(f), ind)))
                     if os.path.exists(f) else "-")
        if len(r) > 1 and any(x != "-" for x in r[1:]):
            rows.append(r)
    if rows:
        out.append("What Algorithm 1's reward itself prefers, by threshold: the accuracy of "
                   "a learner that always takes the weight with the highest mean reward at each "
                   "rate (each weight held at each rate, mean reward over the measured "
                   "iterations; shared on ties). The Q-learner can do better than this only by "
                   "chance, where its states lump rates together:\n")
        out.append(table(rows, ["servers", "threshold 50 (labels / either at the tie)",
                                "threshold 60", "threshold 70"]) + "\n")
        detail = []
        for s in servers:
            f = os.path.join(d, "bound_%d_t60.json" % s)
            if os.path.exists(f):
                for r in load(f)["rates"]:
                    if r["label_best"] < 1:
                        detail.append("%d servers, %g/s (label 6:%d): mean reward %s"
                                      % (s, r["rate"], r["label"], " vs ".join(
                                          "6:%d %.2f" % (i, v) for i, v in
                                          enumerate(r["mean_reward_by_weight"]))))
        if detail:
            out.append("Where threshold 60's reward disagrees with the label: " +
                       "; ".join(detail) + ".\n")
    rows = []
    for name in sorted(f for f in os.listdir(d) if f.startswith("param_") and f.endswith(".json")):
        a = load(os.path.join(d, name))
        rows.append([name[6:-5].replace("-", " "), pct(a["accuracy"]), misses(a)])
    if rows:
        out.append("Learner accuracy by parameter (64 servers, seed 1, w-max 1, 20 buckets; thesis Figs. "
                   "6.2, 6.3):\n")
        out.append(table(rows, ["setting", "accuracy", "rates below 95%"]) + "\n")
    return "\n".join(out)


def validation_table(d):
    """The validation's section, as validate.py wrote it (validate.md)."""
    f = os.path.join(d, "validate.md")
    if not os.path.exists(f):
        return ("Simulator against the rig: not run (no rig results in docs/results: run "
                "`make reproduce`).\n")
    with open(f) as fh:
        return fh.read()


def summary(d):
    lines = []
    servers = sorted(int(f[4:-5]) for f in os.listdir(d) if f.startswith("p99_") and f.endswith(".json"))
    for s in servers:
        pol = by_policy(load(os.path.join(d, "p99_%d.json" % s)))
        names = list(pol)
        rows = []
        # The learner (seed 1, threshold 60): the mean P99 of its measured
        # iterations at each rate, with the weights it chose there.
        f = os.path.join(d, "acc_seed_%d_1.json" % s)
        learned = {r["rate"]: r for r in load(f)["rates"]} if os.path.exists(f) else {}
        for i, r in enumerate(pol[names[0]]):
            lr = learned.get(r["rate"])
            rows.append(["%g" % r["rate"]] + ["%.3f" % pol[n][i]["p99_s"] for n in names]
                        + (["%.3f (%s)" % (lr["p99_s"], "6:%d" % max(
                            range(4), key=lambda k: lr["weights_0_1_2_more"][k]))
                            if lr and "p99_s" in lr else "-"] if learned else []))
        lines.append("P99 (s) against the offered rate, %d servers%s:\n" % (s, (
            "; *learned*: the learner (seed 1, threshold 60, w-max 1, 20 buckets) at the same rates, the mean "
            "P99 of its measured iterations (5 s each) with the weights it chose there, "
            "the weight it held most in brackets") if learned else ""))
        lines.append(table(rows, ["rate/s"] + names + (["learned"] if learned else [])) + "\n")
        rows = []
        for i, r in enumerate(pol[names[0]]):
            rows.append(["%g" % r["rate"]] + ["%.1f" % pol[n][i]["cpu_util_var"] for n in names])
        lines.append("Variance of the CPUs' utilization (%%^2), %d servers:\n" % s)
        lines.append(table(rows, ["rate/s"] + names) + "\n")
    lines.append(learner_tables(d, servers))
    for name, what in (("adapt_64.json", "w-max 6"), ("adapt_64_wmax1.json", "w-max 1")):
        ad = os.path.join(d, name)
        if os.path.exists(ad):
            a = load(ad)
            lines.append("Adaptation (64 servers, %s, second SmartNIC added at iteration %d): "
                         "moving accuracy (window %d) back at 90%% after %s iterations "
                         "(target: within 250; thesis: about 250).\n"
                         % (what, a["add_at"], a["window"], a["recovered_after"]))
    lines.append(validation_table(d))
    return "\n".join(lines)


THESIS_TURNING = {64: 700, 128: 1400, 256: 3000}


def section(d, figs):
    """The simulator's section of docs/results.md, figures under figs/."""
    out = ["## Simulator (hauler-sim)", "",
           "Written by `make reproduce-sim` (`tools/sim/reproduce.sh`); how the simulator "
           "works and what in it is hauler's own code: [simulator.md](simulator.md). "
           "Thesis setting: servers with one CPU (16 KNN requests/s) and two SmartNICs "
           "(4 requests/s each), exponential service, Poisson arrivals, reports every 10 ms. "
           "Mean of 3 runs of 20 s after 5 s of warm-up per point. The thesis's own figures "
           "are not in this repository: only the numbers its text states (the turning "
           "points, accuracy of at least 90%, recovery in about 250 iterations) stand "
           "beside ours.", ""]
    servers = sorted(int(f[4:-5]) for f in os.listdir(d) if f.startswith("p99_") and f.endswith(".json"))
    rows = []
    for s in servers:
        lab = os.path.join(d, "labels_%d.json" % s)
        if os.path.exists(lab):
            tp, slo = turning(lab)
            rows.append([s, "%g" % tp, "~%d" % THESIS_TURNING.get(s, 0), "%.3f" % (slo / 1e6)])
    out += ["### Where the SmartNICs start to pay (the labels)", "",
            "wrr with weights 6:0 (CPUs only) against 6:1 (each SmartNIC 1): the turning point "
            "is the lowest rate from which 6:1 has the lower P99 at every higher rate swept; "
            "the learner's SLO is 1.1 x the 6:0 P99 there.", "",
            table(rows, ["servers", "turning point (req/s)", "thesis (req/s)", "SLO given (s)"]),
            ""]
    for s in servers:
        out += ["### P99 against rate, %d servers (thesis Fig. 5.%d)" % (s, {64: 12, 128: 13, 256: 14}.get(s, 0)), "",
                "![P99, %d servers](%s/p99_%d.png) ![CPU variance, %d servers](%s/cpuvar_%d.png)"
                % (s, figs, s, s, figs, s), ""]
    out += [summary(d)]
    return "\n".join(out)


def analysis(d):
    """tools/sim/analysis.md with this run's numbers."""
    servers = sorted(int(f[9:-5]) for f in os.listdir(d) if f.startswith("accuracy_") and f.endswith(".json"))
    tps, bounds = [], []
    accs = {k: [] for k in ("ACC", "ACCTOL", "ACC50", "ACC50TOL", "MIN50TOL", "ACCFIRST5",
                            "ACCNEW", "ACCMIN")}
    nseeds = 0
    for s in servers:
        lab = os.path.join(d, "labels_%d.json" % s)
        tps.append("%g" % turning(lab)[0])
        ind = indifferent(lab)
        for key, kind in (("ACC", "acc_seed_"), ("ACC50", "acc_t50_seed_")):
            runs = seeds_of(d, s, kind)
            strict = [a["accuracy"] for _, a in runs]
            tol = [tolerant(a, ind) for _, a in runs]
            accs[key].append(pct(sum(strict) / len(strict)) if runs else "-")
            accs[key + "TOL"].append(pct(sum(tol) / len(tol)) if runs else "-")
            if key == "ACC50":
                accs["MIN50TOL"].append(pct(min(tol)) if runs else "-")
            else:
                # Seeds 1-5 ran before 2026-12-02 14:00; 6-10 are the ones fixed then.
                first5 = [a["accuracy"] for k, a in runs if k <= 5]
                new = [a["accuracy"] for k, a in runs if k > 5]
                accs["ACCFIRST5"].append(pct(sum(first5) / len(first5)) if first5 else "-")
                accs["ACCNEW"].append(pct(sum(new) / len(new)) if new else "-")
                accs["ACCMIN"].append(pct(min(strict)) if runs else "-")
                nseeds = max(nseeds, len(runs))
        f = os.path.join(d, "bound_%d_t60.json" % s)
        bounds.append(pct(load(f)["bound"]) if os.path.exists(f) else "-")
    params = []
    for name in sorted(f for f in os.listdir(d) if f.startswith("param_") and f.endswith(".json")):
        params.append("%s %s" % (name[6:-5].replace("-", " "), pct(load(os.path.join(d, name))["accuracy"])))
    recov = []
    for name in ("adapt_64.json", "adapt_64_wmax1.json"):
        ad = os.path.join(d, name)
        recov.append("%s" % load(ad)["recovered_after"] if os.path.exists(ad) else "-")
    v = os.path.join(d, "validate.json")
    val = "not run"
    if os.path.exists(v):
        v = load(v)
        m = v["variants"][0]
        val = ("knee (P99 at the %g ms target) %s of the rig's (median of its rounds; tolerance "
               "%d%%), below the knee %d of %d sweep points within a factor of %g: the tolerance "
               "%s (the rig's valid runs only: %d sweep points and %d knee-study runs left out)"
               % (v["slo_ms"], ", ".join("%s %+.1f%%" % (k["config"], 100 * k["median_error"])
                                         for k in m["knees"] if k["median_error"] is not None),
                  round(100 * v["knee_tol"]), m["points_within"], m["points_tested"],
                  v["p99_tol"], {True: "holds", False: "does not hold"}.get(
                      v["holds"], "cannot be judged (no knee study round with a knee)"),
                  len(v.get("sweep_excluded", [])), v.get("knee_runs_excluded", 0)))
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "analysis.md")) as f:
        text = f.read()
    for key in sorted(accs, key=len, reverse=True):  # {ACC50TOL} before {ACC50} and {ACC}
        text = text.replace("{%s}" % key, "/".join(accs[key]))
    return (text.replace("{TPS}", "/".join(tps) + " requests/s")
            .replace("{NSEEDS}", "%d" % nseeds)
            .replace("{BOUND}", "/".join(bounds))
            .replace("{PARAMS}", ", ".join(params))
            .replace("{RECOV}", recov[0]).replace("{RECOV1}", recov[1]).replace("{VAL}", val))


def page(d, figs, md):
    """docs/results_sim.md: the simulator's results page, all of it (the sim step owns it)."""
    with open(md, "w") as f:
        f.write("# Reproduction: the simulator (hauler-sim)\n\n" + section(d, figs)[len("## Simulator (hauler-sim)\n"):]
                + "\n" + analysis(d))


def main(argv):
    if len(argv) == 3 and argv[1] == "turning":
        tp, slo = turning(argv[2])
        print("%g %d" % (tp, slo))
    elif len(argv) == 4 and argv[1] == "tsv":
        tsv(argv[2], argv[3])
    elif len(argv) == 4 and argv[1] == "acc-tsv":
        acc_tsv(argv[2], argv[3])
    elif len(argv) == 4 and argv[1] == "adapt-tsv":
        adapt_tsv(argv[2], argv[3])
    elif len(argv) == 5 and argv[1] == "page":
        page(argv[2], argv[3], argv[4])
    elif len(argv) == 4 and argv[1] == "section":
        print(section(argv[2], argv[3]))
    elif len(argv) == 3 and argv[1] == "summary":
        print(summary(argv[2]))
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
