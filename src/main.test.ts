import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import pg from 'pg';
import { createPostgresDatabase } from '../test/support/databases.ts';
import { loadConfig } from './config/config.ts';
import { OutboxDispatcher } from './delivery/workers/outbox-dispatcher.ts';
import { WebhookDispatcher } from './delivery/workers/webhook-dispatcher.ts';
import { createDispatcher, createParley } from './main.ts';

describe('createDispatcher', () => {
  it('passes each wake to its dispatcher: a withdrawal to both, since an erasure takes back mail and webhook deliveries', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-dispatchers-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const parley = createParley(
      loadConfig(
        {
          PARLEY_DATABASE_URL: `sqlite:${join(dir, 'parley.db')}`,
          PARLEY_DATA_DIR: dir,
          PARLEY_SECRET_KEY: 'a-secret-key-that-is-long-enough-for-parley',
          PARLEY_LOG_LEVEL: 'silent',
        },
        { readDotEnv: false },
      ),
    );
    const heard: string[] = [];
    // Restored when the test ends (t.mock).
    t.mock.method(OutboxDispatcher.prototype, 'kick', () => heard.push('outbox kick'));
    t.mock.method(OutboxDispatcher.prototype, 'withdrawn', () => heard.push('outbox withdrawn'));
    t.mock.method(WebhookDispatcher.prototype, 'kick', () => heard.push('webhooks kick'));
    t.mock.method(WebhookDispatcher.prototype, 'withdrawn', () => heard.push('webhooks withdrawn'));
    try {
      const dispatchers = createDispatcher(parley);
      dispatchers.kick('outbox');
      dispatchers.kick('webhooks');
      dispatchers.kick('withdrawn');
      assert.deepEqual(heard, ['outbox kick', 'webhooks kick', 'outbox withdrawn', 'webhooks withdrawn']);
    } finally {
      await parley.close();
    }
  });
});

describe('createParley on PostgreSQL', () => {
  it('opens at most PARLEY_DATABASE_POOL_SIZE connections for its work, the rest waiting their turn', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-pool-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const db = await createPostgresDatabase();
    const observer = new pg.Client({ connectionString: db.url });
    const open = (size: string) =>
      createParley(
        loadConfig(
          {
            PARLEY_DATABASE_URL: db.url,
            PARLEY_DATABASE_POOL_SIZE: size,
            PARLEY_DATA_DIR: dir,
            PARLEY_SECRET_KEY: 'a-secret-key-that-is-long-enough-for-parley',
            PARLEY_LOG_LEVEL: 'silent',
          },
          { readDotEnv: false },
        ),
      );
    const small = open('2');
    const large = open('6');
    /** Runs five transactions at once, each holding its connection 300 ms; counts those held midway. */
    const heldAtOnce = async (parley: typeof small) => {
      const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
      const work = Array.from({ length: 5 }, () =>
        parley.storage.transaction(async (tx) => {
          await tx.people.countUsers();
          await sleep(300);
        }),
      );
      await sleep(150);
      const { rows } = await observer.query<{ n: number }>(
        `select count(*)::int as n from pg_stat_activity
          where datname = current_database() and state like 'idle in transaction%'`,
      );
      await Promise.all(work);
      return rows[0]!.n;
    };
    try {
      await observer.connect();
      await small.storage.migrate();
      assert.equal(await heldAtOnce(small), 2);
      assert.equal(await heldAtOnce(large), 5, 'a larger pool holds all five: the count sees every one');
    } finally {
      await observer.end().catch(() => {});
      await small.close();
      await large.close();
      await db.drop();
    }
  });
});
