// Sites on a map of the region drawn from Natural Earth boundaries that
// ship inside the binary (no tile server). Colour is the site's status on
// the as-of date; choosing a site shows who is there, what runs there and
// the consent that covers it.
import { geoMercator, geoPath } from 'd3-geo';
import type { Feature, FeatureCollection } from 'geojson';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import * as api from '../api';
import { tv, t } from '../i18n';
import { asOf, href, setQuery, type Route } from '../router';
import regionData from '../region.json';
import { Badge, Card, Ltr, Page, PersonLink, Show, Table, statusTone, useLoad } from '../ui';

interface Site { code: string; name: string; latitude: number; longitude: number; country: string; region: string; role: string; status: string; rooms: string | null; mission_approved: boolean }
interface Post { number: string; title: string; branch: string; holder: string; nation: string | null }
interface Session { key: string; course: string; valid_from: string; valid_to: string; status: string; state?: string; lead: string }
interface Consent { code: string; title: string; sites: string; state: string; ceiling: number | null; valid_from: string; valid_to: string | null }

const region = regionData as unknown as FeatureCollection;
const W = 720, H = 560;
// The frame: Iraq and its borders, a little beyond.
const frame: Feature = {
  type: 'Feature', properties: {},
  geometry: { type: 'MultiPoint', coordinates: [[38.3, 28.6], [49.2, 37.6]] },
};
const projection = geoMercator().fitExtent([[16, 16], [W - 16, H - 16]], frame);
const path = geoPath(projection);
const iraq = region.features.find((f) => (f.properties as any)?.name === 'Iraq');

// Baghdad, where most sites are a few kilometres apart, gets an inset.
// (From Taji in the north-west to Besmaya in the south-east, with room for labels.)
const BAGHDAD = { west: 44.08, south: 33.08, east: 44.88, north: 33.58 };
const INSET = { x: 16, y: 318, w: 280, h: 226 };
const insetProjection = geoMercator().fitExtent(
  [[INSET.x + 8, INSET.y + 22], [INSET.x + INSET.w - 8, INSET.y + INSET.h - 8]],
  { type: 'Feature', properties: {}, geometry: { type: 'MultiPoint', coordinates: [[BAGHDAD.west, BAGHDAD.south], [BAGHDAD.east, BAGHDAD.north]] } } as Feature);
const insetPath = geoPath(insetProjection);
const inBaghdad = (s: { latitude: number; longitude: number }) =>
  s.longitude >= BAGHDAD.west && s.longitude <= BAGHDAD.east && s.latitude >= BAGHDAD.south && s.latitude <= BAGHDAD.north;

export function MapPage({ route }: { route: Route }) {
  const d = asOf(route);
  const chosen = route.query.get('site');
  const sites = useLoad(() => api.all<Site>('sites', { as_of: d }), [d]);
  return (
    <Page title={t('map.title')}>
      <div class="map-layout">
        <Show it={sites}>{(list) => <SiteMap sites={list} chosen={chosen} />}</Show>
        <div class="map-side">
          {chosen ? <SitePanel code={chosen} d={d} /> : <p class="muted">{t('map.choose')}</p>}
          <Legend />
        </div>
      </div>
    </Page>
  );
}

function Legend() {
  return (
    <ul class="legend" aria-label={t('map.legend')}>
      {['open', 'restricted', 'suspended', 'closed'].map((s) => <li><span class={`dot ${statusTone(s)}`} /> {t(`site.${s}`)}</li>)}
    </ul>
  );
}

// Placing the sites and their labels. The map is geography and does not
// mirror in Arabic: a site's dot and its label sit where they do in
// English, and the labels (codes, Latin) are laid out left to right in
// both directions. Dots too close to tell apart (UNION3 and MOD-BGD are
// 2 km apart, 7 px in the inset) are pushed apart and a thin leader line
// goes back to the true place; then each label takes the first place
// around its dot (right, left, above-right, …) that covers no dot, no
// label placed before it, and stays in its frame (the inset, below its
// title, or the map outside the inset). Sizes are the browser's own
// (getBBox, measured after the first drawing), estimated until then.
interface Box { x: number; y: number; w: number; h: number }
interface Size { w: number; h: number; a: number }
export interface Placed { s: Site; inset: boolean; x: number; y: number; tx: number; ty: number; label: Box; baseline: number }

const R = 10;             // the largest a dot is drawn (a chosen site), so labels do not move on choosing
const GAP = 3;            // between a dot and its label
const PAD = 1.5;          // around every box when testing for overlap
const TITLE_BAND = 22;    // the inset's title, across its top

const hits = (a: Box, b: Box) => a.x - PAD < b.x + b.w && b.x - PAD < a.x + a.w && a.y - PAD < b.y + b.h && b.y - PAD < a.y + a.h;
const inside = (a: Box, o: Box) => a.x >= o.x && a.y >= o.y && a.x + a.w <= o.x + o.w && a.y + a.h <= o.y + o.h;
const dotBox = (x: number, y: number): Box => ({ x: x - R, y: y - R, w: 2 * R, h: 2 * R });
const gap = (a: Box, x: number, y: number) => Math.hypot(Math.max(a.x - x, 0, x - a.x - a.w), Math.max(a.y - y, 0, y - a.y - a.h));
const area = (a: Box, b: Box) => Math.max(0, Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x)) * Math.max(0, Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y));

// Push dots of one frame apart until no two are closer than their size.
function spread(ps: { x: number; y: number }[], frame: Box): void {
  const min = 2 * R + 2;
  for (let round = 0; round < 60; round++) {
    let moved = false;
    for (let i = 0; i < ps.length; i++) for (let j = i + 1; j < ps.length; j++) {
      const a = ps[i], b = ps[j];
      let dx = b.x - a.x, dy = b.y - a.y;
      let d = Math.hypot(dx, dy);
      if (d >= min) continue;
      if (d < 0.01) { dx = 1; dy = 0; d = 1; }
      const push = (min - d) / 2 + 0.1;
      a.x -= (dx / d) * push; a.y -= (dy / d) * push;
      b.x += (dx / d) * push; b.y += (dy / d) * push;
      moved = true;
    }
    for (const p of ps) {
      p.x = Math.min(Math.max(p.x, frame.x + R), frame.x + frame.w - R);
      p.y = Math.min(Math.max(p.y, frame.y + R), frame.y + frame.h - R);
    }
    if (!moved) break;
  }
}

// The places a label of size Z may take around a dot at (x, y), nearest first.
function candidates(x: number, y: number, z: Size): Box[] {
  const out: Box[] = [];
  for (const far of [0, 12, 26]) {
    const r = R + GAP + far, d = (R + far) * 0.75;
    out.push(
      { x: x + r, y: y - z.h / 2, w: z.w, h: z.h },                 // right
      { x: x - r - z.w, y: y - z.h / 2, w: z.w, h: z.h },           // left
      { x: x + d, y: y - d - z.h, w: z.w, h: z.h },                 // above right
      { x: x + d, y: y + d, w: z.w, h: z.h },                       // below right
      { x: x - d - z.w, y: y - d - z.h, w: z.w, h: z.h },           // above left
      { x: x - d - z.w, y: y + d, w: z.w, h: z.h },                 // below left
      { x: x - z.w / 2, y: y - r - z.h, w: z.w, h: z.h },           // above
      { x: x - z.w / 2, y: y + r, w: z.w, h: z.h },                 // below
    );
  }
  return out;
}

// The Baghdad area's outline on the map, which names keep clear of.
const BAGHDAD_BOX: Box = (() => {
  const [x0, y0] = projection([BAGHDAD.west, BAGHDAD.north]) ?? [0, 0];
  const [x1, y1] = projection([BAGHDAD.east, BAGHDAD.south]) ?? [0, 0];
  return { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
})();
const INSET_BOX: Box = { x: INSET.x, y: INSET.y, w: INSET.w, h: INSET.h };
const INSET_SITES: Box = { x: INSET.x + 2, y: INSET.y + TITLE_BAND, w: INSET.w - 4, h: INSET.h - TITLE_BAND - 2 };
const MAP_BOX: Box = { x: 2, y: 2, w: W - 4, h: H - 4 };

// The countries' names, at their centroids, those inside the frame.
interface CountryName { name: string; host: boolean; x: number; y: number; box: Box }
const countryNames: CountryName[] = region.features.flatMap((f) => {
  const c = path.centroid(f);
  const name = (f.properties as any)?.name as string;
  if (!Number.isFinite(c[0]) || c[0] < 20 || c[0] > W - 20 || c[1] < 20 || c[1] > H - 20) return [];
  const host = f === iraq;
  // 12 px names; the host's 16 px capitals spaced .2em.
  const w = host ? name.length * 14.5 : name.length * 6.8, h = host ? 19 : 15;
  return [{ name, host, x: c[0], y: c[1], box: { x: c[0] - w / 2, y: c[1] - (host ? 14 : 11), w, h } }];
});

export function placeSites(sites: Site[], size: (code: string) => Size): { sites: Placed[]; countries: CountryName[] } {
  const ps = sites.map((s) => {
    const inset = inBaghdad(s);
    const [x, y] = (inset ? insetProjection : projection)([s.longitude, s.latitude]) ?? [0, 0];
    return { s, inset, tx: x, ty: y, x, y };
  });
  spread(ps.filter((p) => p.inset), INSET_SITES);
  spread(ps.filter((p) => !p.inset), MAP_BOX);
  const dots = ps.map((p) => dotBox(p.x, p.y));
  // A country's name is moved down (then up) off any dot and off the
  // Baghdad area's outline; the site labels
  // then keep clear of the names.
  const countries = countryNames.map((c) => {
    for (const dy of [0, 14, -14, 28, -28, 42]) {
      const b = { ...c.box, y: c.box.y + dy };
      if (!dots.some((d) => hits(b, d)) && !hits(b, BAGHDAD_BOX)) return { ...c, y: c.y + dy, box: b };
    }
    return c;
  });
  const labels: Box[] = countries.map((c) => c.box);
  // The crowded inset first, then north to south.
  const order = [...ps.keys()].sort((i, j) => Number(ps[j].inset) - Number(ps[i].inset) || ps[i].y - ps[j].y);
  const out: Placed[] = new Array(ps.length);
  for (const i of order) {
    const p = ps[i];
    const z = size(p.s.code);
    const frame = p.inset ? INSET_SITES : MAP_BOX;
    let best: Box | null = null, bestCost = Infinity;
    for (const c of candidates(p.x, p.y, z)) {
      if (!inside(c, frame) || (!p.inset && hits(c, INSET_BOX))) continue;
      let cost = 0;
      for (const o of [...dots, ...labels]) if (hits(c, o)) cost += 1 + area(c, o);
      // A label nearer another dot than its own would be read as that
      // dot's: only as a last resort.
      const own = gap(c, p.x, p.y);
      if (ps.some((q) => q !== p && gap(c, q.x, q.y) < own + 2)) cost += 0.5;
      if (cost === 0) { best = c; break; }
      if (cost < bestCost) { best = c; bestCost = cost; }
    }
    best ??= { x: p.x + R + GAP, y: p.y - z.h / 2, w: z.w, h: z.h };
    labels.push(best);
    out[i] = { ...p, label: best, baseline: best.y + z.a };
  }
  return { sites: out, countries };
}

// A label's size before the browser has measured it: 12 px semibold capitals.
const guess = (code: string): Size => ({ w: code.length * 8.2 + 2, h: 15, a: 11.5 });

function SiteMap({ sites, chosen }: { sites: Site[]; chosen: string | null }) {
  const inFrame = sites.filter((s) => s.latitude > 28 && s.latitude < 38.5 && s.longitude > 38 && s.longitude < 50);
  const outside = sites.filter((s) => !inFrame.includes(s));
  const svg = useRef<SVGSVGElement>(null);
  const [sizes, setSizes] = useState<Record<string, Size>>({});
  // Measure the labels as drawn (the font is the browser's), once per set of
  // codes; a second drawing places them by their real sizes.
  useLayoutEffect(() => {
    const got: Record<string, Size> = {};
    let changed = false;
    svg.current?.querySelectorAll<SVGTextElement>('text.site-label').forEach((el) => {
      const b = el.getBBox();
      const code = el.dataset.code ?? '';
      got[code] = { w: b.width, h: b.height, a: Number(el.getAttribute('y')) - b.y };
      const old = sizes[code];
      if (!old || Math.abs(old.w - b.width) > 0.5 || Math.abs(old.h - b.height) > 0.5) changed = true;
    });
    if (changed) setSizes(got);
  }, [inFrame.map((s) => s.code).join(' ')]);
  const rtl = document.documentElement.dir === 'rtl';
  const placed = placeSites(inFrame, (code) => sizes[code] ?? guess(code));
  const placedSites = placed.sites;
  return (
    <div class="map">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby="map-title" ref={svg}>
        <title id="map-title">{t('map.svg_title', { n: inFrame.length })}</title>
        <rect width={W} height={H} class="sea" />
        {region.features.map((f) => <path d={path(f) ?? ''} class={f === iraq ? 'land host' : 'land'} />)}
        {placed.countries.map((c) => <text x={c.x} y={c.y} class={c.host ? 'country host' : 'country'}>{c.name}</text>)}
        {(() => {
          const [x0, y0] = projection([BAGHDAD.west, BAGHDAD.north]) ?? [0, 0];
          const [x1, y1] = projection([BAGHDAD.east, BAGHDAD.south]) ?? [0, 0];
          return (
            <g class="inset-frame">
              <rect x={x0} y={y0} width={x1 - x0} height={y1 - y0} class="inset-box" />
              <line x1={x0} y1={y1} x2={INSET.x + INSET.w} y2={INSET.y} class="inset-line" />
              <rect x={INSET.x} y={INSET.y} width={INSET.w} height={INSET.h} class="inset" />
              <clipPath id="inset-clip"><rect x={INSET.x} y={INSET.y} width={INSET.w} height={INSET.h} /></clipPath>
              <g clip-path="url(#inset-clip)">
                {iraq && <path d={insetPath(iraq) ?? ''} class="land host" />}
              </g>
              {/* The title at the start of the reader's line: the left in
                  English, the right in Arabic, anchored inside the inset. */}
              <text x={rtl ? INSET.x + INSET.w - 8 : INSET.x + 8} y={INSET.y + 16} class="inset-title"
                    direction={rtl ? 'rtl' : 'ltr'} text-anchor="start">{t('map.baghdad')}</text>
            </g>
          );
        })()}
        {placedSites.filter((p) => Math.hypot(p.x - p.tx, p.y - p.ty) > 1).map((p) => (
          <g class="leader"><line x1={p.tx} y1={p.ty} x2={p.x} y2={p.y} /><circle cx={p.tx} cy={p.ty} r={1.8} /></g>
        ))}
        {placedSites.map(({ s, inset, x, y, label, baseline }) => (
          <a href={href(['map'], { site: s.code })} aria-label={`${s.name}: ${t(`site.${s.status}`)}`}
             class={chosen === s.code ? 'site chosen' : 'site'} data-inset={inset ? '1' : undefined}>
            <circle cx={x} cy={y} r={chosen === s.code ? 10 : 7} class={`dot ${statusTone(s.status)}`} />
            <text x={label.x} y={baseline} class="site-label" data-code={s.code} direction="ltr" text-anchor="start">{s.code}</text>
          </a>
        ))}
      </svg>
      {outside.length > 0 && (
        <p class="muted">{t('map.outside')}{' '}
          {outside.map((s) => <a class="chip" href={href(['map'], { site: s.code })}><Badge tone={statusTone(s.status)}>{s.code}</Badge></a>)}
        </p>
      )}
      <p class="muted small">{t('map.source')}</p>
    </div>
  );
}

interface SiteInfo { site: Site; posts: (Post & { who: api.PersonName | null })[]; sessions: Session[]; consents: Consent[] }

async function loadSite(code: string, d: string): Promise<SiteInfo> {
  const [one, posts, sessions, consents, names] = await Promise.all([
    api.get<Site>(`/api/v1/sites/${encodeURIComponent(code)}`, { as_of: d }),
    api.all<Post>('posts', { site: code, as_of: d }),
    api.all<Session>('sessions', { site: code, from: d, to: addMonths(d, 3) }),
    api.all<Consent>('consents', { as_of: d }),
    api.people(d),
  ]);
  const near = sessions.filter((s) => s.valid_to >= d && s.valid_from <= addMonths(d, 3)).sort((a, b) => a.valid_from.localeCompare(b.valid_from));
  return { site: one, posts: posts.map((p) => ({ ...p, who: p.holder ? names.get(p.holder) ?? null : null })), sessions: near, consents: consents.filter((c) => (c.sites ?? '').split(';').includes(code)) };
}

function addMonths(d: string, n: number): string {
  const x = new Date(d + 'T00:00:00Z');
  x.setUTCMonth(x.getUTCMonth() + n);
  return x.toISOString().slice(0, 10);
}

function SitePanel({ code, d }: { code: string; d: string }) {
  const it = useLoad(() => loadSite(code, d), [code, d]);
  return (
    <Show it={it}>{({ site, posts, sessions, consents }) => {
      const held = posts.filter((p) => p.holder);
      return (
        <div class="site-panel" data-testid="site-panel">
          <div class="panel-head">
            <h2>{site.name}</h2>
            <button type="button" class="link" onClick={() => setQuery({ site: undefined })} aria-label={t('common.close')}>✕</button>
          </div>
          <p><Badge tone={statusTone(site.status)}>{t(`site.${site.status}`)}</Badge> {site.role} · {site.region}, {site.country}</p>
          {site.rooms && <p class="muted">{t('map.rooms')}: {site.rooms.split(';').join(', ')}</p>}
          <Card title={t('map.consent')}>
            {consents.length ? (
              <ul class="plain">{consents.map((c) => <li><Badge tone={statusTone(c.state)}>{tv(c.state)}</Badge> <strong><Ltr>{c.code}</Ltr></strong> {t('map.until', { to: c.valid_to ?? t('common.open_ended') })}</li>)}</ul>
            ) : <p class="alert">{t('map.no_consent')}</p>}
          </Card>
          <Card title={t('map.who', { n: held.length, posts: posts.length })}>
            <Table rows={posts} limit={12} columns={[
              { key: 'number', label: t('col.post'), render: (p) => <a href={href(['manning', 'post', p.number])}><Ltr>{p.number}</Ltr></a> },
              { key: 'title', label: t('col.title') },
              { key: 'holder', label: t('col.holder'), render: (p) => (p.holder ? <PersonLink code={p.holder} who={p.who} href={href(['manning', 'person', p.holder])} /> : <Badge tone="bad">{t('manning.vacant')}</Badge>) },
            ]} />
          </Card>
          <Card title={t('map.what', { n: sessions.length })}>
            <Table rows={sessions} limit={12} columns={[
              { key: 'key', label: t('col.session'), render: (s) => <a href={href(['training', 'session', s.key])}><Ltr>{s.course}</Ltr></a> },
              { key: 'valid_from', label: t('col.from') },
              { key: 'valid_to', label: t('col.to') },
              { key: 'state', label: t('col.status'), render: (s) => <Badge tone={statusTone(s.state ?? s.status)}>{tv(s.state ?? s.status)}</Badge> },
            ]} />
          </Card>
        </div>
      );
    }}</Show>
  );
}

