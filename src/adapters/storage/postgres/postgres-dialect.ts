import { sql, type RawBuilder } from 'kysely';
import type { SenderClaim } from '../../../ports/storage/inbound-mail.ts';
import { erasedDedupeKey } from '../sql/inbound-rows.ts';
import type { OutboxOutcome } from '../../../ports/storage/outbox.ts';
import { prepared } from '../sql/sql-context.ts';
import { storeMessageInOneStatement } from './store-message.ts';
import type { ConnectionLimit, Db, SqlContext, SqlDialect } from '../sql/sql-dialect.ts';

/** A `to_tsquery` of every word, each a prefix (`'word':*`) or whole. */
function tsQuery(words: readonly string[], prefixes: boolean): string {
  return words.map((w) => `'${w.replace(/'/g, "''")}'${prefixes ? ':*' : ''}`).join(' & ');
}

/**
 * PostgreSQL: concurrent transactions lock the rows their decisions read and skip each other's claims; the hot writes
 * are one statement each; their NOTIFYs follow the commit in a statement of their own (`NotifySignals.deliver`).
 */
export const postgresDialect: SqlDialect = {
  name: 'postgres',
  locksRows: true,
  joinsBeatReads: true,
  // clock_timestamp(), not now(): the time of the reading, not of the transaction's start (read back as ISO).
  serverTime: () => sql<string>`clock_timestamp()`,
  joinIds: (column: RawBuilder<unknown>) => sql<string | null>`string_agg(${column}::text, ',' order by ${column})`,
  joinLines: (column: RawBuilder<unknown>, order: RawBuilder<unknown>) =>
    sql<string | null>`string_agg(${column}, chr(10) order by ${order})`,
  unseenId: (id: number) => sql<number>`(select ${id}::integer)`,
  ticketsMatchingWords(_db: Db, words: readonly string[], internal: boolean) {
    // 'simple': lowered words, no stemming, the same for every language of the desk (migration 015's indexes).
    const query = tsQuery(words, true);
    return sql<number>`select id from ticket where to_tsvector('simple', title || ' ' || description) @@ to_tsquery('simple', ${query})
      union select ticket_id from ticket_message where to_tsvector('simple', text) @@ to_tsquery('simple', ${query})${
        internal ? sql`` : sql` and not internal`
      }`;
  },
  titleHoldsWords: (words: readonly string[]) =>
    sql<boolean>`to_tsvector('simple', ticket.title || ' ' || ticket.description) @@ to_tsquery('simple', ${tsQuery(words, true)})`,
  messageHoldsWords(words: readonly string[], internal: boolean) {
    // `offset 0` keeps it a check per ticket: without it the planner may turn the `exists` into one hashed set of
    // every matching message's ticket, which is the work this check is there to avoid.
    return sql<boolean>`exists (select 1 from ticket_message m where m.ticket_id = ticket.id${
      internal ? sql`` : sql` and not m.internal`
    } and to_tsvector('simple', m.text) @@ to_tsquery('simple', ${tsQuery(words, true)}) offset 0)`;
  },
  async manyMessagesHoldWords(db: Db, words: readonly string[], atLeast: number) {
    // The whole words, not prefixes: their frequencies are in the statistics ANALYZE keeps of the index (a prefix
    // is estimated from them only with 100 common words or more, else as 2 % of the rows). A count would read them.
    const { rows } = await sql<{ 'QUERY PLAN': [{ Plan: { 'Plan Rows': number } }] }>`explain (format json)
      select 1 from ticket_message where to_tsvector('simple', text) @@ to_tsquery('simple', ${tsQuery(words, false)})`.execute(
      db,
    );
    return Number(rows[0]?.['QUERY PLAN'][0].Plan['Plan Rows'] ?? 0) >= atLeast;
  },
  async connectionLimit(db: Db) {
    // Superusers may use the reserved connections and ignore the role's and the database's CONNECTION LIMIT;
    // reserved_connections (PostgreSQL 16) is read when the server has it. Counted from pg_stat_database, which any
    // role reads whole (pg_stat_activity hides other roles' sessions' kind without pg_read_all_stats).
    type Row = Record<'server' | 'server_used' | 'role' | 'role_used' | 'database' | 'database_used', number>;
    const { rows } = await sql<Row>`
      select
        current_setting('max_connections')::int - case when r.rolsuper then 0 else
          current_setting('superuser_reserved_connections')::int
            + coalesce(nullif(current_setting('reserved_connections', true), '')::int, 0) end as server,
        (select coalesce(sum(numbackends), 0)::int from pg_stat_database) as server_used,
        case when r.rolsuper then -1 else r.rolconnlimit end as role,
        (select count(*)::int from pg_stat_activity where usename = current_user) as role_used,
        case when r.rolsuper then -1 else d.datconnlimit end as database,
        (select numbackends from pg_stat_database where datname = current_database()) as database_used
      from pg_roles r, pg_database d where r.rolname = current_user and d.datname = current_database()`.execute(db);
    const r = rows[0]!;
    const limits: ConnectionLimit[] = [{ of: 'server', allowed: r.server, inUse: r.server_used }];
    if (r.role >= 0) limits.push({ of: 'role', allowed: r.role, inUse: r.role_used });
    if (r.database >= 0) limits.push({ of: 'database', allowed: r.database, inUse: r.database_used });
    return limits;
  },
  storeMessageInOneStatement,
  async finishOutboxAttemptsInOneStatement(
    ctx: SqlContext,
    claimToken: string,
    outcomes: readonly { id: number; outcome: OutboxOutcome }[],
  ) {
    const sentAt = (o: OutboxOutcome) => (o.status === 'sent' ? o.at : null);
    // One statement (one round trip) for the whole group: the entries' new states and, only for the claims still
    // ours, the attempts; then the pages of their tickets are told.
    const column = <T>(pick: (o: OutboxOutcome) => T) => outcomes.map((x) => pick(x.outcome));
    const { rows } = await sql<{ entry_id: number; ticket_id: number | null }>`
      with o as (
        select * from unnest(${outcomes.map((x) => x.id)}::bigint[], ${column((o) => o.status)}::text[],
          ${column((o) => o.nextAttemptAt)}::timestamptz[], ${column((o) => o.reply)}::text[], ${column(sentAt)}::timestamptz[],
          ${column((o) => o.at)}::timestamptz[]) as o(id, status, next_attempt_at, reply, sent_at, at)
      ), u as (
        update outbox_entry e set status = o.status, attempt_count = e.attempt_count + 1, next_attempt_at = o.next_attempt_at,
          last_reply = o.reply, sent_at = o.sent_at, claim_token = null, lease_until = null, updated_at = o.at
        from o where e.id = o.id and e.claim_token = ${claimToken}
        returning e.id, e.ticket_id, o.at, o.status, o.reply
      ), a as (
        insert into outbox_attempt (entry_id, at, result, reply)
        select id, at, status, reply from u
        returning entry_id
      )
      select a.entry_id, u.ticket_id from a join u on u.id = a.entry_id`.execute(ctx.db);
    const tickets = new Set(rows.flatMap((r) => (r.ticket_id === null ? [] : [Number(r.ticket_id)])));
    await ctx.note(...[...tickets].map((ticketId) => ({ kind: 'ticket' as const, ticketId, staffOnly: false })));
    return rows.map((r) => Number(r.entry_id));
  },
  /** One call of migration 035's function, as 038 leaves it (one round trip, one commit). */
  async claimInboundMailInOneCall(ctx: SqlContext, id: number, key: string, sender: SenderClaim | null) {
    const build = () => ({
      compile: () =>
        sql<{
          holder: number | null;
          recent: number | null;
        }>`select holder, recent from parley_claim_inbound(${0}, ${''}, ${''}, ${''}, ${''}, ${0})`.compile(ctx.db),
    });
    const values = [id, key, erasedDedupeKey(key), sender?.key ?? null, sender?.since ?? null, sender?.cap ?? null];
    const [row] = await prepared(ctx, 'inbound-claim', build, values);
    return { holder: row?.holder ?? id, recent: row?.recent ?? null };
  },
};
