import { useI18n } from '../../../i18n/i18n.tsx';
import type { MailboxOAuth } from '../../../types.ts';

/** Where a mailbox's OAuth2 grant stands, in a sentence: connected as whom, or reconnect needed and why. */
export function OAuthStatus({ oauth }: { oauth: Pick<MailboxOAuth, 'state' | 'login' | 'lastError'> }) {
  const { t } = useI18n();
  if (oauth.state === 'connected')
    return (
      <p className="oauth-state oauth-connected" data-testid="oauth-state">
        {t('mailboxes.oauth.connected', { login: oauth.login })}
      </p>
    );
  if (oauth.state === 'reconnect_needed')
    return (
      <p className="oauth-state oauth-reconnect" role="status" data-testid="oauth-state">
        {t('mailboxes.oauth.reconnectNeeded')}
        {oauth.lastError ? ` ${t('mailboxes.oauth.providerSaid', { reason: oauth.lastError })}` : ''}
      </p>
    );
  return (
    <p className="oauth-state" data-testid="oauth-state">
      {t('mailboxes.oauth.notConnected')}
    </p>
  );
}
