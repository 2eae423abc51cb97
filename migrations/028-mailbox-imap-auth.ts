import type { Kysely } from 'kysely';

/**
 * How a team mailbox signs in to its IMAP folder: `password` (the sealed IMAP password, as before) or `oauth2` (SASL
 * XOAUTH2 with the access token of the mailbox's OAuth2 grant, as its SMTP may). Null while it reads no folder.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('mailbox').addColumn('imap_auth', 'text').execute();
  await db.updateTable('mailbox').set({ imap_auth: 'password' }).where('imap_host', 'is not', null).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('mailbox').dropColumn('imap_auth').execute();
}
