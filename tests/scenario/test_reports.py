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
    # Posts P1, P2, P5 (P3 is an operation, P4 at a site not approved):
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
    # Posts in force: P1..P5; P6 is the coalition's, another establishment.
    assert (r['posts'], r['filled'], r['vacant']) == (5, 2, 3), r
    assert r['by_site']['BASE'] == {'posts': 3, 'filled': 2, 'vacant': 1}, r['by_site']
    assert r['by_nation']['CAN'] == {'posts': 2, 'filled': 2, 'vacant': 0}
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
    r = ok_json(DB, 'report', 'training-output', '--from', '2020-01-01', '--to', '2020-12-31')
    assert (r['trainees'], r['passed']) == (3, 2), r
    months = {x['month']: x for x in r['rows']}
    assert months['2020-02']['trainees'] == 2 and months['2020-02']['passed'] == 1
    assert months['2020-02']['certificates'] == 1 and abs(months['2020-02']['pass_rate'] - 0.5) < 1e-9
    assert months['2020-03']['pass_rate'] == 1.0
    assert '2020-06' not in months, 'a planned session produces no output'


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
    out = subprocess.run([CADRE, '--db', DB, 'report', 'training-output', '--from',
                          '2020-01-01', '--to', '2020-12-31', '--format', 'csv'],
                         capture_output=True, check=True).stdout.decode()
    assert '\r\n' in out, 'CRLF line ends (RFC 4180)'
    rows = list(csv.DictReader(io.StringIO(out, newline='')))
    assert [(r['month'], r['trainees'], r['passed']) for r in rows] == \
        [('2020-02', '2', '1'), ('2020-03', '1', '1')], rows
    path = os.path.join(D, 'out.xlsx')
    subprocess.run([CADRE, '--db', DB, 'report', 'manning', '--as-of', '2020-03-01',
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
    ics = subprocess.run([CADRE, '--db', DB, 'export', 'calendar', '--person', 'E'],
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
    geo = json.loads(subprocess.run([CADRE, '--db', DB, 'export', 'sites', '--format',
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
    assert cadre(db, 'generate', '--scale', '0.002')[0] == 1, 'not over a mission'
    t = ok_json(db, 'report', 'training-output', '--from', '2018-01-01', '--to', '2030-01-01')
    assert 0 < t['trainees'] <= r['enrolments']


if __name__ == '__main__':
    run()
