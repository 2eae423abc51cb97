import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * A ticket's public thread, newest first, as a mail's history reads it for every message posted
 * (`latestPublicMessages`): an index of the messages neither internal nor removed, by ticket and id, so that the read
 * walks back over the few rows it returns. With the index of migration 001 alone (`ticket_id, id`, every message)
 * PostgreSQL planned it as a scan of the ticket's whole thread and a sort when the table had no statistics yet
 * (autovacuum off, or not yet run). The same text on both databases (a boolean reads as an integer on SQLite;
 * `not internal` holds for 0 there as for false here). With statistics, the query keeps PostgreSQL on it by planning
 * for a ticket of average size (see `latestPublicMessages`).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index ticket_message_public on ticket_message (ticket_id, id)
    where not internal and removed_at is null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('ticket_message_public').execute();
}
