import type { Selectable } from 'kysely';
import type { Attachment, NewAttachment, StoredAttachment } from '../../../../domain/messages/attachment.ts';
import type { AttachmentRepository } from '../../../../ports/storage/attachments.ts';
import { bool, bytesOf } from '../rows.ts';
import type { Database } from '../schema.ts';
import { SqlRepository } from '../sql-repository.ts';
import { deleteAttachmentsOf } from '../erasure.ts';

/** Every column of attachment but the bytes (read only for a download). */
const ATTACHMENT_COLUMNS = [
  'attachment.id',
  'attachment.ticket_id',
  'attachment.message_id',
  'attachment.inbound_mail_id',
  'attachment.name',
  'attachment.content_type',
  'attachment.inline',
  'attachment.size',
  'attachment.sha256',
  'attachment.created_at',
  'attachment.content_id',
] as const;

function toAttachment(r: Omit<Selectable<Database['attachment']>, 'content' | 'position'>): Attachment {
  return {
    id: r.id,
    ticketId: r.ticket_id,
    messageId: r.message_id,
    inboundMailId: r.inbound_mail_id,
    name: r.name,
    contentType: r.content_type,
    inline: Boolean(r.inline),
    size: r.size,
    sha256: r.sha256,
    createdAt: r.created_at,
    contentId: r.content_id,
  };
}

export class SqlAttachmentRepository extends SqlRepository implements AttachmentRepository {
  async insertAttachments(attachments: readonly NewAttachment[], at: string) {
    if (attachments.length === 0) return;
    // One row per statement: a row carries up to megabytes of bytes, so batching saves nothing worth the memory.
    for (const [position, a] of attachments.entries()) {
      await this.db
        .insertInto('attachment')
        .values({
          id: a.id,
          ticket_id: a.ticketId,
          message_id: a.messageId,
          inbound_mail_id: a.inboundMailId,
          position,
          name: a.name,
          content_type: a.contentType,
          inline: bool(a.inline) as never,
          size: a.size,
          sha256: a.sha256,
          content: Buffer.from(a.content.buffer, a.content.byteOffset, a.content.byteLength),
          created_at: at,
          content_id: a.contentId ?? null,
        })
        .execute();
    }
    // Announced with the message or ticket they belong to (stored in the same transaction), to its audience.
  }

  async attachmentsOfMessages(messageIds: readonly number[]) {
    if (messageIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('attachment')
      .select(ATTACHMENT_COLUMNS)
      .where('message_id', 'in', messageIds as number[])
      .orderBy('message_id')
      .orderBy('position')
      .execute();
    return rows.map(toAttachment);
  }

  async mailAttachments(messageIds: readonly number[]) {
    if (messageIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('attachment')
      .select(['message_id', 'id', 'name', 'content_type', 'size', 'content_id'])
      .where('message_id', 'in', messageIds as number[])
      // Files, and the images of a message's HTML (a Content-ID); not the inline pictures of a mail received.
      .where((eb) => eb.or([eb('inline', '=', bool(false) as never), eb('content_id', 'is not', null)]))
      .orderBy('message_id')
      .orderBy('position')
      .execute();
    return rows.map((r) => ({
      messageId: r.message_id!,
      id: r.id,
      name: r.name,
      contentType: r.content_type,
      size: r.size,
      contentId: r.content_id ?? null,
    }));
  }

  async attachmentsOfTicket(ticketId: number) {
    const rows = await this.db
      .selectFrom('attachment')
      .select(ATTACHMENT_COLUMNS)
      .where('ticket_id', '=', ticketId)
      .where('message_id', 'is', null)
      .orderBy('created_at')
      .orderBy('position')
      .execute();
    return rows.map(toAttachment);
  }

  async attachmentsOfInboundMail(inboundMailId: number) {
    const rows = await this.db
      .selectFrom('attachment')
      .select(ATTACHMENT_COLUMNS)
      .where('inbound_mail_id', '=', inboundMailId)
      .orderBy('position')
      .execute();
    return rows.map(toAttachment);
  }

  async findAttachment(id: string): Promise<StoredAttachment | undefined> {
    const row = await this.db
      .selectFrom('attachment')
      .leftJoin('ticket_message', 'ticket_message.id', 'attachment.message_id')
      .select(ATTACHMENT_COLUMNS)
      .select('ticket_message.internal as internal')
      .where('attachment.id', '=', id)
      .executeTakeFirst();
    return row && { ...toAttachment(row), internal: row.internal === null ? null : Boolean(row.internal) };
  }

  async attachmentContent(id: string) {
    const row = await this.db.selectFrom('attachment').select('content').where('id', '=', id).executeTakeFirst();
    return row && bytesOf(row.content);
  }

  async linkInboundAttachments(inboundMailId: number, ticketId: number, messageId: number) {
    const r = await this.db
      .updateTable('attachment')
      .set({ ticket_id: ticketId, message_id: messageId })
      .where('inbound_mail_id', '=', inboundMailId)
      .where('message_id', 'is', null)
      .where('ticket_id', 'is', null)
      .executeTakeFirst();
    // No announcement of its own: the message the files are linked to was announced when it was stored, to its
    // audience (an internal note to staff only).
    const linked = Number(r.numUpdatedRows);
    return linked;
  }

  async deleteUnlinkedInboundAttachments(inboundMailId: number) {
    const r = await this.db
      .deleteFrom('attachment')
      .where('inbound_mail_id', '=', inboundMailId)
      .where('message_id', 'is', null)
      .where('ticket_id', 'is', null)
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  deleteAttachmentsOf(of: Parameters<AttachmentRepository['deleteAttachmentsOf']>[0]) {
    return deleteAttachmentsOf(this.ctx, of);
  }
}
