import { useState, type FormEvent } from 'react';
import { del, get, post } from '../../../api.ts';
import { ErrorNotice, Page, SuccessNotice, TableCard } from '../../../components/ui.tsx';
import { useResource } from '../../../hooks.ts';
import { useI18n } from '../../../i18n/i18n.tsx';
import { type Group } from '../../../types.ts';
import { allUsers } from './all-users.ts';
import { EditGroupDialog } from './edit-group-dialog.tsx';
import { MAX_LENGTH } from '../../../api/limits.ts';

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
      setName('');
      setMembers([]);
      await groups.reload();
      setNotice(t('groups.created', { name: g.name }));
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
      // The sentence comes once the list no longer shows the group.
      await Promise.all([groups.reload(), users.reload()]);
      setNotice(t('groups.deleted', { name: g.name }));
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
            void Promise.all([groups.reload(), users.reload()]).then(() =>
              setNotice(t('groups.saved', { name: g.name })),
            );
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
            maxLength={MAX_LENGTH.groupName}
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
