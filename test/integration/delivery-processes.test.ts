/**
 * Crash safety and concurrency of the outbox dispatcher, against a real SMTP server (test/support/smtp-sink.ts):
 * a dispatcher process killed with SIGKILL mid-delivery, two dispatchers racing on PostgreSQL, a claim that outlives
 * its lease, and new mail woken up by a signal (LISTEN/NOTIFY, the in-process signal) rather than by polling.
 *
 * Every wait polls with a deadline; every child process, dispatcher, sink and database is cleaned up.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { NodemailerMailTransports, type TransportOptions } from '../../src/adapters/smtp/nodemailer-mail-transports.ts';
import { openPostgresStorage } from '../../src/adapters/storage/postgres/postgres-storage.ts';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { systemClock } from '../../src/adapters/system-clock.ts';
import { OutboxDispatcher } from '../../src/delivery/workers/outbox-dispatcher.ts';
import type { Deps } from '../../src/domain/deps.ts';
import { postMessage } from '../../src/domain/messages/post-message.ts';
import type { BatchResult, DispatchPolicy } from '../../src/domain/notifications/dispatch-outbox.ts';
import { saveSmtpAccount } from '../../src/domain/parameters/save-smtp-account.ts';
import { createUser } from '../../src/domain/users/create-user.ts';
import { postgres, sqliteFile, sqliteMemory, type TestDatabase } from '../support/databases.ts';
import { buildWorld, TEST_PASSWORD, testDeps, type World } from '../support/fixtures.ts';
import { signIn, testApp } from '../support/http.ts';
import { SmtpSink, waitUntil } from '../support/smtp-sink.ts';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';

const BIN = resolve(import.meta.dirname, '../../bin/parley.js');
/** The key testDeps seals the SMTP password with: a child process needs the same one to open it. */
const SECRET_KEY = 'test-secret-key-that-is-long-enough-for-parley';
const SMTP_PASSWORD = 'smtp-pass-Zx9!';
const TIMEOUTS: TransportOptions = {
  maxConnections: 5,
  connectionTimeoutMs: 1000,
  greetingTimeoutMs: 1000,
  socketTimeoutMs: 2000,
};
const quietLog = { info: () => {}, error: () => {} };

interface Scene {
  deps: Deps;
  storage: SqlStorage;
  url: string;
  world: World;
  sink: SmtpSink;
  close(): Promise<void>;
}

/** A migrated database with the world of the fixtures on the system clock (child processes read real time) and the SMTP account at the sink. */
async function scene(database: TestDatabase, options: { auth?: boolean } = {}): Promise<Scene> {
  const db = await database.open();
  const sink = await SmtpSink.start();
  try {
    const deps = testDeps(db.storage, systemClock);
    const world = await buildWorld(deps);
    const auth = options.auth ?? false;
    await saveSmtpAccount(deps, CLI_ORIGIN, world.admin, {
      host: '127.0.0.1',
      port: sink.port,
      security: 'none',
      auth,
      user: auth ? 'desk' : null,
      password: auth ? SMTP_PASSWORD : null,
      from: 'desk@example.test',
      fromName: 'Service Desk',
    });
    if (auth) sink.requireAuth({ user: 'desk', pass: SMTP_PASSWORD });
    return {
      deps,
      storage: db.storage,
      url: db.url,
      world,
      sink,
      close: async () => {
        await sink.close();
        await db.storage.close();
        await db.drop();
      },
    };
  } catch (error) {
    await sink.close();
    await db.storage.close();
    await db.drop();
    throw error;
  }
}

async function outbox(storage: SqlStorage) {
  return storage.kyselyInstance
    .selectFrom('outbox_entry')
    .select(['id', 'status', 'message_id_header'])
    .orderBy('id')
    .execute();
}

async function attemptsOf(storage: SqlStorage) {
  const rows = await storage.kyselyInstance
    .selectFrom('outbox_attempt')
    .select(['entry_id', 'result'])
    .orderBy('id')
    .execute();
  const byEntry = new Map<number, string[]>();
  for (const r of rows) byEntry.set(r.entry_id, [...(byEntry.get(r.entry_id) ?? []), r.result]);
  return byEntry;
}

/** Asserts each queued mail reached the sink exactly once, and nothing else did. */
function assertEachOnce(sink: SmtpSink, headers: readonly string[]) {
  const counts = sink.acceptedCounts();
  const wrong = headers.map((h) => [h, counts.get(h) ?? 0] as const).filter(([, n]) => n !== 1);
  assert.deepEqual(
    wrong,
    [],
    `${wrong.length} of ${headers.length} mails were not accepted exactly once: ${wrong
      .slice(0, 5)
      .map(([h, n]) => `${h} ×${n}`)
      .join(', ')}${wrong.length > 5 ? ', …' : ''}`,
  );
  assert.equal(sink.accepted.length, headers.length, 'no other mail reached the server');
}

interface Child {
  process: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

function startDispatchProcess(env: Record<string, string>): Child {
  const child = spawn(process.execPath, [BIN, 'dispatch'], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stdout!.resume();
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  return { process: child, exited, stderr: () => stderr };
}

async function stopChild(child: Child | undefined, signal: NodeJS.Signals = 'SIGKILL') {
  if (!child || child.process.exitCode !== null || child.process.signalCode !== null) return;
  child.process.kill(signal);
  await child.exited;
}

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

      // The server takes the connection and never greets: the first dispatcher holds its claims, waiting.
      s.sink.neverGreet();
      first = startDispatchProcess(env);
      await waitUntil(
        async () => (await outbox(s.storage)).every((e) => e.status === 'sending') && s.sink.connectionCount > 0,
        'the first dispatcher to claim every mail and connect',
        20_000,
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

async function moreTechnicians(s: Scene, n: number) {
  for (let i = 1; i <= n; i++) {
    await createUser(s.deps, CLI_ORIGIN, {
      role: 'technician',
      email: `tech.extra${i}@example.test`,
      name: `Técnico Extra ${i}`,
      password: TEST_PASSWORD,
      groupIds: [s.world.groupA],
    });
  }
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
      // The defaults divided by 100: lease 300 s → 3 s; connection and greeting 30 s → 0.3 s; socket 60 s → 0.6 s.
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
        connectionTimeoutMs: 300,
        greetingTimeoutMs: 300,
        socketTimeoutMs: 600,
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
      await Promise.all(dispatchers.map((d) => d.stop()));
      assertEachOnce(
        s.sink,
        queued.map((e) => e.message_id_header),
      );
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
