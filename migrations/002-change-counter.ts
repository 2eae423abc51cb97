import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { types } from './dialect-types.ts';

/**
 * SQLite only: a counter that every change to users, groups, sessions, API tokens, parameters and templates moves
 * (triggers, so writes from any process count, the CLI's included). The SQLite storage keeps the reads every request
 * repeats (the signed-in actor, the messaging settings, a recipient) until the counter moves: one primary-key read
 * instead of several joins per request. PostgreSQL gets nothing here: it hears of changes by NOTIFY (migration 029).
 */
const TABLES = [
  'app_user',
  'support_group',
  'group_member',
  'user_session',
  'api_token',
  'system_parameter',
  'email_template',
];
const OPERATIONS = ['insert', 'update', 'delete'];

export async function up(db: Kysely<any>): Promise<void> {
  if (types(db).pg) return;
  await sql`create table parley_change_counter (id integer primary key check (id = 1), version integer not null)`.execute(
    db,
  );
  await sql`insert into parley_change_counter (id, version) values (1, 0)`.execute(db);
  for (const table of TABLES) {
    for (const operation of OPERATIONS) {
      await sql
        .raw(
          `create trigger ${table}_${operation}_counts after ${operation} on ${table} begin update parley_change_counter set version = version + 1 where id = 1; end`,
        )
        .execute(db);
    }
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  if (types(db).pg) return;
  for (const table of TABLES)
    for (const operation of OPERATIONS)
      await sql.raw(`drop trigger if exists ${table}_${operation}_counts`).execute(db);
  await sql`drop table if exists parley_change_counter`.execute(db);
}
