#!/usr/bin/env python3
"""Write cost benchmark: single-record API writes per second (trainees,
which no rule between records asks about, and enrolments, which the
guard of every write checks against their class and their trainees'
other sessions) and a CSV import of many trainees, for cadre binary CADRE against binary BASELINE
(an older build), run alternately in the same script on copies of one
demo mission, so the machine's drift falls on both alike.

usage: bench/writes.py --cadre build/cadre --baseline OLD/cadre
                       [--writes 400] [--enrolments 100] [--rows 100000]
                       [--rounds 3]

Prints each figure for both and the ratio cadre/baseline (above 1: cadre
is slower). Every write is its own transaction: it measures what each
commit costs (the audit chain, its MAC and head file, the WAL).
"""
import argparse
import http.client
import json
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import tempfile
import time

PW = "a long enough password\n"
ENV = dict(os.environ, CADRE_TODAY="2026-11-29")


def run(binary, db, *args, stdin=None):
    p = subprocess.run([binary, "--db", db] + list(args), input=stdin, text=True,
                       capture_output=True, env=ENV)
    if p.returncode:
        raise SystemExit("%s %s: %s" % (binary, " ".join(args), p.stderr[-500:]))
    return p.stdout


def copy(src, dst):
    for name in os.listdir(os.path.dirname(src)):
        if name.startswith(os.path.basename(src)):
            shutil.copyfile(os.path.join(os.path.dirname(src), name),
                            os.path.join(os.path.dirname(dst),
                                         os.path.basename(dst) + name[len(os.path.basename(src)):]))


def free_seats(db, n):
    """N (session, trainee-free) seats in sessions to come, by key."""
    c = sqlite3.connect(db)
    rows = c.execute(
        "SELECT s.key, c.capacity - (SELECT count(*) FROM enrolment e"
        " WHERE e.session = s.key AND e.attendance <> 'withdrawn')"
        " FROM session s JOIN course c ON c.code = s.course"
        " WHERE s.status = 'planned' AND s.valid_from > '2026-12-01'"
        " ORDER BY s.key").fetchall()
    c.close()
    seats = [k for k, free in rows for _ in range(max(free, 0))]
    if len(seats) < n:
        raise SystemExit("only %d free seats for %d enrolments" % (len(seats), n))
    return seats[:n]


def api_writes(binary, db, n, m):
    """Seconds for N trainee POSTs, then for N enrolments of them in
    sessions to come (writes the rules between records ask about: a
    class's capacity, a trainee's other sessions), one after the other,
    on one connection."""
    seats = free_seats(db, m)
    run(binary, db, "user", "add", "bw", "--role", "training", stdin=PW)
    tok = json.loads(run(binary, db, "--json", "token", "add", "bw"))["token"]
    srv = subprocess.Popen([binary, "--db", db, "serve", "--listen", "127.0.0.1:0",
                            "--quiet"], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, text=True, env=ENV)
    try:
        port = int(re.search(r":(\d+)/", srv.stdout.readline()).group(1))
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        h = {"Authorization": "Bearer " + tok, "Content-Type": "application/json"}
        def post(path, body):
            c.request("POST", path, json.dumps(body), h)
            r = c.getresponse()
            text = r.read()
            if r.status != 201:
                raise SystemExit("POST %s answered %d: %s" % (path, r.status, text[:300]))

        t0 = time.perf_counter()
        for i in range(n):
            post("/api/v1/trainees", {"service_number": "BW-%06d" % i,
                                      "name": "Bench %d" % i, "nation": "IRQ",
                                      "unit": "IRQ-U-INF1"})
        t1 = time.perf_counter()
        for i in range(m):
            post("/api/v1/enrolments", {"session": seats[i],
                                        "trainee": "BW-%06d" % i})
        return t1 - t0, time.perf_counter() - t1
    finally:
        srv.terminate()
        srv.wait()


def import_rows(binary, db, csv):
    t0 = time.perf_counter()
    run(binary, db, "import", "trainees", csv)
    return time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cadre", default="build/cadre")
    ap.add_argument("--baseline", required=True)
    ap.add_argument("--writes", type=int, default=400)
    # The demo's sessions to come have about a hundred free seats.
    ap.add_argument("--enrolments", type=int, default=100)
    ap.add_argument("--rows", type=int, default=100000)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    d = tempfile.mkdtemp(prefix="cadre-bw-")
    try:
        csv = os.path.join(d, "t.csv")
        with open(csv, "w") as f:
            f.write("service_number,name,nation,unit,rank\n")
            for i in range(a.rows):
                f.write("BI-%07d,Bench trainee %d,IRQ,IRQ-U-INF%d,Private\n"
                        % (i, i, 1 + i % 2))
        demos = {}
        for name, b in (("cadre", a.cadre), ("baseline", a.baseline)):
            demos[name] = os.path.join(d, name + "-demo.db")
            run(b, demos[name], "demo")
        res = {k: {"api": [], "enrol": [], "import": []} for k in demos}
        for r in range(a.rounds):
            for name, b in (("cadre", a.cadre), ("baseline", a.baseline)):
                db = os.path.join(d, "%s-%d.db" % (name, r))
                copy(demos[name], db)
                trainees, enrolments = api_writes(b, db, a.writes, a.enrolments)
                res[name]["api"].append(a.writes / trainees)
                res[name]["enrol"].append(a.enrolments / enrolments)
                db2 = os.path.join(d, "%s-%d-i.db" % (name, r))
                copy(demos[name], db2)
                res[name]["import"].append(import_rows(b, db2, csv))
        api = {k: statistics.median(v["api"]) for k, v in res.items()}
        enrol = {k: statistics.median(v["enrol"]) for k, v in res.items()}
        imp = {k: statistics.median(v["import"]) for k, v in res.items()}
        print("API writes/s (median of %d): cadre %.0f, baseline %.0f, "
              "time ratio %.2f" % (a.rounds, api["cadre"], api["baseline"],
                                   api["baseline"] / api["cadre"]))
        print("API enrolments/s (median):   cadre %.0f, baseline %.0f, "
              "time ratio %.2f" % (enrol["cadre"], enrol["baseline"],
                                   enrol["baseline"] / enrol["cadre"]))
        print("import of %d trainees (s):   cadre %.2f, baseline %.2f, "
              "ratio %.2f" % (a.rows, imp["cadre"], imp["baseline"],
                              imp["cadre"] / imp["baseline"]))
    finally:
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
