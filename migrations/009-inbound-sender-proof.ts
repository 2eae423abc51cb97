import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { types } from './dialect-types.ts';

/**
 * Inbound mail keeps the HELO name the SMTP receiver saw (with the envelope sender and the connecting address, what
 * SPF is checked on), and the key its sender is counted under by the per-minute cap (`sender_key`): the address when
 * the sender was proven (a signed reply address, or verified), `unverified:` and the address otherwise, so mail that
 * only claims to come from someone never counts against that person's own mail.
 *
 * PostgreSQL: migration 005's claim function counts and sets `sender_key` instead of `from_address`.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('inbound_mail').addColumn('helo', 'text').execute();
  await db.schema.alterTable('inbound_mail').addColumn('sender_key', 'text').execute();
  await db.schema
    .createIndex('inbound_mail_sender_key')
    .on('inbound_mail')
    .columns(['sender_key', 'received_at'])
    .execute();
  if (!types(db).pg) return;
  await claimFunction(db, 'sender_key');
}

export async function down(db: Kysely<any>): Promise<void> {
  if (types(db).pg) await claimFunction(db, 'from_address');
  await db.schema.dropIndex('inbound_mail_sender_key').execute();
  await db.schema.alterTable('inbound_mail').dropColumn('sender_key').execute();
  await db.schema.alterTable('inbound_mail').dropColumn('helo').execute();
}

/** Migration 009's claim function (migration 035's `down` puts it back). */
export async function claimFunction(db: Kysely<any>, column: 'sender_key' | 'from_address') {
  const c = sql.ref(column);
  await sql`
    create or replace function parley_claim_inbound(p_id integer, p_key text, p_from text, p_since timestamptz, out holder integer, out recent integer)
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
        if holder is null then
          holder := p_id;
        end if;
      end if;
      if holder is distinct from p_id or p_from is null then
        return;
      end if;
      perform pg_advisory_xact_lock(hashtext('parley_inbound_sender'), hashtext(p_from));
      select count(*) into recent from inbound_mail where ${c} = p_from and received_at >= p_since and id <> p_id;
      update inbound_mail set ${c} = p_from where id = p_id;
    end
    $$`.execute(db);
}
