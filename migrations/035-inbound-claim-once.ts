import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { createHash } from 'node:crypto';
import { types } from './dialect-types.ts';
import { claimFunction } from './009-inbound-sender-proof.ts';

/**
 * PostgreSQL: the claim of an inbound mail in one update of its row, and its sender counted only up to the cap.
 *
 * Migration 009's function writes the mail's row twice (its duplicate key in a subtransaction that catches another
 * process's claim of the same key, then its sender key) and counts every mail of the sender in the window, so a flood
 * from one address costs each of its mails a count of all the others. This one takes an advisory lock on the duplicate
 * key first (claims of one key wait for one another, so no unique violation is left to catch), writes both keys in
 * one update, and stops counting at `p_cap`: whether the cap is reached is all the caller asks. A mail erased since
 * keeps its key only as a digest (`p_erased_key`, computed by the caller): the same mail arriving again is still a copy
 * of it.
 *
 * Both databases: mail erased before this migration (its digest emptied) keeps its duplicate key only as a digest
 * from now on, as an erasure now leaves it (`erasedDedupeKey` in `sql/inbound-rows.ts`).
 *
 * The count is planned for each call (`execute`), with the cap it is given: a plan cached for any cap would read a
 * flood's mails one by one even when the cap is large. (Migration 038 plans it once: the sender's index reads at
 * most the cap's mails whatever the plan, and planning cost as much as the count.)
 *
 * Migration 009's four-argument function now calls this one (its key's digest computed in SQL, as `erasedDedupeKey`
 * computes it; no cap), so instances of the previous version still running during an upgrade claim the same way.
 *
 * Neither writes a mail an erasure emptied meanwhile (`sha256` is '' then): its keys would name it again.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await digestErasedKeys(db);
  if (!types(db).pg) return;
  await claimInboundFunction(db, 'planned for each call');
  await sql`
    create or replace function parley_claim_inbound(p_id integer, p_key text, p_from text, p_since timestamptz,
      out holder integer, out recent integer)
    language sql as $$
      select c.holder, c.recent from parley_claim_inbound(p_id, p_key,
        'erased:' || encode(sha256(convert_to(p_key, 'UTF8')), 'hex'), p_from, p_since, null) as c
    $$`.execute(db);
}

/**
 * The six-argument claim, its count of the sender's recent mail either planned for each call (`execute`, this
 * migration's) or a statement of the function's own, whose plan PL/pgSQL keeps for the connection (migration 038's).
 */
export async function claimInboundFunction(
  db: Kysely<any>,
  count: 'planned for each call' | 'planned once',
): Promise<void> {
  const counted =
    count === 'planned once'
      ? sql`select count(*) into recent from (select 1 from inbound_mail
          where sender_key = p_from and received_at >= p_since and id <> p_id limit p_cap) as counted;`
      : sql`execute 'select count(*) from (select 1 from inbound_mail
          where sender_key = $1 and received_at >= $2 and id <> $3 limit $4) as counted'
        into recent using p_from, p_since, p_id, p_cap;`;
  await sql`
    create or replace function parley_claim_inbound(p_id integer, p_key text, p_erased_key text, p_from text,
      p_since timestamptz, p_cap integer, out holder integer, out recent integer)
    language plpgsql as $$
    begin
      perform pg_advisory_xact_lock(hashtext('parley_inbound_key'), hashtext(p_key));
      select id into holder from inbound_mail where dedupe_key in (p_key, p_erased_key) order by id limit 1;
      if holder is not null and holder <> p_id then
        return;
      end if;
      holder := p_id;
      if p_from is null then
        update inbound_mail set dedupe_key = p_key where id = p_id and dedupe_key is null and sha256 <> '';
        return;
      end if;
      perform pg_advisory_xact_lock(hashtext('parley_inbound_sender'), hashtext(p_from));
      ${counted}
      -- A mail that holds another key of its own (an earlier attempt read it differently) keeps it.
      update inbound_mail set dedupe_key = coalesce(dedupe_key, p_key), sender_key = p_from
        where id = p_id and sha256 <> '';
    end
    $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (!types(db).pg) return;
  await claimFunction(db, 'sender_key');
  await sql`drop function if exists parley_claim_inbound(integer, text, text, text, timestamptz, integer)`.execute(db);
}

/** The duplicate key of each mail erased before as a digest (`erased:` and the SHA-256 of the key, in hex). */
async function digestErasedKeys(db: Kysely<any>): Promise<void> {
  const rows = await db
    .selectFrom('inbound_mail')
    .select(['id', 'dedupe_key'])
    .where('sha256', '=', '')
    .where('dedupe_key', 'is not', null)
    .where('dedupe_key', 'not like', 'erased:%')
    .execute();
  for (const { id, dedupe_key } of rows) {
    const digest = createHash('sha256').update(String(dedupe_key), 'utf8').digest('hex');
    await db
      .updateTable('inbound_mail')
      .set({ dedupe_key: `erased:${digest}` })
      .where('id', '=', id)
      .execute();
  }
}
