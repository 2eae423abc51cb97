import { useState, type FormEvent } from 'react';
import { post } from '../../../api.ts';
import { ErrorNotice } from '../../../components/ui.tsx';
import { LANGUAGE_NAMES, useI18n } from '../../../i18n/i18n.tsx';
import { LOCALES, type Group, type Locale, type Role, type User } from '../../../types.ts';
import { TimeZoneList, browserTimeZone } from './time-zones.tsx';
import { ROLES } from '../../../api/limits.ts';

export function NewUserForm({ groups, onCreated }: { groups: Group[]; onCreated(u: User): void }) {
  const { t, locale } = useI18n();
  const [form, setForm] = useState({
    name: '',
    email: '',
    role: 'requester' as Role,
    locale: locale as Locale,
    timeZone: browserTimeZone(),
    password: '',
    groupIds: [] as number[],
  });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found: Record<string, string> = {};
    if (!form.name.trim()) found.name = t('validation.required');
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(form.email.trim())) found.email = t('validation.email');
    if (form.password && form.password.length < 10) found.password = t('validation.passwordLength', { min: 10 });
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    setError(null);
    try {
      const user = await post<User>('/admin/users', {
        name: form.name.trim(),
        email: form.email.trim(),
        role: form.role,
        locale: form.locale,
        timeZone: form.timeZone.trim() || null,
        password: form.password || null,
        groupIds: form.groupIds,
      });
      onCreated(user);
      setForm({ ...form, name: '', email: '', password: '', groupIds: [] });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  const err = (k: string) => (errors[k] ? <p className="field-error">{errors[k]}</p> : null);
  return (
    <form className="card form" onSubmit={submit} noValidate aria-labelledby="new-user-h">
      <h2 id="new-user-h" className="card-title">
        {t('users.add')}
      </h2>
      <div className="field-row">
        <div className="field field-grow">
          <label htmlFor="user-name">{t('users.name')}</label>
          <input
            id="user-name"
            value={form.name}
            onChange={(e) => setForm({ ...form, name: e.target.value })}
            aria-invalid={!!errors.name}
          />
          {err('name')}
        </div>
        <div className="field field-grow">
          <label htmlFor="user-email">{t('users.email')}</label>
          <input
            id="user-email"
            type="email"
            value={form.email}
            onChange={(e) => setForm({ ...form, email: e.target.value })}
            aria-invalid={!!errors.email}
          />
          {err('email')}
        </div>
      </div>
      <div className="field-row">
        <div className="field">
          <label htmlFor="user-role">{t('users.role')}</label>
          <select id="user-role" value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {t(`role.${r}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="user-locale">{t('common.language')}</label>
          <select
            id="user-locale"
            value={form.locale}
            onChange={(e) => setForm({ ...form, locale: e.target.value as Locale })}
          >
            {LOCALES.map((l) => (
              <option key={l} value={l}>
                {LANGUAGE_NAMES[l]}
              </option>
            ))}
          </select>
        </div>
        <div className="field field-grow">
          <label htmlFor="user-tz">{t('users.timeZone')}</label>
          <input
            id="user-tz"
            list="user-tz-list"
            value={form.timeZone}
            onChange={(e) => setForm({ ...form, timeZone: e.target.value })}
            spellCheck={false}
          />
          <TimeZoneList id="user-tz-list" />
        </div>
      </div>
      <div className="field">
        <label htmlFor="user-password">{t('users.password')}</label>
        <input
          id="user-password"
          type="password"
          autoComplete="new-password"
          value={form.password}
          onChange={(e) => setForm({ ...form, password: e.target.value })}
          aria-describedby="user-password-hint"
          aria-invalid={!!errors.password}
        />
        <p className="field-hint" id="user-password-hint">
          {t('users.passwordHint')}
        </p>
        {err('password')}
      </div>
      {groups.length > 0 ? (
        <fieldset className="fieldset">
          <legend>{t('users.groups')}</legend>
          <div className="check-grid">
            {groups.map((g) => (
              <label key={g.id} className="check">
                <input
                  type="checkbox"
                  checked={form.groupIds.includes(g.id)}
                  onChange={(e) =>
                    setForm({
                      ...form,
                      groupIds: e.target.checked ? [...form.groupIds, g.id] : form.groupIds.filter((x) => x !== g.id),
                    })
                  }
                />
                {g.name}
              </label>
            ))}
          </div>
        </fieldset>
      ) : null}
      <ErrorNotice error={error} />
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={busy}>
          {t('users.create')}
        </button>
      </div>
    </form>
  );
}
