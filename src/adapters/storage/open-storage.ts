import { openPostgresStorage } from './postgres/postgres-storage.ts';
import { openSqliteStorage } from './sqlite/sqlite-storage.ts';
import type { SqlStorage } from './sql/sql-storage.ts';

/** `sqlite:<path>` (or `sqlite::memory:`) and `postgres://...` URLs. */
export function openStorage(url: string, onIdleError?: (error: Error) => void): SqlStorage {
  if (url.startsWith('sqlite:')) return openSqliteStorage(url.slice('sqlite:'.length));
  if (url.startsWith('postgres://') || url.startsWith('postgresql://'))
    return openPostgresStorage(url, onIdleError ? { onIdleError } : {});
  throw new Error(`PARLEY_DATABASE_URL must start with sqlite: or postgres:// (got "${url.split(':')[0]}:...").`);
}
