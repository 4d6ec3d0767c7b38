#!/usr/bin/env python3
"""Several `cadre serve` on one PostgreSQL database (issue 15, part 5):
they serve one mission, with no lost update and one audit chain.

Two servers on one database of a throwaway cluster (tests/lib/engine.py).
Writers racing through both with one ETag: exactly one wins. An ETag one
server gave is the one the other checks. Writes of distinct records from
both at once all land, and afterwards the audit chain verifies with one
entry per write, and `cadre check` finds nothing. Skipped without
PostgreSQL.
"""
import json
import os
import threading

import harness
from harness import cadre, ok_json, run, test, tmpdir, write

DIR = tmpdir()
DB = harness.engine.on_postgres(os.path.join(DIR, 'm.db'))
assert cadre(DB, 'init')[0] == 0
assert cadre(DB, 'import', 'nations', write(os.path.join(DIR, 'n.csv'),
             'code,name,member_since\nCAN,Canada,1949-04-04\n'))[0] == 0
assert cadre(DB, 'user', 'add', 'j1', '--role', 'manning', '--clearance', 'NS',
             stdin='a long enough password\n')[0] == 0
TOKEN = ok_json(DB, 'token', 'add', 'j1')['token']
# No answer cache: each server reads what the database holds now.
A = harness.Server(DB, '--no-cache')
B = harness.Server(DB, '--no-cache')


def send(srv, method, path, body=None, headers=None):
    h = dict(headers or {}, Authorization='Bearer ' + TOKEN)
    return srv.call(method, path, body=body, headers=h)


def entries():
    return ok_json(DB, 'audit', 'verify')['entries']


@test
def one_etag_racing_through_two_servers_one_wins():
    st, _, j = send(A, 'POST', '/api/v1/persons', {
        'code': 'RACE', 'name': 'Race', 'nation': 'CAN', 'category': 'military',
        'valid_from': '2026-12-01'})
    assert st == 201, j
    st, hd, _ = send(B, 'GET', '/api/v1/persons/RACE')
    assert st == 200
    etag, before = hd['ETag'], entries()
    results = []

    def writer(srv, rank):
        results.append(send(srv, 'PATCH', '/api/v1/persons/RACE', {'rank': rank},
                            {'If-Match': etag})[0])
    ts = [threading.Thread(target=writer, args=((A, B)[i % 2], 'OF-%d' % (i + 1)))
          for i in range(8)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert sorted(results) == [200] + [412] * 7, results
    assert entries() == before + 1, 'one update: nothing lost, nothing doubled'


@test
def an_etag_from_one_server_is_the_others():
    for i in range(6):
        first, second = (A, B) if i % 2 else (B, A)
        st, hd, _ = send(first, 'GET', '/api/v1/persons/RACE')
        assert st == 200
        st, _, j = send(second, 'PATCH', '/api/v1/persons/RACE',
                        {'name': 'Race %d' % i}, {'If-Match': hd['ETag']})
        assert st == 200, (i, st, j)
        st, _, j = send(first, 'GET', '/api/v1/persons/RACE')
        assert j['name'] == 'Race %d' % i, j


@test
def writes_through_both_at_once_all_land_in_one_chain():
    before = entries()
    results = []

    def writer(srv, n):
        for k in range(10):
            code = 'P%s%02d' % (n, k)
            results.append(send(srv, 'POST', '/api/v1/persons', {
                'code': code, 'name': 'Person ' + code, 'nation': 'CAN',
                'category': 'military', 'valid_from': '2026-12-01'})[0])
    ts = [threading.Thread(target=writer, args=((A, B)[i % 2], chr(65 + i)))
          for i in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert results.count(201) == 40, sorted(results)
    assert entries() == before + 40
    codes = [p['code'] for p in send(A, 'GET', '/api/v1/persons?limit=100')[2]['items']]
    assert len([c for c in codes if c.startswith('P')]) == 40, codes
    rc, out, err = cadre(DB, 'check', '--json')
    assert rc == 0 and json.loads(out)['violations'] == [], out + err


@test
def both_servers_stop_cleanly():
    for srv in (A, B):
        rc, err = srv.stop()
        assert rc == 0, err


run()
