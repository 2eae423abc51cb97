import { useI18n } from '../../i18n/i18n.tsx';

/** Previous and next page of the queue (pages follow each other by cursor: no page numbers to jump to). */
export function QueuePager({
  page,
  previous,
  next,
}: {
  page: number;
  previous: (() => void) | null;
  next: (() => void) | null;
}) {
  const { t } = useI18n();
  if (!previous && !next) return null;
  return (
    <nav className="pager" aria-label={t('desk.pages')}>
      <button type="button" className="button" disabled={!previous} onClick={() => previous?.()}>
        {t('desk.previous')}
      </button>
      <span className="pager-page">{t('desk.page', { page })}</span>
      <button type="button" className="button" disabled={!next} onClick={() => next?.()}>
        {t('desk.next')}
      </button>
    </nav>
  );
}
