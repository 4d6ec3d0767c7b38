#!/usr/bin/env python3
"""The reports' numbers against values worked out by hand on a small
mission (the rules' fixture, with a few sessions, results and
assessments)."""
import json
import os

import harness
from harness import ok_json, run, test
from test_rules import fixture, imp_ok, SESSION_HEAD, ASSIGN_HEAD

harness._tests.clear()  # the rules' own tests are not run here


def mission():
    d, db = fixture()
    # Posts P1, P2, P5 (P4 is at a site not approved):
    # A on P1 to 2020-04-01, C on P2 to 2020-03-15 then D on P2 from
    # 2020-03-20 (a five-day gap), E on P5 from 2020-03-10 (overlapping no
    # one). As of 2020-03-16: P1 filled, P2 vacant, P5 filled.
    imp_ok(d, db, 'assignments', ASSIGN_HEAD +
           'A,P1,2020-02-01,2020-04-01\nC,P2,2020-02-01,2020-03-15\n'
           'D,P2,2020-03-20,2020-06-01\nE,P5,2020-03-10,2020-06-01\n')
    imp_ok(d, db, 'trainees', 'service_number,name,nation,unit\n'
           'T1,One,IRQ,MOD\nT2,Two,IRQ,MOD\nT3,Three,IRQ,MOD\n')
    imp_ok(d, db, 'sessions', SESSION_HEAD.strip() + ',status\n'
           'CRS,BASE,2020-02-01,2020-02-11,E,completed\n'
           'CRS,BASE,2020-03-01,2020-03-11,A,completed\n'
           'CRS,BASE,2020-05-25,2020-06-04,E,planned\n')
    imp_ok(d, db, 'enrolments', 'session,trainee,attendance,result,certificate\n'
           'CRS/2020-02-01,T1,attended,pass,C-1\nCRS/2020-02-01,T2,attended,fail,\n'
           'CRS/2020-03-01,T3,attended,pass,C-2\nCRS/2020-05-25,T1,enrolled,pending,\n'
           'CRS/2020-05-25,T2,enrolled,pending,\n')
    imp_ok(d, db, 'assessments', 'organisation,competency,assessed_on,level,target\n'
           'MOD,planning,2020-01-15,1,3\nMOD,planning,2020-04-15,2,3\n'
           'MOD,planning,2020-07-15,3,3\n')
    return d, db


D, DB = mission()


@test
def manning_counts_posts_holders_and_the_gap():
    r = ok_json(DB, 'report', 'manning', '--as-of', '2020-03-16', '--days', '30')
    # Posts in force: P1, P2, P4, P5; P6 is the coalition's, another
    # establishment.
    assert (r['posts'], r['filled'], r['vacant']) == (4, 2, 2), r
    assert r['by_site']['BASE'] == {'posts': 2, 'filled': 2, 'vacant': 0}, r['by_site']
    # By the post's designated nation: the fixture's posts name none.
    assert r['by_nation'] == {'any': {'posts': 4, 'filled': 2, 'vacant': 2}}, r['by_nation']
    due = {x['post']: x for x in r['rotations_due']}
    # A leaves P1 on 2020-04-01 with no one after; within 30 days.
    assert due['P1']['ends'] == '2020-04-01' and 'gap_days' not in due['P1']
    r = ok_json(DB, 'report', 'manning', '--as-of', '2020-03-01', '--days', '20')
    due = {x['post']: x for x in r['rotations_due']}
    assert due['P2']['gap_days'] == 5, due


@test
def contributions_by_nation():
    imp_ok(D, DB, 'pledges', 'code,nation,personnel,valid_from,valid_to\n'
           'PC,CAN,5,2020-01-01,2021-01-01\nPD,DEU,2,2020-03-01,\n')
    r = ok_json(DB, 'report', 'contributions', '--as-of', '2020-03-12')
    got = {n['code']: (n['deployed'], n['pledged']) for n in r['nations']}
    # A, C and E; D arrives later. Germany pledged two and sent none.
    assert got == {'CAN': (3, 5), 'DEU': (0, 2)}, got
    assert r['from_members'] == 3 and r['from_partners'] == 0


@test
def contributions_month_by_month():
    r = ok_json(DB, 'report', 'contributions', '--from', '2020-02-01', '--to', '2020-05-01')
    got = [(m['month'], m['deployed'], m['by_nation']) for m in r['months']]
    # 1 Feb: A and C; 1 Mar: A and C; 1 Apr: A left that day, C on 15 Mar;
    # D (from 20 Mar) and E (from 10 Mar).
    assert got == [('2020-02-01', 2, {'CAN': 2}), ('2020-03-01', 2, {'CAN': 2}),
                   ('2020-04-01', 2, {'CAN': 2})], got


@test
def training_output_by_month_with_passes_and_certificates():
    # To the end of May: the session of 2020-05-25 (to 06-04) has not
    # completed by its dates, whatever its stored status.
    r = ok_json(DB, 'report', 'training-output', '--from', '2020-01-01', '--to', '2020-05-31')
    assert (r['trainees'], r['passed']) == (3, 2), r
    months = {x['month']: x for x in r['rows']}
    assert months['2020-02']['trainees'] == 2 and months['2020-02']['passed'] == 1
    assert months['2020-02']['certificates'] == 1 and abs(months['2020-02']['pass_rate'] - 0.5) < 1e-9
    assert months['2020-03']['pass_rate'] == 1.0
    assert '2020-06' not in months, 'a session still to end produces no output'
    # To the end of the year it has, by its dates (stored 'planned'): its
    # two trainees count, their results still pending.
    r = ok_json(DB, 'report', 'training-output', '--from', '2020-01-01', '--to', '2020-12-31')
    months = {x['month']: x for x in r['rows']}
    assert (r['trainees'], r['passed']) == (5, 2), r
    assert (months['2020-06']['trainees'], months['2020-06']['passed']) == (2, 0), months


@test
def capability_follows_the_series_to_the_target():
    r = ok_json(DB, 'report', 'capability', '--as-of', '2020-05-01')
    c = r['competencies'][0]
    assert (c['first_level'], c['level'], c['target'], c['at_target']) == (1, 2, 3, False)
    assert len(c['series']) == 2
    r = ok_json(DB, 'report', 'capability', '--as-of', '2020-08-01')
    assert r['competencies'][0]['at_target'] is True


@test
def suspension_impact_counts_trainee_days_and_reruns():
    s = ok_json(DB, 'suspend', '--scope', 'site:BASE', '--from', '2020-05-28',
                '--reason', 'test')
    code = s['events'][0]['code']
    ok_json(DB, 'resume', '--scope', 'site:BASE', '--on', '2020-06-08', '--apply')
    r = ok_json(DB, 'report', 'suspension-impact', '--event', code)
    assert r['sessions_postponed'] == 1 and r['sessions_rerun'] == 1, r
    x = r['sessions'][0]
    # 2 trainees, days lost 2020-05-28 .. 2020-06-04: 7 days each.
    assert x['days_lost'] == 7 and r['trainee_days_lost'] == 14, r
    # Re-run from 2020-06-08: 14 days after its first start.
    assert x['rerun_from'] == '2020-06-08' and x['delay_days'] == 14, x


@test
def transfer_counts_what_moved_from_the_day():
    d, db = mission()   # its own: the suspension above re-ran a session
    # T3 also on the last session: from 2020-02-15 the sessions of
    # 2020-03-01 (T3) and 2020-05-25 (T1, T2, T3) move: 2 sessions, 4
    # enrolments, 3 trainees; the session of 2020-02-01 stays behind.
    imp_ok(d, db, 'enrolments', 'session,trainee\nCRS/2020-05-25,T3\n')
    ok_json(db, 'transfer', 'TRN', '--to', 'MOD', '--on', '2020-02-15')
    r = ok_json(db, 'report', 'transfer')
    assert r['activities'] == 1, r
    t = r['transfers'][0]
    assert (t['from_org'], t['to_org'], t['on_day']) == ('NMI', 'MOD', '2020-02-15'), t
    assert (t['sessions'], t['enrolments'], t['trainees']) == (2, 4, 3), t
    assert ok_json(db, 'report', 'transfer', '--activity', 'NONE')['transfers'] == []


@test
def reports_as_csv_and_as_an_excel_workbook():
    import csv
    import io
    import re
    import subprocess
    import zipfile
    from harness import CADRE
    out = subprocess.run([CADRE, '--db', harness.engine.target(DB), 'report', 'training-output', '--from',
                          '2020-01-01', '--to', '2020-05-31', '--format', 'csv'],
                         capture_output=True, check=True).stdout.decode()
    assert '\r\n' in out, 'CRLF line ends (RFC 4180)'
    rows = list(csv.DictReader(io.StringIO(out, newline='')))
    assert [(r['month'], r['trainees'], r['passed']) for r in rows] == \
        [('2020-02', '2', '1'), ('2020-03', '1', '1')], rows
    path = os.path.join(D, 'out.xlsx')
    subprocess.run([CADRE, '--db', harness.engine.target(DB), 'report', 'manning', '--as-of', '2020-03-01',
                    '--days', '20', '--format', 'xlsx', '-o', path], check=True,
                   capture_output=True)
    z = zipfile.ZipFile(path)
    book = z.read('xl/workbook.xml').decode()
    sheets = re.findall(r'<sheet name="([^"]+)"', book)
    assert sheets[0] == 'summary' and 'by_site' in sheets and 'rotations_due' in sheets, sheets
    strings = re.findall(r'<t[^>]*>([^<]*)</t>', z.read('xl/sharedStrings.xml').decode())
    styles = z.read('xl/styles.xml').decode()
    date_fmt = re.search(r'<numFmt numFmtId="(\d+)" formatCode="yyyy-mm-dd"', styles)
    assert date_fmt, 'dates have a date format'
    n = sheets.index('rotations_due') + 1
    sheet = z.read('xl/worksheets/sheet%d.xml' % n).decode()
    assert 'state="frozen"' in sheet and 'ySplit="1"' in sheet, 'a frozen header row'
    assert '<col ' in sheet, 'column widths are set'
    cells = dict(re.findall(r'<c r="([A-Z]+\d+)"([^>]*)>', sheet))
    header = [strings[int(v)] for v in re.findall(r'<c r="[A-Z]+1"[^>]*t="s"[^>]*><v>(\d+)</v>', sheet)]
    col = {name: chr(ord('A') + i) for i, name in enumerate(header)}
    ends = cells[col['ends'] + '2']
    assert 't="s"' not in ends and 's="' in ends, ('a date is a number with a style', ends)
    gap = cells[col['gap_days'] + '2']
    assert 't=' not in gap, ('a number is a number', gap)


@test
def calendars_and_sites_on_a_map():
    import subprocess
    from harness import CADRE
    ics = subprocess.run([CADRE, '--db', harness.engine.target(DB), 'export', 'calendar', '--person', 'E'],
                         capture_output=True, check=True).stdout.decode()
    # Unfold (RFC 5545) and read the events back.
    lines = ics.replace('\r\n ', '').split('\r\n')
    assert lines[0] == 'BEGIN:VCALENDAR' and 'END:VCALENDAR' in lines
    events, cur = [], None
    for line in lines:
        if line == 'BEGIN:VEVENT':
            cur = {}
        elif line == 'END:VEVENT':
            events.append(cur)
            cur = None
        elif cur is not None and ':' in line:
            k, v = line.split(':', 1)
            cur[k.split(';')[0]] = v
    # E trains CRS/2020-02-01 and CRS/2020-05-25 (and its re-run).
    starts = sorted(e['DTSTART'] for e in events)
    assert starts[:2] == ['20200201', '20200525'], starts
    first = [e for e in events if e['DTSTART'] == '20200201'][0]
    assert first['DTEND'] == '20200211' and first['SUMMARY'] == 'Course'
    assert first['LOCATION'].startswith('Training base') and 'E' in first['DESCRIPTION']
    geo = json.loads(subprocess.run([CADRE, '--db', harness.engine.target(DB), 'export', 'sites', '--format',
                                     'geojson'], capture_output=True, check=True).stdout)
    assert geo['type'] == 'FeatureCollection' and len(geo['features']) == 3
    base = [f for f in geo['features'] if f['properties']['code'] == 'BASE'][0]
    assert base['geometry'] == {'type': 'Point', 'coordinates': [44.3, 33.5]}, base


@test
def a_generated_mission_is_whole_and_passes_the_rules():
    from harness import cadre, tmpdir
    db = os.path.join(tmpdir(), 'g.db')
    r = ok_json(db, 'generate', '--scale', '0.002')
    assert (r['persons'], r['trainees']) == (10, 400), r
    assert r['sessions'] >= 190 and r['enrolments'] >= 1900, r
    assert len(ok_json(db, 'list', 'enrolments')) == r['enrolments']
    assert cadre(db, 'audit', 'verify')[0] == 0
    rc, out, err = cadre(db, 'check')
    assert rc == 0 and out.startswith('0 violations'), (rc, out, err)
    assert cadre(db, 'generate', '--scale', '0.002')[0] == 1, 'not over a mission'
    t = ok_json(db, 'report', 'training-output', '--from', '2018-01-01', '--to', '2030-01-01')
    assert 0 < t['trainees'] <= r['enrolments']


# ---- Who sees what: every figure and list as its reader sees the mission

def secret_mission():
    """The mission, with an NS session (a marker in its room) completed
    with an enrolment, an NS session postponed under an ordinary
    suspension, an NS suspension (a marker in its reason), an NS site
    (a marker in its name), and a reader cleared to NR."""
    from harness import cadre
    d, db = mission()
    imp_ok(d, db, 'sessions', 'course,site,valid_from,valid_to,trainers,status,room,classification\n'
           'CRS,BASE,2020-04-01,2020-04-11,E,completed,ROOM-NS-MARK,NS\n'
           'CRS,BASE,2020-07-06,2020-07-16,E,postponed,ROOM-NS-MARK2,NS\n')
    imp_ok(d, db, 'enrolments', 'session,trainee,attendance,result,certificate\n'
           'CRS/2020-04-01,T2,attended,pass,C-9\n')
    imp_ok(d, db, 'status-events', 'code,action,scope,reason,valid_from,valid_to,classification\n'
           'SUSP-NS,suspend,site:BASE,REASON-NS-MARK,2020-07-01,2020-07-03,NS\n'
           'SUSP-NU,suspend,site:BASE,ordinary,2020-07-05,2020-07-20,NU\n')
    imp_ok(d, db, 'sites', 'code,name,latitude,longitude,country,region,mission_approved,valid_from,classification\n'
           'HIDE,SITE-NS-MARK,33.1,44.1,IRQ,North,no,2019-01-01,NS\n')
    for login, args in (('nr.trainer', ['--role', 'trainer', '--clearance', 'NR']),
                        ('ns.staff', ['--role', 'training', '--clearance', 'NS']),
                        ('irq.l', ['--role', 'liaison', '--nation', 'IRQ', '--clearance', 'NS'])):
        rc, out, err = cadre(db, 'user', 'add', login, *args,
                             stdin='a long enough password\n')
        assert rc == 0, out + err
    return d, db


SD, SDB = secret_mission()
MARKS = ('ROOM-NS-MARK', 'REASON-NS-MARK', 'SITE-NS-MARK', 'SUSP-NS', 'CRS/2020-04-01',
         'CRS/2020-07-06')


def hidden_from(text, *marks):
    for m in marks or MARKS:
        assert m not in text, (m, text[:2000])


def as_text(db, *args):
    from harness import cadre
    rc, out, err = cadre(db, *args)
    assert rc == 0, (args, rc, out, err)
    return out


@test
def a_calendar_shows_only_the_sessions_its_reader_may_see():
    full = as_text(SDB, 'export', 'calendar', '--site', 'BASE')
    assert 'ROOM-NS-MARK' in full and 'CRS/2020-04-01' in full, 'the system sees all'
    assert 'ROOM-NS-MARK' in as_text(SDB, '--as', 'ns.staff', 'export', 'calendar',
                                     '--site', 'BASE')
    for args in (['--site', 'BASE'], ['--person', 'E']):
        seen = as_text(SDB, '--as', 'nr.trainer', 'export', 'calendar', *args)
        assert 'BEGIN:VEVENT' in seen, 'the visible sessions are there'
        hidden_from(seen)
    # A site the reader may not see is no site, and the liaison (who
    # reads no totals) is refused as over the API.
    from harness import cadre
    rc, _, err = cadre(SDB, '--as', 'nr.trainer', 'export', 'calendar', '--site', 'HIDE')
    rc2, _, err2 = cadre(SDB, '--as', 'nr.trainer', 'export', 'calendar', '--site', 'NOPE')
    assert rc == rc2 == 1 and err.replace('HIDE', 'X') == err2.replace('NOPE', 'X'), (err, err2)
    assert cadre(SDB, '--as', 'irq.l', 'export', 'calendar', '--site', 'BASE')[0] == 1


@test
def the_sites_map_is_read_as_its_reader():
    from harness import cadre
    full = json.loads(as_text(SDB, 'export', 'sites', '--format', 'geojson'))
    assert 'HIDE' in [f['properties']['code'] for f in full['features']]
    seen = as_text(SDB, '--as', 'nr.trainer', 'export', 'sites', '--format', 'geojson')
    codes = [f['properties']['code'] for f in json.loads(seen)['features']]
    assert sorted(codes) == ['BASE', 'FAR', 'HQ'], codes
    hidden_from(seen, 'SITE-NS-MARK')
    assert cadre(SDB, '--as', 'irq.l', 'export', 'sites', '--format', 'geojson')[0] == 1


@test
def a_reports_counts_leave_out_what_its_reader_may_not_see():
    everyone = ok_json(SDB, 'report', 'training-output', '--from', '2020-01-01',
                       '--to', '2020-05-31')
    reader = ok_json(SDB, '--as', 'nr.trainer', 'report', 'training-output',
                     '--from', '2020-01-01', '--to', '2020-05-31')
    # The NS session of April: one trainee, one pass, counted for the
    # system only.
    assert (everyone['trainees'], everyone['passed']) == (4, 3), everyone
    assert (reader['trainees'], reader['passed']) == (3, 2), reader
    assert '2020-04' in [r['month'] for r in everyone['rows']]
    assert '2020-04' not in [r['month'] for r in reader['rows']]
    t_all = ok_json(SDB, 'report', 'transition', '--as-of', '2020-12-31')
    t_nr = ok_json(SDB, '--as', 'nr.trainer', 'report', 'transition', '--as-of', '2020-12-31')
    assert t_all['courses'][0]['sessions'] == t_nr['courses'][0]['sessions'] + 1
    # An ordinary suspension: the NS session it postponed is not in its cost.
    r_all = ok_json(SDB, 'report', 'suspension-impact', '--event', 'SUSP-NU')
    r_nr = ok_json(SDB, '--as', 'nr.trainer', 'report', 'suspension-impact',
                   '--event', 'SUSP-NU')
    assert r_all['sessions_postponed'] == 1 and r_nr['sessions_postponed'] == 0, (r_all, r_nr)
    for fmt in ('table', 'json', 'csv'):
        for args in (['training-output', '--from', '2020-01-01', '--to', '2020-12-31'],
                     ['suspension-impact', '--event', 'SUSP-NU'],
                     ['transition', '--as-of', '2020-12-31'],
                     ['manning', '--as-of', '2020-03-16'],
                     ['contributions', '--as-of', '2020-03-12'],
                     ['capability', '--as-of', '2020-08-01'],
                     ['ceilings', '--from', '2020-01-01', '--to', '2020-12-31']):
            hidden_from(as_text(SDB, '--as', 'nr.trainer', 'report', *args,
                                '--format', fmt))


@test
def a_suspension_its_reader_may_not_see_is_not_found():
    from harness import cadre
    assert ok_json(SDB, 'report', 'suspension-impact', '--event', 'SUSP-NS')[
        'suspension']['reason'] == 'REASON-NS-MARK'
    rc, out, err = cadre(SDB, '--as', 'nr.trainer', 'report', 'suspension-impact',
                         '--event', 'SUSP-NS')
    rc2, out2, err2 = cadre(SDB, '--as', 'nr.trainer', 'report', 'suspension-impact',
                            '--event', 'NOSUCH')
    assert rc == rc2 == 1, (rc, rc2)
    assert err.replace('SUSP-NS', 'X') == err2.replace('NOSUCH', 'X'), (err, err2)
    hidden_from(out + err, 'REASON-NS-MARK')


@test
def over_the_api_the_feeds_and_reports_answer_to_their_reader():
    import http.client
    import re
    import signal
    import subprocess
    from harness import CADRE
    token = ok_json(SDB, 'token', 'add', 'nr.trainer')['token']
    env = dict(os.environ, CADRE_TODAY='2026-11-29')
    p = subprocess.Popen([CADRE, '--db', harness.engine.target(SDB), 'serve', '--listen', '127.0.0.1:0',
                          '--quiet'], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, env=env)
    try:
        m = re.search(r':(\d+)/', p.stdout.readline())
        assert m

        def get(path):
            c = http.client.HTTPConnection('127.0.0.1', int(m.group(1)), timeout=30)
            c.request('GET', path, headers={'Authorization': 'Bearer ' + token})
            r = c.getresponse()
            body = r.read().decode()
            c.close()
            return r.status, body

        st, ics = get('/api/v1/calendar/site/BASE.ics')
        assert st == 200 and 'BEGIN:VEVENT' in ics, (st, ics)
        hidden_from(ics)
        st, ics = get('/api/v1/calendar/person/E.ics')
        assert st == 200
        hidden_from(ics)
        assert get('/api/v1/calendar/site/HIDE.ics')[0] == 404
        st, body = get('/api/v1/reports/suspension-impact?event=SUSP-NS')
        st2, body2 = get('/api/v1/reports/suspension-impact?event=NOSUCH')
        assert st == st2 == 404, (st, body)
        assert body.replace('SUSP-NS', 'X') == body2.replace('NOSUCH', 'X'), (body, body2)
        hidden_from(body, 'REASON-NS-MARK')
        st, body = get('/api/v1/reports/training-output?from=2020-01-01&to=2020-05-31')
        assert st == 200 and json.loads(body)['trainees'] == 3, body
        hidden_from(body)
        st, body = get('/api/v1/reports/suspension-impact?event=SUSP-NU')
        assert st == 200 and json.loads(body)['sessions_postponed'] == 0, body
        # The parameters the report table declares, checked at the door.
        assert get('/api/v1/reports/manning?days=abc')[0] == 400
        assert get('/api/v1/reports/training-output?from=2020-01-01')[0] == 400
        assert get('/api/v1/reports/ceilings?from=2020-02-01&to=2020-01-01')[0] == 400
    finally:
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=20)


@test
def a_report_takes_only_its_own_parameters_each_checked():
    """The report table says which parameters a report takes, for the
    command line as for the API: one it does not take, or a value that is
    not of its kind, is a usage error naming it, never ignored."""
    d, db = fixture()
    for args, words in (
            (['transition', '--days', '5'], 'transition takes no --days'),
            (['manning', '--days', 'abc'], '--days: a number of days from 0 to 3650'),
            (['manning', '--days', '99999'], '--days: a number of days'),
            (['capability', '--event', 'X'], 'capability takes no --event'),
            (['transition', '--as-of', '2020-13-01'], '--as-of: no such month')):
        rc, out, err = harness.cadre(db, 'report', *args)
        assert rc == 2 and words in err, (args, rc, out, err)
    assert ok_json(db, 'report', 'manning', '--days', '60')['horizon_days'] == 60


if __name__ == '__main__':
    run()
