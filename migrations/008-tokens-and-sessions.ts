import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { types } from './dialect-types.ts';

/**
 * API tokens get an optional expiry, a last-used time and a scope (`read`: GET/HEAD only, or `full`); sessions and
 * tokens are found per user (a password change or a deactivation ends them all at once). Tickets get the time of the
 * last thing a requester can see (`public_activity_at`): an internal note moves `last_activity_at` only.
 *
 * SQLite: migration 002's trigger on `api_token` updates is narrowed to the columns that decide who a token is, so
 * recording a token's last use (at most once a minute) does not empty the read cache of every request.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const t = types(db);
  await db.schema.alterTable('api_token').addColumn('expires_at', t.timestamp).execute();
  await db.schema.alterTable('api_token').addColumn('last_used_at', t.timestamp).execute();
  await db.schema
    .alterTable('api_token')
    .addColumn('scope', 'text', (c) => c.notNull().defaultTo('full'))
    .execute();
  await db.schema.createIndex('api_token_user').on('api_token').column('user_id').execute();
  await db.schema.createIndex('user_session_user').on('user_session').column('user_id').execute();

  await db.schema.alterTable('ticket').addColumn('public_activity_at', t.timestamp).execute();
  // Until now: the newest of the ticket's own changes (created, edited) and its public messages.
  const newest = t.pg ? sql.raw('greatest') : sql.raw('max');
  await sql`update ticket set public_activity_at = ${newest}(ticket.updated_at, coalesce(
    (select max(m.created_at) from ticket_message m where m.ticket_id = ticket.id and m.internal = ${t.false}), ticket.updated_at))`.execute(
    db,
  );
  if (t.pg) await sql`alter table ticket alter column public_activity_at set not null`.execute(db);

  if (!t.pg) {
    await sql`drop trigger if exists api_token_update_counts`.execute(db);
    await sql`create trigger api_token_update_counts after update of token_hash, user_id, name, expires_at, scope on api_token
      begin update parley_change_counter set version = version + 1 where id = 1; end`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  const t = types(db);
  if (!t.pg) {
    await sql`drop trigger if exists api_token_update_counts`.execute(db);
    await sql`create trigger api_token_update_counts after update on api_token
      begin update parley_change_counter set version = version + 1 where id = 1; end`.execute(db);
  }
  await db.schema.alterTable('ticket').dropColumn('public_activity_at').execute();
  await db.schema.dropIndex('user_session_user').execute();
  await db.schema.dropIndex('api_token_user').execute();
  await db.schema.alterTable('api_token').dropColumn('scope').execute();
  await db.schema.alterTable('api_token').dropColumn('last_used_at').execute();
  await db.schema.alterTable('api_token').dropColumn('expires_at').execute();
}
