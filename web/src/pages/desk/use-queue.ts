import { useState } from 'react';
import { get, patch, query } from '../../api.ts';
import { useTicketEvents } from '../../events.ts';
import { useResource } from '../../hooks.ts';
import { useRouter } from '../../router.tsx';
import { TICKET_STATUSES, type ListedTicket, type Me, type Page, type Ticket, type TicketStatus } from '../../types.ts';

export type View = 'all' | 'mine' | 'unassigned';
export const SORTS = ['number', 'title', 'requester', 'group', 'responsible', 'status', 'activity'] as const;
export type Sort = (typeof SORTS)[number];
/** The words of each column, its header's. */
export const SORT_LABELS = {
  number: 'ticket.number',
  title: 'ticket.title',
  requester: 'ticket.requester',
  group: 'ticket.group',
  responsible: 'ticket.responsible',
  status: 'ticket.status',
  activity: 'ticket.lastActivity',
} as const satisfies Record<Sort, string>;
export type Direction = 'asc' | 'desc';

/** What the queue shows, read from the URL (so a view can be bookmarked and survives a reload or going back). */
export interface QueueView {
  search: string;
  view: View;
  status: TicketStatus | '';
  groupId: number | '';
  /** A technician responsible, when the view is "all". */
  responsibleId: number | '';
  unread: boolean;
  sort: Sort;
  direction: Direction;
}

function readView(search: URLSearchParams): QueueView {
  const pick = <T extends string>(value: string | null, allowed: readonly T[], fallback: T): T =>
    (allowed as readonly string[]).includes(value ?? '') ? (value as T) : fallback;
  return {
    search: search.get('q') ?? '',
    view: pick(search.get('view'), ['all', 'mine', 'unassigned'] as const, 'all'),
    status: pick(search.get('status'), TICKET_STATUSES, '' as TicketStatus),
    groupId: Number(search.get('group')) || '',
    responsibleId: Number(search.get('responsible')) || '',
    unread: search.get('unread') === '1',
    sort: pick(search.get('sort'), SORTS, 'number'),
    direction: pick(search.get('dir'), ['asc', 'desc'] as const, 'desc'),
  };
}

/** The URL parameter of each part of the view, and the value that is left out (the default). */
const PARAMS: Record<keyof QueueView, [string, string]> = {
  search: ['q', ''],
  view: ['view', 'all'],
  status: ['status', ''],
  groupId: ['group', ''],
  responsibleId: ['responsible', ''],
  unread: ['unread', '0'],
  sort: ['sort', 'number'],
  direction: ['dir', 'desc'],
};

/**
 * The desk's queue: the view in the URL, the current page (a stack of the cursors that led to it, for "previous"),
 * reloaded on live ticket events, and taking a ticket.
 */
export function useQueue(me: Me) {
  const { search, navigate, path } = useRouter();
  const view = readView(search);
  const filters = {
    search: view.search.trim() || undefined,
    mine: view.view === 'mine',
    unassigned: view.view === 'unassigned',
    status: view.status,
    groupId: view.groupId,
    responsibleId: view.view === 'all' ? view.responsibleId : '',
    unseen: view.unread,
    sort: view.sort === 'number' ? undefined : view.sort,
    direction: view.direction === 'desc' ? undefined : view.direction,
  };
  const apiQuery = query(filters);
  // The cursors that led to the page shown, for the view they were taken in (a new view starts at its first page).
  const [paging, setPaging] = useState<{ of: string; cursors: string[] }>({ of: apiQuery, cursors: [] });
  const cursors = paging.of === apiQuery ? paging.cursors : [];
  const cursor = cursors[cursors.length - 1];
  const setCursors = (next: string[]) => setPaging({ of: apiQuery, cursors: next });
  const list = useResource(
    () => get<Page<ListedTicket>>(`/tickets${query({ ...filters, cursor })}`),
    [apiQuery, cursor],
  );
  const [actionError, setActionError] = useState<unknown>(null);
  useTicketEvents(() => void list.reload());

  function change(changes: Partial<QueueView>) {
    const q = new URLSearchParams(search);
    for (const [key, value] of Object.entries(changes) as [keyof QueueView, unknown][]) {
      const [name, fallback] = PARAMS[key];
      const text = typeof value === 'boolean' ? (value ? '1' : '0') : String(value);
      if (text === fallback) q.delete(name);
      else q.set(name, text);
    }
    const s = q.toString();
    navigate(`${path}${s ? `?${s}` : ''}`);
  }

  /** A column's header: sorted by it already, the other way; else by it, ascending (activity: newest first). */
  function sortBy(sort: Sort) {
    const direction: Direction =
      view.sort === sort ? (view.direction === 'asc' ? 'desc' : 'asc') : sort === 'activity' ? 'desc' : 'asc';
    change({ sort, direction });
  }

  async function take(ticket: Ticket) {
    setActionError(null);
    try {
      await patch<Ticket>(`/tickets/${ticket.number}`, {
        responsibleId: me.id,
        ...(ticket.status === 'new' ? { status: 'in_progress' } : {}),
      });
      await list.reload();
    } catch (e) {
      setActionError(e);
    }
  }

  return {
    view,
    list,
    error: list.error ?? actionError,
    change,
    sortBy,
    take,
    page: cursors.length + 1,
    next: list.data?.nextCursor ? () => setCursors([...cursors, list.data!.nextCursor!]) : null,
    previous: cursors.length > 0 ? () => setCursors(cursors.slice(0, -1)) : null,
  };
}
