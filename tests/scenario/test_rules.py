#!/usr/bin/env python3
"""Each mission rule on a small fixture mission: a case it accepts, a case
it refuses with its rule id, and its boundaries."""
import os

from harness import cadre, ok_json, refused, run, test, tmpdir, write

FIXTURE = {
    'nations': """code,name,member_since
CAN,Canada,1949-04-04
DEU,Germany,1955-05-06
IRQ,Iraq,
""",
    'organisations': """code,name,kind,parent,nation,valid_from
NATO,NATO,alliance,,,1949-04-04
NMI,Mission,mission,NATO,,2019-01-01
COAL,Coalition,coalition,,,2014-01-01
MOD,Ministry of Defence,host-ministry,,IRQ,2004-01-01
""",
    'sites': """code,name,latitude,longitude,country,region,mission_approved,valid_from
HQ,Headquarters,33.3,44.4,IRQ,Baghdad,yes,2019-01-01
BASE,Training base,33.5,44.3,IRQ,North,yes,2019-01-01
FAR,Far site,33.8,42.4,IRQ,West,no,2019-01-01
""",
    'consents': """code,title,activity_kinds,sites,institutions,ceiling,valid_from,valid_to
C1,Consent,training;advising;support,HQ;BASE,MOD,3,2020-01-01,2020-12-31
""",
    'posts': """number,title,branch,category,function,site,organisation,valid_from
P1,Trainer,Training,military,training,BASE,NMI,2020-01-01
P2,Staff,Staff,military,support,HQ,NMI,2020-01-01
P4,Far post,Staff,military,support,FAR,NMI,2020-01-01
P5,Trainer 2,Training,military,training,BASE,NMI,2020-01-01
P6,Coalition trainer,Training,military,training,FAR,COAL,2020-01-01
""",
    'persons': """code,name,nation,category,qualifications,valid_from
A,Alpha,CAN,military,INSTR:2020-03-10,2020-01-01
B,Bravo,DEU,military,INSTR,2020-01-01
C,Charlie,CAN,military,,2020-01-01
D,Delta,CAN,military,,2020-01-01
E,Echo,CAN,military,INSTR,2020-01-01
""",
    'caveats': """code,nation,kind,target,valid_from
CV1,DEU,site,BASE,2019-01-01
""",
    'activities': """code,title,kind,host,owner,site,valid_from,valid_to
TRN,Training,training,MOD,NMI,BASE,2020-01-01,2020-12-31
""",
    'courses': """code,title,activity,duration_days,capacity,trainer_qualifications
CRS,Course,TRN,10,20,INSTR
""",
}


def fixture():
    d = tmpdir()
    db = os.path.join(d, 'f.db')
    for kind in ('nations', 'organisations', 'sites', 'consents', 'posts',
                 'persons', 'caveats', 'activities', 'courses'):
        path = write(os.path.join(d, kind + '.csv'), FIXTURE[kind])
        ok_json(db, 'import', kind, path)
    return d, db


def imp(d, db, kind, text):
    path = write(os.path.join(d, 'in.csv'), text)
    return cadre(db, 'import', kind, path, '--json')


def imp_refused(d, db, kind, text, rule):
    import json
    rc, out, err = imp(d, db, kind, text)
    assert rc == 1, 'expected refusal, exit %d: %s%s' % (rc, out, err)
    e = json.loads(out)['error']
    assert e['code'] == 'RULE', e
    assert e['rule'] == rule, e
    return e


def imp_ok(d, db, kind, text):
    rc, out, err = imp(d, db, kind, text)
    assert rc == 0, 'expected success, exit %d: %s%s' % (rc, out, err)


SESSION_HEAD = 'course,site,valid_from,valid_to,trainers\n'
ASSIGN_HEAD = 'person,post,valid_from,valid_to\n'


@test
def consent_covers_a_session_inside_it():
    d, db = fixture()
    imp_ok(d, db, 'sessions', SESSION_HEAD + 'CRS,BASE,2020-02-01,2020-02-11,E\n')


@test
def consent_refuses_a_session_past_its_end_naming_the_day():
    d, db = fixture()
    e = imp_refused(d, db, 'sessions',
                    SESSION_HEAD + 'CRS,BASE,2020-12-25,2021-01-04,E\n', 'CONSENT')
    assert '2020-12-31' in e['dates'], e
    assert 'CRS/2020-12-25' in e['records'], e
    assert e['errors'][0]['line'] == 2, e


@test
def consent_boundary_session_ending_on_the_consents_last_day():
    d, db = fixture()
    # valid_to is exclusive: a session to 2020-12-31 runs through the 30th,
    # the consent's last day.
    imp_ok(d, db, 'sessions', SESSION_HEAD + 'CRS,BASE,2020-12-21,2020-12-31,E\n')


@test
def consent_ending_the_day_before_refuses():
    d, db = fixture()
    e = imp_refused(d, db, 'sessions',
                    SESSION_HEAD + 'CRS,BASE,2020-12-31,2021-01-05,E\n', 'CONSENT')
    assert e['dates'] == ['2020-12-31'], e


@test
def consent_refuses_a_site_outside_its_scope():
    d, db = fixture()
    imp(d, db, 'sites', 'code,name,latitude,longitude,country,valid_from\n'
        'NEW,New site,33,44,IRQ,2019-01-01\n')
    imp_refused(d, db, 'sessions',
                SESSION_HEAD + 'CRS,NEW,2020-02-01,2020-02-11,E\n', 'CONSENT')


@test
def noncombat_refuses_an_operation_and_an_unapproved_site():
    d, db = fixture()
    post = ('number,title,branch,category,function,site,organisation,valid_from\n'
            'P3,Operations,Ops,military,%s,BASE,%s,2020-01-01\n')
    e = imp_refused(d, db, 'posts', post % ('operation', 'NMI'), 'NONCOMBAT')
    assert 'do not deploy alongside host forces' in e['message'], e
    assert e['records'] == ['P3', 'NMI'], e
    # Nor may a mission post become one (another's may).
    imp_ok(d, db, 'posts', post % ('support', 'NMI'))
    imp_refused(d, db, 'posts', post % ('operation', 'NMI'), 'NONCOMBAT')
    imp_ok(d, db, 'posts', post.replace('P3,', 'P7,') % ('operation', 'COAL'))
    imp_refused(d, db, 'assignments', ASSIGN_HEAD + 'C,P4,2020-02-01,2020-03-01\n',
                'NONCOMBAT')
    imp_refused(d, db, 'activities', 'code,title,kind,owner,valid_from\n'
                'OPS,Operation,operation,NMI,2020-02-01\n', 'NONCOMBAT')
    # Another organisation's people are not the mission's to restrict.
    imp_ok(d, db, 'assignments', ASSIGN_HEAD + 'D,P6,2020-02-01,2020-03-01\n')
    imp_ok(d, db, 'assignments', ASSIGN_HEAD + 'C,P2,2020-02-01,2020-03-01\n')


@test
def ceiling_reached_exactly_is_accepted_one_over_is_refused():
    d, db = fixture()
    imp_ok(d, db, 'assignments', ASSIGN_HEAD +
           'A,P1,2020-02-01,2020-04-01\nC,P2,2020-02-01,2020-04-01\n'
           'E,P5,2020-02-01,2020-04-01\n')
    report = ok_json(db, 'report', 'ceilings', '--from', '2020-03-30',
                     '--to', '2020-04-02')
    counts = {r['date']: r['headcount'] for r in report['days']}
    assert counts['2020-03-31'] == 3 and counts['2020-04-01'] == 0, counts
    assert report['breaches'] == 0
    # The relief arrives a day before the outgoing holder leaves: for that
    # one day four are in theatre, one over the ceiling.
    e = imp_refused(d, db, 'assignments',
                    ASSIGN_HEAD + 'D,P2,2020-03-31,2020-06-01\n', 'CEILING')
    assert e['dates'] == ['2020-03-31'], e
    assert 'would be 4' in e['message'] and 'ceiling of 3' in e['message'], e
    # Handing over on the day keeps it at three.
    imp_ok(d, db, 'assignments', ASSIGN_HEAD + 'D,P2,2020-04-01,2020-06-01\n')


@test
def qualification_expiring_on_the_last_day_is_enough():
    d, db = fixture()
    # A's INSTR holds to 2020-03-10 inclusive; the session's last day is
    # 2020-03-10 (valid_to 2020-03-11 is exclusive).
    imp_ok(d, db, 'sessions', SESSION_HEAD + 'CRS,BASE,2020-03-01,2020-03-11,A\n')


@test
def qualification_expiring_the_day_before_the_end_is_refused():
    d, db = fixture()
    e = imp_refused(d, db, 'sessions',
                    SESSION_HEAD + 'CRS,BASE,2020-03-02,2020-03-12,A\n',
                    'QUALIFICATION')
    assert 'A' in e['records'] and 'INSTR' in e['message'], e
    e = imp_refused(d, db, 'sessions',
                    SESSION_HEAD + 'CRS,BASE,2020-02-01,2020-02-11,C\n',
                    'QUALIFICATION')
    assert 'C' in e['records'], e


@test
def caveat_keeps_a_nation_away_from_a_site():
    d, db = fixture()
    e = imp_refused(d, db, 'sessions',
                    SESSION_HEAD + 'CRS,BASE,2020-02-01,2020-02-11,B\n', 'CAVEAT')
    assert 'CV1' in e['records'] and 'B' in e['records'], e
    imp_refused(d, db, 'assignments', ASSIGN_HEAD + 'B,P1,2020-02-01,2020-03-01\n',
                'CAVEAT')
    imp_ok(d, db, 'assignments', ASSIGN_HEAD + 'B,P2,2020-02-01,2020-03-01\n')


@test
def suspension_postpones_and_stops_new_sessions_in_scope():
    d, db = fixture()
    imp_ok(d, db, 'sessions', SESSION_HEAD +
           'CRS,BASE,2020-05-25,2020-06-04,E\nCRS,BASE,2020-07-01,2020-07-11,E\n'
           'CRS,HQ,2020-06-10,2020-06-20,E\n')
    r = ok_json(db, 'suspend', '--scope', 'site:BASE', '--from', '2020-06-01',
                '--reason', 'test')
    assert [s['session'] for s in r['sessions_postponed']] == \
        ['CRS/2020-05-25', 'CRS/2020-07-01'], r
    e = imp_refused(d, db, 'sessions',
                    SESSION_HEAD + 'CRS,BASE,2020-06-10,2020-06-20,E\n', 'SUSPENDED')
    assert e['dates'][0] == '2020-06-10', e
    # A status event that would stop planned sessions must go through
    # `cadre suspend`.
    imp_refused(d, db, 'status-events', 'code,action,scope,reason,valid_from\n'
                'X,suspend,site:HQ,test,2020-06-01\n', 'SUSPENDED')
    r = ok_json(db, 'resume', '--scope', 'site:BASE', '--on', '2020-06-15',
                '--apply')
    assert r['days_suspended'] == 14, r
    moved = {s['session']: s for s in r['sessions']}
    # Due 2020-06-08 (shifted by 14 days), not before 2020-06-15 — and
    # not before 2020-06-20 either: its trainer E teaches at HQ until
    # then, and resume re-plans through the planner, never double-booking.
    assert moved['CRS/2020-05-25']['replanned_as'] == 'CRS/2020-06-20', moved
    assert moved['CRS/2020-07-01']['replanned_as'] == 'CRS/2020-07-01', moved
    new = ok_json(db, 'show', 'sessions', 'CRS/2020-06-20')
    assert new['replaces'] == 'CRS/2020-05-25' and new['status'] == 'planned', new
    old = ok_json(db, 'show', 'sessions', 'CRS/2020-05-25')
    assert old['status'] == 'postponed', old


@test
def a_rule_broken_on_one_row_refuses_the_whole_file():
    d, db = fixture()
    before = ok_json(db, 'list', 'sessions')
    e = imp_refused(d, db, 'sessions', SESSION_HEAD +
                    'CRS,BASE,2020-02-01,2020-02-11,E\n'
                    'CRS,BASE,2020-02-15,2020-02-25,B\n'
                    'CRS,BASE,2020-03-01,2020-03-11,E\n', 'CAVEAT')
    assert [x['line'] for x in e['errors']] == [3], e
    assert 'CAVEAT' in e['errors'][0]['reason'], e
    assert ok_json(db, 'list', 'sessions') == before
    rc, out, _ = cadre(db, 'audit', 'verify')
    assert rc == 0, out


@test
def rule_refusals_render_as_text_with_rule_and_dates():
    d, db = fixture()
    path = write(os.path.join(d, 's.csv'),
                 SESSION_HEAD + 'CRS,BASE,2020-12-25,2021-01-04,E\n')
    rc, out, err = cadre(db, 'import', 'sessions', path)
    assert rc == 1 and out == '', (rc, out)
    assert err.startswith('cadre: CONSENT: '), err
    assert 's.csv:2:' in err and 'date: 2020-12-31' in err, err


@test
def a_suspension_reports_only_what_its_caller_may_see():
    """An action acts on the whole mission but reports to its caller: a
    commander cleared NS suspending a site postpones its CTS session too,
    and learns only that one more record was affected, never its key."""
    import json
    d, db = fixture()
    imp_ok(d, db, 'sessions', SESSION_HEAD.rstrip('\n') + ',classification\n'
           'CRS,BASE,2020-06-05,2020-06-15,E,NU\n'
           'CRS,BASE,2020-07-01,2020-07-11,E,CTS\n')
    rc, out, err = cadre(db, 'user', 'add', 'j3', '--role', 'commander',
                         '--clearance', 'NS',
                         stdin='a long enough password\n')
    assert rc == 0, out + err
    secret = 'CRS/2020-07-01'
    args = ('suspend', '--scope', 'site:BASE', '--from', '2020-06-01',
            '--reason', 'test')
    r = ok_json(db, '--as', 'j3', *args, '--dry-run')
    assert [s['session'] for s in r['sessions_postponed']] == \
        ['CRS/2020-06-05'], r
    assert r['hidden'] == 1 and r['dry_run'] is True, r
    assert secret not in json.dumps(r), r
    rc, out, err = cadre(db, '--as', 'j3', *args, '--dry-run')
    assert rc == 0 and secret not in out + err, out + err
    assert 'and 1 more records you may not see' in out, out
    # The dry run wrote nothing; the system sees the session planned.
    assert ok_json(db, 'show', 'sessions', secret)['status'] == 'planned'
    r = ok_json(db, '--as', 'j3', *args)
    assert r['hidden'] == 1 and secret not in json.dumps(r), r
    # Applied, the suspension postponed it all the same.
    assert ok_json(db, 'show', 'sessions', secret)['status'] == 'postponed'
    assert ok_json(db, 'show', 'sessions', 'CRS/2020-06-05')['status'] == \
        'postponed'
    # The system's own report of the same kind names it.
    r = ok_json(db, 'resume', '--scope', 'site:BASE', '--on', '2020-06-20',
                '--dry-run')
    assert secret in [s['session'] for s in r['sessions']] and \
        r['hidden'] == 0, r
    r = ok_json(db, '--as', 'j3', 'resume', '--scope', 'site:BASE', '--on',
                '2020-06-20', '--dry-run')
    assert secret not in json.dumps(r) and r['hidden'] == 1, r


@test
def a_consent_suspended_then_granted_again_keeps_its_past_and_the_rules():
    """Suspending C1 postpones what it covered and keeps what ran before
    (its days until then were consented: no session, activity or
    assignment before them is left uncovered); granting it again makes
    C1@D, a key the key rules allow (it was C1/D, refused)."""
    d, db = fixture()
    imp_ok(d, db, 'sessions', SESSION_HEAD +
           'CRS,BASE,2020-02-01,2020-02-11,E\nCRS,BASE,2020-07-01,2020-07-11,E\n')
    assert cadre(db, 'check')[0] == 0
    r = ok_json(db, 'consent', 'suspend', 'C1', '--on', '2020-06-01')
    assert [s['session'] for s in r['sessions_postponed']] == ['CRS/2020-07-01'], r
    rc, out, err = cadre(db, 'check')
    assert rc == 0, (out, err)
    r = ok_json(db, 'consent', 'grant', 'C1', '--on', '2020-09-01')
    assert r['consent_granted'] == 'C1@2020-09-01', r
    rc, out, err = cadre(db, 'check')
    assert rc == 0, (out, err)


@test
def a_transfer_under_a_suspension_postpones_what_it_brings():
    """The coalition's session after the transfer day falls under the
    mission's rules, and a suspension of the mission is in force then:
    the transfer postpones it, as `cadre suspend` would have (it ran,
    breaking SUSPENDED, before the guard; the guard alone would refuse
    the transfer)."""
    d, db = fixture()
    imp_ok(d, db, 'activities', 'code,title,kind,host,owner,site,valid_from,valid_to\n'
           'CT,Coalition training,training,MOD,COAL,BASE,2020-01-01,2020-12-31\n')
    imp_ok(d, db, 'courses', 'code,title,activity,duration_days,capacity\n'
           'CC,Coalition course,CT,5,20\n')
    imp_ok(d, db, 'sessions', 'course,site,valid_from,valid_to\n'
           'CC,BASE,2020-07-01,2020-07-06\nCC,BASE,2020-09-01,2020-09-06\n')
    ok_json(db, 'suspend', '--scope', 'mission', '--from', '2020-06-15',
            '--reason', 'x')
    ok_json(db, 'resume', '--scope', 'mission', '--on', '2020-08-01')
    r = ok_json(db, 'transfer', 'CT', '--to', 'NMI', '--on', '2020-06-20')
    assert [x['session'] for x in r['sessions_postponed']] == ['CC/2020-07-01'], r
    got = {x['key']: x['status'] for x in ok_json(db, 'list', 'sessions')
           if x['course'] == 'CC'}
    assert got == {'CC/2020-07-01': 'postponed', 'CC/2020-09-01': 'planned'}, got
    rc, out, err = cadre(db, 'check')
    assert rc == 0, (out, err)


@test
def consent_changes_and_plans_report_only_what_the_caller_may_see():
    import json
    d, db = fixture()
    imp_ok(d, db, 'sessions', SESSION_HEAD.rstrip('\n') + ',classification\n'
           'CRS,BASE,2020-06-05,2020-06-15,E,NU\n'
           'CRS,BASE,2020-07-01,2020-07-11,E,CTS\n')
    imp_ok(d, db, 'sites', 'code,name,latitude,longitude,country,'
           'mission_approved,valid_from,classification\n'
           'DARK,Dark site,33,44,IRQ,yes,2019-01-01,CTS\n')
    assert cadre(db, 'user', 'add', 'j3', '--role', 'commander',
                 '--clearance', 'NS',
                 stdin='a long enough password\n')[0] == 0
    secret = 'CRS/2020-07-01'
    r = ok_json(db, '--as', 'j3', 'consent', 'suspend', 'C1', '--on',
                '2020-06-01', '--dry-run')
    assert [s['session'] for s in r['sessions_postponed']] == \
        ['CRS/2020-06-05'], r
    assert r['hidden'] == 1 and secret not in json.dumps(r), r
    r = ok_json(db, 'consent', 'suspend', 'C1', '--on', '2020-06-01',
                '--dry-run')
    assert secret in [s['session'] for s in r['sessions_postponed']], r
    assert r['hidden'] == 0, r
    # A scope the caller may not see is no scope at all for them.
    hidden = cadre(db, '--as', 'j3', 'suspend', '--scope', 'site:DARK',
                   '--from', '2020-06-01', '--reason', 'x', '--json')
    missing = cadre(db, '--as', 'j3', 'suspend', '--scope', 'site:NONE',
                    '--from', '2020-06-01', '--reason', 'x', '--json')
    assert hidden[0] == missing[0] != 0, (hidden, missing)
    assert json.loads(hidden[1])['error']['code'] == \
        json.loads(missing[1])['error']['code'], (hidden, missing)
    # The planner re-plans both postponed sessions, and tells a training
    # officer cleared NS of one (planning is the training role's).
    assert cadre(db, 'user', 'add', 'j7', '--role', 'training',
                 '--clearance', 'NS',
                 stdin='a long enough password\n')[0] == 0
    ok_json(db, 'suspend', '--scope', 'site:BASE', '--from', '2020-06-01',
            '--reason', 'x')
    args = ('plan', 'sessions', '--postponed', '--from', '2020-08-01',
            '--to', '2020-10-01')
    assert cadre(db, '--as', 'j3', *args)[0] == 1, 'not the commander\'s'
    mine = ok_json(db, '--as', 'j7', *args)
    assert secret not in json.dumps(mine), mine
    everyone = ok_json(db, *args)
    assert mine['items'] == everyone['items'] == 2, (mine, everyone)
    assert mine['hidden'] == 1 and everyone['hidden'] == 0, (mine, everyone)


if __name__ == '__main__':
    run()
