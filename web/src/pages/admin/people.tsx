import { useState, type FormEvent } from 'react';
import { ApiError, del, get, patch, post, query } from '../../api.ts';
import { Dialog, ErrorNotice, Page, SuccessNotice, TableCard } from '../../components/ui.tsx';
import { userFieldProblem } from '../../errors.ts';
import { useResource } from '../../hooks.ts';
import { LANGUAGE_NAMES, useI18n } from '../../i18n/i18n.tsx';
import { useSession } from '../../session.tsx';
import { LOCALES, type Group, type Locale, type Page as ApiPage, type Role, type User } from '../../types.ts';

/** Every user, following the cursor (an admin page; hundreds at most in a service desk). */
async function allUsers(): Promise<User[]> {
  const users: User[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 50; i++) {
    const page: ApiPage<User> = await get<ApiPage<User>>(`/admin/users${query({ limit: 100, cursor })}`);
    users.push(...page.items);
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  return users;
}

const browserTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The IANA zones the browser knows, offered as suggestions (any valid zone may still be typed). */
const TIME_ZONES: string[] = (() => {
  try {
    return typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  } catch {
    return [];
  }
})();

function TimeZoneList({ id }: { id: string }) {
  return (
    <datalist id={id}>
      {TIME_ZONES.map((z) => (
        <option key={z} value={z} />
      ))}
    </datalist>
  );
}

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
function EditUserDialog({
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
            maxLength={120}
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
              {(['requester', 'technician', 'admin'] as const).map((r) => (
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

function NewUserForm({ groups, onCreated }: { groups: Group[]; onCreated(u: User): void }) {
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
            {(['requester', 'technician', 'admin'] as const).map((r) => (
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

export function AdminUsers() {
  const { t } = useI18n();
  const users = useResource(allUsers, []);
  const groups = useResource(() => get<{ items: Group[] }>('/admin/groups'), []);
  const { me } = useSession();
  const [notice, setNotice] = useState<string | null>(null);
  const [editing, setEditing] = useState<User | null>(null);
  const groupNames = (ids: number[]) => (groups.data?.items ?? []).filter((g) => ids.includes(g.id)).map((g) => g.name);
  return (
    <Page title={t('users.title')} subtitle={t('users.subtitle')}>
      <ErrorNotice error={users.error ?? groups.error} />
      {notice ? <SuccessNotice>{notice}</SuccessNotice> : null}
      <TableCard
        rows={users.data}
        loading={users.loading}
        caption={t('users.title')}
        headers={[
          t('users.name'),
          t('users.email'),
          t('users.role'),
          t('common.language'),
          t('users.timeZone'),
          t('users.groups'),
          t('users.state'),
        ]}
        actions
      >
        {(u) => (
          <tr key={u.id}>
            <td className="cell-title">
              {u.name}
              {u.id === me.id ? <span className="cell-muted"> ({t('users.you')})</span> : null}
            </td>
            <td className="cell-code">{u.email}</td>
            <td>
              <span className={`badge role-${u.role}`}>{t(`role.${u.role}`)}</span>
            </td>
            <td>{LANGUAGE_NAMES[u.locale] ?? u.locale}</td>
            <td className="cell-muted">{u.timeZone}</td>
            <td>
              {groupNames(u.groupIds).length > 0 ? (
                groupNames(u.groupIds).join(', ')
              ) : (
                <span className="cell-muted">—</span>
              )}
            </td>
            <td>
              {u.active ? (
                <span className="badge badge-ok">{t('users.active')}</span>
              ) : (
                <span className="badge badge-muted">{t('users.inactive')}</span>
              )}
            </td>
            <td className="cell-actions">
              <button
                type="button"
                className="button button-small"
                onClick={() => setEditing(u)}
                aria-label={t('users.edit', { name: u.name })}
              >
                {t('common.edit')}
              </button>
            </td>
          </tr>
        )}
      </TableCard>
      {editing ? (
        <EditUserDialog
          user={editing}
          groups={groups.data?.items ?? []}
          onClose={() => setEditing(null)}
          onSaved={(u) => {
            setEditing(null);
            setNotice(t('users.saved', { name: u.name }));
            void users.reload();
            void groups.reload();
          }}
        />
      ) : null}
      <NewUserForm
        groups={groups.data?.items ?? []}
        onCreated={(u) => {
          setNotice(t('users.created', { name: u.name }));
          void users.reload();
        }}
      />
    </Page>
  );
}

/** Renames a group and sets its members. */
function EditGroupDialog({
  group,
  everyone,
  onSaved,
  onClose,
}: {
  group: Group;
  everyone: User[];
  onSaved(g: Group): void;
  onClose(): void;
}) {
  const { t } = useI18n();
  const [name, setName] = useState(group.name);
  const [members, setMembers] = useState<number[]>([...group.memberIds]);
  const [invalid, setInvalid] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  // Members who are no longer staff (now requesters, say) stay listed, so that saving does not drop them silently.
  const people = everyone.filter((u) => u.role !== 'requester' || group.memberIds.includes(u.id));

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!name.trim()) {
      setInvalid(true);
      return;
    }
    setInvalid(false);
    const changes: Record<string, unknown> = {};
    if (name.trim() !== group.name) changes.name = name.trim();
    const sorted = (ids: number[]) => [...ids].sort((a, b) => a - b).join(',');
    if (sorted(members) !== sorted(group.memberIds)) changes.memberIds = members;
    if (Object.keys(changes).length === 0) {
      onClose();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      onSaved(await patch<Group>(`/admin/groups/${group.id}`, changes));
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  }

  return (
    <Dialog title={t('groups.edit', { name: group.name })} onClose={onClose}>
      <form className="form" onSubmit={submit} noValidate aria-label={t('groups.edit', { name: group.name })}>
        <div className="field">
          <label htmlFor="edit-group-name">{t('groups.name')}</label>
          <input
            id="edit-group-name"
            value={name}
            maxLength={120}
            onChange={(e) => setName(e.target.value)}
            aria-invalid={invalid}
            aria-describedby={invalid ? 'edit-group-name-err' : undefined}
          />
          {invalid ? (
            <p className="field-error" id="edit-group-name-err">
              {t('validation.required')}
            </p>
          ) : null}
        </div>
        {people.length > 0 ? (
          <fieldset className="fieldset">
            <legend>{t('groups.members')}</legend>
            <div className="check-grid">
              {people.map((u) => (
                <label key={u.id} className="check">
                  <input
                    type="checkbox"
                    checked={members.includes(u.id)}
                    onChange={(e) =>
                      setMembers(e.target.checked ? [...members, u.id] : members.filter((x) => x !== u.id))
                    }
                  />
                  {u.name}
                </label>
              ))}
            </div>
          </fieldset>
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

export function AdminGroups() {
  const { t } = useI18n();
  const groups = useResource(() => get<{ items: Group[] }>('/admin/groups'), []);
  const users = useResource(allUsers, []);
  const [name, setName] = useState('');
  const [members, setMembers] = useState<number[]>([]);
  const [invalid, setInvalid] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [listError, setListError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [editing, setEditing] = useState<Group | null>(null);
  const staff = (users.data ?? []).filter((u) => u.role !== 'requester');
  const memberNames = (ids: number[]) => (users.data ?? []).filter((u) => ids.includes(u.id)).map((u) => u.name);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!name.trim()) {
      setInvalid(true);
      return;
    }
    setInvalid(false);
    setError(null);
    try {
      const g = await post<Group>('/admin/groups', { name: name.trim(), memberIds: members });
      setNotice(t('groups.created', { name: g.name }));
      setName('');
      setMembers([]);
      void groups.reload();
    } catch (e) {
      setError(e);
    }
  }

  async function remove(g: Group) {
    if (!window.confirm(t('groups.confirmDelete', { name: g.name }))) return;
    setListError(null);
    setNotice(null);
    try {
      await del(`/admin/groups/${g.id}`);
      setNotice(t('groups.deleted', { name: g.name }));
      void groups.reload();
      void users.reload();
    } catch (e) {
      setListError(e);
    }
  }

  return (
    <Page title={t('groups.title')} subtitle={t('groups.subtitle')}>
      <ErrorNotice error={groups.error ?? users.error ?? listError} />
      {notice ? <SuccessNotice>{notice}</SuccessNotice> : null}
      <TableCard
        rows={groups.data?.items}
        loading={groups.loading}
        empty={t('groups.empty')}
        caption={t('groups.title')}
        headers={[t('groups.name'), t('groups.members')]}
        actions
      >
        {(g) => (
          <tr key={g.id}>
            <td className="cell-title">{g.name}</td>
            <td>
              {memberNames(g.memberIds).length > 0 ? (
                memberNames(g.memberIds).join(', ')
              ) : (
                <span className="cell-muted">{t('groups.noMembers')}</span>
              )}
            </td>
            <td className="cell-actions">
              <div className="row-actions">
                <button
                  type="button"
                  className="button button-small"
                  onClick={() => setEditing(g)}
                  aria-label={t('groups.edit', { name: g.name })}
                >
                  {t('common.edit')}
                </button>
                <button
                  type="button"
                  className="button button-small button-danger"
                  onClick={() => void remove(g)}
                  aria-label={t('groups.delete', { name: g.name })}
                >
                  {t('common.delete')}
                </button>
              </div>
            </td>
          </tr>
        )}
      </TableCard>
      {editing ? (
        <EditGroupDialog
          group={editing}
          everyone={users.data ?? []}
          onClose={() => setEditing(null)}
          onSaved={(g) => {
            setEditing(null);
            setListError(null);
            setNotice(t('groups.saved', { name: g.name }));
            void groups.reload();
            void users.reload();
          }}
        />
      ) : null}
      <form className="card form" onSubmit={submit} noValidate aria-labelledby="new-group-h">
        <h2 id="new-group-h" className="card-title">
          {t('groups.add')}
        </h2>
        <div className="field">
          <label htmlFor="group-name">{t('groups.name')}</label>
          <input
            id="group-name"
            value={name}
            maxLength={120}
            onChange={(e) => setName(e.target.value)}
            aria-invalid={invalid}
          />
          {invalid ? <p className="field-error">{t('validation.required')}</p> : null}
        </div>
        {staff.length > 0 ? (
          <fieldset className="fieldset">
            <legend>{t('groups.members')}</legend>
            <div className="check-grid">
              {staff.map((u) => (
                <label key={u.id} className="check">
                  <input
                    type="checkbox"
                    checked={members.includes(u.id)}
                    onChange={(e) =>
                      setMembers(e.target.checked ? [...members, u.id] : members.filter((x) => x !== u.id))
                    }
                  />
                  {u.name}
                </label>
              ))}
            </div>
          </fieldset>
        ) : null}
        <ErrorNotice error={error} />
        <div className="form-actions">
          <button type="submit" className="button button-primary">
            {t('groups.create')}
          </button>
        </div>
      </form>
    </Page>
  );
}
