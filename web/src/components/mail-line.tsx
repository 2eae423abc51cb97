import { useI18n } from '../i18n/i18n.tsx';
import type { MailStatus } from '../types.ts';

/** What happened to one notification mail, in plain words, naming the people it copied. */
export function MailLine({ to: recipient, cc, status }: { to: string; cc?: string[]; status: MailStatus }) {
  const { t } = useI18n();
  const to = cc && cc.length > 0 ? t('mail.withCc', { to: recipient, cc: cc.join(', ') }) : recipient;
  const text =
    status === 'sent'
      ? t('mail.sent', { to })
      : status === 'failed'
        ? t('mail.failed', { to })
        : status === 'deferred'
          ? t('mail.deferred', { to })
          : status === 'sending'
            ? t('mail.sending', { to })
            : t('mail.waiting', { to });
  const tone = status === 'sent' ? 'ok' : status === 'failed' ? 'bad' : status === 'deferred' ? 'warn' : 'wait';
  return (
    <li className={`mail-line mail-line-${tone}`}>
      <span className="mail-dot" aria-hidden="true" />
      {text}
    </li>
  );
}
