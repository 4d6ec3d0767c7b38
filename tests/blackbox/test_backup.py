#!/usr/bin/env python3
"""Black-box tests of `cadre backup FILE` and `cadre restore FILE`: an online
copy while a server runs and writes is one consistent moment and verifies;
restore brings exactly that back and records itself in the audit log; a
damaged or tampered backup, an existing FILE and --as are refused, leaving
everything as it was. On PostgreSQL both are refused, naming pg_dump and
cadre copy, and nothing is written; the rest is of SQLite's file (skipped
there). Prints TAP."""
import os
import sqlite3
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "scenario"))
from tap import (POSTGRES, Skip, cadre, check, copy_db, demo_copy, eq, export, ok, run,
                 sqlite_only, test, tmpdir, verify)
from dbstate import fingerprint  # noqa: E402
import harness  # noqa: E402  (its Server: cadre serve on 127.0.0.1)

# Why the rest of the script does not run on PostgreSQL.
SQLITE_FILE = "backup and restore copy a SQLite file; PostgreSQL refuses them (test 1)"

PW = "a long enough password"


def writer_db():
    """A demo copy with an account whose token may write persons."""
    db = demo_copy()
    ok("--db", db, "user", "add", "j1", "--role", "manning", "--clearance", "NS",
       stdin=PW + "\n")
    token = ok("--db", db, "token", "add", "j1", "--json").json()["token"]
    return db, token


def post_person(srv, token, i):
    st, _, _ = srv.call("POST", "/api/v1/persons", token, {
        "code": "BK-%05d" % i, "name": "Backup %d" % i, "nation": "CAN",
        "category": "military", "valid_from": "2026-12-01"})
    return st


def bk_persons(db):
    c = sqlite3.connect(db)
    try:
        return sorted(r[0] for r in c.execute(
            "SELECT code FROM person WHERE code LIKE 'BK-%'"))
    finally:
        c.close()


def last_entry(db):
    c = sqlite3.connect(db)
    try:
        return c.execute("SELECT seq, action, entity, key FROM audit"
                         " ORDER BY seq DESC LIMIT 1").fetchone()
    finally:
        c.close()


_backup = {}


@test("on PostgreSQL backup and restore are refused naming pg_dump and cadre copy; nothing written")
def _():
    if not POSTGRES:
        raise Skip("PostgreSQL's refusal; on SQLite the tests that follow")
    d, out = tmpdir(), tmpdir()
    db = os.path.join(d, "pg.db")
    ok("--db", db, "init")
    with open(os.path.join(d, "n.csv"), "w") as f:
        f.write("code,name,member_since\nCAN,Canada,1949-04-04\nDNK,Denmark,1949-04-04\n")
    ok("--db", db, "import", "nations", os.path.join(d, "n.csv"))
    sqlite = os.path.join(out, "from.db")       # a SQLite database to restore from
    ok("--db", sqlite, "init", raw=True)
    before, v0 = fingerprint(db), verify(db).json()
    files = sorted(os.listdir(out))
    for argv in (["backup", os.path.join(out, "b.db")],
                 ["backup", os.path.join(out, "b.db"), "--force"],
                 ["restore", sqlite]):
        r = cadre("--db", db, *argv)
        eq(r.returncode, 2, "%s on PostgreSQL: exit status" % " ".join(argv[:1]), r)
        check("pg_dump" in r.stderr and "cadre copy" in r.stderr,
              "%s: the message names pg_dump and cadre copy" % argv[0], r)
        j = cadre("--db", db, "--json", *argv)
        eq(j.returncode, 2, "%s --json: exit status" % argv[0], j)
        err = j.json().get("error") or {}
        eq(err.get("code"), "USAGE", "%s --json: error code" % argv[0], j)
        check("pg_dump" in err.get("message", ""), "%s --json: the message" % argv[0], j)
        eq(sorted(os.listdir(out)), files, "%s: no file written" % argv[0])
    eq(fingerprint(db), before, "the database unchanged")
    v = verify(db)
    eq((v.returncode, v.json().get("entries"), v.json().get("head")),
       (0, v0.get("entries"), v0.get("head")), "its audit log unchanged", v)


def backup_under_load():
    """Once per script: a backup taken while a server writes persons one by
    one. (db, backup, written before it began, written by its end)."""
    if _backup:
        return _backup["v"]
    db, token = writer_db()
    out = os.path.join(tmpdir(), "b.db")
    srv = harness.Server(db)
    written, stop, failed = [], threading.Event(), []

    def write():
        i = 0
        while not stop.is_set() and i < 2000:
            st = post_person(srv, token, i)
            if st != 201:
                failed.append(st)
                return
            written.append(i)
            i += 1

    t = threading.Thread(target=write)
    t.start()
    try:
        while len(written) < 5 and t.is_alive():
            time.sleep(0.01)
        before = len(written)
        r = cadre("--db", db, "backup", out, "--json")
        after = len(written)
        while len(written) < after + 3 and t.is_alive():
            time.sleep(0.01)
    finally:
        stop.set()
        t.join()
        srv.stop()
    _backup["v"] = (db, out, r, before, after, failed, len(written))
    return _backup["v"]


@test("backup while a server writes: exit 0, FILE with FILE.key (0600) and FILE.head")
def _():
    sqlite_only(SQLITE_FILE)
    db, out, r, before, after, failed, total = backup_under_load()
    eq(r.returncode, 0, "backup exit status", r)
    eq(failed, [], "every write of the server answered 201")
    check(total > after, "the server went on writing after the backup")
    for ext in ("", ".key", ".head"):
        check(os.path.exists(out + ext), "the backup has " + (ext or "its file"))
    eq(os.stat(out + ".key").st_mode & 0o777, 0o600, "key mode")
    with open(db + ".key", "rb") as a, open(out + ".key", "rb") as b:
        eq(a.read(), b.read(), "the key is the database's")
    check(not [f for f in os.listdir(os.path.dirname(out)) if ".tmp." in f],
          "no temporary file left")
    j = r.json()
    eq(j.get("macs"), "verified", "MACs verified", r)


@test("backup while a server writes: one consistent moment, and it verifies")
def _():
    sqlite_only(SQLITE_FILE)
    db, out, r, before, after, failed, total = backup_under_load()
    v = verify(out)
    eq(v.returncode, 0, "audit verify of the backup", v)
    eq(v.json().get("macs"), "verified", "its MACs", v)
    got = bk_persons(out)
    m = len(got)
    print("# server writes: %d when the backup began, %d when it ended; it holds %d"
          % (before, after, m))
    eq(got, ["BK-%05d" % i for i in range(m)], "the persons written form a prefix (no holes)")
    check(before <= m <= after, "the moment lies within the backup's run: %d <= %d <= %d"
          % (before, m, after))
    eq(v.json()["entries"], r.json()["entries"], "the entries the backup reported")
    if m:
        eq(last_entry(out)[1:], ("insert", "person", "BK-%05d" % (m - 1)),
           "its last audit entry is the last person it holds")
    eq(int(sqlite3.connect(out).execute("PRAGMA integrity_check").fetchone()[0] == "ok"),
       1, "integrity")


@test("restore: the database holds exactly the backup's records, verifies, and the restore is its last audit entry")
def _():
    sqlite_only(SQLITE_FILE)
    db, out, r, *_ = backup_under_load()
    target = copy_db(db, os.path.join(tmpdir(), "t.db"))
    check(len(bk_persons(target)) > len(bk_persons(out)), "the database has more than the backup")
    n = verify(out).json()["entries"]
    res = cadre("--db", target, "restore", out)
    eq(res.returncode, 0, "restore exit status", res)
    eq(bk_persons(target), bk_persons(out), "the persons of the backup, no more")
    for kind in ("persons", "trainees", "sessions"):
        eq(export(target, kind), export(out, kind), "export %s as the backup's" % kind)
    v = verify(target)
    eq(v.returncode, 0, "audit verify after restore", v)
    eq(v.json().get("entries"), n + 1, "the backup's entries and the restore's")
    eq(v.json().get("head_file_state"), "at_end", "the head file follows the restored chain", v)
    seq, action, entity, key = last_entry(target)
    eq((action, entity, key), ("restore", "database", os.path.basename(out)), "the restore entry")
    log = ok("--db", target, "audit", "log", "--entity", "database")
    check("restore" in log.stdout, "audit log --entity database shows it", log)
    path = os.path.join(tmpdir(), "t.csv")
    with open(path, "w") as f:
        f.write("service_number,name,nation,unit\nAT-9,After Restore,IRQ,IRQ-U-INF1\n")
    eq(cadre("--db", target, "import", "trainees", path).returncode, 0, "a write after restore")
    eq(verify(target).returncode, 0, "verify after that write")


def refused_restore(backup, status, what):
    db = demo_copy()
    before = export(db, "persons")
    n = verify(db).json()["entries"]
    res = cadre("--db", db, "restore", backup)
    eq(res.returncode, status, what + ": restore exit status", res)
    check(backup in res.stderr, what + ": the message names the file", res)
    eq(export(db, "persons"), before, what + ": the database unchanged")
    v = verify(db)
    eq((v.returncode, v.json().get("entries")), (0, n), what + ": its audit log unchanged", v)
    check(not [f for f in os.listdir(os.path.dirname(db)) if ".restore." in f],
          what + ": no temporary file left")
    return res


@test("restore, demo --force and generate --force refuse a database a server is running on")
def _():
    sqlite_only(SQLITE_FILE)
    db, out, *_ = backup_under_load()
    target = copy_db(db, os.path.join(tmpdir(), "held.db"))
    before = export(target, "persons")
    srv = harness.Server(target)
    try:
        for argv in (["restore", out], ["demo", "--force"],
                     ["generate", "--scale", "0.01", "--force"]):
            res = cadre("--db", target, *argv)
            eq(res.returncode, 3, "%s under a server: exit status" % argv[0], res)
            check("a server is running on" in res.stderr, "%s says why" % argv[0], res)
    finally:
        srv.stop()
    eq(export(target, "persons"), before, "the database unchanged")
    check(not [f for f in os.listdir(os.path.dirname(target)) if ".new-" in f
               or ".restore." in f], "no temporary file left")
    eq(cadre("--db", target, "restore", out).returncode, 0, "restore once the server stopped")


@test("restore refuses a damaged backup (pages overwritten), leaving the database as it was")
def _():
    sqlite_only(SQLITE_FILE)
    _, out, *_ = backup_under_load()
    bad = copy_db(out, os.path.join(tmpdir(), "bad.db"))
    size = os.path.getsize(bad)
    with open(bad, "r+b") as f:
        for off in range(size // 3, size // 3 + 40 * 4096, 4096):
            f.seek(off + 100)
            f.write(os.urandom(600))
    refused_restore(bad, 1, "damaged")


@test("restore refuses a file that is not a database, and a backup whose audit log was edited")
def _():
    sqlite_only(SQLITE_FILE)
    junk = os.path.join(tmpdir(), "junk.db")
    with open(junk, "wb") as f:
        f.write(b"not a database at all\n" * 500)
    refused_restore(junk, 1, "not a database")
    _, out, *_ = backup_under_load()
    ed = copy_db(out, os.path.join(tmpdir(), "edited.db"))
    c = sqlite3.connect(ed)
    c.execute("DROP TRIGGER audit_no_update")
    c.execute("UPDATE audit SET actor = 'mallory' WHERE seq = 100")
    c.commit()
    c.close()
    res = refused_restore(ed, 4, "edited log")
    check("100" in res.stderr, "names the entry", res)


@test("restore refuses a backup without its key file")
def _():
    sqlite_only(SQLITE_FILE)
    _, out, *_ = backup_under_load()
    nokey = copy_db(out, os.path.join(tmpdir(), "nokey.db"))
    os.unlink(nokey + ".key")
    res = refused_restore(nokey, 1, "no key")
    check(".key" in res.stderr, "names the key file", res)


@test("backup to an existing file is refused (exit 1, the file untouched); --force replaces it")
def _():
    sqlite_only(SQLITE_FILE)
    db = demo_copy()
    dest = os.path.join(tmpdir(), "exists.db")
    with open(dest, "w") as f:
        f.write("mine")
    r = cadre("--db", db, "backup", dest)
    eq(r.returncode, 1, "exit status", r)
    check("exists" in r.stderr and "--force" in r.stderr, "the message says so", r)
    with open(dest) as f:
        eq(f.read(), "mine", "the file untouched")
    check(not os.path.exists(dest + ".key"), "no key beside it")
    r = cadre("--db", db, "backup", dest, "--force")
    eq(r.returncode, 0, "--force", r)
    eq(verify(dest).returncode, 0, "the forced backup verifies")


@test("a failed backup leaves nothing; backup and restore refuse --as")
def _():
    sqlite_only(SQLITE_FILE)
    db = demo_copy()
    d = tmpdir()
    r = cadre("--db", db, "backup", os.path.join(d, "no", "such", "dir.db"))
    eq(r.returncode, 3, "into a missing directory: exit 3", r)
    eq(os.listdir(d), [], "nothing left")
    for argv in (["backup", os.path.join(d, "x.db")], ["restore", os.path.join(d, "x.db")]):
        r = cadre("--db", db, "--as", "adm", *argv)
        eq(r.returncode, 2, "%s --as: exit 2" % argv[0], r)
        check("without --as" in r.stderr, "%s --as: the message" % argv[0], r)
    eq(os.listdir(d), [], "nothing written")
    h = ok("help", "backup")
    check("--force" in h.stdout, "help backup", h)


if __name__ == "__main__":
    run()
