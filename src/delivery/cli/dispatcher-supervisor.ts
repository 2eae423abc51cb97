import { fork } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import type { DispatchWake, Parley } from '../../main.ts';
import { wakeMessage } from './own-dispatcher.ts';
import { projectPath } from '../../config/project-root.ts';

const BIN = projectPath('bin', 'parley.js');
/**
 * How long a dispatcher thread may take to finish its sends once asked to stop: within systemd's 30-second
 * `TimeoutStopSec` (deploy/systemd), as a child's SIGTERM would be. A mail cut off is sent again once its lease ends.
 */
const THREAD_STOP_MS = 25_000;

/** A running dispatcher as `serve` sees it, whichever way it runs. */
interface Runner {
  /** Wakes one of its dispatchers (SQLite: a mail or a webhook delivery was queued in this process). */
  kick(wake: DispatchWake): void;
  /** Asks it to finish its work and stop; resolves once it has. */
  stop(): Promise<void>;
}

interface RunnerEvents {
  /** SQLite: the tickets whose mail states it recorded, for the live pages `serve` serves (PostgreSQL: NOTIFY). */
  activity(message: unknown): void;
  /** It ended without being asked to (a crash, an out-of-memory kill): restart it. */
  died(detail: Record<string, unknown>): void;
}

/** `parley dispatch --supervised` in a process of its own: isolated from `serve`, at the cost of a second runtime. */
function childRunner(events: RunnerEvents): Runner {
  const child = fork(BIN, ['dispatch', '--supervised'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let stopping = false;
  child.on('message', (m) => events.activity(m));
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      if (!stopping) events.died({ code, signal });
      resolve();
    }),
  );
  return {
    kick: (wake) => child.connected && child.send(wakeMessage(wake)),
    async stop() {
      stopping = true;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * The dispatcher in a worker thread of this process: its own event loop and heap, one Node runtime. Compiled, the
 * worker runs `dispatch-thread.js` beside this file; from the sources it first registers tsx, as bin/parley.js does.
 */
function threadRunner(parley: Parley, events: RunnerEvents): Runner {
  const here = import.meta.url;
  const entry = new URL(here.endsWith('.ts') ? './dispatch-thread.ts' : './dispatch-thread.js', here);
  const options = {
    workerData: { config: { ...parley.config } },
    // A smaller young generation than the main thread's: the dispatcher's objects are few and short-lived.
    resourceLimits: { maxYoungGenerationSizeMb: 8 },
  };
  const worker = here.endsWith('.ts')
    ? new Worker(
        `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`,
        { ...options, eval: true },
      )
    : new Worker(entry, options);
  let stopping = false;
  let stopped = false;
  let gone = false;
  worker.on('message', (m: { stopped?: boolean }) => {
    if (m?.stopped) stopped = true;
    else events.activity(m);
  });
  worker.on('error', (error) => parley.log.error({ err: error }, 'the outbox dispatcher thread failed'));
  const exited = new Promise<void>((resolve) =>
    worker.once('exit', (code) => {
      gone = true;
      if (!stopping) events.died({ code });
      resolve();
    }),
  );
  return {
    kick: (wake) => worker.postMessage(wakeMessage(wake)),
    async stop() {
      stopping = true;
      if (gone) return;
      worker.postMessage('stop');
      const timer = setTimeout(() => void worker.terminate(), THREAD_STOP_MS);
      await exited;
      clearTimeout(timer);
      if (!stopped) parley.log.warn('the outbox dispatcher thread was ended before it finished');
    },
  };
}

/**
 * Runs `serve`'s outbox dispatcher apart from the HTTP event loop, in a worker thread (`thread`) or a process of its
 * own (`child`), restarted a second after it dies. On SQLite the signal that a mail was queued reaches it as a
 * message; on PostgreSQL it LISTENs.
 */
export function superviseDispatcher(parley: Parley, mode: 'thread' | 'child'): { stop(): Promise<void> } {
  let runner: Runner | undefined;
  let stopping = false;
  let restart: NodeJS.Timeout | undefined;
  const events: RunnerEvents = {
    activity(m) {
      const message = m as { tickets?: unknown; staffOnly?: unknown };
      if (Array.isArray(message?.tickets))
        parley.storage.relayTicketActivity(
          message.tickets.filter((id): id is number => Number.isInteger(id)),
          message.staffOnly === true,
        );
    },
    died(detail) {
      if (stopping) return;
      parley.log.error(detail, 'the outbox dispatcher stopped; restarting it in a second');
      restart = setTimeout(start, 1000);
    },
  };
  const start = () => {
    runner = mode === 'thread' ? threadRunner(parley, events) : childRunner(events);
  };
  start();
  const forwarding = parley.storage.signalsStayInProcess
    ? forwardSignals(parley.storage, (wake) => runner?.kick(wake))
    : undefined;
  return {
    async stop() {
      stopping = true;
      clearTimeout(restart);
      await (
        await forwarding
      )?.();
      await runner?.stop();
    },
  };
}

/**
 * SQLite: the outbox's and the webhooks' signals of this process (work withdrawn too), passed on to the dispatcher that
 * runs apart, each woken at most once per turn of the event loop however many messages were posted in it. Resolves
 * with the way to stop.
 */
export async function forwardSignals(
  storage: Pick<Parley['storage'], 'onOutboxSignal' | 'onOutboxWithdrawn' | 'onWebhookSignal'>,
  kick: (wake: DispatchWake) => void,
): Promise<() => Promise<void>> {
  const pending = new Set<DispatchWake>();
  const forward = (wake: DispatchWake) => () => {
    if (pending.has(wake)) return;
    pending.add(wake);
    setImmediate(() => {
      pending.delete(wake);
      kick(wake);
    });
  };
  const stops = [
    await storage.onOutboxSignal(forward('outbox')),
    await storage.onOutboxWithdrawn(forward('withdrawn')),
    await storage.onWebhookSignal(forward('webhooks')),
  ];
  return async () => {
    for (const stop of stops) await stop();
  };
}
