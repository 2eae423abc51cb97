import { useState, type FormEvent } from 'react';
import { get, post, query } from '../../api.ts';
import { ErrorNotice, Loading, Page, SuccessNotice } from '../../components/ui.tsx';
import { useResource } from '../../hooks.ts';
import { LANGUAGE_NAMES, useI18n } from '../../i18n/i18n.tsx';
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

function NewUserForm({ groups, onCreated }: { groups: Group[]; onCreated(u: User): void }) {
  const { t, locale } = useI18n();
  const [form, setForm] = useState({ name: '', email: '', role: 'requester' as Role, locale: locale as Locale, timeZone: browserTimeZone(), password: '', groupIds: [] as number[] });
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
          <input id="user-name" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} aria-invalid={!!errors.name} />
          {err('name')}
        </div>
        <div className="field field-grow">
          <label htmlFor="user-email">{t('users.email')}</label>
          <input id="user-email" type="email" value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} aria-invalid={!!errors.email} />
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
          <select id="user-locale" value={form.locale} onChange={(e) => setForm({ ...form, locale: e.target.value as Locale })}>
            {LOCALES.map((l) => (
              <option key={l} value={l}>
                {LANGUAGE_NAMES[l]}
              </option>
            ))}
          </select>
        </div>
        <div className="field field-grow">
          <label htmlFor="user-tz">{t('users.timeZone')}</label>
          <input id="user-tz" value={form.timeZone} onChange={(e) => setForm({ ...form, timeZone: e.target.value })} />
        </div>
      </div>
      <div className="field">
        <label htmlFor="user-password">{t('users.password')}</label>
        <input id="user-password" type="password" autoComplete="new-password" value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} aria-describedby="user-password-hint" aria-invalid={!!errors.password} />
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
                  onChange={(e) => setForm({ ...form, groupIds: e.target.checked ? [...form.groupIds, g.id] : form.groupIds.filter((x) => x !== g.id) })}
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
  const [created, setCreated] = useState<User | null>(null);
  const groupName = (id: number) => groups.data?.items.find((g) => g.id === id)?.name ?? `#${id}`;
  return (
    <Page title={t('users.title')} subtitle={t('users.subtitle')}>
      <ErrorNotice error={users.error ?? groups.error} />
      {created ? <SuccessNotice>{t('users.created', { name: created.name })}</SuccessNotice> : null}
      {!users.data ? (
        users.loading ? <Loading /> : null
      ) : (
        <div className="card card-flush">
          <table className="table">
            <caption className="sr-only">{t('users.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('users.name')}</th>
                <th scope="col">{t('users.email')}</th>
                <th scope="col">{t('users.role')}</th>
                <th scope="col">{t('common.language')}</th>
                <th scope="col">{t('users.timeZone')}</th>
                <th scope="col">{t('users.groups')}</th>
                <th scope="col">{t('users.state')}</th>
              </tr>
            </thead>
            <tbody>
              {users.data.map((u) => (
                <tr key={u.id}>
                  <td className="cell-title">{u.name}</td>
                  <td className="cell-code">{u.email}</td>
                  <td>
                    <span className={`badge role-${u.role}`}>{t(`role.${u.role}`)}</span>
                  </td>
                  <td>{LANGUAGE_NAMES[u.locale] ?? u.locale}</td>
                  <td className="cell-muted">{u.timeZone}</td>
                  <td>{u.groupIds.length > 0 ? u.groupIds.map(groupName).join(', ') : <span className="cell-muted">—</span>}</td>
                  <td>{u.active ? <span className="badge badge-ok">{t('users.active')}</span> : <span className="badge badge-muted">{t('users.inactive')}</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <NewUserForm
        groups={groups.data?.items ?? []}
        onCreated={(u) => {
          setCreated(u);
          void users.reload();
        }}
      />
    </Page>
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
  const [created, setCreated] = useState<string | null>(null);
  const staff = (users.data ?? []).filter((u) => u.role !== 'requester');
  const userName = (id: number) => users.data?.find((u) => u.id === id)?.name ?? `#${id}`;

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
      setCreated(g.name);
      setName('');
      setMembers([]);
      void groups.reload();
    } catch (e) {
      setError(e);
    }
  }

  return (
    <Page title={t('groups.title')} subtitle={t('groups.subtitle')}>
      <ErrorNotice error={groups.error ?? users.error} />
      {created ? <SuccessNotice>{t('groups.created', { name: created })}</SuccessNotice> : null}
      {!groups.data ? (
        groups.loading ? <Loading /> : null
      ) : groups.data.items.length === 0 ? (
        <div className="card">
          <p className="empty">{t('groups.empty')}</p>
        </div>
      ) : (
        <div className="card card-flush">
          <table className="table">
            <caption className="sr-only">{t('groups.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('groups.name')}</th>
                <th scope="col">{t('groups.members')}</th>
              </tr>
            </thead>
            <tbody>
              {groups.data.items.map((g) => (
                <tr key={g.id}>
                  <td className="cell-title">{g.name}</td>
                  <td>{g.memberIds.length > 0 ? g.memberIds.map(userName).join(', ') : <span className="cell-muted">{t('groups.noMembers')}</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <form className="card form" onSubmit={submit} noValidate aria-labelledby="new-group-h">
        <h2 id="new-group-h" className="card-title">
          {t('groups.add')}
        </h2>
        <div className="field">
          <label htmlFor="group-name">{t('groups.name')}</label>
          <input id="group-name" value={name} maxLength={120} onChange={(e) => setName(e.target.value)} aria-invalid={invalid} />
          {invalid ? <p className="field-error">{t('validation.required')}</p> : null}
        </div>
        {staff.length > 0 ? (
          <fieldset className="fieldset">
            <legend>{t('groups.members')}</legend>
            <div className="check-grid">
              {staff.map((u) => (
                <label key={u.id} className="check">
                  <input type="checkbox" checked={members.includes(u.id)} onChange={(e) => setMembers(e.target.checked ? [...members, u.id] : members.filter((x) => x !== u.id))} />
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
