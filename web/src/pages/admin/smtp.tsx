import { useEffect, useState, type FormEvent } from 'react';
import { get, post, put } from '../../api.ts';
import { MessagingBanner, useMessagingStatus } from '../../components/messaging-banner.tsx';
import { ErrorNotice, Loading, Page, SuccessNotice } from '../../components/ui.tsx';
import { useResource } from '../../hooks.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { useSession } from '../../session.tsx';
import { testMailText, verifyText } from '../../delivery.ts';
import type { SmtpAccount, SmtpSecurity, SmtpVerifyResult, TestMailResult } from '../../types.ts';

interface Form {
  host: string;
  port: string;
  security: SmtpSecurity;
  auth: boolean;
  user: string;
  password: string;
  from: string;
  fromName: string;
  allowInvalidCertificate: boolean;
}

function formOf(a: SmtpAccount): Form {
  return {
    host: a.host ?? '',
    port: String(a.port),
    security: a.security,
    auth: a.auth,
    user: a.user ?? '',
    password: '',
    from: a.from ?? '',
    fromName: a.fromName ?? '',
    allowInvalidCertificate: a.allowInvalidCertificate,
  };
}

export function AdminSmtp() {
  const { t } = useI18n();
  const { me } = useSession();
  const account = useResource(() => get<SmtpAccount>('/admin/smtp-account'), []);
  const status = useMessagingStatus();
  const [form, setForm] = useState<Form | null>(null);
  const [errors, setErrors] = useState<Partial<Record<keyof Form, string>>>({});
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const [verify, setVerify] = useState<SmtpVerifyResult | null>(null);
  const [verifyError, setVerifyError] = useState<unknown>(null);
  const [testTo, setTestTo] = useState(me.email);
  const [test, setTest] = useState<TestMailResult | null>(null);
  const [testError, setTestError] = useState<unknown>(null);
  const [checking, setChecking] = useState<'verify' | 'test' | null>(null);

  useEffect(() => {
    if (account.data) setForm(formOf(account.data));
  }, [account.data]);

  if (!form) {
    return (
      <Page title={t('smtp.title')}>
        <ErrorNotice error={account.error} />
        {account.loading ? <Loading /> : null}
      </Page>
    );
  }
  const set = <K extends keyof Form>(key: K, value: Form[K]) => setForm({ ...form, [key]: value });
  const saved0 = account.data;
  const destinationChanged =
    !!saved0?.passwordSet &&
    (form.host.trim().toLowerCase() !== (saved0.host ?? '').toLowerCase() ||
      Number(form.port) !== saved0.port ||
      form.security !== saved0.security ||
      (form.allowInvalidCertificate && !saved0.allowInvalidCertificate));

  async function save(event: FormEvent) {
    event.preventDefault();
    const found: typeof errors = {};
    if (!form!.host.trim()) found.host = t('validation.required');
    const port = Number(form!.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535) found.port = t('validation.port');
    if (!form!.from.trim()) found.from = t('validation.required');
    else if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(form!.from.trim())) found.from = t('validation.email');
    if (form!.auth && !form!.user.trim()) found.user = t('validation.required');
    if (form!.auth && !account.data?.passwordSet && !form!.password) found.password = t('validation.required');
    // A stored password goes only to the server it was entered for: moving the account needs it again.
    else if (form!.auth && !form!.password && destinationChanged) found.password = t('smtp.passwordAgain');
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      const body = {
        host: form!.host.trim(),
        port,
        security: form!.security,
        auth: form!.auth,
        user: form!.auth ? form!.user.trim() : form!.user.trim() || null,
        ...(form!.password ? { password: form!.password } : {}),
        from: form!.from.trim(),
        fromName: form!.fromName.trim() || null,
        allowInvalidCertificate: form!.allowInvalidCertificate,
      };
      const result = await put<SmtpAccount>('/admin/smtp-account', body);
      setForm(formOf(result));
      setSaved(true);
      void account.reload();
      void status.reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  async function runVerify() {
    setChecking('verify');
    setVerify(null);
    setVerifyError(null);
    try {
      setVerify(await post<SmtpVerifyResult>('/admin/smtp-account/verify'));
    } catch (e) {
      setVerifyError(e);
    } finally {
      setChecking(null);
    }
  }

  async function runTest(event: FormEvent) {
    event.preventDefault();
    setChecking('test');
    setTest(null);
    setTestError(null);
    try {
      setTest(await post<TestMailResult>('/admin/smtp-account/test', { to: testTo.trim() }));
    } catch (e) {
      setTestError(e);
    } finally {
      setChecking(null);
    }
  }

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
        <aside className="side">
          <section className="card" aria-labelledby="smtp-verify-h">
            <h2 id="smtp-verify-h" className="card-title">
              {t('smtp.verifyTitle')}
            </h2>
            <p className="field-hint">{t('smtp.verifyHint')}</p>
            <button
              type="button"
              className="button button-block"
              onClick={() => void runVerify()}
              disabled={checking !== null}
            >
              {checking === 'verify' ? t('smtp.checking') : t('smtp.verify')}
            </button>
            <div aria-live="polite">
              {verify ? (
                <p className={verify.ok ? 'notice notice-success' : 'notice notice-error'}>{verifyText(t, verify)}</p>
              ) : null}
              <ErrorNotice error={verifyError} />
            </div>
          </section>
          <form className="card" onSubmit={runTest} aria-labelledby="smtp-test-h">
            <h2 id="smtp-test-h" className="card-title">
              {t('smtp.testTitle')}
            </h2>
            <div className="field">
              <label htmlFor="smtp-test-to">{t('smtp.testTo')}</label>
              <input id="smtp-test-to" type="email" value={testTo} onChange={(e) => setTestTo(e.target.value)} />
            </div>
            <button type="submit" className="button button-block" disabled={checking !== null || !testTo.trim()}>
              {checking === 'test' ? t('smtp.sending') : t('smtp.sendTest')}
            </button>
            <div aria-live="polite">
              {test ? (
                <p className={test.ok ? 'notice notice-success' : 'notice notice-error'}>{testMailText(t, test)}</p>
              ) : null}
              <ErrorNotice error={testError} />
            </div>
          </form>
        </aside>
      </div>
    </Page>
  );
}
