/**
 * Idle memory of each role: `npm run bench:memory` (= node --import tsx bench/idle-memory.ts).
 *
 * Each role runs as a real process (`node bin/parley.js <role>`, production settings: NODE_ENV=production, the
 * mail catcher off) on a fresh, migrated database of each kind: a SQLite file in a new temp folder, and a new
 * PostgreSQL database `parley_bench_<random>` (dropped at the end). Roles: `serve` with its dispatcher in a
 * worker thread (PARLEY_DISPATCHER=thread, the default), in a child process (child), on its HTTP thread (inline),
 * `serve` without (PARLEY_DISPATCHER=off), `dispatch`, `ingest` (SMTP
 * receiver on 127.0.0.1, any port). Once the role says it is ready, one GET /healthz for `serve`, then
 * BENCH_IDLE_SECONDS (10) of nothing; then VmRSS is read from /proc every 500 ms for 3 s and the largest reading
 * kept, for the process and each of its children (serve's dispatcher). Target: `serve` with its dispatcher (both
 * processes together with a child) at most 150 MB.
 *
 * Environment: BENCH_IDLE_SECONDS (10), BENCH_DATABASES ("sqlite,postgres"), BENCH_POSTGRES_URL
 * (postgres://postgres@127.0.0.1:5432/postgres), BENCH_NODE_OPTIONS (NODE_OPTIONS for the roles, e.g.
 * --max-semi-space-size=1, to measure a V8 setting). Exit 1 when a role fails to start; missing the target is reported.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { intEnv } from './settings.ts';

const IDLE_SECONDS = intEnv('BENCH_IDLE_SECONDS', 10, 0, 600);
const DATABASES = (process.env.BENCH_DATABASES || 'sqlite,postgres').split(',').map((s) => s.trim());
const POSTGRES_ADMIN_URL = process.env.BENCH_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const BIN = resolve(import.meta.dirname, '../bin/parley.js');
const TARGET_MB = 150;

interface Role {
  name: string;
  args: string[];
  env: Record<string, string>;
  ready: RegExp;
}

const ROLES: Role[] = [
  {
    name: 'serve + dispatcher thread',
    args: ['serve'],
    env: { PARLEY_DISPATCHER: 'thread' },
    ready: /listening on (\S+) /,
  },
  {
    name: 'serve + dispatcher child',
    args: ['serve'],
    env: { PARLEY_DISPATCHER: 'child' },
    ready: /listening on (\S+) /,
  },
  {
    name: 'serve, inline dispatcher',
    args: ['serve'],
    env: { PARLEY_DISPATCHER: 'inline' },
    ready: /listening on (\S+) /,
  },
  { name: 'serve, no dispatcher', args: ['serve'], env: { PARLEY_DISPATCHER: 'off' }, ready: /listening on (\S+) / },
  { name: 'dispatch', args: ['dispatch'], env: {}, ready: /Dispatching the outbox/ },
  { name: 'ingest', args: ['ingest', '--listen', '127.0.0.1:0'], env: {}, ready: /Receiving reply mail/ },
];

/** VmRSS of a process, in MB (0 once it is gone). */
function rssMb(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

async function run(role: Role, env: Record<string, string>): Promise<{ own: number; children: number }> {
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
    if (match[1]) {
      const response = await fetch(`${match[1]}/healthz`);
      if (response.status !== 200) throw new Error(`${role.name}: /healthz answered ${response.status}`);
    }
    await sleep(IDLE_SECONDS * 1000);
    let own = 0;
    let children = 0;
    for (let i = 0; i < 7; i++) {
      own = Math.max(own, rssMb(child.pid!));
      children = Math.max(
        children,
        childrenOf(child.pid!).reduce((sum, pid) => sum + rssMb(pid), 0),
      );
      await sleep(500);
    }
    return { own, children };
  } finally {
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(10_000).then(() => child.kill('SIGKILL'))]);
  }
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

async function migrate(env: Record<string, string>) {
  const child = spawn(process.execPath, [BIN, 'migrate'], { env: { PATH: process.env.PATH ?? '', ...env } });
  const code = await new Promise((done) => child.once('exit', done));
  if (code !== 0) throw new Error(`parley migrate exited ${String(code)}`);
}

const rows: string[][] = [];
let failed = false;
for (const database of DATABASES) {
  const dir = mkdtempSync(join(os.tmpdir(), 'parley-memory-'));
  const env: Record<string, string> = {
    PARLEY_DATA_DIR: dir,
    PARLEY_SECRET_KEY: 'bench-memory-secret-key-0123456789abcdef',
  };
  const pgName = `parley_bench_${randomBytes(4).toString('hex')}`;
  if (database === 'postgres') {
    await adminQuery(`create database ${pgName}`);
    const url = new URL(POSTGRES_ADMIN_URL);
    url.pathname = `/${pgName}`;
    env.PARLEY_DATABASE_URL = url.toString();
  } else if (database !== 'sqlite') throw new Error(`BENCH_DATABASES: unknown database "${database}"`);
  try {
    await migrate(env);
    for (const role of ROLES) {
      try {
        const { own, children } = await run(role, env);
        const total = own + children;
        const verdict =
          role.name.startsWith('serve + dispatcher') || role.name === 'serve, inline dispatcher'
            ? total <= TARGET_MB
              ? `≤ ${TARGET_MB}: met`
              : `> ${TARGET_MB}: MISSED`
            : '';
        rows.push([
          database,
          role.name,
          own.toFixed(1),
          children ? children.toFixed(1) : '-',
          total.toFixed(1),
          verdict,
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

const header = ['database', 'role', 'process MB', 'children MB', 'total MB', `target (serve + dispatcher)`];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
console.log(
  `Idle RSS after ${IDLE_SECONDS} s idle (largest of 7 readings, 500 ms apart); Node ${process.version}` +
    (process.env.BENCH_NODE_OPTIONS ? `; NODE_OPTIONS=${process.env.BENCH_NODE_OPTIONS}` : ''),
);
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const row of rows) console.log(line(row));
process.exitCode = failed ? 1 : 0;
