import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
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

/** What `openSqliteStorage` says when `readOnly` finds no database file (`parley doctor` reports it). */
export class NoSqliteDatabaseError extends Error {
  readonly code = 'PARLEY_NO_DATABASE';
  constructor(readonly path: string) {
    super(`no database at ${path}`);
  }
}

/**
 * SQLite through better-sqlite3: WAL, foreign keys on, a busy timeout for the dispatcher and CLI beside the server.
 * `readOnly` (`parley doctor`) opens an existing database only (`fileMustExist`) and refuses every write
 * (`query_only`); it creates no folder or file, changes no file's mode nor the journal mode, and throws
 * `NoSqliteDatabaseError` when there is no file at `path`. Not better-sqlite3's `readonly`: such a connection creates
 * the -wal and -shm files when no other has them open, and cannot remove them when it closes. SQLite itself still
 * does what any reader does: it keeps the -wal and -shm files while open, and the last connection to close checkpoints
 * the -wal into the database (the writes of a writer that died, already committed).
 */
export function openSqliteStorage(
  path: string,
  options: { searchTuning?: SearchTuning; readOnly?: boolean } = {},
): SqlStorage {
  const { readOnly = false, ...rest } = options;
  const file = path !== ':memory:' && !path.startsWith('file:');
  if (readOnly && file && !existsSync(path)) throw new NoSqliteDatabaseError(path);
  if (file && !readOnly) ownerOnly(path);
  const database = new SQLite(path, { fileMustExist: readOnly });
  if (readOnly) database.pragma('query_only = ON');
  else {
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
  }
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
    ...rest,
    wrap: (repositories, { ctx, transact }) =>
      withGroupCommit(withReadCache(repositories, changeCounter(ctx)), transact),
  });
}
