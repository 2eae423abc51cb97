import { Page } from '../../components/ui.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { isStaff, useSession } from '../../session.tsx';
import { AnswersCard } from './answers-card.tsx';
import { EmailCard } from './email-card.tsx';
import { PasswordCard } from './password-card.tsx';
import { SignatureCard } from './signature-card.tsx';
import { TokensCard } from './tokens-card.tsx';

/** The signed-in person's own account: their email address, their password, their API tokens, and (staff) their signature and canned answers. */
export function AccountPage() {
  const { t } = useI18n();
  const { me } = useSession();
  return (
    <Page title={t('account.title')} subtitle={t('account.subtitle')}>
      <EmailCard />
      <PasswordCard />
      <TokensCard />
      {isStaff(me) ? <SignatureCard /> : null}
      {isStaff(me) ? <AnswersCard /> : null}
    </Page>
  );
}
