/**
 * Real `parley` processes for multi-process tests: `serve`, `dispatch` and `ingest --listen`, each a child process
 * started from bin/parley.js with the environment given, ready once it printed its start-up line, killed with any
 * signal, always stopped at the end (`stopAll`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { BIN } from './cli.ts';

export interface ParleyProcess {
  name: string;
  child: ChildProcess;
  /** What the start-up line matched (serve: the URL; ingest: host and port). */
  ready: RegExpExecArray;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  running(): boolean;
  /** Sends the signal and waits for the process to end. */
  kill(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const READY: Record<string, RegExp> = {
  serve: /listening on (http:\/\/[\d.]+:\d+)/,
  dispatch: /Dispatching the outbox/,
  ingest: /Receiving reply mail on smtp:\/\/([\d.]+):(\d+)/,
};

/** Starts `parley <args>` and resolves once its start-up line is printed (or fails with what it printed). */
export function startParley(name: string, args: string[], env: Record<string, string>): Promise<ParleyProcess> {
  const pattern = READY[args[0]!];
  if (!pattern) throw new Error(`no start-up line known for parley ${args[0]}`);
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH ?? '', PARLEY_LOG_LEVEL: 'warn', PARLEY_MAIL_CATCHER: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  const running = () => child.exitCode === null && child.signalCode === null;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} (parley ${args.join(' ')}) did not start in 120 s:\n${output}`));
    }, 120_000);
    const seen = () => {
      const m = pattern.exec(output);
      if (!m) return;
      clearTimeout(timer);
      child.stdout.off('data', onStdout);
      resolve({
        name,
        child,
        ready: m,
        output: () => output,
        exited,
        running,
        async kill(signal = 'SIGTERM') {
          if (running()) child.kill(signal);
          return exited;
        },
      });
    };
    const onStdout = () => seen();
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.stdout.on('data', onStdout);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`${name} (parley ${args.join(' ')}) exited at start (${code ?? signal}):\n${output}`));
    });
  });
}

/** Stops every process still running: SIGTERM, then SIGKILL after 5 s. */
export async function stopAll(processes: readonly (ParleyProcess | undefined)[]): Promise<void> {
  await Promise.all(
    processes.map(async (p) => {
      if (!p?.running()) return;
      const timer = setTimeout(() => p.child.kill('SIGKILL'), 5000);
      await p.kill('SIGTERM');
      clearTimeout(timer);
    }),
  );
}

export interface Fleet {
  serves: ParleyProcess[];
  dispatchers: ParleyProcess[];
  ingests: ParleyProcess[];
  all(): ParleyProcess[];
}

/**
 * `serves` × `parley serve` (PARLEY_DISPATCHER=off, PARLEY_TRUSTED_PROXIES=127.0.0.1: behind the proxy of the test),
 * `dispatchers` × `parley dispatch` and `ingests` × `parley ingest --listen 127.0.0.1:0`, started together. When one
 * fails to start, the others are stopped.
 */
export async function startFleet(
  env: Record<string, string>,
  counts: { serves: number; dispatchers: number; ingests: number },
): Promise<Fleet> {
  const serveEnv = { ...env, PARLEY_PORT: '0', PARLEY_DISPATCHER: 'off', PARLEY_TRUSTED_PROXIES: '127.0.0.1' };
  const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
  const starting = [
    ...range(counts.serves).map((i) => startParley(`serve ${i}`, ['serve'], serveEnv)),
    ...range(counts.dispatchers).map((i) => startParley(`dispatch ${i}`, ['dispatch'], env)),
    ...range(counts.ingests).map((i) => startParley(`ingest ${i}`, ['ingest', '--listen', '127.0.0.1:0'], env)),
  ];
  const settled = await Promise.allSettled(starting);
  const started = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await stopAll(started);
    throw failed.reason;
  }
  const of = (command: string) => started.filter((p) => p.name.startsWith(command));
  return { serves: of('serve'), dispatchers: of('dispatch'), ingests: of('ingest'), all: () => started };
}
