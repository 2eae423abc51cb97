import type { StorageOf } from '../deps.ts';
import { DomainError } from '../errors.ts';
import type { Actor } from '../users/user.ts';
import type { InboundMail } from './inbound-mail.ts';
import { mayReviewInboundMail, requireStaff } from './review-access.ts';
import { supportMailboxTeam } from './support-mailbox-team.ts';

/** One mail; one the caller may not see answers as one that does not exist. */
export async function getInboundMail(
  deps: { storage: StorageOf<'inbound' | 'settings' | 'tickets'> },
  actor: Actor,
  id: number,
): Promise<InboundMail> {
  requireStaff(actor);
  const mail = await deps.storage.inbound.findInboundMail(id);
  if (mail && actor.role === 'admin') return mail;
  if (mail && mail.ticketId === null && mayReviewInboundMail(actor, null, await supportMailboxTeam(deps))) return mail;
  if (mail && mail.ticketId !== null) {
    const ticket = await deps.storage.tickets.findTicketByNumber(mail.ticketId);
    if (ticket && mayReviewInboundMail(actor, ticket, null)) return mail;
  }
  throw new DomainError('INBOUND_MAIL_NOT_FOUND', `Inbound mail ${id} does not exist or is not yours to see.`);
}
