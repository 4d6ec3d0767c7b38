#!/usr/bin/env python3
"""Run tests/unit/test_db_pg (store/db_pg.c's unit test) against a real
PostgreSQL: a throwaway cluster (tests/lib/pgcluster.py) with a database
the pg migrations were applied to by psql (CADRE_TEST_PG) and an empty one
the test migrates through the driver (CADRE_TEST_PG_EMPTY).

usage: test_db_pg.py TEST_BINARY [ITS ARGUMENTS...]
The binary's TAP is passed through; without PostgreSQL, the whole test is
skipped.
"""
import glob
import os
import signal
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
MIGRATIONS = os.environ.get("CADRE_MIGRATIONS") or os.path.join(ROOT, "src", "store", "migrations")
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
from pgcluster import Cluster, SkipAll  # noqa: E402


def main():
    binary, args = sys.argv[1], sys.argv[2:]
    try:
        cluster = Cluster()
    except SkipAll as e:
        print("1..0 # SKIP " + str(e))
        return 0
    # meson's timeout sends SIGTERM: stop the cluster then too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    try:
        with cluster:
            main_url = cluster.createdb("cadre")
            for f in sorted(glob.glob(os.path.join(MIGRATIONS, "pg", "[0-9][0-9][0-9][0-9]_*.sql"))):
                v = int(os.path.basename(f)[:4])
                cluster.psql("cadre", "--single-transaction", "-f", f,
                             "-c", "UPDATE cadre_schema SET version = %d" % v)
            env = dict(os.environ, CADRE_TEST_PG=main_url,
                       CADRE_TEST_PG_EMPTY=cluster.createdb("cadre_empty"))
            sys.stdout.flush()
            return subprocess.run([binary] + args, env=env).returncode
    except RuntimeError as e:
        print("1..1\nnot ok 1 - the throwaway PostgreSQL cluster")
        for line in str(e).splitlines():
            print("# " + line)
        return 1


if __name__ == "__main__":
    sys.exit(main())
