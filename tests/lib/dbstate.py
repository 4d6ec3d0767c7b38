"""The state of a cadre database as the fault tests compare it: what a
write can change, as one value, and a copy with the files beside it.
Python 3 stdlib only; shared by tests/blackbox and tests/scenario."""
import hashlib
import os
import shutil
import sqlite3


def fingerprint(db):
    """(digest, audit entries) of database DB: a SHA-256 over every record
    table, row by row (records carry no timestamps, so two runs of one
    write give the same digest), and the length of the audit chain.
    Asserts SQLite's integrity check first. On PostgreSQL (tests/lib/
    engine.py) the same over its tables, by id."""
    import engine
    if engine.POSTGRES:
        return _fingerprint_pg(engine.connect(db))
    c = sqlite3.connect(db)
    try:
        ic = c.execute("PRAGMA integrity_check").fetchone()[0]
        assert ic == "ok", "PRAGMA integrity_check of %s: %s" % (db, ic)
        h = hashlib.sha256()
        tables = [r[0] for r in c.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'trainee_fts%' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT IN ('audit', 'audit_head', 'account', 'token') "
            "ORDER BY name")]
        for t in tables:
            h.update(t.encode())
            for row in c.execute("SELECT * FROM %s ORDER BY rowid" % t):
                h.update(repr(row).encode())
        return h.hexdigest(), c.execute("SELECT count(*) FROM audit").fetchone()[0]
    finally:
        c.close()


def _fingerprint_pg(c):
    # Two round trips, not one a table: test_property takes two
    # fingerprints an operation. A table's rows in the order of their
    # text, which is as canonical as by id.
    h = hashlib.sha256()
    tables = [r[0] for r in c.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = "
        "current_schema() AND table_type = 'BASE TABLE' AND table_name NOT IN "
        "('trainee_fts', 'cadre_schema', 'audit', 'audit_head', "
        "'account', 'token') ORDER BY table_name")]
    each = ["SELECT %d AS n, (SELECT coalesce(string_agg(f_::text, E'\\n' ORDER BY "
            "f_::text), '') FROM %s f_) AS t" % (i, t) for i, t in enumerate(tables)]
    each.append("SELECT %d, (SELECT count(*) FROM audit)::text" % len(tables))
    rows = c.execute(" UNION ALL ".join(each) + " ORDER BY 1").fetchall()
    for (i, text) in rows[:-1]:
        h.update(tables[i].encode())
        h.update(text.encode())
    return h.hexdigest(), int(rows[-1][1])


# The files cadre keeps beside a database: SQLite's WAL and its index, and
# the audit key and head (docs/audit.md).
BESIDE = ("-wal", "-shm", ".key", ".head")


def copy_db(src, dst):
    """Copy database SRC to DST (a path, or a directory to copy it into
    under its own name) with the files beside it that cadre needs to write
    to it and verify it; the key stays 0600. Returns the copy's path."""
    if os.path.isdir(dst):
        dst = os.path.join(dst, os.path.basename(src))
    shutil.copyfile(src, dst)
    for ext in BESIDE:
        if os.path.exists(src + ext):
            shutil.copyfile(src + ext, dst + ext)
            if ext == ".key":
                os.chmod(dst + ext, 0o600)
    return dst


def leftovers(db):
    """Files beside DB that a failed write left (temporary databases)."""
    d = os.path.dirname(os.path.abspath(db))
    base = os.path.basename(db)
    return sorted(n for n in os.listdir(d) if n.startswith(base + ".new-"))
