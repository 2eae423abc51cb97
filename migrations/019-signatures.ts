import type { Kysely } from 'kysely';

/**
 * Signatures: a technician's or administrator's own (`app_user.signature`) and a group's (`support_group.signature`),
 * both optional text with template keys, rendered by the `${SIGNATURE}` key. Requesters have none.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('app_user').addColumn('signature', 'text').execute();
  await db.schema.alterTable('support_group').addColumn('signature', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('support_group').dropColumn('signature').execute();
  await db.schema.alterTable('app_user').dropColumn('signature').execute();
}
