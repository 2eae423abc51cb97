import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../sql/schema.ts';
import type { Db, SqlDialect } from '../sql/sql-dialect.ts';

/** How long a process waits for another's migrations to finish. */
const MIGRATION_WAIT_MS = 120_000;

/** Words are letters and digits only (domain/tickets/ticket-search.ts); quoted, each a prefix, all required. */
function ftsMatch(words: readonly string[]): string {
  return words.map((w) => `"${w.replace(/"/g, '""')}"*`).join(' ');
}

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
  // An ordered aggregate: SQLite 3.44 and later (better-sqlite3 bundles its own SQLite).
  joinLines: (column: RawBuilder<unknown>, order: RawBuilder<unknown>) =>
    sql<string | null>`group_concat(${column}, char(10) order by ${order})`,
  unseenId: (id: number) => sql<number>`${id}`,
  ticketsMatchingWords(_db: Db, words: readonly string[], internal: boolean) {
    const match = ftsMatch(words);
    return sql<number>`select rowid from ticket_title_fts where ticket_title_fts match ${match}
      union select m.ticket_id from ticket_message_fts f join ticket_message m on m.id = f.rowid
      where ticket_message_fts match ${match}${internal ? sql`` : sql` and m.internal = 0`}`;
  },
  titleHoldsWords: (words: readonly string[]) =>
    sql<boolean>`ticket.id in (select rowid from ticket_title_fts where ticket_title_fts match ${ftsMatch(words)})`,
  messageHoldsWords(words: readonly string[], internal: boolean) {
    // The matching messages' ids are gathered once (ids only, from the index: cheap even for a common word) and each
    // ticket's messages looked up in them; `+m.id` keeps SQLite from probing the ticket's index once per id instead.
    return sql<boolean>`exists (select 1 from ticket_message m where m.ticket_id = ticket.id${
      internal ? sql`` : sql` and m.internal = 0`
    } and +m.id in (select rowid from ticket_message_fts where ticket_message_fts match ${ftsMatch(words)}))`;
  },
  async manyMessagesHoldWords(db: Db, words: readonly string[], atLeast: number) {
    const { rows } = await sql<{ n: number }>`select count(*) as n from (select 1 from ticket_message_fts
      where ticket_message_fts match ${ftsMatch(words)} limit ${atLeast})`.execute(db);
    return Number(rows[0]?.n ?? 0) >= atLeast;
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
