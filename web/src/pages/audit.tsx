// The audit log for auditors: every change with who, when, before and
// after, filterable by person (actor), entity, key and date.
import { useState } from 'preact/hooks';
import * as api from '../api';
import { t, tv } from '../i18n';
import { setQuery, type Route } from '../router';
import { Field, Page, Show, Table, useLoad } from '../ui';

interface Entry { seq: number; at: string; actor: string; action: string; entity: string; key: string; before: string | null; after: string | null }

function short(j: string | null): string {
  if (!j) return '';
  return j.length > 160 ? j.slice(0, 157) + '…' : j;
}

export function Audit({ route }: { route: Route }) {
  const q = route.query;
  const filters = { actor: q.get('actor') ?? '', entity: q.get('entity') ?? '', key: q.get('key') ?? '', since: q.get('since') ?? '', until: q.get('until') ?? '' };
  const [form, setForm] = useState(filters);
  const it = useLoad(() => api.get<{ entries: Entry[] } | Entry[]>('/api/v1/audit', { ...filters, limit: 500 }),
                     [JSON.stringify(filters)]);
  const set = (k: keyof typeof form) => (v: string) => setForm({ ...form, [k]: v });
  return (
    <Page title={t('audit.title')}>
      <form class="filters" onSubmit={(e) => { e.preventDefault(); setQuery(form); }}>
        <Field id="f-actor" label={t('audit.actor')} value={form.actor} onInput={set('actor')} />
        <Field id="f-entity" label={t('audit.entity')} value={form.entity} onInput={set('entity')} />
        <Field id="f-key" label={t('audit.key')} value={form.key} onInput={set('key')} />
        <Field id="f-since" label={t('audit.since')} type="date" value={form.since} onInput={set('since')} />
        <Field id="f-until" label={t('audit.until')} type="date" value={form.until} onInput={set('until')} />
        <button type="submit" class="primary">{t('common.filter')}</button>
      </form>
      <Show it={it}>{(data) => {
        const rows = Array.isArray(data) ? data : (data as any).entries ?? (data as any).items ?? [];
        return (
          <Table rows={rows as Entry[]} columns={[
            { key: 'seq', label: '#', align: 'right' },
            { key: 'at', label: t('audit.at') },
            { key: 'actor', label: t('audit.actor') },
            { key: 'action', label: t('audit.action'), render: (e) => tv(e.action) },
            { key: 'entity', label: t('audit.entity'), render: (e) => tv(e.entity) },
            { key: 'key', label: t('audit.key') },
            { key: 'after', label: t('audit.change'), render: (e) => <code class="json" dir="ltr">{short(e.after ?? e.before)}</code> },
          ]} empty={t('audit.empty')} />
        );
      }}</Show>
    </Page>
  );
}
