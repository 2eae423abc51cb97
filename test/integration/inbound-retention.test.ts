/**
 * Retention of inbound originals (`PARLEY_INBOUND_KEEP_RAW_DAYS`): once a mail has been decided for longer than the
 * retention period, its bytes are removed by the ingestor's sweep and its record says when; what it became stays.
 * Held and loop mail keep their originals for a reviewer. On SQLite and PostgreSQL.
 */
import { verified } from '../support/sender.ts';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { MailparserMailParser } from '../../src/adapters/inbound/mailparser-mail-parser.ts';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { InboundIngestor } from '../../src/delivery/workers/inbound-ingestor.ts';
import type { Deps } from '../../src/domain/deps.ts';
import { processInboundMail } from '../../src/domain/inbound/process-inbound-mail.ts';
import { receiveMail } from '../../src/domain/inbound/receive-mail.ts';
import type { InboundDeps } from '../../src/domain/inbound/inbound-deps.ts';
import { removeOldInboundRaw } from '../../src/domain/inbound/retention.ts';
import { postMessage } from '../../src/domain/messages/post-message.ts';
import { eml, mail } from '../fixtures/eml/eml.ts';
import { postgres, sqliteMemory } from '../support/databases.ts';
import { buildWorld, testDeps, TestClock, type World } from '../support/fixtures.ts';
import { signIn, testApp, type Client } from '../support/http.ts';

const DAY = 86_400_000;
const silentLog = { info() {}, warn() {}, error() {} };
let counter = 0;

for (const database of [sqliteMemory, postgres]) {
  describe(`inbound originals past the retention period, on ${database.name}`, () => {
    let storage: SqlStorage;
    let drop: () => Promise<void>;
    let deps: Deps;
    let inbound: InboundDeps;
    let clock: TestClock;
    let world: World;
    let app: FastifyInstance;
    let admin: Client;

    before(async () => {
      ({ storage, drop } = await database.open());
      clock = new TestClock();
      deps = testDeps(storage, clock);
      inbound = {
        ...deps,
        mailParser: new MailparserMailParser(),
        policy: { perSenderPerMinute: 1000, maxAttempts: 5 },
      };
      world = await buildWorld(deps);
      app = await testApp(deps);
      admin = await signIn(app, world.admin.email);
    });
    after(async () => {
      await app.close();
      await storage.close();
      await drop();
    });

    async function deliver(raw: Buffer) {
      raw = verified(raw); // as behind the organisation's MTA (inbound-identity.test.ts tests who wrote)
      const id = await receiveMail(deps, {
        raw,
        sha256: createHash('sha256').update(raw).digest('hex'),
        envelopeFrom: 'x@example.org',
        envelopeTo: ['desk@desk.example.test'],
        remoteAddress: '127.0.0.1',
      });
      return (await processInboundMail(inbound, id))!;
    }

    it('removes the bytes of decided mail only, once, keeping what it became; held mail keeps its original', async () => {
      const sent = await postMessage(deps, world.techA, {
        ticketNumber: world.ticketA.number,
        text: 'Please restart it.',
        source: 'desk',
      });
      const [notification] = await storage.outbox.outboxOfMessages([sent.message.id]);
      const replyVars = {
        FROM: world.requesterA.email,
        FROM_NAME: world.requesterA.name,
        TO: 'desk@desk.example.test',
        IN_REPLY_TO: notification!.messageIdHeader,
        REFERENCES: notification!.messageIdHeader,
        TICKET: world.ticketA.number,
      };
      const messageId = `<ret${++counter}@mail.example.org>`;
      const posted = await deliver(eml('gmail-web-en', { ...replyVars, MESSAGE_ID: messageId }));
      const duplicate = await deliver(eml('gmail-web-en', { ...replyVars, MESSAGE_ID: messageId }));
      const held = await deliver(
        mail(
          {
            From: 'Stranger <s@elsewhere.example>',
            To: 'desk@desk.example.test',
            Subject: 'Hello',
            'Message-ID': `<ret${++counter}@elsewhere.example>`,
          },
          'Anyone?',
        ),
      );
      const loop = await deliver(
        eml('out-of-office', { ...replyVars, MESSAGE_ID: `<ret${++counter}@mail.example.org>` }),
      );
      assert.deepEqual(
        [posted.status, duplicate.status, held.status, loop.status],
        ['posted', 'duplicate', 'held', 'loop'],
      );

      clock.advance(179 * DAY);
      assert.equal(await removeOldInboundRaw(deps, 180), 0, 'nothing is removed before its time');
      assert.equal(await removeOldInboundRaw(deps, 0), 0, '0 keeps every original');

      clock.advance(2 * DAY);
      // Through the ingestor's sweep, as `parley serve` runs it.
      const ingestor = new InboundIngestor(inbound, {
        sweepMs: 600_000,
        concurrency: 1,
        log: silentLog,
        keepRawDays: 180,
      });
      await ingestor.start();
      await ingestor.sweep();
      await ingestor.stop();

      const after = await storage.inbound.findInboundMail(posted.id);
      assert.equal(after?.rawRemovedAt, clock.now().toISOString());
      assert.equal(after?.status, 'posted');
      assert.equal(after?.text, posted.text, 'what it became stays');
      assert.equal((await storage.inbound.inboundRaw(posted.id))?.byteLength, 0);
      assert.ok((await storage.inbound.findInboundMail(duplicate.id))?.rawRemovedAt);
      assert.equal((await storage.inbound.findInboundMail(held.id))?.rawRemovedAt, null);
      assert.ok(((await storage.inbound.inboundRaw(held.id))?.byteLength ?? 0) > 0, 'held mail keeps its original');
      assert.equal(
        (await storage.inbound.findInboundMail(loop.id))?.rawRemovedAt,
        null,
        'so does loop mail, which a reviewer may still take',
      );
      assert.equal(await removeOldInboundRaw(deps, 180), 0, 'each original is removed once');

      admin = await signIn(app, world.admin.email); // the first session ended during the half-year
      const gone = await admin.get(`/api/v1/inbound-mail/${posted.id}/raw`);
      assert.equal(gone.statusCode, 410);
      assert.equal(gone.json().code, 'INBOUND_RAW_REMOVED');
      assert.match(gone.json().message, /was removed on \d{4}-\d{2}-\d{2}, after the retention period/);
      assert.equal((await admin.get(`/api/v1/inbound-mail/${posted.id}`)).json().rawRemovedAt, after?.rawRemovedAt);
      assert.equal((await admin.get(`/api/v1/inbound-mail/${held.id}/raw`)).statusCode, 200);
      // The thread message it became is untouched.
      assert.ok((await storage.messages.listMessages(world.ticketA.id, true)).some((m) => m.id === posted.messageId));
    });
  });
}
