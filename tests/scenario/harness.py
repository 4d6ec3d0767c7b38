"""A small TAP harness for the tests that drive the real `cadre` binary.

Register tests with @test; run() prints TAP and exits non-zero on failure.
cadre(...) runs the binary and returns (exit status, stdout, stderr).
"""
import json
import os
import subprocess
import sys
import tempfile
import traceback

CADRE = os.environ.get('CADRE', 'build/cadre')
_tests = []


def test(fn):
    _tests.append(fn)
    return fn


def cadre(db, *args, stdin=None):
    env = dict(os.environ, CADRE_TODAY='2026-11-29')
    p = subprocess.run([CADRE, '--db', db] + list(args), input=stdin,
                       capture_output=True, text=True, env=env, timeout=600)
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


def tmpdir():
    return tempfile.mkdtemp(prefix='cadre-scn-')


def write(path, text):
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text)
    return path


def run():
    print('1..%d' % len(_tests))
    failed = 0
    for i, fn in enumerate(_tests, 1):
        name = fn.__name__
        try:
            fn()
            print('ok %d - %s' % (i, name))
        except Exception:  # pylint: disable=broad-except
            failed += 1
            print('not ok %d - %s' % (i, name))
            for line in traceback.format_exc().splitlines():
                print('# ' + line)
        sys.stdout.flush()
    sys.exit(1 if failed else 0)
