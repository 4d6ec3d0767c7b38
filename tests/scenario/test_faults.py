#!/usr/bin/env python3
"""Faults end a write as a whole (issue 13): a full disk during an import,
an action, the planner, `demo --force`, `generate --force` or an API write
(a record or an action) leaves every table and the audit chain as they
were, with exit 3 (500) and a message that says what happened; a database
held by another writer is a 503 with Retry-After, not a bare 500.

The full disk is a small tmpfs, which needs root (CI runs as root); where
it cannot be mounted those cases are skipped. On PostgreSQL the tmpfs is
a tablespace that holds the database's tables and indexes (its catalogs
and WAL stay on the cluster's disk): a write that needs a page more
fails as it would on a full disk, and is rolled back whole; the other
writer holds PostgreSQL's write lock (an advisory lock, db_pg.c); and a
writer killed at any moment leaves the last commit."""
import json
import os
import pwd
import signal
import subprocess
import tempfile
import threading
import time

import harness
from dbstate import fingerprint, leftovers
from harness import Skip, cadre, copy_db, engine, ok_json, run, test, tmpdir, write

PW = 'a long enough password'
# The tablespace of each small disk, and the databases put on it.
_space = {}


def small_disk(size='3m'):
    """A fresh tmpfs of SIZE; the test is skipped where it cannot be
    mounted. On PostgreSQL a tablespace on it too (on_disk())."""
    d = tempfile.mkdtemp(prefix='cadre-full-')
    p = subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=' + size, 'tmpfs', d],
                       capture_output=True)
    if p.returncode:
        raise Skip('no tmpfs (not root)')
    if engine.POSTGRES:
        c = engine.cluster()
        where = os.path.join(d, 'pg')
        os.mkdir(where, 0o700)
        if os.geteuid() == 0:
            pw = pwd.getpwnam(c.user)
            os.chown(where, pw.pw_uid, pw.pw_gid)
        name = 'small_' + os.path.basename(d).replace('-', '_').lower()
        c.psql('postgres', '-c', "CREATE TABLESPACE %s LOCATION '%s'" % (name, where))
        _space[d] = (name, [])
    return d


def on_disk(db, disk):
    """Put database DB on DISK: on SQLite it is there already (a path on
    it); on PostgreSQL its tables and indexes, and those it makes from
    now on, move to DISK's tablespace."""
    if not engine.POSTGRES:
        return db
    c = engine.cluster()
    space, dbs = _space[disk]
    engine.target(db)
    name = engine.name_of(db)
    dbs.append(name)
    c.psql(name, '-c', 'ALTER DATABASE "%s" SET default_tablespace = %s' % (name, space))
    c.psql(name, '-c', 'ALTER TABLE ALL IN TABLESPACE pg_default SET TABLESPACE ' + space)
    c.psql(name, '-c', 'ALTER INDEX ALL IN TABLESPACE pg_default SET TABLESPACE ' + space)
    return db


def unmount(d):
    if d in _space:
        space, dbs = _space.pop(d)
        c = engine.cluster()
        for name in dbs:
            c.psql('postgres', '-c', 'DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % name)
        c.psql('postgres', '-c', 'DROP TABLESPACE ' + space)
    subprocess.run(['umount', d], capture_output=True)
    try:
        os.rmdir(d)
    except OSError:
        pass


def base(db, d):
    assert cadre(db, 'init')[0] == 0
    ok_json(db, 'import', 'nations', write(os.path.join(d, 'n.csv'),
            'code,name\nIRQ,Iraq\n'))
    ok_json(db, 'import', 'organisations', write(os.path.join(d, 'o.csv'),
            'code,name,kind,nation,valid_from\n'
            'IRQ-MOD,Ministry,host-ministry,IRQ,2019-01-01\n'))


def counts(db):
    with engine.connect(db) as con:
        return [con.execute('SELECT count(*) FROM %s' % t).fetchone()[0]
                for t in ('trainee', 'audit')]


def assert_intact(db):
    """`audit verify` passes on DB."""
    rc, out, err = cadre(db, 'audit', 'verify')
    assert rc == 0 and 'intact' in out, (rc, out, err)


def account(db, login, role):
    """An account LOGIN of ROLE on DB; its API token."""
    rc, out, err = cadre(db, 'user', 'add', login, '--role', role,
                         stdin=PW + '\n')
    assert rc == 0, out + err
    return ok_json(db, 'token', 'add', login)['token']


def fill(disk, leave=0):
    """Fill DISK but for LEAVE bytes; returns the filler's path. On
    PostgreSQL all of it: what a write needs to open and work (the WAL,
    the catalogs) is on the cluster's own disk, and a few pages more
    would hold a small write whole."""
    if engine.POSTGRES:
        leave = 0
    path = os.path.join(disk, 'filler')
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    try:
        for chunk in (1 << 20, 4096):
            try:
                while True:
                    os.write(fd, b'\0' * chunk)
            except OSError:
                pass
    finally:
        os.close(fd)
    os.truncate(path, max(0, os.path.getsize(path) - leave))
    return path


_demo = []


def demo():
    """A demo database, made once per script (copy it before use)."""
    if not _demo:
        db = os.path.join(tmpdir(), 'demo.db')
        rc, out, err = cadre(db, 'demo')
        assert rc == 0, out + err
        _demo.append(db)
    return _demo[0]


def full_during(argv, leave=64 << 10):
    """Run `cadre --db DEMO ARGV` on a copy of the demo on a small disk
    filled but for LEAVE bytes: enough to open the database and do the
    work, not to commit it. It must exit 3 saying the disk is full and
    leave the database exactly as it was; with the space freed the same
    command then succeeds and changes it (else this tested nothing)."""
    disk = small_disk('96m')
    try:
        db = on_disk(copy_db(demo(), disk), disk)
        before = fingerprint(db)
        filler = fill(disk, leave)
        rc, out, err = cadre(db, *argv)
        assert rc == 3, (argv, rc, out[-300:], err[-300:])
        assert 'the disk is full' in err and 'nothing was written' in err, err
        assert fingerprint(db) == before, argv
        assert leftovers(db) == [], leftovers(db)
        assert_intact(db)
        os.unlink(filler)
        rc, out, err = cadre(db, *argv)
        assert rc == 0, (argv, rc, out[-300:], err[-300:])
        assert fingerprint(db) != before, ('%r changed nothing' % argv)
    finally:
        unmount(disk)


@test
def a_full_disk_during_a_suspension_leaves_everything_as_it_was():
    full_during(['suspend', '--scope', 'mission', '--from', '2026-12-01',
                 '--reason', 'full disk test'])


@test
def a_full_disk_during_the_planners_apply_leaves_everything_as_it_was():
    full_during(['plan', 'sessions', '--from', '2026-01-01', '--to', '2028-12-31',
                 '--apply'])


def force_refused_on_postgres(argv):
    """On PostgreSQL --force has no file to build beside the old one: it
    is refused, saying what to do instead, and changes nothing."""
    db = copy_db(demo(), tmpdir())
    before = fingerprint(db)
    rc, out, err = cadre(db, *argv)
    assert rc == 2 and 'dropdb' in err and 'without --force' in err, (rc, err)
    assert fingerprint(db) == before, argv


@test
def a_full_disk_during_demo_force_keeps_the_old_database():
    # The new mission is built beside the old one; the old one stays
    # until the new one is whole (it was deleted first, before).
    if engine.POSTGRES:
        return force_refused_on_postgres(['demo', '--force', '--accounts'])
    full_during(['demo', '--force', '--accounts'], leave=8 << 20)


@test
def a_full_disk_during_generate_force_keeps_the_old_database():
    if engine.POSTGRES:
        return force_refused_on_postgres(['generate', '--scale', '0.02', '--force'])
    full_during(['generate', '--scale', '0.02', '--force'], leave=8 << 20)


@test
def a_full_disk_during_an_import_leaves_everything_as_it_was():
    disk = small_disk()
    try:
        db = on_disk(os.path.join(disk, 'f.db'), disk)
        base(db, tmpdir())
        before = counts(db)
        rows = ''.join('T%06d,Trainee number %d with a long name,IRQ,IRQ-MOD\n'
                       % (i, i) for i in range(60000))
        src = write(os.path.join(tmpdir(), 't.csv'),
                    'service_number,name,nation,unit\n' + rows)
        rc, out, err = cadre(db, 'import', 'trainees', src)
        assert rc == 3, (rc, out, err[-300:])
        assert 'the disk is full' in err and 'nothing was written' in err, err
        assert counts(db) == before, (counts(db), before)
        assert_intact(db)
    finally:
        unmount(disk)


@test
def a_full_disk_during_an_api_write_is_a_500_logged_and_nothing_written():
    disk = small_disk('2m')
    srv = None
    try:
        db = on_disk(os.path.join(disk, 'f.db'), disk)
        base(db, tmpdir())
        tok = account(db, 'j7', 'training')
        srv = harness.Server(db)
        st, _, j = srv.call('POST', '/api/v1/trainees', tok, {
            'service_number': 'FIRST', 'name': 'First', 'nation': 'IRQ',
            'unit': 'IRQ-MOD'})
        assert st == 201, (st, j)
        # Then fill the disk beside the database.
        filler = os.path.join(disk, 'filler')
        fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
        try:
            while True:
                os.write(fd, b'x' * 4096)
        except OSError:
            pass
        finally:
            os.close(fd)
        statuses = [201]
        for i in range(200):
            st, _, j = srv.call('POST', '/api/v1/trainees', tok, {
                'service_number': 'API%04d' % i, 'name': 'x' * 2000,
                'nation': 'IRQ', 'unit': 'IRQ-MOD'})
            statuses.append(st)
            if st != 201:
                assert st == 500 and j['detail'] == 'the server failed', (st, j)
                break
        assert 500 in statuses, statuses
        written = statuses.count(201)
        rc, err = srv.stop()
        srv = None
        assert rc == 0 and 'the disk is full' in err, (rc, err[-400:])
        os.unlink(filler)
        assert counts(db)[0] == written, (counts(db), written)
        assert_intact(db)
    finally:
        if srv:
            srv.stop()
        unmount(disk)


@test
def a_full_disk_during_an_api_action_is_a_500_logged_and_nothing_written():
    disk = small_disk('96m')
    srv = None
    try:
        db = copy_db(demo(), disk)
        tok = account(db, 'c1', 'commander')
        before = fingerprint(db)
        ref = copy_db(db, tmpdir())
        on_disk(db, disk)
        srv = harness.Server(db)
        filler = fill(disk, 64 << 10)
        body = {'scope': 'mission', 'from': '2026-12-01', 'reason': 'full disk'}
        st, _, j = srv.call('POST', '/api/v1/actions/suspend', tok, body)
        assert st == 500 and j['detail'] == 'the server failed', (st, j)
        os.unlink(filler)
        st, _, j = srv.call('POST', '/api/v1/actions/suspend', tok, body)
        assert st == 200, (st, j)
        rc, err = srv.stop()
        srv = None
        assert rc == 0 and 'the disk is full' in err, (rc, err[-400:])
        # Exactly one suspension: as the same one by the same account
        # from the command line.
        rc, out, err = cadre(ref, '--as', 'c1', 'suspend', '--scope', 'mission',
                             '--from', '2026-12-01', '--reason', 'full disk')
        assert rc == 0, out + err
        after = fingerprint(db)
        assert after != before and after == fingerprint(ref), (before, after)
        assert_intact(db)
    finally:
        if srv:
            srv.stop()
        unmount(disk)


class OtherWriter:
    """Another connection that takes the write lock, as an import would:
    SQLite's BEGIN IMMEDIATE; on PostgreSQL the advisory lock every cadre
    writer takes (WRITE_LOCK_KEY of src/store/db_pg.c), in psql."""

    KEY = '7161115727245194752'

    def __init__(self, db):
        if engine.POSTGRES:
            c = engine.cluster()
            self.p = subprocess.Popen(
                [os.path.join(c.bindir, 'psql'), '-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1',
                 '-d', engine.target(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                text=True)
        else:
            import sqlite3
            self.con = sqlite3.connect(db, isolation_level=None, timeout=1)

    def hold(self):
        if engine.POSTGRES:
            self.p.stdin.write('BEGIN; SELECT pg_advisory_xact_lock(%s); '
                               "SELECT 'held';\n" % self.KEY)
            self.p.stdin.flush()
            lines = [self.p.stdout.readline() for _ in range(2)]
            assert lines[-1].strip() == 'held', lines
        else:
            self.con.execute('BEGIN IMMEDIATE')

    def release(self):
        if engine.POSTGRES:
            self.p.stdin.write("ROLLBACK; SELECT 'released';\n")
            self.p.stdin.flush()
            assert self.p.stdout.readline().strip() == 'released'
        else:
            self.con.execute('ROLLBACK')

    def close(self):
        if engine.POSTGRES:
            self.p.stdin.close()
            self.p.wait(timeout=20)
        else:
            self.con.close()


@test
def a_write_held_by_another_writer_is_a_503_while_reads_go_on():
    d = tmpdir()
    db = os.path.join(d, 'b.db')
    base(db, d)
    tok = account(db, 'j7', 'training')
    srv = harness.Server(db)
    con = OtherWriter(db)
    body = {'service_number': 'BUSY1', 'name': 'Busy', 'nation': 'IRQ',
            'unit': 'IRQ-MOD'}
    done = {}

    def write():
        st, h, j = srv.call('POST', '/api/v1/trainees', tok, body)
        done['write'] = (time.monotonic(), st, h.get('Retry-After'), j)
    try:
        con.hold()                          # another writer, as an import
        t = threading.Thread(target=write)
        t.start()
        time.sleep(0.5)                     # the write is waiting now
        reads = []
        for path in ('/api/v1/organisations', '/api/v1/nations/IRQ', '/healthz'):
            t0 = time.monotonic()
            st, _, _ = srv.call('GET', path, tok)
            reads.append((time.monotonic(), st, time.monotonic() - t0))
        t.join()
        assert [r[1] for r in reads] == [200, 200, 200], reads
        # Each answered at once, not behind the write's 5 s wait (a read
        # took 4.8 s when the write waited holding the store's lock), and
        # so before the write gave up.
        assert all(r[2] < 2.5 for r in reads), reads
        assert all(r[0] < done['write'][0] for r in reads), (reads, done)
        at, st, retry, j = done['write']
        assert (st, retry) == (503, '1') and 'busy' in j['detail'], done
        con.release()
        st, _, j = srv.call('POST', '/api/v1/trainees', tok, body)
        assert st == 201, (st, j)
    finally:
        con.close()
        rc, err = srv.stop()
    assert 'busy' in err, err[-400:]
    rc, out, err = cadre(db, 'audit', 'verify')
    assert rc == 0, (out, err)


@test
def a_writer_killed_at_any_moment_leaves_the_last_commit():
    """SIGKILL during an import of many rows, at several moments: each
    time the database is as the last commit left it, its chain intact;
    the import run whole then changes it."""
    d = tmpdir()
    db = os.path.join(d, 'k.db')
    base(db, d)
    rows = ''.join('K%06d,Trainee number %d,IRQ,IRQ-MOD\n' % (i, i) for i in range(20000))
    src = write(os.path.join(d, 't.csv'), 'service_number,name,nation,unit\n' + rows)
    before = fingerprint(db)
    argv = [harness.CADRE, '--db', engine.target(db), 'import', 'trainees', src]
    killed = 0
    for delay in (0.05, 0.3, 0.8, 1.5):
        p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             env=dict(os.environ, CADRE_TODAY='2026-11-29'))
        time.sleep(delay)
        p.send_signal(signal.SIGKILL)
        rc = p.wait(timeout=20)
        if rc == 0:
            break                           # done before the kill: nothing to see
        assert rc == -signal.SIGKILL, rc
        killed += 1
        assert fingerprint(db) == before, 'killed after %.2f s' % delay
        assert_intact(db)
    else:
        rc, out, err = cadre(db, 'import', 'trainees', src)
        assert rc == 0, (rc, out, err[-300:])
    print('# killed %d times before the import ended' % killed)
    assert killed >= 2, 'the import ended before a second kill: kill it sooner'
    assert counts(db)[0] == 20000, counts(db)
    assert fingerprint(db) != before
    assert_intact(db)


if __name__ == '__main__':
    run()
