// Every text the interface shows comes from one catalogue per language,
// so that a translation (Arabic first, right to left) is one more file
// here. t('key', {n: 3}) fills {n}; a missing key shows the key itself,
// which the browser tests would catch.
import { en } from './messages';
import { ar } from './messages-ar';

export type Catalogue = Record<string, string> & { _dir?: string; _lang?: string };

const catalogues: Record<string, Catalogue> = { en, ar };
let current: Catalogue = en;

// The languages offered, each named in itself.
export const languages: [string, string][] = [['en', 'English'], ['ar', 'العربية']];

// The user's choice (kept in this browser), else the browser's language.
export function preferredLanguage(): string {
  const kept = localStorage.getItem('cadre.lang');
  if (kept && catalogues[kept]) return kept;
  return navigator.language?.startsWith('ar') ? 'ar' : 'en';
}

export function setLanguage(lang: string): void {
  current = catalogues[lang] ?? en;
  document.documentElement.lang = current._lang ?? lang;
  document.documentElement.dir = current._dir ?? 'ltr';
  localStorage.setItem('cadre.lang', current._lang ?? 'en');
}

export function language(): string { return current._lang ?? 'en'; }

export function t(key: string, vars: Record<string, string | number> = {}): string {
  const s = current[key] ?? en[key] ?? key;
  // In a right-to-left text each value is isolated (FSI … PDI), so that
  // a date such as 2020-06-15 is not reordered into 15-06-2020.
  const iso = current._dir === 'rtl' ? (x: string) => `\u2068${x}\u2069` : (x: string) => x;
  return s.replace(/\{(\w+)\}/g, (_, v) => (v in vars ? iso(String(vars[v])) : `{${v}}`));
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
