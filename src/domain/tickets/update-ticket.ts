import type { Deps, StorageOf } from '../deps.ts';
import { DomainError } from '../errors.ts';
import type { TicketChanges } from '../../ports/storage.ts';
import { isStaff, type Actor } from '../users/user.ts';
import { checkAssignment, cleanClassification, cleanTitle } from './ticket-fields.ts';
import { CLASSIFICATION_FIELDS, type ClassificationInput, type Ticket } from './ticket.ts';
import { recordTicketChanges } from './record-ticket-changes.ts';
import { defaultTeam } from './default-team.ts';
import { visibleTicket } from './ticket-access.ts';
import { isTicketStatus } from './ticket-status.ts';
import { queueChangedTicketMails } from './ticket-event-mails.ts';

export interface UpdateTicketInput extends ClassificationInput {
  title?: string;
  status?: string;
  groupId?: number | null;
  responsibleId?: number | null;
}

/** Take, assign, move between statuses, reclassify: technicians and admins on tickets they can see. */
export async function updateTicket(
  deps: Pick<Deps, 'clock' | 'tokens' | 'site' | 'signer'> & { storage: StorageOf<'transaction'> },
  actor: Actor,
  number: number,
  input: UpdateTicketInput,
): Promise<Ticket> {
  if (!isStaff(actor)) throw new DomainError('FORBIDDEN', 'Only technicians and administrators can change a ticket.');
  return deps.storage.transaction(async (tx) => {
    const ticket = await visibleTicket(tx, actor, number);
    const changes: TicketChanges = {};
    if (input.title !== undefined) changes.title = cleanTitle(input.title);
    if (input.status !== undefined) {
      if (!isTicketStatus(input.status)) {
        throw new DomainError('TICKET_INVALID', 'Status must be new, in_progress, waiting, resolved or closed.', {
          details: { field: 'status' },
        });
      }
      changes.status = input.status;
    }
    if (input.groupId !== undefined) changes.groupId = input.groupId;
    // Once a default team is named every ticket stays in a queue: a ticket's team can change, not go.
    if (changes.groupId === null && ticket.groupId !== null && (await defaultTeam(tx)) !== null)
      throw new DomainError('TICKET_TEAM_REQUIRED', 'A ticket must stay in a team: choose another team instead.', {
        details: { field: 'groupId' },
      });
    if (input.responsibleId !== undefined) changes.responsibleId = input.responsibleId;
    for (const f of CLASSIFICATION_FIELDS) if (input[f] !== undefined) changes[f] = cleanClassification(f, input[f]);
    await checkAssignment(tx, changes.groupId, changes.responsibleId);
    const at = deps.clock.now().toISOString();
    await tx.tickets.updateTicket(ticket.id, changes, at);
    await recordTicketChanges(tx, deps.tokens, actor.id, ticket, changes, at);
    const updated = (await tx.tickets.findTicketByNumber(number))!;
    await queueChangedTicketMails(deps, tx, actor, ticket, updated, at);
    return updated;
  });
}
