import type { InboundOutcome, InboundStatus } from '../../../../domain/inbound/inbound-mail.ts';
import { AuthorGone, PersonErased } from '../../../../ports/storage/common.ts';
import type { NewMessage } from '../../../../ports/storage/messages.ts';
import type { MessageMails, UnitOfWork } from '../../../../ports/storage/unit-of-work.ts';
import { finishInboundMail } from './inbound-mail-repository.ts';
import { messageRow, outboxRow } from '../message-rows.ts';
import { inSavepoint, insertRow, prepared, touchTicket } from '../sql-context.ts';
import type { SqlContext } from '../sql-dialect.ts';
import { SqlRepository } from '../sql-repository.ts';

/** storeInboundMessage without a one-statement capability: the mail was decided meanwhile; its write is undone. */
class InboundNotPending extends Error {}

/**
 * The writes that span aggregates. A database that can write a message in one statement does (PostgreSQL: one
 * round trip); otherwise prepared statements one after the other, in one transaction.
 */
export class SqlUnitOfWork extends SqlRepository implements UnitOfWork {
  async storeMessage(m: NewMessage, mails: MessageMails) {
    const inOneStatement = this.ctx.dialect.storeMessageInOneStatement;
    if (inOneStatement) return (await inOneStatement(this.ctx, m, mails))!;
    return this.ctx.atomically((ctx) => writeMessage(ctx, m, mails));
  }

  async storeInboundMessage(
    m: NewMessage,
    mails: MessageMails,
    inbound: { id: number; outcome: InboundOutcome; fromStatuses: readonly InboundStatus[] },
  ) {
    const inOneStatement = this.ctx.dialect.storeMessageInOneStatement;
    if (inOneStatement) return inOneStatement(this.ctx, m, mails, inbound);
    // The message, then the outcome; a mail no longer pending rolls it back (to a savepoint, in an open transaction).
    const write = async (ctx: SqlContext) => {
      const stored = await writeMessage(ctx, m, mails);
      const outcome = { ...inbound.outcome, messageId: stored.messageId };
      if (!(await finishInboundMail(ctx, inbound.id, outcome, inbound.fromStatuses))) throw new InboundNotPending();
      return stored;
    };
    try {
      return await (this.ctx.inTransaction
        ? inSavepoint(this.ctx, 'parley_inbound', write)
        : this.ctx.atomically(write));
    } catch (error) {
      if (error instanceof InboundNotPending) return undefined;
      throw error;
    }
  }
}

/**
 * A message, its ticket's activity time and its mails, as prepared statements (inside a transaction). Its author is
 * read first, in the same transaction (under a share lock where rows are locked; where write transactions are serial,
 * none commits in between): one erased or deactivated since their actor was loaded writes nothing (`AuthorGone`).
 * So are the users its mails were rendered with: one erased since they were read writes nothing (`PersonErased`).
 */
export async function writeMessage(ctx: SqlContext, m: NewMessage, mails: MessageMails) {
  const authorRow = () => {
    const query = ctx.db.selectFrom('app_user').select(['active', 'erased_at']).where('id', '=', 0);
    return ctx.dialect.locksRows ? query.forShare() : query;
  };
  const [author] = await prepared(ctx, 'message-author', authorRow, [m.authorId]);
  if (!author?.active || author.erased_at !== null) throw new AuthorGone(m.authorId, author?.erased_at != null);
  const people = [...new Set(m.renderedWith ?? [])];
  if (people.length > 0) {
    let query = ctx.db.selectFrom('app_user').select(['id', 'erased_at']).where('id', 'in', people);
    if (ctx.dialect.locksRows) query = query.forShare();
    const erased = (await query.execute()).filter((r) => r.erased_at !== null).map((r) => r.id);
    if (erased.length > 0) throw new PersonErased(erased);
  }
  const messageId = await insertRow(ctx, 'insert-message', 'ticket_message', messageRow(m));
  // An internal note moves the staff's activity time only; requesters see the time of what they can see.
  if (m.internal)
    await prepared(
      ctx,
      'touch-ticket',
      () => ctx.db.updateTable('ticket').set({ last_activity_at: '' }).where('id', '=', 0),
      [m.createdAt, m.ticketId],
    );
  else {
    const touch = () =>
      ctx.db.updateTable('ticket').set({ last_activity_at: '', public_activity_at: '' }).where('id', '=', 0);
    await prepared(ctx, 'touch-ticket-public', touch, [m.createdAt, m.createdAt, m.ticketId]);
  }
  const outboxIds: number[] = [];
  for (const mail of mails)
    outboxIds.push(
      await insertRow(ctx, 'insert-outbox-entry', 'outbox_entry', outboxRow({ ...mail, messageId }, m.createdAt)),
    );
  if (outboxIds.length > 0) await ctx.note({ kind: 'outbox' });
  await touchTicket(ctx, m.ticketId, m.internal);
  return { messageId, outboxIds };
}
