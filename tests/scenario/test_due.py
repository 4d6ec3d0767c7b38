#!/usr/bin/env python3
"""What needs attention (`cadre due`, GET /api/v1/due; issue 17 part 6):
each kind of item on a small fixture mission, with one of each that must
not appear (a rotation with its relief, a session with enough trainers, a
consent ending after the days asked, a qualification that lasts), over
the command line and HTTP alike, and a liaison who sees only what is
released to its nation."""
import json
import os

from harness import Server, cadre, ok_json, run, test, tmpdir, write

ASOF, DAYS = '2020-03-01', '30'

FIXTURE = {
    'nations': """code,name,member_since
CAN,Canada,1949-04-04
DEU,Germany,1955-05-06
IRQ,Iraq,
""",
    'organisations': """code,name,kind,parent,nation,valid_from
NATO,NATO,alliance,,,1949-04-04
NMI,Mission,mission,NATO,,2019-01-01
MOD,Ministry of Defence,host-ministry,,IRQ,2004-01-01
""",
    'sites': """code,name,latitude,longitude,country,region,valid_from
HQ,Headquarters,33.3,44.4,IRQ,Baghdad,2019-01-01
BASE,Training base,33.5,44.3,IRQ,North,2019-01-01
""",
    # C1 lasts; C2 ends within the days (the mission's only); C3 ends
    # within them and is released to Iraq; C4 ends after them.
    'consents': """code,title,activity_kinds,sites,institutions,ceiling,valid_from,valid_to,releasability
C1,Standing consent,training;advising;support,HQ;BASE,MOD,20,2020-01-01,2020-12-31,MISSION
C2,Advisers at HQ,advising,HQ,MOD,5,2020-01-01,2020-03-20,MISSION
C3,Instructors at BASE,training,BASE,MOD,5,2020-01-01,2020-03-25,MISSION;IRQ
C4,Support at HQ,support,HQ,MOD,5,2020-01-01,2020-06-01,MISSION
""",
    'posts': """number,title,branch,category,function,site,organisation,valid_from
P1,Trainer,Training,military,training,BASE,NMI,2020-01-01
P2,Staff officer,Staff,military,support,HQ,NMI,2020-01-01
P3,Liaison officer,Staff,military,support,HQ,NMI,2020-01-01
P4,Logistics officer,Staff,military,support,HQ,NMI,2020-01-01
P5,Signals officer,Staff,military,support,HQ,NMI,2020-01-01
""",
    # A's INSTR ends within the days; B's FIRSTAID before their next
    # session (in May), though after the days; C's lasts.
    'persons': """code,name,nation,category,qualifications,valid_from
A,Alpha,CAN,military,INSTR:2020-03-12,2020-01-01
B,Bravo,CAN,military,INSTR;FIRSTAID:2020-05-01,2020-01-01
C,Charlie,DEU,military,INSTR:2020-12-31,2020-01-01
D,Delta,CAN,military,,2020-01-01
E,Echo,CAN,military,,2020-01-01
F,Foxtrot,DEU,military,,2020-01-01
G,Golf,CAN,military,,2020-01-01
H,Hotel,DEU,military,,2020-01-01
I,India,DEU,military,INSTR,2020-01-01
""",
    # D leaves P2 with no relief; E leaves P4 and F relieves ten days
    # late (the post's gap); G hands P5 over to H the day G leaves; P3
    # has never been filled; A holds P1 throughout.
    'assignments': """person,post,valid_from,valid_to
A,P1,2020-01-01,2020-12-31
D,P2,2020-01-01,2020-03-10
E,P4,2020-01-01,2020-03-10
F,P4,2020-03-20,2020-12-31
G,P5,2020-01-01,2020-03-15
H,P5,2020-03-15,2020-12-31
""",
    'activities': """code,title,kind,host,owner,site,valid_from,valid_to
TRN,Training,training,MOD,NMI,BASE,2020-01-01,2020-12-31
""",
    # CRS takes the kind's default releasability (the host nation's, as
    # MOD is Iraq's); STAFF is the mission's own.
    'courses': """code,title,activity,duration_days,capacity,trainer_qualifications,trainer_ratio,releasability
CRS,Course,TRN,5,20,INSTR,2,
STAFF,Staff induction,TRN,2,20,,12,MISSION
""",
    # S1: one trainer for three trainees (two needed); S2: two, enough;
    # S3 in May, B's next session; STAFF's without a trainer.
    'sessions': """course,site,valid_from,valid_to,trainers
CRS,BASE,2020-03-05,2020-03-10,A
CRS,BASE,2020-03-15,2020-03-20,C;I
CRS,BASE,2020-05-10,2020-05-15,B
STAFF,BASE,2020-03-12,2020-03-14,
""",
    'trainees': """service_number,name,nation,unit
T1,Trainee one,IRQ,MOD
T2,Trainee two,IRQ,MOD
T3,Trainee three,IRQ,MOD
T4,Trainee four,IRQ,MOD
T5,Trainee five,IRQ,MOD
T6,Trainee six,IRQ,MOD
""",
    'enrolments': """session,trainee
CRS/2020-03-05,T1
CRS/2020-03-05,T2
CRS/2020-03-05,T3
CRS/2020-03-15,T4
CRS/2020-03-15,T5
CRS/2020-03-15,T6
""",
}

EXPECTED = [
    ('2020-03-01', 'post', 'posts', 'P3'),
    ('2020-03-05', 'session', 'sessions', 'CRS/2020-03-05'),
    ('2020-03-10', 'post', 'posts', 'P4'),
    ('2020-03-10', 'rotation', 'assignments', 'D/P2/2020-01-01'),
    ('2020-03-12', 'qualification', 'persons', 'A'),
    ('2020-03-12', 'session', 'sessions', 'STAFF/2020-03-12'),
    ('2020-03-20', 'consent', 'consents', 'C2'),
    ('2020-03-25', 'consent', 'consents', 'C3'),
    ('2020-05-01', 'qualification', 'persons', 'B'),
]

PW = 'a long enough password'
D = tmpdir()
DB = os.path.join(D, 'due.db')
for _kind in FIXTURE:
    ok_json(DB, 'import', _kind, write(os.path.join(D, _kind + '.csv'), FIXTURE[_kind]))
for _login, _role, _nation in (('j1', 'commander', None), ('irq', 'liaison', 'IRQ'),
                               ('can', 'contingent', 'CAN')):
    _args = ['user', 'add', _login, '--role', _role] + (['--nation', _nation] if _nation else [])
    assert cadre(DB, *_args, stdin=PW + '\n')[0] == 0
TOKENS = {l: ok_json(DB, 'token', 'add', l)['token'] for l in ('j1', 'irq', 'can')}


def items(answer):
    return [(i['due'], i['kind'], i['record']['kind'], i['record']['key'])
            for i in answer['items']]


def due(*who):
    return ok_json(DB, *who, 'due', '--as-of', ASOF, '--days', DAYS)


@test
def each_kind_of_item_and_none_that_is_not_due():
    got = due()
    assert got['as_of'] == ASOF and got['days'] == 30 and got['until'] == '2020-03-31', got
    assert items(got) == EXPECTED, items(got)
    assert got['count'] == len(EXPECTED)
    keys = {i[3] for i in items(got)}
    # A rotation with its relief (G to H, E to F), a session with enough
    # trainers, a consent ending after the days, a qualification lasting.
    for absent in ('G/P5/2020-01-01', 'E/P4/2020-01-01', 'P5', 'P2', 'P1',
                   'CRS/2020-03-15', 'C4', 'C1', 'C'):
        assert absent not in keys, absent
    why = {(i['kind'], i['record']['key']): i['reason'] for i in got['items']}
    assert 'not through their next session CRS/2020-05-10' in why['qualification', 'B'], why
    assert '1 of 2 trainers for 3 trainees' in why['session', 'CRS/2020-03-05'], why
    assert 'until the next holder arrives 2020-03-20' in why['post', 'P4'], why
    assert 'no relief' in why['rotation', 'D/P2/2020-01-01'], why


@test
def the_days_asked_decide():
    # Today only: the vacant post and nothing ahead but B's lapse before
    # their next session, which does not wait for the days.
    got = ok_json(DB, 'due', '--as-of', ASOF, '--days', '0')
    assert items(got) == [EXPECTED[0], EXPECTED[-1]], items(got)
    # C4 ends within 100 days.
    got = ok_json(DB, 'due', '--as-of', ASOF, '--days', '100')
    assert ('2020-06-01', 'consent', 'consents', 'C4') in items(got), items(got)
    text = cadre(DB, 'due', '--as-of', ASOF, '--days', DAYS)[1]
    assert 'through 2020-03-31' in text and 'assignments/D/P2/2020-01-01' in text, text
    for bad in ('-1', '3651', 'ten', ''):
        rc, out, err = cadre(DB, 'due', '--days', bad)
        assert rc == 2 and '--days' in err, (bad, rc, err)
    rc, out, err = cadre(DB, 'due', '--as-of', '2020-02-30')
    assert rc == 2 and '--as-of' in err, (rc, err)


@test
def the_command_line_and_http_agree_for_each_reader():
    srv = Server(DB)
    try:
        for login, who in (('j1', ['--as', 'j1']), ('irq', ['--as', 'irq']),
                           ('can', ['--as', 'can'])):
            st, _, j = srv.call('GET', '/api/v1/due?as_of=%s&days=%s' % (ASOF, DAYS),
                                TOKENS[login])
            assert st == 200, (login, st, j)
            assert j == due(*who), (login, j)
        assert items(due('--as', 'j1')) == EXPECTED
        for bad in ('days=-1', 'days=3651', 'days=x', 'as_of=2020-13-01'):
            st, _, j = srv.call('GET', '/api/v1/due?' + bad, TOKENS['j1'])
            assert st == 400, (bad, st, j)
            assert bad.split('=')[0] in json.dumps(j), (bad, j)
        st, _, _ = srv.call('GET', '/api/v1/due')
        assert st == 401
    finally:
        srv.stop()


@test
def a_liaison_sees_only_what_is_released_to_it():
    # C3 is released to Iraq; C2 is not, and no item tells of it. The
    # mission's people are not the liaison's to see (no qualification,
    # rotation or post), and a session short of trainers is a fact about
    # them.
    got = due('--as', 'irq')
    assert items(got) == [('2020-03-25', 'consent', 'consents', 'C3')], items(got)
    assert 'C2' not in json.dumps(got) and 'Advisers' not in json.dumps(got)
    # Its forces' course by the kind's default, not the mission's own.
    assert [c['code'] for c in ok_json(DB, '--as', 'irq', 'list', 'courses')] == ['CRS']


@test
def a_contingent_commander_sees_their_own_people():
    # CAN's: A's and B's qualifications (C is German), and the consents;
    # not a rotation or a vacancy, which their view cannot tell.
    got = items(due('--as', 'can'))
    assert got == [EXPECTED[4], EXPECTED[6], EXPECTED[7], EXPECTED[8]], got

@test
def as_known_on_a_moment():
    # Before the first record was written the mission held nothing due;
    # a moment to come is now.
    got = ok_json(DB, 'due', '--as-of', ASOF, '--days', DAYS, '--known-on', '2000-01-01')
    assert got['count'] == 0 and got['items'] == [], got
    assert ok_json(DB, 'due', '--as-of', ASOF, '--days', DAYS, '--known-on',
                   '2999-01-01T00:00:00Z') == due()
    rc, _, err = cadre(DB, 'due', '--known-on', 'yesterday')
    assert rc == 2 and '--known-on' in err, (rc, err)
    srv = Server(DB)
    try:
        st, _, j = srv.call('GET', '/api/v1/due?as_of=%s&days=%s&known_on=2000-01-01'
                            % (ASOF, DAYS), TOKENS['j1'])
        assert st == 200 and j['count'] == 0, (st, j)
        st, _, j = srv.call('GET', '/api/v1/due?known_on=soon', TOKENS['j1'])
        assert st == 400 and 'known_on' in json.dumps(j), (st, j)
    finally:
        srv.stop()



if __name__ == '__main__':
    run()
