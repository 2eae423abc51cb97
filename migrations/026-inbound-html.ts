import type { Kysely } from 'kysely';

/**
 * Incoming HTML kept: `inbound_mail.html`, the reply's HTML cut from the mail's HTML part at the same boundaries as
 * its text and sanitized (the `mail` allow-list); null when the mail had no HTML part or its cut did not agree with
 * the text's. The message it becomes carries it in `ticket_message.html` (migration 023).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('inbound_mail').addColumn('html', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('inbound_mail').dropColumn('html').execute();
}
