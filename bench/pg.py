"""PostgreSQL for the benchmarks: a throwaway cluster (tests/lib/pgcluster.py,
Debian's postgresql, a Unix socket in a temporary folder), a SQLite
database copied into it with `cadre copy`, a database cloned from
another, and psql on it.

    c = pg.start(state)            # CADRE_STATE_DIR=state from now on
    url = pg.copy_in(cadre, 'm.db', c, 'bench')
    url2 = pg.clone(c, 'bench', 'run1', state)
    subprocess.run(pg.psql(c, 'run1') + ['-c', 'SELECT 1'])

Not a benchmark itself: imported by reports.py and import.py.
"""
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..', 'tests', 'lib'))
import pgcluster  # noqa: E402


def start(state):
    """A started throwaway cluster; cadre keeps the audit key and head of
    its databases in STATE (CADRE_STATE_DIR of every cadre run after)."""
    os.environ['CADRE_STATE_DIR'] = state
    c = pgcluster.Cluster()
    c.start()
    return c


def psql(c, name):
    """The psql command line for database NAME of cluster C: no psqlrc,
    quiet, unaligned tuples, stop on the first error."""
    return [os.path.join(c.bindir, 'psql'), '-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1',
            '-h', c.dir, '-p', str(c.port), '-U', c.user, '-d', name]


def copy_in(cadre, db, c, name):
    """SQLite database DB copied into a new database NAME of cluster C by
    `cadre copy`, then analysed: the cluster runs without autovacuum,
    which on a real server would have analysed the new tables before
    long, and without statistics the planner guesses. Its URL."""
    url = c.createdb(name)
    # It tells of every table it copied on stderr: shown only on failure.
    r = subprocess.run([cadre, 'copy', db, url], capture_output=True, text=True)
    if r.returncode:
        raise RuntimeError('cadre copy %s failed (%d):\n%s%s' % (db, r.returncode,
                                                                r.stdout, r.stderr))
    c.psql(name, '-c', 'ANALYZE')
    return url


def clone(c, src, dst, state):
    """A new database DST of cluster C made from SRC as its template
    (nothing may be connected to SRC), with SRC's audit key and head
    files in STATE. Its URL."""
    c.psql('postgres', '-c', 'DROP DATABASE IF EXISTS "%s"' % dst)
    c.psql('postgres', '-c', 'CREATE DATABASE "%s" TEMPLATE "%s"' % (dst, src))
    for ext in ('.key', '.head'):
        f = os.path.join(state, 'cadre-pg-' + src + ext)
        if os.path.exists(f):
            shutil.copyfile(f, os.path.join(state, 'cadre-pg-' + dst + ext))
            os.chmod(os.path.join(state, 'cadre-pg-' + dst + ext), 0o600)
    return c.url(dst)


def drop(c, name, state):
    """Database NAME and its key and head files gone."""
    c.psql('postgres', '-c', 'DROP DATABASE IF EXISTS "%s"' % name)
    for ext in ('.key', '.head'):
        f = os.path.join(state, 'cadre-pg-' + name + ext)
        if os.path.exists(f):
            os.remove(f)
