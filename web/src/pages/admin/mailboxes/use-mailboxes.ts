import { useState } from 'react';
import { del, get, post, put } from '../../../api.ts';
import { useResource } from '../../../hooks.ts';
import { useI18n } from '../../../i18n/i18n.tsx';
import type { Group, Mailbox } from '../../../types.ts';
import { bodyOf, type MailboxForm } from './mailbox-form.ts';

/** The mailboxes page: the mailboxes and the groups they serve, and what an administrator does with them. */
export function useMailboxes() {
  const { t } = useI18n();
  const mailboxes = useResource(() => get<{ items: Mailbox[] }>('/admin/mailboxes').then((r) => r.items), []);
  const groups = useResource(() => get<{ items: Group[] }>('/admin/groups').then((r) => r.items), []);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  const reload = async () => {
    await Promise.all([mailboxes.reload(), groups.reload()]);
  };

  async function create(form: MailboxForm) {
    setNotice(null);
    const created = await post<Mailbox>('/admin/mailboxes', bodyOf(form));
    await reload();
    setNotice(t('mailboxes.created', { name: created.name }));
    return created;
  }

  async function update(id: number, form: MailboxForm) {
    setNotice(null);
    const saved = await put<Mailbox>(`/admin/mailboxes/${id}`, bodyOf(form));
    await reload();
    setNotice(t('mailboxes.saved', { name: saved.name }));
    return saved;
  }

  async function remove(mailbox: Mailbox) {
    setNotice(null);
    setError(null);
    try {
      await del(`/admin/mailboxes/${mailbox.id}`);
      await reload();
      setNotice(t('mailboxes.deleted', { name: mailbox.name }));
    } catch (e) {
      setError(e);
    }
  }

  return { mailboxes, groups, notice, setNotice, error, setError, create, update, remove };
}
