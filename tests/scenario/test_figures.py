#!/usr/bin/env python3
"""Each headline figure against its table and against numbers worked out
by hand on a small mission built here from CSV: a session's state by its
dates, the mission's status before it began and before its first
consent, transitioned courses, fill rate by nation, and the people a
transfer moved."""
import os

from harness import cadre, ok_json, run, test, tmpdir, write

# The mission NMI begins on 2020-01-01; its one consent C1 runs from
# 2020-03-01 to the end of 2020 at BASE and HQ, for the institution MOD.
FIXTURE = [
    ('nations', """code,name,member_since
CAN,Canada,1949-04-04
DEU,Germany,1955-05-06
IRQ,Iraq,
"""),
    ('organisations', """code,name,kind,parent,nation,valid_from
NATO,NATO,alliance,,,1949-04-04
NMI,Mission,mission,NATO,,2020-01-01
COAL,Coalition,coalition,,,2014-01-01
MOD,Ministry of Defence,host-ministry,,IRQ,2004-01-01
"""),
    ('sites', """code,name,latitude,longitude,country,region,mission_approved,valid_from
HQ,Headquarters,33.3,44.4,IRQ,Baghdad,yes,2019-01-01
BASE,Training base,33.5,44.3,IRQ,North,yes,2019-01-01
"""),
    ('consents', """code,title,activity_kinds,sites,institutions,ceiling,valid_from,valid_to
C1,Consent,training;advising;support,HQ;BASE,MOD,20,2020-03-01,2021-01-01
"""),
    # P1, P2 designated for Canada, P3 for Germany, P4 for no nation;
    # CP1 (BASE) and CP3 (HQ) are the coalition's training posts.
    ('posts', """number,title,branch,category,function,site,organisation,nation,valid_from
P1,Trainer,Training,military,training,BASE,NMI,CAN,2020-03-01
P2,Trainer 2,Training,military,training,BASE,NMI,CAN,2020-03-01
P3,Staff,Staff,military,support,HQ,NMI,DEU,2020-03-01
P4,Staff 2,Staff,military,support,HQ,NMI,,2020-03-01
CP1,Coalition trainer,Training,military,training,BASE,COAL,,2020-03-01
CP2,Coalition trainer 2,Training,military,training,BASE,COAL,,2020-03-01
CP3,Coalition trainer HQ,Training,military,training,HQ,COAL,,2020-03-01
"""),
    ('persons', """code,name,nation,category,valid_from
A,Alpha,DEU,military,2020-01-01
B,Bravo,DEU,military,2020-01-01
C,Charlie,CAN,military,2020-01-01
X,Xray,CAN,military,2020-01-01
Y,Yankee,CAN,military,2020-01-01
W,Whiskey,DEU,military,2020-01-01
"""),
    # A (German) holds the Canadian P1; P2 is vacant; B holds P3; C
    # holds P4. X and W are on coalition posts over both transfer days;
    # Y left CP2 before the first.
    ('assignments', """person,post,valid_from,valid_to
A,P1,2020-03-01,2020-12-01
B,P3,2020-03-01,2020-12-01
C,P4,2020-03-01,2020-12-01
X,CP1,2020-03-01,2020-12-01
Y,CP2,2020-03-01,2020-05-01
W,CP3,2020-03-01,2020-12-01
"""),
    ('activities', """code,title,kind,host,owner,site,valid_from,valid_to
TRN,Training,training,MOD,NMI,BASE,2020-03-01,2020-12-31
CTRN,Coalition training,training,MOD,COAL,BASE,2020-03-01,2020-12-31
DTRN,Coalition training HQ,training,MOD,COAL,HQ,2020-03-01,2020-12-31
"""),
    # Two sessions in a row at or above 50% host-led make a course
    # transitioned.
    ('courses', """code,title,activity,duration_days,capacity,transition_sessions,pass_target
CA,Course A,TRN,10,20,2,0.5
CB,Course B,TRN,10,20,2,0.5
CC,Course C,TRN,10,20,2,0.5
"""),
    ('trainees', """service_number,name,nation,unit
T1,One,IRQ,MOD
T2,Two,IRQ,MOD
"""),
    # CA: host, host (transitioned on 2020-04-11), then mission-led: co-led
    # again, not transitioned. CB: host, host: transitioned on 2020-04-21.
    # CC: nothing yet. Stored statuses are stale on purpose: CA/2020-03-02
    # says running, long over; CA/2020-04-01 says planned. CB/2020-06-01
    # is cancelled, which dates cannot tell.
    ('sessions', """course,site,valid_from,valid_to,lead,status
CA,BASE,2020-03-02,2020-03-12,host,running
CA,BASE,2020-04-01,2020-04-11,host,planned
CA,BASE,2020-05-01,2020-05-11,mission,planned
CB,BASE,2020-03-16,2020-03-26,host,completed
CB,BASE,2020-04-11,2020-04-21,host,completed
CB,BASE,2020-06-01,2020-06-11,host,cancelled
CC,BASE,2020-08-01,2020-08-11,mission,planned
"""),
    ('enrolments', """session,trainee,attendance,result
CA/2020-03-02,T1,attended,pass
CA/2020-04-01,T1,attended,pass
CA/2020-05-01,T2,attended,pass
CB/2020-03-16,T1,attended,pass
CB/2020-04-11,T2,attended,pass
"""),
]


def mission():
    d = tmpdir()
    db = os.path.join(d, 'f.db')
    for kind, text in FIXTURE:
        ok_json(db, 'import', kind, write(os.path.join(d, kind + '.csv'), text))
    return d, db


D, DB = mission()


def states(db, *args):
    return {r['key']: (r['status'], r['state'])
            for r in ok_json(db, 'list', 'sessions', *args)}


@test
def a_sessions_state_is_what_its_dates_say():
    # As of 2020-04-05: CA/2020-03-02 (to 03-12) is over though stored
    # running; CA/2020-04-01 (to 04-11) runs though stored planned.
    s = ok_json(DB, 'show', 'sessions', 'CA/2020-04-01', '--as-of', '2020-04-05')
    assert (s['status'], s['state']) == ('planned', 'running'), s
    s = ok_json(DB, 'show', 'sessions', 'CA/2020-03-02')
    assert (s['status'], s['state']) == ('running', 'completed'), s
    # Today (2026-11-29) every session is over but the cancelled one.
    got = states(DB)
    assert got['CB/2020-06-01'] == ('cancelled', 'cancelled'), got
    assert {st for k, (_, st) in got.items() if k != 'CB/2020-06-01'} == {'completed'}, got
    # valid_to is the first day it no longer runs: on 2020-04-11 it is over.
    s = ok_json(DB, 'show', 'sessions', 'CA/2020-04-01', '--as-of', '2020-04-10')
    assert s['state'] == 'running', s
    assert ok_json(DB, 'list', 'sessions', '--where', 'state=cancelled')[0]['key'] \
        == 'CB/2020-06-01'


@test
def status_counts_sessions_by_their_dates():
    # 2020-04-05: running CA/2020-04-01 only (CA/2020-03-02 ended, stored
    # running). Planned within 90 days: CB/2020-04-11, CA/2020-05-01 (the
    # cancelled CB/2020-06-01 is not; CC/2020-08-01 is 118 days away).
    st = ok_json(DB, 'status', '--as-of', '2020-04-05')
    assert st['sessions'] == {'running': 1, 'planned': 2, 'postponed': 0}, st['sessions']
    assert st['training'] == 'may run' and st['mission_begun'] is True, st


@test
def status_before_the_mission_and_before_its_first_consent():
    st = ok_json(DB, 'status', '--as-of', '2019-06-01')
    assert st['training'] == 'mission not begun' and st['mission_begun'] is False, st
    assert st['mission_from'] == '2020-01-01' and st['first_consent'] == '2020-03-01', st
    assert st['training_suspended'] is False   # the old key, unchanged
    st = ok_json(DB, 'status', '--as-of', '2020-02-01')
    assert st['training'] == 'no consent in force' and st['mission_begun'] is True, st
    rc, out, err = cadre(DB, 'status', '--as-of', '2019-06-01')
    assert rc == 0 and 'may run' not in out and 'mission not begun' in out, out
    assert 'Mission begins        2020-01-01' in out, out
    rc, out, err = cadre(DB, 'status', '--as-of', '2020-02-01')
    assert 'no consent in force' in out and 'First consent         2020-03-01' in out, out


@test
def transitioned_courses_headline_agrees_with_the_table():
    # As of 2020-12-01: CA host, host, then mission-led: co-led, not
    # transitioned; CB host, host: host-led since 2020-04-21 (its cancelled
    # third does not count); CC's one session, mission-led: mission-led.
    r = ok_json(DB, 'report', 'transition', '--as-of', '2020-12-01')
    got = {c['course']: (c['state'], c['transitioned'], c['transitioned_on'])
           for c in r['courses']}
    assert got == {'CA': ('co-led', False, None),
                   'CB': ('host-led', True, '2020-04-21'),
                   'CC': ('mission-led', False, None)}, got
    assert (r['courses_transitioned'], r['courses_total']) == (1, 3), r
    assert r['courses_transitioned'] == sum(c['state'] == 'host-led' for c in r['courses'])
    # As of 2020-04-15: CA's second session ended 04-11 (stored planned,
    # completed by its dates): CA is host-led from 2020-04-11; CB's second
    # runs to 04-21, so CB has one: co-led.
    r = ok_json(DB, 'report', 'transition', '--as-of', '2020-04-15')
    got = {c['course']: (c['state'], c['transitioned_on']) for c in r['courses']}
    assert got['CA'] == ('host-led', '2020-04-11') and got['CB'] == ('co-led', None), got
    assert r['courses_transitioned'] == 1, r


@test
def fill_rate_by_nation_is_by_the_posts_designated_nation():
    # 2020-06-01, the mission's posts P1..P4: Canada's P1 (held by A, a
    # German) and P2 (vacant): 2 posts, 1 filled; Germany's P3 (B): 1 of
    # 1; P4, for any nation (C): 1 of 1. Counted by the holders' nation
    # it would read DEU 2 of 2, CAN 1 of 1: 100% whatever the vacancies.
    r = ok_json(DB, 'report', 'manning', '--as-of', '2020-06-01')
    assert r['by_nation'] == {'CAN': {'posts': 2, 'filled': 1, 'vacant': 1},
                              'DEU': {'posts': 1, 'filled': 1, 'vacant': 0},
                              'any': {'posts': 1, 'filled': 1, 'vacant': 0}}, r['by_nation']
    assert (r['posts'], r['filled'], r['vacant']) == (4, 3, 1), r
    assert sum(n['filled'] for n in r['by_nation'].values()) == r['filled']


@test
def a_transfer_counts_the_people_it_moved():
    d, db = mission()
    # CTRN (BASE) on 2020-06-01 moves X from CP1 (Y left CP2 on 05-01);
    # DTRN (HQ) on 2020-07-01 moves W from CP3. A later posting to
    # CP1@NMI (Y from 2020-08-01) is not a transfer's.
    ok_json(db, 'transfer', 'CTRN', '--to', 'NMI', '--on', '2020-06-01', '--with-personnel')
    ok_json(db, 'transfer', 'DTRN', '--to', 'NMI', '--on', '2020-07-01', '--with-personnel')
    ok_json(db, 'import', 'assignments', write(os.path.join(d, 'y.csv'),
            'person,post,valid_from,valid_to\nY,CP1@NMI,2020-08-01,2020-12-01\n'))
    r = ok_json(db, 'report', 'transfer', '--activity', 'CTRN')
    assert r['people_reassigned'] == 1, r
    assert r['people_by_nation'] == [{'to_org': 'NMI', 'on_day': '2020-06-01',
                                      'nation': 'CAN', 'people': 1}], r
    r = ok_json(db, 'report', 'transfer', '--activity', 'DTRN')
    assert r['people_reassigned'] == 1 and r['people_by_nation'][0]['nation'] == 'DEU', r
    r = ok_json(db, 'report', 'transfer')
    assert (r['activities'], r['people_reassigned']) == (2, 2), r


@test
def the_issues_reproductions_on_the_demo():
    db = os.path.join(tmpdir(), 'demo.db')
    assert cadre(db, 'demo')[0] == 0
    # Before the mission (it begins 2018-10-01) and any consent.
    st = ok_json(db, 'status', '--as-of', '1999-01-01')
    assert st['training'] == 'mission not begun', st
    # FP-CRS/2026-10-21 ended 2026-11-18, stored running; today 2026-11-29.
    s = ok_json(db, 'show', 'sessions', 'FP-CRS/2026-10-21')
    assert (s['status'], s['state']) == ('running', 'completed'), s
    rows = ok_json(db, 'list', 'sessions')
    stale = [r['key'] for r in rows if r['valid_to'] <= '2026-11-29'
             and r['state'] in ('planned', 'running')]
    assert stale == [], stale
    # The dashboard's headline is the report's count of host-led courses;
    # the shipped demo has two courses co-led, so 8 of 10.
    t = ok_json(db, 'report', 'transition')
    states = [c['state'] for c in t['courses']]
    assert t['courses_transitioned'] == states.count('host-led') == 8, t
    assert states.count('co-led') == 2 and t['courses_total'] == 10, states
    assert all(c['transitioned'] == (c['state'] == 'host-led') for c in t['courses'])
    m = ok_json(db, 'report', 'manning')
    assert sum(n['filled'] for n in m['by_nation'].values()) == m['filled'], m
    r = ok_json(db, 'report', 'transfer')
    assert r['people_reassigned'] == sum(p['people'] for p in r['people_by_nation'])


if __name__ == '__main__':
    run()
