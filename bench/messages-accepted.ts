/**
 * `npm run bench`: messages accepted per second through the HTTP API, beside the limit measured in the same run.
 *
 * For each database kind (SQLite file in WAL mode, PostgreSQL), on a fresh migrated and seeded database:
 *   - Parley: `POST /api/v1/tickets/{number}/messages` with a technician's Bearer API token, answered 201 with one
 *     outbox entry rendered and queued in the same transaction (the full production stack: Fastify app from
 *     buildApp, auth, validation, domain, SqlStorage opened through createParley / openStorage);
 *   - the limit: a bare Fastify route (no auth, no validation, no domain) doing the same write transaction with raw
 *     Kysely on the same Kysely instance (same driver, pool and pragmas): insert a ticket_message row, update
 *     ticket.last_activity_at and public_activity_at, insert an outbox_entry row with a pre-rendered subject/html/text (the row Parley wrote
 *     for the fourth of four preflight messages on one ticket, whose mail carries the three before it as every mail of
 *     a conversation under way does, copied with the ids, addresses, Message-ID and timestamps replaced).
 * Both servers listen in this process on 127.0.0.1, port 0; autocannon drives them from a worker thread, the limit
 * and Parley back to back on the same database (order alternates when BENCH_ROUNDS > 1), each after a warm-up.
 *
 * Environment: BENCH_SECONDS (10), BENCH_CONNECTIONS (16), BENCH_WARMUP_SECONDS (2), BENCH_ROUNDS (1),
 * BENCH_TICKETS (50), BENCH_DATABASES ("sqlite,postgres"), BENCH_POSTGRES_URL (postgres://postgres@127.0.0.1:5432/postgres).
 * Exit code 0 when every request was answered 2xx and the database holds exactly one outbox entry per message;
 * 1 otherwise. Missing the 0.5 target is reported, not an error.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import Fastify, { type FastifyInstance } from 'fastify';
import { sql, type Kysely, type Selectable } from 'kysely';
import pg from 'pg';
import type { Database } from '../src/adapters/storage/sql/schema.ts';
import { loadConfig, type Config } from '../src/config/config.ts';
import { buildApp } from '../src/delivery/http/build-app.ts';
import { createParley, type Parley } from '../src/main.ts';
import { buildWorld, fastHasher } from '../test/support/fixtures.ts';
import { seedTickets } from './seed-tickets.ts';
import { intEnv } from './settings.ts';

// ---- settings

const SECONDS = intEnv('BENCH_SECONDS', 10, 1, 3600);
const CONNECTIONS = intEnv('BENCH_CONNECTIONS', 16, 1, 1024);
const WARMUP_SECONDS = intEnv('BENCH_WARMUP_SECONDS', 2, 0, 600);
const ROUNDS = intEnv('BENCH_ROUNDS', 1, 1, 20);
const TICKETS = intEnv('BENCH_TICKETS', 50, 1, 10_000);
const POSTGRES_ADMIN_URL = process.env.BENCH_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const DATABASES = (process.env.BENCH_DATABASES || 'sqlite,postgres')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
for (const d of DATABASES)
  if (d !== 'sqlite' && d !== 'postgres')
    throw new Error(`BENCH_DATABASES: unknown database "${d}" (sqlite, postgres).`);
const TARGET_RATIO = 0.5;

/** A technician's reply of ordinary length, two paragraphs. */
const MESSAGE_TEXT =
  'Hello, thanks for the details. I have reset the print spooler on the 3rd floor printer and cleared the paper path; ' +
  'the jam sensor was dirty, so I cleaned it too.\n\nCould you print a test page and tell me whether the problem is gone? ' +
  'If it comes back, please note the time and the document you were printing.';
const BODY = JSON.stringify({ text: MESSAGE_TEXT });

// ---- output

const log = (line: string) => process.stdout.write(`${line}\n`);

// ---- load generation (autocannon in a worker thread)

interface Histogram {
  average: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

interface LoadResult {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
  statusCodeStats: Record<string, { count: number }>;
  latency: Histogram;
  requests: Histogram & { sent: number };
}

interface LoadOptions {
  url: string;
  paths: string[];
  headers: Record<string, string>;
  body: string;
  connections: number;
  duration: number;
}

function runLoad(options: LoadOptions): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./load-worker.mjs', import.meta.url), {
      workerData: { ...options, timeout: 10 },
      execArgv: [],
    });
    let result: LoadResult | undefined;
    worker.on('message', (m: { type: string; result?: LoadResult }) => {
      if (m.type === 'result') result = m.result;
    });
    worker.once('error', reject);
    worker.once('exit', (code) =>
      result && code === 0 ? resolve(result) : reject(new Error(`load worker exited with code ${code} and no result`)),
    );
  });
}

// ---- cleanup on interruption (a PostgreSQL bench database must not outlive the run)

const cleanups = new Set<() => Promise<void>>();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\nbench: ${signal}, cleaning up…\n`);
    // Dropping the database ends the pool's connections under the running load: those errors no longer matter.
    process.on('uncaughtException', () => {});
    void Promise.allSettled([...cleanups].map((c) => c())).finally(() => process.exit(130));
  });
}

// ---- databases

interface BenchDatabase {
  kind: 'sqlite' | 'postgres';
  url: string;
  /** Where the data lives, for the report. */
  where: string;
  drop(): Promise<void>;
}

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

async function createDatabase(kind: 'sqlite' | 'postgres'): Promise<BenchDatabase> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(os.tmpdir(), 'parley-bench-'));
    const file = join(dir, 'parley.db');
    return {
      kind,
      url: `sqlite:${file}`,
      where: file,
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const name = `parley_bench_${randomBytes(6).toString('hex')}`;
  await adminQuery(`create database ${name}`);
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    kind,
    url: url.toString(),
    where: `database ${name} on ${url.host}`,
    drop: () => adminQuery(`drop database if exists ${name} with (force)`),
  };
}

/** The production configuration loader, fed a synthetic environment (never this process's, nor a .env file). */
function configFor(databaseUrl: string, dataDir: string): Readonly<Config> {
  return loadConfig(
    {
      PARLEY_DATABASE_URL: databaseUrl,
      PARLEY_DATA_DIR: dataDir,
      PARLEY_SECRET_KEY: randomBytes(48).toString('base64url'),
      PARLEY_HOST: '127.0.0.1',
      PARLEY_PORT: '0',
      PARLEY_PUBLIC_URL: 'https://desk.example.test',
      PARLEY_MAIL_DOMAIN: 'desk.example.test',
      PARLEY_LOG_LEVEL: 'silent',
      // Nothing is mailed: the outbox only fills up. (Ignored by versions without a dispatcher.)
      PARLEY_DISPATCHER: 'off',
    },
    { readDotEnv: false },
  );
}

// ---- seed: messaging available, a technician answering requesters' tickets

interface Seeded {
  token: string;
  ticketNumbers: number[];
  technicianId: number;
  /** One requester per ticket, for the bare route's outbox row. */
  recipients: Map<number, { id: number; email: string; name: string }>;
}

async function seed(parley: Parley): Promise<Seeded> {
  const deps = parley.deps;
  // Two groups, two technicians, two requesters, parameter 417 set to the en-US default template, SMTP account saved.
  const world = await buildWorld(deps);
  const { requesters, tickets, token } = await seedTickets(deps, world, TICKETS);
  const byId = new Map(requesters.map((r) => [r.id, r]));
  const recipients = new Map(
    tickets.map((t) => {
      const r = byId.get(t.requesterId)!;
      return [t.number, { id: r.id, email: r.email, name: r.name }];
    }),
  );
  return { token, ticketNumbers: tickets.map((t) => t.number), technicianId: world.techA.id, recipients };
}

// ---- the limit: the same write transaction, nothing else

/**
 * The outbox row Parley wrote for its preflight message: subject, html and text already rendered, plus whatever
 * other columns Parley fills (copied as they are, so the limit keeps writing the same row as the schema evolves).
 */
type RenderedRow = Omit<Selectable<Database['outbox_entry']>, 'id'>;

async function buildBareApp(
  db: Kysely<Database>,
  seeded: Seeded,
  mail: RenderedRow,
  mailDomain: string,
): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  const prefix = randomBytes(4).toString('hex');
  let sequence = 0;
  app.post<{ Params: { number: string }; Body: { text: string } }>(
    '/bare/tickets/:number/messages',
    async (request, reply) => {
      const ticketId = Number(request.params.number);
      const recipient = seeded.recipients.get(ticketId)!;
      const at = new Date().toISOString();
      const messageIdHeader = `<bare.${ticketId}.${prefix}.${++sequence}@${mailDomain}>`;
      const id = await db.transaction().execute(async (trx) => {
        const message = await trx
          .insertInto('ticket_message')
          .values({
            ticket_id: ticketId,
            author_id: seeded.technicianId,
            text: request.body.text,
            internal: 0, // booleans are bound as 0/1 on both databases, as Parley does
            send_email: 1,
            source: 'api',
            time_spent_minutes: null,
            time_spent_date: null,
            created_at: at,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        await trx
          .updateTable('ticket')
          .set({ last_activity_at: at, public_activity_at: at })
          .where('id', '=', ticketId)
          .execute();
        await trx
          .insertInto('outbox_entry')
          .values({
            ...mail,
            ticket_id: ticketId,
            message_id: message.id,
            recipient_id: recipient.id,
            to_address: recipient.email,
            to_name: recipient.name,
            message_id_header: messageIdHeader,
            status: 'queued',
            next_attempt_at: at,
            attempts_since: at,
            created_at: at,
            updated_at: at,
          })
          .execute();
        return message.id;
      });
      return reply.code(201).send({ id });
    },
  );
  return app;
}

// ---- measuring

interface Counts {
  messages: number;
  outbox: number;
}

async function counts(db: Kysely<Database>): Promise<Counts> {
  const m = await db
    .selectFrom('ticket_message')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  const o = await db
    .selectFrom('outbox_entry')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  return { messages: Number(m.n), outbox: Number(o.n) };
}

interface Target {
  name: 'parley' | 'limit';
  origin: string;
  paths: string[];
  headers: Record<string, string>;
}

interface Run {
  result: LoadResult;
  accepted: number;
  seconds: number;
}

const problems: string[] = [];

function describeFailures(label: string, r: LoadResult): void {
  const bad = Object.entries(r.statusCodeStats).filter(([code]) => !code.startsWith('2'));
  if (r.non2xx > 0)
    problems.push(`${label}: ${r.non2xx} non-2xx responses (${bad.map(([c, s]) => `${c}×${s.count}`).join(', ')})`);
  if (r.errors > 0) problems.push(`${label}: ${r.errors} request errors (${r.timeouts} timeouts)`);
}

async function measure(label: string, target: Target, db: Kysely<Database>): Promise<Run> {
  const options = {
    url: target.origin,
    paths: target.paths,
    headers: target.headers,
    body: BODY,
    connections: CONNECTIONS,
  };
  const before = await counts(db);
  let answered = 0;
  if (WARMUP_SECONDS > 0) {
    const warm = await runLoad({ ...options, duration: WARMUP_SECONDS });
    describeFailures(`${label} (warm-up)`, warm);
    answered += warm['2xx'];
  }
  const result = await runLoad({ ...options, duration: SECONDS });
  describeFailures(label, result);
  answered += result['2xx'];
  // Requests in flight when autocannon stopped still commit; let them land before counting.
  await sleep(300);
  const after = await counts(db);
  const messages = after.messages - before.messages;
  const outbox = after.outbox - before.outbox;
  if (outbox !== messages)
    problems.push(
      `${label}: ${messages} messages stored but ${outbox} outbox entries (expected exactly one per message)`,
    );
  if (messages < answered || messages > answered + 2 * CONNECTIONS) {
    problems.push(`${label}: ${answered} requests answered 2xx but ${messages} messages stored`);
  }
  const run = { result, accepted: result['2xx'], seconds: result.duration };
  log(
    `  ${label.padEnd(22)} ${fmt(run.accepted / run.seconds, 0).padStart(7)} msgs/s   p50 ${fmt(result.latency.p50, 1)} ms   p99 ${fmt(result.latency.p99, 1)} ms   ` +
      `(${run.accepted} in ${run.seconds} s; ${messages} messages and ${outbox} outbox entries written incl. warm-up)`,
  );
  return run;
}

function fmt(n: number, digits: number): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

interface Summary {
  kind: string;
  parley: Run[];
  limit: Run[];
}

const rate = (runs: Run[]) => runs.reduce((a, r) => a + r.accepted, 0) / runs.reduce((a, r) => a + r.seconds, 0);
const worstP99 = (runs: Run[]) => Math.max(...runs.map((r) => r.result.latency.p99));

async function preflight(
  origin: string,
  path: string,
  headers: Record<string, string>,
  expectNotifications: boolean,
): Promise<void> {
  const response = await fetch(`${origin}${path}`, { method: 'POST', headers, body: BODY });
  const text = await response.text();
  if (response.status !== 201) throw new Error(`preflight POST ${path}: expected 201, got ${response.status} ${text}`);
  if (expectNotifications) {
    const body = JSON.parse(text) as { notifications?: unknown[] };
    if (body.notifications?.length !== 1)
      throw new Error(`preflight POST ${path}: expected exactly one notification, got ${text}`);
  }
  return undefined;
}

async function benchDatabase(kind: 'sqlite' | 'postgres'): Promise<Summary> {
  const database = await createDatabase(kind);
  const dataDir = mkdtempSync(join(os.tmpdir(), 'parley-bench-data-'));
  const cleanup = async () => {
    rmSync(dataDir, { recursive: true, force: true });
    await database.drop();
  };
  cleanups.add(cleanup);
  let parley: Parley | undefined;
  const apps: FastifyInstance[] = [];
  try {
    // The production composition root and storage (openStorage: WAL on SQLite, a pool of 10 on PostgreSQL).
    parley = createParley(configFor(database.url, dataDir), { hasher: fastHasher });
    await parley.storage.migrate();
    const seeded = await seed(parley);
    const db = parley.storage.kyselyInstance;

    // No logger: request logging is not part of what is measured (it is off unless a logger is passed).
    const app = await buildApp(parley.deps, { processMetrics: true });
    apps.push(app);
    const parleyOrigin = await app.listen({ host: '127.0.0.1', port: 0 });
    const parleyHeaders = { authorization: `Bearer ${seeded.token}`, 'content-type': 'application/json' };
    const first = seeded.ticketNumbers[0]!;
    // Four messages on one ticket: the fourth's mail carries the three before it (${HISTORY}, parameter 9035's
    // default), as every mail does once a conversation has started, so the limit writes a row as large as Parley's.
    for (let k = 0; k < 4; k++) await preflight(parleyOrigin, `/api/v1/tickets/${first}/messages`, parleyHeaders, true);

    // What Parley rendered for the last of them is the limit's pre-rendered mail.
    const { id: _id, ...rendered } = await db
      .selectFrom('outbox_entry')
      .selectAll()
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
    const bare = await buildBareApp(db, seeded, rendered, parley.deps.site.mailDomain);
    apps.push(bare);
    const bareOrigin = await bare.listen({ host: '127.0.0.1', port: 0 });
    const bareHeaders = { 'content-type': 'application/json' };
    await preflight(bareOrigin, `/bare/tickets/${first}/messages`, bareHeaders, false);

    const targets: Target[] = [
      {
        name: 'limit',
        origin: bareOrigin,
        paths: seeded.ticketNumbers.map((n) => `/bare/tickets/${n}/messages`),
        headers: bareHeaders,
      },
      {
        name: 'parley',
        origin: parleyOrigin,
        paths: seeded.ticketNumbers.map((n) => `/api/v1/tickets/${n}/messages`),
        headers: parleyHeaders,
      },
    ];
    log(
      `\n${kind}: ${database.where}; ${seeded.ticketNumbers.length} tickets; ${CONNECTIONS} connections; ${WARMUP_SECONDS} s warm-up + ${SECONDS} s measured each`,
    );
    const summary: Summary = { kind, parley: [], limit: [] };
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? targets : [...targets].reverse();
      for (const target of order) {
        const label = `${target.name === 'parley' ? 'Parley' : 'bare limit'}${ROUNDS > 1 ? ` (round ${round + 1})` : ''}`;
        summary[target.name].push(await measure(`${label}`, target, db));
      }
    }
    if (kind === 'postgres') {
      const { rows } = await sql<{
        n: number;
      }>`select count(*)::int as n from pg_stat_activity where datname = current_database()`.execute(db);
      log(`  (PostgreSQL backends on the bench database at the end: ${rows[0]?.n})`);
    }
    return summary;
  } finally {
    for (const app of apps) await app.close();
    await parley?.close();
    cleanups.delete(cleanup);
    await cleanup();
  }
}

function table(summaries: Summary[]): string {
  const header = [
    'database',
    'Parley msgs/s',
    'bare limit msgs/s',
    'Parley/limit',
    'Parley p99 ms',
    'limit p99 ms',
    `target ≥ ${TARGET_RATIO}`,
  ];
  const rows = summaries.map((s) => {
    const p = rate(s.parley);
    const l = rate(s.limit);
    return [
      s.kind,
      fmt(p, 0),
      fmt(l, 0),
      fmt(p / l, 2),
      fmt(worstP99(s.parley), 1),
      fmt(worstP99(s.limit), 1),
      p / l >= TARGET_RATIO ? 'met' : 'NOT met',
    ];
  });
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
  log(
    `Parley benchmark: messages accepted per second (POST /api/v1/tickets/{number}/messages, 201 + one outbox entry)`,
  );
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
    `settings: BENCH_SECONDS=${SECONDS} BENCH_CONNECTIONS=${CONNECTIONS} BENCH_WARMUP_SECONDS=${WARMUP_SECONDS} BENCH_ROUNDS=${ROUNDS} BENCH_TICKETS=${TICKETS} BENCH_DATABASES=${DATABASES.join(',')}`,
  );
  const summaries: Summary[] = [];
  for (const kind of DATABASES as ('sqlite' | 'postgres')[]) summaries.push(await benchDatabase(kind));
  log(
    `\nload average at end: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  log(
    `\nMessages accepted per second (${SECONDS} s × ${ROUNDS} round(s) each, ${CONNECTIONS} connections; p99 = worst round):\n`,
  );
  log(table(summaries));
  if (problems.length > 0) {
    log(`\nERRORS:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    return 1;
  }
  log('\nEvery request was answered 2xx; every stored message has exactly one queued outbox entry.');
  return 0;
}

// A hard stop in case something hangs: generous, and never keeps the process alive by itself.
const budgetMs = (DATABASES.length * ROUNDS * 2 * (SECONDS + WARMUP_SECONDS + 15) + 180) * 1000;
setTimeout(() => {
  process.stderr.write(`bench: still running after ${Math.round(budgetMs / 1000)} s, giving up.\n`);
  process.exit(2);
}, budgetMs).unref();

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
