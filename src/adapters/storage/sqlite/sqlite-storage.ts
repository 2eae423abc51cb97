import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, type SqliteDatabase } from 'kysely';
import type { Database } from '../sql/schema.ts';
import type { DirectSqlite, SearchTuning } from '../sql/sql-dialect.ts';
import { SqlStorage } from '../sql/sql-storage.ts';
import { withGroupCommit } from './group-commit.ts';
import { LocalSignals } from './local-signals.ts';
import { withReadCache } from '../sql/read-cache.ts';
import { changeCounter } from './change-counter.ts';
import { sqliteDialect } from './sqlite-dialect.ts';

/**
 * better-sqlite3 compiles a statement on every `prepare`; Kysely prepares every query. The same SQL text recurs on
 * every request, so compiled statements are kept (a bounded, least-recently-used set).
 */
function withStatementCache(
  database: SQLite.Database,
  capacity = 500,
): SqliteDatabase & { prepare(text: string): SQLite.Statement } {
  const statements = new Map<string, SQLite.Statement>();
  return {
    close: () => database.close(),
    prepare(text: string): SQLite.Statement {
      // Write transactions take the write lock when they begin: a transaction that reads first and writes later
      // could otherwise fail with SQLITE_BUSY_SNAPSHOT when the dispatcher process wrote in between.
      const sql = text === 'begin' ? 'begin immediate' : text;
      let statement = statements.get(sql);
      if (statement) {
        statements.delete(sql);
      } else {
        statement = database.prepare(sql);
        if (statements.size >= capacity) statements.delete(statements.keys().next().value!);
      }
      statements.set(sql, statement);
      return statement;
    },
  };
}

/**
 * The database holds password hashes, token digests and mail: readable by its owner only. The file is created 0600
 * before SQLite opens it (an existing one is narrowed to 0600), and SQLite gives its -wal and -shm files the mode of
 * the database file; those already there are narrowed too. A new data folder is created 0700.
 */
function ownerOnly(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  try {
    closeSync(openSync(path, 'wx', 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    try {
      if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}

/** SQLite through better-sqlite3: WAL, foreign keys on, a busy timeout for the dispatcher and CLI beside the server. */
export function openSqliteStorage(path: string, options: { searchTuning?: SearchTuning } = {}): SqlStorage {
  if (path !== ':memory:' && !path.startsWith('file:')) ownerOnly(path);
  const database = new SQLite(path);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  const cached = withStatementCache(database);
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: cached }) });
  // Prepared queries run on the connection directly, as Kysely's SQLite driver would run them.
  const direct: DirectSqlite = {
    run<R>(sql: string, parameters: readonly unknown[]): R[] {
      const statement = cached.prepare(sql);
      if (statement.reader) return statement.all(parameters) as R[];
      statement.run(parameters);
      return [];
    },
    idle: () => !database.inTransaction,
  };
  return new SqlStorage({
    kysely,
    dialect: sqliteDialect,
    signals: new LocalSignals(),
    direct,
    ...options,
    wrap: (repositories, { ctx, transact }) =>
      withGroupCommit(withReadCache(repositories, changeCounter(ctx)), transact),
  });
}
