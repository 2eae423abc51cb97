import { EventEmitter } from 'node:events';
import { Migrator, sql, type Kysely, type MigrationProvider } from 'kysely';
import { migrations } from '../../../../migrations/index.ts';
import { UniqueViolation, type Repositories, type Storage } from '../../../ports/storage.ts';
import type { Database } from './schema.ts';
import { SqlRepositories } from './sql-repositories.ts';

/** PostgreSQL's unique_violation, SQLite's UNIQUE/PRIMARY KEY constraint failures. */
function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** A Storage over any Kysely dialect; `sqlite/` and `postgres/` only build the Kysely instance. */
export type OutboxListen = (listener: () => void) => Promise<() => Promise<void>>;

export class SqlStorage extends SqlRepositories implements Storage {
  private readonly signals = new EventEmitter();

  constructor(
    private readonly kysely: Kysely<Database>,
    readonly dialect: 'sqlite' | 'postgres',
    /** PostgreSQL: LISTEN on a connection of its own, so other processes' signals arrive too. */
    private readonly listen?: OutboxListen,
  ) {
    super(kysely, false, dialect === 'postgres');
    this.signals.setMaxListeners(100);
  }

  async transaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T> {
    let repos: SqlRepositories | undefined;
    let result: T;
    try {
      result = await this.kysely.transaction().execute((trx) => work((repos = new SqlRepositories(trx, this.dialect === 'postgres'))));
    } catch (error) {
      throw isUniqueViolation(error) ? new UniqueViolation('A unique value is already taken.', { cause: error }) : error;
    }
    if (repos?.signalled) this.signals.emit('outbox');
    return result;
  }

  /** Outside a transaction, storing a message opens one of its own (on SQLite the statements are separate). */
  override async storeMessage(...args: Parameters<SqlRepositories['storeMessage']>) {
    if (this.dialect === 'postgres') return super.storeMessage(...args);
    return this.transaction((tx) => tx.storeMessage(...args));
  }

  /** Atomic on its own: one statement on PostgreSQL, a transaction of its own on SQLite. */
  override async finishOutboxAttempt(...args: Parameters<SqlRepositories['finishOutboxAttempt']>) {
    if (this.dialect === 'postgres') return super.finishOutboxAttempt(...args);
    return this.transaction((tx) => tx.finishOutboxAttempt(...args));
  }

  override async signalOutbox(): Promise<void> {
    if (this.dialect === 'postgres') await super.signalOutbox();
    else this.signals.emit('outbox');
  }

  async onOutboxSignal(listener: () => void): Promise<() => Promise<void>> {
    if (this.listen) return this.listen(listener);
    this.signals.on('outbox', listener);
    return async () => {
      this.signals.off('outbox', listener);
    };
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.kysely);
  }

  async close(): Promise<void> {
    await this.kysely.destroy();
  }

  /** Applies pending migrations; returns the names applied. */
  async migrate(): Promise<string[]> {
    const migrator = new Migrator({ db: this.kysely, provider, migrationTableName: 'parley_migration', migrationLockTableName: 'parley_migration_lock' });
    const { error, results } = await migrator.migrateToLatest();
    if (error) throw new Error(`Database migration failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  }

  /** For tests and benchmarks that need the raw query builder. */
  get kyselyInstance(): Kysely<Database> {
    return this.kysely;
  }
}
