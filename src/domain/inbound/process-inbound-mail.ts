import type { ParsedMail } from '../../ports/inbound.ts';
import { DomainError } from '../errors.ts';
import { postMessage } from '../messages/post-message.ts';
import { isEmailAddress, isStaff, normalizeEmail, type Actor } from '../users/user.ts';
import { refuseClosedTicketReply } from './closed-ticket-reply.ts';
import {
  withOutcome,
  type InboundMail,
  type InboundOutcome,
  type InboundReason,
  type InboundStatus,
} from './inbound-mail.ts';
import { loopSign, readDeliveryReport } from './mail-facts.ts';
import { isParticipant, matchReply } from './match-reply.ts';
import { checkBounce } from './bounce-check.ts';
import { duplicateKey, earlierDuplicateKeys, isCopyOfEarlier } from './duplicate-key.ts';
import { decideVerifiedReport } from './verified-report.ts';
import { keepNothingOfCopyOfErased } from './copy-of-erased-mail.ts';
import {
  finishReportUnlessErased,
  keepNothingOfReportOnErased,
  keepNothingOfReportQuotingErased,
} from './report-on-erased-mail.ts';
import { mailboxAddresses } from '../mailboxes/mailbox-addresses.ts';
import { AlreadyDecided } from './already-decided.ts';
import { addMailCopies, copyCandidatesOf, namesOthers } from './copies-from-mail.ts';
import { readParameters } from '../parameters/parameters.ts';
import type { InboundDeps } from './inbound-deps.ts';
import { inboundLeaseUntil } from './inbound-lease.ts';
import { openOrHold } from './open-by-mail.ts';
import { extractReply } from './reply-text.ts';
import { replyHtml } from './reply-html.ts';
import { MAX_MESSAGE_LENGTH } from '../messages/message.ts';
import { NO_PROOF, proves, senderProof, type SenderProof } from './sender-proof.ts';
import { inboundFiles, newAttachments, skippedNote, type InboundFile } from './inbound-attachments.ts';
import { messageText, oneLine, withoutNul } from './inbound-message-text.ts';
import { ticketHint, ticketIdOf } from './ticket-hint.ts';
import type { ReceivedMail } from './receive-mail.ts';
import { inboundHeldWebhooks } from '../webhooks/inbound-held-webhooks.ts';

/** How `processInboundMail` records a decision with the mail's facts (and reads back one another process made). */
type Decide = (
  status: Exclude<InboundStatus, 'received'>,
  reason: InboundReason,
  reasonText: string,
  extra?: Partial<InboundOutcome>,
) => Promise<InboundMail | undefined>;

/** Statuses a reviewer may still attach to a ticket: their attachments are kept (unlinked) until then. */
const REVIEWABLE_STATUSES: readonly InboundStatus[] = ['held', 'loop'];

/**
 * Decides what a stored mail becomes, and records it atomically with its effect: posted to a ticket (through
 * `postMessage`, so the other party is notified as for any message), a new ticket, held for review, a loop, a bounce
 * (marking the notification it reports on), or a duplicate. A mail already decided is left alone, so running this
 * twice (a process that stalled past its lease, and the one that took the mail over) never posts twice. Returns the
 * mail's final state, or the mail still `received` when another process holds it.
 *
 * `received`: the mail as `receiveMailForProcessing` stored it (attempt counted, leased to this process), so it is
 * not read back; without it (the sweep, after a crash) the attempt is counted, the mail leased to `leaseToken` (the
 * ingestor's; one of its own for a lone call) and read in one write, only if no other process's lease holds it.
 */
export async function processInboundMail(
  deps: InboundDeps,
  id: number,
  received?: ReceivedMail,
  leaseToken?: string,
): Promise<InboundMail | undefined> {
  let mail: InboundMail;
  let raw: Uint8Array | null;
  if (received && received.mail.id === id) {
    ({ mail, raw } = received);
  } else {
    const lease = { token: leaseToken ?? deps.tokens.random(12), until: inboundLeaseUntil(deps) };
    const begun = await deps.storage.inbound.beginInboundAttempt(id, deps.clock.now().toISOString(), lease);
    if (!begun || begun.raw === null || begun.mail.status !== 'received') return begun?.mail;
    ({ mail, raw } = begun);
  }
  const attempts = mail.attempts;
  const now = () => deps.clock.now().toISOString();
  /** The mail with the outcome it was given; read back only when another process decided it first. */
  const decided = async (recorded: boolean, outcome: InboundOutcome) =>
    recorded ? withOutcome(mail, outcome) : deps.storage.inbound.findInboundMail(id);
  /** Files to keep with the mail while it waits for review (none before the mail is parsed). */
  let unlinked: InboundFile[] = [];
  const finish = async (result: Omit<InboundOutcome, 'at'>) => {
    const outcome = { ...result, reasonText: withoutNul(result.reasonText), at: now() };
    // A held mail's `inbound.held` webhooks are queued with its state: never one for a mail another process decided.
    const hooks = outcome.status === 'held' ? await inboundHeldWebhooks(deps, id, outcome) : [];
    const keepFiles = unlinked.length > 0 && REVIEWABLE_STATUSES.includes(outcome.status);
    if (keepFiles || hooks.length > 0) {
      // A held mail keeps its attachments, in the same transaction as its state; a reviewer's attach links them.
      const rows = keepFiles
        ? newAttachments(deps.tokens, unlinked, { inboundMailId: id, ticketId: null, messageId: null })
        : [];
      const recorded = await deps.storage.transaction(async (tx) => {
        if (!(await tx.inbound.finishInboundMail(id, outcome, ['received']))) return false;
        if (rows.length > 0) await tx.attachments.insertAttachments(rows, outcome.at);
        if (hooks.length > 0) await tx.webhooks.queueWebhookDeliveries(hooks, outcome.at);
        return true;
      });
      return decided(recorded, outcome);
    }
    return decided(await deps.storage.inbound.finishInboundMail(id, outcome, ['received']), outcome);
  };
  if (attempts > deps.policy.maxAttempts) {
    return finish({
      status: 'held',
      reason: 'processing-failed',
      reasonText: `Processing failed ${attempts - 1} times; a person has to look at this mail.`,
    });
  }
  let parsed: ParsedMail;
  try {
    parsed = await deps.mailParser.parse(raw ?? new Uint8Array());
  } catch (error) {
    const why = error instanceof Error && error.message ? ` (${oneLine(error.message, 200).replace(/\.$/, '')})` : '';
    return finish({
      status: 'held',
      reason: 'unparseable',
      reasonText: `The mail could not be read as an Internet message${why}.`,
    });
  }
  const reply = extractReply({ text: parsed.text, html: parsed.html });
  const files = inboundFiles(parsed.attachments);
  const attachmentNote = skippedNote(parsed.skippedAttachments, files.length);
  unlinked = files;
  const from = parsed.from[0];
  const fromAddress = from && isEmailAddress(normalizeEmail(from.address)) ? normalizeEmail(from.address) : null;
  // NUL bytes (raw, quoted-printable =00, base64, in a Message-ID) are removed from every text kept: PostgreSQL's text
  // cannot hold them, and no person wrote them. The raw bytes keep them.
  const facts = {
    messageIdHeader: parsed.messageId ? withoutNul(parsed.messageId).slice(0, 998) || null : null,
    fromAddress,
    fromName: from?.name ? oneLine(from.name, 200) : null,
    subject: oneLine(parsed.subject, 998),
    text: withoutNul(messageText(reply.text.trim(), id, files, attachmentNote)),
    trimmed: reply.trimmed === null ? null : withoutNul(reply.trimmed),
    // The reply as HTML too, when its text was kept whole (a text cut to fit keeps no HTML that would say more).
    html:
      reply.html !== null && deps.html && reply.text.trim().length <= MAX_MESSAGE_LENGTH - 2_000
        ? replyHtml(deps.html, withoutNul(reply.html), files, attachmentNote)
        : null,
    attachmentNote: attachmentNote === null ? null : withoutNul(attachmentNote),
  };
  const decide: Decide = async (status, reason, reasonText, extra = {}) => {
    // A mail held before it was matched still names the ticket the matcher finds: who may review it follows from it.
    if (status === 'held' && extra.ticketId === undefined)
      extra = { ...extra, ticketId: await ticketHint(deps, parsed, mail.envelopeTo) };
    return finish({ ...facts, status, reason, reasonText, ...extra });
  };

  // What is decided before the per-sender cap needs no database but the delivery report's notification lookup:
  // known first, so that the duplicate key and the mail's place under the cap are claimed in one write.
  const report = readDeliveryReport(parsed.report);
  const loop = report ? undefined : loopSign(parsed, mail.envelopeFrom, deps.site.mailDomain);
  // Several From headers are several senders too, though the parser reads the first only (a verifier sees them all).
  const senders = Math.max(parsed.from.length, parsed.header('from').length);
  const capped = !report && !loop && senders <= 1 && fromAddress !== null;
  const since = new Date(Date.parse(mail.receivedAt) - 60_000).toISOString();

  // Who wrote: the From names a user; what proves it is their signed reply address or a verified sender. The cap
  // counts a proven sender under their address and anything else apart, so a forged From never gets the real
  // person's mail held.
  const found = capped && fromAddress ? await deps.storage.people.findActor({ email: fromAddress }) : undefined;
  const sender: Actor | undefined = found?.user.active ? { ...found.user, groupIds: found.groupIds } : undefined;
  const proof: SenderProof =
    sender && fromAddress
      ? await senderProof(deps, mail, raw ?? new Uint8Array(), parsed, sender, fromAddress)
      : NO_PROOF;
  const capKey = proof.by ? `${fromAddress}` : `unverified:${fromAddress}`;

  // A delivery report about a notification an erasure emptied keeps nothing, whether or not it is a copy of another.
  const check = report ? await checkBounce(deps, report, parsed, mail.envelopeTo) : undefined;
  if (check?.kind === 'erased') return keepNothingOfReportOnErased(deps, id, check, now());
  if (check?.kind === 'quotes-erased') return keepNothingOfReportQuotingErased(deps, id, check, now());

  // Duplicates: the same Message-ID from the same sender (a retry, a re-fetch), or without one the same mail by
  // whatever route (duplicate-key.ts). A mail keyed the earlier way (before keys named the sender) is looked up too.
  const key = duplicateKey(facts.messageIdHeader, parsed.contentSha256, fromAddress);
  const earlier = await deps.storage.inbound.findEarlierKeyHolder(
    earlierDuplicateKeys(facts.messageIdHeader, mail.sha256),
  );
  const copyOfEarlier = earlier && earlier.id !== id && isCopyOfEarlier(earlier, fromAddress) ? earlier : undefined;
  const claim = copyOfEarlier
    ? { holder: copyOfEarlier.id, recent: null }
    : await deps.storage.inbound.claimInboundMail(
        id,
        key,
        capped && fromAddress ? { key: capKey, since, cap: deps.policy.perSenderPerMinute } : null,
      );
  const holder = claim.holder;
  if (holder !== id) {
    const [reason, reasonText] = facts.messageIdHeader
      ? (['same-message-id', `Inbound mail #${holder} has the same Message-ID; only that one counts.`] as const)
      : (['same-content', `Inbound mail #${holder} has the same content; only that one counts.`] as const);
    // A copy of a report about one of our notifications keeps nothing if an erasure emptied it since the check, and
    // no original if one took a person out of its Cc.
    if (check?.kind === 'verified') {
      const about = { outboxId: check.entry.id, ticketId: check.entry.ticketId };
      const outcome = { ...facts, status: 'duplicate', reason, reasonText, duplicateOf: holder, at: now() } as const;
      return finishReportUnlessErased(deps, mail, about, check.entry, () => ({ outcome }));
    }
    // Any other copy of a mail an erasure emptied (its key kept as a digest) is that mail again: it keeps nothing.
    const held = copyOfEarlier ?? (await deps.storage.inbound.findDuplicateKeyHolder([key]));
    if (held?.id === holder && held.erased) return keepNothingOfCopyOfErased(deps, id, holder, reason, now());
    return decide('duplicate', reason, reasonText, { duplicateOf: holder });
  }

  // A delivery report marks the notification it reports on failed, instead of being posted, but only when it came
  // back to that mail's signed bounce address (VERP): anything else is held, never applied.
  if (report && check) {
    if (check.kind === 'unknown') {
      return decide(
        'bounce',
        'bounce-unknown',
        'A delivery status notification about a mail that is not one of our notifications.',
      );
    }
    if (check.kind === 'unverified')
      return decide('held', 'unverified-bounce', check.text, { ticketId: check.ticketId });
    return decideVerifiedReport(deps, mail, report, check.entry, facts, now());
  }

  if (loop) return decide('loop', loop.reason, loop.text);

  if (senders > 1)
    return decide('held', 'several-senders', 'The From header names several people; who wrote cannot be told.');

  // Mails of this sender counted before this one (each counts as it is claimed, so mails processed at once count
  // one another: the cap is exact).
  if (claim.recent !== null && claim.recent >= deps.policy.perSenderPerMinute) {
    return decide(
      'held',
      'rate-limited',
      `${fromAddress} sent more than ${deps.policy.perSenderPerMinute} mails in a minute; the rest are held.`,
    );
  }

  // A trusted server's DMARC fail holds the mail whatever else proves it (a signed reply address read by another):
  // only its result counts, never SPF alone (forwarded mail fails it) nor a header from a server nobody trusts.
  const dmarc = deps.senderVerifier?.trustedDmarc(raw ?? new Uint8Array());
  if (dmarc?.result === 'fail') {
    return decide(
      'held',
      'sender-authentication-failed',
      `The receiving mail server reports that the sender address failed DMARC (${oneLine(dmarc.detail, 300)}): the From may be forged.`,
    );
  }

  const match = await matchReply(deps, parsed, mail.envelopeTo, sender);
  if (match.kind === 'refuse')
    return decide('held', match.reason, match.text, { ticketId: await ticketIdOf(deps, match.ticketNumber) });
  if (match.kind === 'none') return openOrHold(deps, id, parsed, mail, sender, proof, facts, files, finish, decided);

  const ticket = await deps.storage.tickets.findTicketByNumber(match.ticketNumber);
  if (!ticket)
    return decide(
      'held',
      'ticket-not-found',
      `The mail refers to ticket #${match.ticketNumber}, which does not exist.`,
    );
  if (!sender) {
    return decide(
      'held',
      'unknown-sender',
      `${fromAddress ?? 'The sender'} is not a user of this desk; the mail seems to belong to ticket #${ticket.number}.`,
      { ticketId: ticket.id },
    );
  }
  // A reply-all: the reply address of another person of the ticket. Its sender writes as themselves only when they
  // are the ticket's requester or one of its copies (else held as before, whatever the address proves).
  const requesterOrCopy = ticket.requesterId === sender.id || ticket.copyIds.includes(sender.id);
  if (match.kind === 'ticket' && match.othersToken && !requesterOrCopy) {
    return decide(
      'held',
      'token-recipient-mismatch',
      `The reply address was given to another person than the sender; it is not accepted as proof of who wrote.`,
      { ticketId: ticket.id },
    );
  }
  if (!isParticipant(sender, ticket)) {
    return decide(
      'held',
      'sender-not-participant',
      `${fromAddress} is not a participant of ticket #${ticket.number} (its requester, responsible technician or group).`,
      {
        ticketId: ticket.id,
      },
    );
  }
  if (!proves(proof, sender) && match.othersToken) {
    const who = facts.fromName ? `${facts.fromName} <${fromAddress}>` : `${fromAddress}`;
    return decide(
      'held',
      'copy-unverified',
      `A reply-all from ${who}, a copy of ticket #${ticket.number}, with another person's reply address, and nothing proves that ${fromAddress} wrote it (${proof.detail}): a reviewer may post it as theirs.`,
      { ticketId: ticket.id },
    );
  }
  if (!proves(proof, sender)) {
    return decide(
      'held',
      'sender-not-verified',
      `Sender not verified: nothing proves that ${fromAddress} wrote this mail (${proof.detail}); the From header alone proves nothing.`,
      {
        ticketId: ticket.id,
      },
    );
  }
  if (ticket.status === 'closed' && !isStaff(sender)) {
    const refused = await refuseClosedTicketReply(deps, id, parsed, sender, ticket, facts);
    return refused ? decided(true, refused) : deps.storage.inbound.findInboundMail(id);
  }
  if (facts.text.length === 0)
    return decide('held', 'empty-reply', 'The mail has no text of its own to post.', { ticketId: ticket.id });
  const outcome: Omit<InboundOutcome, 'messageId'> = {
    ...facts,
    status: 'posted',
    reason: 'reply',
    reasonText: `Posted to ticket #${ticket.number} (matched by ${match.via}).`,
    ticketId: ticket.id,
    at: now(),
  };
  // The requester's To and Cc become copies as parameter 9036 allows, in the same transaction as the message (a reply
  // naming no one else, the usual case, reads no parameter for it).
  const copies =
    sender.id === ticket.requesterId && namesOthers(parsed, sender.email, deps.site.mailDomain)
      ? copyCandidatesOf(
          await readParameters(deps.storage),
          {
            mailDomain: deps.site.mailDomain,
            ownRecipients: [...(deps.policy.ownRecipients ?? []), ...(await mailboxAddresses(deps.storage)).keys()],
          },
          parsed,
          sender.email,
        )
      : [];
  let messageId: number;
  try {
    const input = { ticketNumber: ticket.number, text: facts.text, source: 'email' as const };
    if (files.length === 0 && copies.length === 0) {
      // The message, its notifications and the mail's outcome in one write (one statement on PostgreSQL).
      messageId = (
        await postMessage(deps, sender, input, { ticket, inboundMail: { id, outcome }, mailHtml: facts.html })
      ).message.id;
    } else {
      const posted = await postMessage(deps, sender, input, {
        ticket,
        mailHtml: facts.html,
        alsoStore: async (tx, stored) => {
          if (!(await tx.inbound.finishInboundMail(id, { ...outcome, messageId: stored.messageId }, ['received'])))
            throw new AlreadyDecided();
          if (files.length > 0)
            await tx.attachments.insertAttachments(
              newAttachments(deps.tokens, files, {
                inboundMailId: id,
                ticketId: ticket.id,
                messageId: stored.messageId,
              }),
              outcome.at,
            );
          await addMailCopies(tx, deps.tokens, sender, ticket.number, copies, outcome.at);
        },
      });
      messageId = posted.message.id;
    }
  } catch (error) {
    if (error instanceof AlreadyDecided || (error instanceof DomainError && error.code === 'INBOUND_MAIL_NOT_PENDING'))
      return deps.storage.inbound.findInboundMail(id);
    // Its sender was erased since they were found: the mail is theirs, so it keeps nothing, as the erasure left their
    // other mail (discarded, without original, text or sender), and so do its copies.
    if (
      error instanceof DomainError &&
      error.code === 'USER_ALREADY_ERASED' &&
      error.details?.reason === 'author-erased'
    ) {
      const reasonText = "Its sender's personal data was erased while it was processed: not posted, nothing kept.";
      await deps.storage.transaction((tx) => tx.inbound.eraseInboundMailOf({ ids: [id] }, now(), reasonText));
      return deps.storage.inbound.findInboundMail(id);
    }
    // People its mails named were erased at each of its writes: tried again later (the attempt fails, the lease
    // expires), not held with a sentence meant for the web.
    if (error instanceof DomainError && error.details?.reason === 'people-erased') throw error;
    if (error instanceof DomainError) {
      // A sender deactivated since they were found is held as one who is not a user, as it would be a moment later.
      const reason: InboundReason =
        error.code === 'MESSAGING_UNAVAILABLE'
          ? 'messaging-unavailable'
          : error.code === 'TICKET_NOT_FOUND'
            ? 'ticket-not-found'
            : error.details?.reason === 'author-inactive'
              ? 'unknown-sender'
              : 'processing-failed';
      return decide('held', reason, `Not posted: ${error.message}`, { ticketId: ticket.id });
    }
    throw error;
  }
  return decided(true, { ...outcome, messageId });
}
