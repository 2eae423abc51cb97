import { sql, type Expression, type RawBuilder } from 'kysely';
import type { TicketOrder } from '../../../domain/tickets/ticket-order.ts';
import type { TicketScope } from '../../../ports/storage/common.ts';
import type { TicketSearch } from '../../../ports/storage/tickets.ts';
import type { SearchTuning, SqlContext } from './sql-dialect.ts';

/**
 * From this many messages holding the words, a search walks the tickets in order. Gathering every match costs about
 * a microsecond (SQLite) to ten (PostgreSQL) per matching message; the walk about as much per message of each
 * ticket it passes, and passes fewer the commoner the words. At 100,000 tickets of 10 messages, the two cost alike
 * at about 5,000 matching messages (BENCHMARKS.md, the desk's queue).
 */
export const DEFAULT_SEARCH_TUNING: SearchTuning = { walkFromMessages: 5000 };

/**
 * How a search finds its page. `gather`: every ticket matching any part is gathered by its index (one
 * `in (… union …)`), then the page is taken from them in order; its cost grows with the matches. `walk`: the tickets
 * are walked in the page's order and each is checked (its number, requester, title, then its messages), stopping
 * after a page; its cost shrinks as the matches grow. Both find the same tickets in the same order.
 */
export type SearchPlan = 'gather' | 'walk';

/**
 * The walk, for words many messages hold and an order an index gives (number, or the activity time staff sort by,
 * which says nothing of the words): other orders would check every ticket of the scope before sorting them.
 */
export async function chooseSearchPlan(
  ctx: SqlContext,
  search: TicketSearch,
  order: TicketOrder,
  scope: TicketScope,
): Promise<SearchPlan> {
  const walkable = order.sort === 'number' || (order.sort === 'activity' && scope.kind !== 'requester');
  if (!walkable || search.words.length === 0) return 'gather';
  const { walkFromMessages } = ctx.searchTuning ?? DEFAULT_SEARCH_TUNING;
  return (await ctx.dialect.manyMessagesHoldWords(ctx.db, search.words, walkFromMessages)) ? 'walk' : 'gather';
}

/** Characters LIKE treats specially, escaped with a backslash. */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** The requesters whose name or address holds the text (lowered). */
function requestersHolding(text: string): RawBuilder<number> {
  const pattern = likePattern(text);
  return sql<number>`select id from app_user where lower(name) like ${pattern} escape '\\' or lower(email) like ${pattern} escape '\\'`;
}

/**
 * The search's condition on `ticket`: its number, or its requester's name or address holding the text, or its title
 * or one message's text holding every word (the dialect's full-text search; internal notes only for staff), as the
 * plan finds them.
 */
export function searchCondition(
  ctx: SqlContext,
  search: TicketSearch,
  staff: boolean,
  plan: SearchPlan,
): Expression<boolean> {
  const { db, dialect } = ctx;
  if (plan === 'walk') {
    const parts: RawBuilder<boolean>[] = [sql`ticket.requester_id in (${requestersHolding(search.requester)})`];
    if (search.number !== null) parts.push(sql`ticket.id = ${search.number}`);
    parts.push(dialect.titleHoldsWords(search.words), dialect.messageHoldsWords(search.words, staff));
    return sql<boolean>`(${sql.join(parts, sql` or `)})`;
  }
  const parts: RawBuilder<unknown>[] = [
    sql`select id from ticket where requester_id in (${requestersHolding(search.requester)})`,
  ];
  if (search.number !== null) parts.push(sql`select cast(${search.number} as integer)`);
  if (search.words.length > 0) parts.push(dialect.ticketsMatchingWords(db, search.words, staff));
  return sql<boolean>`ticket.id in (${sql.join(parts, sql` union `)})`;
}
