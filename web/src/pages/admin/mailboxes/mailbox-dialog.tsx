import { useState, type FormEvent } from 'react';
import { Dialog, ErrorNotice } from '../../../components/ui.tsx';
import { useI18n } from '../../../i18n/i18n.tsx';
import type { Group, Mailbox } from '../../../types.ts';
import { SmtpChecks } from '../smtp/smtp-checks.tsx';
import { EMPTY_MAILBOX, formErrors, formOf, type MailboxForm } from './mailbox-form.ts';
import { MailboxFields } from './mailbox-fields.tsx';
import { MailboxOAuthSection } from './mailbox-oauth.tsx';

/** Whether the mailbox signs in anywhere with OAuth2 (its SMTP, or its IMAP folder). */
const usesOAuth = (m: { smtpAuth: string; imapAuth: string | null; imapHost: string | null }) =>
  m.smtpAuth === 'oauth2' || (!!m.imapHost?.trim() && m.imapAuth === 'oauth2');

/** Adds a mailbox (`mailbox` null) or edits one, with its verify and test send once saved. */
export function MailboxDialog({
  mailbox,
  groups,
  onSave,
  onClose,
}: {
  mailbox: Mailbox | null;
  groups: Group[];
  onSave(form: MailboxForm): Promise<void>;
  onClose(): void;
}) {
  const { t } = useI18n();
  const [form, setForm] = useState<MailboxForm>(mailbox ? formOf(mailbox) : EMPTY_MAILBOX);
  const [errors, setErrors] = useState<Partial<Record<keyof MailboxForm, string>>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const title = mailbox ? t('mailboxes.edit', { name: mailbox.name }) : t('mailboxes.add');

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found = formErrors(t, form, mailbox);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    setError(null);
    try {
      await onSave(form);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  }

  return (
    <Dialog title={title} onClose={onClose} wide>
      <form className="form" onSubmit={submit} noValidate aria-label={title}>
        <MailboxFields
          id={mailbox ? `mailbox-${mailbox.id}` : 'mailbox-new'}
          form={form}
          set={(key, value) => setForm({ ...form, [key]: value })}
          errors={errors}
          groups={groups}
          passwordSet={mailbox?.passwordSet ?? false}
        />
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
      {mailbox && usesOAuth(mailbox) ? <MailboxOAuthSection mailbox={mailbox} /> : null}
      {usesOAuth(form) && !(mailbox && usesOAuth(mailbox)) ? (
        <p className="field-hint">{t('mailboxes.oauth.saveFirst')}</p>
      ) : null}
      {mailbox ? (
        <SmtpChecks
          id={`mailbox-${mailbox.id}`}
          paths={{ verify: `/admin/mailboxes/${mailbox.id}/verify`, test: `/admin/mailboxes/${mailbox.id}/test` }}
        />
      ) : null}
    </Dialog>
  );
}
