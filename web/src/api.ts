// The one way the interface talks to cadre: same-origin fetches with the
// session cookie, the CSRF token on every change, and the server's
// problem+json answers turned into ApiError (with the rule or the field
// errors, so that a form can show a refusal next to its field).

export interface FieldError { field?: string; message: string; line?: number }

export class ApiError extends Error {
  status: number;
  rule?: string;
  errors: FieldError[];
  records: string[];
  constructor(status: number, message: string, rule?: string,
              errors: FieldError[] = [], records: string[] = []) {
    super(message);
    this.status = status;
    this.rule = rule;
    this.errors = errors;
    this.records = records;
  }
}

let csrf: string | null = null;
let onUnauthorized: () => void = () => {};

export function setCsrf(token: string | null): void { csrf = token; }
export function whenUnauthorized(fn: () => void): void { onUnauthorized = fn; }

async function problem(res: Response): Promise<ApiError> {
  let body: any = null;
  try { body = await res.json(); } catch { /* not JSON */ }
  const errs: FieldError[] = Array.isArray(body?.errors)
    ? body.errors.map((e: any) => ({ field: e.field, message: e.message ?? e.reason ?? String(e), line: e.line }))
    : [];
  const msg = body?.detail ?? body?.error?.message ?? body?.title ?? res.statusText;
  return new ApiError(res.status, msg, body?.rule ?? body?.error?.rule, errs,
                      body?.records ?? body?.error?.records ?? []);
}

export interface Answer<T> { data: T; etag: string | null }

export async function request<T>(method: string, path: string, body?: unknown,
                                 headers: Record<string, string> = {}): Promise<Answer<T>> {
  const h: Record<string, string> = { Accept: 'application/json', ...headers };
  if (body !== undefined) h['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrf) h['X-CSRF-Token'] = csrf;
  const res = await fetch(path, {
    method, headers: h, credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) {
    const err = await problem(res);
    if (res.status === 401 && !path.endsWith('/auth/login')) onUnauthorized();
    throw err;
  }
  return { data: (await res.json()) as T, etag: res.headers.get('ETag') };
}

export function get<T>(path: string, params: Record<string, string | number | undefined | null> = {}): Promise<T> {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return request<T>('GET', s ? `${path}?${s}` : path).then((a) => a.data);
}

export interface Page<T> { kind: string; items: T[]; next: string | null }

// Every record of a kind (following the cursor), for the modest lists the
// interface shows whole: posts, sites, sessions, consents.
export async function all<T>(kind: string, params: Record<string, string | undefined> = {}): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  do {
    const page: Page<T> = await get<Page<T>>(`/api/v1/${kind}`, { ...params, limit: 10000, cursor: cursor ?? undefined });
    out.push(...page.items);
    cursor = page.next;
  } while (cursor);
  return out;
}

export function one<T>(kind: string, key: string): Promise<Answer<T>> {
  return request<T>('GET', `/api/v1/${kind}/${encodeURIComponent(key)}`);
}

export function patch<T>(kind: string, key: string, etag: string, changes: unknown): Promise<Answer<T>> {
  return request<T>('PATCH', `/api/v1/${kind}/${encodeURIComponent(key)}`, changes, { 'If-Match': etag });
}

export function create<T>(kind: string, record: unknown): Promise<Answer<T>> {
  return request<T>('POST', `/api/v1/${kind}`, record);
}

export function action<T>(name: string, body: unknown): Promise<T> {
  return request<T>('POST', `/api/v1/actions/${name}`, body).then((a) => a.data);
}

export interface Me {
  login: string; role: string; nation: string | null; clearance: string; csrf_token: string | null;
  read_only?: boolean;  // the server is a replica's: it takes no change
}

export async function login(user: string, password: string): Promise<Me> {
  const me = (await request<Me>('POST', '/api/v1/auth/login', { login: user, password })).data;
  setCsrf(me.csrf_token);
  return me;
}

export async function whoami(): Promise<Me | null> {
  try {
    const me = (await request<Me & { authenticated: boolean }>('GET', '/api/v1/auth/me')).data;
    if (!me.authenticated) return null;
    setCsrf(me.csrf_token);
    return me;
  } catch {
    return null;
  }
}

export async function logout(): Promise<void> {
  try { await request('POST', '/api/v1/auth/logout'); } finally { setCsrf(null); }
}

export interface FieldDef {
  name: string; type: string; required: boolean; key: boolean;
  ref?: string; values?: string; default?: string; min?: number; max?: number;
  nonnegative?: boolean; positive?: boolean;
}
export interface KindDef { name: string; label: string; key: string; fields: FieldDef[]; writable: boolean }

let kindsCache: Promise<KindDef[]> | null = null;
export function kinds(): Promise<KindDef[]> {
  if (!kindsCache) kindsCache = get<{ kinds: KindDef[] }>('/api/v1/kinds').then((k) => k.kinds);
  return kindsCache;
}
export function forgetKinds(): void { kindsCache = null; }

export interface PersonName { code: string; name: string; nation: string; rank: string | null }

// The names of the persons on the mission on a day, by code, for showing
// holders by name; a person the caller may not see stays a code.
const peopleCache = new Map<string, Promise<Map<string, PersonName>>>();
export function people(asOf: string): Promise<Map<string, PersonName>> {
  let p = peopleCache.get(asOf);
  if (!p) {
    p = all<PersonName>('persons', { as_of: asOf }).then((list) => new Map(list.map((x) => [x.code, x])));
    peopleCache.set(asOf, p);
    if (peopleCache.size > 8) peopleCache.delete(peopleCache.keys().next().value as string);
  }
  return p;
}
export function forgetPeople(): void { peopleCache.clear(); }
