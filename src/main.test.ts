import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createPostgresDatabase } from '../test/support/databases.ts';
import { heldTransactions } from '../test/support/held-transactions.ts';
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
    let small: ReturnType<typeof open> | undefined;
    let large: ReturnType<typeof open> | undefined;
    try {
      small = open('2');
      large = open('6');
      await small.storage.migrate();
      // Five at once, each staying 300 ms once two are in: a pool of 2 lets no third in meanwhile.
      assert.equal(await heldTransactions(small.storage, 5, { together: 2, holdMs: 300 }), 2);
      assert.equal(
        await heldTransactions(large.storage, 5),
        5,
        'a larger pool holds all five at once: the count sees them',
      );
    } finally {
      await small?.close();
      await large?.close();
      await db.drop();
    }
  });
});
