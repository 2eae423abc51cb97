import { DomainError } from '../errors.ts';
import type { TicketScope, Uses } from '../../ports/storage.ts';
import type { Actor } from '../users/user.ts';
import type { Ticket } from './ticket.ts';

/**
 * Everyone sees the tickets they requested; requesters also those they are copied on; technicians their groups',
 * those they are responsible for and those they registered (opened for someone); admins all. Being copied gives a technician no access (seeing a ticket is working on
 * it, internal notes included): they are told of its public messages by mail, like any copied person.
 */
export function canSeeTicket(actor: Actor, ticket: Ticket): boolean {
  if (!actor.active) return false;
  if (actor.role === 'admin') return true;
  if (ticket.requesterId === actor.id) return true;
  if (actor.role === 'requester') return ticket.copyIds.includes(actor.id);
  return (
    ticket.responsibleId === actor.id ||
    ticket.registeredById === actor.id ||
    (ticket.groupId !== null && actor.groupIds.includes(ticket.groupId))
  );
}

export function ticketScope(actor: Actor): TicketScope {
  if (actor.role === 'admin') return { kind: 'all' };
  if (actor.role === 'requester') return { kind: 'requester', requesterId: actor.id };
  return { kind: 'technician', userId: actor.id, groupIds: actor.groupIds };
}

/** A ticket the actor may not see answers exactly as one that does not exist. */
export async function visibleTicket(
  repos: Uses<{ tickets: 'findTicketByNumber' }>,
  actor: Actor,
  number: number,
): Promise<Ticket> {
  const ticket = await repos.tickets.findTicketByNumber(number);
  if (!ticket || !canSeeTicket(actor, ticket)) {
    throw new DomainError('TICKET_NOT_FOUND', `Ticket ${number} does not exist or is not yours to see.`);
  }
  return ticket;
}
