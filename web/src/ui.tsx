// Small building blocks shared by the pages: loading data, tables,
// errors, key facts, form fields that validate as the user types.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type FieldDef } from './api';
import { hasArabic, period, t, tv } from './i18n';

export interface Loaded<T> { data: T | null; error: ApiError | Error | null; loading: boolean; stale: boolean; reload: () => void }

// Run LOAD when DEPS change; the newest answer wins.
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data: T | null; error: Error | null; loading: boolean; stale: boolean }>({ data: null, error: null, loading: true, stale: false });
  const [tick, setTick] = useState(0);
  const seq = useRef(0);
  const key = useRef('');
  useEffect(() => {
    const mine = ++seq.current;
    // A reload (same arguments) keeps showing what is there; new
    // arguments (another record, another date) start from nothing.
    const again = mine > 1 && key.current === JSON.stringify(deps);
    key.current = JSON.stringify(deps);
    setState((s) => ({ ...s, loading: true, error: null, stale: again }));
    load().then(
      (data) => { if (mine === seq.current) setState({ data, error: null, loading: false, stale: false }); },
      (error) => { if (mine === seq.current) setState({ data: null, error, loading: false, stale: false }); },
    );
  }, [...deps, tick]);
  return { ...state, reload: () => setTick((n) => n + 1) };
}

export function Show<T>({ it, children }: { it: Loaded<T>; children: (data: T) => ComponentChildren }) {
  if (it.error) return <ErrorBox error={it.error} />;
  if (it.loading && !it.stale) return <p class="loading" role="status">{t('common.loading')}</p>;
  // Reloading: the page stays (with what the user was doing) under a bar.
  return <>{it.loading && <p class="loading bar" role="status">{t('common.loading')}</p>}{children(it.data as T)}</>;
}

export function ErrorBox({ error }: { error: Error }) {
  const e = error as ApiError;
  return (
    <div class="error" role="alert">
      {e.rule && <strong class="rule">{e.rule}</strong>} {error.message}
      {e.errors && e.errors.length > 0 && (
        <ul>{e.errors.map((x) => <li>{x.field ? <code>{x.field}</code> : null} {x.message}</li>)}</ul>
      )}
    </div>
  );
}

export function Page({ title, children, actions }: { title: string; children: ComponentChildren; actions?: ComponentChildren }) {
  useEffect(() => { document.title = `${title} · cadre`; }, [title]);
  return (
    <section class="page" aria-labelledby="page-title">
      <div class="page-head">
        <h1 id="page-title">{title}</h1>
        {actions && <div class="page-actions">{actions}</div>}
      </div>
      {children}
    </section>
  );
}

export function Card({ title, children, wide, id }: { title: string; children: ComponentChildren; wide?: boolean; id?: string }) {
  return (
    <section class={wide ? 'card wide' : 'card'} aria-label={title} id={id}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}

export function Stat({ label, value, note, tone, testid }: { label: string; value: ComponentChildren; note?: ComponentChildren; tone?: string; testid?: string }) {
  return (
    <div class={`stat ${tone ?? ''}`} data-testid={testid}>
      <div class="stat-value">{value}</div>
      <div class="stat-label">{label}</div>
      {note && <div class="stat-note">{note}</div>}
    </div>
  );
}

// HINT, when given, is the header's tooltip: what the column means.
export interface Column<T> { key: string; label: string; hint?: string; render?: (row: T) => ComponentChildren; sort?: (row: T) => string | number; align?: 'right' }

// A table that sorts by clicking a header (keyboard too: headers are buttons).
export function Table<T>({ rows, columns, caption, empty, limit }: { rows: T[]; columns: Column<T>[]; caption?: string; empty?: string; limit?: number }) {
  const [sortBy, setSortBy] = useState<{ key: string; desc: boolean } | null>(null);
  const [shown, setShown] = useState(limit ?? 200);
  let sorted = rows;
  if (sortBy) {
    const col = columns.find((c) => c.key === sortBy.key);
    const val = col?.sort ?? ((r: T) => (r as any)[sortBy.key] ?? '');
    sorted = [...rows].sort((a, b) => {
      const x = val(a), y = val(b);
      const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
      return sortBy.desc ? -c : c;
    });
  }
  if (!rows.length) return <p class="empty">{empty ?? t('common.none')}</p>;
  return (
    <div class="table-wrap">
      <table>
        {caption && <caption>{caption}</caption>}
        <thead>
          <tr>{columns.map((c) => (
            <th scope="col" class={c.align === 'right' ? 'num' : ''}
                aria-sort={sortBy?.key === c.key ? (sortBy.desc ? 'descending' : 'ascending') : undefined}>
              <button type="button" class="th" title={c.hint} onClick={() => setSortBy({ key: c.key, desc: sortBy?.key === c.key ? !sortBy.desc : false })}>
                {c.label}{sortBy?.key === c.key ? (sortBy.desc ? ' ▾' : ' ▴') : ''}
              </button>
            </th>
          ))}</tr>
        </thead>
        <tbody>
          {sorted.slice(0, shown).map((r) => (
            <tr>{columns.map((c) => <td class={c.align === 'right' ? 'num' : ''}>{cell(c.render ? c.render(r) : String((r as any)[c.key] ?? ''))}</td>)}</tr>
          ))}
        </tbody>
      </table>
      {sorted.length > shown && (
        <button type="button" class="more" onClick={() => setShown(shown + 200)}>
          {t('common.more', { shown, total: sorted.length })}
        </button>
      )}
    </div>
  );
}

// A cell that is one code, key, date or number (no Arabic letter, no
// space), or a period, reads left to right in Arabic too and does not
// break at its hyphens ("GOI-2018", "CIED-TTT/2026-11-26", "2018-10-01 –
// 2020-02-13").
const TOKEN = /^[^\s]+$|^\S+ – \S+$/;
function cell(v: ComponentChildren): ComponentChildren {
  return typeof v === 'string' && v && TOKEN.test(v) && !hasArabic(v) ? <Ltr>{v}</Ltr> : v;
}

// Mixed-direction text isolated left to right and kept on one line: codes,
// keys, dates, periods.
export function Ltr({ children }: { children: ComponentChildren }) {
  return <bdi dir="ltr" class="ltr">{children}</bdi>;
}

// A period FROM – TO (TO null: open ended), isolated so that it never
// reorders in Arabic: 2018-10-01 – 2020-02-13.
export function Period({ from, to }: { from: string | null | undefined; to: string | null | undefined }) {
  return <Ltr>{period(from, to)}</Ltr>;
}

export function Badge({ tone, children }: { tone: string; children: ComponentChildren }) {
  return <span class={`badge ${tone}`}>{children}</span>;
}

export function statusTone(s: string | undefined | null): string {
  switch (s) {
    case 'open': case 'granted': case 'completed': case 'host-led': case 'pass': case 'attended': return 'ok';
    case 'restricted': case 'running': case 'co-led': case 'planned': case 'enrolled': case 'pending': return 'info';
    case 'suspended': case 'postponed': case 'withdrawn': case 'fail': case 'absent': return 'bad';
    case 'closed': case 'cancelled': case 'expired': return 'muted';
    default: return 'muted';
  }
}

// Client-side checks mirroring the catalogue, so that a form says what is
// wrong while the user types; the server checks again and has the last word.
export function checkField(f: FieldDef, v: string): string | null {
  if (!v) return f.required ? t('form.required') : null;
  switch (f.type) {
    case 'date': {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return t('form.date');
      const d = new Date(v + 'T00:00:00Z');
      if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== v) return t('form.noday');
      return null;
    }
    case 'integer':
      if (!/^-?\d+$/.test(v)) return t('form.integer');
      break;
    case 'number':
      if (!/^-?\d+(\.\d+)?$/.test(v)) return t('form.number');
      break;
    case 'iso3':
      if (!/^[A-Z]{3}$/.test(v)) return t('form.iso3');
      return null;
    case 'enum':
      if (f.values && !f.values.split('|').includes(v)) return t('form.oneof', { values: f.values.split('|').join(', ') });
      return null;
    default:
      return null;
  }
  const n = Number(v);
  if (f.min !== undefined && f.max !== undefined && (n < f.min || n > f.max)) return t('form.range', { min: f.min, max: f.max });
  if (f.positive && n <= 0) return t('form.positive');
  if (f.nonnegative && n < 0) return t('form.nonnegative');
  return null;
}

export function Field({ id, label, value, onInput, error, type, options, optionLabel, hint, required }: {
  id: string; label: string; value: string; onInput: (v: string) => void; error?: string | null;
  type?: string; options?: string[]; optionLabel?: (v: string) => string; hint?: string; required?: boolean;
}) {
  const describedBy = [error ? `${id}-error` : '', hint ? `${id}-hint` : ''].filter(Boolean).join(' ') || undefined;
  const common = {
    id, name: id, value, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy, required,
    onInput: (e: Event) => onInput((e.currentTarget as HTMLInputElement).value),
  };
  return (
    <div class={error ? 'field invalid' : 'field'}>
      <label for={id}>{label}{required ? ' *' : ''}</label>
      {options ? (
        <select {...common}>
          {!required && <option value="">—</option>}
          {options.map((o) => <option value={o}>{(optionLabel ?? tv)(o)}</option>)}
        </select>
      ) : type === 'textarea' ? <textarea {...common} rows={3} />
        : type === 'date' ? <DateInput {...common} />
        : <input {...common} type={(type ?? 'text') as 'text'} />}
      {hint && <div class="hint" id={`${id}-hint`}>{hint}</div>}
      {error && <div class="field-error" id={`${id}-error`} role="alert">{error}</div>}
    </div>
  );
}

// A day typed as the interface writes it, YYYY-MM-DD, in both languages
// (docs/ui.md): a text field, not the browser's date picker, which writes
// the day in the browser's own format (06/15/2020) beside ISO dates.
export function DateInput(props: Record<string, unknown>) {
  return <input {...props} type="text" inputMode="numeric" pattern="\d{4}-\d{2}-\d{2}" maxLength={10}
                placeholder={t('form.date_placeholder')} dir="ltr" autoComplete="off" class="date" />;
}

export function fmtDate(d: string | null | undefined): string {
  return d ?? '—';
}

// Inclusive day count between two ISO dates.
export function days(from: string, to: string): number {
  return Math.round((Date.parse(to) - Date.parse(from)) / 86400000);
}

// A person by name (rank, name, nation) linking to their page, or by code
// when the name is not known to the caller. A rank that is a value of the
// catalogue (a contractor's "contractor") is shown in the user's language.
export function PersonLink({ code, who, href: to }: { code: string; who?: { name: string; rank: string | null; nation: string } | null; href: string }) {
  return who
    ? <a href={to} title={code}>{who.rank ? <>{tv(who.rank) === who.rank ? <Ltr>{who.rank}</Ltr> : tv(who.rank)} </> : ''}{who.name} <span class="muted small">({who.nation})</span></a>
    : <a href={to}>{code}</a>;
}
