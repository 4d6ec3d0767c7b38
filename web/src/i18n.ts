// Every text the interface shows comes from one catalogue per language,
// so that a translation (Arabic first, right to left) is one more file
// here. t('key', {n: 3}) fills {n}; a missing key shows the key itself,
// which the browser tests would catch.
import { en } from './messages';

export type Catalogue = Record<string, string> & { _dir?: string; _lang?: string };

const catalogues: Record<string, Catalogue> = { en };
let current: Catalogue = en;

export function setLanguage(lang: string): void {
  current = catalogues[lang] ?? en;
  document.documentElement.lang = current._lang ?? lang;
  document.documentElement.dir = current._dir ?? 'ltr';
}

export function t(key: string, vars: Record<string, string | number> = {}): string {
  const s = current[key] ?? en[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (_, v) => (v in vars ? String(vars[v]) : `{${v}}`));
}

// A value from the data (a status, a state) in the user's language: the
// catalogue's 'value.X' when there is one, else the value as stored.
export function tv(value: string | null | undefined): string {
  if (value === null || value === undefined) return '—';
  const k = `value.${value}`;
  return current[k] ?? en[k] ?? value;
}

const numberFormat = new Intl.NumberFormat('en-GB');
export function num(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : numberFormat.format(n);
}
export function pct(x: number | null | undefined): string {
  return x === null || x === undefined || Number.isNaN(x) ? '—' : `${Math.round(x * 100)}%`;
}
