import type { StorageOf } from '../deps.ts';
import type { ListedTicket, Page, TicketFilter } from '../../ports/storage.ts';
import type { Actor } from '../users/user.ts';
import { ticketScope } from './ticket-access.ts';
import { DEFAULT_TICKET_ORDER, type TicketOrder } from './ticket-order.ts';
import { parseTicketSearch } from './ticket-search.ts';

export type TicketListFilter = Omit<TicketFilter, 'search'> & { mine?: boolean; search?: string };

/**
 * The queue: the tickets the actor may see (`ticketScope`), filtered, searched, sorted by any column shown and paged
 * by keyset, each marked unseen when it has activity the actor has not read.
 */
export async function listTickets(
  deps: { storage: StorageOf<'tickets'> },
  actor: Actor,
  filter: TicketListFilter,
  page: { cursor?: string | null; limit?: number; order?: Partial<TicketOrder> },
): Promise<Page<ListedTicket>> {
  const { mine, search, ...rest } = filter;
  const f: TicketFilter = mine && actor.role !== 'requester' ? { ...rest, responsibleId: actor.id } : rest;
  const parsed = parseTicketSearch(search);
  if (parsed) f.search = parsed;
  return deps.storage.tickets.listTickets(ticketScope(actor), f, {
    cursor: page.cursor ?? null,
    limit: Math.min(Math.max(page.limit ?? 25, 1), 100),
    order: { ...DEFAULT_TICKET_ORDER, ...page.order },
    viewerId: actor.id,
  });
}
