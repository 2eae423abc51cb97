/**
 * The per-sender cap (policy.perSenderPerMinute) is exact when mails of one sender are processed at the same time:
 * in one process (the ingestor's concurrency) and, on PostgreSQL, in two processes (two storages, two pools of
 * connections, on one database). Of N + 5 mails sent together, exactly N are posted and 5 held as rate-limited.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { MailparserMailParser } from '../../src/adapters/inbound/mailparser-mail-parser.ts';
import { openPostgresStorage } from '../../src/adapters/storage/postgres/postgres-storage.ts';
import { erasedDedupeKey } from '../../src/adapters/storage/sql/inbound-rows.ts';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import type { InboundMail } from '../../src/domain/inbound/inbound-mail.ts';
import type { SenderClaim } from '../../src/ports/storage/inbound-mail.ts';
import { processInboundMail } from '../../src/domain/inbound/process-inbound-mail.ts';
import { receiveMailForProcessing } from '../../src/domain/inbound/receive-mail.ts';
import type { InboundDeps } from '../../src/domain/inbound/inbound-deps.ts';
import { postMessage } from '../../src/domain/messages/post-message.ts';
import { mail } from '../fixtures/eml/eml.ts';
import { verified } from '../support/sender.ts';
import { postgres, sqliteMemory } from '../support/databases.ts';
import { buildWorld, testDeps, TestClock, type World } from '../support/fixtures.ts';

const DOMAIN = 'desk.example.test';
const CAP = 6;

for (const database of [sqliteMemory, postgres]) {
  describe(`per-sender cap under concurrency on ${database.name}`, () => {
    let storage: SqlStorage;
    /** PostgreSQL: a second storage on the same database, as a second Parley process would have. */
    let other: SqlStorage;
    let drop: () => Promise<void>;
    let url: string;
    let clock: TestClock;
    let w: World;
    let notification: { messageIdHeader: string };
    const policy = { perSenderPerMinute: CAP, maxAttempts: 5 };

    before(async () => {
      ({ storage, drop, url } = await database.open());
      other = database.name === 'postgres' ? openPostgresStorage(url, { max: 4 }) : storage;
      clock = new TestClock();
      w = await buildWorld(testDeps(storage, clock));
      const sent = await postMessage(testDeps(storage, clock), w.techB, {
        ticketNumber: w.ticketB.number,
        text: 'Your laptop is ready.',
        source: 'desk',
      });
      notification = (await storage.outbox.outboxOfMessages([sent.message.id]))[0]!;
    });
    after(async () => {
      if (other !== storage) await other.close();
      await storage.close();
      await drop();
    });

    const depsOf = (s: SqlStorage): InboundDeps => ({
      ...testDeps(s, clock),
      mailParser: new MailparserMailParser(),
      policy,
    });

    it(`posts exactly ${CAP} of ${CAP + 5} mails of one sender processed at once, and holds the rest as rate-limited`, async () => {
      const before = (await storage.messages.listMessages(w.ticketB.id, true)).length;
      const raws = Array.from({ length: CAP + 5 }, (_, k) =>
        verified(
          mail(
            {
              From: w.requesterB.email,
              To: `desk@${DOMAIN}`,
              Subject: 'Re: laptop',
              'Message-ID': `<cap.${k}.${Date.now()}@mail.example.org>`,
              References: notification.messageIdHeader,
            },
            `Mail ${k}`,
          ),
        ),
      );
      // All stored first, then all processed together, alternately by the two storages.
      const received = await Promise.all(
        raws.map((raw) =>
          receiveMailForProcessing(
            { storage, clock, policy },
            {
              raw,
              sha256: createHash('sha256').update(raw).digest('hex'),
              envelopeFrom: w.requesterB.email,
              envelopeTo: [`desk@${DOMAIN}`],
              remoteAddress: null,
            },
            'cap test',
          ),
        ),
      );
      const done = (await Promise.all(
        received.map((r, k) => processInboundMail(depsOf(k % 2 === 0 ? storage : other), r.mail.id, r)),
      )) as InboundMail[];
      const posted = done.filter((m) => m.status === 'posted');
      const held = done.filter((m) => m.status === 'held');
      assert.equal(posted.length, CAP, done.map((m) => `${m.id} ${m.status} ${m.reason}`).join('; '));
      assert.equal(held.length, 5);
      assert.ok(held.every((m) => m.reason === 'rate-limited'));
      assert.equal((await storage.messages.listMessages(w.ticketB.id, true)).length, before + CAP);

      // The next minute, the sender is heard again.
      clock.advance(2 * 60_000);
      const raw = verified(
        mail(
          {
            From: w.requesterB.email,
            To: `desk@${DOMAIN}`,
            Subject: 'Re: laptop',
            'Message-ID': `<cap.later.${Date.now()}@mail.example.org>`,
            References: notification.messageIdHeader,
          },
          'Later',
        ),
      );
      const later = await receiveMailForProcessing(
        { storage, clock, policy },
        {
          raw,
          sha256: createHash('sha256').update(raw).digest('hex'),
          envelopeFrom: null,
          envelopeTo: [],
          remoteAddress: null,
        },
        'cap test',
      );
      assert.equal((await processInboundMail(depsOf(other), later.mail.id, later))!.status, 'posted');
    });

    // PostgreSQL only: SQLite has one writer at a time, so there is no uncommitted claim of another process to wait for.
    if (database.name === 'postgres') {
      const store = async () =>
        (
          await receiveMailForProcessing(
            { storage, clock, policy },
            {
              raw: Buffer.from(`Subject: ${Math.random()}\r\n\r\nx\r\n`),
              sha256: String(Math.random()),
              envelopeFrom: null,
              envelopeTo: [],
              remoteAddress: null,
            },
            'cap test',
          )
        ).mail.id;
      const senderOf = (key: string) => ({
        key,
        since: new Date(clock.now().getTime() - 60_000).toISOString(),
        cap: CAP,
      });

      /**
       * "Another process" claims mail x (key, sender) in a transaction it has not committed yet; then this process's
       * claim of y is seen waiting for it (a lock), and answers once the other transaction ends with `end`.
       */
      const claimWhileAnotherHolds = async (
        x: { id: number; key: string; sender: SenderClaim },
        y: { id: number; key: string; sender: SenderClaim },
        end: 'commit' | 'rollback',
      ) => {
        const client = new pg.Client({ connectionString: url });
        /** Watches from outside the transaction (inside one, pg_stat_activity is read once and then kept). */
        const watcher = new pg.Client({ connectionString: url });
        await client.connect();
        await watcher.connect();
        try {
          await client.query('begin');
          await client.query('select * from parley_claim_inbound($1, $2, $3, $4, $5, $6)', [
            x.id,
            x.key,
            erasedDedupeKey(x.key),
            x.sender.key,
            x.sender.since,
            x.sender.cap,
          ]);
          let settled = false;
          const claim = other.inbound.claimInboundMail(y.id, y.key, y.sender).finally(() => (settled = true));
          // Fence: y's claim is seen waiting for a lock (or, if it does not wait, it has already answered).
          for (;;) {
            const waiting = await watcher.query(
              `select 1 from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query like 'select holder, recent from parley_claim_inbound%'`,
            );
            if (waiting.rowCount || settled) break;
            await new Promise((resolve) => setImmediate(resolve));
          }
          assert.equal(settled, false, 'the claim of y did not wait for the claim of x');
          await client.query(end);
          return await claim;
        } finally {
          await client.end();
          await watcher.end();
        }
      };

      it('a claim waits while another process holds an uncommitted claim for the same sender, then counts it', async () => {
        const [x, y] = [await store(), await store()];
        const sender = senderOf('flood@example.org');
        const claim = await claimWhileAnotherHolds(
          { id: x, key: `mid:<x.${x}>`, sender },
          { id: y, key: `mid:<y.${y}>`, sender },
          'commit',
        );
        assert.deepEqual(claim, { holder: y, recent: 1 });
      });

      it('a claim of the same Message-ID waits for another process claiming it: then that one holds it, or this one if it gave up', async () => {
        for (const end of ['commit', 'rollback'] as const) {
          const [x, y] = [await store(), await store()];
          const key = `mid:<same.${end}@example.org>`;
          const claim = await claimWhileAnotherHolds(
            { id: x, key, sender: senderOf(`x.${end}@example.org`) },
            { id: y, key, sender: senderOf(`y.${end}@example.org`) },
            end,
          );
          assert.deepEqual(claim, end === 'commit' ? { holder: x, recent: null } : { holder: y, recent: 0 }, end);
        }
      });
    }
  });
}
