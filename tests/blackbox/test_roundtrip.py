#!/usr/bin/env python3
"""Round trip: export every kind of the demo mission to CSV, import the files
into an empty database in dependency order, export again: byte-identical
files. JSON exports parse and have as many rows as the CSV. Prints TAP."""
import csv
import io
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import (KINDS, all_kinds, cadre, check, demo_db, eq, ok, run, test, tmpdir, verify)

_state = {}


def first_export():
    """Export every kind of the demo once (shared, read-only)."""
    if "dir" not in _state:
        d = tmpdir()
        for kind in all_kinds():
            ok("--db", demo_db(), "export", kind, "-o", os.path.join(d, kind + ".csv"))
        _state["dir"] = d
    return _state["dir"]


def read(path):
    with open(path, "rb") as f:
        return f.read()


def csv_rows(data):
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@test("export -o FILE writes the same bytes as export to stdout")
def _():
    d = first_export()
    for kind in ["nations", "persons", "sessions", "status-events"]:
        r = cadre("--db", demo_db(), "export", kind, binary=True)
        eq(r.returncode, 0, "export %s exit status" % kind, r)
        check(r.stdout == read(os.path.join(d, kind + ".csv")),
              "export %s: stdout and -o differ" % kind)


@test("every demo kind exports at least one row, with its columns as header")
def _():
    d = first_export()
    for kind in KINDS:
        rows = csv_rows(read(os.path.join(d, kind + ".csv")))
        check(len(rows) > 0, "export %s has no rows" % kind)


@test("CSV round trip of every kind, in the order of `cadre help`: export -> import into an empty database -> export is byte-identical")
def _():
    d = first_export()
    db = os.path.join(tmpdir(), "copy.db")
    ok("--db", db, "init")
    problems = []
    total = 0
    kinds = all_kinds()
    missing = [k for k in KINDS if k not in kinds]
    check(not missing, "cadre help does not list %r" % missing)
    for kind in kinds:
        src = os.path.join(d, kind + ".csv")
        r = cadre("--db", db, "import", kind, src, "--json")
        if r.returncode != 0:
            problems.append("import %s failed:\n%s" % (kind, r.describe()))
            continue
        j = r.json()
        n = len(csv_rows(read(src)))
        total += n
        if (j.get("rows"), j.get("inserted")) != (n, n):
            problems.append("import %s: rows/inserted %r, expected %d" % (
                kind, (j.get("rows"), j.get("inserted")), n))
    out = tmpdir()
    for kind in kinds:
        path = os.path.join(out, kind + ".csv")
        r = cadre("--db", db, "export", kind, "-o", path)
        if r.returncode != 0:
            problems.append("export %s from the copy failed:\n%s" % (kind, r.describe()))
            continue
        a, b = read(os.path.join(d, kind + ".csv")), read(path)
        if a != b:
            la, lb = a.splitlines(), b.splitlines()
            first = next((i for i, (x, y) in enumerate(zip(la, lb)) if x != y),
                         min(len(la), len(lb)))
            problems.append("export %s differs (%d vs %d lines); first difference at line %d:\n"
                            "  demo: %r\n  copy: %r" % (
                                kind, len(la), len(lb), first + 1,
                                la[first] if first < len(la) else None,
                                lb[first] if first < len(lb) else None))
    v = verify(db)
    if v.returncode != 0 or v.json().get("entries") != total:
        problems.append("audit verify of the copy: expected ok with %d entries\n%s"
                        % (total, v.describe()))
    check(not problems, "\n".join(problems))


@test("CSV round trip of the kinds without rule-checked intervals (nations ... trainees) alone")
def _():
    # the same round trip restricted to kinds that carry no mission rule, so
    # that a failure here is the CSV layer's and not a rule's
    d = first_export()
    db = os.path.join(tmpdir(), "plain.db")
    ok("--db", db, "init")
    for kind in ["nations", "organisations", "sites", "trainees"]:
        ok("--db", db, "import", kind, os.path.join(d, kind + ".csv"))
        r = ok("--db", db, "export", kind, binary=True)
        check(r.stdout == read(os.path.join(d, kind + ".csv")), "export %s differs" % kind)


@test("round trip of tricky values: quotes, commas, CR/LF, spaces, UTF-8, BOM input")
def _():
    from tap import TESTDATA
    good = os.path.join(TESTDATA, "csv", "good")
    d = first_export()
    a = os.path.join(tmpdir(), "a.db")
    ok("--db", a, "init")
    ok("--db", a, "import", "nations", os.path.join(d, "nations.csv"))
    for f in ("tricky.csv", "quoted.csv", "bom_crlf.csv", "any_order.csv"):
        ok("--db", a, "import", "persons", os.path.join(good, f))
    p = ok("--db", a, "show", "persons", "TR001", "--json").json()
    eq((p["name"], p["rank"]), ("  padded  ", " "), "spaces kept")
    p = ok("--db", a, "show", "persons", "TR002", "--json").json()
    eq((p["name"], p["rank"]), ('quote "in" middle', "a\r\nb"), "quotes and CRLF kept")
    eq(ok("--db", a, "show", "persons", "TR003", "--json").json()["name"], '"', "a lone quote")
    p = ok("--db", a, "show", "persons", "TR004", "--json").json()
    eq((p["name"], p["rank"]), ("تدريب عراقي — ünïcödé", "tab\there"), "UTF-8 and a tab")
    first = ok("--db", a, "export", "persons", binary=True).stdout
    path = os.path.join(tmpdir(), "persons.csv")
    with open(path, "wb") as f:
        f.write(first)
    b = os.path.join(tmpdir(), "b.db")
    ok("--db", b, "init")
    ok("--db", b, "import", "nations", os.path.join(d, "nations.csv"))
    r = ok("--db", b, "import", "persons", path, "--json")
    eq(r.json().get("inserted"), 9, "persons imported", r)
    second = ok("--db", b, "export", "persons", binary=True).stdout
    check(first == second, "persons export differs after the round trip:\n%r\n%r" % (first, second))
    for code in ("TR001", "TR002", "TR003", "TR004", "GQ001", "GQ002", "GB001", "GB002"):
        eq(ok("--db", b, "show", "persons", code, "--json").json(),
           ok("--db", a, "show", "persons", code, "--json").json(), "person " + code)


@test("JSON values are typed: integers, numbers, booleans, null")
def _():
    c = ok("--db", demo_db(), "export", "courses", "--format", "json").json()[0]
    check(type(c["capacity"]) is int and type(c["duration_days"]) is int, "integers: %r" % c)
    check(type(c["pass_target"]) in (int, float), "pass_target is a number: %r" % c)
    s = ok("--db", demo_db(), "export", "sites", "--format", "json").json()[0]
    check(type(s["latitude"]) is float and type(s["mission_approved"]) is bool, "site: %r" % s)
    n = ok("--db", demo_db(), "show", "nations", "BEL", "--json").json()
    eq(n["partner_since"], None, "an empty date is null")


@test("export --format json parses, has the CSV's rows and columns")
def _():
    d = first_export()
    for kind in KINDS:
        r = ok("--db", demo_db(), "export", kind, "--format", "json")
        j = r.json()
        check(isinstance(j, list), "export %s --format json is not an array" % kind)
        rows = csv_rows(read(os.path.join(d, kind + ".csv")))
        eq(len(j), len(rows), "export %s: JSON rows vs CSV rows" % kind)
        header = list(rows[0].keys())
        for obj in j[:200]:
            check(set(header) <= set(obj.keys()),
                  "export %s JSON row lacks CSV columns %r" % (kind, set(header) - set(obj.keys())))
        # the first record's key field has the same value in both
        eq(str(j[0][header[0]]), rows[0][header[0]], "export %s: first %s" % (kind, header[0]))


@test("export --format json -o FILE equals the JSON on stdout")
def _():
    path = os.path.join(tmpdir(), "sites.json")
    ok("--db", demo_db(), "export", "sites", "--format", "json", "-o", path)
    r = ok("--db", demo_db(), "export", "sites", "--format", "json")
    with open(path) as f:
        eq(json.load(f), json.loads(r.stdout), "sites JSON")


@test("export of an empty database: a header only, and [] in JSON")
def _():
    db = os.path.join(tmpdir(), "empty.db")
    ok("--db", db, "init")
    for kind in KINDS:
        r = ok("--db", db, "export", kind)
        eq(len(r.stdout.splitlines()), 1, "export %s: header only" % kind, r)
        eq(ok("--db", db, "export", kind, "--format", "json").json(), [],
           "export %s --format json" % kind)


if __name__ == "__main__":
    run()
