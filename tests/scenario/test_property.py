#!/usr/bin/env python3
"""The property of issue 14: after any sequence of writes that cadre
accepted, `cadre check` finds nothing; a write it refused changed
nothing.

Each sequence starts one `cadre serve` on a fresh database and creates
a small random mission through it (a handful of people, posts, sessions
and trainees in a window of three months, so that dates meet often),
record by record in import order; a mission refused or already in breach
is skipped and counted (the generator draws them clean: it is the
operations that should break rules). Then random operations: `cadre
import` of a few rows (sessions, enrolments, results and certificates,
assignments), PATCH and POST of records and DELETE (an end of validity)
through the API, and the actions (suspend, resume with apply, transfer,
consent withdraw/suspend/grant, plan-sessions with apply, run twice:
the second places nothing). After an accepted one (2xx, exit 0) GET
/api/v1/check must list no violation; after a refused one (4xx, exit 1
or 2) the database's fingerprint (tests/lib/dbstate.py) must be what it
was. A 5xx, an exit status of 3 or more, a sanitizer's report or a
server that dies is a failure whatever the operation. The server runs
with --no-cache: a check must see the import that ran just before it.

On a failure the test prints the seed, the sequence, its operations so
far (one JSON list each) and what check found, and keeps the database
and the mission's CSV files.

Environment:
  CADRE_PROPERTY_SEED        the seed (default 14); sequence N draws from
                             random.Random(SEED * 100003 + N)
  CADRE_PROPERTY_SEQUENCES   how many sequences (default 200)
  CADRE_PROPERTY_OPS         operations per sequence (default 8)
  CADRE_PROPERTY_ONLY=N      replay sequence N alone (verbose)
  CADRE_PROPERTY_REPORT=1    do not stop at the first failure: tally the
                             failures by rule and by operation
"""
import csv
import datetime
import io
import json
import os
import random
import shutil
import sys

import harness
from harness import cadre, copy_db, ok_json, run, test, tmpdir
from dbstate import fingerprint

SEED = int(os.environ.get('CADRE_PROPERTY_SEED', '14'))
SEQUENCES = int(os.environ.get('CADRE_PROPERTY_SEQUENCES', '200'))
OPS = int(os.environ.get('CADRE_PROPERTY_OPS', '8'))
ONLY = os.environ.get('CADRE_PROPERTY_ONLY')
REPORT = os.environ.get('CADRE_PROPERTY_REPORT') == '1'
PW = 'a long enough password'

# The window the missions live in: three months, so that sessions,
# assignments and suspensions meet.
W_FROM = datetime.date(2027, 1, 4)
W_DAYS = 84


def day(n):
    """The window's day N as YYYY-MM-DD (N may fall outside it)."""
    return (W_FROM + datetime.timedelta(days=n)).isoformat()


def plus(d, n):
    return (datetime.date.fromisoformat(d) + datetime.timedelta(days=n)).isoformat()


def daynum(d):
    return (datetime.date.fromisoformat(d) - W_FROM).days


def to_csv(rows):
    """CSV text of ROWS (dicts with the same keys, in order)."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator='\n')
    w.writerow(list(rows[0]))
    for r in rows:
        w.writerow(['' if v is None else v for v in r.values()])
    return out.getvalue()


# ---- The template: nations, an administrator and its token -----------

NATIONS = [('CAN', 'Canada', '1949-04-04'), ('DEU', 'Germany', '1955-05-06'),
           ('ESP', 'Spain', '1982-05-30'), ('USA', 'United States', '1949-04-04'),
           ('IRQ', 'Iraq', '')]
CONTRIBUTORS = ['CAN', 'DEU', 'ESP', 'USA']
QUALS = ['INSTR', 'MED']
UNITS = ['U1', 'U2', 'U3']


def template():
    d = tmpdir()
    db = os.path.join(d, 'template.db')
    path = os.path.join(d, 'nations.csv')
    harness.write(path, 'code,name,member_since\n' + ''.join(
        '%s,%s,%s\n' % n for n in NATIONS))
    ok_json(db, 'import', 'nations', path)
    rc, out, err = cadre(db, 'user', 'add', 'adm', '--role', 'admin',
                         '--clearance', 'CTS', stdin=PW + '\n')
    assert rc == 0, err
    return db, ok_json(db, 'token', 'add', 'adm')['token']


# ---- A small random mission -------------------------------------------

def overlap(a, b):
    return a[0] < b[1] and b[0] < a[1]


def mission(rng):
    """The kinds of a random mission in import order, as lists of rows.
    Drawn to start clean (no clash, capacity kept, posts' holders
    qualified, ceilings above the headcount), so that what breaks a rule
    is an operation."""
    m = {}
    m['organisations'] = [
        dict(code='NATO', name='NATO', kind='alliance', parent='', nation='',
             valid_from='1949-04-04'),
        dict(code='NMI', name='Mission', kind='mission', parent='NATO', nation='',
             valid_from='2026-01-01'),
        dict(code='COAL', name='Coalition', kind='coalition', parent='', nation='',
             valid_from='2014-01-01'),
        dict(code='MOD', name='Ministry', kind='host-ministry', parent='', nation='IRQ',
             valid_from='2004-01-01')] + [
        dict(code=u, name='Unit ' + u, kind='host-unit', parent='MOD', nation='IRQ',
             valid_from='2004-01-01') for u in UNITS]

    def rooms():
        return ';'.join('R%d:%d' % (i + 1, rng.randint(2, 8))
                        for i in range(rng.randint(1, 2)))
    m['sites'] = [
        dict(code='S1', name='Site one', latitude=33.3, longitude=44.4, country='IRQ',
             region='North', mission_approved='yes', valid_from='2019-01-01',
             rooms=rooms()),
        dict(code='S2', name='Site two', latitude=33.5, longitude=44.2, country='IRQ',
             region='South', mission_approved='yes', valid_from='2019-01-01',
             rooms=rooms()),
        dict(code='S3', name='Site three', latitude=33.8, longitude=42.4, country='IRQ',
             region='West', mission_approved='no', valid_from='2019-01-01',
             rooms='R1:6')]
    # One consent over the whole window, or two chained end to end.
    people = rng.randint(4, 7)
    ceiling = rng.randint(3, 7)
    split = day(rng.randint(30, 60))
    if rng.random() < 0.5:
        m['consents'] = [dict(code='C1', title='Consent', activity_kinds='training;advising;support',
                              sites='S1;S2', institutions='MOD', ceiling=ceiling,
                              valid_from='2026-12-01', valid_to='2027-06-01')]
    else:
        m['consents'] = [
            dict(code='C1', title='Consent', activity_kinds='training;advising;support',
                 sites='S1;S2', institutions='MOD', ceiling=ceiling,
                 valid_from='2026-12-01', valid_to=split),
            dict(code='C2', title='Renewal', activity_kinds='training;advising;support',
                 sites='S1;S2', institutions='MOD', ceiling=ceiling,
                 valid_from=split, valid_to='2027-06-01')]
    persons = []
    for i in range(people):
        q = []
        if rng.random() < 0.7:
            q.append('INSTR' + (':' + day(rng.randint(20, 70)) if rng.random() < 0.2 else ''))
        if rng.random() < 0.4:
            q.append('MED')
        persons.append(dict(code='P%d' % (i + 1), name='Person %d' % (i + 1),
                            nation=rng.choice(CONTRIBUTORS), category='military',
                            qualifications=';'.join(q), valid_from='2026-01-01'))
    m['persons'] = persons
    posts = []
    for i in range(rng.randint(3, 6)):
        coal = rng.random() < 0.25
        posts.append(dict(number='N%d' % (i + 1), title='Post %d' % (i + 1),
                          branch='Training', category='military',
                          function=rng.choice(['training', 'training', 'advising', 'support']),
                          qualifications=rng.choice(['', '', 'INSTR', 'MED']),
                          site='S2' if coal else rng.choice(['S1', 'S2']),
                          organisation='COAL' if coal else 'NMI',
                          valid_from='2026-12-01'))
    m['posts'] = posts
    m['activities'] = [
        dict(code='TRN', title='Training', kind='training', host='MOD', owner='NMI',
             site='S1', valid_from='2026-12-01', valid_to='2027-06-01'),
        dict(code='ADV', title='Advising', kind='advising', host='MOD', owner='NMI',
             site='S2', valid_from='2026-12-01', valid_to='2027-06-01'),
        dict(code='TRC', title='Coalition training', kind='training', host='MOD',
             owner='COAL', site='S2', valid_from='2026-12-01', valid_to='2027-06-01')]
    m['courses'] = [
        dict(code='CA', title='Course A', activity='TRN', duration_days=rng.randint(4, 10),
             capacity=rng.randint(2, 6), trainer_qualifications='INSTR'),
        dict(code='CB', title='Course B', activity='TRN', duration_days=rng.randint(4, 10),
             capacity=rng.randint(2, 6), trainer_qualifications=rng.choice(['', 'MED'])),
        dict(code='CC', title='Course C', activity='TRC', duration_days=rng.randint(4, 10),
             capacity=rng.randint(2, 6), trainer_qualifications='')]

    def holds(p, qual, last):
        for q in p['qualifications'].split(';'):
            code, _, until = q.partition(':')
            if code == qual and (not until or until >= last):
                return True
        return False

    # Assignments: each person at most one post, qualified, inside the
    # consents; the ceiling raised to the headcount where it was below.
    assignments = []
    free_posts = list(posts)
    rng.shuffle(free_posts)
    for p in persons:
        if not free_posts or rng.random() < 0.3:
            continue
        post = free_posts.pop()
        a, b = rng.randint(-10, 30), rng.randint(40, 100)
        if post['qualifications'] and not holds(p, post['qualifications'], day(b - 1)):
            continue
        assignments.append(dict(person=p['code'], post=post['number'],
                                valid_from=day(a), valid_to=day(b)))
    on_mission = sum(1 for a in assignments
                     if next(x for x in posts if x['number'] == a['post'])['organisation'] == 'NMI')
    for c in m['consents']:
        c['ceiling'] = max(c['ceiling'], on_mission)
    m['assignments'] = assignments

    # Sessions: none sharing a trainer, a room or a host unit.
    sessions = []
    courses = {c['code']: c for c in m['courses']}
    rooms_of = {s['code']: [r.split(':')[0] for r in s['rooms'].split(';')] for s in m['sites']}
    for _ in range(rng.randint(2, 5)):
        c = courses[rng.choice(list(courses))]
        site = 'S2' if c['activity'] == 'TRC' else rng.choice(['S1', 'S1', 'S2'])
        start = rng.randint(0, W_DAYS - 12)
        span = (start, start + c['duration_days'])
        if any(s['course'] == c['code'] and s['_span'][0] == start for s in sessions):
            continue        # the key of one there
        busy = [s for s in sessions if overlap(span, s['_span'])]
        room = rng.choice(rooms_of[site])
        if any(s['site'] == site and s['room'] == room for s in busy):
            continue
        taken = {t for s in busy for t in s['trainers'].split(';') if t}
        qual = c['trainer_qualifications']
        able = [p['code'] for p in persons if p['code'] not in taken and
                (not qual or holds(p, qual, day(span[1] - 1)))]
        if not able:
            continue
        trainers = rng.sample(able, min(len(able), rng.randint(1, 2)))
        units = [u for u in UNITS if not any(s['host_unit'] == u for s in busy)]
        unit = rng.choice(units + ['']) if units else ''
        sessions.append(dict(course=c['code'], site=site, room=room,
                             valid_from=day(span[0]), valid_to=day(span[1]),
                             trainers=';'.join(trainers), host_unit=unit, _span=span))
    for s in sessions:
        s.pop('_span')
    m['sessions'] = sessions
    trainees = [dict(service_number='T%d' % (i + 1), name='Trainee %d' % (i + 1),
                     nation='IRQ', unit=rng.choice(UNITS))
                for i in range(rng.randint(4, 8))]
    m['trainees'] = trainees
    # Enrolments: within the course's capacity and the room's, no trainee
    # in two sessions at once; a certificate only on a pass.
    caps = {s['code']: dict(r.split(':') for r in s['rooms'].split(';')) for s in m['sites']}
    enrolments, booked = [], {}
    for s in sessions:
        cap = min(courses[s['course']]['capacity'], int(caps[s['site']][s['room']]))
        span = (daynum(s['valid_from']), daynum(s['valid_to']))
        pool = [t['service_number'] for t in trainees
                if not any(overlap(span, o) for o in booked.get(t['service_number'], []))]
        for t in rng.sample(pool, min(len(pool), rng.randint(0, cap))):
            booked.setdefault(t, []).append(span)
            passed = rng.random() < 0.3
            enrolments.append(dict(session='%s/%s' % (s['course'], s['valid_from']),
                                   trainee=t, attendance='attended' if passed else 'enrolled',
                                   result='pass' if passed else 'pending',
                                   certificate='CERT-%s' % t if passed else ''))
    m['enrolments'] = enrolments
    m['training-plans'] = [
        dict(code='TP%d' % (i + 1), course=rng.choice(['CA', 'CB']),
             sessions=rng.randint(1, 2), window_from=day(w), window_to=day(w + rng.randint(14, 40)),
             site=rng.choice(['S1', 'S2', '']), host_unit=rng.choice(UNITS + ['', '']),
             trainees=rng.choice(['', 2, 3]))
        for i, w in enumerate(rng.sample(range(0, 50), rng.randint(1, 2)))]
    # A caveat that nothing breaks yet: a nation kept from a site where
    # none of its people is posted or teaches.
    caveats = []
    post_site = {p['number']: p['site'] for p in posts}
    nation = {p['code']: p['nation'] for p in persons}
    used = {(nation[a['person']], post_site[a['post']]) for a in assignments}
    used |= {(nation[t], s['site']) for s in sessions for t in s['trainers'].split(';') if t}
    free = [(n, s) for n in CONTRIBUTORS for s in ('S1', 'S2') if (n, s) not in used]
    if free and rng.random() < 0.6:
        n, s = rng.choice(free)
        caveats.append(dict(code='CV1', nation=n, kind='site', target=s, reason='national',
                            valid_from='2026-01-01'))
    m['caveats'] = caveats
    return m


ORDER = ['organisations', 'sites', 'consents', 'persons', 'posts', 'caveats',
         'activities', 'courses', 'assignments', 'sessions', 'trainees',
         'enrolments', 'training-plans']


# ---- The world as the operations see it --------------------------------

KINDS = ['sessions', 'enrolments', 'assignments', 'persons', 'posts', 'consents',
         'caveats', 'courses', 'sites', 'status-events', 'trainees', 'activities',
         'training-plans']


def world(srv, token):
    """Every record of the kinds the operations draw from, by kind."""
    w = {}
    for k in KINDS:
        st, _, j = srv.call('GET', '/api/v1/%s?limit=10000' % k, token)
        assert st == 200, (k, st, j)
        w[k] = j['items']
    return w


def split(v):
    return [x for x in (v or '').split(';') if x]


class Draw:
    """Random but plausible arguments, drawn towards what exists so that
    they meet it: the days of existing sessions and assignments, their
    trainers, rooms and trainees."""

    def __init__(self, rng, w):
        self.r, self.w = rng, w

    def pick(self, kind):
        return self.r.choice(self.w[kind]) if self.w[kind] else None

    def near(self):
        """A day near one that matters (a session's or an assignment's
        start or end), or anywhere in the window."""
        marks = [x[f] for k in ('sessions', 'assignments') for x in self.w[k]
                 for f in ('valid_from', 'valid_to') if x.get(f)]
        if marks and self.r.random() < 0.75:
            return plus(self.r.choice(marks), self.r.randint(-4, 4))
        return day(self.r.randint(-5, W_DAYS + 5))

    def person(self):
        return self.pick('persons')['code']

    def trainers(self):
        ps = [p['code'] for p in self.w['persons']]
        # Trainers who already teach, most of the time: they clash.
        teaching = sorted({t for s in self.w['sessions'] for t in split(s['trainers'])})
        pool = teaching if teaching and self.r.random() < 0.6 else ps
        return ';'.join(self.r.sample(pool, min(len(pool), self.r.randint(1, 2))))

    def room(self, site):
        s = next(x for x in self.w['sites'] if x['code'] == site)
        return self.r.choice([r.split(':')[0] for r in split(s['rooms'])] or [''])

    def session_row(self):
        c = self.pick('courses')
        act = next(a for a in self.w['activities'] if a['code'] == c['activity'])
        site = act['site'] if self.r.random() < 0.7 else self.r.choice(['S1', 'S2', 'S3'])
        start = self.near()
        return dict(course=c['code'], site=site, room=self.room(site), valid_from=start,
                    valid_to=plus(start, c['duration_days']), trainers=self.trainers(),
                    host_unit=self.r.choice(UNITS + ['']))

    def enrolment_row(self):
        s = self.pick('sessions')
        t = self.pick('trainees')
        att = self.r.choice(['enrolled', 'enrolled', 'attended', 'absent', 'withdrawn'])
        return dict(session=s['key'], trainee=t['service_number'], attendance=att,
                    result='pending', certificate='')

    def certificate_row(self):
        e = self.pick('enrolments')
        if not e:
            return None
        return dict(session=e['session'], trainee=e['trainee'],
                    attendance=self.r.choice(['attended', 'attended', 'absent', 'withdrawn',
                                              'enrolled']),
                    result=self.r.choice(['pass', 'pass', 'fail', 'pending']),
                    certificate='CERT-%d' % self.r.randint(1, 999))

    def assignment_row(self):
        p = self.pick('posts')
        start = self.near()
        return dict(person=self.person(), post=p['number'], valid_from=start,
                    valid_to=plus(start, self.r.randint(5, 60)))

    def quals(self):
        q = []
        if self.r.random() < 0.6:
            q.append('INSTR' + (':' + self.near() if self.r.random() < 0.5 else ''))
        if self.r.random() < 0.4:
            q.append('MED')
        return ';'.join(q)

    def scope(self):
        return self.r.choice(['mission', 'site:S1', 'site:S2', 'activity:TRN',
                              'activity:TRC', 'activity:ADV'])


# Each operation: (name, how, args). HOW is 'import' (the CLI: kind and
# rows), 'post', 'patch', 'delete' (the API: path, body or day) or
# 'action' (the API: action name and body). Names are what the tally
# counts by.

def op_import_sessions(d):
    return ('import sessions', 'import',
            {'kind': 'sessions', 'rows': [d.session_row() for _ in range(d.r.randint(1, 2))]})


def op_import_enrolments(d):
    if not d.w['sessions']:
        return None
    rows = {}
    for _ in range(d.r.randint(1, 3)):
        e = d.enrolment_row()
        rows[(e['session'], e['trainee'])] = e
    return ('import enrolments', 'import', {'kind': 'enrolments', 'rows': list(rows.values())})


def op_import_certificates(d):
    e = d.certificate_row()
    if not e:
        return None
    return ('import certificates', 'import', {'kind': 'enrolments', 'rows': [e]})


def op_import_assignments(d):
    return ('import assignments', 'import', {'kind': 'assignments',
                                             'rows': [d.assignment_row()]})


def op_patch_session(d):
    s = d.pick('sessions')
    if not s:
        return None
    field = d.r.choice(['valid_to', 'room', 'trainers', 'host_unit', 'status', 'site'])
    if field == 'valid_to':
        v = plus(s['valid_from'], d.r.randint(2, 16))
    elif field == 'room':
        v = d.room(s['site'])
    elif field == 'trainers':
        v = d.trainers()
    elif field == 'host_unit':
        v = d.r.choice(UNITS)
    elif field == 'status':
        v = d.r.choice(['planned', 'cancelled', 'postponed'])
    else:
        v = d.r.choice(['S1', 'S2'])
    return ('patch sessions.' + field, 'patch',
            {'path': '/api/v1/sessions/' + s['key'], 'body': {field: v}})


def op_patch_course(d):
    c = d.pick('courses')
    if d.r.random() < 0.6:
        return ('patch courses.capacity', 'patch',
                {'path': '/api/v1/courses/' + c['code'],
                 'body': {'capacity': d.r.randint(1, 4)}})
    return ('patch courses.trainer_qualifications', 'patch',
            {'path': '/api/v1/courses/' + c['code'],
             'body': {'trainer_qualifications': d.r.choice(['INSTR', 'MED', 'INSTR;MED'])}})


def op_patch_post(d):
    held = {a['post'] for a in d.w['assignments']}
    posts = [p for p in d.w['posts'] if p['number'] in held]
    p = d.r.choice(posts) if posts and d.r.random() < 0.75 else d.pick('posts')
    field = d.r.choice(['qualifications', 'function', 'function', 'site'])
    v = {'qualifications': lambda: d.r.choice(['INSTR', 'MED', 'INSTR;MED']),
         'function': lambda: d.r.choice(['operation', 'training', 'support', 'advising']),
         'site': lambda: d.r.choice(['S1', 'S2', 'S3'])}[field]()
    return ('patch posts.' + field, 'patch',
            {'path': '/api/v1/posts/' + p['number'], 'body': {field: v}})


def op_patch_person(d):
    p = d.pick('persons')
    if d.r.random() < 0.7:
        return ('patch persons.qualifications', 'patch',
                {'path': '/api/v1/persons/' + p['code'], 'body': {'qualifications': d.quals()}})
    return ('patch persons.nation', 'patch',
            {'path': '/api/v1/persons/' + p['code'],
             'body': {'nation': d.r.choice(CONTRIBUTORS)}})


def op_patch_consent(d):
    c = d.pick('consents')
    field = d.r.choice(['valid_to', 'ceiling', 'sites', 'activity_kinds'])
    if field == 'valid_to':
        v = d.near()
        if v <= c['valid_from']:
            v = plus(c['valid_from'], 1)
    elif field == 'ceiling':
        v = d.r.randint(0, max(1, c['ceiling'] - 1))
    elif field == 'sites':
        v = d.r.choice(['S1', 'S2'])
    else:
        v = d.r.choice(['training', 'advising;support', 'training;support'])
    return ('patch consents.' + field, 'patch',
            {'path': '/api/v1/consents/' + c['code'], 'body': {field: v}})


def op_patch_assignment(d):
    a = d.pick('assignments')
    if not a:
        return None
    return ('patch assignments.valid_to', 'patch',
            {'path': '/api/v1/assignments/' + a['key'],
             'body': {'valid_to': plus(a['valid_from'], d.r.randint(3, 90))}})


def op_patch_site(d):
    s = d.pick('sites')
    if d.r.random() < 0.7:
        v = ';'.join('%s:%d' % (r.split(':')[0], d.r.randint(1, 3)) for r in split(s['rooms']))
        return ('patch sites.rooms', 'patch',
                {'path': '/api/v1/sites/' + s['code'], 'body': {'rooms': v}})
    return ('patch sites.mission_approved', 'patch',
            {'path': '/api/v1/sites/' + s['code'], 'body': {'mission_approved': False}})


def op_patch_enrolment(d):
    e = d.pick('enrolments')
    if not e:
        return None
    body = d.r.choice([{'result': 'fail'}, {'attendance': 'absent'},
                       {'attendance': 'enrolled'}, {'certificate': 'CERT-X'},
                       {'result': 'pass', 'certificate': 'CERT-Y'}])
    return ('patch enrolments.' + '+'.join(sorted(body)), 'patch',
            {'path': '/api/v1/enrolments/' + e['key'], 'body': body})


def op_post_session(d):
    return ('post sessions', 'post', {'path': '/api/v1/sessions', 'body': d.session_row()})


def op_post_enrolment(d):
    if not d.w['sessions']:
        return None
    return ('post enrolments', 'post', {'path': '/api/v1/enrolments',
                                        'body': d.enrolment_row()})


def op_post_assignment(d):
    return ('post assignments', 'post', {'path': '/api/v1/assignments',
                                         'body': d.assignment_row()})


def op_caveat_add(d):
    n = 1 + len(d.w['caveats'])
    body = dict(code='CVX%d' % n, kind=d.r.choice(['site', 'site', 'region', 'activity']),
                reason='caveat', valid_from=d.near())
    body['target'] = {'site': d.r.choice(['S1', 'S2']),
                      'region': d.r.choice(['North', 'South']),
                      'activity': d.r.choice(['training', 'advising', 'TRN'])}[body['kind']]
    if d.r.random() < 0.7:
        body['nation'] = d.r.choice(CONTRIBUTORS)
    else:
        body['person'] = d.person()
    return ('post caveats', 'post', {'path': '/api/v1/caveats', 'body': body})


def op_end_record(d):
    kind = d.r.choice(['consents', 'assignments', 'caveats', 'status-events'])
    x = d.pick(kind)
    if not x:
        return None
    key = x.get('key') or x.get('code')
    return ('delete ' + kind, 'delete', {'path': '/api/v1/%s/%s' % (kind, key),
                                         'on': d.near()})


def op_suspend(d):
    return ('suspend', 'action', {'action': 'suspend', 'body': {
        'scope': d.scope(), 'from': d.near(), 'reason': 'property test'}})


def op_resume(d):
    ev = d.pick('status-events')
    if not ev:
        return None
    if d.r.random() < 0.9:
        scope = ev['scope']
        on = plus(ev['valid_from'], d.r.randint(1, 20))
    else:
        scope, on = d.scope(), d.near()
    return ('resume', 'action', {'action': 'resume', 'body': {
        'scope': scope, 'on': on, 'apply': True}})


def op_consent(d):
    c = d.pick('consents')
    sus = [x for x in d.w['consents'] if x['state'] == 'suspended']
    verb = 'grant' if sus and d.r.random() < 0.5 else d.r.choice(['withdraw', 'suspend'])
    if verb == 'grant':
        c = d.r.choice(sus)
        return ('consent grant', 'action', {'action': 'consent', 'body': {
            'verb': verb, 'consent': c['code'],
            'on': plus(c['valid_to'] or c['valid_from'], d.r.randint(0, 20))}})
    return ('consent ' + verb, 'action', {'action': 'consent', 'body': {
        'verb': verb, 'consent': c['code'], 'on': d.near()}})


def op_transfer(d):
    return ('transfer', 'action', {'action': 'transfer', 'body': {
        'activity': 'TRN' if d.r.random() < 0.1 else 'TRC', 'to': 'NMI', 'on': d.near(),
        'with_personnel': d.r.random() < 0.6}})


def op_plan(d):
    a = d.r.randint(-5, 40)
    body = {'from': day(a), 'to': day(a + d.r.randint(20, 80)), 'apply': True}
    if d.r.random() < 0.3:
        body['postponed'] = True
    return ('plan sessions', 'action', {'action': 'plan-sessions', 'body': body})


def op_post_plan(d):
    n = 1 + len(d.w['training-plans'])
    w = d.r.randint(-5, 50)
    body = dict(code='TPX%d' % n, course=d.r.choice(['CA', 'CB', 'CC']),
                sessions=d.r.randint(1, 2), window_from=day(w),
                window_to=day(w + d.r.randint(10, 40)))
    if d.r.random() < 0.5:
        body['host_unit'] = d.r.choice(UNITS)
    return ('post training-plans', 'post', {'path': '/api/v1/training-plans', 'body': body})


OPERATIONS = [
    (op_import_sessions, 4), (op_import_enrolments, 3), (op_import_certificates, 2),
    (op_import_assignments, 3),
    (op_patch_session, 5), (op_patch_course, 2), (op_patch_post, 3), (op_patch_person, 2),
    (op_patch_consent, 4), (op_patch_assignment, 2), (op_patch_site, 2),
    (op_patch_enrolment, 2),
    (op_post_session, 3), (op_post_enrolment, 3), (op_post_assignment, 3),
    (op_caveat_add, 3), (op_end_record, 2), (op_post_plan, 1),
    (op_suspend, 3), (op_resume, 6), (op_consent, 3), (op_transfer, 2), (op_plan, 3),
]


def draw_op(rng, w):
    d = Draw(rng, w)
    fns, weights = zip(*OPERATIONS)
    while True:
        o = rng.choices(fns, weights)[0](d)
        if o:
            return o


# ---- Running an operation ------------------------------------------------

SANITIZER = ('AddressSanitizer', 'LeakSanitizer', 'runtime error:')


class Failure(Exception):
    """What broke the property: KIND (violation, changed, error,
    plan-twice), the rules it names, and what was seen."""

    def __init__(self, kind, rules, detail):
        super().__init__(detail)
        self.kind, self.rules, self.detail = kind, rules, detail


def sanitized(text):
    return any(s in (text or '') for s in SANITIZER)


def run_import(db, d, kind, rows):
    """(accepted, answer) of `cadre import KIND` of ROWS."""
    path = harness.write(os.path.join(d, 'op.csv'), to_csv(rows))
    rc, out, err = cadre(db, 'import', kind, path, '--json')
    if sanitized(err) or rc not in (0, 1, 2):
        raise Failure('error', ['EXIT-%d' % rc], 'import %s: exit %d\n%s%s' % (kind, rc, out, err))
    try:
        j = json.loads(out) if out.strip() else None
    except ValueError:
        j = None
    if rc == 1 and not (j and 'error' in j):
        raise Failure('error', ['EXIT-1'], 'import %s: exit 1 without an error\n%s%s'
                      % (kind, out, err))
    return rc == 0, j if j is not None else err


def run_http(srv, token, method, path, body=None):
    try:
        st, _, j = srv.call(method, path, token, body,
                            {'If-Match': '*'} if method == 'PATCH' else None)
    except OSError as e:
        raise Failure('error', ['HTTP'], '%s %s: %s' % (method, path, e))
    if st >= 500 or st < 200 or 300 <= st < 400:
        raise Failure('error', ['HTTP-%d' % st], '%s %s: %d %s' % (method, path, st, j))
    return st < 300, j


def execute(srv, token, db, d, o):
    name, how, a = o
    if how == 'import':
        return run_import(db, d, a['kind'], a['rows'])
    if how == 'post':
        return run_http(srv, token, 'POST', a['path'], a['body'])
    if how == 'patch':
        return run_http(srv, token, 'PATCH', a['path'], a['body'])
    if how == 'delete':
        return run_http(srv, token, 'DELETE', a['path'] + '?on=' + a['on'])
    return run_http(srv, token, 'POST', '/api/v1/actions/' + a['action'], a['body'])


def violations(srv, token):
    st, _, j = srv.call('GET', '/api/v1/check', token)
    if st != 200:
        raise Failure('error', ['CHECK-%d' % st], 'GET /api/v1/check: %d %s' % (st, j))
    assert j['hidden'] == 0, j      # the administrator sees everything
    return {(v['rule'], tuple(v['records'])): v for v in j['violations']}


def alive(srv):
    if srv.p.poll() is not None:
        raise Failure('error', ['SERVER-EXIT'], 'the server exited: %s\n%s'
                      % (srv.p.returncode, srv.p.stderr.read()))


def session_keys(w):
    return sorted(s['key'] for s in w['sessions'])


# ---- A sequence ----------------------------------------------------------

class Tally:
    """What the sequences did and what broke, for the summary."""

    def __init__(self):
        self.sequences = self.skipped = self.accepted = self.refused = 0
        self.op_counts = {}
        self.failures = []          # (sequence, operation, name, Failure, first)
        self.by_rule = {}           # rule: [first failures, later ones, violations]
        self.by_op = {}             # name: [first, later]
        self.by_pair = {}           # (name, rule): [first, later]

    def count(self, name, accepted):
        c = self.op_counts.setdefault(name, [0, 0])
        c[0 if accepted else 1] += 1
        if accepted:
            self.accepted += 1
        else:
            self.refused += 1

    def fail(self, n, i, name, f, first):
        """Operation I of sequence N, NAME, broke the property; FIRST when
        it is the sequence's first failure (a later one acts on a mission
        already in breach, and may carry an earlier breach on to new
        records: a resume re-plans an over-filled session)."""
        self.failures.append((n, i, name, f, first))
        col = 0 if first else 1
        for r in sorted(set(f.rules)):
            c = self.by_rule.setdefault(r, [0, 0, 0])
            c[col] += 1
            c[2] += f.rules.count(r)
            self.by_pair.setdefault((name, r), [0, 0])[col] += 1
        self.by_op.setdefault(name, [0, 0])[col] += 1


def body_of(row):
    """ROW (as for a CSV) as the API's JSON: yes/no as booleans, an
    empty value left out."""
    b = {}
    for k, v in row.items():
        if v == '' or v is None:
            continue
        b[k] = {'yes': True, 'no': False}.get(v, v) if k == 'mission_approved' else v
    return b


def build(srv, token, m):
    """Create mission M through the API, record by record, in import
    order (the write path `cadre import` takes, one row a transaction:
    a process per kind is slow under AddressSanitizer). None when it
    went in clean, else why not."""
    for k in ORDER:
        for row in m[k]:
            ok, j = run_http(srv, token, 'POST', '/api/v1/' + k, body_of(row))
            if not ok:
                return 'POST %s %s refused: %s' % (k, json.dumps(row), json.dumps(j)[:300])
    v = violations(srv, token)
    if v:
        return 'the mission starts in breach: %s' % [x['message'] for x in v.values()]
    return None


def replay_text(n, ops):
    lines = ['seed %d, sequence %d (replay: CADRE_PROPERTY_SEED=%d CADRE_PROPERTY_ONLY=%d)'
             % (SEED, n, SEED, n), 'operations so far:']
    for i, (name, how, a) in enumerate(ops):
        lines.append('  %d. %s' % (i + 1, json.dumps([name, how, a], sort_keys=True)))
    return '\n'.join(lines)


def new_violations(srv, token, known, what):
    """The violations check lists now; a Failure if some are not in
    KNOWN (those an earlier failure left, in report mode)."""
    now = violations(srv, token)
    new = [v for k, v in now.items() if k not in known]
    if new:
        raise Failure('violation', sorted(v['rule'] for v in new),
                      what + ', and check finds:\n' + '\n'.join(
                          '  %s: %s' % (v['rule'], v['message']) for v in new))
    return now


def plan_again(srv, token, db, d, o, known):
    """The same plan a second time: accepted, it places nothing."""
    keys = session_keys(world(srv, token))
    ok, again = execute(srv, token, db, d, o)
    alive(srv)
    keys2 = session_keys(world(srv, token))
    if not ok or keys2 != keys or again.get('placed'):
        raise Failure('plan-twice', ['PLAN-TWICE'],
                      'the same plan again: %s, %d sessions new: %s'
                      % ('accepted' if ok else 'refused', len(set(keys2) - set(keys)),
                         json.dumps(again)[:600]))
    return new_violations(srv, token, known, 'the second plan accepted')


def step(srv, token, db, d, o, known, tally, verbose):
    """Run operation O and hold it to the property; the violations known
    after it."""
    before = fingerprint(db)
    ok, answer = execute(srv, token, db, d, o)
    alive(srv)
    tally.count(o[0], ok)
    if verbose:
        print('# %s %s: %s' % ('accepted' if ok else 'refused',
                               json.dumps(o[2], sort_keys=True), json.dumps(answer)[:400]))
    if not ok:
        after = fingerprint(db)
        if after != before:
            raise Failure('changed', ['CHANGED-ON-REFUSAL'],
                          'refused, yet the database changed (%s, %d audit entries → '
                          '%s, %d): %s' % (before[0][:12], before[1], after[0][:12],
                                           after[1], json.dumps(answer)[:600]))
        return known
    known = new_violations(srv, token, known, 'accepted')
    if o[1] == 'action' and o[2]['action'] == 'plan-sessions':
        known = plan_again(srv, token, db, d, o, known)
    return known


def sequence(n, tdb, token, tally, base, verbose=False):
    """Sequence N: a random mission and OPS random operations on it."""
    rng = random.Random(SEED * 100003 + n)
    m = mission(rng)
    d = os.path.join(base, 'seq%d' % n)
    os.mkdir(d)
    db = copy_db(tdb, os.path.join(d, 'cadre.db'))
    srv = harness.Server(db, '--no-cache')
    ops, known, failed, skipped, stop = [], {}, False, False, None
    name = 'build'
    try:
        why = build(srv, token, m)
        if why:
            skipped = True
            tally.skipped += 1
            if verbose:
                print('# sequence %d skipped: %s' % (n, why))
        for i in range(0 if skipped else OPS):
            o = draw_op(rng, world(srv, token))
            ops.append(o)
            name = o[0]
            if verbose:
                print('# %d. %s' % (i + 1, name))
            try:
                known = step(srv, token, db, d, o, known, tally, verbose)
            except Failure as f:
                tally.fail(n, i, name, f, not failed)
                failed = True
                if verbose:
                    print('# FAILURE %s: %s' % (name, f.detail))
                if not REPORT:
                    stop = '%s: %s' % (name, f.detail)
                    break
                if f.kind == 'error':
                    break
                known = violations(srv, token)
    except Failure as f:        # the build, or reading the world
        tally.fail(n, len(ops), name, f, not failed)
        failed = True
        stop = '%s: %s' % (name, f.detail)
    finally:
        try:
            rc, err = srv.stop()
        except Exception:  # pylint: disable=broad-except
            srv.p.kill()
            rc, err = -9, srv.p.stderr.read()
    if sanitized(err) or rc != 0:
        f = Failure('error', ['SERVER-EXIT'], 'the server ended with %s:\n%s' % (rc, err))
        tally.fail(n, len(ops), 'serve', f, not failed)
        failed = True
        stop = stop or f.detail
    if not skipped:
        tally.sequences += 1
    if stop and not REPORT:
        for k in ORDER:
            if m[k]:
                harness.write(os.path.join(d, k + '.csv'), to_csv(m[k]))
        print('# sequence %d: its database and mission (KIND.csv, in the order %s) are '
              'kept in %s' % (n, ' '.join(ORDER), d))
        raise AssertionError('%s\n%s' % (replay_text(n, ops), stop))
    shutil.rmtree(d, ignore_errors=True)
    harness.engine.drop(db)


# ---- The test ------------------------------------------------------------

def summary(t):
    lines = ['property: %d sequences × %d operations: %d accepted, %d refused'
             ' (%d missions skipped, %d failures)'
             % (t.sequences, OPS, t.accepted, t.refused, t.skipped, len(t.failures))]
    if REPORT or ONLY is not None:
        lines.append('operations: accepted, refused')
        for name in sorted(t.op_counts):
            a, r = t.op_counts[name]
            lines.append('  %-38s %5d %5d' % (name, a, r))
    if not t.failures:
        return lines
    lines.append('failures by rule: first of their sequence, later, violations')
    for r, (f, l, v) in sorted(t.by_rule.items(), key=lambda x: (-x[1][0], x[0])):
        lines.append('  %-38s %5d %5d %5d' % (r, f, l, v))
    lines.append('failures by operation: first of their sequence, later')
    for o, (f, l) in sorted(t.by_op.items(), key=lambda x: (-x[1][0], x[0])):
        lines.append('  %-38s %5d %5d' % (o, f, l))
    lines.append('by operation and rule: first of their sequence, later')
    for (o, r), (f, l) in sorted(t.by_pair.items(), key=lambda x: (-x[1][0], x[0])):
        lines.append('  %-38s %-20s %5d %5d' % (o, r, f, l))
    lines.append('an example of each (operation, rule), first of its sequence where one is:')
    seen = set()
    for first in (True, False):
        for n, i, name, f, fst in t.failures:
            for r in sorted(set(f.rules)):
                if fst == first and (name, r) not in seen:
                    seen.add((name, r))
                    line = next((x for x in f.detail.splitlines() if x.strip().startswith(r)),
                                f.detail.splitlines()[-1])
                    lines.append('  %s, %s: sequence %d op %d%s: %s' % (
                        name, r, n, i + 1, '' if first else ' (later)', line.strip()[:240]))
    return lines


@test
def accepted_writes_leave_nothing_for_check_and_refused_ones_change_nothing():
    tdb, token = template()
    base = tmpdir()
    t = Tally()
    which = [int(ONLY)] if ONLY is not None else range(SEQUENCES)
    try:
        for n in which:
            sequence(n, tdb, token, t, base, verbose=ONLY is not None)
    finally:
        for line in summary(t):
            print('# ' + line)
        sys.stdout.flush()
    assert t.sequences >= len(which) * 3 // 4, 'too many missions skipped: %d' % t.skipped
    assert not t.failures, '%d failures' % len(t.failures)


run()
