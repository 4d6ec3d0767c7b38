// Consent and status: the consent register and the suspensions and
// resumptions on record; for the commander, suspend, resume, consent
// changes and transfer from the coalition — each previewed (the server
// does the work and rolls it back) before the user confirms.
import { useState } from 'preact/hooks';
import * as api from '../api';
import { num, t, tscope, tv } from '../i18n';
import { asOf, href, type Route } from '../router';
import { ActionPanel } from '../action';
import { mayAct } from '../roles';
import { Badge, Card, Field, Ltr, Page, Period, Show, Table, checkField, statusTone, useLoad } from '../ui';

interface Consent { code: string; title: string; activity_kinds: string; sites: string; institutions: string; ceiling: number | null; state: string; valid_from: string; valid_to: string | null }
interface Event { code: string; action: string; scope: string; reason: string | null; ordered_by: string | null; valid_from: string; valid_to: string | null }
interface Site { code: string; name: string; status: string }
interface Activity { code: string; title: string; owner: string; owner_as_of: string; previous_owner: string | null; owner_from: string | null }
interface Transfers { transfers: { code: string; title: string; from_org: string; to_org: string; on_day: string; sessions: number; enrolments: number }[]; people_reassigned: number }

export function Consent({ route, me }: { route: Route; me: api.Me }) {
  const d = asOf(route);
  const it = useLoad(async () => {
    const [consents, events, sites, activities] = await Promise.all([
      api.all<Consent>('consents'), api.all<Event>('status-events'), api.all<Site>('sites', { as_of: d }), api.all<Activity>('activities'),
    ]);
    return { consents, events, sites, activities };
  }, [d]);
  const transfers = useLoad(() => api.get<Transfers>('/api/v1/reports/transfer'), []);
  return (
    <Page title={t('consent.title')}>
      <Show it={it}>{({ consents, events, sites, activities }) => {
        const inForce = events.filter((e) => e.action === 'suspend' && e.valid_from <= d && (!e.valid_to || e.valid_to > d));
        return (
          <>
            {inForce.length > 0 && (
              <div class="alert" role="alert" data-testid="suspensions-in-force">
                <strong>{t('consent.in_force', { n: inForce.length, date: d })}</strong>
                <ul>{inForce.map((e) => <li><bdi class="scope">{tscope(e.scope)}</bdi> {t('consent.since', { from: e.valid_from })} — {e.reason}</li>)}</ul>
              </div>
            )}
            <Card title={t('consent.register')} wide>
              <Table rows={consents} columns={[
                { key: 'code', label: t('col.code') },
                { key: 'title', label: t('col.title') },
                { key: 'state', label: t('col.state'), render: (c) => <Badge tone={statusTone(c.valid_from <= d && (!c.valid_to || c.valid_to > d) ? c.state : 'expired')}>{c.valid_from <= d && (!c.valid_to || c.valid_to > d) ? tv(c.state) : c.valid_from > d ? t('consent.future') : t('consent.ended')}</Badge> },
                { key: 'ceiling', label: t('dash.ceiling'), align: 'right', render: (c) => num(c.ceiling) },
                { key: 'valid_from', label: t('col.valid'), render: (c) => <Period from={c.valid_from} to={c.valid_to} /> },
                { key: 'sites', label: t('consent.sites'), render: (c) => <>{(c.sites ?? '').split(';').filter(Boolean).map((x, i) => <>{i ? ', ' : ''}<Ltr>{x}</Ltr></>)}</> },
              ]} />
            </Card>
            <Card title={t('consent.events')} wide>
              <Table rows={[...events].sort((a, b) => b.valid_from.localeCompare(a.valid_from))} columns={[
                { key: 'code', label: t('col.code') },
                { key: 'action', label: t('consent.action'), render: (e) => <Badge tone={e.action === 'suspend' ? 'bad' : 'ok'}>{tv(e.action)}</Badge> },
                { key: 'scope', label: t('consent.scope'), render: (e) => tscope(e.scope) },
                { key: 'valid_from', label: t('col.from') },
                { key: 'valid_to', label: t('col.to'), render: (e) => e.valid_to ?? t('common.open_ended') },
                { key: 'ordered_by', label: t('consent.ordered_by'), render: (e) => e.ordered_by ?? '—' },
                { key: 'reason', label: t('consent.reason'), render: (e) => e.reason ?? '' },
              ]} />
            </Card>
            {mayAct(me.role) && (
              <div class="grid">
                <SuspendPanel sites={sites} activities={activities} d={d} onDone={it.reload} />
                <ResumePanel events={events} d={d} onDone={it.reload} />
                <ConsentPanel consents={consents} d={d} onDone={it.reload} />
                <TransferPanel activities={activities} d={d} onDone={() => { it.reload(); transfers.reload(); }} />
              </div>
            )}
          </>
        );
      }}</Show>
      <Card title={t('consent.transfers')} wide>
        <Show it={transfers}>{(x) => (
          <>
            <Table rows={x.transfers} columns={[
              { key: 'code', label: t('training.activity') },
              { key: 'title', label: t('col.title') },
              { key: 'from_org', label: t('consent.from_org') },
              { key: 'to_org', label: t('consent.to_org') },
              { key: 'on_day', label: t('col.from') },
              { key: 'sessions', label: t('consent.sessions'), align: 'right' },
              { key: 'enrolments', label: t('consent.enrolments'), align: 'right' },
            ]} />
            <p class="muted">{t('consent.people_reassigned', { n: x.people_reassigned })}</p>
          </>
        )}</Show>
      </Card>
    </Page>
  );
}

function ImpactList({ x }: { x: any }) {
  return (
    <>
      <ul class="plain">
        {(x.events ?? []).map((e: any) => <li>{t('consent.event_line', { code: e.code, scope: tscope(e.scope), from: e.from })}</li>)}
      </ul>
      {x.sessions_postponed && (
        <>
          <p><strong>{t('consent.postponed', { n: x.sessions_postponed.length })}</strong>{x.enrolments_kept !== undefined ? ` · ${t('consent.kept', { n: x.enrolments_kept })}` : ''}</p>
          <Table rows={x.sessions_postponed} limit={10} columns={[
            { key: 'session', label: t('col.session'), render: (s: any) => <a href={href(['training', 'session', s.session])}><Ltr>{s.session}</Ltr></a> },
            { key: 'from', label: t('col.from') },
            { key: 'to', label: t('col.to') },
            { key: 'enrolments', label: t('consent.enrolments'), align: 'right' },
          ]} />
        </>
      )}
      {x.assignments_in_scope !== undefined && <p class="muted">{t('consent.assignments', { n: x.assignments_in_scope })}{x.activities_in_scope?.length ? ` · ${x.activities_in_scope.join(', ')}` : ''}</p>}
    </>
  );
}

function ScopeField({ value, onInput, sites, activities }: { value: string; onInput: (v: string) => void; sites: Site[]; activities: Activity[] }) {
  return (
    <Field id="suspend-scope" label={t('consent.scope')} value={value} onInput={onInput} required optionLabel={tscope}
           options={['mission', ...sites.map((s) => `site:${s.code}`), ...activities.map((a) => `activity:${a.code}`)]} />
  );
}

function SuspendPanel({ sites, activities, d, onDone }: { sites: Site[]; activities: Activity[]; d: string; onDone: () => void }) {
  const [scope, setScope] = useState('mission');
  const [from, setFrom] = useState(d);
  const [reason, setReason] = useState('');
  const dateErr = checkField({ name: 'from', type: 'date', required: true, key: false }, from);
  const reasonErr = reason.trim() ? null : t('form.required');
  return (
    <ActionPanel id="suspend" title={t('consent.suspend')} lead={t('consent.suspend_lead')} action="suspend"
      valid={!dateErr && !reasonErr} body={() => ({ scope, from, reason })} confirmWith={{}} onDone={onDone}
      render={(x) => <ImpactList x={x} />}
      fields={<>
        <ScopeField value={scope} onInput={setScope} sites={sites} activities={activities} />
        <Field id="suspend-from" label={t('consent.from')} type="date" value={from} onInput={setFrom} error={dateErr} required />
        <Field id="suspend-reason" label={t('consent.reason')} type="textarea" value={reason} onInput={setReason} error={reason ? reasonErr : null} required />
      </>} />
  );
}

function ResumePanel({ events, d, onDone }: { events: Event[]; d: string; onDone: () => void }) {
  const open = events.filter((e) => e.action === 'suspend' && (!e.valid_to || e.valid_to > d));
  const scopes = [...new Set(open.map((e) => e.scope))];
  const [scope, setScope] = useState(scopes[0] ?? 'mission');
  const [on, setOn] = useState(d);
  const dateErr = checkField({ name: 'on', type: 'date', required: true, key: false }, on);
  return (
    <ActionPanel id="resume" title={t('consent.resume')} lead={t('consent.resume_lead')} action="resume"
      valid={!dateErr && !!scope} body={() => ({ scope, on })} confirmWith={{ apply: true }} onDone={onDone}
      render={(x) => (
        <>
          <p>{t('consent.resume_line', { scope: tscope(x.scope), days: x.days_suspended ?? '—', from: x.suspended_from ?? '—' })}</p>
          <Table rows={x.sessions ?? []} limit={10} empty={t('consent.nothing_to_replan')} columns={[
            { key: 'session', label: t('col.session') },
            { key: 'was_from', label: t('consent.was') },
            { key: 'proposed_from', label: t('consent.proposed'), render: (s: any) => <Period from={s.proposed_from} to={s.proposed_to} /> },
            { key: 'replanned_as', label: t('consent.replanned_as'), render: (s: any) => (s.replanned_as ? <a href={href(['training', 'session', s.replanned_as])}><Ltr>{s.replanned_as}</Ltr></a> : '—') },
          ]} />
        </>
      )}
      fields={<>
        <Field id="resume-scope" label={t('consent.scope')} value={scope} onInput={setScope} required optionLabel={tscope} options={scopes.length ? scopes : ['mission']} />
        <Field id="resume-on" label={t('consent.on')} type="date" value={on} onInput={setOn} error={dateErr} required />
      </>} />
  );
}

function ConsentPanel({ consents, d, onDone }: { consents: Consent[]; d: string; onDone: () => void }) {
  const [verb, setVerb] = useState('suspend');
  const [consent, setConsent] = useState(consents.find((c) => c.valid_from <= d && (!c.valid_to || c.valid_to > d))?.code ?? consents[0]?.code ?? '');
  const [on, setOn] = useState(d);
  const dateErr = checkField({ name: 'on', type: 'date', required: true, key: false }, on);
  return (
    <ActionPanel id="consent-change" title={t('consent.change')} lead={t('consent.change_lead')} action="consent"
      valid={!dateErr && !!consent} body={() => ({ verb, consent, on })} confirmWith={{}} onDone={onDone}
      render={(x) => <ImpactList x={x} />}
      fields={<>
        <Field id="consent-verb" label={t('consent.verb')} value={verb} onInput={setVerb} required options={['grant', 'suspend', 'withdraw']} />
        <Field id="consent-code" label={t('consent.consent')} value={consent} onInput={setConsent} required options={consents.map((c) => c.code)} />
        <Field id="consent-on" label={t('consent.on')} type="date" value={on} onInput={setOn} error={dateErr} required />
      </>} />
  );
}

function TransferPanel({ activities, d, onDone }: { activities: Activity[]; d: string; onDone: () => void }) {
  // Activities another organisation (the coalition) still holds.
  const candidates = activities.filter((a) => a.owner !== 'NMI');
  const [activity, setActivity] = useState(candidates[0]?.code ?? '');
  const [on, setOn] = useState(d);
  const [withPeople, setWithPeople] = useState(true);
  const dateErr = checkField({ name: 'on', type: 'date', required: true, key: false }, on);
  // Once a transfer is done the panel stays, to say what moved, even when
  // it took the last activity the coalition held.
  const [acted, setActed] = useState(false);
  if (!candidates.length && !acted) return <Card title={t('consent.transfer')}><p class="muted">{t('consent.nothing_held')}</p></Card>;
  return (
    <ActionPanel id="transfer" title={t('consent.transfer')} lead={t('consent.transfer_lead')} action="transfer"
      valid={!dateErr && !!activity} body={() => ({ activity, to: 'NMI', on, with_personnel: withPeople })} confirmWith={{}}
      onDone={() => { setActed(true); onDone(); }}
      render={(x) => (
        <>
          <p data-testid="transfer-summary">{t('consent.transfer_line', { activity: x.activity, from: x.from, to: x.to, on: x.on, sessions: x.sessions_moved, enrolments: x.enrolments_moved, people: x.people_reassigned })}</p>
          {Object.keys(x.people_by_nation ?? {}).length > 0 && (
            <Table rows={Object.entries(x.people_by_nation as Record<string, number>).map(([nation, n]) => ({ nation, n }))} columns={[
              { key: 'nation', label: t('col.nation') },
              { key: 'n', label: t('consent.people'), align: 'right' },
            ]} />
          )}
        </>
      )}
      fields={<>
        <Field id="transfer-activity" label={t('training.activity')} value={activity} onInput={setActivity} required
               options={candidates.map((a) => a.code)} hint={candidates.find((a) => a.code === activity)?.title} />
        <Field id="transfer-on" label={t('consent.on')} type="date" value={on} onInput={setOn} error={dateErr} required />
        <div class="field check">
          <input id="transfer-people" type="checkbox" checked={withPeople} onChange={(e) => setWithPeople(e.currentTarget.checked)} />
          <label for="transfer-people">{t('consent.with_personnel')}</label>
        </div>
      </>} />
  );
}
