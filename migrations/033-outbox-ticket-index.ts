import type { Kysely } from 'kysely';

/**
 * A ticket's mail found without reading the whole outbox: an erasure looks up every mail of the person's tickets
 * (`ticket_id in …`) and, for the mail that may quote them, each ticket's mail from their first message on
 * (`ticket_id = … and created_at >= …`). Without it, erasing a requester with many tickets read the outbox once per
 * hundred tickets inside the erasure's transaction.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('outbox_entry_ticket').on('outbox_entry').columns(['ticket_id', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('outbox_entry_ticket').execute();
}
