import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { types } from './dialect-types.ts';

/**
 * PostgreSQL only: a change to the tables behind the reads every request repeats (users, groups, their members,
 * sessions, API tokens, parameters, templates and their variants) sends `NOTIFY parley_cache` (one per statement,
 * delivered at commit and folded into one per transaction), from any process, the CLI's included. Each process's
 * storage keeps those reads until it hears one (`postgres/cache-notices.ts`), as SQLite does behind migration 002's
 * counter. An API token's last use (`last_used_at`) notifies nothing, as on SQLite since migration 008.
 */
const TABLES = [
  'app_user',
  'support_group',
  'group_member',
  'user_session',
  'system_parameter',
  'email_template',
  'template_variant',
];

export async function up(db: Kysely<any>): Promise<void> {
  if (!types(db).pg) return;
  await sql`create function parley_cache_notice() returns trigger language plpgsql as $$
    begin perform pg_notify('parley_cache', ''); return null; end $$`.execute(db);
  for (const table of TABLES)
    await sql
      .raw(
        `create trigger ${table}_cache_notice after insert or update or delete or truncate on ${table} for each statement execute function parley_cache_notice()`,
      )
      .execute(db);
  await sql`create trigger api_token_cache_notice after insert or delete or truncate on api_token
    for each statement execute function parley_cache_notice()`.execute(db);
  await sql`create trigger api_token_update_cache_notice after update of token_hash, user_id, name, expires_at, scope
    on api_token for each statement execute function parley_cache_notice()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (!types(db).pg) return;
  for (const table of TABLES) await sql.raw(`drop trigger if exists ${table}_cache_notice on ${table}`).execute(db);
  await sql`drop trigger if exists api_token_cache_notice on api_token`.execute(db);
  await sql`drop trigger if exists api_token_update_cache_notice on api_token`.execute(db);
  await sql`drop function if exists parley_cache_notice()`.execute(db);
}
