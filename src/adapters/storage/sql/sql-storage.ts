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
export class SqlStorage extends SqlRepositories implements Storage {
  constructor(
    private readonly kysely: Kysely<Database>,
    readonly dialect: 'sqlite' | 'postgres',
  ) {
    super(kysely, false);
  }

  async transaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T> {
    try {
      return await this.kysely.transaction().execute((trx) => work(new SqlRepositories(trx, this.dialect === 'postgres')));
    } catch (error) {
      throw isUniqueViolation(error) ? new UniqueViolation('A unique value is already taken.', { cause: error }) : error;
    }
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
