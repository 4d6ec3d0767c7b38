#!/usr/bin/env python3
"""API load benchmark: requests per second and latency of cadre serve's
routes on the demo mission, each against /healthz (a static response of
the same server: no database, no caller) run the same way in the same
script as the ceiling of the HTTP stack.

usage: bench/api.py [--cadre build/cadre] [--seconds 5] [--clients 64]
                    [--python] [--no-cache] [--readers 0,4] [--threads N]
                    [--routes N] [--engines sqlite,postgres] [--servers 1,2]

With wrk (Debian's package) on loopback: 2 threads, CLIENTS connections,
SECONDS per route, p99 from its latency distribution. Without it (or with
--python), Python threads with keep-alive connections. The ratios, not the
absolute figures, are the result on a shared machine. Aim (issue 4): the
50-person list at >= 30% of the static response's throughput, p99 under
20 ms at 64 connections, no errors.

--readers 0,4 runs the routes against one server per value, side by side
in one run: 0 is the single connection behind one lock, 4 a pool of four
read connections beside the writer (serve --readers; a GET holds one
while a thread answers it, so more readers than --threads, the same for
every server, sit idle). With --no-cache it is the database that answers,
which is what the pool is for (issue 15: the 50-person list at >= 30% of
/healthz, p99 under 20 ms at 64 connections, no errors). --routes N runs
only the first N routes (3: /healthz, the 50-person list, one record).

--engines sqlite,postgres runs everything on each engine in turn, side by
side: the demo mission is made on SQLite and copied (cadre copy) into a
throwaway PostgreSQL cluster (tests/lib/pgcluster.py; Debian's postgresql)
on a Unix socket. --servers 1,2 runs N servers on the one database at once,
the CLIENTS connections shared among them (a load generator each): the
ratio of two servers' requests per second to one's is issue 15's figure
for PostgreSQL. Each share is against /healthz of the same servers.

--mixed adds, for each server set-up, a mixed load from Python threads
(CLIENTS of them, SECONDS long): 90% reads of one person, 10% writes,
half of them new persons (POST), half a change of one (PATCH with the
If-Match of a GET just before; 412, another writer first, is counted
apart, not as an error). Then the audit chain is verified, and it must
have grown by exactly the writes that were answered 200 or 201.
"""
import argparse
import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROUTES = [
    ('/healthz', False),
    ('/api/v1/persons?limit=50', True),
    ('/api/v1/persons/P00001', True),
    ('/api/v1/sites', True),
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


def load_mixed(ports, token, seconds, clients):
    """(req/s, p50 ms, p99 ms, errors, writes, conflicts) of the mix."""
    lat, counts, failed = [], {'errors': 0, 'writes': 0, 'conflicts': 0}, {}
    stop = time.monotonic() + seconds
    lock = threading.Lock()
    run = '%06X' % (int(time.time() * 1000) & 0xFFFFFF)   # new codes each run

    def worker(n):
        import random
        rnd = random.Random(n)
        c = http.client.HTTPConnection('127.0.0.1', ports[n % len(ports)], timeout=30)
        h = {'Authorization': 'Bearer ' + token, 'Content-Type': 'application/json'}
        mine, mc, k = [], {'errors': 0, 'writes': 0, 'conflicts': 0}, 0

        def req(method, path, body=None, extra=None):
            c.request(method, path, body=body, headers=dict(h, **(extra or {})))
            r = c.getresponse()
            r.read()
            return r.status, r.getheader('ETag')
        while time.monotonic() < stop:
            t0 = time.perf_counter()
            roll = rnd.random()
            if roll < 0.90:
                st, _ = req('GET', '/api/v1/persons/P%05d' % rnd.randint(1, 300))
                ok = st == 200
            elif roll < 0.95:
                k += 1
                st, _ = req('POST', '/api/v1/persons', json.dumps({
                    'code': 'MX%s%02d%05d' % (run, n, k), 'name': 'Mixed %d %d' % (n, k),
                    'nation': 'CAN', 'category': 'military',
                    'valid_from': '2026-12-01'}))
                ok = st == 201
                mc['writes'] += ok
            else:
                k += 1
                target = '/api/v1/persons/P%05d' % rnd.randint(1, 20)
                st, etag = req('GET', target)
                st, _ = req('PATCH', target, json.dumps({'name': 'Renamed %d %d' % (n, k)}),
                            {'If-Match': etag or '*'})
                ok = st in (200, 412)
                mc['writes'] += st == 200
                mc['conflicts'] += st == 412
            mine.append(time.perf_counter() - t0)
            mc['errors'] += not ok
            if not ok:
                with lock:
                    failed[st] = failed.get(st, 0) + 1
        with lock:
            lat.extend(mine)
            for key in counts:
                counts[key] += mc[key]
        c.close()

    ts = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for th in ts:
        th.start()
    for th in ts:
        th.join()
    lat.sort()
    ms = lambda q: 1000 * lat[min(len(lat) - 1, int(q * len(lat)))] if lat else float('nan')
    return (len(lat) / seconds, ms(0.5), ms(0.99), counts['errors'], counts['writes'],
            counts['conflicts'], failed)


def entries(cadre, target):
    out = subprocess.run([cadre, '--db', target, 'audit', 'verify', '--json'],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    return json.loads(out.stdout)['entries']


def load_wrk(port, path, token, seconds, clients):
    cmd = ['wrk', '-t2', '-c%d' % clients, '-d%ds' % max(1, int(seconds)),
           '--latency', '--timeout', '5s']
    if token:
        cmd += ['-H', 'Authorization: Bearer ' + token]
    out = subprocess.run(cmd + ['http://127.0.0.1:%d%s' % (port, path)],
                         capture_output=True, text=True, check=True).stdout

    def ms(label):
        m = re.search(r'^\s+%s\s+([\d.]+)(us|ms|s)\s*$' % label, out, re.M)
        if not m:
            return float('nan')
        v = float(m.group(1))
        return v / 1000 if m.group(2) == 'us' else v * 1000 if m.group(2) == 's' else v

    rps = float(re.search(r'Requests/sec:\s+([\d.]+)', out).group(1))
    bad = re.search(r'Non-2xx or 3xx responses: (\d+)', out)
    sock = re.search(r'Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)', out)
    errors = (int(bad.group(1)) if bad else 0) + (sum(map(int, sock.groups())) if sock else 0)
    return rps, ms('50%'), ms('99%'), errors


def load_many(run_one, ports, path, token, seconds, clients):
    """RUN_ONE against every port at once, CLIENTS shared among them:
    requests per second summed, the worst p50 and tail, errors summed."""
    out = [None] * len(ports)

    def one(i):
        out[i] = run_one(ports[i], path, token, seconds, max(1, clients // len(ports)))
    ts = [threading.Thread(target=one, args=(i,)) for i in range(len(ports))]
    for th in ts:
        th.start()
    for th in ts:
        th.join()
    return (sum(r[0] for r in out), max(r[1] for r in out), max(r[2] for r in out),
            sum(r[3] for r in out))


def postgres_copy(cadre, db, d):
    """A throwaway cluster holding a copy of database DB: (cluster, URL)."""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                    '..', 'tests', 'lib'))
    import pgcluster
    c = pgcluster.Cluster()
    c.start()
    url = c.createdb('bench')
    os.environ['CADRE_STATE_DIR'] = d
    subprocess.run([cadre, 'copy', db, url], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return c, url


def serve(a, target, engine, nserv, readers, token, use_wrk, writer=None):
    """NSERV servers on TARGET, every route against them, a line each."""
    extra = ['--no-cache'] if a.no_cache else []
    if readers is not None:
        extra += ['--readers', str(readers)]
    if a.threads:
        extra += ['--threads', str(a.threads)]
    srvs, ports = [], []
    try:
        for _ in range(nserv):
            srv = subprocess.Popen([a.cadre, '--db', target, 'serve', '--listen',
                                    '127.0.0.1:0', '--quiet'] + extra,
                                   stdout=subprocess.PIPE, text=True)
            srvs.append(srv)
            ports.append(int(re.search(r':(\d+)/', srv.stdout.readline()).group(1)))
        base = None
        for path, auth in ROUTES[:a.routes]:
            # The last route's connections close first: 64 new ones
            # from the one address of loopback, beside 64 still
            # closing, are past serve's --max-per-address.
            time.sleep(1)
            run_one = load_wrk if use_wrk else load
            rps, p50, ptail, err = load_many(run_one, ports, path,
                                             token if auth else None,
                                             a.seconds, a.clients)
            base = base or rps
            print('%-8s %-7d %-8s %-46s %9.0f %8.2f %8.2f %7d %7.0f%%' % (
                engine, nserv, 'default' if readers is None else readers, path,
                rps, p50, ptail, err, 100 * rps / base))
            sys.stdout.flush()
        if writer:
            time.sleep(1)
            before = entries(a.cadre, target)
            rps, p50, p99, err, writes, conflicts, failed = load_mixed(
                ports, writer, a.seconds, a.clients)
            grown = entries(a.cadre, target) - before
            print('%-8s %-7d %-8s %-46s %9.0f %8.2f %8.2f %7d %8s' % (
                engine, nserv, 'default' if readers is None else readers,
                'mixed 90/10 (python)', rps, p50, p99, err,
                'chain ok' if grown == writes else 'CHAIN %d != %d' % (grown, writes)))
            print('%-8s %-7s %-8s   %d writes answered, %d conflicts (412); audit chain '
                  'verified, %d entries more%s' % (
                      '', '', '', writes, conflicts, grown,
                      '; failed: ' + ', '.join('%d x %s' % (n, s) for s, n in
                                               sorted(failed.items())) if failed else ''))
            sys.stdout.flush()
    finally:
        for srv in srvs:
            srv.terminate()
            srv.wait()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--cadre', default='build/cadre')
    ap.add_argument('--seconds', type=float, default=5)
    ap.add_argument('--clients', type=int, default=64)
    ap.add_argument('--python', action='store_true')
    ap.add_argument('--no-cache', action='store_true',
                    help='serve every GET from the database')
    ap.add_argument('--readers', default=None,
                    help='comma-separated values of serve --readers, a '
                    'server each (default: the server\'s own default)')
    ap.add_argument('--threads', type=int, default=0,
                    help='serve --threads, the same for every server')
    ap.add_argument('--routes', type=int, default=len(ROUTES),
                    help='only the first N routes')
    ap.add_argument('--engines', default='sqlite',
                    help='comma-separated: sqlite, postgres')
    ap.add_argument('--servers', default='1',
                    help='comma-separated numbers of servers on one database')
    ap.add_argument('--mixed', action='store_true',
                    help='also a 90%% read, 10%% write load, then the audit chain')
    a = ap.parse_args()
    pools = [int(x) for x in a.readers.split(',')] if a.readers else [None]
    engines = a.engines.split(',')
    servers = [int(x) for x in a.servers.split(',')]
    use_wrk = not a.python and shutil.which('wrk')
    d = tempfile.mkdtemp(prefix='cadre-api-bench-')
    db = os.path.join(d, 'demo.db')
    subprocess.run([a.cadre, '--db', db, 'demo'], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([a.cadre, '--db', db, 'user', 'add', 'bench', '--role',
                    'commander', '--clearance', 'NS'], input='a long enough password\n',
                   text=True, check=True, stdout=subprocess.DEVNULL)
    token = json.loads(subprocess.run([a.cadre, '--db', db, 'token', 'add', 'bench',
                                       '--json'], capture_output=True, text=True,
                                      check=True).stdout)['token']
    writer = None
    if a.mixed:
        subprocess.run([a.cadre, '--db', db, 'user', 'add', 'bench.w', '--role',
                        'manning', '--clearance', 'NS'], input='a long enough password\n',
                       text=True, check=True, stdout=subprocess.DEVNULL)
        writer = json.loads(subprocess.run([a.cadre, '--db', db, 'token', 'add',
                                            'bench.w', '--json'], capture_output=True,
                                           text=True, check=True).stdout)['token']
    tail = 'p99 ms' if use_wrk else 'p95 ms'
    print('%-8s %-7s %-8s %-46s %9s %8s %8s %7s %8s' % (
        'engine', 'servers', 'readers', 'route', 'req/s', 'p50 ms', tail, 'errors',
        'share'))
    cluster = None
    try:
        for engine in engines:
            target = db
            if engine == 'postgres':
                cluster, target = postgres_copy(a.cadre, db, d)
            for nserv in servers:
                for readers in pools:
                    serve(a, target, engine, nserv, readers, token, use_wrk, writer)
            if cluster:
                cluster.stop()
                cluster = None
    finally:
        if cluster:
            cluster.stop()
    print('(share: the route\'s requests per second as a share of /healthz\'s '
          'on the same server; %s, %d connections, %.0f s each%s)' % (
              'wrk' if use_wrk else 'python', a.clients, a.seconds,
              ', answer cache off' if a.no_cache else ''))


if __name__ == '__main__':
    sys.exit(main())
