import type { Kysely } from 'kysely';
import { types } from './dialect-types.ts';

/**
 * Attachments of inbound mail (issue 7). Each is stored under a generated, unguessable id (128 random bits from the
 * Tokens port), never under its name: the name is normalised for display only and never used in a path. The bytes
 * live in the row (blob on SQLite, bytea on PostgreSQL); the declared content type is kept for information only, a
 * download is always application/octet-stream.
 *
 * `message_id` is the thread message the attachment belongs to; it is null while the mail is held for review (the
 * reviewer's attach links it, in the same transaction as the message) and for the mail that opened a ticket
 * (`ticket_id` set, no message). `ticket_id` is what access is checked against; no ticket, no download.
 * `inbound_mail.attachment_note` says which attachments were not kept (too large, too many).
 */
export async function up(db: Kysely<any>): Promise<void> {
  const t = types(db);
  await db.schema
    .createTable('attachment')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('ticket_id', 'integer', (c) => c.references('ticket.id'))
    .addColumn('message_id', 'integer', (c) => c.references('ticket_message.id'))
    .addColumn('inbound_mail_id', 'integer', (c) => c.references('inbound_mail.id'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('inline', t.boolean, (c) => c.notNull().defaultTo(t.false))
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('content', t.pg ? 'bytea' : 'blob', (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('attachment_message').on('attachment').columns(['message_id', 'position']).execute();
  await db.schema
    .createIndex('attachment_inbound_mail')
    .on('attachment')
    .columns(['inbound_mail_id', 'position'])
    .execute();
  await db.schema.createIndex('attachment_ticket').on('attachment').columns(['ticket_id']).execute();
  await db.schema.alterTable('inbound_mail').addColumn('attachment_note', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('inbound_mail').dropColumn('attachment_note').execute();
  await db.schema.dropTable('attachment').execute();
}
