import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * Whether mail keyed the earlier way may exist (session 32 changed the duplicate keys to name the sender): the highest
 * id of a mail holding a key when this migration ran, 0 when none did. A mail arriving later is looked up under its
 * earlier keys too, except on an install that had none (a new one): no extra read for each mail there. Any id counts
 * (the previous version, still running during a rolling upgrade, stores earlier keys after this migration).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('inbound_legacy_keys')
    .addColumn('until_id', 'integer', (c) => c.notNull())
    .execute();
  await sql`insert into inbound_legacy_keys (until_id)
    select coalesce(max(id), 0) from inbound_mail where dedupe_key is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('inbound_legacy_keys').execute();
}
