import type { Kysely } from 'kysely';
import { types } from './dialect-types.ts';

/**
 * The audit log of administrative changes (`domain/audit/`): when, who (the person's id and a snapshot of their
 * name and email, kept even if they change later; null for the command line), from where (the client address, or
 * "cli"), the action on a target (type, id and a label such as a template's name), and the changes as JSON
 * (field: before → after; a secret is named, never its value). Entries older than parameter 9017's days are pruned.
 * No foreign key: an entry outlives what it names.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const t = types(db);
  const id = (c: any) => (t.pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement());
  await db.schema
    .createTable('audit_entry')
    .addColumn('id', 'integer', id)
    .addColumn('at', t.timestamp, (c) => c.notNull())
    .addColumn('actor_id', 'integer')
    .addColumn('actor_name', 'text')
    .addColumn('actor_email', 'text')
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target_type', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text')
    .addColumn('target_label', 'text')
    .addColumn('changes', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_entry_at').on('audit_entry').column('at').execute();
  await db.schema.createIndex('audit_entry_actor').on('audit_entry').columns(['actor_id', 'id']).execute();
  await db.schema
    .createIndex('audit_entry_target')
    .on('audit_entry')
    .columns(['target_type', 'target_id', 'id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('audit_entry').execute();
}
