import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../sql/schema.ts';
import type { Activity, Db, SqlContext, SqlDialect } from '../sql/sql-dialect.ts';

/** How long a process waits for another's migrations to finish. */
const MIGRATION_WAIT_MS = 120_000;

/**
 * SQLite: write transactions are serial (`begin immediate`), so nothing locks rows or skips them; the database is
 * in process, so two primary-key reads beat a join; it has no NOTIFY, so changes are noted and the storage emits
 * them in this process after the commit; the hot writes are prepared statements in one transaction. Its migrations
 * run in one `begin immediate` transaction, so processes starting at once on a new file apply them once.
 */
export const sqliteDialect: SqlDialect = {
  name: 'sqlite',
  locksRows: false,
  joinsBeatReads: false,
  serverTime: () => sql<string>`strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`,
  joinIds: (column: RawBuilder<unknown>) => sql<string | null>`group_concat(${column})`,
  ticketsMatchingWords(_db: Db, words: readonly string[], internal: boolean) {
    // Words are letters and digits only (domain/tickets/ticket-search.ts); quoted, each a prefix, all required.
    const match = words.map((w) => `"${w.replace(/"/g, '""')}"*`).join(' ');
    return sql<number>`select rowid from ticket_title_fts where ticket_title_fts match ${match}
      union select m.ticket_id from ticket_message_fts f join ticket_message m on m.id = f.rowid
      where ticket_message_fts match ${match}${internal ? sql`` : sql` and m.internal = 0`}`;
  },
  async announce(ctx: SqlContext, activity: Activity) {
    ctx.note(activity);
  },
  async migrateAlone<T>(db: Kysely<Database>, migrate: () => Promise<T>): Promise<T> {
    // Another process's migrations may take longer than the connection's usual wait for the write lock.
    const usual = (await sql<{ timeout: number }>`pragma busy_timeout`.execute(db)).rows[0]?.timeout ?? 5000;
    await sql.raw(`pragma busy_timeout = ${MIGRATION_WAIT_MS}`).execute(db);
    try {
      await sql`begin immediate`.execute(db);
    } finally {
      await sql.raw(`pragma busy_timeout = ${Number(usual)}`).execute(db);
    }
    try {
      const result = await migrate();
      await sql`commit`.execute(db);
      return result;
    } catch (error) {
      await sql`rollback`.execute(db);
      throw error;
    }
  },
};
