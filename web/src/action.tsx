// The two steps of every action that changes much at once: a preview
// (the server does the work as a dry run and rolls it back, so what is
// shown has passed the rules) and, after the user has seen it, Confirm.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import * as api from './api';
import { t } from './i18n';
import { Card, ErrorBox } from './ui';

// An action in two steps: preview (dry run) and confirm. BODY builds the
// request; PREVIEW renders the server's answer.
export function ActionPanel({ id, title, lead, fields, body, action, confirmWith, render, onDone, valid }: {
  id: string; title: string; lead: string; fields: ComponentChildren; body: () => Record<string, unknown>;
  action: string; confirmWith: Record<string, unknown>; render: (x: any) => ComponentChildren; onDone: () => void; valid: boolean;
}) {
  const [preview, setPreview] = useState<any>(null);
  const [done, setDone] = useState<any>(null);
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  async function run(confirm: boolean) {
    setBusy(true);
    setError(null);
    try {
      const x = await api.action<any>(action, { ...body(), ...(confirm ? confirmWith : { dry_run: true }) });
      if (confirm) { setDone(x); setPreview(null); onDone(); } else { setPreview(x); setDone(null); }
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  }
  return (
    <Card title={title} id={id}>
      <p class="muted">{lead}</p>
      <form onSubmit={(e) => { e.preventDefault(); run(false); }} onInput={() => { setPreview(null); setDone(null); }}>
        {fields}
        <button type="submit" disabled={busy || !valid} data-testid={`${id}-preview`}>{t('consent.preview')}</button>
      </form>
      {error && <ErrorBox error={error} />}
      {preview && (
        <div class="preview" data-testid={`${id}-preview-result`}>
          <h3>{t('consent.preview_title')}</h3>
          {render(preview)}
          <div class="confirm-row">
            <button type="button" class="danger" disabled={busy} onClick={() => run(true)} data-testid={`${id}-confirm`}>{t('consent.confirm')}</button>
            <button type="button" class="link" onClick={() => setPreview(null)}>{t('common.cancel')}</button>
          </div>
        </div>
      )}
      {done && <div class="done" role="status" data-testid={`${id}-done`}><strong>{t('consent.done')}</strong>{render(done)}</div>}
    </Card>
  );
}

