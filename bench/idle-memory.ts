/**
 * Idle memory of each role: `npm run bench:memory` (= node --import tsx bench/idle-memory.ts).
 *
 * Each role runs as a real process (`node bin/parley.js <role>`, production settings: NODE_ENV=production, the mail
 * catcher off) on a fresh, migrated database of each kind holding the demo data (`parley seed --demo`): a SQLite file
 * in a new temp folder, and a new PostgreSQL database `parley_bench_<random>` (dropped at the end). Roles: `serve` with
 * its dispatcher in a worker thread (PARLEY_DISPATCHER=thread, the default), in a child process (child), on its HTTP
 * thread (inline), `serve` without (PARLEY_DISPATCHER=off), `dispatch`, `ingest` (SMTP receiver on 127.0.0.1, any
 * port).
 *
 * Work first, as a desk's day does: once `serve` is ready, BENCH_WORK_MESSAGES (300) messages are posted to a demo
 * ticket over the API (each followed by a read of the ticket list), and with a dispatcher every notification they queue
 * is sent to a real SMTP server this bench runs on 127.0.0.1:2525 (the demo's SMTP account). `serve` without a
 * dispatcher leaves its mails queued; `dispatch`, which runs next, sends them before idling (its busy spell). `ingest`
 * has none. Idleness starts once the SMTP server has heard nothing for 2 s (the demo's own mails go at the first start
 * of a dispatcher). Then BENCH_IDLE_SECONDS (90) of nothing, VmRSS read from /proc every second for the process and
 * each of its children (serve's dispatcher child). Printed: the largest reading around 10 s of idling (9–11 s), the
 * largest over the last 5 s ("settled"), and the first second from which every later reading was at most the target. V8
 * keeps the young generation it grew while busy (two 16 MB semi-spaces) until its memory reducer runs, some seconds
 * into idleness; the settled reading is what an idle process holds. Target: `serve` with its dispatcher (both processes
 * together with a child) at most 150 MB once settled.
 *
 * Environment: BENCH_IDLE_SECONDS (90, at least 15), BENCH_WORK_MESSAGES (300; 0: no work), BENCH_DATABASES
 * ("sqlite,postgres"), BENCH_ROLES (names as printed, comma-separated: "serve + dispatcher thread" measures the
 * target's default set-up alone), BENCH_POSTGRES_URL (postgres://postgres@127.0.0.1:5432/postgres), BENCH_NODE_OPTIONS
 * (NODE_OPTIONS for the roles, e.g. --max-semi-space-size=2, to measure a V8 setting). Exit 1 when a role fails to
 * start, its work fails, its mails do not arrive within 120 s or it exits while idle; missing the target is reported.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { childrenOf } from './proc.ts';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { intEnv } from './settings.ts';
import { compiledIsCurrent } from '../bin/compiled.js';

const IDLE_SECONDS = intEnv('BENCH_IDLE_SECONDS', 90, 15, 600);
const WORK_MESSAGES = intEnv('BENCH_WORK_MESSAGES', 300, 0, 100_000);
/** The demo's SMTP account (`parley seed --demo` without a mail catcher: DEMO_SMTP_PORT). */
const SINK_PORT = 2525;
const DATABASES = (process.env.BENCH_DATABASES || 'sqlite,postgres').split(',').map((s) => s.trim());
/** BENCH_ROLES: the roles to measure, by name, comma-separated (all when unset). */
const ONLY = process.env.BENCH_ROLES ? process.env.BENCH_ROLES.split(',').map((s) => s.trim()) : null;
const POSTGRES_ADMIN_URL = process.env.BENCH_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const BIN = resolve(import.meta.dirname, '../bin/parley.js');
/** Whether the roles run the compiled build, as bin/parley.js decides it (read before they start). */
const RUNS_COMPILED = compiledIsCurrent({}); // the roles' environment names no PARLEY_RUN_FROM
const TARGET_MB = 150;

interface Role {
  name: string;
  args: string[];
  env: Record<string, string>;
  ready: RegExp;
  /** Whether the role sends the notifications its work queues (the bench waits for them before idling). */
  sends?: boolean;
}

const ROLES: Role[] = [
  {
    name: 'serve + dispatcher thread',
    args: ['serve'],
    env: { PARLEY_DISPATCHER: 'thread' },
    ready: /listening on (\S+) /,
    sends: true,
  },
  {
    name: 'serve + dispatcher child',
    args: ['serve'],
    env: { PARLEY_DISPATCHER: 'child' },
    ready: /listening on (\S+) /,
    sends: true,
  },
  {
    name: 'serve, inline dispatcher',
    args: ['serve'],
    env: { PARLEY_DISPATCHER: 'inline' },
    ready: /listening on (\S+) /,
    sends: true,
  },
  { name: 'serve, no dispatcher', args: ['serve'], env: { PARLEY_DISPATCHER: 'off' }, ready: /listening on (\S+) / },
  { name: 'dispatch', args: ['dispatch'], env: {}, ready: /Dispatching the outbox/, sends: true },
  { name: 'ingest', args: ['ingest', '--listen', '127.0.0.1:0'], env: {}, ready: /Receiving reply mail/ },
];
const unknownRole = ONLY?.find((name) => !ROLES.some((r) => r.name === name));
if (unknownRole) throw new Error(`BENCH_ROLES: no role "${unknownRole}" (${ROLES.map((r) => r.name).join(', ')})`);

/** VmRSS of a process, in MB (0 once it is gone). */
function rssMb(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

interface Reading {
  /** Largest RSS (process and children) 9–11 s into idleness. */
  at10: number;
  /** Largest RSS over the last 5 s. */
  settled: number;
  /** Of `settled`, the children's part. */
  children: number;
  /** First second from which every reading was at most the target (null: never). */
  underTargetFrom: number | null;
}

/** Mails the bench's SMTP server has received. */
let received = 0;
/** Notifications queued by a role that does not send them (serve without a dispatcher): the next sender sends them. */
let leftover = 0;

/** Until `count` more mails have arrived (deadline 120 s). */
async function mailsArrive(count: number, since: number, who: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (received - since < count) {
    if (Date.now() > deadline) throw new Error(`${who}: ${received - since} of ${count} mails sent after 120 s`);
    await sleep(100);
  }
}

/** Until the SMTP server has heard nothing for 2 s (the demo's own mails, at the first start of a dispatcher). */
async function quiet(): Promise<void> {
  const deadline = Date.now() + 120_000;
  let heard = received;
  let quietSince = Date.now();
  while (Date.now() - quietSince < 2000) {
    if (Date.now() > deadline) throw new Error('mails kept arriving for 120 s');
    await sleep(100);
    if (received !== heard) [heard, quietSince] = [received, Date.now()];
  }
}

async function run(role: Role, env: Record<string, string>, token: string): Promise<Reading> {
  const atSpawn = received;
  const child: ChildProcess = spawn(process.execPath, [BIN, ...role.args], {
    env: {
      PATH: process.env.PATH ?? '',
      ...(process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {}),
      NODE_ENV: 'production',
      PARLEY_LOG_LEVEL: 'warn',
      PARLEY_PORT: '0',
      PARLEY_MAIL_CATCHER: 'off',
      PARLEY_MAIL_DOMAIN: 'desk.example.test',
      ...env,
      ...role.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr!.on('data', (d) => (output += d));
  try {
    const match = await new Promise<RegExpExecArray>((done, fail) => {
      child.stdout!.on('data', (d) => {
        output += d;
        const m = role.ready.exec(output);
        if (m) done(m);
      });
      child.once('exit', (code) => fail(new Error(`${role.name} exited (${code}) before it was ready:\n${output}`)));
    });
    if (role.sends && leftover > 0) {
      await mailsArrive(leftover, atSpawn, role.name);
      leftover = 0;
    }
    await quiet();
    if (match[1]) {
      const response = await fetch(`${match[1]}/healthz`);
      if (response.status !== 200) throw new Error(`${role.name}: /healthz answered ${response.status}`);
      await response.arrayBuffer();
      await work(match[1], token, role);
      await quiet();
    }
    const readings: { second: number; total: number; children: number }[] = [];
    const started = Date.now();
    for (let second = 1; second <= IDLE_SECONDS; second++) {
      await sleep(Math.max(0, started + second * 1000 - Date.now()));
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`${role.name} exited while idle (${child.exitCode ?? child.signalCode}):\n${output}`);
      const children = childrenOf(child.pid!).reduce((sum, pid) => sum + rssMb(pid), 0);
      readings.push({ second, total: rssMb(child.pid!) + children, children });
    }
    const largest = (from: number, to: number) =>
      readings.filter((r) => r.second >= from && r.second <= to).reduce((a, b) => (b.total > a.total ? b : a));
    const last = largest(IDLE_SECONDS - 4, IDLE_SECONDS);
    const over = readings.filter((r) => r.total > TARGET_MB).at(-1);
    return {
      at10: largest(9, 11).total,
      settled: last.total,
      children: last.children,
      underTargetFrom: !over ? 1 : over.second < IDLE_SECONDS ? over.second + 1 : null,
    };
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(10_000).then(() => child.kill('SIGKILL'))]);
    }
  }
}

/** A busy spell: messages posted to a demo ticket, the ticket list read after each, then (a dispatcher) their mails sent. */
async function work(base: string, token: string, role: Role): Promise<void> {
  const before = received;
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  for (let i = 0; i < WORK_MESSAGES; i++) {
    const posted = await fetch(`${base}/api/v1/tickets/1/messages`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        text: `Message ${i} of the bench's busy spell: checked the logs, restarting the service.`,
      }),
    });
    if (posted.status !== 201) throw new Error(`${role.name}: posting a message answered ${posted.status}`);
    await posted.arrayBuffer();
    if (!role.sends) leftover++;
    const list = await fetch(`${base}/api/v1/tickets?limit=20`, { headers });
    if (list.status !== 200) throw new Error(`${role.name}: the ticket list answered ${list.status}`);
    await list.arrayBuffer();
  }
  // Each message notifies the demo ticket's requester: one mail per message.
  if (role.sends) await mailsArrive(WORK_MESSAGES, before, role.name);
}

/** Runs `parley <args>` to its end; its standard output. */
async function parley(args: string[], env: Record<string, string>): Promise<string> {
  const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env } });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const code = await new Promise((done) => child.once('exit', done));
  if (code !== 0) throw new Error(`parley ${args.join(' ')} exited ${String(code)}:\n${out}${err}`);
  return out;
}

async function adminQuery(text: string) {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** The demo's SMTP account points here: a real SMTP server that counts and drops what it receives. */
async function startSink(): Promise<SMTPServer> {
  const sink = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth: (_auth, _session, callback) => callback(null, { user: 'bench' }),
    onData: (stream, _session, callback) => {
      stream.on('data', () => {});
      stream.on('end', () => {
        received++;
        callback();
      });
    },
  });
  await new Promise<void>((done, fail) => {
    sink.once('error', (error: NodeJS.ErrnoException) =>
      fail(
        error.code === 'EADDRINUSE'
          ? new Error(`127.0.0.1:${SINK_PORT} is taken (a Parley with its mail catcher?): stop it and run again`)
          : error,
      ),
    );
    sink.listen(SINK_PORT, '127.0.0.1', () => done());
  });
  return sink;
}

const rows: string[][] = [];
let failed = false;
const sink = await startSink();
for (const database of DATABASES) {
  leftover = 0;
  const dir = mkdtempSync(join(os.tmpdir(), 'parley-memory-'));
  const env: Record<string, string> = {
    PARLEY_DATA_DIR: dir,
    PARLEY_SECRET_KEY: 'bench-memory-secret-key-0123456789abcdef',
    PARLEY_MAIL_CATCHER: 'off',
  };
  const pgName = `parley_bench_${randomBytes(4).toString('hex')}`;
  if (database === 'postgres') {
    await adminQuery(`create database ${pgName}`);
    const url = new URL(POSTGRES_ADMIN_URL);
    url.pathname = `/${pgName}`;
    env.PARLEY_DATABASE_URL = url.toString();
  } else if (database !== 'sqlite') throw new Error(`BENCH_DATABASES: unknown database "${database}"`);
  try {
    await parley(['migrate'], env);
    await parley(['seed', '--demo'], env);
    const token = (await parley(['token', 'create', '--email', 'tech@parley.test'], env)).trim().split('\n').at(-1)!;
    for (const role of ROLES.filter((r) => ONLY === null || ONLY.includes(r.name))) {
      try {
        const r = await run(role, env, token);
        const judged = role.name.startsWith('serve + dispatcher') || role.name === 'serve, inline dispatcher';
        rows.push([
          database,
          role.name,
          r.at10.toFixed(1),
          r.settled.toFixed(1) +
            (r.children ? ` (${(r.settled - r.children).toFixed(1)} + ${r.children.toFixed(1)})` : ''),
          judged ? (r.underTargetFrom === null ? 'never' : `${r.underTargetFrom} s`) : '',
          judged ? (r.settled <= TARGET_MB ? `≤ ${TARGET_MB}: met` : `> ${TARGET_MB}: MISSED`) : '',
        ]);
      } catch (error) {
        failed = true;
        rows.push([database, role.name, 'ERROR', (error as Error).message.split('\n')[0]!, '', '']);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    if (database === 'postgres') await adminQuery(`drop database if exists ${pgName} with (force)`);
  }
}
await new Promise<void>((done) => sink.close(() => done()));

const header = [
  'database',
  'role',
  'MB at 10 s idle',
  'MB settled (process + child)',
  `≤ ${TARGET_MB} MB from`,
  'target (settled)',
];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
console.log(
  `RSS after ${WORK_MESSAGES} messages posted and mailed, then ${IDLE_SECONDS} s idle (read every second; settled: largest of the last 5); Node ${process.version}` +
    (process.env.BENCH_NODE_OPTIONS ? `; NODE_OPTIONS=${process.env.BENCH_NODE_OPTIONS}` : '') +
    (RUNS_COMPILED
      ? '; the roles ran the compiled build (dist/)'
      : '; the roles ran the TypeScript sources through tsx (dist/ missing or older than the sources): about 45 MB ' +
        'more per process than a production install; run `npm run build:server` first'),
);
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const row of rows) console.log(line(row));
process.exitCode = failed ? 1 : 0;
