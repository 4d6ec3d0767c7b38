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
  const iso = current._dir === 'rtl' ? isolate : (x: string) => x;
  return s.replace(/\{(\w+)\}/g, (_, v) => (v in vars ? iso(String(vars[v])) : `{${v}}`));
}

// A value put into a right-to-left sentence, isolated so that it keeps its
// own order: a date, a number or a code (no Arabic letter) left to right
// (LRI … PDI), so that 2020-06-15 is not turned into 15-06-2020 — first
// strong isolation (FSI) is not enough for them, having no strong letter —
// and a text in Arabic by its first letter (FSI … PDI).
const ARABIC = /[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]/;
export function isolate(x: string): string {
  return ARABIC.test(x) ? `\u2068${x}\u2069` : `\u2066${x}\u2069`;
}
export function hasArabic(x: string): boolean { return ARABIC.test(x); }
// A code or key put into a text (a page's title) isolated in Arabic only.
export function bidi(x: string): string { return current._dir === 'rtl' ? isolate(x) : x; }

// A value from the data (a status, a state, a category, a kind: the API's
// English codes) in the user's language: the catalogue's 'value.X' when
// there is one, else the value as stored. The code stays the value of a
// select's option; only what is shown is translated.
export function tv(value: string | null | undefined): string {
  if (value === null || value === undefined) return '—';
  const k = `value.${value}`;
  return current[k] ?? en[k] ?? value;
}

// A suspension's scope: "mission", "site:CODE", "activity:CODE",
// "region:NAME" (the API's form, kept as the option's value).
export function tscope(scope: string | null | undefined): string {
  if (!scope) return '—';
  const m = scope.match(/^(site|activity|region):(.*)$/);
  return m ? t(`scope.${m[1]}`, { code: m[2] }) : tv(scope);
}

// Dates, months and numbers through Intl, in one place. The locale is
// 'en-GB' in English and 'ar' in Arabic, with Latin digits (-u-nu-latn):
// the digits of the ISO dates, codes (GOI-2018) and service numbers
// shown beside the counts, which the mission's Arabic documents share.
// A day is written one way throughout, YYYY-MM-DD, in both languages and
// in the date fields (docs/ui.md); months and weekdays are named in the
// user's language.
export function locale(): string { return language() === 'ar' ? 'ar-u-nu-latn' : 'en-GB'; }

const formats = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();
function numberFormat(opts: Intl.NumberFormatOptions = {}): Intl.NumberFormat {
  const k = `n ${locale()} ${JSON.stringify(opts)}`;
  if (!formats.has(k)) formats.set(k, new Intl.NumberFormat(locale(), opts));
  return formats.get(k) as Intl.NumberFormat;
}
function dateFormat(opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const k = `d ${locale()} ${JSON.stringify(opts)}`;
  if (!formats.has(k)) formats.set(k, new Intl.DateTimeFormat(locale(), { timeZone: 'UTC', ...opts }));
  return formats.get(k) as Intl.DateTimeFormat;
}
const utc = (iso: string) => new Date((iso.length === 7 ? iso + '-01' : iso.slice(0, 10)) + 'T00:00:00Z');

export function num(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : numberFormat().format(n);
}
export function pct(x: number | null | undefined): string {
  return x === null || x === undefined || Number.isNaN(x) ? '—' : numberFormat({ style: 'percent', maximumFractionDigits: 0 }).format(x);
}
// A day as the interface writes it: YYYY-MM-DD.
export function day(iso: string | null | undefined): string {
  return iso ? iso.slice(0, 10) : '—';
}
// "June 2020" / "يونيو 2020" for a day or a month (YYYY-MM).
export function month(iso: string): string { return dateFormat({ month: 'long', year: 'numeric' }).format(utc(iso)); }
// "Jun 2020" for a chart's axis.
export function monthShort(iso: string): string { return dateFormat({ month: 'short', year: 'numeric' }).format(utc(iso)); }
// "Mon 15" / "الاثنين 15" for a column of the week.
export function weekday(iso: string): string { return dateFormat({ weekday: 'short', day: 'numeric' }).format(utc(iso)); }
// A period, FROM – TO (TO null: open ended), as plain text; on a page,
// ui.tsx's <Period> isolates it left to right.
export function period(from: string | null | undefined, to: string | null | undefined): string {
  return `${day(from)} – ${to ? day(to) : t('common.open_ended')}`;
}
