import { sql, type Kysely } from 'kysely';
import { types } from './dialect-types.ts';

/**
 * Webhooks (`domain/webhooks/`): the endpoints an administrator registered (`webhook_endpoint`: URL, the events it
 * takes as a JSON list, public events only, active, private addresses allowed, its signing secret sealed by the
 * secret box), the deliveries queued in the transaction of the event they report (`webhook_delivery`: the event id
 * a receiver de-duplicates by, the body frozen at queueing, claimed with a lease as the outbox is) and each attempt
 * (`webhook_attempt`). Deleting an endpoint deletes its deliveries.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const t = types(db);
  const id = (c: any) => (t.pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement());
  await db.schema
    .createTable('webhook_endpoint')
    .addColumn('id', 'integer', id)
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('events', 'text', (c) => c.notNull())
    .addColumn('public_only', t.boolean, (c) => c.notNull())
    .addColumn('active', t.boolean, (c) => c.notNull())
    .addColumn('allow_private', t.boolean, (c) => c.notNull())
    .addColumn('secret_sealed', 'text', (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('webhook_delivery')
    .addColumn('id', 'integer', id)
    .addColumn('endpoint_id', 'integer', (c) => c.notNull().references('webhook_endpoint.id').onDelete('cascade'))
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('ticket_id', 'integer')
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempt_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('attempts_since', t.timestamp, (c) => c.notNull())
    .addColumn('next_attempt_at', t.timestamp)
    .addColumn('lease_until', t.timestamp)
    .addColumn('claim_token', 'text')
    .addColumn('last_reply', 'text')
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addColumn('delivered_at', t.timestamp)
    .execute();
  await db.schema
    .createIndex('webhook_delivery_endpoint')
    .on('webhook_delivery')
    .columns(['endpoint_id', 'id'])
    .execute();
  // One event reaches each endpoint once: every endpoint's delivery of it carries the same event id.
  await db.schema
    .createIndex('webhook_delivery_event')
    .on('webhook_delivery')
    .columns(['endpoint_id', 'event_id'])
    .unique()
    .execute();
  await db.schema.createIndex('webhook_delivery_status').on('webhook_delivery').columns(['status', 'id']).execute();
  // Claiming looks only at deliveries still to make, as the outbox's `outbox_entry_due` does.
  await db.schema
    .createIndex('webhook_delivery_due')
    .on('webhook_delivery')
    .column('next_attempt_at')
    .where(sql.ref('status'), 'in', ['queued', 'deferred'])
    .execute();
  await db.schema
    .createTable('webhook_attempt')
    .addColumn('id', 'integer', id)
    .addColumn('delivery_id', 'integer', (c) => c.notNull().references('webhook_delivery.id').onDelete('cascade'))
    .addColumn('at', t.timestamp, (c) => c.notNull())
    .addColumn('result', 'text', (c) => c.notNull())
    .addColumn('reply', 'text')
    .execute();
  await db.schema
    .createIndex('webhook_attempt_delivery')
    .on('webhook_attempt')
    .columns(['delivery_id', 'id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('webhook_attempt').execute();
  await db.schema.dropTable('webhook_delivery').execute();
  await db.schema.dropTable('webhook_endpoint').execute();
}
