import type { Signer } from '../../ports/signer.ts';

const SIGNATURE_LENGTH = 20; // hex characters: 80 bits

/** Compares without leaking where the first difference is. */
export function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

const signatures = new WeakMap<Signer, Map<string, string>>();

/** Signatures are memoised per signer (a ticket's participants get many mails); bounded. */
function signature(signer: Signer, ticketNumber: number, recipientId: number): string {
  let memo = signatures.get(signer);
  if (!memo) signatures.set(signer, (memo = new Map()));
  const data = `reply:${ticketNumber}.${recipientId}`;
  let sig = memo.get(data);
  if (sig === undefined) {
    sig = signer.sign(data).slice(0, SIGNATURE_LENGTH);
    if (memo.size >= 10_000) memo.delete(memo.keys().next().value!);
    memo.set(data, sig);
  }
  return sig;
}

/**
 * `reply+<ticket>.<recipient>.<signature>@<mail domain>`: a reply address bound to one ticket and one recipient,
 * signed with the install's key so it can be neither guessed nor moved to another ticket.
 */
export function replyAddress(signer: Signer, mailDomain: string, ticketNumber: number, recipientId: number): string {
  return `reply+${ticketNumber}.${recipientId}.${signature(signer, ticketNumber, recipientId)}@${mailDomain}`;
}

/** The ticket and recipient a reply address names, when its signature is ours; undefined otherwise. */
export function readReplyAddress(
  signer: Signer,
  address: string,
): { ticketNumber: number; recipientId: number } | undefined {
  const m = /^reply\+(\d{1,10})\.(\d{1,10})\.([0-9a-f]+)@/i.exec(address.trim());
  if (!m) return undefined;
  const ticketNumber = Number(m[1]);
  const recipientId = Number(m[2]);
  return sameText(m[3]!.toLowerCase(), signature(signer, ticketNumber, recipientId))
    ? { ticketNumber, recipientId }
    : undefined;
}

/**
 * A notification's own Message-ID: it carries its ticket's number (`closed`: the notice that a ticket was closed),
 * which reply matching reads back (`ticketInNotificationId` in `inbound/mail-facts.ts`).
 */
export function notificationMessageId(
  mailDomain: string,
  ticketNumber: number,
  unique: string,
  closed = false,
): string {
  return `<parley.${closed ? 'closed.' : ''}${ticketNumber}.${unique}@${mailDomain}>`;
}

/** The Message-ID every notification of a ticket refers to, so mail clients keep the ticket one conversation. */
export function threadId(mailDomain: string, ticketNumber: number): string {
  return `<parley.ticket.${ticketNumber}@${mailDomain}>`;
}
