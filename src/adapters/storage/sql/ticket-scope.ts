import type { Db } from './sql-dialect.ts';

/** The tickets that copy a user (a subquery of ticket ids). */
export function copiedTo(db: Db, userId: number) {
  return db.selectFrom('ticket_copy').select('ticket_copy.ticket_id').where('ticket_copy.user_id', '=', userId);
}
