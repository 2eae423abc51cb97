/**
 * Crash safety and concurrency of the outbox dispatcher, against a real SMTP server (test/support/smtp-sink.ts):
 * a dispatcher process killed with SIGKILL mid-delivery, two dispatchers racing on PostgreSQL, a claim that outlives
 * its lease, and new mail woken up by a signal (LISTEN/NOTIFY, the in-process signal) rather than by polling. And the
 * webhook dispatcher's: a dispatcher process killed while posting, its survivor busy with a slow endpoint.
 *
 * Every wait polls with a deadline; every child process, dispatcher, sink and database is cleaned up.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { NodemailerMailTransports, type TransportOptions } from '../../src/adapters/smtp/nodemailer-mail-transports.ts';
import { openPostgresStorage } from '../../src/adapters/storage/postgres/postgres-storage.ts';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { systemClock } from '../../src/adapters/system-clock.ts';
import { OutboxDispatcher } from '../../src/delivery/workers/outbox-dispatcher.ts';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';
import { postMessage } from '../../src/domain/messages/post-message.ts';
import { createWebhookEndpoint } from '../../src/domain/webhooks/create-webhook-endpoint.ts';
import type { BatchResult, DispatchPolicy } from '../../src/domain/notifications/dispatch-outbox.ts';
import { postgres, sqliteFile, sqliteMemory } from '../support/databases.ts';
import {
  assertEachOnce,
  attemptsOf,
  defaultEnv,
  moreTechnicians,
  outbox,
  scene,
  SECRET_KEY,
  startDispatchProcess,
  stopChild,
  type Child,
} from '../support/dispatch-scene.ts';
import { testDeps } from '../support/fixtures.ts';
import { signIn, testApp } from '../support/http.ts';
import { waitUntil } from '../support/smtp-sink.ts';

const TIMEOUTS: TransportOptions = {
  maxConnections: 5,
  connectionTimeoutMs: 1000,
  greetingTimeoutMs: 1000,
  socketTimeoutMs: 2000,
};
const quietLog = { info: () => {}, error: () => {} };

describe('a dispatcher process killed mid-delivery (SQLite file)', () => {
  // threat: Message saved and its mails queued in one transaction; the dispatcher is killed (SIGKILL) after the commit and before SMTP
  it('after SIGKILL between claim and SMTP, the next dispatcher re-queues the claims once the lease ends and sends each mail exactly once', async () => {
    const s = await scene(sqliteFile, { auth: true });
    const dataDir = mkdtempSync(join(tmpdir(), 'parley-dispatch-'));
    let first: Child | undefined;
    let second: Child | undefined;
    try {
      for (let i = 1; i <= 6; i++) {
        await postMessage(s.deps, s.world.techA, {
          ticketNumber: s.world.ticketA.number,
          text: `Update ${i}.`,
          source: 'desk',
        });
      }
      const queued = await outbox(s.storage);
      assert.equal(queued.length, 6);
      assert.ok(
        queued.every((e) => e.status === 'queued'),
        'committed and queued before any dispatcher runs',
      );
      const env = {
        PARLEY_DATABASE_URL: s.url,
        PARLEY_DATA_DIR: dataDir,
        PARLEY_SECRET_KEY: SECRET_KEY,
        PARLEY_LEASE_SECONDS: '2',
        PARLEY_SMTP_TIMEOUT_SECONDS: '5',
        PARLEY_LOG_LEVEL: 'warn',
        PARLEY_RETRY_BASE_SECONDS: '1',
        PARLEY_RETRY_MAX_SECONDS: '2',
        PARLEY_MAIL_CATCHER: 'off',
      };

      // The server takes the connection and never greets: the first dispatcher holds its claims, waiting. (The waits
      // for a child to start allow a minute: a loaded machine starts Node slowly; that is not what is tested.)
      s.sink.neverGreet();
      first = startDispatchProcess(env);
      await waitUntil(
        async () => (await outbox(s.storage)).every((e) => e.status === 'sending') && s.sink.connectionCount > 0,
        'the first dispatcher to claim every mail and connect',
        60_000,
      );
      first.process.kill('SIGKILL');
      assert.equal((await first.exited).signal, 'SIGKILL');
      assert.ok(
        (await outbox(s.storage)).every((e) => e.status === 'sending'),
        'killed with every mail claimed and none finished',
      );
      assert.equal(s.sink.received.length, 0, 'nothing was handed over');

      s.sink.accept();
      second = startDispatchProcess(env);
      await waitUntil(
        async () => (await outbox(s.storage)).every((e) => e.status === 'sent'),
        'the second dispatcher to send every mail',
        30_000,
      );
      await stopChild(second, 'SIGTERM');
      assert.equal((await second.exited).code, 0, second.stderr());

      assertEachOnce(
        s.sink,
        queued.map((e) => e.message_id_header),
      );
      assert.ok(
        s.sink.accepted.every((m) => m.user === 'desk'),
        'the child opened the sealed password with PARLEY_SECRET_KEY and signed in',
      );
      const attempts = await attemptsOf(s.storage);
      for (const e of queued)
        assert.deepEqual(attempts.get(e.id), ['interrupted', 'sent'], `attempts of entry ${e.id}`);
    } finally {
      await stopChild(first);
      await stopChild(second);
      rmSync(dataDir, { recursive: true, force: true });
      await s.close();
    }
  });
});

async function claimsOf(storage: SqlStorage) {
  return storage.kyselyInstance
    .selectFrom('outbox_entry')
    .select(['id', 'status', 'claim_token', 'lease_until'])
    .orderBy('id')
    .execute();
}

for (const database of [sqliteFile, postgres]) {
  describe(`a dispatcher SIGKILLed while holding claims, default lease (${database.name})`, () => {
    // threat: A dispatcher SIGKILLed while holding claims → those mails go out within 15 s (no 5-minute lease wait).
    it('its claims outlive their first lease while it lives (renewed), and after the SIGKILL a second dispatcher sends all 40 mails within 15 s, each exactly once', async () => {
      const s = await scene(database);
      const dataDir = mkdtempSync(join(tmpdir(), 'parley-lease-'));
      let first: Child | undefined;
      let second: Child | undefined;
      try {
        await moreTechnicians(s, 9); // group A: 10 technicians, each told of every requester message
        for (let i = 1; i <= 4; i++)
          await postMessage(s.deps, s.world.requesterA, {
            ticketNumber: s.world.ticketA.number,
            text: `Down again (${i}).`,
            source: 'portal',
          });
        const queued = await outbox(s.storage);
        assert.equal(queued.length, 40);
        const env = defaultEnv(s.url, dataDir);

        // A slow server: it reads each mail and never answers, so the first dispatcher sits on its 40 claims.
        s.sink.stallData();
        first = startDispatchProcess(env);
        await waitUntil(
          async () => (await outbox(s.storage)).every((e) => e.status === 'sending') && s.sink.received.length > 0,
          'the first dispatcher to claim every mail and be in the middle of sending',
          60_000,
        );
        const claimed = await claimsOf(s.storage);
        const token = claimed[0]!.claim_token;
        assert.ok(
          claimed.every((e) => e.claim_token === token),
          'one batch holds them all',
        );
        const firstLeaseEnd = Math.max(...claimed.map((e) => new Date(e.lease_until!).getTime()));
        second = startDispatchProcess(env);
        await waitUntil(
          () => second!.stdout().includes('Dispatching the outbox'),
          'the second dispatcher to run',
          60_000,
        );

        // Past the end of the first lease (and a poll beyond it), the live dispatcher still holds every claim: it renews them.
        await waitUntil(() => Date.now() > firstLeaseEnd + 2500, 'the first lease to be well over', 20_000);
        const held = await claimsOf(s.storage);
        assert.ok(
          held.every((e) => e.status === 'sending' && e.claim_token === token),
          'no claim of a live dispatcher was taken over',
        );
        assert.ok(
          held.every((e) => new Date(e.lease_until!).getTime() > firstLeaseEnd),
          'the claims were renewed',
        );
        assert.equal(s.sink.accepted.length, 0);

        first.process.kill('SIGKILL');
        const killedAt = Date.now();
        assert.equal((await first.exited).signal, 'SIGKILL');
        s.sink.accept();
        await waitUntil(
          async () => (await outbox(s.storage)).every((e) => e.status === 'sent'),
          'the second dispatcher to send every mail within 15 s of the kill',
          Math.max(0, 15_000 - (Date.now() - killedAt)),
        );
        await stopChild(second, 'SIGTERM');
        assert.equal((await second.exited).code, 0, second.stderr());
        assertEachOnce(
          s.sink,
          queued.map((e) => e.message_id_header),
        );
        const attempts = await attemptsOf(s.storage);
        for (const e of queued)
          assert.deepEqual(attempts.get(e.id), ['interrupted', 'sent'], `attempts of entry ${e.id}`);
      } finally {
        await stopChild(first);
        await stopChild(second);
        rmSync(dataDir, { recursive: true, force: true });
        await s.close();
      }
    });
  });
}

/**
 * A webhook endpoint on loopback that reads each delivery and holds its answer until `answer()` (from then on it
 * answers 204 at once); one that never answers is the slow endpoint (the sender gives up after its 10 s).
 */
async function hookEndpoint() {
  const state = { received: [] as string[], open: 0, answering: false };
  const server = createServer((req, res) => {
    state.received.push(String(req.headers['parley-event-id']));
    req.resume();
    if (state.answering) return void res.writeHead(204).end();
    state.open++;
    res.on('close', () => state.open--);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    state,
    answer: () => void (state.answering = true),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function webhookDeliveries(storage: SqlStorage, endpointId: number) {
  return storage.kyselyInstance
    .selectFrom('webhook_delivery')
    .select(['id', 'status', 'claim_token'])
    .where('endpoint_id', '=', endpointId)
    .orderBy('id')
    .execute();
}

async function webhookAttemptsOf(storage: SqlStorage, ids: readonly number[]) {
  const rows = await storage.kyselyInstance
    .selectFrom('webhook_attempt')
    .select(['delivery_id', 'result'])
    .where('delivery_id', 'in', ids)
    .orderBy('id')
    .execute();
  return ids.map((id) => rows.filter((r) => r.delivery_id === id).map((r) => r.result));
}

for (const database of [sqliteFile, postgres]) {
  describe(`a webhook dispatcher SIGKILLed while holding claims, default lease (${database.name})`, () => {
    // threat: A dispatcher SIGKILLed while holding webhook deliveries, the other busy with a slow endpoint → they are posted within 15 s, not once the survivor's batch ends.
    it("the survivor, busy with a slow endpoint's 50 deliveries (10 at a time, 10 s each), posts the dead one's deliveries within 15 s of the kill", async (t) => {
      const s = await scene(database);
      const dataDir = mkdtempSync(join(tmpdir(), 'parley-hooks-'));
      const slow = await hookEndpoint(); // never answers
      const quick = await hookEndpoint(); // holds its answers while the doomed dispatcher posts, then answers
      let survivor: Child | undefined;
      let doomed: Child | undefined;
      try {
        const endpoint = async (url: string, description: string) =>
          (
            await createWebhookEndpoint(s.deps, CLI_ORIGIN, {
              url,
              description,
              events: ['message.created'],
              publicOnly: false,
              active: true,
              allowPrivate: true,
            })
          ).endpoint.id;
        const [slowId, quickId] = [await endpoint(slow.url, 'Slow'), await endpoint(quick.url, 'Quick')];
        const queue = (endpointId: number, prefix: string, n: number) =>
          s.storage.webhooks.queueWebhookDeliveries(
            Array.from({ length: n }, (_, i) => ({
              endpointId,
              eventId: `${prefix}-${i + 1}`,
              event: 'message.created' as const,
              ticketId: null,
              body: '{}',
            })),
            new Date().toISOString(),
          );
        const env = defaultEnv(s.url, dataDir);

        // The survivor claims the slow endpoint's 50 deliveries: a batch of about 50 s.
        await queue(slowId, 'slow', 50);
        survivor = startDispatchProcess(env);
        await waitUntil(
          async () =>
            (await webhookDeliveries(s.storage, slowId)).every((d) => d.status === 'sending') && slow.state.open === 10,
          'the survivor to claim the 50 slow deliveries and post the first 10',
          60_000,
        );
        const survivorToken = (await webhookDeliveries(s.storage, slowId))[0]!.claim_token;

        // The doomed dispatcher claims the next deliveries and posts them; they are held unanswered when it is killed.
        await queue(quickId, 'quick', 5);
        doomed = startDispatchProcess(env);
        await waitUntil(
          async () =>
            (await webhookDeliveries(s.storage, quickId)).every((d) => d.status === 'sending') &&
            quick.state.open === 5,
          'the doomed dispatcher to claim and post the 5 quick deliveries',
          60_000,
        );
        const claimed = await webhookDeliveries(s.storage, quickId);
        assert.ok(
          claimed.every((d) => d.claim_token !== survivorToken),
          'held by the doomed dispatcher',
        );
        doomed.process.kill('SIGKILL');
        const killedAt = Date.now();
        assert.equal((await doomed.exited).signal, 'SIGKILL');
        quick.answer();

        await waitUntil(
          async () => (await webhookDeliveries(s.storage, quickId)).every((d) => d.status === 'delivered'),
          "the dead dispatcher's deliveries posted within 15 s of the kill",
          Math.max(0, 15_000 - (Date.now() - killedAt)),
          100,
        );
        t.diagnostic(`posted again ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill`);
        const still = await webhookDeliveries(s.storage, slowId);
        assert.ok(
          still.some((d) => d.status === 'sending' && d.claim_token === survivorToken),
          "the survivor's slow batch still runs",
        );
        assert.deepEqual(
          await webhookAttemptsOf(
            s.storage,
            claimed.map((d) => d.id),
          ),
          claimed.map(() => ['interrupted', 'delivered']),
        );
        assert.deepEqual(
          [...quick.state.received].sort(),
          [
            'quick-1',
            'quick-1',
            'quick-2',
            'quick-2',
            'quick-3',
            'quick-3',
            'quick-4',
            'quick-4',
            'quick-5',
            'quick-5',
          ],
          'each posted by the doomed dispatcher, then once by the survivor',
        );
      } finally {
        await stopChild(doomed);
        await stopChild(survivor);
        await slow.close();
        await quick.close();
        rmSync(dataDir, { recursive: true, force: true });
        await s.close();
      }
    });
  });
}

interface RunningDispatcher {
  claimed: number;
  batches: number;
  stop(): Promise<void>;
}

/** An OutboxDispatcher with a storage (its own pool, and LISTEN connection on PostgreSQL) and a transport of its own. */
async function startDispatcher(
  storage: SqlStorage,
  policy: DispatchPolicy,
  options: { pollMs: number; transport?: TransportOptions; ownsStorage: boolean },
): Promise<RunningDispatcher> {
  const transports = new NodemailerMailTransports(options.transport ?? TIMEOUTS);
  const running: RunningDispatcher = { claimed: 0, batches: 0, stop: async () => {} };
  const dispatcher = new OutboxDispatcher({ ...testDeps(storage, systemClock), transports }, policy, {
    pollMs: options.pollMs,
    log: quietLog,
    onBatch: (r: BatchResult) => {
      running.claimed += r.claimed;
      running.batches++;
    },
  });
  await dispatcher.start();
  let stopped = false;
  running.stop = async () => {
    if (stopped) return;
    stopped = true;
    await dispatcher.stop();
    transports.closeAll();
    if (options.ownsStorage) await storage.close();
  };
  return running;
}

describe('dispatchers racing on PostgreSQL', () => {
  // threat: Two dispatchers race
  it('two dispatchers, each with its own pool, share 200 queued mails: every Message-ID is received exactly once and all are sent', async () => {
    const s = await scene(postgres);
    const dispatchers: RunningDispatcher[] = [];
    try {
      await moreTechnicians(s, 9); // group A: 10 technicians, each told of every requester message
      for (let i = 1; i <= 20; i++) {
        const r = await postMessage(s.deps, s.world.requesterA, {
          ticketNumber: s.world.ticketA.number,
          text: `Still broken (${i}).`,
          source: 'portal',
        });
        assert.equal(r.notifications.length, 10);
      }
      const queued = await outbox(s.storage);
      assert.equal(queued.length, 200);
      const policy: DispatchPolicy = {
        batchSize: 10,
        concurrency: 5,
        leaseSeconds: 60,
        retryBaseSeconds: 1,
        retryMaxSeconds: 2,
        giveUpHours: 1,
      };
      dispatchers.push(
        ...(await Promise.all(
          [0, 1].map(() =>
            startDispatcher(openPostgresStorage(s.url, { max: 4 }), policy, { pollMs: 100, ownsStorage: true }),
          ),
        )),
      );
      await waitUntil(
        async () => (await outbox(s.storage)).every((e) => e.status === 'sent'),
        'all 200 mails sent',
        30_000,
      );
      await Promise.all(dispatchers.map((d) => d.stop()));

      assertEachOnce(
        s.sink,
        queued.map((e) => e.message_id_header),
      );
      assert.equal(dispatchers[0]!.claimed + dispatchers[1]!.claimed, 200, 'each mail was claimed once in all');
      assert.ok(
        dispatchers.every((d) => d.claimed > 0),
        `both dispatchers took part (${dispatchers.map((d) => d.claimed).join(' + ')})`,
      );
      const attempts = await attemptsOf(s.storage);
      for (const e of queued) assert.deepEqual(attempts.get(e.id), ['sent'], `attempts of entry ${e.id}`);
    } finally {
      await Promise.all(dispatchers.map((d) => d.stop()));
      await s.close();
    }
  });

  it('a batch that outlasts its lease (slow server, default ratios of lease to SMTP timeouts) is not sent twice by the other dispatcher', async () => {
    const s = await scene(postgres);
    const dispatchers: RunningDispatcher[] = [];
    try {
      await moreTechnicians(s, 9);
      for (let i = 1; i <= 5; i++)
        await postMessage(s.deps, s.world.requesterA, {
          ticketNumber: s.world.ticketA.number,
          text: `Slow (${i}).`,
          source: 'portal',
        });
      const queued = await outbox(s.storage);
      assert.equal(queued.length, 50);
      // The defaults divided by 10/3: lease 10 s → 3 s; connection and greeting 30 s → 9 s; socket 60 s → 18 s. Fifty
      // mails over five connections, each DATA answered after 450 ms: the batch lasts about 4.5 s, past its lease.
      const policy: DispatchPolicy = {
        batchSize: 50,
        concurrency: 10,
        leaseSeconds: 3,
        retryBaseSeconds: 1,
        retryMaxSeconds: 2,
        giveUpHours: 1,
      };
      const transport: TransportOptions = {
        maxConnections: 5,
        connectionTimeoutMs: 9000,
        greetingTimeoutMs: 9000,
        socketTimeoutMs: 18_000,
      };
      s.sink.delayData(450); // each DATA answered within the socket timeout: slow, never failing
      dispatchers.push(
        await startDispatcher(openPostgresStorage(s.url, { max: 4 }), policy, {
          pollMs: 100,
          transport,
          ownsStorage: true,
        }),
      );
      await waitUntil(
        async () => (await outbox(s.storage)).every((e) => e.status === 'sending'),
        'the first dispatcher to claim the 50 mails',
        10_000,
      );
      const claimedAt = Date.now();
      dispatchers.push(
        await startDispatcher(openPostgresStorage(s.url, { max: 4 }), policy, {
          pollMs: 100,
          transport,
          ownsStorage: true,
        }),
      );
      await waitUntil(
        async () => (await outbox(s.storage)).every((e) => e.status === 'sent'),
        'all 50 mails sent',
        30_000,
      );
      assert.ok(Date.now() - claimedAt > policy.leaseSeconds * 1000, 'the batch outlasted its lease');
      await Promise.all(dispatchers.map((d) => d.stop()));
      assertEachOnce(
        s.sink,
        queued.map((e) => e.message_id_header),
      );
      assert.deepEqual(
        dispatchers.map((d) => d.claimed),
        [50, 0],
        'the second dispatcher took over nothing',
      );
      const attempts = await attemptsOf(s.storage);
      for (const e of queued) assert.deepEqual(attempts.get(e.id), ['sent'], `attempts of entry ${e.id}`);
    } finally {
      await Promise.all(dispatchers.map((d) => d.stop()));
      await s.close();
    }
  });
});

describe('a new mail goes out at once, woken by a signal, not by polling', () => {
  for (const database of [postgres, sqliteMemory]) {
    const how = database === postgres ? 'LISTEN/NOTIFY from another pool' : 'the in-process signal of the storage';
    it(`${database.name}: a message posted through the API reaches the server within 5 s while the dispatcher polls only every minute (${how})`, async () => {
      const s = await scene(database);
      const app = await testApp(s.deps);
      let dispatcher: RunningDispatcher | undefined;
      try {
        const tech = await signIn(app, s.world.techA.email);
        // PostgreSQL: the dispatcher has its own pool and LISTEN connection; SQLite in memory: the same storage.
        const storage = database === postgres ? openPostgresStorage(s.url, { max: 2 }) : s.storage;
        const policy: DispatchPolicy = {
          batchSize: 50,
          concurrency: 10,
          leaseSeconds: 60,
          retryBaseSeconds: 1,
          retryMaxSeconds: 2,
          giveUpHours: 1,
        };
        const d = await startDispatcher(storage, policy, { pollMs: 60_000, ownsStorage: database === postgres });
        dispatcher = d;
        await waitUntil(
          () => d.batches >= 1,
          'the first (empty) batch, after which only a signal or the minute poll wakes the dispatcher',
          5_000,
        );
        assert.equal(d.claimed, 0);

        const r = await tech.post(`/api/v1/tickets/${s.world.ticketA.number}/messages`, { text: 'Is it fixed now?' });
        assert.equal(r.statusCode, 201, r.body);
        const [id] = (r.json().notifications as { id: number }[]).map((n) => n.id);
        const header = (await s.storage.outbox.findOutboxEntry(id!))!.messageIdHeader;
        await waitUntil(() => s.sink.acceptedCount(header) === 1, 'the new mail at the server', 5_000);
        await waitUntil(
          async () => (await s.storage.outbox.findOutboxEntry(id!))?.status === 'sent',
          'the entry marked sent',
          5_000,
        );
        assert.ok(d.batches >= 2, 'a batch ran for the signal');
      } finally {
        await dispatcher?.stop();
        await app.close();
        await s.close();
      }
    });
  }
});
