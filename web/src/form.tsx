// Editing a record through the catalogue: each field validated as the
// user types (the catalogue's types, ranges and allowed values), and the
// server's refusal shown next to the field it concerns — a field error by
// its name, a mission rule by the field it is about.
import { useEffect, useState } from 'preact/hooks';
import * as api from './api';
import { t } from './i18n';
import { ErrorBox, Field, checkField } from './ui';

// Which field a mission rule's refusal belongs next to.
const RULE_FIELD: Record<string, string[]> = {
  QUALIFICATION: ['trainers', 'lead_instructor'],
  CAVEAT: ['trainers', 'site'],
  CEILING: ['valid_from', 'valid_to'],
  CONSENT: ['site', 'valid_from'],
  SUSPENDED: ['valid_from', 'site'],
  NONCOMBAT: ['activity', 'kind'],
};

export function fieldForError(err: api.ApiError, names: string[]): string | null {
  if (err.errors.length && err.errors[0].field && names.includes(err.errors[0].field)) return err.errors[0].field;
  for (const f of (err.rule && RULE_FIELD[err.rule]) || []) if (names.includes(f)) return f;
  return null;
}

export function RecordForm({ kind, fields, initial, etag, recordKey, onSaved, submitLabel, extra }: {
  kind: string; fields: string[]; initial: Record<string, string>; etag?: string | null; recordKey?: string;
  onSaved: (rec: any) => void; submitLabel: string; extra?: Record<string, string>;
}) {
  const [defs, setDefs] = useState<api.FieldDef[]>([]);
  const [values, setValues] = useState<Record<string, string>>(initial);
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [serverError, setServerError] = useState<api.ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    api.kinds().then((ks) => {
      const k = ks.find((x) => x.name === kind);
      setDefs(fields.map((f) => k?.fields.find((x) => x.name === f)).filter(Boolean) as api.FieldDef[]);
    });
  }, [kind]);
  const local: Record<string, string | null> = {};
  for (const d of defs) local[d.name] = checkField(d, values[d.name] ?? '');
  const at = serverError ? fieldForError(serverError, fields) : null;
  const invalid = Object.values(local).some(Boolean);
  async function submit(e: Event) {
    e.preventDefault();
    setTouched(Object.fromEntries(fields.map((f) => [f, true])));
    if (invalid) return;
    setBusy(true);
    setServerError(null);
    const body: Record<string, string | null> = { ...extra };
    for (const f of fields) body[f] = values[f] === '' ? null : values[f];
    try {
      const saved = recordKey && etag
        ? await api.patch(kind, recordKey, etag, body)
        : await api.create(kind, body);
      onSaved(saved.data);
    } catch (err) {
      setServerError(err as api.ApiError);
    } finally {
      setBusy(false);
    }
  }
  return (
    <form class="record-form" onSubmit={submit} noValidate>
      {defs.map((d) => (
        <Field id={`${kind}-${d.name}`} label={t(`field.${d.name}`)} value={values[d.name] ?? ''} required={d.required}
               type={d.type === 'date' ? 'date' : d.type === 'integer' || d.type === 'number' ? 'number' : 'text'}
               options={d.type === 'enum' && d.values ? d.values.split('|') : undefined}
               hint={d.type === 'list' || d.type === 'qualifications' ? t('form.list_hint') : undefined}
               error={(touched[d.name] && local[d.name]) || (at === d.name && serverError ? `${serverError.rule ? serverError.rule + ': ' : ''}${serverError.errors.find((x) => x.field === d.name)?.message ?? serverError.message}` : null)}
               onInput={(v) => { setValues({ ...values, [d.name]: v }); setTouched({ ...touched, [d.name]: true }); }} />
      ))}
      {serverError && !at && <ErrorBox error={serverError} />}
      <button type="submit" class="primary" disabled={busy}>{submitLabel}</button>
    </form>
  );
}
