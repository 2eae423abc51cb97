import { sql, type RawBuilder } from 'kysely';
import type { TicketOrder, TicketSort } from '../../../domain/tickets/ticket-order.ts';
import { TICKET_STATUSES } from '../../../domain/tickets/ticket-status.ts';
import type { TicketScope } from '../../../ports/storage/common.ts';

/** Ids are 32-bit on PostgreSQL. */
const MAX_ID = 2_147_483_647;

/** The time a scope sees as a ticket's activity: a requester's view leaves internal notes out. */
export function activityColumn(scope: TicketScope): RawBuilder<string> {
  return scope.kind === 'requester'
    ? sql<string>`coalesce(ticket.public_activity_at, ticket.last_activity_at)`
    : sql<string>`ticket.last_activity_at`;
}

/** What a sort orders by (a missing group or responsible as an empty name, so first ascending). */
export function sortExpression(sort: TicketSort, scope: TicketScope): RawBuilder<unknown> {
  switch (sort) {
    case 'number':
      return sql`ticket.id`;
    case 'title':
      return sql`ticket.title`;
    case 'requester':
      return sql`requester.name`;
    case 'group':
      return sql`coalesce(support_group.name, '')`;
    case 'responsible':
      return sql`coalesce(responsible.name, '')`;
    case 'status':
      // In the order of the workflow, not of the words.
      return sql`case ticket.status ${sql.join(
        TICKET_STATUSES.map((s, i) => sql`when ${sql.lit(s)} then ${sql.lit(i)}`),
        sql` `,
      )} end`;
    case 'activity':
      return activityColumn(scope);
  }
}

/** A page's cursor: the order it was taken in, and the sort value and number of its last ticket. */
export interface QueueCursor {
  value: string | number;
  id: number;
}

export function encodeQueueCursor(order: TicketOrder, value: unknown, id: number): string {
  const v = typeof value === 'number' || typeof value === 'bigint' ? Number(value) : String(value);
  return Buffer.from(JSON.stringify([order.sort, order.direction, v, id])).toString('base64url');
}

/** A cursor of another order (the sort changed since) or not ours at all: start from the first page. */
export function decodeQueueCursor(cursor: string | null | undefined, order: TicketOrder): QueueCursor | undefined {
  if (!cursor) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString());
    if (!Array.isArray(parsed) || parsed.length !== 4) return undefined;
    const [sort, direction, value, id] = parsed as unknown[];
    if (sort !== order.sort || direction !== order.direction) return undefined;
    if (!valueFitsSort(order.sort, value)) return undefined;
    if (!Number.isSafeInteger(id) || (id as number) <= 0 || (id as number) > MAX_ID) return undefined;
    return { value: value as string | number, id: id as number };
  } catch {
    return undefined;
  }
}

/** A cursor's value of the type its sort compares (a tampered one would make the database refuse the query). */
function valueFitsSort(sort: TicketSort, value: unknown): boolean {
  switch (sort) {
    case 'number':
    case 'status':
      return Number.isSafeInteger(value);
    case 'activity':
      return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/.test(value);
    default:
      return typeof value === 'string';
  }
}

/** After the cursor in the order: the pair (sort value, number) compared as a row, which an index can serve. */
export function afterCursor(order: TicketOrder, scope: TicketScope, at: QueueCursor): RawBuilder<boolean> {
  const op = sql.raw(order.direction === 'asc' ? '>' : '<');
  if (order.sort === 'number') return sql<boolean>`ticket.id ${op} ${at.id}`;
  return sql<boolean>`(${sortExpression(order.sort, scope)}, ticket.id) ${op} (${at.value}, ${at.id})`;
}

/** Whether the viewer has seen the ticket's latest activity (a row of `ticket_seen` at or after it). */
export function seenByViewer(viewerId: number, scope: TicketScope): RawBuilder<boolean> {
  return sql<boolean>`exists (select 1 from ticket_seen s where s.user_id = ${viewerId} and s.ticket_id = ticket.id and s.seen_at >= ${activityColumn(scope)})`;
}
