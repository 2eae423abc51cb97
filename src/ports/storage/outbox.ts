import type {
  NewOutboxEntry,
  OutboxAttempt,
  OutboxEntry,
  OutboxStatus,
} from '../../domain/notifications/outbox-entry.ts';
import type { NewWebhookDelivery } from '../../domain/webhooks/webhook.ts';
import type { Page, PageRequest } from './common.ts';

export interface OutboxClaim {
  now: string;
  leaseUntil: string;
  token: string;
  limit: number;
  /** Only these entries, if still due (a take-over claims the mail it re-queued, not older mail due before it). */
  ids?: readonly number[];
}

export interface OutboxOutcome {
  status: 'sent' | 'deferred' | 'failed';
  at: string;
  reply: string;
  nextAttemptAt: string | null;
  /** The `mail.*` webhook deliveries of this outcome, queued in its transaction only if it is recorded. */
  webhooks?: readonly NewWebhookDelivery[];
}

/** What a `mail.*` webhook says of a notification besides its outcome: whose ticket, to whom, an internal note's. */
export interface OutboxMailFacts {
  id: number;
  ticketId: number | null;
  ticketNumber: number | null;
  messageId: number | null;
  toAddress: string;
  attemptCount: number;
  /** The mail of an internal note (staff only). */
  internal: boolean;
}

/** A notification found by its Message-ID (a reply's In-Reply-To/References, a bounce's Original-Message-ID). */
export interface OutboxReference {
  id: number;
  ticketId: number | null;
  recipientId: number | null;
  messageIdHeader: string;
  status: OutboxStatus;
  /** Whether an erasure emptied it (`erasedAt` of the entry). */
  erased: boolean;
  /** Whether an erasure took a person out of its Cc (`ccErasedAt` of the entry). */
  ccErased: boolean;
}

/** A notification as a delivery report about it is recorded against (`outboxEntryForReport`). */
export type ReportedEntry = Pick<OutboxEntry, 'toAddress' | 'cc' | 'erasedAt' | 'ccErasedAt'>;

/**
 * The notification mails and their delivery attempts (a message's entries are queued with it, `UnitOfWork`; the mails
 * of other events with `queueMails`, in the transaction of the event).
 */
export interface OutboxRepository {
  /** Queues mails tied to no message (a ticket's events) and wakes the dispatchers once committed; returns their ids. */
  queueMails(mails: readonly NewOutboxEntry[], at: string): Promise<number[]>;
  findOutboxEntry(id: number): Promise<(OutboxEntry & { attempts: OutboxAttempt[] }) | undefined>;
  listOutbox(status: OutboxStatus | undefined, page: PageRequest): Promise<Page<OutboxEntry>>;
  outboxOfMessages(messageIds: readonly number[]): Promise<OutboxEntry[]>;
  outboxCounts(): Promise<Record<OutboxStatus, number>>;
  /** When the oldest mail still waiting to be sent (queued or deferred) was queued; null when none waits. */
  oldestWaitingOutboxAt(): Promise<string | null>;
  /**
   * The earliest time a mail still waiting (queued or deferred) is due to be tried: in the past, that mail waits for
   * a dispatcher; a mail deferred to later is not overdue. Null when none waits.
   */
  firstDueOutboxAt(): Promise<string | null>;
  /** Claims due entries (queued or deferred, next attempt reached) for one dispatcher; each entry goes to one claimer. */
  claimOutbox(claim: OutboxClaim): Promise<OutboxEntry[]>;
  /** Entries whose claim expired (their dispatcher died mid-send) become due again; returns their ids. */
  requeueExpiredClaims(now: string): Promise<number[]>;
  /**
   * When the first claim still held by any dispatcher (status `sending`) ends, or null when none is held: an idle
   * dispatcher wakes then, so a dead dispatcher's mail is taken over as soon as its lease runs out.
   */
  earliestClaimExpiry(): Promise<string | null>;
  /** Extends a dispatcher's claims that are still its own; returns their ids. */
  renewClaims(token: string, leaseUntil: string): Promise<number[]>;
  /**
   * Records attempts and the entries' new states, atomically, each only if its claim is still this dispatcher's;
   * returns the ids recorded.
   */
  finishOutboxAttempts(
    claimToken: string,
    outcomes: readonly { id: number; outcome: OutboxOutcome }[],
  ): Promise<number[]>;
  /** A deferred or failed entry is due again now; undefined when there is no such entry. */
  retryOutboxNow(id: number, at: string): Promise<OutboxEntry | undefined>;
  /**
   * A failed entry sent again (to a corrected address): a new queued entry naming `fromId` as the one it replaces;
   * undefined when `fromId` was replaced before (an entry is replaced once; a race ends in a unique violation).
   */
  resendOutboxEntry(fromId: number, mail: NewOutboxEntry, at: string): Promise<OutboxEntry | undefined>;
  /** The entries that replace these (sent again to a corrected address), oldest first. */
  resendsOf(ids: readonly number[]): Promise<OutboxEntry[]>;
  /** The latest mail to this person (any ticket, any kind), or undefined when none was ever queued. */
  latestOutboxTo(recipientId: number): Promise<OutboxEntry | undefined>;
  /** The Reply-To of the newest mail that has one (a reply address signed with the secret key), or null. */
  newestReplyAddress(): Promise<string | null>;
  /** Wakes the dispatchers once the current transaction commits. */
  signalOutbox(): Promise<void>;
  /** Notifications with these Message-ID headers. */
  outboxByMessageIds(messageIdHeaders: readonly string[]): Promise<OutboxReference[]>;
  /**
   * What a delivery report is recorded against: the entry's recipients and erasure times, as they are now. In a
   * transaction where rows are locked (PostgreSQL), it waits for an erasure under way on that entry, and holds it off
   * until the transaction ends: what the transaction records next is seen by that erasure, or sees it.
   */
  outboxEntryForReport(id: number): Promise<ReportedEntry | undefined>;
  /**
   * Erasure: the notifications to a recipient (by id, or by address when they name no recipient) and about them (of
   * `messageIds`, of `ticketIds`, and every one that quotes them: of a ticket where `recipientId` wrote a public
   * message, from the first on, whose text or HTML holds one of their `names` as a history line; of a ticket where a
   * public message of `quotedMail` quotes their mail, from it on, that carries its first line, naming the mail) lose
   * subject, bodies and replies, those to them their address and name too; those not yet sent are cancelled
   * (`failed`, `cancelReply`). The mail of others that copied them loses their address from its Cc and, in the
   * servers' replies, gets `replacement.address` for it (`ccEdited`: those entries, marked `ccErasedAt`). Returns the
   * erased entries' ids (`toThem`: those to them), how many were erased and how many of them cancelled.
   */
  eraseOutboxOf(
    of: {
      recipientId: number;
      /** Their names (now and before) as mails showed them: a mail that quotes them has one as a history line. */
      names: readonly string[];
      addresses: readonly string[];
      messageIds: readonly number[];
      ticketIds: readonly number[];
      /** Messages of others made from their mail (a reviewer's note quoting it), each with that mail's id. */
      quotedMail?: readonly { messageId: number; mailId: number }[];
    },
    replacement: { address: string; name: string; cancelReply: string },
    at: string,
  ): Promise<{ ids: number[]; toThem: number[]; ccEdited: number[]; erased: number; cancelled: number }>;
  /**
   * A notification that bounced: `failed`, with an attempt `bounced` carrying the report's status and diagnostic;
   * `webhooks` (its `mail.bounced` deliveries) queued with it.
   */
  recordOutboxBounce(id: number, at: string, reply: string, webhooks?: readonly NewWebhookDelivery[]): Promise<boolean>;
  /** The facts `mail.*` webhooks report of these notifications (one read for a batch). */
  outboxMailFacts(ids: readonly number[]): Promise<OutboxMailFacts[]>;
}
