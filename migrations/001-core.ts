import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { types } from './dialect-types.ts';

export async function up(db: Kysely<any>): Promise<void> {
  const t = types(db);
  const id = (c: any) => (t.pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement());

  await db.schema
    .createTable('app_user')
    .addColumn('id', 'integer', id)
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('requester', 'technician', 'admin')`))
    .addColumn('locale', 'text', (c) => c.notNull())
    .addColumn('time_zone', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text')
    .addColumn('active', t.boolean, (c) => c.notNull().defaultTo(t.true))
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('support_group')
    .addColumn('id', 'integer', id)
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .execute();

  await db.schema
    .createTable('group_member')
    .addColumn('group_id', 'integer', (c) => c.notNull().references('support_group.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('app_user.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('group_member_pk', ['group_id', 'user_id'])
    .execute();
  await db.schema.createIndex('group_member_user').on('group_member').column('user_id').execute();

  await db.schema
    .createTable('ticket')
    .addColumn('id', 'integer', id)
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('requester_id', 'integer', (c) => c.notNull().references('app_user.id'))
    .addColumn('contact_name', 'text')
    .addColumn('registered_by_id', 'integer', (c) => c.notNull().references('app_user.id'))
    .addColumn('group_id', 'integer', (c) => c.references('support_group.id'))
    .addColumn('responsible_id', 'integer', (c) => c.references('app_user.id'))
    .addColumn('demand_type', 'text')
    .addColumn('activity', 'text')
    .addColumn('related_service', 'text')
    .addColumn('portfolio', 'text')
    .addColumn('category', 'text')
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addColumn('last_activity_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ticket_requester').on('ticket').columns(['requester_id', 'id']).execute();
  await db.schema.createIndex('ticket_group').on('ticket').columns(['group_id', 'id']).execute();
  await db.schema.createIndex('ticket_responsible').on('ticket').columns(['responsible_id', 'id']).execute();

  await db.schema
    .createTable('ticket_message')
    .addColumn('id', 'integer', id)
    .addColumn('ticket_id', 'integer', (c) => c.notNull().references('ticket.id'))
    .addColumn('author_id', 'integer', (c) => c.notNull().references('app_user.id'))
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('internal', t.boolean, (c) => c.notNull())
    .addColumn('send_email', t.boolean, (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('time_spent_minutes', 'integer')
    .addColumn('time_spent_date', 'text')
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ticket_message_ticket').on('ticket_message').columns(['ticket_id', 'id']).execute();

  await db.schema
    .createTable('system_parameter')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('value', 'text')
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_by', 'integer', (c) => c.references('app_user.id'))
    .execute();

  await db.schema
    .createTable('email_template')
    .addColumn('id', 'integer', id)
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('html', 'text', (c) => c.notNull())
    .addColumn('text', 'text')
    .addColumn('active', t.boolean, (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('outbox_entry')
    .addColumn('id', 'integer', id)
    .addColumn('ticket_id', 'integer', (c) => c.references('ticket.id'))
    .addColumn('message_id', 'integer', (c) => c.references('ticket_message.id'))
    .addColumn('recipient_id', 'integer', (c) => c.references('app_user.id'))
    .addColumn('to_address', 'text', (c) => c.notNull())
    .addColumn('to_name', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('html', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('message_id_header', 'text', (c) => c.notNull().unique())
    .addColumn('thread_id', 'text')
    .addColumn('reply_to', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempt_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('attempts_since', t.timestamp, (c) => c.notNull())
    .addColumn('next_attempt_at', t.timestamp)
    .addColumn('lease_until', t.timestamp)
    .addColumn('claim_token', 'text')
    .addColumn('last_reply', 'text')
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addColumn('sent_at', t.timestamp)
    .execute();
  await db.schema.createIndex('outbox_entry_message').on('outbox_entry').column('message_id').execute();
  await db.schema.createIndex('outbox_entry_status').on('outbox_entry').columns(['status', 'id']).execute();
  // Claiming looks only at mail still to send: a partial index keeps that cheap however long the history grows.
  await db.schema
    .createIndex('outbox_entry_due')
    .on('outbox_entry')
    .column('next_attempt_at')
    .where(sql.ref('status'), 'in', ['queued', 'deferred'])
    .execute();

  await db.schema
    .createTable('outbox_attempt')
    .addColumn('id', 'integer', id)
    .addColumn('entry_id', 'integer', (c) => c.notNull().references('outbox_entry.id').onDelete('cascade'))
    .addColumn('at', t.timestamp, (c) => c.notNull())
    .addColumn('result', 'text', (c) => c.notNull())
    .addColumn('reply', 'text')
    .execute();
  await db.schema.createIndex('outbox_attempt_entry').on('outbox_attempt').columns(['entry_id', 'id']).execute();

  await db.schema
    .createTable('user_session')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('app_user.id').onDelete('cascade'))
    .addColumn('csrf_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('expires_at', t.timestamp, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('api_token')
    .addColumn('id', 'integer', id)
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('app_user.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'api_token',
    'user_session',
    'outbox_attempt',
    'outbox_entry',
    'email_template',
    'system_parameter',
    'ticket_message',
    'ticket',
    'group_member',
    'support_group',
    'app_user',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
