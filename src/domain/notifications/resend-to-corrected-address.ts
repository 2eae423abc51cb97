import type { Origin } from '../audit/audit-entry.ts';
import type { Deps, StorageOf } from '../deps.ts';
import { DomainError } from '../errors.ts';
import { visibleTicket } from '../tickets/ticket-access.ts';
import { cleanEmail, emailTaken, setUserEmail } from '../users/change-email.ts';
import { onConflict } from '../users/user-admin-helpers.ts';
import { isStaff, type Actor } from '../users/user.ts';
import type { OutboxEntry } from './outbox-entry.ts';
import { notificationMessageId } from './reply-address.ts';

export interface ResendInput {
  ticketNumber: number;
  entryId: number;
  /** The corrected address of the mail's recipient. */
  email: string;
}

/**
 * Staff who may see the ticket send a message's failed (or bounced) mail to a person again, to a corrected address:
 * in one transaction the person's address becomes the new one (audited as a change of the user; refused when it
 * belongs to someone else or the person was erased) and a new outbox entry is queued with the frozen mail of the old
 * one (same subject, bodies and reply address, which is bound to the person's id, not to their address), a new
 * Message-ID and the new address, naming the old entry; the old entry stays as it was. An entry is sent again once.
 */
export async function resendToCorrectedAddress(
  deps: Pick<Deps, 'clock' | 'tokens' | 'site'> & { storage: StorageOf<'tickets' | 'outbox' | 'transaction'> },
  origin: Origin,
  actor: Actor,
  input: ResendInput,
): Promise<OutboxEntry> {
  if (!isStaff(actor))
    throw new DomainError('FORBIDDEN', 'Only the support staff can send a mail again to a corrected address.');
  const ticket = await visibleTicket(deps.storage, actor, input.ticketNumber);
  const email = cleanEmail(input.email);
  const notFound = () =>
    new DomainError('OUTBOX_ENTRY_NOT_FOUND', `Ticket ${ticket.number} has no mail ${input.entryId}.`);
  const alreadyResent = () =>
    new DomainError('MAIL_ALREADY_RESENT', `Mail ${input.entryId} was already sent again to a corrected address.`);
  let raceLost: DomainError | undefined;
  const entry = await onConflict(
    // A race lost: the mail was sent again meanwhile (the unique index), or someone else took the address.
    () => raceLost ?? alreadyResent(),
    () =>
      deps.storage.transaction(async (tx) => {
        const old = await tx.outbox.findOutboxEntry(input.entryId);
        if (!old || old.ticketId !== ticket.id) throw notFound();
        if (old.messageId === null || old.recipientId === null)
          throw new DomainError(
            'MAIL_NOT_RESENDABLE',
            `Mail ${old.id} is not the mail of a message to a person; only those can be sent to a corrected address.`,
          );
        if (old.erasedAt)
          throw new DomainError(
            'MAIL_NOT_RESENDABLE',
            `Mail ${old.id} was emptied when the personal data of a person it concerns was erased; it cannot be sent again.`,
          );
        if (old.status !== 'failed')
          throw new DomainError(
            'MAIL_NOT_RESENDABLE',
            `Mail ${old.id} is ${old.status}: only a failed or bounced mail can be sent to a corrected address.`,
          );
        if ((await tx.outbox.resendsOf([old.id])).length > 0) throw alreadyResent();
        if (old.toAddress.toLowerCase() === email)
          throw new DomainError(
            'MAIL_ADDRESS_UNCHANGED',
            `Mail ${old.id} already went to ${email}; give the corrected address.`,
            { details: { field: 'email' } },
          );
        const person = await tx.people.findUserById(old.recipientId);
        if (!person) throw notFound();
        const holder = await tx.people.findUserByEmail(email);
        if (holder && holder.id !== person.id) throw emailTaken(email);
        // Written before the new entry: a unique violation from here on is the address, from the entry a resend.
        raceLost = emailTaken(email);
        await setUserEmail(tx, deps, origin, person, email);
        raceLost = undefined;
        const at = deps.clock.now().toISOString();
        const resent = await tx.outbox.resendOutboxEntry(
          old.id,
          {
            ticketId: old.ticketId,
            messageId: old.messageId,
            recipientId: old.recipientId,
            toAddress: email,
            toName: old.toName,
            // From the same mailbox; not to the copies of its Cc, who received it.
            mailboxId: old.mailboxId,
            subject: old.subject,
            html: old.html,
            text: old.text,
            messageIdHeader: notificationMessageId(deps.site.mailDomain, ticket.number, deps.tokens.unique()),
            threadId: old.threadId,
            replyTo: old.replyTo,
          },
          at,
        );
        if (!resent) throw alreadyResent();
        return resent;
      }),
  );
  await deps.storage.outbox.signalOutbox();
  return entry;
}
