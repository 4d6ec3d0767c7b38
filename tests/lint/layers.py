#!/usr/bin/env python3
"""The layer rule (issue 12): the store owns every SQL statement, and
nothing includes upward.

  - no .c/.h file under src/ outside src/store/ holds SQL in a string
    literal, or includes sqlite3.h;
  - includes follow cli/http -> core -> store/sched -> model -> util:
        util   util
        model  model util
        store  store model util
        sched  sched util
        core   core store sched model util
        http   http core store model util
        cli    anything; nothing includes cli

And the demo's clock (store_set_clock, which stamps the audit log with
a time of the caller's choosing) is called from src/core/demo.c alone:
no command, route or variable reaches it.

Usage: layers.py SRC_DIR. Prints each offence as file:line: what, and
speaks TAP: one case for the regexes themselves, one for SQL, one for
sqlite3.h, one for the includes, one for the clock.
"""
import os
import re
import sys

ALLOWED = {
    'util': {'util'},
    'model': {'model', 'util'},
    'store': {'store', 'model', 'util'},
    'sched': {'sched', 'util'},
    'core': {'core', 'store', 'sched', 'model', 'util'},
    'http': {'http', 'core', 'store', 'model', 'util'},
    'cli': {'cli', 'http', 'core', 'store', 'sched', 'model', 'util'},
}

# SQL as a statement reads, in capitals as the code base writes it: a
# keyword pair in its grammatical order, within one string. Prose in a
# comment ("select the rows from …", "update the set") is lower case or
# lacks the pair; comments are removed before matching anyway.
SQL = re.compile(
    r'\bSELECT\b.*\bFROM\b'
    r'|\bSELECT\s+(count|coalesce|max|min|sum|1|\*|[a-z_]+\()'
    r'|\bINSERT\s+(OR\s+\w+\s+)?INTO\b'
    r'|\bUPDATE\s+\w+\s+SET\b'
    r'|\bDELETE\s+FROM\b'
    r'|\bCREATE\s+(TEMP\s+|TEMPORARY\s+|UNIQUE\s+|VIRTUAL\s+)?(TABLE|INDEX|TRIGGER|VIEW)\b'
    r'|\bPRAGMA\s+\w+'
    r'|^\s*(BEGIN(\s+(IMMEDIATE|EXCLUSIVE|DEFERRED))?(\s+TRANSACTION)?|COMMIT|ROLLBACK'
    r'|SAVEPOINT\s+\w+|RELEASE\s+\w+)\s*;?\s*$'
    r'|\bWITH\s+RECURSIVE\b'
    r'|\bJOIN\s+\w+\s+\w+\s+ON\b'
    r'|\bWHERE\s+\w+(\.\w+)?\s*(=|<|>|IN\b|IS\b|LIKE\b)')

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^">]+)[">]')
STRING = re.compile(r'"((?:[^"\\\n]|\\.)*)"')


def strip_comments(text):
    """Blank out comments (keeping newlines), leaving strings alone."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c == '"' or c == "'":
            j = i + 1
            while j < n and text[j] != c and text[j] != '\n':
                j += 2 if text[j] == '\\' else 1
            out.append(text[i:j + 1])
            i = j + 1
        elif text.startswith('/*', i):
            j = text.find('*/', i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r'[^\n]', ' ', text[i:j]))
            i = j
        elif text.startswith('//', i):
            j = text.find('\n', i)
            j = n if j < 0 else j
            out.append(' ' * (j - i))
            i = j
        else:
            out.append(c)
            i += 1
    return ''.join(out)


def statements(text):
    """(line, string) for each run of adjacent string literals: C joins
    "SELECT a" " FROM t", so the pair may span literals and lines."""
    text = strip_comments(text)
    runs, cur, start, last = [], [], None, None
    for m in STRING.finditer(text):
        line = text.count('\n', 0, m.start()) + 1
        between = text[last:m.start()] if last is not None else None
        # Adjacent literals (only space or a macro name between them).
        if cur and between is not None and re.fullmatch(r'[\s\w]*', between):
            cur.append(m.group(1))
        else:
            if cur:
                runs.append((start, ''.join(cur)))
            cur, start = [m.group(1)], line
        last = m.end()
    if cur:
        runs.append((start, ''.join(cur)))
    return runs


def sql_in(text):
    return [(line, s) for line, s in statements(text) if SQL.search(s)]


SELF_TESTS = [
    ('"SELECT code FROM person WHERE nation = ?1"', True),
    ('"SELECT count(*)"\n  " FROM session s"', True),
    ('"INSERT INTO audit (seq) VALUES (?)"', True),
    ('"INSERT OR REPLACE INTO t VALUES (1)"', True),
    ('"UPDATE session SET status = ?1"', True),
    ('"DELETE FROM token WHERE hash = ?"', True),
    ('"CREATE INDEX i ON t (a)"', True),
    ('"CREATE TABLE t (a)"', True),
    ('"PRAGMA foreign_keys = ON"', True),
    ('"BEGIN IMMEDIATE"', True),
    ('"COMMIT"', True),
    ('"ROLLBACK"', True),
    ('"WITH RECURSIVE up(code) AS (" "SELECT 1)"', True),
    ('/* SELECT the rows FROM the store */ x = 1;', False),
    ('// DELETE FROM is for the store\n', False),
    ('"select the rows from the table"', False),
    ('"usage: cadre update this set"', False),
    ('"the commit of a transaction"', False),
    ('"begin"', False),
    ('"%s: no such %s (from %s)"', False),
    ('"Begin the import, then COMMIT it"', False),
    ('"Select a date from the calendar"', False),
]


def self_test():
    bad = []
    for src, want in SELF_TESTS:
        got = bool(sql_in(src))
        if got != want:
            bad.append('regex self-test: %r: found SQL %s, expected %s' % (src, got, want))
    return bad


def layer_of(path, src):
    rel = os.path.relpath(path, src).split(os.sep)
    return rel[0] if len(rel) > 1 else None


# Where the demo's clock may be named: its declaration, its definition,
# and its one caller.
CLOCK = re.compile(r'\bstore_set_clock\b')
CLOCK_FILES = {'store/store.h', 'store/audit.c', 'core/demo.c'}


def check(src):
    sql, lite, inc, clock = [], [], [], []
    for root, _, files in os.walk(src):
        for name in sorted(files):
            if not name.endswith(('.c', '.h')):
                continue
            path = os.path.join(root, name)
            layer = layer_of(path, src)
            shown = os.path.relpath(path, os.path.dirname(src.rstrip('/')))
            with open(path, encoding='utf-8', errors='replace') as f:
                text = f.read()
            if layer != 'store':
                for line, s in sql_in(text):
                    sql.append('%s:%d: SQL outside src/store: "%s"' % (
                        shown, line, s[:70] + ('…' if len(s) > 70 else '')))
            rel = os.path.relpath(path, src).replace(os.sep, '/')
            for n, l in enumerate(strip_comments(text).splitlines(), 1):
                if CLOCK.search(l) and rel not in CLOCK_FILES:
                    clock.append('%s:%d: store_set_clock outside the demo' % (shown, n))
                m = INCLUDE.match(l)
                if not m:
                    continue
                what = m.group(2)
                if os.path.basename(what) == 'sqlite3.h' and layer != 'store':
                    lite.append('%s:%d: includes sqlite3.h outside src/store' % (shown, n))
                if m.group(1) != '"' or '/' not in what:
                    continue
                target = what.split('/')[0]
                if target not in ALLOWED or layer not in ALLOWED:
                    continue
                if target not in ALLOWED[layer]:
                    inc.append('%s:%d: %s includes %s (upward or across)' % (
                        shown, n, layer, what))
    return sql, lite, inc, clock


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else 'src'
    cases = [('the SQL regexes find SQL and only SQL', self_test())]
    sql, lite, inc, clock = check(src)
    cases += [('no SQL outside src/store', sql),
              ('no sqlite3.h outside src/store', lite),
              ('includes follow the layers', inc),
              ("the audit log's clock is the demo's alone", clock)]
    print('1..%d' % len(cases))
    failed = 0
    for i, (name, bad) in enumerate(cases, 1):
        print('%s %d - %s' % ('not ok' if bad else 'ok', i, name))
        for b in bad:
            print('# ' + b)
        failed += bool(bad)
    sys.stdout.flush()
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
