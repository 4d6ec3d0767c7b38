#!/usr/bin/env python3
"""Crash test: SIGKILL `cadre import trainees big.csv` in the middle of a
large import (while it is writing: the SQLite WAL file is growing) and show
that nothing of it is left: the trainees export is identical to before,
`audit verify` passes with the same head, the database passes SQLite's
integrity check, and a normal small import still works.

Then SIGKILL at random moments during the actions (a suspension that
postpones hundreds of sessions, a transfer), the planner (`plan sessions
--apply`) and the server while it runs an action for an API client: each
time the database holds either all of the write or none of it, never a
part, and the chain and SQLite's integrity check pass.

On PostgreSQL (CADRE_TEST_ENGINE=postgres) the same kills: the write in
progress is seen by the database's size on disk rather than the WAL file's,
the atomicity is PostgreSQL's own, and the audit head file in
CADRE_STATE_DIR must still agree with the chain. Prints TAP."""
import json
import os
import random
import signal
import threading
import urllib.request
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dbstate import fingerprint
from tap import (CADRE, POSTGRES, Failure, cadre, check, copy_db, demo_copy, env, eq, export,
                 ok, run, test, tmpdir, verify)
import engine  # noqa: E402

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
    """How much a write in progress has put down: SQLite's WAL file; on
    PostgreSQL the database's size (a transaction's rows go into its
    tables' files before it commits)."""
    if POSTGRES:
        return int(engine.cluster().query(
            "postgres", "SELECT pg_database_size('%s')" % engine.name_of(db)).strip())
    try:
        return os.path.getsize(db + "-wal")
    except OSError:
        return 0


def head_agrees(v, what):
    """The audit head file (beside the database, or in CADRE_STATE_DIR)
    names the chain's last entry, or one before it (a kill between the
    commit and the head file's write): audit verify says which."""
    check(v.json().get("head_file_state") in ("at_end", "behind"),
          what + ": the head file agrees with the chain", v)


def kill_mid_import(db, csv_path, wal_bytes, timeout=120, meanwhile=None):
    """Start the import; SIGKILL it once its WAL has grown past wal_bytes
    (after calling meanwhile(), if given, while the import runs).
    Returns True when it was killed while still running, False when it
    finished first."""
    base = wal_size(db)
    p = subprocess.Popen([CADRE, "--db", engine.target(db), "import", "trainees", csv_path],
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
    eq(v.json().get("head_file_state"), "at_end", "the head file after the crash", v)
    c = engine.connect(db)
    if not POSTGRES:
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
    p = subprocess.Popen([CADRE, "--db", engine.target(db), "import", "trainees", big, "--json"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env())
    t0 = time.time()
    while p.poll() is None and wal_size(db) < (4 << 20) and time.time() - t0 < 120:
        time.sleep(0.002)
    running = p.poll() is None
    qs = [subprocess.Popen([CADRE, "--db", engine.target(db), "import", "trainees", s, "--json"],
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


# -- SIGKILL at random moments during the actions and the planner ------

GEN_SCALE = "0.05"      # about 500 sessions to postpone, well under a second
KILLS = 8               # random kills per command
_gen = {}


def generated():
    """A generated mission, made once per script; copy it before changing it."""
    if "db" not in _gen:
        db = os.path.join(tmpdir(), "gen.db")
        ok("--db", db, "generate", "--scale", GEN_SCALE)
        _gen["db"] = db
    return _gen["db"]


def settle(db):
    """On PostgreSQL, the planner's statistics of a database just loaded,
    as autovacuum gathers them (the test cluster runs without it): with
    none, a suspension's rule checks of the generated mission took 190 s
    rather than 16 (told to the lead)."""
    if POSTGRES:
        engine.connect(db).execute("ANALYZE")


def records(db):
    """fingerprint(DB), but on PostgreSQL without the tables' `id`
    columns: a transaction the kill rolled back has still spent identity
    values (PostgreSQL's sequences are not transactional), so a write run
    again after it gives its new rows later ids than a first run, with the
    same records; SQLite takes the next rowid again."""
    if not POSTGRES:
        return fingerprint(db)
    import hashlib
    c = engine.connect(db)
    h = hashlib.sha256()
    for (t,) in c.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = "
            "current_schema() AND table_type = 'BASE TABLE' AND table_name NOT IN "
            "('trainee_fts', 'cadre_schema', 'audit', 'audit_head', 'account', 'token') "
            "ORDER BY table_name"):
        cols = [r[0] for r in c.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = "
            "current_schema() AND table_name = ? AND column_name <> 'id' "
            "ORDER BY ordinal_position", (t,))]
        h.update(t.encode())
        order = ", ".join(str(i + 1) for i in range(len(cols)))
        for row in c.execute("SELECT %s FROM %s ORDER BY %s" % (", ".join(cols), t, order)):
            h.update(repr(row).encode())
    return h.hexdigest(), c.execute("SELECT count(*) FROM audit").fetchone()[0]


def whole_or_nothing(src, argv, what):
    """Run ARGV (after --db COPY) once to the end for the state after, then
    KILLS times on fresh copies of SRC with a SIGKILL at a random moment of
    its run: each must leave the state before or the state after, with an
    intact chain. Returns how many kills left each state."""
    settle(src)
    before = fingerprint(src)
    db = copy_db(src, tmpdir())
    t0 = time.time()
    r = ok("--db", db, *argv)
    took = time.time() - t0
    after = fingerprint(db)
    check(after != before, "%s changes nothing: not a test" % what, r)
    after_records = records(db)
    seen = {"before": 0, "after": 0, "finished": 0}
    rnd = random.Random(13)
    for i in range(KILLS):
        db = copy_db(src, tmpdir())
        p = subprocess.Popen([CADRE, "--db", engine.target(db)] + argv, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, env=env())
        time.sleep(rnd.uniform(0.02, took * 1.1))
        p.send_signal(signal.SIGKILL)
        rc = p.wait()
        fp = fingerprint(db)
        state = "before" if fp == before else "after" if fp == after else None
        check(state is not None, "%s killed at kill %d left a partial write "
              "(%d audit entries; before %d, after %d)" % (what, i, fp[1], before[1], after[1]))
        v = verify(db)
        eq(v.returncode, 0, "%s: audit verify after kill %d" % (what, i), v)
        head_agrees(v, "%s, kill %d" % (what, i))
        seen["finished" if rc != -signal.SIGKILL else state] += 1
        if rc == -signal.SIGKILL and state == "before" and seen["before"] == 1:
            # and the database still takes the write whole afterwards
            ok("--db", db, *argv)
            eq(records(db), after_records, "%s run again after kill %d" % (what, i))
    print("# %s (%.2fs when whole): %r" % (what, took, seen))
    check(seen["before"] >= 1, "no kill landed before %s committed: %r" % (what, seen))
    return seen


@test("SIGKILL at random moments of a suspension that postpones hundreds of sessions: "
      "all of it or none of it")
def _():
    whole_or_nothing(generated(), ["suspend", "--scope", "mission", "--from", "2026-12-01",
                                   "--reason", "crash test"], "suspend")


@test("SIGKILL at random moments of a transfer: all of it or none of it")
def _():
    db = demo_copy()
    acts = ok("--db", db, "list", "activities", "--json").json()
    coalition = [a for a in acts if a.get("lead") != "host"] or acts
    code = coalition[0]["code"]
    whole_or_nothing(db, ["transfer", code, "--to", "IRQ-MOD", "--on", "2026-12-15",
                          "--with-personnel"], "transfer")


@test("SIGKILL at random moments of the planner's apply: all of it or none of it")
def _():
    whole_or_nothing(demo_copy(), ["plan", "sessions", "--from", "2026-01-01",
                                   "--to", "2028-12-31", "--apply"], "plan sessions --apply")


@test("SIGKILL of the server while it runs an API action: all of it or none of it")
def _():
    src = copy_db(generated(), tmpdir())
    ok("--db", src, "user", "add", "cmdr", "--role", "commander",
       stdin="a long enough password\n")
    token = ok("--db", src, "token", "add", "cmdr", "--json").json()["token"]
    settle(src)
    before = fingerprint(src)
    body = json.dumps({"scope": "mission", "from": "2026-12-01",
                       "reason": "crash test"}).encode()
    rnd = random.Random(29)
    seen = {"before": 0, "after": 0}
    after = None
    for i in range(8):
        db = copy_db(src, tmpdir())
        srv = subprocess.Popen([CADRE, "--db", engine.target(db), "serve", "--listen", "127.0.0.1:0",
                                "--quiet"], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True, env=env())
        port = srv.stdout.readline().split(":")[-1].split("/")[0]
        answer = []

        def post():
            req = urllib.request.Request(
                "http://127.0.0.1:%s/api/v1/actions/suspend" % port, data=body,
                method="POST", headers={"Authorization": "Bearer " + token,
                                        "Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(req, timeout=60) as r:
                    answer.append(r.status)
            except Exception as ex:  # the server died under it
                answer.append(repr(ex))

        t = threading.Thread(target=post)
        t0 = time.time()
        t.start()
        if after is None:       # the first run goes to the end
            t.join()
            took = time.time() - t0
        else:
            time.sleep(rnd.uniform(0.01, took * 1.1))
        srv.send_signal(signal.SIGKILL)
        srv.wait()
        t.join()
        srv.stdout.close()
        fp = fingerprint(db)
        if after is None:
            eq(answer, [200], "the whole API suspension")
            after = fp
            check(after != before, "the API suspension changed nothing: not a test")
            continue
        state = "before" if fp == before else "after" if fp == after else None
        check(state is not None, "server killed during the API action left a partial "
              "write (%d audit entries; before %d, after %d)" % (fp[1], before[1], after[1]))
        seen[state] += 1
        v = verify(db)
        eq(v.returncode, 0, "audit verify after killing the server", v)
        head_agrees(v, "server kill %d" % i)
    print("# API suspension (%.2fs when whole): %r" % (took, seen))
    check(seen["before"] >= 1, "no kill landed before the API action committed")


if __name__ == "__main__":
    run()
