#!/usr/bin/env python3
"""Reports at scale: every report on a generated mission, timed against a
full scan of the enrolments table (`SELECT count(certificate) FROM
enrolment`, a column with no index) in the same database as the floor of
the machine.

usage: bench/reports.py [--scale 1] [--cadre build/cadre] [--db FILE]
                        [--engines sqlite,postgres]

At scale 1 (cadre generate): ~5,000 persons, 100,000 sessions, 1,000,000
enrolments over ten years. Aim (issue 7): each report within 5x the floor
and under a second; issue 15: the same on PostgreSQL.

Each report's time includes starting the cadre process (and, on
PostgreSQL, its connection), so the floor includes starting the engine's
own shell: `sqlite3 FILE` or `psql` on the cluster's socket, best of 5.
On SQLite the scan inside this process (Python's sqlite3, no start) is
printed beside it, as the floor of the earlier figures.

--engines sqlite,postgres runs every report on each engine, side by side
in one table, each against its own floor: the mission is generated once
on SQLite (with the transfer below) and copied (cadre copy) into a
throwaway PostgreSQL cluster (tests/lib/pgcluster.py; Debian's
postgresql) on a Unix socket, then analysed, as autovacuum (off in that
cluster) would have done.
"""
import argparse
import os
import shutil
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

SCAN = 'SELECT count(certificate) FROM enrolment'


def best(fn, n=3):
    t = None
    for _ in range(n):
        s = time.perf_counter()
        fn()
        d = time.perf_counter() - s
        t = d if t is None else min(t, d)
    return t


def quiet(cmd):
    return lambda: subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--scale', type=float, default=1)
    ap.add_argument('--cadre', default='build/cadre')
    ap.add_argument('--db')
    ap.add_argument('--engines', default='sqlite',
                    help='comma-separated: sqlite, postgres')
    a = ap.parse_args()
    for engine in a.engines.split(','):
        if engine not in ('sqlite', 'postgres'):
            ap.error('unknown engine %s (sqlite, postgres)' % engine)
    # The mission (without --db) and the audit key and head of its copy
    # (CADRE_STATE_DIR) live here, removed at the end; --db FILE is kept
    # for the next run, generated when missing.
    d = tempfile.mkdtemp(prefix='cadre-scale-')
    try:
        return bench(a, d)
    finally:
        shutil.rmtree(d)


def bench(a, d):
    engines = a.engines.split(',')
    db = a.db or os.path.join(d, 'g.db')
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
    inproc = best(lambda: con.execute(SCAN).fetchone())
    con.close()
    cluster = None
    try:
        targets, floors = {}, {}
        for engine in engines:
            if engine == 'sqlite':
                targets[engine] = db
                floors[engine] = best(quiet(['sqlite3', db, SCAN]), n=5)
            elif engine == 'postgres':
                sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
                import pg
                cluster = pg.start(d)
                t = time.perf_counter()
                targets[engine] = pg.copy_in(a.cadre, db, cluster, 'bench')
                print('copied into PostgreSQL and analysed in %.1f s'
                      % (time.perf_counter() - t))
                floors[engine] = best(quiet(pg.psql(cluster, 'bench') + ['-c', SCAN]), n=5)
        print('enrolments %d; floor (full scan, the shell\'s start included):' % n)
        for engine in engines:
            print('  %-8s %.3f s%s' % (engine, floors[engine],
                                       ' (in-process %.3f s)' % inproc
                                       if engine == 'sqlite' else ''))
        print('%-56s' % 'report' + ''.join('%10s %6s' % (e, 'ratio') for e in engines))
        sys.stdout.flush()
        for args in REPORTS:
            line = '%-56s' % ' '.join(args)
            for engine in engines:
                t = best(quiet([a.cadre, '--db', targets[engine]] + args + ['--json']), n=2)
                line += '%10.3f %6.1f' % (t, t / floors[engine])
            print(line)
            sys.stdout.flush()
    finally:
        if cluster:
            cluster.stop()
    return 0


if __name__ == '__main__':
    sys.exit(main())
