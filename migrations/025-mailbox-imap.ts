import type { Kysely } from 'kysely';

/**
 * A team mailbox's inbound folder (optional): the IMAP account and folder its replies and new requests are read from
 * (`imap_host` null: none). The password sealed as the SMTP one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  for (const [column, type] of [
    ['imap_host', 'text'],
    ['imap_port', 'integer'],
    ['imap_security', 'text'],
    ['imap_user', 'text'],
    ['imap_password_sealed', 'text'],
    ['imap_folder', 'text'],
  ] as const)
    await db.schema.alterTable('mailbox').addColumn(column, type).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const column of ['imap_folder', 'imap_password_sealed', 'imap_user', 'imap_security', 'imap_port', 'imap_host'])
    await db.schema.alterTable('mailbox').dropColumn(column).execute();
}
