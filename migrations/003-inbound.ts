import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { types } from './dialect-types.ts';

/**
 * Inbound mail (issue 5): every mail the receivers accept, raw bytes first (stored and committed before the SMTP
 * `250`), then what processing made of it: posted to a ticket, held for review, a loop, a bounce, a duplicate.
 * `dedupe_key` (the Message-ID, or the SHA-256 of the raw mail when there is none) is unique: the first mail to
 * claim it is processed, later copies are kept as `duplicate`.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const t = types(db);
  const id = (c: any) => (t.pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement());
  await db.schema
    .createTable('inbound_mail')
    .addColumn('id', 'integer', id)
    .addColumn('received_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('received', 'posted', 'held', 'discarded', 'loop', 'bounce', 'duplicate')`),
    )
    .addColumn('reason', 'text')
    .addColumn('reason_text', 'text')
    .addColumn('raw', t.pg ? 'bytea' : 'blob', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('envelope_from', 'text')
    .addColumn('envelope_to', 'text', (c) => c.notNull())
    .addColumn('remote_address', 'text')
    .addColumn('message_id_header', 'text')
    .addColumn('dedupe_key', 'text', (c) => c.unique())
    .addColumn('duplicate_of', 'integer')
    .addColumn('from_address', 'text')
    .addColumn('from_name', 'text')
    .addColumn('subject', 'text')
    .addColumn('ticket_id', 'integer', (c) => c.references('ticket.id'))
    .addColumn('message_id', 'integer', (c) => c.references('ticket_message.id'))
    .addColumn('outbox_id', 'integer', (c) => c.references('outbox_entry.id'))
    .addColumn('text', 'text')
    .addColumn('trimmed', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('resolved_by', 'integer', (c) => c.references('app_user.id'))
    .addColumn('resolved_at', t.timestamp)
    .execute();
  await db.schema.createIndex('inbound_mail_status').on('inbound_mail').columns(['status', 'id']).execute();
  await db.schema
    .createIndex('inbound_mail_sender')
    .on('inbound_mail')
    .columns(['from_address', 'received_at'])
    .execute();
  await db.schema.createIndex('inbound_mail_ticket').on('inbound_mail').columns(['ticket_id', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('inbound_mail').execute();
}
