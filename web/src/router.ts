// Routes live in the URL's hash: #/training/session/NCO-JLC%2F2019-01-13?as_of=2020-01-05.
// The as-of date rides along on every link, so that a view can be shared
// exactly as seen.
import { useEffect, useState } from 'preact/hooks';

export interface Route { parts: string[]; query: URLSearchParams }

export function parse(hash: string = location.hash): Route {
  const h = hash.replace(/^#\/?/, '');
  const [path, qs] = h.split('?', 2);
  return {
    parts: path ? path.split('/').map((p) => decodeURIComponent(p)) : [],
    query: new URLSearchParams(qs ?? ''),
  };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(parse());
  useEffect(() => {
    const on = () => setRoute(parse());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}

// A link to PARTS keeping the current as-of date (and any extra query).
export function href(parts: (string | number)[], extra: Record<string, string | undefined> = {}): string {
  const cur = parse();
  const q = new URLSearchParams();
  const asOf = cur.query.get('as_of');
  if (asOf) q.set('as_of', asOf);
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined || v === '') q.delete(k); else q.set(k, v);
  }
  const s = q.toString();
  return '#/' + parts.map((p) => encodeURIComponent(String(p))).join('/') + (s ? `?${s}` : '');
}

export function go(parts: (string | number)[], extra: Record<string, string | undefined> = {}): void {
  location.hash = href(parts, extra);
}

// Change query arguments of the current view (filters, as-of date).
export function setQuery(changes: Record<string, string | undefined>): void {
  const cur = parse();
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined || v === '') cur.query.delete(k); else cur.query.set(k, v);
  }
  const s = cur.query.toString();
  location.hash = '#/' + cur.parts.map(encodeURIComponent).join('/') + (s ? `?${s}` : '');
}

export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

// The date the whole interface shows the mission as of.
export function asOf(route: Route = parse()): string {
  const d = route.query.get('as_of');
  return d && /^\d{4}-\d{2}-\d{2}$/.test(d) ? d : today();
}

export function addDays(date: string, days: number): string {
  const d = new Date(date + 'T00:00:00Z');
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
