/**
 * The outbox dispatcher's short wait after a signal (`COALESCE_MS`): a signal after a batch that was not full is
 * followed by a batch once the wait is over, and a dispatcher stopped during the wait starts no new batch.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { NodemailerMailTransports } from '../../src/adapters/smtp/nodemailer-mail-transports.ts';
import { openSqliteStorage } from '../../src/adapters/storage/sqlite/sqlite-storage.ts';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { systemClock } from '../../src/adapters/system-clock.ts';
import { OutboxDispatcher } from '../../src/delivery/workers/outbox-dispatcher.ts';
import type { DispatchPolicy } from '../../src/domain/notifications/dispatch-outbox.ts';
import { testDeps } from '../support/fixtures.ts';
import { waitUntil } from '../support/smtp-sink.ts';

const WAIT_MS = 300;
const silent = { info() {}, error() {} };
const POLICY: DispatchPolicy = {
  batchSize: 50,
  concurrency: 4,
  leaseSeconds: 10,
  retryBaseSeconds: 1,
  retryMaxSeconds: 60,
  giveUpHours: 48,
};

describe('the dispatcher waits a moment after a signal', () => {
  let storage: SqlStorage;
  before(async () => {
    storage = openSqliteStorage(':memory:');
    await storage.migrate();
  });
  after(() => storage.close());

  const dispatcher = (batches: { count: number }) =>
    new OutboxDispatcher({ ...testDeps(storage, systemClock), transports: new NodemailerMailTransports() }, POLICY, {
      pollMs: 60_000,
      log: silent,
      coalesceMs: WAIT_MS,
      onBatch: () => batches.count++,
    });

  it('looks again once the wait after a signal is over', async () => {
    const batches = { count: 0 };
    const d = dispatcher(batches);
    await d.start();
    try {
      await waitUntil(async () => batches.count === 1, 'the first look at start');
      d.kick();
      await waitUntil(async () => batches.count === 2, 'a look after the signal');
    } finally {
      await d.stop();
    }
  });

  it('starts no new batch when stopped during the wait', async () => {
    const batches = { count: 0 };
    const d = dispatcher(batches);
    await d.start();
    await waitUntil(async () => batches.count === 1, 'the first look at start');
    d.kick();
    await sleep(WAIT_MS / 3); // inside the wait
    await d.stop();
    await sleep(WAIT_MS); // past the end of the wait: a batch started after it would have been counted by now
    assert.equal(batches.count, 1);
  });
});
