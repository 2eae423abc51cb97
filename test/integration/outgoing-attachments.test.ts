/**
 * Attachments people send (issue 5, "in and out"): a message or a new ticket with files, through the API, stored with
 * it in one write, shown in the thread, downloadable under the thread's access rules, and carried by the notification
 * mail to the other party, sent over SMTP to a real server (the sink) and parsed back. Limits refuse with a code and
 * a sentence naming the file, and store nothing. On SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { simpleParser } from 'mailparser';
import { NodemailerMailTransports } from '../../src/adapters/smtp/nodemailer-mail-transports.ts';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import type { Deps } from '../../src/domain/deps.ts';
import { OUTGOING_ATTACHMENT_LIMITS } from '../../src/domain/messages/attachment.ts';
import { dispatchBatch } from '../../src/domain/notifications/dispatch-outbox.ts';
import { postgres, sqliteMemory } from '../support/databases.ts';
import { buildWorld, testDeps, type World } from '../support/fixtures.ts';
import { signIn, testApp, type Client } from '../support/http.ts';
import { SmtpSink } from '../support/smtp-sink.ts';

const POLICY = {
  batchSize: 50,
  concurrency: 4,
  leaseSeconds: 60,
  retryBaseSeconds: 60,
  retryMaxSeconds: 600,
  giveUpHours: 24,
};
const bytes = (n: number, seed = 7) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed) % 256));
const upload = (name: string, content: Buffer, contentType?: string) => ({
  name,
  content: content.toString('base64'),
  ...(contentType ? { contentType } : {}),
});

for (const database of [sqliteMemory, postgres]) {
  describe(`attachments people send, on ${database.name}`, () => {
    let storage: SqlStorage;
    let deps: Deps;
    let world: World;
    let app: FastifyInstance;
    let sink: SmtpSink;
    let transports: NodemailerMailTransports;
    let admin: Client;
    let tech: Client;
    let requester: Client;
    let otherRequester: Client;

    let dropDatabase: () => Promise<void>;
    before(async () => {
      const opened = await database.open();
      storage = opened.storage;
      dropDatabase = opened.drop;
      deps = testDeps(storage);
      world = await buildWorld(deps);
      app = await testApp(deps);
      sink = await SmtpSink.start();
      transports = new NodemailerMailTransports({
        maxConnections: 2,
        connectionTimeoutMs: 2000,
        greetingTimeoutMs: 2000,
        socketTimeoutMs: 4000,
      });
      admin = await signIn(app, world.admin.email);
      tech = await signIn(app, world.techA.email);
      requester = await signIn(app, world.requesterA.email);
      otherRequester = await signIn(app, world.requesterB.email);
      const r = await admin.put('/api/v1/admin/smtp-account', {
        host: '127.0.0.1',
        port: sink.port,
        security: 'none',
        auth: false,
        from: 'desk@example.test',
        fromName: 'Service Desk',
      });
      assert.equal(r.statusCode, 200, r.body);
    });
    after(async () => {
      await app.close();
      transports.closeAll();
      await sink.close();
      await storage.close();
      await dropDatabase();
    });

    const thread = async (client: Client) => {
      const r = await client.get(`/api/v1/tickets/${world.ticketA.number}/messages`);
      assert.equal(r.statusCode, 200, r.body);
      return r.json().items as {
        id: number;
        text: string;
        attachments: { id: string; name: string; size: number; contentType: string }[];
      }[];
    };
    const outboxCount = async () => (await admin.get('/api/v1/admin/outbox')).json().items.length as number;

    it("a requester's message with files: stored with it, in the thread, and in the technician's notification mail, bytes exact", async () => {
      const pdf = bytes(300_000);
      const note = Buffer.from('Olá,\r\n.\r\nlinha com ponto\r\n', 'utf8');
      const r = await requester.post(`/api/v1/tickets/${world.ticketA.number}/messages`, {
        text: 'The error report and a note are attached.',
        attachments: [
          upload('relatório de erro.pdf', pdf, 'application/pdf'),
          upload('../../etc/nota.txt', note, 'text/plain'),
        ],
      });
      assert.equal(r.statusCode, 201, r.body);
      const posted = r.json();
      assert.deepEqual(
        posted.message.attachments.map((a: { name: string; size: number; contentType: string }) => [
          a.name,
          a.size,
          a.contentType,
        ]),
        [
          ['relatório de erro.pdf', pdf.length, 'application/pdf'],
          ['nota.txt', note.length, 'text/plain'],
        ],
        'names normalised (no path), sizes and types as sent',
      );
      assert.ok(
        posted.message.attachments.every((a: { id: string }) => /^[A-Za-z0-9_-]{20,}$/.test(a.id)),
        'generated ids',
      );

      const inThread = (await thread(tech)).find((m) => m.id === posted.message.id);
      assert.deepEqual(
        inThread?.attachments.map((a) => a.id),
        posted.message.attachments.map((a: { id: string }) => a.id),
      );
      const download = await tech.get(`/api/v1/attachments/${posted.message.attachments[0].id}`);
      assert.equal(download.statusCode, 200);
      assert.deepEqual(download.rawPayload, pdf);
      assert.equal(download.headers['content-type'], 'application/octet-stream');
      assert.equal(download.headers['x-content-type-options'], 'nosniff');
      assert.match(String(download.headers['content-disposition']), /^attachment; /);
      assert.equal(
        (await otherRequester.get(`/api/v1/attachments/${posted.message.attachments[0].id}`)).statusCode,
        404,
        "not the other requester's",
      );

      const result = await dispatchBatch({ ...deps, transports }, POLICY);
      assert.equal(result.sent, posted.notifications.length);
      assert.ok(result.sent > 0);
      const mail = sink.accepted.find((m) => m.envelope.rcptTo[0] === world.techA.email);
      assert.ok(mail, 'the responsible technician is notified');
      const parsed = await simpleParser(mail.raw);
      assert.match(parsed.text ?? '', /The error report and a note are attached\./);
      assert.deepEqual(
        parsed.attachments.map((a) => [a.filename, a.contentDisposition]),
        [
          ['relatório de erro.pdf', 'attachment'],
          ['nota.txt', 'attachment'],
        ],
      );
      assert.deepEqual(parsed.attachments[0]!.content, pdf);
      assert.deepEqual(parsed.attachments[1]!.content, note);
    });

    it('files beyond what one mail may carry (a reply by mail can bring 25 MB) are named in the mail instead: on the ticket', async () => {
      const seen = sink.accepted.length;
      const r = await requester.post(`/api/v1/tickets/${world.ticketA.number}/messages`, {
        text: 'Three big scans (as a mail would bring them).',
      });
      assert.equal(r.statusCode, 201, r.body);
      const MB = 1024 * 1024;
      // As inbound processing stores them: with the message, in its transaction (here after it, straight into storage).
      await storage.attachments.insertAttachments(
        ['scan-1.pdf', 'scan-2.pdf', 'scan-3.pdf'].map((name, i) => ({
          id: `bigScan${i}xxxxxxxxxxxxxxxx`,
          ticketId: world.ticketA.id,
          messageId: r.json().message.id as number,
          inboundMailId: null,
          name,
          contentType: 'application/pdf',
          size: 4 * MB,
          sha256: 'x',
          inline: false,
          content: bytes(4 * MB, i),
        })),
        new Date().toISOString(),
      );
      await dispatchBatch({ ...deps, transports }, POLICY);
      const mail = sink.accepted.slice(seen).find((m) => m.envelope.rcptTo[0] === world.techA.email);
      assert.ok(mail);
      const parsed = await simpleParser(mail.raw);
      assert.deepEqual(
        parsed.attachments.map((a) => a.filename),
        ['scan-1.pdf', 'scan-2.pdf'],
        'as many as fit in 10 MB, in order',
      );
      assert.deepEqual(parsed.attachments[1]!.content, bytes(4 * MB, 1));
      assert.match(
        parsed.text ?? '',
        /Not attached \(too large for one mail; they are on the ticket\): scan-3\.pdf \(4\.0 MB\)\./,
      );
      assert.match(
        parsed.html || '',
        /<p>Not attached \(too large for one mail; they are on the ticket\): scan-3\.pdf \(4\.0 MB\)\.<\/p>/,
      );
    });

    it('a message without files sends a mail without attachment parts', async () => {
      const seen = sink.accepted.length;
      const r = await tech.post(`/api/v1/tickets/${world.ticketA.number}/messages`, { text: 'No files this time.' });
      assert.equal(r.statusCode, 201, r.body);
      assert.deepEqual(r.json().message.attachments, []);
      await dispatchBatch({ ...deps, transports }, POLICY);
      const mail = sink.accepted.slice(seen).find((m) => m.envelope.rcptTo[0] === world.requesterA.email);
      assert.ok(mail);
      const parsed = await simpleParser(mail.raw);
      assert.equal(parsed.attachments.length, 0);
      assert.match(mail.raw.toString('latin1'), /^Content-Type: multipart\/alternative;/m);
    });

    // threat: Internal notes never reach the portal, the requester's mail or the requester's API view.
    it("an internal note's files stay with staff: not in the requester's thread, not downloadable by the requester, no mail", async () => {
      const before = await outboxCount();
      const r = await tech.post(`/api/v1/tickets/${world.ticketA.number}/messages`, {
        text: "Internal: the customer's log.",
        internal: true,
        attachments: [upload('internal-log.txt', Buffer.from('secret log'))],
      });
      assert.equal(r.statusCode, 201, r.body);
      const id = r.json().message.attachments[0].id as string;
      assert.equal(await outboxCount(), before, 'an internal note is never mailed');
      assert.ok(!(await thread(requester)).some((m) => m.attachments.some((a) => a.id === id)));
      assert.equal((await requester.get(`/api/v1/attachments/${id}`)).statusCode, 404);
      assert.equal((await tech.get(`/api/v1/attachments/${id}`)).statusCode, 200);
    });

    it('a new ticket with files: they belong to the ticket and are listed with it', async () => {
      const r = await requester.post('/api/v1/tickets', {
        title: 'Scanner jams',
        description: 'Photo attached.',
        attachments: [upload('jam.png', bytes(2048, 3), 'image/png')],
      });
      assert.equal(r.statusCode, 201, r.body);
      const detail = await requester.get(`/api/v1/tickets/${r.json().number}`);
      assert.deepEqual(
        detail.json().attachments.map((a: { name: string; size: number }) => [a.name, a.size]),
        [['jam.png', 2048]],
      );
      const got = await requester.get(`/api/v1/attachments/${detail.json().attachments[0].id}`);
      assert.deepEqual(got.rawPayload, bytes(2048, 3));
    });

    describe('limits and bad input: a clear 4xx, nothing stored, nothing queued', () => {
      const refused = async (payload: Record<string, unknown>, status: number, code: string, message: RegExp) => {
        const threadBefore = (await thread(admin)).length;
        const outboxBefore = await outboxCount();
        const r = await requester.post(`/api/v1/tickets/${world.ticketA.number}/messages`, {
          text: 'With files',
          ...payload,
        });
        assert.equal(r.statusCode, status, r.body);
        assert.equal(r.json().code, code);
        assert.match(r.json().message, message);
        assert.equal((await thread(admin)).length, threadBefore, 'no message stored');
        assert.equal(await outboxCount(), outboxBefore, 'no mail queued');
      };

      it('a file over the size limit', async () => {
        await refused(
          { attachments: [upload('big.iso', Buffer.alloc(OUTGOING_ATTACHMENT_LIMITS.maxBytes + 1, 1))] },
          413,
          'ATTACHMENT_TOO_LARGE',
          /"big\.iso" \(10 MB\) is over the limit of 10 MB for one attachment/,
        );
      });

      it('files over the total', async () => {
        const half = Buffer.alloc(OUTGOING_ATTACHMENT_LIMITS.maxTotalBytes / 2 + 1, 2);
        await refused(
          { attachments: [upload('a.bin', half), upload('b.bin', half)] },
          413,
          'ATTACHMENT_TOO_LARGE',
          /together/,
        );
      });

      it('too many files', async () => {
        const files = Array.from({ length: OUTGOING_ATTACHMENT_LIMITS.maxCount + 1 }, (_, i) =>
          upload(`f${i}.txt`, Buffer.from('x')),
        );
        await refused(
          { attachments: files },
          400,
          'VALIDATION_FAILED',
          /^The field "attachments" can have at most 10 items\.$/,
        );
      });

      it('content that is not base64, and an empty file', async () => {
        await refused(
          { attachments: [{ name: 'x.txt', content: 'not base64!' }] },
          422,
          'ATTACHMENT_INVALID',
          /"x\.txt"\) is not base64/,
        );
        await refused(
          { attachments: [{ name: 'empty.txt', content: '' }] },
          422,
          'ATTACHMENT_INVALID',
          /"empty\.txt" is empty/,
        );
      });

      it('a valid file with an invalid message stores neither', async () => {
        await refused(
          { text: '   ', attachments: [upload('ok.txt', Buffer.from('fine'))] },
          422,
          'MESSAGE_INVALID',
          /cannot be empty/,
        );
      });

      it('a ticket the requester may not see: 404, files not stored', async () => {
        const r = await otherRequester.post(`/api/v1/tickets/${world.ticketA.number}/messages`, {
          text: 'Hi',
          attachments: [upload('x.txt', Buffer.from('x'))],
        });
        assert.equal(r.statusCode, 404);
      });
    });
  });
}
