import type { Selectable } from 'kysely';
import type { ImapAuth, Mailbox, MailboxAuth, MailboxFields } from '../../../../domain/mailboxes/mailbox.ts';
import type { SmtpSecurity } from '../../../../domain/parameters/parameter-catalogue.ts';
import type { MailboxAccountRow, MailboxRepository, MailboxSecrets } from '../../../../ports/storage/mailboxes.ts';
import { bool } from '../rows.ts';
import type { Database } from '../schema.ts';
import { SqlRepository } from '../sql-repository.ts';

type Row = Selectable<Database['mailbox']>;

function fieldsOf(r: Row): MailboxFields {
  return {
    name: r.name,
    fromAddress: r.from_address,
    fromName: r.from_name,
    smtpHost: r.smtp_host,
    smtpPort: r.smtp_port,
    smtpSecurity: r.smtp_security as SmtpSecurity,
    smtpAuth: r.smtp_auth as MailboxAuth,
    smtpUser: r.smtp_user,
    allowInvalidCertificate: Boolean(r.allow_invalid_certificate),
    imapHost: r.imap_host,
    imapPort: r.imap_port,
    imapSecurity: r.imap_security as SmtpSecurity | null,
    imapUser: r.imap_user,
    imapFolder: r.imap_folder,
    imapAuth: r.imap_auth as ImapAuth | null,
  };
}

function rowOf(f: MailboxFields) {
  return {
    name: f.name,
    from_address: f.fromAddress,
    from_name: f.fromName,
    smtp_host: f.smtpHost,
    smtp_port: f.smtpPort,
    smtp_security: f.smtpSecurity,
    smtp_auth: f.smtpAuth,
    smtp_user: f.smtpUser,
    allow_invalid_certificate: bool(f.allowInvalidCertificate),
    imap_host: f.imapHost,
    imap_port: f.imapPort,
    imap_security: f.imapSecurity,
    imap_user: f.imapUser,
    imap_folder: f.imapFolder,
    imap_auth: f.imapAuth,
  };
}

export class SqlMailboxRepository extends SqlRepository implements MailboxRepository {
  private async withGroups(rows: Row[]): Promise<Mailbox[]> {
    if (rows.length === 0) return [];
    const groups = await this.db
      .selectFrom('support_group')
      .select(['id', 'mailbox_id'])
      .where(
        'mailbox_id',
        'in',
        rows.map((r) => r.id),
      )
      .orderBy('id')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      ...fieldsOf(r),
      passwordSet: r.smtp_password_sealed !== null,
      imapPasswordSet: r.imap_password_sealed !== null,
      groupIds: groups.filter((g) => g.mailbox_id === r.id).map((g) => g.id),
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    }));
  }

  async listMailboxes() {
    return this.withGroups(await this.db.selectFrom('mailbox').selectAll().orderBy('name').execute());
  }

  async findMailbox(id: number) {
    return (await this.withGroups(await this.db.selectFrom('mailbox').selectAll().where('id', '=', id).execute()))[0];
  }

  async findMailboxByName(name: string) {
    const rows = await this.db.selectFrom('mailbox').selectAll().where('name', '=', name).execute();
    return (await this.withGroups(rows))[0];
  }

  async mailboxAccounts(ids: readonly number[]): Promise<MailboxAccountRow[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .selectFrom('mailbox')
      .selectAll()
      .where('id', 'in', [...ids])
      .execute();
    return rows.map((r) => ({
      id: r.id,
      ...fieldsOf(r),
      passwordSealed: r.smtp_password_sealed,
      imapPasswordSealed: r.imap_password_sealed,
    }));
  }

  async createMailbox(fields: MailboxFields, sealed: MailboxSecrets, at: string) {
    const { id } = await this.db
      .insertInto('mailbox')
      .values({
        ...rowOf(fields),
        smtp_password_sealed: sealed.smtp ?? null,
        imap_password_sealed: sealed.imap ?? null,
        created_at: at,
        updated_at: at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return (await this.findMailbox(id))!;
  }

  async updateMailbox(id: number, fields: MailboxFields, sealed: MailboxSecrets, at: string) {
    await this.db
      .updateTable('mailbox')
      .set({
        ...rowOf(fields),
        ...(sealed.smtp === undefined ? {} : { smtp_password_sealed: sealed.smtp }),
        ...(sealed.imap === undefined ? {} : { imap_password_sealed: sealed.imap }),
        updated_at: at,
      })
      .where('id', '=', id)
      .execute();
  }

  async setMailboxGroups(id: number, groupIds: readonly number[]) {
    let release = this.db.updateTable('support_group').set({ mailbox_id: null }).where('mailbox_id', '=', id);
    if (groupIds.length > 0) release = release.where('id', 'not in', [...groupIds]);
    await release.execute();
    if (groupIds.length > 0)
      await this.db
        .updateTable('support_group')
        .set({ mailbox_id: id })
        .where('id', 'in', [...groupIds])
        .execute();
  }

  async unsentMailOf(id: number) {
    const row = await this.db
      .selectFrom('outbox_entry')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('mailbox_id', '=', id)
      .where('status', 'in', ['queued', 'sending', 'deferred'])
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async deleteMailbox(id: number) {
    const r = await this.db.deleteFrom('mailbox').where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}
