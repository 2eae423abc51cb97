/**
 * `parley serve` with its own dispatcher, as a person runs it: in a worker thread (the default) or a child process.
 * A message posted over HTTP is mailed to a real SMTP sink, the page's live stream hears the mail's state (on SQLite
 * relayed from the dispatcher to `serve`), the dispatcher's heartbeat names the process it runs in, its thread (or every
 * thread of its child, restarted too) runs at a lower CPU priority than serve's (Linux), and SIGTERM stops
 * both with their heartbeats removed. The child is restarted after a SIGKILL, a thread that ended a second later.
 * Waits are bounded; no speed asserted.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { simpleParser } from 'mailparser';
import pino from 'pino';
import { loadConfig } from '../../src/config/config.ts';
import { superviseDispatcher } from '../../src/delivery/cli/dispatcher-supervisor.ts';
import { createParley } from '../../src/main.ts';
import { startServe } from '../support/cli.ts';
import { POSTGRES_ADMIN_URL, postgres, sqliteFile } from '../support/databases.ts';
import { scene, SECRET_KEY } from '../support/dispatch-scene.ts';
import { openEvents, requestAs, signInAt, ticketEvents } from '../support/fleet.ts';
import { waitUntil } from '../support/smtp-sink.ts';

/**
 * Linux: the nice value of each thread of a process, by thread id (field 19 of /proc/<pid>/task/<tid>/stat); a thread
 * that ended between the listing and the reading is left out.
 */
function threadNices(pid: number): Map<number, number> {
  const nices = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    } catch {
      continue;
    }
    nices.set(Number(tid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]));
  }
  return nices;
}

for (const database of [sqliteFile, postgres]) {
  for (const mode of ['thread', 'child'] as const) {
    describe(`parley serve with its dispatcher in a ${mode} (${database.name})`, () => {
      it('mails a message posted over HTTP, tells the live page, beats as a dispatcher, and stops with serve', async () => {
        const s = await scene(database);
        const dataDir = mkdtempSync(join(tmpdir(), 'parley-serve-dispatcher-'));
        const serve = await startServe([], {
          PARLEY_DATABASE_URL: s.url,
          PARLEY_DATA_DIR: dataDir,
          PARLEY_SECRET_KEY: SECRET_KEY,
          PARLEY_PUBLIC_URL: s.deps.site.publicUrl,
          PARLEY_MAIL_DOMAIN: s.deps.site.mailDomain,
          PARLEY_DISPATCHER: mode,
          PARLEY_RETRY_BASE_SECONDS: '1',
          PARLEY_RETRY_MAX_SECONDS: '2',
        });
        const dispatchers = async () =>
          (await s.storage.processes.listProcesses()).filter((p) => p.role === 'dispatch').map((p) => p.pid);
        try {
          assert.match(serve.out(), new RegExp(`dispatcher: ${mode}\\)`));
          const tech = await signInAt(serve.url, s.world.techA.email);
          const stream = await openEvents(serve.url, tech);
          await waitUntil(() => stream.events.some((e) => e.event === 'ready'), 'the live stream is ready');
          const ticket = s.world.ticketA.number;
          const post = async (text: string) => {
            const r = await requestAs(tech, serve.url, `/api/v1/tickets/${ticket}/messages`, { text });
            assert.equal(r.status, 201, await r.text());
          };
          const mailed = async (text: string) => {
            for (const m of s.sink.received.filter((r) => r.outcome === 'accepted')) {
              const mail = await simpleParser(m.raw);
              if (m.envelope.rcptTo.includes(s.world.requesterA.email) && mail.text?.includes(text)) return true;
            }
            return false;
          };

          await post('The printer on floor 2 is fixed.');
          await waitUntil(
            () => mailed('The printer on floor 2 is fixed.'),
            'the requester’s mail at the SMTP server',
            30_000,
          );
          // The post, then the mail's state recorded by the dispatcher.
          await waitUntil(
            () => ticketEvents(stream).filter((n) => n === ticket).length >= 2,
            'the live update of the mail sent',
            15_000,
          );
          stream.close();

          const [servePid] = (await s.storage.processes.listProcesses())
            .filter((p) => p.role === 'serve')
            .map((p) => p.pid);
          await waitUntil(async () => (await dispatchers()).length === 1, 'the dispatcher’s heartbeat', 15_000);
          const [dispatcherPid] = await dispatchers();
          // The dispatcher yields the CPU to serve's HTTP thread (PARLEY_DISPATCHER_NICE, 10 by default): its thread,
          // or every thread of its child, is lowered; never serve's own threads (nor the thread pool they share).
          const base = process.platform === 'linux' ? threadNices(servePid!).get(servePid!)! : 0;
          const lowered = Math.min(19, base + 10);
          const checkPriorities = (dispatcher: number) => {
            if (process.platform !== 'linux') return;
            const inServe = [...threadNices(servePid!).values()].filter((nice) => nice !== base);
            if (mode === 'thread') assert.deepEqual(inServe, lowered === base ? [] : [lowered], 'one thread lowered');
            else {
              assert.deepEqual(inServe, [], 'serve keeps its priority');
              assert.deepEqual(new Set(threadNices(dispatcher).values()), new Set([lowered]), 'the child’s threads');
            }
          };
          checkPriorities(dispatcherPid!);
          if (mode === 'thread') assert.equal(dispatcherPid, servePid, 'a thread of the serve process');
          else {
            assert.notEqual(dispatcherPid, servePid, 'a process of its own');
            // Killed, it is restarted, and the next message goes out.
            process.kill(dispatcherPid!, 'SIGKILL');
            await post('A second note after the dispatcher died.');
            await waitUntil(
              () => mailed('A second note after the dispatcher died.'),
              'the mail of the restarted dispatcher',
              30_000,
            );
            // Restarted from serve, it is lowered once more from serve's priority, not from the dead one's.
            const restarted = async () =>
              (await dispatchers()).find((pid) => pid !== dispatcherPid && existsSync(`/proc/${pid}`));
            await waitUntil(async () => (await restarted()) !== undefined, 'the new child’s heartbeat', 15_000);
            checkPriorities((await restarted())!);
          }

          const run = await serve.stop();
          assert.equal(run.code, 0, run.stderr);
          assert.ok(!/Error|failed/.test(run.stderr), run.stderr);
          assert.deepEqual(
            (await s.storage.processes.listProcesses())
              .filter((p) => mode === 'thread' || p.pid !== dispatcherPid)
              .map((p) => `${p.role}@${p.pid}`),
            [],
            'serve and its dispatcher removed their heartbeats on the way out',
          );
        } finally {
          await serve.stop().catch(() => {});
          rmSync(dataDir, { recursive: true, force: true });
          await s.close();
        }
      });
    });
  }
}

describe('a dispatcher thread that dies', () => {
  it('is started again a second later, until serve stops it', async () => {
    // Its database does not exist: each thread fails at start, as one that crashed would end.
    const url = new URL(POSTGRES_ADMIN_URL);
    url.pathname = `/parley_missing_${process.pid}`;
    const dataDir = mkdtempSync(join(tmpdir(), 'parley-thread-restart-'));
    const config = loadConfig(
      {
        PARLEY_DATABASE_URL: url.toString(),
        PARLEY_DATA_DIR: dataDir,
        PARLEY_SECRET_KEY: SECRET_KEY,
        PARLEY_LOG_LEVEL: 'silent',
      },
      { readDotEnv: false },
    );
    const lines: { msg: string }[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    const parley = createParley(config, { log });
    const supervisor = superviseDispatcher(parley, 'thread');
    const restarts = () => lines.filter((l) => /restarting it in a second/.test(l.msg)).length;
    try {
      await waitUntil(() => restarts() >= 2, 'two restarts of the dead thread', 15_000);
      assert.ok(
        lines.some((l) => /dispatcher thread failed/.test(l.msg)),
        'why it ended is logged',
      );
    } finally {
      await supervisor.stop();
      const after = restarts();
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.equal(restarts(), after, 'no restart once stopped');
      await parley.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
