import { useState } from 'react';
import { post } from '../../api.ts';
import { ErrorNotice } from '../../components/ui.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { type InboundAttachResult, type InboundDetail } from '../../types.ts';
import { senderName } from './inbound-parts.tsx';

/** "Post as <copy>": a held reply-all of a ticket's copy, posted in one click as that person's message. */
export function PostAsButton({ mail, onDone }: { mail: InboundDetail; onDone(result: InboundAttachResult): void }) {
  const { t } = useI18n();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const name = senderName(mail.from);

  async function postAs() {
    setBusy(true);
    setError(null);
    try {
      onDone(await post<InboundAttachResult>(`/inbound-mail/${mail.id}/post-as-sender`));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="inbound-post-as">
      <button
        type="button"
        className="button button-primary button-block"
        disabled={busy}
        onClick={() => void postAs()}
      >
        {t('inbound.postAs', { name })}
      </button>
      <p className="field-hint">{t('inbound.postAsHint', { name })}</p>
      <ErrorNotice error={error} />
    </div>
  );
}
