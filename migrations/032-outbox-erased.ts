import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { types } from './dialect-types.ts';

/**
 * An outbox entry emptied by an erasure says so for good (`erased_at`): it is never retried, sent to a corrected
 * address, or marked bounced by a report arriving later (which would make it retryable again, and bring the erased
 * address back in the report). Entries erased before this migration are found by the sentence their cancellation left
 * or by their emptied subject and bodies (a rendered mail always has a subject).
 */
const ERASED_SENTENCE = 'Not sent: the personal data of the person this mail concerns was erased.';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('outbox_entry').addColumn('erased_at', types(db).timestamp).execute();
  await sql`update outbox_entry set erased_at = updated_at
    where last_reply = ${ERASED_SENTENCE} or (subject = '' and html = '' and text = '')`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('outbox_entry').dropColumn('erased_at').execute();
}
