/** Shapes of the Parley HTTP API v1 (see /api/openapi.json), as the browser app uses them. */
export type Role = 'requester' | 'technician' | 'admin';
export type Locale = 'en-US' | 'pt-BR' | 'es-ES';
export const LOCALES: readonly Locale[] = ['en-US', 'pt-BR', 'es-ES'];

export interface Me {
  id: number;
  email: string;
  name: string;
  role: Role;
  locale: Locale;
  timeZone: string;
  active: boolean;
  groupIds?: number[];
  csrfToken: string | null;
}

export const TICKET_STATUSES = ['new', 'in_progress', 'waiting', 'resolved', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

export interface Named {
  id: number;
  name: string;
}

export interface Ticket {
  number: number;
  title: string;
  description: string;
  status: TicketStatus;
  requester: Named;
  contactName: string | null;
  registeredBy: Named;
  group: Named | null;
  responsible: Named | null;
  demandType: string | null;
  activity: string | null;
  relatedService: string | null;
  portfolio: string | null;
  category: string | null;
  createdAt: string;
  updatedAt: string;
  lastActivityAt: string;
  /** Files given when the ticket was opened (with the form, or the mail that opened it); GET /tickets/{n} only. */
  attachments?: AttachmentSummary[];
  /** People the ticket copies (Cc); GET /tickets/{n} only. */
  copies?: TicketCopy[];
}

/** A person a ticket copies (Cc): `email` is null when a requester looks at a staff member. */
export interface TicketCopy {
  id: number;
  name: string;
  email: string | null;
  role: Role;
}

/** At most this many people on one ticket (`PUT /tickets/{n}/copies`). */
export const MAX_COPIES = 20;

/** A stored file, never its bytes: downloaded from /api/v1/attachments/{id}. */
export interface AttachmentSummary {
  id: string;
  name: string;
  size: number;
  contentType: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Staff see outbox states; a requester sees waiting / sent / failed for their own messages. */
export type MailStatus = 'queued' | 'sending' | 'sent' | 'deferred' | 'failed' | 'waiting';

export interface Message {
  id: number;
  text: string;
  internal: boolean;
  sendEmail: boolean;
  source: 'portal' | 'desk' | 'email' | 'api';
  author: { id: number; name: string; role: Role };
  timeSpentMinutes: number | null;
  timeSpentDate: string | null;
  createdAt: string;
  mail: { to: string; status: MailStatus }[];
  /** Files of the message: attached in the portal or the desk, or come with a reply by mail. */
  attachments?: AttachmentSummary[];
  /** A message that came by mail: what was trimmed from it (staff: every one; a requester: their own). */
  trimmed?: string | null;
}

export interface PostMessageResult {
  message: Message;
  notifications: { id: number; to: string; status: string }[];
}

export type UnavailableFix = 'parameter-417' | 'smtp-account';
export interface MessagingStatus {
  available: boolean;
  reasons: { code: string; message?: string; fix?: UnavailableFix }[];
}

export interface Parameter {
  id: number;
  type: 'templateId' | 'groupId' | 'email' | 'boolean' | 'text' | 'secret' | 'host' | 'port' | 'enum';
  description: string;
  options?: string[];
  value: string | number | boolean | null;
  set: boolean;
}

export interface EmailTemplate {
  id: number;
  name: string;
  subject: string;
  html: string;
  text: string | null;
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface TemplateKey {
  name: string;
  aliases: string[];
  origin: 'citsmart' | 'parley';
  description: string;
}

export interface Rendered {
  subject: string;
  html: string;
  text: string;
  ticketNumber: number | null;
}

export type SmtpSecurity = 'none' | 'starttls' | 'tls';
export interface SmtpAccount {
  host: string | null;
  port: number;
  security: SmtpSecurity;
  auth: boolean;
  user: string | null;
  passwordSet: boolean;
  from: string | null;
  fromName: string | null;
  allowInvalidCertificate: boolean;
}

export interface User {
  id: number;
  email: string;
  name: string;
  role: Role;
  locale: Locale;
  timeZone: string;
  active: boolean;
  groupIds: number[];
  createdAt: string;
}

export interface Group {
  id: number;
  name: string;
  memberIds: number[];
}

/** `GET /staff`: active technicians and admins, sorted by name. */
export interface StaffMember {
  id: number;
  name: string;
  role: Exclude<Role, 'requester'>;
  groupIds: number[];
}

/** `POST /admin/smtp-account/test` and `POST /admin/email-templates/{id}/test`. */
export interface SendCheck {
  ok: boolean;
  message: string;
  messageId?: string | null;
  code?: string;
}

export const OUTBOX_STATUSES = ['queued', 'sending', 'sent', 'deferred', 'failed'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

export interface OutboxEntry {
  id: number;
  ticketNumber: number | null;
  messageId: number | null;
  to: string;
  toName: string;
  subject: string;
  status: OutboxStatus;
  messageIdHeader: string;
  attemptCount: number;
  nextAttemptAt: string | null;
  lastReply: string | null;
  /** The last reply as a code the page translates (SERVER_REPLY: the server's own words, in `lastReplyParams.reply`). */
  lastReplyCode?: string | null;
  lastReplyParams?: Record<string, unknown> | null;
  createdAt: string;
  sentAt: string | null;
}

export interface OutboxDetail extends OutboxEntry {
  html: string;
  text: string;
  attempts: {
    at: string;
    result: string;
    reply: string | null;
    code?: string | null;
    params?: Record<string, unknown> | null;
  }[];
}

export interface CapturedSummary {
  id: number;
  receivedAt: string;
  envelope: { from: string | null; to: string[] };
  messageId: string | null;
  from: string | null;
  to: string | null;
  subject: string;
  size: number;
}

export interface CapturedMail extends CapturedSummary {
  replyTo: string | null;
  text: string;
  html: string | null;
  headers: Record<string, string>;
}

/** `GET /inbound-mail`: received mail and what became of it (`held`: waiting for a person to review it). */
export const INBOUND_STATUSES = ['received', 'posted', 'held', 'discarded', 'loop', 'bounce', 'duplicate'] as const;
export type InboundStatus = (typeof INBOUND_STATUSES)[number];

/** Why a mail was held (or how it was decided): a stable code, worded by the app in the user's language. */
export const INBOUND_REASONS = [
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
  'unverified-bounce',
  'sender-not-verified',
  'auto-submitted',
  'precedence',
  'x-loop',
  'null-return-path',
  'own-notification',
  'auto-reply',
  'bounce-of-notification',
  'bounce-unknown',
  'same-message-id',
  'same-content',
  'reply',
  'new-ticket',
  'attached-by-reviewer',
  'discarded-by-reviewer',
] as const;
export type InboundReason = (typeof INBOUND_REASONS)[number];

export interface InboundSummary {
  id: number;
  receivedAt: string;
  status: InboundStatus;
  reason: string | null;
  /** The server's own sentence (English, with the particulars: addresses, ticket numbers). */
  reasonText: string | null;
  from: { address: string | null; name: string | null };
  envelopeFrom: string | null;
  envelopeTo: string[];
  subject: string | null;
  messageIdHeader: string | null;
  size: number;
  /** The ticket it was posted to, or (held) the one it seemed to belong to. */
  ticketNumber: number | null;
  messageId: number | null;
  outboxId: number | null;
  duplicateOf: number | null;
  resolvedById: number | null;
  resolvedAt: string | null;
  /** When the original bytes were removed (PARLEY_INBOUND_KEEP_RAW_DAYS after the mail was decided), or null. */
  rawRemovedAt?: string | null;
}

export interface InboundDetail extends InboundSummary {
  sha256: string;
  /** The reply text (quotes and signature removed): what is posted. */
  text: string | null;
  /** What was removed from the reply (quoted history, signature). */
  trimmed: string | null;
  attempts: number;
  updatedAt: string;
}

export interface InboundAttachResult {
  mail: InboundDetail;
  message: Message;
  notifications: { id: number; to: string; status: string }[];
}

/** What a delivery attempt (or a test mail) came to, as the API codes it. */
export interface DeliveryResult {
  code: string;
  params: Record<string, unknown>;
}

/** POST /admin/smtp-account/verify */
export interface SmtpVerifyResult {
  ok: boolean;
  code: string;
  message: string;
  /** Whether the check signed in (false when no authentication is configured or the server offered none). */
  signedIn?: boolean;
}

/** POST /admin/smtp-account/test and /admin/email-templates/{id}/test */
export interface TestMailResult {
  ok: boolean;
  code?: 'SENT' | 'SMTP_NOT_CONFIGURED' | 'DELIVERY_FAILED';
  message: string;
  messageId: string | null;
  result?: DeliveryResult | null;
}
