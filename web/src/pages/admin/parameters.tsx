import { useState, type FormEvent } from 'react';
import { get, put } from '../../api.ts';
import { MessagingBanner, useMessagingStatus } from '../../components/messaging-banner.tsx';
import { ErrorNotice, Page, SuccessNotice, TableCard } from '../../components/ui.tsx';
import { useGroupList } from '../../directory.ts';
import { useResource } from '../../hooks.ts';
import { useI18n, type Translate } from '../../i18n/i18n.tsx';
import { Link } from '../../router.tsx';
import type { EmailTemplate, Named, Parameter } from '../../types.ts';

type Value = Parameter['value'];

/** An enum parameter's value in words (199 and 9012: the connection security). */
function optionName(t: Translate, option: string): string {
  return option === 'none' || option === 'starttls' || option === 'tls' ? t(`smtp.security.${option}`) : option;
}

/** SMTP and IMAP host, port and security (and accepting an unverifiable certificate): changing one while a password is stored needs the password again. */
const PASSWORD_DESTINATIONS: readonly number[] = [14, 199, 269, 9002, 9010, 9011, 9012];

function ValueEditor(props: {
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
        <option value="">{t('parameters.noTeam')}</option>
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
            {optionName(t, o)}
          </option>
        ))}
      </select>
    );
  } else {
    input = (
      <input
        id={id}
        type={p.type === 'secret' ? 'password' : p.type === 'port' ? 'number' : p.type === 'email' ? 'email' : 'text'}
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

export function AdminParameters() {
  const { t } = useI18n();
  const parameters = useResource(() => get<{ items: Parameter[] }>('/admin/parameters'), []);
  const templates = useResource(() => get<{ items: EmailTemplate[] }>('/admin/email-templates'), []);
  const groups = useGroupList();
  const status = useMessagingStatus();
  const [editing, setEditing] = useState<number | null>(null);
  const [saved, setSaved] = useState<number | null>(null);

  const show = (p: Parameter) => {
    if (p.type === 'secret') return p.set ? t('parameters.secretSet') : t('parameters.notSet');
    if (p.value === null || p.value === '') return t('parameters.notSet');
    if (p.type === 'boolean') return p.value ? t('common.yes') : t('common.no');
    if (p.type === 'templateId') {
      const tpl = templates.data?.items.find((x) => x.id === p.value);
      if (!tpl) return `${p.value}`;
      return `${tpl.id} — ${tpl.name}${tpl.active ? '' : ` (${t('templates.inactive')})`}`;
    }
    if (p.type === 'groupId') {
      const group = groups.data?.find((g) => g.id === p.value);
      return group ? `${group.id} — ${group.name}` : `${p.value}`;
    }
    if (p.type === 'enum') return optionName(t, String(p.value));
    return String(p.value);
  };

  return (
    <Page title={t('parameters.title')} subtitle={t('parameters.subtitle')}>
      <MessagingBanner status={status.data} />
      <ErrorNotice error={parameters.error ?? templates.error} />
      {saved !== null ? <SuccessNotice>{t('parameters.saved', { id: saved })}</SuccessNotice> : null}
      <TableCard
        rows={parameters.data?.items}
        loading={parameters.loading}
        caption={t('parameters.title')}
        headers={[t('parameters.number'), t('parameters.description'), t('parameters.type'), t('parameters.value')]}
        actions
      >
        {(p) => (
          <tr key={p.id} id={`parameter-${p.id}`} className={p.id === 417 ? 'row-highlight' : undefined}>
            <td className="cell-number">{p.id}</td>
            <td>
              {p.description}
              {p.id === 417 ? (
                <p className="field-hint">
                  {t('parameters.417hint')} <Link to="/admin/templates">{t('nav.templates')}</Link>
                </p>
              ) : null}
            </td>
            <td className="cell-muted">{t(`parameters.typeName.${p.type}`)}</td>
            <td colSpan={editing === p.id ? 2 : 1}>
              {editing === p.id ? (
                <ValueEditor
                  parameter={p}
                  templates={templates.data?.items ?? []}
                  groups={groups.data ?? []}
                  onCancel={() => setEditing(null)}
                  onSaved={() => {
                    setEditing(null);
                    setSaved(p.id);
                    void parameters.reload();
                    void status.reload();
                  }}
                />
              ) : (
                <span className={p.set ? 'value' : 'value value-empty'}>{show(p)}</span>
              )}
            </td>
            {editing === p.id ? null : (
              <td className="cell-actions">
                <button
                  type="button"
                  className="button button-small"
                  aria-label={t('parameters.edit', { id: p.id })}
                  onClick={() => {
                    setSaved(null);
                    setEditing(p.id);
                  }}
                >
                  {t('common.edit')}
                </button>
              </td>
            )}
          </tr>
        )}
      </TableCard>
      <p className="field-hint page-footnote">
        {t('parameters.smtpHint')} <Link to="/admin/smtp">{t('nav.smtp')}</Link>
      </p>
    </Page>
  );
}
