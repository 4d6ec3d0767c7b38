#!/usr/bin/env python3
"""`cadre copy FROM TO` (issue 15, part 4): the demo mission from SQLite
to PostgreSQL and back, on a throwaway cluster (tests/lib/engine.py).

Every kind exports the same at the three ends; the audit chain verifies
at each with the same head; ids go on after the copied ones (a write on
the copy works); the search index follows the trainees; a copy into a
database that holds anything is refused, and leaves it as it was.
Skipped without PostgreSQL.
"""
import os
import urllib.parse

import harness
from harness import cadre, ok_json, run, test, tmpdir

engine = harness.engine

KINDS = ('nations organisations sites consents pledges posts persons assignments '
         'caveats activities courses sessions training-plans trainees enrolments '
         'assessments status-events').split()
DIR = tmpdir()
SRC = os.path.join(DIR, 'src.db')
rc, out, err = harness.cadre_raw(['--db', SRC, 'demo'])
assert rc == 0, err
PG = engine.on_postgres(os.path.join(DIR, 'pg.db'))
BACK = os.path.join(DIR, 'back.db')


def exported(db):
    return {k: harness.cadre_raw(['--db', db, 'export', k])[1] for k in KINDS}


def verified(db):
    rc, out, err = harness.cadre_raw(['--db', db, 'audit', 'verify', '--json'])
    assert rc == 0, out + err
    return harness.json.loads(out)


@test
def there_and_back_every_record_and_the_chain_arrive():
    rc, out, err = harness.cadre_raw(['copy', SRC, PG, '--json'])
    assert rc == 0, out + err
    there = harness.json.loads(out)
    assert there['tables'] >= 20 and there['rows'] > 90000, there
    assert 'trainee' in err and 'audit' in err, err     # progress, a table a line
    # The copy leaves the planner its statistics (ANALYZE): a table never
    # analysed has no row estimate.
    tuples = engine.cluster().query(engine.name_of(os.path.join(DIR, 'pg.db')),
                                    "SELECT reltuples FROM pg_class WHERE relname = 'enrolment'")
    assert float(tuples.strip()) > 1000, tuples
    rc, out, err = harness.cadre_raw(['copy', PG, BACK, '--json'])
    assert rc == 0, out + err
    back = harness.json.loads(out)
    assert (back['rows'], back['entries'], back['head']) == \
        (there['rows'], there['entries'], there['head'])
    want = exported(SRC)
    assert all(want.values()), [k for k, v in want.items() if not v]
    assert exported(PG) == want
    assert exported(BACK) == want
    heads = {verified(db)['head'] for db in (SRC, PG, BACK)}
    assert heads == {there['head']}, heads
    # The mission's rules hold over the copy as over the original.
    for db in (PG, BACK):
        rc, out, err = harness.cadre_raw(['--db', db, 'check', '--json'])
        assert rc == 0 and harness.json.loads(out)['violations'] == [], out[:300] + err


@test
def the_demo_made_on_postgresql_says_what_sqlite_says():
    # Issue 15's "done when": the demo loaded into PostgreSQL itself, not
    # copied, then the mission's status on the day after the suspension
    # began, as SQLite answers it; and every record alike.
    direct = engine.on_postgres(os.path.join(DIR, 'direct.db'))
    rc, out, err = harness.cadre_raw(['--db', direct, 'demo'])
    assert rc == 0, out + err
    for day in ('2020-01-05', '2020-01-03', '2026-11-29'):
        got = [harness.cadre_raw(['--db', db, 'status', '--as-of', day, '--json'])
               for db in (SRC, direct)]
        assert all(g[0] == 0 for g in got), got
        assert got[0][1] == got[1][1], (day, got[0][1][:300], got[1][1][:300])
    assert harness.json.loads(got[0][1])['members'] > 0
    assert exported(direct) == exported(SRC)
    assert verified(direct)['entries'] == verified(SRC)['entries']


@test
def the_copy_takes_writes_and_finds_its_trainees():
    rc, out, err = harness.cadre_raw(['--db', PG, 'user', 'add', 'after.copy', '--role',
                                      'commander', '--clearance', 'NS'],
                                     stdin='a long enough password\n')
    assert rc == 0, out + err
    rc, out, err = harness.cadre_raw(['--db', PG, 'export', 'trainees'])
    name = out.splitlines()[1].split(',')[1]
    word = name.split()[0]
    rc, out, err = harness.cadre_raw(['--db', PG, 'token', 'add', 'after.copy', '--json'])
    assert rc == 0, out + err
    token = harness.json.loads(out)['token']
    srv = harness.Server(PG)
    try:
        st, _, j = srv.call('GET', '/api/v1/trainees?q=' + urllib.parse.quote(word), token)
    finally:
        srv.stop()
    assert st == 200 and name in [t['name'] for t in j['items']], (word, st, j)
    v = verified(PG)
    assert v['entries'] > 0


@test
def a_copy_into_a_database_in_use_is_refused():
    before = exported(PG)
    rc, out, err = harness.cadre_raw(['copy', SRC, PG])
    assert rc == 1 and 'holds a database already' in err and 'nothing was copied' in err, err
    assert exported(PG) == before
    rc, out, err = harness.cadre_raw(['copy', SRC])
    assert rc == 2 and 'expected FROM and TO' in err, err
    # The local operator's command, as backup is: no account copies.
    rc, out, err = harness.cadre_raw(['--as', 'after.copy', 'copy', SRC, BACK + '.2'])
    assert rc == 2 and "operator's command" in err, err
    assert not os.path.exists(BACK + '.2')


run()
