import type { ParsedMail } from '../../ports/inbound.ts';
import { inboundHeldWebhooks } from '../webhooks/inbound-held-webhooks.ts';
import { isEmailAddress, normalizeEmail } from '../users/user.ts';
import type { InboundDeps } from './inbound-deps.ts';
import { receivedRecord, withOutcome, type InboundMail, type InboundOutcome, type RawMail } from './inbound-mail.ts';
import { oneLine, withoutNul } from './inbound-message-text.ts';
import { ticketHint } from './ticket-hint.ts';

/** A mail read from a mailbox that is larger than the limit: its headers (`raw`), its whole size, the limit. */
export interface TooLargeMail {
  /** The mail's header block only, as `raw` (its `size`: the whole mail's). */
  mail: RawMail & { size: number };
  maxBytes: number;
}

/**
 * Records a mail too large to take (read from a mailbox: over SMTP it is refused with 552 and the sending server tells
 * the sender) so that a person sees it came: stored with its headers only and held for review as `too-large`, with
 * its sender, subject and Message-ID, why (its size and the limit) and the ticket it seems to belong to; the
 * `inbound.held` webhooks are queued with it. The reviewer can answer the sender, attach it to a ticket (its text says
 * the mail was too large) or discard it. Stored and decided in one transaction, so no process ever processes the
 * headers as a mail of their own.
 *
 * The same mail recorded again (the mailbox could not be flagged after a first record) becomes a `duplicate` of the
 * first. Its duplicate key is its own (`too-large:`), so the whole mail, if it is ever taken (the reader skips mail
 * flagged $ParleyTooLarge: someone removes the flag after raising the limit), is not taken for a copy of its headers.
 */
export async function holdTooLargeMail(deps: InboundDeps, input: TooLargeMail): Promise<InboundMail> {
  const { mail, maxBytes } = input;
  let parsed: ParsedMail | undefined;
  try {
    parsed = await deps.mailParser.parse(mail.raw);
  } catch {
    parsed = undefined; // held all the same, with no sender or subject: the reviewer has its headers
  }
  const from = parsed?.from.length === 1 ? parsed.from[0] : undefined;
  const address = from ? normalizeEmail(from.address) : '';
  const messageIdHeader = parsed?.messageId ? withoutNul(parsed.messageId).slice(0, 998) || null : null;
  const facts = {
    messageIdHeader,
    fromAddress: isEmailAddress(address) ? address : null,
    fromName: from?.name ? oneLine(from.name, 200) : null,
    subject: parsed ? oneLine(parsed.subject, 998) : null,
    ticketId: parsed ? await ticketHint(deps, parsed, mail.envelopeTo) : null,
  };
  const size = `${mail.size} bytes, over the limit of ${maxBytes} bytes (PARLEY_INBOUND_MAX_BYTES)`;
  const at = deps.clock.now().toISOString();
  const held: InboundOutcome = {
    ...facts,
    status: 'held',
    reason: 'too-large',
    reasonText:
      `The mail is ${size}: only its headers were read and kept. It was left in the mailbox, flagged ` +
      '$ParleyTooLarge (and unread, where the mailbox keeps such flags); the sender may be asked to send it smaller.',
    text: `(Only the headers of this mail were kept: it is ${size}.)`,
    at,
  };
  const key = `too-large:${messageIdHeader ? `mid:${messageIdHeader}` : `sha256:${mail.sha256}`}`;
  return deps.storage.transaction(async (tx) => {
    const id = await tx.inbound.insertInboundMail(mail, at, 1);
    const { holder } = await tx.inbound.claimInboundMail(id, key, null);
    const outcome: InboundOutcome =
      holder === id
        ? held
        : {
            ...facts,
            status: 'duplicate',
            reason: messageIdHeader ? 'same-message-id' : 'same-content',
            reasonText: `Inbound mail #${holder} is the same mail, too large to take; only that one counts.`,
            duplicateOf: holder,
            at,
          };
    const hooks =
      outcome.status === 'held' ? await inboundHeldWebhooks({ storage: tx, tokens: deps.tokens }, id, outcome) : [];
    await tx.inbound.finishInboundMail(id, outcome, ['received']);
    if (hooks.length > 0) await tx.webhooks.queueWebhookDeliveries(hooks, at);
    return withOutcome(receivedRecord(id, mail, at, 1), outcome);
  });
}
