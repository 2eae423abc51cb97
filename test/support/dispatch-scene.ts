/**
 * What the tests of dispatcher processes share (test/integration/delivery-processes.test.ts, outbox-takeover.test.ts):
 * a migrated database with the fixtures' world and its SMTP account at a real sink, `parley dispatch` child
 * processes, and checks of what the sink received.
 */
import assert from 'node:assert/strict';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { systemClock } from '../../src/adapters/system-clock.ts';
import type { Deps } from '../../src/domain/deps.ts';
import type { DispatchPolicy } from '../../src/domain/notifications/dispatch-outbox.ts';
import { saveSmtpAccount } from '../../src/domain/parameters/save-smtp-account.ts';
import { createUser } from '../../src/domain/users/create-user.ts';
import type { TestDatabase } from './databases.ts';
import { buildWorld, TEST_PASSWORD, testDeps, type World } from './fixtures.ts';
import { SmtpSink } from './smtp-sink.ts';

export const BIN = resolve(import.meta.dirname, '../../bin/parley.js');
/** The key testDeps seals the SMTP password with: a child process needs the same one to open it. */
export const SECRET_KEY = 'test-secret-key-that-is-long-enough-for-parley';
export const SMTP_PASSWORD = 'smtp-pass-Zx9!';
/** A dispatcher's policy for tests that run its loop: batches of 50, 4 at once, a 10 s lease, quick retries. */
export const DISPATCH_POLICY: DispatchPolicy = {
  batchSize: 50,
  concurrency: 4,
  leaseSeconds: 10,
  retryBaseSeconds: 1,
  retryMaxSeconds: 60,
  giveUpHours: 48,
};
/** A dispatcher's log that says nothing. */
export const SILENT_LOG = { info() {}, error() {} };
export interface Scene {
  deps: Deps;
  storage: SqlStorage;
  url: string;
  world: World;
  sink: SmtpSink;
  close(): Promise<void>;
}

/** A migrated database with the world of the fixtures on the system clock (child processes read real time) and the SMTP account at the sink. */
export async function scene(database: TestDatabase, options: { auth?: boolean } = {}): Promise<Scene> {
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

export async function outbox(storage: SqlStorage) {
  return storage.kyselyInstance
    .selectFrom('outbox_entry')
    .select(['id', 'status', 'message_id_header'])
    .orderBy('id')
    .execute();
}

export async function attemptsOf(storage: SqlStorage) {
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
export function assertEachOnce(sink: SmtpSink, headers: readonly string[]) {
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

export interface Child {
  process: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stdout(): string;
  stderr(): string;
}

/** What a `parley dispatch` process needs, with every delivery setting at its default (the lease among them). */
export function defaultEnv(url: string, dataDir: string): Record<string, string> {
  return {
    PARLEY_DATABASE_URL: url,
    PARLEY_DATA_DIR: dataDir,
    PARLEY_SECRET_KEY: SECRET_KEY,
    PARLEY_LOG_LEVEL: 'warn',
    PARLEY_MAIL_CATCHER: 'off',
  };
}

export function startDispatchProcess(env: Record<string, string>): Child {
  const child = spawn(process.execPath, [BIN, 'dispatch'], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  return { process: child, exited, stdout: () => stdout, stderr: () => stderr };
}

export async function stopChild(child: Child | undefined, signal: NodeJS.Signals = 'SIGKILL') {
  if (!child || child.process.exitCode !== null || child.process.signalCode !== null) return;
  child.process.kill(signal);
  await child.exited;
}
export async function moreTechnicians(s: Scene, n: number) {
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
