#!/usr/bin/env python3
"""Black-box tests of `cadre import`: a table of bad CSV files in
tests/data/csv/bad/, each with the exact errors it must get, and after each
refusal an unchanged database and audit chain; good files in
tests/data/csv/good/ (quoting, BOM, CRLF, column order), idempotent
re-import, --dry-run, and an update that writes one audit entry. Prints TAP."""
import json
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import (TESTDATA, Failure, cadre, check, demo_copy, demo_db, eq, export, ok, run,
                 test, tmpdir, verify)

BAD = os.path.join(TESTDATA, "csv", "bad")
GOOD = os.path.join(TESTDATA, "csv", "good")

# file, kind, expected errors: (line, column, field, value, words the reason must contain)
# Lines are physical lines of the file (the header is line 1; a quoted field
# with line breaks moves the rows after it down).
MALFORMED = "malformed CSV"


class _Any:
    """Matches any value (for values that cannot be shown as they are)."""
    def __eq__(self, other):
        return True

    def __repr__(self):
        return "ANY"


ANY = _Any()
BAD_FILES = [
    ("unknown_column.csv", "persons", [
        (1, 6, "nationality", None, "unknown column")]),
    ("missing_column.csv", "persons", [
        (1, None, "nation", None, "required column missing")]),
    ("duplicate_column.csv", "persons", [
        (1, 6, "name", None, "column given twice")]),
    ("impossible_date.csv", "persons", [
        (2, 5, "valid_from", "2020-02-30", "no such day")]),
    ("bad_date_format.csv", "persons", [
        (2, 5, "valid_from", "2020-1-1", "YYYY-MM-DD"),
        (3, 5, "valid_from", "01/02/2020", "YYYY-MM-DD")]),
    ("interval_reversed.csv", "persons", [
        (2, 6, "valid_to", "2020-01-01", "after valid_from"),
        (3, 6, "valid_to", "2020-06-01", "after valid_from")]),      # empty interval
    ("not_iso3166.csv", "nations", [
        (2, 1, "code", "XXX", "ISO 3166"),
        (3, 1, "code", "ABCD", "ISO 3166")]),
    ("no_such_record.csv", "trainees", [
        (3, 4, "unit", "IRQ-U-NOPE", "IRQ-U-NOPE"),
        (4, 3, "nation", "ZZZ", "ZZZ")]),
    ("reference_later_line.csv", "organisations", [
        (2, 4, "parent", "BB-PARENT", "BB-PARENT")]),
    ("wrong_field_count.csv", "persons", [
        (2, None, None, None, "5 fields"),
        (3, None, None, None, "7 fields")]),
    ("bad_enum.csv", "persons", [
        (2, 4, "category", "soldier", "not an allowed value"),
        (3, 5, "clearance", "TOPSECRET", "not an allowed value")]),
    ("bad_number.csv", "courses", [
        (2, 4, "duration_days", "ten", "whole number"),
        (3, 5, "capacity", "2.5", "whole number"),
        (4, 4, "duration_days", "-3", "greater than zero")]),
    ("bad_coordinates.csv", "sites", [
        (2, 3, "latitude", "north", "not a number"),
        (3, 4, "longitude", "1e999", "not a number"),
        (4, 3, "latitude", "95", "out of range"),
        (5, 4, "longitude", "-181", "out of range")]),
    # the quoted field opens on line 2 and never closes: the error points
    # at the line where the quote opens
    ("unterminated_quote.csv", "persons", [
        (2, None, None, None, MALFORMED)]),
    ("duplicate_key.csv", "persons", [
        (4, None, "code", "BB001", "line 2")]),
    ("required_empty.csv", "persons", [
        (2, 2, "name", None, "required"),
        (3, 1, "code", None, "required"),
        (4, 6, "classification", "SECRET", "classification"),
        (4, 7, "releasability", "XYZ", "releasability")]),
    ("several_bad_rows.csv", "trainees", [
        (3, 4, "unit", "IRQ-U-NOPE", "IRQ-U-NOPE"),
        (5, 2, "name", None, "required"),
        (6, 3, "nation", "XXX", "XXX"),
        (7, None, None, None, "6 fields"),
        (9, None, "service_number", "BB-T-003", "line 4")]),
    ("multiline_shift.csv", "persons", [
        (5, 5, "valid_from", "2020-02-30", "no such day"),
        (8, 4, "category", "sailor", "not an allowed value")]),
    # bytes that are not UTF-8 would be dropped from JSON output and the
    # audit entry; a NUL byte would cut the value short; hex is not a number
    ("invalid_utf8.csv", "persons", [
        (2, 2, "name", ANY, "UTF-8")]),
    ("nul_byte.csv", "persons", [
        (2, 2, "name", ANY, "")]),
    ("hex_number.csv", "sites", [
        (2, 3, "latitude", "0x10", "not a number"),
        (3, 4, "longitude", "0x2Cp0", "not a number")]),
    # an update of a demo record and a new record, then a bad row: neither is written
    ("update_and_bad_row.csv", "trainees", [
        (4, None, None, None, "6 fields")]),
    ("multiline_crlf_bom.csv", "persons", [
        (5, 3, "nation", "XXX", "XXX")]),
    # a key part holding '/' or ';' would read two ways in a composite key
    # or a list of references; the file's good row is not imported either
    ("key_slash.csv", "persons", [
        (3, 1, "code", "PCOL/X", "may not hold '/'"),
        (4, 1, "code", "BB;002", "may not hold ';'")]),
    # control characters in a key (free text keeps TAB and LF: line 7);
    # values with control characters are not repeated
    ("key_controls.csv", "persons", [
        (2, 1, "code", None, "control character 0x0D at byte 3"),
        (3, 1, "code", None, "control character 0x0A at byte 3"),
        (5, 1, "code", None, "control character 0x09 at byte 4"),
        (6, 1, "code", None, "control character 0x7F at byte 4")]),
    # refused whole, never cut; 4,000 bytes is the limit and passes
    ("long_value.csv", "persons", [
        (2, 2, "name", None, "too long: 5000 bytes, the limit for this field is 4000"),
        (3, 1, "code", None, "too long: 49 bytes, the limit for this field is 48")]),
    ("utf8_cut.csv", "persons", [
        (2, 2, "name", None, "not valid UTF-8"),
        (3, 1, "code", None, "not valid UTF-8")]),
]


def snapshot(db, kind):
    v = verify(db)
    eq(v.returncode, 0, "audit verify before", v)
    return export(db, kind), v.json()


def import_in(db, kind, src, *extra):
    """Copy src into a fresh directory and import it by its bare name, so that
    the `file` of every error is the base name."""
    d = tmpdir()
    name = os.path.basename(src)
    shutil.copyfile(src, os.path.join(d, name))
    return cadre("--db", db, "import", kind, name, *extra, cwd=d)


_pristine = {}


def pristine(kind):
    """Export of KIND and audit verify output of the untouched demo (each
    test works on a copy of it, so these are its state before the test)."""
    if kind not in _pristine:
        _pristine[kind] = snapshot(demo_db(), kind)
    return _pristine[kind]


def check_bad_file(fname, kind, expected):
    before, vbefore = pristine(kind)
    db = demo_copy()
    r = import_in(db, kind, os.path.join(BAD, fname), "--json")
    eq(r.returncode, 1, "exit status", r)
    err = r.json().get("error")
    check(isinstance(err, dict), "an error object", r)
    eq(err.get("code"), "INPUT", "error code", r)
    got = err.get("errors")
    check(isinstance(got, list), "error.errors is a list", r)
    problems = []
    got_t = [(e.get("line"), e.get("column"), e.get("field"), e.get("value")) for e in got]
    want_t = [x[:4] for x in expected]
    if got_t != want_t:
        problems.append("errors (line, column, field, value):\n  expected %r\n  got      %r"
                        % (want_t, got_t))
    for e, x in zip(got, expected):
        if e.get("file") != fname:
            problems.append("file of %r: expected %r" % (e, fname))
        if x[4].lower() not in (e.get("reason") or "").lower():
            problems.append("reason of line %s: expected it to say %r, got %r"
                            % (x[0], x[4], e.get("reason")))
    eq(err.get("more_errors", 0), 0, "more_errors", r)
    check(not problems, "\n".join(problems) + "\n" + r.describe())
    # the text form names file:line[:column] for every error
    rt = import_in(db, kind, os.path.join(BAD, fname))
    eq(rt.returncode, 1, "exit status without --json", rt)
    for x in expected:
        loc = "%s:%d" % (fname, x[0]) + (":%d" % x[1] if x[1] else "")
        check(loc in rt.stderr, "stderr names %s" % loc, rt)
    # nothing changed
    after, vafter = snapshot(db, kind)
    check(after == before, "export %s changed after a refused import" % kind)
    eq(vafter.get("entries"), vbefore.get("entries"), "audit entries after a refused import")
    eq(vafter.get("head"), vbefore.get("head"), "audit head after a refused import")
    # --dry-run reports the same errors
    rd = import_in(db, kind, os.path.join(BAD, fname), "--json", "--dry-run")
    eq(rd.returncode, 1, "--dry-run exit status", rd)
    eq([(e.get("line"), e.get("column"), e.get("field"), e.get("value"))
        for e in rd.json()["error"].get("errors", [])], got_t, "--dry-run errors", rd)


def _register(fname, kind, expected):
    @test("bad CSV %s (%s): refused with %d error(s), nothing changed" % (fname, kind, len(expected)))
    def _():
        check_bad_file(fname, kind, expected)


for _f, _k, _e in BAD_FILES:
    _register(_f, _k, _e)


@test("every file in tests/data/csv/bad/ is in the table")
def _():
    listed = {f for f, _, _ in BAD_FILES}
    present = {f for f in os.listdir(BAD) if f.endswith(".csv")}
    eq(sorted(present - listed), [], "files without expectations")
    eq(sorted(listed - present), [], "expectations without files")


@test("more than 100 bad rows: 100 errors listed, more_errors counts the rest")
def _():
    db = demo_copy()
    d = tmpdir()
    path = os.path.join(d, "many.csv")
    with open(path, "w") as f:
        f.write("service_number,name,nation,unit\n")
        for i in range(150):
            f.write("BB-M-%03d,Many %d,IRQ,NO-SUCH-UNIT\n" % (i, i))
    before, vb = snapshot(db, "trainees")
    r = cadre("--db", db, "import", "trainees", path, "--json")
    eq(r.returncode, 1, "exit status", r)
    err = r.json()["error"]
    eq(len(err["errors"]), 100, "errors listed")
    eq(err.get("more_errors"), 50, "more_errors")
    eq([e["line"] for e in err["errors"]], list(range(2, 102)), "lines of the errors")
    after, va = snapshot(db, "trainees")
    check(after == before, "trainees changed")
    eq(va, vb, "audit verify output")


@test("a missing file: exit 3 (file failure), nothing changed")
def _():
    db = demo_copy()
    r = cadre("--db", db, "import", "persons", os.path.join(tmpdir(), "nope.csv"))
    eq(r.returncode, 3, "exit status", r)
    check("nope.csv" in r.stderr, "message names the file", r)


@test("a row refused by a mission rule (CONSENT): exit 1, RULE error with its line, nothing changed")
def _():
    db = demo_copy()
    d = tmpdir()
    path = os.path.join(d, "rule.csv")
    with open(path, "w") as f:
        f.write("person,post,valid_from,valid_to\n"
                "P00010,NMI-0001,2017-01-01,2017-06-01\n")
    before, vb = snapshot(db, "assignments")
    r = cadre("--db", db, "import", "assignments", "rule.csv", "--json", cwd=d)
    eq(r.returncode, 1, "exit status", r)
    err = r.json()["error"]
    eq(err.get("code"), "RULE", "code", r)
    eq(err.get("rule"), "CONSENT", "rule", r)
    check("2017-01-01" in err.get("message", ""), "message names the date", r)
    items = err.get("errors") or []
    eq([(e.get("file"), e.get("line")) for e in items], [("rule.csv", 2)], "error items", r)
    after, va = snapshot(db, "assignments")
    check(after == before, "assignments changed")
    eq(va, vb, "audit verify output")


@test("keys cannot collide: PCOL + X/Y and PCOL/X + Y are not two assignments of one key")
def _():
    db = demo_copy()
    d = tmpdir()
    kinds = ("persons", "posts", "assignments")
    before = {k: export(db, k) for k in kinds}
    v0 = verify(db).json()
    post = ("number,title,branch,category,function,site,organisation,valid_from\n"
            "%s,Adviser,J7,military,advising,UNION3,NMI,2020-01-01\n")
    files = {
        "persons": "code,name,nation,category,valid_from\n"
                   "PCOL,Colonel P,DNK,military,2020-01-01\n"
                   "PCOL/X,Colonel P X,DNK,military,2020-01-01\n",
        "posts": post % "X/Y" + "Y,Adviser,J7,military,advising,UNION3,NMI,2020-01-01\n",
    }
    where = {"persons": (3, "code", "PCOL/X"), "posts": (2, "number", "X/Y")}
    for kind, text in files.items():
        with open(os.path.join(d, kind + ".csv"), "w") as f:
            f.write(text)
        r = cadre("--db", db, "import", kind, kind + ".csv", "--json", cwd=d)
        eq(r.returncode, 1, "import %s exit status" % kind, r)
        items = [(e["line"], e["field"], e["value"]) for e in r.json()["error"]["errors"]]
        eq(items, [where[kind]], "the row with '/' in its key is refused", r)
        check("'/'" in r.json()["error"]["errors"][0]["reason"], "the reason names '/'", r)
    # The parts that are keys are written; the two assignments then name
    # records that cannot exist, and neither is written.
    for kind, text in (("persons", "code,name,nation,category,valid_from\n"
                                   "PCOL,Colonel P,DNK,military,2020-01-01\n"),
                       ("posts", post % "Y")):
        with open(os.path.join(d, kind + ".csv"), "w") as f:
            f.write(text)
        ok("--db", db, "import", kind, kind + ".csv", cwd=d)
    mid = export(db, "assignments")
    v1 = verify(db).json()
    with open(os.path.join(d, "a.csv"), "w") as f:
        f.write("person,post,valid_from\n"
                "PCOL,X/Y,2021-01-01\n"
                "PCOL/X,Y,2021-01-01\n")
    r = cadre("--db", db, "import", "assignments", "a.csv", "--json", cwd=d)
    eq(r.returncode, 1, "assignments exit status", r)
    items = [(e["line"], e["field"], e["reason"]) for e in r.json()["error"]["errors"]]
    eq(items, [(2, "post", "no post 'X/Y'"), (3, "person", "no person 'PCOL/X'")],
       "both refused", r)
    eq(export(db, "assignments"), mid, "assignments unchanged after the refusal")
    eq(verify(db).json()["entries"], v1["entries"], "no audit entry for the refusal")
    eq(export(db, "assignments"), before["assignments"], "no assignment written")
    check(v1["entries"] == v0["entries"] + 2, "two good imports, two entries: %r %r" % (v0, v1))


# --- good files --------------------------------------------------------------

def show(db, kind, key):
    return ok("--db", db, "show", kind, key, "--json").json()


@test("good CSV: quoted fields with commas, quotes and line breaks")
def _():
    db = demo_copy()
    r = ok("--db", db, "import", "persons", os.path.join(GOOD, "quoted.csv"), "--json")
    j = r.json()
    eq(sorted(j.keys()), sorted(["kind", "file", "dry_run", "rows", "inserted", "updated",
                                 "unchanged"]), "keys of import --json", r)
    eq((j.get("kind"), j.get("dry_run")), ("persons", False), "kind, dry_run", r)
    eq((j.get("rows"), j.get("inserted"), j.get("updated")), (2, 2, 0), "rows/inserted/updated", r)
    p = show(db, "persons", "GQ001")
    eq(p["name"], 'Smith, Jane "JJ"', "name with comma and quotes")
    eq(p["rank"], "OF-3, acting", "rank with comma")
    eq(p["nation"], "GBR", "nation")
    eq(p["valid_to"], "2020-07-01", "valid_to")
    p = show(db, "persons", "GQ002")
    eq(p["name"], "Line one\nLine two", "name with a line break")
    eq(p["category"], "civilian", "category")
    eq(p["rank"], None, "empty rank is null")


@test("good CSV: UTF-8 byte-order mark and CRLF line ends")
def _():
    db = demo_copy()
    r = ok("--db", db, "import", "persons", os.path.join(GOOD, "bom_crlf.csv"), "--json")
    eq(r.json().get("inserted"), 2, "inserted", r)
    p = show(db, "persons", "GB001")      # the BOM is not part of the first column's name
    eq(p["name"], "Ærøskøbing Ødegård", "UTF-8 name")
    eq(p["valid_from"], "2020-03-01", "valid_from (no trailing CR)")
    p = show(db, "persons", "GB002")
    eq(p["name"], "Crlf, inside\r\nquoted", "a CRLF inside a quoted field is kept as is")
    eq(p["valid_from"], "2020-03-02", "last field of the last row has no CR")


@test("good CSV: columns in any order")
def _():
    db = demo_copy()
    ok("--db", db, "import", "persons", os.path.join(GOOD, "any_order.csv"))
    p = show(db, "persons", "GO001")
    eq((p["code"], p["name"], p["nation"], p["category"], p["valid_from"]),
       ("GO001", "Giulia Ordine", "ITA", "civilian", "2020-04-01"), "fields")


@test("good CSV: a reference to a record on an earlier line of the same file")
def _():
    db = demo_copy()
    ok("--db", db, "import", "organisations", os.path.join(GOOD, "organisations_tree.csv"))
    eq(show(db, "organisations", "GO-CHILD")["parent"], "GO-PARENT", "parent")


@test("importing the same file twice: second time 0 new, 0 updated, no audit entries")
def _():
    db = demo_copy()
    f = os.path.join(GOOD, "quoted.csv")
    n0 = verify(db).json()["entries"]
    r = ok("--db", db, "import", "persons", f, "--json")
    eq(r.json().get("inserted"), 2, "first import inserted", r)
    n1 = verify(db).json()["entries"]
    eq(n1, n0 + 2, "audit entries after the first import")
    exp1 = export(db, "persons")
    r = ok("--db", db, "import", "persons", f, "--json")
    j = r.json()
    eq((j.get("inserted"), j.get("updated"), j.get("unchanged")), (0, 0, 2),
       "second import inserted/updated/unchanged", r)
    v = verify(db)
    eq(v.returncode, 0, "audit verify", v)
    eq(v.json()["entries"], n1, "no new audit entries")
    check(export(db, "persons") == exp1, "persons export changed by the second import")
    # the same for a file with a BOM and CRLF (no CR or BOM sneaks into values)
    ok("--db", db, "import", "persons", os.path.join(GOOD, "bom_crlf.csv"))
    r = ok("--db", db, "import", "persons", os.path.join(GOOD, "bom_crlf.csv"), "--json")
    eq((r.json().get("inserted"), r.json().get("updated")), (0, 0), "BOM/CRLF file twice", r)


@test("export then re-import of demo kinds (simple and composite keys): all unchanged")
def _():
    db = demo_copy()
    d = tmpdir()
    n0 = verify(db).json()["entries"]
    for kind in ["persons", "posts", "assignments", "sessions", "enrolments", "assessments"]:
        path = os.path.join(d, kind + ".csv")
        ok("--db", db, "export", kind, "-o", path)
        r = ok("--db", db, "import", kind, path, "--json")
        j = r.json()
        eq((j.get("inserted"), j.get("updated")), (0, 0), kind + ": inserted/updated", r)
        eq(j.get("unchanged"), j.get("rows"), kind + ": every row unchanged", r)
        check(j.get("rows", 0) > 0, kind + ": rows", r)
    eq(verify(db).json()["entries"], n0, "audit entries")


@test("--dry-run validates a good file but writes nothing")
def _():
    db = demo_copy()
    before, vb = snapshot(db, "trainees")
    r = ok("--db", db, "import", "trainees", os.path.join(GOOD, "trainees.csv"), "--dry-run",
           "--json")
    j = r.json()
    eq(j.get("dry_run"), True, "dry_run", r)
    eq(j.get("inserted"), 3, "would insert", r)
    after, va = snapshot(db, "trainees")
    check(after == before, "trainees changed by --dry-run")
    eq(va, vb, "audit verify output after --dry-run")
    r = cadre("--db", db, "show", "trainees", "GT-0001")
    eq(r.returncode, 1, "GT-0001 does not exist after --dry-run", r)


@test("changing one value and re-importing updates exactly that record, one audit entry with before/after")
def _():
    db = demo_copy()
    ok("--db", db, "import", "trainees", os.path.join(GOOD, "trainees.csv"))
    n0 = verify(db).json()["entries"]
    exp0 = export(db, "trainees")
    r = ok("--db", db, "import", "trainees", os.path.join(GOOD, "trainees_changed.csv"), "--json")
    j = r.json()
    eq((j.get("inserted"), j.get("updated"), j.get("unchanged")), (0, 1, 2),
       "inserted/updated/unchanged", r)
    v = verify(db)
    eq(v.returncode, 0, "audit verify", v)
    eq(v.json()["entries"], n0 + 1, "exactly one new audit entry")
    eq(show(db, "trainees", "GT-0002")["rank"], "Sergeant", "updated rank")
    eq(show(db, "trainees", "GT-0001")["rank"], "Private", "other record untouched")
    # only the GT-0002 line of the export differs
    a, b = exp0.splitlines(), export(db, "trainees").splitlines()
    eq(len(a), len(b), "number of trainees")
    diff = [(x, y) for x, y in zip(a, b) if x != y]
    eq(len(diff), 1, "export lines that changed")
    check(diff[0][0].startswith("GT-0002,") and diff[0][1].startswith("GT-0002,"),
          "the changed line is GT-0002's: %r" % (diff,))
    # the audit entry: an update of GT-0002 with before and after
    log = ok("--db", db, "audit", "log", "--entity", "trainees", "--key", "GT-0002", "--json")
    entries = [json.loads(l) for l in log.stdout.splitlines() if l.strip()]
    eq([e["action"] for e in entries], ["insert", "update"], "actions for GT-0002", log)
    upd = entries[-1]
    eq(upd["seq"], n0 + 1, "seq of the update")
    import getpass
    import re
    eq(upd["actor"], getpass.getuser(), "actor is the OS user")
    check(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", upd["at"] or ""),
          "at is YYYY-MM-DDTHH:MM:SSZ: %r" % upd["at"])
    eq(upd["entity"] in ("trainee", "trainees"), True, "entity %r" % upd["entity"])

    def as_obj(x):
        return json.loads(x) if isinstance(x, str) else x
    before, after = as_obj(upd["before"]), as_obj(upd["after"])
    eq(before.get("rank"), "Corporal", "before.rank")
    eq(after.get("rank"), "Sergeant", "after.rank")
    eq({k: v for k, v in before.items() if k != "rank"},
       {k: v for k, v in after.items() if k != "rank"}, "before/after differ only in rank")


@test("import from standard input ('-')")
def _():
    db = demo_copy()
    with open(os.path.join(GOOD, "trainees.csv")) as f:
        data = f.read()
    r = cadre("--db", db, "import", "trainees", "-", "--json", stdin=data)
    eq(r.returncode, 0, "exit status", r)
    eq(r.json().get("inserted"), 3, "inserted", r)
    eq(show(db, "trainees", "GT-0003")["unit"], "IRQ-U-ARM", "unit")


if __name__ == "__main__":
    run()
