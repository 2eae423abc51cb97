import { useId, useState } from 'react';
import { useI18n } from '../i18n/i18n.tsx';

/** "Show trimmed text": what was cut from a reply that came by mail (quoted history, signature), as plain text. */
export function TrimmedText({ text }: { text: string }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const id = useId();
  return (
    <div className="msg-trimmed" data-testid="trimmed">
      <button
        type="button"
        className="button button-small"
        aria-expanded={open}
        aria-controls={id}
        onClick={() => setOpen((o) => !o)}
      >
        {open ? t('inbound.hideTrimmed') : t('inbound.showTrimmed')}
      </button>
      <div id={id} hidden={!open}>
        <p className="field-hint">{t('inbound.trimmedHint')}</p>
        <pre className="mail-text">{text}</pre>
      </div>
    </div>
  );
}
