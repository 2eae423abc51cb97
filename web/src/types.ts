/**
 * Shapes of the Parley HTTP API v1 as the browser app uses them: the answers of the generated document
 * (api/schema.d.ts, from the route schemas: `npm run api:types`), narrowed where the app relies on more than the
 * schema states (a role, a status, a language as their unions). Lists and limits come from api/limits.ts.
 */
import type { Answer } from './api/routes.ts';
import type {
  AUDIT_ACTIONS,
  AUDIT_TARGETS,
  INBOUND_STATUSES,
  LOCALES,
  OUTBOX_STATUSES,
  ROLES,
  TICKET_STATUSES,
  WEBHOOK_DELIVERY_STATUSES,
  WEBHOOK_EVENTS,
} from './api/limits.ts';

export {
  AUDIT_ACTIONS,
  AUDIT_TARGETS,
  INBOUND_STATUSES,
  LOCALES,
  MAX_COPIES,
  OUTBOX_STATUSES,
  TICKET_STATUSES,
  WEBHOOK_DELIVERY_STATUSES,
  WEBHOOK_EVENTS,
} from './api/limits.ts';

/** `T` with some properties' types replaced. */
type With<T, R> = Omit<T, keyof R> & R;
/** The item of a `{ items: [...] }` answer. */
type Item<T> = T extends { items: readonly (infer I)[] } ? I : never;

export type Role = (typeof ROLES)[number];
export type Locale = (typeof LOCALES)[number];
export type TicketStatus = (typeof TICKET_STATUSES)[number];
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];
export type InboundStatus = (typeof INBOUND_STATUSES)[number];
export type AuditAction = (typeof AUDIT_ACTIONS)[number];
export type AuditTarget = (typeof AUDIT_TARGETS)[number];

export type Me = With<Answer<'/me', 'GET'>, { locale: Locale }>;

export type Named = Item<Answer<'/groups', 'GET'>>;

/** A person a ticket copies (Cc): `email` is null when a requester looks at a staff member. */
export type TicketCopy = With<Item<Answer<'/tickets/{number}/copies', 'PUT'>>, { role: Role }>;

/** A stored file, never its bytes: downloaded from /api/v1/attachments/{id}. */
export type AttachmentSummary = NonNullable<Answer<'/tickets/{number}', 'GET'>['attachments']>[number];

type TicketDetail = Answer<'/tickets/{number}', 'GET'>;
/** A ticket of a list; `attachments` and `copies` come with GET /tickets/{n} only. */
/** A ticket of the list (`GET /tickets`), with `unseen`: activity the viewer has not read. */
export type ListedTicket = Item<Answer<'/tickets', 'GET'>>;
export type Ticket = Omit<ListedTicket, 'unseen'> & {
  attachments?: TicketDetail['attachments'];
  copies?: TicketCopy[];
};

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Staff see outbox states; a requester sees waiting / sent / failed for their own messages. */
export type MailStatus = OutboxStatus | 'waiting';

/** A notification mail of a message; staff also get its id, when it was queued and the failed mail it replaces. */
export interface MailLineData {
  to: string;
  /** The people the mail copied (staff: addresses; a requester: names). */
  cc?: string[];
  status: MailStatus;
  id?: number;
  createdAt?: string;
  resentFromId?: number | null;
}

type ThreadMessage = Item<Answer<'/tickets/{number}/messages', 'GET'>>;
export type Message = With<
  ThreadMessage,
  {
    author: With<ThreadMessage['author'], { role: Role }>;
    mail: MailLineData[];
    /** Files of the message (absent in an inbound mail's answer). */
    attachments?: ThreadMessage['attachments'];
    /** A message that came by mail: what was trimmed from it (staff: every one; a requester: their own). */
    trimmed?: string | null;
  }
>;

/** A change of the ticket's status, team, responsible or copies, shown between the messages. */
export type ThreadEvent = Answer<'/tickets/{number}/messages', 'GET'>['events'][number];

/** The thread's answer: its messages and the changes of the ticket's life. */
export interface ThreadData {
  items: Message[];
  events: ThreadEvent[];
}

export type PostMessageResult = With<Answer<'/tickets/{number}/messages', 'POST'>, { message: Message }>;

export type UnavailableFix = 'parameter-417' | 'smtp-account';
type Status = Answer<'/messaging/status', 'GET'>;
export type MessagingStatus = With<
  Status,
  { reasons: With<Status['reasons'][number], { message?: string; fix?: UnavailableFix }>[] }
>;

export type Parameter = With<
  Answer<'/admin/parameters/{id}', 'GET'>,
  {
    type:
      'templateId' | 'groupId' | 'email' | 'boolean' | 'text' | 'secret' | 'host' | 'port' | 'enum' | 'days' | 'count';
    options?: string[];
  }
>;

export type EmailTemplate = Answer<'/admin/email-templates/{id}', 'GET'>;

export type TemplateKey = With<Item<Answer<'/admin/template-keys', 'GET'>>, { origin: 'citsmart' | 'parley' }>;

export type Rendered = Answer<'/admin/email-templates/preview', 'POST'>;

export type SmtpAccount = Answer<'/admin/smtp-account', 'GET'>;
export type SmtpSecurity = SmtpAccount['security'];

export type User = With<Item<Answer<'/admin/users', 'GET'>>, { locale: Locale }>;

/** What erasing a requester removed (`POST /admin/users/{id}/erase`). */
export type Erasure = Answer<'/admin/users/{id}/erase', 'POST'>;

export type Group = Answer<'/admin/groups/{id}', 'PATCH'>;
export type CopiesMode = Group['copiesMode'];
/** One's own signature with the key names it may use (staff). */
export type OwnSignature = Answer<'/me/signature', 'GET'>;
export type SavedSignature = Answer<'/me/signature', 'PUT'>;

/** `GET /staff`: active technicians and admins, sorted by name. */
export type StaffMember = With<Item<Answer<'/staff', 'GET'>>, { role: Exclude<Role, 'requester'> }>;

export type OutboxEntry = With<Item<Answer<'/admin/outbox', 'GET'>>, { status: OutboxStatus }>;

export type OutboxDetail = With<Answer<'/admin/outbox/{id}', 'GET'>, { status: OutboxStatus }>;

/** An entry of the audit log: who, when, from where, what; a secret's change carries no value (`withheld`). */
export type AuditEntry = Item<Answer<'/admin/audit', 'GET'>>;
export type AuditChange = AuditEntry['changes'][number];

export type CapturedSummary = Item<Answer<'/admin/mail-catcher', 'GET'>>;

export type CapturedMail = Answer<'/admin/mail-catcher/{id}', 'GET'>;

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
  'copy-unverified',
  'too-large',
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
  'ticket-closed',
] as const;
export type InboundReason = (typeof INBOUND_REASONS)[number];

/** `GET /inbound-mail`: received mail and what became of it (`held`: waiting for a person to review it). */
export type InboundSummary = Item<Answer<'/inbound-mail', 'GET'>>;

export type InboundDetail = Answer<'/inbound-mail/{id}', 'GET'>;

export type InboundAttachResult = With<Answer<'/inbound-mail/{id}/attach', 'POST'>, { message: Message }>;

/** POST /admin/smtp-account/test and /admin/email-templates/{id}/test */
export type TestMailResult = Answer<'/admin/smtp-account/test', 'POST'>;

/** What a delivery attempt (or a test mail) came to, as the API codes it. */
export type DeliveryResult = NonNullable<TestMailResult['result']>;

/** POST /admin/smtp-account/verify */
export type SmtpVerifyResult = Answer<'/admin/smtp-account/verify', 'POST'>;
export type Mailbox = Item<Answer<'/admin/mailboxes', 'GET'>>;
export type MailboxAuth = Mailbox['smtpAuth'];
export type ImapAuth = NonNullable<Mailbox['imapAuth']>;
/** A mailbox's OAuth2 client and the state of its grant (null: none set). */
export type MailboxOAuth = NonNullable<Answer<'/admin/mailboxes/{id}/oauth', 'GET'>>;
export type OAuthProvider = MailboxOAuth['provider'];

/** A canned answer (personal, or a team's) with its texts per language, the default first. */
export type CannedAnswer = Item<Answer<'/me/canned-answers', 'GET'>>;
/** A canned answer rendered for a ticket: the language used and the plain text for the composer. */
export type RenderedAnswer = Answer<'/tickets/{number}/canned-answers/{answerId}/render', 'POST'>;

export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];
/** An endpoint as listed; its signing secret is never in it (only in the answer that creates or replaces it). */
export type WebhookEndpoint = Item<Answer<'/admin/webhooks', 'GET'>>;
export type NewWebhookEndpoint = Answer<'/admin/webhooks', 'POST'>;
export type WebhookSecret = Answer<'/admin/webhooks/{id}/secret', 'POST'>;
export type WebhookDelivery = Item<Answer<'/admin/webhook-deliveries', 'GET'>>;
export type WebhookDeliveryDetail = Answer<'/admin/webhook-deliveries/{id}', 'GET'>;
/** Whether the latest mail to the signed-in person failed or bounced at their current address. */
export type MailTroubleAnswer = Answer<'/me/mail-trouble', 'GET'>;
