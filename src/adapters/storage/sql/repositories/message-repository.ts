import type { Message, MessageSource } from '../../../../domain/messages/message.ts';
import type { Role } from '../../../../domain/users/user.ts';
import type { HistoryMessage, MessageRepository } from '../../../../ports/storage/messages.ts';
import { sql, type Selectable } from 'kysely';
import type { Database } from '../schema.ts';
import { bool } from '../rows.ts';
import { prepared } from '../sql-context.ts';
import { SqlRepository } from '../sql-repository.ts';
import { removeMessagesOfAuthor, removeMessagesQuotingMail } from '../erasure.ts';

type MessageRow = Selectable<Database['ticket_message']> & { author_name: string; author_role: string };

function messageOf(r: MessageRow): Message {
  return {
    id: r.id,
    ticketId: r.ticket_id,
    text: r.text,
    html: r.html,
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
  };
}

export class SqlMessageRepository extends SqlRepository implements MessageRepository {
  /** Messages with their authors' names and roles. */
  private withAuthors() {
    return this.db
      .selectFrom('ticket_message')
      .innerJoin('app_user', 'app_user.id', 'ticket_message.author_id')
      .selectAll('ticket_message')
      .select(['app_user.name as author_name', 'app_user.role as author_role']);
  }

  private thread(ticketId: number) {
    return this.withAuthors().where('ticket_message.ticket_id', '=', ticketId);
  }

  async listMessages(ticketId: number, includeInternal: boolean): Promise<Message[]> {
    let q = this.thread(ticketId).orderBy('ticket_message.id', 'asc');
    if (!includeInternal) q = q.where('ticket_message.internal', '=', bool(false));
    return (await q.execute()).map(messageOf);
  }

  /**
   * Prepared once: a message mail reads it for every message posted while its template shows the history. Written so
   * that the plan walks migration 036's index back over the rows it returns, with statistics or none: the filter as
   * the index states it (not as parameters, which a plan made once for every ticket could not match to it), and the
   * ticket hidden from PostgreSQL's statistics (`unseenId`), so that it plans for a ticket of average size. Shown the
   * ticket, it planned a busy ticket gone quiet as a walk back over the whole table's newest messages (the primary
   * key), on the statistics' word that a quarter of them were that ticket's. (On a desk of a handful of tickets, an
   * average one is a large share of the table, and that walk can still be chosen; it is short there.)
   */
  async latestPublicMessages(ticketId: number, limit: number): Promise<HistoryMessage[]> {
    if (limit <= 0) return [];
    const names = this.ctx.dialect.joinLines(sql`a.name`, sql`a.position`);
    const build = () =>
      this.withAuthors()
        .where('ticket_message.ticket_id', '=', this.ctx.dialect.unseenId(ticketId))
        .where(sql<boolean>`not ticket_message.internal and ticket_message.removed_at is null`)
        .select(
          sql<
            string | null
          >`(select ${names} from attachment a where a.message_id = ticket_message.id and not a.inline)`.as(
            'file_names',
          ),
        )
        .orderBy('ticket_message.id', 'desc')
        .limit(0);
    const rows = await prepared(this.ctx, 'latestPublicMessages', build, [ticketId, limit]);
    return rows.map((r) => ({ ...messageOf(r), fileNames: r.file_names ? r.file_names.split('\n') : [] }));
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

  removeMessagesQuotingMail(ids: readonly number[], at: string) {
    return removeMessagesQuotingMail(this.ctx, ids, at);
  }
}
