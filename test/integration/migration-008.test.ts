/**
 * Migration 008 on a database that already holds tickets: each ticket's public activity time becomes the newest of
 * its own changes and its public messages (an internal note written last does not count). SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { openPostgresStorage } from '../../src/adapters/storage/postgres/postgres-storage.ts';
import { openSqliteStorage } from '../../src/adapters/storage/sqlite/sqlite-storage.ts';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { createPostgresDatabase } from '../support/databases.ts';
import { migrateBefore } from '../support/migrations.ts';

async function upgrade(storage: SqlStorage, pg: boolean) {
  await migrateBefore(storage, '008');
  const db = storage.kyselyInstance;
  const [no, yes] = pg ? [sql`false`, sql`true`] : [sql`0`, sql`1`];
  await sql`insert into app_user (email, name, role, locale, time_zone, created_at) values ('a@example.test', 'A', 'technician', 'en-US', 'UTC', '2026-01-01T00:00:00.000Z')`.execute(
    db,
  );
  await sql`insert into ticket (title, description, status, requester_id, registered_by_id, created_at, updated_at, last_activity_at)
    values ('with messages', 'd', 'new', 1, 1, '2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z', '2026-01-05T00:00:00.000Z'),
           ('edited last', 'd', 'new', 1, 1, '2026-01-01T00:00:00.000Z', '2026-01-09T00:00:00.000Z', '2026-01-09T00:00:00.000Z')`.execute(
    db,
  );
  await sql`insert into ticket_message (ticket_id, author_id, text, internal, send_email, source, created_at)
    values (1, 1, 'public', ${no}, ${no}, 'desk', '2026-01-03T00:00:00.000Z'), (1, 1, 'note', ${yes}, ${no}, 'desk', '2026-01-05T00:00:00.000Z'),
           (2, 1, 'public', ${no}, ${no}, 'desk', '2026-01-04T00:00:00.000Z')`.execute(db);
  assert.equal((await storage.migrate())[0], '008-tokens-and-sessions');
  const first = await storage.tickets.findTicketByNumber(1);
  assert.equal(first?.lastActivityAt, '2026-01-05T00:00:00.000Z');
  assert.equal(first?.publicActivityAt, '2026-01-03T00:00:00.000Z', 'the internal note is not counted');
  assert.equal(
    (await storage.tickets.findTicketByNumber(2))?.publicActivityAt,
    '2026-01-09T00:00:00.000Z',
    'a later change of the ticket counts',
  );
}

describe('migration 008 on existing tickets', () => {
  // threat: A requester never learns that an internal note was written
  it('SQLite: the public activity time comes from the ticket and its public messages', async () => {
    const storage = openSqliteStorage(':memory:');
    try {
      await upgrade(storage, false);
    } finally {
      await storage.close();
    }
  });

  // threat: A requester never learns that an internal note was written
  it('PostgreSQL: the same', async () => {
    const db = await createPostgresDatabase();
    const storage = openPostgresStorage(db.url, { max: 2 });
    try {
      await upgrade(storage, true);
    } finally {
      await storage.close();
      await db.drop();
    }
  });
});
