/**
 * Mail put right, end to end on SQLite and PostgreSQL: a message's mail that a real SMTP server refused (550) or
 * that bounced (a delivery report at its signed bounce address) is sent again by a technician to a corrected address,
 * a new outbox entry with a new Message-ID naming the old one, which stays as it was; the person's address is
 * updated (audited); the requester sees the trouble at their current address until they correct it themselves.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { simpleParser } from 'mailparser';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import { MailparserMailParser } from '../../src/adapters/inbound/mailparser-mail-parser.ts';
import { SmtpReceiver } from '../../src/adapters/inbound/smtp-receiver.ts';
import { NodemailerMailTransports } from '../../src/adapters/smtp/nodemailer-mail-transports.ts';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { InboundIngestor } from '../../src/delivery/workers/inbound-ingestor.ts';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';
import type { Deps } from '../../src/domain/deps.ts';
import { dispatchBatch, type DispatchPolicy } from '../../src/domain/notifications/dispatch-outbox.ts';
import type { OutboxEntry } from '../../src/domain/notifications/outbox-entry.ts';
import { saveSmtpAccount } from '../../src/domain/parameters/save-smtp-account.ts';
import { eml } from '../fixtures/eml/eml.ts';
import { postgres, sqliteFile } from '../support/databases.ts';
import { buildWorld, TEST_PASSWORD, testDeps, type World } from '../support/fixtures.ts';
import { signIn, testApp, type Client } from '../support/http.ts';
import { SmtpSink, waitUntil } from '../support/smtp-sink.ts';

const DOMAIN = 'desk.example.test';
const silentLog = { info() {}, warn() {}, error() {} };
const POLICY: DispatchPolicy = {
  batchSize: 50,
  concurrency: 2,
  leaseSeconds: 60,
  retryBaseSeconds: 60,
  retryMaxSeconds: 600,
  giveUpHours: 120,
};
let dsnCounter = 0;

/** Sends raw bytes over SMTP as a mail server sends a delivery report: `MAIL FROM:<>`, one recipient. */
async function sendAsMailer(port: number, rcptTo: string, raw: Buffer): Promise<string> {
  const connection = new SMTPConnection({ host: '127.0.0.1', port, ignoreTLS: true, connectionTimeout: 5000 });
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

interface MailLine {
  id: number;
  to: string;
  status: string;
  resentFromId: number | null;
}

for (const database of [sqliteFile, postgres]) {
  describe(`mail put right on ${database.name}`, () => {
    let storage: SqlStorage;
    let drop: () => Promise<void>;
    let deps: Deps;
    let w: World;
    let sink: SmtpSink;
    let transports: NodemailerMailTransports;
    let ingestor: InboundIngestor;
    let receiver: SmtpReceiver;
    let app: FastifyInstance;
    let tech: Client;
    let requester: Client;

    before(async () => {
      ({ storage, drop } = await database.open());
      deps = testDeps(storage);
      w = await buildWorld(deps);
      sink = await SmtpSink.start();
      await saveSmtpAccount(deps, CLI_ORIGIN, w.admin, {
        host: '127.0.0.1',
        port: sink.port,
        security: 'none',
        auth: false,
        from: 'desk@example.test',
        fromName: 'Service Desk',
      });
      transports = new NodemailerMailTransports({
        maxConnections: 2,
        connectionTimeoutMs: 2000,
        greetingTimeoutMs: 2000,
        socketTimeoutMs: 4000,
        idleMs: 1000,
      });
      const inbound = {
        ...deps,
        mailParser: new MailparserMailParser(),
        policy: { perSenderPerMinute: 1000, maxAttempts: 5 },
      };
      ingestor = new InboundIngestor(inbound, { sweepMs: 60_000, concurrency: 2, log: silentLog });
      receiver = new SmtpReceiver({
        host: '127.0.0.1',
        port: 0,
        name: DOMAIN,
        maxBytes: 25 * 1024 * 1024,
        ...ingestor.receiverHooks(),
      });
      await ingestor.start(receiver);
      app = await testApp(deps);
      tech = await signIn(app, w.techA.email);
      requester = await signIn(app, w.requesterA.email);
    });
    after(async () => {
      await app.close();
      await ingestor.stop();
      transports.closeAll();
      await sink.close();
      await storage.close();
      await drop();
    });

    /** techA's message on ticket A, through the API; its one mail (to requester A) after a dispatch. */
    async function messageToRequester(text: string): Promise<OutboxEntry> {
      const posted = await tech.post(`/api/v1/tickets/${w.ticketA.number}/messages`, { text });
      assert.equal(posted.statusCode, 201, posted.body);
      const [entry] = await storage.outbox.outboxOfMessages([posted.json().message.id]);
      await dispatchBatch({ ...deps, transports }, POLICY);
      return (await storage.outbox.findOutboxEntry(entry!.id))!;
    }

    const resend = (client: Client, id: number, email: string) =>
      client.post(`/api/v1/tickets/${w.ticketA.number}/mails/${id}/resend`, { email });

    /** Sends the new entry and reads it back from the sink, parsed. */
    async function deliveredResend(newId: number) {
      await dispatchBatch({ ...deps, transports }, POLICY);
      const entry = (await storage.outbox.findOutboxEntry(newId))!;
      assert.equal(entry.status, 'sent', entry.lastReply ?? '');
      const onWire = sink.accepted.find((m) => m.messageId === entry.messageIdHeader);
      assert.ok(onWire, 'the sink received the mail sent again');
      return { entry, onWire, parsed: await simpleParser(onWire.raw) };
    }

    async function threadMails(): Promise<MailLine[]> {
      const r = await tech.get(`/api/v1/tickets/${w.ticketA.number}/messages`);
      assert.equal(r.statusCode, 200, r.body);
      return (r.json().items as { mail: MailLine[] }[]).flatMap((m) => m.mail);
    }

    it('resend after a 550 with the new Message-ID delivered and the old kept; the thread links them, the address is updated', async () => {
      sink.rejectRecipient(w.requesterA.email);
      const old = await messageToRequester('Your laptop is ready for pick-up.');
      sink.accept();
      assert.equal(old.status, 'failed', old.lastReply ?? '');
      assert.match(old.lastReply ?? '', /550/);
      // The requester is told, at the address they still have.
      const trouble = await requester.get('/api/v1/me/mail-trouble');
      assert.equal(trouble.json().trouble.address, w.requesterA.email);

      // Refusals, none of which writes anything.
      const byRequester = await resend(requester, old.id, 'someone@example.test');
      assert.equal(byRequester.statusCode, 403, byRequester.body);
      const invalid = await resend(tech, old.id, 'not an address');
      assert.deepEqual([invalid.statusCode, invalid.json().code], [422, 'USER_INVALID']);
      const same = await resend(tech, old.id, w.requesterA.email.toUpperCase());
      assert.deepEqual([same.statusCode, same.json().code], [422, 'MAIL_ADDRESS_UNCHANGED']);
      const taken = await resend(tech, old.id, w.requesterB.email);
      assert.deepEqual([taken.statusCode, taken.json().code], [409, 'USER_EMAIL_TAKEN']);
      assert.match(taken.json().message, /belongs to another user/);
      const otherTech = await signIn(app, w.techB.email);
      const unseen = await resend(otherTech, old.id, 'fixed.a@example.test');
      assert.equal(unseen.statusCode, 404, 'a technician who cannot see the ticket');
      assert.equal((await storage.people.findUserById(w.requesterA.id))!.email, w.requesterA.email);
      assert.equal((await storage.outbox.resendsOf([old.id])).length, 0);

      const done = await resend(tech, old.id, '  Fixed.A@Example.test ');
      assert.equal(done.statusCode, 201, done.body);
      const answer = done.json() as MailLine;
      assert.deepEqual([answer.to, answer.status, answer.resentFromId], ['fixed.a@example.test', 'queued', old.id]);
      assert.equal((await storage.people.findUserById(w.requesterA.id))!.email, 'fixed.a@example.test');

      const { entry, onWire, parsed } = await deliveredResend(answer.id);
      assert.deepEqual(onWire.envelope.rcptTo, ['fixed.a@example.test']);
      assert.equal(parsed.messageId, entry.messageIdHeader);
      assert.notEqual(parsed.messageId, old.messageIdHeader, 'a new Message-ID');
      assert.equal(parsed.to && !Array.isArray(parsed.to) ? parsed.to.value[0]!.address : null, 'fixed.a@example.test');
      assert.equal(parsed.subject, old.subject);
      assert.equal(parsed.replyTo?.value[0]!.address, old.replyTo, 'the reply address is bound to the person');
      assert.equal(parsed.text?.trim(), old.text.trim());

      const kept = (await storage.outbox.findOutboxEntry(old.id))!;
      assert.deepEqual(
        [kept.status, kept.messageIdHeader, kept.toAddress, kept.resentFromId],
        ['failed', old.messageIdHeader, w.requesterA.email, null],
      );
      const lines = await threadMails();
      assert.deepEqual(
        lines.filter((l) => l.id === old.id || l.id === entry.id).map((l) => [l.id, l.to, l.status, l.resentFromId]),
        [
          [old.id, w.requesterA.email, 'failed', null],
          [entry.id, 'fixed.a@example.test', 'sent', old.id],
        ],
      );
      const audit = (await storage.audit.listAudit({}, { limit: 100 })).items.find(
        (a) => a.targetId === String(w.requesterA.id) && a.action === 'user.edit',
      );
      assert.deepEqual(audit?.changes, [{ field: 'email', before: w.requesterA.email, after: 'fixed.a@example.test' }]);
      assert.equal(audit?.actorId, w.techA.id);

      // The latest mail to the requester went out: nothing to tell them any more.
      assert.equal((await requester.get('/api/v1/me/mail-trouble')).json().trouble, null);
      // Once only; and a mail that did not fail is not sent again.
      const twice = await resend(tech, old.id, 'fixed.again@example.test');
      assert.deepEqual([twice.statusCode, twice.json().code], [409, 'MAIL_ALREADY_RESENT']);
      const notFailed = await resend(tech, entry.id, 'fixed.again@example.test');
      assert.deepEqual([notFailed.statusCode, notFailed.json().code], [409, 'MAIL_NOT_RESENDABLE']);
      assert.equal((await storage.people.findUserById(w.requesterA.id))!.email, 'fixed.a@example.test');
    });

    it('a bounced mail (a delivery report at its bounce address) is sent again likewise', async () => {
      const old = await messageToRequester('The new monitor arrives on Monday.');
      assert.equal(old.status, 'sent');
      const envelopeSender = sink.accepted.find((m) => m.messageId === old.messageIdHeader)!.envelope.mailFrom!;
      const raw = eml('dsn-postfix', {
        TO: envelopeSender,
        MESSAGE_ID: `<dsn.${++dsnCounter}.${Date.now()}@mx.example.net>`,
        FAILED_RECIPIENT: old.toAddress,
        TICKET: w.ticketA.number,
        ORIGINAL_MESSAGE_ID: old.messageIdHeader,
      });
      assert.match(await sendAsMailer(receiver.port, envelopeSender, raw), /^250 /);
      const bounced = await waitUntil(async () => {
        const e = (await storage.outbox.findOutboxEntry(old.id))!;
        return e.status === 'failed' ? e : undefined;
      }, 'the bounce to fail the mail');
      assert.equal(bounced.attempts.at(-1)!.result, 'bounced');
      assert.equal((await requester.get('/api/v1/me/mail-trouble')).json().trouble.address, 'fixed.a@example.test');

      const done = await resend(tech, old.id, 'second.fix@example.test');
      assert.equal(done.statusCode, 201, done.body);
      const { entry, onWire, parsed } = await deliveredResend(done.json().id);
      assert.deepEqual(onWire.envelope.rcptTo, ['second.fix@example.test']);
      assert.equal(parsed.messageId, entry.messageIdHeader);
      assert.notEqual(parsed.messageId, old.messageIdHeader);
      const kept = (await storage.outbox.findOutboxEntry(old.id))!;
      assert.deepEqual([kept.status, kept.messageIdHeader], ['failed', old.messageIdHeader]);
      assert.ok((await threadMails()).some((l) => l.id === entry.id && l.resentFromId === old.id));
    });

    it('a requester corrects their own address with their password (unique, audited) and the trouble is gone', async () => {
      sink.rejectRecipient(w.requesterB.email);
      const techB = await signIn(app, w.techB.email);
      const posted = await techB.post(`/api/v1/tickets/${w.ticketB.number}/messages`, { text: 'Please call us.' });
      assert.equal(posted.statusCode, 201, posted.body);
      await dispatchBatch({ ...deps, transports }, POLICY);
      sink.accept();
      const requesterB = await signIn(app, w.requesterB.email);
      assert.equal((await requesterB.get('/api/v1/me/mail-trouble')).json().trouble.address, w.requesterB.email);

      const wrong = await requesterB.put('/api/v1/me/email', { currentPassword: 'not it', email: 'b2@example.test' });
      assert.deepEqual([wrong.statusCode, wrong.json().code], [422, 'PASSWORD_INCORRECT']);
      const taken = await requesterB.put('/api/v1/me/email', { currentPassword: TEST_PASSWORD, email: w.techA.email });
      assert.deepEqual([taken.statusCode, taken.json().code], [409, 'USER_EMAIL_TAKEN']);
      const invalid = await requesterB.put('/api/v1/me/email', { currentPassword: TEST_PASSWORD, email: 'b2@' });
      assert.deepEqual([invalid.statusCode, invalid.json().code], [422, 'USER_INVALID']);
      assert.equal((await storage.people.findUserById(w.requesterB.id))!.email, w.requesterB.email);

      const ok = await requesterB.put('/api/v1/me/email', { currentPassword: TEST_PASSWORD, email: 'B2@example.test' });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal(ok.json().email, 'b2@example.test');
      assert.equal((await requesterB.get('/api/v1/me')).json().email, 'b2@example.test');
      assert.equal((await requesterB.get('/api/v1/me/mail-trouble')).json().trouble, null);
      const audit = (await storage.audit.listAudit({}, { limit: 100 })).items.find(
        (a) => a.targetId === String(w.requesterB.id) && a.action === 'user.edit',
      );
      assert.deepEqual(audit?.changes, [{ field: 'email', before: w.requesterB.email, after: 'b2@example.test' }]);
      assert.equal(audit?.actorId, w.requesterB.id);
    });
  });
}
