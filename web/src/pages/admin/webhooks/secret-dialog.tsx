import { useState } from 'react';
import { Dialog } from '../../../components/ui.tsx';
import { useI18n } from '../../../i18n/i18n.tsx';
import type { ShownSecret } from './use-webhooks.ts';

/** The signing secret, shown this once with a copy button; closing the dialog forgets it. */
export function SecretDialog({ shown, onClose }: { shown: ShownSecret; onClose(): void }) {
  const { t } = useI18n();
  const [copy, setCopy] = useState<'copied' | 'failed' | null>(null);

  async function copyIt() {
    try {
      await navigator.clipboard.writeText(shown.secret);
      setCopy('copied');
    } catch {
      setCopy('failed');
    }
  }

  return (
    <Dialog title={t('webhooks.secretTitle', { url: shown.url })} onClose={onClose}>
      <div className="form">
        <p className="notice notice-warn" id="webhook-secret-once">
          {t('webhooks.secretOnce')}
        </p>
        <div className="field">
          <label htmlFor="webhook-secret">{t('webhooks.secretTitle', { url: shown.url })}</label>
          <input
            id="webhook-secret"
            className="cell-code"
            readOnly
            value={shown.secret}
            aria-describedby="webhook-secret-once"
            onFocus={(e) => e.target.select()}
          />
        </div>
        <div aria-live="polite">
          {copy === 'copied' ? <p className="notice notice-success">{t('webhooks.copied')}</p> : null}
          {copy === 'failed' ? <p className="notice notice-error">{t('webhooks.copyFailed')}</p> : null}
        </div>
        <div className="form-actions">
          <button type="button" className="button" onClick={() => void copyIt()}>
            {t('webhooks.copy')}
          </button>
          <button type="button" className="button button-primary" onClick={onClose}>
            {t('webhooks.secretDone')}
          </button>
        </div>
      </div>
    </Dialog>
  );
}
