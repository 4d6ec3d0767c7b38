"""A small TAP harness for the tests that drive the real `cadre` binary.

Register tests with @test; run() prints TAP and exits non-zero on failure.
cadre(...) runs the binary and returns (exit status, stdout, stderr).
"""
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import traceback

# The helpers both suites share, in tests/lib (meson puts it on PYTHONPATH
# too; this is for running a script by hand).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from dbstate import copy_db as _copy_file  # noqa: E402
import engine  # noqa: E402


def copy_db(src, dst):
    """Copy database SRC to DST (a path, or a folder to copy it into),
    on whichever engine the tests run (tests/lib/engine.py)."""
    if not engine.POSTGRES:
        return _copy_file(src, dst)
    if os.path.isdir(dst):
        dst = os.path.join(dst, os.path.basename(src))
    return engine.copy(src, dst)

CADRE = os.environ.get('CADRE', 'build/cadre')
_tests = []


def test(fn):
    _tests.append(fn)
    return fn


class Skip(Exception):
    """Raised by a test that does not apply here (TAP's # SKIP REASON):
    a SQLite file's own behaviour on PostgreSQL, a tmpfs without root."""


def cadre(db, *args, stdin=None):
    if engine.POSTGRES and args == ('demo',) and os.environ.get('CADRE_TEST_PG_DEMO') != 'load':
        return demo_by_copy(db)
    return cadre_raw(['--db', engine.target(db)] + list(args), stdin=stdin)


def demo_by_copy(db):
    """The demo mission into DB on PostgreSQL as `cadre copy` brings it
    from SQLite: the same records, ids and audit chain, in a fraction of
    the time the demo's 49,000 writes take over a socket (test_api on
    PostgreSQL loads the demo itself: CADRE_TEST_PG_DEMO=load)."""
    seed = db + '.seed.db'
    rc, out, err = cadre_raw(['--db', seed, 'demo'])
    if rc:
        return rc, out, err
    return cadre_raw(['copy', seed, engine.target(db)])


def cadre_raw(argv, stdin=None):
    """cadre with ARGV as given (no --db added): (status, stdout, stderr)."""
    env = dict(os.environ, CADRE_TODAY='2026-11-29')
    p = subprocess.run([CADRE] + list(argv), input=stdin, capture_output=True,
                       text=True, env=env, timeout=600)
    return p.returncode, p.stdout, p.stderr


def ok_json(db, *args):
    rc, out, err = cadre(db, *args, '--json')
    assert rc == 0, 'cadre %s: exit %d: %s%s' % (' '.join(args), rc, err, out)
    return json.loads(out)


def refused(db, *args):
    """Run a command that must be refused by a rule; return its error."""
    rc, out, err = cadre(db, *args, '--json')
    assert rc == 1, 'cadre %s: expected exit 1, got %d: %s%s' % (
        ' '.join(args), rc, err, out)
    return json.loads(out)['error']


_tmpdirs = []


def tmpdir():
    """A new folder of the script's, removed when every test passed; kept
    (and named) when one failed, to look at."""
    d = tempfile.mkdtemp(prefix='cadre-scn-')
    _tmpdirs.append(d)
    return d


def write(path, text):
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text)
    return path


class Server:
    """`cadre serve` on DB with ARGS, on a free port of 127.0.0.1 (it
    prints the address it took), until stop()."""

    def __init__(self, db, *args, env=None):
        e = dict(os.environ, CADRE_TODAY='2026-11-29')
        e.update(env or {})
        self.p = subprocess.Popen([CADRE, '--db', engine.target(db), 'serve', '--listen',
                                   '127.0.0.1:0', '--quiet'] + list(args),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True, env=e)
        line = self.p.stdout.readline()
        m = re.search(r':(\d+)/', line)
        assert m, line + self.p.stderr.read()
        self.port = int(m.group(1))

    def fetch(self, method, path, body=None, headers=None, conn=None):
        """(status, headers, body as text); on CONN if given (kept open)."""
        c = conn or http.client.HTTPConnection('127.0.0.1', self.port, timeout=30)
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        data = r.read().decode('utf-8', 'replace')
        if not conn:
            c.close()
        return r.status, dict(r.getheaders()), data

    def call(self, method, path, token=None, body=None, headers=None):
        """(status, headers, JSON or None) with TOKEN as the bearer; a BODY
        that is not text is sent as JSON."""
        h = {'Authorization': 'Bearer ' + token} if token else {}
        h.update(headers or {})
        if body is not None and not isinstance(body, (str, bytes)):
            body = json.dumps(body)
        st, hd, data = self.fetch(method, path, body, h)
        try:
            j = json.loads(data)
        except ValueError:
            j = None
        return st, hd, j

    def stop(self):
        """SIGTERM; (exit status, standard error)."""
        self.p.send_signal(signal.SIGTERM)
        rc = self.p.wait(timeout=20)
        return rc, self.p.stderr.read()


def run():
    print('1..%d' % len(_tests))
    failed = 0
    for i, fn in enumerate(_tests, 1):
        name = fn.__name__
        try:
            fn()
            print('ok %d - %s' % (i, name))
        except Skip as why:
            print('ok %d - %s # SKIP %s' % (i, name, why))
        except Exception:  # pylint: disable=broad-except
            failed += 1
            print('not ok %d - %s' % (i, name))
            for line in traceback.format_exc().splitlines():
                print('# ' + line)
        sys.stdout.flush()
    if failed:
        print('# kept: ' + ' '.join(_tmpdirs))
    else:
        for d in _tmpdirs:
            shutil.rmtree(d, ignore_errors=True)
    sys.exit(1 if failed else 0)
