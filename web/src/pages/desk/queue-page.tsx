import { ErrorNotice, Loading, Page } from '../../components/ui.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { useSession } from '../../session.tsx';
import { QueueFilters } from './queue-filters.tsx';
import { QueuePager } from './queue-pager.tsx';
import { QueueTable } from './queue-table.tsx';
import { useGroups } from './use-groups.ts';
import { useQueue } from './use-queue.ts';

export { useGroups } from './use-groups.ts';

/** The desk's queue: search, filters and sort in the URL, a page of tickets, previous and next. */
export function DeskQueue() {
  const { t } = useI18n();
  const { me } = useSession();
  const queue = useQueue(me);
  const tickets = queue.list.data?.items ?? [];
  const groups = useGroups(me, tickets).filter;
  return (
    <Page title={t('desk.title')} subtitle={t('desk.subtitle')} wide>
      <QueueFilters view={queue.view} groups={groups} onChange={queue.change} />
      <ErrorNotice error={queue.error} />
      {queue.list.data ? (
        <QueueTable tickets={tickets} view={queue.view} onSort={queue.sortBy} onTake={(tk) => void queue.take(tk)} />
      ) : queue.list.loading ? (
        <Loading />
      ) : null}
      <QueuePager page={queue.page} previous={queue.previous} next={queue.next} />
    </Page>
  );
}
