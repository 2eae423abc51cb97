import { useId, useState } from 'react';
import { useI18n } from '../../i18n/i18n.tsx';
import { Dialog } from '../ui.tsx';

/** Only what the server keeps: web and mail addresses (a bare host gets https://). */
export function cleanHref(typed: string): string | null {
  const href = typed.trim();
  if (href === '') return '';
  if (/^(https?:\/\/|mailto:)\S+$/i.test(href)) return href;
  if (/^[^\s:/@]+@[^\s:/@]+\.[^\s:/@]+$/.test(href)) return `mailto:${href}`;
  if (/^[^\s:/]+\.[^\s:/]+(\/\S*)?$/.test(href)) return `https://${href}`;
  return null;
}

/**
 * The address of a link on the selected text: Enter or "Apply" sets it, an empty address removes the link.
 * Not a form: it opens inside the composer's form.
 */
export function LinkDialog(props: { initial: string; onDone(href: string): void; onClose(): void }) {
  const { t } = useI18n();
  const id = useId();
  const [href, setHref] = useState(props.initial);
  const [invalid, setInvalid] = useState(false);
  const apply = () => {
    const clean = cleanHref(href);
    if (clean === null) setInvalid(true);
    else props.onDone(clean);
  };
  return (
    <Dialog title={t('rich.link')} onClose={props.onClose}>
      <div className="field">
        <label htmlFor={`${id}-href`}>{t('rich.linkAddress')}</label>
        <input
          id={`${id}-href`}
          type="url"
          inputMode="url"
          value={href}
          aria-invalid={invalid}
          aria-describedby={invalid ? `${id}-err` : undefined}
          onChange={(e) => {
            setHref(e.target.value);
            setInvalid(false);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              apply();
            }
          }}
        />
        {invalid ? (
          <p className="field-error" id={`${id}-err`} role="alert">
            {t('rich.linkInvalid')}
          </p>
        ) : null}
      </div>
      <div className="form-actions">
        <button type="button" className="button button-primary" onClick={apply}>
          {t('rich.linkApply')}
        </button>
      </div>
    </Dialog>
  );
}
