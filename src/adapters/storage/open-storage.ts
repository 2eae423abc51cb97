import { openPostgresStorage } from './postgres/postgres-storage.ts';
import { openSqliteStorage } from './sqlite/sqlite-storage.ts';
import type { SqlStorage } from './sql/sql-storage.ts';

/** What a PostgreSQL storage reports on its own: connections dropped, signals after a commit not sent. */
export interface StorageReports {
  onIdleError?: (error: Error) => void;
  onSignalError?: (error: Error) => void;
}

/** `sqlite:<path>` (or `sqlite::memory:`) and `postgres://...` URLs. */
export function openStorage(url: string, reports: StorageReports = {}): SqlStorage {
  if (url.startsWith('sqlite:')) return openSqliteStorage(url.slice('sqlite:'.length));
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return openPostgresStorage(url, reports);
  throw new Error(`PARLEY_DATABASE_URL must start with sqlite: or postgres:// (got "${url.split(':')[0]}:...").`);
}
