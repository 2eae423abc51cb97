import { useId } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import { ATTACHMENT_LIMITS, formatSize } from './attachment-limits.ts';
import type { Attachments } from './use-attachments.ts';

/**
 * "Attach files": a real file input (multiple) behind a visible button-like label, the chosen files with their sizes
 * and a remove button each, and why a file was not taken.
 */
export function AttachmentPicker({ attachments, disabled }: { attachments: Attachments; disabled?: boolean }) {
  const { t, locale } = useI18n();
  const id = useId();
  const L = ATTACHMENT_LIMITS;
  const total = attachments.files.reduce((sum, f) => sum + f.size, 0);
  return (
    <div className="attach">
      <div className="attach-bar">
        <input
          id={`${id}-input`}
          className="attach-input"
          type="file"
          multiple
          disabled={disabled}
          aria-describedby={attachments.problem ? `${id}-err ${id}-hint` : `${id}-hint`}
          onChange={(e) => {
            if (e.target.files && e.target.files.length > 0) attachments.add(e.target.files);
            // The same file can be chosen again after it was removed.
            e.target.value = '';
          }}
        />
        <label
          htmlFor={`${id}-input`}
          className={
            disabled ? 'button button-small attach-button attach-button-off' : 'button button-small attach-button'
          }
        >
          {t('attach.label')}
        </label>
        <span className="field-hint" id={`${id}-hint`}>
          {attachments.files.length > 0
            ? t('attach.chosen', {
                count: attachments.files.length,
                size: formatSize(total, locale),
                max: formatSize(L.maxTotalBytes, locale),
              })
            : t('attach.hint', { count: L.maxCount, max: formatSize(L.maxTotalBytes, locale) })}
        </span>
      </div>
      {attachments.problem ? (
        <p className="field-error" id={`${id}-err`} role="alert">
          {attachments.problem}
        </p>
      ) : null}
      {attachments.files.length > 0 ? (
        <ul className="attach-list" aria-label={t('attach.listLabel')}>
          {attachments.items.map(({ key, file }, i) => (
            <li key={key} className="attach-item">
              <span className="attach-name">{file.name}</span>
              <span className="attach-size">{formatSize(file.size, locale)}</span>
              <button
                type="button"
                className="button button-small attach-remove"
                disabled={disabled}
                onClick={() => attachments.remove(i)}
                aria-label={t('attach.removeNamed', { name: file.name })}
              >
                {t('attach.remove')}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
