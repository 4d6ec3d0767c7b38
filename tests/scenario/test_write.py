#!/usr/bin/env python3
"""The one write path, seen from outside: markings changed only by the
commander and the administrator (and audited as such), never above the
writer's clearance nor released beyond what they may release; references
to hidden records refused as missing ones; the audit log per reader; a
database failure reported as one; and `--as` on every command."""
import json
import os

import harness
from harness import CADRE, cadre, copy_db, engine, ok_json, run, test, tmpdir, write

DIR = tmpdir()
DB = os.path.join(DIR, 'demo.db')
assert cadre(DB, 'demo')[0] == 0
PW = 'a long enough password'
USERS = {
    'trainer': ['--role', 'trainer', '--clearance', 'NR'],
    'j1': ['--role', 'manning', '--clearance', 'NS'],
    'j7': ['--role', 'training', '--clearance', 'NS'],
    'cmd': ['--role', 'commander', '--clearance', 'NS'],
    'adm': ['--role', 'admin', '--clearance', 'CTS'],
    'adm.ns': ['--role', 'admin', '--clearance', 'NS'],
    'aud.ns': ['--role', 'auditor', '--clearance', 'NS'],
    'aud.cts': ['--role', 'auditor', '--clearance', 'CTS'],
    'irq': ['--role', 'liaison', '--nation', 'IRQ', '--clearance', 'NR'],
}
for login, args in USERS.items():
    rc, out, err = cadre(DB, 'user', 'add', login, *args, stdin=PW + '\n')
    assert rc == 0, (login, out, err)
TOKEN = {l: ok_json(DB, 'token', 'add', l)['token'] for l in USERS}

# Records the tests start from, written by the local operator.
write(os.path.join(DIR, 'p.csv'),
      'code,name,nation,category,valid_from,classification\n'
      'SECRET-P,Secret Person,CAN,military,2026-01-01,NS\n')
write(os.path.join(DIR, 't.csv'),
      'service_number,name,nation,unit,classification,releasability\n'
      'CTS-T1,Cosmic Trainee,IRQ,IRQ-U-INF1,CTS,MISSION\n'
      'FREE-T1,Free Trainee,IRQ,IRQ-U-INF1,NU,MISSION;IRQ\n')
assert ok_json(DB, 'import', 'persons', os.path.join(DIR, 'p.csv'))['inserted'] == 1
assert ok_json(DB, 'import', 'trainees', os.path.join(DIR, 't.csv'))['inserted'] == 2
ENROLMENT = 'NCO-JLC/2019-01-13/IQ-000001'


class Server(harness.Server):
    def req(self, method, path, who, body=None, headers=None):
        return self.call(method, path, TOKEN[who], body, headers)

    def get(self, path, who):
        return self.req('GET', path, who)

    def patch(self, path, who, body):
        st, h, _ = self.get(path, who)
        assert st == 200, (path, who, st)
        return self.req('PATCH', path, who, body, {'If-Match': h['ETag']})

    def stop(self):
        rc, err = super().stop()
        assert rc == 0, err

SRV = Server(DB)


def stored(kind, key):
    return ok_json(DB, 'show', kind, key)


def log(*args):
    rc, out, err = cadre(DB, *args, '--json')
    assert rc == 0, (args, rc, out, err)
    return [json.loads(l) for l in out.splitlines()]


def import_as(who, kind, text):
    path = write(os.path.join(tmpdir(), kind + '.csv'), text)
    rc, out, err = cadre(DB, '--as', who, 'import', kind, path, '--json')
    return rc, json.loads(out) if out.strip() else None, err


@test
def a_trainer_does_not_change_an_enrolments_releasability():
    before = stored('enrolments', ENROLMENT)
    st, _, j = SRV.patch('/api/v1/enrolments/' + ENROLMENT, 'trainer',
                         {'releasability': 'MISSION;IRQ;RUS'})
    assert st == 403 and j['errors'][0]['field'] == 'releasability', (st, j)
    assert stored('enrolments', ENROLMENT) == before
    e = before
    rc, out, _ = import_as('trainer', 'enrolments',
                           'session,trainee,attendance,releasability\n'
                           '%s,%s,%s,MISSION;IRQ;RUS\n' % (e['session'], e['trainee'],
                                                          e['attendance']))
    assert rc == 1, (rc, out)
    items = out['error']['errors']
    assert [(i['line'], i['field']) for i in items] == [(2, 'releasability')], items
    assert items[0]['column'] == 4, items
    assert stored('enrolments', ENROLMENT) == before, 'nothing written'
    # A new enrolment released beyond the mission and the host: refused too.
    st, _, j = SRV.req('POST', '/api/v1/enrolments', 'trainer', {
        'session': e['session'], 'trainee': 'FREE-T1',
        'releasability': 'MISSION;IRQ;RUS'})
    assert st == 403 and j['errors'][0]['field'] == 'releasability', (st, j)
    assert 'RUS' in j['detail'], j
    st, _, j = SRV.req('POST', '/api/v1/enrolments', 'trainer', {
        'session': e['session'], 'trainee': 'FREE-T1',
        'releasability': 'MISSION;IRQ'})
    assert st == 201, 'the host nation is the mission staff\'s to release to'


@test
def a_manning_officer_neither_downgrades_nor_releases_a_person():
    before = stored('persons', 'SECRET-P')
    for change in ({'classification': 'NU'}, {'releasability': 'MISSION;IRQ'}):
        st, _, j = SRV.patch('/api/v1/persons/SECRET-P', 'j1', change)
        assert st == 403, (change, st, j)
        assert j['errors'][0]['field'] == list(change)[0], j
    assert stored('persons', 'SECRET-P') == before
    rc, out, _ = import_as('j1', 'persons',
                           'code,name,nation,category,valid_from,classification\n'
                           'SECRET-P,Secret Person,CAN,military,2026-01-01,NU\n')
    assert rc == 1 and out['error']['errors'][0]['field'] == 'classification', out
    assert out['error']['errors'][0]['line'] == 2, out
    assert stored('persons', 'SECRET-P') == before
    # Other fields of the same record are theirs to change.
    st, _, j = SRV.patch('/api/v1/persons/SECRET-P', 'j1', {'rank': 'OF-3'})
    assert st == 200 and j['classification'] == 'NS', (st, j)


@test
def the_commander_and_the_admin_change_markings_audited_as_such():
    write(os.path.join(DIR, 'p2.csv'),
          'code,name,nation,category,valid_from,classification\n'
          'MARK-P,Mark Person,CAN,military,2026-01-01,NS\n')
    ok_json(DB, 'import', 'persons', os.path.join(DIR, 'p2.csv'))
    st, _, j = SRV.patch('/api/v1/persons/MARK-P', 'adm',
                         {'classification': 'NU', 'releasability': 'MISSION;IRQ'})
    assert st == 200 and j['classification'] == 'NU', (st, j)
    st, _, j = SRV.patch('/api/v1/sites/TAJI', 'cmd', {'releasability': 'MISSION;IRQ'})
    assert st == 200 and j['releasability'] == 'MISSION;IRQ', (st, j)
    st, _, j = SRV.patch('/api/v1/sites/TAJI', 'cmd', {'name': 'Camp Taji'})
    assert st == 200
    entries = log('audit', 'log', '--entity', 'persons', '--key', 'MARK-P')
    assert [e['action'] for e in entries] == ['insert', 'mark'], entries
    assert [e['actor'] for e in entries][1] == 'adm'
    assert json.loads(entries[1]['before'])['classification'] == 'NS'
    assert json.loads(entries[1]['after'])['classification'] == 'NU'
    entries = log('audit', 'log', '--entity', 'sites', '--key', 'TAJI')
    assert [e['action'] for e in entries][-2:] == ['mark', 'update'], entries
    # Over the API the auditor sees the action too.
    st, _, j = SRV.get('/api/v1/audit?entity=persons&key=MARK-P', 'aud.ns')
    assert st == 200 and [e['action'] for e in j['entries']] == ['insert', 'mark'], j
    assert cadre(DB, 'audit', 'verify')[0] == 0
    # The commander's import marks as well; the trainer's does not.
    rc, out, err = import_as('cmd', 'sites',
                             'code,name,latitude,longitude,country,valid_from,'
                             'releasability\n'
                             'MARKSITE,Mark Site,33.5,44.2,IRQ,2026-01-01,MISSION\n')
    assert rc == 0, (out, err)
    rc, out, err = import_as('cmd', 'sites',
                             'code,name,latitude,longitude,country,valid_from,'
                             'releasability\n'
                             'MARKSITE,Mark Site,33.5,44.2,IRQ,2026-01-01,MISSION;IRQ\n')
    assert rc == 0, (out, err)
    entries = log('audit', 'log', '--entity', 'sites', '--key', 'MARKSITE')
    assert [(e['action'], e['actor']) for e in entries] == [('insert', 'cmd'),
                                                              ('mark', 'cmd')], entries
    assert cadre(DB, 'audit', 'verify')[0] == 0


@test
def nobody_marks_above_their_clearance():
    st, _, j = SRV.req('POST', '/api/v1/trainees', 'adm.ns', {
        'service_number': 'TOO-HIGH', 'name': 'Too High', 'nation': 'IRQ',
        'unit': 'IRQ-U-INF1', 'classification': 'CTS'})
    assert st == 403 and j['errors'][0]['field'] == 'classification', (st, j)
    st, _, j = SRV.patch('/api/v1/sites/TAJI', 'cmd', {'classification': 'CTS'})
    assert st == 403, (st, j)
    st, _, j = SRV.req('POST', '/api/v1/trainees', 'j7', {
        'service_number': 'TOO-HIGH', 'name': 'Too High', 'nation': 'IRQ',
        'unit': 'IRQ-U-INF1', 'classification': 'CTS'})
    assert st == 403, (st, j)
    assert SRV.get('/api/v1/trainees/TOO-HIGH', 'adm')[0] == 404
    st, _, j = SRV.req('POST', '/api/v1/trainees', 'adm', {
        'service_number': 'HIGH-OK', 'name': 'High Ok', 'nation': 'IRQ',
        'unit': 'IRQ-U-INF1', 'classification': 'CTS'})
    assert st == 201, (st, j)


@test
def a_hidden_trainee_is_a_missing_one():
    e = stored('enrolments', ENROLMENT)
    bodies = [{'session': e['session'], 'trainee': t,
               'releasability': 'MISSION;IRQ'} for t in ('CTS-T1', 'NO-SUCH-T')]
    answers = []
    for body in bodies:
        st, _, j = SRV.req('POST', '/api/v1/enrolments', 'j7', body)
        assert st == 422, (body, st, j)
        j.pop('instance')
        answers.append(json.dumps(j).replace(body['trainee'], 'X'))
    assert answers[0] == answers[1], answers
    # Over an import the same.
    outs = []
    for t in ('CTS-T1', 'NO-SUCH-T'):
        rc, out, _ = import_as('j7', 'enrolments',
                               'session,trainee\n%s,%s\n' % (e['session'], t))
        assert rc == 1, out
        for i in out['error']['errors']:
            i.pop('file')
        outs.append(json.dumps(out['error']['errors']).replace(t, 'X'))
    assert outs[0] == outs[1], outs
    # The liaison never sees it through an enrolment.
    st, _, j = SRV.get('/api/v1/enrolments?trainee=CTS-T1', 'irq')
    assert st == 200 and j['items'] == []
    # The system sees every record: its write goes through.
    rc, out, err = cadre(DB, 'import', 'enrolments', write(
        os.path.join(DIR, 'e.csv'), 'session,trainee\n%s,CTS-T1\n'
        % e['session']))
    assert rc == 0, (out, err)


@test
def an_auditor_sees_only_the_entries_of_records_they_may_see():
    st, _, j = SRV.get('/api/v1/audit?key=CTS-T1', 'aud.ns')
    assert st == 200 and j['entries'] == [], j
    st, _, j = SRV.get('/api/v1/audit?entity=trainees&limit=10000', 'aud.ns')
    assert st == 200 and all(e['key'] != 'CTS-T1' for e in j['entries'])
    assert log('--as', 'aud.ns', 'audit', 'log', '--key', 'CTS-T1') == []
    st, _, j = SRV.get('/api/v1/audit?key=CTS-T1', 'aud.cts')
    assert st == 200 and [e['action'] for e in j['entries']] == ['insert'], j
    assert [e['key'] for e in log('--as', 'aud.cts', 'audit', 'log', '--key',
                                  'CTS-T1')] == ['CTS-T1']
    # Both markings count: a record once NS, now NU, is hidden from an NR
    # reader in its NS past (the entry that marks it down included).
    rc, out, _ = cadre(DB, 'user', 'add', 'aud.nr', '--role', 'auditor',
                       '--clearance', 'NR', stdin=PW + '\n')
    assert rc == 0, out
    entries = log('--as', 'aud.nr', 'audit', 'log', '--key', 'MARK-P')
    assert entries == [], entries
    # Entries of accounts carry no markings: they are the log's readers'.
    assert log('--as', 'aud.nr', 'audit', 'log', '--entity', 'account')
    # Not an auditor: no log at all.
    rc, out, err = cadre(DB, '--as', 'j1', 'audit', 'log')
    assert rc == 1, (rc, err)
    rc, out, err = cadre(DB, '--as', 'aud.ns', 'audit', 'verify')
    assert rc == 2 and '--as' in err, (rc, err)


@test
def a_database_failure_is_not_exists_nor_not_found():
    db = os.path.join(tmpdir(), 'f.db')
    copy_db(DB, db)
    # Every write of a person fails in the database itself, on either engine.
    with engine.connect(db) as con:
        if engine.POSTGRES:
            con.execute("CREATE FUNCTION fail() RETURNS trigger LANGUAGE plpgsql AS"
                        " $$ BEGIN RAISE EXCEPTION 'the disk is on fire'; END $$")
            con.execute("CREATE TRIGGER fail BEFORE INSERT OR UPDATE ON person"
                        " FOR EACH ROW EXECUTE FUNCTION fail()")
        else:
            con.execute("CREATE TRIGGER fail BEFORE UPDATE ON person BEGIN"
                        " SELECT RAISE(ABORT, 'the disk is on fire'); END")
            con.execute("CREATE TRIGGER fail2 BEFORE INSERT ON person BEGIN"
                        " SELECT RAISE(ABORT, 'the disk is on fire'); END")
        con.commit()
    srv = Server(db)
    try:
        st, _, j = srv.req('POST', '/api/v1/persons', 'j1', {
            'code': 'FAILP', 'name': 'Fail', 'nation': 'CAN',
            'category': 'military', 'valid_from': '2026-12-01'})
        assert st == 500, (st, j)
        st, _, j = srv.patch('/api/v1/persons/SECRET-P', 'j1', {'rank': 'OF-4'})
        assert st == 500, (st, j)
    finally:
        srv.stop()
    path = write(os.path.join(tmpdir(), 'p.csv'),
                 'code,name,nation,category,valid_from\nFAILP,Fail,CAN,military,2026-01-01\n')
    rc, out, err = cadre(db, '--as', 'j1', 'import', 'persons', path)
    assert rc == 3 and 'disk is on fire' in err, (rc, out, err)
    rc, out, err = cadre(db, 'import', 'persons', path)
    assert rc == 3, (rc, out, err)
    # A table gone: every read fails, and says so (not 404).
    with engine.connect(db) as con:
        if engine.POSTGRES:
            con.execute('DROP TRIGGER fail ON person')
        else:
            con.execute('DROP TRIGGER fail')
            con.execute('DROP TRIGGER fail2')
        con.execute('ALTER TABLE person RENAME TO person_gone')
        con.commit()
    srv = Server(db)
    try:
        st, _, j = srv.req('PATCH', '/api/v1/persons/SECRET-P', 'j1', {'rank': 'X'},
                           {'If-Match': '*'})
        assert st == 500, (st, j)
        st, _, j = srv.req('DELETE', '/api/v1/persons/SECRET-P', 'j1')
        assert st == 500, (st, j)
        st, _, j = srv.req('POST', '/api/v1/persons', 'j1', {
            'code': 'FAILP', 'name': 'Fail', 'nation': 'CAN',
            'category': 'military', 'valid_from': '2026-12-01'})
        assert st == 500, (st, j)
    finally:
        srv.stop()


@test
def as_applies_to_every_command_or_is_refused():
    db = os.path.join(tmpdir(), 'as.db')
    copy_db(DB, db)
    for args in (['init'], ['demo'], ['user', 'add', 'zz', '--role', 'admin'],
                 ['user', 'list'], ['token', 'add', 'j1'], ['serve'],
                 ['generate', 'persons', '10']):
        rc, out, err = cadre(db, '--as', 'adm', *args, stdin=PW + '\n')
        assert rc == 2 and '--as' in err, (args, rc, err)
    # Actions: the policy's, before anything else.
    for args in (['suspend', '--scope', 'site:TAJI', '--from', '2026-12-01',
                  '--reason', 'x', '--dry-run'],
                 ['resume', '--scope', 'site:TAJI', '--on', '2026-12-01'],
                 ['consent', 'suspend', 'CONSENT-1', '--on', '2026-12-01'],
                 ['transfer', 'TRN-NCO', '--to', 'NMI', '--on', '2027-01-01'],
                 ['plan', 'sessions', '--from', '2026-12-01', '--to', '2026-12-31']):
        rc, out, err = cadre(db, '--as', 'j1', *args)
        assert rc == 1 and 'may not' in err, (args, rc, err)
    rc, out, err = cadre(db, '--as', 'cmd', 'suspend', '--scope', 'site:TAJI', '--from',
                         '2026-12-01', '--reason', 'as test', '--dry-run')
    assert rc == 0, (rc, out, err)
    # Help is given to anyone.
    assert cadre(db, '--as', 'j1', 'suspend', '--help')[0] == 0
    # Import writes as the account: its role, and its login in the audit.
    path = write(os.path.join(tmpdir(), 'p.csv'),
                 'code,name,nation,category,valid_from\nASP,As Person,CAN,military,2026-01-01\n')
    rc, out, err = cadre(db, '--as', 'irq', 'import', 'persons', path)
    assert rc == 1 and 'role' in err, (rc, err)
    assert cadre(db, '--as', 'j1', 'import', 'persons', path)[0] == 0
    entries = [json.loads(l) for l in cadre(db, 'audit', 'log', '--key', 'ASP',
                                            '--json')[1].splitlines()]
    assert [e['actor'] for e in entries] == ['j1'], entries
    # Reads as the account.
    # Only the persons released to IRQ: none of the demo's; MARK-P, which a
    # test above released, when the copy holds it (copy_db copies the WAL
    # the server wrote it to).
    seen = ok_json(db, '--as', 'irq', 'list', 'persons')
    assert all('IRQ' in p['releasability'].split(';') for p in seen), seen
    assert {p['code'] for p in seen} <= {'MARK-P'}, seen
    rc, out, _ = cadre(db, '--as', 'irq', 'export', 'persons', '--format', 'json')
    assert rc == 0 and [p['code'] for p in json.loads(out)] == [p['code'] for p in seen]


if __name__ == '__main__':
    try:
        run()
    finally:
        SRV.stop()
