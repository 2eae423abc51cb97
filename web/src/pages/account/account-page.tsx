import { Page } from '../../components/ui.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { PasswordCard } from './password-card.tsx';
import { TokensCard } from './tokens-card.tsx';

/** The signed-in person's own account: their password, and their API tokens. */
export function AccountPage() {
  const { t } = useI18n();
  return (
    <Page title={t('account.title')} subtitle={t('account.subtitle')}>
      <PasswordCard />
      <TokensCard />
    </Page>
  );
}
