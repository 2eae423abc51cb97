import type { ParsedMail } from '../../ports/inbound.ts';
import type { OutboxReference, Uses } from '../../ports/storage.ts';
import type { Deps } from '../deps.ts';
import type { OutboxEntry } from '../notifications/outbox-entry.ts';
import { looksLikeBounceAddress, readBounceAddress } from '../notifications/bounce-address.ts';
import { normalizeEmail } from '../users/user.ts';
import type { DeliveryReport } from './mail-facts.ts';

/**
 * What a delivery report (DSN) may do:
 * - `verified`: it came back to the signed bounce address of one notification (VERP) and reports on that mail (its
 *   Message-ID or its recipient): it may mark that notification;
 * - `unverified`: it names a notification of ours (by Message-ID) or came to a bounce address, but not both for the
 *   same mail, or the address's signature is not ours: held for a person, nothing is marked;
 * - `erased`: it came back to the signed bounce address of a notification an erasure emptied, or names one by
 *   Message-ID: it quotes the erased person's address and mail, so it is not kept (nothing is marked either);
 * - `quotes-erased`: it cannot be verified and names by Message-ID a notification an erasure took a person out of the
 *   Cc of: it may quote them (a recipient, the original's Cc header), so it is not kept or held either;
 * - `unknown`: it concerns no mail of ours at all.
 */
export type BounceCheck =
  | { kind: 'verified'; entry: OutboxEntry }
  | { kind: 'erased'; outboxId: number; ticketId: number | null }
  | { kind: 'quotes-erased'; outboxId: number; ticketId: number | null }
  | { kind: 'unverified'; ticketId: number | null; text: string }
  | { kind: 'unknown' };

/** Claimed recipient headers read from mail fetched over IMAP (no envelope): each still needs a valid signature. */
const RECIPIENT_HEADERS = ['delivered-to', 'x-original-to'];
const MAX_CLAIMS = 20;

function addressesOf(values: readonly string[]): string[] {
  return values.flatMap((v) => v.match(/[^\s<>,;"]+@[^\s<>,;"]+/g) ?? []).slice(0, MAX_CLAIMS);
}

/** The mail's recipients as the receiver saw them (SMTP `RCPT TO`), or, without an envelope (IMAP), as its headers claim. */
function recipientsOf(mail: Pick<ParsedMail, 'header' | 'to'>, envelopeTo: readonly string[]): string[] {
  if (envelopeTo.length > 0) return envelopeTo.slice(0, 100).map(normalizeEmail);
  const claimed = [
    ...addressesOf(RECIPIENT_HEADERS.flatMap((h) => mail.header(h))),
    ...mail.to.slice(0, MAX_CLAIMS).map((a) => a.address),
  ];
  return [...new Set(claimed.map(normalizeEmail))];
}

const bare = (address: string) => normalizeEmail(address.replace(/^<|>$/g, ''));

/** Whether the report is about this notification: its Message-ID, or an address it was sent to (To or Cc). */
function reportsOn(report: DeliveryReport, entry: Pick<OutboxEntry, 'messageIdHeader' | 'toAddress' | 'cc'>): boolean {
  const id = entry.messageIdHeader.toLowerCase();
  if (report.originalMessageIds.some((m) => m.toLowerCase() === id)) return true;
  const sentTo = new Set([entry.toAddress, ...entry.cc.map((c) => c.address)].map(normalizeEmail));
  return report.recipients.some((r) => r.recipient !== null && sentTo.has(bare(r.recipient)));
}

export async function checkBounce(
  deps: Pick<Deps, 'signer' | 'site'> & { storage: Uses<{ outbox: 'outboxByMessageIds' | 'findOutboxEntry' }> },
  report: DeliveryReport,
  mail: Pick<ParsedMail, 'header' | 'to'>,
  envelopeTo: readonly string[],
): Promise<BounceCheck> {
  const domain = deps.site.mailDomain;
  const bounceTo = recipientsOf(mail, envelopeTo).filter((a) => looksLikeBounceAddress(a, domain));
  for (const address of bounceTo) {
    const outboxId = readBounceAddress(deps.signer, domain, address);
    if (outboxId === undefined) continue;
    const entry = await deps.storage.outbox.findOutboxEntry(outboxId);
    // The address is signed for that one mail: whatever the report says, it is about it (its recipient is erased).
    if (entry?.erasedAt) return { kind: 'erased', outboxId: entry.id, ticketId: entry.ticketId };
    // Likewise when an erasure took someone out of its Cc: a report naming only them is still about this mail.
    if (entry && (reportsOn(report, entry) || entry.ccErasedAt)) return { kind: 'verified', entry };
  }
  const named: OutboxReference[] = await deps.storage.outbox.outboxByMessageIds(report.originalMessageIds);
  const erased = named.find((e) => e.erased);
  if (erased) return { kind: 'erased', outboxId: erased.id, ticketId: erased.ticketId };
  const copied = named.find((e) => e.ccErased);
  if (copied) return { kind: 'quotes-erased', outboxId: copied.id, ticketId: copied.ticketId };
  if (named.length === 0 && bounceTo.length === 0) return { kind: 'unknown' };
  const ticketId = named.find((e) => e.ticketId !== null)?.ticketId ?? null;
  const about =
    named.length > 0
      ? `It names notification #${named[0]!.id}, which is left as it is`
      : 'It names no notification of ours';
  const where =
    bounceTo.length === 0
      ? 'it did not come back to the signed bounce address of that mail (it was sent to the support address or another of ours)'
      : `its bounce address ${bounceTo[0]} is not one this install signed for the mail it reports on`;
  return {
    kind: 'unverified',
    ticketId,
    text: `A delivery report that cannot be verified: ${where}. ${about}; anyone can forge such a report.`,
  };
}

/**
 * The copies (Cc) a permanent failure report is about, when it names failed recipients and none of them is the mail's
 * own recipient: the mail reached its recipient, so the notification is not marked; an empty list otherwise.
 */
export function bouncedCopiesOnly(report: DeliveryReport, entry: Pick<OutboxEntry, 'toAddress' | 'cc'>): string[] {
  if (entry.cc.length === 0) return [];
  const failed = report.recipients
    .filter((r) => r.recipient !== null && (r.action === 'failed' || /^5\./.test(r.status ?? '')))
    .map((r) => bare(r.recipient!));
  const copies = new Set(entry.cc.map((c) => normalizeEmail(c.address)));
  if (failed.length === 0 || failed.includes(normalizeEmail(entry.toAddress))) return [];
  return failed.every((a) => copies.has(a)) ? failed : [];
}

/**
 * The report as far as it concerns the notification's recipients now. After an erasure took a person out of its Cc
 * (`ccErasedAt`), a recipient the report names that is neither its To nor one of its copies is taken to be that
 * person: left out (`dropped` counts them, with any block that names no one), so that nothing recorded or sent on
 * names them. Otherwise the report as it is.
 */
export function reportForRecipients(
  report: DeliveryReport,
  entry: Pick<OutboxEntry, 'toAddress' | 'cc' | 'ccErasedAt'>,
): { report: DeliveryReport; dropped: number } {
  if (!entry.ccErasedAt) return { report, dropped: 0 };
  const sentTo = new Set([entry.toAddress, ...entry.cc.map((c) => c.address)].map(normalizeEmail));
  // A block is about the address the mail went to: its original recipient when given (a forward rewrites the final
  // one), else its final one. Kept only when that is the To or a copy now, and then named by it; its diagnostic is
  // left out when the final recipient is another address (it names where the mail was forwarded). A block naming no
  // one is left out too (its diagnostic may name anyone).
  const recipients = report.recipients.flatMap((r) => {
    const sentAs = r.originalRecipient ?? r.recipient;
    if (sentAs === null || !sentTo.has(bare(sentAs))) return [];
    const forwarded = r.recipient !== null && bare(r.recipient) !== bare(sentAs);
    return [{ ...r, recipient: sentAs, diagnostic: forwarded ? null : r.diagnostic }];
  });
  return { report: { ...report, recipients }, dropped: report.recipients.length - recipients.length };
}
