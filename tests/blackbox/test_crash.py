#!/usr/bin/env python3
"""Crash test: SIGKILL `cadre import trainees big.csv` in the middle of a
large import (while it is writing: the SQLite WAL file is growing) and show
that nothing of it is left: the trainees export is identical to before,
`audit verify` passes with the same head, the database passes SQLite's
integrity check, and a normal small import still works. Prints TAP."""
import os
import signal
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import (CADRE, Failure, cadre, check, demo_copy, env, eq, export, ok, run,
                 test, tmpdir, verify)

ROWS = 200000


_big = {}


def big_csv(rows):
    """The CSV of `rows` new trainees, written once per script."""
    if rows not in _big:
        path = os.path.join(tmpdir(), "big-%d.csv" % rows)
        write_big(path, rows)
        _big[rows] = path
    return _big[rows]


def write_big(path, rows):
    with open(path, "w") as f:
        f.write("service_number,name,nation,unit,rank\n")
        for i in range(rows):
            f.write("CR-%07d,Crash trainee %d,IRQ,IRQ-U-INF%d,Private\n" % (i, i, 1 + i % 2))


def wal_size(db):
    try:
        return os.path.getsize(db + "-wal")
    except OSError:
        return 0


def kill_mid_import(db, csv_path, wal_bytes, timeout=120, meanwhile=None):
    """Start the import; SIGKILL it once its WAL has grown past wal_bytes
    (after calling meanwhile(), if given, while the import runs).
    Returns True when it was killed while still running, False when it
    finished first."""
    base = wal_size(db)
    p = subprocess.Popen([CADRE, "--db", db, "import", "trainees", csv_path],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env())
    t0 = time.time()
    try:
        while True:
            if p.poll() is not None:
                return False
            if wal_size(db) - base >= wal_bytes:
                break
            if time.time() - t0 > timeout:
                raise Failure("import did not write %d bytes in %ds" % (wal_bytes, timeout))
            time.sleep(0.002)
        if meanwhile is not None:
            meanwhile()
            if p.poll() is not None:     # finished while we looked: not a valid attempt
                return False
        p.send_signal(signal.SIGKILL)
        rc = p.wait()
        # killed by our signal, not finished: the status says so
        return rc == -signal.SIGKILL
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        p.stderr.close()


def crash_and_check(wal_bytes, meanwhile=None):
    db = demo_copy()
    d = os.path.dirname(db)
    before = export(db, "trainees")
    v0 = verify(db).json()
    eq(v0.get("ok"), True, "audit verify before")
    rows = ROWS
    for attempt in range(4):
        path = big_csv(rows)
        killed = kill_mid_import(db, path, wal_bytes,
                                 meanwhile=(lambda: meanwhile(db)) if meanwhile else None)
        if killed:
            break
        # the import finished before the kill: start again from a fresh copy
        # with a bigger file
        db = demo_copy()
        rows *= 2
    else:
        raise Failure("could not kill the import while it was running (last: %d rows)" % rows)
    # nothing of the import is left
    after = export(db, "trainees")
    check("CR-" not in after, "trainees of the killed import are in the database")
    check(after == before, "the trainees export differs from before the import")
    v = verify(db)
    eq(v.returncode, 0, "audit verify exit status after the crash", v)
    eq(v.json().get("entries"), v0.get("entries"), "audit entries after the crash", v)
    eq(v.json().get("head"), v0.get("head"), "audit head after the crash", v)
    c = sqlite3.connect(db)
    eq(c.execute("PRAGMA integrity_check").fetchone()[0], "ok", "PRAGMA integrity_check")
    eq(c.execute("SELECT count(*) FROM audit").fetchone()[0], v0.get("entries"),
       "rows in the audit table")
    c.close()
    # the database still works: a small import, then verify
    small = os.path.join(d, "small.csv")
    with open(small, "w") as f:
        f.write("service_number,name,nation,unit,rank\n"
                "CS-1,After crash one,IRQ,IRQ-U-INF1,Private\n"
                "CS-2,After crash two,IRQ,IRQ-U-INF2,Private\n")
    r = ok("--db", db, "import", "trainees", small, "--json")
    eq(r.json().get("inserted"), 2, "small import after the crash", r)
    v = verify(db)
    eq(v.returncode, 0, "audit verify after the small import", v)
    eq(v.json().get("entries"), v0.get("entries") + 2, "audit entries after the small import", v)
    eq(ok("--db", db, "show", "trainees", "CS-2", "--json").json().get("unit"), "IRQ-U-INF2",
       "imported trainee")
    return db, path


@test("SIGKILL early in the write of a large import: readers meanwhile see the old state; "
      "afterwards database and audit unchanged")
def _():
    seen = []

    def look(db):
        r = cadre("--db", db, "show", "trainees", "CR-0000001", "--json")
        s = cadre("--db", db, "status", "--as-of", "2020-02-12", "--json")
        seen.append((r, s))

    crash_and_check(6 << 20, meanwhile=look)
    r, s = seen[-1]
    eq(r.returncode, 1, "a trainee of the unfinished import is not visible", r)
    eq(s.returncode, 0, "status during the import", s)
    eq(s.json().get("members"), 29, "status during the import", s)


@test("SIGKILL late in the write of a large import: database and audit unchanged")
def _():
    crash_and_check(48 << 20)


@test("concurrent writers: small imports during a large one wait or fail cleanly; the chain stays whole")
def _():
    db = demo_copy()
    d = os.path.dirname(db)
    n0 = verify(db).json()["entries"]
    big = big_csv(ROWS)
    smalls = []
    for k in range(3):
        path = os.path.join(d, "small-%d.csv" % k)
        with open(path, "w") as f:
            f.write("service_number,name,nation,unit\n")
            for i in range(20):
                f.write("CW-%d-%02d,Concurrent %d %d,IRQ,IRQ-U-INF1\n" % (k, i, k, i))
        smalls.append(path)
    p = subprocess.Popen([CADRE, "--db", db, "import", "trainees", big, "--json"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env())
    t0 = time.time()
    while p.poll() is None and wal_size(db) < (4 << 20) and time.time() - t0 < 120:
        time.sleep(0.002)
    running = p.poll() is None
    qs = [subprocess.Popen([CADRE, "--db", db, "import", "trainees", s, "--json"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env())
          for s in smalls]
    out, err = p.communicate(timeout=600)
    eq(p.returncode, 0, "the large import: " + err.decode(errors="replace")[:500])
    done = 0
    for q, s in zip(qs, smalls):
        o, e = q.communicate(timeout=600)
        if q.returncode == 0:
            done += 1
        else:
            eq(q.returncode, 3, "a small import that could not get the database exits 3: "
               + o.decode(errors="replace") + e.decode(errors="replace"))
    v = verify(db)
    eq(v.returncode, 0, "audit verify after concurrent writers", v)
    eq(v.json().get("entries"), n0 + ROWS + 20 * done, "audit entries", v)
    rows = ok("--db", db, "export", "trainees", "--format", "json").json()
    keys = [t["service_number"] for t in rows]
    eq(len(keys), len(set(keys)), "no duplicate trainees")
    cw = [k for k in keys if k.startswith("CW-")]
    eq(len(cw), 20 * done, "trainees of the small imports that succeeded")
    for k in range(3):
        n = len([x for x in cw if x.startswith("CW-%d-" % k)])
        check(n in (0, 20), "small import %d half written (%d of 20)" % (k, n))
    check(running, "the large import was still running when the small ones started "
          "(not a concurrency test otherwise)")


if __name__ == "__main__":
    run()
