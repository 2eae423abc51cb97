import { useState } from 'react';
import { get } from '../../../api.ts';
import { ErrorNotice, Page, SuccessNotice, TableCard } from '../../../components/ui.tsx';
import { useResource } from '../../../hooks.ts';
import { LANGUAGE_NAMES, useI18n } from '../../../i18n/i18n.tsx';
import { useSession } from '../../../session.tsx';
import { type Group, type User } from '../../../types.ts';
import { allUsers } from './all-users.ts';
import { EditUserDialog } from './edit-user-dialog.tsx';
import { EraseUserDialog } from './erase-user-dialog.tsx';
import { NewUserForm } from './new-user-form.tsx';

export function AdminUsers() {
  const { t } = useI18n();
  const users = useResource(allUsers, []);
  const groups = useResource(() => get<{ items: Group[] }>('/admin/groups'), []);
  const { me } = useSession();
  const [notice, setNotice] = useState<string | null>(null);
  const [editing, setEditing] = useState<User | null>(null);
  const [erasing, setErasing] = useState<User | null>(null);
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
              {u.erasedAt ? (
                <span className="badge badge-muted">{t('users.erased')}</span>
              ) : u.active ? (
                <span className="badge badge-ok">{t('users.active')}</span>
              ) : (
                <span className="badge badge-muted">{t('users.inactive')}</span>
              )}
            </td>
            <td className="cell-actions">
              {u.erasedAt ? null : (
                <button
                  type="button"
                  className="button button-small"
                  onClick={() => setEditing(u)}
                  aria-label={t('users.edit', { name: u.name })}
                >
                  {t('common.edit')}
                </button>
              )}
              {u.role === 'requester' && !u.erasedAt ? (
                <button
                  type="button"
                  className="button button-small button-danger"
                  onClick={() => setErasing(u)}
                  aria-label={t('users.eraseLabel', { name: u.name })}
                >
                  {t('users.erase')}
                </button>
              ) : null}
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
            void Promise.all([users.reload(), groups.reload()]).then(() =>
              setNotice(t('users.saved', { name: u.name })),
            );
          }}
        />
      ) : null}
      {erasing ? (
        <EraseUserDialog
          user={erasing}
          onClose={() => setErasing(null)}
          onErased={(result) => {
            void users.reload().then(() => setNotice(t('users.erasedNotice', { pseudonym: result.pseudonym })));
          }}
        />
      ) : null}
      <NewUserForm
        groups={groups.data?.items ?? []}
        onCreated={(u) => {
          void users.reload().then(() => setNotice(t('users.created', { name: u.name })));
        }}
      />
    </Page>
  );
}
