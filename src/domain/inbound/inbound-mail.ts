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
  // loop
  'auto-submitted',
  'precedence',
  'x-loop',
  'null-return-path',
  'own-notification',
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
] as const;
export type InboundReason = (typeof INBOUND_REASONS)[number];

/** What a receiver hands over: the bytes exactly as received, their SHA-256 (hex) and the SMTP envelope. */
export interface RawMail {
  raw: Uint8Array;
  sha256: string;
  envelopeFrom: string | null;
  envelopeTo: readonly string[];
  remoteAddress: string | null;
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
  attempts: number;
  resolvedById: number | null;
  resolvedAt: string | null;
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
  resolvedById?: number | null;
  attachmentNote?: string | null;
}
