import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { types } from './dialect-types.ts';

/**
 * Webhook endpoints join the reads every request repeats: every posted message and every reply by mail looks up the
 * endpoints of its event. A change to `webhook_endpoint` (an administrator's, from any process) now moves SQLite's
 * change counter (migration 002) and sends PostgreSQL's `NOTIFY parley_cache` (migration 029), so the storages may
 * keep the active endpoints until then. Only administrators change that table; deliveries live in their own.
 */
const OPERATIONS = ['insert', 'update', 'delete'];

export async function up(db: Kysely<any>): Promise<void> {
  if (types(db).pg) {
    await sql`create trigger webhook_endpoint_cache_notice after insert or update or delete or truncate on webhook_endpoint
      for each statement execute function parley_cache_notice()`.execute(db);
    return;
  }
  for (const operation of OPERATIONS)
    await sql
      .raw(
        `create trigger webhook_endpoint_${operation}_counts after ${operation} on webhook_endpoint begin update parley_change_counter set version = version + 1 where id = 1; end`,
      )
      .execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (types(db).pg) {
    await sql`drop trigger if exists webhook_endpoint_cache_notice on webhook_endpoint`.execute(db);
    return;
  }
  for (const operation of OPERATIONS)
    await sql.raw(`drop trigger if exists webhook_endpoint_${operation}_counts`).execute(db);
}
