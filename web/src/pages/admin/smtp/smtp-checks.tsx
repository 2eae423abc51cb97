import { useState, type FormEvent } from 'react';
import { post } from '../../../api.ts';
import { ErrorNotice } from '../../../components/ui.tsx';
import { testMailText, verifyText } from '../../../delivery.ts';
import { useI18n } from '../../../i18n/i18n.tsx';
import { useSession } from '../../../session.tsx';
import type { SmtpVerifyResult, TestMailResult } from '../../../types.ts';
import type { ApiPathAnswering } from '../../../api/routes.ts';

/**
 * The side of the SMTP page: checking the saved account, and sending a test mail (one at a time). A team's mailbox
 * has the same checks at its own paths (`paths`), its ids prefixed with `id`.
 */
export function SmtpChecks({
  paths = { verify: '/admin/smtp-account/verify', test: '/admin/smtp-account/test' },
  id = 'smtp',
}: {
  paths?: { verify: ApiPathAnswering<'POST', SmtpVerifyResult>; test: ApiPathAnswering<'POST', TestMailResult> };
  id?: string;
}) {
  const { t } = useI18n();
  const { me } = useSession();
  const [verify, setVerify] = useState<SmtpVerifyResult | null>(null);
  const [verifyError, setVerifyError] = useState<unknown>(null);
  const [testTo, setTestTo] = useState(me.email);
  const [test, setTest] = useState<TestMailResult | null>(null);
  const [testError, setTestError] = useState<unknown>(null);
  const [checking, setChecking] = useState<'verify' | 'test' | null>(null);

  async function runVerify() {
    setChecking('verify');
    setVerify(null);
    setVerifyError(null);
    try {
      setVerify(await post<SmtpVerifyResult>(paths.verify));
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
      setTest(await post<TestMailResult>(paths.test, { to: testTo.trim() }));
    } catch (e) {
      setTestError(e);
    } finally {
      setChecking(null);
    }
  }

  return (
    <aside className="side">
      <section className="card" aria-labelledby={`${id}-verify-h`}>
        <h2 id={`${id}-verify-h`} className="card-title">
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
      <form className="card" onSubmit={runTest} aria-labelledby={`${id}-test-h`}>
        <h2 id={`${id}-test-h`} className="card-title">
          {t('smtp.testTitle')}
        </h2>
        <div className="field">
          <label htmlFor={`${id}-test-to`}>{t('smtp.testTo')}</label>
          <input id={`${id}-test-to`} type="email" value={testTo} onChange={(e) => setTestTo(e.target.value)} />
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
  );
}
