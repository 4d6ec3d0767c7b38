#!/usr/bin/env python3
"""Black-box tests of the cadre command line: the demo mission as of dates,
list/show/status with --json, usage errors and their exit status, --help,
demo determinism and init. Prints TAP."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import (Failure, KINDS, POSTGRES, demo_output, TODAY, cadre, check, db_args, demo_copy,
                 demo_db, eq, export, ok, run, test, tmpdir, verify)
import engine  # noqa: E402

SITE_STATUSES = {"open", "restricted", "suspended", "closed"}


def status(as_of=None):
    args = ["--db", demo_db(), "status", "--json"]
    if as_of:
        args += ["--as-of", as_of]
    r = ok(*args)
    return r.json(), r


def made(db):
    """Whether cadre made database DB: its file on SQLite; on PostgreSQL
    (where the test's database exists from the start) its tables."""
    if not POSTGRES:
        return os.path.exists(db)
    n = engine.connect(db).execute("SELECT count(*) FROM information_schema.tables"
                                   " WHERE table_schema = current_schema()").fetchone()[0]
    return n > 0


def usage_error(r, what):
    eq(r.returncode, 2, what + ": exit status", r)
    check(r.stderr.strip() != "", what + ": a message on stderr", r)


def json_error(r, code, what):
    """A --json error: {"error": {"code": CODE, "message": "..."}} on stdout."""
    j = r.json()
    check(isinstance(j, dict) and isinstance(j.get("error"), dict),
          what + ": not an {\"error\": {...}} object", r)
    eq(j["error"].get("code"), code, what + ": error.code", r)
    check(isinstance(j["error"].get("message"), str) and j["error"]["message"],
          what + ": error.message is a non-empty string", r)
    return j["error"]


# --- the "Done when" checks -----------------------------------------

@test("status --as-of 2020-01-05: training suspended, every mission site suspended")
def _():
    st, r = status("2020-01-05")
    eq(st.get("training_suspended"), True, "training_suspended", r)
    sites = ok("--db", demo_db(), "list", "sites", "--as-of", "2020-01-05", "--json").json()
    mission = [s["code"] for s in sites if s.get("mission_approved") is True]
    check(len(mission) >= 5, "at least the 5 mission sites (HQ, Taji, Besmaya, MMS, "
          "Rustamiyah) are approved: %r" % mission)
    by_code = {s["code"]: s["status"] for s in st["sites"]}
    for code in mission:
        eq(by_code.get(code), "suspended", "status of mission site %s on 2020-01-05" % code, r)


@test("status --as-of 2020-01-03 (the day before): mission sites not suspended")
def _():
    st, r = status("2020-01-03")
    eq(st.get("training_suspended"), False, "training_suspended", r)
    for s in st["sites"]:
        check(s["status"] != "suspended", "site %s suspended on 2020-01-03" % s["code"], r)


@test("alliance membership over time: 29, 30 (MKD), 31 (FIN), 32 (SWE)")
def _():
    for day, n in [("2020-02-12", 29), ("2020-03-26", 29), ("2020-03-27", 30),
                   ("2023-04-03", 30), ("2023-04-04", 31), ("2024-03-06", 31),
                   ("2024-03-07", 32)]:
        st, r = status(day)
        eq(st.get("members"), n, "members as of %s" % day, r)
        eq(st.get("as_of"), day, "as_of echoed", r)
        if "member_nations" in st:
            eq(len(st["member_nations"]), n, "len(member_nations) as of %s" % day, r)
    st, r = status("2020-03-27")
    check("MKD" in st.get("member_nations", []), "MKD a member on 2020-03-27", r)


@test("status --json has as_of, members, partners, headcount, training_suspended, sites[{code,name,status}]")
def _():
    st, r = status("2021-06-01")
    for key, typ in [("as_of", str), ("members", int), ("partners", int),
                     ("headcount", int), ("training_suspended", bool), ("sites", list)]:
        check(key in st, "key %r missing" % key, r)
        check(isinstance(st[key], typ) and not (typ is int and isinstance(st[key], bool)),
              "key %r is not %s: %r" % (key, typ.__name__, st[key]), r)
    check(st["headcount"] > 0, "headcount > 0 in 2021", r)
    check(len(st["sites"]) >= 5, "sites listed", r)
    for s in st["sites"]:
        eq(sorted(s.keys()), ["code", "name", "status"], "keys of a site", r)
        check(s["status"] in SITE_STATUSES, "site status %r" % s["status"], r)


@test("status without --as-of answers for today (CADRE_TODAY)")
def _():
    st, r = status()
    eq(st.get("as_of"), TODAY, "as_of", r)
    eq(st.get("members"), 32, "members today", r)


@test("while training is suspended mission-wide, no session in force runs (rule 5: postponed)")
def _():
    db = demo_db()
    bad = []
    for day in ["2020-01-10", "2020-02-01", "2020-04-15", "2020-05-20"]:
        st, r = status(day)
        eq(st.get("training_suspended"), True, "training_suspended on %s" % day, r)
        for s in ok("--db", db, "list", "sessions", "--as-of", day, "--json").json():
            if s.get("status") not in ("postponed", "cancelled"):
                bad.append("%s: session %s at %s is %s" % (day, s.get("key"), s.get("site"),
                                                            s.get("status")))
    check(not bad, "sessions running during a mission-wide suspension:\n" + "\n".join(bad))


@test("the demo's summary line counts what is in the database")
def _():
    import re
    db = demo_db()
    r = demo_output[0]
    out = r.stdout + r.stderr
    problems = []
    for kind in ["persons", "sessions", "trainees", "enrolments"]:
        m = re.search(r"(\d+) %s" % kind, out)
        check(m is not None, "summary names the number of %s" % kind, r)
        n = len(ok("--db", db, "export", kind, "--format", "json").json())
        if int(m.group(1)) != n:
            problems.append("%s: the summary says %s, the database holds %d" % (kind, m.group(1), n))
    m = re.search(r"(\d+) records", out)
    if m:
        total = sum(len(ok("--db", db, "export", k, "--format", "json").json()) for k in KINDS)
        if int(m.group(1)) != total:
            problems.append("records: the summary says %s, the database holds %d" % (m.group(1), total))
    check(not problems, "\n".join(problems) + "\n" + r.describe())


# --- list / show ---------------------------------------------------------------

@test("list KIND --as-of D works for every kind, text and --json")
def _():
    eq(len(KINDS), 17, "number of kinds")
    db = demo_db()
    for kind in KINDS:
        r = ok("--db", db, "list", kind, "--as-of", "2020-06-01")
        j = ok("--db", db, "list", kind, "--as-of", "2020-06-01", "--json").json()
        check(isinstance(j, list), "list %s --json is not an array" % kind)
        for row in j[:50]:
            check(isinstance(row, dict), "list %s --json rows are objects" % kind)
    # kinds that the demo has in force in mid-2020 must not come back empty
    for kind in ["nations", "organisations", "sites", "posts", "persons", "assignments",
                 "activities", "courses", "sessions", "trainees", "consents"]:
        j = ok("--db", db, "list", kind, "--as-of", "2020-06-01", "--json").json()
        check(len(j) > 0, "list %s --as-of 2020-06-01 is empty" % kind)


@test("list aligns its columns by the width text takes, not its bytes (Türkiye)")
def _():
    out = ok("--db", demo_db(), "list", "nations").stdout.splitlines()
    at = out[0].index("member_since")
    rows = [l for l in out[1:] if l.strip()]
    check(any("Türkiye" in l for l in rows), "Türkiye listed")
    for l in rows:
        eq(l[at - 2:at], "  ", "the gap before member_since: %r" % l)
        check(l[at] != " " or l[at:at + 10].strip() == "", "a date where the column is: %r" % l)


@test("cadre help lists every command and every report")
def _():
    import re
    text = ok("help").stdout
    commands = text.split("commands:", 1)[1].split("\n\n", 1)[0]
    listed = {line.split()[0] for line in commands.splitlines() if line.strip()}
    for c in ["init", "demo", "generate", "import", "export", "list", "show", "status",
              "check", "due", "audit", "backup", "restore", "suspend", "resume", "consent",
              "transfer", "report", "serve", "user", "token", "plan", "help"]:
        check(c in listed, "cadre help does not list the command %s" % c)
    # The reports cadre knows, as its refusal of an unknown one names them.
    r = cadre("--db", demo_db(), "report", "nope")
    names = re.findall(r"[a-z][a-z-]+", r.stderr.split("no report 'nope':", 1)[1].split("(")[0])
    names = [n for n in names if n != "or"]
    check(len(names) >= 8, "report names from the refusal", r)
    section = text.split("REPORT", 1)[1] if "REPORT" in text else ""
    eq([n for n in names if not re.search(r"^  %s " % re.escape(n), section, re.M)], [],
       "reports missing from cadre help")


@test("cadre help lists every kind (and list works for any kind it adds)")
def _():
    from tap import all_kinds
    kinds = all_kinds()
    eq([k for k in KINDS if k not in kinds], [], "kinds missing from cadre help")
    for kind in kinds:
        if kind not in KINDS:
            r = ok("--db", demo_db(), "list", kind, "--as-of", "2020-06-01", "--json")
            check(isinstance(r.json(), list), "list %s --json is an array" % kind, r)


@test("list nations --as-of 2020-02-12 --where status=member gives 29 rows")
def _():
    r = ok("--db", demo_db(), "list", "nations", "--as-of", "2020-02-12",
           "--where", "status=member", "--json")
    rows = r.json()
    eq(len(rows), 29, "member rows", r)
    check(all(x.get("status") == "member" for x in rows), "every row has status member", r)
    codes = {x["code"] for x in rows}
    check("MKD" not in codes and "FIN" not in codes and "SWE" not in codes,
          "MKD/FIN/SWE not yet members", r)
    r = ok("--db", demo_db(), "list", "nations", "--as-of", "2024-03-07",
           "--where", "status=member", "--json")
    eq(len(r.json()), 32, "member rows on 2024-03-07", r)


@test("list --where FIELD=VALUE filters (sites where mission_approved)")
def _():
    db = demo_db()
    allsites = ok("--db", db, "list", "persons", "--as-of", "2021-01-01", "--json").json()
    dnk = ok("--db", db, "list", "persons", "--as-of", "2021-01-01", "--where", "nation=DNK",
             "--json").json()
    eq(sorted(p["code"] for p in dnk),
       sorted(p["code"] for p in allsites if p["nation"] == "DNK"), "persons of DNK")
    check(len(dnk) > 0, "some DNK persons in 2021")


@test("commander (post NMI-0001) on 2021-01-01 is Per Pugholm Olsen")
def _():
    r = ok("--db", demo_db(), "show", "posts", "NMI-0001", "--as-of", "2021-01-01", "--json")
    post = r.json()
    eq(post.get("number"), "NMI-0001", "post number", r)
    holder = post.get("holder")
    check(isinstance(holder, str) and holder, "holder is a person code", r)
    r = ok("--db", demo_db(), "show", "persons", holder, "--json")
    eq(r.json().get("name"), "Per Pugholm Olsen", "name of %s" % holder, r)
    # and the holder is different a year earlier (a rotation happened)
    r = ok("--db", demo_db(), "show", "posts", "NMI-0001", "--as-of", "2020-01-01", "--json")
    check(r.json().get("holder") not in (None, holder), "a different commander on 2020-01-01", r)


@test("activity TRN-NCO is owned by CJTF-OIR on 2020-03-31 and by NMI on 2020-04-01")
def _():
    for day, owner in [("2020-03-31", "CJTF-OIR"), ("2020-04-01", "NMI")]:
        r = ok("--db", demo_db(), "show", "activities", "TRN-NCO", "--as-of", day, "--json")
        eq(r.json().get("owner_as_of"), owner, "owner_as_of on %s" % day, r)


@test("show prints a real number as people write it (0.8, not 0.80000000000000004)")
def _():
    courses = ok("--db", demo_db(), "list", "courses", "--json").json()
    c = [x for x in courses if x.get("pass_target") == 0.8][0]
    r = ok("--db", demo_db(), "show", "courses", c["code"])
    line = [l for l in r.stdout.splitlines() if l.startswith("pass_target")]
    eq(line and line[0].split(), ["pass_target", "0.8"], "the pass_target line", r)


@test("show KIND ID of a record that does not exist: exit 1, NOT_FOUND")
def _():
    r = cadre("--db", demo_db(), "show", "persons", "NOPE", "--json")
    eq(r.returncode, 1, "exit status", r)
    json_error(r, "NOT_FOUND", "show persons NOPE --json")
    r = cadre("--db", demo_db(), "show", "persons", "NOPE")
    eq(r.returncode, 1, "exit status (text)", r)
    check("NOPE" in r.stderr, "message names the key", r)


@test("--as-of filters intervals: persons and assignments in force that day")
def _():
    db = demo_db()
    p2021 = {p["code"] for p in ok("--db", db, "list", "persons", "--as-of", "2021-01-01",
                                   "--json").json()}
    p2019 = {p["code"] for p in ok("--db", db, "list", "persons", "--as-of", "2019-01-01",
                                   "--json").json()}
    check("P00003" in p2021 and "P00001" not in p2021, "P00003 but not P00001 on 2021-01-01")
    check("P00001" in p2019 and "P00003" not in p2019, "P00001 but not P00003 on 2019-01-01")
    for day in ("2019-01-01", "2021-01-01"):
        for p in ok("--db", db, "list", "persons", "--as-of", day, "--json").json():
            check(p["valid_from"] <= day and (p["valid_to"] is None or day < p["valid_to"]),
                  "person %s [%s, %s) listed as of %s" % (p["code"], p["valid_from"],
                                                           p["valid_to"], day))
    # the day valid_to is reached the record is out: [from, to)
    a = ok("--db", db, "list", "assignments", "--as-of", "2020-11-24", "--where",
           "post=NMI-0001", "--json").json()
    eq([x["person"] for x in a], ["P00003"], "holder of NMI-0001 on the handover day")


@test("audit log filters: --limit, --actor, --entity")
def _():
    db = demo_db()
    r = ok("--db", db, "audit", "log", "--limit", "5", "--json")
    eq(len([l for l in r.stdout.splitlines() if l.strip()]), 5, "--limit 5", r)
    r = ok("--db", db, "audit", "log", "--actor", "no-such-user", "--json")
    eq(r.stdout.strip(), "", "--actor no-such-user", r)
    r = ok("--db", db, "audit", "log", "--entity", "status-events", "--json")
    keys = sorted(json.loads(l)["key"] for l in r.stdout.splitlines() if l.strip())
    exp = sorted(x["code"] for x in ok("--db", db, "list", "status-events", "--json").json())
    eq(keys, exp, "status-events in the audit log", r)


def _on_tty(args):
    """Run cadre with stderr on a pseudo-terminal; returns (status, stdout, tty output)."""
    import pty
    import subprocess
    from tap import CADRE, env as tenv
    m, s = pty.openpty()
    try:
        p = subprocess.Popen([CADRE] + db_args(args), stdout=subprocess.PIPE, stderr=s, env=tenv())
        os.close(s)
        out = b""
        while True:
            try:
                d = os.read(m, 65536)
            except OSError:
                break
            if not d:
                break
            out += d
        stdout = p.stdout.read()
        p.stdout.close()
        return p.wait(), stdout, out
    finally:
        os.close(m)


@test("a progress bar on a terminal, nothing extra when stderr is not a terminal")
def _():
    db = demo_db()
    d = tmpdir()
    path = os.path.join(d, "t.csv")
    try:
        rc, _, tty = _on_tty(["--db", db, "export", "trainees", "-o", path])
    except OSError as e:      # no pseudo-terminals here: check the pipe half only
        print("# no pseudo-terminal (%s): progress bar on a terminal not checked" % e)
    else:
        eq(rc, 0, "export on a terminal")
        check(b"\r" in tty and b"100%" in tty, "a progress bar on the terminal: %r" % tty[:300])
    r = ok("--db", db, "export", "trainees", "-o", path)
    check("\r" not in r.stderr and "%" not in r.stderr, "no progress bar into a pipe", r)
    db2 = demo_copy()
    r = ok("--db", db2, "import", "trainees", path)
    check("\r" not in r.stderr and "%" not in r.stderr, "no progress bar into a pipe (import)", r)


# --- usage errors -----------------------------------------------------------

@test("impossible date --as-of 2020-02-30: exit 2 and a message naming the date")
def _():
    db = demo_db()
    for cmd in (["status"], ["list", "nations"], ["show", "posts", "NMI-0001"]):
        r = cadre("--db", db, *cmd, "--as-of", "2020-02-30")
        usage_error(r, " ".join(cmd))
        check("2020-02-30" in r.stderr, "message names the date", r)
        eq(r.stdout, "", "nothing on stdout", r)
    for bad in ["2020-13-01", "2021-02-29", "2020-04-31", "20200101", "yesterday-ish"]:
        r = cadre("--db", db, "status", "--as-of", bad)
        usage_error(r, "status --as-of " + bad)
        check(bad in r.stderr, "message names the date %s" % bad, r)
    r = ok("--db", db, "status", "--as-of", "2020-02-29", "--json")   # a leap day is fine
    eq(r.json().get("as_of"), "2020-02-29", "leap day", r)


@test("--json before the command: a usage error is {\"error\": {\"code\": \"USAGE\", ...}}")
def _():
    r = cadre("--db", demo_db(), "--json", "status", "--as-of", "2020-02-30")
    eq(r.returncode, 2, "exit status", r)
    err = json_error(r, "USAGE", "status --as-of 2020-02-30")
    check("2020-02-30" in err["message"], "message names the date", r)


@test("--json after the command: usage errors are JSON too (docs: --json may come before or after)")
def _():
    db = demo_db()
    problems = []
    for args in (["status", "--as-of", "2020-02-30", "--json"],
                 ["list", "widgets", "--json"],
                 ["list", "nations", "--as-of", "2020-02-30", "--json"],
                 ["list", "nations", "--bogus", "--json"],
                 ["show", "persons", "--json"]):
        try:
            r = cadre("--db", db, *args)
            eq(r.returncode, 2, " ".join(args) + ": exit status", r)
            json_error(r, "USAGE", " ".join(args))
        except Failure as e:
            problems.append("[%s] %s" % (" ".join(args), e))
    check(not problems, "\n".join(problems))


@test("unknown command, unknown kind, missing arguments, bad options: exit 2")
def _():
    db = demo_db()
    cases = [
        ["frobnicate"],
        ["list", "widgets"],
        ["show", "widgets", "X"],
        ["export", "widgets"],
        ["import", "widgets", os.devnull],
        ["help", "widgets"],
        ["list"],
        ["show"],
        ["show", "persons"],
        ["import"],
        ["import", "persons"],
        ["export"],
        ["audit"],
        ["audit", "frobnicate"],
        ["list", "nations", "--as-of"],
        ["list", "nations", "--bogus"],
        ["list", "nations", "--where", "nosuchfield=1"],
        ["export", "nations", "--format", "xml"],
        ["status", "extra-arg"],
    ]
    problems = []
    for args in cases:
        try:
            r = cadre("--db", db, *args)
            usage_error(r, "cadre " + " ".join(args))
            rj = cadre("--db", db, "--json", *args)
            eq(rj.returncode, 2, "cadre --json " + " ".join(args) + ": exit status", rj)
            json_error(rj, "USAGE", "cadre --json " + " ".join(args))
        except Failure as e:
            problems.append("[%s] %s" % (" ".join(args), e))
    check(not problems, "\n".join(problems))


@test("no command at all: usage, exit 2")
def _():
    r = cadre("--db", demo_db())
    eq(r.returncode, 2, "exit status", r)
    check("usage" in (r.stdout + r.stderr).lower(), "prints usage", r)


@test("--help on every command exits 0 and prints its usage")
def _():
    d = tmpdir()
    db = os.path.join(d, "none.db")
    cmds = [["init"], ["demo"], ["import"], ["export"], ["list"], ["show"], ["status"],
            ["audit"], ["audit", "log"], ["audit", "verify"], ["suspend"], ["resume"],
            ["consent"], ["transfer"], ["report"], ["plan"], ["due"], ["help"]]
    for c in cmds:
        r = cadre("--db", db, *c, "--help")
        eq(r.returncode, 0, "cadre %s --help: exit status" % " ".join(c), r)
        check("usage" in r.stdout.lower(), "cadre %s --help prints usage on stdout" % " ".join(c), r)
        check(c[0] in r.stdout, "cadre %s --help names the command" % " ".join(c), r)
    for c in ["import", "list", "status", "audit"]:
        r = ok("help", c)
        check("usage" in r.stdout.lower(), "cadre help %s prints usage" % c, r)
    r = ok("help", "persons")
    check("nation" in r.stdout and "code" in r.stdout, "help persons lists columns", r)
    check(not made(db), "--help created the database %s" % db)


# --- errors as JSON ----------------------------------------------------------

@test("--json errors are {\"error\": {\"code\", \"message\"}} on stdout")
def _():
    db = demo_db()
    r = cadre("--db", db, "--json", "show", "nations", "XYZ")
    eq(r.returncode, 1, "exit status", r)
    json_error(r, "NOT_FOUND", "show nations XYZ")
    r = cadre("--db", db, "--json", "demo")
    eq(r.returncode, 1, "exit status of demo on a database with a mission", r)
    json_error(r, "INPUT", "demo without --force")


@test("database and file failures: exit 3 with an IO/STORE error, never a crash")
def _():
    d = tmpdir()
    garbage = os.path.join(d, "garbage.db")
    with open(garbage, "w") as f:
        f.write("this is not an SQLite database\n" * 100)
    problems = []
    if POSTGRES:    # no file to spoil: a database that is not there
        url = engine.target(demo_db()).replace(engine.name_of(demo_db()), "nosuchdb")
        cases = [(["--db", url, "status"], "nosuchdb")]
    else:
        cases = [(["--db", garbage, "status"], "garbage.db"),
                 (["--db", os.path.join(d, "no", "such", "dir", "x.db"), "init"], "x.db")]
    cases += [
        (["--db", demo_db(), "export", "nations", "-o", os.path.join(d, "no", "dir", "n.csv")],
         "n.csv"),
        (["--db", demo_db(), "export", "nations", "--format", "json", "-o",
          os.path.join(d, "no", "dir", "n.json")], "n.json"),
    ]
    for args, name in cases:
        for extra in ([], ["--json"]):
            try:
                r = cadre(*(args + extra))
                if r.returncode != 3:
                    raise Failure("expected exit 3, got %s\n%s" % (r.returncode, r.describe()))
                if extra:
                    err = json_error(r, r.json()["error"].get("code"), "error object")
                    check(err["code"] in ("IO", "STORE"), "code IO or STORE", r)
                    check(name in err["message"], "message names %s" % name, r)
                else:
                    check(name in r.stderr, "message names %s" % name, r)
            except Failure as e:
                problems.append("[cadre %s] %s" % (" ".join(args[2:] + extra), e))
    check(not os.path.exists(os.path.join(d, "no")), "no directory created")
    check(not problems, "\n".join(problems))


@test("a database from a newer cadre (schema version ahead): exit 3, left untouched")
def _():
    import hashlib
    from dbstate import fingerprint
    db = os.path.join(tmpdir(), "future.db")
    ok("--db", db, "init")
    c = engine.connect(db)
    if POSTGRES:    # PostgreSQL has no user_version: cadre_schema's row
        c.execute("UPDATE cadre_schema SET version = 999")
    else:
        c.execute("PRAGMA user_version = 999")
    c.commit()
    c.close()

    def state():
        if POSTGRES:
            return fingerprint(db), engine.connect(db).execute(
                "SELECT version FROM cadre_schema").fetchall()
        with open(db, "rb") as f:
            return hashlib.sha256(f.read()).hexdigest()
    digest = state()
    for args in (["status"], ["list", "nations"], ["import", "nations", os.devnull],
                 ["audit", "verify"]):
        r = cadre("--db", db, "--json", *args)
        eq(r.returncode, 3, "cadre %s: exit status" % " ".join(args), r)
        err = json_error(r, r.json()["error"].get("code"), "error object")
        check(err["code"] in ("STORE", "IO"), "code STORE", r)
    eq(state(), digest, "database unchanged")


@test("export -o FILE replaces the file whole and leaves no temporary file")
def _():
    d = tmpdir()
    path = os.path.join(d, "nations.csv")
    with open(path, "w") as f:
        f.write("old content that is longer than nothing\n" * 1000)
    ok("--db", demo_db(), "export", "nations", "-o", path)
    with open(path, "rb") as f:
        data = f.read()
    eq(data, ok("--db", demo_db(), "export", "nations", binary=True).stdout, "file content")
    eq(sorted(os.listdir(d)), ["nations.csv"], "files in the directory")


@test("--as-of today is CADRE_TODAY; help KIND for every kind; list --limit")
def _():
    db = demo_db()
    eq(ok("--db", db, "status", "--as-of", "today", "--json").json().get("as_of"), TODAY,
       "as_of of --as-of today")
    for kind in KINDS:
        r = ok("help", kind)
        check(kind in r.stdout, "help %s names the kind" % kind, r)
    r = ok("--db", db, "list", "trainees", "--limit", "7", "--json")
    eq(len(r.json()), 7, "list --limit 7", r)


# --- demo / init -------------------------------------------------------------

@test("demo twice without --force: exit 1, nothing changed")
def _():
    db = demo_copy()
    before = verify(db).json()
    nations = export(db, "nations")
    r = cadre("--db", db, "demo")
    eq(r.returncode, 1, "exit status", r)
    check("--force" in r.stderr, "message tells about --force", r)
    after = verify(db).json()
    eq(after, before, "audit verify output (entries, head) unchanged")
    eq(export(db, "nations"), nations, "nations unchanged")


@test("demo --force replaces the mission; the demo is deterministic (exports identical); "
      "on PostgreSQL it is refused, naming what to do")
def _():
    db = demo_copy()
    if POSTGRES:
        before = verify(db).json()
        r = cadre("--db", db, "demo", "--force")
        eq(r.returncode, 2, "exit status", r)
        check("dropdb" in r.stderr and "without --force" in r.stderr, "says what to do", r)
        eq(verify(db).json(), before, "nothing written")
        return
    r = ok("--db", db, "demo", "--force")
    v = verify(db)
    eq(v.returncode, 0, "audit verify after demo --force", v)
    for kind in KINDS:
        a = export(demo_db(), kind)
        b = export(db, kind)
        check(a.count("\n") > 1, "demo exports %s rows" % kind)
        eq(b == a, True, "export %s after demo --force equals the first demo's" % kind)
    eq(verify(db).json().get("entries"), verify(demo_db()).json().get("entries"),
       "audit entries after demo --force (the old log is replaced)")


@test("init on a new path creates an empty, verifiable database")
def _():
    d = tmpdir()
    db = os.path.join(d, "sub.db")
    ok("--db", db, "init")
    check(made(db), "database created")
    for kind in KINDS:
        r = ok("--db", db, "list", kind, "--json")
        eq(r.json(), [], "list %s on an empty database" % kind, r)
    v = verify(db)
    eq(v.returncode, 0, "audit verify exit", v)
    eq(v.json().get("entries"), 0, "no audit entries", v)
    ok("--db", db, "init")   # again: idempotent
    st = ok("--db", db, "status", "--json").json()
    eq(st.get("members"), 0, "members in an empty database")
    eq(st.get("sites"), [], "sites in an empty database")


@test("--db defaults to $CADRE_DB")
def _():
    d = tmpdir()
    db = os.path.join(d, "env.db")
    import subprocess
    from tap import CADRE, env as tenv
    e = tenv()
    e["CADRE_DB"] = engine.target(db)
    p = subprocess.run([CADRE, "init"], capture_output=True, text=True, env=e, cwd=d)
    eq(p.returncode, 0, "init with CADRE_DB: " + p.stderr)
    check(made(db), "database created at $CADRE_DB")
    check(not os.path.exists(os.path.join(d, "cadre.db")), "./cadre.db not created")

if __name__ == "__main__":
    run()
