import type { Kysely } from 'kysely';
import { types } from './dialect-types.ts';

/**
 * The sign-in limiter's failures, a row per key (an account from one address, an account, an address) with the
 * count and the time of the last failure, so that every process serving the database counts together. Rows whose
 * last failure is older than the limiter's forget time are removed, oldest first (`sign_in_failure_last`).
 */
export async function up(db: Kysely<any>): Promise<void> {
  const t = types(db);
  await db.schema
    .createTable('sign_in_failure')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('last_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sign_in_failure_last').on('sign_in_failure').columns(['last_at', 'key']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('sign_in_failure').execute();
}
