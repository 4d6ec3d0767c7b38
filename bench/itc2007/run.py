#!/usr/bin/env python3
"""Benchmark of cadre's planning engine on the ITC 2007 track 3 instances.

Runs `cadre plan itc INSTANCE --time T --seed S --json` for every instance and
seed, keeps each run's report and solution under the results directory, and
prints per instance the mean and best cost, the violations, and the ratios of
the mean to the best known cost and to the competition winner's average
(reference.csv). Standard library only.
"""

import argparse
import concurrent.futures
import csv
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cadre", default=os.path.join(ROOT, "build", "cadre"),
                   help="the cadre binary (default: build/cadre)")
    p.add_argument("--time", type=float, default=84.0,
                   help="seconds per run (default 84, the competition "
                        "allowance on this machine class)")
    p.add_argument("--iterations", type=int, default=0,
                   help="annealing budget per run instead of a time "
                        "schedule (the time limit stays a cutoff)")
    p.add_argument("--seeds", default="1,2,3,4,5",
                   help="comma-separated seeds, or a count N for 1..N "
                        "(default 1,2,3,4,5)")
    p.add_argument("--instances", default="all",
                   help="comma-separated names such as comp01,comp05 "
                        "(default all 21)")
    p.add_argument("--jobs", type=int, default=1,
                   help="runs in parallel (default 1: one core, as in the "
                        "competition)")
    p.add_argument("--results", default=os.path.join(HERE, "results"),
                   help="where reports and solutions go "
                        "(default bench/itc2007/results)")
    p.add_argument("--table-only", action="store_true",
                   help="print the table from the reports already in the "
                        "results directory, run nothing")
    p.add_argument("--markdown", action="store_true",
                   help="print the table as Markdown")
    p.add_argument("--csv", metavar="FILE",
                   help="also write every run (instance, seed, time, "
                        "violations, cost and its components, iterations) "
                        "to FILE")
    return p.parse_args()


def read_reference():
    ref = {}
    with open(os.path.join(HERE, "reference.csv"), newline="") as f:
        for row in csv.DictReader(f):
            ref[row["instance"]] = row
    return ref


def seeds_of(spec):
    if "," not in spec and spec.isdigit():
        return list(range(1, int(spec) + 1))
    return [int(s) for s in spec.split(",") if s.strip()]


def run_one(args, inst, seed):
    """One run; returns the parsed JSON report (or an error record)."""
    os.makedirs(args.results, exist_ok=True)
    stem = os.path.join(args.results, "%s-s%d" % (inst, seed))
    cmd = [args.cadre, "plan", "itc",
           os.path.join(HERE, "instances", inst + ".ctt"),
           "--seed", str(seed), "--json", "-o", stem + ".sol"]
    if args.iterations:
        cmd += ["--iterations", str(args.iterations)]
        if args.time:
            cmd += ["--time", str(args.time)]
    else:
        cmd += ["--time", str(args.time)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        rep = {"error": proc.stderr.strip() or "exit %d" % proc.returncode}
    else:
        rep = json.loads(proc.stdout)
    rep["name"] = inst
    rep["seed_run"] = seed
    rep["time_limit"] = args.time
    with open(stem + ".json", "w") as f:
        json.dump(rep, f)
        f.write("\n")
    return rep


def load_reports(results):
    reps = []
    if not os.path.isdir(results):
        return reps
    for fn in sorted(os.listdir(results)):
        if fn.endswith(".json"):
            with open(os.path.join(results, fn)) as f:
                reps.append(json.load(f))
    return reps


def table(reps, ref, names, markdown):
    head = ["instance", "seeds", "time", "mean", "best", "viol",
            "best_known", "winner_avg", "bellio_avg", "mean/best_known",
            "mean/winner", "bar"]
    rows = []
    met = 0
    for inst in names:
        mine = [r for r in reps if r.get("name") == inst and "error" not in r]
        errors = [r for r in reps if r.get("name") == inst and "error" in r]
        for e in errors:
            print("%s seed %s: %s" % (inst, e.get("seed_run"), e["error"]),
                  file=sys.stderr)
        if not mine:
            continue
        costs = [r["cost"] for r in mine]
        viol = max(r["violations"] for r in mine)
        mean = statistics.mean(costs)
        rf = ref.get(inst, {})
        bk = float(rf.get("best_known", "nan"))
        win = float(rf.get("winner_avg_at_time_limit", "nan"))
        bel = rf.get("bellio_sa_avg_at_time_limit", "")

        def ratio(x, y):
            if y == 0:
                return "1.000" if x == 0 else "inf"
            return "%.3f" % (x / y)
        ok = viol == 0 and mean <= win
        met += ok
        times = sorted({r.get("time_limit") for r in mine})
        rows.append([inst, str(len(mine)),
                     "/".join("%g" % t for t in times if t is not None),
                     "%.1f" % mean, str(min(costs)), str(viol),
                     rf.get("best_known", ""),
                     rf.get("winner_avg_at_time_limit", ""), bel,
                     ratio(mean, bk), ratio(mean, win),
                     "met" if ok else "not met"])
    if markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + "|".join("---" for _ in head) + "|")
        for r in rows:
            print("| " + " | ".join(r) + " |")
    else:
        widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
                  for i, h in enumerate(head)]
        print("  ".join(h.rjust(w) for h, w in zip(head, widths)))
        for r in rows:
            print("  ".join(c.rjust(w) for c, w in zip(r, widths)))
    print("\n%d of %d instances feasible with mean at or below the winner's "
          "average" % (met, len(rows)))


def write_csv(path, reps):
    cols = ["name", "seed_run", "time_limit", "violations", "cost",
            "room_capacity", "min_working_days", "curriculum_compactness",
            "room_stability", "iterations", "seconds"]
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["instance" if c == "name" else
                    "seed" if c == "seed_run" else c for c in cols])
        for r in sorted(reps, key=lambda r: (r["name"], r["seed_run"])):
            w.writerow([r.get(c, "") for c in cols])


def main():
    args = parse_args()
    ref = read_reference()
    if args.instances == "all":
        names = ["comp%02d" % i for i in range(1, 22)]
    else:
        names = [s.strip() for s in args.instances.split(",") if s.strip()]
    for n in names:
        if not os.path.exists(os.path.join(HERE, "instances", n + ".ctt")):
            sys.exit("run.py: no instance %s" % n)
    if not args.table_only:
        if not os.access(args.cadre, os.X_OK):
            sys.exit("run.py: %s is not an executable (build first, or "
                     "pass --cadre)" % args.cadre)
        jobs = [(n, s) for s in seeds_of(args.seeds) for n in names]
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
            futs = [pool.submit(run_one, args, n, s) for n, s in jobs]
            for fut in futs:
                r = fut.result()
                if "error" in r:
                    print("%s seed %d: %s" % (r["name"], r["seed_run"],
                                              r["error"]), file=sys.stderr)
                else:
                    print("%s seed %d: violations %d cost %d" %
                          (r["name"], r["seed_run"], r["violations"],
                           r["cost"]), file=sys.stderr, flush=True)
    reps = load_reports(args.results)
    if args.csv:
        write_csv(args.csv, [r for r in reps
                             if r.get("name") in names and "error" not in r])
    table(reps, ref, names, args.markdown)


if __name__ == "__main__":
    main()
