import type { Origin } from '../audit/audit-entry.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { Deps, StorageOf } from '../deps.ts';
import { DomainError } from '../errors.ts';
import { DELIVERY_SENTENCES } from '../notifications/delivery-results.ts';
import { endCredentials } from './credentials.ts';
import { normalizeEmail } from './user.ts';

/** The title a ticket of an erased requester gets (its description is emptied): the words were theirs. */
export const ERASED_TICKET_TITLE = "Removed at the requester's request";

/** A name and an address that say nothing of the person: the address is on `.invalid` (RFC 2606), never delivered. */
export function pseudonymOf(userId: number, tag: string): { name: string; email: string } {
  return { name: `Erased requester ${tag}`, email: `erased-${userId}@erased.invalid` };
}

/** What an erasure removed, for the answer and the audit log. */
export interface ErasureSummary {
  userId: number;
  erasedAt: string;
  /** The name the person's row now carries. */
  pseudonym: string;
  /** Messages whose text and files were removed (each stays in its thread, marked removed). */
  messages: number;
  attachments: number;
  /** Inbound mails whose original, text and sender were removed. */
  inboundMails: number;
  /** Notifications whose address, subject and bodies were removed; `outboxCancelled` of them were not sent yet. */
  outboxEntries: number;
  outboxCancelled: number;
  /** Tickets they asked for, whose title and description were replaced. */
  tickets: number;
  sessionsEnded: number;
  tokensRevoked: number;
}

/**
 * An administrator erases a requester's personal data (GDPR art. 17, LGPD art. 18), irreversibly, in one
 * transaction: their name and address become a pseudonym, their password, sessions, API tokens and groups go; the
 * text and files of every message they wrote, or a reviewer made of their mail, are removed (each message stays in
 * its thread, marked removed); the originals, text, subject and sender of the mail they sent are removed (mail still
 * to decide is discarded; mail not read yet is found by the sender headers of its original); the notifications to
 * them and about them (of their messages, of their tickets, and any that may quote them) lose subject, bodies and
 * their address, and those not sent yet are cancelled; the mail of others that copied them keeps going without them
 * in its Cc, and the servers' replies and reports about it no longer name them; the webhook deliveries about them or
 * naming them go; the tickets they asked for get a neutral title and no description, and they leave the tickets that
 * copy them. Their earlier addresses (those the audit log recorded) are searched like the current one. What stays:
 * ticket numbers, statuses, times, staff messages (and files), and that each of their messages existed.
 *
 * `confirmEmail` must be the person's current address, typed again. Staff are deactivated instead
 * (`USER_NOT_ERASABLE`); a second erasure answers `USER_ALREADY_ERASED`.
 */
export async function eraseRequester(
  deps: Pick<Deps, 'clock' | 'tokens'> & { storage: StorageOf<'transaction' | 'signalInbound'> },
  origin: Origin,
  userId: number,
  input: { confirmEmail: string },
): Promise<ErasureSummary> {
  const at = deps.clock.now().toISOString();
  const pseudonym = pseudonymOf(userId, deps.tokens.unique().slice(0, 8));
  const summary = await deps.storage.transaction(async (tx): Promise<ErasureSummary> => {
    const user = await tx.people.findUserById(userId);
    if (!user) throw new DomainError('USER_NOT_FOUND', `There is no user ${userId}.`);
    if (user.erasedAt !== null)
      throw new DomainError('USER_ALREADY_ERASED', `The personal data of user ${userId} was already erased.`, {
        details: { erasedAt: user.erasedAt },
      });
    if (user.role !== 'requester')
      throw new DomainError(
        'USER_NOT_ERASABLE',
        'Only a requester can be erased; deactivate a technician or administrator instead.',
        { details: { role: user.role } },
      );
    if (normalizeEmail(input.confirmEmail) !== normalizeEmail(user.email))
      throw new DomainError('ERASURE_NOT_CONFIRMED', "The address typed is not the person's current address.", {
        details: { field: 'confirmEmail' },
      });
    // Their address as it was, before the pseudonym replaces it, and those they had before (the audit log records
    // each change; one another user has or had is left out): mail from and to them is found by them.
    const addresses = [normalizeEmail(user.email)];
    for (const earlier of await tx.audit.recordedEmailsOf(userId))
      if (!addresses.includes(earlier) && !(await tx.people.findUserByEmail(earlier))) addresses.push(earlier);
    // Their name now and those the log records (a mail quotes a message under the name its author had then).
    const names = [...new Set([user.name, ...(await tx.audit.recordedNamesOf(userId))])];
    if (!(await tx.people.eraseRequester(userId, pseudonym, at)))
      throw new DomainError('USER_ALREADY_ERASED', `The personal data of user ${userId} was already erased.`);
    const { sessionsEnded, tokensRevoked } = await endCredentials(tx, userId, { keepSessionHash: null });
    const ticketIds = await tx.tickets.eraseTicketsOfRequester(userId, ERASED_TICKET_TITLE, at);
    const own = await tx.messages.removeMessagesOfAuthor(userId, at);
    // A mail of theirs a reviewer attached as their own message ("Mail from <them> (inbound mail #n):" and its text):
    // removed as theirs are, the thread keeping that it was there.
    const quotedMail = (await tx.inbound.messagesOfMailFrom(addresses)).filter(
      (q) => !own.messageIds.includes(q.messageId),
    );
    const quotingIds = quotedMail.map((q) => q.messageId);
    const removed = own.removed + (await tx.messages.removeMessagesQuotingMail(quotingIds, at));
    const messageIds = [...own.messageIds, ...quotingIds];
    const outbox = await tx.outbox.eraseOutboxOf(
      { recipientId: userId, names, addresses, messageIds, ticketIds, quotedMail },
      { address: pseudonym.email, name: pseudonym.name, cancelReply: DELIVERY_SENTENCES.ERASED },
      at,
    );
    // Their mail, the reports about mail to them (bounces quote the address and the notification), and those about
    // mail that copied them which name them.
    const inboundMailIds = await tx.inbound.eraseInboundMailOf(
      { addresses, messageIds, outboxIds: outbox.ids, namingOn: outbox.ccEdited },
      at,
    );
    // The webhook deliveries about them (their tickets, their messages, those quoting their mail, their mail's own:
    // `inbound.held`) or naming their address, sent or not. After their mail: an ingestor holding a mail of theirs
    // until then (it waits for the erasure's lock on it) queued its delivery before this reads them.
    await tx.webhooks.eraseWebhookDeliveriesOf({
      ticketIds,
      authorId: userId,
      addresses,
      messageIds: quotingIds,
      inboundMailIds,
    });
    const attachments = await tx.attachments.deleteAttachmentsOf({ messageIds, inboundMailIds, ticketIds });
    // A former technician's own canned answers (their texts may sign with their name).
    await tx.cannedAnswers.deleteCannedAnswersOf(userId);
    // The sign-in limiter's counts under their address; the audit log's entries by them and about them.
    for (const address of addresses) await tx.signInFailures.forgetSignInFailuresOf(address);
    await tx.audit.eraseAuditOf(userId, { ...pseudonym, formerEmails: addresses, outboxIds: outbox.toThem });
    const counts = {
      messages: removed,
      attachments,
      inboundMails: inboundMailIds.length,
      outboxEntries: outbox.erased,
      tickets: ticketIds.length,
    };
    await recordAudit(tx, deps.clock, origin, {
      action: 'user.erase',
      target: { type: 'user', id: userId, label: pseudonym.email },
      changes: Object.entries(counts).map(([field, after]) => ({ field, after })),
    });
    return {
      userId,
      erasedAt: at,
      pseudonym: pseudonym.name,
      messages: removed,
      attachments,
      inboundMails: inboundMailIds.length,
      outboxEntries: outbox.erased,
      outboxCancelled: outbox.cancelled,
      tickets: ticketIds.length,
      sessionsEnded,
      tokensRevoked,
    };
  });
  // Mail of theirs that waited for review was discarded: the reviewers' counts refresh.
  if (summary.inboundMails > 0) await deps.storage.signalInbound(null);
  return summary;
}
