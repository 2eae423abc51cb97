import type { Message, MessageSource } from '../../../../domain/messages/message.ts';
import type { Role } from '../../../../domain/users/user.ts';
import type { MessageRepository } from '../../../../ports/storage/messages.ts';
import { bool } from '../rows.ts';
import { SqlRepository } from '../sql-repository.ts';
import { removeMessagesOfAuthor } from '../erasure.ts';

export class SqlMessageRepository extends SqlRepository implements MessageRepository {
  async listMessages(ticketId: number, includeInternal: boolean): Promise<Message[]> {
    let q = this.db
      .selectFrom('ticket_message')
      .innerJoin('app_user', 'app_user.id', 'ticket_message.author_id')
      .selectAll('ticket_message')
      .select(['app_user.name as author_name', 'app_user.role as author_role'])
      .where('ticket_message.ticket_id', '=', ticketId)
      .orderBy('ticket_message.id', 'asc');
    if (!includeInternal) q = q.where('ticket_message.internal', '=', bool(false));
    const rows = await q.execute();
    return rows.map((r) => ({
      id: r.id,
      ticketId: r.ticket_id,
      text: r.text,
      internal: Boolean(r.internal),
      sendEmail: Boolean(r.send_email),
      source: r.source as MessageSource,
      authorId: r.author_id,
      authorName: r.author_name,
      authorRole: r.author_role as Role,
      timeSpentMinutes: r.time_spent_minutes,
      timeSpentDate: r.time_spent_date,
      createdAt: r.created_at,
      removed: r.removed_at !== null,
    }));
  }

  async trimmedOfMessages(messageIds: readonly number[]) {
    if (messageIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('inbound_mail')
      .select(['message_id', 'trimmed'])
      .where('message_id', 'in', messageIds as number[])
      .where('trimmed', 'is not', null)
      .where('trimmed', '<>', '')
      .execute();
    return rows.map((r) => ({ messageId: r.message_id!, trimmed: r.trimmed! }));
  }

  removeMessagesOfAuthor(authorId: number, at: string) {
    return removeMessagesOfAuthor(this.ctx, authorId, at);
  }
}
