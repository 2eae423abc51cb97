import { useState } from 'react';
import { ErrorNotice, Loading, Page, SuccessNotice } from '../../../components/ui.tsx';
import { useI18n } from '../../../i18n/i18n.tsx';
import type { Mailbox } from '../../../types.ts';
import { MailboxDialog } from './mailbox-dialog.tsx';
import { useMailboxes } from './use-mailboxes.ts';

/** Mailboxes: a team's own sending address and SMTP account; the other teams send from the default mailbox. */
export function AdminMailboxes() {
  const { t } = useI18n();
  const { mailboxes, groups, notice, error, create, update, remove } = useMailboxes();
  const [editing, setEditing] = useState<Mailbox | 'new' | null>(null);
  const groupName = (id: number) => groups.data?.find((g) => g.id === id)?.name ?? `#${id}`;
  const withoutMailbox = (groups.data ?? []).filter((g) => g.mailboxId === null);

  return (
    <Page title={t('mailboxes.title')} subtitle={t('mailboxes.subtitle')}>
      <ErrorNotice error={mailboxes.error ?? groups.error ?? error} />
      {notice ? <SuccessNotice>{notice}</SuccessNotice> : null}
      {mailboxes.loading && !mailboxes.data ? <Loading /> : null}
      <section className="card" aria-labelledby="mailboxes-list-h">
        <h2 id="mailboxes-list-h" className="card-title">
          {t('mailboxes.list')}
        </h2>
        <ul className="list" data-testid="mailboxes">
          <li className="list-item" data-testid="mailbox-default">
            <strong>{t('mailboxes.default')}</strong>
            <p className="field-hint">
              {t('mailboxes.defaultHint')}{' '}
              {withoutMailbox.length > 0
                ? t('mailboxes.usedBy', { groups: withoutMailbox.map((g) => g.name).join(', ') })
                : t('mailboxes.unused')}
            </p>
            <a href="/admin/smtp">{t('mailboxes.defaultLink')}</a>
          </li>
          {(mailboxes.data ?? []).map((m) => (
            <li key={m.id} className="list-item" data-testid="mailbox">
              <strong>{m.name}</strong>
              <p>
                {m.fromName ? `${m.fromName} <${m.fromAddress}>` : m.fromAddress} · {m.smtpHost}:{m.smtpPort}
              </p>
              <p className="field-hint">
                {m.groupIds.length > 0
                  ? t('mailboxes.usedBy', { groups: m.groupIds.map(groupName).join(', ') })
                  : t('mailboxes.unused')}
              </p>
              <div className="form-actions">
                <button
                  type="button"
                  className="button button-small"
                  onClick={() => setEditing(m)}
                  aria-label={t('mailboxes.edit', { name: m.name })}
                >
                  {t('common.edit')}
                </button>
                <button
                  type="button"
                  className="button button-small button-danger"
                  onClick={() => void remove(m)}
                  aria-label={t('mailboxes.delete', { name: m.name })}
                >
                  {t('common.delete')}
                </button>
              </div>
            </li>
          ))}
        </ul>
        <button type="button" className="button button-primary" onClick={() => setEditing('new')}>
          {t('mailboxes.add')}
        </button>
      </section>
      {editing ? (
        <MailboxDialog
          mailbox={editing === 'new' ? null : editing}
          groups={groups.data ?? []}
          onClose={() => setEditing(null)}
          onSave={async (form) => {
            if (editing === 'new') await create(form);
            else await update(editing.id, form);
            setEditing(null);
          }}
        />
      ) : null}
    </Page>
  );
}
