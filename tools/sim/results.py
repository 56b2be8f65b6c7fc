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
  results.py insert DIR FIGS MD         put it (with analysis.md's text) into MD,
                                        between its markers or at the end
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


def summary(d):
    lines = []
    servers = sorted(int(f[4:-5]) for f in os.listdir(d) if f.startswith("p99_") and f.endswith(".json"))
    for s in servers:
        pol = by_policy(load(os.path.join(d, "p99_%d.json" % s)))
        names = list(pol)
        rows = []
        for i, r in enumerate(pol[names[0]]):
            rows.append(["%g" % r["rate"]] + ["%.3f" % pol[n][i]["p99_s"] for n in names])
        lines.append("P99 (s) against the offered rate, %d servers:\n" % s)
        lines.append(table(rows, ["rate/s"] + names) + "\n")
        rows = []
        for i, r in enumerate(pol[names[0]]):
            rows.append(["%g" % r["rate"]] + ["%.1f" % pol[n][i]["cpu_util_var"] for n in names])
        lines.append("Variance of the CPUs' utilization (%%^2), %d servers:\n" % s)
        lines.append(table(rows, ["rate/s"] + names) + "\n")
    rows = []
    for s in servers:
        lab = os.path.join(d, "labels_%d.json" % s)
        acc = os.path.join(d, "accuracy_%d.json" % s)
        if not (os.path.exists(lab) and os.path.exists(acc)):
            continue
        tp, slo = turning(lab)
        a = load(acc)
        used = sum(r["weights_0_1_2_more"][0] if r["label"] == 0 else
                   sum(r["weights_0_1_2_more"][1:]) for r in a["rates"])
        inuse = used / sum(sum(r["weights_0_1_2_more"]) for r in a["rates"])
        rows.append([s, "%g" % tp, "%.3f" % (slo / 1e6), "%.1f%%" % (100 * a["accuracy"]),
                     "%.1f%%" % (100 * inuse)])
    if rows:
        lines.append("Learner accuracy (threshold 60%, alpha 0.5):\n")
        lines.append(table(rows, ["servers", "turning point (req/s)", "SLO (s)",
                                  "accuracy (weight = label)", "accelerators used iff label 6:1"]) + "\n")
    rows = []
    for name in sorted(f for f in os.listdir(d) if f.startswith("param_") and f.endswith(".json")):
        a = load(os.path.join(d, name))
        rows.append([name[6:-5], "%.1f%%" % (100 * a["accuracy"])])
    if rows:
        lines.append("Learner accuracy by parameter (64 servers):\n")
        lines.append(table(rows, ["setting", "accuracy"]) + "\n")
    ad = os.path.join(d, "adapt_64.json")
    if os.path.exists(ad):
        a = load(ad)
        lines.append("Adaptation (64 servers, second SmartNIC added at iteration %d): "
                     "moving accuracy (window %d) back at 90%% after %s iterations.\n"
                     % (a["add_at"], a["window"], a["recovered_after"]))
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


BEGIN = "<!-- simulator: written by tools/sim/reproduce.sh from here -->"
END = "<!-- simulator: end -->"


def analysis(d):
    """tools/sim/analysis.md with this run's numbers."""
    servers = sorted(int(f[9:-5]) for f in os.listdir(d) if f.startswith("accuracy_") and f.endswith(".json"))
    tps, accs, inuse = [], [], []
    for s in servers:
        tps.append("%g" % turning(os.path.join(d, "labels_%d.json" % s))[0])
        a = load(os.path.join(d, "accuracy_%d.json" % s))
        accs.append("%.1f%%" % (100 * a["accuracy"]))
        used = sum(r["weights_0_1_2_more"][0] if r["label"] == 0 else
                   sum(r["weights_0_1_2_more"][1:]) for r in a["rates"])
        inuse.append("%.1f%%" % (100 * used / sum(sum(r["weights_0_1_2_more"]) for r in a["rates"])))
    params = []
    for name in sorted(f for f in os.listdir(d) if f.startswith("param_") and f.endswith(".json")):
        params.append("%s %.1f%%" % (name[6:-5].replace("-", " "), 100 * load(os.path.join(d, name))["accuracy"]))
    ad = os.path.join(d, "adapt_64.json")
    recov = load(ad)["recovered_after"] if os.path.exists(ad) else None
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "analysis.md")) as f:
        text = f.read()
    return (text.replace("{TPS}", "/".join(tps) + " requests/s")
            .replace("{ACC}", "/".join(accs)).replace("{INUSE}", "/".join(inuse))
            .replace("{PARAMS}", ", ".join(params))
            .replace("{RECOV}", "%s" % (recov if recov is not None else "more than the run's")))


def insert(d, figs, md):
    """The section between the markers of md (appended when they are not there)."""
    block = BEGIN + "\n\n" + section(d, figs) + "\n" + analysis(d) + "\n" + END + "\n"
    text = open(md).read() if os.path.exists(md) else ""
    if BEGIN in text and END in text:
        a, b = text.index(BEGIN), text.index(END) + len(END) + 1
        text = text[:a] + block + text[b:]
    else:
        text = text + ("\n" if text else "") + block
    with open(md, "w") as f:
        f.write(text)


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
    elif len(argv) == 5 and argv[1] == "insert":
        insert(argv[2], argv[3], argv[4])
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
