#!/usr/bin/env python3
"""GET /api/v1/conflicts (issue 14, part 6): the violations of the check
over a range that a reader may see whole, for the calendar, open to every
role. The demo mission has none; a copy is given the conflicts a database
written before the rules may hold — two sessions in one room on the same
days, a third one classified NS, a trainee in two sessions at once by an
NS enrolment — written straight into its SQLite file while no server
holds it. A reader is given a violation only when they may see every
record it names and rests on (the liaison is not given a ROOM-CLASH: it
names the site, which is not released to the host nation); the counts made as the system (CAPACITY)
only go to those who may run the check; nothing counts what is left out.
"""
import datetime
import json
import os

import harness
from harness import Server, cadre, copy_db, ok_json, run, test, tmpdir

DIR = tmpdir()
DEMO = os.path.join(DIR, 'demo.db')
DB = os.path.join(DIR, 'clash.db')
PW = 'a long enough password'
READERS = {'trn': ('training', 'NS', None), 'low': ('training', 'NR', None),
           'lia': ('liaison', 'NR', 'IRQ'), 'cmd': ('commander', 'NS', None),
           'tra': ('trainer', 'NU', None)}

assert cadre(DEMO, 'demo')[0] == 0
for login, (role, cl, nation) in READERS.items():
    args = ['user', 'add', login, '--role', role, '--clearance', cl]
    if nation:
        args += ['--nation', nation]
    rc, out, err = cadre(DEMO, *args, stdin=PW + '\n')
    assert rc == 0, err
TOKEN = {l: ok_json(DEMO, 'token', 'add', l)['token'] for l in READERS}
copy_db(DEMO, DB)


def day(s, n):
    return (datetime.date.fromisoformat(s) + datetime.timedelta(days=n)).isoformat()


# The conflicts, as data from before the rules holds them: A moves into
# B's room, and so does C (classified NS), all three at one site on
# overlapping days; a trainee of A is enrolled in B as well, the
# enrolment classified NS.
RUNS = "status NOT IN ('postponed', 'cancelled') AND room IS NOT NULL"
with harness.engine.connect(DB) as db:
    A, B, SITE, ROOM, A_FROM, A_TO, B_FROM, B_TO = db.execute(
        "SELECT a.key, b.key, a.site, b.room, a.valid_from, a.valid_to, "
        "b.valid_from, b.valid_to FROM session a JOIN session b "
        "ON a.site = b.site AND a.room <> b.room AND a.valid_from < b.valid_to "
        "AND b.valid_from < a.valid_to "
        "WHERE a.status NOT IN ('postponed', 'cancelled') "
        "AND b.status NOT IN ('postponed', 'cancelled') "
        "AND a.valid_from >= '2020-06-01' "
        "ORDER BY a.valid_from, a.key, b.key LIMIT 1").fetchone()
    C = db.execute(
        "SELECT key FROM session WHERE site = ? AND key NOT IN (?, ?) AND "
        "valid_from < ? AND ? < valid_to AND " + RUNS + " ORDER BY key LIMIT 1",
        (SITE, A, B, A_TO, A_FROM)).fetchone()[0]
    db.execute("UPDATE session SET room = ? WHERE key IN (?, ?)", (ROOM, A, C))
    db.execute("UPDATE session SET classification = 'NS' WHERE key = ?", (C,))
    # And the room holds fewer than its sessions enrol (CAPACITY).
    rooms = db.execute("SELECT rooms FROM site WHERE code = ?", (SITE,)).fetchone()[0]
    db.execute("UPDATE site SET rooms = ? WHERE code = ?", (';'.join(
        r.split(':')[0] + ':1' if r.split(':')[0] == ROOM else r
        for r in rooms.split(';')), SITE))
    T = db.execute("SELECT trainee FROM enrolment WHERE session = ? AND "
                   "attendance <> 'withdrawn' AND trainee NOT IN (SELECT "
                   "trainee FROM enrolment WHERE session = ?) ORDER BY trainee "
                   "LIMIT 1", (A, B)).fetchone()[0]
    db.execute("INSERT INTO enrolment (key, session, trainee, classification, "
               "releasability) VALUES (?, ?, ?, 'NS', 'MISSION;IRQ')",
               (B + '/' + T, B, T))
db.close()
FROM = A_FROM[:8] + '01'
TO = day(max(A_TO, B_TO)[:8] + '01', 31)[:8] + '01'     # the month after


def conflicts(login, frm=FROM, to=TO, srv=None):
    st, _, j = srv.call('GET', '/api/v1/conflicts?from=%s&to=%s' % (frm, to),
                        TOKEN[login])
    assert st == 200, (login, st, j)
    assert set(j) == {'from', 'to', 'count', 'violations'}, j
    assert j['count'] == len(j['violations']), j
    return j


def pairs(j, rule):
    return {tuple(sorted(v['sessions'])) for v in j['violations'] if v['rule'] == rule}


@test
def the_check_sees_the_conflicts():
    rc, out, err = cadre(DB, 'check', '--from', FROM, '--to', TO, '--json')
    assert rc == 1, (rc, out, err)
    j = json.loads(out)
    rules = {(v['rule'], tuple(sorted(k for k in v['records'] if '/' in k)))
             for v in j['violations']}
    assert ('ROOM-CLASH', tuple(sorted([A, B]))) in rules, rules
    assert any(r == 'ROOM-CLASH' and C in ks for r, ks in rules), rules
    assert ('TRAINEE-CLASH', tuple(sorted([A, B]))) in rules, rules


@test
def the_demo_has_none_for_anyone():
    srv = Server(DEMO)
    try:
        for login in READERS:
            j = conflicts(login, srv=srv)
            assert j['violations'] == [] and j['from'] == FROM and j['to'] == TO, j
    finally:
        srv.stop()


@test
def a_reader_who_sees_both_sessions_is_given_the_clash():
    srv = Server(DB)
    try:
        j = conflicts('trn', srv=srv)
        ab = tuple(sorted([A, B]))
        assert ab in pairs(j, 'ROOM-CLASH'), j
        v = [v for v in j['violations'] if v['rule'] == 'ROOM-CLASH' and
             tuple(sorted(v['sessions'])) == ab][0]
        assert v['records'] == list(ab) + [SITE], v
        assert v['message'].startswith('sessions %s and %s are both in %s %s'
                                       % (ab + (SITE, ROOM))), v
        assert v['dates'][0] == max(A_FROM, B_FROM), v
        # Every clash with C, whom an NS reader may see, is there too;
        # the TRAINEE-CLASH rests on an NS enrolment, which this reader
        # may see. Counts made as the system are not the training role's.
        assert any(C in p for p in pairs(j, 'ROOM-CLASH')), j
        assert ab in pairs(j, 'TRAINEE-CLASH'), j
        assert not [v for v in j['violations'] if v['rule'] in ('CAPACITY', 'CEILING')], j
        # A range after both have ended: not that clash.
        after = max(A_TO, B_TO)
        assert tuple(sorted([A, B])) not in pairs(conflicts('trn', after, day(after, 30), srv),
                                                  'ROOM-CLASH')
    finally:
        srv.stop()


@test
def a_reader_who_may_not_see_a_record_is_not_given_its_violation():
    srv = Server(DB)
    try:
        for login in ('low', 'tra', 'lia'):
            st, _, raw = srv.fetch('GET', '/api/v1/conflicts?from=%s&to=%s' % (FROM, TO),
                                   headers={'Authorization': 'Bearer ' + TOKEN[login]})
            assert st == 200, (login, st, raw)
            j = json.loads(raw)
            # The clash of A and B, both NU, is theirs — but for the
            # liaison, to whom the site is not released; C (NS) is not
            # named anywhere, nor is the trainee's NS enrolment's clash.
            ab = tuple(sorted([A, B])) in pairs(j, 'ROOM-CLASH')
            assert ab == (login != 'lia'), (login, j)
            assert C not in raw, (login, raw)
            assert not pairs(j, 'TRAINEE-CLASH'), (login, j)
            assert 'hidden' not in j, j
            for v in j['violations']:
                for k in v['sessions']:
                    st, _, s = srv.call('GET', '/api/v1/sessions/' + k.replace('/', '%2F'),
                                        TOKEN[login])
                    assert st == 200, (login, k, st)
    finally:
        srv.stop()


@test
def those_who_may_run_the_check_are_given_its_counts():
    srv = Server(DB)
    try:
        j = conflicts('cmd', srv=srv)
        st, _, whole = srv.call('GET', '/api/v1/check?from=%s&to=%s' % (FROM, TO),
                                TOKEN['cmd'])
        assert st == 200, (st, whole)
        strip = [dict((k, v[k]) for k in ('rule', 'message', 'records', 'dates'))
                 for v in j['violations']]
        assert strip == whole['violations'], (strip, whole['violations'])
        assert any(v['rule'] == 'CAPACITY' for v in j['violations']), j
    finally:
        srv.stop()


@test
def the_range_is_checked_at_the_door():
    srv = Server(DB)
    try:
        for q, name in (('from=%s' % FROM, 'to'), ('to=%s' % TO, 'from'),
                        ('from=2020-02-30&to=%s' % TO, 'from'),
                        ('from=%s&to=%s' % (FROM, FROM), 'to'),
                        ('from=2020-01-01&to=2021-01-03', 'to'),
                        ('from=%s&to=%s&as_of=%s' % (FROM, TO, FROM), 'as_of')):
            st, _, j = srv.call('GET', '/api/v1/conflicts?' + q, TOKEN['trn'])
            assert st == 400 and j['detail'].startswith(name + ':'), (q, st, j)
        st, _, j = srv.call('GET', '/api/v1/conflicts?from=%s&to=%s' % (FROM, TO))
        assert st == 401, (st, j)
        st, _, j = srv.call('GET', '/api/v1/conflicts?from=2020-01-01&to=2021-01-01',
                            TOKEN['trn'])
        assert st == 200, (st, j)       # 366 days: a leap year, whole
        st, _, j = srv.call('GET', '/api/v1/openapi.json')
        p = j['paths']['/api/v1/conflicts']['get']
        assert [(x['name'], x['required']) for x in p['parameters']] == \
            [('from', True), ('to', True)], p
    finally:
        srv.stop()


run()
