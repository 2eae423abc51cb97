import type { Clock } from '../../ports/clock.ts';
import type { PresenceSignal } from '../../ports/storage.ts';
import type { StorageOf } from '../deps.ts';
import { DomainError } from '../errors.ts';
import { visibleTicket } from '../tickets/ticket-access.ts';
import { isStaff, type Actor } from '../users/user.ts';
import { PRESENCE_TTL_MS } from './presence-map.ts';

export type PresenceState = PresenceSignal['state'];

/**
 * A staff member's ticket page says it is open (`viewing`), that its composer is being written in (`typing`), or that
 * it closed (`left`). Checked as reading the ticket is; requesters are answered as for a ticket they cannot see
 * (staff presence is not theirs to report or to learn). Nothing is stored: every instance hears the report and keeps
 * it in memory until it lapses (`PRESENCE_TTL_MS` without a refresh).
 */
export async function reportPresence(
  deps: { storage: StorageOf<'tickets' | 'signalPresence'>; clock: Clock },
  actor: Actor,
  input: { ticketNumber: number; state: PresenceState; tab: string },
): Promise<void> {
  if (!isStaff(actor)) {
    throw new DomainError('TICKET_NOT_FOUND', `Ticket ${input.ticketNumber} does not exist or is not yours to see.`);
  }
  const ticket = await visibleTicket(deps.storage, actor, input.ticketNumber);
  await deps.storage.signalPresence({
    ticketNumber: ticket.number,
    userId: actor.id,
    name: actor.name,
    tab: input.tab,
    state: input.state,
    expiresAt: new Date(deps.clock.now().getTime() + PRESENCE_TTL_MS).toISOString(),
  });
}
