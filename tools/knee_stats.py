#!/usr/bin/env python3
"""knee_stats.py RES SLO_MS MIN_SPEED MAX_SPEED CAP_MS - the knees of knee.tsv (part
knee of tools/reproduce.sh) as Markdown on stdout, for results.md.

A run is valid when its speed (work done over the devices' CPU time, 1.00
as calibrated) is within MIN_SPEED..MAX_SPEED (faster: the calibration was
taken in a slow spell, the devices have more capacity than nominal). For each configuration and round,
the round's knee: the last rate of an unbroken run of valid runs that met
the P99 target from the bottom of the grid, interpolated (log P99, linear
in the rate) to the first valid miss above it; a miss with over 1% lost
(P99 null) counts as P99 CAP_MS. The ratio of two configurations is taken
within a round (they were measured interleaved, rate by rate). Also the
pooled view: for each rate, the valid runs that met and their median P99,
and the knee of that median curve.
"""
import csv
import math
import statistics
import sys
from collections import defaultdict

res, slo, min_speed, max_speed, cap = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
# A 6th argument "summary": only the ratio line of each configuration to the first (the Targets' bullet).
summary = len(sys.argv) > 6 and sys.argv[6] == "summary"
# ... and a 7th, a target ratio: the summary says whether the median of
# all rounds (a round with only a bound counted at it) reaches it.
target = float(sys.argv[7]) if len(sys.argv) > 7 else None


def rows(name):
    with open(f"{res}/{name}", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def p99(r):
    return cap if r["p99_ms"] in ("null", "") else float(r["p99_ms"])


def valid(r):
    return r["speed"] not in ("-", "null", "") and min_speed <= float(r["speed"]) <= max_speed


def knee(points):
    """points: (rate, p99) sorted by rate. (estimate, text)."""
    last = None
    for rate, p in points:
        if p <= slo:
            last = (rate, p)
            continue
        if last is None:
            return None, f"< {rate:g}"
        r0, p0 = last
        est = r0 + (rate - r0) * (math.log(slo) - math.log(p0)) / (math.log(p) - math.log(p0))
        return est, f"{est:.1f}"
    if last is None:
        return None, "-"
    return None, f">= {last[0]:g}"


def fmt(xs):
    if not xs:
        return "-"
    if len(xs) == 1:
        return f"{xs[0]:.1f}"
    return f"{statistics.median(xs):.1f} (min {min(xs):.1f}, max {max(xs):.1f}, n {len(xs)})"


def report(runs, sessions, title):
    """The tables of one rig's sessions."""
    configs = list(dict.fromkeys(r["config"] for r in runs))
    by_round = defaultdict(list)  # (session, round, config) -> [(rate, p99)]
    pooled = defaultdict(list)  # (config, rate) -> [run]
    n_invalid = defaultdict(int)
    for r in runs:
        pooled[(r["config"], float(r["rate"]))].append(r)
        if valid(r):
            by_round[(r["session"], r["round"], r["config"])].append((float(r["rate"]), p99(r)))
        else:
            n_invalid[r["config"]] += 1
    rounds = list(dict.fromkeys((r["session"], r["round"]) for r in runs))

    out = sys.stdout
    if summary:
        sys.stdout = open("/dev/null", "w")
    elif title:
        print(f"### {title}")
        print()
    print("Sessions (each one turn of `tools/quiet.sh` when quiet is 1):")
    print()
    print("| session | date | load before | load after | CPU of its own (quiet.sh) | rig | capacity s1cpu / s1acc, each alone (req/s) | both at once | unloaded P50 s1cpu / s1acc (ms) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for s in sessions:
        both = f"{s['cap_cpu_both']} / {s['cap_acc_both']}" if s.get("cap_cpu_both") else "-"
        print(f"| {s['session']} | {s['date']} | {s['load_before']} | {s['load_after']} | "
              f"{'yes' if s['quiet'] == '1' else 'no'} | {s.get('rig') or '-'} | {s['cap_cpu']} / {s['cap_acc']} | {both} | "
              f"{s['u_cpu_ms']} / {s['u_acc_ms']} |")
    print()
    print(f"Knee of each round (requests/s at P99 = {slo:g} ms, from that round's valid runs):")
    print()
    print("| session | round | " + " | ".join(f"`{c}`" for c in configs) +
          (" | " + " | ".join(f"`{c}` / `{configs[0]}`" for c in configs[1:]) if len(configs) > 1 else "") + " |")
    print("|---|---|" + "---|" * (len(configs) + max(len(configs) - 1, 0)))
    ests = defaultdict(list)
    ratios = defaultdict(list)
    # A round whose first valid run of a configuration missed has only a
    # bound for that knee ("< rate"): the ratio's bound, kept apart so that
    # dropping such rounds does not flatter the configuration that missed.
    bounded = defaultdict(list)  # config -> [(ratio bound, "<" or ">")]
    for s, rd in rounds:
        k = {}
        below = {}
        cells = []
        for c in configs:
            est, text = knee(sorted(by_round.get((s, rd, c), [])))
            k[c] = est
            if text.startswith("< "):
                below[c] = float(text[2:])
            cells.append(text)
            if est is not None:
                ests[c].append(est)
        b = configs[0]
        for c in configs[1:]:
            if k[c] is not None and k[b] is not None:
                ratios[c].append(k[c] / k[b])
                cells.append(f"{k[c] / k[b]:.2f}")
            elif c in below and k[b] is not None:
                bounded[c].append((below[c] / k[b], "<"))
                cells.append(f"< {below[c] / k[b]:.2f}")
            elif b in below and k[c] is not None:
                bounded[c].append((k[c] / below[b], ">"))
                cells.append(f"> {k[c] / below[b]:.2f}")
            else:
                cells.append("-")
        print(f"| {s} | {rd} | " + " | ".join(cells) + " |")
    print()
    print("| configuration | knee, median of rounds (spread) | knee of the pooled median P99 | valid runs | runs outside speed " +
          f"{min_speed:g}-{max_speed:g} (not counted) |")
    print("|---|---|---|---|---|")
    def censored(c):
        """The median again, counting the rounds with only a bound at their bound."""
        if not bounded[c]:
            return ""
        xs = ratios[c] + [x for x, _ in bounded[c]]
        marks = ", ".join(f"{m} {x:.2f}" for x, m in bounded[c])
        return (f"; {len(bounded[c])} more round(s) give only a bound ({marks}): counting them at it, "
                f"the median of {len(xs)} rounds is {statistics.median(xs):.2f}x")

    curves = {}
    for c in configs:
        curve = []
        for (cc, rate), rs in sorted(pooled.items()):
            v = [p99(r) for r in rs if valid(r)]
            if cc == c and v:
                curve.append((rate, statistics.median(v)))
        curves[c] = curve
        nvalid = sum(1 for r in runs if r["config"] == c and valid(r))
        print(f"| `{c}` | {fmt(ests[c])} | {knee(curve)[1]} | {nvalid} | {n_invalid[c]} |")
    for c in configs[1:]:
        if summary:
            sys.stdout = out
            xs = ratios[c]
            kp = [knee(curves[x])[0] for x in (c, configs[0])]
            print(f"`{c}` / `{configs[0]}` in the knee study: "
                  + (f"{statistics.median(xs):.2f}x (median of {len(xs)} rounds; min {min(xs):.2f}, max {max(xs):.2f})" if xs else "-")
                  + censored(c)
                  + (f", {kp[0] / kp[1]:.2f}x of the pooled knees ({kp[0]:.1f} vs {kp[1]:.1f} requests/s)" if None not in kp else "")
                  + f"; knees {fmt(ests[c])} and {fmt(ests[configs[0]])}", end="")
            allx = ratios[c] + [x for x, _ in bounded[c]]
            if target is not None and allx:
                m = statistics.median(allx)
                print(f"; against the {target:g}x target: **{'met' if m >= target else 'not met'}** "
                      f"(median of all rounds {m:.2f}x)", end="")
            print()
            continue
        print()
        xs = ratios[c]
        text = "-" if not xs else (f"{statistics.median(xs):.2f}x (min {min(xs):.2f}, max {max(xs):.2f}, n {len(xs)})"
                                   if len(xs) > 1 else f"{xs[0]:.2f}x")
        print(f"Ratio `{c}` / `{configs[0]}` within each round, median: {text}{censored(c)}", end="")
        kp = [knee(curves[x])[0] for x in (c, configs[0])]
        if None not in kp:
            print(f"; of the pooled knees: {kp[0] / kp[1]:.2f}x.")
        else:
            print(".")
    if summary:
        return
    print()
    print("Every rate, pooled over the rounds: valid runs that met the target / valid runs, and their median P99 (ms):")
    print()
    print("| configuration | rate | met / valid | median P99 | P99 of each valid run | invalid runs (speed) |")
    print("|---|---|---|---|---|---|")
    for (c, rate), rs in sorted(pooled.items(), key=lambda kv: (configs.index(kv[0][0]), kv[0][1])):
        v = [r for r in rs if valid(r)]
        met = sum(1 for r in v if r["verdict"] == "meets")
        med = f"{statistics.median(p99(r) for r in v):.1f}" if v else "-"
        each = ", ".join("lost>1%" if r["p99_ms"] == "null" else f"{float(r['p99_ms']):.0f}" for r in v)
        inv = ", ".join(r["speed"] for r in rs if not valid(r))
        print(f"| `{c}` | {rate:g} | {met} / {len(v)} | {med} | {each} | {inv or '-'} |")
    if summary:
        sys.stdout = out


runs = rows("knee.tsv")
sessions = rows("knee_sessions.tsv")
if not runs:
    sys.exit(0)
# Sessions of different rigs (knee_sessions.tsv's rig) are never pooled:
# one set of tables per rig, in the order of their first session.
rig_of = {s["session"]: s.get("rig") or "-" for s in sessions}
rigs = list(dict.fromkeys(rig_of.get(r["session"], "-") for r in runs))
for rig in rigs:
    report([r for r in runs if rig_of.get(r["session"], "-") == rig],
           [s for s in sessions if (s.get("rig") or "-") == rig],
           f"Rig: {rig}" if len(rigs) > 1 else "")
    if summary and len(rigs) > 1:
        print(f"  (rig: {rig})")
