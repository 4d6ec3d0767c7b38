#!/usr/bin/env python3
"""As known on at scale: the cost of a read with --known-on (the mission
rebuilt from the audit log, docs/audit.md "As known on") beside the same
read without it, on a generated mission.

usage: bench/knownon.py [--scale 0.8] [--cadre build/cadre] [--db FILE]
                        [--runs 3]

cadre generate writes one audit entry per record: at scale 0.8 about
1,000,000 (the figure of issue 17); the script prints how many the log
holds. Timed, best of RUNS, each a whole cadre process: `status --as-of
2022-06-01` with and without `--known-on` (a moment after the last
entry, so the whole log is read), `show persons` of the first person likewise, and
`status --known-on` a moment before the first entry (the reconstruction's
fixed cost: a new database and its schema, one scan of the log). The
ratios, not the seconds, are the result on a shared machine.
"""
import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import time

AFTER = '2999-01-01T00:00:00Z'     # a moment to come: now, the whole log
BEFORE = '1990-01-01T00:00:00Z'    # before the first entry: nothing



def best(cmd, runs):
    t = None
    for _ in range(runs):
        s = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        d = time.perf_counter() - s
        t = d if t is None else min(t, d)
    return t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--scale', type=float, default=0.8)
    ap.add_argument('--cadre', default='build/cadre')
    ap.add_argument('--db')
    ap.add_argument('--runs', type=int, default=3)
    a = ap.parse_args()
    db = a.db or os.path.join(tempfile.mkdtemp(prefix='cadre-knownon-'),
                              'gen.db')
    if not os.path.exists(db):
        print('generating scale %g into %s ...' % (a.scale, db), flush=True)
        s = time.perf_counter()
        subprocess.run([a.cadre, '--db', db, 'generate', '--scale',
                        str(a.scale)], check=True, stdout=subprocess.DEVNULL)
        print('  %.1f s' % (time.perf_counter() - s))
    with sqlite3.connect(db) as c:
        entries = c.execute('SELECT count(*) FROM audit').fetchone()[0]
        person = c.execute('SELECT code FROM person ORDER BY id LIMIT 1'
                           ).fetchone()[0]
    reads = [('status', ['status', '--as-of', '2022-06-01']),
             ('show person', ['show', 'persons', person])]
    print('audit entries: %d' % entries)
    base = [a.cadre, '--db', db]
    print('%-14s %10s %12s %8s' % ('read', 'live s', 'known-on s', 'ratio'))
    rebuilt = None
    for name, args in reads:
        live = best(base + args, a.runs)
        past = best(base + args + ['--known-on', AFTER], a.runs)
        rebuilt = past if rebuilt is None else min(rebuilt, past)
        print('%-14s %10.3f %12.3f %8.1f' % (name, live, past, past / live))
    empty = best(base + ['status', '--known-on', BEFORE], a.runs)
    print('%-14s %10s %12.3f' % ('empty mission', '', empty))
    per = (rebuilt - empty) / max(entries, 1) * 1e6
    print('about %.1f us per audit entry read and rebuilt' % per)
    return 0


if __name__ == '__main__':
    sys.exit(main())
