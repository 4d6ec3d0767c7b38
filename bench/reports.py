#!/usr/bin/env python3
"""Reports at scale: every report on a generated mission, timed against a
full scan of the enrolments table (`SELECT count(certificate) FROM
enrolment`, a column with no index) in the same database as the floor of
the machine.

usage: bench/reports.py [--scale 1] [--cadre build/cadre] [--db FILE]

At scale 1 (cadre generate): ~5,000 persons, 100,000 sessions, 1,000,000
enrolments over ten years. Aim (issue 7): each report within 5x the floor
and under a second.
"""
import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import time

REPORTS = [
    ['status', '--as-of', '2022-06-01'],
    ['report', 'manning', '--as-of', '2022-06-01'],
    ['report', 'contributions', '--as-of', '2022-06-01'],
    ['report', 'ceilings', '--from', '2022-01-01', '--to', '2022-04-01'],
    ['report', 'training-output', '--from', '2021-01-01', '--to', '2022-01-01'],
    ['report', 'transition', '--as-of', '2022-06-01'],
    ['report', 'capability', '--as-of', '2022-06-01'],
    ['report', 'suspension-impact', '--event', 'SUSP-2020-01'],
    ['report', 'transfer'],
]

# The generated mission owns every activity from the start; the transfer
# report needs one that changed hands. Professional military education
# (two of the seven generated courses) passes to the Iraqi military
# college halfway: ~5,700 sessions and ~220,000 enrolments move.
TRANSFER = ['transfer', 'TRN-PME', '--to', 'IRQ-MILCOL', '--on', '2021-01-01']


def best(fn, n=3):
    t = None
    for _ in range(n):
        s = time.perf_counter()
        fn()
        d = time.perf_counter() - s
        t = d if t is None else min(t, d)
    return t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--scale', type=float, default=1)
    ap.add_argument('--cadre', default='build/cadre')
    ap.add_argument('--db')
    a = ap.parse_args()
    db = a.db or os.path.join(tempfile.mkdtemp(prefix='cadre-scale-'), 'g.db')
    if not os.path.exists(db):
        t = time.perf_counter()
        subprocess.run([a.cadre, '--db', db, 'generate', '--scale', str(a.scale)],
                       check=True)
        print('generated in %.1f s' % (time.perf_counter() - t))
    con = sqlite3.connect(db)
    if not con.execute('SELECT count(*) FROM activity'
                       ' WHERE previous_owner IS NOT NULL').fetchone()[0]:
        print('transferring for the transfer report: ' + ' '.join(TRANSFER))
        subprocess.run([a.cadre, '--db', db] + TRANSFER, check=True,
                       stdout=subprocess.DEVNULL)
    n = con.execute('SELECT count(*) FROM enrolment').fetchone()[0]
    floor = best(lambda: con.execute('SELECT count(certificate) FROM enrolment').fetchone())
    print('enrolments %d; floor (full scan) %.3f s' % (n, floor))
    print('%-44s %9s %7s' % ('report', 'seconds', 'ratio'))
    for args in REPORTS:
        t = best(lambda: subprocess.run([a.cadre, '--db', db] + args + ['--json'],
                                        check=True, stdout=subprocess.DEVNULL), n=2)
        print('%-44s %9.3f %7.1f' % (' '.join(args), t, t / floor))
    return 0


if __name__ == '__main__':
    sys.exit(main())
