import type { StorageOf } from '../deps.ts';
import { DomainError } from '../errors.ts';
import { canSeeTicket, visibleTicket } from '../tickets/ticket-access.ts';
import { isStaff, type Actor } from '../users/user.ts';
import { summaryOf, type AttachmentSummary, type StoredAttachment } from './attachment.ts';

/** The attachments of a ticket itself (those of the mail that opened it), for whoever may see the ticket. */
export async function ticketAttachments(
  deps: { storage: StorageOf<'attachments' | 'tickets'> },
  actor: Actor,
  ticketNumber: number,
): Promise<AttachmentSummary[]> {
  const ticket = await visibleTicket(deps.storage, actor, ticketNumber);
  return (await deps.storage.attachments.attachmentsOfTicket(ticket.id)).map(summaryOf);
}

function notFound(id: string): DomainError {
  return new DomainError('ATTACHMENT_NOT_FOUND', `Attachment ${id} does not exist or is not yours to see.`);
}

/**
 * An attachment and its bytes, checked exactly like the thread: the caller must see its ticket (else it does not
 * exist), and a requester never gets an internal note's attachment. One kept for review (no ticket yet) is nobody's.
 */
export async function downloadAttachment(
  deps: { storage: StorageOf<'attachments' | 'tickets'> },
  actor: Actor,
  id: string,
): Promise<{ attachment: StoredAttachment; content: Uint8Array }> {
  const attachment = await deps.storage.attachments.findAttachment(id);
  if (!attachment || attachment.ticketId === null) throw notFound(id);
  const ticket = await deps.storage.tickets.findTicketByNumber(attachment.ticketId);
  if (!ticket || !canSeeTicket(actor, ticket)) throw notFound(id);
  if (attachment.internal === true && !isStaff(actor)) throw notFound(id);
  const content = await deps.storage.attachments.attachmentContent(id);
  if (!content) throw notFound(id);
  return { attachment, content };
}
