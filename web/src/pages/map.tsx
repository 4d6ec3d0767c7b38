// Sites on a map of the region drawn from Natural Earth boundaries that
// ship inside the binary (no tile server). Colour is the site's status on
// the as-of date; choosing a site shows who is there, what runs there and
// the consent that covers it.
import { geoMercator, geoPath } from 'd3-geo';
import type { Feature, FeatureCollection } from 'geojson';
import * as api from '../api';
import { tv, t } from '../i18n';
import { asOf, href, setQuery, type Route } from '../router';
import regionData from '../region.json';
import { Badge, Card, Page, PersonLink, Show, Table, statusTone, useLoad } from '../ui';

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
const BAGHDAD = { west: 43.95, south: 33.05, east: 44.8, north: 33.55 };
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

// Where each site goes, and its label moved down when it would sit on the
// label of a site placed before it.
function placed(sites: Site[]): { s: Site; x: number; y: number; dy: number }[] {
  const out: { s: Site; x: number; y: number; dy: number }[] = [];
  for (const s of sites) {
    const [x, y] = (inBaghdad(s) ? insetProjection : projection)([s.longitude, s.latitude]) ?? [0, 0];
    let dy = 0;
    while (out.some((o) => Math.abs(o.x - x) < 70 && Math.abs(o.y + o.dy - (y + dy)) < 13)) dy += 14;
    out.push({ s, x, y, dy });
  }
  return out;
}

function SiteMap({ sites, chosen }: { sites: Site[]; chosen: string | null }) {
  const inFrame = sites.filter((s) => s.latitude > 28 && s.latitude < 38.5 && s.longitude > 38 && s.longitude < 50);
  const outside = sites.filter((s) => !inFrame.includes(s));
  return (
    <div class="map">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby="map-title">
        <title id="map-title">{t('map.svg_title', { n: inFrame.length })}</title>
        <rect width={W} height={H} class="sea" />
        {region.features.map((f) => <path d={path(f) ?? ''} class={f === iraq ? 'land host' : 'land'} />)}
        {region.features.map((f) => {
          const c = path.centroid(f);
          const name = (f.properties as any)?.name as string;
          if (!Number.isFinite(c[0]) || c[0] < 20 || c[0] > W - 20 || c[1] < 20 || c[1] > H - 20) return null;
          return <text x={c[0]} y={c[1]} class={f === iraq ? 'country host' : 'country'}>{name}</text>;
        })}
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
              <text x={INSET.x + 8} y={INSET.y + 16} class="inset-title">{t('map.baghdad')}</text>
            </g>
          );
        })()}
        {placed(inFrame).map(({ s, x, y, dy }) => {
          return (
            <a href={href(['map'], { site: s.code })} aria-label={`${s.name}: ${t(`site.${s.status}`)}`}
               class={chosen === s.code ? 'site chosen' : 'site'}>
              <circle cx={x} cy={y} r={chosen === s.code ? 10 : 7} class={`dot ${statusTone(s.status)}`} />
              <text x={x + 11} y={y + 4 + dy} class="site-label">{s.code}</text>
            </a>
          );
        })}
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
              <ul class="plain">{consents.map((c) => <li><Badge tone={statusTone(c.state)}>{tv(c.state)}</Badge> <strong>{c.code}</strong> {t('map.until', { to: c.valid_to ?? t('common.open_ended') })}</li>)}</ul>
            ) : <p class="alert">{t('map.no_consent')}</p>}
          </Card>
          <Card title={t('map.who', { n: held.length, posts: posts.length })}>
            <Table rows={posts} limit={12} columns={[
              { key: 'number', label: t('col.post'), render: (p) => <a href={href(['manning', 'post', p.number])}>{p.number}</a> },
              { key: 'title', label: t('col.title') },
              { key: 'holder', label: t('col.holder'), render: (p) => (p.holder ? <PersonLink code={p.holder} who={p.who} href={href(['manning', 'person', p.holder])} /> : <Badge tone="bad">{t('manning.vacant')}</Badge>) },
            ]} />
          </Card>
          <Card title={t('map.what', { n: sessions.length })}>
            <Table rows={sessions} limit={12} columns={[
              { key: 'key', label: t('col.session'), render: (s) => <a href={href(['training', 'session', s.key])}>{s.course}</a> },
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

