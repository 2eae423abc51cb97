import { useEffect, useState, type FormEvent } from 'react';
import { useI18n } from '../../i18n/i18n.tsx';
import { useStaff } from '../../directory.ts';
import { useSession } from '../../session.tsx';
import { TICKET_STATUSES, type Named, type TicketStatus } from '../../types.ts';
import { SORT_LABELS, SORTS, type Direction, type QueueView, type Sort } from './use-queue.ts';

/** The queue's search box and filters (and, on a phone, where the column headers are not shown, the sort); each change goes to the URL. */
export function QueueFilters({
  view,
  groups,
  onChange,
}: {
  view: QueueView;
  groups: Named[];
  onChange(changes: Partial<QueueView>): void;
}) {
  const { t } = useI18n();
  const { me } = useSession();
  const staff = useStaff(true).data ?? [];
  const [text, setText] = useState(view.search);
  useEffect(() => setText(view.search), [view.search]);

  function submit(event: FormEvent) {
    event.preventDefault();
    onChange({ search: text.trim() });
  }

  return (
    <div className="queue-filters">
      <form className="queue-search" role="search" aria-label={t('desk.search')} onSubmit={submit}>
        <label htmlFor="queue-search" className="sr-only">
          {t('desk.search')}
        </label>
        <input
          id="queue-search"
          type="search"
          value={text}
          maxLength={200}
          placeholder={t('desk.searchHint')}
          onChange={(e) => setText(e.target.value)}
        />
        <button type="submit" className="button">
          {t('desk.searchSubmit')}
        </button>
      </form>
      <form className="toolbar" aria-label={t('desk.filters')} onSubmit={(e) => e.preventDefault()}>
        <div className="segmented" role="group" aria-label={t('desk.view')}>
          {(['all', 'mine', 'unassigned'] as const).map((v) => (
            <button
              key={v}
              type="button"
              className={view.view === v ? 'segment segment-on' : 'segment'}
              aria-pressed={view.view === v}
              onClick={() => onChange({ view: v, responsibleId: '' })}
            >
              {t(`desk.view.${v}`)}
            </button>
          ))}
        </div>
        <div className="field field-inline">
          <label htmlFor="filter-group">{me.role === 'admin' ? t('desk.group') : t('desk.myGroups')}</label>
          <select
            id="filter-group"
            value={String(view.groupId)}
            onChange={(e) => onChange({ groupId: Number(e.target.value) || '' })}
          >
            <option value="">{t('desk.anyGroup')}</option>
            {groups.map((g) => (
              <option key={g.id} value={g.id}>
                {g.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field field-inline">
          <label htmlFor="filter-responsible">{t('ticket.responsible')}</label>
          <select
            id="filter-responsible"
            value={String(view.view === 'all' ? view.responsibleId : '')}
            onChange={(e) => onChange({ view: 'all', responsibleId: Number(e.target.value) || '' })}
          >
            <option value="">{t('desk.anyResponsible')}</option>
            {staff.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field field-inline">
          <label htmlFor="filter-status">{t('ticket.status')}</label>
          <select
            id="filter-status"
            value={view.status}
            onChange={(e) => onChange({ status: e.target.value as TicketStatus | '' })}
          >
            <option value="">{t('desk.anyStatus')}</option>
            {TICKET_STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`status.${s}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field field-inline queue-sort">
          <label htmlFor="queue-sort">{t('desk.sortBy')}</label>
          <select
            id="queue-sort"
            value={`${view.sort} ${view.direction}`}
            onChange={(e) => {
              const [sort, direction] = e.target.value.split(' ') as [Sort, Direction];
              onChange({ sort, direction });
            }}
          >
            {SORTS.flatMap((sort) =>
              (['asc', 'desc'] as const).map((direction) => (
                <option key={`${sort} ${direction}`} value={`${sort} ${direction}`}>
                  {t(direction === 'asc' ? 'desk.ascending' : 'desk.descending', { column: t(SORT_LABELS[sort]) })}
                </option>
              )),
            )}
          </select>
        </div>
        <label className="check-inline">
          <input type="checkbox" checked={view.unread} onChange={(e) => onChange({ unread: e.target.checked })} />
          {t('desk.unreadOnly')}
        </label>
      </form>
    </div>
  );
}
