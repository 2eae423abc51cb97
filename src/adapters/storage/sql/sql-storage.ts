import { Migrator, sql, type Kysely, type MigrationProvider } from 'kysely';
import { migrations } from '../../../../migrations/index.ts';
import { UniqueViolation, type Leadership, type Repositories, type Storage } from '../../../ports/storage.ts';
import type { Database } from './schema.ts';
import { isUniqueViolation } from './sql-context.ts';
import { createRepositories } from './sql-repositories.ts';
import { withTokenTouches } from './token-touches.ts';
import type {
  Activity,
  ConnectionLimit,
  DirectSqlite,
  SearchTuning,
  SqlContext,
  SqlDialect,
  StorageMemo,
  SqlSignals,
} from './sql-dialect.ts';

export function asUniqueViolation(error: unknown): unknown {
  return isUniqueViolation(error) ? new UniqueViolation('A unique value is already taken.', { cause: error }) : error;
}

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** Runs `work` in a new transaction; what it noted is emitted once committed. */
export type Transact = <T>(work: (ctx: SqlContext) => Promise<T>) => Promise<T>;

export interface SqlStorageOptions {
  kysely: Kysely<Database>;
  dialect: SqlDialect;
  signals: SqlSignals;
  /** SQLite: the connection, for prepared queries run directly. */
  direct?: DirectSqlite;
  /** How the queue's search chooses its plan (tests make it small); the defaults otherwise. */
  searchTuning?: SearchTuning;
  /** Wraps the repositories used outside a transaction (the read cache; SQLite: group commit). */
  wrap?: (repositories: Repositories, env: { ctx: SqlContext; transact: Transact }) => Repositories;
  /** Ends what the dialect runs beside the connection (PostgreSQL: the read cache's listening connection). */
  onClose?: () => Promise<void>;
  /**
   * Who of the dispatchers on this database leads (PostgreSQL: an advisory lock). Without it every dispatcher leads,
   * sharing the outbox by its claims (SQLite, where dispatchers are the few of one machine).
   */
  leadership?: () => Leadership;
}

/** The longest closing waits for the gathered signals to be sent (ms). */
const CLOSE_FLUSH_MS = 2000;

const ALWAYS_LEADS: Leadership = { lead: async () => true, close: async () => {} };

/** A Storage over any Kysely dialect: `sqlite/` and `postgres/` give the connection, the capabilities and signals. */
export class SqlStorage implements Storage {
  readonly people: Repositories['people'];
  readonly tickets: Repositories['tickets'];
  readonly messages: Repositories['messages'];
  readonly settings: Repositories['settings'];
  readonly outbox: Repositories['outbox'];
  readonly inbound: Repositories['inbound'];
  readonly attachments: Repositories['attachments'];
  readonly sessions: Repositories['sessions'];
  readonly processes: Repositories['processes'];
  readonly signInFailures: Repositories['signInFailures'];
  readonly audit: Repositories['audit'];
  readonly cannedAnswers: Repositories['cannedAnswers'];
  readonly webhooks: Repositories['webhooks'];
  readonly mailboxes: Repositories['mailboxes'];
  readonly mailboxOAuth: Repositories['mailboxOAuth'];
  readonly atomic: Repositories['atomic'];
  readonly signalsStayInProcess: boolean;
  private readonly kysely: Kysely<Database>;
  private readonly signals: SqlSignals;

  constructor(private readonly options: SqlStorageOptions) {
    this.kysely = options.kysely;
    this.signals = options.signals;
    this.signalsStayInProcess = options.signals.signalsStayInProcess;
    const ctx = this.context(this.kysely, null);
    const top = createRepositories(ctx);
    const repos = withTokenTouches(options.wrap ? options.wrap(top, { ctx, transact: this.transact }) : top);
    ({
      people: this.people,
      tickets: this.tickets,
      messages: this.messages,
      settings: this.settings,
      outbox: this.outbox,
      inbound: this.inbound,
      attachments: this.attachments,
      sessions: this.sessions,
      processes: this.processes,
      signInFailures: this.signInFailures,
      audit: this.audit,
      cannedAnswers: this.cannedAnswers,
      webhooks: this.webhooks,
      mailboxes: this.mailboxes,
      mailboxOAuth: this.mailboxOAuth,
      atomic: this.atomic,
    } = repos);
  }

  private readonly memo: StorageMemo = {};

  /** A context on the connection (`notes` null: changes are emitted at once) or in a transaction (noted until commit). */
  private context(db: SqlContext['db'], notes: Activity[] | null): SqlContext {
    const ctx: SqlContext = {
      db,
      dialect: this.options.dialect,
      inTransaction: notes !== null,
      note: async (...activities) => {
        if (notes) notes.push(...activities);
        else await this.signals.deliver(activities);
      },
      atomically: (work) => (notes ? work(ctx) : this.transact(work)),
      ...(this.options.direct ? { direct: this.options.direct } : {}),
      ...(this.options.searchTuning ? { searchTuning: this.options.searchTuning } : {}),
      memo: this.memo,
    };
    return ctx;
  }

  private readonly transact: Transact = async (work) => {
    const notes: Activity[] = [];
    let result;
    try {
      result = await this.kysely.transaction().execute((trx) => work(this.context(trx, notes)));
    } catch (error) {
      throw asUniqueViolation(error);
    }
    await this.signals.deliver(notes);
    return result;
  };

  transaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T> {
    return this.transact((ctx) => work(createRepositories(ctx)));
  }

  onOutboxSignal(listener: () => void) {
    return this.signals.onOutboxSignal(listener);
  }

  onOutboxWithdrawn(listener: () => void) {
    return this.signals.onOutboxWithdrawn(listener);
  }

  dispatchLeadership(): Leadership {
    return this.options.leadership?.() ?? ALWAYS_LEADS;
  }

  onWebhookSignal(listener: () => void) {
    return this.signals.onWebhookSignal(listener);
  }

  onTicketActivity(...args: Parameters<Storage['onTicketActivity']>) {
    return this.signals.onTicketActivity(...args);
  }

  signalInbound(ticketId: number | null = null) {
    return this.signals.signalInbound(ticketId);
  }

  relayTicketActivity(ticketIds: readonly number[], staffOnly = false): void {
    this.signals.relayTicketActivity(ticketIds, staffOnly);
  }

  signalPresence(...args: Parameters<Storage['signalPresence']>) {
    return this.signals.signalPresence(...args);
  }

  onPresence(...args: Parameters<Storage['onPresence']>) {
    return this.signals.onPresence(...args);
  }

  /**
   * Sends the signals gathered and not sent yet (PostgreSQL's NOTIFYs of the last few ms), waiting at most `withinMs`
   * (a database that does not answer must not hold up a shutdown). Tests call it to hear a write's signals now.
   */
  async flushSignals(withinMs = CLOSE_FLUSH_MS): Promise<void> {
    const flushing = this.signals.flush?.();
    if (!flushing) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([flushing, new Promise<void>((resolve) => (timer = setTimeout(resolve, withinMs)))]);
    clearTimeout(timer);
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.kysely);
  }

  async close(): Promise<void> {
    await this.flushSignals(CLOSE_FLUSH_MS);
    await this.options.onClose?.();
    await this.kysely.destroy();
  }

  /** The limits on this user's connections and how many count against each now; null where none (SQLite). */
  async connectionLimits(): Promise<ConnectionLimit[] | null> {
    return (await this.options.dialect.connectionLimit?.(this.kysely)) ?? null;
  }

  /** The database server's clock (SQLite: this machine's), read now. */
  async databaseTime(): Promise<Date> {
    const { rows } = await sql<{ now: string }>`select ${this.options.dialect.serverTime()} as now`.execute(
      this.kysely,
    );
    return new Date(rows[0]!.now);
  }

  /**
   * Which of this version's migrations the database lacks (`pending`), and which it has that this version does not
   * know (`unknown`: a newer version migrated it). Changes nothing.
   */
  async migrationState(): Promise<{ pending: string[]; unknown: string[] }> {
    const known = await this.migrator().getMigrations();
    const pending = known.filter((m) => m.executedAt === undefined).map((m) => m.name);
    if (pending.length === known.length) return { pending, unknown: [] };
    const names = new Set(known.map((m) => m.name));
    const { rows } = await sql<{ name: string }>`select name from parley_migration`.execute(this.kysely);
    return { pending, unknown: rows.map((r) => r.name).filter((name) => !names.has(name)) };
  }

  private migrator(): Migrator {
    return new Migrator({
      db: this.kysely,
      provider,
      migrationTableName: 'parley_migration',
      migrationLockTableName: 'parley_migration_lock',
    });
  }

  /** Applies pending migrations (alone, where the dialect says how); returns the names applied. */
  async migrate(): Promise<string[]> {
    const migrate = async () => {
      const { error, results } = await this.migrator().migrateToLatest();
      if (error)
        throw new Error(`Database migration failed: ${error instanceof Error ? error.message : String(error)}`, {
          cause: error,
        });
      return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
    };
    return this.options.dialect.migrateAlone ? this.options.dialect.migrateAlone(this.kysely, migrate) : migrate();
  }

  /** For tests and benchmarks that need the raw query builder. */
  get kyselyInstance(): Kysely<Database> {
    return this.kysely;
  }

  /** Forgets what was read once for the storage (`SqlContext.memo`): for tests that change those facts by hand. */
  forgetMemo(): void {
    for (const key of Object.keys(this.memo)) delete this.memo[key as keyof StorageMemo];
  }
}
