import type { Kysely } from 'kysely';

/**
 * Copies as in email: a group chooses how a public message reaches the people its tickets copy
 * (`support_group.copies_mode`: `cc`, one mail to the requester with the copies in Cc, the default; `separate`, one
 * mail each), and a notification names the people it copies (`outbox_entry.cc`: a JSON list of `{name, address}`,
 * null when none). Existing groups get `cc`.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('support_group')
    .addColumn('copies_mode', 'text', (c) => c.notNull().defaultTo('cc'))
    .execute();
  await db.schema.alterTable('outbox_entry').addColumn('cc', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('outbox_entry').dropColumn('cc').execute();
  await db.schema.alterTable('support_group').dropColumn('copies_mode').execute();
}
