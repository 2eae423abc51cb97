import { useState, type FormEvent } from 'react';
import { ApiError, post } from '../../api.ts';
import { ErrorNotice, SuccessNotice } from '../../components/ui.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { MAX_LENGTH } from '../../api/limits.ts';

export function PasswordCard() {
  const { t } = useI18n();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [keepTokens, setKeepTokens] = useState(false);
  const [fieldError, setFieldError] = useState<{ current?: string; next?: string }>({});
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<{ sessionsEnded: number; tokensRevoked: number } | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setDone(null);
    const found: typeof fieldError = {};
    if (!current) found.current = t('validation.required');
    if (next.length < 10) found.next = t('validation.passwordLength', { min: 10 });
    setFieldError(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    setError(null);
    try {
      setDone(
        await post<{ sessionsEnded: number; tokensRevoked: number }>('/me/password', {
          currentPassword: current,
          newPassword: next,
          keepTokens,
        }),
      );
      setCurrent('');
      setNext('');
    } catch (e) {
      if (e instanceof ApiError && e.code === 'PASSWORD_INCORRECT')
        setFieldError({ current: t('account.passwordIncorrect') });
      else setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="account-password-title">
      <h2 id="account-password-title" className="card-title">
        {t('account.passwordTitle')}
      </h2>
      <form className="form" onSubmit={submit} noValidate aria-label={t('account.passwordTitle')}>
        <p className="field-hint">{t('account.passwordHint')}</p>
        <div className="field">
          <label htmlFor="account-current">{t('account.currentPassword')}</label>
          <input
            id="account-current"
            type="password"
            autoComplete="current-password"
            value={current}
            maxLength={MAX_LENGTH.password}
            onChange={(e) => setCurrent(e.target.value)}
            aria-invalid={!!fieldError.current}
            aria-describedby={fieldError.current ? 'account-current-err' : undefined}
          />
          {fieldError.current ? (
            <p className="field-error" id="account-current-err">
              {fieldError.current}
            </p>
          ) : null}
        </div>
        <div className="field">
          <label htmlFor="account-new">{t('account.newPassword')}</label>
          <input
            id="account-new"
            type="password"
            autoComplete="new-password"
            value={next}
            maxLength={MAX_LENGTH.newPassword}
            onChange={(e) => setNext(e.target.value)}
            aria-invalid={!!fieldError.next}
            aria-describedby={fieldError.next ? 'account-new-err' : 'account-new-hint'}
          />
          {fieldError.next ? (
            <p className="field-error" id="account-new-err">
              {fieldError.next}
            </p>
          ) : (
            <p className="field-hint" id="account-new-hint">
              {t('validation.passwordLength', { min: 10 })}
            </p>
          )}
        </div>
        <label className="check">
          <input type="checkbox" checked={keepTokens} onChange={(e) => setKeepTokens(e.target.checked)} />
          {t('account.keepTokens')}
        </label>
        <ErrorNotice error={error} />
        {done ? (
          <SuccessNotice>
            {t('account.passwordChanged', { sessions: done.sessionsEnded, tokens: done.tokensRevoked })}
          </SuccessNotice>
        ) : null}
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={busy}>
            {t('account.changePassword')}
          </button>
        </div>
      </form>
    </section>
  );
}
