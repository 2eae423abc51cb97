import type { StorageOf } from '../deps.ts';
import { visibleTicket } from '../tickets/ticket-access.ts';
import type { Actor } from '../users/user.ts';
import { summaryOf, type AttachmentSummary } from './attachment.ts';

/** The attachments of a ticket itself (those of the mail that opened it), for whoever may see the ticket. */
export async function ticketAttachments(
  deps: { storage: StorageOf<'attachments' | 'tickets'> },
  actor: Actor,
  ticketNumber: number,
): Promise<AttachmentSummary[]> {
  const ticket = await visibleTicket(deps.storage, actor, ticketNumber);
  return (await deps.storage.attachments.attachmentsOfTicket(ticket.id)).map(summaryOf);
}
