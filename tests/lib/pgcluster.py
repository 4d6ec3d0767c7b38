"""A throwaway PostgreSQL cluster for the tests (issue 15).

    from pgcluster import Cluster, SkipAll
    try:
        cluster = Cluster()          # SkipAll: no PostgreSQL here
    except SkipAll as e:
        skip_all(str(e))
    with cluster:                    # start(); stop() whatever happens
        cluster.createdb("t")
        url = cluster.url("t")       # for db_open(), psql, cadre --db

The cluster lives in a temporary folder, owned by the `postgres` user when
this runs as root (PostgreSQL refuses to run as root), listens on a Unix
socket in that folder and on no TCP address, lets anyone on the socket in
as the `postgres` role (trust), and is stopped and removed at the end:
by stop(), the with block, or at the interpreter's exit. It trades
durability for speed (no fsync, no full-page writes, asynchronous
commits): it starts in well under a second after an initdb of about one.
"""
import atexit
import glob
import os
import pwd
import random
import re
import shutil
import subprocess
import tempfile
import urllib.parse


class SkipAll(Exception):
    """PostgreSQL cannot run here: the test skips rather than fails."""


def pg_bindir():
    """Where initdb, pg_ctl and psql are: Debian's versioned folder (the
    newest), pg_config's answer, or PATH; None when nowhere."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(re.sub(r"\D", "", p.split("/")[4]) or 0))
    if found:
        return os.path.dirname(found[-1])
    if shutil.which("pg_config"):
        d = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True).stdout.strip()
        if os.path.exists(os.path.join(d, "initdb")):
            return d
    if shutil.which("initdb"):
        return os.path.dirname(shutil.which("initdb"))
    return None


class Cluster:
    """A throwaway PostgreSQL cluster on a Unix socket in a temporary
    folder, no TCP. Raises SkipAll when PostgreSQL is not installed or
    cannot be run as another user than root."""

    def __init__(self, bindir=None):
        self.bindir = bindir or pg_bindir()
        if not self.bindir or not os.path.exists(os.path.join(self.bindir, "psql")):
            raise SkipAll("PostgreSQL is not installed (Debian: apt-get install postgresql)")
        self.as_user = []
        if os.geteuid() == 0:
            try:
                pw = pwd.getpwnam("postgres")
            except KeyError:
                raise SkipAll("running as root and there is no postgres user to run PostgreSQL as")
            runuser = shutil.which("runuser")
            if not runuser:
                raise SkipAll("running as root and no runuser to run PostgreSQL as postgres")
            self.as_user = [runuser, "-u", "postgres", "--"]
        self.dir = tempfile.mkdtemp(prefix="cadre-pg-")
        os.chmod(self.dir, 0o700)
        if self.as_user:
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        self.data = os.path.join(self.dir, "data")
        self.log = os.path.join(self.dir, "log")
        # The port only names the socket (.s.PGSQL.PORT) in our own folder.
        self.port = random.randint(20000, 60000)
        self.user = "postgres"
        self.started = False
        self.removed = False
        atexit.register(self.stop)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def run_pg(self, prog, *args):
        """One of PostgreSQL's programs, as the cluster's owner."""
        r = subprocess.run(self.as_user + [os.path.join(self.bindir, prog)] + list(args),
                           capture_output=True, text=True)
        if r.returncode:
            raise RuntimeError("%s %s failed (%d):\n%s%s" % (prog, " ".join(args), r.returncode,
                                                             r.stdout, r.stderr))
        return r

    def start(self):
        # C.UTF-8 (glibc has it built in) so that the text search parser
        # reads letters beyond ASCII as letters; plain C where it is not.
        have = subprocess.run(["locale", "-a"], capture_output=True, text=True).stdout.lower()
        locale = "--locale=C.UTF-8" if "c.utf8" in have or "c.utf-8" in have else "--no-locale"
        self.run_pg("initdb", "-D", self.data, "-A", "trust", "-U", self.user,
                    "-E", "UTF8", locale, "--no-sync", "--no-instructions")
        self._run()

    def standby(self):
        """A hot standby of this cluster, streaming from it: a new
        Cluster in a folder of its own, made by pg_basebackup -R
        (replication over the primary's socket; trust lets it in),
        started, read-only. Stop it before the primary."""
        s = Cluster(self.bindir)
        s.run_pg("pg_basebackup", "-h", self.dir, "-p", str(self.port), "-U", self.user,
                 "-D", s.data, "-R", "-X", "stream", "--no-sync", "--checkpoint=fast")
        s._run()
        return s

    def _run(self):
        opts = " ".join([
            "-c listen_addresses=''", "-k %s" % self.dir, "-p %d" % self.port,
            "-c fsync=off", "-c full_page_writes=off", "-c synchronous_commit=off",
            "-c autovacuum=off", "-c max_connections=200", "-c shared_buffers=16MB",
        ])
        self.started = True
        try:
            self.run_pg("pg_ctl", "-D", self.data, "-l", self.log, "-o", opts, "-w", "start")
        except RuntimeError as e:
            log = open(self.log).read() if os.path.exists(self.log) else ""
            raise RuntimeError("%s\nserver log:\n%s" % (e, log))

    def stop(self):
        """Stop the server (at once: nothing in it is kept) and remove its
        folder. Idempotent."""
        if self.removed:
            return
        if self.started:
            subprocess.run(self.as_user + [os.path.join(self.bindir, "pg_ctl"), "-D", self.data,
                                           "-m", "immediate", "-w", "stop"],
                           capture_output=True)
            self.started = False
        shutil.rmtree(self.dir, ignore_errors=True)
        self.removed = True

    def url(self, dbname):
        """A libpq URI of database DBNAME on the cluster's socket."""
        q = urllib.parse.quote
        return "postgresql:///%s?host=%s&port=%d&user=%s" % (
            q(dbname, safe=""), q(self.dir, safe="/"), self.port, self.user)

    def createdb(self, name):
        """Make the (empty) database NAME; returns its url()."""
        self.psql("postgres", "-c", 'CREATE DATABASE "%s"' % name.replace('"', '""'))
        return self.url(name)

    def psql(self, db, *args):
        """psql as whoever runs the test (it reads the migration files),
        through the socket; trust lets it in as the postgres role."""
        cmd = [os.path.join(self.bindir, "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1",
               "-h", self.dir, "-p", str(self.port), "-U", self.user, "-d", db] + list(args)
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode:
            raise RuntimeError("psql %s failed (%d):\n%s%s" % (" ".join(args), r.returncode,
                                                               r.stdout, r.stderr))
        return r.stdout

    def query(self, db, sql):
        """SQL's rows as psql's unaligned text (|-separated, one a line)."""
        return self.psql(db, "-At", "-c", sql)
