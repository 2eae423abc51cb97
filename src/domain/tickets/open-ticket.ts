import { AuthorGone } from '../../ports/storage.ts';
import type { Deps, StorageOf } from '../deps.ts';
import { checkUploads, type UploadedFile } from '../messages/attachment.ts';
import { DomainError } from '../errors.ts';
import { isStaff, type Actor } from '../users/user.ts';
import { CLASSIFICATION_FIELDS, type ClassificationField, type ClassificationInput, type Ticket } from './ticket.ts';
import { defaultTeam } from './default-team.ts';
import { checkAssignment, cleanClassification, cleanTitle } from './ticket-fields.ts';
import { queueOpenedTicketMails } from './ticket-event-mails.ts';
import { queueTicketCreatedWebhooks } from '../webhooks/ticket-created-webhooks.ts';

export interface OpenTicketInput extends ClassificationInput {
  title: string;
  description: string;
  requesterId?: number | null;
  contactName?: string | null;
  groupId?: number | null;
  responsibleId?: number | null;
}

/**
 * Requesters open tickets for themselves; technicians and admins for anyone. The ticket's event mails
 * (acknowledgement, assigned to you or new in your team) are queued in the same transaction.
 */
export async function openTicket(
  deps: Pick<Deps, 'clock' | 'tokens' | 'site' | 'signer'> & { storage: StorageOf<'transaction'> },
  actor: Actor,
  input: OpenTicketInput,
  attachments?: readonly UploadedFile[],
): Promise<Ticket> {
  const title = cleanTitle(input.title);
  const files = checkUploads(attachments);
  const description = input.description.trim();
  if (description.length === 0 || description.length > 20_000) {
    throw new DomainError('TICKET_INVALID', 'A description must be 1 to 20,000 characters.', {
      details: { field: 'description' },
    });
  }
  const staff = isStaff(actor);
  const requesterId = staff ? (input.requesterId ?? actor.id) : actor.id;
  if (!staff && input.requesterId != null && input.requesterId !== actor.id) {
    throw new DomainError('FORBIDDEN', 'A requester can open tickets only for themselves.');
  }
  const classification = Object.fromEntries(
    CLASSIFICATION_FIELDS.map((f) => [f, cleanClassification(f, input[f])]),
  ) as Record<ClassificationField, string | null>;
  return deps.storage.transaction(async (tx) => {
    // Held until the ticket commits: a requester erased or deactivated meanwhile (the erasure committing while this
    // waits for their row) gets no ticket with their words in it.
    try {
      await tx.people.holdActiveUser(requesterId);
    } catch (error) {
      if (!(error instanceof AuthorGone)) throw error;
      throw new DomainError('TICKET_INVALID', `There is no active user ${requesterId} to be the requester.`, {
        details: { field: 'requesterId' },
      });
    }
    // No team given (the portal, the API, a technician who names none): the default team, parameter 9018.
    const groupId = input.groupId ?? (await defaultTeam(tx));
    const responsibleId = staff ? (input.responsibleId ?? null) : null;
    await checkAssignment(tx, groupId, responsibleId);
    const contactName = input.contactName?.trim()
      ? input.contactName
          .trim()
          .slice(0, 120)
          .replace(/[\u0000-\u001f\u007f]+/g, ' ')
      : null;
    const at = deps.clock.now().toISOString();
    const ticket = await tx.tickets.createTicket(
      {
        title,
        description,
        requesterId,
        contactName,
        registeredById: actor.id,
        groupId,
        responsibleId,
        ...classification,
      },
      at,
    );
    // Files given with the description belong to the ticket itself (no thread message), as those of a mail that
    // opened a ticket do.
    if (files.length > 0) {
      await tx.attachments.insertAttachments(
        files.map((f) => ({
          ...f,
          id: deps.tokens.random(16),
          ticketId: ticket.id,
          messageId: null,
          inboundMailId: null,
          inline: false,
        })),
        at,
      );
    }
    await queueOpenedTicketMails(deps, tx, actor, ticket, at);
    await queueTicketCreatedWebhooks(deps, tx, ticket, at);
    return ticket;
  });
}
