import { useState } from 'react';
import { post } from '../../api.ts';
import { Dialog, ErrorNotice } from '../../components/ui.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { type InboundDetail } from '../../types.ts';

export function DiscardButton({ mail, onDone }: { mail: InboundDetail; onDone(updated: InboundDetail): void }) {
  const { t } = useI18n();
  const [asking, setAsking] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function discard() {
    setBusy(true);
    setError(null);
    try {
      const updated = await post<InboundDetail>(`/inbound-mail/${mail.id}/discard`);
      setAsking(false);
      onDone(updated);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <button type="button" className="button button-danger button-block" onClick={() => setAsking(true)}>
        {t('inbound.discard')}
      </button>
      {asking ? (
        <Dialog title={t('inbound.discardConfirmTitle')} onClose={() => setAsking(false)}>
          <p>{t('inbound.discardConfirm')}</p>
          <ErrorNotice error={error} />
          <div className="form-actions">
            <button type="button" className="button" onClick={() => setAsking(false)}>
              {t('common.cancel')}
            </button>
            <button type="button" className="button button-danger" disabled={busy} onClick={() => void discard()}>
              {t('inbound.discardYes')}
            </button>
          </div>
        </Dialog>
      ) : null}
    </>
  );
}
