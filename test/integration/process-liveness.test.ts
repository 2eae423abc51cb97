/**
 * The running role processes on /metrics: `parley_processes_alive{role}` and `parley_dispatcher_heartbeat_age_seconds`,
 * from the heartbeats of real processes (`parley serve` with its dispatcher inline, `parley dispatch`, `parley
 * ingest`) and of the heartbeat worker on a clock the test moves. Every wait polls with a deadline.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openStorage } from '../../src/adapters/storage/open-storage.ts';
import { ProcessHeartbeat } from '../../src/delivery/workers/process-heartbeat.ts';
import { BIN, startServe } from '../support/cli.ts';
import { postgres, sqliteMemory } from '../support/databases.ts';
import { startDispatchProcess, stopChild } from '../support/dispatch-scene.ts';
import { testDeps, TestClock } from '../support/fixtures.ts';
import { anonymous, testApp } from '../support/http.ts';
import { waitUntil } from '../support/smtp-sink.ts';

const quietLog = { error: () => {} };

/** The value of one sample of the Prometheus text (`name` with its labels, as printed). */
function sample(text: string, name: string): number {
  const escaped = name.replace(/[{}".=|\\]/g, (c) => `\\${c}`);
  const match = new RegExp(`^${escaped} (\\S+)$`, 'm').exec(text);
  assert.ok(match, `${name} in the metrics:\n${text}`);
  return Number(match[1]);
}

const alive = (text: string, role: string) => sample(text, `parley_processes_alive{role="${role}"}`);
const dispatcherAge = (text: string) => sample(text, 'parley_dispatcher_heartbeat_age_seconds');

for (const database of [sqliteMemory, postgres]) {
  describe(`process liveness on /metrics, heartbeats on a moving clock (${database.name})`, () => {
    it('counts processes seen within 30 s per role, ages the freshest dispatcher heartbeat (1e9 before any), and forgets a stopped or long-dead process', async () => {
      const db = await database.open();
      const clock = new TestClock();
      const deps = testDeps(db.storage, clock);
      const app = await testApp(deps);
      const metrics = async () => (await anonymous(app).get('/metrics')).body;
      const worker = new ProcessHeartbeat(deps, ['serve', 'dispatch'], { version: 'test', log: quietLog });
      try {
        let text = await metrics();
        assert.deepEqual(
          ['serve', 'dispatch', 'ingest'].map((r) => alive(text, r)),
          [0, 0, 0],
        );
        assert.equal(dispatcherAge(text), 1e9, 'no dispatcher ever seen');

        // A process that died long ago without removing its row: pruned by the next heartbeat of anyone.
        const longAgo = new Date(clock.now().getTime() - 3601_000).toISOString();
        await db.storage.processes.heartbeat(
          { id: 'dead:ingest', role: 'ingest', host: 'h', pid: 1, version: 'old', startedAt: longAgo },
          longAgo,
        );
        await worker.start();
        assert.deepEqual(
          (await db.storage.processes.listProcesses()).map((p) => [p.role, p.pid, p.version]),
          [
            ['dispatch', process.pid, 'test'],
            ['serve', process.pid, 'test'],
          ],
        );
        text = await metrics();
        assert.deepEqual(
          ['serve', 'dispatch', 'ingest'].map((r) => alive(text, r)),
          [1, 1, 0],
        );
        assert.equal(dispatcherAge(text), 0);

        clock.advance(12_500);
        assert.equal(dispatcherAge(await metrics()), 12.5);
        clock.advance(18_000); // 30.5 s since the last heartbeat: no longer alive, still aged
        text = await metrics();
        assert.equal(alive(text, 'dispatch'), 0);
        assert.equal(dispatcherAge(text), 30.5);

        await worker.stop();
        assert.deepEqual(await db.storage.processes.listProcesses(), [], 'a graceful stop removes its rows');
        assert.equal(dispatcherAge(await metrics()), 1e9);
      } finally {
        await worker.stop();
        await app.close();
        await db.storage.close();
        await db.drop();
      }
    });
  });
}

describe('process liveness of real processes (SQLite file)', () => {
  it('serve with its dispatcher inline, a parley dispatch and a parley ingest are alive in their roles; SIGTERM removes a row, SIGKILL leaves it to age', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-processes-'));
    const env = { PARLEY_DATA_DIR: dir, PARLEY_LOG_LEVEL: 'warn', PARLEY_MAIL_CATCHER: 'off' };
    const serve = await startServe([], { ...env, PARLEY_DISPATCHER: 'inline' });
    const storage = openStorage(`sqlite:${join(dir, 'parley.db')}`);
    const dispatcher = startDispatchProcess(env);
    const ingest = spawn(process.execPath, [BIN, 'ingest'], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const ingestExit = new Promise<number | null>((done) => ingest.once('exit', (code) => done(code)));
    ingest.stdout.resume();
    const metrics = async () => (await fetch(`${serve.url}/metrics`)).text();
    const roles = async () => (await storage.processes.listProcesses()).map((p) => `${p.role}@${p.pid}`).sort();
    try {
      await waitUntil(
        async () => (await storage.processes.listProcesses()).length === 5,
        'the rows of serve (serve, ingest, dispatch), the dispatcher and the ingester',
        60_000,
      );
      const servePid = (await storage.processes.listProcesses()).find((p) => p.role === 'serve')!.pid;
      assert.deepEqual(
        await roles(),
        [
          `dispatch@${dispatcher.process.pid}`,
          `dispatch@${servePid}`,
          `ingest@${ingest.pid}`,
          `ingest@${servePid}`,
          `serve@${servePid}`,
        ].sort(),
      );
      const text = await metrics();
      assert.deepEqual(
        ['serve', 'dispatch', 'ingest'].map((r) => alive(text, r)),
        [1, 2, 2],
      );
      assert.ok(dispatcherAge(text) < 30, `a fresh dispatcher heartbeat (${dispatcherAge(text)} s)`);
      // The heartbeats go on: every row is seen again after it started.
      await waitUntil(
        async () => (await storage.processes.listProcesses()).every((p) => p.seenAt > p.startedAt),
        'a second heartbeat of every process',
        30_000,
      );

      ingest.kill('SIGTERM');
      assert.equal(await ingestExit, 0);
      assert.ok(!(await roles()).includes(`ingest@${ingest.pid}`), 'a graceful stop removes its row');
      assert.equal(alive(await metrics(), 'ingest'), 1, 'the inbound mail of serve is left');

      dispatcher.process.kill('SIGKILL');
      await dispatcher.exited;
      assert.ok(
        (await roles()).includes(`dispatch@${dispatcher.process.pid}`),
        'a killed process cannot remove its row: it ages until it no longer counts, then is pruned',
      );

      const run = await serve.stop();
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(await roles(), [`dispatch@${dispatcher.process.pid}`], 'serve removed its three rows');
    } finally {
      await stopChild(dispatcher);
      if (ingest.exitCode === null && ingest.signalCode === null) ingest.kill('SIGKILL');
      await serve.stop().catch(() => {});
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
