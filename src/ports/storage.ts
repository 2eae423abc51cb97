import type { ActivitySignals } from './storage/activity.ts';
import type { Leadership } from './storage/leadership.ts';
import type { AuditRepository } from './storage/audit.ts';
import type { CannedAnswerRepository } from './storage/canned-answers.ts';
import type { AttachmentRepository } from './storage/attachments.ts';
import type { InboundMailRepository } from './storage/inbound-mail.ts';
import type { MessageRepository } from './storage/messages.ts';
import type { OutboxRepository } from './storage/outbox.ts';
import type { PeopleRepository } from './storage/people.ts';
import type { ProcessRepository } from './storage/processes.ts';
import type { SessionRepository } from './storage/sessions.ts';
import type { SettingsRepository } from './storage/settings.ts';
import type { SignInFailureRepository } from './storage/sign-in-failures.ts';
import type { TicketRepository } from './storage/tickets.ts';
import type { UnitOfWork } from './storage/unit-of-work.ts';
import type { WebhookRepository } from './storage/webhooks.ts';
import type { MailboxRepository } from './storage/mailboxes.ts';
import type { MailboxOAuthRepository } from './storage/mailbox-oauth.ts';

export {
  AuthorGone,
  PersonErased,
  UniqueViolation,
  type Page,
  type PageRequest,
  type TicketScope,
} from './storage/common.ts';
export type { ActivityListeners, PresenceSignal } from './storage/activity.ts';
export type { Leadership } from './storage/leadership.ts';
export type { Group, NewUser, UserChanges, ActorKey, Signatures } from './storage/people.ts';
export type { Session } from './storage/sessions.ts';
export type { SignInFailure } from './storage/sign-in-failures.ts';
export type { ListedTicket, NewTicket, TicketChanges, TicketFilter, TicketSearch } from './storage/tickets.ts';
export type { NewMessage } from './storage/messages.ts';
export type { TemplateRow } from './storage/settings.ts';
export type { OutboxClaim, OutboxMailFacts, OutboxOutcome, OutboxReference, ReportedEntry } from './storage/outbox.ts';
export type { InboundFilter } from './storage/inbound-mail.ts';
export type { RoleLiveness } from './storage/processes.ts';
export type { MessageMails } from './storage/unit-of-work.ts';
export type { AuditFilter } from './storage/audit.ts';
export type { CannedAnswerFilter } from './storage/canned-answers.ts';
export type { ClaimedWebhookDelivery, WebhookClaim, WebhookOutcome } from './storage/webhooks.ts';
export type { MailboxAccountRow } from './storage/mailboxes.ts';
export type {
  ActivitySignals,
  AttachmentRepository,
  AuditRepository,
  CannedAnswerRepository,
  InboundMailRepository,
  MessageRepository,
  OutboxRepository,
  PeopleRepository,
  ProcessRepository,
  SessionRepository,
  SettingsRepository,
  SignInFailureRepository,
  TicketRepository,
  UnitOfWork,
  WebhookRepository,
  MailboxRepository,
};

/**
 * Everything Parley keeps, a repository per aggregate; `atomic` holds the writes that span aggregates. Each method
 * is one statement or a short read, except `atomic`'s and those documented as atomic; `Storage.transaction` groups
 * them.
 */
export interface Repositories {
  people: PeopleRepository;
  tickets: TicketRepository;
  messages: MessageRepository;
  settings: SettingsRepository;
  outbox: OutboxRepository;
  inbound: InboundMailRepository;
  attachments: AttachmentRepository;
  sessions: SessionRepository;
  processes: ProcessRepository;
  signInFailures: SignInFailureRepository;
  audit: AuditRepository;
  cannedAnswers: CannedAnswerRepository;
  webhooks: WebhookRepository;
  mailboxes: MailboxRepository;
  mailboxOAuth: MailboxOAuthRepository;
  atomic: UnitOfWork;
}

export interface Storage extends Repositories, ActivitySignals {
  /** Runs `work` in one database transaction: all of it is stored, or none. */
  transaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T>;
  /** A new contender for leading the outbox's dispatchers on this database (one per dispatcher). */
  dispatchLeadership(): Leadership;
  /** Answers when the database can be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Some methods of some repositories, for a function that needs only those: `Uses<{ settings: 'getParameters' }>`.
 * `Storage` and a transaction's repositories both fit.
 */
export type Uses<T extends { [K in keyof Repositories]?: keyof Repositories[K] }> = {
  [K in keyof T & keyof Repositories]: Pick<Repositories[K], T[K] & keyof Repositories[K]>;
};
