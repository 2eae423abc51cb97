import { sql, type RawBuilder } from 'kysely';
import type { Activity, SqlContext, SqlDialect } from '../sql/sql-dialect.ts';

/**
 * SQLite: write transactions are serial (`begin immediate`), so nothing locks rows or skips them; the database is
 * in process, so two primary-key reads beat a join; it has no NOTIFY, so changes are noted and the storage emits
 * them in this process after the commit; the hot writes are prepared statements in one transaction.
 */
export const sqliteDialect: SqlDialect = {
  name: 'sqlite',
  locksRows: false,
  joinsBeatReads: false,
  serverTime: () => sql<string>`strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`,
  joinIds: (column: RawBuilder<unknown>) => sql<string | null>`group_concat(${column})`,
  async announce(ctx: SqlContext, activity: Activity) {
    ctx.note(activity);
  },
};
