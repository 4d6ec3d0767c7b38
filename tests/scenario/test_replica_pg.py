#!/usr/bin/env python3
"""`cadre serve --read-only` on a PostgreSQL hot standby (issue 15, part
6): every GET, the records the primary writes as they stream in, every
change refused with a clear answer, and the interface told it is read-only.

A throwaway cluster and its standby made with pg_basebackup -R (tests/lib/
pgcluster.py); skipped without PostgreSQL.
"""
import os
import time

import harness
from harness import cadre, ok_json, run, test, tmpdir, write

engine = harness.engine
DIR = tmpdir()
PATH = os.path.join(DIR, 'm.db')
DB = engine.on_postgres(PATH)
PW = 'a long enough password'
assert cadre(DB, 'init')[0] == 0
assert cadre(DB, 'import', 'nations', write(os.path.join(DIR, 'n.csv'),
             'code,name,member_since\nCAN,Canada,1949-04-04\n'))[0] == 0
assert cadre(DB, 'user', 'add', 'j1', '--role', 'manning', '--clearance', 'NS',
             stdin=PW + '\n')[0] == 0
TOKEN = ok_json(DB, 'token', 'add', 'j1')['token']
STANDBY = engine.cluster().standby()
REPLICA = STANDBY.url(engine.name_of(PATH))
PRIMARY = harness.Server(DB, '--no-cache')
READER = harness.Server(REPLICA, '--read-only', '--no-cache')


def send(srv, method, path, body=None, headers=None):
    h = dict(headers or {}, Authorization='Bearer ' + TOKEN)
    return srv.call(method, path, body=body, headers=h)


def person(code):
    return {'code': code, 'name': 'Person ' + code, 'nation': 'CAN',
            'category': 'military', 'valid_from': '2026-12-01'}


def arrives(code):
    """The replica shows person CODE within ten seconds."""
    for _ in range(100):
        if send(READER, 'GET', '/api/v1/persons/' + code)[0] == 200:
            return True
        time.sleep(0.1)
    return False


@test
def what_the_primary_writes_the_replica_serves():
    assert send(PRIMARY, 'POST', '/api/v1/persons', person('P1'))[0] == 201
    assert arrives('P1')
    st, hd, j = send(READER, 'GET', '/api/v1/persons?limit=10')
    assert st == 200 and [p['code'] for p in j['items']] == ['P1'], j


@test
def every_change_to_the_replica_is_refused_clearly():
    st, hd, _ = send(READER, 'GET', '/api/v1/persons/P1')
    for method, path, body, h in (
            ('POST', '/api/v1/persons', person('P2'), {}),
            ('PATCH', '/api/v1/persons/P1', {'rank': 'OF-1'}, {'If-Match': hd['ETag']}),
            ('DELETE', '/api/v1/persons/P1', None, {'If-Match': hd['ETag']})):
        st, _, j = send(READER, method, path, body, h)
        assert st == 405 and 'read-only' in j['detail'], (method, st, j)
    assert send(PRIMARY, 'GET', '/api/v1/persons/P2')[0] == 404
    assert send(PRIMARY, 'GET', '/api/v1/persons/P1')[2].get('rank') is None


@test
def the_interface_is_told_it_is_read_only():
    st, _, me = READER.call('POST', '/api/v1/auth/login', body={'login': 'j1', 'password': PW})
    assert st == 200 and me['read_only'] is True, me
    assert send(READER, 'GET', '/api/v1/auth/me')[2]['read_only'] is True
    st, _, me = PRIMARY.call('POST', '/api/v1/auth/login', body={'login': 'j1', 'password': PW})
    assert st == 200 and me['read_only'] is False, me


@test
def a_write_to_the_standby_itself_says_it_is_read_only():
    rc, out, err = cadre(REPLICA, 'import', 'nations', write(os.path.join(DIR, 'm.csv'),
                         'code,name,member_since\nBEL,Belgium,1949-04-04\n'))
    assert rc != 0 and 'read-only' in err and 'nothing was' in err, (rc, out, err)
    assert 'BEL' not in cadre(DB, 'export', 'nations')[1]


@test
def the_servers_stop_cleanly():
    for srv in (READER, PRIMARY):
        rc, err = srv.stop()
        assert rc == 0, err
    STANDBY.stop()


run()
