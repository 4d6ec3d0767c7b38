#!/usr/bin/env python3
"""`cadre check` and GET /api/v1/check (issue 14, part 5): the demo mission
passes with no violation; two overlapping sessions imported with the same
trainer are found, naming the rule, both sessions and the days; the JSON
shape; who may run it (commander, auditor, admin; not the others)."""
import datetime
import json
import os

from dbstate import fingerprint
import harness
from harness import Server, cadre, copy_db, ok_json, run, test, tmpdir, write

DIR = tmpdir()
DB = os.path.join(DIR, 'demo.db')
PW = 'a long enough password'
assert cadre(DB, 'demo')[0] == 0
for login, role in (('cmd', 'commander'), ('aud', 'auditor'), ('trn', 'training')):
    rc, out, err = cadre(DB, 'user', 'add', login, '--role', role,
                         '--clearance', 'NS', stdin=PW + '\n')
    assert rc == 0, err
TOKEN = {l: ok_json(DB, 'token', 'add', l)['token'] for l in ('cmd', 'aud', 'trn')}


def day(s, n):
    return (datetime.date.fromisoformat(s) + datetime.timedelta(days=n)).isoformat()


@test
def demo_passes_with_no_violation():
    rc, out, err = cadre(DB, 'check')
    assert rc == 0, (rc, out, err)
    assert out == '0 violations from 2018-10-01 on\n', out
    rc, out, err = cadre(DB, 'check', '--json')
    assert rc == 0, (rc, out, err)
    j = json.loads(out)
    assert j['violations'] == [] and j['count'] == 0 and j['hidden'] == 0, j
    assert j['from'] == '2018-10-01' and j['to'] == '9999-12-31', j


@test
def overlapping_sessions_with_one_trainer_are_found():
    db = os.path.join(DIR, 'clash.db')
    copy_db(DB, db)
    planned = [s for s in ok_json(db, 'list', 'sessions', '--where', 'status=planned')
               if s['trainers']]
    s = sorted(planned, key=lambda x: x['key'])[0]
    trainer = s['trainers'].split(';')[0]
    start, end = day(s['valid_from'], 2), day(s['valid_to'], 2)
    csv = write(os.path.join(DIR, 'clash.csv'),
                'course,site,valid_from,valid_to,trainers\n%s,%s,%s,%s,%s\n'
                % (s['course'], s['site'], start, end, trainer))
    new = '%s/%s' % (s['course'], start)
    # Refused at the write, naming the rule, the trainer, both sessions
    # and the days; nothing is written.
    before = fingerprint(db)
    rc, out, err = cadre(db, 'import', 'sessions', csv, '--json')
    assert rc == 1, (rc, out, err)
    e = json.loads(out)['error']
    assert e['rule'] == 'TRAINER-CLASH', e
    assert e['records'] == [trainer] + sorted([s['key'], new]), e
    assert e['dates'] == [start, day(s['valid_to'], -1)], e
    # The row of the file's record it names.
    assert [(x['line'], x['value']) for x in e['errors']] == [(2, new)], e
    assert fingerprint(db) == before
    # As a database from before the rules holds it: the check finds it.
    with harness.engine.connect(db) as c:
        c.execute("INSERT INTO session (key, course, site, valid_from, valid_to,"
                  " trainers, status) VALUES (?, ?, ?, ?, ?, ?, 'planned')",
                  (new, s['course'], s['site'], start, end, trainer))
    c.close()
    rc, out, err = cadre(db, 'check', '--json')
    assert rc == 1, (rc, out, err)
    j = json.loads(out)
    assert j['count'] == 1, j
    v = j['violations'][0]
    assert set(v) == {'rule', 'message', 'records', 'dates'}, v
    assert v['rule'] == 'TRAINER-CLASH', v
    assert v['records'] == [trainer] + sorted([s['key'], new]), v
    # Days both hold the trainer: from the second's start to the day
    # before the first ends.
    assert v['dates'] == [start, day(s['valid_to'], -1)], v
    rc, out, err = cadre(db, 'check')
    assert rc == 1, (rc, out, err)
    assert out.startswith('TRAINER-CLASH: trainer %s is in sessions' % trainer), out
    assert s['key'] in out and new in out, out
    assert '1 violation from' in out, out
    # A day before either: nothing; a day of both: the same one.
    rc, out, err = cadre(db, 'check', '--as-of', day(s['valid_from'], -1))
    assert rc == 0, (rc, out, err)
    j = json.loads(cadre(db, 'check', '--as-of', start, '--json')[1])
    assert j['count'] == 1 and j['violations'][0]['dates'] == [start], j
    assert j['from'] == start and j['to'] == day(start, 1), j
    rc, out, err = cadre(db, 'check', '--from', day(start, 1), '--to', day(start, 3),
                         '--json')
    assert rc == 1 and json.loads(out)['violations'][0]['dates'] == \
        [day(start, 1), day(start, 2)], out


@test
def usage_errors():
    assert cadre(DB, 'check', '--as-of', '2026-01-01', '--from', '2026-01-01')[0] == 2
    assert cadre(DB, 'check', '--from', '2026-01-05', '--to', '2026-01-05')[0] == 2
    assert cadre(DB, 'check', '--as-of', '2026-02-30')[0] == 2


@test
def who_may_run_it_on_the_command_line():
    assert cadre(DB, '--as', 'cmd', 'check')[0] == 0
    assert cadre(DB, '--as', 'aud', 'check')[0] == 0
    rc, out, err = cadre(DB, '--as', 'trn', 'check', '--json')
    assert rc == 1, (rc, out, err)
    assert json.loads(out)['error']['code'] == 'FORBIDDEN', out


@test
def the_api_for_commander_and_auditor_only():
    srv = Server(DB)
    try:
        for login in ('cmd', 'aud'):
            st, _, j = srv.call('GET', '/api/v1/check', TOKEN[login])
            assert st == 200, (login, st, j)
            assert j['violations'] == [] and j['count'] == 0, j
            st, _, j = srv.call('GET', '/api/v1/check?as_of=2026-06-01', TOKEN[login])
            assert st == 200 and j['from'] == '2026-06-01' and j['to'] == '2026-06-02', j
        st, _, j = srv.call('GET', '/api/v1/check', TOKEN['trn'])
        assert st == 403, (st, j)
        st, _, j = srv.call('GET', '/api/v1/check')
        assert st == 401, (st, j)
        st, _, j = srv.call('GET', '/api/v1/check?from=2026-13-01', TOKEN['cmd'])
        assert st == 400, (st, j)
        st, _, j = srv.call('GET', '/api/v1/openapi.json')
        assert '/api/v1/check' in j['paths'], sorted(j['paths'])
    finally:
        srv.stop()


run()
