/**
 * Inbound replies per second: reply mails sent over SMTP (Nodemailer, a pool of connections) to Parley's SMTP
 * receiver, each stored before its `250`, then parsed, matched to its ticket (sent to the signed reply address of a
 * real notification, with its Message-ID in In-Reply-To and References), stripped of its quote and posted through
 * `postMessage` with its notification queued — as `parley serve` runs it (receiver and ingestor in one process). The clock stops when every reply is posted.
 *
 *   node --import tsx bench/inbound.ts                      # SQLite file (WAL), 3,000 replies
 *   BENCH_DATABASE=postgres node --import tsx bench/inbound.ts
 *   BENCH_MAILS=5000 BENCH_CONNECTIONS=16 BENCH_CONCURRENCY=8 node --import tsx bench/inbound.ts
 *   BENCH_SENDERS=10 BENCH_TICKETS=100 node --import tsx bench/inbound.ts   # sessions 1–27's load (see below)
 *
 * The replies come from `BENCH_SENDERS` requesters (500), each owning `BENCH_TICKETS / BENCH_SENDERS` tickets, in
 * turn: each sends a few mails during the run, under the default cap of 20 a minute, which stays on. Until session
 * 28 ten requesters sent them all, some 2,700 a minute each at 450/s, with the cap lifted, so each mail's claim
 * counted its sender's hundreds of mails of the last minute: a flood, not a desk's replies (`bench/sender-flood.ts`
 * measures floods). With fewer senders than the cap allows for, the cap is lifted again, and the run says so.
 *
 * The sending client (Nodemailer) runs in a worker thread, as a separate sending server would, off the event loop under
 * test; the reply mails are written before the clock starts. CPU per mail is this process's user+system time over the
 * measured window, then split: the main thread (receiver and ingestor), the client's thread, and the rest (GC and
 * other helper threads). Request Tracker's mail gateway handles about 2 mails/s.
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { MailparserMailParser } from '../src/adapters/inbound/mailparser-mail-parser.ts';
import { SmtpReceiver } from '../src/adapters/inbound/smtp-receiver.ts';
import { openPostgresStorage } from '../src/adapters/storage/postgres/postgres-storage.ts';
import type { SqlStorage } from '../src/adapters/storage/sql/sql-storage.ts';
import { openSqliteStorage } from '../src/adapters/storage/sqlite/sqlite-storage.ts';
import { InboundIngestor } from '../src/delivery/workers/inbound-ingestor.ts';
import type { InboundDeps } from '../src/domain/inbound/inbound-deps.ts';
import { postMessage } from '../src/domain/messages/post-message.ts';
import { systemClock } from '../src/adapters/system-clock.ts';
import { DEFAULT_INBOUND_PER_SENDER_PER_MINUTE } from '../src/config/config.ts';
import { eml } from '../test/fixtures/eml/eml.ts';
import { createPostgresDatabase } from '../test/support/databases.ts';
import { buildWorld, testDeps } from '../test/support/fixtures.ts';
import { seedTickets } from './seed-tickets.ts';
import { intEnv } from './settings.ts';
import { backendsOf, countStatements, describeStatements, mainThreadCpu, serverCpu } from './where-time-goes.ts';

const MAILS = intEnv('BENCH_MAILS', 3000, 10, 1_000_000);
const WARMUP = intEnv('BENCH_WARMUP', 300, 0, 100_000);
const CONNECTIONS = intEnv('BENCH_CONNECTIONS', 8, 1, 100);
const CONCURRENCY = intEnv('BENCH_CONCURRENCY', 8, 1, 100);
const SENDERS = intEnv('BENCH_SENDERS', 500, 1, 10_000);
const TICKETS = intEnv('BENCH_TICKETS', SENDERS, SENDERS, 100_000);
const DATABASE = process.env.BENCH_DATABASE ?? 'sqlite';

async function open(): Promise<{ storage: SqlStorage; url?: string; cleanup(): Promise<void> }> {
  if (DATABASE === 'postgres') {
    const db = await createPostgresDatabase();
    const storage = openPostgresStorage(db.url, { max: 10 });
    await storage.migrate();
    return {
      storage,
      url: db.url,
      cleanup: async () => {
        await storage.close();
        await db.drop();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'parley-bench-inbound-'));
  const storage = openSqliteStorage(join(dir, 'parley.db'));
  await storage.migrate();
  return {
    storage,
    cleanup: async () => {
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function main() {
  // Installed before the pool opens its connections (each binds the client's query when it connects).
  const statements = DATABASE === 'postgres' ? countStatements() : null;
  const { storage, url, cleanup } = await open();
  const base = testDeps(storage, systemClock);
  const world = await buildWorld(base);
  const { tickets, requesters } = await seedTickets(base, world, TICKETS, SENDERS);
  // One notification per ticket to its requester: what the replies answer.
  const notes: {
    ticket: number;
    from: { email: string; name: string };
    messageIdHeader: string;
    threadId: string;
    replyTo: string;
  }[] = [];
  for (const ticket of tickets) {
    const posted = await postMessage(base, world.techA, {
      ticketNumber: ticket.number,
      text: 'Could you restart and tell me whether it works?',
      source: 'desk',
    });
    const [entry] = await storage.outbox.outboxOfMessages([posted.message.id]);
    const requester = requesters.find((r) => r.id === ticket.requesterId)!;
    notes.push({
      ticket: ticket.number,
      from: requester,
      messageIdHeader: entry!.messageIdHeader,
      threadId: entry!.threadId!,
      replyTo: entry!.replyTo!,
    });
  }
  // The default cap, unless a sender would send more than it allows in the run (which lasts under a minute).
  // Replies go to the tickets in turn, and a sender owns every SENDERS-th ticket: the most any one sends.
  const perSender = Math.ceil(TICKETS / SENDERS) * Math.ceil((WARMUP + MAILS) / TICKETS);
  const capLifted = perSender > DEFAULT_INBOUND_PER_SENDER_PER_MINUTE;
  const deps: InboundDeps = {
    ...base,
    mailParser: new MailparserMailParser(),
    policy: { perSenderPerMinute: capLifted ? 1_000_000 : DEFAULT_INBOUND_PER_SENDER_PER_MINUTE, maxAttempts: 5 },
  };
  const log = { info() {}, warn() {}, error: (o: object, m: string) => console.error(m, o) };
  const ingestor = new InboundIngestor(deps, { sweepMs: 60_000, concurrency: CONCURRENCY, log });
  const receiver = new SmtpReceiver({
    host: '127.0.0.1',
    port: 0,
    name: 'desk.example.test',
    maxBytes: 25 * 1024 * 1024,
    maxClients: 200,
    ...ingestor.receiverHooks(),
  });
  const port = await ingestor.start(receiver);
  // The sending client in a worker thread: its work stays off the event loop under test.
  const sender = new Worker(fileURLToPath(new URL('./smtp-sender-worker.mjs', import.meta.url)), {
    workerData: { port, connections: CONNECTIONS },
  });
  const send = (mails: { from: string; to: string; raw: Uint8Array }[]) =>
    new Promise<number | null>((resolve, reject) => {
      const done = (message: { type: string; cpuMs?: number | null; message?: string }) => {
        sender.off('error', reject);
        if (message.type === 'sent') resolve(message.cpuMs ?? null);
        else reject(new Error(`the SMTP client failed: ${message.message}`));
      };
      sender.once('message', done);
      sender.once('error', reject);
      sender.postMessage({ type: 'send', mails });
    });

  let serial = 0;
  /** The reply mails, written before the clock starts (what a sending server hands over, not part of the work). */
  const replies = (count: number) =>
    Array.from({ length: count }, () => {
      const n = notes[serial % notes.length]!;
      serial++;
      const raw = eml('gmail-web-en', {
        FROM: n.from.email,
        FROM_NAME: n.from.name,
        TO: n.replyTo,
        MESSAGE_ID: `<bench.${serial}.${process.pid}@mail.example.org>`,
        IN_REPLY_TO: n.messageIdHeader,
        REFERENCES: `${n.threadId} ${n.messageIdHeader}`,
        TICKET: n.ticket,
      });
      return { from: n.from.email, to: n.replyTo, raw };
    });
  const run = async (mails: { from: string; to: string; raw: Uint8Array }[]) => {
    const cpuMs = await send(mails);
    await ingestor.idle();
    return cpuMs;
  };

  const senderCpuBefore = await run(replies(WARMUP));
  const measured = replies(MAILS);
  const postedBefore = await countPosted(storage);
  const server = url ? serverCpu(await backendsOf(url)) : null;
  statements?.reset();
  const main = mainThreadCpu();
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const senderCpuAfter = await run(measured);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const mainSeconds = main?.read() ?? null;
  const senderSeconds =
    senderCpuBefore !== null && senderCpuAfter !== null ? (senderCpuAfter - senderCpuBefore) / 1000 : null;
  statements?.stop();
  const serverSeconds = server?.read() ?? 0;
  const posted = (await countPosted(storage)) - postedBefore;
  const pending = (await storage.inbound.listInboundMail({ status: 'received', scope: { kind: 'all' } }, { limit: 10 }))
    .items.length;
  const sample = (await storage.inbound.listInboundMail({ status: 'posted', scope: { kind: 'all' } }, { limit: 1 }))
    .items[0];

  sender.postMessage({ type: 'close' });
  await once(sender, 'exit');
  await ingestor.stop();
  await cleanup();

  const rate = MAILS / seconds;
  console.log(
    `inbound replies over SMTP into ${DATABASE}: ${MAILS} mails (after ${WARMUP} warm-up), ${CONNECTIONS} SMTP connections, processing concurrency ${CONCURRENCY}`,
  );
  console.log(
    `  from ${SENDERS} senders on ${TICKETS} tickets, up to ${perSender} mails each; ${
      capLifted
        ? `the per-sender cap LIFTED (more than the default ${DEFAULT_INBOUND_PER_SENDER_PER_MINUTE} a minute each): a flood's load, not a desk's`
        : `the default per-sender cap (${DEFAULT_INBOUND_PER_SENDER_PER_MINUTE} a minute)`
    }`,
  );
  console.log(
    `  posted ${posted} of ${MAILS}${pending ? `, ${pending} still received` : ''}; sample reply text: ${JSON.stringify(sample?.text)}`,
  );
  const perMail = (s: number | null) => (s === null ? 'n/a' : ((s * 1000) / MAILS).toFixed(2));
  console.log(
    `  ${rate.toFixed(0)} replies/s (${seconds.toFixed(2)} s); CPU ${((cpu.user + cpu.system) / 1000 / MAILS).toFixed(2)} ms per mail in this process (user ${(cpu.user / 1000 / MAILS).toFixed(2)}, system ${(cpu.system / 1000 / MAILS).toFixed(2)}): receiver and ingestor's main thread ${perMail(mainSeconds)}, sending client's thread ${perMail(senderSeconds)}, the rest (GC and other helper threads) ${perMail(mainSeconds !== null && senderSeconds !== null ? (cpu.user + cpu.system) / 1e6 - mainSeconds - senderSeconds : null)}`,
  );
  if (mainSeconds !== null)
    console.log(`  the main thread was busy ${((100 * mainSeconds) / seconds).toFixed(0)} % of the time`);
  if (statements) {
    console.log(`  ${describeStatements(statements.counts, MAILS)}`);
    console.log(
      `  PostgreSQL backends' CPU ${((serverSeconds * 1000) / MAILS).toFixed(2)} ms per mail (${serverSeconds.toFixed(2)} s of ${seconds.toFixed(2)} s)`,
    );
  }
  const target = DATABASE === 'postgres' ? 450 : 300;
  console.log(
    `  ${(rate / 2).toFixed(0)}× Request Tracker's ~2 mails/s; target ≥ ${target}/s: ${rate >= target ? 'met' : 'NOT met'}`,
  );
  if (posted !== MAILS) process.exitCode = 1;
}

async function countPosted(storage: SqlStorage): Promise<number> {
  let n = 0;
  let cursor: string | null = null;
  do {
    const page = await storage.inbound.listInboundMail(
      { status: 'posted', scope: { kind: 'all' } },
      { limit: 100, cursor },
    );
    n += page.items.length;
    cursor = page.nextCursor;
  } while (cursor);
  return n;
}

await main();
