import type { Kysely } from 'kysely';

/**
 * Mail put right: a failed or bounced mail sent again to a corrected address is a new outbox entry naming the one it
 * replaces (`resent_from_id`), so the thread can tell the whole story; the old entry is kept as it was. The unique
 * index lets an entry be replaced once only (NULLs, the entries that replace nothing, are distinct on both databases).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('outbox_entry')
    .addColumn('resent_from_id', 'integer', (c) => c.references('outbox_entry.id').onDelete('set null'))
    .execute();
  await db.schema
    .createIndex('outbox_entry_resent_from')
    .on('outbox_entry')
    .column('resent_from_id')
    .unique()
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('outbox_entry_resent_from').execute();
  await db.schema.alterTable('outbox_entry').dropColumn('resent_from_id').execute();
}
