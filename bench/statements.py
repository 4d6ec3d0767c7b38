#!/usr/bin/env python3
"""What cadre asks PostgreSQL: the statements one command runs, counted by
their text, from the server's own log (log_statement = 'all') in a
throwaway cluster (tests/lib/pgcluster.py), and the round trips (every
statement executed, prepared or described waits for its answer).

usage: bench/statements.py [--cadre build/cadre] [--rows 100] [--top 20]
                           [--report 'report transition --as-of 2022-06-01']
                           [--scale 0.02] [--status postponed] [--width 110]

Without --report: `cadre import enrolments` of ROWS and of 2 x ROWS rows,
each into a fresh copy of the demo with 2 x ROWS trainees (as
bench/import.py makes it), and each statement's count per row (the
difference of the two runs over ROWS) and once per import (what is left).
--status planned enrols into a session that runs (CAPACITY then holds
2 x ROWS to the course's 200) rather than a postponed one, as import.py.
With --report: the mission of bench/reports.py (cadre generate at SCALE,
the transfer) and the statements of that one report, run once.

Round trips are counted from libpq's side by strace: each synchronous
exchange is one sendto() to the server's socket (PQexec, PQexecParams,
PQexecPrepared, PQprepare, PQdescribePrepared send each their messages in
one write). Not a benchmark: nothing is timed.
"""
import argparse
import collections
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pg  # noqa: E402
import reports  # noqa: E402

# An entry of the server's log, its prefix set to '%p ' below; a message
# over several lines goes on with a tab.
ENTRY = re.compile(r'^(\d+) (LOG|DETAIL|ERROR|STATEMENT|HINT|WARNING|NOTICE|CONTEXT):  (.*)')
STMT = re.compile(r'^(?:statement|execute ([^:]+)): (.*)', re.S)


def entries(log, start):
    """(pid, kind, text) of each entry of LOG from byte START on."""
    with open(log, 'rb') as f:
        f.seek(start)
        text = f.read().decode('utf-8', 'replace')
    cur = None
    for line in text.split('\n'):
        m = ENTRY.match(line)
        if m:
            if cur:
                yield cur
            cur = [m.group(1), m.group(2), m.group(3)]
        elif cur and line.startswith('\t'):
            cur[2] += '\n' + line[1:]
    if cur:
        yield cur


def short(sql, width):
    s = ' '.join(sql.split())
    return s if len(s) <= width else s[:width - 3] + '...'


def statements(c, cmd, width):
    """Counter of the statements (text, abbreviated) CMD runs, and its
    number of round trips to the server."""
    start = os.path.getsize(c.log)
    trace = os.path.join(c.dir, 'strace')
    subprocess.run(['strace', '-f', '-qq', '-e', 'trace=sendto', '-o', trace] + cmd,
                   check=True, stdout=subprocess.DEVNULL)
    # The log is written by the server a moment after it answers: a
    # statement of our own, logged too, is the end of cadre's.
    c.psql('postgres', '-c', 'SELECT 1 AS end_of_cadre')
    counts = collections.Counter()
    for pid, kind, text in entries(c.log, start):
        m = STMT.match(text) if kind == 'LOG' else None
        if not m:
            continue
        if 'end_of_cadre' in m.group(2):
            break
        counts[short(m.group(2), width)] += 1
    with open(trace) as f:
        trips = sum(1 for line in f if 'sendto(' in line)
    return counts, trips


def log_all(c):
    c.psql('postgres', '-c', "ALTER SYSTEM SET log_statement = 'all'")
    c.psql('postgres', '-c', "ALTER SYSTEM SET log_line_prefix = '%p '")
    c.psql('postgres', '-c', 'SELECT pg_reload_conf()')


def imports(a, d, c):
    base = os.path.join(d, 'base.db')
    subprocess.run([a.cadre, '--db', base, 'demo'], check=True, stdout=subprocess.DEVNULL)
    out = subprocess.run(['sqlite3', base, "SELECT key FROM session WHERE course = "
                          "'NCO-JLC' AND status = '%s' LIMIT 1" % a.status],
                         capture_output=True, text=True, check=True)
    session = out.stdout.strip()
    with open(os.path.join(d, 'trainees.csv'), 'w') as f:
        f.write('service_number,name,nation,unit\n')
        for i in range(2 * a.rows):
            f.write('BX-%07d,Bench trainee %d,IRQ,IRQ-U-INF1\n' % (i, i))
    subprocess.run([a.cadre, '--db', base, 'import', 'trainees',
                    os.path.join(d, 'trainees.csv')], check=True, stdout=subprocess.DEVNULL)
    pg.copy_in(a.cadre, base, c, 'base')
    log_all(c)
    runs = []
    for n in (a.rows, 2 * a.rows):
        f = os.path.join(d, 'enrol%d.csv' % n)
        with open(f, 'w') as w:
            w.write('session,trainee,attendance,result\n')
            for i in range(n):
                w.write('%s,BX-%07d,enrolled,pending\n' % (session, i))
        url = pg.clone(c, 'base', 'i%d' % n, d)
        runs.append(statements(c, [a.cadre, '--db', url, 'import', 'enrolments', f], a.width))
    (c1, t1), (c2, t2) = runs
    print('cadre import enrolments on PostgreSQL: %d rows into %s' % (a.rows, session))
    print('round trips: %d for %d rows, %d for %d: %.2f a row, %.0f once'
          % (t1, a.rows, t2, 2 * a.rows, (t2 - t1) / a.rows, t1 - (t2 - t1)))
    print('%8s %8s  statement' % ('per row', 'once'))
    rows = []
    for sql in set(c1) | set(c2):
        per = (c2[sql] - c1[sql]) / a.rows
        rows.append((per, c1[sql] - per * a.rows, sql))
    rows.sort(key=lambda r: (-r[0], -r[1]))
    for per, once, sql in rows[:a.top]:
        print('%8.2f %8.0f  %s' % (per, once, sql))
    if len(rows) > a.top:
        print('%8.2f %8.0f  (%d statements more)' % (sum(r[0] for r in rows[a.top:]),
                                                     sum(r[1] for r in rows[a.top:]),
                                                     len(rows) - a.top))
    print('%8.2f %8.0f  in all' % (sum(r[0] for r in rows), sum(r[1] for r in rows)))


def report(a, d, c):
    db = os.path.join(d, 'g.db')
    subprocess.run([a.cadre, '--db', db, 'generate', '--scale', str(a.scale)],
                   check=True, stdout=subprocess.DEVNULL)
    subprocess.run([a.cadre, '--db', db] + reports.TRANSFER, check=True,
                   stdout=subprocess.DEVNULL)
    url = pg.copy_in(a.cadre, db, c, 'bench')
    log_all(c)
    args = shlex.split(a.report)
    counts, trips = statements(c, [a.cadre, '--db', url] + args + ['--json'], a.width)
    print('cadre %s on PostgreSQL (generated at scale %g): %d statements, '
          '%d round trips' % (a.report, a.scale, sum(counts.values()), trips))
    print('%8s  statement' % 'count')
    for sql, n in counts.most_common(a.top):
        print('%8d  %s' % (n, sql))
    rest = counts.most_common()[a.top:]
    if rest:
        print('%8d  (%d statements more)' % (sum(n for _, n in rest), len(rest)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--cadre', default='build/cadre')
    ap.add_argument('--rows', type=int, default=100)
    ap.add_argument('--top', type=int, default=20)
    ap.add_argument('--report')
    ap.add_argument('--scale', type=float, default=0.02)
    ap.add_argument('--status', default='postponed')
    ap.add_argument('--width', type=int, default=110)
    a = ap.parse_args()
    if not shutil.which('strace'):
        ap.error('strace is needed to count round trips')
    d = tempfile.mkdtemp(prefix='cadre-statements-')
    c = pg.start(d)
    try:
        (report if a.report else imports)(a, d, c)
    finally:
        c.stop()
        shutil.rmtree(d)


if __name__ == '__main__':
    sys.exit(main())
