import { useState, type FormEvent } from 'react';
import { ApiError, patch } from '../../../api.ts';
import { Dialog, ErrorNotice } from '../../../components/ui.tsx';
import { userFieldProblem } from '../../../errors.ts';
import { LANGUAGE_NAMES, useI18n } from '../../../i18n/i18n.tsx';
import { useSession } from '../../../session.tsx';
import { LOCALES, type Group, type Locale, type Role, type User } from '../../../types.ts';
import { TimeZoneList, isTimeZone } from './time-zones.tsx';
import { MAX_LENGTH, ROLES } from '../../../api/limits.ts';

interface UserForm {
  name: string;
  role: Role;
  locale: Locale;
  timeZone: string;
  active: boolean;
  groupIds: number[];
  password: string;
}
/** Edits one user: name, role, language, time zone, active, groups, and a new password. */
export function EditUserDialog({
  user,
  groups,
  onSaved,
  onClose,
}: {
  user: User;
  groups: Group[];
  onSaved(u: User): void;
  onClose(): void;
}) {
  const { t } = useI18n();
  const { me } = useSession();
  const self = me.id === user.id;
  const [form, setForm] = useState<UserForm>({
    name: user.name,
    role: user.role,
    locale: user.locale,
    timeZone: user.timeZone,
    active: user.active,
    groupIds: [...user.groupIds],
    password: '',
  });
  const [errors, setErrors] = useState<Partial<Record<keyof UserForm, string>>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [keepTokens, setKeepTokens] = useState(false);
  const set = <K extends keyof UserForm>(key: K, value: UserForm[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    // A field's error goes once the field is changed; the next save checks it again.
    setErrors((e) => (e[key] ? { ...e, [key]: undefined } : e));
  };

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found: typeof errors = {};
    if (!form.name.trim()) found.name = t('validation.required');
    if (!isTimeZone(form.timeZone.trim())) found.timeZone = t('validation.timeZone');
    if (form.password && form.password.length < 10) found.password = t('validation.passwordLength', { min: 10 });
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    const changes: Record<string, unknown> = {};
    if (form.name.trim() !== user.name) changes.name = form.name.trim();
    if (form.role !== user.role) changes.role = form.role;
    if (form.locale !== user.locale) changes.locale = form.locale;
    if (form.timeZone.trim() !== user.timeZone) changes.timeZone = form.timeZone.trim();
    if (form.active !== user.active) changes.active = form.active;
    const sorted = (ids: number[]) => [...ids].sort((a, b) => a - b).join(',');
    if (sorted(form.groupIds) !== sorted(user.groupIds)) changes.groupIds = form.groupIds;
    if (form.password) {
      changes.password = form.password;
      changes.keepTokens = keepTokens;
    }
    if (Object.keys(changes).length === 0) {
      onClose();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      onSaved(await patch<User>(`/admin/users/${user.id}`, changes));
    } catch (e) {
      setError(e);
      if (
        e instanceof ApiError &&
        e.code === 'USER_INVALID' &&
        typeof e.details?.field === 'string' &&
        e.details.field in form
      ) {
        setErrors({ [e.details.field]: userFieldProblem(t, e.details.field, e.message) });
      }
      setBusy(false);
    }
  }

  const err = (k: keyof UserForm) =>
    errors[k] ? (
      <p className="field-error" id={`edit-user-${k}-err`}>
        {errors[k]}
      </p>
    ) : null;
  const described = (k: keyof UserForm, hint?: string) => (errors[k] ? `edit-user-${k}-err` : hint);
  return (
    <Dialog title={t('users.editTitle', { name: user.name })} onClose={onClose} wide>
      <form className="form" onSubmit={submit} noValidate aria-label={t('users.editTitle', { name: user.name })}>
        <p className="field-hint">{user.email}</p>
        <div className="field">
          <label htmlFor="edit-user-name">{t('users.name')}</label>
          <input
            id="edit-user-name"
            value={form.name}
            maxLength={MAX_LENGTH.userName}
            onChange={(e) => set('name', e.target.value)}
            aria-invalid={!!errors.name}
            aria-describedby={described('name')}
          />
          {err('name')}
        </div>
        <div className="field-row">
          <div className="field">
            <label htmlFor="edit-user-role">{t('users.role')}</label>
            <select
              id="edit-user-role"
              value={form.role}
              onChange={(e) => set('role', e.target.value as Role)}
              aria-invalid={!!errors.role}
              aria-describedby={described('role', self ? 'edit-user-self' : undefined)}
            >
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {t(`role.${r}`)}
                </option>
              ))}
            </select>
            {err('role')}
          </div>
          <div className="field">
            <label htmlFor="edit-user-locale">{t('common.language')}</label>
            <select id="edit-user-locale" value={form.locale} onChange={(e) => set('locale', e.target.value as Locale)}>
              {LOCALES.map((l) => (
                <option key={l} value={l}>
                  {LANGUAGE_NAMES[l]}
                </option>
              ))}
            </select>
          </div>
          <div className="field field-grow">
            <label htmlFor="edit-user-tz">{t('users.timeZone')}</label>
            <input
              id="edit-user-tz"
              list="edit-user-tz-list"
              value={form.timeZone}
              onChange={(e) => set('timeZone', e.target.value)}
              aria-invalid={!!errors.timeZone}
              aria-describedby={described('timeZone')}
              spellCheck={false}
            />
            <TimeZoneList id="edit-user-tz-list" />
            {err('timeZone')}
          </div>
        </div>
        <label className="check">
          <input
            type="checkbox"
            checked={form.active}
            onChange={(e) => set('active', e.target.checked)}
            aria-describedby={self ? 'edit-user-self' : undefined}
          />
          {t('users.activeCheck')}
        </label>
        {self ? (
          <p className="field-hint" id="edit-user-self">
            {t('users.selfHint')}
          </p>
        ) : null}
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
                      set(
                        'groupIds',
                        e.target.checked ? [...form.groupIds, g.id] : form.groupIds.filter((x) => x !== g.id),
                      )
                    }
                  />
                  {g.name}
                </label>
              ))}
            </div>
          </fieldset>
        ) : null}
        <div className="field">
          <label htmlFor="edit-user-password">{t('users.newPassword')}</label>
          <input
            id="edit-user-password"
            type="password"
            autoComplete="new-password"
            value={form.password}
            onChange={(e) => set('password', e.target.value)}
            aria-invalid={!!errors.password}
            aria-describedby={described('password', 'edit-user-password-hint')}
          />
          <p className="field-hint" id="edit-user-password-hint">
            {t('users.newPasswordHint')}
          </p>
          {err('password')}
        </div>
        {form.password ? (
          <label className="check">
            <input type="checkbox" checked={keepTokens} onChange={(e) => setKeepTokens(e.target.checked)} />
            {t('account.adminKeepTokens')}
          </label>
        ) : null}
        <ErrorNotice error={error} />
        <div className="form-actions">
          <button type="button" className="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="button button-primary" disabled={busy}>
            {t('common.save')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
