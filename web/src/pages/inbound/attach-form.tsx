import { useId, useState, type FormEvent } from 'react';
import { post } from '../../api.ts';
import { ErrorNotice } from '../../components/ui.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { type InboundAttachResult, type InboundDetail } from '../../types.ts';

export function AttachForm({ mail, onDone }: { mail: InboundDetail; onDone(result: InboundAttachResult): void }) {
  const { t } = useI18n();
  const id = useId();
  const [number, setNumber] = useState(mail.ticketNumber !== null ? String(mail.ticketNumber) : '');
  const [internal, setInternal] = useState(true);
  const [invalid, setInvalid] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const n = Number(number.trim());
    const ok = /^\d+$/.test(number.trim()) && n >= 1 && n <= 2147483647;
    setInvalid(!ok);
    if (!ok) return;
    setBusy(true);
    setError(null);
    try {
      onDone(await post<InboundAttachResult>(`/inbound-mail/${mail.id}/attach`, { ticketNumber: n, internal }));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate className="form-compact" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`} className="card-title">
        {t('inbound.attachTitle')}
      </h2>
      <div className="field">
        <label htmlFor={`${id}-n`}>{t('inbound.ticketNumber')}</label>
        <input
          id={`${id}-n`}
          type="text"
          inputMode="numeric"
          autoComplete="off"
          value={number}
          onChange={(e) => setNumber(e.target.value)}
          aria-invalid={invalid}
          aria-describedby={`${id}-nh`}
        />
        <p id={`${id}-nh`} className="field-hint">
          {mail.ticketNumber !== null ? t('inbound.ticketPrefilled') : t('inbound.ticketHint')}
        </p>
        {invalid ? (
          <p className="field-error" role="alert">
            {t('inbound.ticketRequired')}
          </p>
        ) : null}
      </div>
      <label className="check inbound-check">
        <input
          type="checkbox"
          checked={internal}
          onChange={(e) => setInternal(e.target.checked)}
          aria-describedby={`${id}-ih`}
        />
        {t('inbound.internal')}
      </label>
      <p id={`${id}-ih`} className="field-hint inbound-check-hint">
        {t('inbound.internalHint')}
      </p>
      <ErrorNotice error={error} />
      <button type="submit" className="button button-primary button-block" disabled={busy}>
        {t('inbound.attach')}
      </button>
    </form>
  );
}
