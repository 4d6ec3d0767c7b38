// Training: the course catalogue; a calendar of sessions by site (month
// and week views); a session's page with trainers, trainees, attendance
// and results, editable by the training role; enrolment.
import { useState } from 'preact/hooks';
import * as api from '../api';
import { ActionPanel } from '../action';
import { RecordForm } from '../form';
import { bidi, month, num, pct, tv, t, weekday } from '../i18n';
import { addDays, asOf, href, setQuery, type Route } from '../router';
import { mayRecordResults, mayTrain } from '../roles';
import { Badge, Card, ErrorBox, Field, Ltr, Page, Period, PersonLink, Show, Table, checkField, statusTone, useLoad } from '../ui';

export interface Course { code: string; title: string; activity: string; duration_days: number; capacity: number; trainer_qualifications: string | null; trainer_ratio: number | null; competencies: string | null; transition_sessions: number | null; pass_target: number | null }
export interface Session { key: string; course: string; site: string; room: string | null; valid_from: string; valid_to: string; trainers: string | null; lead: string; lead_instructor: string | null; host_unit: string | null; status: string; state?: string; replaces: string | null }
interface Enrolment { key: string; session: string; trainee: string; attendance: string; result: string; certificate: string | null }
interface Trainee { service_number: string; name: string; unit: string; rank: string | null }

export function Training({ route, sub, me }: { route: Route; sub: string[]; me: api.Me }) {
  if (sub[0] === 'session' && sub[1]) return <SessionPage key={sub.slice(1).join('/')} sessionKey={sub.slice(1).join('/')} me={me} />;
  if (sub[0] === 'course' && sub[1]) return <CoursePage code={sub[1]} me={me} />;
  if (sub[0] === 'courses') return <Catalogue me={me} />;
  if (sub[0] === 'plan' && mayTrain(me.role)) return <Planner route={route} me={me} />;
  return <Calendar route={route} me={me} />;
}

function Tabs({ current, me }: { current: string; me: api.Me }) {
  return (
    <nav class="tabs" aria-label={t('training.views')}>
      <a href={href(['training'])} aria-current={current === 'calendar' ? 'page' : undefined}>{t('training.calendar')}</a>
      <a href={href(['training', 'courses'])} aria-current={current === 'courses' ? 'page' : undefined}>{t('training.catalogue')}</a>
      {mayTrain(me.role) && <a href={href(['training', 'plan'])} aria-current={current === 'plan' ? 'page' : undefined}>{t('training.planner')}</a>}
    </nav>
  );
}

interface Planned { session: string; course: string; site: string; room: string | null; from: string; to: string; trainers: string; host_unit: string | null; plan: string | null; restored: boolean; cost: number }
interface PlanAnswer { items: number; placed: number; cost: number; applied: boolean; sessions: Planned[]; unplaced: { plan?: string; session?: string; course?: string; reason?: string; missing?: string }[] }

// The mission planner: the training plans of a window turned into
// sessions (or postponed sessions re-planned), previewed, then applied.
function Planner({ route, me }: { route: Route; me: api.Me }) {
  const d = asOf(route);
  const [from, setFrom] = useState(d);
  const [to, setTo] = useState(addDays(d, 91));
  const [site, setSite] = useState('');
  const [postponed, setPostponed] = useState(false);
  const fromErr = checkField({ name: 'from', type: 'date', required: true, key: false }, from);
  const toErr = checkField({ name: 'to', type: 'date', required: true, key: false }, to) ?? (to <= from ? t('training.to_after_from') : null);
  return (
    <Page title={t('training.planner')}>
      <Tabs current="plan" me={me} />
      <ActionPanel id="plan" title={t('training.plan_title')} lead={t('training.plan_lead')} action="plan-sessions"
        valid={!fromErr && !toErr} body={() => ({ from, to, site: site || undefined, postponed })} confirmWith={{ apply: true }}
        onDone={() => {}}
        render={(x: PlanAnswer) => (
          <>
            <p data-testid="plan-summary">{t('training.plan_summary', { placed: x.placed, items: x.items, cost: x.cost })}</p>
            <Table rows={x.sessions} empty={t('training.plan_nothing')} columns={[
              { key: 'session', label: t('col.session'), render: (p) => (x.applied ? <a href={href(['training', 'session', p.session])}><Ltr>{p.session}</Ltr></a> : p.session) },
              { key: 'site', label: t('col.site'), render: (p) => `${p.site}${p.room ? ', ' + p.room : ''}` },
              { key: 'from', label: t('col.from') },
              { key: 'to', label: t('col.to') },
              { key: 'trainers', label: t('training.trainers'), render: (p) => p.trainers.split(';').join(', ') },
              { key: 'plan', label: t('training.plan'), render: (p) => p.plan ?? (p.restored ? t('training.restored') : '—') },
              { key: 'cost', label: t('training.cost'), hint: t('training.cost_hint'), align: 'right' },
            ]} />
            {x.sessions.length > 0 && <p class="hint cost-legend" data-testid="cost-legend">{t('training.cost_legend')}</p>}
            {x.unplaced.length > 0 && (
              <div class="alert" role="alert">
                <strong>{t('training.unplaced', { n: x.unplaced.length })}</strong>
                <ul>{x.unplaced.map((u) => <li>{u.plan ?? u.session ?? u.course}: {u.reason ?? u.missing ?? ''}</li>)}</ul>
              </div>
            )}
          </>
        )}
        fields={<>
          <Field id="plan-from" label={t('col.from')} type="date" value={from} onInput={setFrom} error={fromErr} required />
          <Field id="plan-to" label={t('col.to')} type="date" value={to} onInput={setTo} error={toErr} required />
          <Field id="plan-site" label={t('col.site')} value={site} onInput={setSite} hint={t('training.plan_site_hint')} />
          <div class="field check">
            <input id="plan-postponed" type="checkbox" checked={postponed} onChange={(e) => setPostponed(e.currentTarget.checked)} />
            <label for="plan-postponed">{t('training.plan_postponed')}</label>
          </div>
        </>} />
    </Page>
  );
}

function Catalogue({ me }: { me: api.Me }) {
  const it = useLoad(() => api.all<Course>('courses'), []);
  return (
    <Page title={t('training.catalogue')}>
      <Tabs current="courses" me={me} />
      <Show it={it}>{(courses) => (
        <Table rows={courses} columns={[
          { key: 'code', label: t('col.code'), render: (c) => <a href={href(['training', 'course', c.code])}><Ltr>{c.code}</Ltr></a> },
          { key: 'title', label: t('col.title') },
          { key: 'activity', label: t('training.activity') },
          { key: 'duration_days', label: t('col.days'), align: 'right' },
          { key: 'capacity', label: t('training.capacity'), align: 'right' },
          { key: 'trainer_qualifications', label: t('training.trainer_quals') },
          { key: 'pass_target', label: t('training.pass_target'), align: 'right', render: (c) => pct(c.pass_target) },
        ]} />
      )}</Show>
    </Page>
  );
}

function CoursePage({ code, me }: { code: string; me: api.Me }) {
  const it = useLoad(async () => {
    const [course, sessions] = await Promise.all([api.one<Course>('courses', code), api.all<Session>('sessions', { course: code })]);
    return { course: course.data, sessions };
  }, [code]);
  return (
    <Show it={it}>{({ course, sessions }) => (
      <Page title={`${bidi(course.code)} · ${course.title}`}>
        <Tabs current="courses" me={me} />
        <dl class="facts">
          <dt>{t('training.activity')}</dt><dd><Ltr>{course.activity}</Ltr></dd>
          <dt>{t('col.days')}</dt><dd>{course.duration_days}</dd>
          <dt>{t('training.capacity')}</dt><dd>{course.capacity}</dd>
          <dt>{t('training.trainer_quals')}</dt><dd>{course.trainer_qualifications ? <Ltr>{course.trainer_qualifications}</Ltr> : '—'}</dd>
          <dt>{t('training.competencies')}</dt><dd>{course.competencies ?? '—'}</dd>
          <dt>{t('training.pass_target')}</dt><dd>{pct(course.pass_target)}</dd>
        </dl>
        <SessionTable sessions={sessions} />
      </Page>
    )}</Show>
  );
}

export function SessionTable({ sessions }: { sessions: Session[] }) {
  return (
    <Table rows={sessions} columns={[
      { key: 'key', label: t('col.session'), render: (s) => <a href={href(['training', 'session', s.key])}><Ltr>{s.key}</Ltr></a> },
      { key: 'site', label: t('col.site') },
      { key: 'valid_from', label: t('col.from') },
      { key: 'valid_to', label: t('col.to') },
      { key: 'lead', label: t('training.lead'), render: (s) => tv(s.lead) },
      { key: 'state', label: t('col.status'), render: (s) => <Badge tone={statusTone(s.state ?? s.status)}>{tv(s.state ?? s.status)}</Badge> },
    ]} />
  );
}

// The days a view covers: a month (Monday-first weeks are not needed for a
// resource timeline) or the week (Monday to Sunday) holding the date.
function range(view: string, at: string): { from: string; to: string; prev: string; next: string; title: string } {
  const d = new Date(at + 'T00:00:00Z');
  if (view === 'week') {
    const dow = (d.getUTCDay() + 6) % 7;
    const from = addDays(at, -dow);
    return { from, to: addDays(from, 6), prev: addDays(from, -7), next: addDays(from, 7), title: t('training.week_of', { date: from }) };
  }
  const first = `${at.slice(0, 7)}-01`;
  const next = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)).toISOString().slice(0, 10);
  const prev = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1)).toISOString().slice(0, 10);
  return { from: first, to: addDays(next, -1), prev, next, title: month(at) };
}

function Calendar({ route, me }: { route: Route; me: api.Me }) {
  const d = asOf(route);
  const view = route.query.get('view') === 'week' ? 'week' : 'month';
  const at = route.query.get('at') ?? d;
  const site = route.query.get('site') ?? '';
  const r = range(view, at);
  // Only the sessions that meet the days shown, so that a mission of
  // ten years and a hundred thousand sessions stays quick.
  const it = useLoad(() => api.all<Session>('sessions', { from: r.from, to: r.to }), [r.from, r.to]);
  // The rules' violations the reader may see over the same days (data
  // recorded before the rules were enforced): the calendar marks their
  // sessions. The calendar stands without them if they cannot be read.
  const clashes = useLoad(() => api.get<Conflicts>('/api/v1/conflicts', { from: r.from, to: addDays(r.to, 1) })
    .catch((e: Error) => ({ from: r.from, to: r.to, count: 0, violations: [], error: e.message })), [r.from, r.to]);
  const sites = useLoad(() => api.all<{ code: string }>('sites'), []);
  return (
    <Page title={t('training.title')}>
      <Tabs current="calendar" me={me} />
      <div class="cal-bar">
        <div class="segmented" role="group" aria-label={t('training.view')}>
          <button type="button" aria-pressed={view === 'month'} onClick={() => setQuery({ view: undefined })}>{t('training.month')}</button>
          <button type="button" aria-pressed={view === 'week'} onClick={() => setQuery({ view: 'week' })}>{t('training.week')}</button>
        </div>
        <button type="button" onClick={() => setQuery({ at: r.prev })} aria-label={t('training.previous')}>‹</button>
        <h2 class="cal-title" aria-live="polite">{r.title}</h2>
        <button type="button" onClick={() => setQuery({ at: r.next })} aria-label={t('training.next')}>›</button>
        <Show it={sites}>{(all) => (
          <div class="field inline">
            <label for="cal-site">{t('col.site')}</label>
            <select id="cal-site" value={site} onChange={(e) => setQuery({ site: e.currentTarget.value })}>
              <option value="">{t('common.all')}</option>
              {all.map((s) => s.code).sort().map((s) => <option value={s}>{s}</option>)}
            </select>
          </div>
        )}</Show>
      </div>
      {site && <Subscribe site={site} />}
      <Show it={it}>{(all) => {
        const shown = all.filter((s) => (!site || s.site === site) && s.valid_from <= r.to && s.valid_to >= r.from);
        const found = clashes.data;
        const bySession = conflictsBySession(found?.violations ?? []);
        const keys = new Set(shown.map((s) => s.key));
        const listed = (found?.violations ?? []).filter((v) => v.sessions.some((k) => keys.has(k)));
        return (
          <>
            <CalendarGrid sessions={shown} from={r.from} to={r.to} view={view} today={d} conflicts={bySession} />
            {found?.error && <p class="muted small" role="status">{t('training.conflicts_unread', { why: found.error })}</p>}
            {listed.length > 0 && <ConflictList violations={listed} />}
          </>
        );
      }}</Show>
      <ul class="legend" aria-label={t('training.legend')}>
        <li><span class="cal-bar-item info">&nbsp;&nbsp;</span> {t('training.legend_planned')}</li>
        <li><span class="cal-bar-item ok">&nbsp;&nbsp;</span> {t('training.legend_completed')}</li>
        <li><span class="cal-bar-item bad">&nbsp;&nbsp;</span> {t('training.legend_postponed')}</li>
        <li><span class="cal-bar-item muted host-led">&nbsp;&nbsp;</span> {t('training.legend_host')}</li>
        <li><span class="cal-bar-item info conflict"><span class="conflict-mark" aria-hidden="true">⚠</span></span> {t('training.legend_conflict')}</li>
      </ul>
    </Page>
  );
}

// A site's programme in the reader's own calendar application: a
// calendar token of theirs (POST /api/v1/auth/feed) in the feed's URL,
// shown once; it opens the calendar feeds only, as the reader sees them.
function Subscribe({ site }: { site: string }) {
  const [url, setUrl] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const make = () => {
    setError(null);
    api.request<{ token: string; feeds: { site: string } }>('POST', '/api/v1/auth/feed')
      .then((a) => setUrl(location.origin + a.data.feeds.site.replace('{code}', encodeURIComponent(site))))
      .catch((e: Error) => setError(e.message));
  };
  const stop = () => {
    setError(null);
    api.request<{ revoked: number }>('DELETE', '/api/v1/auth/feed')
      .then(() => setUrl(null))
      .catch((e: Error) => setError(e.message));
  };
  return (
    <div class="cal-feed" data-testid="cal-feed">
      {!url && <button type="button" onClick={make}>{t('training.subscribe', { site })}</button>}
      {url && (
        <div class="field">
          <label for="cal-feed-url">{t('training.feed_url')}</label>
          <input id="cal-feed-url" dir="ltr" readOnly value={url} onFocus={(e) => e.currentTarget.select()} />
          <p class="muted small">{t('training.feed_once')}</p>
        </div>
      )}
      <button type="button" class="link" onClick={stop}>{t('training.feed_stop')}</button>
      {error && <p class="error small" role="alert">{error}</p>}
    </div>
  );
}

// GET /api/v1/conflicts: each violation with the sessions it names.
export interface Violation { rule: string; message: string; records: string[]; dates: string[]; sessions: string[] }
interface Conflicts { from: string; to: string; count: number; violations: Violation[]; error?: string }

function conflictsBySession(vs: Violation[]): Map<string, Violation[]> {
  const m = new Map<string, Violation[]>();
  for (const v of vs) for (const k of v.sessions) {
    if (!m.has(k)) m.set(k, []);
    m.get(k)!.push(v);
  }
  return m;
}

const days = (v: Violation) => v.dates.join(' – ');

// The conflicts of the period, each with its rule, its message, its days
// and links to its sessions: what the marks on the calendar stand for.
function ConflictList({ violations }: { violations: Violation[] }) {
  return (
    <section class="conflicts" aria-labelledby="conflicts-title" data-testid="conflicts">
      <h2 id="conflicts-title"><span aria-hidden="true">⚠ </span>{t('training.conflicts_title', { n: violations.length })}</h2>
      <p class="muted small">{t('training.conflicts_lead')}</p>
      <ul>
        {violations.map((v) => (
          <li data-rule={v.rule}>
            <strong class="rule"><bdi dir="ltr">{v.rule}</bdi></strong>{' '}
            <bdi class="conflict-message">{v.message}</bdi>{' '}
            <bdi class="muted small" dir="ltr">({days(v)})</bdi>{' '}
            {v.sessions.map((k) => <a class="conflict-session" href={href(['training', 'session', k])}><bdi dir="ltr">{k}</bdi></a>)}
          </li>
        ))}
      </ul>
    </section>
  );
}

function CalendarGrid({ sessions, from, to, view, today, conflicts }: { sessions: Session[]; from: string; to: string; view: string; today: string; conflicts: Map<string, Violation[]> }) {
  const dayList: string[] = [];
  for (let x = from; x <= to; x = addDays(x, 1)) dayList.push(x);
  const bySite = new Map<string, Session[]>();
  for (const s of [...sessions].sort((a, b) => a.valid_from.localeCompare(b.valid_from))) {
    if (!bySite.has(s.site)) bySite.set(s.site, []);
    bySite.get(s.site)!.push(s);
  }
  if (!sessions.length) return <p class="empty">{t('training.no_sessions')}</p>;
  const cols = `10rem repeat(${dayList.length}, minmax(${view === 'week' ? '7rem' : '1.4rem'}, 1fr))`;
  return (
    <div class={`calendar ${view}`} role="grid" aria-label={t('training.calendar_label', { from, to, n: sessions.length })} data-testid="calendar">
      <div class="cal-row head" role="row" style={{ gridTemplateColumns: cols }}>
        <div role="columnheader" class="cal-site">{t('col.site')}</div>
        {dayList.map((x) => {
          const wd = new Date(x + 'T00:00:00Z').getUTCDay();
          return <div role="columnheader" class={`cal-day ${wd === 5 ? 'weekend' : ''} ${x === today ? 'today' : ''}`}>
            {view === 'week' ? weekday(x) : num(Number(x.slice(8)))}
          </div>;
        })}
      </div>
      {[...bySite.entries()].map(([site, list]) => list.map((s, i) => {
        const a = Math.max(0, dayList.indexOf(s.valid_from < from ? from : s.valid_from));
        const b = dayList.indexOf(s.valid_to > to ? to : s.valid_to);
        const clash = conflicts.get(s.key) ?? [];
        const rules = [...new Set(clash.map((v) => v.rule))].join(', ');
        const about = clash.map((v) => t('training.conflict_about', { rule: v.rule, message: v.message, days: days(v) })).join('\n');
        return (
          <div class="cal-row" role="row" style={{ gridTemplateColumns: cols }}>
            <div role="rowheader" class="cal-site">{i === 0 ? site : ''}<span class="cal-room">{s.room ?? ''}</span></div>
            <div role="gridcell" class="cal-cell" style={{ gridColumn: `${a + 2} / ${(b < 0 ? dayList.length - 1 : b) + 3}` }}>
              <a class={`cal-bar-item ${statusTone(s.state ?? s.status)} ${s.lead === 'host' ? 'host-led' : ''} ${clash.length ? 'conflict' : ''}`}
                 href={href(['training', 'session', s.key])} data-session={s.key}
                 title={`${s.key} · ${s.valid_from} – ${s.valid_to} · ${tv(s.state ?? s.status)}${about ? '\n' + about : ''}`}>
                {clash.length > 0 && <span class="conflict-mark" data-testid="conflict-mark">⚠ <bdi dir="ltr">{rules}</bdi><span class="sr-only"> {t('training.conflict_mark')}</span></span>}
                <bdi dir="ltr">{s.course}</bdi>{view === 'week' ? ` · ${tv(s.state ?? s.status)}${s.lead === 'host' ? ' · ' + t('training.host_led') : ''}` : ''}
              </a>
            </div>
          </div>
        );
      }))}
    </div>
  );
}

const SESSION_FIELDS = ['room', 'trainers', 'lead', 'lead_instructor', 'status'];

function SessionPage({ sessionKey, me }: { sessionKey: string; me: api.Me }) {
  const it = useLoad(async () => {
    const [s, enrolments] = await Promise.all([api.one<Session>('sessions', sessionKey), api.all<Enrolment>('enrolments', { session: sessionKey })]);
    const trainees = await Promise.all(enrolments.map((e) => api.one<Trainee>('trainees', e.trainee).then((x) => x.data, () => null)));
    let course: Course | null = null;
    try { course = (await api.one<Course>('courses', s.data.course)).data; } catch { /* hidden */ }
    // Trainers by name where the caller may see them (a liaison sees codes).
    const codes = (s.data.trainers ?? '').split(';').filter(Boolean);
    const trainers = await Promise.all(codes.map((c) => api.one<api.PersonName>('persons', c).then((x) => x.data, () => null)));
    return { session: s.data, etag: s.etag, enrolments, trainees, course, trainers: codes.map((c, i) => ({ code: c, who: trainers[i] })) };
  }, [sessionKey]);
  const [editing, setEditing] = useState(false);
  return (
    <Show it={it}>{({ session: s, etag, enrolments, trainees, course, trainers }) => {
      const passed = enrolments.filter((e) => e.result === 'pass').length;
      return (
        <Page title={bidi(`${s.course} · ${s.valid_from}`)} actions={mayTrain(me.role) && !editing ? <button type="button" onClick={() => setEditing(true)}>{t('training.edit')}</button> : null}>
          <p><a href={href(['training'], { at: s.valid_from })}>← {t('training.calendar')}</a></p>
          <div class="grid">
            <Card title={t('training.session')}>
              <dl class="facts">
                <dt>{t('col.course')}</dt><dd><a href={href(['training', 'course', s.course])}><Ltr>{s.course}</Ltr></a>{course ? ` — ${course.title}` : ''}</dd>
                <dt>{t('col.site')}</dt><dd><a href={href(['map'], { site: s.site })}><Ltr>{s.site}</Ltr></a>{s.room ? `, ${s.room}` : ''}</dd>
                <dt>{t('col.valid')}</dt><dd><Period from={s.valid_from} to={s.valid_to} /></dd>
                <dt>{t('col.status')}</dt><dd><Badge tone={statusTone(s.state ?? s.status)}>{tv(s.state ?? s.status)}</Badge></dd>
                <dt>{t('training.lead')}</dt><dd>{s.lead === 'host' ? t('training.host_led') : t('training.mission_led')}{s.lead_instructor ? ` · ${s.lead_instructor}` : ''}</dd>
                <dt>{t('training.host_unit')}</dt><dd>{s.host_unit ? <Ltr>{s.host_unit}</Ltr> : '—'}</dd>
                {s.replaces && <><dt>{t('training.replaces')}</dt><dd><a href={href(['training', 'session', s.replaces])}><Ltr>{s.replaces}</Ltr></a></dd></>}
                <dt>{t('training.trainers')}</dt>
                <dd><ul class="plain">{trainers.map((p) => <li><PersonLink code={p.code} who={p.who} href={href(['manning', 'person', p.code])} /></li>)}</ul></dd>
              </dl>
              {editing && (
                <RecordForm kind="sessions" fields={SESSION_FIELDS} recordKey={s.key} etag={etag}
                  initial={Object.fromEntries(SESSION_FIELDS.map((f) => [f, String((s as any)[f] ?? '')]))}
                  submitLabel={t('common.save')} onSaved={() => { setEditing(false); it.reload(); }} />
              )}
            </Card>
            <Card title={t('training.results')}>
              <div class="stats small">
                <div class="stat"><div class="stat-value">{num(enrolments.length)}</div><div class="stat-label">{t('training.enrolled')}</div></div>
                <div class="stat"><div class="stat-value">{num(enrolments.filter((e) => e.attendance === 'attended').length)}</div><div class="stat-label">{t('training.attended')}</div></div>
                <div class="stat"><div class="stat-value">{num(passed)}</div><div class="stat-label">{t('training.passed')}</div></div>
                <div class="stat"><div class="stat-value">{enrolments.length ? pct(passed / enrolments.length) : '—'}</div><div class="stat-label">{t('training.pass_rate')}</div></div>
              </div>
              {mayTrain(me.role) && <Enrol session={s} course={course} count={enrolments.length} onDone={it.reload} />}
            </Card>
          </div>
          <Card title={t('training.trainees', { n: enrolments.length })} wide>
            <Table rows={enrolments.map((e, i) => ({ ...e, who: trainees[i] }))} columns={[
              { key: 'trainee', label: t('col.service_number'), render: (e) => <a href={href(['trainees', e.trainee])}><Ltr>{e.trainee}</Ltr></a> },
              { key: 'name', label: t('col.name'), sort: (e) => e.who?.name ?? '', render: (e) => e.who?.name ?? '—' },
              { key: 'attendance', label: t('training.attendance'), render: (e) => mayRecordResults(me.role) ? <ResultCell e={e} field="attendance" values={['enrolled', 'attended', 'absent', 'withdrawn']} /> : <Badge tone={statusTone(e.attendance)}>{tv(e.attendance)}</Badge> },
              { key: 'result', label: t('training.result'), render: (e) => mayRecordResults(me.role) ? <ResultCell e={e} field="result" values={['pending', 'pass', 'fail']} /> : <Badge tone={statusTone(e.result)}>{tv(e.result)}</Badge> },
              { key: 'certificate', label: t('training.certificate'), render: (e) => e.certificate ?? '—' },
            ]} />
          </Card>
        </Page>
      );
    }}</Show>
  );
}

// One enrolment's attendance or result, saved as it is chosen (If-Match on
// the record as read just before, so that a concurrent change is not lost).
function ResultCell({ e, field, values }: { e: Enrolment; field: 'attendance' | 'result'; values: string[] }) {
  const [value, setValue] = useState(e[field]);
  const [state, setState] = useState<'idle' | 'saving' | 'saved'>('idle');
  const [err, setErr] = useState<Error | null>(null);
  async function change(v: string) {
    setValue(v);
    setState('saving');
    setErr(null);
    try {
      const cur = await api.one<Enrolment>('enrolments', e.key);
      await api.patch('enrolments', e.key, cur.etag ?? '*', { [field]: v });
      setState('saved');
    } catch (x) {
      setErr(x as Error);
      setValue(e[field]);
      setState('idle');
    }
  }
  return (
    <span class="result-cell">
      <select aria-label={`${t(`training.${field}`)} ${e.trainee}`} value={value} onChange={(ev) => change(ev.currentTarget.value)} disabled={state === 'saving'}>
        {values.map((v) => <option value={v}>{tv(v)}</option>)}
      </select>
      {state === 'saved' && <span class="ok-mark" aria-label={t('common.saved')}>✓</span>}
      {err && <ErrorBox error={err} />}
    </span>
  );
}

function Enrol({ session, course, count, onDone }: { session: Session; course: Course | null; count: number; onDone: () => void }) {
  const [open, setOpen] = useState(false);
  if (!open) return <button type="button" onClick={() => setOpen(true)}>{t('training.enrol')}</button>;
  const full = course && count >= course.capacity;
  return (
    <div class="enrol">
      <h3>{t('training.enrol')}</h3>
      {full && <p class="alert">{t('training.full', { n: course!.capacity })}</p>}
      <RecordForm kind="enrolments" fields={['trainee']} initial={{ trainee: '' }} submitLabel={t('training.enrol')}
        onSaved={() => { setOpen(false); onDone(); }} extra={{ session: session.key }} />
    </div>
  );
}
