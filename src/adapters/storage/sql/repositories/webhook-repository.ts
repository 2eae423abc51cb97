import type { Selectable } from 'kysely';
import { WEBHOOK_SENTENCES } from '../../../../domain/webhooks/webhook-results.ts';
import type {
  NewWebhookDelivery,
  WebhookAttempt,
  WebhookDelivery,
  WebhookDeliveryStatus,
  WebhookEndpoint,
  WebhookEndpointFields,
  WebhookEvent,
} from '../../../../domain/webhooks/webhook.ts';
import type { PageRequest } from '../../../../ports/storage/common.ts';
import type {
  ClaimedWebhookDelivery,
  WebhookClaim,
  WebhookOutcome,
  WebhookRepository,
} from '../../../../ports/storage/webhooks.ts';
import { eraseWebhookDeliveriesOf } from '../erasure.ts';
import { bool, decodeCursor, page } from '../rows.ts';
import type { Database } from '../schema.ts';
import { SqlRepository } from '../sql-repository.ts';
import * as leases from './leased-claims.ts';

/** The webhook deliveries as leased work: their attempts, and what an interrupted one says. */
const WEBHOOK_LEASES: leases.LeasedWork = {
  table: 'webhook_delivery',
  attempts: { table: 'webhook_attempt', of: 'delivery_id' },
  interrupted: WEBHOOK_SENTENCES.INTERRUPTED,
};

function toEndpoint(r: Selectable<Database['webhook_endpoint']>): WebhookEndpoint {
  return {
    id: r.id,
    url: r.url,
    description: r.description,
    events: JSON.parse(r.events) as WebhookEvent[],
    publicOnly: Boolean(r.public_only),
    active: Boolean(r.active),
    allowPrivate: Boolean(r.allow_private),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function toDelivery(r: Selectable<Database['webhook_delivery']>): WebhookDelivery {
  return {
    id: r.id,
    endpointId: r.endpoint_id,
    eventId: r.event_id,
    event: r.event as WebhookEvent,
    ticketId: r.ticket_id,
    body: r.body,
    status: r.status as WebhookDeliveryStatus,
    attemptCount: r.attempt_count,
    attemptsSince: r.attempts_since,
    nextAttemptAt: r.next_attempt_at,
    lastReply: r.last_reply,
    createdAt: r.created_at,
    deliveredAt: r.delivered_at,
  };
}

function endpointRow(f: Partial<WebhookEndpointFields>) {
  return {
    ...(f.url === undefined ? {} : { url: f.url }),
    ...(f.description === undefined ? {} : { description: f.description }),
    ...(f.events === undefined ? {} : { events: JSON.stringify(f.events) }),
    ...(f.publicOnly === undefined ? {} : { public_only: bool(f.publicOnly) }),
    ...(f.active === undefined ? {} : { active: bool(f.active) }),
    ...(f.allowPrivate === undefined ? {} : { allow_private: bool(f.allowPrivate) }),
  };
}

export class SqlWebhookRepository extends SqlRepository implements WebhookRepository {
  async createWebhookEndpoint(f: WebhookEndpointFields, secretSealed: string, at: string) {
    const row = await this.db
      .insertInto('webhook_endpoint')
      .values({
        url: f.url,
        description: f.description,
        events: JSON.stringify(f.events),
        public_only: bool(f.publicOnly),
        active: bool(f.active),
        allow_private: bool(f.allowPrivate),
        secret_sealed: secretSealed,
        created_at: at,
        updated_at: at,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toEndpoint(row);
  }

  async updateWebhookEndpoint(
    id: number,
    f: Partial<WebhookEndpointFields>,
    secretSealed: string | undefined,
    at: string,
  ) {
    const row = await this.db
      .updateTable('webhook_endpoint')
      .set({
        ...endpointRow(f),
        ...(secretSealed === undefined ? {} : { secret_sealed: secretSealed }),
        updated_at: at,
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    return row && toEndpoint(row);
  }

  async deleteWebhookEndpoint(id: number) {
    const r = await this.db.deleteFrom('webhook_endpoint').where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async findWebhookEndpoint(id: number) {
    const row = await this.db.selectFrom('webhook_endpoint').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toEndpoint(row);
  }

  async listWebhookEndpoints() {
    const rows = await this.db.selectFrom('webhook_endpoint').selectAll().orderBy('id').execute();
    return rows.map(toEndpoint);
  }

  async webhookEndpointSecrets() {
    const rows = await this.db.selectFrom('webhook_endpoint').select(['id', 'secret_sealed']).orderBy('id').execute();
    return rows.map((r) => ({ id: r.id, secretSealed: r.secret_sealed }));
  }

  async webhookEndpointsFor(event: WebhookEvent) {
    const rows = await this.db
      .selectFrom('webhook_endpoint')
      .selectAll()
      .where('active', '=', bool(true))
      .orderBy('id')
      .execute();
    return rows.map(toEndpoint).filter((e) => e.events.includes(event));
  }

  async queueWebhookDeliveries(deliveries: readonly NewWebhookDelivery[], at: string) {
    if (deliveries.length === 0) return [];
    return this.ctx.atomically(async (ctx) => {
      // An endpoint deleted since it was read (another process's list is kept until its cache hears of the change)
      // gets nothing, rather than failing the write its deliveries go with. Where rows lock, the endpoints found are
      // held (key share) until the transaction ends, so a delete cannot slip in before the insert.
      const ids = [...new Set(deliveries.map((d) => d.endpointId))];
      let existing = ctx.db.selectFrom('webhook_endpoint').select('id').where('id', 'in', ids);
      if (ctx.dialect.locksRows) existing = existing.forKeyShare();
      const present = new Set((await existing.execute()).map((r) => r.id));
      const kept = deliveries.filter((d) => present.has(d.endpointId));
      if (kept.length === 0) return [];
      const rows = await ctx.db
        .insertInto('webhook_delivery')
        .values(
          kept.map((d) => ({
            endpoint_id: d.endpointId,
            event_id: d.eventId,
            event: d.event,
            ticket_id: d.ticketId,
            body: d.body,
            status: 'queued',
            attempts_since: at,
            next_attempt_at: at,
            created_at: at,
            updated_at: at,
          })),
        )
        .returning('id')
        .execute();
      await ctx.note({ kind: 'webhook' });
      return rows.map((r) => r.id);
    });
  }

  async findWebhookDelivery(id: number) {
    const row = await this.db.selectFrom('webhook_delivery').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    const attempts = await this.db
      .selectFrom('webhook_attempt')
      .select(['at', 'result', 'reply', 'http_status', 'duration_ms'])
      .where('delivery_id', '=', id)
      .orderBy('id')
      .execute();
    return {
      ...toDelivery(row),
      attempts: attempts.map((a): WebhookAttempt => ({
        at: a.at,
        result: a.result as WebhookAttempt['result'],
        reply: a.reply,
        httpStatus: a.http_status,
        durationMs: a.duration_ms,
      })),
    };
  }

  async listWebhookDeliveries(filter: { endpointId?: number; status?: WebhookDeliveryStatus }, req: PageRequest) {
    const before = decodeCursor(req.cursor);
    let q = this.db
      .selectFrom('webhook_delivery')
      .selectAll()
      .orderBy('id', 'desc')
      .limit(req.limit + 1);
    if (before) q = q.where('id', '<', before);
    if (filter.endpointId !== undefined) q = q.where('endpoint_id', '=', filter.endpointId);
    if (filter.status) q = q.where('status', '=', filter.status);
    return page((await q.execute()).map(toDelivery), req.limit);
  }

  async claimWebhookDeliveries(c: WebhookClaim): Promise<ClaimedWebhookDelivery[]> {
    let due = this.db
      .selectFrom('webhook_delivery')
      .select('id')
      .where('status', 'in', ['queued', 'deferred'])
      .where('next_attempt_at', '<=', c.now)
      .where('endpoint_id', 'in', (eb) =>
        eb.selectFrom('webhook_endpoint').select('id').where('active', '=', bool(true)),
      )
      .orderBy('next_attempt_at')
      .orderBy('id')
      .limit(c.limit);
    if (c.ids) {
      if (c.ids.length === 0) return [];
      due = due.where('id', 'in', [...c.ids]);
    }
    // Nearly always nothing is due (most installs have no endpoint): a read looks first, so the dispatcher's loop, woken
    // by every poll, writes nothing (nor takes the write lock, where writers are serial) for nothing.
    if (!(await due.executeTakeFirst())) return [];
    // Several dispatchers skip each other's rows instead of waiting (where writers are serial, there is no need).
    if (this.ctx.dialect.locksRows) due = due.forUpdate().skipLocked();
    const claimed = await this.db
      .updateTable('webhook_delivery')
      .set({ status: 'sending', claim_token: c.token, lease_until: c.leaseUntil, updated_at: c.now })
      .where('id', 'in', due)
      .returningAll()
      .execute();
    if (claimed.length === 0) return [];
    const endpoints = await this.db
      .selectFrom('webhook_endpoint')
      .select(['id', 'url', 'allow_private', 'secret_sealed'])
      .where('id', 'in', [...new Set(claimed.map((r) => r.endpoint_id))])
      .execute();
    const byId = new Map(endpoints.map((e) => [e.id, e]));
    return claimed
      .map((r) => {
        const e = byId.get(r.endpoint_id)!;
        return { ...toDelivery(r), url: e.url, allowPrivate: Boolean(e.allow_private), secretSealed: e.secret_sealed };
      })
      .sort((a, b) => a.id - b.id);
  }

  requeueExpiredWebhookClaims(now: string) {
    return leases.requeueExpiredClaims(this.ctx, WEBHOOK_LEASES, now);
  }

  earliestWebhookClaimExpiry() {
    return leases.earliestClaimExpiry(this.ctx, WEBHOOK_LEASES);
  }

  renewWebhookClaims(token: string, leaseUntil: string) {
    return leases.renewClaims(this.ctx, WEBHOOK_LEASES, token, leaseUntil);
  }

  async finishWebhookAttempts(claimToken: string, outcomes: readonly { id: number; outcome: WebhookOutcome }[]) {
    if (outcomes.length === 0) return [];
    return this.ctx.atomically(async (ctx) => {
      const recorded: number[] = [];
      for (const { id, outcome: o } of outcomes) {
        const updated = await ctx.db
          .updateTable('webhook_delivery')
          .set((eb) => ({
            status: o.status,
            attempt_count: eb('attempt_count', '+', 1),
            next_attempt_at: o.nextAttemptAt,
            last_reply: o.reply,
            delivered_at: o.status === 'delivered' ? o.at : null,
            claim_token: null,
            lease_until: null,
            updated_at: o.at,
          }))
          .where('id', '=', id)
          .where('claim_token', '=', claimToken)
          .returning('id')
          .executeTakeFirst();
        if (!updated) continue;
        await ctx.db
          .insertInto('webhook_attempt')
          .values({
            delivery_id: id,
            at: o.at,
            result: o.status,
            reply: o.reply,
            http_status: o.httpStatus,
            duration_ms: o.durationMs,
          })
          .execute();
        recorded.push(id);
      }
      return recorded;
    });
  }

  eraseWebhookDeliveriesOf(of: Parameters<WebhookRepository['eraseWebhookDeliveriesOf']>[0]) {
    return eraseWebhookDeliveriesOf(this.ctx, of);
  }

  async resendWebhookDelivery(id: number, at: string) {
    return this.ctx.atomically(async (ctx) => {
      const row = await ctx.db
        .updateTable('webhook_delivery')
        .set({ status: 'queued', next_attempt_at: at, attempt_count: 0, attempts_since: at, updated_at: at })
        .where('id', '=', id)
        .where('status', '!=', 'sending')
        .returningAll()
        .executeTakeFirst();
      if (row) await ctx.note({ kind: 'webhook' });
      return row && toDelivery(row);
    });
  }
}
