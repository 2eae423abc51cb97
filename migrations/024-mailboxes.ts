import type { Kysely } from 'kysely';
import { types } from './dialect-types.ts';

/**
 * Mailboxes (`domain/mailboxes/`): a sending identity (From name and address) with its SMTP account, assigned to
 * groups (`support_group.mailbox_id`; null: the default mailbox, the SMTP account of parameters 10–14, 199, 269,
 * 9001, 9002). A notification names the mailbox it goes out from (`outbox_entry.mailbox_id`, fixed when it is queued;
 * null: the default), so changing a ticket's group changes the mailbox of its later mails only.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const t = types(db);
  const id = (c: any) => (t.pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement());
  await db.schema
    .createTable('mailbox')
    .addColumn('id', 'integer', id)
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('from_address', 'text', (c) => c.notNull())
    .addColumn('from_name', 'text')
    .addColumn('smtp_host', 'text', (c) => c.notNull())
    .addColumn('smtp_port', 'integer', (c) => c.notNull())
    .addColumn('smtp_security', 'text', (c) => c.notNull())
    .addColumn('smtp_auth', 'text', (c) => c.notNull())
    .addColumn('smtp_user', 'text')
    .addColumn('smtp_password_sealed', 'text')
    .addColumn('allow_invalid_certificate', t.boolean, (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema
    .alterTable('support_group')
    .addColumn('mailbox_id', 'integer', (c) => c.references('mailbox.id'))
    .execute();
  await db.schema
    .alterTable('outbox_entry')
    .addColumn('mailbox_id', 'integer', (c) => c.references('mailbox.id').onDelete('set null'))
    .execute();
  await db.schema.createIndex('outbox_entry_mailbox').on('outbox_entry').column('mailbox_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('outbox_entry_mailbox').execute();
  await db.schema.alterTable('outbox_entry').dropColumn('mailbox_id').execute();
  await db.schema.alterTable('support_group').dropColumn('mailbox_id').execute();
  await db.schema.dropTable('mailbox').execute();
}
