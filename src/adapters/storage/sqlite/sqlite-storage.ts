import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { SqlStorage } from '../sql/sql-storage.ts';
import type { Database } from '../sql/schema.ts';
import { SqliteBooleanPlugin } from './sqlite-boolean-plugin.ts';

/** SQLite through better-sqlite3: WAL, foreign keys on, a busy timeout for the dispatcher and CLI beside the server. */
export function openSqliteStorage(path: string): SqlStorage {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const database = new SQLite(path);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database }), plugins: [new SqliteBooleanPlugin()] });
  return new SqlStorage(kysely, 'sqlite');
}
