import { Migrator, sql } from 'kysely';
import { migrations } from '../../migrations/index.ts';
import { openPostgresStorage } from '../../src/adapters/storage/postgres/postgres-storage.ts';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { openSqliteStorage } from '../../src/adapters/storage/sqlite/sqlite-storage.ts';
import { createPostgresDatabase } from './databases.ts';

/** A migrator over `known` (every migration by default), with Parley's own tables of migrations and lock. */
export function migratorOf(db: SqlStorage['kyselyInstance'], known: typeof migrations = migrations): Migrator {
  return new Migrator({
    db,
    provider: { getMigrations: async () => known },
    migrationTableName: 'parley_migration',
    migrationLockTableName: 'parley_migration_lock',
  });
}

/** Applies every migration whose name sorts before `first` ('018'), as a database of an earlier version holds them. */
export async function migrateBefore(storage: SqlStorage, first: string): Promise<void> {
  const earlier = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < first));
  const { error } = await migratorOf(storage.kyselyInstance, earlier).migrateToLatest();
  if (error) throw error;
}

/** An empty database of each kind, not migrated: a migration test brings it to just before its migration. */
export const UNMIGRATED_DATABASES = [
  { name: 'SQLite', open: async () => ({ storage: openSqliteStorage(':memory:'), drop: async () => {} }) },
  {
    name: 'PostgreSQL',
    open: async () => {
      const db = await createPostgresDatabase();
      return { storage: openPostgresStorage(db.url, { max: 2 }), drop: db.drop };
    },
  },
] as const;

/**
 * A received inbound mail of one byte (`n`), written by SQL alone: a migration test's schema is an earlier version's;
 * returns its id.
 */
export async function insertReceivedMail(
  db: SqlStorage['kyselyInstance'],
  n: number,
  receivedAt: string,
): Promise<number> {
  const { rows } = await sql<{ id: number }>`insert into inbound_mail
      (received_at, updated_at, status, raw, size, sha256, envelope_to, attempts)
    values (${receivedAt}, ${receivedAt}, 'received', ${Buffer.from([n])}, 1, ${`${n}`.repeat(64)}, '[]', 0)
    returning id`.execute(db);
  return rows[0]!.id;
}
