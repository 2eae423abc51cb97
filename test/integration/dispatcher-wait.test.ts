/**
 * The outbox dispatcher's short wait after a signal (`COALESCE_MS`): a signal after a batch that was not full is
 * followed by a batch once the wait is over, and a dispatcher stopped during the wait starts no new batch. Batches
 * started by signals re-queue expired claims at most once a second (`REQUEUE_EVERY_MS`); those the timer starts always.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { NodemailerMailTransports } from '../../src/adapters/smtp/nodemailer-mail-transports.ts';
import { openSqliteStorage } from '../../src/adapters/storage/sqlite/sqlite-storage.ts';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { systemClock } from '../../src/adapters/system-clock.ts';
import { OutboxDispatcher, REQUEUE_EVERY_MS } from '../../src/delivery/workers/outbox-dispatcher.ts';
import { DISPATCH_POLICY, SILENT_LOG } from '../support/dispatch-scene.ts';
import { TestClock, testDeps } from '../support/fixtures.ts';
import { waitUntil } from '../support/smtp-sink.ts';

const WAIT_MS = 300;

describe('the dispatcher waits a moment after a signal', () => {
  let storage: SqlStorage;
  before(async () => {
    storage = openSqliteStorage(':memory:');
    await storage.migrate();
  });
  after(() => storage.close());

  const dispatcher = (batches: { count: number }) =>
    new OutboxDispatcher(
      { ...testDeps(storage, systemClock), transports: new NodemailerMailTransports() },
      DISPATCH_POLICY,
      {
        pollMs: 60_000,
        log: SILENT_LOG,
        coalesceMs: WAIT_MS,
        onBatch: () => batches.count++,
      },
    );

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

  /** A dispatcher on a clock the test moves, counting its batches and its reads for expired claims. */
  const counted = (clock: TestClock, pollMs: number) => {
    const counts = { batches: 0, requeues: 0 };
    const outbox = Object.create(storage.outbox) as SqlStorage['outbox'];
    outbox.requeueExpiredClaims = (at) => (counts.requeues++, storage.outbox.requeueExpiredClaims(at));
    const spied = Object.create(storage, { outbox: { value: outbox } }) as SqlStorage;
    const d = new OutboxDispatcher(
      { ...testDeps(spied, clock), transports: new NodemailerMailTransports() },
      DISPATCH_POLICY,
      {
        pollMs,
        log: SILENT_LOG,
        coalesceMs: 0,
        onBatch: () => counts.batches++,
      },
    );
    return { d, counts };
  };

  it('re-queues expired claims at most once a second in batches started by signals', async () => {
    const clock = new TestClock();
    const { d, counts } = counted(clock, 60_000);
    await d.start();
    try {
      await waitUntil(async () => counts.batches === 1, 'the first look at start');
      assert.equal(counts.requeues, 1, 'the first look re-queues');
      d.kick();
      await waitUntil(async () => counts.batches === 2, 'a look after a signal');
      assert.equal(counts.requeues, 1, 'no second re-queue within the second');
      clock.advance(REQUEUE_EVERY_MS);
      d.kick();
      await waitUntil(async () => counts.batches === 3, 'a look after a signal, a second later');
      assert.equal(counts.requeues, 2);
    } finally {
      await d.stop();
    }
  });

  it('re-queues expired claims in every batch the timer starts', async () => {
    const clock = new TestClock(); // never moves: only the timer can make these batches re-queue
    const { d, counts } = counted(clock, 100);
    await d.start();
    try {
      await waitUntil(async () => counts.batches >= 3, 'three looks by the timer');
    } finally {
      await d.stop(); // finishes the batch in flight: each re-queue counted belongs to a batch counted
    }
    assert.equal(counts.requeues, counts.batches);
  });
});
