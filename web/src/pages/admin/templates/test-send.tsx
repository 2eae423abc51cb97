import { useEffect, useState, type FormEvent } from 'react';
import { post } from '../../../api.ts';
import { ErrorNotice } from '../../../components/ui.tsx';
import { useI18n } from '../../../i18n/i18n.tsx';
import { testMailText } from '../../../delivery.ts';
import { useSession } from '../../../session.tsx';
import { type TestMailResult } from '../../../types.ts';

/**
 * Sends a variant of the saved template through the SMTP account now (`POST /admin/email-templates/{id}/test`),
 * rendered against a ticket or the sample values, and says what the server answered. A variant never saved cannot
 * be sent (the server would send another).
 */
export function TestSend(props: {
  id: number | null;
  variant: string;
  state: 'saved' | 'changed' | 'new';
  language: string;
}) {
  const { variant, state } = props;
  const id = state === 'new' ? null : props.id;
  const { t } = useI18n();
  const { me } = useSession();
  const [to, setTo] = useState(me.email);
  const [ticket, setTicket] = useState('');
  const [invalid, setInvalid] = useState<{ to?: string; ticket?: string }>({});
  const [result, setResult] = useState<TestMailResult | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  // A result told of another variant is not this one's.
  useEffect(() => {
    setResult(null);
    setError(null);
  }, [variant]);

  async function send(event: FormEvent) {
    event.preventDefault();
    if (id === null) return;
    const found: typeof invalid = {};
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(to.trim())) found.to = t('validation.email');
    if (ticket.trim() && !/^\d+$/.test(ticket.trim())) found.ticket = t('validation.ticketNumber');
    setInvalid(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    setResult(null);
    setError(null);
    try {
      setResult(
        await post<TestMailResult>(`/admin/email-templates/${id}/test`, {
          to: to.trim(),
          ...(ticket.trim() ? { ticketNumber: Number(ticket.trim()) } : {}),
          variant,
        }),
      );
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="test-send" onSubmit={send} noValidate aria-labelledby="test-send-h">
      <h3 id="test-send-h" className="card-title">
        {t('templates.testTitle')}
      </h3>
      <p className="field-hint test-send-hint">
        {props.id === null
          ? t('templates.testSaveFirst')
          : id === null
            ? t('templates.testSaveVariantFirst', { language: props.language })
            : t('templates.testHint', { language: props.language })}
      </p>
      <div className="field">
        <label htmlFor="test-to">{t('templates.testTo')}</label>
        <input
          id="test-to"
          type="email"
          value={to}
          onChange={(e) => setTo(e.target.value)}
          disabled={id === null}
          aria-invalid={!!invalid.to}
          aria-describedby={invalid.to ? 'test-to-err' : undefined}
        />
        {invalid.to ? (
          <p className="field-error" id="test-to-err">
            {invalid.to}
          </p>
        ) : null}
      </div>
      <div className="field">
        <label htmlFor="test-ticket">{t('templates.testTicket')}</label>
        <input
          id="test-ticket"
          className="input-short"
          inputMode="numeric"
          value={ticket}
          onChange={(e) => setTicket(e.target.value)}
          disabled={id === null}
          aria-invalid={!!invalid.ticket}
          aria-describedby={invalid.ticket ? 'test-ticket-err' : undefined}
        />
        {invalid.ticket ? (
          <p className="field-error" id="test-ticket-err">
            {invalid.ticket}
          </p>
        ) : null}
      </div>
      {state === 'changed' && id !== null ? <p className="notice notice-info">{t('templates.testUnsaved')}</p> : null}
      <div className="form-actions">
        <button type="submit" className="button" disabled={busy || id === null}>
          {busy ? t('smtp.sending') : t('templates.testSend')}
        </button>
      </div>
      <div aria-live="polite">
        {result ? (
          <p className={result.ok ? 'notice notice-success' : 'notice notice-error'}>{testMailText(t, result)}</p>
        ) : null}
        <ErrorNotice error={error} />
      </div>
    </form>
  );
}
