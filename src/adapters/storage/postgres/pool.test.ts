import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pg from 'pg';
import { createPostgresDatabase } from '../../../../test/support/databases.ts';
import { heldTransactions } from '../../../../test/support/held-transactions.ts';
import { openPostgresStorage } from './postgres-storage.ts';

/** The connections to the database that a pool opened, by the name it gave them. */
async function connectionsOf(observer: pg.Client, name: string): Promise<number> {
  const { rows } = await observer.query<{ n: number }>(
    `select count(*)::int as n from pg_stat_activity where datname = current_database() and application_name = $1`,
    [name],
  );
  return rows[0]!.n;
}

describe('the PostgreSQL pool', () => {
  it('keeps the connections a burst opened through a quiet spell longer than pg’s default 10 s', async () => {
    const db = await createPostgresDatabase();
    const observer = new pg.Client({ connectionString: db.url });
    const named = (name: string) => `${db.url}${db.url.includes('?') ? '&' : '?'}application_name=${name}`;
    const storage = openPostgresStorage(named('kept'), { max: 4 });
    const brief = openPostgresStorage(named('brief'), { max: 4, idleMs: 500 });
    try {
      await observer.connect();
      await storage.migrate();
      // A burst: four transactions at once in each pool, so each opens four connections.
      assert.deepEqual([await heldTransactions(storage, 4), await heldTransactions(brief, 4)], [4, 4]);
      assert.deepEqual([await connectionsOf(observer, 'kept'), await connectionsOf(observer, 'brief')], [4, 4]);
      await new Promise((resolve) => setTimeout(resolve, 11_000));
      // The count sees connections close: the pool told to keep them half a second has none left.
      assert.equal(await connectionsOf(observer, 'brief'), 0);
      assert.equal(await connectionsOf(observer, 'kept'), 4, 'the default pool still holds its 4 after 11 s');
    } finally {
      await observer.end().catch(() => {});
      await brief.close().catch(() => {});
      await storage.close().catch(() => {});
      await db.drop();
    }
  });
});
