// The mission on one screen as of the chosen date: any suspension in force
// first, then headcount against the ceiling, contributions, training,
// transition and consent.
import * as api from '../api';
import { ChartView, palette } from '../chart';
import { monthShort, num, pct, tscope, tv, t } from '../i18n';
import { addDays, asOf, href, type Route } from '../router';
import { Badge, Card, Ltr, Page, Show, Stat, Table, statusTone, useLoad } from '../ui';
import { DuePanel } from './due';

interface Status {
  as_of: string; members: number; partners: number; member_nations: string[]; partner_nations: string[];
  headcount: number; training_suspended: boolean;
  suspensions: { code: string; scope: string; reason: string; ordered_by: string; valid_from: string; valid_to: string | null }[];
  consents: { code: string; title: string; state: string; ceiling: number | null; valid_from: string; valid_to: string | null }[];
  sites: { code: string; name: string; status: string }[];
  // Running on the day, planned within 90 days, postponed and not re-run.
  sessions: { running: number; planned: number; postponed: number };
}
interface Ceilings { days: { date: string; headcount: number; ceiling: number | null; consent: string | null }[]; breaches: number }
interface Contributions { from_members: number; from_partners: number; nations: { code: string; name: string; status: string; deployed: number; pledged: number | null }[] }
interface Output { trainees: number; passed: number; pass_rate: number; rows: { month: string; trainees: number; passed: number }[] }
interface Transition { courses: { course: string; title: string; state: string; sessions: number; host_led_sessions: number; transitioned_on: string | null }[] }

export interface Dash {
  status: Status; ceilings: Ceilings; contributions: Contributions; output: Output; transition: Transition;
}

async function load(d: string): Promise<Dash> {
  const [status, ceilings, contributions, output, transition] = await Promise.all([
    api.get<Status>('/api/v1/status', { as_of: d }),
    api.get<Ceilings>('/api/v1/reports/ceilings', { from: addDays(d, -365), to: addDays(d, 90) }),
    api.get<Contributions>('/api/v1/reports/contributions', { as_of: d }),
    api.get<Output>('/api/v1/reports/training-output', { from: addDays(d, -364), to: d }),
    api.get<Transition>('/api/v1/reports/transition', { as_of: d }),
  ]);
  return { status, ceilings, contributions, output, transition };
}

function byMonth(rows: Output['rows']): { month: string; trainees: number; passed: number }[] {
  const m = new Map<string, { month: string; trainees: number; passed: number }>();
  for (const r of rows) {
    const x = m.get(r.month) ?? { month: r.month, trainees: 0, passed: 0 };
    x.trainees += r.trainees;
    x.passed += r.passed;
    m.set(r.month, x);
  }
  return [...m.values()].sort((a, b) => a.month.localeCompare(b.month));
}

export function Dashboard({ route }: { route: Route }) {
  const d = asOf(route);
  const it = useLoad(() => load(d), [d]);
  return (
    <Page title={t('dash.title')}>
      <Show it={it}>{(x) => <DashboardBody x={x} d={d} />}</Show>
    </Page>
  );
}

function DashboardBody({ x, d }: { x: Dash; d: string }) {
  const st = x.status;
  const inForce = st.consents.find((c) => c.state === 'granted');
  const ceiling = inForce?.ceiling ?? null;
  const hostLed = x.transition.courses.reduce((a, c) => a + c.host_led_sessions, 0);
  const allSessions = x.transition.courses.reduce((a, c) => a + c.sessions, 0);
  const months = byMonth(x.output.rows);
  const nations = x.contributions.nations.slice(0, 15);
  const pledges = x.contributions.nations.filter((n) => n.pledged);
  const days = x.ceilings.days.filter((_, i, a) => a.length < 200 || i % 3 === 0 || i === a.length - 1);
  return (
    <>
      {(st.training_suspended || st.suspensions.length > 0) && (
        <div class="alert" role="alert" data-testid="suspension-alert">
          <strong>{st.training_suspended ? t('dash.training_suspended') : t('dash.suspension_in_force')}</strong>
          <ul>
            {st.suspensions.map((s) => (
              <li>{t('dash.suspension_line', { scope: tscope(s.scope), from: s.valid_from, to: s.valid_to ?? t('common.open_ended'), by: s.ordered_by ?? '' })} — {s.reason}</li>
            ))}
          </ul>
        </div>
      )}
      <div class="stats">
        <Stat testid="stat-headcount" label={t('dash.headcount')} value={num(st.headcount)}
              note={ceiling ? t('dash.of_ceiling', { ceiling: num(ceiling), share: pct(st.headcount / ceiling) }) : t('dash.no_ceiling')}
              tone={ceiling && st.headcount > ceiling ? 'bad' : ''} />
        <Stat testid="stat-members" label={t('dash.members')} value={num(st.members)} note={t('dash.partners', { n: st.partners })} />
        <Stat testid="stat-running" label={t('dash.sessions_running')} value={num(st.sessions.running)}
              note={t('dash.sessions_planned', { n: st.sessions.planned })} />
        <Stat testid="stat-postponed" label={t('dash.sessions_postponed')} value={num(st.sessions.postponed)} tone={st.sessions.postponed ? 'warn' : ''} />
        <Stat testid="stat-trained" label={t('dash.trained_year')} value={num(x.output.trainees)} note={t('dash.pass_rate', { rate: pct(x.output.pass_rate) })} />
        <Stat testid="stat-hostled" label={t('dash.host_led')} value={pct(allSessions ? hostLed / allSessions : 0)}
              note={t('dash.courses_transitioned', { n: x.transition.courses.filter((c) => c.transitioned_on && c.transitioned_on <= d).length, total: x.transition.courses.length })} />
      </div>
      <div class="grid">
        <DuePanel d={d} />
        <Card title={t('dash.ceiling_chart')} wide>
          <ChartView label={t('dash.ceiling_chart')} config={{
            type: 'line',
            data: {
              labels: days.map((r) => r.date),
              datasets: [
                { label: t('dash.headcount'), data: days.map((r) => r.headcount), borderColor: palette[0], backgroundColor: 'rgba(31,95,168,.12)', fill: true, pointRadius: 0, borderWidth: 2 },
                { label: t('dash.ceiling'), data: days.map((r) => r.ceiling), borderColor: palette[1], borderDash: [6, 4], pointRadius: 0, borderWidth: 2, stepped: true },
              ],
            },
            options: { scales: { x: { ticks: { maxTicksLimit: 8 } }, y: { beginAtZero: true } } },
          }} />
          <p class="muted">{t('dash.breaches', { n: x.ceilings.breaches })}</p>
        </Card>
        <Card title={t('dash.contributions')}>
          <ChartView label={t('dash.contributions')} height={320} config={{
            type: 'bar',
            data: {
              labels: nations.map((n) => n.code),
              datasets: [
                { label: t('dash.deployed'), data: nations.map((n) => n.deployed), backgroundColor: nations.map((n) => (n.status === 'member' ? palette[0] : palette[2])) },
              ],
            },
            options: { indexAxis: 'y', plugins: { legend: { display: false } } },
          }} />
          <p class="muted">{t('dash.members_partners', { m: num(x.contributions.from_members), p: num(x.contributions.from_partners) })}</p>
          {pledges.length > 0 && (
            <Table rows={pledges} columns={[
              { key: 'code', label: t('col.nation') },
              { key: 'pledged', label: t('dash.pledged'), align: 'right' },
              { key: 'deployed', label: t('dash.deployed'), align: 'right' },
              { key: 'share', label: t('dash.of_pledge'), align: 'right', sort: (n) => n.deployed / (n.pledged || 1), render: (n) => pct(n.deployed / (n.pledged || 1)) },
            ]} />
          )}
        </Card>
        <Card title={t('dash.trained_chart')}>
          <ChartView label={t('dash.trained_chart')} config={{
            type: 'bar',
            data: {
              labels: months.map((m) => monthShort(m.month)),
              datasets: [
                { label: t('dash.trainees'), data: months.map((m) => m.trainees), backgroundColor: palette[0] },
                { label: t('dash.passed'), data: months.map((m) => m.passed), backgroundColor: palette[2] },
              ],
            },
            options: { plugins: { legend: { position: 'bottom' } } },
          }} />
        </Card>
        <Card title={t('dash.transition')}>
          <Table rows={x.transition.courses} columns={[
            { key: 'course', label: t('col.course'), render: (c) => <a href={href(['training', 'course', c.course])}><Ltr>{c.course}</Ltr></a> },
            { key: 'state', label: t('col.state'), render: (c) => <Badge tone={statusTone(c.state)}>{tv(c.state)}</Badge> },
            { key: 'host_led_sessions', label: t('col.host_led'), align: 'right', render: (c) => `${c.host_led_sessions}/${c.sessions}` },
            { key: 'transitioned_on', label: t('col.transitioned'), render: (c) => c.transitioned_on ?? '—' },
          ]} />
        </Card>
        <Card title={t('dash.consent')}>
          {st.consents.length === 0 && <p class="alert">{t('dash.no_consent')}</p>}
          <ul class="plain">
            {st.consents.map((c) => (
              <li><Badge tone={statusTone(c.state)}>{tv(c.state)}</Badge> <strong><Ltr>{c.code}</Ltr></strong> {c.title}
                <div class="muted">{t('dash.consent_line', { from: c.valid_from, to: c.valid_to ?? t('common.open_ended'), ceiling: c.ceiling ?? '—' })}</div></li>
            ))}
          </ul>
          <h3>{t('dash.sites')}</h3>
          <ul class="chips">
            {st.sites.map((s) => <li><a href={href(['map'], { site: s.code })}><Badge tone={statusTone(s.status)}>{s.code}</Badge></a></li>)}
          </ul>
        </Card>
      </div>
    </>
  );
}
