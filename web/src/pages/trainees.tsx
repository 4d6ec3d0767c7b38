// Trainees: search by name or service number (full-text search in the
// server, which shows each caller only the trainees released to them),
// and a trainee's record of courses.
import { useState } from 'preact/hooks';
import * as api from '../api';
import { tv, t } from '../i18n';
import { go, href, setQuery, type Route } from '../router';
import { Badge, Card, Ltr, Page, Show, Table, statusTone, useLoad } from '../ui';

interface Trainee { service_number: string; name: string; nation: string; unit: string; rank: string | null; classification: string; releasability: string }
interface Enrolment { key: string; session: string; trainee: string; attendance: string; result: string; certificate: string | null }

export function Trainees({ route, sub }: { route: Route; sub: string[]; me: api.Me }) {
  if (sub[0]) return <TraineePage sn={sub[0]} />;
  return <Search route={route} />;
}

function Search({ route }: { route: Route }) {
  const q = route.query.get('q') ?? '';
  const [text, setText] = useState(q);
  const it = useLoad(() => (q.trim() ? api.get<api.Page<Trainee>>('/api/v1/trainees', { q, limit: 200 }) : Promise.resolve(null)), [q]);
  return (
    <Page title={t('trainees.title')}>
      <form role="search" class="search" onSubmit={(e) => { e.preventDefault(); setQuery({ q: text.trim() }); }}>
        <label for="trainee-q">{t('trainees.search_label')}</label>
        <input id="trainee-q" type="search" value={text} autoComplete="off" placeholder={t('trainees.placeholder')}
               onInput={(e) => setText(e.currentTarget.value)} />
        <button type="submit" class="primary">{t('trainees.search')}</button>
      </form>
      <Show it={it}>{(page) => page === null ? <p class="muted">{t('trainees.hint')}</p> : (
        <>
          <p class="muted" data-testid="trainee-count">{page.next ? t('trainees.many', { n: page.items.length }) : t('trainees.found', { n: page.items.length })}</p>
          <Table rows={page.items} empty={t('trainees.none')} columns={[
            { key: 'service_number', label: t('col.service_number'), render: (x) => <a href={href(['trainees', x.service_number])}><Ltr>{x.service_number}</Ltr></a> },
            { key: 'name', label: t('col.name') },
            { key: 'rank', label: t('manning.rank') },
            { key: 'unit', label: t('trainees.unit') },
            { key: 'classification', label: t('trainees.marking'), render: (x) => `${x.classification} · ${x.releasability}` },
          ]} />
        </>
      )}</Show>
    </Page>
  );
}

function TraineePage({ sn }: { sn: string }) {
  const it = useLoad(async () => {
    const [tr, enrolments] = await Promise.all([api.one<Trainee>('trainees', sn), api.all<Enrolment>('enrolments', { trainee: sn })]);
    return { trainee: tr.data, enrolments };
  }, [sn]);
  return (
    <Show it={it}>{({ trainee, enrolments }) => (
      <Page title={`${trainee.name} (${trainee.service_number})`}>
        <p><a href={href(['trainees'])} onClick={(e) => { e.preventDefault(); history.length > 1 ? history.back() : go(['trainees']); }}>← {t('trainees.title')}</a></p>
        <dl class="facts">
          <dt>{t('col.nation')}</dt><dd>{trainee.nation}</dd>
          <dt>{t('trainees.unit')}</dt><dd><Ltr>{trainee.unit}</Ltr></dd>
          <dt>{t('manning.rank')}</dt><dd>{trainee.rank ?? '—'}</dd>
          <dt>{t('trainees.marking')}</dt><dd>{trainee.classification} · {trainee.releasability}</dd>
        </dl>
        <Card title={t('trainees.courses')} wide>
          <Table rows={enrolments} columns={[
            { key: 'session', label: t('col.session'), render: (e) => <a href={href(['training', 'session', e.session])}><Ltr>{e.session}</Ltr></a> },
            { key: 'attendance', label: t('training.attendance'), render: (e) => <Badge tone={statusTone(e.attendance)}>{tv(e.attendance)}</Badge> },
            { key: 'result', label: t('training.result'), render: (e) => <Badge tone={statusTone(e.result)}>{tv(e.result)}</Badge> },
            { key: 'certificate', label: t('training.certificate'), render: (e) => e.certificate ?? '—' },
          ]} />
        </Card>
      </Page>
    )}</Show>
  );
}
