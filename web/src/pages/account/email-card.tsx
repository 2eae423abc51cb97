import { useState, type FormEvent } from 'react';
import { ApiError, put } from '../../api.ts';
import { ErrorNotice, SuccessNotice } from '../../components/ui.tsx';
import { errorText } from '../../errors.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { MAX_LENGTH } from '../../api/limits.ts';
import { useSession } from '../../session.tsx';
import type { Me } from '../../types.ts';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The signed-in person changes their own email address, giving their current password. */
export function EmailCard() {
  const { t } = useI18n();
  const { me, updateMe } = useSession();
  const [email, setEmail] = useState('');
  const [current, setCurrent] = useState('');
  const [fieldError, setFieldError] = useState<{ email?: string; current?: string }>({});
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setDone(null);
    const found: typeof fieldError = {};
    if (!EMAIL.test(email.trim())) found.email = t('validation.email');
    if (!current) found.current = t('validation.required');
    setFieldError(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    setError(null);
    try {
      const updated = await put<Me>('/me/email', { currentPassword: current, email: email.trim() });
      updateMe(updated);
      setDone(updated.email);
      setEmail('');
      setCurrent('');
    } catch (e) {
      if (e instanceof ApiError && e.code === 'PASSWORD_INCORRECT')
        setFieldError({ current: t('account.passwordIncorrect') });
      else if (e instanceof ApiError && (e.code === 'USER_EMAIL_TAKEN' || e.code === 'USER_INVALID'))
        setFieldError({ email: errorText(t, e) });
      else setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="account-email-title" id="email">
      <h2 id="account-email-title" className="card-title">
        {t('account.emailTitle')}
      </h2>
      <form className="form" onSubmit={submit} noValidate aria-label={t('account.emailTitle')}>
        <p className="field-hint">{t('account.emailHint')}</p>
        <p data-testid="account-email">{t('account.emailCurrent', { email: me.email })}</p>
        <div className="field">
          <label htmlFor="account-new-email">{t('account.newEmail')}</label>
          <input
            id="account-new-email"
            type="email"
            autoComplete="email"
            value={email}
            maxLength={254}
            onChange={(e) => setEmail(e.target.value)}
            aria-invalid={!!fieldError.email}
            aria-describedby={fieldError.email ? 'account-new-email-err' : undefined}
          />
          {fieldError.email ? (
            <p className="field-error" id="account-new-email-err">
              {fieldError.email}
            </p>
          ) : null}
        </div>
        <div className="field">
          <label htmlFor="account-email-password">{t('account.emailPassword')}</label>
          <input
            id="account-email-password"
            type="password"
            autoComplete="current-password"
            value={current}
            maxLength={MAX_LENGTH.password}
            onChange={(e) => setCurrent(e.target.value)}
            aria-invalid={!!fieldError.current}
            aria-describedby={fieldError.current ? 'account-email-password-err' : undefined}
          />
          {fieldError.current ? (
            <p className="field-error" id="account-email-password-err">
              {fieldError.current}
            </p>
          ) : null}
        </div>
        <ErrorNotice error={error} />
        {done ? <SuccessNotice>{t('account.emailChanged', { email: done })}</SuccessNotice> : null}
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={busy}>
            {t('account.changeEmail')}
          </button>
        </div>
      </form>
    </section>
  );
}
