#!/usr/bin/env python3
"""The status and the derived values answer to their reader: a status
event, an assignment or a person the reader may not see neither appears
nor counts, in the status, a site's status or a post's holder, over the
API and through `cadre --as`."""
import csv
import http.client
import io
import json
import os

import harness
from harness import CADRE, cadre, copy_db, ok_json, run, test, tmpdir, write

DIR = tmpdir()
DB = os.path.join(DIR, 'demo.db')
assert cadre(DB, 'demo')[0] == 0
PW = 'a long enough password'

# Days after the demo's last session (a suspension of planned sessions
# is refused): an NS suspension of the
# whole mission from DAY to RDAY, then a CTS restriction of TAJI from RDAY.
DAY, RDAY = '2031-01-01', '2031-01-05'
NS_REASON = 'MARKER-NS-SUSPENSION-REASON'
CTS_REASON = 'MARKER-CTS-RESTRICTION-REASON'
ok_json(DB, 'import', 'status-events', write(os.path.join(DIR, 'ev.csv'),
        'code,action,scope,reason,valid_from,valid_to,classification\n'
        'NS-SUSP,suspend,mission,%s,%s,%s,NS\n'
        'CTS-RESTRICT,restrict,site:TAJI,%s,%s,,CTS\n'
        % (NS_REASON, DAY, RDAY, CTS_REASON, RDAY)))

ACCOUNTS = {
    'nr.trainer': ['--role', 'trainer', '--clearance', 'NR'],
    'ns.commander': ['--role', 'commander', '--clearance', 'NS'],
    'cts.commander': ['--role', 'commander', '--clearance', 'CTS'],
    'gbr.ncc': ['--role', 'contingent', '--nation', 'GBR', '--clearance', 'NS'],
}
for login, args in ACCOUNTS.items():
    rc, out, err = cadre(DB, 'user', 'add', login, *args, stdin=PW + '\n')
    assert rc == 0, out + err
TOKEN = {l: ok_json(DB, 'token', 'add', l)['token'] for l in ACCOUNTS}


class Server(harness.Server):
    def get(self, path, who):
        st, _, body = self.fetch('GET', path, headers={
            'Authorization': 'Bearer ' + TOKEN[who]})
        assert st == 200, (path, who, st, body)
        return body, json.loads(body)

    def stop(self):
        rc, err = super().stop()
        assert rc == 0, err

SRV = Server(DB)


def status_as(who, day=DAY, db=DB):
    """The status on DAY as WHO: over the API and through --as, which
    must agree; the bodies (JSON and text) and the status."""
    body, api = SRV.get('/api/v1/status?as_of=' + day, who) if db == DB \
        else ('', None)
    rc, out, err = cadre(db, '--as', who, 'status', '--as-of', day, '--json')
    assert rc == 0, err
    assert api is None or json.loads(out) == api, (who, out, body)
    api = json.loads(out)
    rc, text, err = cadre(db, '--as', who, 'status', '--as-of', day)
    assert rc == 0, err
    return body + text, api


def site(sites, code):
    return next(s for s in sites if s['code'] == code)


@test
def an_ns_suspension_is_not_in_an_nr_readers_status():
    body, st = status_as('nr.trainer')
    assert NS_REASON not in body and 'NS-SUSP' not in body, body
    assert st['training_suspended'] is False, st
    assert all(e['code'] != 'NS-SUSP' for e in st['suspensions'])
    assert site(st['sites'], 'BESMAYA')['status'] == 'open', st['sites']
    assert 'SUSPENDED' not in body

    body, st = status_as('ns.commander')
    assert NS_REASON in body and CTS_REASON not in body, body
    assert st['training_suspended'] is True
    assert site(st['sites'], 'BESMAYA')['status'] == 'suspended'

    # The system (no --as) sees both, as before.
    st = ok_json(DB, 'status', '--as-of', DAY)
    assert 'NS-SUSP' in {e['code'] for e in st['suspensions']}
    assert st['training_suspended'] is True


@test
def the_counts_of_the_status_are_the_readers():
    # A figure over everything would tell an NR reader how many NS
    # people there are: hide some and the headcount follows.
    db = os.path.join(tmpdir(), 'c.db')
    copy_db(DB, db)
    everyone = ok_json(db, 'status', '--as-of', DAY)['headcount']
    rc, out, err = cadre(db, '--as', 'nr.trainer', 'status', '--as-of', DAY,
                         '--json')
    assert rc == 0 and json.loads(out)['headcount'] == everyone, err
    held = {a['person'] for a in ok_json(db, 'list', 'assignments',
                                         '--as-of', DAY)}
    hide = set(sorted(held)[:3])
    rc, out, err = cadre(db, 'export', 'persons')
    assert rc == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    for r in rows:
        if r['code'] in hide:
            r['classification'] = 'NS'
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0]))
    w.writeheader()
    w.writerows(r for r in rows if r['code'] in hide)
    ok_json(db, 'import', 'persons', write(os.path.join(os.path.dirname(db),
            'p.csv'), buf.getvalue()))
    assert ok_json(db, 'status', '--as-of', DAY)['headcount'] == everyone
    rc, out, err = cadre(db, '--as', 'nr.trainer', 'status', '--as-of', DAY,
                         '--json')
    assert rc == 0, err
    assert json.loads(out)['headcount'] == everyone - len(hide), out


@test
def sessions_the_reader_may_not_see_are_not_counted():
    db = os.path.join(tmpdir(), 'n.db')
    copy_db(DB, db)
    day = '2026-11-29'
    before = ok_json(db, 'status', '--as-of', day)['sessions']
    assert before['running'] >= 2, before
    rc, out, err = cadre(db, 'export', 'sessions')
    assert rc == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    running = [r for r in rows if r['valid_from'] <= day <= r['valid_to']
               and r['status'] not in ('postponed', 'cancelled')]
    running[0]['classification'] = 'NS'
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0]))
    w.writeheader()
    w.writerow(running[0])
    ok_json(db, 'import', 'sessions', write(os.path.join(os.path.dirname(db),
            's.csv'), buf.getvalue()))
    assert ok_json(db, 'status', '--as-of', day)['sessions'] == before
    rc, out, err = cadre(db, '--as', 'nr.trainer', 'status', '--as-of', day,
                         '--json')
    assert rc == 0, err
    seen = json.loads(out)['sessions']
    assert seen == dict(before, running=before['running'] - 1), (seen, before)


@test
def a_cts_restriction_restricts_a_site_only_for_a_cts_reader():
    for who, before, on in (('nr.trainer', 'open', 'open'),
                            ('ns.commander', 'suspended', 'open'),
                            ('cts.commander', 'suspended', 'restricted')):
        body, st = status_as(who, '2031-01-04')
        assert site(st['sites'], 'TAJI')['status'] == before, (who, st['sites'])
        body, st = status_as(who, RDAY)
        assert site(st['sites'], 'TAJI')['status'] == on, (who, st['sites'])
        assert (CTS_REASON in body) == (who == 'cts.commander'), (who, body)
        # The list, a filter on the derived status and the API agree
        # (the API filters on fields only, today).
        rows = ok_json(DB, '--as', who, 'list', 'sites', '--as-of', RDAY,
                       '--where', 'code=TAJI')
        assert [r['status'] for r in rows] == [on], (who, rows)
        rows = ok_json(DB, '--as', who, 'list', 'sites', '--as-of', RDAY,
                       '--where', 'status=restricted')
        assert ('TAJI' in {r['code'] for r in rows}) == (on == 'restricted')
        _, page = SRV.get('/api/v1/sites?as_of=%s&code=TAJI' % RDAY, who)
        assert [r['status'] for r in page['items']] == [on], (who, page)


@test
def a_contingent_commander_sees_only_their_nations_holders():
    gbr = {p['code'] for p in ok_json(DB, 'list', 'persons', '--where',
                                      'nation=GBR')}
    others = {p['code'] for p in ok_json(DB, 'list', 'persons')} - gbr
    everyone = ok_json(DB, 'list', 'posts', '--as-of', DAY)
    held = lambda rows: {h for r in rows for h in r['holder'].split(';') if h}
    assert held(everyone) & gbr and held(everyone) & others, 'a mixed mission'

    cli = ok_json(DB, '--as', 'gbr.ncc', 'list', 'posts', '--as-of', DAY)
    assert held(cli) and held(cli) <= gbr, held(cli) - gbr
    _, api = SRV.get('/api/v1/posts?as_of=%s&limit=10000' % DAY, 'gbr.ncc')
    assert [(r['number'], r['holder']) for r in api['items']] == \
        [(r['number'], r['holder']) for r in cli]
    # A post held by someone else is, for them, vacant.
    mine = {r['number']: r['holder'] for r in cli}
    for r in everyone:
        hs = set(r['holder'].split(';')) - {''}
        if hs and not hs & gbr:
            assert mine[r['number']] == '', r
            break
    else:
        raise AssertionError('no post held by another nation')
    # Filtering on the holder answers as the list does.
    some = next(r for r in everyone if set(r['holder'].split(';')) & others
                and len(r['holder'].split(';')) == 1)
    rows = ok_json(DB, '--as', 'gbr.ncc', 'list', 'posts', '--as-of', DAY,
                   '--where', 'holder=' + some['holder'])
    assert rows == [], rows


@test
def a_search_pages_over_what_the_reader_sees():
    # Trainees named alike, every other one NS: an NR reader's pages hold
    # only the NR ones and the cursor steps over nothing hidden.
    db = os.path.join(tmpdir(), 's.db')
    copy_db(DB, db)
    t = ok_json(db, 'list', 'trainees')[0]
    lines = ['service_number,name,nation,unit,classification']
    for i in range(10):
        lines.append('ZZ%03d,Zebedee Marker%d,%s,%s,%s' % (
            i, i, t['nation'], t['unit'], 'NS' if i % 2 else 'NU'))
    ok_json(db, 'import', 'trainees', write(os.path.join(os.path.dirname(db),
            't.csv'), '\n'.join(lines) + '\n'))
    srv = Server(db)
    try:
        seen, path = [], '/api/v1/trainees?q=zebedee&limit=2'
        while True:
            _, page = srv.get(path, 'nr.trainer')
            seen += [r['service_number'] for r in page['items']]
            assert len(page['items']) <= 2
            if not page.get('next'):
                break
            path = '/api/v1/trainees?q=zebedee&limit=2&cursor=' + page['next']
        assert seen == ['ZZ000', 'ZZ002', 'ZZ004', 'ZZ006', 'ZZ008'], seen
        _, page = srv.get('/api/v1/trainees?q=zebedee&limit=5', 'nr.trainer')
        assert 'next' not in page or not page['next'], 'five seen, no more'
        _, page = srv.get('/api/v1/trainees?q=zebedee&limit=100', 'ns.commander')
        assert len(page['items']) == 10
    finally:
        srv.stop()


@test
def the_server_stops_cleanly():
    SRV.stop()


@test
def a_reference_to_a_hidden_record_is_left_out():
    """A post at a CTS site, itself NU: an NR reader sees the post without
    its site, over the API and the CLI; changing another field with the
    ETag they read works, and the site stays as stored."""
    import http.client
    d = tmpdir()
    db = os.path.join(d, 'ref.db')
    copy_db(DB, db)
    ok_json(db, 'import', 'sites', write(os.path.join(d, 's.csv'),
            'code,name,latitude,longitude,country,valid_from,classification\n'
            'MARKERSITE,Hidden site,33,44,IRQ,2019-01-01,CTS\n'))
    ok_json(db, 'import', 'posts', write(os.path.join(d, 'p.csv'),
            'number,title,branch,category,function,site,organisation,valid_from\n'
            'REF-1,Adviser,Advising,military,advising,MARKERSITE,NMI,2019-01-01\n'))
    rc, out, err = cadre(db, 'user', 'add', 'nr.manning', '--role', 'manning',
                         '--clearance', 'NR', stdin=PW + '\n')
    assert rc == 0, out + err
    tok = ok_json(db, 'token', 'add', 'nr.manning')['token']
    for argv in (['show', 'posts', 'REF-1', '--json'],
                 ['export', 'posts', '--format', 'json'],
                 ['export', 'posts', '--format', 'csv'],
                 ['list', 'posts', '--json']):
        rc, out, err = cadre(db, '--as', 'nr.manning', *argv)
        assert rc == 0 and 'REF-1' in out and 'MARKERSITE' not in out + err, \
            (argv, rc, out[:300], err)
    srv = Server(db)
    TOKEN['nr.manning'] = tok
    try:
        body, j = srv.get('/api/v1/posts/REF-1', 'nr.manning')
        assert 'MARKERSITE' not in body and j.get('site') in (None, ''), j
        body, _ = srv.get('/api/v1/posts?number=REF-1', 'nr.manning')
        assert 'MARKERSITE' not in body and 'REF-1' in body, body
        c = http.client.HTTPConnection('127.0.0.1', srv.port, timeout=30)
        c.request('GET', '/api/v1/posts/REF-1',
                  headers={'Authorization': 'Bearer ' + tok})
        r = c.getresponse()
        r.read()
        etag = r.getheader('ETag')
        c.request('PATCH', '/api/v1/posts/REF-1', body=json.dumps(
            {'title': 'Senior adviser'}), headers={
            'Authorization': 'Bearer ' + tok, 'If-Match': etag,
            'Content-Type': 'application/json'})
        r = c.getresponse()
        answer = r.read().decode()
        assert r.status == 200 and 'MARKERSITE' not in answer, (r.status, answer)
        c.close()
    finally:
        srv.stop()
    stored = ok_json(db, 'show', 'posts', 'REF-1', '--json')
    assert stored['site'] == 'MARKERSITE' and \
        stored['title'] == 'Senior adviser', stored


if __name__ == '__main__':
    run()
