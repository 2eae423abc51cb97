import type { Deps, StorageOf } from '../deps.ts';
import { DomainError } from '../errors.ts';
import { postMessage, type PostMessageResult } from '../messages/post-message.ts';
import { visibleTicket } from '../tickets/ticket-access.ts';
import { loadActor } from '../users/authentication.ts';
import type { Actor } from '../users/user.ts';
import { getInboundMail } from './get-inbound-mail.ts';
import type { InboundMail } from './inbound-mail.ts';
import { isParticipant } from './match-reply.ts';
import { REVIEWABLE } from './review-access.ts';

const escapeText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * Attaches a held mail (or one taken for a loop) to a ticket the reviewer can see, in one step:
 * - when its sender is an active user who takes part in that ticket, as their message (source `email`), notified
 *   to the other party like any message;
 * - otherwise (a stranger, or a user with no part in the ticket) as the reviewer's message quoting the sender, an
 *   internal note unless `internal: false` is asked: a stranger's words reach the requester only if a person says so.
 * The mail becomes `posted` in the same transaction as the message; a mail someone else decided first is refused.
 * Only a reviewer who may see the mail (`getInboundMail`) and the ticket (`visibleTicket`) attaches it. `heldTicketId`:
 * the ticket the mail named while it was held (whose reviewers' count changes).
 */
export async function attachInboundMail(
  deps: Pick<Deps, 'clock' | 'tokens' | 'site' | 'signer'> & {
    storage: StorageOf<
      'atomic' | 'inbound' | 'messages' | 'people' | 'settings' | 'tickets' | 'transaction' | 'webhooks'
    >;
  },
  actor: Actor,
  id: number,
  input: { ticketNumber: number; internal?: boolean; asSender?: boolean },
): Promise<{ mail: InboundMail; posted: PostMessageResult; heldTicketId: number | null }> {
  const mail = await getInboundMail(deps, actor, id);
  if (!REVIEWABLE.includes(mail.status)) {
    throw new DomainError(
      'INBOUND_MAIL_NOT_PENDING',
      `Inbound mail ${id} is ${mail.status}: only held mail (or mail taken for a loop) can be attached.`,
    );
  }
  const ticket = await visibleTicket(deps.storage, actor, input.ticketNumber);
  const user = mail.fromAddress ? await deps.storage.people.findUserByEmail(mail.fromAddress) : undefined;
  const sender = user?.active ? await loadActor(deps.storage, user.id) : undefined;
  // A closed ticket takes no message from its requester's side: the reviewer attaches the mail as their own (an
  // internal note by default), as staff may write on a closed ticket; reopening it first posts it as the sender's.
  const bySender = sender !== undefined && isParticipant(sender, ticket) && ticket.status !== 'closed';
  // "Post as <sender>" (a copy's unverified reply-all): only as the sender's own message, never as the reviewer's.
  if (input.asSender && !bySender) {
    throw new DomainError(
      'INBOUND_MAIL_NOT_PENDING',
      `Inbound mail ${id} cannot be posted as its sender's: they no longer take part in ticket #${ticket.number}, or it is closed.`,
    );
  }
  const body = mail.text?.trim()
    ? mail.text
    : `(The mail has no text of its own; the original is kept as inbound mail #${id}.)`;
  const who = mail.fromName
    ? `${mail.fromName} <${mail.fromAddress ?? 'unknown address'}>`
    : (mail.fromAddress ?? 'an unknown sender');
  const text = bySender ? body : `Mail from ${who} (inbound mail #${id}):\n\n${body}`;
  // Its HTML goes with it when its text is whole (the reviewer's own message says whose mail it is first).
  const whole = mail.text !== null && text.length <= 20_000;
  const mailHtml =
    mail.html === null || !whole
      ? null
      : bySender
        ? mail.html
        : `<p>${escapeText(`Mail from ${who} (inbound mail #${id}):`)}</p>${mail.html}`;
  const author = bySender ? sender : actor;
  const posted = await postMessage(
    deps,
    author,
    {
      ticketNumber: ticket.number,
      text: text.slice(0, 20_000),
      source: 'email',
      internal: bySender ? false : (input.internal ?? true),
    },
    {
      mailHtml,
      alsoStore: async (tx, stored) => {
        const done = await tx.inbound.finishInboundMail(
          id,
          {
            status: 'posted',
            reason: 'attached-by-reviewer',
            reasonText: input.asSender
              ? `Posted to ticket #${ticket.number} as ${mail.fromAddress}’s message, ${actor.name} deciding it was theirs.`
              : `Attached to ticket #${ticket.number} by ${actor.name}${bySender ? ' as the sender’s message' : ''}.`,
            ticketId: ticket.id,
            messageId: stored.messageId,
            resolvedById: actor.id,
            at: deps.clock.now().toISOString(),
          },
          REVIEWABLE,
        );
        if (!done)
          throw new DomainError(
            'INBOUND_MAIL_NOT_PENDING',
            `Inbound mail ${id} was decided by someone else meanwhile.`,
          );
        // The attachments kept while the mail was held join the thread with the message.
        await tx.attachments.linkInboundAttachments(id, ticket.id, stored.messageId);
      },
    },
  );
  return { mail: (await deps.storage.inbound.findInboundMail(id))!, posted, heldTicketId: mail.ticketId };
}
