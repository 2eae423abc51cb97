import { useI18n } from '../i18n/i18n.tsx';
import type { AttachmentSummary } from '../types.ts';
import { formatSize } from './attachment-limits.ts';

/** Links to download attachments (`/api/v1/attachments/{id}`), each with its size. */
export function AttachmentLinks({ attachments }: { attachments: AttachmentSummary[] | undefined }) {
  const { t, locale } = useI18n();
  if (!attachments || attachments.length === 0) return null;
  return (
    <ul className="msg-attachments" aria-label={t('thread.attachments')}>
      {attachments.map((a) => (
        <li key={a.id}>
          <a href={`/api/v1/attachments/${encodeURIComponent(a.id)}`} download={a.name}>
            {a.name}
          </a>{' '}
          <span className="msg-meta">({formatSize(a.size, locale)})</span>
        </li>
      ))}
    </ul>
  );
}
