/**
 * Bounces and Message-IDs, end to end on SQLite and PostgreSQL: notifications go out through the real SMTP transport
 * to a real SMTP server (the sink) with their signed bounce address as envelope sender (VERP); delivery reports come
 * back through the real SMTP receiver (`MAIL FROM:<>`, as MTAs send them) and only a report at the signed bounce
 * address of the mail it reports on fails that mail. Message-IDs carry 128 random bits.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import { MailparserMailParser } from '../../src/adapters/inbound/mailparser-mail-parser.ts';
import { SmtpReceiver } from '../../src/adapters/inbound/smtp-receiver.ts';
import { NodemailerMailTransports } from '../../src/adapters/smtp/nodemailer-mail-transports.ts';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { InboundIngestor } from '../../src/delivery/workers/inbound-ingestor.ts';
import type { Deps } from '../../src/domain/deps.ts';
import type { InboundMail } from '../../src/domain/inbound/inbound-mail.ts';
import { processInboundMail } from '../../src/domain/inbound/process-inbound-mail.ts';
import { receiveMail } from '../../src/domain/inbound/receive-mail.ts';
import type { InboundDeps } from '../../src/domain/inbound/inbound-deps.ts';
import { postMessage } from '../../src/domain/messages/post-message.ts';
import { bounceAddress } from '../../src/domain/notifications/bounce-address.ts';
import { dispatchBatch, type DispatchPolicy } from '../../src/domain/notifications/dispatch-outbox.ts';
import type { OutboxEntry } from '../../src/domain/notifications/outbox-entry.ts';
import { saveSmtpAccount } from '../../src/domain/parameters/save-smtp-account.ts';
import { eml } from '../fixtures/eml/eml.ts';
import { postgres, sqliteFile } from '../support/databases.ts';
import { buildWorld, testDeps, type World } from '../support/fixtures.ts';
import { SmtpSink, waitUntil } from '../support/smtp-sink.ts';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';

const DOMAIN = 'desk.example.test';
const SUPPORT = 'desk@example.test';
const silentLog = { info() {}, warn() {}, error() {} };
const POLICY: DispatchPolicy = {
  batchSize: 50,
  concurrency: 4,
  leaseSeconds: 60,
  retryBaseSeconds: 60,
  retryMaxSeconds: 600,
  giveUpHours: 120,
};
let dsnCounter = 0;

/** Sends raw bytes over SMTP as a mail server sends a delivery report: `MAIL FROM:<>`, one recipient. */
async function sendAsMailer(port: number, rcptTo: string, raw: Buffer): Promise<string> {
  const connection = new SMTPConnection({
    host: '127.0.0.1',
    port,
    ignoreTLS: true,
    connectionTimeout: 5000,
    socketTimeout: 20_000,
  });
  try {
    await new Promise<void>((resolve, reject) => {
      connection.once('error', reject);
      connection.connect(() => resolve());
    });
    return await new Promise<string>((resolve, reject) =>
      connection.send({ from: '', to: [rcptTo] }, raw, (error, info) =>
        error ? reject(error) : resolve(String(info.response)),
      ),
    );
  } finally {
    connection.quit();
  }
}

for (const database of [sqliteFile, postgres]) {
  describe(`bounces and Message-IDs on ${database.name}`, () => {
    let storage: SqlStorage;
    let drop: () => Promise<void>;
    let deps: Deps;
    let inbound: InboundDeps;
    let w: World;
    let sink: SmtpSink;
    let transports: NodemailerMailTransports;
    let ingestor: InboundIngestor;
    let receiver: SmtpReceiver;

    before(async () => {
      ({ storage, drop } = await database.open());
      deps = testDeps(storage);
      inbound = {
        ...deps,
        mailParser: new MailparserMailParser(),
        policy: { perSenderPerMinute: 1000, maxAttempts: 5 },
      };
      w = await buildWorld(deps);
      sink = await SmtpSink.start();
      await saveSmtpAccount(deps, CLI_ORIGIN, w.admin, {
        host: '127.0.0.1',
        port: sink.port,
        security: 'none',
        auth: false,
        from: SUPPORT,
        fromName: 'Service Desk',
      });
      transports = new NodemailerMailTransports({
        maxConnections: 2,
        connectionTimeoutMs: 2000,
        greetingTimeoutMs: 2000,
        socketTimeoutMs: 4000,
        idleMs: 1000,
      });
      ingestor = new InboundIngestor(inbound, { sweepMs: 60_000, concurrency: 2, log: silentLog });
      receiver = new SmtpReceiver({
        host: '127.0.0.1',
        port: 0,
        name: DOMAIN,
        maxBytes: 25 * 1024 * 1024,
        ...ingestor.receiverHooks(),
      });
      await ingestor.start(receiver);
    });
    after(async () => {
      await ingestor.stop();
      transports.closeAll();
      await sink.close();
      await storage.close();
      await drop();
    });

    /** A technician's message on ticket A (or B): its one notification (to requester A, or B), queued. */
    async function queued(text: string, ticket: 'A' | 'B' = 'A'): Promise<OutboxEntry> {
      const [tech, number, requester] =
        ticket === 'A' ? [w.techA, w.ticketA.number, w.requesterA] : [w.techB, w.ticketB.number, w.requesterB];
      const posted = await postMessage(deps, tech, { ticketNumber: number, text, source: 'desk' });
      const [entry] = await storage.outbox.outboxOfMessages([posted.message.id]);
      assert.equal(entry!.toAddress, requester.email);
      return entry!;
    }

    /** The same, sent to the sink by the dispatcher through the real SMTP transport. */
    async function sent(text: string, ticket: 'A' | 'B' = 'A'): Promise<OutboxEntry> {
      const entry = await queued(text, ticket);
      await dispatchBatch({ ...deps, transports }, POLICY);
      const after = (await storage.outbox.findOutboxEntry(entry.id))!;
      assert.equal(after.status, 'sent', after.lastReply ?? '');
      return after;
    }

    /** A Postfix delivery report about `entry`, sent to `rcptTo` over SMTP from `<>`; resolves once it is decided. */
    async function bounce(
      entry: Pick<OutboxEntry, 'toAddress' | 'messageIdHeader'>,
      rcptTo: string,
    ): Promise<InboundMail> {
      const messageId = `<dsn.${++dsnCounter}.${Date.now()}@mx.example.net>`;
      const raw = eml('dsn-postfix', {
        TO: rcptTo,
        MESSAGE_ID: messageId,
        FAILED_RECIPIENT: entry.toAddress,
        TICKET: w.ticketA.number,
        ORIGINAL_MESSAGE_ID: entry.messageIdHeader,
      });
      assert.match(await sendAsMailer(receiver.port, rcptTo, raw), /^250 /);
      return waitUntil(async () => {
        const page = await storage.inbound.listInboundMail({ scope: { kind: 'all' } }, { limit: 20 });
        return page.items.find((m) => m.messageIdHeader === messageId && m.status !== 'received');
      }, 'the delivery report to be decided');
    }

    const attemptsOf = async (id: number) => (await storage.outbox.findOutboxEntry(id))!.attempts.length;

    // threat: A forged DSN from `MAIL FROM:<>` naming a guessed Message-ID
    it('each notification leaves with its signed bounce address as envelope sender (seen by a real SMTP server); the From header stays the account’s', async () => {
      const entry = await sent('Is the printer working again?');
      const onWire = sink.accepted.find((m) => m.messageId === entry.messageIdHeader);
      assert.ok(onWire, 'the sink received the notification');
      assert.equal(onWire.envelope.mailFrom, bounceAddress(deps.signer, DOMAIN, entry.id));
      assert.match(
        onWire.envelope.mailFrom!,
        new RegExp(`^bounce\\+${entry.id}\\.[0-9a-f]{24}@desk\\.example\\.test$`),
      );
      assert.deepEqual(onWire.envelope.rcptTo, [w.requesterA.email]);
      const head = onWire.raw.toString('utf8').split('\r\n\r\n')[0]!;
      assert.match(head, /^From: Service Desk <desk@example\.test>$/m);
      assert.doesNotMatch(head, /bounce\+/, 'the bounce address is in the envelope only');
      // Two mails, two different bounce addresses: each names one mail.
      const other = await sent('And the scanner?');
      assert.notEqual(
        sink.accepted.find((m) => m.messageId === other.messageIdHeader)?.envelope.mailFrom,
        onWire.envelope.mailFrom,
      );
    });

    // threat: A forged DSN from `MAIL FROM:<>` naming a guessed Message-ID
    it('a forged delivery report from <> naming a real Message-ID, sent to the support address, changes no mail (sent or queued): held as an unverified bounce', async () => {
      const delivered = await sent('Please confirm the new toner arrived.');
      const attempts = await attemptsOf(delivered.id);
      const held = await bounce(delivered, SUPPORT);
      assert.deepEqual([held.status, held.reason, held.outboxId], ['held', 'unverified-bounce', null]);
      assert.equal(held.ticketId, w.ticketA.id, 'it names the ticket of the notification it claims to report on');
      assert.match(held.reasonText ?? '', new RegExp(`notification #${delivered.id}, which is left as it is`));
      const afterSent = (await storage.outbox.findOutboxEntry(delivered.id))!;
      assert.deepEqual([afterSent.status, afterSent.attempts.length], ['sent', attempts]);

      // A mail still waiting to go out is not suppressed either.
      const waiting = await queued('One more thing about the toner.');
      const heldToo = await bounce(waiting, SUPPORT);
      assert.deepEqual([heldToo.status, heldToo.reason], ['held', 'unverified-bounce']);
      const afterQueued = (await storage.outbox.findOutboxEntry(waiting.id))!;
      assert.deepEqual([afterQueued.status, afterQueued.attempts.length], ['queued', 0]);
    });

    // threat: A forged DSN from `MAIL FROM:<>` naming a guessed Message-ID
    it('a report to a bounce address with a wrong signature, or to another mail’s bounce address, is held and marks nothing', async () => {
      const target = await sent('Your access card is ready.');
      const good = bounceAddress(deps.signer, DOMAIN, target.id);
      const signature = /\.([0-9a-f]{24})@/.exec(good)![1]!;
      const flipped = `${signature.slice(0, -1)}${signature.endsWith('0') ? '1' : '0'}`;
      for (const forged of [
        `bounce+${target.id}.${'0'.repeat(24)}@${DOMAIN}`,
        good.replace(signature, flipped),
        `bounce+${target.id}@${DOMAIN}`,
      ]) {
        const held = await bounce(target, forged);
        assert.deepEqual([held.status, held.reason], ['held', 'unverified-bounce'], forged);
      }
      // The signed bounce address of a mail the attacker received (so knows), used to report on someone else's.
      const own = await sent('Another notification, whose bounce address its recipient can see.', 'B');
      const misused = await bounce(target, bounceAddress(deps.signer, DOMAIN, own.id));
      assert.deepEqual([misused.status, misused.reason], ['held', 'unverified-bounce']);
      for (const id of [target.id, own.id]) assert.equal((await storage.outbox.findOutboxEntry(id))!.status, 'sent');
    });

    // threat: `Auto-Submitted` other than `no`, `Precedence: bulk|list|junk`, `X-Loop`, a null return path
    it('a real delivery report at the mail’s own bounce address fails the sent mail (attempt "bounced" with the report’s status)', async () => {
      const entry = await sent('We will replace the monitor on Monday.');
      const envelopeSender = sink.accepted.find((m) => m.messageId === entry.messageIdHeader)!.envelope.mailFrom!;
      const done = await bounce(entry, envelopeSender);
      assert.deepEqual(
        [done.status, done.reason, done.outboxId, done.ticketId],
        ['bounce', 'bounce-of-notification', entry.id, w.ticketA.id],
      );
      assert.equal(done.envelopeFrom, '', 'it came from the null return path');
      const failed = (await storage.outbox.findOutboxEntry(entry.id))!;
      assert.equal(failed.status, 'failed');
      assert.equal(failed.attempts.at(-1)!.result, 'bounced');
      assert.match(failed.attempts.at(-1)!.reply ?? '', /5\.1\.1/);
      // The same address in a different case (some MTAs fold it) still verifies.
      const another = await sent('A second notice about the monitor.');
      const folded = await bounce(another, bounceAddress(deps.signer, DOMAIN, another.id).toUpperCase());
      assert.deepEqual(
        [folded.status, (await storage.outbox.findOutboxEntry(another.id))!.status],
        ['bounce', 'failed'],
      );
    });

    // threat: A forged DSN from `MAIL FROM:<>` naming a guessed Message-ID
    it('mail fetched without an envelope (IMAP): the Delivered-To/To claim counts only with a valid signature', async () => {
      const store = async (entry: OutboxEntry, claimed: string) => {
        const raw = Buffer.concat([
          Buffer.from(`Delivered-To: ${claimed}\r\n`),
          eml('dsn-postfix', {
            TO: claimed,
            MESSAGE_ID: `<imap-dsn.${++dsnCounter}@mx.example.net>`,
            FAILED_RECIPIENT: entry.toAddress,
            TICKET: w.ticketA.number,
            ORIGINAL_MESSAGE_ID: entry.messageIdHeader,
          }),
        ]);
        const id = await receiveMail(deps, {
          raw,
          sha256: createHash('sha256').update(raw).digest('hex'),
          envelopeFrom: null,
          envelopeTo: [],
          remoteAddress: 'imap:test',
        });
        return (await processInboundMail(inbound, id))!;
      };
      const forgedTarget = await sent('IMAP case, forged.');
      const forged = await store(forgedTarget, `bounce+${forgedTarget.id}.${'a'.repeat(24)}@${DOMAIN}`);
      assert.deepEqual(
        [forged.status, forged.reason, (await storage.outbox.findOutboxEntry(forgedTarget.id))!.status],
        ['held', 'unverified-bounce', 'sent'],
      );
      const realTarget = await sent('IMAP case, real.');
      const real = await store(realTarget, bounceAddress(deps.signer, DOMAIN, realTarget.id));
      assert.deepEqual(
        [real.status, real.outboxId, (await storage.outbox.findOutboxEntry(realTarget.id))!.status],
        ['bounce', realTarget.id, 'failed'],
      );
    });

    // threat: A forged DSN from `MAIL FROM:<>` naming a guessed Message-ID
    it('the Message-IDs of 1,000 mails are unique, each with 128 random bits: no shared prefix to guess from', async () => {
      const messageIds: number[] = [];
      for (let k = 0; k < 20; k++) {
        const batch = await Promise.all(
          Array.from({ length: 50 }, (_, j) =>
            postMessage(deps, w.techB, {
              ticketNumber: w.ticketB.number,
              text: `Update ${k * 50 + j}`,
              source: 'desk',
            }),
          ),
        );
        messageIds.push(...batch.map((p) => p.message.id));
      }
      const headers = (await storage.outbox.outboxOfMessages(messageIds)).map((e) => e.messageIdHeader);
      assert.equal(headers.length, 1000);
      assert.equal(new Set(headers).size, 1000, 'unique');
      const random = headers.map((h) => {
        const m = new RegExp(`^<parley\\.${w.ticketB.number}\\.([0-9a-f]{32})@desk\\.example\\.test>$`).exec(h);
        assert.ok(m, h);
        return m[1]!;
      });
      // 32 hex digits = 128 bits, and every digit varies: a per-process prefix or a counter would show as positions
      // with one or a few values (1,000 random draws give all 16 digits at each position, bar a 1 in 10^25 chance).
      for (let position = 0; position < 32; position++) {
        assert.ok(new Set(random.map((r) => r[position])).size >= 12, `position ${position} varies`);
      }
      // No two share their first 12 digits (48 bits): the chance for 1,000 random ids is about 2 in a billion.
      assert.equal(new Set(random.map((r) => r.slice(0, 12))).size, 1000);
    });
  });
}
