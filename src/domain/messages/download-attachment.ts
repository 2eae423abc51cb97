import type { StorageOf } from '../deps.ts';
import { DomainError } from '../errors.ts';
import { canSeeTicket } from '../tickets/ticket-access.ts';
import { isStaff, type Actor } from '../users/user.ts';
import type { StoredAttachment } from './attachment.ts';

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
