import { get } from '../api.ts';
import { useTicketEvents } from '../events.ts';
import { useResource } from '../hooks.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { Link } from '../router.tsx';
import { useSession } from '../session.tsx';
import type { MailTroubleAnswer } from '../types.ts';

/**
 * A requester's portal: shown while the latest mail to them failed or bounced at the address they still have, with a
 * link to the account page where they correct it.
 */
export function MailTroubleBanner() {
  const { t } = useI18n();
  const { me } = useSession();
  const trouble = useResource(() => get<MailTroubleAnswer>('/me/mail-trouble'), [me.email]);
  useTicketEvents(() => void trouble.reload());
  const address = trouble.data?.trouble?.address;
  if (!address) return null;
  return (
    <div className="notice notice-warn" role="status" data-testid="mail-trouble">
      <strong className="notice-title">{t('mailTrouble.title')}</strong>
      <span>{t('mailTrouble.text', { address })}</span> <Link to="/account">{t('mailTrouble.link')}</Link>
    </div>
  );
}
