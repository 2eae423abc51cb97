import { MessagingBanner } from '../../../components/messaging-banner.tsx';
import { ErrorNotice, Loading, Page, SuccessNotice } from '../../../components/ui.tsx';
import { useI18n } from '../../../i18n/i18n.tsx';
import type { SmtpSecurity } from '../../../types.ts';
import { SmtpChecks } from './smtp-checks.tsx';
import type { Form } from './smtp-form.ts';
import { useSmtpAccount } from './use-smtp-account.ts';

export function AdminSmtp() {
  const { t } = useI18n();
  const { account, status, form, setForm, errors, error, saved, busy, save } = useSmtpAccount();

  if (!form) {
    return (
      <Page title={t('smtp.title')}>
        <ErrorNotice error={account.error} />
        {account.loading ? <Loading /> : null}
      </Page>
    );
  }
  const set = <K extends keyof Form>(key: K, value: Form[K]) => setForm({ ...form, [key]: value });

  const err = (key: keyof Form) =>
    errors[key] ? (
      <p className="field-error" id={`smtp-${key}-err`}>
        {errors[key]}
      </p>
    ) : null;

  return (
    <Page title={t('smtp.title')} subtitle={t('smtp.subtitle')}>
      <MessagingBanner status={status.data} />
      <div className="two-columns">
        <form className="card form main-column" onSubmit={save} noValidate aria-labelledby="smtp-account-h">
          <h2 id="smtp-account-h" className="card-title">
            {t('smtp.account')}
          </h2>
          <div className="field-row">
            <div className="field field-grow">
              <label htmlFor="smtp-host">
                {t('smtp.host')} <span className="param-ref">(14)</span>
              </label>
              <input
                id="smtp-host"
                value={form.host}
                onChange={(e) => set('host', e.target.value)}
                aria-invalid={!!errors.host}
                autoComplete="off"
              />
              {err('host')}
            </div>
            <div className="field field-port">
              <label htmlFor="smtp-port">
                {t('smtp.port')} <span className="param-ref">(269)</span>
              </label>
              <input
                id="smtp-port"
                type="number"
                min={1}
                max={65535}
                value={form.port}
                onChange={(e) => set('port', e.target.value)}
                aria-invalid={!!errors.port}
              />
              {err('port')}
            </div>
          </div>
          <div className="field">
            <label htmlFor="smtp-security">
              {t('smtp.security')} <span className="param-ref">(199)</span>
            </label>
            <select
              id="smtp-security"
              value={form.security}
              onChange={(e) => set('security', e.target.value as SmtpSecurity)}
            >
              <option value="none">{t('smtp.security.none')}</option>
              <option value="starttls">{t('smtp.security.starttls')}</option>
              <option value="tls">{t('smtp.security.tls')}</option>
            </select>
          </div>
          <label className="check">
            <input type="checkbox" checked={form.auth} onChange={(e) => set('auth', e.target.checked)} />
            {t('smtp.auth')} <span className="param-ref">(11)</span>
          </label>
          <div className="field-row">
            <div className="field field-grow">
              <label htmlFor="smtp-user">
                {t('smtp.user')} <span className="param-ref">(12)</span>
              </label>
              <input
                id="smtp-user"
                value={form.user}
                onChange={(e) => set('user', e.target.value)}
                disabled={!form.auth}
                autoComplete="off"
                aria-invalid={!!errors.user}
              />
              {err('user')}
            </div>
            <div className="field field-grow">
              <label htmlFor="smtp-password">
                {t('smtp.password')} <span className="param-ref">(13)</span>
              </label>
              <input
                id="smtp-password"
                type="password"
                value={form.password}
                onChange={(e) => set('password', e.target.value)}
                disabled={!form.auth}
                autoComplete="new-password"
                aria-describedby={
                  account.data?.passwordSet ? 'smtp-password-hint smtp-password-again' : 'smtp-password-hint'
                }
                aria-invalid={!!errors.password}
              />
              <p className="field-hint" id="smtp-password-hint">
                {account.data?.passwordSet ? t('smtp.passwordKept') : t('smtp.passwordNone')}
              </p>
              {account.data?.passwordSet ? (
                <p className="field-hint" id="smtp-password-again">
                  {t('smtp.passwordAgainHint')}
                </p>
              ) : null}
              {err('password')}
            </div>
          </div>
          <div className="field-row">
            <div className="field field-grow">
              <label htmlFor="smtp-from">
                {t('smtp.from')} <span className="param-ref">(10)</span>
              </label>
              <input
                id="smtp-from"
                type="email"
                value={form.from}
                onChange={(e) => set('from', e.target.value)}
                aria-invalid={!!errors.from}
              />
              {err('from')}
            </div>
            <div className="field field-grow">
              <label htmlFor="smtp-from-name">{t('smtp.fromName')}</label>
              <input id="smtp-from-name" value={form.fromName} onChange={(e) => set('fromName', e.target.value)} />
            </div>
          </div>
          <label className="check">
            <input
              type="checkbox"
              checked={form.allowInvalidCertificate}
              onChange={(e) => set('allowInvalidCertificate', e.target.checked)}
            />
            {t('smtp.allowInvalid')}
          </label>
          <ErrorNotice error={error} />
          {saved ? <SuccessNotice>{t('smtp.saved')}</SuccessNotice> : null}
          <div className="form-actions">
            <button type="submit" className="button button-primary" disabled={busy}>
              {t('common.save')}
            </button>
          </div>
        </form>
        <SmtpChecks />
      </div>
    </Page>
  );
}
