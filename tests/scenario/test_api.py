#!/usr/bin/env python3
"""`cadre serve`: the real binary on a loopback port, spoken to over HTTP."""
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import time
import urllib.parse

import harness
from harness import CADRE, cadre, ok_json, run, test, tmpdir

DIR = tmpdir()
DB = os.path.join(DIR, 'demo.db')
assert cadre(DB, 'demo')[0] == 0
PW = 'a long enough password'
for login, args in (('cmd', ['--role', 'commander', '--clearance', 'NS']),
                    ('irq', ['--role', 'liaison', '--nation', 'IRQ', '--clearance', 'NR']),
                    ('j1', ['--role', 'manning', '--clearance', 'NS']),
                    ('adm', ['--role', 'admin', '--clearance', 'CTS']),
                    ('aud', ['--role', 'auditor', '--clearance', 'NS']),
                    ('a.admin', ['--role', 'admin', '--clearance', 'NS']),
                    ('a.commander', ['--role', 'commander', '--clearance', 'NS']),
                    ('a.manning', ['--role', 'manning', '--clearance', 'NS']),
                    ('a.training', ['--role', 'training', '--clearance', 'NS']),
                    ('a.trainer', ['--role', 'trainer', '--clearance', 'NR']),
                    ('a.contingent', ['--role', 'contingent', '--nation', 'CAN',
                                      '--clearance', 'NS']),
                    ('a.liaison', ['--role', 'liaison', '--nation', 'IRQ',
                                   '--clearance', 'NR']),
                    ('a.auditor', ['--role', 'auditor', '--clearance', 'NS'])):
    assert cadre(DB, 'user', 'add', login, *args, stdin=PW + '\n')[0] == 0
ROLES = ['admin', 'commander', 'manning', 'training', 'trainer', 'contingent',
         'liaison', 'auditor']
TOKEN = {l: ok_json(DB, 'token', 'add', l)['token']
         for l in ['cmd', 'irq', 'j1', 'adm', 'aud'] + ['a.' + r for r in ROLES]}


class Server(harness.Server):
    def __init__(self):
        super().__init__(DB, env={'CADRE_SESSION_IDLE': '2'})

    def req(self, method, path, body=None, headers=None):
        return self.call(method, path, None, body, headers)

    def get(self, path, who=None, headers=None):
        return self.call('GET', path, TOKEN[who] if who else None,
                         headers=headers)

SRV = Server()


@test
def health_without_a_caller_and_nothing_else():
    st, _, j = SRV.get('/healthz')
    assert st == 200 and j == {'status': 'ok'}
    st, h, j = SRV.get('/api/v1/persons')
    assert st == 401 and h['Content-Type'] == 'application/problem+json', (st, h)
    assert j['status'] == 401 and j['title'] == 'Unauthorized'
    st, _, _ = SRV.get('/api/v1/persons', headers={'Authorization': 'Bearer nonsense'})
    assert st == 401


@test
def a_token_reads_as_its_account():
    st, _, j = SRV.get('/api/v1/persons?limit=5', 'cmd')
    assert st == 200 and len(j['items']) == 5, j
    st, _, j = SRV.get('/api/v1/persons', 'irq')
    assert st == 200 and j['items'] == [], 'no person is released to Iraq'
    st, _, j = SRV.get('/api/v1/sessions?course=CIED-TTT&limit=3', 'irq')
    assert st == 200 and j['items'] and all(
        'IRQ' in s['releasability'].split(';') and s['course'] == 'CIED-TTT'
        for s in j['items']), j


@test
def a_list_holds_each_record_as_its_own_answer_does():
    # A list is written straight into text, not through jansson: every
    # item must be the record its own GET answers (with key and derived
    # values), reals, empty values and escapes included, and the cursor
    # the one row more cut off cleanly.
    for kind in ('persons', 'courses', 'sessions', 'nations', 'assignments'):
        path, seen = '/api/v1/%s?limit=7' % kind, 0
        while path and seen < 21:
            st, _, j = SRV.get(path, 'cmd')
            assert st == 200 and j['kind'] == kind and len(j['items']) <= 7, (path, j)
            for item in j['items']:
                st, _, one = SRV.get('/api/v1/%s/%s' % (kind, urllib.parse.quote(item['key'], safe='/')),
                                     'cmd')
                assert st == 200 and one == item, (kind, item, one)
            seen += len(j['items'])
            path = j.get('next') and '/api/v1/%s?limit=7&cursor=%s' % (kind, j['next'])
        assert seen >= 7, (kind, seen)
    st, _, j = SRV.get('/api/v1/courses?limit=1', 'cmd')
    assert isinstance(j['items'][0]['pass_target'], float), j


@test
def hidden_and_absent_answer_alike():
    st, _, j = SRV.get('/api/v1/persons/P00001', 'cmd')
    assert st == 200 and j['name'] == 'Dany Fortin', j
    st1, _, j1 = SRV.get('/api/v1/persons/P00001', 'irq')
    st2, _, j2 = SRV.get('/api/v1/persons/NOSUCH', 'irq')
    assert st1 == st2 == 404, (st1, st2)
    j1.pop('instance')
    j2.pop('instance')
    assert j1 == j2, (j1, j2)


@test
def as_of_on_the_api():
    st, _, j = SRV.get('/api/v1/status?as_of=2020-01-05', 'cmd')
    assert st == 200 and j['training_suspended'] is True and j['members'] == 29
    st, _, j = SRV.get('/api/v1/status?as_of=2020-02-30', 'cmd')
    assert st == 400, st
    st, _, j = SRV.get('/api/v1/nations?as_of=2020-03-27&status=member', 'cmd')
    assert st == 200, j
    assert sum(1 for n in j['items'] if n['status'] == 'member') == 30
    st, _, j = SRV.get('/api/v1/status', 'irq')
    assert st == 403, 'totals are for the mission staff'


@test
def login_sets_a_strict_cookie_and_changes_need_the_csrf_token():
    st, h, j = SRV.req('POST', '/api/v1/auth/login',
                       json.dumps({'login': 'cmd', 'password': PW}))
    assert st == 200 and j['role'] == 'commander' and j['csrf_token'], j
    cookie = h['Set-Cookie']
    assert 'HttpOnly' in cookie and 'SameSite=Strict' in cookie, cookie
    sid = cookie.split(';')[0]
    st, _, j = SRV.get('/api/v1/sites', headers={'Cookie': sid})
    assert st == 200 and j['items']
    st, _, _ = SRV.req('POST', '/api/v1/auth/logout', headers={'Cookie': sid})
    assert st == 403, 'no CSRF token, no change'
    st, _, _ = SRV.req('POST', '/api/v1/auth/logout',
                       headers={'Cookie': sid, 'X-CSRF-Token': 'forged'})
    assert st == 403, 'a wrong CSRF token, no change'
    st, h2, j2 = SRV.req('POST', '/api/v1/auth/login',
                         json.dumps({'login': 'cmd', 'password': PW}))
    sid2 = h2['Set-Cookie'].split(';')[0]
    st, _, _ = SRV.req('POST', '/api/v1/auth/logout',
                       headers={'Cookie': sid2, 'X-CSRF-Token': j2['csrf_token']})
    assert st == 200
    st, _, _ = SRV.get('/api/v1/sites', headers={'Cookie': sid2})
    assert st == 401, 'the session ended on the server'


@test
def failed_logins_are_slowed_down():
    for _ in range(5):
        st, _, _ = SRV.req('POST', '/api/v1/auth/login',
                           json.dumps({'login': 'irq', 'password': 'wrong password!'}))
        assert st == 401
    st, _, j = SRV.req('POST', '/api/v1/auth/login',
                       json.dumps({'login': 'irq', 'password': PW}))
    assert st == 429, (st, j)


@test
def methods_sizes_and_routes():
    st, h, _ = SRV.req('DELETE', '/api/v1/persons',
                       headers={'Authorization': 'Bearer ' + TOKEN['adm']})
    assert st == 405 and h.get('Allow') == 'GET, POST', (st, h)
    st, h, _ = SRV.req('GET', '/api/v1/auth/login')
    assert st == 405 and h.get('Allow') == 'POST', (st, h)
    st, _, _ = SRV.req('POST', '/api/v1/auth/login', 'x' * (2 << 20))
    assert st == 413, st
    st, _, _ = SRV.get('/api/v1/nosuch', 'cmd')
    assert st == 404
    c = http.client.HTTPConnection('127.0.0.1', SRV.port, timeout=30)
    c.putrequest('GET', '/healthz')
    for i in range(200):
        c.putheader('X-Pad-%d' % i, 'x' * 500)
    c.endheaders()
    r = c.getresponse()
    assert r.status == 431, r.status
    c.close()


@test
def the_openapi_document_and_the_routes_agree():
    st, _, doc = SRV.get('/api/v1/openapi.json')
    assert st == 200 and doc['openapi'].startswith('3.1')
    paths = doc['paths']
    listed = set()
    for text in re.findall(r'KIND: (.*?)\n\n', cadre(DB, 'help')[1], re.S):
        listed |= set(text.split())
    assert listed, 'cadre help lists the kinds'
    for k in listed:
        assert '/api/v1/' + k in paths and '/api/v1/%s/{key}' % k in paths, k
    # Every path the document names answers (not 404), and no more.
    for p, item in paths.items():
        url = p.replace('{key}', 'NOSUCH').replace('{code}', 'NOSUCH')
        for method in item:
            st, _, _ = SRV.req(method.upper(), url,
                               body='{}' if method == 'post' else None,
                               headers={'Authorization': 'Bearer ' + TOKEN['adm']})
            if '{key}' in p or '{code}' in p:
                assert st == 404, (p, st)
            else:
                assert st != 404 and st != 405, (p, method, st)
    undocumented = ['/api/v1/secrets', '/api/v1/admin']
    for u in undocumented:
        assert SRV.get(u, 'cmd')[0] == 404


def send(method, path, who, body=None, headers=None):
    h = {'Authorization': 'Bearer ' + TOKEN[who]}
    h.update(headers or {})
    return SRV.req(method, path, json.dumps(body) if body is not None else None, h)


@test
def create_change_and_end_a_record_as_the_caller():
    st, h, j = send('POST', '/api/v1/persons', 'j1', {
        'code': 'API1', 'name': 'Api Person', 'nation': 'CAN',
        'category': 'military', 'valid_from': '2026-12-01'})
    assert st == 201 and h['Location'] == '/api/v1/persons/API1', (st, h, j)
    etag = h['ETag']
    st, _, _ = send('POST', '/api/v1/persons', 'j1', {
        'code': 'API1', 'name': 'Again', 'nation': 'CAN', 'category': 'military',
        'valid_from': '2026-12-01'})
    assert st == 409
    st, _, _ = send('PATCH', '/api/v1/persons/API1', 'j1', {'rank': 'OF-2'})
    assert st == 428, 'If-Match is required'
    st, _, _ = send('PATCH', '/api/v1/persons/API1', 'j1', {'rank': 'OF-2'},
                    {'If-Match': '"stale"'})
    assert st == 412
    assert SRV.get('/api/v1/persons/API1', 'j1')[2]['rank'] is None, \
        'a stale update changes nothing'
    st, h2, j = send('PATCH', '/api/v1/persons/API1', 'j1', {'rank': 'OF-2'},
                     {'If-Match': etag})
    assert st == 200 and j['rank'] == 'OF-2' and h2['ETag'] != etag, (st, j)
    st, _, j = send('PATCH', '/api/v1/persons/API1', 'j1', {'code': 'OTHER'},
                    {'If-Match': h2['ETag']})
    assert st == 422 and j['errors'][0]['field'] == 'code', j
    st, _, j = send('DELETE', '/api/v1/persons/API1?on=2027-01-01', 'j1')
    assert st == 200 and j['valid_to'] == '2027-01-01', j
    # Ended: a later end would extend it (the property test's finding).
    st, _, j = send('DELETE', '/api/v1/persons/API1?on=2027-06-01', 'j1')
    assert st == 409 and 'already ends on 2027-01-01' in j['detail'], (st, j)
    assert SRV.get('/api/v1/persons/API1', 'j1')[2]['valid_to'] == '2027-01-01'
    st, _, j = send('DELETE', '/api/v1/nations/CAN', 'cmd')
    assert st in (403, 405), st
    log = [json.loads(l) for l in cadre(DB, 'audit', 'log', '--entity', 'persons',
                                        '--key', 'API1', '--json')[1].splitlines()]
    assert [e['actor'] for e in log] == ['j1', 'j1', 'j1'], log
    assert cadre(DB, 'audit', 'verify')[0] == 0


@test
def bad_input_is_422_and_a_rule_refusal_is_409_with_its_id():
    st, h, j = send('POST', '/api/v1/persons', 'j1', {
        'code': 'API2', 'name': 'X', 'nation': 'CAN', 'category': 'pirate',
        'valid_from': '2026-02-30', 'colour': 'red'})
    assert st == 422 and h['Content-Type'] == 'application/problem+json'
    assert {e['field'] for e in j['errors']} == {'colour'}, j
    st, _, j = send('POST', '/api/v1/persons', 'j1', {
        'code': 'API2', 'name': 'X', 'nation': 'CAN', 'category': 'pirate',
        'valid_from': '2026-02-30'})
    assert st == 422 and {e['field'] for e in j['errors']} == {'category', 'valid_from'}, j
    ok = send('POST', '/api/v1/posts', 'j1', {
        'number': 'OPS-API', 'title': 'Embedded', 'branch': 'Ops',
        'category': 'military', 'function': 'operation', 'site': 'TAJI',
        'organisation': 'NMI', 'valid_from': '2026-01-01'})
    assert ok[0] == 409 and ok[2]['rule'] == 'NONCOMBAT', ok
    st, _, j = send('POST', '/api/v1/consents', 'j1', {'code': 'NOPE'})
    assert st == 403, 'manning does not grant consents'
    st, _, j = send('POST', '/api/v1/sites', 'irq', {'code': 'NOPE'})
    assert st == 403, 'the liaison reads only'


@test
def actions_reports_and_the_audit_log_by_role():
    body = {'scope': 'site:TAJI', 'from': '2026-12-01', 'reason': 'api test',
            'dry_run': True}
    st, _, j = send('POST', '/api/v1/actions/suspend', 'j1', body)
    assert st == 403, 'manning does not suspend'
    st, _, j = send('POST', '/api/v1/actions/suspend', 'cmd', body)
    assert st == 200 and j['dry_run'] and j['sessions_postponed'] is not None, j
    st, _, j = send('POST', '/api/v1/actions/suspend', 'cmd', dict(body, **{'from': '2026-02-30'}))
    assert st == 422, st
    st, _, j = send('POST', '/api/v1/actions/transfer', 'cmd',
                    {'activity': 'TRN-NCO', 'to': 'NMI', 'on': '2021-01-01'})
    assert st == 422 and 'already transferred' in j['detail'], j
    st, _, j = SRV.get('/api/v1/reports/ceilings?from=2020-03-30&to=2020-04-02', 'cmd')
    assert st == 200 and j['breaches'] == 0 and len(j['days']) >= 3, j
    st, _, j = SRV.get('/api/v1/reports/transition?as_of=2024-01-01', 'cmd')
    assert st == 200 and j['courses'], j
    assert SRV.get('/api/v1/reports/transition', 'irq')[0] == 403
    st, _, j = SRV.get('/api/v1/audit?entity=persons&key=API1', 'aud')
    assert st == 200 and [e['actor'] for e in j['entries']] == ['j1', 'j1', 'j1'], j
    assert SRV.get('/api/v1/audit', 'cmd')[0] == 403, 'the log is for auditors'


@test
def metrics_count_requests_by_route_and_status():
    c = http.client.HTTPConnection('127.0.0.1', SRV.port, timeout=30)
    c.request('GET', '/metrics')
    r = c.getresponse()
    text = r.read().decode()
    assert r.status == 200 and r.getheader('Content-Type').startswith('text/plain')
    assert re.search(r'cadre_http_requests_total\{route="/api/v1/persons/\{key\}",status="404"\} [1-9]', text), text
    assert 'cadre_http_request_seconds_bucket{le="+Inf"}' in text
    # On PostgreSQL the database's size is the server's to tell
    # (pg_database_size); cadre reports the size of a SQLite file.
    if harness.engine.POSTGRES:
        assert 'cadre_database_bytes' not in text, text
    else:
        assert re.search(r'cadre_database_bytes [1-9]', text)


@test
def pages_follow_a_cursor_and_lists_sort():
    seen, cursor = [], None
    while True:
        st, _, j = SRV.get('/api/v1/sites?limit=4' + ('&cursor=' + cursor if cursor else ''),
                           'cmd')
        assert st == 200, j
        seen += [x['code'] for x in j['items']]
        cursor = j.get('next')
        if not cursor:
            break
    everything = [x['code'] for x in SRV.get('/api/v1/sites', 'cmd')[2]['items']]
    assert seen == everything and len(seen) > 4, (seen, everything)
    st, _, j = SRV.get('/api/v1/nations?sort=-name&limit=3', 'cmd')
    names = [n['name'] for n in j['items']]
    assert names == sorted(names, reverse=True), names
    st, _, j = SRV.get('/api/v1/nations?sort=nosuch', 'cmd')
    assert st == 400, st


@test
def tls_when_given_a_certificate_and_secure_cookies():
    import ssl
    d = tmpdir()
    key, cert = os.path.join(d, 'k.pem'), os.path.join(d, 'c.pem')
    subprocess.run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes',
                    '-keyout', key, '-out', cert, '-days', '2', '-subj',
                    '/CN=127.0.0.1'], check=True, capture_output=True)
    p = subprocess.Popen([CADRE, '--db', harness.engine.target(DB), 'serve', '--listen', '127.0.0.1:0',
                          '--quiet', '--tls-cert', cert, '--tls-key', key],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = p.stdout.readline()
        assert line.startswith('cadre: serving https://'), line + p.stderr.read()
        port = int(re.search(r':(\d+)/', line).group(1))
        ctx = ssl.create_default_context(cafile=cert)
        ctx.check_hostname = False
        c = http.client.HTTPSConnection('127.0.0.1', port, context=ctx, timeout=30)
        c.request('POST', '/api/v1/auth/login', json.dumps({'login': 'cmd', 'password': PW}))
        r = c.getresponse()
        r.read()
        assert r.status == 200 and 'Secure' in r.getheader('Set-Cookie'), r.getheaders()
        c.close()
    finally:
        p.send_signal(signal.SIGTERM)
        assert p.wait(timeout=20) == 0


@test
def a_liaison_never_sees_a_nato_restricted_record():
    st, _, _ = send('POST', '/api/v1/trainees', 'adm', {
        'service_number': 'NR-1', 'name': 'Restricted Trainee', 'nation': 'IRQ',
        'unit': 'IRQ-U-INF1', 'classification': 'NR', 'releasability': 'MISSION'})
    assert st == 201
    st, _, _ = send('POST', '/api/v1/trainees', 'adm', {
        'service_number': 'NR-2', 'name': 'Released Trainee', 'nation': 'IRQ',
        'unit': 'IRQ-U-INF1', 'classification': 'NR', 'releasability': 'MISSION;IRQ'})
    assert st == 201
    seen = {t['service_number'] for t in
            SRV.get('/api/v1/trainees?unit=IRQ-U-INF1&limit=10000', 'irq')[2]['items']}
    assert 'NR-1' not in seen and 'NR-2' in seen
    assert SRV.get('/api/v1/trainees/NR-1', 'irq')[0] == 404
    assert SRV.get('/api/v1/trainees/NR-2', 'irq')[0] == 200
    assert SRV.get('/api/v1/status', 'irq')[0] == 403, 'no totals that would count it'
    rc, out, _ = cadre(DB, '--as', 'irq', 'export', 'trainees')
    assert rc == 0 and 'NR-1' not in out and 'NR-2' in out


@test
def the_access_matrix_holds():
    import csv
    path = os.path.join(os.environ.get('CADRE_TESTDATA', 'tests/data'), 'api', 'access.csv')
    wrong = []
    with open(path, newline='') as f:
        for row in csv.DictReader(f):
            for who in ['anonymous'] + ROLES:
                h = {} if who == 'anonymous' else {'Authorization': 'Bearer ' + TOKEN['a.' + who]}
                st, _, _ = SRV.req(row['method'], row['path'], row['body'] or None, h)
                if st != int(row[who]):
                    wrong.append('%s %s as %s: %d, expected %s' % (
                        row['method'], row['path'], who, st, row[who]))
    assert not wrong, '\n'.join(wrong)


@test
def two_writers_racing_on_one_etag_one_wins():
    import threading
    st, _, _ = send('POST', '/api/v1/persons', 'j1', {
        'code': 'RACE', 'name': 'Race', 'nation': 'CAN', 'category': 'military',
        'valid_from': '2026-12-01'})
    assert st == 201
    etag = SRV.get('/api/v1/persons/RACE', 'j1')[1]['ETag']
    results = []

    def writer(rank):
        results.append(send('PATCH', '/api/v1/persons/RACE', 'j1', {'rank': rank},
                            {'If-Match': etag})[0])
    ts = [threading.Thread(target=writer, args=(r,)) for r in ('OF-1', 'OF-2')]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert sorted(results) == [200, 412], results
    log = [json.loads(l) for l in cadre(DB, 'audit', 'log', '--entity', 'persons',
                                        '--key', 'RACE', '--json')[1].splitlines()]
    assert len(log) == 2, 'one insert, one update: nothing lost, nothing doubled'


@test
def bad_requests_get_a_clear_4xx_and_the_server_keeps_serving():
    h = {'Authorization': 'Bearer ' + TOKEN['adm']}
    for body, want in (('{"code": ', 400), ('[1, 2]', 400), (b'{"name": "\xff\xfe"}', 400),
                       ('{"code": ["a"]}', 422), ('{"code": {"x": 1}}', 422)):
        st, hd, j = SRV.req('POST', '/api/v1/persons', body, h)
        assert st == want and hd['Content-Type'] == 'application/problem+json', (body, st, j)
        assert SRV.get('/healthz')[0] == 200
    for path in ('/../../etc/passwd', '/api/v1/../../etc/passwd', '/api/v1/persons/../../x',
                 '/%2e%2e/%2e%2e/etc/passwd'):
        st, _, _ = SRV.req('GET', path, headers=h)
        assert st in (400, 404), (path, st)
    assert SRV.get('/healthz')[0] == 200


@test
def trainee_search_by_name_or_number_respects_release():
    def post(body):
        st, _, j = SRV.req('POST', '/api/v1/trainees', json.dumps(body),
                           {'Authorization': 'Bearer ' + TOKEN['adm'],
                            'Content-Type': 'application/json'})
        assert st == 201, (st, j)
    post({'service_number': 'IQ-SRCH-1', 'name': 'Ḥasan Qāsim al-Ṭāʾī',
          'nation': 'IRQ', 'unit': 'IRQ-U-INF2', 'releasability': 'MISSION;IRQ'})
    post({'service_number': 'IQ-SRCH-2', 'name': 'Hasan Withheld',
          'nation': 'IRQ', 'unit': 'IRQ-U-INF2', 'releasability': 'MISSION'})

    def found(q, who):
        st, _, j = SRV.get('/api/v1/trainees?q=' + urllib.parse.quote(q), who)
        assert st == 200, (st, j)
        return sorted(t['service_number'] for t in j['items'])
    # Diacritics folded, prefixes, several words all required.
    assert found('hasan', 'cmd') == ['IQ-SRCH-1', 'IQ-SRCH-2']
    assert found('HASAN qas', 'cmd') == ['IQ-SRCH-1']
    assert found('iq-srch-2', 'cmd') == ['IQ-SRCH-2']
    # The liaison finds only what is released to Iraq.
    assert found('hasan', 'irq') == ['IQ-SRCH-1']
    # Typed FTS5 syntax is only text: no error, no match-all.
    assert found('"*) OR (NEAR', 'cmd') == []
    assert found('   ', 'cmd') == []
    st, _, j = SRV.get('/api/v1/persons?q=fortin', 'cmd')
    assert st == 400 and 'cannot be searched' in j['detail'], j
    # After a change of name the index follows.
    st, h, _ = SRV.get('/api/v1/trainees/IQ-SRCH-1', 'adm')
    st, _, j = SRV.req('PATCH', '/api/v1/trainees/IQ-SRCH-1',
                       json.dumps({'name': 'Karrar Zaid al-Lami'}),
                       {'Authorization': 'Bearer ' + TOKEN['adm'],
                        'Content-Type': 'application/json', 'If-Match': h['ETag']})
    assert st == 200, (st, j)
    assert found('hasan', 'cmd') == ['IQ-SRCH-2']
    assert found('karrar lami srch', 'cmd') == ['IQ-SRCH-1']


@test
def lists_bounded_by_dates_with_filters_and_pages():
    st, _, j = SRV.get('/api/v1/sessions?from=2020-06-01&to=2020-06-30&limit=1000', 'cmd')
    assert st == 200 and j['items'], j
    assert all(s['valid_from'] <= '2020-06-30' and s['valid_to'] >= '2020-06-01'
               for s in j['items']), 'every session meets June 2020'
    june = {s['key'] for s in j['items']}
    st, _, allj = SRV.get('/api/v1/sessions?limit=10000', 'cmd')
    assert june == {s['key'] for s in allj['items']
                    if s['valid_from'] <= '2020-06-30' and s['valid_to'] >= '2020-06-01'}
    # With a field filter and a page size: the numbered parameters agree.
    # (A quarter: resume no longer restarts every postponed TAJI session
    # on 2020-06-01 at once, so June alone holds one.)
    st, _, t = SRV.get('/api/v1/sessions?site=TAJI&from=2020-06-01&to=2020-09-30&limit=1', 'cmd')
    assert st == 200 and len(t['items']) == 1 and t['items'][0]['site'] == 'TAJI' and t['next'], t
    st, _, q = SRV.get('/api/v1/trainees?q=al&limit=3&nation=IRQ', 'cmd')
    assert st == 200 and len(q['items']) == 3, q
    assert SRV.get('/api/v1/courses?from=2020-01-01', 'cmd')[0] == 400
    assert SRV.get('/api/v1/sessions?to=2020-02-30', 'cmd')[0] == 400


@test
def the_interface_is_served_with_etags_and_a_content_policy():
    st, h, _ = SRV.req('GET', '/')
    assert st == 200 and h['Content-Type'].startswith('text/html'), (st, h)
    assert "script-src 'self'" in h['Content-Security-Policy'], h
    st2, _, _ = SRV.req('GET', '/', headers={'If-None-Match': h['ETag']})
    assert st2 == 304
    assert SRV.req('POST', '/')[0] == 405
    assert SRV.req('GET', '/nothing.js')[0] == 404
    st, _, j = SRV.req('GET', '/api/v1/auth/me')
    assert st == 200 and j == {'authenticated': False}, j
    st, _, j = SRV.get('/api/v1/auth/me', 'irq')
    assert j['authenticated'] and j['role'] == 'liaison' and j['nation'] == 'IRQ', j
    st, _, j = SRV.get('/api/v1/kinds', 'j1')
    k = {x['name']: x for x in j['kinds']}
    assert k['persons']['writable'] and not k['consents']['writable'], 'by role'
    f = {x['name']: x for x in k['sessions']['fields']}
    assert f['status']['type'] == 'enum' and 'postponed' in f['status']['values']
    assert f['course']['key'] and f['course']['ref'] == 'courses'


@test
def a_session_idle_too_long_expires():
    st, h, j = SRV.req('POST', '/api/v1/auth/login',
                       json.dumps({'login': 'aud', 'password': PW}))
    assert st == 200
    sid = h['Set-Cookie'].split(';')[0]
    assert SRV.get('/api/v1/sites', headers={'Cookie': sid})[0] == 200
    time.sleep(3.2)     # the test server's idle limit is 2 s
    assert SRV.get('/api/v1/sites', headers={'Cookie': sid})[0] == 401


@test
def calendar_feeds_to_subscribe_to():
    st, h, _ = SRV.req('GET', '/api/v1/calendar/site/TAJI.ics',
                       headers={'Authorization': 'Bearer ' + TOKEN['cmd']})
    assert st == 200 and h['Content-Type'].startswith('text/calendar'), (st, h)
    c = http.client.HTTPConnection('127.0.0.1', SRV.port, timeout=30)
    c.request('GET', '/api/v1/calendar/site/TAJI.ics',
              headers={'Authorization': 'Bearer ' + TOKEN['cmd']})
    text = c.getresponse().read().decode()
    assert text.startswith('BEGIN:VCALENDAR') and text.count('BEGIN:VEVENT') > 10
    assert SRV.get('/api/v1/calendar/site/NOSUCH.ics', 'cmd')[0] == 404
    assert SRV.get('/api/v1/calendar/site/TAJI.ics', 'irq')[0] == 403
    assert SRV.get('/api/v1/calendar/site/TAJI.ics')[0] == 401


def ical():
    """Debian's python3-icalendar (scripts/deps.sh --test): a real parser
    of RFC 5545, from Debian's packages even when another python runs."""
    try:
        import icalendar
    except ImportError:
        import sys
        sys.path.append('/usr/lib/python3/dist-packages')
        import icalendar
    return icalendar


def feed(path, token=None, bearer=None):
    c = http.client.HTTPConnection('127.0.0.1', SRV.port, timeout=30)
    c.request('GET', path + ('?token=' + urllib.parse.quote(token) if token else ''),
              headers={'Authorization': 'Bearer ' + bearer} if bearer else {})
    r = c.getresponse()
    body = r.read().decode()
    c.close()
    return r.status, body


@test
def a_calendar_is_rfc_5545_with_cancellations_and_trainers_by_name():
    icalendar = ical()
    # A planned session at Taji cancelled: a subscribed calendar must
    # hear that the event it holds is off, not lose it.
    st, _, j = SRV.get('/api/v1/sessions?site=TAJI&status=planned&limit=1', 'cmd')
    assert st == 200 and j['items'], j
    s = j['items'][0]
    st, h, _ = SRV.get('/api/v1/sessions/' + s['key'], 'a.training')
    st, _, j = send('PATCH', '/api/v1/sessions/' + s['key'], 'a.training',
                    {'status': 'cancelled'}, {'If-Match': h['ETag']})
    assert st == 200, (st, j)
    st, text = feed('/api/v1/calendar/site/TAJI.ics', bearer=TOKEN['cmd'])
    assert st == 200, (st, text)
    cal = icalendar.Calendar.from_ical(text)
    events = [c for c in cal.walk('VEVENT')]
    assert len(events) > 10, len(events)
    uids = [str(e['UID']) for e in events]
    assert len(set(uids)) == len(uids), 'one event per session'
    for e in events:
        for prop in ('UID', 'DTSTAMP', 'DTSTART', 'DTEND', 'SUMMARY', 'STATUS'):
            assert prop in e, (prop, e)
        assert e['DTSTAMP'].dt.tzinfo is not None, 'DTSTAMP is UTC'
        assert e.decoded('DTEND') > e.decoded('DTSTART'), e
    mine = [e for e in events if str(e['UID']) == s['key'] + '@cadre']
    assert len(mine) == 1 and str(mine[0]['STATUS']) == 'CANCELLED', mine
    assert int(mine[0].get('SEQUENCE', 0)) >= 1, 'a change is a new sequence'
    # Trainers by name, never by person code.
    names = {p['code']: p['name'] for p in SRV.get('/api/v1/persons?limit=1000', 'cmd')[2]['items']}
    taught = [e for e in events if 'Trainers: none' not in str(e['DESCRIPTION'])]
    assert taught, 'sessions with trainers'
    for e in taught:
        d = str(e['DESCRIPTION'])
        assert not re.search(r'\bP\d{5}\b', d), d
    one = SRV.get('/api/v1/sessions/' + s['key'], 'cmd')[2]
    if one.get('trainers'):
        first = one['trainers'].split(';')[0]
        if first in names:
            assert names[first] in str(mine[0]['DESCRIPTION']), mine[0]['DESCRIPTION']
    # The same answer again: a subscription sees no change where none was.
    assert feed('/api/v1/calendar/site/TAJI.ics', bearer=TOKEN['cmd'])[1] == text


@test
def a_calendar_token_opens_the_feeds_in_the_url_and_nothing_else():
    st, text = feed('/api/v1/calendar/site/TAJI.ics', bearer=TOKEN['cmd'])
    assert st == 200
    st, _, j = send('POST', '/api/v1/auth/feed', 'cmd')
    assert st == 200 and j['scope'] == 'calendar' and j['token'], j
    cal = j['token']
    assert j['feeds']['site'] == '/api/v1/calendar/site/{code}.ics?token=' + cal, j
    # In the URL, as a calendar application subscribes: the account's
    # own view, byte for byte.
    assert feed('/api/v1/calendar/site/TAJI.ics', token=cal) == (200, text)
    assert feed('/api/v1/calendar/site/NOSUCH.ics', token=cal)[0] == 404
    # Nothing else: not as a bearer elsewhere, not in another URL.
    c = http.client.HTTPConnection('127.0.0.1', SRV.port, timeout=30)
    for path in ('/api/v1/persons', '/api/v1/status', '/api/v1/audit'):
        c.request('GET', path, headers={'Authorization': 'Bearer ' + cal})
        r = c.getresponse()
        r.read()
        assert r.status == 403, (path, r.status)
        c.request('GET', path + '?token=' + cal)
        r = c.getresponse()
        r.read()
        assert r.status == 401, (path, r.status)
    c.request('POST', '/api/v1/auth/feed', headers={'Authorization': 'Bearer ' + cal})
    r = c.getresponse()
    r.read()
    assert r.status == 403, 'a calendar token makes no tokens'
    c.close()
    # An API token is never taken from a URL: it opens everything.
    assert feed('/api/v1/calendar/site/TAJI.ics', token=TOKEN['cmd'])[0] == 401
    # A reader the calendars are not for gets no more through a feed.
    st, _, j = send('POST', '/api/v1/auth/feed', 'irq')
    assert st == 200, j
    assert feed('/api/v1/calendar/site/TAJI.ics', token=j['token'])[0] == 403
    # Listed by the start of its hash, revoked at once.
    rc, out, err = cadre(DB, 'token', 'list', 'cmd', '--json')
    assert rc == 0, err
    listed = [json.loads(l) for l in out.splitlines()]
    assert [t['scope'] for t in listed if not t['revoked']].count('calendar') == 1, listed
    assert all(cal not in l and len(t['id']) == 12 for l, t in zip(out.splitlines(), listed))
    st, _, j = send('DELETE', '/api/v1/auth/feed', 'cmd')
    assert st == 200 and j['revoked'] == 1, j
    assert feed('/api/v1/calendar/site/TAJI.ics', token=cal)[0] == 401
    assert feed('/api/v1/calendar/site/TAJI.ics', bearer=TOKEN['cmd'])[0] == 200, \
        'the API token lives on'
    st, _, j = send('POST', '/api/v1/auth/feed', 'cmd')
    rc, out, err = cadre(DB, 'token', 'revoke', 'cmd', '--calendar')
    assert rc == 0 and '1 token revoked' in out, (out, err)
    assert feed('/api/v1/calendar/site/TAJI.ics', token=j['token'])[0] == 401
    rc, out, err = cadre(DB, 'token', 'revoke', 'cmd', 'abc')
    assert rc != 0 and '12 characters' in err, err


def bad_parameter(path, who, name):
    """PATH answers 400, a problem naming parameter NAME and why."""
    st, h, j = SRV.get(path, who)
    assert st == 400 and h['Content-Type'] == 'application/problem+json', (path, st, j)
    assert j['detail'].startswith(name + ': '), (path, j)
    named = [e for e in j['errors'] if e['parameter'] == name]
    assert named and named[0]['reason'], (path, j)
    return named[0]['reason']


@test
def parameters_are_checked_at_the_door():
    assert 'integer' in bad_parameter('/api/v1/persons?limit=abc', 'cmd', 'limit')
    assert 'integer' in bad_parameter('/api/v1/persons?limit=0', 'cmd', 'limit')
    assert 'field of persons' in bad_parameter('/api/v1/persons?colour=red', 'cmd', 'colour')
    assert 'not a parameter' in bad_parameter('/api/v1/status?colour=red', 'cmd', 'colour')
    assert 'date' in bad_parameter('/api/v1/audit?since=yesterday', 'aud', 'since')
    assert 'integer' in bad_parameter('/api/v1/reports/manning?days=abc', 'cmd', 'days')
    assert 'more than once' in bad_parameter('/api/v1/sites?limit=2&limit=3', 'cmd', 'limit')
    # A field's filter is checked against the field's type.
    assert 'date' in bad_parameter('/api/v1/sessions?valid_from=june', 'cmd', 'valid_from')
    assert 'one of' in bad_parameter('/api/v1/sessions?status=maybe', 'cmd', 'status')
    # from and to only where records have dates; on only where they end.
    bad_parameter('/api/v1/courses?from=2020-01-01', 'cmd', 'from')
    bad_parameter('/api/v1/persons/P00001?on=2020-01-01', 'cmd', 'on')
    # A date written otherwise is read in its one form; good values pass.
    assert SRV.get('/api/v1/status?as_of=2020-01-05', 'cmd')[0] == 200
    assert SRV.get('/api/v1/audit?since=2020-01-01&limit=3', 'aud')[0] == 200
    assert SRV.get('/api/v1/reports/manning?days=60', 'cmd')[0] == 200
    # A report takes the parameters the report table gives it, as the
    # command line does: days is the manning report's, not transition's.
    bad_parameter('/api/v1/reports/transition?days=5', 'cmd', 'days')
    bad_parameter('/api/v1/reports/training-output?from=2020-01-01', 'cmd', 'to')
    assert SRV.get('/healthz?x=1')[0] == 400


@test
def every_filter_given_is_applied():
    st, _, j = SRV.get('/api/v1/kinds', 'cmd')
    kinds = {k['name']: k for k in j['kinds']}
    fields = kinds['sessions']['fields']
    st, _, j = SRV.get('/api/v1/sessions?limit=1', 'cmd')
    one = j['items'][0]
    given = [(f['name'], one[f['name']]) for f in fields
             if one.get(f['name']) is not None and f['type'] != 'number']
    while given and dict((f['name'], f['type']) for f in fields)[given[-1][0]] not in (
            'text', 'reference'):
        given.pop()
    assert len(given) >= 9, given

    def q(pairs):
        return '&'.join('%s=%s' % (k, urllib.parse.quote(
            ('yes' if v else 'no') if isinstance(v, bool) else str(v)))
            for k, v in pairs)
    st, _, j = SRV.get('/api/v1/sessions?' + q(given), 'cmd')
    assert st == 200 and one['key'] in [s['key'] for s in j['items']], (st, j)
    # The last of them (ninth or later) wrong: nothing matches.
    wrong = given[:-1] + [(given[-1][0], 'NO-SUCH-VALUE')]
    st, _, j = SRV.get('/api/v1/sessions?' + q(wrong), 'cmd')
    assert st == 200 and j['items'] == [], (len(given), j)
    # Derived names filter too.
    st, _, j = SRV.get('/api/v1/nations?as_of=2020-03-27&status=member', 'cmd')
    assert st == 200 and j['items'] and all(n['status'] == 'member' for n in j['items'])


def table_routes():
    """(method, path) of every row of the route table in src/http/route.c,
    {kind} expanded over the catalogue."""
    root = os.path.dirname(os.path.dirname(os.environ.get(
        'CADRE_TESTDATA', os.path.join(os.getcwd(), 'tests', 'data'))))
    text = open(os.path.join(root, 'src', 'http', 'route.c'), encoding='utf-8').read()
    table = text[text.index('static const struct route routes[]'):]
    table = table[:table.index('\n};')]
    rows = set(re.findall(r'(?:PUBLIC|AUTHED)\("(\w+)",\s*"([^"]*)"', table))
    rows |= {('GET', p) for p in re.findall(r'\{ "GET", "([^"]+)"', table)}
    rows |= set(re.findall(r'\{ "(POST|PATCH|DELETE)", "([^"]+)"', table))
    rows |= {('POST', '/api/v1/actions/' + a) for a in re.findall(r'ACTION\("([^"]+)"', table)}
    rows |= {('GET', '/api/v1/reports/' + a) for a in re.findall(r'REPORT\("([^"]+)"', table)}
    kinds = SRV.get('/api/v1/kinds', 'adm')[2]['kinds']
    out = set()
    for m, p in rows:
        if '{kind}' not in p:
            out.add((m, p))
            continue
        for k in kinds:
            ends = any(f['name'] == 'valid_to' for f in k['fields'])
            if m != 'DELETE' or ends:
                out.add((m, p.replace('{kind}', k['name'])))
    assert len(out) > 60, out
    return out


@test
def the_openapi_document_describes_every_route_of_the_table():
    st, _, doc = SRV.get('/api/v1/openapi.json')
    assert st == 200
    paths, schemas = doc['paths'], doc['components']['schemas']
    documented = {(m.upper(), p) for p, item in paths.items() for m in item}
    missing = table_routes() - documented
    assert not missing, 'routes not in openapi.json: %s' % sorted(missing)

    def resolve(s):
        if '$ref' in s:
            name = s['$ref'].rsplit('/', 1)[1]
            assert name in schemas, s
            return schemas[name]
        return s
    for p, item in paths.items():
        for m, op in item.items():
            assert isinstance(op['parameters'], list), (p, m)
            names = [x['name'] for x in op['parameters']]
            for v in re.findall(r'\{(\w+)\}', p):
                assert v in names, (p, m, v)
            for x in op['parameters']:
                assert x['in'] in ('path', 'query') and 'type' in x['schema'], (p, m, x)
            codes = set(op['responses'])
            assert codes & {'200', '201'} and '400' in codes, (p, m, codes)
            for code, r in op['responses'].items():
                for body in r['content'].values():
                    resolve(body['schema'])
                if code >= '400':
                    assert r['content']['application/problem+json']['schema']['$ref'] \
                        .endswith('/Problem'), (p, m, code)
    lst = {x['name']: x for x in paths['/api/v1/sessions']['get']['parameters']}
    assert lst['limit']['schema'] == {'type': 'integer', 'minimum': 1, 'maximum': 10000}
    assert lst['as_of']['schema']['format'] == 'date' and 'from' in lst
    assert 'postponed' in lst['status']['schema']['enum'], lst['status']
    assert 'from' not in {x['name'] for x in paths['/api/v1/courses']['get']['parameters']}
    audit = {x['name']: x for x in paths['/api/v1/audit']['get']['parameters']}
    assert audit['since']['schema']['format'] == 'date'
    rep = {x['name'] for x in paths['/api/v1/reports/manning']['get']['parameters']}
    assert rep == {'as_of', 'days', 'known_on'}, rep
    out = {x['name']: x for x in paths['/api/v1/reports/training-output']['get']['parameters']}
    assert out['from']['required'] and out['to']['required'], out
    page = resolve(paths['/api/v1/persons']['get']['responses']['200']['content']
                   ['application/json']['schema'])
    person = resolve(page['properties']['items']['items'])
    assert 'name' in person['properties'] and 'key' in person['properties'], person
    new = resolve(paths['/api/v1/persons']['post']['requestBody']['content']
                  ['application/json']['schema'])
    assert 'name' in new['required'] and new['additionalProperties'] is False, new
    try:
        from openapi_spec_validator import validate
    except ImportError:
        return      # the document's shape is checked above; the validator is optional
    validate(doc)


@test
def a_disabled_account_is_refused_at_once_even_when_its_answer_is_cached():
    assert cadre(DB, 'user', 'add', 'soon.gone', '--role', 'commander',
                 '--clearance', 'NS', stdin=PW + '\n')[0] == 0
    tok = ok_json(DB, 'token', 'add', 'soon.gone')['token']
    h = {'Authorization': 'Bearer ' + tok}

    def cached():
        c = http.client.HTTPConnection('127.0.0.1', SRV.port, timeout=30)
        c.request('GET', '/metrics')
        text = c.getresponse().read().decode()
        c.close()
        m = re.search(r'route="cached",status="200"\} (\d+)', text)
        return int(m.group(1)) if m else 0
    assert SRV.req('GET', '/api/v1/sites?limit=3', headers=h)[0] == 200
    before = cached()
    assert SRV.req('GET', '/api/v1/sites?limit=3', headers=h)[0] == 200
    assert cached() == before + 1, 'the second answer came from the cache'
    assert cadre(DB, 'user', 'disable', 'soon.gone')[0] == 0
    st, _, j = SRV.req('GET', '/api/v1/sites?limit=3', headers=h)
    assert st == 401, (st, j)


@test
def sigterm_finishes_cleanly():
    rc, err = SRV.stop()
    assert rc == 0, (rc, err)
    assert 'stopped' in err, err


if __name__ == '__main__':
    try:
        run()
    finally:
        if SRV.p.poll() is None:
            SRV.p.kill()
