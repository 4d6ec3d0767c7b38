#!/usr/bin/env python3
"""As known on: the records as cadre held them at a moment, rebuilt from
the audit log (docs/audit.md), over the command line and the API alike.

The fixture is the demo mission, whose log is written as HQ recorded
it (the establishment on 2018-09-30, the suspension of 2020-01-04, and
HQ's correction of 2020-01-10: P03454 had not left Taji on 2020-01-02,
as the records of the night of the 3rd said), so that the board of
inquiry's question is asked of the demo as it is loaded. Then
corrections written after the fact, each a second or more after the one
before (the log stamps seconds): the assignment of P03436 at TAJI, who
HQ first believed was there on 2020-01-03, corrected to have ended on
2020-01-02 and then on 2020-01-01; a trainee entered unreleased and then
released to Iraq; a person ended later. Each is read at the moments
before and after."""
import datetime
import json
import os
import time

import harness
from harness import cadre, ok_json, run, test, tmpdir

DIR = tmpdir()
DB = os.path.join(DIR, 'demo.db')
assert cadre(DB, 'demo')[0] == 0
PW = 'a long enough password'
for login, args in (('adm', ['--role', 'admin', '--clearance', 'CTS']),
                    ('cmd', ['--role', 'commander', '--clearance', 'NS']),
                    ('irq', ['--role', 'liaison', '--nation', 'IRQ',
                             '--clearance', 'NR'])):
    assert cadre(DB, 'user', 'add', login, *args, stdin=PW + '\n')[0] == 0
TOKEN = {l: ok_json(DB, 'token', 'add', l)['token'] for l in ('adm', 'cmd', 'irq')}

SRV = harness.Server(DB)
ASG = 'P03436/NMI-0189/2019-09-19'
PERSON = 'P00008'           # in force from 2025-05-08, open; ended later
TRAINEE = 'KN-1'


def call(method, path, who='adm', body=None, headers=None):
    return SRV.call(method, path, TOKEN[who], body, headers)


def moment():
    """A moment between two writes: the log's second now, with a second
    on either side so that no entry shares it."""
    time.sleep(1.1)
    t = datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')
    time.sleep(1.1)
    return t


def patch(path, change):
    st, h, j = call('GET', path)
    assert st == 200, (path, st, j)
    st, _, j = call('PATCH', path, body=change, headers={'If-Match': h['ETag']})
    assert st == 200, (path, change, st, j)
    return j


def status(day, known=None, who=None):
    args = (['--as', who] if who else []) + ['status', '--as-of', day]
    if known:
        args += ['--known-on', known]
    return ok_json(DB, *args)


def holder(day, known=None):
    args = ['list', 'posts', '--as-of', day, '--where', 'number=NMI-0189']
    if known:
        args += ['--known-on', known]
    return ok_json(DB, *args)[0]['holder']


# The board of inquiry's question, asked of the demo as it is loaded:
# what HQ's records said on the night of 2020-01-03 about who was at Taji
# (P03454's tour there ended on the 2nd), and what they say since the
# correction of 2020-01-10 (he stayed until his relief came on 18 February).
NIGHT = '2020-01-03T23:59:59Z'
BOARD_THEN = status('2020-01-03', NIGHT)
BOARD_NOW = status('2020-01-03')
BOARD_API = {k: call('GET', '/api/v1/status?as_of=2020-01-03' + k, 'cmd')
             for k in ('', '&known_on=' + NIGHT)}
BOARD_CMD = {k: status('2020-01-03', k or None, 'cmd') for k in ('', NIGHT)}
TAJI = {k: {p['number']: p['holder'] for p in ok_json(
    DB, 'list', 'posts', '--as-of', '2020-01-03', '--where', 'site=TAJI',
    '--where', 'organisation=NMI', *(['--known-on', k] if k else []))}
    for k in ('', NIGHT, '2020-01-10T08:59:59Z', '2020-01-10T09:00:00Z')}
rc, out, err = cadre(DB, 'audit', 'log', '--json')
assert rc == 0, err
LOG = [json.loads(l) for l in out.splitlines() if l.strip()]
VERIFY = cadre(DB, '--json', 'audit', 'verify')

# Before anything was written here: the demo as it stands.
BEFORE = status('2020-01-03')
T0 = moment()
patch('/api/v1/assignments/' + ASG, {'valid_to': '2020-01-02'})
st, _, j = call('POST', '/api/v1/trainees', body={
    'service_number': TRAINEE, 'name': 'Known Later', 'nation': 'IRQ',
    'unit': 'IRQ-U-INF1', 'classification': 'NU', 'releasability': 'MISSION'})
assert st == 201, (st, j)
T1 = moment()
patch('/api/v1/assignments/' + ASG, {'valid_to': '2020-01-01'})
patch('/api/v1/trainees/' + TRAINEE, {'releasability': 'MISSION;IRQ'})
st, _, j = call('DELETE', '/api/v1/persons/%s?on=2026-12-01' % PERSON)
assert st == 200, (st, j)
T2 = moment()


@test
def the_board_of_inquiry_asks_the_demo_what_hq_knew_that_night():
    assert BOARD_THEN['headcount'] == BOARD_NOW['headcount'] - 1 == 269, \
        (BOARD_THEN['headcount'], BOARD_NOW['headcount'])
    # Besides the correction, the night's answer differs only by what was
    # written later: the sessions the re-planning of 2020-03-20 added.
    assert BOARD_THEN['sessions']['planned'] < BOARD_NOW['sessions']['planned']
    assert dict(BOARD_THEN, headcount=0, sessions=0) == \
        dict(BOARD_NOW, headcount=0, sessions=0)
    assert dict(BOARD_THEN['sessions'], planned=0) == \
        dict(BOARD_NOW['sessions'], planned=0)
    assert not BOARD_THEN['training_suspended'], 'suspended on the 4th'
    assert TAJI[NIGHT]['NMI-0190'] in (None, ''), TAJI[NIGHT]
    assert TAJI['']['NMI-0190'] == 'P03454', TAJI['']
    # Known up to the second before the correction, and from it.
    assert TAJI['2020-01-10T08:59:59Z'] == TAJI[NIGHT]
    assert TAJI['2020-01-10T09:00:00Z'] == TAJI['']
    # The rest of Taji is the same then and now.
    assert dict(TAJI[NIGHT], **{'NMI-0190': 'P03454'}) == TAJI['']
    # The API answers what the command line does, for the commander.
    for k, (st, _, j) in BOARD_API.items():
        assert st == 200 and j == BOARD_CMD[k.replace('&known_on=', '')], (k, st, j)
    assert BOARD_API['&known_on=' + NIGHT][2]['headcount'] == 269
    assert BOARD_API[''][2]['headcount'] == 270


@test
def the_demo_log_is_stamped_on_its_days_in_order_and_verifies():
    rc, out, err = VERIFY
    assert rc == 0 and json.loads(out)['ok'], (rc, out, err)
    demo = [e for e in LOG if e['entity'] not in ('account', 'token')]
    ats = [e['at'] for e in LOG]
    assert [e['seq'] for e in LOG] == list(range(1, len(LOG) + 1))
    assert ats == sorted(ats), 'stamps never go back along the log'
    now = datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')
    assert ats[-1] <= now
    assert demo[0]['at'] <= '2018-10-01T00:00:00Z', demo[0]
    first = {}
    for e in demo:
        first.setdefault((e['entity'], e['key']), e)
    assert first[('status_event', 'SUSP-2020-01')]['at'][:10] == '2020-01-04'
    assert first[('status_event', 'SUSP-2020-03')]['at'][:10] == '2020-03-20'
    fixed = [e for e in demo if e['key'] == 'P03454/NMI-0190/2019-09-01']
    assert [(e['action'], e['at'], json.loads(e['after'])['valid_to'])
            for e in fixed] == [('insert', '2018-09-30T12:00:00Z', '2020-01-02'),
                                ('update', '2020-01-10T09:00:00Z', '2020-02-18')], fixed
    # The establishment is in the log before the mission began.
    assert all(e['at'] < '2018-10-01' for e in demo
               if e['entity'] in ('post', 'person', 'assignment')
               and e['key'] != fixed[0]['key'])


@test
def status_answers_what_was_believed_then_and_what_is_now():
    then = status('2020-01-03', T0)
    now = status('2020-01-03')
    assert then == BEFORE, 'as known on T0: the old belief'
    assert now['headcount'] == then['headcount'] - 1, (now, then)
    assert holder('2020-01-03', T0) == 'P03436'
    assert holder('2020-01-03', T1) in (None, ''), 'the correction known at T1'
    assert holder('2020-01-03') in (None, '')
    # The API answers what the command line does.
    st, _, j = call('GET', '/api/v1/status?as_of=2020-01-03&known_on=' + T0, 'cmd')
    assert st == 200 and j == status('2020-01-03', T0, 'cmd'), j
    st, _, j = call('GET', '/api/v1/status?as_of=2020-01-03', 'cmd')
    assert j['headcount'] == now['headcount'], j


@test
def a_record_edited_twice_at_three_moments():
    seen = []
    for t in (T0, T1, T2):
        j = ok_json(DB, 'show', 'assignments', ASG, '--known-on', t)
        st, _, a = call('GET', '/api/v1/assignments/%s?known_on=%s' % (ASG, t))
        assert st == 200, (st, a)
        l = ok_json(DB, 'list', 'assignments', '--where', 'person=P03436',
                    '--known-on', t)
        st, _, p = call('GET', '/api/v1/assignments?person=P03436&known_on=' + t)
        assert st == 200 and [r['valid_to'] for r in p['items']] == \
            [r['valid_to'] for r in l], (p, l)
        assert a['valid_to'] == j['valid_to'] == l[0]['valid_to'], (a, j, l)
        seen.append(j['valid_to'])
    assert seen == ['2020-03-10', '2020-01-02', '2020-01-01'], seen
    assert ok_json(DB, 'show', 'assignments', ASG)['valid_to'] == '2020-01-01'


@test
def a_record_ended_later_is_in_force_at_an_earlier_moment():
    assert ok_json(DB, 'show', 'persons', PERSON, '--known-on', T1)['valid_to'] is None
    assert ok_json(DB, 'show', 'persons', PERSON)['valid_to'] == '2026-12-01'
    on = '2026-12-15'
    then = [p['code'] for p in ok_json(DB, 'list', 'persons', '--as-of', on,
                                       '--known-on', T1)]
    now = [p['code'] for p in ok_json(DB, 'list', 'persons', '--as-of', on)]
    assert PERSON in then and PERSON not in now
    st, _, j = call('GET', '/api/v1/persons?as_of=%s&code=%s&known_on=%s'
                    % (on, PERSON, T1))
    assert st == 200 and [p['code'] for p in j['items']] == [PERSON], j


@test
def a_record_written_later_does_not_exist_before():
    rc, out, err = cadre(DB, 'show', 'trainees', TRAINEE, '--known-on', T0)
    assert rc != 0 and 'no trainee' in err + out, (rc, out, err)
    st, _, _ = call('GET', '/api/v1/trainees/%s?known_on=%s' % (TRAINEE, T0))
    assert st == 404
    assert call('GET', '/api/v1/trainees/%s?known_on=%s' % (TRAINEE, T1))[0] == 200


@test
def a_liaison_sees_only_what_was_released_to_it_then():
    def liaison_sees(known):
        q = '/api/v1/trainees?unit=IRQ-U-INF1&limit=10000' + (
            '&known_on=' + known if known else '')
        st, _, j = call('GET', q, 'irq')
        assert st == 200, (st, j)
        rc, out, err = cadre(DB, '--as', 'irq', 'list', 'trainees', '--where',
                             'unit=IRQ-U-INF1', '--json',
                             *(['--known-on', known] if known else []))
        assert rc == 0, err
        cli = [t['service_number'] for t in json.loads(out)]
        api = [t['service_number'] for t in j['items']]
        assert cli == api, (cli, api)
        assert all('IRQ' in (t['releasability'] or '') for t in j['items']), j
        return api
    assert TRAINEE not in liaison_sees(T1), 'entered, not yet released'
    assert TRAINEE in liaison_sees(T2) and TRAINEE in liaison_sees(None)
    # The system saw it at T1 all the same.
    assert ok_json(DB, 'show', 'trainees', TRAINEE, '--known-on', T1)
    # What a liaison may not read now it may not read then either.
    assert call('GET', '/api/v1/status?known_on=' + T1, 'irq')[0] == 403


@test
def before_the_first_entry_the_mission_is_empty():
    st = status('2020-01-03', '2000-01-01')
    assert st['headcount'] == 0 and st['sites'] == [] and st['members'] == 0, st
    assert ok_json(DB, 'list', 'persons', '--known-on', '2000-01-01T00:00:00Z') == []
    st, _, j = call('GET', '/api/v1/sites?known_on=2000-01-01')
    assert st == 200 and j['items'] == [], j


@test
def a_moment_to_come_is_now():
    assert status('2020-01-03', '2999-12-31') == status('2020-01-03')
    assert status('2020-01-03', '2999-12-31T23:59:59Z') == status('2020-01-03')


@test
def a_date_is_the_end_of_that_day():
    today = T2[:10]
    assert status('2020-01-03', today) == status('2020-01-03', today + 'T23:59:59Z')


@test
def bad_moments_are_refused_naming_the_option():
    for bad in ('2020-13-01', 'yesterday', '2020-01-03T25:00:00Z',
                '2020-01-03T10:00:00+02:00', '2020-01-03 10:00:00',
                '2020-01-03T10:00Z', '2020-01-03T1', '2020-01-03T10:00:00', ''):
        rc, out, err = cadre(DB, 'status', '--as-of', '2020-01-03',
                             '--known-on', bad)
        assert rc == 2 and '--known-on' in err, (bad, rc, out, err)
        for path in ('/api/v1/status?known_on=', '/api/v1/persons?known_on=',
                     '/api/v1/persons/%s?known_on=' % PERSON):
            st, _, j = call('GET', path + bad.replace(' ', '%20').replace('+', '%2B'))
            assert st == 400 and j['errors'][0]['parameter'] == 'known_on', \
                (bad, path, st, j)
    rc, _, err = cadre(DB, 'status', '--known-on', '2020-01-03T10:00:00+02:00')
    assert 'UTC' in err, err


@test
def reads_without_as_of_refuse_known_on():
    rc, _, err = cadre(DB, 'report', 'training-output', '--from', '2020-01-01',
                       '--to', '2020-02-01', '--known-on', T1)
    assert rc == 2 and '--known-on' in err, err
    st, _, j = call('GET', '/api/v1/reports/training-output?from=2020-01-01'
                    '&to=2020-02-01&known_on=' + T1, 'cmd')
    assert st == 400 and j['errors'][0]['parameter'] == 'known_on', j
    st, _, j = call('GET', '/api/v1/audit?known_on=' + T1)
    assert st == 400 and j['errors'][0]['parameter'] == 'known_on', j


@test
def reports_and_check_read_the_past_too():
    then = ok_json(DB, 'report', 'manning', '--as-of', '2020-01-03',
                   '--known-on', T0)
    st, _, j = call('GET', '/api/v1/reports/manning?as_of=2020-01-03&known_on='
                    + T0, 'cmd')
    assert st == 200, j
    now = ok_json(DB, 'report', 'manning', '--as-of', '2020-01-03')
    assert then != now
    rc, out, err = cadre(DB, 'check', '--as-of', '2020-01-03', '--known-on', T0,
                         '--json')
    assert rc in (0, 1) and json.loads(out), err


@test
def the_server_still_writes_after_reading_the_past():
    st, h, j = call('GET', '/api/v1/persons/%s?known_on=%s' % (PERSON, T0))
    assert st == 200 and j['valid_to'] is None
    st, _, j = call('GET', '/api/v1/persons/' + PERSON)
    assert st == 200 and j['valid_to'] == '2026-12-01'
    rc, err = SRV.stop()
    assert rc == 0, err


run()
