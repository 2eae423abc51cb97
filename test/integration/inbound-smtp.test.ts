/**
 * The SMTP receiver end to end: a reply sent over SMTP (Nodemailer) is stored before the `250`, processed, posted with
 * source `email`, and the other party's notification is queued; storage failures answer 451; only <CRLF>.<CRLF> ends
 * DATA; size limits hold for a 30 MB mail and a 30 MB line with no end; 10,000 MIME parts are processed. Servers
 * listen on 127.0.0.1, port 0, and are closed by each test.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import nodemailer from 'nodemailer';
import { MailparserMailParser } from '../../src/adapters/inbound/mailparser-mail-parser.ts';
import { SmtpReceiver } from '../../src/adapters/inbound/smtp-receiver.ts';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { InboundIngestor } from '../../src/delivery/workers/inbound-ingestor.ts';
import type { RawMail } from '../../src/domain/inbound/inbound-mail.ts';
import type { InboundDeps } from '../../src/domain/inbound/inbound-deps.ts';
import { postMessage } from '../../src/domain/messages/post-message.ts';
import { eml } from '../fixtures/eml/eml.ts';
import { postgres, sqliteFile } from '../support/databases.ts';
import { buildWorld, testDeps, type World } from '../support/fixtures.ts';
import { verified } from '../support/sender.ts';
import { waitUntil } from '../support/smtp-sink.ts';

const DOMAIN = 'desk.example.test';
const silentLog = { info() {}, warn() {}, error() {} };
const MB = 1024 * 1024;

async function startReceiver(
  store: (mail: RawMail) => Promise<number>,
  maxBytes = 25 * MB,
  stored?: (id: number) => void,
) {
  const receiver = new SmtpReceiver({
    host: '127.0.0.1',
    port: 0,
    name: DOMAIN,
    maxBytes,
    store,
    ...(stored ? { stored } : {}),
    onError: () => {},
  });
  await receiver.start();
  return receiver;
}

function transport(port: number) {
  return nodemailer.createTransport({
    host: '127.0.0.1',
    port,
    secure: false,
    ignoreTLS: true,
    connectionTimeout: 5000,
    socketTimeout: 20_000,
  });
}

/** A raw SMTP client: write lines, read replies. */
class RawSmtp {
  private buffer = '';
  private waiters: (() => void)[] = [];
  private constructor(private readonly socket: Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      this.buffer += d;
      for (const w of this.waiters.splice(0)) w();
    });
    socket.on('error', () => {});
  }
  static async open(port: number): Promise<RawSmtp> {
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const client = new RawSmtp(socket);
    await client.reply();
    return client;
  }
  /** The next complete reply (its last line), e.g. "250 ...". */
  async reply(timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = /^(\d{3}) .*\r\n/m.exec(this.buffer);
      if (m) {
        this.buffer = this.buffer.slice(m.index + m[0].length);
        return m[0].trim();
      }
      if (Date.now() > deadline) throw new Error(`no SMTP reply; have ${JSON.stringify(this.buffer.slice(0, 200))}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }
  async command(line: string): Promise<string> {
    this.socket.write(`${line}\r\n`);
    return this.reply();
  }
  async write(data: string | Buffer): Promise<void> {
    if (!this.socket.write(data)) await new Promise((resolve) => this.socket.once('drain', resolve));
  }
  close() {
    this.socket.destroy();
  }
}

describe('SMTP receiver protocol limits', () => {
  // threat: `250` only after the raw mail is stored durably; a storage failure answers 4xx, never 250.
  it('answers 451 when the mail cannot be stored, and 250 only once it is', async () => {
    let fail = true;
    const stored: RawMail[] = [];
    const receiver = await startReceiver(async (mail) => {
      if (fail) throw new Error('disk full');
      stored.push(mail);
      return stored.length;
    });
    const t = transport(receiver.port);
    try {
      const envelope = { from: 'a@example.org', to: [`desk@${DOMAIN}`] };
      const raw = 'From: a@example.org\r\nSubject: hi\r\n\r\nhello\r\n';
      await assert.rejects(
        t.sendMail({ envelope, raw }),
        (error: { responseCode?: number }) => error.responseCode === 451,
      );
      assert.equal(stored.length, 0);
      fail = false;
      const info = await t.sendMail({ envelope, raw });
      assert.match(info.response, /^250 .*inbound mail 1/);
      assert.equal(stored.length, 1);
      assert.equal(Buffer.from(stored[0]!.raw).toString(), raw);
      assert.deepEqual(stored[0]!.envelopeTo, [`desk@${DOMAIN}`]);
      assert.equal(stored[0]!.envelopeFrom, 'a@example.org');
      assert.match(stored[0]!.sha256, /^[0-9a-f]{64}$/);
    } finally {
      t.close();
      await receiver.stop();
    }
  });

  // threat: Only `<CRLF>.<CRLF>` ends DATA: a bare `\n.\n` does not split one message into two (SMTP smuggling).
  it('ends DATA only on <CRLF>.<CRLF>: a bare LF dot LF does not split the mail (no SMTP smuggling); MAIL FROM:<> is kept as null', async () => {
    const stored: RawMail[] = [];
    const receiver = await startReceiver(async (mail) => stored.push(mail));
    const c = await RawSmtp.open(receiver.port);
    try {
      assert.match(await c.command('EHLO client.example.org'), /^250 /);
      assert.match(await c.command('MAIL FROM:<>'), /^250 /);
      assert.match(await c.command(`RCPT TO:<desk@${DOMAIN}>`), /^250 /);
      assert.match(await c.command('DATA'), /^354 /);
      await c.write(
        'Subject: one\r\n\r\nfirst part\n.\nMAIL FROM:<evil@example.org>\nRCPT TO:<victim@example.org>\nDATA\nsmuggled\n.\r\nstill the same mail\r\n.\r\n',
      );
      assert.match(await c.reply(), /^250 /);
      assert.match(await c.command('QUIT'), /^221 /);
      assert.equal(stored.length, 1);
      const text = Buffer.from(stored[0]!.raw).toString();
      assert.match(text, /smuggled/);
      assert.match(text, /still the same mail/);
      assert.equal(stored[0]!.envelopeFrom, '');
    } finally {
      c.close();
      await receiver.stop();
    }
  });

  // threat: Pathological mail (10,000 MIME parts, 30 MB, 100 MB without a newline, 5,000 links, deep quote nesting)
  it('refuses a 30 MB mail with 552 and stores nothing', async () => {
    const stored: RawMail[] = [];
    const receiver = await startReceiver(async (mail) => stored.push(mail));
    const t = transport(receiver.port);
    try {
      const line = `${'x'.repeat(998)}\r\n`;
      const raw = Buffer.from(
        `From: a@example.org\r\nSubject: big\r\n\r\n${line.repeat(Math.ceil((30 * MB) / line.length))}`,
      );
      await assert.rejects(
        t.sendMail({ envelope: { from: 'a@example.org', to: [`desk@${DOMAIN}`] }, raw }),
        (error: { responseCode?: number }) => error.responseCode === 552,
      );
      assert.equal(stored.length, 0);
    } finally {
      t.close();
      await receiver.stop();
    }
  });

  // threat: Pathological mail (10,000 MIME parts, 30 MB, 100 MB without a newline, 5,000 links, deep quote nesting)
  it('counts and drops a 30 MB line with no end (never buffered), answers 552, and keeps serving the connection', async () => {
    const stored: RawMail[] = [];
    const receiver = await startReceiver(async (mail) => stored.push(mail), 1 * MB);
    const c = await RawSmtp.open(receiver.port);
    try {
      await c.command('EHLO client.example.org');
      await c.command('MAIL FROM:<a@example.org>');
      await c.command(`RCPT TO:<desk@${DOMAIN}>`);
      assert.match(await c.command('DATA'), /^354 /);
      const chunk = Buffer.alloc(MB, 'a');
      for (let k = 0; k < 30; k++) await c.write(chunk);
      await c.write('\r\n.\r\n');
      assert.match(await c.reply(), /^552 /);
      assert.equal(stored.length, 0);
      // The session goes on: a normal mail after it is accepted.
      assert.match(await c.command('MAIL FROM:<a@example.org>'), /^250 /);
      assert.match(await c.command(`RCPT TO:<desk@${DOMAIN}>`), /^250 /);
      assert.match(await c.command('DATA'), /^354 /);
      await c.write('Subject: small\r\n\r\nok\r\n.\r\n');
      assert.match(await c.reply(), /^250 /);
      assert.equal(stored.length, 1);
    } finally {
      c.close();
      await receiver.stop();
    }
  });

  it('bounds a command line with no end (the connection is refused, nothing grows)', async () => {
    const receiver = await startReceiver(async () => 1);
    const c = await RawSmtp.open(receiver.port);
    try {
      await c.write(Buffer.alloc(2 * MB, 'A'));
      const answer = await c.reply().catch(() => 'closed');
      assert.ok(/^[45]\d\d /.test(answer) || answer === 'closed', answer);
    } finally {
      c.close();
      await receiver.stop();
    }
  });
});

for (const database of [sqliteFile, postgres]) {
  describe(`SMTP receiver into ${database.name}`, () => {
    let storage: SqlStorage;
    let drop: () => Promise<void>;
    let w: World;
    let deps: InboundDeps;
    let ingestor: InboundIngestor;
    let receiver: SmtpReceiver;
    let notification: { messageIdHeader: string; threadId: string | null; replyTo: string | null };

    before(async () => {
      ({ storage, drop } = await database.open());
      const base = testDeps(storage);
      deps = { ...base, mailParser: new MailparserMailParser(), policy: { perSenderPerMinute: 1000, maxAttempts: 5 } };
      w = await buildWorld(base);
      const sent = await postMessage(base, w.techB, {
        ticketNumber: w.ticketB.number,
        text: 'Your laptop is ready.',
        source: 'desk',
      });
      notification = (await storage.outbox.outboxOfMessages([sent.message.id]))[0]!;
      ingestor = new InboundIngestor(deps, { sweepMs: 60_000, concurrency: 4, log: silentLog });
      receiver = new SmtpReceiver({
        host: '127.0.0.1',
        port: 0,
        name: DOMAIN,
        maxBytes: 25 * MB,
        ...ingestor.receiverHooks(),
      });
      await ingestor.start(receiver);
    });
    after(async () => {
      await ingestor.stop();
      await storage.close();
      await drop();
    });

    it('a reply sent over SMTP appears in the thread with source email, and the technician’s notification is queued', async () => {
      const raw = eml('apple-mail-es', {
        FROM: w.requesterB.email,
        FROM_NAME: w.requesterB.name,
        TO: notification.replyTo!,
        MESSAGE_ID: `<smtp-e2e-1@mail.example.org>`,
        IN_REPLY_TO: notification.messageIdHeader,
        REFERENCES: `${notification.threadId} ${notification.messageIdHeader}`,
        TICKET: w.ticketB.number,
      });
      const t = transport(receiver.port);
      try {
        const info = await t.sendMail({ envelope: { from: w.requesterB.email, to: [notification.replyTo!] }, raw });
        assert.match(info.response, /^250 /);
      } finally {
        t.close();
      }
      const message = await waitUntil(
        async () => (await storage.messages.listMessages(w.ticketB.id, true)).find((m) => m.source === 'email'),
        'the reply in the thread',
      );
      assert.equal(message.authorId, w.requesterB.id);
      assert.equal(message.text, 'Perfecto, muchas gracias. Lo recojo mañana.');
      const mails = await storage.outbox.outboxOfMessages([message.id]);
      assert.deepEqual(
        mails.map((m) => [m.toAddress, m.status]),
        [['tech.b@example.test', 'queued']],
      );
      const [stored] = (await storage.inbound.listInboundMail({ scope: { kind: 'all' } }, { limit: 10 })).items;
      assert.equal(stored!.status, 'posted');
      assert.deepEqual(stored!.envelopeTo, [notification.replyTo!]);
      // The raw mail is kept exactly as received (dot-stuffing undone).
      assert.deepEqual(Buffer.from((await storage.inbound.inboundRaw(stored!.id))!), raw);
    });

    // threat: Pathological mail (10,000 MIME parts, 30 MB, 100 MB without a newline, 5,000 links, deep quote nesting)
    it('processes a mail of 10,000 MIME parts (bounded: attachments are streamed and dropped)', async () => {
      const boundary = 'b0undary';
      const parts = [`--${boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSee the logs attached.\r\n`];
      for (let k = 1; k < 10_000; k++)
        parts.push(
          `--${boundary}\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename="p${k}.bin"\r\n\r\nAAAA\r\n`,
        );
      // Verified as behind the organisation's MTA (inbound-identity.test.ts tests who wrote).
      const raw = verified(
        Buffer.from(
          `From: ${w.requesterB.email}\r\nTo: desk@${DOMAIN}\r\nSubject: Re: logs\r\nMessage-ID: <many-parts@mail.example.org>\r\nReferences: ${notification.messageIdHeader}\r\n` +
            `MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="${boundary}"\r\n\r\n${parts.join('')}--${boundary}--\r\n`,
        ),
      );
      const t = transport(receiver.port);
      try {
        await t.sendMail({ envelope: { from: w.requesterB.email, to: [`desk@${DOMAIN}`] }, raw });
      } finally {
        t.close();
      }
      const message = await waitUntil(
        async () =>
          (await storage.messages.listMessages(w.ticketB.id, true)).find((m) =>
            m.text.startsWith('See the logs attached.'),
          ),
        'the 10,000-part mail processed',
        60_000,
      );
      assert.equal(message.source, 'email');
      // The first 20 attachments are kept; the rest are named as not kept (issue 7).
      assert.match(
        message.text,
        /^See the logs attached\.\n\n\[9979 attachments were not kept: p21\.bin \(4 B, too many attachments\); .*; and 9969 more\]$/,
      );
      assert.equal((await storage.attachments.attachmentsOfMessages([message.id])).length, 20);
    });
  });
}
