import type { Kysely } from 'kysely';

/**
 * Rich messages: `ticket_message.html`, the message's sanitized HTML (null for a plain-text message; its `text` is
 * always the plain text), and `attachment.content_id`, the Content-ID (without <>) of an inline image that the HTML
 * references as `cid:`, null for an ordinary file.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('ticket_message').addColumn('html', 'text').execute();
  await db.schema.alterTable('attachment').addColumn('content_id', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('attachment').dropColumn('content_id').execute();
  await db.schema.alterTable('ticket_message').dropColumn('html').execute();
}
