"""Which database engine the black-box tests run cadre on.

CADRE_TEST_ENGINE=postgres runs a test script's every database on a
throwaway PostgreSQL cluster (tests/lib/pgcluster.py), started on first
use and removed at exit: a database path the test makes (tmp/m.db) names
a PostgreSQL database of its own, created empty on first use, and the
audit key and head files go to the folder CADRE_STATE_DIR, as cadre keeps
them for a PostgreSQL database. Otherwise (the default) a path is a SQLite
file and nothing here does anything.
"""
import atexit
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile

ENGINE = os.environ.get("CADRE_TEST_ENGINE", "sqlite")
POSTGRES = ENGINE == "postgres"

_cluster = None
_names = {}
_state = None


def _state_dir():
    """The folder of the audit keys and heads, in the environment of
    every cadre the test starts from now on."""
    global _state
    if _state is None:
        _state = tempfile.mkdtemp(prefix="cadre-pgstate-")
        os.environ["CADRE_STATE_DIR"] = _state
        atexit.register(shutil.rmtree, _state, True)
    return _state


if POSTGRES:
    _state_dir()


def _start():
    global _cluster
    _state_dir()
    if _cluster is None:
        import pgcluster
        try:
            _cluster = pgcluster.Cluster()
        except pgcluster.SkipAll as e:
            print("1..0 # SKIP " + str(e))
            sys.exit(0)
        _cluster.start()
    return _cluster


def cluster():
    """The throwaway cluster of this test script, started on first use."""
    return _start()


def name_of(path):
    """The PostgreSQL database's name of database PATH."""
    return _name(path)


def _name(path):
    return "t" + hashlib.sha256(os.path.abspath(path).encode()).hexdigest()[:20]


def target(path):
    """What `cadre --db` is given for database PATH: PATH itself on
    SQLite; on PostgreSQL the URL of its database, made when new."""
    if not POSTGRES or "://" in path:
        return path
    return on_postgres(path)


def on_postgres(path):
    """The URL of PATH's PostgreSQL database, made when new, whichever
    engine the run is on (a test of both ends, as cadre copy's)."""
    c = _start()
    name = _name(path)
    if name not in _names:
        c.createdb(name)
        _names[name] = path
    return c.url(name)


def copy(src, dst):
    """Copy database SRC to path DST on PostgreSQL: a new database made
    from it as a template (nothing may be connected to SRC), with its key
    and head files."""
    c = _start()
    s, d = _name(src), _name(dst)
    target(src)
    if d in _names:
        c.psql("postgres", "-c", 'DROP DATABASE "%s"' % d)
    # A template must have no one connected (PostgreSQL waits 5 s for them
    # to leave, then refuses): with a server on SRC, a dump straight away.
    busy = c.query("postgres", "SELECT count(*) FROM pg_stat_activity WHERE "
                   "datname = '%s'" % s).strip() != "0"
    try:
        if busy:
            raise RuntimeError("in use")
        c.psql("postgres", "-c", 'CREATE DATABASE "%s" TEMPLATE "%s"' % (d, s))
    except RuntimeError:
        # A server is connected to SRC: a dump of it, in one snapshot.
        c.psql("postgres", "-c", 'CREATE DATABASE "%s"' % d)
        dump = subprocess.run([os.path.join(c.bindir, "pg_dump"), "-h", c.dir, "-p",
                               str(c.port), "-U", c.user, "-d", s],
                              capture_output=True, check=True)
        subprocess.run([os.path.join(c.bindir, "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1",
                        "-h", c.dir, "-p", str(c.port), "-U", c.user, "-d", d],
                       input=dump.stdout, capture_output=True, check=True)
    _names[d] = dst
    for ext in (".key", ".head"):
        f = os.path.join(_state, "cadre-pg-" + s + ext)
        if os.path.exists(f):
            shutil.copyfile(f, os.path.join(_state, "cadre-pg-" + d + ext))
            if ext == ".key":
                os.chmod(os.path.join(_state, "cadre-pg-" + d + ext), 0o600)
    return dst


def drop(path):
    """Drop database PATH on PostgreSQL, its key and head with it (a test
    that makes many, once done with each); on SQLite nothing: its files
    go with the test's folder."""
    if not POSTGRES or _name(path) not in _names:
        return
    name = _name(path)
    _start().psql("postgres", "-c", 'DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % name)
    del _names[name]
    for ext in (".key", ".head"):
        f = os.path.join(_state, "cadre-pg-" + name + ext)
        if os.path.exists(f):
            os.unlink(f)


def contents(path):
    """Every byte database PATH keeps, for a test that a secret is kept
    nowhere in it: SQLite's file and its WAL; PostgreSQL's whole dump."""
    if not POSTGRES:
        data = b""
        for f in (path, path + "-wal"):
            if os.path.exists(f):
                with open(f, "rb") as fh:
                    data += fh.read()
        return data
    c = _start()
    return subprocess.run([os.path.join(c.bindir, "pg_dump"), "-h", c.dir, "-p",
                           str(c.port), "-U", c.user, "-d", _name(path)],
                          capture_output=True, check=True).stdout


def _literal(v):
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, (bytes, bytearray, memoryview)):
        return "'\\x%s'::bytea" % bytes(v).hex()
    return "'" + str(v).replace("'", "''") + "'"


def _inline(sql, params):
    """SQL with each ? (outside quotes) replaced by its parameter as a
    literal: the tests' own SQL, with their own values."""
    out, it, quote = [], iter(params or ()), None
    for ch in sql:
        if quote:
            quote = None if ch == quote else quote
            out.append(ch)
        elif ch in "'\"":
            quote = ch
            out.append(ch)
        elif ch == "?":
            out.append(_literal(next(it)))
        else:
            out.append(ch)
    return "".join(out)


def _value(v):
    return int(v) if isinstance(v, bool) else v


class _Rows:
    def __init__(self, rows):
        self.rows = rows

    def fetchall(self):
        return self.rows

    def fetchone(self):
        return self.rows[0] if self.rows else None

    def __iter__(self):
        return iter(self.rows)


class _PgConnection:
    """What the tests use of a sqlite3 connection, on a PostgreSQL database
    through psql: execute(sql, params) with ? parameters, its rows as
    tuples (a row read as JSON: numbers, text, NULL as None, booleans as
    1/0, as sqlite3 gives them). Each statement commits on its own."""

    def __init__(self, url):
        self.url = url

    def execute(self, sql, params=()):
        import json
        sql = _inline(sql, params).strip().rstrip(";")
        reads = sql.split(None, 1)[0].upper() in ("SELECT", "WITH", "VALUES")
        if reads:
            sql = "SELECT row_to_json(r_) FROM (%s) AS r_" % sql
        c = cluster()
        cmd = [os.path.join(c.bindir, "psql"), "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1",
               "-d", self.url, "-c", sql]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode:
            raise RuntimeError("psql: %s\n%s" % (sql[:300], r.stderr))
        if not reads:
            return _Rows([])
        return _Rows([tuple(_value(v) for _, v in json.loads(line, object_pairs_hook=list))
                      for line in r.stdout.splitlines() if line])

    def executescript(self, sql):
        self.execute(sql)

    def commit(self):
        pass

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def connect(path):
    """A connection to database PATH for a test to look into or tamper
    with: sqlite3's own on SQLite, a psql-backed one on PostgreSQL."""
    if not POSTGRES:
        import sqlite3
        return sqlite3.connect(path)
    return _PgConnection(target(path))
