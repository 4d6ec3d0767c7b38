#!/usr/bin/env python3
"""Markings and references (issue 12): who may change a record's
classification and releasability, over the API and through import; a
reference to a record the writer may not see answers as a missing one;
and `--as LOGIN` is refused or honoured by every command of `cadre help`.
"""
import glob
import json
import os
import signal
import subprocess
import urllib.parse

import harness
from harness import CADRE, cadre, copy_db, run, test, tmpdir, write

DATA = os.path.join(os.environ.get('CADRE_TESTDATA', 'tests/data'), 'matrix')
DIR = tmpdir()
DB = os.path.join(DIR, 'policy.db')
PW = 'a long enough password'

assert cadre(DB, 'init')[0] == 0
for _f in sorted(glob.glob(os.path.join(DATA, '[0-9][0-9]-*.csv'))):
    _rc, _out, _err = cadre(DB, 'import', os.path.basename(_f)[3:-4], _f)
    assert _rc == 0, (_f, _out, _err)

ACCOUNTS = {
    'adm': ['--role', 'admin', '--clearance', 'NS'],
    'adm.nr': ['--role', 'admin', '--clearance', 'NR'],
    'cmd': ['--role', 'commander', '--clearance', 'NS'],
    'j1': ['--role', 'manning', '--clearance', 'NS'],
    'j7': ['--role', 'training', '--clearance', 'NS'],
    'j7.nr': ['--role', 'training', '--clearance', 'NR'],
    'tr': ['--role', 'trainer', '--clearance', 'NS'],
    'aud': ['--role', 'auditor', '--clearance', 'NS'],
}
TOKEN = {}
for _login, _args in ACCOUNTS.items():
    assert cadre(DB, 'user', 'add', _login, *_args, stdin=PW + '\n')[0] == 0
    TOKEN[_login] = json.loads(cadre(DB, 'token', 'add', _login, '--json')[1])['token']


class Server(harness.Server):
    def __init__(self):
        super().__init__(DB, '--no-cache')

    def req(self, method, path, who, body=None, headers=None):
        return self.call(method, path, TOKEN[who], body, headers)

SRV = Server()


def url(kind, key):
    return '/api/v1/%s/%s' % (kind, urllib.parse.quote(key, safe='/'))


def patch(who, kind, key, fields):
    """PATCH with the record's current ETag; (status, body)."""
    st, h, j = SRV.req('GET', url(kind, key), who)
    assert st == 200, (who, kind, key, st, j)
    st, _, j = SRV.req('PATCH', url(kind, key), who, fields, {'If-Match': h['ETag']})
    return st, j


def audit_after(key):
    rc, out, err = cadre(DB, 'audit', 'log', '--key', key, '--json')
    assert rc == 0, err
    entries = [json.loads(l) for l in out.splitlines() if l.strip()]
    assert entries, key
    return [json.loads(e['after']) if isinstance(e.get('after'), str) else e.get('after')
            for e in entries]


# One record of a kind each role may write (docs/api.md), NU and MISSION.
WRITABLE = {
    'j1': ('persons', 'zqNU-MISSION-pegbr1'),
    'j7': ('trainees', 'zqNU-MISSION-tr1'),
    'tr': ('enrolments', 'zqNU-MISSION-co1/2026-03-01/zqNU-MISSION-tr1'),
    'cmd': ('status-events', 'zqNU-MISSION-ev1'),
    'adm': ('pledges', 'zqNU-MISSION-pl1'),
}


@test
def only_admin_and_commander_change_markings_over_the_api():
    for who, (kind, key) in WRITABLE.items():
        st, j = patch(who, kind, key, {'classification': 'NR'})
        if who in ('adm', 'cmd'):
            assert st == 200 and j['classification'] == 'NR', (who, kind, st, j)
        else:
            assert st == 403, (who, kind, 'changed the classification', st, j)
        # To the host nation, as the mission's staff may release; a nation
        # beyond what the writer may see is refused even to them (below).
        st, j = patch(who, kind, key, {'releasability': 'MISSION;IRQ'})
        if who in ('adm', 'cmd'):
            assert st == 200 and j['releasability'] == 'MISSION;IRQ', (who, kind, st, j)
        else:
            assert st == 403, (who, kind, 'changed the releasability', st, j)
    # Other fields the writers still change.
    st, j = patch('j1', 'persons', 'zqNU-MISSION-pegbr1', {'rank': 'OF-2'})
    assert st == 200, (st, j)


@test
def an_allowed_marking_change_is_audited_as_such():
    key = 'zqNU-MISSION-pl1'
    st, j = patch('adm', 'pledges', key, {'classification': 'NC',
                                         'releasability': 'MISSION;IRQ'})
    assert st == 200, (st, j)
    last = audit_after(key)[-1]
    assert last and last.get('classification') == 'NC' and \
        last.get('releasability') == 'MISSION;IRQ', last
    rc, out, err = cadre(DB, 'audit', 'verify')
    assert rc == 0, (rc, out, err)


@test
def a_trainer_may_not_release_an_enrolment_to_a_third_nation():
    key = 'zqNU-NATO-co2/2026-03-01/zqNU-NATO-tr2'
    st, j = patch('tr', 'enrolments', key, {'releasability': 'MISSION;IRQ;RUS'})
    assert st == 403, (st, j)
    st, _, j = SRV.req('GET', url('enrolments', key), 'tr')
    assert j['releasability'] == 'NATO', j


@test
def a_manning_officer_may_not_downgrade_and_release_a_person():
    key = 'zqNS-MISSION-pegbr19'
    st, j = patch('j1', 'persons', key, {'classification': 'NU',
                                        'releasability': 'IRQ'})
    assert st == 403, (st, j)
    st, j = patch('j1', 'persons', key, {'classification': 'NU'})
    assert st == 403, (st, j)
    st, j = patch('j1', 'persons', key, {'releasability': 'MISSION;IRQ'})
    assert st == 403, (st, j)
    rc, out, _ = cadre(DB, 'show', 'persons', key, '--json')
    assert json.loads(out)['classification'] == 'NS', out


@test
def nobody_marks_a_record_above_their_own_clearance():
    st, j = patch('adm.nr', 'courses', 'zqNU-MISSION-co1', {'classification': 'NC'})
    assert st == 403, ('an NR admin classified NC', st, j)
    st, j = patch('cmd', 'sites', 'zqNU-MISSION-si1', {'classification': 'CTS'})
    assert st == 403, ('an NS commander classified CTS', st, j)
    st, j = patch('adm', 'sites', 'zqNU-MISSION-si1', {'classification': 'CTS'})
    assert st == 403, ('an NS admin classified CTS', st, j)
    # Nor creates one so.
    st, _, j = SRV.req('POST', '/api/v1/trainees', 'j7.nr', {
        'service_number': 'POL-HIGH', 'name': 'High', 'nation': 'IRQ',
        'unit': 'IRQ-UNIT', 'classification': 'NS'})
    assert st == 403, ('an NR planner created an NS trainee', st, j)


@test
def import_as_a_caller_obeys_the_same_marking_rule():
    f = write(os.path.join(DIR, 'persons.csv'),
              'code,name,nation,category,valid_from,classification,releasability\n'
              'zqNU-MISSION.IRQ-pegbr3,zqNU-MISSION.IRQ-pegbr3,GBR,military,2025-01-01,NR,MISSION;IRQ\n')
    rc, out, err = cadre(DB, '--as', 'j1', 'import', 'persons', f)
    assert rc == 1, ('a manning officer reclassified by import', rc, out, err)
    rc, out, err = cadre(DB, 'show', 'persons', 'zqNU-MISSION.IRQ-pegbr3', '--json')
    assert json.loads(out)['classification'] == 'NU', out
    rc, out, err = cadre(DB, '--as', 'adm', 'import', 'persons', f)
    assert rc == 0, ('the admin may', rc, out, err)
    last = audit_after('zqNU-MISSION.IRQ-pegbr3')[-1]
    assert last and last.get('classification') == 'NR', last
    high = write(os.path.join(DIR, 'high.csv'),
                 'code,name,nation,category,valid_from,classification\n'
                 'POL-CTS,Pol Cts,GBR,military,2025-01-01,CTS\n')
    rc, out, err = cadre(DB, '--as', 'adm', 'import', 'persons', high)
    assert rc == 1, ('an NS admin imported a CTS person', rc, out, err)
    assert cadre(DB, 'audit', 'verify')[0] == 0


@test
def a_hidden_trainee_is_referred_to_as_a_missing_one():
    def enrol(trainee):
        return SRV.req('POST', '/api/v1/enrolments', 'j7.nr', {
            'session': 'BASE-CRS/2026-03-01', 'trainee': trainee})
    st1, _, j1 = enrol('zqNS-MISSION-tr19')
    st2, _, j2 = enrol('NOSUCH-TRAINEE')
    assert st2 == 422, (st2, j2)
    assert st1 == 422, ('a hidden trainee referred to', st1, j1)
    norm = lambda j: json.dumps(j, sort_keys=True).replace(
        'zqNS-MISSION-tr19', 'X').replace('NOSUCH-TRAINEE', 'X')
    assert norm(j1) == norm(j2), (j1, j2)
    # Through import too.
    f = os.path.join(DIR, 'enr.csv')
    outs = []
    for t in ('zqNS-MISSION-tr19', 'NOSUCH-TRAINEE'):
        with open(f, 'w') as fh:
            fh.write('session,trainee\nBASE-CRS/2026-03-01,%s\n' % t)
        rc, out, err = cadre(DB, '--as', 'j7.nr', 'import', 'enrolments', f)
        outs.append((rc, (out + err).replace(t, 'X')))
    assert outs[0] == outs[1] and outs[0][0] == 1, outs


def every_command():
    rc, out, err = cadre(DB, 'help')
    body = out.split('commands:', 1)[1].split('\n\n', 1)[0]
    return sorted({l.split()[0] for l in body.splitlines() if l.startswith('  ')})


ITC = os.path.join(os.environ.get('CADRE_TESTDATA', 'tests/data'), 'itc2007', 'toy.ctt')
ARGS = {
    'init': ['init'],
    'demo': ['demo'],
    'generate': ['generate', '--scale', '0.001'],
    'import': ['import', 'persons', '-'],
    'export': ['export', 'persons'],
    'list': ['list', 'sites'],
    'show': ['show', 'sites', 'BASE'],
    'status': ['status'],
    'check': ['check'],
    'due': ['due', '--as-of', '2026-06-15', '--days', '400'],
    'audit': ['audit', 'log'],
    'suspend': ['suspend', '--scope', 'site:BASE', '--from', '2027-01-01',
                '--reason', 'x', '--dry-run'],
    'resume': ['resume', '--scope', 'site:SUSP', '--on', '2026-06-20', '--dry-run'],
    'consent': ['consent', 'suspend', 'GOI-ALL', '--on', '2027-01-01', '--dry-run'],
    'transfer': ['transfer', 'zqNU-MISSION-ac1', '--to', 'NMI', '--on', '2027-01-01',
                 '--dry-run'],
    'report': ['report', 'manning'],
    'serve': ['serve', '--listen', '127.0.0.1:0', '--quiet'],
    'user': ['user', 'list'],
    'token': ['token', 'add', 'adm'],
    'plan': ['plan', 'sessions', '--from', '2027-01-01', '--to', '2027-03-01', '--dry-run'],
    'help': ['help'],
    'backup': ['backup', '/nonexistent-dir/b.db'],
    'restore': ['restore', '/nonexistent-dir/b.db'],
}
EXTRA = [['audit', 'verify'], ['export', 'sites', '--format', 'geojson'],
         ['export', 'calendar', '--site', 'BASE'], ['plan', 'itc', ITC, '--time', '1'],
         ['user', 'add', 'pol.new', '--role', 'admin'], ['report', 'transition']]


@test
def no_command_ignores_as():
    """--as an account that does not exist: every command that reads or
    writes the mission refuses it (a failure naming it); help and plan itc,
    which read nothing of the mission, are the commands without a caller."""
    cmds = every_command()
    missing = [c for c in cmds if c not in ARGS]
    assert not missing, 'commands of cadre help without a case here: %s' % missing
    bad = []
    for argv in [ARGS[c] for c in cmds if c != 'help'] + EXTRA:
        if argv[:2] == ['plan', 'itc']:
            continue    # an ITC 2007 file, nothing of the mission: no caller
        db = os.path.join(tmpdir(), 'as.db')
        copy_db(DB, db)
        env = dict(os.environ, CADRE_TODAY='2026-11-29')
        try:
            p = subprocess.run([CADRE, '--db', harness.engine.target(db), '--as', 'no.such.login'] + argv,
                               input='', capture_output=True, text=True, env=env,
                               timeout=20)
            rc, err = p.returncode, p.stderr
        except subprocess.TimeoutExpired:
            rc, err = 'timeout', '(ran as if --as were not given)'
        # Refused: the login is unknown, or the command is the local
        # operator's and refuses --as outright.
        if rc in (0, 'timeout') or ('no.such.login' not in err and
                                    'without --as' not in err):
            bad.append('%s: exit %s: %s' % (' '.join(argv), rc, err.strip()[:120]))
    assert not bad, 'commands that ignore --as:\n  ' + '\n  '.join(bad)


@test
def as_is_honoured_where_it_reads():
    """An auditor cleared NR reads less than the system, everywhere."""
    assert cadre(DB, 'user', 'add', 'aud.nr', '--role', 'auditor', '--clearance', 'NR',
                 stdin=PW + '\n')[0] == 0
    for argv in (['export', 'sites', '--format', 'geojson'],
                 ['export', 'calendar', '--site', 'BASE'],
                 ['audit', 'log', '--entity', 'sites'],
                 ['status', '--json'], ['list', 'sites']):
        rc, out, err = cadre(DB, '--as', 'aud.nr', *argv)
        rc0, out0, _ = cadre(DB, *argv)
        assert rc0 == 0 and 'zqCTS' in out0, argv
        assert 'zqCTS' not in out + err, ('--as ignored', argv, rc)


if __name__ == '__main__':
    try:
        run()
    finally:
        SRV.p.send_signal(signal.SIGTERM)
        SRV.p.wait(timeout=30)
