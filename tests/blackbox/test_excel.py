#!/usr/bin/env python3
"""Black-box tests of Excel, JSON and ';' CSV in (issue 17, part 5): a
nominal roll as a workbook imports (shared strings, inline strings, the
1904 date system, a named sheet); one with bad rows is refused with every
error by sheet, row and column and leaves the database as it was; dates
and numbers arrive as people typed them; a ';' CSV is read, detected or
told; export --format json and --format xlsx import back as the same
records. The workbooks are made here with zipfile, as Excel lays them
out. Prints TAP."""
import datetime
import json
import os
import sys
import zipfile
from xml.sax.saxutils import escape

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import (POSTGRES, cadre, check, demo_copy, demo_db, eq, export, ok, run, test,
                 tmpdir, verify)
import engine  # noqa: E402

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
HEAD = "code,name,nation,category,rank,valid_from".split(",")


class Err(str):
    """An Excel error cell (#N/A, #REF!)."""


def col_name(i):
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def serial(d, date1904=False):
    """Excel's serial number of date D (1900 system counts 1900-02-29)."""
    if date1904:
        return (d - datetime.date(1904, 1, 1)).days
    return (d - datetime.date(1899, 12, 30)).days


def xlsx(path, sheets, shared=True, date1904=False, prefix=""):
    """Write a workbook: SHEETS is [(name, rows)], a row a list of cells
    (str, int, float, bool, datetime.date, Err, None or a raw (v, t, s)
    triple). Strings shared or inline; dates as numbers in a date style."""
    strings, index = [], {}
    p = prefix + ":" if prefix else ""

    def cell(ref, v):
        if v is None:
            return ""
        if isinstance(v, tuple):
            val, t, s = v
            return '<%sc r="%s"%s%s><%sv>%s</%sv></%sc>' % (
                p, ref, ' t="%s"' % t if t else "", ' s="%d"' % s if s is not None else "",
                p, val, p, p)
        if isinstance(v, Err):
            return '<%sc r="%s" t="e"><%sv>%s</%sv></%sc>' % (p, ref, p, escape(v), p, p)
        if isinstance(v, bool):
            return '<%sc r="%s" t="b"><%sv>%d</%sv></%sc>' % (p, ref, p, v, p, p)
        if isinstance(v, datetime.date):
            return '<%sc r="%s" s="1"><%sv>%d</%sv></%sc>' % (
                p, ref, p, serial(v, date1904), p, p)
        if isinstance(v, (int, float)):
            return '<%sc r="%s"><%sv>%r</%sv></%sc>' % (p, ref, p, v, p, p)
        if shared:
            if v not in index:
                index[v] = len(strings)
                strings.append(v)
            return '<%sc r="%s" t="s"><%sv>%d</%sv></%sc>' % (p, ref, p, index[v], p, p)
        return '<%sc r="%s" t="inlineStr"><%sis><%st>%s</%st></%sis></%sc>' % (
            p, ref, p, p, escape(v), p, p, p)

    def sheet_xml(rows):
        out = []
        for r, row in enumerate(rows, 1):
            if row is None:
                continue   # no such row in the file
            cells = "".join(cell("%s%d" % (col_name(c), r), v) for c, v in enumerate(row))
            out.append('<%srow r="%d">%s</%srow>' % (p, r, cells, p))
        return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<%sworksheet xmlns%s="%s"><%ssheetData>%s</%ssheetData></%sworksheet>' % (
                    p, ":" + prefix if prefix else "", NS, p, "".join(out), p, p))

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"/>')
        z.writestr("_rels/.rels",
                   '<?xml version="1.0"?><Relationships xmlns="%s"><Relationship Id="rId1" '
                   'Type="%s/officeDocument" Target="xl/workbook.xml"/></Relationships>'
                   % (RELS, DOC))
        rels = ['<Relationship Id="rIdS" Type="%s/styles" Target="styles.xml"/>' % DOC]
        if shared:
            rels.append('<Relationship Id="rIdT" Type="%s/sharedStrings" '
                        'Target="sharedStrings.xml"/>' % DOC)
        entries = []
        for i, (name, rows) in enumerate(sheets, 1):
            rels.append('<Relationship Id="rId%d" Type="%s/worksheet" '
                        'Target="worksheets/sheet%d.xml"/>' % (i, DOC, i))
            entries.append('<sheet name="%s" sheetId="%d" r:id="rId%d"/>' % (escape(name), i, i))
            z.writestr("xl/worksheets/sheet%d.xml" % i, sheet_xml(rows))
        z.writestr("xl/workbook.xml",
                   '<?xml version="1.0"?><workbook xmlns="%s" xmlns:r="%s">%s<sheets>%s'
                   '</sheets></workbook>' % (
                       NS, DOC, '<workbookPr date1904="1"/>' if date1904 else "",
                       "".join(entries)))
        z.writestr("xl/_rels/workbook.xml.rels",
                   '<?xml version="1.0"?><Relationships xmlns="%s">%s</Relationships>'
                   % (RELS, "".join(rels)))
        # xf 0 General; xf 1 a custom date format (as Excel's dd/mm/yyyy)
        z.writestr("xl/styles.xml",
                   '<?xml version="1.0"?><styleSheet xmlns="%s"><numFmts count="1">'
                   '<numFmt numFmtId="164" formatCode="dd/mm/yyyy;@"/></numFmts>'
                   '<cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="164"/>'
                   '<xf numFmtId="14"/></cellXfs></styleSheet>' % NS)
        if shared:
            z.writestr("xl/sharedStrings.xml",
                       '<?xml version="1.0"?><sst xmlns="%s" count="%d">%s</sst>' % (
                           NS, len(strings), "".join(
                               '<si><t xml:space="preserve">%s</t></si>' % escape(s)
                               for s in strings)))
    return path


def roll(n=3, start=1):
    rows = [HEAD]
    for i in range(start, start + n):
        rows.append(["XL%03d" % i, "Soldier %d" % i, "DEU", "military", "OR-4",
                     datetime.date(2020, 1, i)])
    return rows


def dump(db):
    """Every table's rows, to tell the database unchanged."""
    con = engine.connect(db)
    try:
        names = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema ="
            " current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name"
            if POSTGRES else
            "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        return {n: sorted(map(repr, con.execute('SELECT * FROM "%s"' % n))) for n in names}
    finally:
        con.close()


def person(db, code):
    r = ok("--db", db, "--json", "show", "persons", code)
    return r.json()


@test("a nominal roll with shared strings imports; dates in a date format arrive as ISO dates")
def _():
    db = demo_copy()
    f = xlsx(os.path.join(tmpdir(), "roll.xlsx"), [("Roll", roll())])
    r = ok("--db", db, "import", "persons", f, "--json")
    eq((r.json()["rows"], r.json()["inserted"]), (3, 3), "rows, inserted", r)
    p = person(db, "XL002")
    eq((p.get("name"), p.get("nation"), p.get("valid_from")),
       ("Soldier 2", "DEU", "2020-01-02"), "XL002", r)


@test("inline strings and the 1904 date system: the same dates")
def _():
    db = demo_copy()
    f = xlsx(os.path.join(tmpdir(), "roll.xlsx"), [("Roll", roll())],
             shared=False, date1904=True, prefix="x")
    ok("--db", db, "import", "persons", f)
    eq(person(db, "XL003").get("valid_from"), "2020-01-03", "valid_from (1904 system)")


@test("--sheet NAME reads that sheet; an unknown one is named with the sheets there are")
def _():
    db = demo_copy()
    f = xlsx(os.path.join(tmpdir(), "roll.xlsx"),
             [("Notes", [["nothing", "here"]]), ("Roll", roll(2, 10))])
    r = cadre("--db", db, "import", "persons", f)
    check(r.returncode == 1 and "unknown column" in r.stderr, "first sheet read", r)
    ok("--db", db, "import", "persons", f, "--sheet", "Roll")
    eq(person(db, "XL011").get("name"), "Soldier 11", "from sheet Roll")
    r = cadre("--db", db, "import", "persons", f, "--sheet", "Nominal")
    check(r.returncode == 1 and 'no sheet "Nominal"' in r.stderr and '"Roll"' in r.stderr,
          "unknown sheet", r)


@test("a number cell and a date cell: numbers as people write them, a typed date as a date")
def _():
    db = demo_copy()
    courses = [["code", "title", "activity", "duration_days", "capacity", "trainer_ratio",
                "pass_target"],
               ["XL-C1", "Excel course", "TRN-CIED", 10, 12.0, 6, 0.8]]
    f = xlsx(os.path.join(tmpdir(), "courses.xlsx"), [("Courses", courses)])
    ok("--db", db, "import", "courses", f)
    c = ok("--db", db, "--json", "show", "courses", "XL-C1").json()
    eq((c.get("duration_days"), c.get("capacity"), c.get("pass_target")), (10, 12, 0.8),
       "numbers")
    row = roll(1, 20)
    row[1][5] = ("43831", None, 2)          # 2020-01-01 in built-in format 14
    f = xlsx(os.path.join(tmpdir(), "roll.xlsx"), [("Roll", row)])
    ok("--db", db, "import", "persons", f)
    eq(person(db, "XL020").get("valid_from"), "2020-01-01", "built-in date format 14")


@test("bad rows: every error by sheet, row and column, and the database unchanged")
def _():
    db = demo_copy()
    rows = roll(6)
    rows[2][2] = "XXX"                                     # row 3, C: no such nation
    rows[4][3] = "soldier"                                 # row 5, D: not an enum value
    rows[5][5] = Err("#N/A")                               # row 6, F: an error cell
    rows[6][5] = ("60", None, 1)                           # row 7, F: 1900-02-29
    rows.insert(3, None)                                   # a missing row moves the rest
    f = xlsx(os.path.join(tmpdir(), "roll.xlsx"), [("Roll", rows)])
    before, chain = dump(db), verify(db).json().get("entries")
    r = cadre("--db", db, "--json", "import", "persons", f)
    eq(r.returncode, 1, "exit status", r)
    errs = r.json()["error"]["errors"]
    got = [(e.get("sheet"), e["line"], e["column"], e["field"]) for e in errs]
    eq(got, [("Roll", 3, 3, "nation"), ("Roll", 6, 4, "category"),
             ("Roll", 7, 6, "valid_from"), ("Roll", 8, 6, "valid_from")], "errors", r)
    check("1900-02-29" in errs[3]["reason"], "the phantom leap day named", r)
    eq(dump(db), before, "database unchanged")
    eq(verify(db).json().get("entries"), chain, "audit chain unchanged")
    r = cadre("--db", db, "import", "persons", f)
    check('roll.xlsx: sheet "Roll", row 3, column C (nation):' in r.stderr,
          "the error as a person reads it", r)


@test("not a workbook, or a broken one, is refused with a reason")
def _():
    db = demo_copy()
    d = tmpdir()
    bad = os.path.join(d, "bad.xlsx")
    with open(bad, "wb") as f:
        f.write(b"PK\x03\x04 not really")
    r = cadre("--db", db, "import", "persons", bad)
    check(r.returncode == 1 and "not an Excel workbook" in r.stderr, "not a zip", r)
    good = xlsx(os.path.join(d, "good.xlsx"), [("Roll", roll())])
    broken = os.path.join(d, "broken.xlsx")
    with zipfile.ZipFile(good) as z, zipfile.ZipFile(broken, "w") as out:
        for name in z.namelist():
            out.writestr(name, "<worksheet><sheetData><row>"
                         if name == "xl/worksheets/sheet1.xml" else z.read(name))
    r = cadre("--db", db, "import", "persons", broken)
    check(r.returncode == 1 and "XML" in r.stderr, "broken XML", r)


@test("a ';' CSV (with a BOM, as Excel writes it) is detected, or told with --delimiter")
def _():
    db = demo_copy()
    d = tmpdir()
    f = os.path.join(d, "roll.csv")
    with open(f, "wb") as out:
        out.write(b"\xef\xbb\xbf" + ";".join(HEAD).encode() + b"\r\n" +
                  b'SC001;"Doe; Jane";FRA;civilian;;2021-03-04\r\n')
    ok("--db", db, "import", "persons", f)
    eq(person(db, "SC001").get("name"), "Doe; Jane", "detected ';'")
    h = os.path.join(d, "told.csv")
    with open(h, "w") as out:
        out.write("code;name;nation;category;rank;valid_from\nSC002;A, B;FRA;civilian;;2021-03-04\n")
    ok("--db", db, "import", "persons", h, "--delimiter", ";")
    eq(person(db, "SC002").get("name"), "A, B", "--delimiter ';'")
    r = cadre("--db", db, "import", "persons", h, "--delimiter", "|")
    eq(r.returncode, 2, "a delimiter cadre does not take", r)


@test("JSON: export --format json imports back as the same records; errors name element and field")
def _():
    src = demo_db()
    db = os.path.join(tmpdir(), "j.db")
    ok("--db", db, "init")
    d = tmpdir()
    for kind in ["nations", "organisations", "sites", "consents", "activities", "courses",
                 "persons"]:
        f = os.path.join(d, kind + ".json")
        ok("--db", src, "export", kind, "--format", "json", "-o", f)
        ok("--db", db, "import", kind, f)
        eq(export(db, kind), export(src, kind), kind + " after a JSON round trip")
    bad = os.path.join(d, "bad.json")
    with open(bad, "w") as out:
        json.dump([{"code": "JS1", "name": "A", "nation": "FRA", "category": "civilian",
                    "valid_from": "2021-01-01"},
                   {"code": "JS2", "name": "B", "nation": "ZZZ", "category": "civilian",
                    "valid_from": "2021-01-01", "shoe_size": 44}], out)
    before = dump(db)
    r = cadre("--db", db, "--json", "import", "persons", bad)
    eq(r.returncode, 1, "exit", r)
    got = sorted((e.get("element"), e["field"]) for e in r.json()["error"]["errors"])
    eq(got, [(1, "nation"), (1, "shoe_size")], "errors", r)
    eq(dump(db), before, "database unchanged")
    r = cadre("--db", db, "import", "persons", bad)
    check("bad.json: element 1, shoe_size: unknown field" in r.stderr, "as read", r)


@test("xlsx: export --format xlsx imports into a fresh database as the same records")
def _():
    src = demo_db()
    db = os.path.join(tmpdir(), "x.db")
    ok("--db", db, "init")
    d = tmpdir()
    for kind in ["nations", "organisations", "sites", "consents", "activities", "courses",
                 "persons", "sessions"]:
        f = os.path.join(d, kind + ".xlsx")
        ok("--db", src, "export", kind, "--format", "xlsx", "-o", f)
        check(zipfile.is_zipfile(f), kind + ".xlsx is a workbook")
        ok("--db", db, "import", kind, f)
        eq(export(db, kind), export(src, kind), kind + " after an xlsx round trip")
    r = cadre("--db", src, "export", "nations", "--format", "xlsx")
    eq(r.returncode, 2, "xlsx to standard output", r)


run()
