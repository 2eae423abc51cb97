import { sql, type Kysely } from 'kysely';
import { types } from './dialect-types.ts';

/**
 * The running role processes (`parley serve`, `dispatch`, `ingest`), a row per role a process performs: each
 * heartbeats its `seen_at` every few seconds and deletes its row on a graceful stop; rows not seen for a long time
 * are pruned. `/metrics` counts the live ones per role and the age of the freshest dispatcher's heartbeat.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const t = types(db);
  await db.schema
    .createTable('role_process')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('serve', 'dispatch', 'ingest')`))
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('pid', 'integer', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('started_at', t.timestamp, (c) => c.notNull())
    .addColumn('seen_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('role_process_seen').on('role_process').columns(['role', 'seen_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('role_process').execute();
}
