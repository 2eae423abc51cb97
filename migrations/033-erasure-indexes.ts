import type { Kysely } from 'kysely';

/**
 * What an erasure looks up, found without reading whole tables inside its transaction:
 * - a ticket's mail (`ticket_id in …`; for the mail that may quote the person, each ticket's mail from their first
 *   message on: `ticket_id = … and created_at >= …`): without it, erasing a requester with many tickets read the
 *   outbox once per hundred tickets;
 * - the copies of an inbound mail it erases (`duplicate_of in …`).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('outbox_entry_ticket').on('outbox_entry').columns(['ticket_id', 'created_at']).execute();
  await db.schema.createIndex('inbound_mail_duplicate_of').on('inbound_mail').column('duplicate_of').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('inbound_mail_duplicate_of').execute();
  await db.schema.dropIndex('outbox_entry_ticket').execute();
}
