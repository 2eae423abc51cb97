import type { OutboxStatus } from '../../../../domain/notifications/outbox-entry.ts';
import type { NewWebhookDelivery } from '../../../../domain/webhooks/webhook.ts';
import type { OutboxMailFacts, OutboxReference, ReportedEntry } from '../../../../ports/storage/outbox.ts';
import { ccOf } from '../rows.ts';
import { prepared, touchTicket } from '../sql-context.ts';
import type { SqlContext } from '../sql-dialect.ts';
import { SqlWebhookRepository } from './webhook-repository.ts';

/**
 * What the inbound side asks of the outbox (`SqlOutboxRepository` delegates to these): the notifications a reply or
 * a delivery report names, and a bounce recorded on the mail it reports.
 */

export async function outboxByMessageIds(
  ctx: SqlContext,
  messageIdHeaders: readonly string[],
): Promise<OutboxReference[]> {
  if (messageIdHeaders.length === 0) return [];
  const columns = [
    'id',
    'ticket_id',
    'recipient_id',
    'message_id_header',
    'status',
    'erased_at',
    'cc_erased_at',
  ] as const;
  const rows =
    messageIdHeaders.length === 1
      ? await prepared(
          ctx,
          'outbox-by-message-id',
          () => ctx.db.selectFrom('outbox_entry').select(columns).where('message_id_header', '=', ''),
          [messageIdHeaders[0]!],
        )
      : await ctx.db
          .selectFrom('outbox_entry')
          .select(columns)
          .where('message_id_header', 'in', messageIdHeaders as string[])
          .orderBy('id')
          .execute();
  return rows.map((r) => ({
    id: r.id,
    ticketId: r.ticket_id,
    recipientId: r.recipient_id,
    messageIdHeader: r.message_id_header,
    status: r.status as OutboxStatus,
    erased: r.erased_at !== null,
    ccErased: r.cc_erased_at !== null,
  }));
}

export async function outboxEntryForReport(ctx: SqlContext, id: number): Promise<ReportedEntry | undefined> {
  let query = ctx.db
    .selectFrom('outbox_entry')
    .select(['to_address', 'cc', 'erased_at', 'cc_erased_at'])
    .where('id', '=', id);
  if (ctx.dialect.locksRows) query = query.forShare();
  const row = await query.executeTakeFirst();
  return (
    row && {
      toAddress: row.to_address,
      cc: ccOf(row.cc),
      erasedAt: row.erased_at ?? null,
      ccErasedAt: row.cc_erased_at ?? null,
    }
  );
}

export async function recordOutboxBounce(
  ctx: SqlContext,
  id: number,
  at: string,
  reply: string,
  webhooks: readonly NewWebhookDelivery[] = [],
): Promise<boolean> {
  if (webhooks.length > 0)
    return ctx.atomically(async (tx) => {
      const recorded = await recordOutboxBounce(tx, id, at, reply);
      if (recorded) await new SqlWebhookRepository(tx).queueWebhookDeliveries(webhooks, at);
      return recorded;
    });
  const row = await ctx.db
    .updateTable('outbox_entry')
    // A claim in flight loses its right to record an outcome: the bounce is the last word on this mail.
    .set({
      status: 'failed',
      next_attempt_at: null,
      last_reply: reply,
      claim_token: null,
      lease_until: null,
      updated_at: at,
    })
    .where('id', '=', id)
    // A mail an erasure emptied stays as the erasure left it: a late report would make it retryable, and name them.
    .where('erased_at', 'is', null)
    .returning(['id', 'ticket_id'])
    .executeTakeFirst();
  if (!row) return false;
  await ctx.db.insertInto('outbox_attempt').values({ entry_id: id, at, result: 'bounced', reply }).execute();
  await touchTicket(ctx, row.ticket_id);
  return true;
}

export async function outboxMailFacts(ctx: SqlContext, ids: readonly number[]): Promise<OutboxMailFacts[]> {
  if (ids.length === 0) return [];
  const rows = await ctx.db
    .selectFrom('outbox_entry as e')
    .leftJoin('ticket_message as m', 'm.id', 'e.message_id')
    .select(['e.id', 'e.ticket_id', 'e.message_id', 'e.to_address', 'e.attempt_count', 'm.internal'])
    .where('e.id', 'in', ids as number[])
    .execute();
  return rows.map((r) => ({
    id: r.id,
    ticketId: r.ticket_id,
    // A ticket's number is its id (ticket-repository.ts).
    ticketNumber: r.ticket_id,
    messageId: r.message_id,
    toAddress: r.to_address,
    attemptCount: r.attempt_count,
    internal: Boolean(r.internal),
  }));
}
