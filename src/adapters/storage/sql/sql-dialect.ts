import type { Kysely, RawBuilder, Transaction } from 'kysely';
import type { InboundOutcome, InboundStatus } from '../../../domain/inbound/inbound-mail.ts';
import type { OutboxOutcome } from '../../../ports/storage/outbox.ts';
import type { SenderClaim } from '../../../ports/storage/inbound-mail.ts';
import type { MessageMails } from '../../../ports/storage/unit-of-work.ts';
import type { NewMessage } from '../../../ports/storage/messages.ts';
import type { Database } from './schema.ts';
import type { ActivitySignals } from '../../../ports/storage/activity.ts';

/**
 * Something a committed write changed, which live pages and dispatchers hear of. `outbox-withdrawn`: mail a dispatcher
 * may be sending was taken back (cancelled, or queued again changed) or webhook deliveries it may be posting were
 * deleted, so dispatchers renew their claims at once.
 */
export type Activity =
  | { kind: 'ticket'; ticketId: number; staffOnly: boolean }
  | { kind: 'outbox' }
  | { kind: 'outbox-withdrawn' }
  | { kind: 'webhook' };

/**
 * What differs between the databases, named (as Kysely's `DialectAdapter` names `supportsReturning`): the shared
 * repositories ask for a capability, and `sqlite/` and `postgres/` implement it. Optional members are capabilities
 * a database may lack; the repositories then use the portable way (several statements; in one transaction where
 * atomicity needs it).
 */
export interface SqlDialect {
  /** Keys the prepared-query cache (each database compiles its own SQL). */
  readonly name: 'sqlite' | 'postgres';
  /**
   * Concurrent transactions: reads that guard a decision lock the rows they read (`for share`, `for update`), and
   * claimers skip each other's locked rows (`for update skip locked`). False where write transactions are serial.
   */
  readonly locksRows: boolean;
  /** One join is cheaper than two primary-key reads (a server round trip); false for an in-process database. */
  readonly joinsBeatReads: boolean;
  /** The database server's clock now, as an ISO 8601 UTC string (SQLite: this machine's clock). */
  serverTime(): RawBuilder<string>;
  /** The ids a correlated subquery's rows carry (`c.user_id` of `ticket_copy c`), as one comma-separated text. */
  joinIds(column: RawBuilder<unknown>): RawBuilder<string | null>;
  /** The texts of a correlated subquery's rows (texts without line breaks), one per line, in `order`. */
  joinLines(column: RawBuilder<unknown>, order: RawBuilder<unknown>): RawBuilder<string | null>;
  /**
   * An id compared with a column, hidden from the planner's statistics of that column's values: a plan for an
   * average one. PostgreSQL: a scalar subquery (its value is not known when the plan is made; `ticket_id =` it still
   * uses an index). SQLite: the id as given (its plans of these reads keep to their index with or without ANALYZE).
   */
  unseenId(id: number): RawBuilder<number>;
  /**
   * Full-text search (the queue's): a query of the ids of the tickets whose title, or one message's text, holds
   * every word (each a prefix); internal notes count only when `internal`. PostgreSQL: `to_tsvector('simple', …)`
   * with GIN indexes; SQLite: FTS5 tables kept in step by triggers (migration 015).
   */
  ticketsMatchingWords(db: Db, words: readonly string[], internal: boolean): RawBuilder<number>;
  /** A condition on `ticket`: its title and description hold every word (each a prefix), as `ticketsMatchingWords` finds them. */
  titleHoldsWords(words: readonly string[]): RawBuilder<boolean>;
  /**
   * A condition on `ticket`, checked ticket by ticket: one of its messages holds every word (each a prefix);
   * internal notes count only when `internal`. For a walk of the tickets in order that stops after a page.
   */
  messageHoldsWords(words: readonly string[], internal: boolean): RawBuilder<boolean>;
  /**
   * Whether about `atLeast` messages or more hold the words, cheaply: SQLite counts them in the full-text index, up to
   * `atLeast`; PostgreSQL reads the planner's estimate for the whole words (the index's statistics), reading no row.
   * Internal notes are counted either way. Only chooses how a search runs, never what it finds.
   */
  manyMessagesHoldWords(db: Db, words: readonly string[], atLeast: number): Promise<boolean>;
  /** Stores a message with its ticket's activity time, its mails and (optionally) an inbound outcome in one statement. */
  storeMessageInOneStatement?(
    ctx: SqlContext,
    message: NewMessage,
    mails: MessageMails,
    inbound?: { id: number; outcome: InboundOutcome; fromStatuses: readonly InboundStatus[] },
  ): Promise<{ messageId: number; outboxIds: number[] } | undefined>;
  /** Records a dispatcher's outcomes (the entries still its own) in one statement; returns the ids recorded. */
  finishOutboxAttemptsInOneStatement?(
    ctx: SqlContext,
    claimToken: string,
    outcomes: readonly { id: number; outcome: OutboxOutcome }[],
  ): Promise<number[]>;
  /**
   * Runs the migrations alone where Kysely's migrator takes no lock (SQLite: it counts on having the only
   * connection, so two processes opening one new file would both create the first tables): in one write
   * transaction, rolled back when they fail, so another process waits for it and then finds them applied. Absent
   * (PostgreSQL): the migrator's advisory lock already makes a second process wait.
   */
  migrateAlone?<T>(db: Kysely<Database>, migrate: () => Promise<T>): Promise<T>;
  /**
   * The limits on this connection's user's connections: the server's (less what it reserves for others than this
   * user), and the role's and the database's CONNECTION LIMIT when set; each with how many count against it now
   * (this connection included). Absent (SQLite, a file of this machine): no limit.
   */
  connectionLimit?(db: Kysely<Database>): Promise<ConnectionLimit[]>;
  /** Claims an inbound mail's duplicate key and its place under the sender cap in one call. */
  claimInboundMailInOneCall?(
    ctx: SqlContext,
    id: number,
    key: string,
    sender: SenderClaim | null,
  ): Promise<{ holder: number; recent: number | null }>;
}

/** The storage's signals on one database, and how the changes a commit noted reach this process's listeners. */
export interface SqlSignals extends ActivitySignals {
  /**
   * Emits what a committed write noted (`SqlContext.note`), after its commit: PostgreSQL gathers the NOTIFYs of the
   * next few ms into a statement of their own (never inside the write's transaction, see `NotifySignals`); SQLite
   * emits in the process. Never fails: the write is committed, and a signal lost is made up by the listeners' polls.
   */
  deliver(activities: readonly Activity[]): Promise<void> | void;
  /** Sends what `deliver` has gathered and not sent yet (before the connections close). */
  flush?(): Promise<void>;
}

export type Db = Kysely<Database> | Transaction<Database>;

/** A limit on connections (`SqlDialect.connectionLimit`): whose, how many, and how many count against it now. */
export interface ConnectionLimit {
  of: 'server' | 'role' | 'database';
  allowed: number;
  inUse: number;
}

/** A SQLite connection that runs statements synchronously (better-sqlite3), given by the SQLite adapter. */
export interface DirectSqlite {
  run<R>(sql: string, parameters: readonly unknown[]): R[];
  /** No transaction is open on the connection. */
  idle(): boolean;
}

/** Where the repositories run: a connection (or an open transaction) of one database, and what they may call on. */
export interface SqlContext {
  readonly db: Db;
  readonly dialect: SqlDialect;
  /** An open transaction is this context's. */
  readonly inTransaction: boolean;
  /**
   * Tells listeners of changes: noted until the commit in a transaction, handed to the signals at once outside one
   * (the statement that made them has committed; PostgreSQL's gather them for a few ms). Never fails.
   */
  note(...activities: Activity[]): Promise<void>;
  /** Runs `work` atomically: in this context's transaction, or in a new one (whose notes are emitted at commit). */
  atomically<T>(work: (ctx: SqlContext) => Promise<T>): Promise<T>;
  /** SQLite: the connection itself, for prepared queries run directly (see `prepared`). */
  readonly direct?: DirectSqlite;
  /** How the queue's search chooses its plan (tests make it small); defaults in `ticket-search-plan.ts`. */
  readonly searchTuning?: SearchTuning;
  /** Facts read once for the storage and kept for its life (shared by every context of it). */
  readonly memo: StorageMemo;
}

/** See `SqlContext.memo`. */
export interface StorageMemo {
  /** The last mail keyed when migration 039 ran; 0: none, so no key of the earlier format is looked up. */
  earlierKeysUntil?: number;
}

/** From how many messages holding the words a search walks the tickets in order instead of gathering them all. */
export interface SearchTuning {
  walkFromMessages: number;
}
