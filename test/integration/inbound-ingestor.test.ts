/**
 * The ingestor's hand-over at receipt: a mail handed over in memory has its first attempt counted as it is stored;
 * one still queued when the ingestor stops gives that attempt back, so restarts during a backlog do not wear out
 * `maxAttempts`, and the next start processes it. On SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { MailparserMailParser } from '../../src/adapters/inbound/mailparser-mail-parser.ts';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { InboundIngestor } from '../../src/delivery/workers/inbound-ingestor.ts';
import type { InboundDeps } from '../../src/domain/inbound/inbound-deps.ts';
import { mail } from '../fixtures/eml/eml.ts';
import { postgres, sqliteMemory } from '../support/databases.ts';
import { buildWorld, testDeps } from '../support/fixtures.ts';

const silentLog = { info() {}, warn() {}, error() {} };

for (const database of [sqliteMemory, postgres]) {
  describe(`the ingestor's hand-over, on ${database.name}`, () => {
    let storage: SqlStorage;
    let drop: () => Promise<void>;
    let inbound: InboundDeps;

    before(async () => {
      ({ storage, drop } = await database.open());
      const deps = testDeps(storage);
      await buildWorld(deps);
      inbound = {
        ...deps,
        mailParser: new MailparserMailParser(),
        policy: { perSenderPerMinute: 1000, maxAttempts: 5 },
      };
    });
    after(async () => {
      await storage.close();
      await drop();
    });

    it('mails still queued at a stop give their counted attempt back and are processed at the next start', async () => {
      const first = new InboundIngestor(inbound, { sweepMs: 600_000, concurrency: 1, log: silentLog });
      await first.start();
      await first.sweep(); // the start's own sweep is over: it cannot take the mails below from the hand-over
      const hooks = first.receiverHooks();
      const ids: number[] = [];
      for (let i = 0; i < 3; i++) {
        const raw = mail(
          {
            From: `stranger${i}@elsewhere.example`,
            To: 'desk@desk.example.test',
            Subject: `Queued ${i}`,
            'Message-ID': `<queued.${i}.${Date.now()}@elsewhere.example>`,
          },
          'Hello?',
        );
        ids.push(
          await hooks.store({
            raw,
            sha256: createHash('sha256').update(raw).digest('hex'),
            envelopeFrom: null,
            envelopeTo: ['desk@desk.example.test'],
            remoteAddress: '127.0.0.1',
          }),
        );
      }
      for (const id of ids)
        assert.equal((await storage.inbound.findInboundMail(id))?.attempts, 1, 'counted as it was stored');
      // One worker: the first mail starts at once, the other two wait in the queue when the stop comes.
      for (const id of ids) hooks.stored(id);
      await first.stop();
      const [a, b, c] = await Promise.all(ids.map((id) => storage.inbound.findInboundMail(id)));
      assert.equal(a?.status, 'held', 'the mail in hand was finished');
      assert.deepEqual(
        [b?.status, b?.attempts, c?.status, c?.attempts],
        ['received', 0, 'received', 0],
        'the queued ones gave their attempt back',
      );

      const second = new InboundIngestor(inbound, { sweepMs: 600_000, concurrency: 2, log: silentLog });
      await second.start();
      await second.idle();
      await second.stop();
      for (const id of ids.slice(1)) {
        const done = await storage.inbound.findInboundMail(id);
        assert.deepEqual([done?.status, done?.attempts], ['held', 1]);
      }
    });
  });
}
