import { sql } from 'kysely';
import type { OutboxClaim, OutboxOutcome } from '../../../../ports/storage/outbox.ts';
import { toOutbox } from '../rows.ts';
import { insertRow, prepared, touchTicket } from '../sql-context.ts';
import type { SqlContext } from '../sql-dialect.ts';
import type { LeasedWork } from './leased-claims.ts';

/**
 * The outbox's claims (`SqlOutboxRepository` delegates to these): a dispatcher claims due mail under a lease and
 * records each attempt's outcome. Their leases are renewed and re-queued as every leased work's (`leased-claims.ts`).
 */

/** The outbox's mails as leased work: their attempts, and what an interrupted one says. */
export const OUTBOX_LEASES: LeasedWork = {
  table: 'outbox_entry',
  attempts: { table: 'outbox_attempt', of: 'entry_id' },
  interrupted: 'The dispatcher stopped during this attempt; the mail is due again with the same Message-ID.',
};

export async function claimOutbox(ctx: SqlContext, c: OutboxClaim) {
  let due = ctx.db
    .selectFrom('outbox_entry')
    .select('id')
    .where('status', 'in', ['queued', 'deferred'])
    .where('next_attempt_at', '<=', c.now)
    .orderBy('next_attempt_at')
    .orderBy('id')
    .limit(c.limit);
  if (c.ids) {
    if (c.ids.length === 0) return [];
    due = due.where('id', 'in', [...c.ids]);
  }
  // Several dispatchers skip each other's rows instead of waiting. Where writers are serial, an UPDATE takes the one
  // write lock even when nothing is due, making the message being posted wait: a read looks first.
  if (ctx.dialect.locksRows) due = due.forUpdate().skipLocked();
  else if (!(await due.executeTakeFirst())) return [];
  const rows = await ctx.db
    .updateTable('outbox_entry')
    .set({ status: 'sending', claim_token: c.token, lease_until: c.leaseUntil, updated_at: c.now })
    .where('id', 'in', due)
    .returningAll()
    .execute();
  return rows.map(toOutbox).sort((a, b) => a.id - b.id);
}

/** Two prepared statements per outcome, in the caller's transaction (where the dialect has no one-statement form). */
export async function finishEachAttempt(
  ctx: SqlContext,
  claimToken: string,
  outcomes: readonly { id: number; outcome: OutboxOutcome }[],
): Promise<number[]> {
  const sentAt = (o: OutboxOutcome) => (o.status === 'sent' ? o.at : null);
  const recorded: number[] = [];
  for (const { id, outcome: o } of outcomes) {
    const [updated] = await prepared<{ id: number; ticket_id: number | null }>(
      ctx,
      'finish-outbox-attempt',
      () => ({
        compile: () =>
          sql<{
            id: number;
            ticket_id: number | null;
          }>`update outbox_entry set status = ${''}, attempt_count = attempt_count + 1, next_attempt_at = ${''},
            last_reply = ${''}, sent_at = ${''}, claim_token = null, lease_until = null, updated_at = ${''}
            where id = ${0} and claim_token = ${''} returning id, ticket_id`.compile(ctx.db),
      }),
      [o.status, o.nextAttemptAt, o.reply, sentAt(o), o.at, id, claimToken],
    );
    if (!updated) continue;
    await touchTicket(ctx, updated.ticket_id);
    await insertRow(ctx, 'insert-outbox-attempt', 'outbox_attempt', {
      entry_id: id,
      at: o.at,
      result: o.status,
      reply: o.reply,
    });
    recorded.push(id);
  }
  return recorded;
}
