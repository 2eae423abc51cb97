import { Migrator } from 'kysely';
import { migrations } from '../../migrations/index.ts';
import { openPostgresStorage } from '../../src/adapters/storage/postgres/postgres-storage.ts';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { openSqliteStorage } from '../../src/adapters/storage/sqlite/sqlite-storage.ts';
import { createPostgresDatabase } from './databases.ts';

/** Applies every migration whose name sorts before `first` ('018'), as a database of an earlier version holds them. */
export async function migrateBefore(storage: SqlStorage, first: string): Promise<void> {
  const earlier = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < first));
  const migrator = new Migrator({
    db: storage.kyselyInstance,
    provider: { getMigrations: async () => earlier },
    migrationTableName: 'parley_migration',
    migrationLockTableName: 'parley_migration_lock',
  });
  const { error } = await migrator.migrateToLatest();
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
