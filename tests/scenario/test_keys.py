#!/usr/bin/env python3
"""Keys and strings over HTTP: a key part holding '/' or ';' or a control
character is refused (422, the field named), so two records cannot share a
key; a value over its limit, or cut inside a UTF-8 character, is refused
with a non-empty error list naming the field and the limit, never cut; and
a refused write leaves the database and the audit chain as they were.
Composite keys, '/' and all, still name their records in the path."""
import json
import os

import harness
from harness import cadre, ok_json, test, tmpdir

DIR = tmpdir()
DB = os.path.join(DIR, 'demo.db')
assert cadre(DB, 'demo')[0] == 0
rc, out, err = cadre(DB, 'user', 'add', 'j1', '--role', 'manning', '--clearance',
                     'NS', stdin='a long enough password\n')
assert rc == 0, (out, err)
TOKEN = ok_json(DB, 'token', 'add', 'j1')['token']
SRV = harness.Server(DB)
PERSON = {'name': 'Colonel P', 'nation': 'DNK', 'category': 'military',
          'valid_from': '2020-01-01'}


def call(method, path, body=None, headers=None):
    return SRV.call(method, path, TOKEN, body, headers)


def state():
    """What a refused write must leave alone: the records and the chain."""
    rc, out, err = cadre(DB, 'export', 'persons')
    assert rc == 0, err
    rc2, out2, err2 = cadre(DB, 'export', 'assignments')
    assert rc2 == 0, err2
    return out, out2, ok_json(DB, 'audit', 'verify')['entries']


def refused(body, field, words, method='POST', path='/api/v1/persons',
            headers=None):
    before = state()
    st, _, j = call(method, path, body, headers)
    assert st == 422, (st, j)
    errors = j.get('errors')
    assert errors, 'a 422 lists what is wrong: %r' % j
    assert [e['field'] for e in errors] == [field], errors
    assert words in errors[0]['reason'], errors
    assert state() == before, 'nothing written'
    return errors[0]


@test
def a_slash_or_semicolon_in_a_key_part_is_refused():
    refused(dict(PERSON, code='PCOL/X'), 'code', "may not hold '/'")
    refused(dict(PERSON, code='P;Q'), 'code', "may not hold ';'")
    refused({'number': 'X/Y', 'title': 'Adviser', 'branch': 'J7',
             'category': 'military', 'function': 'advising', 'site': 'UNION3',
             'organisation': 'NMI', 'valid_from': '2020-01-01'},
            'number', "may not hold '/'", path='/api/v1/posts')


@test
def the_issues_collision_cannot_be_made():
    st, h, j = call('POST', '/api/v1/persons', dict(PERSON, code='PCOL'))
    assert st == 201, (st, j)
    assert h['Location'] == '/api/v1/persons/PCOL', h
    before = state()
    st, _, j = call('POST', '/api/v1/assignments', {
        'person': 'PCOL', 'post': 'X/Y', 'valid_from': '2021-01-01'})
    assert st == 422 and j['errors'], (st, j)
    assert j['errors'][0]['field'] == 'post', j
    assert "no post 'X/Y'" == j['errors'][0]['reason'], j
    st, _, j = call('POST', '/api/v1/assignments', {
        'person': 'PCOL/X', 'post': 'Y', 'valid_from': '2021-01-01'})
    assert st == 422 and j['errors'][0]['field'] == 'person', (st, j)
    assert state() == before


@test
def control_characters_in_a_key_are_refused():
    for ch, code in (('\t', '0x09'), ('\n', '0x0A'), ('\r', '0x0D'),
                     ('\x7f', '0x7F'), ('\x1b', '0x1B')):
        e = refused(dict(PERSON, code='BAD' + ch + 'KEY'), 'code',
                    'control character %s at byte 4' % code)
        assert e.get('value') is None, 'not repeated: %r' % e


@test
def free_text_keeps_tab_and_line_breaks_but_no_other_control():
    st, _, j = call('POST', '/api/v1/persons',
                    dict(PERSON, code='FREE-1', name='Two\tcolumns\nand two lines'))
    assert st == 201, (st, j)
    assert j['name'] == 'Two\tcolumns\nand two lines', j
    refused(dict(PERSON, code='FREE-2', name='bell\x07'), 'name', '0x07')
    refused(dict(PERSON, code='FREE-3', rank='A\nB'.replace('\n', '\x0b')),
            'rank', '0x0B')


@test
def a_5000_byte_string_is_refused_never_cut():
    e = refused(dict(PERSON, code='LONG-1', name='x' * 5000), 'name',
                'too long: 5000 bytes, the limit for this field is 4000')
    assert e.get('value') is None, 'a long value is not repeated'
    refused(dict(PERSON, code='K' * 49), 'code', 'the limit for this field is 48')
    # At the limits, whole.
    name = 'é' * 2000
    st, _, j = call('POST', '/api/v1/persons', dict(PERSON, code='K' * 48, name=name))
    assert st == 201, (st, j)
    assert j['name'] == name and j['code'] == 'K' * 48, 'stored whole'
    st, _, j = call('GET', '/api/v1/persons/' + 'K' * 48)
    assert st == 200 and j['name'] == name, (st, j)


@test
def a_string_the_old_cut_split_inside_a_character_names_its_field():
    # 4,094 bytes and a two-byte character: cut at 4,095 bytes, this was a
    # 422 with an empty error list.
    refused(dict(PERSON, code='CUT-1', name='x' * 4094 + 'é'), 'name',
            'too long: 4096 bytes')
    refused(dict(PERSON, code='CUT-2', name='x' * 4093 + '€'), 'name',
            'too long: 4096 bytes')


@test
def a_patch_with_a_long_value_changes_nothing():
    st, h, j = call('GET', '/api/v1/persons/PCOL')
    assert st == 200, (st, j)
    refused({'rank': 'r' * 4001}, 'rank', 'the limit for this field is 4000',
            method='PATCH', path='/api/v1/persons/PCOL',
            headers={'If-Match': h['ETag']})
    st, _, j2 = call('GET', '/api/v1/persons/PCOL')
    assert j2 == j


@test
def bytes_that_are_not_utf8_are_refused_as_the_request():
    before = state()
    for body in (b'{"code": "P\xc3", "name": "x", "nation": "DNK"}',
                 b'{"code": "NUL\\u0000", "name": "x"}'):
        st, _, j = call('POST', '/api/v1/persons', body,
                        {'Content-Type': 'application/json'})
        assert st == 400, (st, j)
    assert state() == before


@test
def composite_keys_still_name_their_records_in_the_path():
    st, _, j = call('GET', '/api/v1/sessions?limit=1')
    assert st == 200 and j['items'], (st, j)
    key = j['items'][0]['key']
    assert key.count('/') == 1, key
    st, _, one = call('GET', '/api/v1/sessions/' + key)
    assert st == 200 and one['key'] == key, (st, one)
    st, _, j = call('GET', '/api/v1/enrolments?limit=1')
    key = j['items'][0]['key']
    assert key.count('/') == 2, key
    st, _, one = call('GET', '/api/v1/enrolments/' + key)
    assert st == 200 and one['key'] == key, (st, one)


@test
def the_server_stopped_cleanly():
    rc, err = SRV.stop()
    assert rc == 0, err


harness.run()
