// The establishment: posts with filters, fill rate by nation and branch,
// each post's holders on a timeline (gaps and overlaps marked), and a
// person's page with tours, qualifications (expiring ones flagged) and
// caveats.
import * as api from '../api';
import { num, pct, t, tv } from '../i18n';
import { addDays, asOf, href, setQuery, type Route } from '../router';
import { Badge, Card, Ltr, Page, Period, PersonLink, Show, Table, days, useLoad, type Column } from '../ui';

interface Post { number: string; title: string; branch: string; category: string; function: string; rank_band: string | null; qualifications: string | null; site: string; organisation: string; nation: string | null; valid_from: string; valid_to: string | null; holder: string }
interface Assignment { person: string; post: string; valid_from: string; valid_to: string | null; key: string }
interface Person { code: string; name: string; nation: string; category: string; rank: string | null; clearance: string; qualifications: string | null; valid_from: string; valid_to: string | null }
interface Caveat { code: string; nation: string | null; person: string | null; kind: string; target: string; reason: string | null; valid_from: string; valid_to: string | null }
interface Fill { posts: number; filled: number; vacant: number }
interface ManningReport { posts: number; filled: number; vacant: number; handover_overlaps: number; horizon_days: number; by_branch: Record<string, Fill>; by_nation: Record<string, Fill>; by_site: Record<string, Fill>; rotations_due: { post: string; person: string; valid_to: string }[] }

export function Manning({ route, sub, me }: { route: Route; sub: string[]; me: api.Me }) {
  if (sub[0] === 'post' && sub[1]) return <PostPage number={sub[1]} route={route} />;
  if (sub[0] === 'person' && sub[1]) return <PersonPage code={sub[1]} route={route} />;
  return <Establishment route={route} me={me} />;
}

const FILTERS = ['branch', 'site', 'nation', 'category'] as const;

function Establishment({ route, me }: { route: Route; me: api.Me }) {
  const d = asOf(route);
  const posts = useLoad(async () => {
    const [list, names] = await Promise.all([api.all<Post>('posts', { as_of: d }), api.people(d)]);
    return list.map((p) => ({ ...p, who: p.holder ? names.get(p.holder) ?? null : null }));
  }, [d]);
  const staff = me.role !== 'contingent';
  const report = useLoad(() => (staff ? api.get<ManningReport>('/api/v1/reports/manning', { as_of: d }) : Promise.resolve(null)), [d, staff]);
  const q = route.query;
  const vacancy = q.get('filled') ?? '';
  return (
    <Page title={t('manning.title')}>
      <Show it={posts}>{(all) => {
        const choices = (f: (typeof FILTERS)[number]) => [...new Set(all.map((p) => p[f] ?? '').filter(Boolean))].sort();
        const rows = all.filter((p) => FILTERS.every((f) => !q.get(f) || p[f] === q.get(f)) &&
          (!vacancy || (vacancy === 'vacant' ? !p.holder : !!p.holder)));
        return (
          <>
            <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label={t('manning.filters')}>
              {FILTERS.map((f) => (
                <div class="field">
                  <label for={`f-${f}`}>{t(`col.${f}`)}</label>
                  <select id={`f-${f}`} value={q.get(f) ?? ''} onChange={(e) => setQuery({ [f]: e.currentTarget.value })}>
                    <option value="">{t('common.all')}</option>
                    {choices(f).map((c) => <option value={c}>{f === 'category' ? tv(c) : c}</option>)}
                  </select>
                </div>
              ))}
              <div class="field">
                <label for="f-filled">{t('manning.state')}</label>
                <select id="f-filled" value={vacancy} onChange={(e) => setQuery({ filled: e.currentTarget.value })}>
                  <option value="">{t('common.all')}</option>
                  <option value="filled">{t('manning.filled')}</option>
                  <option value="vacant">{t('manning.vacant')}</option>
                </select>
              </div>
            </form>
            <p class="muted" data-testid="posts-count">{t('manning.count', { n: num(rows.length), filled: num(rows.filter((p) => p.holder).length) })}</p>
            <Table rows={rows} columns={[
              { key: 'number', label: t('col.post'), render: (p) => <a href={href(['manning', 'post', p.number])}><Ltr>{p.number}</Ltr></a> },
              { key: 'title', label: t('col.title') },
              { key: 'branch', label: t('col.branch') },
              { key: 'site', label: t('col.site') },
              { key: 'nation', label: t('col.nation'), render: (p) => p.nation ?? t('manning.any_nation') },
              { key: 'category', label: t('col.category'), render: (p) => tv(p.category) },
              { key: 'holder', label: t('col.holder'), sort: (p) => p.who?.name ?? p.holder ?? '', render: (p) => (p.holder ? <PersonLink code={p.holder} who={p.who} href={href(['manning', 'person', p.holder])} /> : <Badge tone="bad">{t('manning.vacant')}</Badge>) },
            ]} />
          </>
        );
      }}</Show>
      {staff && (
        <Show it={report}>{(r) => r && (
          <div class="grid">
            <Card title={t('manning.fill_nation')}><FillTable data={r.by_nation} label={t('col.nation')} /></Card>
            <Card title={t('manning.fill_branch')}><FillTable data={r.by_branch} label={t('col.branch')} /></Card>
            <Card title={t('manning.rotations', { n: r.horizon_days })}>
              <Table rows={r.rotations_due} empty={t('manning.no_rotations')} columns={[
                { key: 'post', label: t('col.post'), render: (x) => <a href={href(['manning', 'post', x.post])}><Ltr>{x.post}</Ltr></a> },
                { key: 'person', label: t('col.person'), render: (x) => <a href={href(['manning', 'person', x.person])}><Ltr>{x.person}</Ltr></a> },
                { key: 'valid_to', label: t('col.to') },
              ]} />
              <p class="muted">{t('manning.overlaps', { n: r.handover_overlaps })}</p>
            </Card>
          </div>
        )}</Show>
      )}
    </Page>
  );
}

function FillTable({ data, label }: { data: Record<string, Fill>; label: string }) {
  const rows = Object.entries(data).map(([k, v]) => ({ k, ...v, rate: v.posts ? v.filled / v.posts : 0 }));
  const cols: Column<(typeof rows)[number]>[] = [
    { key: 'k', label },
    { key: 'posts', label: t('col.posts'), align: 'right' },
    { key: 'filled', label: t('manning.filled'), align: 'right' },
    { key: 'rate', label: t('manning.fill_rate'), sort: (x) => x.rate, render: (x) => (
      <span class="meter-cell"><meter min={0} max={1} low={0.8} high={0.95} optimum={1} value={x.rate} aria-label={pct(x.rate)} /> {pct(x.rate)}</span>
    ) },
  ];
  return <Table rows={rows} columns={cols} />;
}

interface Stint { a: Assignment; from: string; to: string }
interface Mark { kind: 'gap' | 'overlap'; from: string; to: string; days: number }

// Gaps and overlaps between consecutive holders of one post.
export function gapsAndOverlaps(list: Assignment[], postFrom: string, end: string): { stints: Stint[]; marks: Mark[] } {
  const stints = list.map((a) => ({ a, from: a.valid_from, to: a.valid_to ?? end })).sort((x, y) => x.from.localeCompare(y.from));
  const marks: Mark[] = [];
  let reach = postFrom;
  for (const s of stints) {
    if (s.from > reach) marks.push({ kind: 'gap', from: reach, to: s.from, days: days(reach, s.from) });
    else if (s.from < reach && reach !== postFrom) marks.push({ kind: 'overlap', from: s.from, to: reach < s.to ? reach : s.to, days: days(s.from, reach < s.to ? reach : s.to) });
    if (s.to > reach) reach = s.to;
  }
  if (reach < end) marks.push({ kind: 'gap', from: reach, to: end, days: days(reach, end) });
  return { stints, marks };
}

function PostPage({ number, route }: { number: string; route: Route }) {
  const d = asOf(route);
  const it = useLoad(async () => {
    const [post, holders] = await Promise.all([api.one<Post>('posts', number), api.all<Assignment>('assignments', { post: number })]);
    // Past holders are not on today's list: ask for each (a post has few).
    const names = new Map<string, api.PersonName>();
    await Promise.all([...new Set(holders.map((a) => a.person))].slice(0, 60).map((c) =>
      api.one<api.PersonName>('persons', c).then((x) => { names.set(c, x.data); }, () => {})));
    return { post: post.data, holders, names };
  }, [number]);
  return (
    <Show it={it}>{({ post, holders, names }) => {
      const end = post.valid_to ?? addDays(d > new Date().toISOString().slice(0, 10) ? d : new Date().toISOString().slice(0, 10), 90);
      const { stints, marks } = gapsAndOverlaps(holders, post.valid_from, end);
      return (
        <Page title={`${post.number} · ${post.title}`}>
          <p><a href={href(['manning'])}>← {t('manning.title')}</a></p>
          <dl class="facts">
            <dt>{t('col.branch')}</dt><dd>{post.branch}</dd>
            <dt>{t('col.site')}</dt><dd><a href={href(['map'], { site: post.site })}><Ltr>{post.site}</Ltr></a></dd>
            <dt>{t('col.category')}</dt><dd>{tv(post.category)}</dd>
            <dt>{t('manning.rank_band')}</dt><dd>{post.rank_band ?? '—'}</dd>
            <dt>{t('col.nation')}</dt><dd>{post.nation ?? t('manning.any_nation')}</dd>
            <dt>{t('manning.quals')}</dt><dd>{post.qualifications ?? '—'}</dd>
            <dt>{t('col.valid')}</dt><dd><Period from={post.valid_from} to={post.valid_to} /></dd>
          </dl>
          <Card title={t('manning.timeline')} wide>
            <Timeline from={post.valid_from} to={end} stints={stints} marks={marks} asOf={d} names={names} />
            <Table rows={marks} empty={t('manning.no_marks')} columns={[
              { key: 'kind', label: t('col.kind'), render: (m) => <Badge tone={m.kind === 'gap' ? 'bad' : 'info'}>{t(`manning.${m.kind}`)}</Badge> },
              { key: 'from', label: t('col.from') },
              { key: 'to', label: t('col.to') },
              { key: 'days', label: t('col.days'), align: 'right' },
            ]} />
          </Card>
        </Page>
      );
    }}</Show>
  );
}

function Timeline({ from, to, stints, marks, asOf: d, names }: { from: string; to: string; stints: Stint[]; marks: Mark[]; asOf: string; names: Map<string, api.PersonName> }) {
  const W = 900, row = 26, top = 24;
  const t0 = Date.parse(from), span = Math.max(1, Date.parse(to) - t0);
  const x = (s: string) => 130 + ((Date.parse(s) - t0) / span) * (W - 140);
  const H = top + stints.length * row + 20;
  const years: string[] = [];
  for (let y = Number(from.slice(0, 4)) + 1; y <= Number(to.slice(0, 4)); y++) years.push(`${y}-01-01`);
  return (
    <svg class="timeline" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={t('manning.timeline_label', { n: stints.length, gaps: marks.filter((m) => m.kind === 'gap').length, overlaps: marks.filter((m) => m.kind === 'overlap').length })}>
      {years.map((y) => <g><line x1={x(y)} x2={x(y)} y1={12} y2={H - 8} class="tick" />{x(y) < W - 34 && <text x={x(y) + 3} y={14} class="tick-label">{y.slice(0, 4)}</text>}</g>)}
      {marks.map((m) => <rect x={x(m.from)} y={top - 4} width={Math.max(2, x(m.to) - x(m.from))} height={stints.length * row + 4} class={`mark ${m.kind}`} />)}
      {stints.map((s, i) => (
        <a href={href(['manning', 'person', s.a.person])}>
          <text x={4} y={top + i * row + 15} class="row-label">{shortName(names.get(s.a.person)?.name) ?? s.a.person}<title>{s.a.person}</title></text>
          <rect x={x(s.from)} y={top + i * row + 3} width={Math.max(2, x(s.to) - x(s.from))} height={row - 8} rx={3} class="stint" />
        </a>
      ))}
      {d >= from && d <= to && <line x1={x(d)} x2={x(d)} y1={top - 8} y2={H - 8} class="now" />}
    </svg>
  );
}

// "Jennie Carignan" as "J. Carignan", to fit the timeline's margin.
function shortName(name: string | undefined): string | undefined {
  if (!name) return undefined;
  const parts = name.split(' ');
  const s = parts.length > 1 ? `${parts[0][0]}. ${parts.slice(1).join(' ')}` : name;
  return s.length > 18 ? s.slice(0, 17) + '…' : s;
}

// "PDT:2019-10-01;CIED-INSTR" as [{code, expires}].
export function parseQuals(s: string | null): { code: string; expires: string | null }[] {
  return (s ?? '').split(';').filter(Boolean).map((q) => {
    const [code, expires] = q.split(':');
    return { code, expires: expires ?? null };
  });
}

function PersonPage({ code, route }: { code: string; route: Route }) {
  const d = asOf(route);
  const it = useLoad(async () => {
    const [person, tours, own, all] = await Promise.all([
      api.one<Person>('persons', code), api.all<Assignment>('assignments', { person: code }),
      api.all<Caveat>('caveats', { person: code }), api.all<Caveat>('caveats'),
    ]);
    const national = all.filter((c) => c.nation === person.data.nation && !c.person);
    return { person: person.data, tours, caveats: [...own, ...national] };
  }, [code]);
  return (
    <Show it={it}>{({ person, tours, caveats }) => {
      const quals = parseQuals(person.qualifications);
      return (
        <Page title={`${person.name} (${person.code})`}>
          <p><a href={href(['manning'])}>← {t('manning.title')}</a></p>
          <dl class="facts">
            <dt>{t('col.nation')}</dt><dd>{person.nation}</dd>
            <dt>{t('col.category')}</dt><dd>{tv(person.category)}</dd>
            <dt>{t('manning.rank')}</dt><dd>{person.rank ?? '—'}</dd>
            <dt>{t('manning.clearance')}</dt><dd>{person.clearance}</dd>
            <dt>{t('col.valid')}</dt><dd><Period from={person.valid_from} to={person.valid_to} /></dd>
          </dl>
          <div class="grid">
            <Card title={t('manning.tours')}>
              <Table rows={tours} columns={[
                { key: 'post', label: t('col.post'), render: (a) => <a href={href(['manning', 'post', a.post])}><Ltr>{a.post}</Ltr></a> },
                { key: 'valid_from', label: t('col.from') },
                { key: 'valid_to', label: t('col.to'), render: (a) => a.valid_to ?? t('common.open_ended') },
              ]} />
            </Card>
            <Card title={t('manning.quals')}>
              <Table rows={quals} empty={t('manning.no_quals')} columns={[
                { key: 'code', label: t('col.code') },
                { key: 'expires', label: t('manning.expires'), render: (q) => q.expires ?? t('manning.no_expiry') },
                { key: 'state', label: t('col.state'), sort: (q) => q.expires ?? '9999', render: (q) => {
                  if (!q.expires) return <Badge tone="ok">{t('manning.valid')}</Badge>;
                  if (q.expires < d) return <Badge tone="bad">{t('manning.expired')}</Badge>;
                  if (q.expires <= addDays(d, 90)) return <Badge tone="warn">{t('manning.expiring', { n: days(d, q.expires) })}</Badge>;
                  return <Badge tone="ok">{t('manning.valid')}</Badge>;
                } },
              ]} />
            </Card>
            <Card title={t('manning.caveats')}>
              <Table rows={caveats} empty={t('manning.no_caveats')} columns={[
                { key: 'code', label: t('col.code') },
                { key: 'kind', label: t('col.kind'), render: (c) => <>{tv(c.kind)}: <Ltr>{c.target}</Ltr></> },
                { key: 'person', label: t('manning.applies_to'), render: (c) => (c.person ? t('manning.this_person') : t('manning.nation_wide', { n: c.nation ?? '' })) },
                { key: 'valid_from', label: t('col.valid'), render: (c) => <Period from={c.valid_from} to={c.valid_to} /> },
              ]} />
            </Card>
          </div>
        </Page>
      );
    }}</Show>
  );
}
