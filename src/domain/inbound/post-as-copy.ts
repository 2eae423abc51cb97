import { DomainError } from '../errors.ts';
import type { PostMessageResult } from '../messages/post-message.ts';
import { attachInboundMail } from './attach-inbound-mail.ts';
import { getInboundMail } from './get-inbound-mail.ts';
import type { InboundMail } from './inbound-mail.ts';

/**
 * "Post as <copy>": a reply-all held because its sender, a copy of the ticket, was not verified (`copy-unverified`)
 * is posted to the ticket it named as that person's message, by a reviewer who may review it and see the ticket,
 * exactly as attaching it would (notified like any message, the mail `posted` with the reviewer as who decided).
 */
export async function postAsCopy(
  deps: Parameters<typeof attachInboundMail>[0],
  actor: Parameters<typeof attachInboundMail>[1],
  id: number,
): Promise<{ mail: InboundMail; posted: PostMessageResult; heldTicketId: number | null }> {
  const mail = await getInboundMail(deps, actor, id);
  if (mail.status !== 'held' || mail.reason !== 'copy-unverified' || mail.ticketId === null) {
    throw new DomainError(
      'INBOUND_MAIL_NOT_PENDING',
      `Inbound mail ${id} is not a held reply-all of a ticket's copy: it can only be attached or discarded.`,
    );
  }
  // A ticket's id is its number (as the review API presents `ticketNumber`).
  return attachInboundMail(deps, actor, id, { ticketNumber: mail.ticketId, asSender: true });
}
