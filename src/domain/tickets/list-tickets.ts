import type { StorageOf } from '../deps.ts';
import type { Page, TicketFilter } from '../../ports/storage.ts';
import type { Actor } from '../users/user.ts';
import type { Ticket } from './ticket.ts';
import { ticketScope } from './ticket-access.ts';

export async function listTickets(
  deps: { storage: StorageOf<'tickets'> },
  actor: Actor,
  filter: TicketFilter & { mine?: boolean },
  page: { cursor?: string | null; limit?: number },
): Promise<Page<Ticket>> {
  const { mine, ...rest } = filter;
  const f: TicketFilter = mine && actor.role !== 'requester' ? { ...rest, responsibleId: actor.id } : rest;
  return deps.storage.tickets.listTickets(ticketScope(actor), f, {
    cursor: page.cursor ?? null,
    limit: Math.min(Math.max(page.limit ?? 25, 1), 100),
  });
}
