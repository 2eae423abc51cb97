import type { Kysely } from 'kysely';
import type { SqlContext } from '../sql-dialect.ts';

/**
 * The leases of the work a dispatcher claims, the same on every table of such work (the outbox's mails, the webhook
 * deliveries): a claim is `status = 'sending'` with a `claim_token` and a `lease_until`, renewed while its dispatcher
 * works; one whose lease ran out is due again at once, with an `interrupted` attempt recorded beside it.
 */
export interface LeasedWork {
  /** The table of the work, and the table and column of its attempts. */
  table: 'outbox_entry' | 'webhook_delivery';
  attempts: { table: 'outbox_attempt'; of: 'entry_id' } | { table: 'webhook_attempt'; of: 'delivery_id' };
  /** The reply recorded with an interrupted attempt: what a person reading the attempts learns. */
  interrupted: string;
}

/** The columns every table of leased work has (the rest of its row is its own). */
interface LeasedRow {
  id: number;
  status: string;
  claim_token: string | null;
  lease_until: string | null;
  next_attempt_at: string;
  updated_at: string;
}

/** The database seen through the columns the tables of leased work share, and their attempts' tables. */
function tables(db: SqlContext['db']) {
  return db as unknown as Kysely<
    Record<LeasedWork['table'], LeasedRow> & Record<LeasedWork['attempts']['table'], Record<string, unknown>>
  >;
}

/** When the first claim held by anyone ends (null when nothing is claimed). */
export async function earliestClaimExpiry(ctx: SqlContext, work: LeasedWork): Promise<string | null> {
  const row = await tables(ctx.db)
    .selectFrom(work.table)
    .select((eb) => eb.fn.min('lease_until').as('first'))
    .where('status', '=', 'sending')
    .executeTakeFirst();
  return row?.first ?? null;
}

/** Renews the claims of `token`; returns the ids it still holds. */
export async function renewClaims(ctx: SqlContext, work: LeasedWork, token: string, leaseUntil: string) {
  const rows = await tables(ctx.db)
    .updateTable(work.table)
    .set({ lease_until: leaseUntil })
    .where('claim_token', '=', token)
    .where('status', '=', 'sending')
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

/** Makes the work whose claim expired before `now` due at once, each with an `interrupted` attempt; returns its ids. */
export async function requeueExpiredClaims(ctx: SqlContext, work: LeasedWork, now: string): Promise<number[]> {
  // Nearly always nothing has expired: a read, so no write (nor, where writers are serial, the write lock) for that.
  const any = await tables(ctx.db)
    .selectFrom(work.table)
    .select('id')
    .where('status', '=', 'sending')
    .where('lease_until', '<', now)
    .limit(1)
    .executeTakeFirst();
  if (!any) return [];
  // The work and its `interrupted` attempt together: a failure between the two leaves the claim as it was.
  return ctx.atomically(async (tx) => {
    const db = tables(tx.db);
    const expired = await db
      .updateTable(work.table)
      .set({ status: 'deferred', claim_token: null, lease_until: null, next_attempt_at: now, updated_at: now })
      .where('status', '=', 'sending')
      .where('lease_until', '<', now)
      .returning('id')
      .execute();
    if (expired.length > 0) {
      await db
        .insertInto(work.attempts.table)
        .values(
          expired.map((r) => ({ [work.attempts.of]: r.id, at: now, result: 'interrupted', reply: work.interrupted })),
        )
        .execute();
    }
    return expired.map((r) => r.id);
  });
}
