import type { Message, MessageSource } from '../domain/messages/message.ts';
import type { Attachment, MailAttachment, NewAttachment, StoredAttachment } from '../domain/messages/attachment.ts';
import type { NewOutboxEntry, OutboxAttempt, OutboxEntry, OutboxStatus } from '../domain/notifications/outbox-entry.ts';
import type { EmailTemplate } from '../domain/templates/email-template.ts';
import type { Ticket } from '../domain/tickets/ticket.ts';
import type { TicketStatus } from '../domain/tickets/ticket-status.ts';
import type { Locale } from '../domain/locale.ts';
import type { InboundMail, InboundOutcome, InboundStatus, RawMail } from '../domain/inbound/inbound-mail.ts';
import type { Role, User } from '../domain/users/user.ts';
import type { ApiToken, NewApiToken } from '../domain/users/api-token.ts';

/** A write broke a uniqueness rule (an email, a group name): raised by adapters, mapped to a conflict by the domain. */
export class UniqueViolation extends Error {
  override name = 'UniqueViolation';
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface PageRequest {
  cursor?: string | null;
  limit: number;
}

export interface Group {
  id: number;
  name: string;
  memberIds: number[];
}

export interface NewUser {
  role: Role;
  email: string;
  name: string;
  locale: Locale;
  timeZone: string;
  passwordHash: string | null;
}

/** The fields of a user an administrator (or the user, for locale and time zone) may change. */
export interface UserChanges {
  name?: string;
  role?: Role;
  locale?: Locale;
  timeZone?: string;
  active?: boolean;
  passwordHash?: string;
}

export interface NewTicket {
  title: string;
  description: string;
  requesterId: number;
  contactName: string | null;
  registeredById: number;
  groupId: number | null;
  responsibleId: number | null;
  demandType: string | null;
  activity: string | null;
  relatedService: string | null;
  portfolio: string | null;
  category: string | null;
}

export type TicketChanges = Partial<
  Pick<
    Ticket,
    | 'title'
    | 'status'
    | 'groupId'
    | 'responsibleId'
    | 'demandType'
    | 'activity'
    | 'relatedService'
    | 'portfolio'
    | 'category'
  >
>;

/** Which tickets a listing may show: a requester's own, a technician's (groups and responsibility), or all. */
export type TicketScope =
  | { kind: 'requester'; requesterId: number }
  | { kind: 'technician'; userId: number; groupIds: readonly number[] }
  | { kind: 'all' };

export interface TicketFilter {
  status?: TicketStatus;
  responsibleId?: number;
  unassigned?: boolean;
  groupId?: number;
}

export interface NewMessage {
  ticketId: number;
  authorId: number;
  text: string;
  internal: boolean;
  sendEmail: boolean;
  source: MessageSource;
  timeSpentMinutes: number | null;
  timeSpentDate: string | null;
  createdAt: string;
}

export interface TemplateRow {
  name: string;
  subject: string;
  html: string;
  text: string | null;
  active: boolean;
}

export interface OutboxClaim {
  now: string;
  leaseUntil: string;
  token: string;
  limit: number;
}

export interface OutboxOutcome {
  status: 'sent' | 'deferred' | 'failed';
  at: string;
  reply: string;
  nextAttemptAt: string | null;
}

/**
 * Which inbound mails a listing shows: a status, and the mails of the tickets a scope sees, plus those of no ticket
 * when `withoutTicket` (default: not; scope `all` shows every mail).
 */
export interface InboundFilter {
  status?: InboundStatus;
  scope: TicketScope;
  withoutTicket?: boolean;
}

/** A notification found by its Message-ID (a reply's In-Reply-To/References, a bounce's Original-Message-ID). */
export interface OutboxReference {
  id: number;
  ticketId: number | null;
  recipientId: number | null;
  messageIdHeader: string;
  status: OutboxStatus;
}

export type ActorKey = { userId: number } | { email: string } | { tokenHash: string } | { sessionHash: string };

export interface Session {
  userId: number;
  csrfHash: string;
  expiresAt: string;
}

/** Everything Parley keeps. Each method is one statement or a short read; `transaction` groups them. */
export interface Repositories {
  // users and groups
  createUser(user: NewUser, at: string): Promise<User>;
  findUserById(id: number): Promise<User | undefined>;
  /**
   * A user with their group ids in one read, found by id, email (normalised), API-token digest (with the token) or
   * session digest (with the session).
   */
  findActor(
    key: ActorKey,
  ): Promise<{ user: User; groupIds: number[]; session: Session | null; token?: ApiToken | null } | undefined>;
  findUserByEmail(email: string): Promise<(User & { passwordHash: string | null }) | undefined>;
  listUsers(page: PageRequest): Promise<Page<User>>;
  countUsers(): Promise<number>;
  createGroup(name: string): Promise<Group>;
  findGroup(id: number): Promise<Group | undefined>;
  findGroupByName(name: string): Promise<Group | undefined>;
  listGroups(): Promise<Group[]>;
  addGroupMember(groupId: number, userId: number): Promise<void>;
  removeGroupMember(groupId: number, userId: number): Promise<void>;
  updateUser(id: number, changes: UserChanges): Promise<User | undefined>;
  /** Makes `groupIds` the user's groups (memberships added and removed). */
  setUserGroups(userId: number, groupIds: readonly number[]): Promise<void>;
  renameGroup(id: number, name: string): Promise<Group | undefined>;
  /** Removes a group and its memberships; false when there is no such group. Tickets must have left it first. */
  deleteGroup(id: number): Promise<boolean>;
  countTicketsOfGroup(groupId: number): Promise<number>;
  /** Active technicians and admins, by name: who a ticket can be assigned to. */
  listStaff(): Promise<(User & { groupIds: number[] })[]>;
  groupIdsOfUser(userId: number): Promise<number[]>;
  /** Group ids of several users at once, by user id. */
  groupIdsOfUsers(userIds: readonly number[]): Promise<Map<number, number[]>>;
  /** Active technicians and admins of a group: who is told while nobody is responsible. */
  staffOfGroup(groupId: number): Promise<User[]>;

  // tickets and messages
  createTicket(ticket: NewTicket, at: string): Promise<Ticket>;
  /** The users a ticket copies (Cc), in the order they were added. */
  ticketCopies(ticketId: number): Promise<User[]>;
  /** Makes the ticket copy exactly these users (keeping when each was first added); announces the ticket. */
  setTicketCopies(ticketId: number, userIds: readonly number[], at: string): Promise<void>;
  findTicketByNumber(number: number): Promise<Ticket | undefined>;
  listTickets(scope: TicketScope, filter: TicketFilter, page: PageRequest): Promise<Page<Ticket>>;
  updateTicket(id: number, changes: TicketChanges, at: string): Promise<void>;
  /**
   * Stores a message, moves its ticket's activity time and queues its notification mails — all of it or none — and
   * wakes the dispatchers once committed when mails were queued. Returns the ids, mails in the order given.
   */
  storeMessage(
    message: NewMessage,
    mails: readonly Omit<NewOutboxEntry, 'messageId'>[],
  ): Promise<{ messageId: number; outboxIds: number[] }>;
  /**
   * `storeMessage` for a message that an inbound mail became: in the same atomic write the mail gets `outcome`, with
   * the new message's id, but only while it is still in one of `fromStatuses`; when it is not (another process
   * decided it), nothing is stored and undefined is returned. One statement on PostgreSQL.
   */
  storeInboundMessage(
    message: NewMessage,
    mails: readonly Omit<NewOutboxEntry, 'messageId'>[],
    inbound: { id: number; outcome: InboundOutcome; fromStatuses: readonly InboundStatus[] },
  ): Promise<{ messageId: number; outboxIds: number[] } | undefined>;
  listMessages(ticketId: number, includeInternal: boolean): Promise<Message[]>;

  // parameters and templates
  getParameters(): Promise<Map<number, string>>;
  /** The stored parameters and, in the same read, the template the given parameter names (if it exists). */
  getParametersWithTemplate(
    templateParameter: number,
  ): Promise<{ parameters: Map<number, string>; template: EmailTemplate | undefined }>;
  setParameter(id: number, storedValue: string | null, at: string, byUserId: number | null): Promise<void>;
  createTemplate(t: TemplateRow, at: string): Promise<EmailTemplate>;
  updateTemplate(id: number, t: TemplateRow, at: string): Promise<EmailTemplate | undefined>;
  /**
   * `lock` (inside a transaction): 'share' keeps the template from changing until commit (setting 417 to it);
   * 'update' waits for such readers (deactivating or deleting it). SQLite transactions are serial already.
   */
  findTemplate(id: number, lock?: 'share' | 'update'): Promise<EmailTemplate | undefined>;
  listTemplates(): Promise<EmailTemplate[]>;
  deleteTemplate(id: number): Promise<boolean>;

  // outbox
  findOutboxEntry(id: number): Promise<(OutboxEntry & { attempts: OutboxAttempt[] }) | undefined>;
  listOutbox(status: OutboxStatus | undefined, page: PageRequest): Promise<Page<OutboxEntry>>;
  outboxOfMessages(messageIds: readonly number[]): Promise<OutboxEntry[]>;
  outboxCounts(): Promise<Record<OutboxStatus, number>>;
  /** Claims due entries (queued or deferred, next attempt reached) for one dispatcher; each entry goes to one claimer. */
  claimOutbox(claim: OutboxClaim): Promise<OutboxEntry[]>;
  /** Entries whose claim expired (their dispatcher died mid-send) become due again; returns how many. */
  requeueExpiredClaims(now: string): Promise<number>;
  /** Extends a dispatcher's claims that are still its own; returns their ids. */
  renewClaims(token: string, leaseUntil: string): Promise<number[]>;
  /**
   * Records attempts and the entries' new states in one transaction, each only if its claim is still this
   * dispatcher's; returns the ids recorded.
   */
  finishOutboxAttempts(
    claimToken: string,
    outcomes: readonly { id: number; outcome: OutboxOutcome }[],
  ): Promise<number[]>;
  /** A deferred or failed entry is due again now; undefined when there is no such entry. */
  retryOutboxNow(id: number, at: string): Promise<OutboxEntry | undefined>;
  /** Wakes the dispatchers once the current transaction commits (PostgreSQL NOTIFY; in-process otherwise). */
  signalOutbox(): Promise<void>;

  // inbound mail
  /**
   * Stores a received mail (status `received`); returns its id. Committed when the promise resolves. `attempts`
   * (default 0): processing attempts already counted, 1 when processing starts right after in this process.
   */
  insertInboundMail(mail: RawMail, at: string, attempts?: number): Promise<number>;
  findInboundMail(id: number): Promise<InboundMail | undefined>;
  /** The raw bytes of an inbound mail, exactly as received. */
  inboundRaw(id: number): Promise<Uint8Array | undefined>;
  /** Newest first. */
  listInboundMail(filter: InboundFilter, page: PageRequest): Promise<Page<InboundMail>>;
  /** Ids of mails still `received` (not yet processed, or interrupted), oldest first. */
  pendingInboundMail(limit: number): Promise<number[]>;
  /** Gives back the attempt counted at receipt for mails still `received` that were never processed (a stop). */
  releaseInboundAttempts(ids: readonly number[]): Promise<void>;
  /**
   * Removes the original bytes of up to `limit` decided mails (posted, duplicate, bounce, discarded) last changed
   * before `before`, marking them removed at `at`; returns how many. Mail a reviewer may still take (held, loop) keeps
   * its original.
   */
  removeInboundRaw(before: string, at: string, limit: number): Promise<number>;
  /** Counts a processing attempt; returns the new count. */
  countInboundAttempt(id: number): Promise<number>;
  /**
   * A processing attempt, in one write: counts it on a mail still `received` and returns the mail (attempts
   * included) with its raw bytes. A mail already decided comes back as it is, uncounted and without bytes.
   */
  beginInboundAttempt(id: number): Promise<{ mail: InboundMail; raw: Uint8Array | null } | undefined>;
  /**
   * Claims a duplicate key (Message-ID or content hash) for a mail and returns the id of the mail that holds it (the
   * given mail if it claimed it now or before). When the given mail holds it and `sender` is given, the mail also
   * counts against that sender's cap: `recent` is how many other mails of the same sender key (the address when the
   * sender was proven, `unverified:` and the address otherwise) received since `sender.since` counted before it
   * (null otherwise). One atomic write; mails of one sender claiming at once, in any process, are
   * counted one after the other, each seeing those before it.
   */
  claimInboundMail(
    id: number,
    key: string,
    sender: { key: string; since: string } | null,
  ): Promise<{ holder: number; recent: number | null }>;
  /** Gives a mail its outcome if it is still in one of `fromStatuses`; false when it was not (someone else decided). */
  finishInboundMail(id: number, outcome: InboundOutcome, fromStatuses: readonly InboundStatus[]): Promise<boolean>;
  /** Notifications with these Message-ID headers. */
  outboxByMessageIds(messageIdHeaders: readonly string[]): Promise<OutboxReference[]>;
  /** A notification that bounced: `failed`, with an attempt `bounced` carrying the report's status and diagnostic. */
  recordOutboxBounce(id: number, at: string, reply: string): Promise<boolean>;

  // attachments (of inbound mail)
  /** Stores attachments with their bytes; ids are generated by the caller. Use inside the transaction of what they belong to. */
  insertAttachments(attachments: readonly NewAttachment[], at: string): Promise<void>;
  /** Attachments of these messages (without bytes), by message then position. */
  attachmentsOfMessages(messageIds: readonly number[]): Promise<Attachment[]>;
  /** What was trimmed (quoted history, signature) from the mails these messages came from; only non-empty ones. */
  trimmedOfMessages(messageIds: readonly number[]): Promise<{ messageId: number; trimmed: string }[]>;
  /** The attachments the notification mails of these messages may carry (without bytes), inline ones left out. */
  mailAttachments(messageIds: readonly number[]): Promise<MailAttachment[]>;
  /** Attachments of a ticket that belong to no message (the mail that opened it), without bytes. */
  attachmentsOfTicket(ticketId: number): Promise<Attachment[]>;
  /** Attachments of an inbound mail (without bytes), by position. */
  attachmentsOfInboundMail(inboundMailId: number): Promise<Attachment[]>;
  /** One attachment (without bytes) with its message's `internal` flag. */
  findAttachment(id: string): Promise<StoredAttachment | undefined>;
  attachmentContent(id: string): Promise<Uint8Array | undefined>;
  /** Gives a held mail's attachments (not yet in a thread) their ticket and message; returns how many. */
  linkInboundAttachments(inboundMailId: number, ticketId: number, messageId: number): Promise<number>;
  /** Removes the attachments of an inbound mail that never reached a thread (a discarded mail); returns how many. */
  deleteUnlinkedInboundAttachments(inboundMailId: number): Promise<number>;

  // sessions and API tokens (only hashes are stored)
  createSession(idHash: string, session: Session, at: string): Promise<void>;
  findSession(idHash: string): Promise<Session | undefined>;
  deleteSession(idHash: string): Promise<void>;
  deleteExpiredSessions(now: string): Promise<number>;
  /** Ends every session of a user but the one whose digest is `exceptHash`; returns how many ended. */
  deleteSessionsOfUser(userId: number, exceptHash: string | null): Promise<number>;
  createApiToken(tokenHash: string, token: NewApiToken, at: string): Promise<number>;
  findApiTokenUser(tokenHash: string): Promise<number | undefined>;
  /** A user's API tokens (never their digests), newest first. */
  listApiTokens(userId: number): Promise<ApiToken[]>;
  /** Revokes (removes) one token of a user; false when the user has no such token. */
  deleteApiToken(userId: number, id: number): Promise<boolean>;
  /** Revokes every token of a user; returns how many. */
  deleteApiTokensOfUser(userId: number): Promise<number>;
  /**
   * Records that a token was used at `at`, unless its last use was recorded after `notBefore` (a write at most once
   * a minute per token, whatever the traffic). Moves no cache: who the token is does not change.
   */
  touchApiToken(id: number, at: string, notBefore: string): Promise<void>;
}

/** What else `onTicketActivity` can report besides tickets. */
export interface ActivityListeners {
  /** `signalInbound` was called (by any process on PostgreSQL), with the ticket the mail names (null: none). */
  inbound?: (ticketId: number | null) => void;
  /** Signals may have been lost (PostgreSQL: the listening connection was re-opened): pages should refetch. */
  missed?: () => void;
}

export interface Storage extends Repositories {
  /** Runs `work` in one database transaction: all of it is stored, or none. */
  transaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T>;
  /** Answers when the database can be reached. */
  ping(): Promise<void>;
  /** Calls `listener` when new mail may be due (signalled by any process on PostgreSQL, by this one on SQLite). */
  onOutboxSignal(listener: () => void): Promise<() => Promise<void>>;
  /**
   * Calls `listener` with ticket ids after a commit changed their thread, status or mail states (`staffOnly`: only an
   * internal note was added, which requesters must not hear of): from any process on
   * PostgreSQL (NOTIFY), from this one on SQLite (plus what `relayTicketActivity` passes on from a child process).
   */
  onTicketActivity(
    listener: (ticketIds: number[], staffOnly: boolean) => void,
    also?: ActivityListeners,
  ): Promise<() => Promise<void>>;
  /**
   * The mail waiting for review changed (a mail held, attached or discarded): the pages of the staff who may review
   * it refresh their count. `ticketId`: the ticket the mail names (before it was attached), null or absent for none.
   */
  signalInbound(ticketId?: number | null): Promise<void>;
  /** SQLite: activity another process of this install reported (the dispatcher child); nothing on PostgreSQL. */
  relayTicketActivity(ticketIds: readonly number[], staffOnly?: boolean): void;
  close(): Promise<void>;
  readonly dialect: 'sqlite' | 'postgres';
}
