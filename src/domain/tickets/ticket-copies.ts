import type { StorageOf } from '../deps.ts';
import type { Actor } from '../users/user.ts';
import { presentCopies, type CopySummary } from './copy-summary.ts';
import { visibleTicket } from './ticket-access.ts';

/** The people a ticket copies, for whoever may see the ticket. */
export async function ticketCopies(
  deps: { storage: StorageOf<'tickets'> },
  actor: Actor,
  ticketNumber: number,
): Promise<CopySummary[]> {
  const ticket = await visibleTicket(deps.storage, actor, ticketNumber);
  return presentCopies(actor, ticket.copyIds.length > 0 ? await deps.storage.tickets.ticketCopies(ticket.id) : []);
}
