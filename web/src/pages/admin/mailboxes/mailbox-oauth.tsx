import { useEffect, useState, type FormEvent } from 'react';
import { ErrorNotice, SuccessNotice } from '../../../components/ui.tsx';
import { useI18n } from '../../../i18n/i18n.tsx';
import type { Mailbox, OAuthProvider } from '../../../types.ts';
import { OAuthStatus } from './oauth-status.tsx';
import { TextField } from './text-field.tsx';
import { formOfOAuth, useMailboxOAuth, type OAuthForm } from './use-mailbox-oauth.ts';

/** Where the provider sends the administrator back: registered with the provider as the app's redirect URI. */
const CALLBACK = '/api/v1/admin/mailboxes/oauth/callback';

/**
 * A saved mailbox's OAuth2 connection (its SMTP or IMAP signs in with OAuth2): the provider (Microsoft 365, Google or
 * any other), the app's client (the secret write-only), the account, and Connect / Reconnect, which goes to the
 * provider's sign-in and comes back to this page.
 */
export function MailboxOAuthSection({ mailbox }: { mailbox: Mailbox }) {
  const { t } = useI18n();
  const { oauth, busy, save, connect } = useMailboxOAuth(mailbox.id);
  const [form, setForm] = useState<OAuthForm>(() => formOfOAuth(null, mailbox.fromAddress));
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const loaded = oauth.data;
  useEffect(() => {
    if (loaded !== undefined) setForm(formOfOAuth(loaded, mailbox.fromAddress));
  }, [loaded, mailbox.fromAddress]);
  const id = `mailbox-${mailbox.id}-oauth`;
  // Connect uses the saved client: with changes not saved yet, it waits for Save.
  const unsaved =
    loaded !== undefined && JSON.stringify(form) !== JSON.stringify(formOfOAuth(loaded, mailbox.fromAddress));
  const set = <K extends keyof OAuthForm>(key: K, value: OAuthForm[K]) => {
    setSaved(false);
    setForm((f) => ({ ...f, [key]: value }));
  };
  const text = (
    key: keyof OAuthForm,
    label: string,
    options: { type?: string; hint?: string; inRow?: boolean } = {},
  ) => (
    <TextField
      id={`${id}-${key}`}
      label={label}
      value={form[key]}
      onChange={(value) => set(key, value as never)}
      type={options.type}
      hint={options.hint}
      inRow={options.inRow}
    />
  );

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      await save(form);
      setForm((f) => ({ ...f, clientSecret: '' }));
      setSaved(true);
    } catch (e) {
      setError(e);
    }
  }

  async function onConnect() {
    setError(null);
    try {
      await connect();
    } catch (e) {
      setError(e);
    }
  }

  return (
    <section className="card" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`} className="card-title">
        {t('mailboxes.oauth.title')}
      </h2>
      {loaded ? <OAuthStatus oauth={loaded} /> : <p className="field-hint">{t('mailboxes.oauth.notSet')}</p>}
      <form className="form" onSubmit={submit} aria-label={t('mailboxes.oauth.title')} noValidate>
        <div className="field">
          <label htmlFor={`${id}-provider`}>{t('mailboxes.oauth.provider')}</label>
          <select
            id={`${id}-provider`}
            value={form.provider}
            onChange={(e) => set('provider', e.target.value as OAuthProvider)}
          >
            <option value="microsoft">{t('mailboxes.oauth.microsoft')}</option>
            <option value="google">{t('mailboxes.oauth.google')}</option>
            <option value="custom">{t('mailboxes.oauth.custom')}</option>
          </select>
        </div>
        <p className="field-hint">
          {t('mailboxes.oauth.redirectHint')} <code>{`${window.location.origin}${CALLBACK}`}</code>
        </p>
        {form.provider === 'microsoft' ? text('tenant', t('mailboxes.oauth.tenant')) : null}
        {form.provider === 'custom' ? (
          <>
            {text('authorizeUrl', t('mailboxes.oauth.authorizeUrl'))}
            {text('tokenUrl', t('mailboxes.oauth.tokenUrl'))}
            {text('scopes', t('mailboxes.oauth.scopes'), { hint: t('mailboxes.oauth.scopesHint') })}
          </>
        ) : null}
        <div className="field-row">
          {text('clientId', t('mailboxes.oauth.clientId'), { inRow: true })}
          {text('clientSecret', t('mailboxes.oauth.clientSecret'), {
            inRow: true,
            type: 'password',
            hint: loaded?.clientSecretSet ? t('mailboxes.oauth.secretKept') : t('mailboxes.oauth.secretNone'),
          })}
        </div>
        {text('login', t('mailboxes.oauth.login'), { hint: t('mailboxes.oauth.loginHint') })}
        <ErrorNotice error={error ?? oauth.error} />
        {saved ? <SuccessNotice>{t('mailboxes.oauth.saved')}</SuccessNotice> : null}
        {unsaved && loaded ? <p className="field-hint">{t('mailboxes.oauth.saveBeforeConnect')}</p> : null}
        <div className="form-actions">
          <button type="submit" className="button" disabled={busy}>
            {t('mailboxes.oauth.save')}
          </button>
          <button
            type="button"
            className="button button-primary"
            disabled={busy || !loaded || unsaved}
            onClick={() => void onConnect()}
          >
            {loaded && loaded.state !== 'not_connected' ? t('mailboxes.oauth.reconnect') : t('mailboxes.oauth.connect')}
          </button>
        </div>
      </form>
    </section>
  );
}
