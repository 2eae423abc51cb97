import { Page } from '../components/ui.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { Link } from '../router.tsx';
import { homeOf, useSession } from '../session.tsx';

export function NotAllowed() {
  const { t } = useI18n();
  const { me } = useSession();
  return (
    <Page title={t('page.forbiddenTitle')}>
      <p>{t('page.forbidden')}</p>
      <Link to={homeOf(me)}>{t('page.home')}</Link>
    </Page>
  );
}
