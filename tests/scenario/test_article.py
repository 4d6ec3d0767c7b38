#!/usr/bin/env python3
"""The article (shared/seed/nato-mission-iraq-article.txt) replayed on the
demo mission: each statement a checked assertion."""
import os

from harness import cadre, copy_db, engine, ok_json, refused, run, test, tmpdir, write

DIR = tmpdir()
DEMO = os.path.join(DIR, 'demo.db')
rc, out, err = cadre(DEMO, 'demo')
assert rc == 0, err


def copy():
    d = tmpdir()
    db = os.path.join(d, 'copy.db')
    copy_db(DEMO, db)
    return d, db


def rows(db, sql, *args):
    con = engine.connect(db)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


@test
def the_alliance_had_29_members_and_the_count_follows_accessions():
    for day, n in (('2018-10-01', 29), ('2020-02-12', 29), ('2020-03-26', 29),
                   ('2020-03-27', 30), ('2023-04-04', 31), ('2024-03-06', 31),
                   ('2024-03-07', 32)):
        st = ok_json(DEMO, 'status', '--as-of', day)
        assert st['members'] == n, (day, st['members'])
    st = ok_json(DEMO, 'status', '--as-of', '2020-02-12')
    assert 'MKD' not in st['member_nations'] and 'USA' in st['member_nations']


@test
def partners_contribute_too():
    st = ok_json(DEMO, 'status', '--as-of', '2020-02-12')
    assert set(st['partner_nations']) <= {'AUS', 'FIN', 'SWE'}, st
    assert 'AUS' in st['partner_nations'], st
    st = ok_json(DEMO, 'status', '--as-of', '2025-06-01')
    assert 'FIN' not in st['partner_nations'], 'Finland is a member by then'


@test
def in_early_january_2020_training_is_suspended_for_safety():
    st = ok_json(DEMO, 'status', '--as-of', '2020-01-05')
    assert st['training_suspended'] is True
    mission_sites = {s['code'] for s in ok_json(DEMO, 'list', 'sites')
                     if s['mission_approved']}
    for s in st['sites']:
        if s['code'] in mission_sites:
            assert s['status'] == 'suspended', s
    assert any('safety' in e['reason'] for e in st['suspensions']), st
    assert ok_json(DEMO, 'status', '--as-of', '2020-01-03')['training_suspended'] is False


@test
def sessions_due_then_are_postponed_not_lost():
    due = rows(DEMO, "SELECT key, status FROM session WHERE valid_from < "
               "'2020-02-13' AND valid_to > '2020-01-04' AND course IN "
               "(SELECT c.code FROM course c JOIN activity a ON a.code = "
               "c.activity WHERE a.owner = 'NMI' AND a.previous_owner IS NULL)")
    assert due, 'some sessions were due during the suspension'
    for key, status in due:
        assert status == 'postponed', (key, status)
        enrolled = rows(DEMO, 'SELECT count(*) FROM enrolment WHERE session = ?', key)[0][0]
        assert enrolled > 0, 'enrolments kept for %s' % key
    replanned = rows(DEMO, "SELECT key, replaces FROM session WHERE replaces IN "
                     "(%s)" % ','.join('?' * len(due)), *[k for k, _ in due])
    assert replanned, 'postponed sessions are re-run after the resumption'
    for key, old in replanned:
        assert key.split('/')[1] >= '2020-02-13', key


@test
def on_12_and_13_february_2020_training_restarts_with_iraqi_consent():
    assert ok_json(DEMO, 'status', '--as-of', '2020-02-12')['training_suspended'] is True
    st = ok_json(DEMO, 'status', '--as-of', '2020-02-13')
    assert st['training_suspended'] is False, st
    assert [c['code'] for c in st['consents']] == ['GOI-2020'], st['consents']
    running = rows(DEMO, "SELECT count(*) FROM session WHERE status = 'completed'"
                   " AND valid_from >= '2020-02-13' AND valid_from < '2020-03-20'")[0][0]
    assert running > 0


@test
def coalition_training_passes_to_the_mission_and_the_report_counts_people():
    before = ok_json(DEMO, 'list', 'activities', '--as-of', '2020-03-31',
                     '--where', 'code=TRN-NCO')[0]
    after = ok_json(DEMO, 'list', 'activities', '--as-of', '2020-04-01',
                    '--where', 'code=TRN-NCO')[0]
    assert before['owner_as_of'] == 'CJTF-OIR' and after['owner_as_of'] == 'NMI'
    moved = rows(DEMO, "SELECT count(*) FROM post WHERE number LIKE '%@NMI'")[0][0]
    assert moved > 0, 'the coalition trainers on post came along'
    # The same action on a coalition activity added now: the report says
    # what moved and how many people, by nation.
    d, db = copy()
    for kind, text in (
            ('activities', 'code,title,kind,host,owner,site,valid_from\n'
             'TRN-X,Coalition course,training,IRQ-NCO,CJTF-OIR,TAJI,2021-01-01\n'),
            ('posts', 'number,title,branch,category,function,site,organisation,valid_from\n'
             'CX-1,Trainer,Training,military,training,TAJI,CJTF-OIR,2021-01-01\n'
             'CX-2,Trainer,Training,military,training,TAJI,CJTF-OIR,2021-01-01\n'
             'CX-3,Trainer,Training,military,training,TAJI,CJTF-OIR,2021-01-01\n'),
            ('persons', 'code,name,nation,category,valid_from\n'
             'X1,One,USA,military,2021-01-01\nX2,Two,USA,military,2021-01-01\n'
             'X3,Three,GBR,military,2021-01-01\n'),
            ('assignments', 'person,post,valid_from,valid_to\n'
             'X1,CX-1,2021-01-01,2021-09-01\nX2,CX-2,2021-02-01,2021-08-01\n'
             'X3,CX-3,2021-03-01,2021-05-01\n')):
        ok_json(db, 'import', kind, write(os.path.join(d, kind + '.csv'), text))
    dry = ok_json(db, 'transfer', 'TRN-X', '--to', 'NMI', '--on', '2021-06-01',
                  '--with-personnel', '--dry-run')
    assert dry['dry_run'] is True and dry['people_reassigned'] == 2, dry
    assert ok_json(db, 'show', 'activities', 'TRN-X')['owner'] == 'CJTF-OIR'
    r = ok_json(db, 'transfer', 'TRN-X', '--to', 'NMI', '--on', '2021-06-01',
                '--with-personnel')
    assert r['people_reassigned'] == 2 and r['people_by_nation'] == {'USA': 2}, r
    assert r['owner_on_day_before'] == {'date': '2021-05-31', 'owner': 'CJTF-OIR'}
    a = ok_json(db, 'show', 'assignments', 'X1/CX-1@NMI/2021-06-01')
    assert a['valid_to'] == '2021-09-01', a
    e = refused(db, 'transfer', 'TRN-X', '--to', 'NMI', '--on', '2021-07-01')
    assert 'already transferred' in e['message'], e
    rep = ok_json(db, 'report', 'transfer', '--activity', 'TRN-X')
    assert rep['activities'] == 1 and rep['transfers'][0]['from_org'] == 'CJTF-OIR'
    day = [p for p in rep['people_by_nation'] if p['on_day'] == '2021-06-01']
    assert day == [{'to_org': 'NMI', 'on_day': '2021-06-01', 'nation': 'USA',
                    'people': 2}], day
    whole = ok_json(db, 'report', 'transfer')
    assert whole['activities'] == 4 and whole['people_reassigned'] > 2


@test
def we_stay_only_as_long_as_we_are_welcome():
    d, db = copy()
    tables = ['nation', 'organisation', 'site', 'post', 'person', 'assignment',
              'session', 'trainee', 'enrolment', 'consent', 'status_event']
    counts = {t: rows(db, 'SELECT count(*) FROM %s' % t)[0][0] for t in tables}
    dry = ok_json(db, 'consent', 'withdraw', 'GOI-2021', '--on', '2026-12-01',
                  '--dry-run')
    assert dry['sessions_postponed'], dry
    assert rows(db, 'SELECT count(*) FROM status_event')[0][0] == counts['status_event']
    r = ok_json(db, 'consent', 'withdraw', 'GOI-2021', '--on', '2026-12-01')
    assert len(r['sessions_postponed']) == len(dry['sessions_postponed'])
    for t in tables:
        now = rows(db, 'SELECT count(*) FROM %s' % t)[0][0]
        assert now >= counts[t], 'nothing deleted from %s' % t
    st = ok_json(db, 'status', '--as-of', '2026-12-02')
    approved = {s['code'] for s in ok_json(db, 'list', 'sites') if s['mission_approved']}
    for s in st['sites']:
        if s['code'] in approved:
            assert s['status'] == 'suspended', s
    assert st['consents'] == [], st['consents']
    planned = rows(db, "SELECT count(*) FROM session WHERE status IN "
                   "('planned', 'running') AND valid_to > '2026-12-01'")[0][0]
    assert planned == 0
    # As of the day before, the mission stood as it was.
    assert ok_json(db, 'status', '--as-of', '2026-11-30')['consents'][0]['code'] == 'GOI-2021'
    rc, out, _ = cadre(db, 'audit', 'verify')
    assert rc == 0, out


@test
def personnel_do_not_deploy_alongside_iraqi_forces():
    d, db = copy()
    e = refused(db, 'import', 'posts', write(os.path.join(d, 'p.csv'),
                'number,title,branch,category,function,site,organisation,valid_from\n'
                'OPS-1,Embedded with a host-force operation,Ops,military,operation,'
                'TAJI,NMI,2021-01-01\n'))
    assert e['rule'] == 'NONCOMBAT', e


@test
def most_posts_are_designated_to_a_nation():
    """The Crisis Establishment designates posts to nations: manning by
    nation counts by the post's nation, so the demo's are not all 'any'."""
    r = ok_json(DEMO, 'report', 'manning', '--as-of', '2026-11-01')
    by = r['by_nation']
    named = sum(v['posts'] for k, v in by.items() if k != 'any')
    assert len(by) > 20 and named > 2 * by['any']['posts'], by
    assert sum(v['posts'] for v in by.values()) == r['posts'], (by, r['posts'])


@test
def the_mission_is_non_combat_everywhere_in_the_demo():
    assert rows(DEMO, "SELECT count(*) FROM assignment a JOIN post p ON "
                "p.number = a.post WHERE p.function = 'operation'")[0][0] == 0


@test
def self_sufficiency_is_measured_not_asserted():
    r = ok_json(DEMO, 'report', 'transition', '--as-of', '2026-11-01')
    states = {c['course']: c for c in r['courses']}
    assert any(c['transitioned'] for c in states.values())
    for c in states.values():
        if c['transitioned']:
            assert c['transitioned_on'] <= '2026-11-01'
    early = ok_json(DEMO, 'report', 'transition', '--as-of', '2019-03-01')
    assert not any(c['transitioned'] for c in early['courses']), \
        'nothing is transitioned in the first months'
    assert r['host_share'] > early['host_share']


@test
def sessions_running_planned_and_postponed_as_of_a_day():
    # January 2020: nothing runs under the suspension; the sessions it
    # postponed wait. June 2021: all re-run, none left postponed.
    jan = ok_json(DEMO, 'status', '--as-of', '2020-01-05')
    assert jan['sessions']['running'] == 0 and jan['sessions']['postponed'] > 0, jan['sessions']
    later = ok_json(DEMO, 'status', '--as-of', '2021-06-01')
    assert later['sessions']['running'] > 0 and later['sessions']['postponed'] == 0, later['sessions']
    # The headcount is the mission's, as the ceiling counts it.
    ceil = ok_json(DEMO, 'report', 'ceilings', '--from', '2020-01-05', '--to', '2020-01-06')
    assert jan['headcount'] == ceil['days'][0]['headcount'] == 270, (jan['headcount'], ceil['days'][0])


@test
def headcount_never_exceeds_the_consent_ceiling():
    r = ok_json(DEMO, 'report', 'ceilings', '--from', '2018-10-01', '--to', '2027-06-30')
    assert r['breaches'] == 0, r['peak']
    assert r['peak']['headcount'] <= r['peak']['ceiling']


if __name__ == '__main__':
    run()
