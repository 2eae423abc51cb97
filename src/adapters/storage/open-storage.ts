import { openPostgresStorage } from './postgres/postgres-storage.ts';
import { openSqliteStorage } from './sqlite/sqlite-storage.ts';
import type { SqlStorage } from './sql/sql-storage.ts';

/** A PostgreSQL storage's pool size, and what it reports on its own: connections dropped, signals not sent. */
export interface StorageOptions {
  /** PostgreSQL: the most connections its pool opens (`POOL_SIZE` when not given). */
  poolSize?: number;
  onIdleError?: (error: Error) => void;
  onSignalError?: (error: Error) => void;
  /**
   * Every write refused (`parley doctor`). SQLite: an existing database only, creating nothing; a missing file
   * throws `NoSqliteDatabaseError`. PostgreSQL: the pool's sessions are read-only (`default_transaction_read_only`).
   */
  readOnly?: boolean;
}

/** `sqlite:<path>` (or `sqlite::memory:`) and `postgres://...` URLs. */
export function openStorage(url: string, options: StorageOptions = {}): SqlStorage {
  if (url.startsWith('sqlite:')) return openSqliteStorage(url.slice('sqlite:'.length), { readOnly: options.readOnly });
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    const { poolSize, ...rest } = options;
    return openPostgresStorage(url, { ...rest, max: poolSize });
  }
  throw new Error(`PARLEY_DATABASE_URL must start with sqlite: or postgres:// (got "${url.split(':')[0]}:...").`);
}
