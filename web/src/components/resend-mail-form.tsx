import { useId, useState, type FormEvent } from 'react';
import { ApiError, post } from '../api.ts';
import { errorText } from '../errors.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { ErrorNotice } from './ui.tsx';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The inline form under a failed mail: the corrected address (prefilled with the old one), then "Send again". */
export function ResendMailForm({
  ticketNumber,
  mailId,
  address,
  onCancel,
  onResent,
}: {
  ticketNumber: number;
  mailId: number;
  address: string;
  onCancel: () => void;
  onResent: () => void;
}) {
  const { t } = useI18n();
  const id = useId();
  const [email, setEmail] = useState(address);
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const clean = email.trim();
    if (!EMAIL.test(clean)) return setFieldError(t('validation.email'));
    if (clean.toLowerCase() === address.toLowerCase()) return setFieldError(t('mail.resendSame'));
    setFieldError(null);
    setError(null);
    setBusy(true);
    try {
      await post(`/tickets/${ticketNumber}/mails/${mailId}/resend`, { email: clean });
      onResent();
    } catch (e) {
      if (e instanceof ApiError && ['USER_INVALID', 'USER_EMAIL_TAKEN', 'MAIL_ADDRESS_UNCHANGED'].includes(e.code))
        setFieldError(errorText(t, e));
      else setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="form resend-form" onSubmit={submit} noValidate aria-label={t('mail.resendOpen')}>
      <div className="field">
        <label htmlFor={`${id}-email`}>{t('mail.resendAddress')}</label>
        <input
          id={`${id}-email`}
          type="email"
          value={email}
          maxLength={254}
          onChange={(e) => setEmail(e.target.value)}
          aria-invalid={!!fieldError}
          aria-describedby={fieldError ? `${id}-err` : `${id}-hint`}
        />
        {fieldError ? (
          <p className="field-error" id={`${id}-err`}>
            {fieldError}
          </p>
        ) : (
          <p className="field-hint" id={`${id}-hint`}>
            {t('mail.resendHint')}
          </p>
        )}
      </div>
      <ErrorNotice error={error} />
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={busy}>
          {t('mail.resendSubmit')}
        </button>
        <button type="button" className="button" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}
