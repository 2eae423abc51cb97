import { useEffect, useRef, useState, type FormEvent } from 'react';
import { post } from '../api.ts';
import { LanguageSelect } from '../components/language-select.tsx';
import { ErrorNotice } from '../components/ui.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import type { Me } from '../types.ts';

export function SignIn({ onSignedIn, notice }: { onSignedIn(me: Me): void; notice?: string | undefined }) {
  const { t } = useI18n();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [missing, setMissing] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const emailRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    document.title = `${t('signIn.title')} · Parley`;
  }, [t]);
  useEffect(() => emailRef.current?.focus(), []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    if (!email.trim() || !password) {
      setMissing(t('signIn.required'));
      return;
    }
    setMissing(null);
    setBusy(true);
    try {
      onSignedIn(await post<Me>('/auth/login', { email: email.trim(), password }));
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  }

  return (
    <main className="signin" id="main">
      <div className="signin-card">
        <div className="signin-brand">
          <span className="brand-mark" aria-hidden="true" />
          <span className="brand-name">Parley</span>
        </div>
        <h1>{t('signIn.title')}</h1>
        <p className="signin-lead">{t('signIn.lead')}</p>
        {notice ? (
          <p className="notice notice-info" role="status">
            {notice}
          </p>
        ) : null}
        <form onSubmit={submit} noValidate>
          <div className="field">
            <label htmlFor="signin-email">{t('signIn.email')}</label>
            <input
              ref={emailRef}
              autoFocus
              id="signin-email"
              type="email"
              autoComplete="username"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              aria-invalid={missing !== null && !email.trim()}
              required
            />
          </div>
          <div className="field">
            <label htmlFor="signin-password">{t('signIn.password')}</label>
            <input
              id="signin-password"
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              aria-invalid={missing !== null && !password}
              required
            />
          </div>
          {missing ? (
            <p className="field-error" role="alert">
              {missing}
            </p>
          ) : null}
          <ErrorNotice error={error} />
          <button type="submit" className="button button-primary button-block" disabled={busy}>
            {t('signIn.submit')}
          </button>
        </form>
        <LanguageSelect className="language-select signin-language" />
      </div>
    </main>
  );
}
