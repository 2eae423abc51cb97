import type { Kysely } from 'kysely';
import { types } from './dialect-types.ts';

/**
 * The original bytes of inbound mail are kept for `PARLEY_INBOUND_KEEP_RAW_DAYS` once the mail is decided (posted,
 * a duplicate, a bounce, discarded); then they are removed and `raw_removed_at` says when. What the mail became (its
 * text, sender, ticket, attachments in the thread) stays. Mail a person may still review (held, loop) keeps its original.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const t = types(db);
  await db.schema.alterTable('inbound_mail').addColumn('raw_removed_at', t.timestamp).execute();
  // What each sweep looks for: originals still kept, oldest first.
  await db.schema
    .createIndex('inbound_mail_raw_kept')
    .on('inbound_mail')
    .columns(['raw_removed_at', 'updated_at'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('inbound_mail_raw_kept').execute();
  await db.schema.alterTable('inbound_mail').dropColumn('raw_removed_at').execute();
}
