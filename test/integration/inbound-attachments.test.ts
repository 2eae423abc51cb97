/**
 * Attachments of inbound mail (issue 7): kept with the message they came with (same transaction), names normalised,
 * limits on count and size with a note of what was skipped, listed in the thread (never the bytes), downloaded with
 * the thread's access rules and headers that keep a browser from rendering them. On SQLite and PostgreSQL.
 */
import { verified } from '../support/sender.ts';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { MailparserMailParser } from '../../src/adapters/inbound/mailparser-mail-parser.ts';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import type { Deps } from '../../src/domain/deps.ts';
import type { InboundMail } from '../../src/domain/inbound/inbound-mail.ts';
import { processInboundMail } from '../../src/domain/inbound/process-inbound-mail.ts';
import { receiveMail } from '../../src/domain/inbound/receive-mail.ts';
import type { InboundDeps } from '../../src/domain/inbound/inbound-deps.ts';
import { replyAddress } from '../../src/domain/notifications/reply-address.ts';
import type { Actor } from '../../src/domain/users/user.ts';
import { postgres, sqliteMemory } from '../support/databases.ts';
import { buildWorld, testDeps, TestClock, type World } from '../support/fixtures.ts';
import { anonymous, signIn, testApp, type Client } from '../support/http.ts';

const DOMAIN = 'desk.example.test';
let counter = 0;
const newMessageId = () => `<att${Date.now()}.${++counter}@mail.example.org>`;

interface Part {
  /** The part's MIME headers (Content-Type, Content-Disposition), without Content-Transfer-Encoding. */
  headers: string[];
  content: Buffer;
}

/** A multipart/mixed mail: a text/plain body, then each part base64-encoded, lines in CRLF. */
function multipartMail(headers: Record<string, string>, text: string, parts: readonly Part[]): Buffer {
  const boundary = `b${Date.now()}x${++counter}`;
  const lines = [
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    ...text.split('\n'),
  ];
  for (const p of parts) {
    lines.push(
      `--${boundary}`,
      ...p.headers,
      'Content-Transfer-Encoding: base64',
      '',
      ...(p.content.toString('base64').match(/.{1,76}/g) ?? []),
    );
  }
  lines.push(`--${boundary}--`, '');
  return Buffer.from(lines.join('\r\n'), 'utf8');
}

/** An attachment part; a name beyond ASCII is written as mail clients write it (RFC 2231, UTF-8). */
const file = (name: string, content: Buffer, type = 'application/octet-stream'): Part => ({
  headers: /^[\x20-\x7e]*$/.test(name)
    ? [`Content-Type: ${type}; name="${name}"`, `Content-Disposition: attachment; filename="${name}"`]
    : [`Content-Type: ${type}`, `Content-Disposition: attachment; filename*=UTF-8''${encodeURIComponent(name)}`],
  content,
});

const bytes = (n: number, seed = 7) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed) % 256));

for (const database of [sqliteMemory, postgres]) {
  describe(`attachments of inbound mail on ${database.name}`, () => {
    let storage: SqlStorage;
    let drop: () => Promise<void>;
    let deps: Deps;
    let inbound: InboundDeps;
    let w: World;
    let app: FastifyInstance;
    const clients = {} as Record<'reqA' | 'reqB' | 'techA' | 'techB' | 'admin' | 'anonymous', Client>;

    before(async () => {
      ({ storage, drop } = await database.open());
      deps = testDeps(storage, new TestClock());
      inbound = {
        ...deps,
        mailParser: new MailparserMailParser(),
        policy: { perSenderPerMinute: 1000, maxAttempts: 5 },
      };
      w = await buildWorld(deps);
      app = await testApp(deps);
      clients.reqA = await signIn(app, w.requesterA.email);
      clients.reqB = await signIn(app, w.requesterB.email);
      clients.techA = await signIn(app, w.techA.email);
      clients.techB = await signIn(app, w.techB.email);
      clients.admin = await signIn(app, w.admin.email);
      clients.anonymous = anonymous(app);
      assert.equal(
        (await clients.techA.post(`/api/v1/tickets/${w.ticketA.number}/messages`, { text: 'Could you send the logs?' }))
          .statusCode,
        201,
      );
    });
    after(async () => {
      await app.close();
      await storage.close();
      await drop();
    });

    async function deliver(raw: Buffer, to: string, using: InboundDeps = inbound): Promise<InboundMail> {
      raw = verified(raw); // as behind the organisation's MTA (inbound-identity.test.ts tests who wrote)
      const id = await receiveMail(deps, {
        raw,
        sha256: createHash('sha256').update(raw).digest('hex'),
        envelopeFrom: 'sender@example.org',
        envelopeTo: [to],
        remoteAddress: '127.0.0.1',
      });
      const done = await processInboundMail(using, id);
      assert.ok(done);
      return done;
    }

    /** A reply of `from` on ticket A, to their signed reply address. */
    function replyOnA(from: Actor, text: string, parts: readonly Part[]) {
      const to = replyAddress(deps.signer, DOMAIN, w.ticketA.number, from.id);
      return {
        raw: multipartMail(
          {
            From: `"${from.name}" <${from.email}>`,
            To: to,
            Subject: `Re: [#${w.ticketA.number}] Printer jams`,
            'Message-ID': newMessageId(),
          },
          text,
          parts,
        ),
        to,
      };
    }

    async function threadOf(client: Client, ticketNumber: number) {
      const response = await client.get(`/api/v1/tickets/${ticketNumber}/messages`);
      assert.equal(response.statusCode, 200, response.body);
      return response.json().items as {
        id: number;
        text: string;
        internal: boolean;
        attachments: { id: string; name: string; size: number; contentType: string }[];
      }[];
    }

    const passwd = Buffer.from('root:x:0:0:root:/root:/bin/bash\n', 'utf8');
    const report = bytes(3000);
    let hostileId = '';
    let accentedId = '';

    // threat: Attachment names like `../x`, `\u200B.htaccess`, `a\u202Egnp.exe`
    it('posts a reply with both attachments, names normalised (a path, an RFC 2231 name), bytes kept exactly', async () => {
      const { raw, to } = replyOnA(w.requesterA, 'Here are the files.', [
        file('../../etc/passwd', passwd, 'text/plain'),
        {
          headers: [
            'Content-Type: application/pdf',
            "Content-Disposition: attachment; filename*=UTF-8''Relat%C3%B3rio%20t%C3%A9cnico%20%E2%80%94%20mar%C3%A7o.pdf",
          ],
          content: report,
        },
      ]);
      const done = await deliver(raw, to);
      assert.equal(done.status, 'posted', done.reasonText ?? '');
      assert.equal(done.attachmentNote, null);
      const posted = (await threadOf(clients.reqA, w.ticketA.number)).at(-1)!;
      assert.equal(posted.id, done.messageId);
      assert.equal(posted.text, 'Here are the files.');
      assert.deepEqual(
        posted.attachments.map(({ name, size, contentType }) => ({ name, size, contentType })),
        [
          { name: 'passwd', size: passwd.length, contentType: 'text/plain' },
          { name: 'Relatório técnico — março.pdf', size: report.length, contentType: 'application/pdf' },
        ],
      );
      for (const a of posted.attachments) {
        assert.match(a.id, /^[A-Za-z0-9_-]{22}$/, 'a generated id of 128 random bits');
        assert.equal(Object.keys(a).sort().join(), 'contentId,contentType,id,name,size', 'never the bytes');
      }
      [hostileId, accentedId] = posted.attachments.map((a) => a.id) as [string, string];
      // Messages without attachments say so with an empty list.
      const first = (await threadOf(clients.techA, w.ticketA.number))[0]!;
      assert.deepEqual(first.attachments, []);
    });

    // threat: Inbound HTML is sanitised with an allow-list and shown in a sandbox; remote images are not fetched by the server.
    it('downloads the exact bytes as application/octet-stream, Content-Disposition attachment, nosniff, no-store, sandboxed', async () => {
      const response = await clients.reqA.get(`/api/v1/attachments/${accentedId}`);
      assert.equal(response.statusCode, 200, response.body);
      assert.deepEqual(response.rawPayload, report);
      assert.equal(response.headers['content-type'], 'application/octet-stream');
      assert.equal(
        response.headers['content-disposition'],
        `attachment; filename="Relatorio tecnico _ marco.pdf"; filename*=UTF-8''Relat%C3%B3rio%20t%C3%A9cnico%20%E2%80%94%20mar%C3%A7o.pdf`,
      );
      assert.equal(response.headers['x-content-type-options'], 'nosniff');
      assert.equal(response.headers['cache-control'], 'private, no-store');
      assert.equal(response.headers['content-security-policy'], "default-src 'none'; sandbox");
      const hostile = await clients.techA.get(`/api/v1/attachments/${hostileId}`);
      assert.equal(hostile.statusCode, 200);
      assert.deepEqual(hostile.rawPayload, passwd);
      assert.equal(
        hostile.headers['content-type'],
        'application/octet-stream',
        'the declared text/plain is never served',
      );
      assert.equal(hostile.headers['content-disposition'], `attachment; filename="passwd"; filename*=UTF-8''passwd`);
      assert.equal((await clients.admin.get(`/api/v1/attachments/${hostileId}`)).statusCode, 200);
    });

    it('answers 404 to whoever may not see the ticket (another ticket’s requester, another group’s technician), 401 signed out', async () => {
      for (const who of ['reqB', 'techB'] as const) {
        const response = await clients[who].get(`/api/v1/attachments/${accentedId}`);
        assert.equal(response.statusCode, 404, `${who}: ${response.body}`);
        assert.equal(response.json().code, 'ATTACHMENT_NOT_FOUND');
        assert.equal(response.headers['content-disposition'], undefined);
      }
      const unknown = await clients.reqB.get('/api/v1/attachments/AAAAAAAAAAAAAAAAAAAAAA');
      assert.equal(unknown.statusCode, 404);
      assert.equal(
        unknown.json().message,
        (await clients.reqB.get(`/api/v1/attachments/${accentedId}`))
          .json()
          .message.replace(accentedId, 'AAAAAAAAAAAAAAAAAAAAAA'),
      );
      assert.equal((await clients.anonymous.get(`/api/v1/attachments/${accentedId}`)).statusCode, 401);
      assert.equal((await clients.reqA.get('/api/v1/attachments/..%2F..%2Fetc%2Fpasswd')).statusCode, 400);
    });

    it('a stranger’s mail is held with its attachments; attached by a reviewer as an internal note, the requester cannot download them', async () => {
      const raw = multipartMail(
        {
          From: 'Vendor <vendor@elsewhere.example>',
          To: `desk@${DOMAIN}`,
          Subject: `About [#${w.ticketA.number}]`,
          'Message-ID': newMessageId(),
        },
        'Our quote is attached.',
        [file('\u200B.htaccess', Buffer.from('Deny from all')), file('quote\u202Egnp.exe', bytes(500))],
      );
      const held = await deliver(raw, `desk@${DOMAIN}`);
      assert.equal(held.status, 'held', held.reasonText ?? '');
      const kept = await storage.attachments.attachmentsOfInboundMail(held.id);
      assert.deepEqual(
        kept.map((a) => [a.name, a.messageId, a.ticketId]),
        [
          ['htaccess', null, null],
          ['quotegnp.exe', null, null],
        ],
      );
      // Not in any thread yet: nobody downloads it.
      assert.equal((await clients.admin.get(`/api/v1/attachments/${kept[0]!.id}`)).statusCode, 404);

      const attached = await clients.techA.post(`/api/v1/inbound-mail/${held.id}/attach`, {
        ticketNumber: w.ticketA.number,
      });
      assert.equal(attached.statusCode, 200, attached.body);
      assert.equal(attached.json().message.internal, true);
      const staffThread = await threadOf(clients.techA, w.ticketA.number);
      const note = staffThread.find((m) => m.id === attached.json().message.id)!;
      assert.deepEqual(
        note.attachments.map((a) => a.name),
        ['htaccess', 'quotegnp.exe'],
      );
      assert.equal((await clients.techA.get(`/api/v1/attachments/${note.attachments[1]!.id}`)).statusCode, 200);
      // The requester of the ticket sees neither the note nor its attachments.
      assert.ok(!(await threadOf(clients.reqA, w.ticketA.number)).some((m) => m.id === note.id));
      const denied = await clients.reqA.get(`/api/v1/attachments/${note.attachments[1]!.id}`);
      assert.equal(denied.statusCode, 404);
      assert.equal(denied.json().code, 'ATTACHMENT_NOT_FOUND');
    });

    it('a discarded held mail leaves no attachment behind (the raw mail stays)', async () => {
      const raw = multipartMail(
        { From: 'x@elsewhere.example', To: `desk@${DOMAIN}`, Subject: 'Hello', 'Message-ID': newMessageId() },
        'See attached.',
        [file('a.bin', bytes(10))],
      );
      const held = await deliver(raw, `desk@${DOMAIN}`);
      assert.equal(held.status, 'held');
      assert.equal((await storage.attachments.attachmentsOfInboundMail(held.id)).length, 1);
      // A mail of no ticket: an administrator's to review (no support mailbox team is set here).
      assert.equal((await clients.admin.post(`/api/v1/inbound-mail/${held.id}/discard`)).statusCode, 200);
      assert.equal((await storage.attachments.attachmentsOfInboundMail(held.id)).length, 0);
    });

    it('an oversized attachment is skipped and the message and the inbound mail say so', async () => {
      const small = {
        ...inbound,
        mailParser: new MailparserMailParser({ maxBytes: 64 * 1024, maxTotalBytes: 80 * 1024 }),
      };
      const { raw, to } = replyOnA(w.requesterA, 'Logs attached.', [
        file('big.zip', bytes(200 * 1024)),
        file('app.log', bytes(40 * 1024)),
        file('second.log', bytes(50 * 1024)),
        file('tiny.txt', Buffer.from('ok'), 'text/plain'),
      ]);
      const done = await deliver(raw, to, small);
      assert.equal(done.status, 'posted', done.reasonText ?? '');
      const expected =
        '[2 attachments were not kept: big.zip (200 KB, too large); second.log (50 KB, over the total size kept per mail)]';
      assert.equal(done.attachmentNote, expected);
      const posted = (await threadOf(clients.reqA, w.ticketA.number)).at(-1)!;
      assert.equal(posted.text, `Logs attached.\n\n${expected}`);
      assert.deepEqual(
        posted.attachments.map((a) => [a.name, a.size]),
        [
          ['app.log', 40 * 1024],
          ['tiny.txt', 2],
        ],
      );
      assert.deepEqual(
        (await clients.reqA.get(`/api/v1/attachments/${posted.attachments[0]!.id}`)).rawPayload,
        bytes(40 * 1024),
      );
    });

    it('30 attachments: the first 20 are kept in order, the other 10 named as not kept', async () => {
      const parts = Array.from({ length: 30 }, (_, i) =>
        file(`file-${String(i + 1).padStart(2, '0')}.txt`, Buffer.from(`content ${i + 1}`), 'text/plain'),
      );
      const { raw, to } = replyOnA(w.requesterA, 'Thirty files.', parts);
      const done = await deliver(raw, to);
      assert.equal(done.status, 'posted', done.reasonText ?? '');
      const posted = (await threadOf(clients.techA, w.ticketA.number)).at(-1)!;
      assert.deepEqual(
        posted.attachments.map((a) => a.name),
        parts.slice(0, 20).map((_, i) => `file-${String(i + 1).padStart(2, '0')}.txt`),
      );
      assert.match(
        posted.text,
        /^Thirty files\.\n\n\[10 attachments were not kept: file-21\.txt \(10 B, too many attachments\); .*file-30\.txt \(10 B, too many attachments\)\]$/,
      );
      // Processing the mail again (a crash, a second process) adds nothing.
      await processInboundMail(inbound, done.id);
      assert.equal((await storage.attachments.attachmentsOfMessages([posted.id])).length, 20);
    });

    it('a mail that opens a ticket keeps its attachments on the ticket, shown with it and downloadable by its requester only', async () => {
      const raw = multipartMail(
        {
          From: `"${w.requesterB.name}" <${w.requesterB.email}>`,
          To: `desk@${DOMAIN}`,
          Subject: 'Scanner broken',
          'Message-ID': newMessageId(),
        },
        'The scanner shows error E42, photo attached.',
        [file('error.jpg', bytes(2048), 'image/jpeg')],
      );
      const done = await deliver(raw, `desk@${DOMAIN}`);
      assert.deepEqual([done.status, done.reason], ['posted', 'new-ticket'], done.reasonText ?? '');
      const ticket = await clients.reqB.get(`/api/v1/tickets/${done.ticketId}`);
      assert.equal(ticket.statusCode, 200, ticket.body);
      const [photo] = ticket.json().attachments as { id: string; name: string; size: number }[];
      assert.deepEqual([photo!.name, photo!.size], ['error.jpg', 2048]);
      assert.deepEqual((await clients.reqB.get(`/api/v1/attachments/${photo!.id}`)).rawPayload, bytes(2048));
      assert.equal((await clients.reqA.get(`/api/v1/attachments/${photo!.id}`)).statusCode, 404);
      assert.deepEqual((await clients.reqA.get(`/api/v1/tickets/${w.ticketA.number}`)).json().attachments, []);
    });

    it('a reply with an attachment and no text of its own is posted, saying so', async () => {
      const { raw, to } = replyOnA(w.requesterA, '', [file('screenshot.png', bytes(1234), 'image/png')]);
      const done = await deliver(raw, to);
      assert.equal(done.status, 'posted', done.reasonText ?? '');
      const posted = (await threadOf(clients.reqA, w.ticketA.number)).at(-1)!;
      assert.equal(posted.text, '(Sent an attachment without text.)');
      assert.deepEqual(
        posted.attachments.map((a) => [a.name, a.contentType]),
        [['screenshot.png', 'image/png']],
      );
    });
  });
}
