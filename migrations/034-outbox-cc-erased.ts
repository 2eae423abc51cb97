import type { Kysely } from 'kysely';
import { types } from './dialect-types.ts';

/**
 * A notification that copied a person later erased says so (`cc_erased_at`): the erasure took their address out of its
 * Cc, so a delivery report about it that names someone who is neither its recipient nor one of its copies now is taken
 * to quote the erased person, and keeps nothing of them. Entries whose Cc an erasure edited before this migration
 * cannot be told apart (the address is gone): they stay null.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('outbox_entry').addColumn('cc_erased_at', types(db).timestamp).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('outbox_entry').dropColumn('cc_erased_at').execute();
}
