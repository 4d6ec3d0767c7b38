#!/usr/bin/env python3
"""`cadre serve` under overload: one address flooding it with slow
connections, requests that trickle in, forty logins at once.

Every client is on loopback, but Linux lets a client socket bind to any
127.x.y.z source address while it connects to 127.0.0.1: 127.0.0.3 is
the flood, 127.0.0.2 the user who must still be served. The assertions
are orderings (the healthy request answers while the flood still holds,
a GET finishes before most of the logins sent before it), with bounds
far from what a loaded machine needs.
"""
import http.client
import json
import os
import socket
import threading
import time

import harness
from harness import cadre, ok_json, run, test, tmpdir

DIR = tmpdir()
DB = os.path.join(DIR, 'demo.db')
assert cadre(DB, 'demo')[0] == 0
PW = 'a long enough password'
for who in ('cmd', 'leaver'):
    assert cadre(DB, 'user', 'add', who, '--role', 'commander',
                 stdin=PW + '\n')[0] == 0
TOKEN = ok_json(DB, 'token', 'add', 'cmd')['token']
FLOOD, USER = '127.0.0.3', '127.0.0.2'


def fetch(srv, method, path, src=USER, body=None, headers=None, timeout=30):
    """(status, headers) of one request from address SRC."""
    c = http.client.HTTPConnection('127.0.0.1', srv.port, timeout=timeout,
                                   source_address=(src, 0))
    try:
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        r.read()
        return r.status, dict(r.getheaders())
    finally:
        c.close()


def answered(srv, src):
    """Whether /healthz answers SRC with 200 (not closed at once)."""
    try:
        return fetch(srv, 'GET', '/healthz', src=src, timeout=20)[0] == 200
    except (ConnectionError, http.client.HTTPException):
        return False


def slow_socket(srv, src, start=b'GET /healthz HTTP/1.1\r\nHost: x\r\n'):
    """A connection from SRC that has sent START and nothing more."""
    s = socket.socket()
    s.bind((src, 0))
    s.connect(('127.0.0.1', srv.port))
    if start:
        s.sendall(start)
    return s


def is_open(s):
    """Whether the server still holds S (it sends slow clients nothing)."""
    try:
        return s.recv(1, socket.MSG_DONTWAIT) != b''
    except BlockingIOError:
        return True
    except OSError:
        return False


class Trickle:
    """Send each of SOCKS one more header byte every PERIOD seconds, so
    that no idle timeout ever fires, until stop()."""

    def __init__(self, socks, data=b'X', period=0.3):
        self.socks, self.data, self.period = socks, data, period
        self.done = threading.Event()
        self.t = threading.Thread(target=self.loop, daemon=True)
        self.t.start()

    def loop(self):
        while not self.done.wait(self.period):
            for s in self.socks:
                try:
                    s.send(self.data, socket.MSG_DONTWAIT)
                except OSError:
                    pass

    def stop(self):
        self.done.set()
        self.t.join()
        for s in self.socks:
            s.close()


def wait_for(cond, secs):
    end = time.monotonic() + secs
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.1)
    return cond()


@test
def one_address_flooding_does_not_deny_another():
    # The default limits; a request timeout long enough that only the
    # per-address limit can explain why the flood does not hold.
    srv = harness.Server(DB, '--request-timeout', '300')
    socks = []
    try:
        for _ in range(600):
            socks.append(slow_socket(srv, FLOOD))
        tr = Trickle(socks)
        assert wait_for(lambda: sum(map(is_open, socks)) <= 64, 20), \
            '%d of the flood held' % sum(map(is_open, socks))
        st, _ = fetch(srv, 'GET', '/healthz', timeout=20)
        assert st == 200
        st, _ = fetch(srv, 'GET', '/api/v1/persons?limit=1',
                      headers={'Authorization': 'Bearer ' + TOKEN}, timeout=20)
        assert st == 200
        held = sum(map(is_open, socks))
        assert 32 <= held <= 64, '%d of the flood held' % held
        tr.stop()
    finally:
        for s in socks:
            s.close()
        rc, err = srv.stop()
    # Each of the ~540 refused connections is a libmicrohttpd message;
    # the log shows at most 10 a second and counts the rest.
    lines = [l for l in err.splitlines() if 'libmicrohttpd' in l]
    shown = [l for l in lines if 'not shown' not in l]
    assert lines and len(shown) <= 10 * 25, (len(lines), lines[:3])
    assert any('more messages not shown' in l for l in lines), lines[-3:]


@test
def the_per_address_limit_is_an_option():
    srv = harness.Server(DB, '--max-per-address', '4', '--request-timeout', '300')
    try:
        socks = [slow_socket(srv, FLOOD) for _ in range(4)]
        extra = slow_socket(srv, FLOOD)
        assert wait_for(lambda: not is_open(extra), 20), 'a 5th connection held'
        assert not answered(srv, FLOOD), 'answered past the limit'
        assert answered(srv, USER)
        assert all(map(is_open, socks))
        for s in socks:
            s.close()
        # Its connections gone (the server sees them close soon after),
        # the address is served again.
        assert wait_for(lambda: answered(srv, FLOOD), 20)
        extra.close()
    finally:
        srv.stop()


@test
def a_request_that_trickles_in_is_cut_off():
    srv = harness.Server(DB, '--request-timeout', '2')
    try:
        headers = slow_socket(srv, FLOOD)
        body = slow_socket(srv, FLOOD, b'POST /api/v1/auth/login HTTP/1.1\r\n'
                           b'Host: x\r\nContent-Length: 100000\r\n\r\n{')
        silent = slow_socket(srv, FLOOD, None)
        tr = Trickle([headers, body], period=0.2)
        # Each sends something five times a second: only a deadline on
        # the whole request ends them (the idle timeout is 30 s).
        started = time.monotonic()
        assert wait_for(lambda: not any(map(is_open, [headers, body, silent])),
                        20), 'still open after 20 s: headers %s, body %s, ' \
            'silent %s' % tuple(map(is_open, [headers, body, silent]))
        assert time.monotonic() - started >= 1, 'cut before its deadline'
        tr.stop()
        silent.close()
        # A request that arrives whole is answered as before, twice on one
        # connection.
        c = http.client.HTTPConnection('127.0.0.1', srv.port, timeout=20)
        for _ in range(2):
            c.request('GET', '/healthz')
            r = c.getresponse()
            r.read()
            assert r.status == 200
        c.close()
    finally:
        srv.stop()


def login_flood(srv, login, n):
    """Start N logins of LOGIN, each from its own address; the list of
    [status, headers, finished] filled in as they answer, and threads."""
    results = [None] * n
    sent = threading.Barrier(n + 1)

    def one(i):
        c = http.client.HTTPConnection('127.0.0.1', srv.port, timeout=120,
                                       source_address=('127.0.1.%d' % (i + 1), 0))
        try:
            c.request('POST', '/api/v1/auth/login',
                      json.dumps({'login': login, 'password': PW}))
            sent.wait()
            r = c.getresponse()
            r.read()
            results[i] = [r.status, dict(r.getheaders()), time.monotonic()]
        except Exception as e:  # pylint: disable=broad-except
            results[i] = [repr(e), {}, time.monotonic()]
        finally:
            c.close()
    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    sent.wait()
    return results, threads


@test
def logins_do_not_stall_other_requests():
    srv = harness.Server(DB)
    try:
        results, threads = login_flood(srv, 'cmd', 40)
        # Sent once all forty logins are on the wire.
        st, _ = fetch(srv, 'GET', '/api/v1/persons?limit=1',
                      headers={'Authorization': 'Bearer ' + TOKEN}, timeout=60)
        got = time.monotonic()
        assert st == 200
        assert fetch(srv, 'GET', '/healthz', timeout=60)[0] == 200
        for t in threads:
            t.join()
        ok = sorted(r[2] for r in results if r[0] == 200)
        for r in results:
            assert r[0] in (200, 503), r
            if r[0] == 503:
                assert r[1].get('Retry-After'), r
        assert len(ok) >= 4, [r[0] for r in results]
        # Hashed one after another under the database lock, the GET
        # waited for nearly all of them.
        later = sum(1 for t in ok if t > got)
        assert later >= len(ok) // 2, \
            'only %d of %d logins finished after the GET' % (later, len(ok))
        # Overloaded or not, the server logs in again afterwards.
        st, h = fetch(srv, 'POST', '/api/v1/auth/login',
                      body=json.dumps({'login': 'cmd', 'password': PW}))
        assert st == 200 and 'cadre_session=' in h.get('Set-Cookie', '')
    finally:
        srv.stop()


@test
def an_account_disabled_while_its_logins_hash_is_refused():
    srv = harness.Server(DB)
    try:
        results, threads = login_flood(srv, 'leaver', 30)
        assert cadre(DB, 'user', 'disable', 'leaver')[0] == 0
        disabled = time.monotonic()
        for t in threads:
            t.join()
        # A login answered well after the account was disabled checked
        # it again after its hash: refused, whatever its password.
        late = [r[0] for r in results if r[2] > disabled + 1]
        assert 200 not in late, late
        st = fetch(srv, 'POST', '/api/v1/auth/login',
                   body=json.dumps({'login': 'leaver', 'password': PW}))[0]
        assert st in (401, 429), st
    finally:
        srv.stop()


run()
