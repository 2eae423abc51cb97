import { sql, type Insertable } from 'kysely';
import type { Database } from '../schema.ts';
import {
  OUTBOX_STATUSES,
  type NewOutboxEntry,
  type OutboxStatus,
} from '../../../../domain/notifications/outbox-entry.ts';
import type { PageRequest } from '../../../../ports/storage/common.ts';
import type {
  OutboxClaim,
  OutboxMailFacts,
  OutboxOutcome,
  OutboxReference,
  ReportedEntry,
  OutboxRepository,
} from '../../../../ports/storage/outbox.ts';
import { ccOf, decodeCursor, page, toOutbox } from '../rows.ts';
import { outboxRow } from '../message-rows.ts';
import { insertRow, prepared, touchTicket } from '../sql-context.ts';
import { SqlRepository } from '../sql-repository.ts';
import type { SqlContext } from '../sql-dialect.ts';
import { SqlWebhookRepository } from './webhook-repository.ts';
import type { NewWebhookDelivery } from '../../../../domain/webhooks/webhook.ts';
import { eraseOutboxOf } from '../erasure-outbox.ts';

export class SqlOutboxRepository extends SqlRepository implements OutboxRepository {
  async queueMails(mails: readonly NewOutboxEntry[], at: string) {
    if (mails.length === 0) return [];
    return this.ctx.atomically(async (ctx) => {
      const ids: number[] = [];
      for (const mail of mails)
        ids.push(await insertRow(ctx, 'insert-outbox-entry', 'outbox_entry', outboxRow(mail, at)));
      await ctx.note({ kind: 'outbox' });
      return ids;
    });
  }

  // ---- outbox
  async findOutboxEntry(id: number) {
    const row = await this.db.selectFrom('outbox_entry').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    const attempts = await this.db
      .selectFrom('outbox_attempt')
      .select(['at', 'result', 'reply'])
      .where('entry_id', '=', id)
      .orderBy('id')
      .execute();
    return { ...toOutbox(row), attempts };
  }

  async listOutbox(status: OutboxStatus | undefined, req: PageRequest) {
    const before = decodeCursor(req.cursor);
    let q = this.db
      .selectFrom('outbox_entry')
      .selectAll()
      .orderBy('id', 'desc')
      .limit(req.limit + 1);
    if (before) q = q.where('id', '<', before);
    if (status) q = q.where('status', '=', status);
    return page((await q.execute()).map(toOutbox), req.limit);
  }

  async outboxOfMessages(messageIds: readonly number[]) {
    if (messageIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('outbox_entry')
      .selectAll()
      .where('message_id', 'in', messageIds as number[])
      .orderBy('id')
      .execute();
    return rows.map(toOutbox);
  }

  async outboxCounts() {
    const rows = await this.db
      .selectFrom('outbox_entry')
      .select(['status', (eb) => eb.fn.countAll<number | string>().as('n')])
      .groupBy('status')
      .execute();
    const counts = Object.fromEntries(OUTBOX_STATUSES.map((s) => [s, 0])) as Record<OutboxStatus, number>;
    for (const r of rows) counts[r.status as OutboxStatus] = Number(r.n);
    return counts;
  }

  async oldestWaitingOutboxAt() {
    // Ids grow with queueing time: the first id of each waiting status (an index seek each on `outbox_entry_status`),
    // then the earlier of their two times, rather than a scan of every waiting row.
    const first = (status: 'queued' | 'deferred') =>
      this.db
        .selectFrom('outbox_entry')
        .select((eb) => eb.fn.min('id').as('id'))
        .where('status', '=', status);
    const row = await this.db
      .selectFrom('outbox_entry')
      .select((eb) => eb.fn.min('created_at').as('at'))
      .where((eb) => eb.or([eb('id', '=', first('queued')), eb('id', '=', first('deferred'))]))
      .executeTakeFirst();
    return row?.at ?? null;
  }

  async firstDueOutboxAt() {
    // The claim's own partial index (`outbox_entry_due`): its first entry.
    const row = await this.db
      .selectFrom('outbox_entry')
      .select((eb) => eb.fn.min('next_attempt_at').as('at'))
      .where('status', 'in', ['queued', 'deferred'])
      .executeTakeFirst();
    return row?.at ?? null;
  }

  async claimOutbox(c: OutboxClaim) {
    let due = this.db
      .selectFrom('outbox_entry')
      .select('id')
      .where('status', 'in', ['queued', 'deferred'])
      .where('next_attempt_at', '<=', c.now)
      .orderBy('next_attempt_at')
      .orderBy('id')
      .limit(c.limit);
    // Several dispatchers skip each other's rows instead of waiting. Where writers are serial, an UPDATE takes the one
    // write lock even when nothing is due, making the message being posted wait: a read looks first.
    if (this.ctx.dialect.locksRows) due = due.forUpdate().skipLocked();
    else if (!(await due.executeTakeFirst())) return [];
    const rows = await this.db
      .updateTable('outbox_entry')
      .set({ status: 'sending', claim_token: c.token, lease_until: c.leaseUntil, updated_at: c.now })
      .where('id', 'in', due)
      .returningAll()
      .execute();
    return rows.map(toOutbox).sort((a, b) => a.id - b.id);
  }

  async earliestClaimExpiry() {
    const row = await this.db
      .selectFrom('outbox_entry')
      .select((eb) => eb.fn.min('lease_until').as('first'))
      .where('status', '=', 'sending')
      .executeTakeFirst();
    return row?.first ?? null;
  }

  async renewClaims(token: string, leaseUntil: string) {
    const rows = await this.db
      .updateTable('outbox_entry')
      .set({ lease_until: leaseUntil })
      .where('claim_token', '=', token)
      .where('status', '=', 'sending')
      .returning('id')
      .execute();
    return rows.map((r) => r.id);
  }

  async requeueExpiredClaims(now: string) {
    // Nearly always nothing has expired: a read, so no write (nor, where writers are serial, the write lock) for that.
    const any = await this.db
      .selectFrom('outbox_entry')
      .select('id')
      .where('status', '=', 'sending')
      .where('lease_until', '<', now)
      .limit(1)
      .executeTakeFirst();
    if (!any) return 0;
    const expired = await this.db
      .updateTable('outbox_entry')
      .set({ status: 'deferred', claim_token: null, lease_until: null, next_attempt_at: now, updated_at: now })
      .where('status', '=', 'sending')
      .where('lease_until', '<', now)
      .returning('id')
      .execute();
    if (expired.length > 0) {
      await this.db
        .insertInto('outbox_attempt')
        .values(
          expired.map((r) => ({
            entry_id: r.id,
            at: now,
            result: 'interrupted',
            reply: 'The dispatcher stopped during this attempt; the mail is due again with the same Message-ID.',
          })),
        )
        .execute();
    }
    return expired.length;
  }

  async finishOutboxAttempts(claimToken: string, outcomes: readonly { id: number; outcome: OutboxOutcome }[]) {
    if (outcomes.length === 0) return [];
    const inOneStatement = this.ctx.dialect.finishOutboxAttemptsInOneStatement;
    const withHooks = outcomes.some((x) => (x.outcome.webhooks?.length ?? 0) > 0);
    if (inOneStatement && !withHooks) return inOneStatement(this.ctx, claimToken, outcomes);
    return this.ctx.atomically(async (ctx) => {
      const recorded = inOneStatement
        ? await inOneStatement(ctx, claimToken, outcomes)
        : await finishEachAttempt(ctx, claimToken, outcomes);
      // The `mail.*` webhooks of the outcomes recorded, in the same transaction: never one for a taken-over claim.
      if (withHooks) {
        const done = new Set(recorded);
        for (const { id, outcome } of outcomes)
          if (done.has(id) && outcome.webhooks?.length)
            await new SqlWebhookRepository(ctx).queueWebhookDeliveries(outcome.webhooks, outcome.at);
      }
      return recorded;
    });
  }

  async retryOutboxNow(id: number, at: string) {
    const row = await this.db
      .updateTable('outbox_entry')
      // A new delivery effort: the backoff and the give-up time start again (the attempts stay in outbox_attempt).
      .set({ status: 'queued', next_attempt_at: at, attempt_count: 0, attempts_since: at, updated_at: at })
      .where('id', '=', id)
      .where('status', 'in', ['deferred', 'failed'])
      .where('erased_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
    if (row) await touchTicket(this.ctx, row.ticket_id);
    return row && toOutbox(row);
  }

  async resendOutboxEntry(fromId: number, mail: NewOutboxEntry, at: string) {
    return this.ctx.atomically(async (ctx) => {
      const taken = await ctx.db
        .selectFrom('outbox_entry')
        .select('id')
        .where('resent_from_id', '=', fromId)
        .executeTakeFirst();
      if (taken) return undefined;
      const row = await ctx.db
        .insertInto('outbox_entry')
        .values({ ...(outboxRow(mail, at) as Insertable<Database['outbox_entry']>), resent_from_id: fromId })
        .returningAll()
        .executeTakeFirstOrThrow();
      await ctx.note({ kind: 'outbox' });
      await touchTicket(ctx, row.ticket_id);
      return toOutbox(row);
    });
  }

  async resendsOf(ids: readonly number[]) {
    if (ids.length === 0) return [];
    const rows = await this.db
      .selectFrom('outbox_entry')
      .selectAll()
      .where('resent_from_id', 'in', ids as number[])
      .orderBy('id')
      .execute();
    return rows.map(toOutbox);
  }

  async latestOutboxTo(recipientId: number) {
    const row = await this.db
      .selectFrom('outbox_entry')
      .selectAll()
      .where('recipient_id', '=', recipientId)
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row && toOutbox(row);
  }

  async newestReplyAddress() {
    // Backwards from the newest id: almost every mail has a reply address, so the first rows read hold one.
    const row = await this.db
      .selectFrom('outbox_entry')
      .select('reply_to')
      .where('reply_to', 'is not', null)
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row?.reply_to ?? null;
  }

  async signalOutbox() {
    await this.ctx.note({ kind: 'outbox' });
  }

  async outboxByMessageIds(messageIdHeaders: readonly string[]): Promise<OutboxReference[]> {
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
        ? await this.prepared(
            'outbox-by-message-id',
            () => this.db.selectFrom('outbox_entry').select(columns).where('message_id_header', '=', ''),
            [messageIdHeaders[0]!],
          )
        : await this.db
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

  async outboxEntryForReport(id: number): Promise<ReportedEntry | undefined> {
    let query = this.db
      .selectFrom('outbox_entry')
      .select(['to_address', 'cc', 'erased_at', 'cc_erased_at'])
      .where('id', '=', id);
    if (this.ctx.dialect.locksRows) query = query.forShare();
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

  async recordOutboxBounce(
    id: number,
    at: string,
    reply: string,
    webhooks: readonly NewWebhookDelivery[] = [],
  ): Promise<boolean> {
    if (webhooks.length > 0)
      return this.ctx.atomically(async (ctx) => {
        const recorded = await new SqlOutboxRepository(ctx).recordOutboxBounce(id, at, reply);
        if (recorded) await new SqlWebhookRepository(ctx).queueWebhookDeliveries(webhooks, at);
        return recorded;
      });
    const row = await this.db
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
    await this.db.insertInto('outbox_attempt').values({ entry_id: id, at, result: 'bounced', reply }).execute();
    await touchTicket(this.ctx, row.ticket_id);
    return true;
  }

  async outboxMailFacts(ids: readonly number[]): Promise<OutboxMailFacts[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
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

  eraseOutboxOf(...args: Parameters<OutboxRepository['eraseOutboxOf']>) {
    return eraseOutboxOf(this.ctx, ...args);
  }
}

/** Two prepared statements per outcome, in the caller's transaction (where the dialect has no one-statement form). */
async function finishEachAttempt(
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
