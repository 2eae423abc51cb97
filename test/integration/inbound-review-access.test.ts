/**
 * Who may review held inbound mail, on SQLite and PostgreSQL: a mail naming a ticket only those who can see that
 * ticket (and admins), a mail naming none only admins and the technicians of the support mailbox's team (parameter
 * 9016). Everyone else gets 404, as for an unknown id, on the list, the detail, the raw download, attach and discard,
 * and does not hear the live `inbound` event of that mail. Through the HTTP API, signed in with API tokens.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { MailparserMailParser } from '../../src/adapters/inbound/mailparser-mail-parser.ts';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { buildApp } from '../../src/delivery/http/build-app.ts';
import { InboundIngestor } from '../../src/delivery/workers/inbound-ingestor.ts';
import type { Deps } from '../../src/domain/deps.ts';
import type { InboundMail } from '../../src/domain/inbound/inbound-mail.ts';
import { receiveMail } from '../../src/domain/inbound/receive-mail.ts';
import type { InboundDeps } from '../../src/domain/inbound/inbound-deps.ts';
import { postMessage } from '../../src/domain/messages/post-message.ts';
import { PARAM } from '../../src/domain/parameters/parameter-catalogue.ts';
import { createApiToken } from '../../src/domain/users/create-api-token.ts';
import type { Actor } from '../../src/domain/users/user.ts';
import { mail } from '../fixtures/eml/eml.ts';
import { postgres, sqliteMemory } from '../support/databases.ts';
import { buildWorld, testDeps, type World } from '../support/fixtures.ts';
import { withToken, type Client } from '../support/http.ts';
import { waitUntil } from '../support/smtp-sink.ts';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';

const DOMAIN = 'desk.example.test';
const silentLog = { info() {}, warn() {}, error() {} };
let counter = 0;
const newMessageId = () => `<review.${Date.now()}.${++counter}@mail.example.org>`;

/** A minimal EventSource over real HTTP: the event names received, in order. */
async function listen(app: FastifyInstance, token: string): Promise<{ events: string[]; close(): void }> {
  const { port } = app.server.address() as { port: number };
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path: '/api/v1/events', headers: { authorization: `Bearer ${token}` } },
      (res: IncomingMessage) => {
        const stream = { events: [] as string[], close: () => req.destroy() };
        let buffer = '';
        res.setEncoding('utf8').on('data', (chunk: string) => {
          buffer += chunk;
          for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
            const event = /^event: (.*)$/m.exec(buffer.slice(0, end))?.[1];
            buffer = buffer.slice(end + 2);
            if (event) stream.events.push(event);
          }
        });
        res.on('error', () => {});
        resolve(stream);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

for (const database of [sqliteMemory, postgres]) {
  describe(`who reviews held mail (${database.name})`, () => {
    let storage: SqlStorage;
    let drop: () => Promise<void>;
    let deps: Deps;
    let inbound: InboundDeps;
    let ingestor: InboundIngestor;
    let w: World;
    let app: FastifyInstance;
    let tokens: Map<string, string>;
    let admin: Client, techA: Client, techB: Client;
    /** A notification on ticket B (to requester B), whose Message-ID a mail can refer to. */
    let toReqB: { messageIdHeader: string };
    let toReqA: { messageIdHeader: string };

    before(async () => {
      ({ storage, drop } = await database.open());
      deps = testDeps(storage);
      inbound = {
        ...deps,
        mailParser: new MailparserMailParser(),
        policy: { perSenderPerMinute: 1000, maxAttempts: 5 },
      };
      w = await buildWorld(deps);
      const b = await postMessage(deps, w.techB, {
        ticketNumber: w.ticketB.number,
        text: 'The laptop is ready.',
        source: 'desk',
      });
      const a = await postMessage(deps, w.techA, {
        ticketNumber: w.ticketA.number,
        text: 'Is the printer fixed?',
        source: 'desk',
      });
      toReqB = (await storage.outbox.outboxOfMessages([b.message.id]))[0]!;
      toReqA = (await storage.outbox.outboxOfMessages([a.message.id]))[0]!;
      app = await buildApp(deps);
      await app.listen({ host: '127.0.0.1', port: 0 });
      tokens = new Map();
      for (const actor of [w.admin, w.techA, w.techB] as Actor[])
        tokens.set(actor.email, (await createApiToken(deps, CLI_ORIGIN, actor.email, 'test')).token);
      [admin, techA, techB] = [w.admin, w.techA, w.techB].map((a) => withToken(app, tokens.get(a.email)!)) as [
        Client,
        Client,
        Client,
      ];
      ingestor = new InboundIngestor(inbound, { sweepMs: 60_000, concurrency: 1, log: silentLog });
      await ingestor.start();
    });
    after(async () => {
      await ingestor.stop();
      await app.close();
      await storage.close();
      await drop();
    });

    /** Stores a mail and lets the ingestor process it (which sends the live `inbound` signal for held mail). */
    async function deliver(raw: Buffer): Promise<InboundMail> {
      const id = await receiveMail(deps, {
        raw,
        sha256: createHash('sha256').update(raw).digest('hex'),
        envelopeFrom: 'x@example.org',
        envelopeTo: [`desk@${DOMAIN}`],
        remoteAddress: '127.0.0.1',
      });
      ingestor.enqueue(id);
      await ingestor.idle();
      return (await storage.inbound.findInboundMail(id))!;
    }

    const strangerTo = (references: string | null, text: string) =>
      deliver(
        mail(
          {
            From: 'Carol <carol@partner.example>',
            To: `desk@${DOMAIN}`,
            Subject: 'Re: your ticket',
            'Message-ID': newMessageId(),
            ...(references ? { References: references } : {}),
          },
          text,
        ),
      );

    const heldIds = async (client: Client) => {
      const r = await client.get('/api/v1/inbound-mail?status=held&limit=100');
      assert.equal(r.statusCode, 200, r.body);
      return r.json().items.map((m: { id: number }) => m.id) as number[];
    };

    /** Every way to reach a mail, each answering 404 INBOUND_MAIL_NOT_FOUND as for an id that does not exist. */
    async function assertHidden(client: Client, id: number, ticketNumber: number) {
      assert.ok(!(await heldIds(client)).includes(id), 'not listed (nor counted in the desk)');
      for (const r of [
        await client.get(`/api/v1/inbound-mail/${id}`),
        await client.get(`/api/v1/inbound-mail/${id}/raw`),
        await client.post(`/api/v1/inbound-mail/${id}/attach`, { ticketNumber }),
        await client.post(`/api/v1/inbound-mail/${id}/discard`),
        await client.get('/api/v1/inbound-mail/2147483000'),
      ]) {
        assert.deepEqual([r.statusCode, r.json().code], [404, 'INBOUND_MAIL_NOT_FOUND'], r.body);
      }
      assert.equal((await storage.inbound.findInboundMail(id))!.status, 'held', 'nothing was decided');
    }

    async function assertVisible(client: Client, id: number) {
      assert.ok((await heldIds(client)).includes(id), 'listed');
      const detail = await client.get(`/api/v1/inbound-mail/${id}`);
      assert.equal(detail.statusCode, 200, detail.body);
      const raw = await client.get(`/api/v1/inbound-mail/${id}/raw`);
      assert.equal(raw.statusCode, 200);
      assert.match(raw.headers['content-type'] as string, /message\/rfc822/);
    }

    // threat: A held mail naming ticket N → readable and attachable only by those who can see ticket N
    it('a held mail naming ticket B: a technician of another group gets 404 everywhere; technician B and the admin read it', async () => {
      const held = await strangerTo(toReqB.messageIdHeader, 'I approve the purchase.');
      assert.deepEqual([held.status, held.reason, held.ticketId], ['held', 'unknown-sender', w.ticketB.id]);
      await assertHidden(techA, held.id, w.ticketA.number);
      await assertVisible(techB, held.id);
      await assertVisible(admin, held.id);
    });

    // threat: A held mail naming ticket N → readable and attachable only by those who can see ticket N
    it('attach: only a mail the reviewer may see, only to a ticket they can see', async () => {
      const held = await strangerTo(toReqB.messageIdHeader, 'Please also add a docking station.');
      // Technician B may see the mail, not ticket A: the ticket answers as unknown, the mail stays held.
      const elsewhere = await techB.post(`/api/v1/inbound-mail/${held.id}/attach`, { ticketNumber: w.ticketA.number });
      assert.deepEqual([elsewhere.statusCode, elsewhere.json().code], [404, 'TICKET_NOT_FOUND']);
      assert.equal((await storage.inbound.findInboundMail(held.id))!.status, 'held');
      // Technician A can see ticket A, not the mail.
      const foreign = await techA.post(`/api/v1/inbound-mail/${held.id}/attach`, { ticketNumber: w.ticketA.number });
      assert.deepEqual([foreign.statusCode, foreign.json().code], [404, 'INBOUND_MAIL_NOT_FOUND']);
      const done = await techB.post(`/api/v1/inbound-mail/${held.id}/attach`, { ticketNumber: w.ticketB.number });
      assert.equal(done.statusCode, 200, done.body);
      assert.deepEqual(
        [done.json().mail.status, done.json().mail.ticketNumber, done.json().message.internal],
        ['posted', w.ticketB.number, true],
      );
    });

    // threat: A held mail naming ticket N → readable and attachable only by those who can see ticket N
    it('a held mail naming no ticket: admins only, until parameter 9016 names the support mailbox’s team; then its technicians', async () => {
      const held = await strangerTo(null, 'Hello, who handles invoices?');
      assert.deepEqual([held.status, held.reason, held.ticketId], ['held', 'unknown-sender', null]);
      await assertHidden(techA, held.id, w.ticketA.number);
      await assertHidden(techB, held.id, w.ticketB.number);
      await assertVisible(admin, held.id);

      // The setting: an existing team's id, by an administrator only.
      assert.equal(
        (await techA.put(`/api/v1/admin/parameters/${PARAM.SUPPORT_MAILBOX_TEAM}`, { value: w.groupA })).statusCode,
        403,
      );
      for (const value of [2147483000, 'team A', true, -1]) {
        const bad = await admin.put(`/api/v1/admin/parameters/${PARAM.SUPPORT_MAILBOX_TEAM}`, { value });
        assert.ok([400, 422].includes(bad.statusCode), `${String(value)}: ${bad.body}`);
        assert.ok(['PARAMETER_INVALID', 'VALIDATION_FAILED'].includes(bad.json().code), bad.body);
      }
      const set = await admin.put(`/api/v1/admin/parameters/${PARAM.SUPPORT_MAILBOX_TEAM}`, { value: w.groupA });
      assert.equal(set.statusCode, 200, set.body);
      assert.deepEqual([set.json().type, set.json().value], ['groupId', w.groupA]);

      await assertVisible(techA, held.id);
      await assertHidden(techB, held.id, w.ticketB.number);
      const discarded = await techA.post(`/api/v1/inbound-mail/${held.id}/discard`);
      assert.equal(discarded.statusCode, 200, discarded.body);
      assert.equal(discarded.json().status, 'discarded');

      const cleared = await admin.put(`/api/v1/admin/parameters/${PARAM.SUPPORT_MAILBOX_TEAM}`, { value: null });
      assert.equal(cleared.statusCode, 200, cleared.body);
      const again = await strangerTo(null, 'Anyone?');
      await assertHidden(techA, again.id, w.ticketA.number);
    });

    // threat: A held mail naming ticket N → readable and attachable only by those who can see ticket N
    it('an unverified bounce names the ticket of the notification it claims to report on: that ticket’s staff review it', async () => {
      // A minimal delivery report naming ticket A's notification, to the support address (not a bounce address).
      const boundary = 'rep0rt';
      const dsn = Buffer.from(
        [
          'From: MAILER-DAEMON@mx.example.net',
          `To: desk@${DOMAIN}`,
          'Subject: Undelivered Mail Returned to Sender',
          `Message-ID: ${newMessageId()}`,
          'MIME-Version: 1.0',
          `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
          '',
          `--${boundary}`,
          'Content-Type: text/plain',
          '',
          'Your mail could not be delivered.',
          `--${boundary}`,
          'Content-Type: message/delivery-status',
          '',
          'Reporting-MTA: dns; mx.example.net',
          '',
          `Final-Recipient: rfc822; ${w.requesterA.email}`,
          'Action: failed',
          'Status: 5.1.1',
          '',
          `--${boundary}`,
          'Content-Type: text/rfc822-headers',
          '',
          `Message-ID: ${toReqA.messageIdHeader}`,
          '',
          `--${boundary}--`,
          '',
        ].join('\r\n'),
      );
      const held = await deliver(dsn);
      assert.deepEqual([held.status, held.reason, held.ticketId], ['held', 'unverified-bounce', w.ticketA.id]);
      await assertVisible(techA, held.id);
      await assertHidden(techB, held.id, w.ticketB.number);
    });

    // threat: A held mail naming ticket N → readable and attachable only by those who can see ticket N
    it('the live `inbound` event reaches only those who may review the mail', async () => {
      const streams = await Promise.all([w.techA, w.techB, w.admin].map((a) => listen(app, tokens.get(a.email)!)));
      const [a, b, root] = streams as [
        Awaited<ReturnType<typeof listen>>,
        Awaited<ReturnType<typeof listen>>,
        Awaited<ReturnType<typeof listen>>,
      ];
      const inboundCount = (s: { events: string[] }) => s.events.filter((e) => e === 'inbound').length;
      try {
        await waitUntil(() => streams.every((s) => s.events.includes('ready')), 'the streams to be ready');
        await strangerTo(toReqB.messageIdHeader, 'A mail of ticket B.');
        await waitUntil(
          () => inboundCount(b) === 1 && inboundCount(root) === 1,
          'technician B and the admin to hear of it',
        );
        // The fence: a mail of ticket A, pushed after the first; technician A hears this one only.
        await strangerTo(toReqA.messageIdHeader, 'A mail of ticket A.');
        await waitUntil(
          () => inboundCount(a) >= 1 && inboundCount(root) === 2,
          'technician A and the admin to hear of the second',
        );
        assert.equal(inboundCount(a), 1, 'technician A never heard of ticket B’s mail');
        assert.equal(inboundCount(b), 1, 'technician B never heard of ticket A’s mail');
      } finally {
        for (const s of streams) s.close();
      }
    });
  });
}
