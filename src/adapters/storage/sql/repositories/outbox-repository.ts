import type { Insertable } from 'kysely';
import type { Database } from '../schema.ts';
import {
  OUTBOX_STATUSES,
  type NewOutboxEntry,
  type OutboxStatus,
} from '../../../../domain/notifications/outbox-entry.ts';
import type { PageRequest } from '../../../../ports/storage/common.ts';
import type { OutboxOutcome, OutboxRepository } from '../../../../ports/storage/outbox.ts';
import { decodeCursor, page, toOutbox } from '../rows.ts';
import { outboxRow } from '../message-rows.ts';
import { insertRow, touchTicket } from '../sql-context.ts';
import { SqlRepository } from '../sql-repository.ts';
import { SqlWebhookRepository } from './webhook-repository.ts';
import { eraseOutboxOf } from '../erasure-outbox.ts';
import * as claims from './outbox-claims.ts';
import { OUTBOX_LEASES } from './outbox-claims.ts';
import * as leases from './leased-claims.ts';
import * as reports from './outbox-reports.ts';

/** The arguments of a method of the port, passed on as they came. */
type Args<K extends keyof OutboxRepository> = OutboxRepository[K] extends (...args: infer A) => unknown ? A : never;

/**
 * The outbox: mail queued, read, retried and resent here; its claims in `outbox-claims.ts`, what inbound mail asks of
 * it in `outbox-reports.ts`.
 */
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

  claimOutbox(...args: Args<'claimOutbox'>) {
    return claims.claimOutbox(this.ctx, ...args);
  }

  earliestClaimExpiry() {
    return leases.earliestClaimExpiry(this.ctx, OUTBOX_LEASES);
  }

  renewClaims(token: string, leaseUntil: string) {
    return leases.renewClaims(this.ctx, OUTBOX_LEASES, token, leaseUntil);
  }

  requeueExpiredClaims(now: string) {
    return leases.requeueExpiredClaims(this.ctx, OUTBOX_LEASES, now);
  }

  async finishOutboxAttempts(claimToken: string, outcomes: readonly { id: number; outcome: OutboxOutcome }[]) {
    if (outcomes.length === 0) return [];
    const inOneStatement = this.ctx.dialect.finishOutboxAttemptsInOneStatement;
    const withHooks = outcomes.some((x) => (x.outcome.webhooks?.length ?? 0) > 0);
    if (inOneStatement && !withHooks) return inOneStatement(this.ctx, claimToken, outcomes);
    return this.ctx.atomically(async (ctx) => {
      const recorded = inOneStatement
        ? await inOneStatement(ctx, claimToken, outcomes)
        : await claims.finishEachAttempt(ctx, claimToken, outcomes);
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

  outboxByMessageIds(...args: Args<'outboxByMessageIds'>) {
    return reports.outboxByMessageIds(this.ctx, ...args);
  }

  outboxEntryForReport(...args: Args<'outboxEntryForReport'>) {
    return reports.outboxEntryForReport(this.ctx, ...args);
  }

  recordOutboxBounce(...args: Args<'recordOutboxBounce'>) {
    return reports.recordOutboxBounce(this.ctx, ...args);
  }

  outboxMailFacts(...args: Args<'outboxMailFacts'>) {
    return reports.outboxMailFacts(this.ctx, ...args);
  }

  eraseOutboxOf(...args: Parameters<OutboxRepository['eraseOutboxOf']>) {
    return eraseOutboxOf(this.ctx, ...args);
  }
}
