// cadre's web interface: the shell (login, navigation by role, the as-of
// date in the header and the URL) around one page per area.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import * as api from './api';
import { language, languages, preferredLanguage, setLanguage, t } from './i18n';
import { asOf, go, href, setQuery, today, useRoute } from './router';
import { homeOf, mayUse, pageOrder, type PageId } from './roles';
import { DateInput, ErrorBox, Field, checkField } from './ui';
import { Dashboard } from './pages/dashboard';
import { MapPage } from './pages/map';
import { Manning } from './pages/manning';
import { Training } from './pages/training';
import { Trainees } from './pages/trainees';
import { Consent } from './pages/consent';
import { Audit } from './pages/audit';
import './style.css';

function Login({ onIn }: { onIn: (me: api.Me) => void }) {
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => { document.title = `${t('login.title')} · cadre`; }, []);
  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onIn(await api.login(user, password));
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  }
  return (
    <main class="login" id="main">
      <form onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">cadre</h1>
        <p class="muted">{t('login.lead')}</p>
        <Field id="login" label={t('login.login')} value={user} onInput={setUser} required />
        <Field id="password" label={t('login.password')} type="password" value={password} onInput={setPassword} required />
        {error && <ErrorBox error={error} />}
        <button type="submit" class="primary" disabled={busy}>{t('login.submit')}</button>
      </form>
    </main>
  );
}

function AsOfPicker() {
  const route = useRoute();
  const value = asOf(route);
  // What is being typed is checked; the day changes when it is a real one.
  const [typed, setTyped] = useState(value);
  useEffect(() => setTyped(value), [value]);
  const bad = typed !== value ? checkField({ name: 'as_of', type: 'date', required: true, key: false }, typed) : null;
  return (
    <div class="asof">
      <label for="as-of">{t('shell.asof')}</label>
      <DateInput id="as-of" value={typed} aria-describedby={bad ? 'as-of-error' : undefined} aria-invalid={bad || undefined}
                 onInput={(e: Event) => setTyped((e.currentTarget as HTMLInputElement).value)}
                 onChange={(e: Event) => {
                   const v = (e.currentTarget as HTMLInputElement).value;
                   setTyped(v);
                   if (!checkField({ name: 'as_of', type: 'date', required: true, key: false }, v)) setQuery({ as_of: v === today() ? undefined : v });
                 }} />
      {bad && <span class="field-error" id="as-of-error" role="alert">{bad}</span>}
      {route.query.get('as_of') && (
        <button type="button" class="link" onClick={() => setQuery({ as_of: undefined })}>{t('shell.today')}</button>
      )}
    </div>
  );
}

function LanguagePicker({ onChange }: { onChange: () => void }) {
  return (
    <div class="lang">
      <label for="lang" class="sr-only">{t('shell.language')}</label>
      <select id="lang" value={language()} onChange={(e) => { setLanguage(e.currentTarget.value); onChange(); }}>
        {languages.map(([code, name]) => <option value={code} lang={code}>{name}</option>)}
      </select>
    </div>
  );
}

function Shell({ me, onOut, onLanguage }: { me: api.Me; onOut: () => void; onLanguage: () => void }) {
  const route = useRoute();
  const page = (route.parts[0] ?? '') as PageId;
  const allowed = pageOrder.filter((p) => mayUse(me.role, p));
  useEffect(() => {
    if (!pageOrder.includes(page) || !mayUse(me.role, page)) go([homeOf(me.role)]);
  }, [page, me.role]);
  const sub = route.parts.slice(1);
  let body = null;
  if (mayUse(me.role, page)) {
    switch (page) {
      case 'dashboard': body = <Dashboard route={route} />; break;
      case 'map': body = <MapPage route={route} />; break;
      case 'manning': body = <Manning route={route} sub={sub} me={me} />; break;
      case 'training': body = <Training route={route} sub={sub} me={me} />; break;
      case 'trainees': body = <Trainees route={route} sub={sub} me={me} />; break;
      case 'consent': body = <Consent route={route} me={me} />; break;
      case 'audit': body = <Audit route={route} />; break;
    }
  }
  return (
    <>
      <a class="skip" href="#main">{t('shell.skip')}</a>
      <header class="top">
        <a class="brand" href={href([homeOf(me.role)])}>cadre</a>
        <nav aria-label={t('shell.nav')}>
          <ul>
            {allowed.map((p) => (
              <li><a href={href([p])} aria-current={p === page ? 'page' : undefined}>{t(`nav.${p}`)}</a></li>
            ))}
          </ul>
        </nav>
        <AsOfPicker />
        <LanguagePicker onChange={onLanguage} />
        {me.read_only && (
          <span class="badge read-only" role="status" title={t('shell.read_only_hint')}>{t('shell.read_only')}</span>
        )}
        <div class="who">
          <span title={t('shell.clearance', { c: me.clearance })}>{me.login} · {t(`role.${me.role}`)}{me.nation ? ` · ${me.nation}` : ''}</span>
          <button type="button" class="link" onClick={onOut}>{t('shell.logout')}</button>
        </div>
      </header>
      {route.query.get('as_of') && (
        <div class="asof-banner" role="status">{t('shell.asof_banner', { date: asOf(route) })}</div>
      )}
      <main id="main" tabIndex={-1}>{body}</main>
    </>
  );
}

function App() {
  const [me, setMe] = useState<api.Me | null | undefined>(undefined);
  const [, setLang] = useState(language());
  useEffect(() => {
    api.whenUnauthorized(() => setMe(null));
    api.whoami().then(setMe);
  }, []);
  if (me === undefined) return <p class="loading" role="status">{t('common.loading')}</p>;
  if (me === null) return <Login onIn={(m) => { api.forgetKinds(); api.forgetPeople(); setMe(m); }} />;
  return <Shell me={me} onOut={() => { api.logout().finally(() => setMe(null)); }} onLanguage={() => setLang(language())} />;
}

setLanguage(preferredLanguage());
render(<App />, document.getElementById('app')!);
