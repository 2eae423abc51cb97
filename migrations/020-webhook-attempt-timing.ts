import type { Kysely } from 'kysely';

/**
 * What the admin's list of webhook attempts shows besides the reply: the endpoint's HTTP status (null when it never
 * answered: a refused address, a timeout, a failed connection) and how long the attempt took, in milliseconds (null
 * for an attempt a stopped dispatcher left, and for attempts recorded before this migration).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('webhook_attempt').addColumn('http_status', 'integer').execute();
  await db.schema.alterTable('webhook_attempt').addColumn('duration_ms', 'integer').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('webhook_attempt').dropColumn('duration_ms').execute();
  await db.schema.alterTable('webhook_attempt').dropColumn('http_status').execute();
}
