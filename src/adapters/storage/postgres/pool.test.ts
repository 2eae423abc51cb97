import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pg from 'pg';
import { createPostgresDatabase } from '../../../../test/support/databases.ts';
import { openPostgresStorage } from './postgres-storage.ts';

/** Opens `count` connections of the storage's pool at once (each holds a transaction until all have one). */
async function openConnections(storage: ReturnType<typeof openPostgresStorage>, count: number) {
  let arrived = 0;
  let release!: () => void;
  const all = new Promise<void>((resolve) => (release = resolve));
  await Promise.all(
    Array.from({ length: count }, () =>
      storage.transaction(async (tx) => {
        await tx.people.countUsers();
        if (++arrived === count) release();
        await all;
      }),
    ),
  );
}

/** The client connections to the database but `observer`'s own. */
async function connectionsTo(observer: pg.Client): Promise<number> {
  const { rows } = await observer.query<{ n: number }>(
    `select count(*)::int as n from pg_stat_activity
      where datname = current_database() and backend_type = 'client backend' and pid <> pg_backend_pid()`,
  );
  return rows[0]!.n;
}

describe('the PostgreSQL pool', () => {
  it('keeps the connections a burst opened through a quiet spell longer than pg’s default 10 s', async () => {
    const db = await createPostgresDatabase();
    const observer = new pg.Client({ connectionString: db.url });
    const storage = openPostgresStorage(db.url, { max: 4 });
    const brief = openPostgresStorage(db.url, { max: 4, idleMs: 500 });
    try {
      await observer.connect();
      await storage.migrate();
      await openConnections(storage, 4);
      assert.equal(await connectionsTo(observer), 4);
      // The measure sees connections close: a pool told to keep them half a second has none left after 1.5 s.
      await openConnections(brief, 4);
      assert.equal(await connectionsTo(observer), 8);
      await new Promise((resolve) => setTimeout(resolve, 11_000));
      assert.equal(await connectionsTo(observer), 4, 'the default pool still holds its 4, the brief one none');
    } finally {
      await observer.end().catch(() => {});
      await brief.close().catch(() => {});
      await storage.close().catch(() => {});
      await db.drop();
    }
  });
});
