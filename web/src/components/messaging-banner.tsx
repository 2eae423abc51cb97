import { get } from '../api.ts';
import { useTicketEvents } from '../events.ts';
import { useResource } from '../hooks.ts';
import { useI18n, type MessageKey } from '../i18n/i18n.tsx';
import { Link } from '../router.tsx';
import { useSession } from '../session.tsx';
import type { MessagingStatus } from '../types.ts';

const REASONS: Record<string, MessageKey> = {
  TEMPLATE_PARAMETER_EMPTY: 'messaging.reason.TEMPLATE_PARAMETER_EMPTY',
  TEMPLATE_MISSING: 'messaging.reason.TEMPLATE_MISSING',
  TEMPLATE_INACTIVE: 'messaging.reason.TEMPLATE_INACTIVE',
  SMTP_HOST_MISSING: 'messaging.reason.SMTP_HOST_MISSING',
  SMTP_FROM_MISSING: 'messaging.reason.SMTP_FROM_MISSING',
  SMTP_CREDENTIALS_MISSING: 'messaging.reason.SMTP_CREDENTIALS_MISSING',
};

export function useMessagingStatus() {
  const status = useResource(() => get<MessagingStatus>('/messaging/status'), []);
  useTicketEvents((n) => {
    if (n === null) void status.reload();
  });
  return status;
}

/**
 * Shown while messaging is unavailable (parameter 417 or the SMTP account): administrators see each reason with a
 * link to where it is fixed; everyone else a plain sentence.
 */
export function MessagingBanner({ status }: { status: MessagingStatus | undefined }) {
  const { t } = useI18n();
  const { me } = useSession();
  if (!status || status.available) return null;
  if (me.role !== 'admin') {
    return (
      <div className="notice notice-warn" role="status" data-testid="messaging-unavailable">
        <strong className="notice-title">{t('messaging.unavailableTitle')}</strong>
        <span>{me.role === 'requester' ? t('messaging.unavailableRequester') : t('messaging.unavailableStaff')}</span>
      </div>
    );
  }
  return (
    <div className="notice notice-warn" role="status" data-testid="messaging-unavailable">
      <strong className="notice-title">{t('messaging.unavailableTitle')}</strong>
      <span>{t('messaging.unavailableAdmin')}</span>
      <ul className="reason-list">
        {status.reasons.map((r) => (
          <li key={r.code}>
            {REASONS[r.code] ? t(REASONS[r.code]!) : (r.message ?? r.code)}{' '}
            {r.fix === 'parameter-417' ? (
              <Link to="/admin/parameters">{t('messaging.fix417')}</Link>
            ) : r.fix === 'smtp-account' ? (
              <Link to="/admin/smtp">{t('messaging.fixSmtp')}</Link>
            ) : null}
          </li>
        ))}
      </ul>
    </div>
  );
}
