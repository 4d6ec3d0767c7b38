#!/usr/bin/env python3
"""Black-box tests of the audit log: `audit verify` passes after the demo and
catches an attacker who edits the database behind cadre's back (dropping
the append-only triggers first; on PostgreSQL through its SQL): an edited, deleted, inserted, reordered or
cut-off entry makes it exit 4 and name the first broken entry. The keyed
chain: an entry forged with a correct hash is still found after later
writes, a cut tail with audit_head rolled back is found by the head file,
a missing key is said. Also `audit log` filters. Prints TAP."""
import hashlib
import json
import os
import stat
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import (POSTGRES, beside, blob, check, demo_copy, demo_db, eq, ok, run, test, verify,
                 cadre)
import engine  # noqa: E402

# audit_head keeps the hash as hex text, audit as its bytes
HEX = "encode(hash, 'hex')" if POSTGRES else "lower(hex(hash))"

COLS = "at, actor, action, entity, key, before, after, hash"
ZERO = bytes(32)  # a hash (stored as its 32 bytes) that matches nothing
MID = 1000


def attack(db):
    """Open the database as an attacker: drop the triggers that refuse
    UPDATE and DELETE on audit."""
    c = engine.connect(db)
    drop_trigger(c, "audit_no_update", "audit")
    drop_trigger(c, "audit_no_delete", "audit")
    return c


def drop_trigger(c, name, table):
    c.execute("DROP TRIGGER IF EXISTS %s%s" % (name, " ON " + table if POSTGRES else ""))


def last_seq(c):
    return c.execute("SELECT max(seq) FROM audit").fetchone()[0]


def row(c, seq):
    r = c.execute("SELECT %s FROM audit WHERE seq = ?" % COLS, (seq,)).fetchone()
    return r[:7] + (blob(r[7]),)


def put(c, seq, values):
    c.execute("UPDATE audit SET %s WHERE seq = ?" % ", ".join(
        "%s = ?" % k.strip() for k in COLS.split(",")), tuple(values) + (seq,))


def shift(c, from_seq, delta):
    """Renumber seq >= from_seq by delta (through negative numbers so that the
    primary key never collides)."""
    c.execute("UPDATE audit SET seq = -(seq + ?) WHERE seq >= ?", (delta, from_seq))
    c.execute("UPDATE audit SET seq = -seq WHERE seq < 0")


def expect_broken(db, first, what):
    r = verify(db)
    eq(r.returncode, 4, what + ": audit verify --json exit status", r)
    j = r.json()
    eq(j.get("ok"), False, what + ": ok", r)
    eq(j.get("first_broken"), first, what + ": first_broken", r)
    check(isinstance(j.get("message"), str) and str(first) in j["message"],
          what + ": the message names entry %d" % first, r)
    t = cadre("--db", db, "audit", "verify")
    eq(t.returncode, 4, what + ": audit verify (text) exit status", t)
    check(str(first) in t.stderr + t.stdout, what + ": text names entry %d" % first, t)
    return j


@test("after demo, audit verify passes (exit 0, ok, entries = number of records written)")
def _():
    r = verify(demo_db())
    eq(r.returncode, 0, "exit status", r)
    j = r.json()
    eq(j.get("ok"), True, "ok", r)
    c = engine.connect(demo_db())
    n = last_seq(c)
    eq(j.get("entries"), n, "entries = last seq", r)
    head = c.execute("SELECT seq, hash FROM audit_head").fetchone()
    eq(head[0], n, "audit_head.seq")
    eq(j.get("head"), head[1], "head hash printed")
    eq(c.execute("SELECT count(*) FROM audit").fetchone()[0], n, "seq has no gaps")
    c.close()
    t = cadre("--db", demo_db(), "audit", "verify")
    eq(t.returncode, 0, "text exit status", t)


@test("the triggers refuse UPDATE and DELETE on audit (without dropping them)")
def _():
    db = demo_copy()
    c = engine.connect(db)
    for sql in ("UPDATE audit SET actor = 'mallory' WHERE seq = 5", "DELETE FROM audit WHERE seq = 5"):
        try:
            c.execute(sql)
            c.commit()
        except Exception as e:  # sqlite3.DatabaseError; psql's failure on PostgreSQL
            check("append-only" in str(e), "trigger message: %s" % e)
        else:
            raise AssertionError("not refused: " + sql)
    c.close()
    eq(verify(db).returncode, 0, "verify still passes")


@test("tamper: one entry's `after` edited -> exit 4, first_broken is that entry")
def _():
    db = demo_copy()
    c = attack(db)
    after = json.loads(row(c, MID)[6])
    after["name"] = "Mallory"
    c.execute("UPDATE audit SET after = ? WHERE seq = ?", (json.dumps(after), MID))
    c.commit()
    c.close()
    expect_broken(db, MID, "edited after")


@test("tamper: one entry's actor edited -> first_broken is that entry")
def _():
    db = demo_copy()
    c = attack(db)
    c.execute("UPDATE audit SET actor = 'mallory' WHERE seq = ?", (MID + 7,))
    c.commit()
    c.close()
    expect_broken(db, MID + 7, "edited actor")


@test("tamper: the very first entry edited -> first_broken 1")
def _():
    db = demo_copy()
    c = attack(db)
    c.execute("UPDATE audit SET key = 'XXX' WHERE seq = 1")
    c.commit()
    c.close()
    expect_broken(db, 1, "edited first entry")


@test("tamper: an entry deleted in the middle (gap in seq) -> first_broken names the gap")
def _():
    db = demo_copy()
    c = attack(db)
    c.execute("DELETE FROM audit WHERE seq = ?", (MID,))
    c.commit()
    c.close()
    r = verify(db)
    eq(r.returncode, 4, "exit status", r)
    fb = r.json().get("first_broken")
    check(fb in (MID, MID + 1), "first_broken %r is the deleted entry or the one after it" % fb, r)


@test("tamper: an entry deleted and the rest renumbered, head fixed -> first_broken is its place")
def _():
    db = demo_copy()
    c = attack(db)
    n = last_seq(c)
    c.execute("DELETE FROM audit WHERE seq = ?", (MID,))
    shift(c, MID + 1, -1)
    c.execute("UPDATE audit_head SET seq = ?,"
              " hash = (SELECT %s FROM audit WHERE seq = ?)" % HEX, (n - 1, n - 1))
    c.commit()
    c.close()
    expect_broken(db, MID, "deleted and renumbered")


@test("tamper: a forged entry inserted in the middle -> first_broken is the forged entry")
def _():
    db = demo_copy()
    c = attack(db)
    shift(c, MID, +1)
    c.execute("INSERT INTO audit (seq, %s) VALUES (?,?,?,?,?,?,?,?,?)" % COLS,
              (MID, "2019-01-01T00:00:00Z", "root", "insert", "person", "P99999", None,
               json.dumps({"code": "P99999", "name": "Forged"}), ZERO))
    n = last_seq(c)
    c.execute("UPDATE audit_head SET seq = ?", (n,))
    c.commit()
    c.close()
    expect_broken(db, MID, "inserted")


@test("tamper: a forged entry appended after the head -> first_broken is the forged entry")
def _():
    db = demo_copy()
    c = attack(db)
    n = last_seq(c)
    c.execute("INSERT INTO audit (seq, %s) VALUES (?,?,?,?,?,?,?,?,?)" % COLS,
              (n + 1, "2026-11-29T00:00:00Z", "root", "insert", "person", "P99999", None,
               "{}", ZERO))
    c.commit()
    c.close()
    expect_broken(db, n + 1, "appended")


@test("tamper: two entries' contents swapped (reordered) -> first_broken is the first of them")
def _():
    db = demo_copy()
    c = attack(db)
    a, b = row(c, MID), row(c, MID + 1)
    put(c, MID, b)
    put(c, MID + 1, a)
    c.commit()
    c.close()
    expect_broken(db, MID, "swapped")


@test("tamper: two entries swapped without their hashes (contents only) -> first_broken is the first")
def _():
    db = demo_copy()
    c = attack(db)
    a, b = row(c, MID + 20), row(c, MID + 21)
    put(c, MID + 20, b[:7] + a[7:])
    put(c, MID + 21, a[:7] + b[7:])
    c.commit()
    c.close()
    expect_broken(db, MID + 20, "swapped contents")


@test("tamper: the last entries deleted (audit_head keeps the head) -> first_broken is the first missing")
def _():
    db = demo_copy()
    c = attack(db)
    n = last_seq(c)
    c.execute("DELETE FROM audit WHERE seq > ?", (n - 5,))
    c.commit()
    c.close()
    expect_broken(db, n - 4, "cut off the end")


@test("tamper: audit_head's hash altered -> exit 4")
def _():
    db = demo_copy()
    c = attack(db)
    c.execute("UPDATE audit_head SET hash = ?", ("ab" * 32,))
    c.commit()
    c.close()
    r = verify(db)
    eq(r.returncode, 4, "exit status", r)
    eq(r.json().get("ok"), False, "ok", r)


@test("a failed verify reports the number of entries (not 0)")
def _():
    db = demo_copy()
    c = attack(db)
    n = last_seq(c)
    c.execute("UPDATE audit SET actor = 'mallory' WHERE seq = ?", (MID,))
    c.commit()
    c.close()
    r = verify(db)
    eq(r.returncode, 4, "exit status", r)
    e = r.json().get("entries")
    check(e in (n, MID - 1), "entries %r: expected the entries in the log (%d) or those "
          "verified before the break (%d)" % (e, n, MID - 1), r)


@test("audit log --entity persons --key P00001 shows the insert with the record")
def _():
    r = ok("--db", demo_db(), "audit", "log", "--entity", "persons", "--key", "P00001", "--json")
    entries = [json.loads(l) for l in r.stdout.splitlines() if l.strip()]
    check(len(entries) >= 1, "at least one entry", r)
    ins = [e for e in entries if e.get("action") == "insert"]
    eq(len(ins), 1, "one insert", r)
    e = ins[0]
    for k in ("seq", "at", "actor", "action", "entity", "key", "before", "after", "hash"):
        check(k in e, "key %r in an audit log entry" % k, r)
    eq(e["key"], "P00001", "key", r)
    check(isinstance(e["hash"], str) and len(e["hash"]) == 64
          and all(ch in "0123456789abcdef" for ch in e["hash"]), "the hash in hex", r)
    eq(e["before"], None, "before of an insert", r)
    after = json.loads(e["after"]) if isinstance(e["after"], str) else e["after"]
    eq(after.get("code"), "P00001", "after.code", r)
    eq(after.get("name"), "Dany Fortin", "after.name", r)
    check(all(x["key"] == "P00001" for x in entries), "only P00001's entries", r)
    t = ok("--db", demo_db(), "audit", "log", "--entity", "persons", "--key", "P00001")
    check("P00001" in t.stdout and "insert" in t.stdout, "text log shows the insert", t)


@test("audit log --entity nations lists one insert per demo nation")
def _():
    r = ok("--db", demo_db(), "audit", "log", "--entity", "nations", "--json")
    entries = [json.loads(l) for l in r.stdout.splitlines() if l.strip()]
    nations = ok("--db", demo_db(), "list", "nations", "--json").json()
    eq(sorted(e["key"] for e in entries if e["action"] == "insert"),
       sorted(n["code"] for n in nations), "inserted nation keys")
    seqs = [e["seq"] for e in entries]
    eq(seqs, sorted(seqs), "entries in seq order")


@test("every record of the demo has its insert in the audit log (per kind)")
def _():
    from tap import KINDS
    problems = []
    for kind in KINDS:
        rows = ok("--db", demo_db(), "export", kind, "--format", "json").json()
        r = ok("--db", demo_db(), "audit", "log", "--entity", kind, "--json")
        ins = [json.loads(l) for l in r.stdout.splitlines() if l.strip()]
        n_ins = len([e for e in ins if e["action"] == "insert"])
        if n_ins != len(rows):
            problems.append("%s: %d records, %d audit inserts" % (kind, len(rows), n_ins))
    check(not problems, "\n".join(problems))


@test("the last audit entry of a record holds the record as it is now")
def _():
    db = demo_db()
    samples = [("persons", "code", "P00001"), ("posts", "number", "NMI-0001"),
               ("activities", "code", "TRN-NCO"), ("trainees", "service_number", "IQ-000001"),
               ("status-events", "code", "SUSP-2020-01")]
    for kind, keyf, key in samples:
        rows = ok("--db", db, "export", kind, "--format", "json").json()
        cur = [x for x in rows if x[keyf] == key]
        eq(len(cur), 1, "%s %s in the export" % (kind, key))
        r = ok("--db", db, "audit", "log", "--entity", kind, "--key", key, "--json")
        entries = [json.loads(l) for l in r.stdout.splitlines() if l.strip()]
        check(entries, "audit entries for %s %s" % (kind, key), r)
        last = entries[-1]["after"]
        last = json.loads(last) if isinstance(last, str) else last
        eq(last, cur[0], "last audit `after` of %s %s vs the export" % (kind, key))


@test("a write after tampering is still chained: verify keeps failing at the same entry")
def _():
    db = demo_copy()
    c = attack(db)
    c.execute("UPDATE audit SET actor = 'mallory' WHERE seq = ?", (MID,))
    c.commit()
    c.close()
    d = os.path.dirname(db)
    path = os.path.join(d, "t.csv")
    with open(path, "w") as f:
        f.write("service_number,name,nation,unit\nAT-1,Audit Trainee,IRQ,IRQ-U-INF1\n")
    cadre("--db", db, "import", "trainees", path)
    expect_broken(db, MID, "after a later write")


def feed(v):
    """A column as entry_hash() feeds it: 8-byte little-endian length (all
    ones for NULL), then the bytes."""
    if v is None:
        return b"\xff" * 8
    b = str(v).encode()
    return len(b).to_bytes(8, "little") + b


def chained(prev_hex, seq, at, actor, action, entity, key, before, after):
    """The hash cadre gives an entry (docs/audit.md): anyone can compute it."""
    data = b"".join(feed(x) for x in (prev_hex, seq, at, actor, action, entity,
                                       key, before, after))
    return hashlib.blake2b(data, digest_size=32).digest()


def forge_append(c, mac):
    """Append an entry with a correctly chained hash, the MAC MAC (bytes or
    None), and audit_head moved on to it: all an attacker without the key
    can do. Returns its seq."""
    n = last_seq(c)
    prev = blob(c.execute("SELECT hash FROM audit WHERE seq = ?", (n,)).fetchone()[0]).hex()
    f = ("2026-11-29T00:00:00Z", "root", "insert", "person", "P99999", None,
         json.dumps({"code": "P99999", "name": "Forged"}))
    h = chained(prev, n + 1, *f)
    c.execute("INSERT INTO audit (seq, %s, mac) VALUES (?,?,?,?,?,?,?,?,?,?)" % COLS,
              (n + 1,) + f + (h, mac))
    c.execute("UPDATE audit_head SET seq = ?, hash = ?", (n + 1, h.hex()))
    c.commit()
    return n + 1


def a_write(db, code="AT-1"):
    """A legitimate write through cadre: one trainee imported."""
    path = os.path.join(os.path.dirname(db), code + ".csv")
    with open(path, "w") as f:
        f.write("service_number,name,nation,unit\n%s,Audit Trainee,IRQ,IRQ-U-INF1\n" % code)
    return cadre("--db", db, "import", "trainees", path)


@test("after demo: key file DB.key (32 bytes, mode 0600) and head file naming the last entry")
def _():
    db = demo_db()
    st = os.stat(beside(db, ".key"))
    eq(st.st_size, 32, "key size")
    eq(stat.S_IMODE(st.st_mode), 0o600, "key mode")
    j = verify(db).json()
    eq(j.get("macs"), "verified", "macs", j)
    eq(j.get("head_file_state"), "at_end", "head file state", j)
    eq(j.get("head_file_seq"), j.get("entries"), "head file names the last entry", j)
    with open(beside(db, ".head")) as f:
        check("seq %d\n" % j["entries"] in f.read(), "head file text names the seq")


@test("keyed: an entry appended with a correct hash and a made-up MAC, then a legitimate write -> verify fails at the forged entry")
def _():
    db = demo_copy()
    c = attack(db)
    forged = forge_append(c, os.urandom(32))
    c.close()
    w = a_write(db)
    eq(w.returncode, 0, "the legitimate write after it", w)
    c = engine.connect(db)
    eq(last_seq(c), forged + 1, "the write chained on top of the forged entry")
    c.close()
    j = expect_broken(db, forged, "forged, then a write")
    check("MAC" in j["message"], "the message says the MAC does not match", j)
    w = a_write(db, "AT-2")
    eq(w.returncode, 0, "a second write", w)
    expect_broken(db, forged, "forged, then two writes")


@test("keyed: an entry appended with a correct hash and no MAC -> verify fails there; a write is refused (exit 4), nothing written")
def _():
    db = demo_copy()
    c = attack(db)
    forged = forge_append(c, None)
    c.close()
    w = a_write(db)
    eq(w.returncode, 4, "the write is refused", w)
    check(str(forged) in w.stderr, "its message names the entry", w)
    c = engine.connect(db)
    eq(last_seq(c), forged, "nothing written")
    c.close()
    expect_broken(db, forged, "forged without a MAC")


@test("keyed: the last entries deleted and audit_head rolled back -> verify fails (head file); a write is refused")
def _():
    db = demo_copy()
    c = attack(db)
    n = last_seq(c)
    c.execute("DELETE FROM audit WHERE seq > ?", (n - 3,))
    h = blob(c.execute("SELECT hash FROM audit WHERE seq = ?", (n - 3,)).fetchone()[0])
    c.execute("UPDATE audit_head SET seq = ?, hash = ?", (n - 3, h.hex()))
    c.commit()
    c.close()
    j = expect_broken(db, n - 2, "cut and rolled back")
    check("head file" in j["message"], "the message names the head file", j)
    w = a_write(db)
    eq(w.returncode, 4, "a write on the cut log is refused", w)
    check(beside(db, ".head") in w.stderr, "its message names the head file", w)
    expect_broken(db, n - 2, "still, after the refused write")


@test("keyed: an older copy of the database put back (key and head file kept) -> verify fails")
def _():
    db = demo_copy()
    if POSTGRES:    # the older copy is a database made from it, put back by name
        old = engine.copy(db, db + ".old")
    else:
        with open(db, "rb") as f:
            old = f.read()
    eq(a_write(db).returncode, 0, "a write")
    c = engine.connect(db)
    n = last_seq(c)
    c.close()
    if POSTGRES:
        with open(beside(db, ".head"), "rb") as f:
            head = f.read()
        engine.copy(old, db)
        with open(beside(db, ".head"), "wb") as f:
            f.write(head)
    else:
        with open(db, "wb") as f:
            f.write(old)
        for ext in ("-wal", "-shm"):
            if os.path.exists(db + ext):
                os.unlink(db + ext)
    expect_broken(db, n, "older database")


@test("keyed: a head file behind the log (a crash between commit and head file) is tolerated and said")
def _():
    db = demo_copy()
    c = engine.connect(db)
    n = last_seq(c)
    mac = blob(c.execute("SELECT mac FROM audit WHERE seq = ?", (n - 2,)).fetchone()[0])
    c.close()
    with open(beside(db, ".head"), "w") as f:
        f.write("cadre audit head 1\nseq %d\nmac %s\n" % (n - 2, mac.hex()))
    r = verify(db)
    eq(r.returncode, 0, "exit status", r)
    eq(r.json().get("head_file_state"), "behind", "state", r)
    eq(r.json().get("head_file_seq"), n - 2, "seq", r)
    t = cadre("--db", db, "audit", "verify")
    check("behind" in t.stdout, "the text says so", t)
    eq(a_write(db).returncode, 0, "a write brings it up to date")
    eq(verify(db).json().get("head_file_state"), "at_end", "at the end again")
    with open(beside(db, ".head"), "w") as f:
        f.write("cadre audit head 1\nseq %d\nmac %s\n" % (n - 2, "ab" * 32))
    expect_broken(db, n - 2, "head file with a MAC that is not the entry's")


@test("keyed: the key file missing -> verify exit 3 says what it checked and not")
def _():
    db = demo_copy()
    key = beside(db, ".key")
    os.unlink(key)
    n = verify(db)
    eq(n.returncode, 3, "verify --json exit status", n)
    j = n.json()
    eq(j.get("ok"), False, "ok", n)
    eq(j.get("macs"), "unchecked", "macs", n)
    eq(j.get("head_file_state"), "at_end", "the head file was still compared", n)
    t = cadre("--db", db, "audit", "verify")
    eq(t.returncode, 3, "text exit status", t)
    check("MACs NOT checked" in t.stdout, "the text says what was not checked", t)


@test("keyed: the key file missing -> verify names the key and head files where they are")
def _():
    db = demo_copy()
    key = beside(db, ".key")
    os.unlink(key)
    j = verify(db).json()
    eq((j.get("key"), j.get("head_file")), (key, beside(db, ".head")), "--json key, head_file")
    t = cadre("--db", db, "audit", "verify")
    check(key in t.stdout and beside(db, ".head") in t.stdout,
          "the text names the key and head files", t)


@test("keyed: the key file missing -> a write fails naming the file, makes no key, writes nothing")
def _():
    db = demo_copy()
    key = beside(db, ".key")
    os.unlink(key)
    before = verify(db).json()["entries"]
    w = a_write(db)
    eq(w.returncode, 3, "a write is refused", w)
    check(key in w.stderr and "missing" in w.stderr, "naming the key file", w)
    check(not os.path.exists(key), "no new key made for a sealed log")
    eq(verify(db).json().get("entries"), before, "nothing written")


@test("keyed: a database from before the keyed chain (no MACs, no seal, no key) verifies unsealed, and its first write seals it")
def _():
    db = demo_copy()
    c = attack(db)
    c.execute("UPDATE audit SET mac = NULL")
    drop_trigger(c, "audit_seal_no_delete", "audit_seal")
    c.execute("DELETE FROM audit_seal")
    c.commit()
    c.close()
    os.unlink(beside(db, ".key"))
    os.unlink(beside(db, ".head"))
    r = verify(db)
    eq(r.returncode, 0, "unsealed verifies", r)
    eq(r.json().get("macs"), "unsealed", "macs", r)
    n = r.json()["entries"]
    t = cadre("--db", db, "audit", "verify")
    check("not sealed" in t.stdout, "the text says it is not sealed", t)
    eq(a_write(db).returncode, 0, "the first write")
    check(os.path.exists(beside(db, ".key")), "made the key")
    j = verify(db).json()
    eq(j.get("macs"), "verified", "macs after", j)
    eq(j.get("sealed_at"), n, "sealed at the old log's end", j)
    c = attack(db)
    c.execute("UPDATE audit SET actor = 'mallory' WHERE seq = ?", (MID,))
    c.commit()
    c.close()
    expect_broken(db, MID, "an old entry edited after the seal")


@test("keyed: the seal removed -> verify fails")
def _():
    db = demo_copy()
    c = attack(db)
    drop_trigger(c, "audit_seal_no_delete", "audit_seal")
    c.execute("DELETE FROM audit_seal")
    c.commit()
    c.close()
    r = verify(db)
    eq(r.returncode, 4, "exit status", r)


if __name__ == "__main__":
    run()
