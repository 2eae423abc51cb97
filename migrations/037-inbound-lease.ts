import type { Kysely } from 'kysely';
import { types } from './dialect-types.ts';

/**
 * A lease on an inbound mail being processed, as the outbox's claims: the process that stores a mail and processes it
 * holds it (`lease_token`, its ingestor's token) until `lease_until`, renewed while it works, and another process's
 * sweep begins only a mail whose lease has passed. Mail stored before this migration has none and is taken as before.
 * The sweep's read (`status = 'received'`, by id) and the renewal go through the index `inbound_mail_status` of
 * migration 003 over the few mails still `received`: no index of their own.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('inbound_mail').addColumn('lease_token', 'text').execute();
  await db.schema.alterTable('inbound_mail').addColumn('lease_until', types(db).timestamp).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('inbound_mail').dropColumn('lease_until').execute();
  await db.schema.alterTable('inbound_mail').dropColumn('lease_token').execute();
}
