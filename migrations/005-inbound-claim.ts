import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { types } from './dialect-types.ts';

/**
 * PostgreSQL only: one round trip (and one commit) for what processing claims on an inbound mail before deciding it:
 * its duplicate key (Message-ID or content hash) and, when it gets that far, its place under its sender's per-minute
 * cap. The sender's mails are counted under a transaction-level advisory lock taken on the sender address, in a
 * function so that the count runs after the lock is granted, with a snapshot that sees every claim committed before
 * it (one statement alone would count with the snapshot it started with). The mail's `from_address` is set in the
 * same transaction, so each claimer counts those before it: the cap is exact when mails of one sender are processed
 * at once, by one process or several. SQLite needs no function: there the sender's claim and count are one UPDATE …
 * RETURNING, and a write statement runs alone from its read to its commit.
 *
 * Returns the mail holding the key and, when that is this mail and a sender is given, how many other mails of the
 * sender received since `since` had counted before it (null otherwise).
 */
export async function up(db: Kysely<any>): Promise<void> {
  if (!types(db).pg) return;
  await sql`
    create function parley_claim_inbound(p_id integer, p_key text, p_from text, p_since timestamptz, out holder integer, out recent integer)
    language plpgsql as $$
    begin
      select id into holder from inbound_mail where dedupe_key = p_key;
      if holder is null then
        begin
          update inbound_mail set dedupe_key = p_key where id = p_id and dedupe_key is null;
        exception when unique_violation then
          null; -- another process claimed the key meanwhile: it holds it
        end;
        select id into holder from inbound_mail where dedupe_key = p_key;
        -- Nobody holds the key and this mail could not take it: it holds another key of its own (an earlier attempt
        -- read the mail differently). It is no duplicate: it counts as the holder, as on SQLite.
        if holder is null then
          holder := p_id;
        end if;
      end if;
      if holder is distinct from p_id or p_from is null then
        return;
      end if;
      perform pg_advisory_xact_lock(hashtext('parley_inbound_sender'), hashtext(p_from));
      select count(*) into recent from inbound_mail where from_address = p_from and received_at >= p_since and id <> p_id;
      update inbound_mail set from_address = p_from where id = p_id;
    end
    $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (!types(db).pg) return;
  await sql`drop function if exists parley_claim_inbound(integer, text, text, timestamptz)`.execute(db);
}
