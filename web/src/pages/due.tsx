// What needs attention (GET /api/v1/due): the dashboard's panel of what
// falls due in the days after the chosen date, each linked to its record.
// The server decides what the reader may see; this only shows it.
import * as api from '../api';
import { language, t } from '../i18n';
import { href } from '../router';
import { Badge, Card, Show, Table, useLoad } from '../ui';

export interface DueItem { due: string; kind: string; reason: string; record: { kind: string; key: string } }
interface Due { as_of: string; days: number; until: string; count: number; items: DueItem[] }

const DAYS = 30;

// The page of the record an item is about.
function recordHref(r: DueItem['record']): string {
  switch (r.kind) {
    case 'persons': return href(['manning', 'person', r.key]);
    case 'assignments': return href(['manning', 'person', r.key.split('/')[0]]);
    case 'posts': return href(['manning', 'post', r.key]);
    case 'sessions': return href(['training', 'session', r.key]);
    case 'consents': return href(['consent']);
    default: return href([r.kind]);
  }
}

function tone(kind: string): string {
  return kind === 'post' || kind === 'session' ? 'bad' : 'warn';
}

export function DuePanel({ d }: { d: string }) {
  const it = useLoad(() => api.get<Due>('/api/v1/due', { as_of: d, days: DAYS }), [d]);
  return (
    <Card title={t('due.title', { days: DAYS })} wide id="due">
      <Show it={it}>{(x) => (
        <div data-testid="due-panel">
          <Table rows={x.items} empty={t('due.none')} limit={20} columns={[
            { key: 'due', label: t('due.col.due') },
            { key: 'kind', label: t('due.col.kind'), render: (i) => <Badge tone={tone(i.kind)}>{t(`due.kind.${i.kind}`)}</Badge> },
            { key: 'record', label: t('due.col.record'), sort: (i) => i.record.key,
              render: (i) => <a href={recordHref(i.record)}><bdi>{i.record.key}</bdi></a> },
            // The server's reason is English; another language says
            // what the kind of item means.
            { key: 'reason', label: t('due.col.reason'),
              render: (i) => (language() === 'en' ? i.reason : t(`due.why.${i.kind}`)) },
          ]} />
        </div>
      )}</Show>
    </Card>
  );
}
