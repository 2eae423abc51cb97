import { useI18n } from '../../i18n/i18n.tsx';
import { Link } from '../../router.tsx';

/** Staff only: the way to their own canned answers ("My answers"). */
export function AnswersCard() {
  const { t } = useI18n();
  return (
    <section className="card" aria-labelledby="account-answers-title">
      <h2 id="account-answers-title" className="card-title">
        {t('answers.myTitle')}
      </h2>
      <p className="field-hint">{t('answers.myLinkHint')}</p>
      <Link to="/account/answers" className="button">
        {t('answers.myLink')}
      </Link>
    </section>
  );
}
