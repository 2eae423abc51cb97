/**
 * Several instances, end to end: messages posted over HTTP until every notification is accepted (250) by a real SMTP
 * server. Run: `npm run bench:fleet` (= node --import tsx bench/several-instances.ts).
 *
 * Two set-ups, in the same run, each on a fresh PostgreSQL database against the same SMTP sink:
 *   - single: one `parley serve` (with its dispatcher, in a thread by default), posted to directly;
 *   - fleet: two `parley serve` (each with its dispatcher thread: one leads, the other stands by) behind nginx,
 *     configured by deploy/nginx/parley.conf exactly as the test of several instances runs it (test/support/nginx.ts),
 *     posted to through nginx.
 * Seeded through the domain as `bench/end-to-end.ts` is: the world of the fixtures, ten requesters, BENCH_TICKETS
 * tickets of group A, an API token for its technician; every message is that technician's reply on a requester's
 * ticket, one notification each.
 *
 * Per set-up and round: BENCH_WARMUP_MESSAGES per instance posted and delivered (not measured: each instance compiles
 * its hot code on its own, so two instances need twice the warm-up to be as warm as one), then BENCH_MESSAGES, measured
 * from the first request to the 250 of the last distinct Message-ID: mails/s, and the HTTP p99 of autocannon
 * (`bench/load-worker.mjs`), each of its connections posting again as soon as answered: the p99 of a machine kept
 * busy. Then BENCH_RATE_SECONDS of posts at an offered load of BENCH_RATE a second (`bench/open-loop-worker.mjs`):
 * arrivals at random times, the same ones for both set-ups, each latency counted from when the request was due; their
 * p50 and p99 over every round's requests together. Ratios fleet ÷ single (mails/s) and single ÷ fleet (each p99)
 * against the limit 0.85: the proxy and the second instance may cost at most 15 %. Exit 1 when an answer is not 2xx
 * or a mail is missing; 2 when the watchdog fires. Missing the limit is reported, not an error. Each phase also prints
 * where the CPU went, in ms per message (`fleet/cpu.ts`: the instances' HTTP threads and their other threads, nginx,
 * PostgreSQL, the benchmark itself) and how long each waited for a core, and what PostgreSQL's busy backends were
 * waiting for (`fleet/waits.ts`).
 *
 * Environment: BENCH_MESSAGES (3000), BENCH_WARMUP_MESSAGES (2000 per instance), BENCH_CONNECTIONS (16),
 * BENCH_TICKETS (50), BENCH_RATE (200), BENCH_RATE_SECONDS (20), BENCH_ROUNDS (1; the order alternates),
 * BENCH_DELIVERY_SECONDS (60), BENCH_FLEET_INSTANCES (2; 1 measures the proxy's hop alone), BENCH_STATEMENTS (1:
 * each phase's statements per message, from pg_stat_statements when the server loads it: `fleet/statements.ts`),
 * PARLEY_DISPATCHER_NICE (passed to every instance when set), BENCH_POOL_SIZE (PARLEY_DATABASE_POOL_SIZE of every
 * instance, both set-ups), PARLEY_TEST_POSTGRES_URL (the server where the
 * databases are created and dropped, as in the tests).
 */
import { CLI_ORIGIN } from '../src/domain/audit/audit-entry.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config/config.ts';
import { saveSmtpAccount } from '../src/domain/parameters/save-smtp-account.ts';
import { createParley } from '../src/main.ts';
import { createPostgresDatabase } from '../test/support/databases.ts';
import { buildWorld, fastHasher } from '../test/support/fixtures.ts';
import { startNginx, type Nginx } from '../test/support/nginx.ts';
import { startParley, stopAll, type ParleyProcess } from '../test/support/parley-processes.ts';
import { cpuMeter } from './fleet/cpu.ts';
import { sampleWaits } from './fleet/waits.ts';
import { readStatements } from './fleet/statements.ts';
import { FleetSink } from './fleet/sink.ts';
import { seedTickets } from './seed-tickets.ts';
import { intEnv } from './settings.ts';
import { compiledIsCurrent } from '../bin/compiled.js';

const MESSAGES = intEnv('BENCH_MESSAGES', 3000, 1, 100_000);
const WARMUP = intEnv('BENCH_WARMUP_MESSAGES', 2000, 0, 100_000);
const CONNECTIONS = intEnv('BENCH_CONNECTIONS', 16, 1, 1024);
const TICKETS = intEnv('BENCH_TICKETS', 50, 1, 10_000);
const ROUNDS = intEnv('BENCH_ROUNDS', 1, 1, 10);
const DELIVERY_SECONDS = intEnv('BENCH_DELIVERY_SECONDS', 60, 1, 3600);
const RATE = intEnv('BENCH_RATE', 200, 1, 10_000);
const RATE_SECONDS = intEnv('BENCH_RATE_SECONDS', 20, 1, 600);
const FLEET_SIZE = intEnv('BENCH_FLEET_INSTANCES', 2, 1, 4);
const STATEMENTS = process.env.BENCH_STATEMENTS === '1';
const LIMIT = 0.85;
const WATCHDOG_SECONDS =
  ROUNDS * 2 * (180 + Math.ceil((MESSAGES + 2 * WARMUP) / 20) + RATE_SECONDS * 2 + 3 * DELIVERY_SECONDS);
const SECRET_KEY = 'bench-secret-key-that-is-long-enough-for-parley';
const BODY = JSON.stringify({
  text:
    'Hello, thanks for the details. I have reset the print spooler on the 3rd floor printer and cleared the paper ' +
    'path; the jam sensor was dirty, so I cleaned it too.\n\nCould you print a test page and tell me whether the ' +
    'problem is gone? If it comes back, please note the time and the document you were printing.',
});

type SetUp = 'single' | 'fleet';
interface Measured {
  setUp: SetUp;
  mailsPerSecond: number;
  p99: number;
  /** Every request's latency at the offered load of BENCH_RATE a second, in ms. */
  atRate: number[];
}
interface LoadResult {
  non2xx: number;
  errors: number;
  '2xx': number;
  /** autocannon's (the closed load). */
  latency?: { p99: number };
  /** The open load's, per request: its latency, and how late its sender sent it, in ms. */
  latencies?: number[];
  lateness?: number[];
}

const log = (line: string) => process.stdout.write(`${line}\n`);
/** The nearest-rank percentile of `values` (ms), to a tenth of a millisecond. */
function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! * 10) / 10;
}
const problems: string[] = [];

/** autocannon (`load-worker.mjs`) as fast as answered; or, with `rate`, arrivals at random times (`open-loop-worker.mjs`). */
function runLoad(
  url: string,
  paths: string[],
  token: string,
  amount: number,
  rate?: { perSecond: number; seed: number },
) {
  return new Promise<{ startNs: bigint; result: LoadResult }>((resolve, reject) => {
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const worker = rate
      ? new Worker(fileURLToPath(new URL('./open-loop-worker.mjs', import.meta.url)), {
          workerData: { url, paths, headers, body: BODY, rate: rate.perSecond, amount, seed: rate.seed, timeout: 30 },
          execArgv: [],
        })
      : new Worker(fileURLToPath(new URL('./load-worker.mjs', import.meta.url)), {
          workerData: {
            url,
            paths,
            headers,
            body: BODY,
            connections: Math.min(CONNECTIONS, amount),
            amount,
            timeout: 30,
          },
          execArgv: [],
        });
    let startNs = 0n;
    let result: LoadResult | undefined;
    worker.on('message', (m: { type: string; atNs?: string; result?: LoadResult }) => {
      if (m.type === 'start') startNs = BigInt(m.atNs!);
      else if (m.type === 'result') result = m.result;
    });
    worker.once('error', reject);
    worker.once('exit', () => (result ? resolve({ startNs, result }) : reject(new Error('load worker: no result'))));
  });
}

/** A fresh database seeded through the domain, its SMTP account at the sink; resolves with the token and paths. */
async function seed(url: string, dataDir: string, sinkPort: number) {
  const config = loadConfig(
    {
      PARLEY_DATABASE_URL: url,
      PARLEY_DATA_DIR: dataDir,
      PARLEY_SECRET_KEY: SECRET_KEY,
      PARLEY_LOG_LEVEL: 'warn',
      PARLEY_MAIL_CATCHER: 'off',
    },
    { readDotEnv: false },
  );
  const parley = createParley(config, { hasher: fastHasher });
  try {
    await parley.storage.migrate();
    const world = await buildWorld(parley.deps);
    await saveSmtpAccount(parley.deps, CLI_ORIGIN, world.admin, {
      host: '127.0.0.1',
      port: sinkPort,
      security: 'none',
      auth: false,
      from: 'desk@example.test',
      fromName: 'Service Desk',
    });
    const { tickets, token } = await seedTickets(parley.deps, world, TICKETS);
    return { token, paths: tickets.map((t) => `/api/v1/tickets/${t.number}/messages`) };
  } finally {
    await parley.close();
  }
}

async function measure(setUp: SetUp, sink: FleetSink, round: number): Promise<Measured | undefined> {
  const db = await createPostgresDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-bench-fleet-'));
  const processes: ParleyProcess[] = [];
  let nginx: Nginx | undefined;
  try {
    const { token, paths } = await seed(db.url, dataDir, sink.port);
    const env = {
      PARLEY_DATABASE_URL: db.url,
      PARLEY_DATA_DIR: dataDir,
      PARLEY_SECRET_KEY: SECRET_KEY,
      PARLEY_PUBLIC_URL: 'https://desk.example.test',
      PARLEY_PORT: '0',
      PARLEY_TRUSTED_PROXIES: '127.0.0.1',
      // Passed on when set, to compare with another setting (0: the dispatcher thread as high as HTTP).
      ...(process.env.PARLEY_DISPATCHER_NICE ? { PARLEY_DISPATCHER_NICE: process.env.PARLEY_DISPATCHER_NICE } : {}),
      ...(process.env.BENCH_POOL_SIZE ? { PARLEY_DATABASE_POOL_SIZE: process.env.BENCH_POOL_SIZE } : {}),
    };
    const count = setUp === 'single' ? 1 : FLEET_SIZE;
    for (let i = 1; i <= count; i++) processes.push(await startParley(`serve ${i}`, ['serve'], env));
    const urls = processes.map((p) => p.ready[1]!);
    if (setUp === 'fleet') nginx = await startNginx(urls.map((u) => new URL(u).host));
    const url = nginx?.url ?? urls[0]!;
    const label = `${setUp} (round ${round})`;
    const cpu = { serve: processes.map((p) => p.child.pid!), nginx: nginx?.pid };
    const phase = async (amount: number, rate?: { perSecond: number; seed: number }) => {
      const meter = cpuMeter(cpu);
      const waits = await sampleWaits(db.url);
      const statements = STATEMENTS ? await readStatements(db.url) : undefined;
      const reached = sink.expect(amount, (DELIVERY_SECONDS + Math.ceil(amount / 10)) * 1000);
      let waited = '';
      const { load, lastNs } = await (async () => {
        try {
          const load = await runLoad(url, paths, token, amount, rate);
          return { load, lastNs: await reached };
        } finally {
          waited = await waits.stop(amount);
          if (statements) waited += `\n      ${await statements.stop(amount)}`;
        }
      })();
      if (load.result.non2xx > 0 || load.result.errors > 0 || load.result['2xx'] !== amount)
        problems.push(`${label}: ${load.result['2xx']} of ${amount} answered 2xx (${load.result.errors} errors)`);
      const { distinct, duplicates } = sink.counts();
      if (lastNs === null) problems.push(`${label}: ${distinct} of ${amount} mails arrived`);
      if (duplicates > 0) problems.push(`${label}: ${duplicates} mails arrived twice`);
      return { load, lastNs, cpu: meter.perMessage(amount), waited };
    };
    if (WARMUP > 0) await phase(WARMUP * count);
    const { load, lastNs, cpu: cpu1, waited: waited1 } = await phase(MESSAGES);
    if (lastNs === null) return undefined;
    const seconds = Number(lastNs - load.startNs) / 1e9;
    const offered = await phase(RATE * RATE_SECONDS, { perSecond: RATE, seed: round });
    if (offered.lastNs === null) return undefined;
    const measured = {
      setUp,
      mailsPerSecond: MESSAGES / seconds,
      p99: load.result.latency!.p99, // autocannon's: without a rate, the load is its
      atRate: offered.load.result.latencies ?? [],
    };
    log(
      `  ${label}: ${measured.mailsPerSecond.toFixed(0)} mails/s, HTTP p99 ${measured.p99} ms; at ${RATE}/s, HTTP p50 ${percentile(measured.atRate, 50)} ms, p99 ${percentile(measured.atRate, 99)} ms (sent late: p99 ${percentile(offered.load.result.lateness ?? [], 99)} ms)`,
    );
    log(`    kept busy: ${cpu1}`);
    log(`      ${waited1}`);
    log(`    at ${RATE}/s: ${offered.cpu}`);
    log(`      ${offered.waited}`);
    return measured;
  } finally {
    await nginx?.stop();
    await stopAll(processes);
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  const watchdog = setTimeout(() => {
    log(`Watchdog: the run took more than ${WATCHDOG_SECONDS} s.`);
    process.exit(2);
  }, WATCHDOG_SECONDS * 1000);
  const sink = new FleetSink();
  await sink.start();
  const load = () =>
    loadavg()
      .map((l) => l.toFixed(1))
      .join(' ');
  log(
    `Several instances: ${MESSAGES} messages per set-up and round (${WARMUP} warm-up per instance), ${CONNECTIONS} connections`,
  );
  log(`load average at the start: ${load()}`);
  log(
    compiledIsCurrent({}) // the processes' environment names no PARLEY_RUN_FROM
      ? 'the processes run the compiled build (dist/)'
      : 'the processes run the TypeScript sources through tsx (dist/ missing or older than the sources): run `npm run build:server` first to measure what production runs',
  );
  const results: Measured[] = [];
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      const order: SetUp[] = round % 2 ? ['single', 'fleet'] : ['fleet', 'single'];
      for (const setUp of order) {
        const m = await measure(setUp, sink, round);
        if (m) results.push(m);
      }
    }
  } finally {
    clearTimeout(watchdog);
    await sink.close();
  }
  log(`load average at the end: ${load()}`);
  const of = (setUp: SetUp) => results.filter((r) => r.setUp === setUp);
  const rate = (rs: Measured[]) => rs.length / rs.reduce((sum, r) => sum + 1 / r.mailsPerSecond, 0); // total mails ÷ total time
  const p99 = (rs: Measured[]) => Math.max(...rs.map((r) => r.p99));
  // Over every round's requests together: a round's p99 rests on its slowest 1 % alone (40 of 4,000 at the defaults).
  const atRate = (rs: Measured[], p: number) =>
    percentile(
      rs.flatMap((r) => r.atRate),
      p,
    );
  const p99AtRate = (rs: Measured[]) => atRate(rs, 99);
  const [single, fleet] = [of('single'), of('fleet')];
  if (single.length === ROUNDS && fleet.length === ROUNDS) {
    const verdict = (r: number) => `${r.toFixed(2)} (limit ≥ ${LIMIT}: ${r >= LIMIT ? 'met' : 'NOT met'})`;
    const row = (name: string, rs: Measured[]) =>
      log(`| ${name} | ${rate(rs).toFixed(0)} | ${p99(rs)} | ${atRate(rs, 50)} | ${p99AtRate(rs)} |`);
    log(`\n| set-up | mails/s | HTTP p99 ms, kept busy | HTTP p50 ms, at ${RATE}/s | HTTP p99 ms, at ${RATE}/s |`);
    log('|:--|--:|--:|--:|--:|');
    row('one instance, no proxy', single);
    row(FLEET_SIZE === 1 ? 'one instance behind nginx' : `${FLEET_SIZE} instances behind nginx`, fleet);
    log(`\nmails/s, fleet ÷ single: ${verdict(rate(fleet) / rate(single))}`);
    log(`HTTP p99 kept busy, single ÷ fleet: ${verdict(p99(single) / p99(fleet))}`);
    log(`HTTP p99 at ${RATE}/s, single ÷ fleet: ${verdict(p99AtRate(single) / p99AtRate(fleet))}`);
  }
  for (const p of problems) log(`ERROR: ${p}`);
  return problems.length > 0 ? 1 : 0;
}

process.exitCode = await main();
