// The establishment: posts grouped (by site, branch or nation) and
// filtered, each group's fill and rotations due; each post's holders on a timeline (gaps and overlaps marked), and a
// person's page with tours, qualifications (expiring ones flagged) and
// caveats.
import * as api from '../api';
import { day, num, pct, t, tv } from '../i18n';
import { addDays, asOf, href, setQuery, type Route } from '../router';
import { Badge, Card, Ltr, Page, Period, PersonLink, Show, Stat, Table, days, useLoad, type Column } from '../ui';

interface Post { number: string; title: string; branch: string; category: string; function: string; rank_band: string | null; qualifications: string | null; site: string; organisation: string; nation: string | null; valid_from: string; valid_to: string | null; holder: string }
interface Assignment { person: string; post: string; valid_from: string; valid_to: string | null; key: string }
interface Person { code: string; name: string; nation: string; category: string; rank: string | null; clearance: string; qualifications: string | null; valid_from: string; valid_to: string | null }
interface Caveat { code: string; nation: string | null; person: string | null; kind: string; target: string; reason: string | null; valid_from: string; valid_to: string | null }
// Of the manning report, what the page shows beside its own counts.
interface ManningReport { handover_overlaps: number }

export function Manning({ route, sub, me }: { route: Route; sub: string[]; me: api.Me }) {
  if (sub[0] === 'post' && sub[1]) return <PostPage number={sub[1]} route={route} />;
  if (sub[0] === 'person' && sub[1]) return <PersonPage code={sub[1]} route={route} />;
  return <Establishment route={route} me={me} />;
}

// The establishment grouped (by site, branch or the nation a post is
// designated for), each group a header with its size, fill and rotations
// due, its posts shown when opened. Everything the page shows is in the
// URL (#/manning?group=branch&filled=vacant&open=TAJI), so that a view is
// shared and a reload keeps it. The API decides which posts and people the
// caller sees (a contingent's commander: its own nation's people); the
// page only groups and counts what it was given.
const FILTERS = ['site', 'branch', 'nation', 'category'] as const;
const GROUPS = ['site', 'branch', 'nation'] as const;
type Grouping = (typeof GROUPS)[number];
const WINDOWS = [30, 60, 90] as const;
// Filters that leave this many posts or fewer open every group.
const FEW = 60;
// The nation of a post designated for none (the report's "any").
const ANY = 'any';

type Row = Post & { who: api.PersonName | null; ends: string | null };

interface Group { key: string; rows: Row[]; filled: number; vacant: number; rotating: number[] }

// Days from D to the end of the holder's tour, when it ends (null: open
// ended or vacant).
function endsIn(p: Row, d: string): number | null {
  return p.holder && p.ends && p.ends >= d ? days(d, p.ends) : null;
}

function groupOf(p: Row, g: Grouping): string {
  return g === 'nation' ? p.nation ?? ANY : p[g];
}

function groups(rows: Row[], g: Grouping, d: string): Group[] {
  const by = new Map<string, Row[]>();
  for (const p of rows) {
    const k = groupOf(p, g);
    if (!by.has(k)) by.set(k, []);
    by.get(k)!.push(p);
  }
  return [...by.entries()].map(([key, rs]) => {
    const filled = rs.filter((p) => p.holder).length;
    const ends = rs.map((p) => endsIn(p, d));
    return { key, rows: rs, filled, vacant: rs.length - filled, rotating: WINDOWS.map((w) => ends.filter((n) => n !== null && n <= w).length) };
  }).sort((a, b) => (a.key === ANY ? 1 : b.key === ANY ? -1 : a.key.localeCompare(b.key)));
}

function Establishment({ route, me }: { route: Route; me: api.Me }) {
  const d = asOf(route);
  const posts = useLoad(async () => {
    const [list, names, tours, sites] = await Promise.all([
      api.all<Post>('posts', { as_of: d }), api.people(d), api.all<Assignment>('assignments', { as_of: d }),
      api.all<{ code: string; name: string }>('sites', { as_of: d }).catch(() => []),
    ]);
    // The end of each holder's tour on the post: their assignment's.
    const ends = new Map(tours.map((a) => [`${a.person} ${a.post}`, a.valid_to]));
    const rows: Row[] = list.map((p) => ({ ...p, who: p.holder ? names.get(p.holder) ?? null : null, ends: p.holder ? ends.get(`${p.holder} ${p.number}`) ?? null : null }));
    return { rows, sites: new Map(sites.map((s) => [s.code, s.name])) };
  }, [d]);
  const staff = me.role !== 'contingent';
  const report = useLoad(() => (staff ? api.get<ManningReport>('/api/v1/reports/manning', { as_of: d }) : Promise.resolve(null)), [d, staff]);
  const q = route.query;
  const vacancy = q.get('filled') ?? '';
  const grouping: Grouping = (GROUPS as readonly string[]).includes(q.get('group') ?? '') ? q.get('group') as Grouping : 'site';
  const within = Number(q.get('rotating')) || 0;
  // A contingent's commander is given the holders of its own nation only
  // (the API decides): a post without one is not known to be vacant.
  const own = (k: string) => (staff ? k : `${k}_own`);
  const filtered = FILTERS.some((f) => q.get(f)) || !!vacancy || !!within;
  return (
    <Page title={t('manning.title')}>
      <Show it={posts}>{({ rows: all, sites }) => {
        const choices = (f: (typeof FILTERS)[number]) => [...new Set(all.map((p) => p[f] ?? '').filter(Boolean))].sort();
        const rows = all.filter((p) => FILTERS.every((f) => !q.get(f) || (f === 'nation' && q.get(f) === ANY ? !p.nation : p[f] === q.get(f))) &&
          (!vacancy || (vacancy === 'vacant' ? !p.holder : !!p.holder)) &&
          (!within || (endsIn(p, d) ?? Infinity) <= within));
        const gs = groups(rows, grouping, d);
        // Open groups: those the URL names ("-": none), else every group
        // when the filters leave few posts, else none.
        const named = q.get('open');
        const open = new Set(named === null ? (filtered && rows.length <= FEW ? gs.map((g) => g.key) : []) : named.split(',').filter((k) => k && k !== '-'));
        const setOpen = (keys: string[]) => setQuery({ open: keys.length ? keys.join(',') : '-' });
        const toggle = (k: string) => setOpen(open.has(k) ? [...open].filter((x) => x !== k) : [...open, k]);
        const filled = rows.filter((p) => p.holder).length;
        const rotating = rows.filter((p) => (endsIn(p, d) ?? Infinity) <= 90).length;
        return (
          <>
            <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label={t('manning.filters')}>
              <div class="field">
                <span class="label" id="group-by">{t('manning.group_by')}</span>
                <div class="segmented" role="group" aria-labelledby="group-by" data-testid="group-by">
                  {GROUPS.map((g) => <button type="button" data-group={g} aria-pressed={grouping === g} onClick={() => setQuery({ group: g === 'site' ? undefined : g, open: undefined })}>{t(`col.${g}`)}</button>)}
                </div>
              </div>
              {FILTERS.map((f) => (
                <div class="field">
                  <label for={`f-${f}`}>{t(`col.${f}`)}</label>
                  <select id={`f-${f}`} value={q.get(f) ?? ''} onChange={(e) => setQuery({ [f]: e.currentTarget.value, open: undefined })}>
                    <option value="">{t('common.all')}</option>
                    {choices(f).map((c) => <option value={c}>{f === 'category' ? tv(c) : c}</option>)}
                    {f === 'nation' && <option value={ANY}>{t('manning.any_nation')}</option>}
                  </select>
                </div>
              ))}
              <div class="field">
                <label for="f-filled">{t('manning.state')}</label>
                <select id="f-filled" value={vacancy} onChange={(e) => setQuery({ filled: e.currentTarget.value, open: undefined })}>
                  <option value="">{t('common.all')}</option>
                  <option value="filled">{t('manning.filled')}</option>
                  <option value="vacant">{t(own('manning.vacant_only'))}</option>
                </select>
              </div>
              <div class="field">
                <label for="f-rotating">{t('manning.rotating')}</label>
                <select id="f-rotating" value={within ? String(within) : ''} onChange={(e) => setQuery({ rotating: e.currentTarget.value, open: undefined })}>
                  <option value="">{t('common.all')}</option>
                  {WINDOWS.map((w) => <option value={String(w)}>{t('manning.within', { n: num(w) })}</option>)}
                </select>
              </div>
              {filtered && <button type="button" class="link" onClick={() => setQuery({ site: undefined, branch: undefined, nation: undefined, category: undefined, filled: undefined, rotating: undefined, open: undefined })}>{t('manning.clear')}</button>}
            </form>
            <div class="stats small manning-stats">
              <Stat testid="stat-posts" label={t('col.posts')} value={num(rows.length)} note={t('manning.groups', { n: num(gs.length) })} />
              <Stat testid="stat-filled" label={t('manning.filled')} value={num(filled)} note={pct(rows.length ? filled / rows.length : NaN)} />
              <Stat testid="stat-vacant" label={t(own('manning.vacant_title'))} value={num(rows.length - filled)} tone={rows.length - filled ? 'warn' : ''} />
              <Stat testid="stat-rotating" label={t('manning.rotating_90')} value={num(rotating)} note={staff && report.data ? t('manning.overlaps', { n: num(report.data.handover_overlaps) }) : undefined} />
            </div>
            {gs.length === 0 ? <p class="empty" data-testid="no-posts">{t('manning.no_posts')}</p> : (
              <div class="groups" data-testid="groups">
                <div class="group-cols" aria-hidden="true">
                  <span />
                  <span>{t(`col.${grouping}`)}</span>
                  <span class="num">{t('col.posts')}</span>
                  <span class="num">{t('manning.filled')}</span>
                  <span class="num">{t(own('manning.vacant_title'))}</span>
                  <span>{t('manning.fill_rate')}</span>
                  <span>{t('manning.rotating_cols')}</span>
                </div>
                <div class="group-tools">
                  <button type="button" class="link" onClick={() => setOpen(gs.map((g) => g.key))}>{t('manning.expand_all')}</button>
                  <button type="button" class="link" onClick={() => setOpen([])}>{t('manning.collapse_all')}</button>
                </div>
                {gs.map((g) => (
                  <GroupView key={`${grouping} ${g.key}`} own={own} g={g} grouping={grouping} d={d} sites={sites} open={open.has(g.key)} toggle={() => toggle(g.key)} />
                ))}
              </div>
            )}
          </>
        );
      }}</Show>
    </Page>
  );
}

function groupName(key: string, g: Grouping, sites: Map<string, string>) {
  if (g === 'nation') return key === ANY ? t('manning.any_nation') : <Ltr>{key}</Ltr>;
  if (g === 'site') return <><Ltr>{key}</Ltr>{sites.get(key) && <span class="muted small"> {sites.get(key)}</span>}</>;
  return key;
}

function GroupView({ g, grouping, d, sites, open, toggle, own }: { own: (k: string) => string; g: Group; grouping: Grouping; d: string; sites: Map<string, string>; open: boolean; toggle: () => void }) {
  const id = `group-${grouping}-${g.key.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  const rate = g.rows.length ? g.filled / g.rows.length : 0;
  const every: Column<Row>[] = [
    { key: 'number', label: t('col.post'), render: (p) => <a href={href(['manning', 'post', p.number])}><Ltr>{p.number}</Ltr></a> },
    { key: 'title', label: t('col.title') },
    { key: 'branch', label: t('col.branch') },
    { key: 'site', label: t('col.site') },
    { key: 'nation', label: t('col.nation'), render: (p) => (p.nation ? <Ltr>{p.nation}</Ltr> : t('manning.any_nation')) },
    { key: 'category', label: t('col.category'), render: (p) => tv(p.category) },
    { key: 'holder', label: t('col.holder'), sort: (p) => p.who?.name ?? p.holder ?? '', render: (p) => (p.holder ? <PersonLink code={p.holder} who={p.who} href={href(['manning', 'person', p.holder])} /> : <Badge tone="bad">{t(own('manning.vacant'))}</Badge>) },
    { key: 'ends', label: t('manning.tour_ends'), sort: (p) => (p.holder ? p.ends ?? '9999' : ''), render: (p) => {
      const n = endsIn(p, d);
      if (!p.holder) return '';
      if (!p.ends) return t('common.open_ended');
      return <><Ltr>{day(p.ends)}</Ltr>{n !== null && n <= 90 && <> <span data-days={n}><Badge tone={n <= 30 ? 'bad' : 'warn'}>{t('manning.in_days', { n: num(n) })}</Badge></span></>}</>;
    } },
  ];
  const columns = every.filter((c) => c.key !== grouping);
  return (
    <section class={open ? 'group open' : 'group'} data-testid="group" data-key={g.key}
             data-posts={g.rows.length} data-filled={g.filled} data-vacant={g.vacant} data-rotating={g.rotating.join(',')}>
      <h2 class="group-head">
        <button type="button" aria-expanded={open} aria-controls={id} onClick={toggle}
                aria-label={t(own('manning.group_label'), { name: grouping === 'nation' && g.key === ANY ? t('manning.any_nation') : g.key, n: num(g.rows.length), filled: num(g.filled), vacant: num(g.vacant) })}>
          <span class="chev" aria-hidden="true">{open ? '▾' : '▸'}</span>
          <span class="group-name">{groupName(g.key, grouping, sites)}</span>
          <span class="num">{num(g.rows.length)}</span>
          <span class="num">{num(g.filled)}</span>
          <span class={g.vacant ? 'num vacant' : 'num'}>{num(g.vacant)}</span>
          <span class="meter-cell"><meter min={0} max={1} low={0.8} high={0.95} optimum={1} value={rate} aria-hidden="true" /> {pct(rate)}</span>
          <span class="rot">{WINDOWS.map((w, i) => <span class={g.rotating[i] ? 'due' : 'muted'} title={t('manning.within', { n: num(w) })}>{num(g.rotating[i])}</span>)}</span>
        </button>
      </h2>
      {open && <div id={id} class="group-body"><Table rows={g.rows} columns={columns} limit={10000} /></div>}
    </section>
  );
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
