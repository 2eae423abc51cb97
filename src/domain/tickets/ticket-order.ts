/** The columns the queue shows, each sortable both ways; ties go in ticket number order, in the same direction. */
export const TICKET_SORTS = ['number', 'title', 'requester', 'group', 'responsible', 'status', 'activity'] as const;
export type TicketSort = (typeof TICKET_SORTS)[number];
export const SORT_DIRECTIONS = ['asc', 'desc'] as const;

export interface TicketOrder {
  sort: TicketSort;
  direction: (typeof SORT_DIRECTIONS)[number];
}

/** Newest first, as the queue always listed. */
export const DEFAULT_TICKET_ORDER: TicketOrder = { sort: 'number', direction: 'desc' };
