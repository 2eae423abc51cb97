import { useState, type FormEvent } from 'react';
import { put } from '../../../api.ts';
import { ErrorNotice } from '../../../components/ui.tsx';
import { useI18n } from '../../../i18n/i18n.tsx';
import type { EmailTemplate, Named, Parameter } from '../../../types.ts';
import { optionName } from './option-name.ts';

type Value = Parameter['value'];

/** SMTP and IMAP host, port and security (and accepting an unverifiable certificate): changing one while a password is stored needs the password again. */
const PASSWORD_DESTINATIONS: readonly number[] = [14, 199, 269, 9002, 9010, 9011, 9012];

export function ValueEditor(props: {
  parameter: Parameter;
  templates: EmailTemplate[];
  groups: Named[];
  onSaved(p: Parameter): void;
  onCancel(): void;
}) {
  const { t } = useI18n();
  const p = props.parameter;
  const [text, setText] = useState(p.type === 'secret' ? '' : p.value === null ? '' : String(p.value));
  const [error, setError] = useState<unknown>(null);
  const [invalid, setInvalid] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const id = `param-${p.id}-value`;
  const label = t('parameters.valueOf', { id: p.id });

  function parse(): { ok: true; value: Value } | { ok: false; message: string } {
    const v = text.trim();
    switch (p.type) {
      case 'boolean':
        return { ok: true, value: text === 'true' };
      case 'templateId':
      case 'groupId':
        return { ok: true, value: v === '' ? null : Number(v) };
      case 'port': {
        if (v === '') return { ok: true, value: null };
        const n = Number(v);
        return Number.isInteger(n) && n >= 1 && n <= 65535
          ? { ok: true, value: n }
          : { ok: false, message: t('validation.port') };
      }
      case 'days': {
        const n = Number(v);
        return v !== '' && Number.isInteger(n) && n >= 1 && n <= 36500
          ? { ok: true, value: n }
          : { ok: false, message: t('error.parameter.days', { id: p.id }) };
      }
      case 'count': {
        const n = Number(v);
        return v !== '' && Number.isInteger(n) && n >= 0 && n <= 10
          ? { ok: true, value: n }
          : { ok: false, message: t('error.parameter.count', { id: p.id }) };
      }
      case 'email':
        return v === '' || /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v)
          ? { ok: true, value: v === '' ? null : v }
          : { ok: false, message: t('validation.email') };
      case 'secret':
        // Empty removes a stored password (needed before its account's host, port or security may change).
        if (v === '') return p.set ? { ok: true, value: null } : { ok: false, message: t('validation.required') };
        return { ok: true, value: text };
      default:
        return { ok: true, value: v === '' ? null : v };
    }
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const parsed = parse();
    if (!parsed.ok) {
      setInvalid(parsed.message);
      return;
    }
    setInvalid(null);
    setBusy(true);
    setError(null);
    try {
      props.onSaved(await put<Parameter>(`/admin/parameters/${p.id}`, { value: parsed.value }));
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  }

  let input;
  if (p.type === 'templateId') {
    const active = props.templates.filter((tpl) => tpl.active);
    input = (
      <select id={id} value={text} onChange={(e) => setText(e.target.value)}>
        <option value="">{t('parameters.noTemplate')}</option>
        {active.map((tpl) => (
          <option key={tpl.id} value={tpl.id}>
            {`${tpl.id} — ${tpl.name}`}
          </option>
        ))}
      </select>
    );
  } else if (p.type === 'groupId') {
    input = (
      <select id={id} value={text} onChange={(e) => setText(e.target.value)}>
        {/* The default team (9018) can be changed, never emptied again. */}
        {p.id !== 9018 || p.value === null ? <option value="">{t('parameters.noTeam')}</option> : null}
        {props.groups.map((g) => (
          <option key={g.id} value={g.id}>
            {`${g.id} — ${g.name}`}
          </option>
        ))}
      </select>
    );
  } else if (p.type === 'boolean') {
    input = (
      <select id={id} value={text === 'true' ? 'true' : 'false'} onChange={(e) => setText(e.target.value)}>
        <option value="true">{t('common.yes')}</option>
        <option value="false">{t('common.no')}</option>
      </select>
    );
  } else if (p.type === 'enum') {
    input = (
      <select id={id} value={text} onChange={(e) => setText(e.target.value)}>
        {(p.options ?? []).map((o) => (
          <option key={o} value={o}>
            {optionName(t, o, p.id)}
          </option>
        ))}
      </select>
    );
  } else {
    input = (
      <input
        id={id}
        type={
          p.type === 'secret'
            ? 'password'
            : p.type === 'port' || p.type === 'days' || p.type === 'count'
              ? 'number'
              : p.type === 'email'
                ? 'email'
                : 'text'
        }
        autoComplete={p.type === 'secret' ? 'new-password' : 'off'}
        value={text}
        onChange={(e) => setText(e.target.value)}
        aria-invalid={invalid !== null}
      />
    );
  }
  return (
    <form className="inline-editor" onSubmit={submit} noValidate>
      <div className="field">
        <label htmlFor={id}>{label}</label>
        {input}
        {p.type === 'secret' ? <p className="field-hint">{t('parameters.secretHint')}</p> : null}
        {p.type === 'secret' && p.set ? <p className="field-hint">{t('parameters.secretRemoveHint')}</p> : null}
        {PASSWORD_DESTINATIONS.includes(p.id) ? (
          <p className="field-hint">{t('parameters.passwordAgainHint')}</p>
        ) : null}
        {invalid ? (
          <p className="field-error" role="alert">
            {invalid}
          </p>
        ) : null}
      </div>
      <ErrorNotice error={error} />
      <div className="form-actions">
        <button type="button" className="button" onClick={props.onCancel}>
          {t('common.cancel')}
        </button>
        <button type="submit" className="button button-primary" disabled={busy}>
          {t('common.save')}
        </button>
      </div>
    </form>
  );
}
