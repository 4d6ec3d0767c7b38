#!/usr/bin/env python3
"""Count test cases in meson's testlog.json and print one closing line.

TAP tests contribute one case per `ok`/`not ok` line; other tests count as
one case each. A test whose output holds a sanitizer's report is named,
and fails even where it passed itself (a report a harness did not turn
into a failure). Exits 1 when anything failed or nothing ran.
"""
import json
import re
import sys

SANITIZER = re.compile(r'^(==\d+==ERROR: (Address|Leak)Sanitizer|'
                       r'SUMMARY: (Address|Undefined)\w*Sanitizer|'
                       r'.*:\d+:\d+: runtime error: )', re.M)

passed = failed = skipped = 0
with open(sys.argv[1], encoding='utf-8') as f:
    for line in f:
        t = json.loads(line)
        out = t.get('stdout') or ''
        report = SANITIZER.search(out + '\n' + (t.get('stderr') or ''))
        if report:
            print('%s: a sanitizer reported: %s' % (t.get('name'),
                                                    report.group(0)[:200]))
            if t.get('result') == 'OK' and 'not ok' not in out:
                failed += 1
        cases = re.findall(r'^(ok|not ok)\b(.*)$', out, re.M)
        if t.get('protocol') == 'tap' or cases:
            for status, rest in cases:
                if '# SKIP' in rest.upper():
                    skipped += 1
                elif status == 'ok':
                    passed += 1
                else:
                    failed += 1
            if t.get('result') not in ('OK', 'SKIP', 'EXPECTEDFAIL') and not \
                    any(s == 'not ok' for s, _ in cases):
                failed += 1   # crashed, timed out or bad plan
        elif t.get('result') == 'OK':
            passed += 1
        elif t.get('result') == 'SKIP':
            skipped += 1
        else:
            failed += 1
print('%d passed, %d failed, %d skipped' % (passed, failed, skipped))
sys.exit(1 if failed or passed == 0 else 0)
