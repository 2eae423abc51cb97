import { Page } from '../components/ui.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { Link } from '../router.tsx';
import { homeOf, useSession } from '../session.tsx';

export function NotFound() {
  const { t } = useI18n();
  const { me } = useSession();
  return (
    <Page title={t('page.notFoundTitle')}>
      <p>{t('page.notFound')}</p>
      <Link to={homeOf(me)}>{t('page.home')}</Link>
    </Page>
  );
}
