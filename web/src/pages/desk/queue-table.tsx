import { Empty, labelCells, StatusBadge, When } from '../../components/ui.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { Link } from '../../router.tsx';
import { useSession } from '../../session.tsx';
import type { ListedTicket, Ticket } from '../../types.ts';
import { SortHeader } from './sort-header.tsx';
import { SORT_LABELS, SORTS, type QueueView, type Sort } from './use-queue.ts';

/**
 * The queue's page of tickets: a header per column that sorts by it, a row per ticket (bold, with the word "Unread",
 * when it has activity the viewer has not read), and "Take" for a ticket someone else or nobody is responsible for.
 */
export function QueueTable({
  tickets,
  view,
  onSort,
  onTake,
}: {
  tickets: ListedTicket[];
  view: QueueView;
  onSort(column: Sort): void;
  onTake(ticket: Ticket): void;
}) {
  const { t } = useI18n();
  const { me } = useSession();
  if (tickets.length === 0)
    return (
      <div className="card">
        <Empty>{t('desk.empty')}</Empty>
      </div>
    );
  const columns = SORTS.map((sort): [Sort, string] => [sort, t(SORT_LABELS[sort])]);
  const labels = columns.map(([, label]) => label);
  return (
    <div className="card card-flush">
      <table className="table queue-table">
        <caption className="sr-only">{t('desk.title')}</caption>
        <thead>
          <tr>
            {columns.map(([column, label]) => (
              <SortHeader
                key={column}
                label={label}
                column={column}
                sort={view.sort}
                direction={view.direction}
                onSort={onSort}
              />
            ))}
            <th scope="col">
              <span className="sr-only">{t('common.actions')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {tickets.map((tk) =>
            labelCells(
              <tr key={tk.number} className={tk.unseen ? 'row-unread' : undefined}>
                <td className="cell-number">#{tk.number}</td>
                <td className="cell-title">
                  <Link to={`/desk/tickets/${tk.number}`}>{tk.title}</Link>
                  {tk.unseen ? <span className="badge badge-unread">{t('desk.unread')}</span> : null}
                </td>
                <td>{tk.requester?.name}</td>
                <td className="cell-muted">{tk.group?.name ?? '—'}</td>
                <td>
                  {tk.responsible ? (
                    tk.responsible.id === me.id ? (
                      <strong>{t('desk.you')}</strong>
                    ) : (
                      tk.responsible.name
                    )
                  ) : (
                    <span className="cell-muted">{t('desk.nobody')}</span>
                  )}
                </td>
                <td>{tk.status ? <StatusBadge status={tk.status} /> : null}</td>
                <td className="cell-muted">
                  <When iso={tk.lastActivityAt} relative />
                </td>
                <td className="cell-actions">
                  {tk.responsible?.id !== me.id ? (
                    <button
                      type="button"
                      className="button button-small"
                      onClick={() => onTake(tk)}
                      aria-label={t('desk.takeTicket', { number: tk.number })}
                    >
                      {t('desk.take')}
                    </button>
                  ) : null}
                </td>
              </tr>,
              labels,
            ),
          )}
        </tbody>
      </table>
    </div>
  );
}
