import { useState, type FormEvent } from 'react';
import { post } from '../../../api.ts';
import { Dialog, ErrorNotice } from '../../../components/ui.tsx';
import { useI18n } from '../../../i18n/i18n.tsx';
import type { Erasure, User } from '../../../types.ts';

const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * Erases a requester's personal data, irreversibly: says what goes and what stays, asks for their address typed
 * again, then says what was removed.
 */
export function EraseUserDialog({
  user,
  onErased,
  onClose,
}: {
  user: User;
  onErased(result: Erasure): void;
  onClose(): void;
}) {
  const { t } = useI18n();
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<Erasure | null>(null);
  const title = t('users.eraseTitle', { name: user.name });

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!same(typed, user.email)) return;
    setBusy(true);
    setError(null);
    try {
      const erased = await post<Erasure>(`/admin/users/${user.id}/erase`, { confirmEmail: typed.trim() });
      setResult(erased);
      onErased(erased);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  if (result) {
    return (
      <Dialog title={t('users.erasedTitle')} onClose={onClose}>
        <div className="form" data-testid="erasure-result">
          <p>{t('users.erasedDone', { name: user.name, pseudonym: result.pseudonym })}</p>
          <ul>
            <li>{t('users.erasedMessages', { count: result.messages })}</li>
            <li>{t('users.erasedAttachments', { count: result.attachments })}</li>
            <li>{t('users.erasedInbound', { count: result.inboundMails })}</li>
            <li>{t('users.erasedOutbox', { count: result.outboxEntries, cancelled: result.outboxCancelled })}</li>
            <li>{t('users.erasedTickets', { count: result.tickets })}</li>
          </ul>
        </div>
      </Dialog>
    );
  }

  const matches = same(typed, user.email);
  return (
    <Dialog title={title} onClose={onClose} wide>
      <form className="form" onSubmit={submit} noValidate aria-label={title}>
        <p>
          <strong>{t('users.eraseIntro')}</strong>
        </p>
        <ul>
          <li>{t('users.eraseWhatName')}</li>
          <li>{t('users.eraseWhatMessages')}</li>
          <li>{t('users.eraseWhatMail')}</li>
          <li>{t('users.eraseWhatTickets')}</li>
        </ul>
        <p>{t('users.eraseKeeps')}</p>
        <div className="field">
          <label htmlFor="erase-user-confirm">{t('users.eraseConfirm', { email: user.email })}</label>
          <input
            id="erase-user-confirm"
            type="email"
            autoComplete="off"
            spellCheck={false}
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            aria-describedby="erase-user-confirm-hint"
          />
          <p className="field-hint" id="erase-user-confirm-hint">
            {t('users.eraseConfirmHint')}
          </p>
        </div>
        <ErrorNotice error={error} />
        <div className="form-actions">
          <button type="button" className="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="button button-danger" disabled={busy || !matches}>
            {t('users.eraseSubmit')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
