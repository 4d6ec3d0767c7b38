#!/usr/bin/env python3
"""Writes the CSV files of the who-sees-what fixture (tests/scenario/test_matrix.py).

Run from this directory: `python3 gen.py`. The CSV files are committed;
this script says how they were made and remakes them when the fixture
changes.

Every record of the fixture that a reader might not see carries a marker
in its key and text fields: zq<CLASSIFICATION>-<RELEASABILITY>-<id>, the
releasability's ';' written '.', e.g. zqNS-MISSION.IRQ-se3. The oracle of
test_matrix.py reads who may see a record from its marker alone; the id
says the kind (two letters) and, where the contingent rule needs it, the
nation of the person (persons, and caveats by nation or by person).

The base records (nations, organisations, the sites BASE, SUSP and
RSITE, the consent GOI-ALL, the activity ACT-TRAIN, the course BASE-CRS
and its session, the trainer TRAINER1) are NU and released to MISSION;IRQ:
everyone sees them. A record refers only to base records or to records of
its own marking, except where the fixture means to test a link to a
hidden record:
  - the enrolments en90/en91: visible enrolments of hidden trainees;
  - the posts po90/po91: visible posts held by hidden persons (holder);
  - the event zqCTS-MISSION-ev99 restricts RSITE (the site's status);
  - references outside keys, which a reader sees without the hidden
    record they name: the post po92 at a CTS site, the session of
    BASE-CRS on 2026-04-01 taught by a CTS trainer beside TRAINER1, its
    session of 2026-05-01 at that CTS site, the consent cs92 over BASE
    and a CTS site.
"""
import csv
import os

CLS = ['NU', 'NR', 'NC', 'NS', 'CTS']
RELS = ['MISSION', 'NATO', 'MISSION;IRQ', 'IRQ', 'GBR', 'USA']
COMBOS = [(c, r) for c in CLS for r in RELS]
BASE = {'classification': 'NU', 'releasability': 'MISSION;IRQ'}


def m(c, r, ident):
    return 'zq%s-%s-%s' % (c, r.replace(';', '.'), ident)


def mark(c, r):
    return {'classification': c, 'releasability': r}


FILES = {}


def add(kind, row):
    FILES.setdefault(kind, []).append(row)


# The base: visible to every reader.
for code, name, member in (('GBR', 'United Kingdom', '1949-04-04'),
                           ('USA', 'United States', '1949-04-04'),
                           ('IRQ', 'Iraq', '')):
    add('nations', dict(code=code, name=name, member_since=member, **BASE))
for code, name, kind, parent, nation in (
        ('NMI', 'The mission', 'mission', '', ''),
        ('NMI-GBR', 'British contingent', 'contingent', 'NMI', 'GBR'),
        ('NMI-USA', 'American contingent', 'contingent', 'NMI', 'USA'),
        ('COAL', 'The coalition', 'coalition', '', ''),
        ('IRQ-MOD', 'Ministry of Defence', 'host-ministry', '', 'IRQ'),
        ('IRQ-SCH', 'A host school', 'host-institution', 'IRQ-MOD', 'IRQ'),
        ('IRQ-UNIT', 'A host unit', 'host-unit', 'IRQ-SCH', 'IRQ')):
    add('organisations', dict(code=code, name=name, kind=kind, parent=parent,
                              nation=nation, valid_from='2025-01-01', **BASE))
for code in ('BASE', 'SUSP', 'RSITE'):
    add('sites', dict(code=code, name='Site ' + code, latitude='33.3',
                      longitude='44.4', country='IRQ', valid_from='2025-01-01',
                      rooms='R1:40', **BASE))
add('consents', dict(code='GOI-ALL', title='Consent of the host government',
                     activity_kinds='training;advising;support', sites='',
                     ceiling='1000', valid_from='2025-01-01', **BASE))
add('persons', dict(code='TRAINER1', name='Trainer One', nation='GBR',
                    category='military', valid_from='2025-01-01', **BASE))
add('activities', dict(code='ACT-TRAIN', title='Training', kind='training',
                       host='IRQ-SCH', owner='NMI', site='BASE',
                       valid_from='2025-01-01', **BASE))
add('courses', dict(code='BASE-CRS', title='Base course', activity='ACT-TRAIN',
                    duration_days='5', capacity='40', **BASE))
add('sessions', dict(course='BASE-CRS', site='BASE', room='R1',
                     valid_from='2026-03-01', valid_to='2026-03-06',
                     trainers='TRAINER1', status='completed', **BASE))

# The marked records, one of each kind at every marking.
for n, (c, r) in enumerate(COMBOS, 1):
    mk = mark(c, r)
    nat = 'GBR' if n % 2 else 'USA'
    add('sites', dict(code=m(c, r, 'si%d' % n), name=m(c, r, 'si%d' % n),
                      latitude='33.%d' % n, longitude='44.%d' % n, country='IRQ',
                      valid_from='2025-01-01', **mk))
    add('consents', dict(code=m(c, r, 'cs%d' % n), title=m(c, r, 'cs%d' % n),
                         activity_kinds='support', sites='BASE', ceiling='500',
                         valid_from='2025-01-01', **mk))
    add('pledges', dict(code=m(c, r, 'pl%d' % n), nation=nat, personnel='10',
                        note=m(c, r, 'pl%d' % n), valid_from='2025-01-01', **mk))
    post = m(c, r, 'po%d' % n)
    add('posts', dict(number=post, title=post, branch='staff',
                      category='military', function='staff', site='BASE',
                      organisation='NMI', valid_from='2025-01-01', **mk))
    person = m(c, r, 'pe%s%d' % (nat.lower(), n))
    add('persons', dict(code=person, name=person, nation=nat, category='military',
                        valid_from='2025-01-01', **mk))
    add('assignments', dict(person=person, post=post, valid_from='2025-01-01', **mk))
    tag = ['%s' % nat.lower(), 'p%s' % nat.lower()][n % 4 < 2]
    add('caveats', dict(code=m(c, r, 'cv%s%d' % (tag, n)),
                        nation='' if tag.startswith('p') else nat,
                        person=person if tag.startswith('p') else '',
                        kind='region', target='NOWHERE',
                        reason=m(c, r, 'cv%s%d' % (tag, n)),
                        valid_from='2025-01-01', **mk))
    add('activities', dict(code=m(c, r, 'ac%d' % n), title=m(c, r, 'ac%d' % n),
                           kind='advising', host='IRQ-SCH', owner='NMI',
                           previous_owner='COAL', owner_from='2026-01-01',
                           site='BASE', valid_from='2025-01-01', **mk))
    course = m(c, r, 'co%d' % n)
    add('courses', dict(code=course, title=course, activity='ACT-TRAIN',
                        duration_days='5', capacity='40', **mk))
    # Its own trainer and no host unit: the sessions share their days,
    # and a trainer or a unit in two at once breaks a rule.
    add('sessions', dict(course=course, site='BASE', room=m(c, r, 'se%d' % n),
                         valid_from='2026-03-01', valid_to='2026-03-06',
                         trainers=person, lead='host',
                         lead_instructor=m(c, r, 'se%d' % n),
                         status='completed', **mk))
    # Postponed by the suspensions of SUSP (the suspension-impact report).
    add('sessions', dict(course=course, site='SUSP', room=m(c, r, 'sp%d' % n),
                         valid_from='2026-06-10', valid_to='2026-06-15',
                         trainers='TRAINER1', status='postponed', **mk))
    add('training-plans', dict(code=m(c, r, 'tp%d' % n), course=course,
                               sessions='1', window_from='2027-01-01',
                               window_to='2027-03-01', site='BASE', **mk))
    trainee = m(c, r, 'tr%d' % n)
    add('trainees', dict(service_number=trainee, name=trainee, nation='IRQ',
                         unit='IRQ-UNIT', **mk))
    add('enrolments', dict(session=course + '/2026-03-01', trainee=trainee,
                           attendance='attended', result='pass',
                           certificate=m(c, r, 'en%d' % n), **mk))
    add('assessments', dict(organisation='IRQ-SCH', competency=m(c, r, 'as%d' % n),
                            assessed_on='2026-01-01', level='2', target='3',
                            assessor=m(c, r, 'as%d' % n), **mk))
    add('status-events', dict(code=m(c, r, 'ev%d' % n), action='suspend',
                              scope='site:SUSP', reason=m(c, r, 'ev%d' % n),
                              valid_from='2026-06-01', valid_to='2026-07-01', **mk))

# Links to hidden records.
for n, (tc, tr), (ec, er) in ((90, ('CTS', 'MISSION;IRQ'), ('NU', 'MISSION;IRQ')),
                              (91, ('NU', 'MISSION'), ('NU', 'MISSION;IRQ'))):
    trainee = m(tc, tr, 'tr%d' % n)
    add('trainees', dict(service_number=trainee, name=trainee, nation='IRQ',
                         unit='IRQ-UNIT', **mark(tc, tr)))
    add('enrolments', dict(session='BASE-CRS/2026-03-01', trainee=trainee,
                           attendance='attended', result='pass',
                           certificate=m(ec, er, 'en%d' % n), **mark(ec, er)))
for n, (pc, pr), (ec, er, nat) in ((90, ('NU', 'MISSION;IRQ'), ('CTS', 'MISSION', 'GBR')),
                                   (91, ('NR', 'MISSION'), ('NU', 'MISSION', 'USA'))):
    post = m(pc, pr, 'po%d' % n)
    add('posts', dict(number=post, title=post, branch='staff', category='military',
                      function='staff', site='BASE', organisation='NMI',
                      valid_from='2025-01-01', **mark(pc, pr)))
    person = m(ec, er, 'pe%s%d' % (nat.lower(), n))
    add('persons', dict(code=person, name=person, nation=nat, category='military',
                        valid_from='2025-01-01', **mark(ec, er)))
    # As hidden as the more hidden of the two: it names both.
    add('assignments', dict(person=person, post=post, valid_from='2025-01-01',
                            **mark(max(pc, ec, key=CLS.index), er)))
# References, not in keys, to hidden records (CTS, released to MISSION).
HIDDEN_SITE = m('CTS', 'MISSION', 'si25')
HIDDEN_TRAINER = m('CTS', 'MISSION', 'pegbr25')
post = m('NU', 'MISSION;IRQ', 'po92')
add('posts', dict(number=post, title=post, branch='staff', category='military',
                  function='staff', site=HIDDEN_SITE, organisation='NMI',
                  valid_from='2025-01-01', **BASE))
add('sessions', dict(course='BASE-CRS', site='BASE', room='R1',
                     valid_from='2026-04-01', valid_to='2026-04-06',
                     trainers='TRAINER1;' + HIDDEN_TRAINER, status='completed',
                     **BASE))
add('sessions', dict(course='BASE-CRS', site=HIDDEN_SITE, room='R1',
                     valid_from='2026-05-01', valid_to='2026-05-06',
                     trainers='TRAINER1', status='completed', **BASE))
add('consents', dict(code=m('NU', 'MISSION;IRQ', 'cs92'),
                     title=m('NU', 'MISSION;IRQ', 'cs92'),
                     activity_kinds='support', sites='BASE;' + HIDDEN_SITE,
                     ceiling='500', valid_from='2025-01-01', **BASE))
add('status-events', dict(code=m('CTS', 'MISSION', 'ev99'), action='restrict',
                          scope='site:RSITE', reason=m('CTS', 'MISSION', 'ev99'),
                          valid_from='2026-06-01', **mark('CTS', 'MISSION')))

ORDER = ['nations', 'organisations', 'sites', 'consents', 'pledges', 'posts',
         'persons', 'assignments', 'caveats', 'activities', 'courses', 'sessions',
         'training-plans', 'trainees', 'enrolments', 'assessments', 'status-events']

if __name__ == '__main__':
    here = os.path.dirname(os.path.abspath(__file__))
    for i, kind in enumerate(ORDER, 1):
        rows = FILES[kind]
        cols = []
        for row in rows:
            cols += [k for k in row if k not in cols]
        with open(os.path.join(here, '%02d-%s.csv' % (i, kind)), 'w',
                  newline='', encoding='utf-8') as f:
            w = csv.DictWriter(f, fieldnames=cols, lineterminator='\n')
            w.writeheader()
            for row in rows:
                w.writerow(row)
