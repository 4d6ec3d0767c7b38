"""Which database engine the black-box tests run cadre on.

CADRE_TEST_ENGINE=postgres runs a test script's every database on a
throwaway PostgreSQL cluster (tests/lib/pgcluster.py), started on first
use and removed at exit: a database path the test makes (tmp/m.db) names
a PostgreSQL database of its own, created empty on first use, and the
audit key and head files go to the folder CADRE_STATE_DIR, as cadre keeps
them for a PostgreSQL database. Otherwise (the default) a path is a SQLite
file and nothing here does anything.
"""
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
    try:
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
