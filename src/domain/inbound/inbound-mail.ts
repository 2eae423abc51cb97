/**
 * A mail a receiver accepted. The raw bytes are stored (and committed) before the receiver acknowledges the mail;
 * processing then decides what it becomes. Every state but `received` is final, except `held` (a person attaches it
 * to a ticket, which makes it `posted`, or discards it) and `loop` (which a person may still attach).
 */
export const INBOUND_STATUSES = ['received', 'posted', 'held', 'discarded', 'loop', 'bounce', 'duplicate'] as const;
export type InboundStatus = (typeof INBOUND_STATUSES)[number];

/** Why a mail was not posted (or how it was): a stable code for scripts and the UI, plus a sentence (`reasonText`). */
export const INBOUND_REASONS = [
  // held
  'unknown-sender',
  'sender-not-participant',
  'forged-token',
  'token-recipient-mismatch',
  'conflicting-tickets',
  'no-match',
  'sender-authentication-failed',
  'several-senders',
  'rate-limited',
  'empty-reply',
  'messaging-unavailable',
  'ticket-not-found',
  'unparseable',
  'processing-failed',
  'unverified-bounce', // a bounce instead, kept without its original, when it names a mail that copied a person since erased
  'sender-not-verified',
  'copy-unverified',
  'too-large', // read from a mailbox over the size limit: only its headers were fetched and kept (SMTP answers 552)
  // loop
  'auto-submitted',
  'precedence',
  'x-loop',
  'null-return-path',
  'own-notification',
  'auto-reply',
  // bounce
  'bounce-of-notification',
  'bounce-unknown',
  // duplicate
  'same-message-id',
  'same-content',
  // posted
  'reply',
  'new-ticket',
  'attached-by-reviewer',
  // discarded
  'discarded-by-reviewer',
  // discarded: a reply to a closed ticket (its sender is told how to open a new request)
  'ticket-closed',
] as const;
export type InboundReason = (typeof INBOUND_REASONS)[number];

/** What a receiver hands over: the bytes exactly as received, their SHA-256 (hex) and the SMTP envelope. */
export interface RawMail {
  raw: Uint8Array;
  sha256: string;
  envelopeFrom: string | null;
  envelopeTo: readonly string[];
  remoteAddress: string | null;
  /** The HELO/EHLO name the client gave (SMTP receiver only). */
  helo?: string | null;
  /** The size of the whole mail when `raw` is only part of it (the headers of one too large to fetch). */
  size?: number;
}

export interface InboundMail {
  id: number;
  receivedAt: string;
  updatedAt: string;
  status: InboundStatus;
  reason: InboundReason | null;
  reasonText: string | null;
  size: number;
  sha256: string;
  /** The envelope sender (`MAIL FROM`); '' for the null return path `<>`. */
  envelopeFrom: string | null;
  envelopeTo: string[];
  remoteAddress: string | null;
  helo: string | null;
  messageIdHeader: string | null;
  duplicateOf: number | null;
  fromAddress: string | null;
  fromName: string | null;
  subject: string | null;
  /** The ticket the mail was posted to, or the one it seemed to belong to when held (a hint for the reviewer). */
  ticketId: number | null;
  /** The thread message it became. */
  messageId: number | null;
  /** A bounce: the notification it reported on. */
  outboxId: number | null;
  /** The reply text (quotes and signature removed) and what was removed. */
  text: string | null;
  trimmed: string | null;
  /** The reply as sanitized HTML, cut like its text; null when the mail had none (or its cut did not agree). */
  html: string | null;
  attempts: number;
  resolvedById: number | null;
  resolvedAt: string | null;
  /** When the original bytes were removed (`PARLEY_INBOUND_KEEP_RAW_DAYS` after the mail was decided), or null. */
  rawRemovedAt: string | null;
  /** Which attachments were not kept (too large, too many), as a sentence; null when all were kept. */
  attachmentNote: string | null;
}

/** The final state processing (or a reviewer) gives a mail, with what it learnt. */
export interface InboundOutcome {
  status: Exclude<InboundStatus, 'received'>;
  reason: InboundReason;
  reasonText: string;
  at: string;
  messageIdHeader?: string | null;
  fromAddress?: string | null;
  fromName?: string | null;
  subject?: string | null;
  ticketId?: number | null;
  messageId?: number | null;
  outboxId?: number | null;
  duplicateOf?: number | null;
  text?: string | null;
  trimmed?: string | null;
  html?: string | null;
  resolvedById?: number | null;
  attachmentNote?: string | null;
}

/** The record of a mail just stored (what `insertInboundMail` wrote), without reading it back. */
export function receivedRecord(id: number, mail: RawMail, at: string, attempts: number): InboundMail {
  return {
    id,
    receivedAt: at,
    updatedAt: at,
    status: 'received',
    reason: null,
    reasonText: null,
    size: mail.size ?? mail.raw.byteLength,
    sha256: mail.sha256,
    envelopeFrom: mail.envelopeFrom,
    envelopeTo: [...mail.envelopeTo],
    remoteAddress: mail.remoteAddress,
    helo: mail.helo ?? null,
    messageIdHeader: null,
    duplicateOf: null,
    fromAddress: null,
    fromName: null,
    subject: null,
    ticketId: null,
    messageId: null,
    outboxId: null,
    text: null,
    trimmed: null,
    html: null,
    attempts,
    resolvedById: null,
    resolvedAt: null,
    rawRemovedAt: null,
    attachmentNote: null,
  };
}

/**
 * A mail as `finishInboundMail` leaves it once it recorded `o` (same rule: a field the outcome leaves out or sets to
 * null keeps its value), so the processor need not read back what it has just written.
 */
export function withOutcome(mail: InboundMail, o: InboundOutcome): InboundMail {
  const keep = <T>(value: T | null | undefined, current: T | null): T | null =>
    value === undefined || value === null ? current : value;
  const resolved = o.resolvedById !== undefined && o.resolvedById !== null;
  return {
    ...mail,
    status: o.status,
    reason: o.reason,
    reasonText: o.reasonText,
    updatedAt: o.at,
    messageIdHeader: keep(o.messageIdHeader, mail.messageIdHeader),
    fromAddress: keep(o.fromAddress, mail.fromAddress),
    fromName: keep(o.fromName, mail.fromName),
    subject: keep(o.subject, mail.subject),
    ticketId: keep(o.ticketId, mail.ticketId),
    messageId: keep(o.messageId, mail.messageId),
    outboxId: keep(o.outboxId, mail.outboxId),
    duplicateOf: keep(o.duplicateOf, mail.duplicateOf),
    text: keep(o.text, mail.text),
    trimmed: keep(o.trimmed, mail.trimmed),
    html: keep(o.html, mail.html),
    resolvedById: resolved ? o.resolvedById! : mail.resolvedById,
    resolvedAt: resolved ? o.at : mail.resolvedAt,
    attachmentNote: keep(o.attachmentNote, mail.attachmentNote),
  };
}
