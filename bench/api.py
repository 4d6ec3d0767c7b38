#!/usr/bin/env python3
"""API load benchmark: requests per second and latency of cadre serve's
routes on the demo mission, each against /healthz (no database, no
caller) run the same way in the same script as the floor of the machine.

usage: bench/api.py [--cadre build/cadre] [--seconds 5] [--clients 8]

Clients are Python threads with keep-alive connections on loopback; the
ratios, not the absolute figures, are the result on a shared machine.
"""
import argparse
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROUTES = [
    ('/healthz', False),
    ('/api/v1/sites', True),
    ('/api/v1/persons/P00001', True),
    ('/api/v1/sessions?limit=100', True),
    ('/api/v1/status?as_of=2020-01-05', True),
    ('/api/v1/nations?as_of=2020-03-27&status=member', True),
]


def load(port, path, token, seconds, clients):
    lat, errors = [], [0]
    stop = time.monotonic() + seconds
    lock = threading.Lock()

    def worker():
        c = http.client.HTTPConnection('127.0.0.1', port, timeout=30)
        h = {'Authorization': 'Bearer ' + token} if token else {}
        mine = []
        while time.monotonic() < stop:
            t = time.perf_counter()
            c.request('GET', path, headers=h)
            r = c.getresponse()
            r.read()
            mine.append(time.perf_counter() - t)
            if r.status != 200:
                errors[0] += 1
        with lock:
            lat.extend(mine)
        c.close()

    ts = [threading.Thread(target=worker) for _ in range(clients)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    lat.sort()
    return (len(lat) / seconds, statistics.median(lat) * 1000,
            lat[int(len(lat) * 0.95)] * 1000, errors[0])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--cadre', default='build/cadre')
    ap.add_argument('--seconds', type=float, default=5)
    ap.add_argument('--clients', type=int, default=8)
    a = ap.parse_args()
    d = tempfile.mkdtemp(prefix='cadre-api-bench-')
    db = os.path.join(d, 'demo.db')
    subprocess.run([a.cadre, '--db', db, 'demo'], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([a.cadre, '--db', db, 'user', 'add', 'bench', '--role',
                    'commander', '--clearance', 'NS'], input='a long enough password\n',
                   text=True, check=True, stdout=subprocess.DEVNULL)
    token = json.loads(subprocess.run([a.cadre, '--db', db, 'token', 'add', 'bench',
                                       '--json'], capture_output=True, text=True,
                                      check=True).stdout)['token']
    srv = subprocess.Popen([a.cadre, '--db', db, 'serve', '--listen', '127.0.0.1:0',
                            '--quiet'], stdout=subprocess.PIPE, text=True)
    port = int(re.search(r':(\d+)/', srv.stdout.readline()).group(1))
    try:
        base = None
        print('%-46s %9s %8s %8s %7s %6s' % ('route', 'req/s', 'p50 ms', 'p95 ms',
                                             'errors', 'ratio'))
        for path, auth in ROUTES:
            rps, p50, p95, err = load(port, path, token if auth else None,
                                      a.seconds, a.clients)
            base = base or rps
            print('%-46s %9.0f %8.2f %8.2f %7d %6.2f' % (path, rps, p50, p95, err,
                                                         base / rps))
        print('(ratio: /healthz requests per second over the route\'s; %d clients, '
              '%.0f s each)' % (a.clients, a.seconds))
    finally:
        srv.terminate()
        srv.wait()


if __name__ == '__main__':
    sys.exit(main())
