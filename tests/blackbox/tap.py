"""A tiny TAP harness for cadre's black-box tests (Python 3 stdlib only).

    from tap import test, run, check, cadre
    @test("status has the keys")
    def _():
        r = cadre("--db", db, "status", "--json")
        check(r.returncode == 0, "exit status", r)

Each registered test runs in order; an exception (AssertionError from
check() or anything else) makes it "not ok" with the message as "# " lines.
run() prints the plan and the results and exits 1 if any failed.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import traceback

# The helpers both suites share, in tests/lib (meson puts it on PYTHONPATH
# too; this is for running a script by hand).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from dbstate import copy_db as _copy_file  # noqa: E402
import engine  # noqa: E402  (CADRE_TEST_ENGINE=postgres: every --db on PostgreSQL)

POSTGRES = engine.POSTGRES

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CADRE = os.path.abspath(os.environ.get("CADRE") or os.path.join(ROOT, "build", "cadre"))
TESTDATA = os.path.abspath(os.environ.get("CADRE_TESTDATA") or os.path.join(ROOT, "tests", "data"))
TODAY = "2026-11-29"

# Kinds in the dependency order of `cadre help` and docs/data.md: a kind
# refers only to kinds before it, so a whole mission imports in this order.
KINDS = ["nations", "organisations", "sites", "consents", "pledges", "posts",
         "persons",
         "assignments", "caveats", "activities", "courses", "sessions",
         "training-plans", "trainees", "enrolments", "assessments",
         "status-events"]

SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
                   "WARNING: AddressSanitizer")

_all_kinds = []


def all_kinds():
    """The kinds `cadre help` lists after "KIND:", in its order (which is the
    dependency order of docs/data.md); this includes kinds added after the
    first 15."""
    if not _all_kinds:
        r = cadre("help")
        text = r.stdout.split("KIND:", 1)
        if len(text) < 2:
            raise Failure("cadre help lists no KIND:\n" + r.describe())
        words = []
        for line in text[1].splitlines():
            if not line.startswith(" ") and words:
                break
            words += line.split()
        _all_kinds.extend(words)
    return list(_all_kinds)


_tests = []
_tmpdirs = []


class Failure(Exception):
    pass


class Skip(Exception):
    """The test does not apply on this engine: "ok N - name # SKIP why"."""


def sqlite_only(why):
    """Skip the rest of the test on PostgreSQL: WHY it is about SQLite's file."""
    if POSTGRES:
        raise Skip(why)


def copy_db(src, dst):
    """Copy database SRC to DST (a path, or a folder to copy it into under
    its own name) with its audit key and head, on whichever engine the
    tests run (tests/lib/engine.py). Returns the copy's path."""
    if not POSTGRES:
        return _copy_file(src, dst)
    if os.path.isdir(dst):
        dst = os.path.join(dst, os.path.basename(src))
    return engine.copy(src, dst)


def beside(db, ext):
    """The file cadre keeps for database DB: ".key" or ".head" beside a
    SQLite file; on PostgreSQL in CADRE_STATE_DIR under the database's name."""
    if not POSTGRES:
        return db + ext
    return os.path.join(os.environ["CADRE_STATE_DIR"], "cadre-pg-" + engine.name_of(db) + ext)


def blob(v):
    """A BLOB/BYTEA column's value as bytes: sqlite3 gives bytes, the
    PostgreSQL connection (JSON) its text form \\x0123..."""
    if isinstance(v, str) and v.startswith("\\x"):
        return bytes.fromhex(v[2:])
    return v


def db_args(args):
    """ARGS with the value of each --db as `cadre --db` is given it on
    this engine (engine.target: a PostgreSQL URL for a path)."""
    args = [str(a) for a in args]
    return [engine.target(a) if i and args[i - 1] == "--db" else a
            for i, a in enumerate(args)]


def test(name, todo_pg=None):
    """Register the decorated function as one test case. TODO_PG: why it
    fails on PostgreSQL (a cadre bug told to the lead): there it is a TAP
    "# TODO", which does not fail the run, and meson calls its passing an
    unexpected pass, the cue to take the mark away."""
    def deco(fn):
        _tests.append((name, fn, todo_pg if POSTGRES else None))
        return fn
    return deco


def env():
    e = dict(os.environ)
    e["CADRE_TODAY"] = TODAY
    e.pop("CADRE_DB", None)
    e["LC_ALL"] = "C.UTF-8"
    return e


class Result:
    def __init__(self, args, returncode, stdout, stderr):
        self.args, self.returncode, self.stdout, self.stderr = args, returncode, stdout, stderr

    def json(self):
        try:
            return json.loads(self.stdout)
        except ValueError as e:
            raise Failure("stdout is not JSON (%s): %r" % (e, self.stdout[:500]))

    def describe(self):
        return "command: cadre %s\nexit: %s\nstdout: %s\nstderr: %s" % (
            " ".join(self.args), self.returncode, _clip(self.stdout), _clip(self.stderr))


def _clip(s, n=1500):
    if isinstance(s, bytes):
        s = s.decode("utf-8", "replace")
    s = s or ""
    return s if len(s) <= n else s[:n] + "…[%d more chars]" % (len(s) - n)


def cadre(*args, stdin=None, binary=False, timeout=240, cwd=None, raw=False):
    """Run the cadre binary with args; returns a Result (never raises on
    exit status). RAW: each --db as given, not put on the engine."""
    args = [str(a) for a in args] if raw else db_args(args)
    kw = {} if binary else {"encoding": "utf-8", "errors": "replace"}
    p = subprocess.run([CADRE] + args, input=stdin, capture_output=True,
                       env=env(), timeout=timeout, cwd=cwd, **kw)
    res = Result(args, p.returncode, p.stdout, p.stderr)
    err = p.stderr if isinstance(p.stderr, str) else p.stderr.decode("utf-8", "replace")
    for mark in SANITIZER_MARKS:
        if mark in err:   # a sanitizer report fails the test whatever the exit status
            raise Failure("sanitizer report (%s)\n%s" % (mark, res.describe()))
    return res


def ok(*args, **kw):
    """Run cadre and require exit status 0."""
    r = cadre(*args, **kw)
    if r.returncode != 0:
        raise Failure("expected exit 0\n" + r.describe())
    return r


def check(cond, what, result=None):
    if not cond:
        raise Failure(what + ("\n" + result.describe() if result is not None else ""))


def eq(actual, expected, what, result=None):
    if actual != expected:
        raise Failure("%s: expected %r, got %r%s" % (
            what, expected, actual, ("\n" + result.describe()) if result is not None else ""))


def tmpdir():
    d = tempfile.mkdtemp(prefix="cadre-bb-")
    _tmpdirs.append(d)
    return d


_demo_db = None
_demo_err = None
demo_output = []   # the Result of the one `cadre demo` run of this script


def demo_db():
    """Path of a demo database made once per script; copy it before changing it."""
    global _demo_db, _demo_err
    if _demo_err is not None:
        raise Failure(_demo_err)
    if _demo_db is None:
        db = os.path.join(tmpdir(), "demo.db")
        if POSTGRES and os.environ.get("CADRE_TEST_PG_DEMO") != "load":
            # As `cadre copy` brings it from SQLite: the same records, ids
            # and chain in less time than the demo's writes over a socket
            # (test_cli loads the demo itself: CADRE_TEST_PG_DEMO=load).
            r = cadre("--db", db + ".seed.db", "demo", raw=True)
            if r.returncode == 0:
                c = cadre("copy", db + ".seed.db", engine.target(db), raw=True)
                r = c if c.returncode else r
        else:
            r = cadre("--db", db, "demo")
        if r.returncode != 0:
            _demo_err = "cadre demo failed\n" + r.describe()
            raise Failure(_demo_err)
        _demo_db = db
        demo_output.append(r)
    return _demo_db


def demo_copy():
    """A private copy of the demo database (the main file, WAL checkpointed on
    close, and the audit key and head files beside it)."""
    return copy_db(demo_db(), os.path.join(tmpdir(), "demo.db"))


def export(db, kind, fmt="csv"):
    r = ok("--db", db, "export", kind, "--format", fmt)
    return r.stdout


def verify(db):
    return cadre("--db", db, "audit", "verify", "--json")


def audit_len(db):
    r = verify(db)
    return r.json().get("entries")


def run():
    if not os.access(CADRE, os.X_OK):
        print("1..0 # SKIP no cadre binary at %s" % CADRE)
        sys.exit(0)
    print("1..%d" % len(_tests), flush=True)
    failed = 0
    for i, (name, fn, todo) in enumerate(_tests, 1):
        mark = " # TODO " + todo if todo else ""
        try:
            fn()
            print("ok %d - %s%s" % (i, name, mark), flush=True)
        except Skip as e:
            print("ok %d - %s # SKIP %s" % (i, name, e), flush=True)
        except Exception as e:  # one test's failure never stops the others
            failed += not todo
            print("not ok %d - %s%s" % (i, name, mark))
            if isinstance(e, Failure):
                msg = str(e)
            else:
                msg = "".join(traceback.format_exception(type(e), e, e.__traceback__))
            for line in msg.rstrip().splitlines():
                print("# " + line)
            sys.stdout.flush()
    for d in _tmpdirs:
        shutil.rmtree(d, ignore_errors=True)
    if failed:
        print("# %d of %d failed" % (failed, len(_tests)))
    sys.exit(1 if failed else 0)
