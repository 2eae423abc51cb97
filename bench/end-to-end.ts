/**
 * End to end: messages posted over HTTP until every notification is accepted (250) by a real SMTP server on loopback.
 * Run: `node --import tsx bench/end-to-end.ts`.
 *
 * Two stacks, measured in the same run against the same SMTP sink, each on a fresh SQLite file:
 *   - Parley: a real `parley serve` child process (`node bin/parley.js serve`), which runs its dispatcher in a worker
 *     thread (PARLEY_DISPATCHER=thread, the default) or forks it as a `parley dispatch` child (child). The database is migrated and seeded beforehand through
 *     the domain (the world of `test/support/fixtures.ts`, ten requesters, BENCH_TICKETS tickets of group A, an API
 *     token for group A's technician, the SMTP account pointed at the sink with security "none"). Every message is
 *     the technician's reply on a requester's ticket: exactly one notification each.
 *   - naive: a bare Fastify route (`bench/e2e/naive-server.ts`) writing a message row and a pre-rendered outbox row
 *     in one better-sqlite3 transaction, and a naive dispatcher (`bench/e2e/naive-dispatcher.ts`) selecting queued
 *     rows in batches and sending them through a Nodemailer pool of 5 connections, each in its own process.
 * The sink (`bench/e2e/smtp-sink.ts`, smtp-server in its own process) counts mails by Message-ID. autocannon runs in
 * a worker thread of this process (`bench/load-worker.mjs`), BENCH_CONNECTIONS connections, pipelining 1.
 *
 * Per stack: one preflight message (Parley: answered 201 with exactly one notification), BENCH_WARMUP_MESSAGES
 * messages until all are delivered (not measured), then BENCH_MESSAGES messages, measured from the first request
 * to the sink's 250 for the last distinct Message-ID. CPU = utime + stime from /proc of the stack's processes and
 * their descendants (for Parley: serve, with its dispatcher thread or child), sampled at the start and at the last 250.
 *
 * Exit code 1 when any answer is not 2xx, any request fails, a mail is missing, duplicated or unknown at the sink,
 * or an outbox row of the measured messages is not marked sent; 2 when the watchdog fires. Missing the 1.0 target
 * is reported, not an error.
 *
 * Environment: BENCH_MESSAGES (3000), BENCH_WARMUP_MESSAGES (300), BENCH_CONNECTIONS (16), BENCH_TICKETS (50),
 * BENCH_ROUNDS (1; order alternates), BENCH_STACKS ("naive,parley"), BENCH_DELIVERY_SECONDS (120: how long after
 * the last HTTP answer the mails may take), BENCH_TIMEOUT_SECONDS (watchdog, default from the above),
 * BENCH_CPU_PROF (a directory: run every measured process with --cpu-prof there), BENCH_NAIVE_POLL_MS (20: the naive
 * dispatcher's sleep when it finds nothing), PARLEY_DISPATCHER (thread; child, inline and off are passed to `parley serve`),
 * PARLEY_DISPATCHER_NICE (passed to `parley serve` when set).
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import { loadConfig } from '../src/config/config.ts';
import { createParley, type Parley } from '../src/main.ts';
import { postMessage } from '../src/domain/messages/post-message.ts';
import { saveSmtpAccount } from '../src/domain/parameters/save-smtp-account.ts';
import type { Actor } from '../src/domain/users/user.ts';
import { buildWorld, fastHasher } from '../test/support/fixtures.ts';
import type { NaiveDispatcherConfig } from './e2e/naive-dispatcher.ts';
import type { NaiveServerConfig } from './e2e/naive-server.ts';
import { CLK_TCK, procStat } from './proc.ts';
import { seedTickets } from './seed-tickets.ts';
import { intEnv } from './settings.ts';
import { CLI_ORIGIN } from '../src/domain/audit/audit-entry.ts';

// ---- settings

const MESSAGES = intEnv('BENCH_MESSAGES', 3000, 1, 1_000_000);
const WARMUP = intEnv('BENCH_WARMUP_MESSAGES', 300, 0, 1_000_000);
const CONNECTIONS = intEnv('BENCH_CONNECTIONS', 16, 1, 1024);
const TICKETS = intEnv('BENCH_TICKETS', 50, 1, 10_000);
const ROUNDS = intEnv('BENCH_ROUNDS', 1, 1, 20);
const DELIVERY_SECONDS = intEnv('BENCH_DELIVERY_SECONDS', 120, 1, 3600);
const STACKS = (process.env.BENCH_STACKS || 'naive,parley')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean) as StackName[];
for (const s of STACKS)
  if (s !== 'naive' && s !== 'parley') throw new Error(`BENCH_STACKS: unknown stack "${s}" (naive, parley).`);
const DISPATCHER = process.env.PARLEY_DISPATCHER || 'thread';
const CPU_PROF = process.env.BENCH_CPU_PROF ? resolve(process.env.BENCH_CPU_PROF) : null;
const TARGET = 1.0;
const GOAL = 2.0;
// Per stack and round: start-up and seeding, the HTTP phases at a pessimistic 50 requests/s, the delivery deadline.
const TIMEOUT_SECONDS = intEnv(
  'BENCH_TIMEOUT_SECONDS',
  ROUNDS * STACKS.length * (60 + Math.ceil((MESSAGES + WARMUP) / 50) + 2 * DELIVERY_SECONDS) + 60,
  10,
  86_400,
);

type StackName = 'naive' | 'parley';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'parley.js');
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const SECRET_KEY = `bench-${randomBytes(24).toString('base64url')}`;
const MAIL_DOMAIN_URL = 'https://desk.example.test';

/** A technician's reply of ordinary length, two paragraphs (the text of `bench/messages-accepted.ts`). */
const MESSAGE_TEXT =
  'Hello, thanks for the details. I have reset the print spooler on the 3rd floor printer and cleared the paper path; ' +
  'the jam sensor was dirty, so I cleaned it too.\n\nCould you print a test page and tell me whether the problem is gone? ' +
  'If it comes back, please note the time and the document you were printing.';
const BODY = JSON.stringify({ text: MESSAGE_TEXT });

const log = (line: string) => process.stdout.write(`${line}\n`);
const problems: string[] = [];

// ---- processes and cleanup

const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();

function track(child: ChildProcess, label: string): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  child.once('error', (error) => problems.push(`${label}: ${error.message}`));
  return child;
}

/** Every descendant pid of `pid` (from /proc: ppid is field 4 of /proc/<pid>/stat). */
function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (stat) parentOf.set(Number(name), stat.ppid);
  }
  const out: number[] = [];
  let frontier = [pid];
  while (frontier.length > 0) {
    const next: number[] = [];
    for (const [child, parent] of parentOf) if (frontier.includes(parent)) next.push(child);
    out.push(...next);
    frontier = next;
  }
  return out;
}

async function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = sleep(graceMs).then(() => 'timeout' as const);
  if ((await Promise.race([exited, timer])) === 'timeout') {
    for (const pid of descendants(child.pid!)) killPid(pid);
    child.kill('SIGKILL');
    await exited;
  }
}

function killPid(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Synchronous last resort (watchdog, signals): our children, their descendants (the dispatcher), the temp dirs. */
function hardCleanup(): void {
  for (const child of children) {
    if (child.pid === undefined) continue;
    for (const pid of descendants(child.pid)) killPid(pid);
    killPid(child.pid);
  }
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\nbench: ${signal}, cleaning up…\n`);
    hardCleanup();
    process.exit(130);
  });
}

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(os.tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

// ---- CPU from /proc

const readStat = (pid: number) => procStat(`/proc/${pid}/stat`);

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).slice(1).join(' ');
  } catch {
    return '?';
  }
}

/** tsx starts an esbuild service process under every process it loads TypeScript in. */
const otherRole = (pid: number) =>
  /--service=.*--ping/.test(commandOf(pid)) ? 'esbuild (tsx)' : commandOf(pid).slice(0, 40) || 'other';

/** CPU seconds per process of the trees rooted at `roots`. */
function cpuSnapshot(roots: number[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const pid of [...roots, ...roots.flatMap(descendants)]) {
    const s = readStat(pid);
    if (s) out.set(pid, s.ticks / CLK_TCK);
  }
  return out;
}

function cpuDelta(before: Map<number, number>, after: Map<number, number>): Map<number, number> {
  const out = new Map<number, number>();
  for (const [pid, t] of after) out.set(pid, t - (before.get(pid) ?? 0));
  return out;
}

/** Busy share of the whole machine (all CPUs) between two samples of /proc/stat. */
function machineTicks(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - f[3]! - f[4]!, total };
}

// ---- the SMTP sink

interface SinkReport {
  ids: string[];
  duplicates: string[];
  withoutId: number;
  bytes: number;
  firstNs: string | null;
  lastNs: string | null;
  cpuMicros: number;
}

class Sink {
  private waiter: ((atNs: bigint) => void) | undefined;
  private reachedAt: bigint | undefined;
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {
    child.on('message', (m: { type: string; atNs?: string }) => {
      if (m.type === 'reached') {
        this.reachedAt = BigInt(m.atNs!);
        this.waiter?.(this.reachedAt);
      }
    });
  }

  static async start(): Promise<Sink> {
    const child = track(
      fork(here('./e2e/smtp-sink.ts'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
      'SMTP sink',
    );
    const port = await new Promise<number>((resolve, reject) => {
      child.once('message', (m: { type: string; port: number }) =>
        m.type === 'listening' ? resolve(m.port) : reject(new Error(`sink: ${m.type}`)),
      );
      child.once('exit', (code) => reject(new Error(`the SMTP sink exited (${code}) before listening`)));
    });
    return new Sink(child, port);
  }

  private request<T>(message: object, answer: string): Promise<T> {
    return new Promise((resolve) => {
      const on = (m: { type: string }) => {
        if (m.type !== answer) return;
        this.child.off('message', on);
        resolve(m as T);
      };
      this.child.on('message', on);
      this.child.send(message);
    });
  }

  /** Starts a new phase: forgets earlier mail, reports once `count` distinct Message-IDs have come. */
  async expect(count: number): Promise<void> {
    await this.request({ cmd: 'expect', count }, 'expecting');
    // After the answer: a 'reached' of the previous phase, sent before it, cannot count for this one.
    this.reachedAt = undefined;
    this.waiter = undefined;
  }

  /** Changes the count of the current phase, keeping what came. */
  async retarget(count: number): Promise<void> {
    await this.request({ cmd: 'retarget', count }, 'retargeted');
  }

  /** The time of the 250 that completed the phase, or undefined at the deadline. */
  reached(deadlineMs: number): Promise<bigint | undefined> {
    if (this.reachedAt !== undefined) return Promise.resolve(this.reachedAt);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(undefined), deadlineMs);
      this.waiter = (at) => {
        clearTimeout(timer);
        resolve(at);
      };
    });
  }

  report(): Promise<SinkReport> {
    return this.request<SinkReport>({ cmd: 'report' }, 'report');
  }

  get pid(): number {
    return this.child.pid!;
  }

  async stop(): Promise<void> {
    this.child.send({ cmd: 'stop' });
    await stopChild(this.child, 3000);
  }
}

// ---- load (autocannon for a fixed number of requests, in a worker thread)

interface LoadResult {
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
  statusCodeStats: Record<string, { count: number }>;
  latency: { average: number; p50: number; p90: number; p99: number; max: number };
}

interface Load {
  startNs: bigint;
  endNs: bigint;
  result: LoadResult;
}

function runLoad(options: {
  url: string;
  paths: string[];
  headers: Record<string, string>;
  amount: number;
}): Promise<Load> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(here('./load-worker.mjs'), {
      workerData: { ...options, body: BODY, connections: Math.min(CONNECTIONS, options.amount), timeout: 30 },
      execArgv: [],
    });
    let startNs: bigint | undefined;
    let done: Load | undefined;
    worker.on('message', (m: { type: string; atNs?: string; endNs?: string; result?: LoadResult }) => {
      if (m.type === 'start') startNs = BigInt(m.atNs!);
      else if (m.type === 'result') done = { startNs: startNs!, endNs: BigInt(m.endNs!), result: m.result! };
    });
    worker.once('error', reject);
    worker.once('exit', (code) =>
      done && code === 0 ? resolve(done) : reject(new Error(`load worker exited with code ${code} and no result`)),
    );
  });
}

function checkLoad(label: string, load: Load, amount: number): void {
  const r = load.result;
  const bad = Object.entries(r.statusCodeStats).filter(([code]) => !code.startsWith('2'));
  if (r.non2xx > 0)
    problems.push(`${label}: ${r.non2xx} non-2xx answers (${bad.map(([c, s]) => `${c}×${s.count}`).join(', ')})`);
  if (r.errors > 0) problems.push(`${label}: ${r.errors} request errors (${r.timeouts} timeouts)`);
  if (r['2xx'] !== amount) problems.push(`${label}: ${r['2xx']} answers 2xx for ${amount} requests`);
}

// ---- seeding (through the domain, on the SQLite file the stack will use)

interface Seeded {
  token: string;
  technician: Actor;
  ticketNumbers: number[];
  tickets: NaiveServerConfig['tickets'];
}

function parleyEnv(dataDir: string): Record<string, string> {
  return {
    PARLEY_DATA_DIR: dataDir,
    PARLEY_SECRET_KEY: SECRET_KEY,
    PARLEY_HOST: '127.0.0.1',
    PARLEY_PORT: '0',
    PARLEY_PUBLIC_URL: MAIL_DOMAIN_URL,
    PARLEY_MAIL_CATCHER: 'off',
    PARLEY_LOG_LEVEL: 'warn',
    PARLEY_DISPATCHER: DISPATCHER,
    ...(process.env.PARLEY_DISPATCHER_NICE ? { PARLEY_DISPATCHER_NICE: process.env.PARLEY_DISPATCHER_NICE } : {}),
  };
}

async function seed(parley: Parley, sinkPort: number): Promise<Seeded> {
  const deps = parley.deps;
  const world = await buildWorld(deps);
  // The SMTP account of the world, pointed at the sink: loopback, no TLS, no authentication.
  await saveSmtpAccount(deps, CLI_ORIGIN, world.admin, {
    host: '127.0.0.1',
    port: sinkPort,
    security: 'none',
    auth: false,
    from: 'desk@example.test',
    fromName: 'Service Desk',
  });
  const { requesters, tickets, token } = await seedTickets(deps, world, TICKETS);
  const byId = new Map(requesters.map((r) => [r.id, r]));
  const ticketMap: NaiveServerConfig['tickets'] = {};
  for (const t of tickets) {
    const r = byId.get(t.requesterId)!;
    ticketMap[String(t.number)] = { id: t.id, recipientId: r.id, email: r.email, name: r.name };
  }
  return { token, technician: world.techA, ticketNumbers: tickets.map((t) => t.number), tickets: ticketMap };
}

// ---- the stacks

interface Running {
  name: StackName;
  origin: string;
  paths: string[];
  headers: Record<string, string>;
  databasePath: string;
  /** Root pids whose trees are the stack's CPU. */
  roots: number[];
  /** pid → role, for the CPU breakdown. */
  role(pid: number): string;
  preflight(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Node flags of the measured processes: --cpu-prof when BENCH_CPU_PROF is set (not allowed in NODE_OPTIONS, so on
 * the command line; `parley serve` forks its dispatcher with its own execArgv, so the dispatcher is profiled too).
 */
function profileArgs(): string[] {
  if (!CPU_PROF) return [];
  mkdirSync(CPU_PROF, { recursive: true });
  return ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF}`];
}

/** The environment of a child without any PARLEY_* setting of ours leaking in. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PARLEY_') && !k.startsWith('BENCH_')) env[k] = v;
  return { ...env, ...extra };
}

async function startParley(sink: Sink): Promise<Running> {
  const dataDir = tempDir('parley-e2e-parley-');
  const env = parleyEnv(dataDir);
  const config = loadConfig(env, { readDotEnv: false });
  const parley = createParley(config, { hasher: fastHasher });
  let seeded: Seeded;
  try {
    await parley.storage.migrate();
    seeded = await seed(parley, sink.port);
  } finally {
    await parley.close();
  }
  const child = track(
    spawn(process.execPath, [...profileArgs(), BIN, 'serve'], {
      cwd: dataDir,
      env: cleanEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
    'parley serve',
  );
  // Its log (pino, on stdout, level warn) and anything on stderr are passed on, prefixed.
  const output: string[] = [];
  let listening = false;
  let relayed = 0;
  const relay = (chunk: string) => {
    if (!listening) {
      output.push(chunk);
      return;
    }
    for (const line of chunk.split('\n').filter((l) => l && !/^(\s+(API|Mail catcher):|Stopping…)/.test(l))) {
      if (++relayed <= 5) process.stderr.write(`  [parley] ${line.length > 400 ? `${line.slice(0, 400)}…` : line}\n`);
    }
  };
  child.once('exit', () => relayed > 5 && process.stderr.write(`  [parley] … and ${relayed - 5} more log lines\n`));
  child.stderr!.setEncoding('utf8').on('data', relay);
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`parley serve did not say it was listening within 60 s:\n${output.join('')}`)),
      60_000,
    );
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      relay(chunk);
      const m = listening ? null : /listening on http:\/\/[^\s]*:(\d+)/.exec(output.join(''));
      if (m) {
        listening = true;
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`parley serve exited (${code ?? signal}) before listening:\n${output.join('')}`));
    });
  });
  const origin = `http://127.0.0.1:${port}`;
  const headers = { authorization: `Bearer ${seeded.token}`, 'content-type': 'application/json' };
  const first = seeded.ticketNumbers[0]!;
  return {
    name: 'parley',
    origin,
    paths: seeded.ticketNumbers.map((n) => `/api/v1/tickets/${n}/messages`),
    headers,
    databasePath: join(dataDir, 'parley.db'),
    roots: [child.pid!],
    role: (pid) =>
      pid === child.pid
        ? `serve (HTTP${DISPATCHER === 'thread' || DISPATCHER === 'inline' ? ' and dispatcher' : ''})`
        : / dispatch/.test(commandOf(pid))
          ? 'dispatcher'
          : otherRole(pid),
    async preflight() {
      const response = await fetch(`${origin}/api/v1/tickets/${first}/messages`, {
        method: 'POST',
        headers,
        body: BODY,
      });
      const text = await response.text();
      if (response.status !== 201) throw new Error(`Parley preflight: expected 201, got ${response.status} ${text}`);
      const body = JSON.parse(text) as { notifications?: unknown[] };
      if (body.notifications?.length !== 1)
        throw new Error(`Parley preflight: expected exactly one notification, got ${text}`);
    },
    stop: () => stopChild(child),
  };
}

async function startNaive(sink: Sink): Promise<Running> {
  const dataDir = tempDir('parley-e2e-naive-');
  const databasePath = join(dataDir, 'naive.db');
  // The same schema and world as Parley's (so rows, indexes and foreign keys are the same), seeded the same way.
  const env = { ...parleyEnv(dataDir), PARLEY_DATABASE_URL: `sqlite:${databasePath}` };
  const parley = createParley(loadConfig(env, { readDotEnv: false }), { hasher: fastHasher });
  let seeded: Seeded;
  let messageRow: Record<string, unknown>;
  let outboxRow: Record<string, unknown>;
  try {
    await parley.storage.migrate();
    seeded = await seed(parley, sink.port);
    // The pre-rendered mail: the rows Parley writes for a reply in a conversation under way (the fourth message on a
    // ticket, whose mail carries the three before it: ${HISTORY}, parameter 9035's default), taken once and copied
    // into every naive row, so both stacks send mails of the same size.
    const db = parley.storage.kyselyInstance;
    let posted: Awaited<ReturnType<typeof postMessage>> | undefined;
    for (let k = 0; k < 4; k++) {
      posted = await postMessage(parley.deps, seeded.technician, {
        ticketNumber: seeded.ticketNumbers[0]!,
        text: MESSAGE_TEXT,
        source: 'api',
      });
      await db
        .updateTable('outbox_entry')
        .set({ status: 'sent' })
        .where('id', '=', posted.notifications[0]!.id)
        .execute();
    }
    if (!posted) throw new Error('no preflight message');
    const { id: _entryId, ...outbox } = await db
      .selectFrom('outbox_entry')
      .selectAll()
      .where('id', '=', posted.notifications[0]!.id)
      .executeTakeFirstOrThrow();
    const { id: _messageId, ...message } = await db
      .selectFrom('ticket_message')
      .selectAll()
      .where('id', '=', posted.message.id)
      .executeTakeFirstOrThrow();
    messageRow = message;
    outboxRow = outbox;
    // None of these is for the sink (marked sent above): the naive dispatcher sends queued rows only.
  } finally {
    await parley.close();
  }
  const serverConfig: NaiveServerConfig = {
    databasePath,
    mailDomain: 'desk.example.test',
    tickets: seeded.tickets,
    messageRow,
    outboxRow,
  };
  const dispatcherConfig: NaiveDispatcherConfig = {
    databasePath,
    smtpPort: sink.port,
    from: { name: 'Service Desk', address: 'desk@example.test' },
    batchSize: 50,
    pollMs: intEnv('BENCH_NAIVE_POLL_MS', 20, 1, 10_000),
  };
  const server = track(
    fork(here('./e2e/naive-server.ts'), [], {
      execArgv: [...process.execArgv, ...profileArgs()],
      env: cleanEnv({ BENCH_NAIVE_CONFIG: JSON.stringify(serverConfig) }),
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
    'naive server',
  );
  const dispatcher = track(
    fork(here('./e2e/naive-dispatcher.ts'), [], {
      execArgv: [...process.execArgv, ...profileArgs()],
      env: cleanEnv({ BENCH_NAIVE_CONFIG: JSON.stringify(dispatcherConfig) }),
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
    'naive dispatcher',
  );
  const first = <T>(child: ChildProcess, type: string, label: string) =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${label} did not start within 60 s`)), 60_000);
      child.on('message', (m: { type: string }) => {
        if (m.type !== type) return;
        clearTimeout(timer);
        resolve(m as T);
      });
      child.once('exit', (code) => reject(new Error(`${label} exited (${code}) before starting`)));
    });
  const [{ port }] = await Promise.all([
    first<{ port: number }>(server, 'listening', 'naive server'),
    first(dispatcher, 'ready', 'naive dispatcher'),
  ]);
  const origin = `http://127.0.0.1:${port}`;
  const headers = { 'content-type': 'application/json' };
  return {
    name: 'naive',
    origin,
    paths: seeded.ticketNumbers.map((n) => `/tickets/${n}/messages`),
    headers,
    databasePath,
    roots: [server.pid!, dispatcher.pid!],
    role: (pid) => (pid === server.pid ? 'server (HTTP)' : pid === dispatcher.pid ? 'dispatcher' : otherRole(pid)),
    async preflight() {
      const response = await fetch(`${origin}/tickets/${seeded.ticketNumbers[0]}/messages`, {
        method: 'POST',
        headers,
        body: BODY,
      });
      if (response.status !== 201)
        throw new Error(`naive preflight: expected 201, got ${response.status} ${await response.text()}`);
    },
    async stop() {
      await Promise.all([stopChild(server), stopChild(dispatcher)]);
    },
  };
}

// ---- one measurement

interface Measurement {
  name: StackName;
  mails: number;
  seconds: number;
  postingSeconds: number;
  tailSeconds: number;
  p50: number;
  p99: number;
  cpuSeconds: number;
  cpuByRole: Record<string, number>;
  sinkCpuSeconds: number;
  /** Average size of a mail as the sink received it (DATA, after dot-unstuffing). */
  mailBytes: number;
  /** This process: autocannon's worker thread, and the main thread waiting. */
  clientCpuSeconds: number;
  machineBusy: number;
}

function outboxIds(
  databasePath: string,
  afterId: number,
): { maxId: number; rows: { id: number; header: string; status: string }[] } {
  const db = new SQLite(databasePath, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    const rows = db
      .prepare('select id, message_id_header as header, status from outbox_entry where id > ? order by id')
      .all(afterId) as {
      id: number;
      header: string;
      status: string;
    }[];
    const { maxId } = db.prepare('select coalesce(max(id), 0) as maxId from outbox_entry').get() as { maxId: number };
    return { maxId, rows };
  } finally {
    db.close();
  }
}

async function measureStack(name: StackName, sink: Sink, round: number): Promise<Measurement | undefined> {
  const label = `${name}${ROUNDS > 1 ? ` (round ${round + 1})` : ''}`;
  const stack = name === 'parley' ? await startParley(sink) : await startNaive(sink);
  try {
    const deliveryMs = DELIVERY_SECONDS * 1000;
    // Preflight and warm-up: delivered in full before the measurement starts.
    await sink.expect(1 + WARMUP);
    await stack.preflight();
    let warmupMails = 1 + WARMUP;
    if (WARMUP > 0) {
      const warm = await runLoad({ url: stack.origin, paths: stack.paths, headers: stack.headers, amount: WARMUP });
      checkLoad(`${label} warm-up`, warm, WARMUP);
      if (warm.result['2xx'] < WARMUP) await sink.retarget((warmupMails = 1 + warm.result['2xx']));
    }
    if ((await sink.reached(deliveryMs)) === undefined) {
      const r = await sink.report();
      problems.push(
        `${label}: warm-up: ${r.ids.length} of ${warmupMails} mails reached the sink within ${DELIVERY_SECONDS} s`,
      );
      return undefined;
    }
    await sleep(200); // the last warm-up rows are marked sent
    const before = outboxIds(stack.databasePath, Number.MAX_SAFE_INTEGER);

    await sink.expect(MESSAGES);
    const cpu0 = cpuSnapshot(stack.roots);
    const sinkCpu0 = (await sink.report()).cpuMicros;
    const clientCpu0 = process.cpuUsage();
    const machine0 = machineTicks();
    const load = await runLoad({ url: stack.origin, paths: stack.paths, headers: stack.headers, amount: MESSAGES });
    if (CPU_PROF)
      log(
        `  ${label}: posting window ${load.startNs / 1000n}–${load.endNs / 1000n} µs (CLOCK_MONOTONIC, the clock of the profiles' timestamps)`,
      );
    // When requests failed, fewer mails are due: wait for the ones whose outbox rows exist (the run still fails).
    const stored = outboxIds(stack.databasePath, before.maxId).rows.length;
    if (stored < MESSAGES) await sink.retarget(stored);
    const lastAt = await sink.reached(deliveryMs);
    const clientCpu = process.cpuUsage(clientCpu0);
    const cpu1 = cpuSnapshot(stack.roots);
    const machine1 = machineTicks();
    const report = await sink.report();
    checkLoad(label, load, MESSAGES);

    // Every measured message has exactly one outbox row; the sink got each of those Message-IDs once, and nothing else.
    let after = outboxIds(stack.databasePath, before.maxId);
    for (let i = 0; i < 50 && after.rows.some((r) => r.status !== 'sent'); i++) {
      await sleep(100);
      after = outboxIds(stack.databasePath, before.maxId);
    }
    const expected = new Set(after.rows.map((r) => r.header));
    const got = new Set(report.ids);
    const missing = [...expected].filter((id) => !got.has(id));
    const unknown = report.ids.filter((id) => !expected.has(id));
    if (after.rows.length !== load.result['2xx'])
      problems.push(`${label}: ${after.rows.length} outbox rows for ${load.result['2xx']} messages answered 2xx`);
    if (missing.length > 0)
      problems.push(`${label}: ${missing.length} mails never reached the sink (e.g. ${missing[0]})`);
    if (unknown.length > 0)
      problems.push(`${label}: ${unknown.length} mails at the sink match no measured outbox row (e.g. ${unknown[0]})`);
    if (report.duplicates.length > 0)
      problems.push(
        `${label}: ${report.duplicates.length} mails reached the sink twice (e.g. ${report.duplicates[0]})`,
      );
    if (report.withoutId > 0) problems.push(`${label}: ${report.withoutId} mails without a Message-ID`);
    const unsent = after.rows.filter((r) => r.status !== 'sent');
    if (unsent.length > 0)
      problems.push(
        `${label}: ${unsent.length} outbox rows not marked sent 5 s after the last 250 (e.g. status ${unsent[0]!.status})`,
      );
    if (lastAt === undefined) {
      problems.push(
        `${label}: only ${report.ids.length} of ${stored} mails reached the sink within ${DELIVERY_SECONDS} s of the last answer`,
      );
      return undefined;
    }

    const delta = cpuDelta(cpu0, cpu1);
    const cpuByRole: Record<string, number> = {};
    for (const [pid, s] of delta) cpuByRole[stack.role(pid)] = (cpuByRole[stack.role(pid)] ?? 0) + s;
    const m: Measurement = {
      name,
      mails: stored,
      seconds: Number(lastAt - load.startNs) / 1e9,
      postingSeconds: Number(load.endNs - load.startNs) / 1e9,
      tailSeconds: Number(lastAt - load.endNs) / 1e9,
      p50: load.result.latency.p50,
      p99: load.result.latency.p99,
      cpuSeconds: [...delta.values()].reduce((a, b) => a + b, 0),
      cpuByRole,
      sinkCpuSeconds: (report.cpuMicros - sinkCpu0) / 1e6,
      clientCpuSeconds: (clientCpu.user + clientCpu.system) / 1e6,
      mailBytes: report.bytes / Math.max(1, report.ids.length + report.duplicates.length + report.withoutId),
      machineBusy: (machine1.busy - machine0.busy) / (machine1.total - machine0.total),
    };
    if (CPU_PROF) {
      log(
        `  ${label}: pids ${[...delta.keys()].map((pid) => `${stack.role(pid)}=${pid}`).join(', ')} (profile files are named by pid); ` +
          `measured window ${load.startNs / 1000n}–${lastAt / 1000n} µs (CLOCK_MONOTONIC, the clock of the profiles' timestamps)`,
      );
    }
    const roles = Object.entries(cpuByRole)
      .filter(([r, s]) => !r.startsWith('esbuild') || s > 0)
      .map(([r, s]) => `${r} ${fmt((s * 1000) / m.mails, 2)}`)
      .join(', ');
    log(
      `  ${label.padEnd(18)} ${fmt(m.mails / m.seconds, 0).padStart(6)} mails/s${m.mails < MESSAGES ? ' (INCOMPLETE: requests failed)' : ''}  (${m.mails} in ${fmt(m.seconds, 2)} s: posting ${fmt(m.postingSeconds, 2)} s + ` +
        `delivery tail ${fmt(m.tailSeconds, 2)} s)   HTTP p50 ${m.p50} ms p99 ${m.p99} ms   CPU ${fmt((m.cpuSeconds * 1000) / m.mails, 2)} ms/mail ` +
        `(${roles}; not counted: sink ${fmt((m.sinkCpuSeconds * 1000) / m.mails, 2)}, load generator ${fmt((m.clientCpuSeconds * 1000) / m.mails, 2)})   ` +
        `machine busy ${fmt(m.machineBusy * 100, 0)} %   mail ${fmt(m.mailBytes / 1024, 1)} KiB`,
    );
    return m;
  } finally {
    await stack.stop();
  }
}

// ---- report

function fmt(n: number, digits: number): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

interface Totals {
  mails: number;
  seconds: number;
  p99: number;
  cpu: number;
  rate: number;
  cpuMs: number;
}

function totals(ms: Measurement[]): Totals | undefined {
  if (ms.length === 0) return undefined;
  const mails = ms.reduce((a, m) => a + m.mails, 0);
  const seconds = ms.reduce((a, m) => a + m.seconds, 0);
  const cpu = ms.reduce((a, m) => a + m.cpuSeconds, 0);
  return {
    mails,
    seconds,
    cpu,
    p99: Math.max(...ms.map((m) => m.p99)),
    rate: mails / seconds,
    cpuMs: (cpu * 1000) / mails,
  };
}

function table(results: Measurement[]): string {
  const header = ['stack', 'mails/s', 'HTTP p99 ms', 'CPU ms/mail', 'Parley/naive mails/s', 'naive/Parley CPU'];
  const naive = totals(results.filter((r) => r.name === 'naive'));
  const parley = totals(results.filter((r) => r.name === 'parley'));
  const rows: string[][] = [];
  if (naive) rows.push(['naive', fmt(naive.rate, 0), fmt(naive.p99, 0), fmt(naive.cpuMs, 2), '', '']);
  if (parley) {
    rows.push([
      'Parley',
      fmt(parley.rate, 0),
      fmt(parley.p99, 0),
      fmt(parley.cpuMs, 2),
      naive
        ? `${fmt(parley.rate / naive.rate, 2)} (target ≥ ${fmt(TARGET, 1)}: ${parley.rate / naive.rate >= TARGET ? 'met' : 'NOT met'})`
        : '',
      naive ? fmt(naive.cpuMs / parley.cpuMs, 2) : '',
    ]);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  return [
    line(header),
    `|${widths.map((w, i) => (i === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
    ...rows.map(line),
  ].join('\n');
}

async function main(): Promise<number> {
  const cpus = os.cpus();
  log('Parley benchmark, end to end: HTTP post → SMTP 250 on loopback, beside a naive stack');
  log(
    `node ${process.version}; ${os.availableParallelism()} CPUs (${cpus[0]?.model.trim() ?? 'unknown'}); ${os.type()} ${os.release()}`,
  );
  log(
    `load average at start: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (other processes on the machine skew the figures)`,
  );
  log(
    `settings: BENCH_MESSAGES=${MESSAGES} BENCH_WARMUP_MESSAGES=${WARMUP} BENCH_CONNECTIONS=${CONNECTIONS} BENCH_TICKETS=${TICKETS} BENCH_ROUNDS=${ROUNDS} ` +
      `BENCH_STACKS=${STACKS.join(',')} PARLEY_DISPATCHER=${DISPATCHER}${CPU_PROF ? ` BENCH_CPU_PROF=${CPU_PROF}` : ''}`,
  );
  if (existsSync(join(ROOT, '.env')))
    log('note: ./.env exists; parley serve runs in its data directory, so it does not read it.');
  const sink = await Sink.start();
  log(`SMTP sink: smtp-server on 127.0.0.1:${sink.port} (pid ${sink.pid}, not counted in any stack's CPU)\n`);
  const results: Measurement[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? STACKS : [...STACKS].reverse();
      for (const name of order) {
        const m = await measureStack(name, sink, round);
        if (m) results.push(m);
      }
    }
  } finally {
    await sink.stop();
  }
  log(
    `\nload average at end: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  log(
    `\n${MESSAGES} messages × ${ROUNDS} round(s), ${CONNECTIONS} connections; mails/s from the first request to the last 250; p99 = worst round:\n`,
  );
  log(table(results));
  const naive = totals(results.filter((r) => r.name === 'naive'));
  const parley = totals(results.filter((r) => r.name === 'parley'));
  if (naive && parley)
    log(
      `\nGoal beyond the issue: ${fmt(GOAL, 1)}× the naive stack (${fmt(GOAL * naive.rate, 0)} mails/s); Parley is at ${fmt(parley.rate / naive.rate, 2)}×.`,
    );
  if (CPU_PROF) log(`\nCPU profiles (.cpuprofile, one per process, written at exit): ${CPU_PROF}`);
  if (problems.length > 0) {
    log(`\nERRORS:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    return 1;
  }
  log('\nEvery request was answered 2xx; every measured message reached the sink exactly once and is marked sent.');
  return 0;
}

setTimeout(() => {
  process.stderr.write(`bench: still running after ${TIMEOUT_SECONDS} s, giving up.\n`);
  hardCleanup();
  process.exit(2);
}, TIMEOUT_SECONDS * 1000).unref();

main()
  .then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(
        `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exitCode = 1;
    },
  )
  .finally(async () => {
    for (const child of [...children]) await stopChild(child, 3000);
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  });
