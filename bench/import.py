#!/usr/bin/env python3
"""Import benchmark: `cadre import` of N enrolments from CSV against the
sqlite3 shell's `.import` of the same file into the same table, run side
by side in this script so that the ratio holds on a noisy machine.

usage: bench/import.py [--rows N] [--cadre build/cadre] [--repeat 3] [--floor]

cadre does more per row than .import: it parses RFC 4180 with libcsv,
validates every field and reference, checks the rules, writes an audit
entry with a BLAKE2b hash chain, all in one transaction. The bar (issue 7)
is 3x the .import time.

It prints the ratio of the best runs and the ratio of each cadre run to
the sqlite3 run after it, with their median.

--floor also times the sqlite3 shell writing what cadre writes, in bulk:
the same rows, and an audit row of the same size per enrolment (no
parsing, validation or hashing, and one statement for all rows where
cadre runs three per row): how much of cadre's time is the writing of
those bytes at all.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def run(cmd, **kw):
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, **kw)
    return time.perf_counter() - t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--rows', type=int, default=100000)
    ap.add_argument('--cadre', default='build/cadre')
    ap.add_argument('--repeat', type=int, default=3)
    ap.add_argument('--floor', action='store_true')
    a = ap.parse_args()
    d = tempfile.mkdtemp(prefix='cadre-bench-')
    base = os.path.join(d, 'base.db')
    # A small mission with one session to enrol into and N trainees.
    subprocess.run([a.cadre, '--db', base, 'demo'], check=True,
                   stdout=subprocess.DEVNULL)
    trainees = os.path.join(d, 'trainees.csv')
    enrol = os.path.join(d, 'enrolments.csv')
    with open(trainees, 'w') as f:
        f.write('service_number,name,nation,unit\n')
        for i in range(a.rows):
            f.write('BX-%07d,Bench trainee %d,IRQ,IRQ-U-INF1\n' % (i, i))
    session = 'NCO-JLC/2026-11-17'
    out = subprocess.run(['sqlite3', base, "SELECT key FROM session WHERE "
                          "course = 'NCO-JLC' AND status = 'planned' LIMIT 1"],
                         capture_output=True, text=True, check=True)
    session = out.stdout.strip() or session
    with open(enrol, 'w') as f:
        f.write('session,trainee,attendance,result\n')
        for i in range(a.rows):
            f.write('%s,BX-%07d,enrolled,pending\n' % (session, i))
    subprocess.run([a.cadre, '--db', base, 'import', 'trainees', trainees],
                   check=True, stdout=subprocess.DEVNULL)
    best_c = best_s = best_f = None
    pairs = []
    for _ in range(a.repeat):
        db = os.path.join(d, 'c.db')
        shutil.copy(base, db)
        tc = run([a.cadre, '--db', db, 'import', 'enrolments', enrol])
        db2 = os.path.join(d, 's.db')
        shutil.copy(base, db2)
        # .import makes a staging table from the header, then the rows go
        # into the same table with its keys, foreign keys and indexes.
        ts = run(['sqlite3', db2, '.mode csv',
                  '.import %s enrolment_in' % enrol,
                  'INSERT INTO enrolment (key, session, trainee, attendance, result)'
                  ' SELECT session || \'/\' || trainee, session, trainee,'
                  ' attendance, result FROM enrolment_in'])
        pairs.append(tc / ts)
        best_c = tc if best_c is None else min(best_c, tc)
        best_s = ts if best_s is None else min(best_s, ts)
        if a.floor:
            db3 = os.path.join(d, 'f.db')
            shutil.copy(base, db3)
            tf = run(['sqlite3', db3, '.mode csv',
                      '.import %s enrolment_in' % enrol, 'BEGIN',
                      'INSERT INTO enrolment (key, session, trainee, attendance, result)'
                      ' SELECT session || \'/\' || trainee, session, trainee,'
                      ' attendance, result FROM enrolment_in',
                      'INSERT INTO audit (seq, at, actor, action, entity, key,'
                      ' before, after, hash)'
                      ' SELECT (SELECT max(seq) FROM audit) + e.rowid,'
                      ' strftime(\'%Y-%m-%dT%H:%M:%SZ\'), \'bench\', \'insert\','
                      ' \'enrolment\', e.session || \'/\' || e.trainee, NULL,'
                      ' json_object(\'session\', e.session, \'trainee\', e.trainee,'
                      ' \'attendance\', e.attendance, \'result\', e.result,'
                      ' \'certificate\', NULL, \'classification\', \'NU\','
                      ' \'releasability\', \'MISSION\', \'provenance\', \'entered\'),'
                      ' randomblob(32)'
                      ' FROM enrolment_in e', 'COMMIT'])
            best_f = tf if best_f is None else min(best_f, tf)
    print('rows                     %d' % a.rows)
    print('cadre import enrolments  %.2f s  (%.0f rows/s)' % (best_c, a.rows / best_c))
    print('sqlite3 .import + insert %.2f s  (%.0f rows/s)' % (best_s, a.rows / best_s))
    print('ratio cadre / sqlite3    %.2f  (bar: 3.0)' % (best_c / best_s))
    # Each cadre run against the sqlite3 run right after it: on a shared
    # machine the pair sees the same weather, and the median of the pairs
    # is steadier than a ratio of two minimums.
    print('ratio of each pair       %s  (median %.2f)'
          % (' '.join('%.2f' % r for r in pairs), statistics.median(pairs)))
    if a.floor:
        print('sqlite3 bulk, same bytes %.2f s  (ratio %.2f)'
              % (best_f, best_f / best_s))
    shutil.rmtree(d)


if __name__ == '__main__':
    sys.exit(main())
