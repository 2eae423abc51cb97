import type { Kysely } from 'kysely';
import { types } from './dialect-types.ts';

/**
 * Erasure on request (GDPR art. 17, LGPD art. 18): `app_user.erased_at` says when a requester's personal data was
 * erased (their row stays, under a pseudonym, so tickets keep their requester and erasing twice is recognised);
 * `ticket_message.removed_at` marks a message whose text and files were removed at its author's request (the thread
 * keeps that it existed).
 */
export async function up(db: Kysely<any>): Promise<void> {
  const t = types(db);
  await db.schema.alterTable('app_user').addColumn('erased_at', t.timestamp).execute();
  await db.schema.alterTable('ticket_message').addColumn('removed_at', t.timestamp).execute();
  // Erasure finds a person's messages by author.
  await db.schema.createIndex('ticket_message_author').on('ticket_message').column('author_id').execute();
  await db.schema.createIndex('outbox_entry_recipient').on('outbox_entry').column('recipient_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('outbox_entry_recipient').execute();
  await db.schema.dropIndex('ticket_message_author').execute();
  await db.schema.alterTable('ticket_message').dropColumn('removed_at').execute();
  await db.schema.alterTable('app_user').dropColumn('erased_at').execute();
}
