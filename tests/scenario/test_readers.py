#!/usr/bin/env python3
"""`cadre serve --readers N`: GETs through a pool of read connections
beside the one writer. Many readers at once while records are written:
every answer is 200, a list never loses a record it has shown, and a
record answered 201 is there for the next GET, whichever connection
answers it (read-your-writes across connections); an ETag read through a
reader is the one the writer checks. --readers 0 is the single
connection of before.
"""
import http.client
import json
import os
import threading
import time
import urllib.parse

import harness
from harness import cadre, ok_json, run, test, tmpdir

DIR = tmpdir()
DB = os.path.join(DIR, 'demo.db')
assert cadre(DB, 'demo')[0] == 0
PW = 'a long enough password'
for login, role in (('cmd', 'commander'), ('j1', 'manning')):
    assert cadre(DB, 'user', 'add', login, '--role', role, '--clearance', 'NS',
                 stdin=PW + '\n')[0] == 0
TOKEN = {l: ok_json(DB, 'token', 'add', l)['token'] for l in ('cmd', 'j1')}
NAME = 'Pool Reader'
LIST = '/api/v1/persons?limit=10000&name=' + urllib.parse.quote(NAME)


class Client:
    """A keep-alive connection to SRV as a bearer token or a cookie."""

    def __init__(self, srv, token=None, cookie=None):
        self.c = http.client.HTTPConnection('127.0.0.1', srv.port, timeout=30)
        self.h = {'Authorization': 'Bearer ' + token} if token else {}
        if cookie:
            self.h['Cookie'] = cookie

    def call(self, method, path, body=None, headers=None):
        h = dict(self.h, **(headers or {}))
        self.c.request(method, path, body=json.dumps(body) if body is not None
                       else None, headers=h)
        r = self.c.getresponse()
        data = r.read()
        try:
            j = json.loads(data)
        except ValueError:
            j = None
        return r.status, dict(r.getheaders()), j


def login_cookie(srv):
    st, h, j = srv.call('POST', '/api/v1/auth/login', body={
        'login': 'cmd', 'password': PW})
    assert st == 200, (st, j)
    return h['Set-Cookie'].split(';')[0]


def hammer(srv, seconds=3.0, readers=4, writes=40):
    """Readers list and fetch while one writer creates WRITES persons and
    changes each once (If-Match from a GET). The problems found, a list."""
    problems, lock = [], threading.Lock()
    made = []		# codes answered 201, in order
    done = threading.Event()
    tag = '%x' % int(time.time() * 1000 % 0xfffff)

    def problem(*what):
        with lock:
            problems.append(what)

    def writer():
        c = Client(srv, TOKEN['j1'])
        try:
            for i in range(writes):
                code = 'PR%s%03d' % (tag, i)
                st, h, j = c.call('POST', '/api/v1/persons', {
                    'code': code, 'name': NAME, 'nation': 'CAN',
                    'category': 'military', 'valid_from': '2026-12-01'})
                if st != 201:
                    problem('POST', code, st, j)
                    continue
                with lock:
                    made.append(code)
                # Read back (a reader) and change it with that ETag (the
                # writer): the reader saw the commit, and its ETag.
                st, h, j = c.call('GET', '/api/v1/persons/' + code)
                if st != 200:
                    problem('GET after 201', code, st, j)
                    continue
                st, _, j = c.call('PATCH', '/api/v1/persons/' + code,
                                  {'rank': 'OF-%d' % (i % 5 + 1)},
                                  {'If-Match': h['ETag']})
                if st != 200:
                    problem('PATCH with the ETag read', code, st, j)
        finally:
            done.set()

    def reader(n, cookie=None):
        c = Client(srv, None if cookie else TOKEN['cmd'], cookie)
        seen = 0
        stop = time.monotonic() + seconds
        while time.monotonic() < stop or not done.is_set():
            with lock:
                before = list(made)
            st, _, j = c.call('GET', LIST)
            if st != 200:
                problem('list', n, st, j)
                continue
            codes = {p['code'] for p in j['items']}
            if len(codes) < seen:
                problem('the list went back', n, seen, len(codes))
            seen = len(codes)
            missing = [k for k in before if k not in codes]
            if missing:
                problem('committed before the GET, not in it', n, missing[:3])
            if before:
                st, _, j = c.call('GET', '/api/v1/persons/' + before[-1])
                if st != 200 or j['code'] != before[-1]:
                    problem('one record', n, st, j)
            st, _, j = c.call('GET', '/api/v1/status?as_of=2020-01-05')
            if st != 200:
                problem('status', n, st, j)

    cookie = login_cookie(srv)
    ts = [threading.Thread(target=writer)]
    ts += [threading.Thread(target=reader, args=(n, cookie if n == 0 else None))
           for n in range(readers)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(120)
    assert len(made) == writes, (len(made), problems[:5])
    st, _, j = srv.call('GET', LIST, TOKEN['cmd'])
    assert st == 200 and {p['code'] for p in j['items']} >= set(made)
    return problems


def stopped_clean(srv):
    rc, err = srv.stop()
    assert rc == 0, (rc, err)
    assert 'cadre: GET' not in err and 'cadre: P' not in err, err


@test
def readers_answer_beside_the_writer_without_the_cache():
    srv = harness.Server(DB, '--readers', '4', '--threads', '4', '--no-cache')
    try:
        problems = hammer(srv)
    finally:
        stopped_clean(srv)
    assert not problems, problems[:10]


@test
def readers_with_the_answer_cache_keep_no_stale_answer():
    # A reader that read before a write and answers after it must not
    # leave its answer in the cache for the next caller.
    srv = harness.Server(DB, '--readers', '4', '--threads', '4')
    try:
        problems = hammer(srv, seconds=2.0)
    finally:
        stopped_clean(srv)
    assert not problems, problems[:10]


@test
def readers_zero_is_the_single_connection():
    srv = harness.Server(DB, '--readers', '0', '--no-cache')
    try:
        problems = hammer(srv, seconds=1.0, readers=2, writes=10)
    finally:
        stopped_clean(srv)
    assert not problems, problems[:10]


@test
def more_readers_than_threads_and_fewer():
    for args in (['--readers', '1', '--threads', '3'],
                 ['--readers', '8', '--threads', '2']):
        srv = harness.Server(DB, *args, '--no-cache')
        try:
            problems = hammer(srv, seconds=1.0, readers=3, writes=5)
        finally:
            stopped_clean(srv)
        assert not problems, (args, problems[:10])


@test
def readers_out_of_range_is_a_usage_error():
    for bad in ('-1', '257', 'four'):
        rc, out, err = cadre(DB, 'serve', '--readers', bad)
        assert rc == 2 and '--readers' in err, (bad, rc, out, err)


@test
def the_audit_chain_holds_after_it():
    rc, out, err = cadre(DB, 'audit', 'verify')
    assert rc == 0, out + err


if __name__ == '__main__':
    run()
