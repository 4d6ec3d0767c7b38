// Browser tests of cadre's web interface: the real binary serving the
// demo mission, driven in Debian's headless Chromium by playwright-core.
// Prints TAP. Screenshots of every page go to $ARTIFACTS (default
// ./browser-artifacts) and are kept as the run's artifacts.
//
// env: CADRE (the binary), CADRE_WEB (web/, for node_modules), ARTIFACTS,
//      CHROMIUM (default /usr/bin/chromium)
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const CADRE = resolve(process.env.CADRE ?? 'build/cadre');
const WEB = resolve(process.env.CADRE_WEB ?? 'web');
const ARTIFACTS = resolve(process.env.ARTIFACTS ?? 'browser-artifacts');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const { chromium } = createRequire(join(WEB, 'package.json'))('playwright-core');

const PW = 'browser test password';
const ACCOUNTS = {
  admin: ['--role', 'admin', '--clearance', 'CTS'],
  commander: ['--role', 'commander', '--clearance', 'NS'],
  manning: ['--role', 'manning', '--clearance', 'NS'],
  training: ['--role', 'training', '--clearance', 'NS'],
  trainer: ['--role', 'trainer', '--clearance', 'NR'],
  auditor: ['--role', 'auditor', '--clearance', 'NS'],
  contingent: ['--role', 'contingent', '--nation', 'CAN', '--clearance', 'NS'],
  liaison: ['--role', 'liaison', '--nation', 'IRQ', '--clearance', 'NR'],
};
// What each role's navigation offers (src/roles.ts), in order.
const NAV = {
  admin: ['dashboard', 'map', 'manning', 'training', 'trainees', 'consent', 'audit'],
  commander: ['dashboard', 'map', 'manning', 'training', 'trainees', 'consent'],
  manning: ['dashboard', 'map', 'manning', 'training', 'consent'],
  training: ['dashboard', 'map', 'manning', 'training', 'trainees', 'consent'],
  trainer: ['dashboard', 'map', 'training', 'trainees'],
  auditor: ['dashboard', 'map', 'manning', 'training', 'trainees', 'consent', 'audit'],
  contingent: ['map', 'manning'],
  liaison: ['training', 'trainees'],
};
const SECRET = 'IQ-RESTRICTED-1';
const SECRET_NAME = 'Withheld Restricted Trainee';

const env = { ...process.env, CADRE_TODAY: '2026-11-29' };
function cadre(db, args, input) {
  const r = spawnSync(CADRE, ['--db', db, ...args], { input, env, encoding: 'utf8', timeout: 600000 });
  if (r.status !== 0) throw new Error(`cadre ${args.join(' ')}: exit ${r.status}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

const dir = mkdtempSync(join(tmpdir(), 'cadre-ui-'));
const db = join(dir, 'demo.db');
mkdirSync(ARTIFACTS, { recursive: true });
cadre(db, ['demo']);
for (const [login, args] of Object.entries(ACCOUNTS)) cadre(db, ['user', 'add', `t.${login}`, ...args], PW + '\n');

// A conflict as a database from before the mission's rules holds it (the
// writes now refuse one): a session moved into the room another uses at
// its site on the same days, written straight into the SQLite file while
// no server holds it. The check must see it.
const CLASH = ['ENG-CRS/2020-07-26', 'AVM-T72/2020-07-01'];
{
  const py = `import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
room = db.execute("SELECT room FROM session WHERE key = ?", (sys.argv[3],)).fetchone()[0]
n = db.execute("UPDATE session SET room = ? WHERE key = ?", (room, sys.argv[2])).rowcount
db.commit()
sys.exit(0 if n == 1 and room else 1)`;
  const r = spawnSync('python3', ['-c', py, db, ...CLASH], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`making the conflict: ${r.stderr}`);
  const chk = spawnSync(CADRE, ['--db', db, 'check', '--from', '2020-07-01', '--to', '2020-09-01'], { env, encoding: 'utf8' });
  if (chk.status !== 1 || !chk.stdout.includes(`ROOM-CLASH: sessions ${CLASH[1]} and ${CLASH[0]}`)) throw new Error(`the check does not see the conflict: ${chk.stdout}${chk.stderr}`);
}

const server = spawn(CADRE, ['--db', db, 'serve', '--listen', '127.0.0.1:0', '--quiet'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
const base = await new Promise((ok, fail) => {
  let text = '';
  server.stdout.on('data', (b) => {
    text += b;
    const m = text.match(/http:\/\/127\.0\.0\.1:(\d+)\//);
    if (m) ok(`http://127.0.0.1:${m[1]}`);
  });
  server.on('exit', (c) => fail(new Error(`cadre serve exited ${c}`)));
});

// A restricted trainee, not released to the host nation, enrolled in a
// session the liaison can see: the liaison must never meet it.
async function api(method, path, body, headers = {}) {
  const r = await fetch(base + path, { method, headers: { 'Content-Type': 'application/json', ...headers }, body: body && JSON.stringify(body) });
  const text = await r.text();
  return { status: r.status, headers: r.headers, json: text ? JSON.parse(text) : null };
}
const adminLogin = await api('POST', '/api/v1/auth/login', { login: 't.admin', password: PW });
const adminAuth = { Cookie: adminLogin.headers.get('set-cookie').split(';')[0], 'X-CSRF-Token': adminLogin.json.csrf_token };
const SECRET_SESSION = 'NCO-JLC/2019-01-13';
for (const [path, body] of [
  ['/api/v1/trainees', { service_number: SECRET, name: SECRET_NAME, nation: 'IRQ', unit: 'IRQ-U-INF2', classification: 'NR', releasability: 'MISSION' }],
  ['/api/v1/enrolments', { session: SECRET_SESSION, trainee: SECRET, releasability: 'MISSION' }],
]) {
  const r = await api('POST', path, body, adminAuth);
  if (r.status !== 201) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.json)}`);
}

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
         '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
});

// UI_ONLY=REGEX runs only the tests whose name matches (while working
// on one part; the suite runs them all).
const only = process.env.UI_ONLY ? new RegExp(process.env.UI_ONLY) : null;
const tests = [];
const test = (name, fn) => { if (!only || only.test(name)) tests.push({ name, fn }); };
function assert(cond, msg) { if (!cond) throw new Error(msg); }

// Record on PAGE its problems (console errors other than expected 4xx
// answers, page errors, failed requests), the API's answers, and the API
// requests in flight.
function instrument(page) {
  page.problems = [];
  page.bodies = [];
  page.inflight = new Set();
  page.on('request', (r) => { if (r.url().includes('/api/')) page.inflight.add(r); });
  page.on('requestfinished', (r) => page.inflight.delete(r));
  page.on('requestfailed', (r) => page.inflight.delete(r));
  page.on('console', (m) => { if (m.type() === 'error' && !/status of (403|404|409|422)/.test(m.text())) page.problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => page.problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => page.problems.push(`request failed: ${r.url()}`));
  page.on('response', async (r) => {
    if (!r.url().includes('/api/')) return;
    try { page.bodies.push({ url: r.url(), status: r.status(), text: await r.text() }); } catch { /* gone */ }
  });
  return page;
}

// A fresh browser context logged in as ROLE; console errors and failed
// requests other than expected 4xx answers are collected in page.problems.
async function session(role, viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport, baseURL: base, locale: 'en-GB' });
  const page = await context.newPage();
  instrument(page);
  await page.goto('/');
  await page.fill('#login', `t.${role}`);
  await page.fill('#password', PW);
  await page.click('button[type=submit]');
  await page.waitForSelector('header.top nav');
  page.context_ = context;
  return page;
}

// Wait until the page has asked for everything and shows it: no request
// in flight for a while and no "Loading…" left. (A change of the hash is
// a same-document navigation, after which Playwright's load states are
// already reached, hence the count of requests in flight.)
async function settle(page) {
  let quiet = 0;
  for (let waited = 0; quiet < 4; waited += 100) {
    if (waited > 60000) throw new Error(`still loading after 60 s: ${page.url()}: ${[...page.inflight].map((r) => r.url()).join(' ')}`);
    await page.waitForTimeout(100);
    quiet = page.inflight.size === 0 ? quiet + 1 : 0;
  }
  await page.waitForFunction(() => !document.querySelector('.loading'), null, { timeout: 30000 });
}

async function shot(page, name) {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

function clean(page, where) {
  assert(page.problems.length === 0, `${where}: ${page.problems.join('; ')}`);
}

// Every role: the navigation offers exactly its pages; every page renders
// real data with no error and no console error; a screenshot of each.
for (const role of Object.keys(ACCOUNTS)) {
  test(`${role}: navigation and every page render with data`, async () => {
    const page = await session(role);
    const nav = await page.$$eval('header nav a', (as) => as.map((a) => a.getAttribute('href').replace(/^#\//, '').split(/[/?]/)[0]));
    assert(JSON.stringify(nav) === JSON.stringify(NAV[role]), `nav ${nav} != ${NAV[role]}`);
    for (const p of NAV[role]) {
      await page.goto(`/#/${p}?as_of=2020-06-15`);
      await settle(page);
      const errors = await page.$$eval('.error, [role=alert].error', (es) => es.map((e) => e.textContent));
      assert(errors.length === 0, `${role} ${p}: ${errors.join(' | ')}`);
      const cells = await page.$$eval('main td, main .stat-value, main svg circle, main .cal-bar-item', (es) => es.length);
      assert(cells > 0 || p === 'trainees', `${role} ${p}: no data shown`);
      await shot(page, `${role}-${p}`);
    }
    clean(page, role);
    await page.context_.close();
  });
}

test('the pages below the navigation render with data: post, person, course, session, trainee', async () => {
  const page = await session('admin');
  const pages = [
    ['manning-post', '/#/manning/post/NMI-0001?as_of=2021-01-01', 'Holders over time'],
    ['manning-person', '/#/manning/person/P00002?as_of=2020-06-15', 'Tours'],
    ['training-courses', '/#/training/courses', 'CIED-TTT'],
    ['training-course', '/#/training/course/CIED-TTT', 'Counter-IED'],
    ['training-week', '/#/training?view=week&at=2020-06-15', 'Week of 2020-06-15'],
    ['training-session', `/#/training/session/${encodeURIComponent('CIED-TTT/2026-11-26')}`, 'Attendance and results'],
    ['trainee', '/#/trainees/IQ-000001', 'Courses'],
  ];
  for (const [name, url, expect] of pages) {
    await page.goto(url);
    await settle(page);
    const text = await page.textContent('main');
    assert(text.includes(expect), `${name}: no "${expect}"`);
    const errors = await page.$$eval('.error', (es) => es.map((e) => e.textContent));
    assert(errors.length === 0, `${name}: ${errors.join(' | ')}`);
    await shot(page, name);
  }
  // A qualification expiring within 90 days of the date is flagged.
  await page.goto('/#/manning/person/P00002?as_of=2020-09-01');
  await settle(page);
  assert((await page.textContent('main')).includes('expires in 85 days'), 'PDT expiring on 2020-11-25 is flagged');
  await page.goto('/#/manning/person/P00002?as_of=2020-12-01');
  await settle(page);
  assert((await page.textContent('main')).includes('expired'), 'and expired after');
  clean(page, 'sub-pages');
  await page.context_.close();
});

// The manning page: the establishment's groups at a glance (their
// headers, not 405 rows), each group's counts those of the posts it shows
// when opened, the grouping and the filters kept in the URL.
async function groupsOf(page) {
  return page.$$eval('[data-testid=group]', (gs) => gs.map((g) => ({
    key: g.dataset.key, posts: +g.dataset.posts, filled: +g.dataset.filled, vacant: +g.dataset.vacant,
    rotating: g.dataset.rotating.split(',').map(Number), open: g.classList.contains('open'),
    rows: g.querySelectorAll('.group-body tbody tr').length,
    vacantRows: [...g.querySelectorAll('.group-body tbody tr')].filter((tr) => tr.querySelector('.badge.bad:not([data-days] *)') && !tr.querySelector('a[href*="manning/person"]')).length,
    ends: [...g.querySelectorAll('.group-body [data-days]')].map((x) => +x.dataset.days),
  })));
}
const stat = async (page, id) => Number((await page.textContent(`[data-testid=${id}] .stat-value`)).replace(/[^\d]/g, ''));
for (const lang of ['en', 'ar']) {
  test(`manning (${lang}): grouped and collapsed at first, counts that match the rows, grouping and filters in the URL`, async () => {
    const page = await session('manning');
    if (lang === 'ar') {
      await page.selectOption('#lang', 'ar');
      await page.waitForFunction(() => document.documentElement.dir === 'rtl');
    }
    await page.goto('/#/manning?as_of=2020-06-15');
    await settle(page);
    let gs = await groupsOf(page);
    const total = await stat(page, 'stat-posts');
    assert(gs.length >= 4 && gs.every((g) => !g.open && g.rows === 0), `groups collapsed at first: ${JSON.stringify(gs.map((g) => [g.key, g.open, g.rows]))}`);
    assert(total > 300 && gs.reduce((n, g) => n + g.posts, 0) === total, `the groups add up to the ${total} posts`);
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    assert(height < 2500, `the first screen is the groups' summary: ${height}px high`);
    await shot(page, `${lang}-manning-groups`);
    // Opened, every group shows as many posts, filled, vacant and
    // rotating within 30, 60 and 90 days as its header says.
    await page.click('.group-tools button:first-child');
    await page.waitForFunction(() => location.hash.includes('open='));
    gs = await groupsOf(page);
    for (const g of gs) {
      assert(g.open && g.rows === g.posts, `${g.key}: ${g.rows} rows for ${g.posts} posts`);
      assert(g.vacantRows === g.vacant && g.posts - g.vacant === g.filled, `${g.key}: ${g.vacantRows} vacant rows for ${g.vacant} vacant`);
      const within = [30, 60, 90].map((w) => g.ends.filter((n) => n <= w).length);
      assert(JSON.stringify(within) === JSON.stringify(g.rotating), `${g.key}: rotating ${within} shown, ${g.rotating} counted`);
    }
    assert(gs.some((g) => g.rotating[2] > 0), 'some tour ends within 90 days');
    await page.click('.group-tools button:last-child');
    await page.waitForFunction(() => !document.querySelector('.group.open'));
    // One group opened and closed by its header.
    const head = page.locator('[data-testid=group][data-key=TAJI] .group-head button');
    await head.click();
    await page.waitForSelector('[data-testid=group][data-key=TAJI].open tbody tr');
    assert(await head.getAttribute('aria-expanded') === 'true', 'aria-expanded');
    await head.click();
    await page.waitForFunction(() => !document.querySelector('[data-testid=group][data-key=TAJI].open'));
    // The grouping switch.
    await page.click('[data-testid=group-by] button[data-group=branch]');
    await page.waitForFunction(() => location.hash.includes('group=branch'));
    gs = await groupsOf(page);
    assert(gs.some((g) => g.key === 'Training') && gs.some((g) => g.key === 'J1 Personnel') && gs.reduce((n, g) => n + g.posts, 0) === total, `by branch: ${gs.map((g) => g.key)}`);
    await page.click('[data-testid=group-by] button[data-group=nation]');
    await page.waitForFunction(() => location.hash.includes('group=nation'));
    gs = await groupsOf(page);
    assert(gs.some((g) => g.key === 'CAN') && gs.at(-1).key === 'any' && gs.reduce((n, g) => n + g.posts, 0) === total, `by nation: ${gs.map((g) => g.key)}`);
    assert(await page.getAttribute('[data-testid=group-by] button[data-group=nation]', 'aria-pressed') === 'true', 'the switch shows the grouping');
    // Vacant only: only vacant posts, shown at once (few), and kept
    // by the URL across a reload.
    await page.selectOption('#f-filled', 'vacant');
    await page.waitForFunction(() => location.hash.includes('filled=vacant'));
    const vacant = async () => {
      const v = await groupsOf(page);
      const rows = v.reduce((n, g) => n + g.rows, 0);
      assert(v.length > 0 && v.every((g) => g.open && g.filled === 0 && g.vacantRows === g.rows), `vacant only: ${JSON.stringify(v)}`);
      assert(rows === await stat(page, 'stat-vacant') && rows === await stat(page, 'stat-posts') && rows > 0, `${rows} vacant rows`);
      return rows;
    };
    const n = await vacant();
    await page.reload();
    await page.waitForSelector('header.top nav');
    await settle(page);
    assert(await page.inputValue('#f-filled') === 'vacant' && page.url().includes('group=nation'), `after a reload: ${page.url()}`);
    assert(await vacant() === n, 'the same vacant posts after a reload');
    await shot(page, `${lang}-manning-vacant`);
    // Rotating within 30 days: none on that day, and the page says so;
    // within 60: only posts whose holder leaves by then.
    await page.selectOption('#f-filled', '');
    await page.selectOption('#f-rotating', '30');
    await page.waitForFunction(() => location.hash.includes('rotating=30') && !location.hash.includes('filled='));
    assert(await page.isVisible('[data-testid=no-posts]') && await stat(page, 'stat-posts') === 0, 'no tour ends within 30 days of 2020-06-15');
    await page.selectOption('#f-rotating', '60');
    await page.waitForFunction(() => location.hash.includes('rotating=60'));
    await page.click('.group-tools button:first-child');
    await page.waitForFunction(() => location.hash.includes('open='));
    gs = await groupsOf(page);
    const ends = gs.flatMap((g) => g.ends);
    assert(ends.length > 0 && ends.length === gs.reduce((n, g) => n + g.rows, 0) && ends.every((x) => x <= 60 && x > 30), `rotating within 60 days: ${ends}`);
    await shot(page, `${lang}-manning-rotating`);
    if (lang === 'ar') {
      const heads = await page.$$eval('.group-cols span', (s) => s.map((x) => x.textContent).join(' | '));
      assert(/المناوبات/.test(heads) && !/[a-z]{3}/i.test(heads.replace(/[A-Z]{3}/g, '')), `the column heads in Arabic: ${heads}`);
      await page.selectOption('#lang', 'en');
    }
    clean(page, `manning ${lang}`);
    await page.context_.close();
  });
}

// A contingent's commander is given its own nation's holders only (the
// API decides): a post without one is not called vacant.
test('manning (contingent): posts without a holder of its own nation are not called vacant', async () => {
  const page = await session('contingent');
  await page.goto('/#/manning?as_of=2020-06-15&group=nation&open=CAN');
  await settle(page);
  const label = await page.textContent('[data-testid=stat-vacant] .stat-label');
  assert(label === 'Without a holder of yours', `the label: ${label}`);
  const badges = await page.$$eval('main .badge.bad', (bs) => bs.map((b) => b.textContent));
  assert(!badges.includes('vacant'), `vacant badges: ${badges}`);
  assert((await groupsOf(page)).reduce((n, g) => n + g.posts, 0) === await stat(page, 'stat-posts'), 'the groups add up');
  clean(page, 'manning contingent');
  await page.context_.close();
});

test('a role cannot reach a page it does not have by URL', async () => {
  const page = await session('liaison');
  await page.goto('/#/dashboard');
  await page.waitForFunction(() => location.hash.startsWith('#/training'));
  await page.goto('/#/audit');
  await page.waitForFunction(() => location.hash.startsWith('#/training'));
  await page.context_.close();
});

test('the as-of date switches the dashboard to the numbers of that day', async () => {
  const page = await session('commander');
  await page.goto('/#/dashboard?as_of=2020-01-05');
  await settle(page);
  const text = async (id) => (await page.textContent(`[data-testid=${id}] .stat-value`)).trim();
  assert(await text('stat-headcount') === '270', `headcount ${await text('stat-headcount')}`);
  assert(await text('stat-members') === '29', `members ${await text('stat-members')}`);
  assert(await page.isVisible('[data-testid=suspension-alert]'), 'the suspension of 2020-01-04 is shown');
  assert((await page.textContent('[data-testid=suspension-alert]')).includes('Training is suspended'), 'training suspended');
  await shot(page, 'dashboard-2020-01-05');
  await page.fill('#as-of', '2020-03-27');
  await page.dispatchEvent('#as-of', 'change');
  await page.waitForFunction(() => location.hash.includes('as_of=2020-03-27'));
  await settle(page);
  assert(await text('stat-members') === '30', `members on 2020-03-27: ${await text('stat-members')}`);
  const alert = await page.textContent('[data-testid=suspension-alert]');
  assert(alert.includes('2020-03-20') && alert.includes('COVID-19') && !alert.includes('2020-01-04'),
         `the COVID-19 pause, not the January one: ${alert}`);
  await page.fill('#as-of', '2020-06-15');
  await page.dispatchEvent('#as-of', 'change');
  await settle(page);
  assert(!(await page.isVisible('[data-testid=suspension-alert]')), 'no suspension on 2020-06-15');
  await page.fill('#as-of', '2020-03-27');
  await page.dispatchEvent('#as-of', 'change');
  await settle(page);
  await shot(page, 'dashboard-2020-03-27');
  // The URL carries the date: a shared link opens the same view.
  const again = instrument(await page.context_.newPage());
  await again.goto(page.url());
  await settle(again);
  assert((await again.textContent('[data-testid=stat-members] .stat-value')).trim() === '30', 'shared link');
  clean(page, 'as-of');
  await page.context_.close();
});

test('suspend, preview, confirm, then resume with its preview', async () => {
  const page = await session('commander');
  await page.goto('/#/consent?as_of=2026-11-10');
  await settle(page);
  await page.selectOption('#suspend-scope', 'site:BESMAYA');
  await page.fill('#suspend-from', '2026-11-10');
  await page.fill('#suspend-reason', 'IED threat on the range road (browser test)');
  await page.click('[data-testid=suspend-preview]');
  await page.waitForSelector('[data-testid=suspend-preview-result]');
  const preview = await page.textContent('[data-testid=suspend-preview-result]');
  assert(/5 sessions postponed/.test(preview), `preview: ${preview}`);
  assert(preview.includes('CIED-TTT/2026-10-01'), 'the preview names the sessions');
  // Nothing is written by the preview.
  let events = await api('GET', '/api/v1/status-events?scope=site:BESMAYA', undefined, adminAuth);
  assert(events.json.items.length === 0, 'the preview wrote nothing');
  await shot(page, 'consent-suspend-preview');
  await page.click('[data-testid=suspend-confirm]');
  await page.waitForSelector('[data-testid=suspend-done]');
  events = await api('GET', '/api/v1/status-events?scope=site:BESMAYA', undefined, adminAuth);
  assert(events.json.items.length === 1, 'the suspension is recorded');
  await settle(page);
  assert(await page.isVisible('[data-testid=suspensions-in-force]'), 'in force on the page');
  const s = await api('GET', `/api/v1/sessions/${encodeURIComponent('CIED-TTT/2026-10-01')}`, undefined, adminAuth);
  assert(s.json.status === 'postponed', `session ${s.json.status}`);
  await page.selectOption('#resume-scope', 'site:BESMAYA');
  await page.fill('#resume-on', '2026-12-01');
  await page.click('[data-testid=resume-preview]');
  await page.waitForSelector('[data-testid=resume-preview-result]');
  const rp = await page.textContent('[data-testid=resume-preview-result]');
  assert(rp.includes('2026-12-01'), `resume preview: ${rp}`);
  await shot(page, 'consent-resume-preview');
  await page.click('[data-testid=resume-confirm]');
  await page.waitForSelector('[data-testid=resume-done]');
  const re = await api('GET', `/api/v1/sessions?course=CIED-TTT&replaces=${encodeURIComponent('CIED-TTT/2026-10-01')}`, undefined, adminAuth);
  assert(re.json.items.length === 1 && re.json.items[0].valid_from === '2026-12-01', `re-planned: ${JSON.stringify(re.json.items)}`);
  clean(page, 'suspend-resume');
  await page.context_.close();
});

test('transfer from the coalition: preview, then confirm', async () => {
  const made = await api('POST', '/api/v1/activities', { code: 'TRN-RANGE', title: 'Coalition range training', kind: 'training', host: 'IRQ-MOD', owner: 'CJTF-OIR', site: 'TAJI', valid_from: '2026-01-01' }, adminAuth);
  assert(made.status === 201, `activity: ${made.status} ${JSON.stringify(made.json)}`);
  const page = await session('commander');
  await page.goto('/#/consent?as_of=2026-12-01');
  await settle(page);
  await page.selectOption('#transfer-activity', 'TRN-RANGE');
  await page.click('[data-testid=transfer-preview]');
  await page.waitForSelector('[data-testid=transfer-preview-result]');
  const sum = await page.textContent('[data-testid=transfer-summary]');
  assert(sum.includes('from CJTF-OIR to NMI on 2026-12-01'), `preview: ${sum}`);
  let a = await api('GET', '/api/v1/activities/TRN-RANGE', undefined, adminAuth);
  assert(a.json.owner === 'CJTF-OIR', 'the preview wrote nothing');
  await shot(page, 'consent-transfer-preview');
  await page.click('[data-testid=transfer-confirm]');
  await page.waitForSelector('[data-testid=transfer-done]');
  // The page reloads what the coalition holds; the confirmation stays,
  // though this transfer took the last of it.
  await settle(page);
  assert(await page.isVisible('[data-testid=transfer-done]'), 'the confirmation vanished after the reload');
  a = await api('GET', '/api/v1/activities/TRN-RANGE', undefined, adminAuth);
  assert(a.json.owner === 'NMI' && a.json.previous_owner === 'CJTF-OIR' && a.json.owner_from === '2026-12-01', JSON.stringify(a.json));
  clean(page, 'transfer');
  await page.context_.close();
});

test('a liaison never sees the restricted trainee anywhere', async () => {
  const page = await session('liaison');
  await page.goto('/#/trainees?q=Withheld');
  await settle(page);
  assert((await page.textContent('main')).includes('No trainee matches'), 'search finds nothing');
  await page.goto('/#/trainees?q=al-Obaidi');
  await settle(page);
  assert(await page.$$eval('main td', (x) => x.length) > 0, 'released trainees are found');
  await page.goto(`/#/training/session/${encodeURIComponent(SECRET_SESSION)}`);
  await settle(page);
  await page.goto(`/#/trainees/${SECRET}`);
  await settle(page);
  assert((await page.textContent('main')).includes('no such record'), 'the record answers as absent');
  await page.goto('/#/training?at=2019-01-15');
  await settle(page);
  // A request for the record by its key answers 404 and says nothing but
  // the path asked for; no other answer names it at all.
  const leaked = page.bodies.filter((b) => {
    if (b.url.includes(SECRET)) {
      const j = JSON.parse(b.text);
      delete j.instance;
      return JSON.stringify(j).includes(SECRET) || (j.items && j.items.length > 0) ||
        (b.url.includes(`/trainees/${SECRET}`) && b.status !== 404);
    }
    return b.text.includes(SECRET) || b.text.includes(SECRET_NAME);
  });
  assert(leaked.length === 0, `leaked in ${leaked.map((b) => b.url).join(', ')}`);
  assert(!(await page.content()).includes(SECRET_NAME), 'not in the page');
  // The admin sees it, so the test would catch a leak.
  const adm = await session('admin');
  await adm.goto(`/#/training/session/${encodeURIComponent(SECRET_SESSION)}`);
  await settle(adm);
  assert((await adm.textContent('main')).includes(SECRET), 'the admin sees the trainee on the session');
  await adm.goto('/#/trainees?q=Withheld');
  await settle(adm);
  assert((await adm.textContent('main')).includes(SECRET), 'the admin finds it');
  await adm.context_.close();
  await page.context_.close();
});

test('forms check as the user types and show the server refusal by its field', async () => {
  const page = await session('training');
  await page.goto(`/#/training/session/${encodeURIComponent('CIED-TTT/2026-11-26')}`);
  await settle(page);
  await page.click('text=Enrol a trainee');
  await page.fill('#enrolments-trainee', 'IQ-NOBODY');
  await page.click('.enrol button[type=submit]');
  await page.waitForSelector('#enrolments-trainee-error');
  const msg = await page.textContent('#enrolments-trainee-error');
  assert(/IQ-NOBODY|no trainee/i.test(msg), `refusal by the field: ${msg}`);
  await shot(page, 'training-enrol-refused');
  await page.click('text=Edit session');
  await page.fill('#sessions-trainers', 'P99999');
  await page.click('.record-form:not(.enrol .record-form) button[type=submit] >> nth=0');
  await page.waitForSelector('#sessions-trainers-error');
  await shot(page, 'training-edit-refused');
  // A mission rule's refusal, with its identifier, by the field it is
  // about: a trainer without the course's qualification on a planned
  // session (a postponed one has no trainers to check).
  const planned = await api('GET', '/api/v1/sessions?course=CIED-TTT&status=planned&limit=1', undefined, adminAuth);
  assert(planned.json.items.length === 1, 'a planned CIED-TTT session in the demo');
  await page.goto(`/#/training/session/${encodeURIComponent(planned.json.items[0].key)}`);
  await settle(page);
  await page.click('text=Edit session');
  await page.fill('#sessions-trainers', 'P00008');
  await page.click('.record-form:not(.enrol .record-form) button[type=submit] >> nth=0');
  await page.waitForFunction(() => /QUALIFICATION/.test(document.querySelector('#sessions-trainers-error')?.textContent ?? ''));
  const rule = await page.textContent('#sessions-trainers-error');
  assert(rule.includes('QUALIFICATION') && rule.includes('CIED-INSTR'), `rule by the field: ${rule}`);
  await shot(page, 'training-rule-refused');
  // Client-side: a day that does not exist, on the suspend form.
  const cmd = await session('commander');
  await cmd.goto('/#/consent');
  await settle(cmd);
  await cmd.fill('#suspend-from', '2026-02-30');
  const dateErr = await cmd.isVisible('#suspend-from-error');
  const typed = await cmd.inputValue('#suspend-from');
  assert(dateErr || typed === '', 'an impossible date is refused before sending');
  await cmd.context_.close();
  await page.context_.close();
});

test('a trainer records attendance and a result; the audit log shows it', async () => {
  const page = await session('trainer');
  const key = 'CIED-TTT/2026-11-26';
  await page.goto(`/#/training/session/${encodeURIComponent(key)}`);
  await settle(page);
  const first = page.locator('select[aria-label^="Result"]').first();
  const label = await first.getAttribute('aria-label');
  const trainee = label.split(' ').pop();
  await first.selectOption('pass');
  await page.waitForSelector('.ok-mark');
  const e = await api('GET', `/api/v1/enrolments/${encodeURIComponent(key + '/' + trainee)}`, undefined, adminAuth);
  assert(e.json.result === 'pass', `stored ${e.json.result}`);
  await page.context_.close();
  const aud = await session('auditor');
  await aud.goto('/#/audit?actor=t.trainer');
  await settle(aud);
  const t = await aud.textContent('main table');
  assert(t.includes(trainee) && t.includes('t.trainer'), 'the change is in the log under the trainer');
  await shot(aud, 'audit-filtered');
  await aud.context_.close();
});

test('a site\'s calendar is subscribed to with a feed address of the reader\'s own, shown once and stopped', async () => {
  const page = await session('training');
  await page.goto('/#/training?at=2020-07-01&site=TAJI');
  await settle(page);
  await page.click('[data-testid=cal-feed] button >> text=Subscribe to TAJI');
  await page.waitForSelector('#cal-feed-url');
  const url = await page.inputValue('#cal-feed-url');
  assert(url.startsWith(`${base}/api/v1/calendar/site/TAJI.ics?token=`), `feed address: ${url}`);
  // Fetched as a calendar application would: no cookie, no header.
  const r = await fetch(url);
  const ics = await r.text();
  assert(r.status === 200 && ics.startsWith('BEGIN:VCALENDAR') && ics.includes('BEGIN:VEVENT'), `the feed: ${r.status} ${ics.slice(0, 80)}`);
  const other = await fetch(url.replace('/calendar/site/TAJI.ics', '/persons'));
  assert(other.status === 401, `the feed's token opens nothing else: ${other.status}`);
  clean(page, 'subscribe');
  await page.click('[data-testid=cal-feed] button >> text=Stop all my calendar feeds');
  await page.waitForSelector('#cal-feed-url', { state: 'detached' });
  assert((await fetch(url)).status === 401, 'a stopped feed answers no more');
  await page.context_.close();
});

test('the calendar marks a session in conflict with a rule, in English and Arabic; the planner explains its cost', async () => {
  const page = await session('training');
  await page.goto('/#/training?at=2020-07-01');
  await settle(page);
  for (const key of CLASH) {
    const bar = page.locator(`a.cal-bar-item[data-session="${key}"]`);
    const mark = await bar.locator('[data-testid=conflict-mark]').textContent();
    assert(mark.includes('⚠') && mark.includes('ROOM-CLASH'), `${key}: mark ${mark}`);
    const title = await bar.getAttribute('title');
    assert(title.includes(`ROOM-CLASH: sessions ${CLASH[1]} and ${CLASH[0]} are both in TAJI`), `${key}: title ${title}`);
  }
  // Only the sessions a violation names are marked.
  const bars = await page.$$eval('a.cal-bar-item', (as) => as.map((a) => [a.dataset.session, !!a.querySelector('[data-testid=conflict-mark]')]));
  const marked = bars.filter(([, m]) => m).map(([k]) => k);
  assert(bars.length > marked.length && JSON.stringify(marked.sort()) === JSON.stringify([...CLASH].sort()), `marked: ${marked}`);
  const list = await page.textContent('[data-testid=conflicts]');
  assert(list.includes('Conflicts in this period') && list.includes('ROOM-CLASH') &&
         list.includes(`sessions ${CLASH[1]} and ${CLASH[0]} are both in TAJI`), `list: ${list}`);
  // The room's capacity is a count made over every trainee: the
  // commander's (who may run the check), not the training officer's.
  assert(!list.includes('CAPACITY'), 'CAPACITY is not the training role\'s');
  await page.click(`[data-testid=conflicts] a.conflict-session >> text=${CLASH[0]}`);
  await page.waitForFunction((k) => decodeURIComponent(location.hash).includes(k), CLASH[0]);
  await page.goto('/#/training?at=2020-07-01');
  await settle(page);
  await shot(page, 'training-conflict');
  await page.selectOption('#lang', 'ar');
  await page.waitForFunction(() => document.documentElement.dir === 'rtl');
  await settle(page);
  const ar = await page.textContent('[data-testid=conflicts]');
  assert(ar.includes('التعارضات في هذه الفترة') && ar.includes('ROOM-CLASH'), `Arabic list: ${ar}`);
  assert((await page.locator(`a.cal-bar-item[data-session="${CLASH[0]}"] [data-testid=conflict-mark]`).textContent()).includes('ROOM-CLASH'), 'the mark in Arabic');
  const over = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert(over <= 1, `the calendar in Arabic: ${over}px wider than the screen`);
  await shot(page, 'ar-training-conflict');
  // The planner's cost, explained under its table and on its header.
  await page.goto('/#/training/plan?as_of=2027-04-01');
  await settle(page);
  await page.click('[data-testid=plan-preview]');
  await page.waitForSelector('[data-testid=plan-preview-result]');
  const arCost = await page.textContent('[data-testid=cost-legend]');
  assert(arCost.includes('نقاط جزاء') && arCost.includes('الأقل أفضل'), `Arabic cost: ${arCost}`);
  await shot(page, 'ar-training-plan-cost');
  await page.selectOption('#lang', 'en');
  await page.waitForFunction(() => document.documentElement.dir === 'ltr');
  await page.click('[data-testid=plan-preview]');
  await page.waitForSelector('[data-testid=cost-legend]');
  const cost = await page.textContent('[data-testid=cost-legend]');
  for (const part of ['lower is better', 'per day the session starts after the earliest day', 'per 10 empty seats',
                      'not yet taught the course in this plan', 'another site', 'sum over the sessions placed'])
    assert(cost.includes(part), `cost legend lacks "${part}": ${cost}`);
  const hint = await page.getAttribute('[data-testid=plan-preview-result] th:last-child button', 'title');
  assert(/lower is better/.test(hint ?? ''), `cost header: ${hint}`);
  await shot(page, 'training-plan-cost');
  // Nothing was written by the previews.
  const got = await api('GET', '/api/v1/sessions?course=AVM-T72&valid_from=2027-04-01', undefined, adminAuth);
  assert(got.json.items.length === 0, 'the previews wrote nothing');
  clean(page, 'conflicts and cost');
  await page.context_.close();
  // The commander, who may run the check, is given the room's capacity too.
  const cmd = await session('commander');
  await cmd.goto('/#/training?at=2020-07-01');
  await settle(cmd);
  assert((await cmd.textContent('[data-testid=conflicts]')).includes('CAPACITY'), 'CAPACITY for the commander');
  clean(cmd, 'conflicts for the commander');
  await cmd.context_.close();
});

test('the planner: a quarter of training previewed, then applied through the rules', async () => {
  const page = await session('training');
  await page.goto('/#/training/plan?as_of=2027-04-01');
  await settle(page);
  assert(await page.inputValue('#plan-from') === '2027-04-01' && await page.inputValue('#plan-to') === '2027-07-01', 'the quarter from the as-of date');
  await page.click('[data-testid=plan-preview]');
  await page.waitForSelector('[data-testid=plan-preview-result]');
  const summary = await page.textContent('[data-testid=plan-summary]');
  const m = summary.match(/(\d+) of (\d+) placed/);
  // Most of the quarter is placed; on the deconflicted demo one plan
  // finds no free host unit (the preview says why).
  assert(m && Number(m[1]) > 0 && Number(m[1]) <= Number(m[2]), `summary: ${summary}`);
  let got = await api('GET', '/api/v1/sessions?course=AVM-T72&valid_from=2027-04-01', undefined, adminAuth);
  assert(got.json.items.length === 0, 'the preview wrote nothing');
  await shot(page, 'training-plan-preview');
  await page.click('[data-testid=plan-confirm]');
  await page.waitForSelector('[data-testid=plan-done]');
  got = await api('GET', '/api/v1/sessions?valid_from=2027-04-01', undefined, adminAuth);
  assert(got.json.items.length > 0, 'sessions written');
  // The trainer role sees the calendar but not the planner.
  const tr = await session('trainer');
  await tr.goto('/#/training');
  await settle(tr);
  assert(!(await tr.isVisible('a[href^="#/training/plan"]')), 'no planner tab for a trainer');
  await tr.context_.close();
  clean(page, 'planner');
  await page.context_.close();
});

test('map: choosing a site shows who is there, what runs there, its consent', async () => {
  const page = await session('commander');
  await page.goto('/#/map?as_of=2020-06-15');
  await settle(page);
  await page.click('a.site[href*="site=TAJI"]');
  await page.waitForSelector('[data-testid=site-panel]');
  await settle(page);
  const t = await page.textContent('[data-testid=site-panel]');
  assert(t.includes('Taji') && t.includes('GOI-2020') && /Who is there \(\d+ of \d+ posts filled\)/.test(t), `panel: ${t.slice(0, 300)}`);
  await shot(page, 'map-taji');
  // On 2020-01-05 training was suspended: the dot and the panel agree.
  await page.goto('/#/map?as_of=2020-01-05&site=BESMAYA');
  await settle(page);
  assert(await page.$eval('a.site[href*="site=BESMAYA"] circle', (c) => c.classList.contains('bad')), 'a red dot');
  const b = await page.textContent('[data-testid=site-panel]');
  assert(b.includes('suspended') && b.includes('GOI-2018') && b.includes('postponed'), `panel: ${b.slice(0, 300)}`);
  clean(page, 'map');
  await page.context_.close();
});

test('keyboard and labels: every control is labelled, the skip link works', async () => {
  const page = await session('admin');
  for (const p of ['dashboard', 'manning', 'training', 'consent', 'audit']) {
    await page.goto(`/#/${p}`);
    await settle(page);
    const unlabelled = await page.$$eval('input, select, textarea', (els) => els.filter((el) => {
      if (el.getAttribute('aria-label')) return false;
      return !(el.id && document.querySelector(`label[for="${el.id}"]`));
    }).map((el) => el.outerHTML.slice(0, 80)));
    assert(unlabelled.length === 0, `${p}: unlabelled ${unlabelled.join(' ')}`);
  }
  await page.goto('/#/dashboard');
  await settle(page);
  await page.keyboard.press('Tab');
  assert(await page.evaluate(() => document.activeElement.classList.contains('skip')), 'the first Tab reaches the skip link');
  await page.keyboard.press('Tab');
  assert(await page.evaluate(() => document.activeElement.classList.contains('brand')), 'then the navigation');
  await page.context_.close();
});

test('Arabic: every text has a translation; the interface turns right to left', async () => {
  const { readFileSync } = await import('node:fs');
  const keys = (f) => new Set([...readFileSync(join(WEB, 'src', f), 'utf8').matchAll(/^  '([^']+)':/gm)].map((m) => m[1]));
  const en = keys('messages.ts'), ar = keys('messages-ar.ts');
  const missing = [...en].filter((k) => !ar.has(k));
  assert(missing.length === 0, `missing in Arabic: ${missing.join(', ')}`);
  const page = await session('commander');
  await page.goto('/#/dashboard?as_of=2020-01-05');
  await settle(page);
  await page.selectOption('#lang', 'ar');
  await page.waitForFunction(() => document.documentElement.dir === 'rtl');
  await settle(page);
  assert((await page.textContent('header nav')).includes('لوحة المتابعة'), 'the navigation in Arabic');
  assert((await page.textContent('[data-testid=suspension-alert]')).includes('التدريب معلّق'), 'the suspension in Arabic');
  assert((await page.textContent('[data-testid=stat-headcount] .stat-value')).trim() === '270', 'the same numbers');
  for (const p of ['dashboard', 'map', 'training', 'consent']) {
    await page.goto(`/#/${p}?as_of=2020-06-15`);
    await settle(page);
    const over = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert(over <= 1, `${p} in Arabic: ${over}px wider than the screen`);
    await shot(page, `ar-${p}`);
  }
  // The choice is kept in this browser, and English comes back.
  await page.reload();
  await page.waitForSelector('header nav');
  assert(await page.evaluate(() => document.documentElement.lang) === 'ar', 'kept after a reload');
  await page.selectOption('#lang', 'en');
  await page.waitForFunction(() => document.documentElement.dir === 'ltr');
  clean(page, 'arabic');
  await page.context_.close();
});

// The map in both directions: every status dot visible, no label over any
// dot, site labels clear of one another, the inset's title and labels
// inside the inset. Rectangles are the browser's own (getBoundingClientRect
// of each circle and each text), in screen pixels.
const overlaps = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
for (const lang of ['en', 'ar']) {
  test(`map (${lang}): every dot visible, no label on a dot or on another label, the inset's title whole`, async () => {
    const page = await session('commander');
    await page.goto('/#/map?as_of=2020-06-15');
    await settle(page);
    if (lang === 'ar') {
      await page.selectOption('#lang', 'ar');
      await page.waitForFunction(() => document.documentElement.dir === 'rtl');
      await settle(page);
    }
    await page.locator('.map svg').scrollIntoViewIfNeeded();
    const m = await page.evaluate(() => {
      const box = (e) => { const r = e.getBoundingClientRect(); return { left: r.left, right: r.right, top: r.top, bottom: r.bottom }; };
      const dots = [...document.querySelectorAll('.map svg a.site')].map((a) => {
        const c = a.querySelector('circle');
        const r = box(c);
        const cx = (r.left + r.right) / 2, cy = (r.top + r.bottom) / 2;
        const hit = document.elementFromPoint(cx, cy);
        return { code: a.getAttribute('href').replace(/.*site=/, ''), inset: a.dataset.inset === '1', box: r, hit: hit === c, hitWhat: hit ? `${hit.tagName}.${hit.getAttribute('class')} ${hit.textContent.slice(0, 20)}` : 'nothing' };
      });
      const labels = [...document.querySelectorAll('.map svg text')].map((x) => ({ text: x.textContent, cls: x.getAttribute('class'), inset: x.closest('a.site')?.dataset.inset === '1', box: box(x) }));
      const inset = document.querySelector('.map svg rect.inset');
      return { dots, labels, inset: inset && box(inset), svg: box(document.querySelector('.map svg')) };
    });
    assert(m.dots.length >= 9, `${m.dots.length} dots`);
    const hidden = m.dots.filter((d) => !d.hit).map((d) => `${d.code} (under ${d.hitWhat})`);
    assert(hidden.length === 0, `${lang}: ${m.dots.length - hidden.length} of ${m.dots.length} dots visible; covered: ${hidden.join(', ')}`);
    const onDots = [];
    for (const d of m.dots) for (const l of m.labels) if (overlaps(d.box, l.box)) onDots.push(`"${l.text}" on ${d.code}`);
    assert(onDots.length === 0, `${lang}: labels over dots: ${onDots.join(', ')}`);
    const sites = m.labels.filter((l) => l.cls === 'site-label');
    assert(sites.length === m.dots.length, `${sites.length} site labels for ${m.dots.length} dots`);
    const clash = [];
    for (const [i, a] of sites.entries()) for (const b of sites.slice(i + 1)) if (overlaps(a.box, b.box)) clash.push(`${a.text}/${b.text}`);
    assert(clash.length === 0, `${lang}: labels that collide: ${clash.join(', ')}`);
    const within = (r, o) => r.left >= o.left - 0.5 && r.right <= o.right + 0.5 && r.top >= o.top - 0.5 && r.bottom <= o.bottom + 0.5;
    const title = m.labels.find((l) => l.cls === 'inset-title');
    assert(title && m.inset && within(title.box, m.inset), `${lang}: the inset's title is clipped: ${JSON.stringify(title?.box)} not in ${JSON.stringify(m.inset)}`);
    const out = sites.filter((l) => l.inset && !within(l.box, m.inset)).map((l) => l.text);
    assert(out.length === 0, `${lang}: inset labels outside the inset: ${out.join(', ')}`);
    const off = sites.filter((l) => !within(l.box, m.svg)).map((l) => l.text);
    assert(off.length === 0, `${lang}: labels outside the map: ${off.join(', ')}`);
    await shot(page, `${lang}-map-labels`);
    if (lang === 'ar') await page.selectOption('#lang', 'en');
    clean(page, `map ${lang}`);
    await page.context_.close();
  });
}

// On an Arabic page no value shows in English. The English values are the
// API's codes (every enum of the catalogue, GET /api/v1/kinds, such as
// granted, suspend, mission, host-led) and the English texts the message
// tables give values, statuses and roles (value.*, site.*, role.*, …).
// A value counts where the interface shows it as a value: a whole text (a
// cell, a badge, an option of a select), a value isolated in a sentence
// (FSI…PDI), or a piece between the separators the pages put between
// values (· , ; : – —), as in "site:BESMAYA" or "· completed ·". What the
// data holds as free text is allowed, though English: names, titles,
// reasons, the server's messages, the audit log's JSON ("Taji military
// complex" is a name, not the category "military"); so are codes (GOI-2018,
// TAJI), logins and ISO dates, which are written the same in Arabic.
test('Arabic: no English value on any page, badge or select option; days and codes isolated left to right', async () => {
  const { readFileSync } = await import('node:fs');
  const english = new Set();
  for (const m of readFileSync(join(WEB, 'src', 'messages.ts'), 'utf8').matchAll(/^  '(value|site|role)\.([^']+)': '([^']+)'/gm)) {
    english.add(m[2]);
    english.add(m[3]);
  }
  const kinds = await api('GET', '/api/v1/kinds', undefined, adminAuth);
  for (const k of kinds.json.kinds) for (const f of k.fields) if (f.values) for (const v of f.values.split('|')) english.add(v);
  for (const v of [...english]) if (!/[a-z]/.test(v)) english.delete(v);
  for (const v of ['granted', 'suspend', 'mission', 'planned']) assert(english.has(v), `the list of English values lacks ${v}`);
  const pages = [
    ['admin', '/#/dashboard?as_of=2020-01-05'],
    ['admin', '/#/map?as_of=2020-01-05&site=BESMAYA'],
    ['admin', '/#/map?as_of=2020-06-15&site=TAJI'],
    ['admin', '/#/manning?as_of=2020-06-15'],
    ['admin', '/#/manning?as_of=2020-06-15&filled=vacant'],
    ['admin', '/#/manning?as_of=2020-06-15&group=nation&open=CAN,any'],
    ['admin', '/#/manning?as_of=2020-06-15&group=branch&rotating=60'],
    ['admin', '/#/manning/post/NMI-0001?as_of=2021-01-01'],
    ['admin', '/#/manning/person/P00002?as_of=2020-06-15'],
    ['admin', '/#/training?at=2020-07-01'],
    ['admin', '/#/training?view=week&at=2020-06-15'],
    ['admin', '/#/training/courses'],
    ['admin', '/#/training/course/CIED-TTT'],
    ['admin', `/#/training/session/${encodeURIComponent('CIED-TTT/2026-11-26')}`],
    ['admin', '/#/training/plan?as_of=2027-04-01'],
    ['admin', '/#/trainees?q=al-Obaidi'],
    ['admin', '/#/trainees/IQ-000001'],
    ['commander', '/#/consent?as_of=2020-01-05'],
    ['admin', '/#/audit'],
  ];
  const found = [];
  let page = null, who = null, n = 0;
  for (const [role, url] of pages) {
    if (role !== who) {
      if (page) await page.context_.close();
      page = await session(role);
      await page.goto('/#/');
      await page.selectOption('#lang', 'ar');
      await page.waitForFunction(() => document.documentElement.dir === 'rtl');
      who = role;
    }
    await page.goto(url);
    await settle(page);
    // Mixed direction: a day (2020-06-15, a period of two) reads left to
    // right, in an element laid out left to right or isolated in its
    // sentence (LRI/FSI … PDI); a code alone in a cell or a badge
    // (GOI-2018) does not break at its hyphens.
    const mixed = await page.evaluate(() => {
      const out = [];
      const walk = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
      for (let x = walk.nextNode(); x; x = walk.nextNode()) {
        const el = x.parentElement;
        if (!el || el.closest('script, style, title, option') || !el.getClientRects().length) continue;
        const css = getComputedStyle(el);
        const bare = x.data.replace(/[\u2066\u2068][^\u2069]*\u2069/g, '');
        if (/\d{4}-\d{2}-\d{2}/.test(bare) && css.direction !== 'ltr') out.push(`date not isolated: "${x.data.trim().slice(0, 50)}"`);
        if (/^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$/.test(x.data.trim()) && !/nowrap|pre/.test(css.whiteSpace)) out.push(`code may break: "${x.data.trim()}"`);
      }
      return [...new Set(out)].slice(0, 8);
    });
    if (mixed.length) found.push(`${url}: ${mixed.join('; ')}`);
    const texts = await page.evaluate(() => {
      const out = [];
      const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let x = walk.nextNode(); x; x = walk.nextNode()) {
        const el = x.parentElement;
        if (!el || el.closest('script, style, title, option, code.json') || !el.getClientRects().length) continue;
        if (getComputedStyle(el).visibility === 'hidden') continue;
        if (x.textContent.trim()) out.push(x.textContent);
      }
      for (const o of document.querySelectorAll('select option')) out.push(o.textContent);
      return out;
    });
    const bad = new Set();
    for (const s of texts) {
      for (const piece of s.split(/[\u2068\u2069\n:;,·–—]/)) {
        const w = piece.trim();
        if (english.has(w)) bad.add(`"${w}" in "${s.trim().slice(0, 60)}"`);
      }
    }
    if (bad.size) found.push(`${url}: ${[...bad].join('; ')}`);
    await shot(page, `ar-values-${++n}-${url.replace(/^\/#\//, '').replace(/[^a-z0-9]+/gi, '-').replace(/-+$/, '')}`);
  }
  await page.selectOption('#lang', 'en');
  clean(page, 'arabic values');
  await page.context_.close();
  assert(found.length === 0, `English values or unisolated days and codes on Arabic pages:\n${found.join('\n')}`);
});

test('tablet width: pages fit without sideways scrolling', async () => {
  const page = await session('admin', { width: 768, height: 1024 });
  for (const p of ['dashboard', 'map', 'manning', 'consent']) {
    await page.goto(`/#/${p}?as_of=2020-06-15`);
    await settle(page);
    const over = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert(over <= 1, `${p}: ${over}px wider than the screen`);
    await shot(page, `tablet-${p}`);
  }
  clean(page, 'tablet');
  await page.context_.close();
});

test('a read-only server (a replica) says so on every page, and the main one does not', async () => {
  const ro = spawn(CADRE, ['--db', db, 'serve', '--listen', '127.0.0.1:0', '--quiet', '--read-only'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const roBase = await new Promise((ok, fail) => {
      let text = '';
      ro.stdout.on('data', (b) => {
        text += b;
        const m = text.match(/http:\/\/127\.0\.0\.1:(\d+)\//);
        if (m) ok(`http://127.0.0.1:${m[1]}`);
      });
      ro.on('exit', (c) => fail(new Error(`cadre serve --read-only exited ${c}`)));
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, baseURL: roBase, locale: 'en-GB' });
    const page = await context.newPage();
    await page.goto('/');
    await page.fill('#login', 't.manning');
    await page.fill('#password', PW);
    await page.click('button[type=submit]');
    await page.waitForSelector('header.top nav');
    const badge = page.locator('header.top .badge.read-only');
    assert(await badge.isVisible(), 'no read-only badge on the replica');
    assert((await badge.textContent()) === 'Read-only', `badge: ${await badge.textContent()}`);
    await page.reload();
    await page.waitForSelector('header.top nav');
    assert(await badge.isVisible(), 'the badge is gone after a reload');
    await shot(page, 'read-only');
    await context.close();
    const main = await session('manning');
    assert(await main.locator('header.top .badge.read-only').count() === 0, 'a read-only badge on the main server');
    await main.context_.close();
  } finally {
    ro.kill('SIGTERM');
  }
});

test('assets come from the binary with ETags and a strict content policy', async () => {
  const r = await fetch(base + '/app.js');
  const etag = r.headers.get('etag');
  assert(r.status === 200 && etag && /script-src 'self'/.test(r.headers.get('content-security-policy')), 'headers');
  const again = await fetch(base + '/app.js', { headers: { 'If-None-Match': etag } });
  assert(again.status === 304, `conditional GET: ${again.status}`);
});

console.log(`1..${tests.length}`);
let failed = 0;
for (const [i, t] of tests.entries()) {
  try {
    await t.fn();
    console.log(`ok ${i + 1} - ${t.name}`);
  } catch (e) {
    failed++;
    console.log(`not ok ${i + 1} - ${t.name}`);
    for (const line of String(e.stack ?? e).split('\n')) console.log(`# ${line}`);
  }
}
await browser.close();
server.kill('SIGTERM');
rmSync(dir, { recursive: true, force: true });
console.log(`# screenshots in ${ARTIFACTS}`);
process.exit(failed ? 1 : 0);
