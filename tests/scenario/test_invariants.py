#!/usr/bin/env python3
"""The rules between records as invariants (issue 14): each new rule from
each way in. On a small mission built from CSV, every rule is broken
once by an import and once through the API (POST or PATCH): refused
with its rule id, the records it names and the days, the database
unchanged; its allowed neighbour is accepted. Each retroactive change
(a consent narrowed, a caveat added, a ceiling lowered, a qualification
ended, a post, course or site changed) is refused naming what it would
leave in breach, and the same change made acceptable is accepted.
Resume and the planner double-book nothing (the issue's "Done when", on
the demo). Data from before the rules stops no unrelated write and no
write that leaves it as it was, and one that adds to it is refused.
Every test that mutates a clean database ends with `cadre check` at 0."""
import json
import os

import harness
from dbstate import fingerprint
from harness import cadre, copy_db, ok_json, run, test, tmpdir, write

FIXTURE = {
    'nations': """code,name,member_since
CAN,Canada,1949-04-04
DEU,Germany,1955-05-06
ESP,Spain,1982-05-30
IRQ,Iraq,
""",
    'organisations': """code,name,kind,parent,nation,valid_from
NATO,NATO,alliance,,,1949-04-04
NMI,Mission,mission,NATO,,2019-01-01
COAL,Coalition,coalition,,,2014-01-01
MOD,Ministry of Defence,host-ministry,,IRQ,2004-01-01
U1,Unit one,host-unit,MOD,IRQ,2004-01-01
U2,Unit two,host-unit,MOD,IRQ,2004-01-01
""",
    # Both sites have a room R1 (a room is a site's and a name); BASE's
    # SMALL seats one.
    'sites': """code,name,latitude,longitude,country,region,mission_approved,valid_from,rooms
HQ,Headquarters,33.3,44.4,IRQ,Baghdad,yes,2019-01-01,R1:30;R2:30
BASE,Training base,33.5,44.3,IRQ,North,yes,2019-01-01,R1:30;SMALL:1
FAR,Far site,33.8,42.4,IRQ,West,no,2019-01-01,
""",
    # Open-ended, so that an open-ended assignment is consented.
    'consents': """code,title,activity_kinds,sites,institutions,ceiling,valid_from
C1,Consent,training;advising;support,HQ;BASE,MOD,5,2020-01-01
""",
    'posts': """number,title,branch,category,function,site,organisation,qualifications,concurrent,valid_from
P1,Trainer,Training,military,training,BASE,NMI,,,2020-01-01
P2,Staff,Staff,military,support,HQ,NMI,,,2020-01-01
P3,Liaison,Staff,military,support,HQ,NMI,,yes,2020-01-01
PQ,Instructor,Training,military,training,BASE,NMI,INSTR,,2020-01-01
P6,Coalition trainer,Training,military,training,FAR,COAL,,,2020-01-01
""",
    'persons': """code,name,nation,category,qualifications,valid_from
A,Alpha,CAN,military,INSTR:2020-03-10,2020-01-01
B,Bravo,DEU,military,INSTR,2020-01-01
C,Charlie,CAN,military,,2020-01-01
D,Delta,CAN,military,,2020-01-01
E,Echo,CAN,military,INSTR,2020-01-01
F,Foxtrot,CAN,military,INSTR,2020-01-01
G,Golf,CAN,military,INSTR:2027-06-01,2020-01-01
S,Sierra,ESP,military,INSTR,2020-01-01
""",
    'caveats': """code,nation,kind,target,valid_from
CV1,DEU,site,BASE,2019-01-01
""",
    'activities': """code,title,kind,host,owner,site,valid_from
TRN,Training,training,MOD,NMI,BASE,2020-01-01
""",
    'courses': """code,title,activity,duration_days,capacity,trainer_qualifications
CRS,Course,TRN,10,20,INSTR
TWO,Small course,TRN,10,2,INSTR
""",
    'trainees': """service_number,name,nation,unit
T1,Trainee one,IRQ,U1
T2,Trainee two,IRQ,U1
T3,Trainee three,IRQ,U1
""",
}

SESSION_HEAD = 'course,site,room,valid_from,valid_to,trainers,host_unit,status\n'
ASSIGN_HEAD = 'person,post,valid_from,valid_to\n'
ENROL_HEAD = 'session,trainee,attendance,result,certificate\n'
CONSENT_HEAD = 'code,title,activity_kinds,sites,institutions,ceiling,valid_from,valid_to\n'
CAVEAT_HEAD = 'code,nation,person,kind,target,valid_from,valid_to\n'
PERSON_HEAD = 'code,name,nation,category,qualifications,valid_from\n'
POST_HEAD = ('number,title,branch,category,function,site,organisation,'
             'qualifications,concurrent,valid_from\n')
COURSE_HEAD = 'code,title,activity,duration_days,capacity,trainer_qualifications\n'
SITE_HEAD = ('code,name,latitude,longitude,country,region,mission_approved,'
             'valid_from,rooms\n')
PW = 'a long enough password'


def _template():
    d = tmpdir()
    db = os.path.join(d, 'f.db')
    for kind in ('nations', 'organisations', 'sites', 'consents', 'posts',
                 'persons', 'caveats', 'activities', 'courses', 'trainees'):
        ok_json(db, 'import', kind, write(os.path.join(d, kind + '.csv'),
                                          FIXTURE[kind]))
    rc, out, err = cadre(db, 'user', 'add', 'adm', '--role', 'admin',
                         '--clearance', 'CTS', stdin=PW + '\n')
    assert rc == 0, out + err
    return db, ok_json(db, 'token', 'add', 'adm')['token']


TEMPLATE, TOKEN = _template()


def fixture():
    """A fresh copy of the small mission (the API's admin token works on
    it): (directory, database)."""
    d = tmpdir()
    return d, copy_db(TEMPLATE, os.path.join(d, 'f.db'))


def imp(d, db, kind, text):
    path = write(os.path.join(d, 'in.csv'), text)
    return cadre(db, 'import', kind, path, '--json')


def imp_ok(d, db, kind, text):
    rc, out, err = imp(d, db, kind, text)
    assert rc == 0, 'expected success, exit %d: %s%s' % (rc, out, err)


def imp_refused(d, db, kind, text, rule, records=None, dates=None):
    """Import TEXT, which must be refused by RULE naming RECORDS (all of
    them, in that order) and DATES; nothing changes. Its error."""
    before = fingerprint(db)
    rc, out, err = imp(d, db, kind, text)
    assert rc == 1, 'expected refusal by %s, exit %d: %s%s' % (rule, rc, out, err)
    e = json.loads(out)['error']
    assert e['code'] == 'RULE' and e['rule'] == rule, e
    if records is not None:
        assert e['records'] == records, (e['records'], records, e['message'])
    if dates is not None:
        assert e['dates'] == dates, (e['dates'], dates, e['message'])
    assert fingerprint(db) == before, 'a refused import changed the database'
    return e


def clean(db):
    rc, out, err = cadre(db, 'check', '--json')
    assert rc == 0, 'cadre check: exit %d: %s%s' % (rc, out, err)
    assert json.loads(out)['count'] == 0, out


class Api:
    """`cadre serve` on DB; every case is checked and what goes wrong is
    collected, so that one failing case does not hide the others."""

    def __init__(self, db):
        self.db = db
        self.srv = harness.Server(db)
        self.problems = []

    def call(self, method, path, body=None, headers=None):
        return self.srv.call(method, path, TOKEN, body, headers)

    def patch(self, path, body):
        st, h, j = self.call('GET', path)
        assert st == 200, (path, st, j)
        return self.call('PATCH', path, body, {'If-Match': h['ETag']})

    def ok(self, method, path, body=None):
        if method == 'PATCH':
            st, _, j = self.patch(path, body)
        else:
            st, _, j = self.call(method, path, body)
        if st not in (200, 201):
            self.problems.append('%s %s %s: expected 200/201, got %d %s' % (
                method, path, json.dumps(body), st, j))
        return j

    def refused(self, method, path, body, rule, records, dates):
        """409 by RULE with RECORDS and DATES, the database unchanged."""
        before = fingerprint(self.db)
        if method == 'PATCH':
            st, _, j = self.patch(path, body)
        else:
            st, _, j = self.call(method, path, body)
        what = '%s %s %s' % (method, path, json.dumps(body))
        j = j or {}
        if st != 409 or j.get('rule') != rule:
            self.problems.append('%s: expected 409 %s, got %d %s' % (
                what, rule, st, j))
        else:
            if j.get('records') != records:
                self.problems.append('%s: 409 %s: records %r, expected %r' % (
                    what, rule, j.get('records'), records))
            if j.get('dates') != dates:
                self.problems.append('%s: 409 %s: dates %r, expected %r' % (
                    what, rule, j.get('dates'), dates))
        if fingerprint(self.db) != before:
            self.problems.append('%s: the refused write changed the database' % what)

    def finish(self):
        rc, err = self.srv.stop()
        assert rc == 0, err
        assert not self.problems, '\n'.join(self.problems)


def session(course, site, room, start, end, trainers, unit=None, status=None):
    return {k: v for k, v in (('course', course), ('site', site), ('room', room),
                              ('valid_from', start), ('valid_to', end),
                              ('trainers', trainers), ('host_unit', unit),
                              ('status', status)) if v is not None}


# The sessions most tests start from: CRS at BASE's R1 from 1 to 10
# February 2020 (valid_to is exclusive), trainer E, host unit U1, T1
# enrolled.
def booked():
    d, db = fixture()
    imp_ok(d, db, 'sessions', SESSION_HEAD + 'CRS,BASE,R1,2020-02-01,2020-02-11,E,U1,\n')
    imp_ok(d, db, 'enrolments', ENROL_HEAD + 'CRS/2020-02-01,T1,,,\n')
    clean(db)
    return d, db


FIRST = 'CRS/2020-02-01'

# ---- Deconfliction, from the import ------------------------------------


@test
def trainer_clash_from_the_import():
    d, db = booked()
    imp_refused(d, db, 'sessions',
                SESSION_HEAD + 'CRS,HQ,R2,2020-02-05,2020-02-15,E,,\n',
                'TRAINER-CLASH', ['E', FIRST, 'CRS/2020-02-05'],
                ['2020-02-05', '2020-02-10'])
    # A second trainer does not hide the first.
    imp_refused(d, db, 'sessions',
                SESSION_HEAD + 'CRS,HQ,R2,2020-02-10,2020-02-20,F;E,,\n',
                'TRAINER-CLASH', ['E', FIRST, 'CRS/2020-02-10'], ['2020-02-10'])
    # The day after the other ends is free; postponed and cancelled
    # sessions book nothing.
    imp_ok(d, db, 'sessions', SESSION_HEAD + 'CRS,HQ,R2,2020-02-11,2020-02-21,E,,\n')
    imp_ok(d, db, 'sessions', SESSION_HEAD +
           'CRS,HQ,R2,2020-02-02,2020-02-11,E,,postponed\n'
           'CRS,HQ,R1,2020-02-04,2020-02-14,E,,cancelled\n')
    # Booking it again is a clash.
    imp_refused(d, db, 'sessions',
                SESSION_HEAD + 'CRS,HQ,R2,2020-02-02,2020-02-11,E,,planned\n',
                'TRAINER-CLASH', ['E', FIRST, 'CRS/2020-02-02'],
                ['2020-02-02', '2020-02-10'])
    clean(db)


@test
def room_clash_from_the_import():
    d, db = booked()
    imp_refused(d, db, 'sessions',
                SESSION_HEAD + 'CRS,BASE,R1,2020-02-05,2020-02-15,F,,\n',
                'ROOM-CLASH', [FIRST, 'CRS/2020-02-05', 'BASE'],
                ['2020-02-05', '2020-02-10'])
    # A room of the same name at another site, another room, the day
    # after: all free.
    imp_ok(d, db, 'sessions', SESSION_HEAD +
           'CRS,HQ,R1,2020-02-05,2020-02-15,F,,\n'
           'TWO,BASE,SMALL,2020-02-05,2020-02-15,G,,\n'
           'TWO,BASE,R1,2020-02-11,2020-02-21,A,,\n')
    clean(db)


@test
def unit_clash_from_the_import():
    d, db = booked()
    imp_refused(d, db, 'sessions',
                SESSION_HEAD + 'CRS,HQ,R1,2020-02-06,2020-02-16,F,U1,\n',
                'UNIT-CLASH', [FIRST, 'CRS/2020-02-06', 'U1'],
                ['2020-02-06', '2020-02-10'])
    imp_ok(d, db, 'sessions', SESSION_HEAD + 'CRS,HQ,R1,2020-02-06,2020-02-16,F,U2,\n')
    imp_ok(d, db, 'sessions', SESSION_HEAD + 'TWO,HQ,R2,2020-02-11,2020-02-21,G,U1,\n')
    clean(db)


@test
def trainee_clash_from_the_import():
    d, db = booked()
    imp_ok(d, db, 'sessions', SESSION_HEAD +
           'CRS,HQ,R1,2020-02-05,2020-02-15,F,,\nTWO,HQ,R2,2020-02-15,2020-02-25,G,,\n')
    imp_refused(d, db, 'enrolments', ENROL_HEAD + 'CRS/2020-02-05,T1,,,\n',
                'TRAINEE-CLASH', ['T1', FIRST, 'CRS/2020-02-05'],
                ['2020-02-05', '2020-02-10'])
    # A withdrawn enrolment books no day; the day after is free.
    imp_ok(d, db, 'enrolments', ENROL_HEAD +
           'CRS/2020-02-05,T1,withdrawn,,\nTWO/2020-02-15,T1,,,\n')
    imp_refused(d, db, 'enrolments', ENROL_HEAD + 'CRS/2020-02-05,T1,enrolled,,\n',
                'TRAINEE-CLASH', ['T1', FIRST, 'CRS/2020-02-05'],
                ['2020-02-05', '2020-02-10'])
    # A postponed session holds its trainees' days no more.
    imp_ok(d, db, 'sessions', SESSION_HEAD + 'CRS,HQ,R2,2020-02-03,2020-02-13,G,,postponed\n')
    imp_ok(d, db, 'enrolments', ENROL_HEAD + 'CRS/2020-02-03,T1,,,\n')
    # The first session made longer, into T1's next one.
    imp_refused(d, db, 'sessions', SESSION_HEAD + 'CRS,BASE,R1,2020-02-01,2020-02-17,E,U1,\n',
                'TRAINEE-CLASH', ['T1', FIRST, 'TWO/2020-02-15'],
                ['2020-02-15', '2020-02-16'])
    clean(db)


@test
def a_trainee_new_to_the_import_twice_and_one_with_an_old_clash():
    # The guard asks a trainee's pairs only once for an enrolment that is
    # new, after it is written (core/check.c, without()): a trainee new
    # to the mission twice in one file, on the same days, is refused as
    # surely; and a trainee whose clash is older than the rules may still
    # be enrolled elsewhere, while a second clash of theirs is refused.
    d, db = booked()
    imp_ok(d, db, 'sessions', SESSION_HEAD +
           'CRS,HQ,R1,2020-02-05,2020-02-15,F,,\nTWO,HQ,R2,2020-03-01,2020-03-11,G,,\n'
           'TWO,HQ,R1,2020-03-05,2020-03-15,F,,\n')
    imp_refused(d, db, 'enrolments', ENROL_HEAD + 'TWO/2020-03-01,T2,,,\n'
                'CRS/2020-02-05,T3,,,\nTWO/2020-03-05,T2,,,\n',
                'TRAINEE-CLASH', ['T2', 'TWO/2020-03-01', 'TWO/2020-03-05'],
                ['2020-03-05', '2020-03-10'])
    imp_ok(d, db, 'enrolments', ENROL_HEAD + 'TWO/2020-03-01,T2,,,\nCRS/2020-02-05,T3,,,\n')
    # T1's clash from before the rules: CRS/2020-02-05 over FIRST.
    with harness.engine.connect(db) as c:
        c.execute("INSERT INTO enrolment (key, session, trainee) VALUES (?, ?, ?)",
                  ('CRS/2020-02-05/T1', 'CRS/2020-02-05', 'T1'))
    c.close()
    rc, out, _ = cadre(db, 'check', '--json')
    assert rc == 1 and json.loads(out)['count'] == 1, out
    imp_ok(d, db, 'enrolments', ENROL_HEAD + 'TWO/2020-03-01,T1,,,\n')
    imp_refused(d, db, 'enrolments', ENROL_HEAD + 'TWO/2020-03-05,T1,,,\n',
                'TRAINEE-CLASH', ['T1', 'TWO/2020-03-01', 'TWO/2020-03-05'])
    # A new trainee in the old pair's two sessions, in one file.
    imp_refused(d, db, 'enrolments', ENROL_HEAD + 'TWO/2020-03-05,T3,,,\n'
                + FIRST + ',T2,,,\nCRS/2020-02-05,T2,,,\n', 'TRAINEE-CLASH',
                ['T2', FIRST, 'CRS/2020-02-05'])
    rc, out, _ = cadre(db, 'check', '--json')
    assert rc == 1 and json.loads(out)['count'] == 1, 'the old clash alone'


@test
def new_trainees_asked_a_batch_at_a_time():
    # The guard asks the pairs of an import's new trainees 64 at a time
    # (store_check_trainees_pairs): each trainee's violations go to its
    # own unit. 150 new trainees over 8 sessions; B105, in the second
    # batch, is already in a session on the same days and is refused;
    # B027 has a clash from before the rules, which a new enrolment on
    # other days leaves as it was. Neither is the first of its batch,
    # nor of its session's run, so that a violation counted under
    # another trainee's unit would show.
    import datetime
    d, db = fixture()
    day = datetime.date(2021, 1, 1)
    starts = [day + datetime.timedelta(days=15 * k) for k in range(8)]
    imp_ok(d, db, 'sessions', SESSION_HEAD + ''.join(
        'CRS,BASE,R1,%s,%s,E,U1,\n' % (s, s + datetime.timedelta(days=10))
        for s in starts) + 'TWO,HQ,R1,2021-03-20,2021-03-30,F,,\n'
        'TWO,HQ,R1,2022-06-01,2022-06-11,F,,\nTWO,HQ,R2,2022-06-03,2022-06-13,G,,\n')
    imp_ok(d, db, 'trainees', 'service_number,name,nation,unit\n' + ''.join(
        'B%03d,Batch trainee %d,IRQ,U1\n' % (i, i) for i in range(150)))
    imp_ok(d, db, 'enrolments', ENROL_HEAD + 'TWO/2021-03-20,B105,,,\n'
           'TWO/2022-06-01,B027,,,\n')
    with harness.engine.connect(db) as c:
        c.execute("INSERT INTO enrolment (key, session, trainee) VALUES (?, ?, ?)",
                  ('TWO/2022-06-03/B027', 'TWO/2022-06-03', 'B027'))
    c.close()
    rows = ['CRS/%s,B%03d,,,\n' % (starts[i // 20], i) for i in range(150)]
    assert rows[105].startswith('CRS/2021-03-17,B105')
    imp_refused(d, db, 'enrolments', ENROL_HEAD + ''.join(rows),
                'TRAINEE-CLASH', ['B105', 'CRS/2021-03-17', 'TWO/2021-03-20'],
                ['2021-03-20', '2021-03-26'])
    del rows[105]
    imp_ok(d, db, 'enrolments', ENROL_HEAD + ''.join(rows))
    rc, out, _ = cadre(db, 'check', '--json')
    assert rc == 1 and json.loads(out)['count'] == 1, 'the old clash alone'
    assert json.loads(out)['violations'][0]['records'][0] == 'B027', out


@test
def capacity_from_the_import():
    d, db = booked()
    imp_ok(d, db, 'sessions', SESSION_HEAD +
           'TWO,HQ,R2,2020-03-01,2020-03-11,E,,\nTWO,BASE,SMALL,2020-04-01,2020-04-11,E,,\n')
    imp_ok(d, db, 'enrolments', ENROL_HEAD + 'TWO/2020-03-01,T1,,,\nTWO/2020-03-01,T2,,,\n')
    e = imp_refused(d, db, 'enrolments', ENROL_HEAD + 'TWO/2020-03-01,T3,,,\n',
                    'CAPACITY', ['TWO/2020-03-01'], ['2020-03-01', '2020-03-10'])
    assert "3 trainees enrolled, above the course's capacity of 2" in e['message'], e
    # A withdrawn trainee frees the seat.
    imp_ok(d, db, 'enrolments', ENROL_HEAD + 'TWO/2020-03-01,T3,withdrawn,,\n')
    imp_refused(d, db, 'enrolments', ENROL_HEAD + 'TWO/2020-03-01,T2,attended,,\n'
                'TWO/2020-03-01,T3,attended,,\n',
                'CAPACITY', ['TWO/2020-03-01'], ['2020-03-01', '2020-03-10'])
    imp_ok(d, db, 'enrolments', ENROL_HEAD + 'TWO/2020-03-01,T2,withdrawn,,\n'
           'TWO/2020-03-01,T3,attended,,\n')
    # The room's capacity where it is the smaller.
    imp_ok(d, db, 'enrolments', ENROL_HEAD + 'TWO/2020-04-01,T1,,,\n')
    e = imp_refused(d, db, 'enrolments', ENROL_HEAD + 'TWO/2020-04-01,T2,,,\n',
                    'CAPACITY', ['TWO/2020-04-01'], ['2020-04-01', '2020-04-10'])
    assert "above the room's capacity of 1" in e['message'], e
    # A full class moved into the small room.
    e = imp_refused(d, db, 'sessions', SESSION_HEAD + 'TWO,BASE,SMALL,2020-03-01,2020-03-11,E,,\n',
                    'CAPACITY', ['TWO/2020-03-01'], ['2020-03-01', '2020-03-10'])
    assert "2 trainees enrolled, above the room's capacity of 1" in e['message'], e
    clean(db)


@test
def one_post_from_the_import():
    d, db = fixture()
    imp_ok(d, db, 'assignments', ASSIGN_HEAD + 'C,P1,2020-02-01,2020-05-01\n')
    imp_refused(d, db, 'assignments', ASSIGN_HEAD + 'C,P2,2020-04-01,2020-06-01\n',
                'ONE-POST', ['C', 'C/P1/2020-02-01', 'C/P2/2020-04-01'],
                ['2020-04-01', '2020-04-30'])
    # Two in one file: still refused, nothing written.
    imp_refused(d, db, 'assignments', ASSIGN_HEAD +
                'D,P2,2020-02-01,2020-06-01\nD,P1,2020-05-31,2020-07-01\n',
                'ONE-POST', ['D', 'D/P1/2020-05-31', 'D/P2/2020-02-01'],
                ['2020-05-31'])
    # A handover on the day one ends; a post that may be held alongside.
    imp_ok(d, db, 'assignments', ASSIGN_HEAD + 'C,P2,2020-05-01,2020-06-01\n'
           'C,P3,2020-03-01,2020-04-01\n')
    clean(db)


@test
def post_qualification_from_the_import():
    d, db = fixture()
    imp_refused(d, db, 'assignments', ASSIGN_HEAD + 'D,PQ,2020-02-01,2020-03-01\n',
                'POST-QUALIFICATION', ['D/PQ/2020-02-01', 'D', 'PQ'],
                ['2020-02-01', '2020-02-29'])
    # A's INSTR holds through 10 March: to the 10th is enough, a day
    # more is not.
    imp_ok(d, db, 'assignments', ASSIGN_HEAD + 'A,PQ,2020-02-01,2020-03-11\n')
    imp_refused(d, db, 'assignments', ASSIGN_HEAD + 'A,PQ,2020-03-11,2020-03-12\n',
                'POST-QUALIFICATION', ['A/PQ/2020-03-11', 'A', 'PQ'], ['2020-03-11'])
    # Open-ended: asked up to today (2026-11-29), G's holds to 2027.
    imp_refused(d, db, 'assignments', ASSIGN_HEAD + 'A,PQ,2020-03-11,\n',
                'POST-QUALIFICATION', ['A/PQ/2020-03-11', 'A', 'PQ'],
                ['2020-03-11', '2026-11-29'])
    imp_ok(d, db, 'assignments', ASSIGN_HEAD + 'G,PQ,2020-03-11,\n')
    # Ending G's INSTR before today is ending it while G holds the post.
    imp_refused(d, db, 'persons', PERSON_HEAD + 'G,Golf,CAN,military,INSTR:2026-01-01,2020-01-01\n',
                'POST-QUALIFICATION', ['G/PQ/2020-03-11', 'G', 'PQ'],
                ['2026-01-02', '2026-11-29'])
    imp_ok(d, db, 'persons', PERSON_HEAD + 'G,Golf,CAN,military,INSTR:2027-01-01,2020-01-01\n')
    clean(db)


@test
def certificate_from_the_import():
    d, db = booked()
    for att, res in (('attended', 'fail'), ('absent', 'pass'),
                     ('withdrawn', 'pass'), ('attended', 'pending')):
        imp_refused(d, db, 'enrolments', ENROL_HEAD +
                    'CRS/2020-02-01,T1,%s,%s,CERT-1\n' % (att, res),
                    'CERTIFICATE', ['CRS/2020-02-01/T1', FIRST])
    imp_ok(d, db, 'enrolments', ENROL_HEAD + 'CRS/2020-02-01,T1,attended,pass,CERT-1\n')
    # Nor may the result change under the certificate.
    imp_refused(d, db, 'enrolments', ENROL_HEAD +
                'CRS/2020-02-01,T1,attended,fail,CERT-1\n',
                'CERTIFICATE', ['CRS/2020-02-01/T1', FIRST])
    clean(db)


@test
def noncombat_operation_post_from_the_import():
    d, db = fixture()
    imp_refused(d, db, 'posts', POST_HEAD +
                'P9,Ops,Ops,military,operation,BASE,NMI,,,2020-01-01\n',
                'NONCOMBAT', ['P9', 'NMI'], ['2020-01-01'])
    # The coalition's may; a mission post may not become one.
    imp_ok(d, db, 'posts', POST_HEAD +
           'P9,Ops,Ops,military,operation,FAR,COAL,,,2020-01-01\n')
    imp_refused(d, db, 'posts', POST_HEAD +
                'P1,Trainer,Training,military,operation,BASE,NMI,,,2020-01-01\n',
                'NONCOMBAT', ['P1', 'NMI'], ['2020-01-01'])
    clean(db)


# ---- The same, through the API ------------------------------------------


@test
def bookings_from_the_api():
    d, db = booked()
    imp_ok(d, db, 'sessions', SESSION_HEAD +
           'CRS,HQ,R1,2020-02-11,2020-02-21,E,,\nTWO,HQ,R2,2020-02-03,2020-02-11,F,,postponed\n')
    api = Api(db)
    try:
        api.refused('POST', '/api/v1/sessions',
                    session('CRS', 'HQ', 'R2', '2020-02-05', '2020-02-11', 'E'),
                    'TRAINER-CLASH', ['E', FIRST, 'CRS/2020-02-05'],
                    ['2020-02-05', '2020-02-10'])
        api.refused('POST', '/api/v1/sessions',
                    session('TWO', 'BASE', 'R1', '2020-02-05', '2020-02-15', 'F'),
                    'ROOM-CLASH', [FIRST, 'TWO/2020-02-05', 'BASE'],
                    ['2020-02-05', '2020-02-10'])
        api.refused('POST', '/api/v1/sessions',
                    session('TWO', 'HQ', 'R2', '2020-02-06', '2020-02-16', 'G', 'U1'),
                    'UNIT-CLASH', [FIRST, 'TWO/2020-02-06', 'U1'],
                    ['2020-02-06', '2020-02-10'])
        # PATCH: longer by two days, into the next one of its trainer.
        api.refused('PATCH', '/api/v1/sessions/' + FIRST, {'valid_to': '2020-02-13'},
                    'TRAINER-CLASH', ['E', FIRST, 'CRS/2020-02-11'],
                    ['2020-02-11', '2020-02-12'])
        # The postponed one booked again.
        api.refused('PATCH', '/api/v1/sessions/TWO/2020-02-03',
                    {'status': 'planned', 'trainers': 'E'},
                    'TRAINER-CLASH', ['E', FIRST, 'TWO/2020-02-03'],
                    ['2020-02-03', '2020-02-10'])
        api.refused('PATCH', '/api/v1/sessions/TWO/2020-02-03',
                    {'status': 'planned', 'host_unit': 'U1'},
                    'UNIT-CLASH', [FIRST, 'TWO/2020-02-03', 'U1'],
                    ['2020-02-03', '2020-02-10'])
        api.refused('PATCH', '/api/v1/sessions/TWO/2020-02-03',
                    {'status': 'planned', 'site': 'BASE', 'room': 'R1'},
                    'ROOM-CLASH', [FIRST, 'TWO/2020-02-03', 'BASE'],
                    ['2020-02-03', '2020-02-10'])
        # Its neighbours: planned again as it was, another unit, the day
        # after.
        api.ok('PATCH', '/api/v1/sessions/TWO/2020-02-03', {'status': 'planned'})
        api.ok('POST', '/api/v1/sessions',
               session('CRS', 'BASE', 'R1', '2020-02-21', '2020-03-02', 'E', 'U1'))
    finally:
        api.finish()
    clean(db)


@test
def enrolments_from_the_api():
    d, db = booked()
    imp_ok(d, db, 'sessions', SESSION_HEAD +
           'CRS,HQ,R1,2020-02-05,2020-02-15,F,,\nTWO,HQ,R2,2020-03-01,2020-03-11,E,,\n')
    imp_ok(d, db, 'enrolments', ENROL_HEAD + 'CRS/2020-02-05,T1,withdrawn,,\n'
           'TWO/2020-03-01,T1,,,\nTWO/2020-03-01,T2,attended,fail,\n')
    api = Api(db)
    try:
        api.refused('PATCH', '/api/v1/enrolments/CRS/2020-02-05/T1',
                    {'attendance': 'enrolled'}, 'TRAINEE-CLASH',
                    ['T1', FIRST, 'CRS/2020-02-05'], ['2020-02-05', '2020-02-10'])
        api.refused('POST', '/api/v1/enrolments',
                    {'session': 'TWO/2020-03-01', 'trainee': 'T3'}, 'CAPACITY',
                    ['TWO/2020-03-01'], ['2020-03-01', '2020-03-10'])
        api.refused('PATCH', '/api/v1/enrolments/TWO/2020-03-01/T2',
                    {'certificate': 'CERT-2'}, 'CERTIFICATE',
                    ['TWO/2020-03-01/T2', 'TWO/2020-03-01'], [])
        api.refused('POST', '/api/v1/enrolments',
                    {'session': 'CRS/2020-02-01', 'trainee': 'T2', 'attendance':
                     'absent', 'result': 'pass', 'certificate': 'CERT-3'},
                    'CERTIFICATE', ['CRS/2020-02-01/T2', FIRST], [])
        # Neighbours: a withdrawn seat is free; a pass earns it.
        api.ok('POST', '/api/v1/enrolments',
               {'session': 'TWO/2020-03-01', 'trainee': 'T3', 'attendance': 'withdrawn'})
        api.ok('PATCH', '/api/v1/enrolments/TWO/2020-03-01/T2',
               {'result': 'pass', 'certificate': 'CERT-2'})
    finally:
        api.finish()
    clean(db)


@test
def posts_from_the_api():
    d, db = fixture()
    imp_ok(d, db, 'assignments', ASSIGN_HEAD + 'C,P1,2020-02-01,2020-05-01\n')
    api = Api(db)
    try:
        api.refused('POST', '/api/v1/assignments',
                    {'person': 'C', 'post': 'P2', 'valid_from': '2020-04-01',
                     'valid_to': '2020-06-01'}, 'ONE-POST',
                    ['C', 'C/P1/2020-02-01', 'C/P2/2020-04-01'],
                    ['2020-04-01', '2020-04-30'])
        api.refused('POST', '/api/v1/assignments',
                    {'person': 'D', 'post': 'PQ', 'valid_from': '2020-02-01',
                     'valid_to': '2020-03-01'}, 'POST-QUALIFICATION',
                    ['D/PQ/2020-02-01', 'D', 'PQ'], ['2020-02-01', '2020-02-29'])
        api.refused('POST', '/api/v1/posts',
                    {'number': 'P9', 'title': 'Ops', 'branch': 'Ops',
                     'category': 'military', 'function': 'operation', 'site': 'BASE',
                     'organisation': 'NMI', 'valid_from': '2020-01-01'},
                    'NONCOMBAT', ['P9', 'NMI'], ['2020-01-01'])
        api.refused('PATCH', '/api/v1/posts/P2', {'function': 'operation'},
                    'NONCOMBAT', ['P2', 'NMI'], ['2020-01-01'])
        # Neighbours: the handover, a concurrent post, a qualified holder.
        api.ok('POST', '/api/v1/assignments', {'person': 'C', 'post': 'P2',
               'valid_from': '2020-05-01', 'valid_to': '2020-06-01'})
        api.ok('POST', '/api/v1/assignments', {'person': 'C', 'post': 'P3',
               'valid_from': '2020-02-01', 'valid_to': '2020-03-01'})
        api.ok('POST', '/api/v1/assignments', {'person': 'E', 'post': 'PQ',
               'valid_from': '2020-02-01', 'valid_to': '2020-03-01'})
        # A held assignment made longer, over the next post.
        api.refused('PATCH', '/api/v1/assignments/C/P1/2020-02-01',
                    {'valid_to': '2020-05-15'}, 'ONE-POST',
                    ['C', 'C/P1/2020-02-01', 'C/P2/2020-05-01'],
                    ['2020-05-01', '2020-05-14'])
    finally:
        api.finish()
    clean(db)


# ---- Retroactive changes ------------------------------------------------

def staffed():
    """People on posts and a session in June: what a change to the rules
    may leave in breach."""
    d, db = fixture()
    imp_ok(d, db, 'assignments', ASSIGN_HEAD +
           'C,P1,2020-02-01,2020-05-01\nS,P1,2020-05-01,2020-08-01\n'
           'D,P2,2020-02-01,2020-09-01\nA,PQ,2020-02-01,2020-03-11\n'
           'C,P3,2020-03-01,2020-04-01\n')
    imp_ok(d, db, 'sessions', SESSION_HEAD + 'CRS,BASE,R1,2020-06-01,2020-06-11,E,,\n'
           'TWO,HQ,R2,2020-07-01,2020-07-11,F,,\n')
    imp_ok(d, db, 'enrolments', ENROL_HEAD + 'TWO/2020-07-01,T1,,,\nTWO/2020-07-01,T2,,,\n')
    clean(db)
    return d, db


C1 = 'C1,Consent,%s,%s,MOD,%d,2020-01-01,%s\n'
KINDS = 'training;advising;support'


@test
def narrowing_a_consent_is_refused_with_what_it_would_leave_uncovered():
    d, db = staffed()
    e = imp_refused(d, db, 'consents', CONSENT_HEAD + C1 % (KINDS, 'HQ;BASE', 5, '2020-03-01'),
                    'CONSENT')
    for k in ('CRS/2020-06-01', 'TWO/2020-07-01', 'C/P1/2020-02-01',
              'S/P1/2020-05-01', 'D/P2/2020-02-01', 'C/P3/2020-03-01', 'TRN'):
        assert k in e['records'], (k, e['records'])
    e = imp_refused(d, db, 'consents', CONSENT_HEAD + C1 % (KINDS, 'HQ', 5, ''), 'CONSENT')
    for k in ('CRS/2020-06-01', 'C/P1/2020-02-01', 'S/P1/2020-05-01',
              'A/PQ/2020-02-01', 'TRN'):
        assert k in e['records'], (k, e['records'])
    assert 'D/P2/2020-02-01' not in e['records'], e['records']
    e = imp_refused(d, db, 'consents', CONSENT_HEAD + C1 % ('training;advising', 'HQ;BASE',
                                                            5, ''), 'CONSENT')
    assert set(e['records']) == {'D/P2/2020-02-01', 'C/P3/2020-03-01'}, e
    # Made acceptable: the activity ends first, then the consent after the
    # last thing it covers; or the action that ends it and postpones what
    # it covered.
    imp_refused(d, db, 'consents', CONSENT_HEAD + C1 % (KINDS, 'HQ;BASE', 5, '2021-01-01'),
                'CONSENT', ['TRN'], ['2021-01-01'])
    imp_ok(d, db, 'activities', 'code,title,kind,host,owner,site,valid_from,valid_to\n'
           'TRN,Training,training,MOD,NMI,BASE,2020-01-01,2021-01-01\n')
    imp_ok(d, db, 'consents', CONSENT_HEAD + C1 % (KINDS, 'HQ;BASE', 5, '2021-01-01'))
    clean(db)
    r = ok_json(db, 'consent', 'withdraw', 'C1', '--on', '2020-05-15')
    assert {s['session'] for s in r['sessions_postponed']} == \
        {'CRS/2020-06-01', 'TWO/2020-07-01'}, r
    clean(db)


@test
def narrowing_a_consent_through_the_api():
    d, db = staffed()
    api = Api(db)
    try:
        for how, body in (('PATCH', {'valid_to': '2020-06-05'}),
                          ('DELETE', None)):
            before = fingerprint(db)
            if how == 'PATCH':
                st, _, j = api.patch('/api/v1/consents/C1', body)
            else:
                st, _, j = api.call('DELETE', '/api/v1/consents/C1?on=2020-06-05')
            if st != 409 or j.get('rule') != 'CONSENT':
                api.problems.append('%s consent C1: expected 409 CONSENT, got %d %s'
                                    % (how, st, j))
            elif not {'CRS/2020-06-01', 'S/P1/2020-05-01', 'D/P2/2020-02-01',
                      'TWO/2020-07-01'} <= set(j.get('records') or []) or \
                    j.get('dates') != ['2020-06-05']:
                api.problems.append('%s consent C1: 409 names %r on %r, not what it '
                                    'would leave uncovered from 2020-06-05' % (
                                        how, j.get('records'), j.get('dates')))
            if fingerprint(db) != before:
                api.problems.append('%s consent C1: refused, and changed' % how)
        for body, rule, must in (({'sites': 'HQ'}, 'CONSENT',
                                  {'CRS/2020-06-01', 'C/P1/2020-02-01'}),
                                 ({'activity_kinds': 'training;advising'}, 'CONSENT',
                                  {'D/P2/2020-02-01', 'C/P3/2020-03-01'}),
                                 ({'ceiling': 2}, 'CEILING', {'C1'})):
            before = fingerprint(db)
            st, _, j = api.patch('/api/v1/consents/C1', body)
            if st != 409 or j.get('rule') != rule:
                api.problems.append('PATCH consent C1 %s: expected 409 %s, got %d %s'
                                    % (body, rule, st, j))
            elif not must <= set(j.get('records') or []) or not j.get('dates'):
                api.problems.append('PATCH consent C1 %s: 409 names %r on %r, '
                                    'expected %r and the days' % (
                                        body, j.get('records'), j.get('dates'), must))
            if fingerprint(db) != before:
                api.problems.append('PATCH consent C1 %s: refused, and changed' % body)
        # Acceptable: ended after the last thing it covers; a ceiling at
        # the peak.
        api.ok('PATCH', '/api/v1/consents/C1', {'ceiling': 4})
        api.ok('DELETE', '/api/v1/activities/TRN?on=2021-01-01')
        api.ok('DELETE', '/api/v1/consents/C1?on=2021-01-01')
    finally:
        api.finish()
    clean(db)


@test
def lowering_a_ceiling_is_refused_on_its_first_day_over():
    d, db = staffed()
    # C, D and A on mission posts from 1 February.
    e = imp_refused(d, db, 'consents', CONSENT_HEAD + C1 % (KINDS, 'HQ;BASE', 2, ''),
                    'CEILING', ['C1'], ['2020-02-01'])
    assert 'would be 3, above its ceiling of 2' in e['message'], e
    imp_ok(d, db, 'consents', CONSENT_HEAD + C1 % (KINDS, 'HQ;BASE', 4, ''))
    clean(db)


@test
def a_person_on_two_posts_at_once_counts_once_under_a_ceiling():
    """The ceiling counts people (docs/rules.md): C, holding P1 and the
    concurrent P3 in March, is one of the three in theatre then."""
    d, db = staffed()
    r = ok_json(db, 'report', 'ceilings', '--from', '2020-03-01', '--to', '2020-03-02')
    assert [x['headcount'] for x in r['days']] == [3], r
    imp_ok(d, db, 'consents', CONSENT_HEAD + C1 % (KINDS, 'HQ;BASE', 3, ''))
    clean(db)


@test
def adding_or_widening_a_caveat_is_refused_with_who_it_would_bar():
    d, db = staffed()
    imp_refused(d, db, 'caveats', CAVEAT_HEAD + 'CV2,ESP,,site,BASE,2020-01-01,\n',
                'CAVEAT', ['S/P1/2020-05-01', 'S', 'CV2'], ['2020-05-01'])
    imp_refused(d, db, 'caveats', CAVEAT_HEAD + 'CV3,,C,region,North,2020-01-01,\n',
                'CAVEAT', ['C/P1/2020-02-01', 'C', 'CV3'], ['2020-02-01'])
    imp_refused(d, db, 'caveats', CAVEAT_HEAD + 'CV4,,E,activity,training,2020-01-01,\n',
                'CAVEAT', ['CRS/2020-06-01', 'E', 'CV4'], ['2020-06-01'])
    # From the day S's tour ends it bars no one; widened back, it would.
    imp_ok(d, db, 'caveats', CAVEAT_HEAD + 'CV2,ESP,,site,BASE,2020-08-01,\n')
    imp_refused(d, db, 'caveats', CAVEAT_HEAD + 'CV2,ESP,,site,BASE,2020-07-01,\n',
                'CAVEAT', ['S/P1/2020-05-01', 'S', 'CV2'], ['2020-07-01'])
    imp_ok(d, db, 'caveats', CAVEAT_HEAD + 'CV3,,C,site,HQ,2020-06-01,\n')
    imp_refused(d, db, 'caveats', CAVEAT_HEAD + 'CV3,,C,site,BASE,2020-01-01,\n',
                'CAVEAT', ['C/P1/2020-02-01', 'C', 'CV3'], ['2020-02-01'])
    # End the assignment first, then the caveat from that day is fine.
    imp_ok(d, db, 'assignments', ASSIGN_HEAD + 'S,P1,2020-05-01,2020-06-01\n')
    imp_ok(d, db, 'caveats', CAVEAT_HEAD + 'CV2,ESP,,site,BASE,2020-06-01,\n')
    clean(db)


@test
def a_caveat_through_the_api():
    d, db = staffed()
    api = Api(db)
    try:
        api.refused('POST', '/api/v1/caveats', {'code': 'CV2', 'nation': 'ESP',
                    'kind': 'site', 'target': 'BASE', 'valid_from': '2020-01-01'},
                    'CAVEAT', ['S/P1/2020-05-01', 'S', 'CV2'], ['2020-05-01'])
        api.ok('POST', '/api/v1/caveats', {'code': 'CV2', 'nation': 'ESP',
               'kind': 'site', 'target': 'BASE', 'valid_from': '2020-08-01'})
        api.refused('PATCH', '/api/v1/caveats/CV2', {'valid_from': '2020-07-01'},
                    'CAVEAT', ['S/P1/2020-05-01', 'S', 'CV2'], ['2020-07-01'])
    finally:
        api.finish()
    clean(db)


@test
def ending_a_qualification_is_refused_with_what_needs_it():
    d, db = staffed()
    imp_refused(d, db, 'persons', PERSON_HEAD + 'E,Echo,CAN,military,INSTR:2020-06-05,2020-01-01\n',
                'QUALIFICATION', ['CRS/2020-06-01', 'E'], ['2020-06-01', '2020-06-10'])
    imp_refused(d, db, 'persons', PERSON_HEAD + 'E,Echo,CAN,military,,2020-01-01\n',
                'QUALIFICATION', ['CRS/2020-06-01', 'E'], ['2020-06-01', '2020-06-10'])
    imp_refused(d, db, 'persons', PERSON_HEAD + 'A,Alpha,CAN,military,INSTR:2020-03-01,2020-01-01\n',
                'POST-QUALIFICATION', ['A/PQ/2020-02-01', 'A', 'PQ'],
                ['2020-03-02', '2020-03-10'])
    # Through the session's last day is enough; A's tour ended first.
    imp_ok(d, db, 'persons', PERSON_HEAD + 'E,Echo,CAN,military,INSTR:2020-06-10,2020-01-01\n')
    imp_ok(d, db, 'assignments', ASSIGN_HEAD + 'A,PQ,2020-02-01,2020-03-02\n')
    imp_ok(d, db, 'persons', PERSON_HEAD + 'A,Alpha,CAN,military,INSTR:2020-03-01,2020-01-01\n')
    clean(db)
    api = Api(db)
    try:
        api.refused('PATCH', '/api/v1/persons/E', {'qualifications': 'INSTR:2020-06-09'},
                    'QUALIFICATION', ['CRS/2020-06-01', 'E'], ['2020-06-01', '2020-06-10'])
        api.ok('PATCH', '/api/v1/persons/E', {'qualifications': 'INSTR:2020-06-10;MED'})
    finally:
        api.finish()
    clean(db)


@test
def changing_a_post_is_refused_with_its_holders():
    d, db = staffed()
    imp_ok(d, db, 'assignments', ASSIGN_HEAD + 'B,P2,2020-09-01,2020-10-01\n')
    p1 = 'P1,Trainer,Training,military,%s,%s,NMI,%s,,2020-01-01\n'
    imp_refused(d, db, 'posts', POST_HEAD + p1 % ('operation', 'BASE', ''),
                'NONCOMBAT', ['P1', 'NMI'], ['2020-01-01'])
    imp_refused(d, db, 'posts', POST_HEAD + p1 % ('training', 'BASE', 'INSTR'),
                'POST-QUALIFICATION', ['C/P1/2020-02-01', 'C', 'P1'],
                ['2020-02-01', '2020-04-30'])
    imp_refused(d, db, 'posts', POST_HEAD + p1 % ('training', 'FAR', ''),
                'NONCOMBAT', ['C/P1/2020-02-01', 'P1', 'S/P1/2020-05-01'], ['2020-02-01'])
    # B is German: Germany's caveat keeps its people from BASE.
    imp_refused(d, db, 'posts', POST_HEAD +
                'P2,Staff,Staff,military,support,BASE,NMI,,,2020-01-01\n',
                'CAVEAT', ['B/P2/2020-09-01', 'B', 'CV1'], ['2020-09-01'])
    # P3 may be held alongside P1 no more while C holds both.
    imp_refused(d, db, 'posts', POST_HEAD +
                'P3,Liaison,Staff,military,support,HQ,NMI,,no,2020-01-01\n',
                'ONE-POST', ['C', 'C/P1/2020-02-01', 'C/P3/2020-03-01'],
                ['2020-03-01', '2020-03-31'])
    # Advising is a kind of work a consent for training and support does
    # not cover.
    imp_ok(d, db, 'consents', CONSENT_HEAD + C1 % ('training;support', 'HQ;BASE', 5, ''))
    imp_refused(d, db, 'posts', POST_HEAD +
                'P2,Staff,Staff,military,advising,HQ,NMI,,,2020-01-01\n',
                'CONSENT', ['B/P2/2020-09-01', 'D/P2/2020-02-01'], ['2020-09-01'])
    imp_ok(d, db, 'consents', CONSENT_HEAD + C1 % (KINDS, 'HQ;BASE', 5, ''))
    # Acceptable: another kind of work the consent covers; a requirement
    # its holders meet (S and A hold INSTR while they hold the post).
    imp_ok(d, db, 'posts', POST_HEAD + p1 % ('advising', 'BASE', ''))
    imp_ok(d, db, 'persons', PERSON_HEAD + 'C,Charlie,CAN,military,INSTR,2020-01-01\n')
    clean(db)
    api = Api(db)
    try:
        api.refused('PATCH', '/api/v1/posts/P2', {'qualifications': 'INSTR'},
                    'POST-QUALIFICATION', ['D/P2/2020-02-01', 'D', 'P2'],
                    ['2020-02-01', '2020-08-31'])
        api.refused('PATCH', '/api/v1/posts/P1', {'site': 'FAR'}, 'NONCOMBAT',
                    ['C/P1/2020-02-01', 'P1', 'S/P1/2020-05-01'], ['2020-02-01'])
        api.refused('PATCH', '/api/v1/posts/P1', {'function': 'operation'},
                    'NONCOMBAT', ['P1', 'NMI'], ['2020-01-01'])
        api.ok('PATCH', '/api/v1/posts/P1', {'qualifications': 'INSTR'})
    finally:
        api.finish()
    clean(db)


@test
def changing_a_course_or_a_site_is_refused_with_its_sessions():
    d, db = staffed()
    imp_refused(d, db, 'courses', COURSE_HEAD + 'TWO,Small course,TRN,10,1,INSTR\n',
                'CAPACITY', ['TWO/2020-07-01'], ['2020-07-01', '2020-07-10'])
    imp_refused(d, db, 'courses', COURSE_HEAD + 'CRS,Course,TRN,10,20,INSTR;MED\n',
                'QUALIFICATION', ['CRS/2020-06-01', 'E'], ['2020-06-01', '2020-06-10'])
    imp_refused(d, db, 'sites', SITE_HEAD +
                'HQ,Headquarters,33.3,44.4,IRQ,Baghdad,yes,2019-01-01,R1:30;R2:1\n',
                'CAPACITY', ['TWO/2020-07-01'], ['2020-07-01', '2020-07-10'])
    e = imp_refused(d, db, 'sites', SITE_HEAD +
                    'HQ,Headquarters,33.3,44.4,IRQ,Baghdad,no,2019-01-01,R1:30;R2:30\n',
                    'NONCOMBAT')
    for k in ('TWO/2020-07-01', 'D/P2/2020-02-01', 'C/P3/2020-03-01', 'HQ'):
        assert k in e['records'], (k, e['records'])
    # Acceptable: what its sessions still fit.
    imp_ok(d, db, 'courses', COURSE_HEAD + 'TWO,Small course,TRN,10,2,INSTR\n'
           'CRS,Course,TRN,10,5,INSTR\n')
    imp_ok(d, db, 'sites', SITE_HEAD +
           'HQ,Headquarters,33.3,44.4,IRQ,Baghdad,yes,2019-01-01,R1:30;R2:2;R3:4\n')
    clean(db)
    api = Api(db)
    try:
        api.refused('PATCH', '/api/v1/courses/TWO', {'capacity': 1}, 'CAPACITY',
                    ['TWO/2020-07-01'], ['2020-07-01', '2020-07-10'])
        api.refused('PATCH', '/api/v1/courses/CRS', {'trainer_qualifications': 'INSTR;MED'},
                    'QUALIFICATION', ['CRS/2020-06-01', 'E'], ['2020-06-01', '2020-06-10'])
        api.refused('PATCH', '/api/v1/sites/HQ', {'rooms': 'R1:30;R2:1'}, 'CAPACITY',
                    ['TWO/2020-07-01'], ['2020-07-01', '2020-07-10'])
        before = fingerprint(db)
        st, _, j = api.patch('/api/v1/sites/BASE', {'mission_approved': 'no'})
        if st != 409 or j.get('rule') != 'NONCOMBAT' or \
                not {'CRS/2020-06-01', 'S/P1/2020-05-01', 'BASE'} <= set(j.get('records') or []):
            api.problems.append('PATCH site BASE mission_approved=no: expected 409 '
                                'NONCOMBAT naming its session and holders, got %d %s'
                                % (st, j))
        if fingerprint(db) != before:
            api.problems.append('PATCH site BASE: refused, and changed')
        api.ok('PATCH', '/api/v1/courses/TWO', {'capacity': 3})
    finally:
        api.finish()
    clean(db)


# ---- Resume and the planner ----------------------------------------------


@test
def demo_suspended_resumed_and_planned_twice_double_books_nothing():
    """The issue's "Done when": suspend + resume --apply on the demo, then
    plan the quarter twice: the second run places nothing, and `cadre
    check` finds nothing."""
    d = tmpdir()
    db = os.path.join(d, 'demo.db')
    assert cadre(db, 'demo')[0] == 0
    clean(db)
    s = ok_json(db, 'suspend', '--scope', 'site:TAJI', '--from', '2026-12-01',
                '--reason', 'test')
    assert s['sessions_postponed'], s
    r = ok_json(db, 'resume', '--scope', 'site:TAJI', '--on', '2026-12-20', '--apply')
    assert any('replanned_as' in x for x in r['sessions']), r
    clean(db)
    first = ok_json(db, 'plan', 'sessions', '--from', '2027-04-01', '--to',
                    '2027-07-01', '--apply')
    assert first['placed'] >= 10, first
    clean(db)
    second = ok_json(db, 'plan', 'sessions', '--from', '2027-04-01', '--to',
                     '2027-07-01', '--apply')
    assert second['placed'] == 0 and second['items'] == 0, second
    assert second['sessions'] == [], second
    clean(db)


@test
def resume_never_books_a_trainee_twice():
    """A postponed session's trainees go with it: re-planned onto days its
    trainee spends in another session, it is placed elsewhere or stays
    postponed with its reason (docs/rules.md, resume) — the resume is
    not refused whole, and nothing is double-booked."""
    d, db = fixture()
    imp_ok(d, db, 'sessions', SESSION_HEAD + 'CRS,BASE,R1,2020-06-01,2020-06-11,E,,\n'
           'CRS,HQ,R1,2020-06-20,2020-06-30,F,,\n')
    imp_ok(d, db, 'enrolments', ENROL_HEAD + 'CRS/2020-06-01,T1,,,\nCRS/2020-06-20,T1,,,\n')
    ok_json(db, 'suspend', '--scope', 'site:BASE', '--from', '2020-05-25', '--reason', 't')
    rc, out, err = cadre(db, 'resume', '--scope', 'site:BASE', '--on', '2020-06-15',
                         '--apply', '--json')
    assert rc == 0, 'resume --apply: exit %d: %s%s' % (rc, out, err)
    x = json.loads(out)['sessions'][0]
    assert x['session'] == 'CRS/2020-06-01', x
    assert 'replanned_as' in x or x.get('not_replanned'), x
    clean(db)


@test
def resume_and_the_planner_on_the_small_mission():
    """Resume waits for the room and the trainer; the planner places a
    plan's session clear of the host unit's, the trainers' and the
    room's other sessions, and run again places nothing."""
    d, db = fixture()
    imp_ok(d, db, 'status-events', 'code,action,scope,reason,valid_from,valid_to\n'
           'X,suspend,site:BASE,t,2020-05-25,2020-06-15\n')
    imp_ok(d, db, 'sessions', SESSION_HEAD + 'CRS,BASE,R1,2020-06-01,2020-06-11,E,U1,postponed\n'
           'TWO,BASE,R1,2020-06-20,2020-06-30,F,,\nTWO,HQ,R1,2020-07-01,2020-07-11,E,U2,\n')
    imp_ok(d, db, 'enrolments', ENROL_HEAD + 'CRS/2020-06-01,T1,,,\nCRS/2020-06-01,T2,,,\n')
    r = ok_json(db, 'resume', '--scope', 'site:BASE', '--on', '2020-06-15', '--apply')
    # BASE's R1 is taken to 29 June, E teaches at HQ from 1 to 10 July.
    assert [x.get('replanned_as') for x in r['sessions']] == ['CRS/2020-07-11'], r
    clean(db)
    imp_ok(d, db, 'training-plans', 'code,course,sessions,window_from,window_to,'
           'site,host_unit,trainees\nTP,CRS,1,2020-06-25,2020-08-01,BASE,U1,4\n')
    before = ok_json(db, 'list', 'sessions')
    p = ok_json(db, 'plan', 'sessions', '--from', '2020-06-01', '--to', '2020-09-01',
                '--apply')
    clean(db)
    again = ok_json(db, 'plan', 'sessions', '--from', '2020-06-01', '--to', '2020-09-01',
                    '--apply')
    assert again['placed'] == 0, (p, again)
    clean(db)
    assert len(ok_json(db, 'list', 'sessions')) - len(before) <= 1


# ---- Data from before the rules ------------------------------------------


@test
def data_from_before_the_rules():
    d, db = booked()
    # A trainer clash as an older cadre accepted it: E at HQ from 5 to 14
    # February, over E's BASE session from 1 to 10.
    with harness.engine.connect(db) as c:
        c.execute("INSERT INTO session (key, course, site, room, valid_from, valid_to,"
                  " trainers, status) VALUES (?, ?, ?, ?, ?, ?, ?, 'planned')",
                  ('CRS/2020-02-05', 'CRS', 'HQ', 'R1', '2020-02-05', '2020-02-15', 'E'))
    c.close()
    rc, out, _ = cadre(db, 'check', '--json')
    assert rc == 1 and json.loads(out)['count'] == 1, out
    # An unrelated write: another session elsewhere, another trainer.
    imp_ok(d, db, 'sessions', SESSION_HEAD + 'TWO,HQ,R2,2020-02-05,2020-02-15,F,,\n')
    # One that leaves the clash as it was: its lead instructor and a
    # second trainer, a trainee in the other session.
    imp_ok(d, db, 'sessions', 'course,site,room,valid_from,valid_to,trainers,'
           'lead_instructor\nCRS,HQ,R1,2020-02-05,2020-02-15,E;G,G\n')
    imp_ok(d, db, 'enrolments', ENROL_HEAD + 'TWO/2020-02-05,T2,,,\n')
    # A second clash is refused, and so is growing the first.
    imp_refused(d, db, 'sessions', SESSION_HEAD + 'TWO,BASE,SMALL,2020-02-08,2020-02-18,E,,\n',
                'TRAINER-CLASH')
    e = imp_refused(d, db, 'sessions', SESSION_HEAD + 'CRS,BASE,R1,2020-02-01,2020-02-13,E,U1,\n',
                    'TRAINER-CLASH', ['E', FIRST, 'CRS/2020-02-05'],
                    ['2020-02-05', '2020-02-12'])
    imp_refused(d, db, 'enrolments', ENROL_HEAD + 'CRS/2020-02-05,T1,,,\n',
                'TRAINEE-CLASH', ['T1', FIRST, 'CRS/2020-02-05'],
                ['2020-02-05', '2020-02-10'])
    # One that shrinks it: the clash on fewer days.
    imp_ok(d, db, 'sessions', SESSION_HEAD + 'CRS,HQ,R1,2020-02-05,2020-02-09,E;G,,\n')
    rc, out, _ = cadre(db, 'check', '--json')
    assert rc == 1 and json.loads(out)['count'] == 1, out
    assert json.loads(out)['violations'][0]['dates'] == ['2020-02-05', '2020-02-08'], out
    api = Api(db)
    try:
        api.ok('POST', '/api/v1/sessions',
               session('CRS', 'HQ', 'R2', '2020-03-01', '2020-03-11', 'F'))
        api.ok('PATCH', '/api/v1/sessions/CRS/2020-02-05', {'lead_instructor': 'E'})
        api.refused('PATCH', '/api/v1/sessions/CRS/2020-02-05', {'valid_to': '2020-02-12'},
                    'TRAINER-CLASH', ['E', FIRST, 'CRS/2020-02-05'],
                    ['2020-02-05', '2020-02-10'])
        api.refused('POST', '/api/v1/sessions',
                    session('TWO', 'BASE', 'SMALL', '2020-02-09', '2020-02-19', 'E'),
                    'TRAINER-CLASH', ['E', FIRST, 'TWO/2020-02-09'],
                    ['2020-02-09', '2020-02-10'])
    finally:
        api.finish()
    rc, out, _ = cadre(db, 'check', '--json')
    assert rc == 1 and json.loads(out)['count'] == 1, out


@test
def an_overfull_class_from_before_the_rules_takes_no_one_more():
    """TWO (capacity 2) holds three trainees, as an older cadre let it:
    a trainee withdrawn, or one more elsewhere, is accepted; one more
    enrolled in it adds to the breach and is refused."""
    d, db = fixture()
    imp_ok(d, db, 'sessions', SESSION_HEAD + 'TWO,HQ,R1,2020-05-01,2020-05-11,F,,\n'
           'CRS,HQ,R2,2020-05-01,2020-05-11,E,,\n')
    imp_ok(d, db, 'enrolments', ENROL_HEAD + 'TWO/2020-05-01,T1,,,\nTWO/2020-05-01,T2,,,\n')
    with harness.engine.connect(db) as c:
        c.execute("INSERT INTO trainee (service_number, name, nation, unit)"
                  " VALUES ('T4', 'Trainee four', 'IRQ', 'U1')")
        c.execute("INSERT INTO enrolment (key, session, trainee, attendance, result)"
                  " VALUES ('TWO/2020-05-01/T3', 'TWO/2020-05-01', 'T3',"
                  " 'enrolled', 'pending')")
    c.close()
    rc, out, _ = cadre(db, 'check', '--json')
    assert rc == 1 and [v['rule'] for v in json.loads(out)['violations']] == \
        ['CAPACITY'], out
    imp_ok(d, db, 'enrolments', ENROL_HEAD + 'CRS/2020-05-01,T4,,,\n')
    imp_refused(d, db, 'enrolments', ENROL_HEAD + 'CRS/2020-05-01,T4,withdrawn,,\n'
                'TWO/2020-05-01,T4,,,\n', 'CAPACITY', ['TWO/2020-05-01'],
                ['2020-05-01', '2020-05-10'])
    imp_ok(d, db, 'enrolments', ENROL_HEAD + 'TWO/2020-05-01,T3,withdrawn,,\n')
    clean(db)


@test
def a_refusal_never_names_what_the_writer_may_not_see():
    """A session classified NS has trainer E; a training officer cleared
    NR imports another with E on the same days. Refused (the rule binds
    whatever the writer sees) by TRAINER-CLASH, but the NS session's key
    is in neither the message nor the records: it is counted."""
    d, db = fixture()
    imp_ok(d, db, 'sessions', SESSION_HEAD.rstrip('\n') + ',classification\n'
           'CRS,BASE,R1,2020-02-01,2020-02-11,E,,planned,NS\n')
    rc, out, err = cadre(db, 'user', 'add', 'nr', '--role', 'training',
                         '--clearance', 'NR', stdin=PW + '\n')
    assert rc == 0, out + err
    before = fingerprint(db)
    rc, out, err = cadre(db, '--as', 'nr', 'import', 'sessions',
                         write(os.path.join(d, 'nr.csv'), SESSION_HEAD +
                               'CRS,HQ,R1,2020-02-05,2020-02-15,E,,planned\n'),
                         '--json')
    assert rc == 1, (rc, out, err)
    e = json.loads(out)['error']
    assert e['rule'] == 'TRAINER-CLASH', e
    assert 'CRS/2020-02-01' not in out, out
    assert 'records you may not see (1 violation)' in e['message'], e
    assert e['records'] == [] and e['dates'] == [], e
    assert fingerprint(db) == before
    # The administrator, who sees both, is told both.
    rc, out, err = imp(d, db, 'sessions', SESSION_HEAD +
                       'CRS,HQ,R1,2020-02-05,2020-02-15,E,,planned\n')
    assert rc == 1 and 'CRS/2020-02-01' in json.loads(out)['error']['records'], out


if __name__ == '__main__':
    run()
