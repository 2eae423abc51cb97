import { sql, type Kysely } from 'kysely';
import { types } from './dialect-types.ts';

/**
 * Canned answers: texts a technician inserts into a reply. An answer belongs to a team (`group_id`, managed by
 * administrators) or to one technician (`owner_id`, personal), never both; its text is kept per language in
 * `canned_answer_variant` (a BCP 47 tag, one variant the default). Deleting the team or the person deletes them.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const t = types(db);
  const id = (c: any) => (t.pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement());
  await db.schema
    .createTable('canned_answer')
    .addColumn('id', 'integer', id)
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('group_id', 'integer', (c) => c.references('support_group.id').onDelete('cascade'))
    .addColumn('owner_id', 'integer', (c) => c.references('app_user.id').onDelete('cascade'))
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addCheckConstraint('canned_answer_one_scope', sql`(group_id is null) <> (owner_id is null)`)
    .execute();
  await db.schema.createIndex('canned_answer_group').on('canned_answer').column('group_id').execute();
  await db.schema.createIndex('canned_answer_owner').on('canned_answer').column('owner_id').execute();
  await db.schema
    .createTable('canned_answer_variant')
    .addColumn('answer_id', 'integer', (c) => c.notNull().references('canned_answer.id').onDelete('cascade'))
    .addColumn('locale', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('is_default', t.boolean, (c) => c.notNull())
    .addPrimaryKeyConstraint('canned_answer_variant_pk', ['answer_id', 'locale'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('canned_answer_variant').execute();
  await db.schema.dropTable('canned_answer').execute();
}
