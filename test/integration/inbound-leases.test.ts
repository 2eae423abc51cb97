/**
 * Leases on inbound processing, on SQLite (a file, several storages on it as several processes) and PostgreSQL: a
 * mail an ingestor stores or begins is leased to it and renewed while it works, so another ingestor's sweep never
 * begins a live process's mail however long it takes; a dead process's mail is begun by another once its lease ends,
 * within 15 s of the death at the default settings (PARLEY_LEASE_SECONDS 10, the sweep every 2 s).
 *
 * Real time throughout; every wait has a deadline, and the only deadline asserted is the 15 s of issue 13.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MailparserMailParser } from '../../src/adapters/inbound/mailparser-mail-parser.ts';
import { openStorage } from '../../src/adapters/storage/open-storage.ts';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { systemClock } from '../../src/adapters/system-clock.ts';
import { InboundIngestor } from '../../src/delivery/workers/inbound-ingestor.ts';
import type { InboundPolicy } from '../../src/domain/inbound/inbound-deps.ts';
import { postMessage } from '../../src/domain/messages/post-message.ts';
import type { MailParser } from '../../src/ports/inbound.ts';
import { mail } from '../fixtures/eml/eml.ts';
import { postgres, sqliteFile } from '../support/databases.ts';
import { buildWorld, testDeps, type World } from '../support/fixtures.ts';
import { startParley, stopAll, type ParleyProcess } from '../support/parley-processes.ts';
import { TEST_AUTHSERV, verified } from '../support/sender.ts';
import { waitUntil } from '../support/smtp-sink.ts';

const silentLog = { info() {}, warn() {}, error() {} };
const DOMAIN = 'desk.example.test';
const SECRET_KEY = 'test-secret-key-that-is-long-enough-for-parley';
const STALLED = new URL('../support/stalled-ingestor.ts', import.meta.url).pathname;
/** The policy of `parley ingest`, its lease left at the default. */
const POLICY: InboundPolicy = { perSenderPerMinute: 1000, maxAttempts: 5 };

const messageIdOf = (raw: Uint8Array) =>
  /^Message-ID:\s*(\S+)/im.exec(Buffer.from(raw).toString('latin1'))?.[1] ?? '(none)';

/** The real parser, slowed by `delayMs`, noting the Message-ID of each mail it is given. */
function slowParser(delayMs: number, parsed: string[]): MailParser {
  const parser = new MailparserMailParser();
  return {
    async parse(raw) {
      parsed.push(messageIdOf(raw));
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      return parser.parse(raw);
    },
  };
}

for (const database of [sqliteFile, postgres]) {
  describe(`leases on inbound processing, on ${database.name}`, () => {
    let storage: SqlStorage;
    let url: string;
    let drop: () => Promise<void>;
    let w: World;
    let notification: string;
    const others: SqlStorage[] = [];
    let counter = 0;

    before(async () => {
      ({ storage, url, drop } = await database.open());
      const deps = testDeps(storage, systemClock);
      w = await buildWorld(deps);
      const sent = await postMessage(deps, w.techB, {
        ticketNumber: w.ticketB.number,
        text: 'Your laptop is ready.',
        source: 'desk',
      });
      notification = (await storage.outbox.outboxOfMessages([sent.message.id]))[0]!.messageIdHeader;
    });
    after(async () => {
      for (const other of others) await other.close();
      await storage.close();
      await drop();
    });

    /** A storage of its own on the same database, as another process has. */
    const another = () => {
      const opened = openStorage(url, { poolSize: 4 });
      others.push(opened);
      return opened;
    };
    /** The requester's reply to the notification, as the organisation's MTA passes it on (sender verified). */
    const reply = (label: string) =>
      verified(
        mail(
          {
            From: w.requesterB.email,
            To: `desk@${DOMAIN}`,
            Subject: 'Re: laptop',
            'Message-ID': `<${label}.${++counter}.${Date.now()}@mail.example.org>`,
            References: notification,
          },
          `Still broken (${label} ${counter}).`,
        ),
      );
    const ingestorOn = (
      on: SqlStorage,
      parser: MailParser,
      options: { policy?: InboundPolicy; sweepMs: number; concurrency?: number },
    ) =>
      new InboundIngestor(
        { ...testDeps(on, systemClock), mailParser: parser, policy: options.policy ?? POLICY },
        { sweepMs: options.sweepMs, concurrency: options.concurrency ?? 4, log: silentLog },
      );
    /** Received as the SMTP receiver hands a mail over: stored (leased, attempt counted), then processed. */
    const receive = async (ingestor: InboundIngestor, raw: Buffer) => {
      const hooks = ingestor.receiverHooks();
      const id = await hooks.store({
        raw,
        sha256: createHash('sha256').update(raw).digest('hex'),
        envelopeFrom: null,
        envelopeTo: [`desk@${DOMAIN}`],
        remoteAddress: '127.0.0.1',
      });
      hooks.stored(id);
      return id;
    };
    const stateOf = async (ids: readonly number[]) =>
      Promise.all(
        ids.map(async (id) => {
          const found = await storage.inbound.findInboundMail(id);
          return [found?.status, found?.attempts];
        }),
      );

    // threat: Two ingestors on one database, one processing a mail slowly → the other's sweep never begins it: parsed once, one attempt.
    it("two ingestors: mail the first processes slowly (3 s) is never begun by the second's sweep; each parsed once, one attempt", async () => {
      const parsedByFirst: string[] = [];
      const parsedBySecond: string[] = [];
      const first = ingestorOn(another(), slowParser(3000, parsedByFirst), { sweepMs: 600_000 });
      // The second sweeps every 100 ms, so it looks many times while the first works.
      const second = ingestorOn(another(), slowParser(0, parsedBySecond), { sweepMs: 100 });
      await first.start();
      await second.start();
      try {
        const raws = [0, 1, 2, 3].map(() => reply('slow'));
        const ids: number[] = [];
        for (const raw of raws) ids.push(await receive(first, raw));
        await waitUntil(() => parsedByFirst.length === ids.length, 'the first to be parsing every mail');
        await first.idle();
        await second.sweep();
        await second.idle();
        assert.deepEqual(
          await stateOf(ids),
          ids.map(() => ['posted', 1]),
        );
        assert.deepEqual(parsedBySecond, [], 'the second ingestor parsed none of them');
        assert.deepEqual(parsedByFirst.sort(), raws.map(messageIdOf).sort(), 'the first parsed each once');
      } finally {
        await first.stop();
        await second.stop();
      }
    });

    it("a live ingestor's processing three times longer than its lease (1 s) is never taken over: its lease is renewed", async () => {
      const policy = { ...POLICY, leaseSeconds: 1 };
      const parsedByFirst: string[] = [];
      const parsedBySecond: string[] = [];
      const first = ingestorOn(another(), slowParser(3000, parsedByFirst), { policy, sweepMs: 600_000 });
      const second = ingestorOn(another(), slowParser(0, parsedBySecond), { policy, sweepMs: 100 });
      await first.start();
      await second.start();
      try {
        const leaseOf = async (id: number) => {
          const row = await storage.kyselyInstance
            .selectFrom('inbound_mail')
            .select('lease_until')
            .where('id', '=', id)
            .executeTakeFirstOrThrow();
          return new Date(row.lease_until!).getTime();
        };
        const id = await receive(first, reply('long'));
        const firstLease = await leaseOf(id);
        await waitUntil(async () => (await leaseOf(id)) > firstLease, 'the lease to be renewed', 3000);
        await first.idle();
        await second.sweep();
        await second.idle();
        assert.deepEqual(await stateOf([id]), [['posted', 1]]);
        assert.equal(parsedByFirst.length, 1);
        assert.deepEqual(parsedBySecond, [], 'the second ingestor never began it');
      } finally {
        await first.stop();
        await second.stop();
      }
    });

    // threat: An ingestor SIGKILLed while processing a reply it accepted → another posts the reply within 15 s of the death.
    it('a process SIGKILLed while processing a mail it accepted: parley ingest, at the default lease and sweep, posts it within 15 s of the kill', async (t) => {
      const dir = mkdtempSync(join(tmpdir(), 'parley-inbound-lease-'));
      let survivor: ParleyProcess | undefined;
      let dying: ChildProcess | undefined;
      try {
        // Every setting at its default but what the test's world needs (its key, its domain, the MTA it trusts).
        survivor = await startParley('survivor', ['ingest', '--listen', '127.0.0.1:0'], {
          PARLEY_DATABASE_URL: url,
          PARLEY_DATA_DIR: dir,
          PARLEY_SECRET_KEY: SECRET_KEY,
          PARLEY_MAIL_DOMAIN: DOMAIN,
          PARLEY_INBOUND_TRUSTED_AUTHSERV_IDS: TEST_AUTHSERV,
        });
        const file = join(dir, 'reply.eml');
        writeFileSync(file, reply('killed'));
        const child = spawn(process.execPath, ['--import', 'tsx', STALLED, url, file], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        dying = child;
        let output = '';
        child.stdout.on('data', (d) => (output += d));
        child.stderr.on('data', (d) => (output += d));
        const exited = new Promise<NodeJS.Signals | null>((done) =>
          child.once('exit', (_code, signal) => done(signal)),
        );
        const began = await waitUntil(() => /^began (\d+)$/m.exec(output), 'the process to begin the mail', 60_000);
        const id = Number(began[1]);
        assert.deepEqual(await stateOf([id]), [['received', 1]], 'stored, leased and begun by the process');

        child.kill('SIGKILL');
        assert.equal(await exited, 'SIGKILL');
        const killedAt = Date.now();
        const done = await waitUntil(
          async () => {
            const found = await storage.inbound.findInboundMail(id);
            return found?.status === 'received' ? undefined : found;
          },
          'the surviving ingest to post the reply within 15 s of the kill',
          Math.max(0, 15_000 - (Date.now() - killedAt)),
          100,
        ).catch(async (error: unknown) => {
          const row = await storage.kyselyInstance
            .selectFrom('inbound_mail')
            .select(['status', 'attempts', 'lease_token', 'lease_until'])
            .where('id', '=', id)
            .executeTakeFirst();
          t.diagnostic(
            `${Date.now() - killedAt} ms after the kill: ${JSON.stringify(row)}; survivor: ${survivor?.output()}`,
          );
          throw error;
        });
        assert.deepEqual([done.status, done.attempts], ['posted', 2], output + survivor.output());
        t.diagnostic(`posted ${Date.now() - killedAt} ms after the kill`);
      } finally {
        dying?.kill('SIGKILL');
        await stopAll([survivor]);
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
