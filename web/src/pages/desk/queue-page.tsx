import { useEffect, useMemo, useState } from 'react';
import { get, patch, query } from '../../api.ts';
import { ErrorNotice, Page, StatusBadge, TableCard, When } from '../../components/ui.tsx';
import { useGroupList } from '../../directory.ts';
import { useTicketEvents } from '../../events.ts';
import { useResource } from '../../hooks.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { Link, useRouter } from '../../router.tsx';
import { useSession } from '../../session.tsx';
import {
  TICKET_STATUSES,
  type Me,
  type Named,
  type Page as ApiPage,
  type Ticket,
  type TicketStatus,
} from '../../types.ts';

type View = 'all' | 'mine' | 'unassigned';
/**
 * Groups by name (`GET /groups`): every group to assign a ticket to; to filter the queue, all of them for an admin and
 * a technician's own (the queue shows a technician only their groups' tickets). Until the list arrives (or if it
 * cannot), groups are named from the tickets on screen; a group known by number only is left out, never shown as "#id".
 */
export function useGroups(me: Me, seen: Ticket[]): { all: Named[]; filter: Named[] } {
  const list = useGroupList();
  const fromTickets = useMemo(() => {
    const m = new Map<number, string>();
    for (const tk of seen) if (tk.group) m.set(tk.group.id, tk.group.name);
    return m;
  }, [seen]);
  const all: Named[] =
    list.data ?? [...fromTickets].map(([id, name]) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name));
  if (me.role === 'admin') return { all, filter: all };
  const mine = new Set(me.groupIds ?? []);
  return { all, filter: all.filter((g) => mine.has(g.id)) };
}
export function DeskQueue() {
  const { t } = useI18n();
  const { me } = useSession();
  const { search, navigate } = useRouter();
  const view = (['mine', 'unassigned'].includes(search.get('view') ?? '') ? search.get('view') : 'all') as View;
  const status = (TICKET_STATUSES as readonly string[]).includes(search.get('status') ?? '')
    ? (search.get('status') as TicketStatus)
    : '';
  const groupId = Number(search.get('group')) || '';
  const filterQuery = query({ mine: view === 'mine', unassigned: view === 'unassigned', status, groupId });
  const list = useResource(() => get<ApiPage<Ticket>>(`/tickets${filterQuery}`), [filterQuery]);
  const [extra, setExtra] = useState<{ items: Ticket[]; cursor: string | null } | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  useEffect(() => setExtra(null), [filterQuery]);
  useTicketEvents(() => {
    setExtra(null);
    void list.reload();
  });
  const items = useMemo(() => [...(list.data?.items ?? []), ...(extra?.items ?? [])], [list.data, extra]);
  const next = extra ? extra.cursor : list.data?.nextCursor;
  const groups = useGroups(me, items).filter;

  function setFilter(name: string, value: string) {
    const q = new URLSearchParams(search);
    if (value && value !== 'all') q.set(name, value);
    else q.delete(name);
    const s = q.toString();
    navigate(`/desk${s ? `?${s}` : ''}`, { replace: true });
  }

  async function more() {
    if (!next) return;
    try {
      const cursor = `cursor=${encodeURIComponent(next)}`;
      const page = await get<ApiPage<Ticket>>(filterQuery ? `/tickets${filterQuery}&${cursor}` : `/tickets?${cursor}`);
      setExtra((e) => ({ items: [...(e?.items ?? []), ...page.items], cursor: page.nextCursor }));
    } catch (e) {
      setActionError(e);
    }
  }

  async function take(ticket: Ticket) {
    setActionError(null);
    try {
      await patch<Ticket>(`/tickets/${ticket.number}`, {
        responsibleId: me.id,
        ...(ticket.status === 'new' ? { status: 'in_progress' } : {}),
      });
      setExtra(null);
      await list.reload();
    } catch (e) {
      setActionError(e);
    }
  }

  return (
    <Page title={t('desk.title')} subtitle={t('desk.subtitle')} wide>
      <form className="toolbar" role="search" aria-label={t('desk.filters')} onSubmit={(e) => e.preventDefault()}>
        <div className="segmented" role="group" aria-label={t('desk.view')}>
          {(['all', 'mine', 'unassigned'] as const).map((v) => (
            <button
              key={v}
              type="button"
              className={view === v ? 'segment segment-on' : 'segment'}
              aria-pressed={view === v}
              onClick={() => setFilter('view', v)}
            >
              {t(`desk.view.${v}`)}
            </button>
          ))}
        </div>
        <div className="field field-inline">
          <label htmlFor="filter-group">{me.role === 'admin' ? t('desk.group') : t('desk.myGroups')}</label>
          <select id="filter-group" value={String(groupId)} onChange={(e) => setFilter('group', e.target.value)}>
            <option value="">{t('desk.anyGroup')}</option>
            {groups.map((g) => (
              <option key={g.id} value={g.id}>
                {g.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field field-inline">
          <label htmlFor="filter-status">{t('ticket.status')}</label>
          <select id="filter-status" value={status} onChange={(e) => setFilter('status', e.target.value)}>
            <option value="">{t('desk.anyStatus')}</option>
            {TICKET_STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`status.${s}`)}
              </option>
            ))}
          </select>
        </div>
      </form>
      <ErrorNotice error={list.error ?? actionError} />
      <TableCard
        rows={list.data ? items : undefined}
        loading={list.loading}
        empty={t('desk.empty')}
        caption={t('desk.title')}
        headers={[
          t('ticket.number'),
          t('ticket.title'),
          t('ticket.requester'),
          t('ticket.group'),
          t('ticket.responsible'),
          t('ticket.status'),
          t('ticket.lastActivity'),
        ]}
        actions
      >
        {(tk) => (
          <tr key={tk.number}>
            <td className="cell-number">#{tk.number}</td>
            <td className="cell-title">
              <Link to={`/desk/tickets/${tk.number}`}>{tk.title}</Link>
            </td>
            <td>{tk.requester.name}</td>
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
            <td>
              <StatusBadge status={tk.status} />
            </td>
            <td className="cell-muted">
              <When iso={tk.lastActivityAt} relative />
            </td>
            <td className="cell-actions">
              {tk.responsible?.id !== me.id ? (
                <button
                  type="button"
                  className="button button-small"
                  onClick={() => void take(tk)}
                  aria-label={t('desk.takeTicket', { number: tk.number })}
                >
                  {t('desk.take')}
                </button>
              ) : null}
            </td>
          </tr>
        )}
      </TableCard>
      {next ? (
        <div className="more">
          <button type="button" className="button" onClick={() => void more()}>
            {t('common.loadMore')}
          </button>
        </div>
      ) : null}
    </Page>
  );
}
